"""Snakemake entry point: Table 3 columns 3–4 under each alternative control definition."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.steps import control_alternatives

setup_logging(snakemake.log[0])  # noqa: F821
i, p, o = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
control_alternatives(
    i.tbi, i.tbi_dva, i.kof, i.pwt, i.wgi, i.wdi, i.published,
    countries=p.countries, first_year=p.first_year, last_year=p.last_year, kof_vintage=p.kof_vintage, outcomes=p.outcomes,
    controls=p.controls, alternatives=p.alternatives, excluded_countries=p.excluded, developed=p.developed,
    csv_out=o.csv, report_md=o.report,
)  # fmt: skip
