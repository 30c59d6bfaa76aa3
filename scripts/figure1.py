"""Snakemake entry point: Figure 1 (PNG, PDF and the plotted means)."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.outputs.steps import figure1_step

setup_logging(snakemake.log[0])  # noqa: F821
p, o = snakemake.params, snakemake.output  # noqa: F821
figure1_step(snakemake.input.kof, p.kof_vintage, p.countries, p.excluded, p.developed, p.first_year, p.last_year, o.png, o.pdf, o.csv)  # noqa: F821
