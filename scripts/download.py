"""Snakemake entry point: fetch a raw file missing from raw_dir from its sources in turn, checking its checksum."""

from tradeimbalance.download import DownloadSpec, fetch
from tradeimbalance.provenance import setup_logging

log = setup_logging(snakemake.log[0])  # noqa: F821
spec = DownloadSpec.from_mapping(snakemake.wildcards.relpath, snakemake.params.spec, fallbacks=snakemake.params.fallbacks)  # noqa: F821
log.info("fetching %s; sources in order: %s", snakemake.output[0], "; ".join(spec.sources))  # noqa: F821
fetch(spec, snakemake.output[0])  # noqa: F821
