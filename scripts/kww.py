"""Snakemake entry point: one year's table → KWW terms and bilateral DVA."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.io.steps import kww_year

setup_logging(snakemake.log[0])  # noqa: F821
kww_year(snakemake.input[0], snakemake.params.value_added, snakemake.output.terms, snakemake.output.dva)  # noqa: F821
