# Panel assembly, the paper's regressions, and their comparison with the published numbers.

# The configured release's TBI files: the TBI, and the DVA-based TBI where the release gives it (not a flows release).
TBI_INPUTS = {"tbi": f"{PROC}/tbi.parquet", **({"tbi_dva": f"{PROC}/tbi_dva.parquet"} if THIS.gives(rel.DVA) else {})}


rule panel:
    input:
        **TBI_INPUTS,
        kof=f"{PROC}/kof.parquet",
        pwt=f"{PROC}/pwt.parquet",
        wgi=f"{PROC}/wgi.parquet",
        wdi=f"{PROC}/wdi_inflation.parquet",
    output:
        panel=f"{PROC}/panel.parquet",
        exclusions=f"{PROC}/sample_exclusions.parquet",
        exclusions_csv=f"{RES}/reports/sample_exclusions.csv",
        summary=f"{RES}/reports/sample_exclusions_summary.csv",
    params:
        design=DESIGN,
        kof_vintage=str(config["kof_vintage"]),
    # the estimates, the inference and the comparison of releases wait for it (before the checks, which do not)
    priority: 30
    log:
        f"{LOGS}/panel.log",
    benchmark:
        f"{LOGS}/benchmarks/panel.tsv",
    script:
        "../../scripts/panel.py"


rule estimates:
    input:
        panel=f"{PROC}/panel.parquet",
    output:
        estimates=f"{RES}/estimates.csv",
        diagnostics=f"{RES}/iv_diagnostics.csv",
    params:
        controls=list(config["controls"]),
        outcomes=config["kof"]["required_columns"],
        cragg_donald_dof=config["iv"]["cragg_donald_dof"],
        skipped_tables=SKIPPED_TABLES,
    log:
        f"{LOGS}/estimates.log",
    benchmark:
        f"{LOGS}/benchmarks/estimates.tsv",
    script:
        "../../scripts/estimates.py"


rule compare_estimates:
    input:
        estimates=f"{RES}/estimates.csv",
        published=f"{config['published_dir']}/published_coefficients.csv",
        published_stats=f"{config['published_dir']}/published_column_stats.csv",
        panel=f"{PROC}/panel.parquet",
    output:
        comparison=f"{RES}/tables/coefficients_comparison.csv",
        stats=f"{RES}/tables/column_stats_comparison.csv",
        report=f"{RES}/reports/coefficients_comparison.md",
    log:
        f"{LOGS}/compare_estimates.log",
    benchmark:
        f"{LOGS}/benchmarks/compare_estimates.tsv",
    script:
        "../../scripts/compare_estimates.py"


rule specification_search:
    input:
        kof=f"{PROC}/kof.parquet",
        pwt=f"{PROC}/pwt.parquet",
        wgi=f"{PROC}/wgi.parquet",
        wdi=f"{PROC}/wdi_inflation.parquet",
        published=f"{config['published_dir']}/published_coefficients.csv",
        tbi=f"{PROC}/tbi.parquet",
    output:
        ranking=f"{RES}/reports/specification_search.parquet",
        top=f"{RES}/reports/specification_search.csv",
        report=f"{RES}/reports/specification_search.md",
    params:
        # the paper's design, whatever the configured release: the search is about the paper's published numbers
        countries=PAPER["countries"],
        search=config["specification_search"],
        developed=PAPER["sample"]["developed"],
        controls=PAPER["controls"],
        first_year=PAPER["first_year"],
        last_year=PAPER["last_year"],
    priority: 30  # the curve and its joint test wait for its ranking
    log:
        f"{LOGS}/specification_search.log",
    benchmark:
        f"{LOGS}/benchmarks/specification_search.tsv",
    script:
        "../../scripts/specification_search.py"




rule control_alternatives:
    input:
        **TBI_INPUTS,
        kof=f"{PROC}/kof.parquet",
        pwt=f"{PROC}/pwt.parquet",
        wgi=f"{PROC}/wgi.parquet",
        wdi=f"{PROC}/wdi_inflation.parquet",
        published=f"{config['published_dir']}/published_coefficients.csv",
    output:
        csv=f"{RES}/reports/control_alternatives.csv",
        report=f"{RES}/reports/control_alternatives.md",
    params:
        design=DESIGN,
        kof_vintage=str(config["kof_vintage"]),
        alternatives=config["specification_search"]["alternatives"],
    log:
        f"{LOGS}/control_alternatives.log",
    benchmark:
        f"{LOGS}/benchmarks/control_alternatives.tsv",
    script:
        "../../scripts/control_alternatives.py"


rule inference:
    # Few-cluster inference on every TBI coefficient: wild cluster bootstrap, CRV3, Driscoll–Kraay, two-way, AR.
    input:
        panel=f"{PROC}/panel.parquet",
    output:
        csv=f"{RES}/inference_tbi.csv",
        tex=f"{RES}/inference_tbi.tex",
    params:
        controls=list(config["controls"]),
        outcomes=config["kof"]["required_columns"],
        settings=dict(sorted(config["inference"].items())),  # sorted: the same params however the config files merge
        skipped_tables=SKIPPED_TABLES,
        release=RELEASE,  # the bootstrap streams are the release's, as in the comparison of releases, which reads them
    # the comparison of releases reads its p-values, and the R check and the report wait for the comparison
    priority: 25
    log:
        f"{LOGS}/inference.log",
    benchmark:
        f"{LOGS}/benchmarks/inference.tsv",
    script:
        "../../scripts/inference.py"


def curve_inputs(wildcards):
    """The tidy sources, the specification search's ranking and, per curve release, its per-year TBI variants and DVA."""
    files = {
        "kof": f"{PROC}/kof.parquet",
        "pwt": f"{PROC}/pwt.parquet",
        "wgi": f"{PROC}/wgi.parquet",
        "wdi": f"{PROC}/wdi_inflation.parquet",
        "ranking": f"{RES}/reports/specification_search.parquet",
    }
    for release in CURVE_RELEASES:
        years = CURVE_SAMPLES[release]["years"]
        if RELEASES[release].kind == "flows":
            files[f"va_{release}"] = va_files(release, years)
        else:
            files[f"variants_{release}"] = expand(f"{PROC}/va_absorbed/{release}/{{year}}_variants.parquet", year=years)
            files[f"dva_{release}"] = expand(f"{PROC}/kww/{release}/{{year}}_dva.parquet", year=years)
    return files


# The curve's choices (its dimensions and TBI definitions): the joint test's draws are not among them, so changing the
# draws does not re-estimate the curve.
CURVE_CHOICES = {k: v for k, v in config["specification_curve"].items() if k in ("dimensions", "tbi_definitions")}
# The curve's parameters shared by the curve and its test.
CURVE_PARAMS = dict(
    releases=CURVE_RELEASES,
    samples=CURVE_SAMPLES,
    io_release=RELEASE,
    curve=CURVE_CHOICES,
    developed_alternatives=config["specification_search"].get("developed_alternatives"),
    not_candidates=config["specification_search"]["not_candidates"],
    not_available={r: RELEASES[r].not_available for r in CURVE_RELEASES},
    # the country-set choices are changes to the paper's excluded countries, the same on every release
    paper_excluded=PAPER["sample"]["excluded_countries"],
)


# Every KOF vintage is in the curve when it has a kof_vintage dimension: the configured one is then a parameter of the
# marks only (the first vintage stands in for it where nothing depends on it), so a vintage switch neither estimates the
# curve again nor draws its joint test again.
CURVE_VINTAGE = str(config["kof_vintage"]) if "kof_vintage" not in CURVE_CHOICES.get("dimensions", {}) else KOF_VINTAGES[0]


rule specification_curve_estimates_and_test:
    # The curve's regressions, each distinct one once, on every curve release, and the curve's own inference on them:
    # the joint test and the variance decomposition per release. One job: both need the same panels and designs, which
    # took a third of each part's time. Every KOF vintage is in the curve, so the configured one is a parameter only
    # when the curve has no kof_vintage dimension: a vintage switch neither estimates the curve again nor draws the test.
    input:
        unpack(curve_inputs),
    output:
        estimates=f"{PROC}/specification_curve_estimates.parquet",
        skipped=f"{RES}/reports/specification_curve_skipped.csv",
        test=f"{RES}/specification_curve_joint_test.csv",
        variance=f"{RES}/specification_curve_variance.csv",
        png=report(f"{RES}/figures/specification_curve_variance.png", caption="../../workflow/report/specification_curve_variance.rst", category="Figures"),
        pdf=f"{RES}/figures/specification_curve_variance.pdf",
    params:
        **CURVE_PARAMS,
        kof_vintage=CURVE_VINTAGE,
        draws=config["specification_curve"].get("joint_test_draws", 5000),
        rerun_draws=config["specification_curve"].get("joint_test_rerun_draws", 0),
        seed=config["inference"]["seed"],
    # the joint test's draws in this one process (its result does not depend on how many: threads > 1 spreads the draws
    # over worker processes). One: measured, the job keeps a core busy while the comparison and the checks use the other,
    # where two processes left both cores half idle (24.5 s of CPU in 43.7 s of wall time on two cores).
    threads: 1
    # the longest job of the run: started as soon as its inputs are there (above two checks together, 2 × 20)
    priority: 45
    log:
        f"{LOGS}/specification_curve_estimates_and_test.log",
    benchmark:
        f"{LOGS}/benchmarks/specification_curve_estimates_and_test.tsv",
    script:
        "../../scripts/specification_curve_estimates_and_test.py"


rule specification_curve:
    # The curve with each release's configured specifications marked at the configured KOF vintage, and its figure.
    input:
        estimates=rules.specification_curve_estimates_and_test.output.estimates,
        published=f"{config['published_dir']}/published_coefficients.csv",
    output:
        csv=f"{RES}/specification_curve.csv",
        against_published=f"{RES}/reports/choices_against_published.csv",
        png=report(f"{RES}/figures/specification_curve.png", caption="../../workflow/report/specification_curve.rst", category="Figures"),
        pdf=f"{RES}/figures/specification_curve.pdf",
    params:
        samples=CURVE_SAMPLES,
        io_release=RELEASE,
        curve=CURVE_CHOICES,
        kof_vintage=str(config["kof_vintage"]),
    log:
        f"{LOGS}/specification_curve.log",
    benchmark:
        f"{LOGS}/benchmarks/specification_curve.tsv",
    script:
        "../../scripts/specification_curve.py"


def release_va_files(release):
    """A compared release's per-year va_absorbed files: every year of a flows release, the tables years otherwise."""
    return va_files(release, RELEASES[release].years if RELEASES[release].kind == "flows" else table_years(release))


# What every release's own panel is built from (the comparison of releases and the referee checks), and its sample.
RELEASE_PANEL_INPUTS = {
    **{f"va_{r}": release_va_files(r) for r in COMPARISON_RELEASES},
    "kof": f"{PROC}/kof.parquet",
    "pwt": f"{PROC}/pwt.parquet",
    "wgi": f"{PROC}/wgi.parquet",
    "wdi": f"{PROC}/wdi_inflation.parquet",
}
COMPARISON_SAMPLES = {r: rel.release_sample(config, r) for r in COMPARISON_RELEASES}


# The DVA-based TBI of each compared tables release (its sample years): the DVA robustness columns per release.
RELEASE_DVA_INPUTS = {
    f"dva_{r}": expand(f"{PROC}/kww/{r}/{{year}}_dva.parquet", year=COMPARISON_SAMPLES[r]["years"])
    for r in COMPARISON_RELEASES
    if RELEASES[r].gives(rel.DVA) and COMPARISON_SAMPLES[r]["years"]
}


rule compare_releases:
    # Every release side by side: TBI, every regression of the paper with few-cluster p-values and the published
    # coefficient beside each, pairs on shared country-years.
    input:
        **RELEASE_PANEL_INPUTS,
        **RELEASE_DVA_INPUTS,
        published=f"{config['published_dir']}/table1_tbi.csv",
        published_coefficients=f"{config['published_dir']}/published_coefficients.csv",
        published_stats=f"{config['published_dir']}/published_column_stats.csv",
        # the configured release's few-cluster p-values, drawn once by the inference rule and read here
        inference=f"{RES}/inference_tbi.csv",
    output:
        tbi=f"{RES}/tables/tbi_by_release.csv",
        estimates=f"{RES}/estimates_by_release.csv",
        pairs=f"{RES}/tables/release_pairs.csv",
        effect=f"{RES}/tables/release_effect.csv",
        table1=f"{RES}/tables/table1_by_release.csv",
        skipped=f"{RES}/reports/releases_skipped.csv",
        exclusions=f"{RES}/reports/sample_exclusions_by_release.csv",
        figure_png=report(f"{RES}/figures/tbi_by_release.png", caption="../../workflow/report/tbi_by_release.rst", category="Figures"),
        figure_pdf=f"{RES}/figures/tbi_by_release.pdf",
        table1_png=f"{RES}/figures/table1_by_release.png",
        table1_pdf=f"{RES}/figures/table1_by_release.pdf",
        # each compared release's own panel, as its estimates use it (the second implementation in R reads them)
        **{f"panel_{r}": f"{RES}/data/panel_{r}.dta" for r in COMPARISON_RELEASES},
    params:
        releases=COMPARISON_RELEASES,
        samples=COMPARISON_SAMPLES,
        not_available={r: RELEASES[r].not_available for r in COMPARISON_RELEASES},
        kof_vintage=str(config["kof_vintage"]),
        settings=dict(sorted(config["inference"].items())),  # sorted: the same params however the config files merge
        table1_countries=config["table1_countries"],
        figure_first_year=(config.get("comparison") or {}).get("figure_first_year", 1965),
    priority: 20
    log:
        f"{LOGS}/compare_releases.log",
    benchmark:
        f"{LOGS}/benchmarks/compare_releases.tsv",
    script:
        "../../scripts/compare_releases.py"



rule referee_checks:
    # Can the TBI effect be read causally? Timing, dynamics, influence, randomization inference and size, every release.
    input:
        **RELEASE_PANEL_INPUTS,
    output:
        csv=f"{RES}/referee_checks.csv",
        png=report(f"{RES}/figures/leave_one_out.png", caption="../../workflow/report/leave_one_out.rst", category="Figures"),
        pdf=f"{RES}/figures/leave_one_out.pdf",
    params:
        releases=COMPARISON_RELEASES,
        samples=COMPARISON_SAMPLES,
        kof_vintage=str(config["kof_vintage"]),
        # sorted keys: the same settings however the config files were merged (Snakemake compares the params' repr)
        settings=dict(sorted(config.get("referee_checks", {}).items())),
        seed=config["inference"]["seed"],
    priority: 20
    log:
        f"{LOGS}/referee_checks.log",
    benchmark:
        f"{LOGS}/benchmarks/referee_checks.tsv",
    script:
        "../../scripts/referee_checks.py"


rule causal_checks:
    # How strong is the causal case? Dynamic panel GMM, plausibly exogenous bounds, omitted-variable sensitivity, TWFE weights.
    input:
        **RELEASE_PANEL_INPUTS,
    output:
        csv=f"{RES}/causal_checks.csv",
        delta=f"{RES}/causal_checks_delta.csv",
        pe_png=report(f"{RES}/figures/plausibly_exogenous.png", caption="../../workflow/report/plausibly_exogenous.rst", category="Figures"),
        pe_pdf=f"{RES}/figures/plausibly_exogenous.pdf",
        ovb_png=report(f"{RES}/figures/sensitivity_contours.png", caption="../../workflow/report/sensitivity_contours.rst", category="Figures"),
        ovb_pdf=f"{RES}/figures/sensitivity_contours.pdf",
    params:
        releases=COMPARISON_RELEASES,
        samples=COMPARISON_SAMPLES,
        kof_vintage=str(config["kof_vintage"]),
        settings=dict(sorted((config.get("causal_checks") or {}).items())),
        specifications=config.get("referee_checks", {}).get("specifications", ["3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "4.4"]),
    priority: 20
    log:
        f"{LOGS}/causal_checks.log",
    benchmark:
        f"{LOGS}/benchmarks/causal_checks.tsv",
    script:
        "../../scripts/causal_checks.py"


rule all_estimation:
    input:
        rules.panel.output,
        rules.estimates.output,
        rules.compare_estimates.output,
        rules.specification_search.output,
        rules.control_alternatives.output,
        rules.inference.output,
        rules.specification_curve_estimates_and_test.output,
        rules.specification_curve.output,
        rules.compare_releases.output,
        rules.referee_checks.output,
        rules.causal_checks.output,
