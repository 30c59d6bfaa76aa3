"""Coefficient comparison criteria, summary lines and the replication report (Markdown/HTML)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradeimbalance.outputs.comparison import compare_coefficients, compare_column_stats, summary_lines
from tradeimbalance.outputs.report import replication_report, table1_summary_line, to_html


def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    published = pd.DataFrame(
        [
            {"table": 3, "column": 1, "depvar": "K", "sample": "all", "controls": False, "variable": "TBI", "coef": 10.0, "se": 2.0, "stars": 3},
            {"table": 3, "column": 1, "depvar": "K", "sample": "all", "controls": False, "variable": "const", "coef": 70.0, "se": 1.0, "stars": 3},
            {"table": 3, "column": 2, "depvar": "K", "sample": "all", "controls": True, "variable": "TBI", "coef": -2.0, "se": 2.0, "stars": 0},
            {"table": 4, "column": 1, "depvar": "K", "sample": "developed", "controls": True, "variable": "RQ", "coef": 1.0, "se": 0.4, "stars": 2},
        ]
    )
    ours = pd.DataFrame(
        [
            {"table": "3", "column": 1, "stage": "second", "variable": "TBI", "coef": 10.9, "se": 2.1, "pvalue": 0.001, "stars": 3, "nobs": 100, "r2": 0.4},
            {"table": "3", "column": 1, "stage": "second", "variable": "const", "coef": 80.0, "se": 1.0, "pvalue": 0.0, "stars": 3, "nobs": 100, "r2": 0.4},
            {"table": "3", "column": 2, "stage": "second", "variable": "TBI", "coef": 1.0, "se": 2.0, "pvalue": 0.6, "stars": 0, "nobs": 100, "r2": 0.5},
            {"table": "2sls", "column": 1, "stage": "first", "variable": "TBI", "coef": 9.0, "se": 1.0, "pvalue": 0.0, "stars": 3, "nobs": 90, "r2": 0.3},
        ]
    )
    return published, ours


def test_criteria_per_coefficient() -> None:
    published, ours = frames()
    c = compare_coefficients(ours, published).set_index(["table", "column", "variable"])
    tbi = c.loc[("3", 1, "TBI")]
    assert tbi["sign_match"] and tbi["stars_match"] and tbi["within_10pct"] and tbi["status"] == "pass"  # 9 % off
    const = c.loc[("3", 1, "const")]
    assert const["sign_match"] and not const["within_10pct"] and const["status"] == "fail"  # 14 % off
    flipped = c.loc[("3", 2, "TBI")]
    assert not flipped["sign_match"] and flipped["stars_match"] and flipped["rel_difference"] == 1.5
    missing = c.loc[("4", 1, "RQ")]
    assert missing["status"] == "not_computed" and not missing["sign_match"]
    assert summary_lines(compare_coefficients(ours, published)) == ["Table 3: 2/3 signs, 3/3 stars, 1/3 within 10%", "Table 4: 0/1 signs, 0/1 stars, 0/1 within 10%"]


def test_column_stats_and_report_render() -> None:
    published, ours = frames()
    stats = compare_column_stats(ours.assign(depvar="K"), pd.DataFrame([{"table": 3, "column": 1, "depvar": "K", "sample": "all", "controls": False, "nobs": 615, "r2": 0.44}]))
    assert stats.loc[0, "nobs_ours"] == 100 and round(stats.loc[0, "r2_difference"], 6) == -0.04
    table1 = pd.DataFrame(
        [
            {"year": 2000, "iso3": "CHN", "published": 0.1, "replicated": 0.1003, "difference": 0.0003, "abs_difference": 0.0003, "status": "within_tolerance"},
            {"year": 2001, "iso3": "CHN", "published": 0.1, "replicated": 0.2, "difference": 0.1, "abs_difference": 0.1, "status": "differs"},
            {"year": 2014, "iso3": "CHN", "published": 0.1, "replicated": None, "difference": None, "abs_difference": None, "status": "not_computed"},
        ]
    )
    assert table1_summary_line(table1) == "Table 1: 1/2 cells within ±0.0005 (3 published, 2 computed)"
    panel = pd.DataFrame({"iso3": ["AAA", "AAA", "BBB"], "year": [2000, 2001, 2000], "group": ["developed", "developed", "developing"], "filled": ["", "RQ", ""]})
    exclusions = pd.DataFrame({"reason": ["no_tbi"], "country_years": [3], "countries": ["CCC"]})
    estimates = ours.assign(depvar="K", sample="all", controls=False)
    text = replication_report(
        table1=table1, coefficients=compare_coefficients(ours, published), column_stats=stats, panel=panel, exclusion_summary=exclusions,
        estimates=estimates, diagnostics=pd.DataFrame(), choices={"KOF vintage": "v1"}, data_note="Data: synthetic.",
    )  # fmt: skip
    assert "- Table 1: 1/2 cells within ±0.0005" in text and "- Table 3: 2/3 signs, 3/3 stars, 1/3 within 10%" in text
    assert "3 country-years: 2 countries" in text and "Developed (1): AAA." in text and "(RQ)" in text
    assert "| KOF vintage | v1 |" in text
    # each published coefficient beside ours with both standard errors
    assert "| column | depvar | variable | coef_published | coef_ours | rel_difference | se_published | se_ours | stars_published |" in text
    html = to_html(text)
    assert html.startswith("<!DOCTYPE html>") and "<table>" in html and "Table 3: 2/3 signs" in html


def test_robustness_section_summarises_inference_and_curve() -> None:
    from tradeimbalance.outputs.report import curve_summary_lines, robustness_section

    curve = pd.DataFrame(
        {
            "sample": ["all", "all", "developed", "developed"],
            "developed_list": ["n/a", "n/a", "configured", "oecd"],
            "coef": [2.0, 4.0, -1.0, 1.0],
            "pvalue": [0.01, 0.2, 0.5, 0.04],
            "published_main": [True, False, False, False],
        }
    )
    lines = curve_summary_lines(curve, ["sample", "developed_list"])
    assert lines[0].startswith("Of the 4 specifications, 75.0 % have a positive TBI coefficient and 50.0 % have p < 0.05")
    assert "**sample**" in lines[1] and "from 0.0000 (developed) to 3.0000 (all)" in lines[1]
    assert "estimates 2.0000 (p = 0.0100); 2 of the 4 specifications (50.0 %) give a smaller estimate" in lines[2]
    inference = pd.DataFrame(
        {"table": ["3"], "column": [3], "depvar": ["KOFGIdj"], "sample": ["all"], "estimator": ["fe"], "coef": [2.0], "se_cluster": [0.5],
         "p_cluster": [0.001], "p_wcr_rademacher": [0.02], "p_wcr_webb": [0.03], "p_crv3": [0.06], "p_dk": [0.01], "p_twoway": [0.07],
         "se_crv3": [0.9], "se_dk": [0.4], "se_twoway": [1.0]}
    )  # fmt: skip
    text = "\n".join(robustness_section(inference, curve, ["sample", "developed_list"], draws=999, level=0.9))
    assert text.startswith("## How robust is the TBI effect?") and "B = 999" in text and "90 % confidence set" in text
    assert "TBI coefficients with p < 0.05, of 1, by the cluster-based methods: country-clustered (published convention): 1; wild cluster restricted bootstrap, Rademacher: 1" in text
    assert "CRV3 cluster jackknife: 0" in text and "![Specification curve](figures/specification_curve.png)" in text
    # Driscoll–Kraay is shown but kept out of the counts
    assert "Driscoll–Kraay: " not in text.split("by the cluster-based methods:")[1].split("\n")[0]
    assert "Not counted: Driscoll–Kraay (1 with p < 0.05): with 11–15 years" in text


def test_undecided_bootstrap_p_values_are_counted_apart_and_the_curve_test_is_stated() -> None:
    from tradeimbalance.outputs.report import curve_test_lines, inference_count_lines

    inference = pd.DataFrame(
        {"table": ["5", "5"], "column": [1, 3], "p_cluster": [0.03, 0.02], "p_wcr_webb": [0.0505, 0.044], "mcse_wcr_webb": [0.0007, 0.0006],
         "undecided_wcr_webb": [0.05, float("nan")], "p_dk": [0.001, 0.2], "twoway_convention": ["reghdfe", "reghdfe"]}
    )  # fmt: skip
    lines = inference_count_lines(inference)
    assert "wild cluster restricted bootstrap, Webb: 1, and 1 too close to 0.05 to call: 5.1 (p = 0.0505)" in lines[0]
    assert any("1 remains undecided" in line and "at most 0.0007" in line for line in lines)
    assert any(line.startswith("Two-way clustered SEs follow reghdfe") for line in lines)
    row = {"release": "r", "years": "2002, 2005", "draws": 5000, "specifications": 2400, "dominant_sign": "positive", "median_coef": 10.43,
           "share_significant": 0.272, "stouffer_z": 65.2, "undefined_estimates": 1040, "undefined_share": 1040 / 12_000_000, "undefined_draws": 0,
           "undefined_reasons": "no residual degrees of freedom (exactly identified): 1040"}  # fmt: skip
    for stat, (p, grid) in {"median": (0.006, 0.007), "share": (0.048, 0.118), "stouffer": (0.014, 0.043)}.items():
        for suffix, value in (("", p), ("_positive", p / 2), ("_grid", grid)):
            row |= {f"p_{stat}{suffix}": value, f"mcse_{stat}{suffix}": np.sqrt(value * (1 - value) / 5000), f"draws_{stat}{suffix}": 5000,
                    f"undecided_{stat}{suffix}": 0.05 if (stat, suffix) == ("share", "") else float("nan")}  # fmt: skip
    variance = pd.DataFrame({
        "release": ["r"] * 5, "term": ["outcome", "developed_list", "all main effects", "outcome × sample", "rest (other interactions)"],
        "kind": ["dimension", "dimension", "additive", "interaction", "residual"], "nested_in": ["", "sample", "", "", ""],
        "type2": [0.25, 0.07, 0.54, 0.11, 0.35], "shapley": [0.26, 0.05, 0.54, 0.11, 0.35], "eta2": [0.25, 0.17, None, None, None],
    })  # fmt: skip
    out = curve_test_lines(pd.DataFrame([row]), variance)
    assert out[0].startswith("The test is two-sided by each draw's dominant direction")
    assert "a median estimate as far above zero as the observed 10.430 would arise with p = 0.006 (MC SE 0.001, B = 5,000)" in out[1]
    assert "27.2 % of the specifications are significant with the positive sign (p = 0.048† (MC SE 0.003, B = 5,000))" in out[1]
    assert "One-sided, in the paper's (positive) direction: median p = 0.003" in out[1]
    assert out[2] == (  # only the share test changes its verdict (the Stouffer test rejects at 5 % either way)
        "Counting each distinct regression once changes a verdict on **r**: the share test gives p = 0.118 counting the grid's duplicates "
        "(does not reject the null) and p = 0.048 counting each distinct regression once (rejects the null at 5 %; still within two Monte Carlo "
        "SEs of 0.05 after 5000 draws: too close to call)."
    )
    assert "1040 of the 12,000,000 resampled estimates of the 5,000 draws the p-values used" in out[3] and "exactly identified" in out[3]
    assert out[4].startswith("What moves the estimate on **r**, each dimension given the others: its Shapley share of R² (these add up to the additive model's R²)")
    assert "not a partition" in out[4] and "outcome 26.0 % (type II 25.0 %), developed_list (within sample) 5.0 % (type II 7.0 %)" in out[4]
    assert out[4].endswith("all main effects together 54.0 %; the largest gain of an interaction over all main effects is outcome × sample's, 11.0 %; "
                           "the rest, 35.0 %, is in the other interactions.")
    # a p at its attainable minimum is written "<", never 0.000
    low = {**row, "p_median": 1 / 5001, "mcse_median": np.sqrt((1 / 5001) * (1 - 1 / 5001) / 5000)}
    assert "would arise with p < 0.0002 (B = 5,000)" in curve_test_lines(pd.DataFrame([low]), variance)[1]


def test_the_curve_against_the_published_tbi_coefficients_counts_merged_choices_too() -> None:
    """Per release, KOF vintage and country set, the 17 published TBI coefficients against the curve's estimate of the same
    column; a choice merged into another (the same regression) counts with that regression's estimate."""
    from tradeimbalance.econometrics.specifications import paper_specifications
    from tradeimbalance.outputs.comparison import curve_against_published

    specs = [s for s in paper_specifications() if s.estimator == "fe" and s.tbi == "TBI"]
    published = pd.DataFrame([{"table": s.table, "column": s.column, "variable": "TBI", "coef": 10.0, "stars": 3} for s in specs])
    rows = []
    for s in specs:
        common = {"io_release": "r", "kof_vintage": "v", "outcome": s.depvar, "sample": s.sample, "controls": "with" if s.controls else "without",
                  "tbi": "va_absorbed", "developed_list": "n/a" if s.sample == "all" else "configured"}  # fmt: skip
        # the swap changes nothing in the developed sample: merged into the configured set there
        stands = "country_set: configured = drop X instead of Y" if s.sample == "developed" else ""
        rows.append({**common, "country_set": "configured", "coef": 10.5, "pvalue": 0.001, "stands_for": stands})
        if s.sample != "developed":
            rows.append({**common, "country_set": "drop X instead of Y", "coef": -2.0, "pvalue": 0.5, "stands_for": ""})
    out = curve_against_published(pd.DataFrame(rows), published, {"tbi": "va_absorbed", "developed_list": "configured"}).set_index("country_set")
    assert out.loc["configured", ["published", "estimated", "sign_and_stars", "within_10pct"]].tolist() == [17, 17, 17, 17]
    developed = sum(s.sample == "developed" for s in specs)
    assert out.loc["drop X instead of Y", ["estimated", "sign_and_stars", "within_10pct"]].tolist() == [17, developed, developed]

    # a curve in which nothing was merged
    plain = pd.DataFrame(rows)[lambda d: d["country_set"] == "configured"].assign(stands_for="")
    assert curve_against_published(plain, published, {"tbi": "va_absorbed", "developed_list": "configured"})["estimated"].tolist() == [17]
