"""Snakemake entry point: value added absorbed of all years → data/processed/tbi.parquet."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.io.steps import tbi

setup_logging(snakemake.log[0])  # noqa: F821
tbi(list(snakemake.input), snakemake.params.value_added, snakemake.output[0])  # noqa: F821
