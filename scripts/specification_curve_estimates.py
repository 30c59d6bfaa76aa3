"""Snakemake entry point: the specification curve's estimates → data/processed/specification_curve_estimates.parquet and what was skipped or merged."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.econometrics.steps import curve_release_files, specification_curve_estimates

setup_logging(snakemake.log[0])  # noqa: F821
i, p, o = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
specification_curve_estimates(
    dict(i.items()), curve_release_files(i, p.releases), p.samples, kof_vintage=p.kof_vintage, io_release=p.io_release, curve=p.curve,
    developed_alternatives=p.developed_alternatives, not_candidates=p.not_candidates, not_available=p.not_available, paper_excluded=p.paper_excluded,
    estimates_out=o.estimates, skipped_out=o.skipped,
)  # fmt: skip
