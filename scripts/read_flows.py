"""Snakemake entry point: a flows release (value added by destination of absorption) → one va_absorbed parquet per year."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.readers.steps import read_flows

setup_logging(snakemake.log[0])  # noqa: F821
p = snakemake.params  # noqa: F821
read_flows(p.release, snakemake.input[0], p.columns, p.regions, list(p.years), p.value_added, dict(zip(p.years, snakemake.output)))  # noqa: F821
