"""Snakemake entry point: how strong is the causal case? → results/causal_checks.csv, causal_checks_delta.csv and two figures."""

from tradeimbalance.econometrics.steps import causal_checks, release_va_paths
from tradeimbalance.provenance import setup_logging

setup_logging(snakemake.log[0])  # noqa: F821
p, i, o = snakemake.params, snakemake.input, snakemake.output  # noqa: F821
causal_checks(
    release_va_paths(i, p.releases), {k: i[k] for k in ("kof", "pwt", "wgi", "wdi")}, p.samples, kof_vintage=p.kof_vintage, settings=p.settings,
    specifications=p.specifications, outputs=dict(o.items()),
)  # fmt: skip
