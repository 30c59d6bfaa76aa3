"""Snakemake entry point: one year's value added absorbed, identity checks, TBI variants and KWW decomposition."""

from tradeimbalance.io.steps import io_year
from tradeimbalance.provenance import setup_logging

setup_logging(snakemake.log[0])  # noqa: F821
o = snakemake.output  # noqa: F821
io_year(snakemake.input[0], snakemake.params.value_added, va_out=o.va, checks_out=o.checks, variants_out=o.variants, terms_out=o.terms, dva_out=o.dva)  # noqa: F821
