"""Snakemake entry point: the replication report (Markdown and HTML)."""

from tradeimbalance.provenance import setup_logging
from tradeimbalance.outputs.steps import report_step

setup_logging(snakemake.log[0])  # noqa: F821
i, o = snakemake.input, snakemake.output  # noqa: F821
report_step(
    table1_comparison=i.table1, coefficients=i.coefficients, column_stats=i.stats, panel_path=i.panel,
    exclusion_summary=i.exclusions, estimates_csv=i.estimates, diagnostics_csv=i.diagnostics,
    choices=snakemake.params.choices, md_out=o.md, html_out=o.html,  # noqa: F821
    inference_csv=i.inference, curve_csv=i.curve, curve_dimensions=snakemake.params.curve_dimensions,  # noqa: F821
    curve_skipped_csv=i.curve_skipped, curve_test_csv=i.curve_test, curve_variance_csv=i.curve_variance,
    bootstrap_draws=snakemake.params.bootstrap_draws, level=snakemake.params.level,  # noqa: F821
    releases={k: i[f"releases_{k}"] for k in ("estimates", "pairs", "effect", "skipped", "table1")},
    release_info=snakemake.params.release_info, published_coefficients=i.published, table_set_csv=i.table_set, referee_csv=i.referee,  # noqa: F821
    forest_png=i.forest, causal_csv=i.causal, summary_out=o.summary, second_implementation_csv=i.second_implementation, provenance=snakemake.params.provenance,  # noqa: F821
)  # fmt: skip
