"""Snakemake entry point: rank the unstated choices by how well they reproduce the published constants."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.econometrics.steps import specification_search

setup_logging(snakemake.log[0])  # noqa: F821
i, p, o = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
s = p.search
specification_search(
    i.kof, i.pwt, i.wgi, i.wdi, i.published, i.tbi,
    countries=p.countries, not_candidates=s["not_candidates"], developed=p.developed, developed_alternatives=s.get("developed_alternatives"), n_countries=s["n_countries"],
    n_developed=s["n_developed"], controls=p.controls, alternatives=s["alternatives"], first_year=p.first_year,
    last_year=p.last_year, ranking_out=o.ranking, top_csv=o.top, report_md=o.report,
)  # fmt: skip
