"""Snakemake entry point: Table 1 (CSV, LaTeX) and its comparison with the published values."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.outputs.steps import table1

setup_logging(snakemake.log[0])  # noqa: F821
p, o = snakemake.params, snakemake.output  # noqa: F821
table1(snakemake.input.tbi, snakemake.input.published, p.countries, p.first_year, p.last_year, o.csv, o.tex, o.comparison, o.report, p.paper)  # noqa: F821
