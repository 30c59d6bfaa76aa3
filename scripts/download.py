"""Snakemake entry point: fetch a raw file missing from raw_dir, checking its checksum."""

from tradeimbalance.download import DownloadSpec, fetch
from tradeimbalance.provenance import setup_logging

log = setup_logging(snakemake.log[0])  # noqa: F821
spec = DownloadSpec.from_mapping(snakemake.wildcards.relpath, snakemake.params.spec)  # noqa: F821
log.info("fetching %s from %s", snakemake.output[0], spec.url)  # noqa: F821
fetch(spec, snakemake.output[0])  # noqa: F821
