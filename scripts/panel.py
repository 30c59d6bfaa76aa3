"""Snakemake entry point: the estimation panel and the log of excluded country-years."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.econometrics.steps import build_panel

setup_logging(snakemake.log[0])  # noqa: F821
i, p, o = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
build_panel(
    dict(i.items()), p.design, p.kof_vintage,
    panel_out=o.panel, exclusions_out=o.exclusions, exclusions_csv=o.exclusions_csv, summary_csv=o.summary,
)  # fmt: skip
