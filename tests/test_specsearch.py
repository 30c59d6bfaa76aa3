"""The specification search recovers, by construction, the choices that generated the 'published' constants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradeimbalance.econometrics.estimation import fit_fe
from tradeimbalance.econometrics.panel import ControlSpec
from tradeimbalance.econometrics.specsearch import Equation, best_by_dimension, constant_residuals, identity_system, published_equations, search

COUNTRIES = [f"C{i:02d}" for i in range(9)]
DEVELOPED = COUNTRIES[:4]
YEARS = list(range(2000, 2006))


def world(seed: int = 0) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], pd.DataFrame]:
    rng = np.random.default_rng(seed)
    rows, kof = [], []
    for i, c in enumerate(COUNTRIES):
        for y in YEARS:
            rows.append({"iso3": c, "year": y, "gdp_a": np.exp(rng.normal(10 + i * 0.3, 0.1)), "gdp_b": np.exp(rng.normal(12, 1.0)), "tbi": rng.normal(0.05 * (i < 4), 0.1)})
            for v, shift in (("v1", 0.0), ("v2", 3.0)):
                kof.append({"iso3": c, "year": y, "vintage": v, "K": 60 + 2 * i + y - 2000 + rng.normal(0, 2) + shift * (i % 3)})
    base = pd.DataFrame(rows)
    pwt = base[["iso3", "year", "gdp_a", "gdp_b"]]
    return base, {"pwt": pwt, "wgi": pd.DataFrame(columns=["iso3", "year", "indicator", "estimate"]), "wdi": pd.DataFrame(columns=["iso3", "year", "indicator", "value"])}, pd.DataFrame(kof)


def published_from(base: pd.DataFrame, kof: pd.DataFrame, vintage: str, dropped: str, gdp: str) -> pd.DataFrame:
    """Run the true specification (xtreg conventions) and write its coefficients as the 'published' table."""
    d = base[base["iso3"] != dropped].merge(kof[kof["vintage"] == vintage], on=["iso3", "year"])
    d = d.assign(lnGDP=np.log(d[gdp]), TBI=d["tbi"], group=np.where(d["iso3"].isin(DEVELOPED), "developed", "developing"))
    rows = []
    for col, sample in enumerate(["all", "developed", "developing"], start=1):
        sub = d if sample == "all" else d[d["group"] == sample]
        fit = fit_fe(sub, "K", ["TBI", "lnGDP"])
        for var, r in fit.coefs.iterrows():
            rows.append({"table": 9, "column": col, "depvar": "K", "sample": sample, "controls": True, "variable": var, "coef": r["coef"], "se": r["se"], "stars": r["stars"]})
    return pd.DataFrame(rows)


def test_search_ranks_the_true_choices_first_with_zero_residual() -> None:
    base, sources, kof = world()
    published = published_from(base, kof, "v2", "C06", "gdp_a")
    eqs = published_equations(published)
    assert len(eqs) == 3 and {e.sample for e in eqs} == {"all", "developed", "developing"}
    alternatives = {"lnGDP": [ControlSpec("lnGDP", "pwt", "gdp_a", "log"), ControlSpec("lnGDP", "pwt", "gdp_b", "log")]}
    ranking = search(
        eqs, kof, sources, candidates=COUNTRIES, developed=DEVELOPED, n_countries=8, vintages=["v1", "v2"],
        control_alternatives=alternatives, first_year=2000, last_year=2005, tbi_on_hand=base,
    )  # fmt: skip
    top = ranking.iloc[0]
    assert (top["convention"], top["kof_vintage"], top["dropped"], top["lnGDP"]) == ("xtreg", "v2", "C06", "gdp_a")
    assert top["rms_residual"] < 1e-8
    # The fitted base-year TBI means are the true ones, and fixing them at the data's means changes nothing.
    b0 = base[(base["year"] == 2000) & (base["iso3"] != "C06")]
    assert top["fitted_tbi_mean_developed"] == pytest.approx(b0[b0["iso3"].isin(DEVELOPED)]["tbi"].mean(), abs=1e-8)
    assert top["fitted_tbi_mean_developing"] == pytest.approx(b0[~b0["iso3"].isin(DEVELOPED)]["tbi"].mean(), abs=1e-8)
    assert top["rms_residual_tbi_on_hand"] < 1e-8
    assert ranking.iloc[1]["rms_residual"] > 1e-3  # every other combination leaves a visible residual
    best = best_by_dimension(ranking, ["kof_vintage", "dropped", "lnGDP"]).set_index(["dimension", "choice"])["best_rms_residual"]
    assert best["kof_vintage", "v2"] < 1e-8 < best["kof_vintage", "v1"]
    assert len(ranking) == 9 * 2 * 2 * 2  # dropped × convention × vintage × GDP variable


def test_n_developed_restricts_the_country_sets() -> None:
    base, sources, kof = world(1)
    eqs = published_equations(published_from(base, kof, "v1", "C05", "gdp_b"))
    alternatives = {"lnGDP": [ControlSpec("lnGDP", "pwt", "gdp_b", "log")]}
    ranking = search(eqs, kof, sources, candidates=COUNTRIES, developed=DEVELOPED, n_countries=8, n_developed=4, vintages=["v1"], control_alternatives=alternatives, first_year=2000, last_year=2005)
    assert set(ranking["dropped"]) == set(COUNTRIES[4:]) and (ranking["n_developed"] == 4).all()
    assert ranking.iloc[0]["dropped"] == "C05" and ranking["rms_residual_tbi_on_hand"].isna().all()


def test_constant_residuals_by_hand() -> None:
    eq = [Equation("3", 1, "y", "all", {"TBI": 10.0, "x": 2.0}, 5.0), Equation("4", 1, "y", "developed", {"TBI": 4.0, "x": 1.0}, 7.0), Equation("4", 2, "y", "developing", {"TBI": 8.0, "x": 3.0}, 1.0)]
    # Choose means so that the identities hold with m_dev = 0.5, m_dvg = -0.25, 2 developed and 2 developing countries.
    omeans = {("all", "y"): 5.0 + 2.0 * 1.0 + 10.0 * 0.125, ("developed", "y"): 7.0 + 1.0 * 2.0 + 4.0 * 0.5, ("developing", "y"): 1.0 + 3.0 * 0.0 + 8.0 * -0.25}
    cmeans = {("all", "x"): 1.0, ("developed", "x"): 2.0, ("developing", "x"): 0.0}
    resid, m_dev, m_dvg = constant_residuals(eq, omeans, cmeans, 2, 2)
    np.testing.assert_allclose(resid, 0, atol=1e-12)
    assert (m_dev, m_dvg) == pytest.approx((0.5, -0.25))


def test_vectorised_search_equals_one_combination_at_a_time() -> None:
    """Every row of the batched search is what the per-combination formula (pandas means, one lstsq each) gives."""
    from tradeimbalance.econometrics.panel import control_values

    def _means(values: pd.DataFrame, col: str, members: list[str], years: list[int]) -> float:
        v = values[values["iso3"].isin(members) & values["year"].isin(years)]
        return float(v[col].mean())

    base, sources, kof = world(2)
    sources["pwt"] = sources["pwt"].assign(gdp_c=lambda d: d["gdp_a"] * 1.5)
    sources["pwt"].loc[sources["pwt"].index[::7], "gdp_b"] = np.nan  # gaps: the means skip them
    eqs = published_equations(published_from(base, kof, "v1", "C03", "gdp_a"))
    alternatives = {"lnGDP": [ControlSpec("lnGDP", "pwt", v, "log") for v in ("gdp_a", "gdp_b", "gdp_c")]}
    ranking = search(
        eqs, kof, sources, candidates=COUNTRIES, developed={"configured": DEVELOPED, "alt": COUNTRIES[:5]}, n_countries=7,
        vintages=["v1", "v2"], control_alternatives=alternatives, first_year=2000, last_year=2005, tbi_on_hand=base,
    )  # fmt: skip
    assert len(ranking) == 2 * 36 * 2 * 2 * 3
    values = {s.variable: control_values(sources, s, 2000, 2005, COUNTRIES) for s in alternatives["lnGDP"]}
    for row in ranking.sample(40, random_state=0).itertuples():
        dev = DEVELOPED if row.developed_list == "configured" else COUNTRIES[:5]
        members = [c for c in COUNTRIES if c not in row.dropped.split()]
        groups = {"all": members, "developed": [c for c in members if c in dev], "developing": [c for c in members if c not in dev]}
        years = [2000] if row.convention == "xtreg" else YEARS
        kv = kof[kof["vintage"] == row.kof_vintage]
        omeans = {(s, "K"): _means(kv, "K", g, years) for s, g in groups.items()}
        cmeans = {(s, "lnGDP"): _means(values[row.lnGDP], "lnGDP", g, years) for s, g in groups.items()}
        resid, m_dev, m_dvg = constant_residuals(eqs, omeans, cmeans, len(groups["developed"]), len(groups["developing"]))
        assert row.rms_residual == pytest.approx(float(np.sqrt(np.mean(resid**2))), rel=1e-12, abs=1e-14)
        assert (row.fitted_tbi_mean_developed, row.fitted_tbi_mean_developing) == pytest.approx((m_dev, m_dvg), rel=1e-12, abs=1e-14)
        assert row.residuals == " ".join(f"{r:+.3f}" for r in resid)
        t = base[base["iso3"].isin(members) & base["year"].isin(years)]
        m_fixed = np.array([t.loc[t["iso3"].isin(dev), "tbi"].mean(), t.loc[~t["iso3"].isin(dev), "tbi"].mean()])
        A, B = identity_system(eqs, omeans, cmeans, len(groups["developed"]), len(groups["developing"]))
        assert row.rms_residual_tbi_on_hand == pytest.approx(float(np.sqrt(np.mean((B - A @ m_fixed) ** 2))), rel=1e-12, abs=1e-14)
