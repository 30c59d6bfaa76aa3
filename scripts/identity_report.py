"""Snakemake entry point: per-year summary of the accounting identities → results/checks/."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.io.steps import identity_report

setup_logging(snakemake.log[0])  # noqa: F821
identity_report(list(snakemake.input.checks), list(snakemake.input.terms), snakemake.output[0])  # noqa: F821
