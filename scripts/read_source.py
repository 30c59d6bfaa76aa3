"""Snakemake entry point: a single-file source (PWT, WGI, WDI) → data/processed/<source>.parquet."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.readers.steps import read_single_source

setup_logging(snakemake.log[0])  # noqa: F821
read_single_source(snakemake.params.source, snakemake.input[0], snakemake.output[0], snakemake.params.extra)  # noqa: F821
