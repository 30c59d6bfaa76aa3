"""The report's first screen (tradeimbalance.outputs.glance) and the analysis data for Stata and R
(tradeimbalance.outputs.analysis_data), on planted outputs whose answer is known by construction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradeimbalance.outputs.glance import CLAIMS, claim_verdicts, glance_frame, glance_lines, size_frame, unavailable_tables, verdict

CELLS = [("3", c) for c in (1, 2, 3, 4)] + [("4", c) for c in (1, 2, 3, 4)] + [("5", c) for c in (1, 2, 3)] + [("6", c) for c in range(1, 7)]
ROBUSTNESS = [("2sls", c) for c in (1, 2, 3, 4)] + [("dva", c) for c in (1, 2, 3, 4)]
DEPVAR = {("3", 1): "KOFGIdj", ("3", 2): "KOFEcGIdj", ("3", 3): "KOFGIdj", ("3", 4): "KOFEcGIdj", ("4", 1): "KOFGIdj", ("4", 2): "KOFEcGIdj",
          ("4", 3): "KOFGIdj", ("4", 4): "KOFEcGIdj", ("5", 1): "KOFTrGIdj", ("5", 2): "KOFFiGIdj", ("5", 3): "KOFPoGIdj",
          ("6", 1): "KOFTrGIdj", ("6", 2): "KOFFiGIdj", ("6", 3): "KOFPoGIdj", ("6", 4): "KOFTrGIdj", ("6", 5): "KOFFiGIdj", ("6", 6): "KOFPoGIdj",
          **{(t, c): ("KOFGIdj", "KOFEcGIdj")[(c - 1) % 2] for t in ("2sls", "dva") for c in (1, 2, 3, 4)}}  # fmt: skip
SAMPLE = {("4", 1): "developed", ("4", 2): "developed", ("4", 3): "developing", ("4", 4): "developing", ("6", 1): "developed",
          ("6", 2): "developed", ("6", 3): "developed", ("6", 4): "developing", ("6", 5): "developing", ("6", 6): "developing"}  # fmt: skip


def estimates(release: str, coef: dict[tuple[str, int], float], pvalue: dict[tuple[str, int], float], nobs: int = 205, *,
              cells: list[tuple[str, int]] | None = None, kp_lm_p: float = 0.001, kp_f: float = 50.0) -> pd.DataFrame:  # fmt: skip
    rows = []
    for cell in CELLS + ROBUSTNESS if cells is None else cells:
        b, p = coef.get(cell, 1.0), pvalue.get(cell, 0.5)
        iv = cell[0] == "2sls"
        rows.append({
            "release": release, "table": cell[0], "column": cell[1], "stage": "second", "variable": "TBI", "depvar": DEPVAR[cell],
            "sample": SAMPLE.get(cell, "all"), "coef": b, "pvalue": p, "stars": int((p < 0.1) + (p < 0.05) + (p < 0.01)),
            "p_wcr_rademacher": min(1.0, 2 * p), "p_crv3": min(1.0, 1.5 * p), "nobs": nobs, "nclusters": 41, "years": "2002, 2005",
            "sd_within_tbi": 0.05, "sd_within_outcome": 2.0, "effect_1sd": 0.05 * b, "effect_share": 0.05 * b / 2.0,
            "kp_lm_pvalue": kp_lm_p if iv else np.nan, "kp_wald_f": kp_f if iv else np.nan,
        })  # fmt: skip
    return pd.DataFrame(rows)


def planted() -> pd.DataFrame:
    """Release ``holds``: every claim holds by construction (every expected-positive coefficient positive with p = 0.001,
    the developed countries' economic response Table 4 column 2 null, a strong instrument); release ``fails``: none does
    (negative coefficients, large p); release ``half``: Table 3 half significant."""
    every = CELLS + ROBUSTNESS
    holds = estimates("holds", {c: 10.0 for c in every}, {**{c: 0.001 for c in every}, ("4", 2): 0.6})
    fails = estimates("fails", {c: -3.0 for c in every}, {c: 0.7 for c in every}, nobs=456)
    half = estimates("half", {c: 5.0 for c in every}, {("3", 1): 0.01, ("3", 2): 0.3, ("3", 3): 0.02, ("3", 4): 0.4})
    return pd.concat([holds, fails, half], ignore_index=True)


def test_claim_verdicts_follow_the_stated_rule_on_planted_releases() -> None:
    est = planted()
    out = claim_verdicts(est, None, ["holds", "fails", "half"]).set_index(["claim", "release"])
    assert [c.number for c in CLAIMS] == [1, 2, 3, 4, 5]
    for claim in CLAIMS:
        assert out.loc[(claim.number, "holds"), "verdict"] == "supported", claim.number
        assert out.loc[(claim.number, "fails"), "verdict"] == "not supported", claim.number
    assert out.loc[(1, "half"), "verdict"] == "mixed"
    # the wild bootstrap p is twice the clustered one here: 0.01 and 0.02 become 0.02 and 0.04 (still < 0.05), the rest above
    assert out.loc[(1, "half"), "verdict_wcr"] == "mixed" and out.loc[(1, "holds"), "verdict_wcr"] == "supported"
    # a significant developed-country economic response (Table 4 column 2) breaks claim 3's contrast: mixed, not supported
    both = estimates("both", {c: 10.0 for c in CELLS}, {c: 0.001 for c in CELLS})
    assert verdict(both, CLAIMS[2]) == "mixed"
    assert "3.1 10.00 (p 0.001; WCR 0.002; CRV3 0.002)" in out.loc[(1, "holds"), "cells"]
    assert "2SLS 1 10.00 (p 0.001; WCR 0.002; CRV3 0.002; KP LM p 0.001; KP F 50.0)" in out.loc[(4, "holds"), "cells"]
    # a release without a claim's table cannot be judged
    assert verdict(est[(est["release"] == "holds") & (est["table"] != "5")], CLAIMS[1]) == "not estimable"


def test_claim_4_needs_the_identification_tests_as_well() -> None:
    """The 2SLS coefficients positive and significant, but the instrument weak (KP F 10 or below: Staiger–Stock) or the
    equation under-identified (KP LM p ≥ 0.05): the claim is not supported; one of four columns weak: mixed."""
    every = CELLS + ROBUSTNESS
    strong = estimates("strong", {c: 10.0 for c in every}, {c: 0.001 for c in every})
    weak = estimates("weak", {c: 10.0 for c in every}, {c: 0.001 for c in every}, kp_f=9.9)
    unidentified = estimates("unidentified", {c: 10.0 for c in every}, {c: 0.001 for c in every}, kp_lm_p=0.2)
    assert verdict(strong, CLAIMS[3]) == "supported"
    assert verdict(weak, CLAIMS[3]) == "not supported" and verdict(unidentified, CLAIMS[3]) == "not supported"
    one_weak = strong.copy()
    one_weak.loc[(one_weak["table"] == "2sls") & (one_weak["column"] == 2), "kp_wald_f"] = 4.0
    assert verdict(one_weak, CLAIMS[3]) == "mixed"
    # the wild bootstrap verdict uses the bootstrap p (of the Anderson–Rubin test) with the same identification rule
    assert verdict(weak, CLAIMS[3], "p_wcr_rademacher") == "not supported"


def test_claim_5_is_not_available_with_the_reason_where_the_release_has_no_dva() -> None:
    flows = estimates("flows", {c: 10.0 for c in CELLS + ROBUSTNESS[:4]}, {c: 0.001 for c in CELLS + ROBUSTNESS[:4]}, cells=CELLS + ROBUSTNESS[:4])
    skipped = pd.DataFrame({"release": ["flows"], "what": ["KWW/DVA-based TBI"], "reason": ["needs a full input–output table"]})
    why = unavailable_tables(skipped)
    assert why == {"flows": {"dva": "flows cannot give the KWW/DVA-based TBI: it needs a full input–output table"}}
    out = claim_verdicts(flows, None, ["flows"], why).set_index("claim")
    assert out.loc[5, "verdict"] == "not available" and out.loc[5, "verdict_wcr"] == "not available"
    assert out.loc[5, "reason"] == why["flows"]["dva"] and out.loc[4, "verdict"] == "supported" and out.loc[4, "reason"] == ""
    # a release that could give the DVA columns but lacks them is not estimable, not "not available"
    assert claim_verdicts(flows, None, ["flows"]).set_index("claim").loc[5, "verdict"] == "not estimable"
    text = "\n".join(glance_lines(glance_frame(flows, pd.DataFrame(columns=["table", "column", "variable", "coef", "stars"]), pd.DataFrame(), ["flows"]),
                                   out.reset_index(), size_frame(flows, ["flows"]), {"flows": {"paper": True}}))  # fmt: skip
    assert "| flows (the paper's own data) | not available | not available | – | not available: flows cannot give the KWW/DVA-based TBI" in text


def test_claim_curve_share_counts_the_claims_outcomes_and_samples() -> None:
    curve = pd.DataFrame({
        "io_release": ["holds"] * 5 + ["fails"] * 2,
        "outcome": ["KOFGIdj", "KOFEcGIdj", "KOFTrGIdj", "KOFGIdj", "KOFGIdj", "KOFGIdj", "KOFGIdj"],
        "sample": ["all", "all", "all", "developed", "all", "all", "all"],
        "tbi": ["va_absorbed", "va_absorbed", "va_absorbed", "va_absorbed", "dva", "va_absorbed", "va_absorbed"],
        "coef": [1.0, 2.0, 3.0, 4.0, 5.0, -1.0, 1.0], "pvalue": [0.01, 0.2, 0.01, 0.01, 0.01, 0.01, 0.01],
    })  # fmt: skip
    out = claim_verdicts(planted(), curve, ["holds", "fails"]).set_index(["claim", "release"])
    assert out.loc[(1, "holds"), "curve_share"] == pytest.approx(2 / 3) and out.loc[(1, "holds"), "curve_specifications"] == 3
    assert out.loc[(1, "fails"), "curve_share"] == pytest.approx(0.5)  # one negative, one positive and significant
    assert out.loc[(2, "holds"), "curve_specifications"] == 1
    # claim 5: the DVA-based TBI definitions only; claim 4: the curve has no 2SLS
    assert out.loc[(5, "holds"), "curve_specifications"] == 1 and out.loc[(5, "holds"), "curve_share"] == 1.0
    assert out.loc[(4, "holds"), "curve_specifications"] == 0


def test_the_glance_table_counts_what_replicates_per_release() -> None:
    est = planted()
    const = est[(est["table"] == "3") & (est["column"] == 1)].assign(variable="const", coef=80.0, stars=3)
    est = pd.concat([est, const], ignore_index=True)
    published = pd.DataFrame([
        {"table": 3, "column": 1, "variable": "TBI", "coef": 10.5, "stars": 3}, {"table": 3, "column": 2, "variable": "TBI", "coef": 20.0, "stars": 3},
        {"table": 4, "column": 1, "variable": "TBI", "coef": -1.0, "stars": 0}, {"table": 3, "column": 1, "variable": "const", "coef": 78.0, "stars": 3},
    ])  # fmt: skip
    table1 = pd.DataFrame({"release": ["holds"] * 3 + ["fails"] * 2, "agrees_4dp": [True, True, False, False, False]})
    g = glance_frame(est, published, table1, ["holds", "fails", "half"]).set_index("release")
    assert g.loc["holds", "tbi_published"] == 3 and g.loc["holds", "all_published"] == 4  # TBI rows; every coefficient
    # holds: 10 (***) against 10.5 (***) within 10 % with the stars; 10 against 20: sign and stars, not within 10 %;
    # 10 (***) against -1.0 (no stars): neither; the constant 80 (***) against 78 (***): within 10 % with the stars
    assert (g.loc["holds", "tbi_sign"], g.loc["holds", "tbi_sign_and_stars"], g.loc["holds", "tbi_within_10pct"]) == (2, 2, 1)
    assert (g.loc["holds", "all_sign"], g.loc["holds", "all_sign_and_stars"], g.loc["holds", "all_within_10pct"]) == (3, 3, 2)
    assert (g.loc["holds", "table1_equal_4dp"], g.loc["holds", "table1_on_hand"], g.loc["half", "table1_on_hand"]) == (2, 3, 0)
    assert (g.loc["fails", "nobs"], g.loc["fails", "countries"]) == (456, 41) and g.loc["fails", "tbi_sign"] == 1
    lines = glance_lines(
        g.reset_index(), claim_verdicts(est, None, ["holds", "fails", "half"]), size_frame(est, ["holds", "fails", "half"]),
        {"holds": {"paper": True, "configured": True}, "fails": {}, "half": {}}, forest="figures/forest_tbi.png",
    )  # fmt: skip
    text = "\n".join(lines)
    assert text.startswith("## Replication at a glance")
    assert "| holds (the paper's own data; the tables below) | 2002, 2005; 41 countries; N = 205 | 2 of 3 | 2 of 3 | 1 of 3 | 3 of 4 | 2 of 4 |" in text
    assert "| fails | 2002, 2005; 41 countries; N = 456 | 0 of 2 | 1 of 3 | 0 of 3 | 2 of 4 | 1 of 4 |" in text
    assert "*Claim 3: Developed countries respond politically, developing countries economically (Tables 4 and 6).*" in text
    assert "*Claim 4: The 2SLS with the lagged TBI as instrument" in text and "Staiger and Stock (1997)" in text
    assert "![The published TBI coefficients beside each release's](figures/forest_tbi.png)" in text and "withh" not in text
    # numbers right-aligned, text left-aligned (carried into the HTML)
    assert "|:---|---:|---:|---:|---:|---:|" in text


def test_the_panel_for_stata_and_r_has_its_labels_and_values(tmp_path: Path) -> None:
    from tradeimbalance import schemas
    from tradeimbalance.outputs.analysis_data import MAX_LABEL, write_analysis_data
    from tradeimbalance.parquet import write_frame

    rng = np.random.default_rng(0)
    panel = pd.DataFrame([{"iso3": c, "year": y} for c in ("DEU", "CHN", "USA") for y in (2002, 2005, 2008)])
    panel["group"] = np.where(panel["iso3"] == "CHN", "developing", "developed")
    panel["TBI"] = rng.uniform(-0.3, 0.3, len(panel))
    panel["TBI_DVA"] = np.nan
    panel["L_TBI"] = panel.groupby("iso3")["TBI"].shift()
    outcomes, controls = ["KOFGIdj", "KOFEcGIdj", "KOFTrGIdj", "KOFFiGIdj", "KOFPoGIdj"], ["RQ", "lnGDP"]
    for c in [*outcomes, *controls]:
        panel[c] = rng.normal(50, 5, len(panel))
    panel["filled"] = ["RQ" if i == 1 else "" for i in range(len(panel))]
    panel = panel.sort_values(["iso3", "year"]).reset_index(drop=True)
    path = tmp_path / "panel.parquet"
    write_frame(panel, path, schemas.panel_schema(outcomes, controls), {"release": "wiod2016_flows", "kof_vintage": "2018_2", "lag": "TBI of the previous benchmark year (t-3)"})
    config_controls = {"RQ": {"source": "wgi", "variable": "RQ"}, "lnGDP": {"source": "pwt", "variable": "rgdpna", "transform": "log"}}
    write_analysis_data(path, tmp_path / "panel.dta", tmp_path / "panel.csv", config_controls)
    with pd.io.stata.StataReader(tmp_path / "panel.dta") as reader:
        back = reader.read()
        labels = reader.variable_labels()
        data_label = reader.data_label
    assert labels["L_TBI"] == "TBI of the previous benchmark year (t-3): the 2SLS instrument"
    assert labels["lnGDP"] == "ln real GDP, constant national prices, mil. 2011 USD (PWT rgdpna)"
    assert labels["KOFPoGIdj"] == "KOF Globalisation Index, de jure, political (0-100)" and all(len(v) <= MAX_LABEL for v in labels.values())
    assert data_label == "TBI-KOF panel, wiod2016_flows, KOF 2018_2, 2002-2008 (3 benchmark years)"
    assert back["iso3_id"].tolist() == [1, 1, 1, 2, 2, 2, 3, 3, 3] and back["iso3"].tolist() == panel["iso3"].tolist()
    np.testing.assert_allclose(back["TBI"], panel["TBI"])
    assert back["TBI_DVA"].isna().all() and back["filled"].tolist() == panel["filled"].tolist()
    csv = pd.read_csv(tmp_path / "panel.csv", keep_default_na=False, na_values=[""])
    np.testing.assert_allclose(csv["KOFGIdj"], panel["KOFGIdj"], rtol=1e-9)
    # byte-identical when written again
    first = (tmp_path / "panel.dta").read_bytes()
    write_analysis_data(path, tmp_path / "panel.dta", tmp_path / "panel.csv", config_controls)
    assert (tmp_path / "panel.dta").read_bytes() == first


def test_a_wild_bootstrap_p_undecided_at_5_percent_is_marked_and_decides_no_verdict_it_could_flip() -> None:
    """Claim 2 rests on Table 5: with 5.1's bootstrap p at 0.051 and still undecided at 0.05 after the longer run, the
    claim's verdict by the wild bootstrap could be either; it is "undecided", the cell says so and the glance counts it."""
    est = planted()
    est = est[est["release"] == "holds"].copy()
    est["undecided_wcr_rademacher"] = np.nan
    cell = (est["table"] == "5") & (est["column"] == 1)
    est.loc[cell, "p_wcr_rademacher"] = 0.051
    est.loc[cell, "undecided_wcr_rademacher"] = 0.05
    out = claim_verdicts(est, None, ["holds"]).set_index("claim")
    assert out.loc[2, "verdict_wcr"] == "undecided" and out.loc[2, "verdict"] == "supported"
    assert "WCR 0.051 undecided at 0.05" in out.loc[2, "cells"] and out.loc[2, "undecided_wcr"] == 1
    assert out.loc[1, "verdict_wcr"] == "supported"  # a claim that does not rest on the cell is decided
    text = "\n".join(glance_lines(glance_frame(est, pd.DataFrame(columns=["table", "column", "variable", "coef", "se", "stars"]), pd.DataFrame(), ["holds"]),
                                  claim_verdicts(est, None, ["holds"]), pd.DataFrame(), {"holds": {}}))  # fmt: skip
    assert "**Undecided wild-bootstrap p-values:** 1 of the" in text


def test_the_glance_calls_a_swapped_run_by_its_vintage() -> None:
    from tradeimbalance.outputs.glance import release_name

    paper = {"paper": True, "configured": True, "kof_vintage": "2018_2", "paper_kof_vintage": "2018_2"}
    assert release_name("wiod2016_flows", {"wiod2016_flows": paper}) == "wiod2016_flows (the paper's own data; the tables below)"
    swapped = release_name("wiod2016_flows", {"wiod2016_flows": {**paper, "kof_vintage": "2025"}})
    assert "the paper's own data" not in swapped and "KOF vintage 2025 (the paper's: 2018_2)" in swapped
    assert release_name("wiod2013", {"wiod2013": {"paper": False, "kof_vintage": "2025", "paper_kof_vintage": "2018_2"}}) == "wiod2013 (KOF vintage 2025)"
