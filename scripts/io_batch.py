"""Snakemake entry point: every year of a release read in one job (jobs: per_release), its input–output algebra included."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.readers.steps import read_release_batch

setup_logging(snakemake.log[0])  # noqa: F821
p, o = snakemake.params, snakemake.output  # noqa: F821
years = list(p.years)
outputs = {
    y: {"table": o.tables[i], "va_out": o.va[i], "checks_out": o.checks[i], "variants_out": o.variants[i], "terms_out": o.terms[i], "dva_out": o.dva[i]}
    for i, y in enumerate(years)
}
raw = dict(zip(years, snakemake.input))  # noqa: F821
read_release_batch(p.release, p.reader, raw, p.regions, p.value_added, outputs, workers=snakemake.threads)  # noqa: F821
