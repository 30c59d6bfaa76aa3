"""Snakemake entry point: one KOF vintage → data/processed/kof/kof_<vintage>.parquet."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.readers.steps import read_kof_vintage

setup_logging(snakemake.log[0])  # noqa: F821
read_kof_vintage(snakemake.input[0], snakemake.wildcards.vintage, snakemake.params.required, snakemake.output[0])  # noqa: F821
