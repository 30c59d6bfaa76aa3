"""Snakemake entry point: the second implementation in R (src/R/second_implementation.R) → results/checks/second_implementation.csv."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.outputs.second_implementation import run_second_implementation

setup_logging(snakemake.log[0])  # noqa: F821
i = snakemake.input  # noqa: F821
run_second_implementation(
    i.code, results=snakemake.params.results, out=snakemake.output.csv, estimates=i.estimates, referee=i.referee, causal=i.causal,  # noqa: F821
)
