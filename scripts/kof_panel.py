"""Snakemake entry point: all KOF vintages → one long panel and the coverage report."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.readers.steps import combine_kof

setup_logging(snakemake.log[0])  # noqa: F821
p = snakemake.params  # noqa: F821
o = snakemake.output  # noqa: F821
combine_kof(list(snakemake.input), p.countries, p.first_year, p.last_year, p.required, o.panel, o.coverage, o.coverage_csv)  # noqa: F821
