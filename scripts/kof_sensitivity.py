"""Snakemake entry point: Table 3 columns 3–4 on every KOF vintage present."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.steps import kof_sensitivity

setup_logging(snakemake.log[0])  # noqa: F821
i, p, o = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
kof_sensitivity(
    i.tbi, i.tbi_dva, i.kof, i.pwt, i.wgi, i.wdi,
    countries=p.countries, first_year=p.first_year, last_year=p.last_year, outcomes=p.outcomes, controls=p.controls,
    excluded_countries=p.excluded, developed=p.developed, csv_out=o.csv, tex_out=o.tex,
)  # fmt: skip
