"""Snakemake entry point: can the TBI effect be read causally? → results/referee_checks.csv and results/figures/leave_one_out.{png,pdf}."""

from tradeimbalance.econometrics.steps import referee_checks, release_va_paths
from tradeimbalance.provenance import setup_logging

setup_logging(snakemake.log[0])  # noqa: F821
p, i, o = snakemake.params, snakemake.input, snakemake.output  # noqa: F821
referee_checks(
    release_va_paths(i, p.releases), {k: i[k] for k in ("kof", "pwt", "wgi", "wdi")}, p.samples, kof_vintage=p.kof_vintage, settings=p.settings, seed=p.seed,
    csv_out=o.csv, png_out=o.png, pdf_out=o.pdf,
)  # fmt: skip
