"""Snakemake entry point: Table 3 columns 3–4 on every KOF vintage present."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.econometrics.steps import kof_sensitivity

setup_logging(snakemake.log[0])  # noqa: F821
i, p, o = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
kof_sensitivity(dict(i.items()), p.design, csv_out=o.csv, tex_out=o.tex)
