"""Snakemake entry point: the specification curve, its configured specifications marked → results/specification_curve.csv and its figure."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.econometrics.steps import specification_curve

setup_logging(snakemake.log[0])  # noqa: F821
i, p, o = snakemake.input, snakemake.params, snakemake.output  # noqa: F821
specification_curve(
    i.estimates, p.samples, kof_vintage=p.kof_vintage, io_release=p.io_release, curve=p.curve, csv_out=o.csv, png_out=o.png, pdf_out=o.pdf,
    published=i.published, against_published_out=o.against_published,
)  # fmt: skip
