"""Snakemake entry point: one year's table → TBI under each alternative construction."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.io.steps import tbi_variants_year

setup_logging(snakemake.log[0])  # noqa: F821
tbi_variants_year(snakemake.input[0], snakemake.params.value_added, snakemake.output[0])  # noqa: F821
