"""How strong is the causal case? (tradeimbalance.econometrics.causal_checks) against published reference results
(shared/data/reference: Arellano & Bond's data with Stata xtabond2's numbers, Darfur with Cinelli & Hazlett's,
twowayfeweights' wagepan) and on synthetic panels whose answer is known by construction."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradeimbalance.econometrics import causal_checks as cc
from tradeimbalance.econometrics.estimation import fit_2sls

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "reference"


def _reference(*parts: str) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"the reference data {path} are not beside this repository (they are in the development set-up and CI)")
    return path


# ====================================================================== dynamic panel GMM
def _abdata() -> pd.DataFrame:
    d = pd.read_csv(_reference("arellano_bond", "abdata.csv"))
    d["year"] = d["year"].astype(int)
    d = d.sort_values(["id", "year"])
    d["L1n"] = d.groupby("id")["n"].shift(1)
    d["L2n"] = d.groupby("id")["n"].shift(2)
    return d


def test_gmm_reproduces_xtabond2_on_the_arellano_bond_data_in_any_row_order() -> None:
    """xtabond2 n L(1/2).n w k, gmm(n, lag(2 4)) gmm(w, lag(1 3)) iv(k) nolevel twostep robust: L1.n 0.1700616
    (0.1046652), L2.n −0.0113381 (0.0377205), w −0.9510582 (0.1277298), k 0.4637223 (0.0718328); Hansen J 47.86;
    AR(2) z −0.81. The same on the rows shuffled."""
    from pyxtabond2 import GMMStyle, IVStyle, PyXtabond2

    d = _abdata()
    expected = {"L1n": (0.1700616, 0.1046652), "L2n": (-0.0113381, 0.0377205), "w": (-0.9510582, 0.1277298), "k": (0.4637223, 0.0718328)}
    for data in (d, d.sample(frac=1.0, random_state=4)):
        r = PyXtabond2(data, "id", "year", "n", x_vars=["L1n", "L2n", "w", "k"], gmm=[GMMStyle("n", lag=(2, 4)), GMMStyle("w", lag=(1, 3))],
                       iv=[IVStyle("k")], model_type="difference", twostep=True, robust=True).fit()  # fmt: skip
        for name, (b, se) in expected.items():
            i = r.x_names.index(name)
            assert float(r.beta.ravel()[i]) == pytest.approx(b, abs=1e-6) and float(r.se.ravel()[i]) == pytest.approx(se, abs=1e-6)
        assert round(float(r.diag["hansen"][0]), 2) == 47.86 and round(float(r.diag["ar"][2][0]), 2) == -0.81


def test_the_package_wrapper_gives_the_libraries_numbers_and_refuses_a_redundant_dummy() -> None:
    """dynamic_gmm (the lagged outcome and one endogenous regressor, year dummies exogenous) equals the library's own
    fit; a full set of year dummies in difference GMM is collinear (their differences sum to zero) and is refused with
    the dummy named, not estimated arbitrarily."""
    d = _abdata().rename(columns={"id": "iso3"})
    d["period"] = d["year"] - d["year"].min()
    years = sorted(d["year"].unique())
    fine = [f"yr{y}" for y in years[3:]]  # the differenced equation starts in the third year: its dummies from there
    fit = cc.dynamic_gmm(d, "n", "L1n", ["w"], ["k", *fine], model="difference", lags=(2, 4), dummies=fine)
    assert fit.instruments < fit.groups and fit.names[:3] == ["L1n", "w", "k"]
    b_w, se_w = fit.coef("w")
    assert np.isfinite(b_w) and se_w > 0 and math.isfinite(fit.hansen[0]) and math.isfinite(fit.ar2[0])
    every = [f"yr{y}" for y in years[1:]]  # one too many: the first differenced year's dummy makes the set collinear
    with pytest.raises(cc.RankError, match=rf"difference GMM of n: the regressor\(s\) {every[-1]} add nothing to the rank"):
        cc.dynamic_gmm(d, "n", "L1n", ["w"], ["k", *every], model="difference", lags=(2, 4), dummies=every)
    # the package's own routine chooses a full-rank set by itself: the one the check leaves (the last dummy named), which
    # it leaves out from the start
    chosen_fit, chosen = cc._full_rank_dummies(d, "n", "L1n", ["w"], ["k"], every, "difference", (2, 4))
    assert chosen == every[:-1] and not cc._redundant(np.asarray(chosen_fit.cov), [f"c{i}" for i in range(chosen_fit.cov.shape[0])])
    for model in ("difference", "system"):  # in both models the full set's check names the last dummy alone
        with pytest.raises(cc.RankError) as err:
            cc.dynamic_gmm(d, "n", "L1n", ["w"], ["k", *every], model=model, lags=(2, 4), dummies=every)
        assert err.value.redundant == [every[-1]]


def _feedback_panel(seed: int, n: int = 400, t: int = 12, rho: float = 0.5, beta: float = 1.0) -> pd.DataFrame:
    """y_it = ρ y_i,t−1 + β x_it + a_i + e_it with x feeding back from y's last shock (x_it = 0.5 x_i,t−1 + 0.5 e_i,t−1 +
    b_i + u_it) and correlated with a_i: the within estimator is biased, GMM with lags 2+ is not."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    y, x = np.zeros((n, t + 20)), np.zeros((n, t + 20))
    e = rng.normal(size=(n, t + 20))
    for s in range(1, t + 20):
        x[:, s] = 0.5 * x[:, s - 1] + 0.5 * e[:, s - 1] + b + 0.5 * a + rng.normal(size=n)
        y[:, s] = rho * y[:, s - 1] + beta * x[:, s] + a + e[:, s]
    rows = [{"iso3": i, "period": s, "year": 2000 + s, "y": y[i, 20 + s], "x": x[i, 20 + s]} for i in range(n) for s in range(t)]
    d = pd.DataFrame(rows)
    d["L_y"] = d.groupby("iso3")["y"].shift(1)
    return d


def test_gmm_recovers_the_persistence_and_the_effect_of_a_panel_with_feedback() -> None:
    d = _feedback_panel(5)
    for model in ("difference", "system"):
        fit = cc.dynamic_gmm(d, "y", "L_y", ["x"], [], model=model, lags=(2, 4))
        (rho, rho_se), (beta, beta_se) = fit.coef("L_y"), fit.coef("x")
        assert abs(rho - 0.5) < 4 * rho_se and abs(beta - 1.0) < 4 * beta_se, (model, rho, beta)
        lr, lr_se = fit.long_run("x", "L_y")
        assert lr == pytest.approx(beta / (1 - rho)) and lr_se > 0
        assert fit.ar2[1] > 0.01  # no second-order serial correlation in the differences by construction


def test_gmm_rows_on_five_benchmark_years_have_numbers_and_count_their_ar2_pairs() -> None:
    """Five periods (the flows' benchmark years): both GMMs are estimated; AR(2) rests on one pair per country and says
    the test has little power; N is xtabond2's (system: the levels equation), the stacked count beside it."""
    d = _feedback_panel(1, n=40, t=5).rename(columns={"y": "KOFGIdj", "x": "TBI"})
    d["year"] = 2002 + 3 * d["period"]  # five benchmark years
    rows = cc.gmm_rows(d, {"release": "flows"}, "KOFGIdj", [], sorted(d["year"].unique()), cc.CausalSettings())
    tbi = {r["check"]: r for r in rows if r["term"] == "TBI"}
    assert set(tbi) == {"difference GMM", "system GMM"}
    assert all(np.isfinite(r["coef"]) and np.isfinite(r["se"]) for r in tbi.values())
    ar2 = [r for r in rows if r["term"] == "AR(2)"]
    assert all("rests on 40 pairs" in r["note"] and "little power" in r["note"] for r in ar2)
    # levels rows with the lagged outcome: periods 1-4 of 40 countries; differences: periods 2-4
    assert tbi["system GMM"]["nobs"] == 160 and tbi["system GMM"]["nobs_stacked"] == 160 + 120
    assert tbi["difference GMM"]["nobs"] == 120 == tbi["difference GMM"]["nobs_stacked"]


def test_gmm_rows_say_why_a_release_with_too_few_periods_has_none() -> None:
    d = _feedback_panel(1, n=40, t=4).rename(columns={"y": "KOFGIdj", "x": "TBI"})
    d["year"] = 2002 + 3 * d["period"]  # four benchmark years
    rows = cc.gmm_rows(d, {"release": "flows"}, "KOFGIdj", [], sorted(d["year"].unique()), cc.CausalSettings())
    assert [r["check"] for r in rows] == ["difference GMM", "system GMM"]
    assert all(r["note"].startswith("not computed: 4 periods (2002, 2005, 2008, 2011)") and "at least 5 periods" in r["note"] for r in rows)


# ====================================================================== plausibly exogenous instrument
def _iv_panel(seed: int, gamma: float, g: int = 60, t: int = 10, beta: float = 2.0) -> pd.DataFrame:
    """KOF = β·TBI + γ·L.TBI + effects + noise: the lag (the instrument) affects KOF directly by γ."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(g):
        z = rng.normal()
        a = rng.normal()
        for s in range(t):
            tbi = 0.7 * z + rng.normal()
            rows.append({"iso3": f"C{i:02d}", "year": 2000 + s, "L_TBI": z, "TBI": tbi, "w": rng.normal(), "a": a})
            z = tbi
    d = pd.DataFrame(rows)
    d["KOFGIdj"] = beta * d["TBI"] + gamma * d["L_TBI"] + 0.3 * d["w"] + d["a"] + 0.1 * d["year"] + rng.normal(size=len(d))
    return d.drop(columns="a")


def test_delta_zero_is_the_2sls_interval_and_the_set_is_exact_in_gamma() -> None:
    d = _iv_panel(1, gamma=0.0)
    pe = cc.plausibly_exogenous(d, "KOFGIdj", ["w"])
    fit = fit_2sls(d, "KOFGIdj", "TBI", "L_TBI", ["w"]).second.coefs.loc["TBI"]
    from scipy import stats

    crit = stats.t.isf(0.025, d["iso3"].nunique() - 1)
    assert pe.uci(0.0) == pytest.approx((fit["coef"] - crit * fit["se"], fit["coef"] + crit * fit["se"]), rel=1e-12)
    assert pe.ltz(0.0) == pytest.approx(pe.uci(0.0), rel=1e-12)
    for gamma in (0.37, -1.8):  # the estimate linear and the variance quadratic in γ: exact for any γ
        direct = fit_2sls(d.assign(adj=d["KOFGIdj"] - gamma * d["L_TBI"]), "adj", "TBI", "L_TBI", ["w"]).second.coefs.loc["TBI"]
        assert pe.b0 + pe.a * gamma == pytest.approx(direct["coef"], rel=1e-9)
        assert math.sqrt(pe.variance(gamma)) == pytest.approx(direct["se"], rel=1e-9)
    # the breakdown δ: the union of intervals just reaches zero there
    b = pe.breakdown_uci()
    assert 0 < b < math.inf and min(abs(x) for x in pe.uci(b)) == pytest.approx(0.0, abs=1e-8) and pe.uci(0.99 * b)[0] > 0
    assert pe.ltz(pe.breakdown_ltz())[0] == pytest.approx(0.0, abs=1e-8)


def test_the_set_covers_a_planted_direct_effect_of_the_instrument() -> None:
    """With γ = 1.5 the 2SLS that assumes γ = 0 is biased (by γ/π, π the first stage) and its interval misses β = 2; the
    union of intervals for δ ≥ γ covers it in most simulated panels, as a 95 % set should."""
    covered_at_zero, covered = [], []
    for seed in range(40):
        pe = cc.plausibly_exogenous(_iv_panel(100 + seed, gamma=1.5), "KOFGIdj", ["w"])
        lo0, hi0 = pe.uci(0.0)
        lo, hi = pe.uci(1.5)
        covered_at_zero.append(lo0 <= 2.0 <= hi0)
        covered.append(lo <= 2.0 <= hi)
    assert np.mean(covered) >= 0.9 and np.mean(covered_at_zero) < 0.2


# ====================================================================== omitted-variable sensitivity
def test_cinelli_hazlett_reproduces_the_darfur_reference() -> None:
    """peacefactor on directlyharmed + covariates + village effects: RV(q=1) 13.88 %, RV(q=1, α=0.05) 7.63 %, partial R²
    2.19 % (Cinelli & Hazlett 2020); and their bounds benchmarked on female at 1×, 2×, 3× (their Table 3): partial R²s
    0.0092 / 0.1246, 0.0183 / 0.2493, 0.0275 / 0.3741, adjusted estimates 0.0752, 0.0529, 0.0304 (t 3.44, 2.60, 1.63)."""
    d = pd.read_csv(_reference("darfur", "darfur.csv"))
    names = ["directlyharmed", "age", "farmer_dar", "herder_dar", "pastvoted", "hhsize_darfur", "female"]
    village = pd.factorize(d["village"])[0]
    fit = cc.within_ols(d["peacefactor"].to_numpy(float), d[names].to_numpy(float), names, [village])
    t = fit.t("directlyharmed")
    assert round(100 * cc.robustness_value(t, fit.df), 2) == 13.88
    assert round(100 * cc.robustness_value(t, fit.df, alpha=0.05), 2) == 7.63
    assert round(100 * cc.partial_r2(t, fit.df), 2) == 2.19
    treat = cc.within_ols(d["directlyharmed"].to_numpy(float), d[names[1:]].to_numpy(float), names[1:], [village])
    r2d, r2y = cc.partial_r2(treat.t("female"), treat.df), cc.partial_r2(fit.t("female"), fit.df)
    for k, (r2dz, r2yz, adj, adj_t) in {1: (0.0092, 0.1246, 0.0752, 3.44), 2: (0.0183, 0.2493, 0.0529, 2.60), 3: (0.0275, 0.3741, 0.0304, 1.63)}.items():
        bound = cc.benchmark_bounds(r2d, r2y, k)
        assert bound is not None and (round(bound[0], 4), round(bound[1], 4)) == (r2dz, pytest.approx(r2yz, abs=1e-4))
        b, se = cc.adjusted(float(fit.coef[0]), float(fit.se[0]), fit.df, *bound)
        assert round(b, 4) == adj and round(b / se, 2) == adj_t


def test_the_robustness_value_is_the_closed_form_of_a_small_regression() -> None:
    """RV = ½(√(f⁴ + 4f²) − f²) with f = t/√df, t and df by hand (normal equations) on a small regression; the partial R²
    is the R² of the residualised outcome on the residualised treatment."""
    rng = np.random.default_rng(3)
    n = 40
    x = rng.normal(size=(n, 2))
    y = 0.4 * x[:, 0] + 0.2 * x[:, 1] + rng.normal(size=n)
    design = np.column_stack([np.ones(n), x])
    beta = np.linalg.solve(design.T @ design, design.T @ y)
    resid = y - design @ beta
    df = n - 3
    se = math.sqrt(resid @ resid / df * np.linalg.inv(design.T @ design)[1, 1])
    t = beta[1] / se
    f = t / math.sqrt(df)
    assert cc.robustness_value(t, df) == pytest.approx(0.5 * (math.sqrt(f**4 + 4 * f**2) - f**2), rel=1e-12)
    fit = cc.within_ols(y, x, ["d", "x"], [np.zeros(n, dtype=int)])  # one group: the constant swept out
    assert fit.df == df and fit.t("d") == pytest.approx(t, rel=1e-10)
    other = np.column_stack([np.ones(n), x[:, 1]])
    ry = y - other @ np.linalg.lstsq(other, y, rcond=None)[0]
    rd = x[:, 0] - other @ np.linalg.lstsq(other, x[:, 0], rcond=None)[0]
    assert cc.partial_r2(t, df) == pytest.approx((ry @ rd) ** 2 / ((ry @ ry) * (rd @ rd)), rel=1e-10)
    assert cc.robustness_value(0.5, df, alpha=0.05) == 0.0  # an insignificant estimate needs no confounder to lose significance


# ====================================================================== the weights behind two-way FE
def test_twowayfeweights_reproduces_the_wagepan_reference() -> None:
    from twowayfeweights import load_wagepan

    w = cc.twfe_weights(load_wagepan().rename(columns={"nr": "iso3"}), "lwage", "union", [])
    assert round(w["beta"], 4) == 0.1066 and (w["n_positive"], w["n_negative"]) == (820, 147)
    assert round(w["sum_negative"], 5) == -0.01053 and round(w["sigma_ate_zero"], 5) == 0.09687
    # Corollary 2 is its own number (defined: there are negative weights), not Corollary 1's
    assert np.isfinite(w["sigma_opposite_sign"]) and w["sigma_opposite_sign"] != pytest.approx(w["sigma_ate_zero"])


def test_with_a_homogeneous_and_with_known_heterogeneous_effects_beta_is_the_weighted_sum() -> None:
    """y = β_gt·TBI_gt + country and year effects, no noise: the TWFE coefficient equals Σ w_gt β_gt with the library's
    weights; with one β for all cells it is that β."""
    rng = np.random.default_rng(8)
    d = pd.DataFrame([{"iso3": f"C{i}", "year": 2000 + s} for i in range(15) for s in range(6)])
    d["TBI"] = rng.normal(size=len(d))
    effects = d["iso3"].map({f"C{i}": rng.normal() for i in range(15)}) + d["year"].map({2000 + s: rng.normal() for s in range(6)})
    for slopes in (np.full(len(d), 2.5), rng.uniform(0.0, 3.0, len(d))):
        d["KOF"] = slopes * d["TBI"] + effects
        w = cc.twfe_weights(d, "KOF", "TBI", [])
        cells = w["weights"]
        assert cells is not None and len(cells) == len(d)
        merged = d.assign(slope=slopes).merge(cells, left_on=["iso3", "year"], right_on=["Group_TWFE", "Time_TWFE"])
        assert len(merged) == len(d) and merged["weight"].sum() == pytest.approx(1.0)
        assert w["beta"] == pytest.approx(float((merged["weight"] * merged["slope"]).sum()), rel=1e-8)
    assert w["beta"] != pytest.approx(2.5)


def test_sigma_measures_are_undefined_where_the_reference_makes_the_treatment_negative() -> None:
    """A planted design whose treatment is negative in some cells at TBI's own zero: both σ measures are undefined there
    with the count of negative cells as the reason; from the sample minimum both are named and defined."""
    rng = np.random.default_rng(2)
    d = pd.DataFrame([{"iso3": f"C{i}", "year": 2000 + s} for i in range(12) for s in range(5)])
    d["TBI"] = rng.normal(size=len(d))
    d["KOFGIdj"] = d["TBI"] + rng.normal(size=len(d))
    negative = int((d["TBI"] < 0).sum())
    assert 0 < negative < len(d)
    rows = cc.weights_rows(d, {"release": "r"}, "KOFGIdj", [])
    assert [r["term"] for r in rows] == ["reference TBI = 0 (balanced trade)", "reference: the sample minimum"]
    at_zero, at_min = rows
    assert np.isnan(at_zero["sigma_ate_zero"]) and np.isnan(at_zero["sigma_opposite_sign"])
    assert f"the treatment is negative in {negative} of {len(d)} cells" in at_zero["note"]
    assert np.isfinite(at_min["sigma_ate_zero"]) and "average effect of zero" in at_min["note"]
    if at_min["n_negative"]:
        assert np.isfinite(at_min["sigma_opposite_sign"]) and "opposite sign of every cell" in at_min["note"]
    for r in rows:
        assert np.isfinite(r["coef"]) and r["n_positive"] + r["n_negative"] <= len(d)
    # the minimum as the zero: every cell's treatment is non-negative, the weights differ, β does not
    assert rows[0]["coef"] == pytest.approx(rows[1]["coef"], rel=1e-10)
