"""Snakemake entry point: the estimation panel for Stata and R → results/data/panel.{dta,csv}."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.outputs.steps import analysis_data

setup_logging(snakemake.log[0])  # noqa: F821
o = snakemake.output  # noqa: F821
p = snakemake.params  # noqa: F821
analysis_data(
    snakemake.input.panel, p.controls, dta_out=o.dta, csv_out=o.csv, do_out=o.do, outcomes=p.outcomes, skipped_tables=p.skipped_tables,  # noqa: F821
    release=p.release, timing=p.timing, gmm_lags=p.gmm_lags, periods=p.periods,
)
