"""Snakemake entry point: every TBI variant compared with the published Table 1."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.outputs.steps import table1_variants

setup_logging(snakemake.log[0])  # noqa: F821
i = snakemake.input  # noqa: F821
table1_variants(list(i.variants) if "variants" in i.keys() else None, i.published, snakemake.output.csv, snakemake.output.report, va_paths=list(i.va) if "va" in i.keys() else None)  # noqa: F821
