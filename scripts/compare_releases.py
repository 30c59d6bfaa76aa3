"""Snakemake entry point: every input–output release side by side (TBI, main specifications, pairs, Table 1)."""

from tradeimbalance.econometrics.steps import compare_releases, release_va_paths
from tradeimbalance.provenance import setup_logging

setup_logging(snakemake.log[0])  # noqa: F821
p, i = snakemake.params, snakemake.input  # noqa: F821
compare_releases(
    release_va_paths(i, p.releases), {k: i[k] for k in ("kof", "pwt", "wgi", "wdi", "published", "published_coefficients", "published_stats")}, p.samples, p.not_available,
    kof_vintage=p.kof_vintage, settings=p.settings, table1_countries=p.table1_countries, figure_first_year=p.figure_first_year,
    outputs=dict(snakemake.output.items()), dva_paths=release_va_paths(i, p.releases, "dva"),  # noqa: F821
    inference=i.inference,
)  # fmt: skip
