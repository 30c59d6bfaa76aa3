"""Snakemake entry point: the estimation panel and the log of excluded country-years."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.steps import build_panel

setup_logging(snakemake.log[0])  # noqa: F821
i, p, o = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
build_panel(
    i.tbi, i.tbi_dva, i.kof, i.pwt, i.wgi, i.wdi,
    countries=p.countries, first_year=p.first_year, last_year=p.last_year, kof_vintage=p.kof_vintage, outcomes=p.outcomes,
    controls=p.controls, excluded_countries=p.excluded, developed=p.developed,
    panel_out=o.panel, exclusions_out=o.exclusions, exclusions_csv=o.exclusions_csv, summary_csv=o.summary,
)  # fmt: skip
