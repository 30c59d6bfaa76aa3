"""Snakemake entry point: bilateral DVA of all years → data/processed/tbi_dva.parquet."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.io.steps import tbi_dva

setup_logging(snakemake.log[0])  # noqa: F821
tbi_dva(list(snakemake.input), snakemake.params.value_added, snakemake.output[0])  # noqa: F821
