"""Snakemake entry point: one year's table → value added absorbed and its identity checks."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.io.steps import va_absorbed_year

setup_logging(snakemake.log[0])  # noqa: F821
va_absorbed_year(snakemake.input[0], snakemake.params.value_added, snakemake.output.va, snakemake.output.checks)  # noqa: F821
