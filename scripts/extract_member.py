"""Snakemake entry point: extract one year's file from the WIOD 2016 release archive."""

from pathlib import Path

from tradeimbalance.download import extract_member
from tradeimbalance.provenance import setup_logging

log = setup_logging(snakemake.log[0])  # noqa: F821
out = Path(snakemake.output[0])  # noqa: F821
extract_member(snakemake.input[0], out.name, out)  # noqa: F821
log.info("extracted %s", out)
