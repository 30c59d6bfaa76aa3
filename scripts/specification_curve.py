"""Snakemake entry point: the specification curve → results/specification_curve.csv and its figure, and the curve's joint test and variance decomposition."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.econometrics.steps import curve_release_files, specification_curve

setup_logging(snakemake.log[0])  # noqa: F821
i, p, o = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
release_files = curve_release_files(i, p.releases)
joint_test = {
    "draws": p.joint_test_draws, "rerun_draws": p.joint_test_rerun_draws, "processes": snakemake.threads, "seed": p.seed,  # noqa: F821
    "test": o.test, "variance": o.variance, "png": o.variance_png, "pdf": o.variance_pdf,
}  # fmt: skip
specification_curve(
    dict(i.items()), release_files, p.samples, kof_vintage=p.kof_vintage, io_release=p.io_release, curve=p.curve,
    developed_alternatives=p.developed_alternatives, not_candidates=p.not_candidates, not_available=p.not_available, csv_out=o.csv,
    skipped_out=o.skipped, png_out=o.png, pdf_out=o.pdf, joint_test=joint_test,
)  # fmt: skip
