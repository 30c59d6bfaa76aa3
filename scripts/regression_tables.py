"""Snakemake entry point: Tables 3–6, 2SLS and DVA as LaTeX and CSV."""

from pathlib import Path

from tradeimbalance.provenance import setup_logging
from tradeimbalance.outputs.steps import regression_tables

setup_logging(snakemake.log[0])  # noqa: F821
i = snakemake.input  # noqa: F821
regression_tables(i.estimates, i.diagnostics, i.panel, Path(snakemake.output.table_set).parent, skipped=snakemake.params.skipped, table_set_csv=snakemake.output.table_set)  # noqa: F821
