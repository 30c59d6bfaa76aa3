"""Snakemake entry point: every TBI variant compared with the published Table 1."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.outputs.steps import table1_variants

setup_logging(snakemake.log[0])  # noqa: F821
table1_variants(list(snakemake.input.variants), snakemake.input.published, snakemake.output.csv, snakemake.output.report)  # noqa: F821
