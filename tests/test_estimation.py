"""Estimation: two-way FE and 2SLS against independent computations (statsmodels LSDV, manual two stages)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from tradeimbalance.econometrics.estimation import Specification, estimate, fit_2sls, fit_fe, paper_specifications, stars, within

G, T = 25, 9


def synthetic_panel(seed: int = 0, unbalanced: bool = False) -> pd.DataFrame:
    """A panel with country and year effects, an endogenous-ish TBI with a persistent component and two controls."""
    rng = np.random.default_rng(seed)
    iso = [f"C{c:02d}" for c in range(G)]
    rows = []
    a = rng.normal(0, 5, G)
    lam = rng.normal(0, 2, T)
    for c in range(G):
        tbi_prev = rng.normal(0, 0.1)
        for t in range(T):
            tbi = 0.7 * tbi_prev + rng.normal(0, 0.05) + 0.01 * c / G
            x1, x2 = rng.normal(0, 1), rng.normal(2, 1)
            y = 50 + a[c] + lam[t] + 12 * tbi + 1.5 * x1 - 0.8 * x2 + rng.normal(0, 1 + 0.1 * c)
            rows.append({"iso3": iso[c], "year": 2000 + t, "TBI": tbi, "L_TBI": tbi_prev if t else np.nan, "x1": x1, "x2": x2, "y": y, "group": "developed" if c < 12 else "developing"})
            tbi_prev = tbi
    df = pd.DataFrame(rows)
    if unbalanced:
        df = df.drop(index=rng.choice(len(df), 20, replace=False)).reset_index(drop=True)
    return df


def lsdv(df: pd.DataFrame, regressors: list[str]):
    """OLS with explicit country and year dummies, statsmodels cluster covariance with Stata's xtreg factor."""
    d = df.sort_values(["iso3", "year"]).reset_index(drop=True)
    X = pd.concat([d[regressors], pd.get_dummies(d["year"], prefix="y", drop_first=True, dtype=float), pd.get_dummies(d["iso3"], prefix="c", drop_first=True, dtype=float)], axis=1)
    X = sm.add_constant(X)
    groups = pd.factorize(d["iso3"])[0]
    res = sm.OLS(d["y"], X).fit(cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})
    n, g = len(d), d["iso3"].nunique()
    k = 1 + len(regressors) + d["year"].nunique() - 1  # xtreg's K: regressors, year dummies, constant (country FE nested in clusters)
    factor = g / (g - 1) * (n - 1) / (n - k)
    return res, np.sqrt(np.diag(res.cov_params()) * factor), d


@pytest.mark.parametrize("unbalanced", [False, True])
def test_fe_matches_lsdv_with_stata_cluster_factor(unbalanced: bool) -> None:
    df = synthetic_panel(1, unbalanced)
    fit = fit_fe(df, "y", ["TBI", "x1", "x2"])
    res, se, d = lsdv(df, ["TBI", "x1", "x2"])
    for i, v in enumerate(res.params.index):
        if v in ("TBI", "x1", "x2"):
            assert fit.coefs.loc[v, "coef"] == pytest.approx(res.params[v], rel=1e-9)
            assert fit.coefs.loc[v, "se"] == pytest.approx(se[i], rel=1e-9)
    assert fit.nobs == len(df) and fit.nclusters == G


@pytest.mark.parametrize("unbalanced", [False, True])
def test_fe_equals_the_library_panel_estimator(unbalanced: bool) -> None:
    """fit_fe (within_design + the library's OLS) gives linearmodels.PanelOLS's numbers: every coefficient with the
    constant, its clustered SE with xtreg's factor, and the within R², on shuffled rows."""
    from linearmodels import PanelOLS

    df = synthetic_panel(11, unbalanced).sample(frac=1.0, random_state=3)
    fit = fit_fe(df, "y", ["TBI", "x1", "x2"])
    d = df.sort_values(["iso3", "year"]).reset_index(drop=True)
    years = pd.get_dummies(d["year"], prefix="y", drop_first=True, dtype=float)
    exog = pd.concat([pd.Series(1.0, index=d.index, name="const"), d[["TBI", "x1", "x2"]], years], axis=1)
    idx = pd.MultiIndex.from_frame(d[["iso3", "year"]])
    res = PanelOLS(d["y"].set_axis(idx), exog.set_axis(idx), entity_effects=True).fit(
        cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True
    )
    for v in ("const", "TBI", "x1", "x2"):
        assert fit.coefs.loc[v, "coef"] == pytest.approx(res.params[v], rel=1e-10)
        assert fit.coefs.loc[v, "se"] == pytest.approx(res.std_errors[v], rel=1e-10)
    assert fit.r2 == pytest.approx(res.rsquared_within, rel=1e-10)
    assert fit.nobs == len(df) and fit.nclusters == G


def test_fe_constant_is_xtreg_constant() -> None:
    """_cons = ȳ − x̄'b (year dummies included); balanced: the base-year identity ȳ_2000 − b'x̄_2000."""
    df = synthetic_panel(2)
    fit = fit_fe(df, "y", ["TBI", "x1"])
    res, _, d = lsdv(df, ["TBI", "x1"])
    b = res.params
    years = sorted(d["year"].unique())
    year_effects = sum(b[f"y_{y}"] * (d["year"] == y).mean() for y in years[1:])
    expected = d["y"].mean() - b["TBI"] * d["TBI"].mean() - b["x1"] * d["x1"].mean() - year_effects
    assert fit.coefs.loc["const", "coef"] == pytest.approx(expected, rel=1e-9)
    base = d[d["year"] == years[0]]
    assert fit.coefs.loc["const", "coef"] == pytest.approx(base["y"].mean() - b["TBI"] * base["TBI"].mean() - b["x1"] * base["x1"].mean(), rel=1e-9)


def test_fe_constant_se_matches_mean_augmented_regression() -> None:
    """xtreg's constant SE: OLS of (y − ȳ_i + ȳ) on (x − x̄_i + x̄) with a constant, same cluster factor."""
    df = synthetic_panel(3).sort_values(["iso3", "year"]).reset_index(drop=True)
    fit = fit_fe(df, "y", ["TBI"])
    years = pd.get_dummies(df["year"], prefix="y", drop_first=True, dtype=float)
    t = within(pd.concat([df[["y", "TBI"]], years], axis=1), df["iso3"])
    X = sm.add_constant(t.drop(columns="y"))
    res = sm.OLS(t["y"], X).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(df["iso3"])[0], "use_correction": False})
    n, k = len(df), X.shape[1]
    se = np.sqrt(res.cov_params().loc["const", "const"] * G / (G - 1) * (n - 1) / (n - k))
    assert fit.coefs.loc["const", "coef"] == pytest.approx(res.params["const"], rel=1e-9)
    assert fit.coefs.loc["const", "se"] == pytest.approx(se, rel=1e-9)


def test_within_r2_is_xtreg_r2_within() -> None:
    df = synthetic_panel(4)
    fit = fit_fe(df, "y", ["TBI", "x1", "x2"])
    res, _, d = lsdv(df, ["TBI", "x1", "x2"])
    dev = d["y"] - d.groupby("iso3")["y"].transform("mean")
    assert fit.r2 == pytest.approx(1 - (res.resid**2).sum() / (dev**2).sum(), rel=1e-9)


def test_pvalues_and_stars_use_t_with_clusters_minus_one() -> None:
    df = synthetic_panel(5)
    fit = fit_fe(df, "y", ["TBI", "x1", "x2"])
    from scipy import stats as st

    t = fit.coefs["coef"] / fit.coefs["se"]
    np.testing.assert_allclose(fit.coefs["pvalue"], 2 * st.t.sf(t.abs(), G - 1))
    np.testing.assert_array_equal(stars(np.array([0.2, 0.09, 0.049, 0.009, 0.1, 0.05, 0.01])), [0, 1, 2, 3, 0, 1, 2])


def test_2sls_equals_manual_two_stages() -> None:
    """Second-stage point estimates equal OLS of y on the first-stage fitted TBI (with all dummies)."""
    df = synthetic_panel(6).dropna(subset=["L_TBI"]).sort_values(["iso3", "year"]).reset_index(drop=True)
    iv = fit_2sls(df, "y", "TBI", "L_TBI", ["x1"])
    dummies = pd.concat([pd.get_dummies(df["year"], prefix="y", drop_first=True, dtype=float), pd.get_dummies(df["iso3"], prefix="c", drop_first=True, dtype=float)], axis=1)
    Z = sm.add_constant(pd.concat([df[["L_TBI", "x1"]], dummies], axis=1))
    first = sm.OLS(df["TBI"], Z).fit()
    X2 = sm.add_constant(pd.concat([first.fittedvalues.rename("TBI"), df[["x1"]], dummies], axis=1))
    second = sm.OLS(df["y"], X2).fit()
    assert iv.second.coefs.loc["TBI", "coef"] == pytest.approx(second.params["TBI"], rel=1e-9)
    assert iv.second.coefs.loc["x1", "coef"] == pytest.approx(second.params["x1"], rel=1e-9)
    assert iv.first.coefs.loc["L_TBI", "coef"] == pytest.approx(first.params["L_TBI"], rel=1e-9)
    # 2SLS SE: residuals with the actual TBI, clustered, Stata factor with K = 1 + controls + year dummies + constant
    Xa = X2.assign(TBI=df["TBI"])
    u = df["y"] - Xa @ second.params
    Xh = X2.to_numpy()
    bread = np.linalg.pinv(Xh.T @ Xh)
    scores = [Xh[(df["iso3"] == c).to_numpy()].T @ u[(df["iso3"] == c).to_numpy()].to_numpy() for c in df["iso3"].unique()]
    meat = sum(np.outer(s, s) for s in scores)
    n, k = len(df), 1 + 1 + 1 + df["year"].nunique() - 1
    V = bread @ meat @ bread * G / (G - 1) * (n - 1) / (n - k)
    assert iv.second.coefs.loc["TBI", "se"] == pytest.approx(np.sqrt(V[1, 1]), rel=1e-8)


def test_2sls_identification_statistics_agree_with_first_stage() -> None:
    """One instrument: the KP Wald F equals the squared clustered t of the instrument in the first stage."""
    df = synthetic_panel(7).dropna(subset=["L_TBI"])
    iv = fit_2sls(df, "y", "TBI", "L_TBI", ["x1", "x2"])
    t = iv.first.coefs.loc["L_TBI", "coef"] / iv.first.coefs.loc["L_TBI", "se"]
    assert iv.diagnostics["kp_wald_f"] == pytest.approx(t**2, rel=1e-8)
    assert iv.diagnostics["kp_lm_pvalue"] < 0.01 and iv.diagnostics["cd_wald_f"] > 10


def test_estimate_writes_the_contract_vocabulary() -> None:
    df = synthetic_panel(8).rename(columns={"y": "KOFGIdj", "x1": "RQ", "x2": "lnGDP"})
    for col in ["KOFEcGIdj", "KOFTrGIdj", "KOFFiGIdj", "KOFPoGIdj"]:
        df[col] = df["KOFGIdj"] + np.random.default_rng(len(col)).normal(0, 1, len(df))
    df["TBI_DVA"] = df["TBI"] * 1.1
    est, diag = estimate(df, paper_specifications(), ["RQ", "lnGDP"])
    assert set(est["table"]) == {"3", "4", "5", "6", "2sls", "dva"}
    assert {"table", "column", "depvar", "sample", "variable", "coef", "se", "pvalue", "stars", "nobs", "r2"} <= set(est.columns)
    t3 = est[(est["table"] == "3")]
    assert set(t3.loc[t3["column"] == 1, "variable"]) == {"TBI", "const"}
    assert set(t3.loc[t3["column"] == 3, "variable"]) == {"TBI", "RQ", "lnGDP", "const"}
    t4 = est[est["table"] == "4"].drop_duplicates("column").set_index("column")
    assert list(t4["sample"]) == ["developed", "developed", "developing", "developing"]
    assert t4.loc[1, "nobs"] == 12 * T and t4.loc[3, "nobs"] == (G - 12) * T
    first = est[(est["table"] == "2sls") & (est["stage"] == "first")]
    assert "L.TBI" in set(first["variable"]) and set(first["depvar"]) == {"TBI"}
    assert len(diag) == 4 and (diag["nobs"] == G * (T - 1)).all()
    dva = est[(est["table"] == "dva") & (est["variable"] == "TBI") & (est["column"] == 1)]["coef"].iloc[0]
    base = est[(est["table"] == "3") & (est["variable"] == "TBI") & (est["column"] == 1)]["coef"].iloc[0]
    assert dva == pytest.approx(base / 1.1, rel=1e-9)  # TBI_DVA = 1.1 · TBI rescales the coefficient


def test_missing_values_are_refused_not_dropped() -> None:
    df = synthetic_panel(9)
    df.loc[3, "x1"] = np.nan
    with pytest.raises(ValueError, match="missing values in \\['x1'\\]"):
        fit_fe(df, "y", ["TBI", "x1"])
    with pytest.raises(ValueError, match="unknown sample"):
        estimate(df, [Specification("3", 1, "y", "rich", False)], [])
