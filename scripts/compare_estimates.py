"""Snakemake entry point: our Tables 3–6 coefficients beside the published ones."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.outputs.steps import compare_estimates

setup_logging(snakemake.log[0])  # noqa: F821
i, o = snakemake.input, snakemake.output  # noqa: F821
compare_estimates(i.estimates, i.published, i.published_stats, i.panel, o.comparison, o.stats, o.report)
