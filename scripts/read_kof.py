"""Snakemake entry point: every KOF vintage → data/processed/kof/kof_<vintage>.parquet, one file per vintage."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.readers.steps import read_kof_vintage

setup_logging(snakemake.log[0])  # noqa: F821
for raw, vintage, out in zip(snakemake.input, snakemake.params.vintages, snakemake.output):  # noqa: F821
    read_kof_vintage(raw, vintage, snakemake.params.required, out)  # noqa: F821
