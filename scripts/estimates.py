"""Snakemake entry point: every regression of the paper → results/estimates.csv and results/iv_diagnostics.csv."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.econometrics.steps import run_estimates

setup_logging(snakemake.log[0])  # noqa: F821
p, o = snakemake.params, snakemake.output  # noqa: F821
run_estimates(snakemake.input.panel, p.controls, p.outcomes, o.estimates, o.diagnostics, p.cragg_donald_dof, skipped_tables=p.skipped_tables)  # noqa: F821
