"""Snakemake entry point: the published TBI coefficients beside each release's (the report's first figure)."""

from tradeimbalance.outputs.steps import forest_step
from tradeimbalance.provenance import setup_logging

setup_logging(snakemake.log[0])  # noqa: F821
i, o = snakemake.input, snakemake.output  # noqa: F821
forest_step(i.estimates, i.published, png_out=o.png, pdf_out=o.pdf, csv_out=o.csv)
