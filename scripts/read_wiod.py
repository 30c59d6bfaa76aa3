"""Snakemake entry point: one year of a WIOD release → data/processed/io/<release>/wiot_<year>.parquet."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.readers.steps import read_io_year

setup_logging(snakemake.log[0])  # noqa: F821 (snakemake object injected by Snakemake)
p = snakemake.params  # noqa: F821
read_io_year(p.release, snakemake.input[0], int(snakemake.wildcards.year), snakemake.output[0], p.regions, p.reader)  # noqa: F821
