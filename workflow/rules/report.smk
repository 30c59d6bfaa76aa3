# The reader's end of the DAG: regression tables, Figure 1, the KOF-vintage sensitivity and the report.
# Outputs wrapped in report() are attached to `snakemake --report results/workflow_report.html`.

# The paper's regression tables the configured release gives (a flows release has no DVA table: SKIPPED_TABLES, with
# the reason, in results/tables/table_set.csv, the log and the report).
REGRESSION_TABLE_IDS = [t for t in ["3", "4", "5", "6", "2sls", "dva"] if t not in SKIPPED_TABLES]


rule regression_tables:
    input:
        estimates=f"{RES}/estimates.csv",
        diagnostics=f"{RES}/iv_diagnostics.csv",
        panel=f"{PROC}/panel.parquet",
    output:
        tex=[report(f"{RES}/tables/table{t}.tex", caption="../../workflow/report/regression_tables.rst", category="Tables") for t in REGRESSION_TABLE_IDS],
        csv=[f"{RES}/tables/table{t}.csv" for t in REGRESSION_TABLE_IDS],
        table_set=f"{RES}/tables/table_set.csv",
    params:
        skipped=SKIPPED_TABLES,
    log:
        f"{LOGS}/regression_tables.log",
    benchmark:
        f"{LOGS}/benchmarks/regression_tables.tsv",
    script:
        "../../scripts/regression_tables.py"


rule figure1:
    input:
        kof=f"{PROC}/kof.parquet",
    output:
        png=report(f"{RES}/figures/figure1.png", caption="../../workflow/report/figure1.rst", category="Figures"),
        pdf=f"{RES}/figures/figure1.pdf",
        csv=f"{RES}/figures/figure1_means.csv",
    params:
        kof_vintage=str(config["kof_vintage"]),
        countries=config["countries"],
        excluded=config["sample"]["excluded_countries"],
        developed=config["sample"]["developed"],
        first_year=config["first_year"],
        last_year=config["last_year"],
    log:
        f"{LOGS}/figure1.log",
    benchmark:
        f"{LOGS}/benchmarks/figure1.tsv",
    script:
        "../../scripts/figure1.py"


rule kof_sensitivity:
    input:
        **TBI_INPUTS,
        kof=f"{PROC}/kof.parquet",
        pwt=f"{PROC}/pwt.parquet",
        wgi=f"{PROC}/wgi.parquet",
        wdi=f"{PROC}/wdi_inflation.parquet",
    output:
        csv=f"{RES}/tables/sensitivity_kof_vintage.csv",
        tex=report(f"{RES}/tables/sensitivity_kof_vintage.tex", caption="../../workflow/report/sensitivity.rst", category="Tables"),
    params:
        design=DESIGN,
    log:
        f"{LOGS}/kof_sensitivity.log",
    benchmark:
        f"{LOGS}/benchmarks/kof_sensitivity.tsv",
    script:
        "../../scripts/kof_sensitivity.py"


rule analysis_data:
    # The estimation panel for other tools: Stata (.dta with variable labels) and CSV.
    input:
        panel=f"{PROC}/panel.parquet",
    output:
        dta=f"{RES}/data/panel.dta",
        csv=f"{RES}/data/panel.csv",
        # the paper's regressions for Stata, from the package's specification table (not run: no Stata here)
        do=f"{RES}/replicate.do",
    params:
        controls=config["controls"],
        outcomes=config["kof"]["required_columns"],
        skipped_tables=SKIPPED_TABLES,
        release=RELEASE,
        timing=config.get("referee_checks", {}).get("specifications", ["3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "4.4"]),
        gmm_lags=list((config.get("causal_checks") or {}).get("gmm_lags", [2, 3])),
        periods=list(THIS.years),
    log:
        f"{LOGS}/analysis_data.log",
    benchmark:
        f"{LOGS}/benchmarks/analysis_data.tsv",
    script:
        "../../scripts/analysis_data.py"


rule sensitivity:
    input:
        rules.kof_sensitivity.output,


rule forest_figure:
    # The report's first figure: every published TBI coefficient beside each release's.
    input:
        estimates=f"{RES}/estimates_by_release.csv",
        published=f"{config['published_dir']}/published_coefficients.csv",
    output:
        png=report(f"{RES}/figures/forest_tbi.png", caption="../../workflow/report/forest_tbi.rst", category="Figures"),
        pdf=f"{RES}/figures/forest_tbi.pdf",
        csv=f"{RES}/figures/forest_tbi.csv",
    log:
        f"{LOGS}/forest_figure.log",
    benchmark:
        f"{LOGS}/benchmarks/forest_figure.tsv",
    script:
        "../../scripts/forest_figure.py"


rule report:
    input:
        table1=f"{RES}/tables/table1_comparison.csv",
        coefficients=f"{RES}/tables/coefficients_comparison.csv",
        stats=f"{RES}/tables/column_stats_comparison.csv",
        panel=f"{PROC}/panel.parquet",
        exclusions=f"{RES}/reports/sample_exclusions_summary.csv",
        estimates=f"{RES}/estimates.csv",
        diagnostics=f"{RES}/iv_diagnostics.csv",
        tables=rules.regression_tables.output,
        figure=rules.figure1.output,
        inference=f"{RES}/inference_tbi.csv",
        curve=f"{RES}/specification_curve.csv",
        curve_skipped=f"{RES}/reports/specification_curve_skipped.csv",
        curve_test=f"{RES}/specification_curve_joint_test.csv",
        curve_variance=f"{RES}/specification_curve_variance.csv",
        curve_variance_figure=f"{RES}/figures/specification_curve_variance.png",
        curve_figure=f"{RES}/figures/specification_curve.png",
        releases_estimates=f"{RES}/estimates_by_release.csv",
        releases_pairs=f"{RES}/tables/release_pairs.csv",
        releases_effect=f"{RES}/tables/release_effect.csv",
        releases_skipped=f"{RES}/reports/releases_skipped.csv",
        releases_table1=f"{RES}/tables/table1_by_release.csv",
        releases_figure=f"{RES}/figures/tbi_by_release.png",
        published=f"{config['published_dir']}/published_coefficients.csv",
        forest=rules.forest_figure.output.png,
        table_set=f"{RES}/tables/table_set.csv",
        referee=f"{RES}/referee_checks.csv",
        causal=f"{RES}/causal_checks.csv",
        causal_figures=[f"{RES}/figures/plausibly_exogenous.png", f"{RES}/figures/sensitivity_contours.png"],
        referee_figure=f"{RES}/figures/leave_one_out.png",
        second_implementation=f"{RES}/checks/second_implementation.csv",
    output:
        md=f"{RES}/report.md",
        html=report(f"{RES}/report.html", caption="../../workflow/report/report.rst", category="Replication report"),
        summary=f"{RES}/reports/glance_summary.txt",
    params:
        # the code and the data choices that made the report (its provenance line); the date is the commit's
        provenance=PROVENANCE,
        choices={
            "input–output release": config["io_release"],
            "value added": config["value_added"],
            "KOF vintage": str(config["kof_vintage"]),
            "countries left out": ", ".join(config["sample"]["excluded_countries"]),
            "developed countries": ", ".join(config["sample"]["developed"]),
            **{
                f"control {k}": f"{v['source']}.{v['variable']}" + ("" if v.get("transform", "none") == "none" else f", {v['transform']}")
                + ("" if v.get("fill", "none") == "none" else f", interior gaps filled: {v['fill']}")
                for k, v in config["controls"].items()
            },
            "estimator conventions": "xtreg, fe vce(cluster iso3): within R², _cons = ȳ − x̄'b, G/(G−1)·(N−1)/(N−K)",
            "Cragg–Donald F degrees of freedom": config["iv"]["cragg_donald_dof"],
        },
        curve_dimensions=list(config["specification_curve"]["dimensions"]),
        # the releases of the glance: the paper's own data lead, the configured one is the tables' release
        release_info={
            r: {"label": RELEASES[r].label, "paper": RELEASES[r].paper, "configured": r == RELEASE, "kof_vintage": str(config["kof_vintage"]),
                "paper_kof_vintage": str(config["kof"]["paper_vintage"])}
            for r in COMPARISON_RELEASES
        },
        bootstrap_draws=config["inference"]["bootstrap_draws"],
        level=config["inference"]["level"],
    log:
        f"{LOGS}/report.log",
    benchmark:
        f"{LOGS}/benchmarks/report.tsv",
    script:
        "../../scripts/report.py"


rule all_report:
    input:
        rules.regression_tables.output,
        rules.analysis_data.output,
        rules.figure1.output,
        rules.kof_sensitivity.output,
        rules.report.output,
