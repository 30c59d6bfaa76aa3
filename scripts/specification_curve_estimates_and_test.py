"""Snakemake entry point: the specification curve's estimates (data/processed/specification_curve_estimates.parquet,
what was skipped or merged) and its joint test and variance decomposition (results/specification_curve_{joint_test,variance}.csv
and its figure)."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.econometrics.steps import curve_release_files, specification_curve_estimates_and_test

setup_logging(snakemake.log[0])  # noqa: F821
i, p, o = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
specification_curve_estimates_and_test(
    dict(i.items()), curve_release_files(i, p.releases), p.samples, kof_vintage=p.kof_vintage, io_release=p.io_release, curve=p.curve,
    developed_alternatives=p.developed_alternatives, not_candidates=p.not_candidates, not_available=p.not_available, paper_excluded=p.paper_excluded,
    draws=p.draws, rerun_draws=p.rerun_draws, seed=p.seed, processes=snakemake.threads,  # noqa: F821
    outputs={"estimates": o.estimates, "skipped": o.skipped, "test": o.test, "variance": o.variance, "png": o.png, "pdf": o.pdf},
)  # fmt: skip
