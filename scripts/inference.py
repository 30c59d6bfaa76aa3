"""Snakemake entry point: few-cluster inference on every TBI coefficient → results/inference_tbi.{csv,tex}."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.econometrics.steps import robust_inference

setup_logging(snakemake.log[0])  # noqa: F821
p, o = snakemake.params, snakemake.output  # noqa: F821
robust_inference(snakemake.input.panel, p.controls, p.outcomes, p.settings, csv_out=o.csv, tex_out=o.tex, skipped_tables=p.skipped_tables, release=p.release)  # noqa: F821
