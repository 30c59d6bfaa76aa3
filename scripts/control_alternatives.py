"""Snakemake entry point: Table 3 columns 3–4 under each alternative control definition."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.econometrics.steps import control_alternatives

setup_logging(snakemake.log[0])  # noqa: F821
i, p, o = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
control_alternatives(dict(i.items()), p.design, p.kof_vintage, i.published, p.alternatives, csv_out=o.csv, report_md=o.report)
