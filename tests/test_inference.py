"""Few-cluster inference (tradeimbalance.econometrics.inference) against independent computations on synthetic panels."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from tradeimbalance.econometrics import inference as inf
from tradeimbalance.econometrics.estimation import fit_2sls, fit_fe

SETTINGS = inf.InferenceSettings(bootstrap_draws=999, seed=7, rerun_draws=9999)


def panel(g: int = 14, t: int = 8, beta: float = 0.5, seed: int = 0, strength: float = 1.0) -> pd.DataFrame:
    """A balanced country-year panel with country and year effects, a persistent TBI-like regressor, its lag
    as a strong instrument, a control, and errors correlated within countries and within years."""
    rng = np.random.default_rng(seed)
    countries = [f"C{i:02d}" for i in range(g)]
    years = np.arange(2000, 2000 + t + 1)
    rows = []
    alpha, delta = rng.normal(size=g), rng.normal(size=t + 1)
    for i, c in enumerate(countries):
        x = rng.normal()
        for j, y in enumerate(years):
            x = strength * 0.8 * x + rng.normal() if j else x
            rows.append({"iso3": c, "year": int(y), "x_raw": x, "a": alpha[i], "d": delta[j]})
    d = pd.DataFrame(rows)
    d["L_x"] = d.groupby("iso3")["x_raw"].shift(1)
    d["w"] = rng.normal(size=len(d)) + 0.3 * d["a"]
    common = d["year"].map(dict(zip(years, rng.normal(size=t + 1))))
    u = rng.normal(size=len(d)) + 0.5 * d["iso3"].map(dict(zip(countries, rng.normal(size=g)))) + 0.5 * common
    d["x"] = d["x_raw"] + 0.3 * u  # endogenous: correlated with the error
    d["y"] = beta * d["x"] + 0.4 * d["w"] + d["a"] + d["d"] + u
    return d.dropna(subset=["L_x"]).reset_index(drop=True)[["iso3", "year", "y", "x", "L_x", "w"]]


def dummies(d: pd.DataFrame) -> np.ndarray:
    """Explicit country dummies (all) and year dummies (all but the first)."""
    c = pd.get_dummies(d["iso3"], dtype=float).to_numpy()
    y = pd.get_dummies(d["year"], dtype=float).to_numpy()[:, 1:]
    return np.column_stack([c, y])


def test_bootstrap_p_same_with_explicit_dummies() -> None:
    """The FE route (country means swept out) and the regression with explicit country and year dummies give the
    same WCR p-value with the same seed and weights: the country effects are nested in the clusters."""
    d = panel(beta=0.2)
    des = inf.design(d, "y", ["x", "w"])
    lsdv = np.column_stack([d.sort_values(["iso3", "year"])[["x", "w"]].to_numpy(), dummies(d.sort_values(["iso3", "year"]))])
    y = d.sort_values(["iso3", "year"])["y"].to_numpy()
    for weights in ("rademacher", "webb"):
        fe = inf.wild_bootstrap_pvalue(des.x, des.y, des.entity, column=0, draws=999, seed=11, weights=weights)
        explicit = inf.wild_bootstrap_pvalue(lsdv, y, des.entity, column=0, draws=999, seed=11, weights=weights)
        assert fe == pytest.approx(explicit, abs=1e-12)
        assert 0 < fe < 1


def test_crv3_is_the_cluster_jackknife() -> None:
    """CRV3 from the library equals the jackknife written out: fit_fe without each country, (G−1)/G Σ (b_g − b)²."""
    d = panel()
    res = inf.fe_inference(d, "y", "x", ["w"], SETTINGS)
    b = fit_fe(d, "y", ["x", "w"]).coefs.loc["x", "coef"]
    jack = np.array([fit_fe(d[d["iso3"] != c], "y", ["x", "w"]).coefs.loc["x", "coef"] for c in sorted(d["iso3"].unique())])
    g = d["iso3"].nunique()
    assert res["se_crv3"] == pytest.approx(np.sqrt((g - 1) / g * np.sum((jack - b) ** 2)), rel=1e-9)
    assert res["coef"] == pytest.approx(b, rel=1e-12)


def _lsdv(d: pd.DataFrame, depvar: str, regressors: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    s = d.sort_values(["iso3", "year"]).reset_index(drop=True)
    x = np.column_stack([s[regressors].to_numpy(), dummies(s)])
    beta = np.linalg.lstsq(x, s[depvar].to_numpy(), rcond=None)[0]
    return x, beta, s[depvar].to_numpy() - x @ beta, s


def test_driscoll_kraay_and_two_way_against_the_textbook_formulas() -> None:
    """Driscoll–Kraay (1998, scaled as xtscc) and two-way clustered SEs under both conventions (reghdfe;
    Cameron–Gelbach–Miller 2011), from the formulas on the regression with explicit dummies. K counts the
    regressors, the year dummies and the constant, not the country dummies nested in the country clusters."""
    g, t = 12, 9
    d = panel(g=g, t=t)
    res = inf.fe_inference(d, "y", "x", ["w"], inf.InferenceSettings(bootstrap_draws=99, dk_bandwidth=3))
    x, beta, u, s = _lsdv(d, "y", ["x", "w"])
    n = x.shape[0]
    k = x.shape[1] - g + 1  # x, w, T − 1 year dummies, the constant
    assert k == 2 + (t - 1) + 1
    small = (n - 1) / (n - k)
    bread = np.linalg.inv(x.T @ x)
    years = sorted(s["year"].unique())
    h = np.array([(x[(s["year"] == yr).to_numpy()] * u[(s["year"] == yr).to_numpy(), None]).sum(axis=0) for yr in years])
    bw = 3
    meat = h.T @ h
    for lag in range(1, bw + 1):
        gamma = h[lag:].T @ h[:-lag]
        meat += (1 - lag / (bw + 1)) * (gamma + gamma.T)
    v_dk = len(years) / (len(years) - 1) * small * bread @ meat @ bread
    assert res["se_dk"] == pytest.approx(np.sqrt(v_dk[0, 0]), rel=1e-9)
    assert res["dk_bandwidth"] == bw

    def raw(labels: pd.Series) -> tuple[np.ndarray, int]:
        sums = np.array([(x[(labels == lab).to_numpy()] * u[(labels == lab).to_numpy(), None]).sum(axis=0) for lab in labels.unique()])
        return bread @ (sums.T @ sums) @ bread, labels.nunique()

    (v_e, m_e), (v_t, m_t), (v_et, m_et) = raw(s["iso3"]), raw(s["year"]), raw(s["iso3"] + s["year"].astype(str))
    cgm = small * (m_e / (m_e - 1) * v_e + m_t / (m_t - 1) * v_t - m_et / (m_et - 1) * v_et)
    m = min(m_e, m_t)
    hdfe = small * m / (m - 1) * (v_e + v_t - v_et)
    assert res["se_twoway_cgm"] == pytest.approx(np.sqrt(cgm[0, 0]), rel=1e-9)
    assert res["se_twoway_reghdfe"] == pytest.approx(np.sqrt(hdfe[0, 0]), rel=1e-9)
    assert res["twoway_convention"] == "reghdfe" and res["se_twoway"] == res["se_twoway_reghdfe"]
    cgm_run = inf.fe_inference(d, "y", "x", ["w"], inf.InferenceSettings(bootstrap_draws=99, dk_bandwidth=3, twoway_convention="cgm"))
    assert cgm_run["se_twoway"] == pytest.approx(np.sqrt(cgm[0, 0]), rel=1e-9)
    # the country-clustered CR1 SE of fit_fe follows the same K: (N−1)/(N−K)·G/(G−1) on the country meat alone
    assert res["se_cluster"] == pytest.approx(np.sqrt(small * m_e / (m_e - 1) * v_e[0, 0]), rel=1e-9)
    # p-values: t(T − 1) for Driscoll–Kraay, t(min(G, T) − 1) two-way, t(G − 1) CRV3
    from scipy import stats

    assert res["p_dk"] == pytest.approx(2 * stats.t.sf(abs(res["coef"] / res["se_dk"]), len(years) - 1))
    assert res["p_twoway"] == pytest.approx(2 * stats.t.sf(abs(res["coef"] / res["se_twoway"]), min(g, len(years)) - 1))


def test_driscoll_kraay_kernel_is_linearmodels_up_to_the_xtscc_factor() -> None:
    """The Driscoll–Kraay meat is linearmodels' PanelOLS kernel covariance; only the small-sample factor differs:
    linearmodels counts the country effects (n/(n − k − (G − 1))), xtscc does not (T/(T−1)·(N−1)/(N−K))."""
    from linearmodels import PanelOLS

    d = panel()
    res = inf.fe_inference(d, "y", "x", ["w"], SETTINGS)
    des = inf.design(d, "y", ["x", "w"])
    f = des.frame
    idx = pd.MultiIndex.from_frame(f[["iso3", "year"]])
    exog = pd.concat([pd.Series(1.0, index=f.index, name="const"), f[des.names]], axis=1).set_axis(idx)
    lm = PanelOLS(f["y"].set_axis(idx), exog, entity_effects=True).fit(cov_type="kernel", kernel="bartlett", bandwidth=res["dk_bandwidth"], debiased=True)
    n, g, t, k = des.nobs, des.nclusters, des.nperiods, des.x.shape[1] + 1
    ratio = (t / (t - 1) * (n - 1) / (n - k)) / (n / (n - k - (g - 1)))
    assert res["se_dk"] == pytest.approx(np.sqrt(lm.cov.loc["x", "x"] * ratio), rel=1e-9)


def test_iv_sandwiches_reduce_to_the_fe_ones_when_the_projection_is_the_identity() -> None:
    """The 2SLS Driscoll–Kraay / two-way sandwich (scores X̂u) with X̂ = X is the fixed-effects one."""
    d = panel()
    res = inf.fe_inference(d, "y", "x", ["w"], SETTINGS)
    des = inf.design(d, "y", ["x", "w"])
    beta = np.linalg.lstsq(des.x, des.y, rcond=None)[0]
    sw = inf.sandwich_se(des.x, des.y - des.x @ beta, des.entity, des.time, bandwidth=res["dk_bandwidth"])
    assert sw.se_dk == pytest.approx(res["se_dk"], rel=1e-12)
    assert sw.se_twoway_reghdfe == pytest.approx(res["se_twoway_reghdfe"], rel=1e-12)
    assert sw.se_twoway_cgm == pytest.approx(res["se_twoway_cgm"], rel=1e-12)


def test_each_cell_and_weight_type_has_its_own_stream() -> None:
    """Streams differ by cell and by weight type (so Webb is not Rademacher with other magnitudes), and are
    reproducible from the seed and the names alone."""
    states = {(c, w): tuple(inf.stream_seed(7, c, w).generate_state(4)) for c in ("3.3", "5.1") for w in ("rademacher", "webb")}
    assert len(set(states.values())) == 4
    assert tuple(inf.stream_seed(7, "3.3", "webb").generate_state(4)) == states[("3.3", "webb")]
    d = panel(beta=0.1)
    rng_r = np.random.default_rng(inf.stream_seed(7, "3.3", "rademacher"))
    rng_w = np.random.default_rng(inf.stream_seed(7, "3.3", "webb"))
    assert not np.array_equal(np.sign(rng_r.random(50) - 0.5), np.sign(rng_w.random(50) - 0.5))
    a = inf.fe_inference(d, "y", "x", ["w"], SETTINGS, stream="3.3")
    b = inf.fe_inference(d, "y", "x", ["w"], SETTINGS, stream="5.1")
    assert a["p_wcr_rademacher"] != b["p_wcr_rademacher"]  # same regression, other cell: another draw
    assert a["mcse_wcr_rademacher"] == pytest.approx(np.sqrt(a["p_wcr_rademacher"] * (1 - a["p_wcr_rademacher"]) / a["draws_wcr_rademacher"]))


def test_monte_carlo_flag_fires_near_a_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    """A p within two Monte Carlo SEs of 0.05 is drawn again with rerun_draws on the same stream; still that close, it is
    undecided (the package's one rule, tradeimbalance.econometrics.montecarlo)."""
    from tradeimbalance.econometrics.montecarlo import near_threshold

    assert near_threshold(0.052, 999) == 0.05
    assert np.isnan(near_threshold(0.30, 999))
    assert near_threshold(0.0995, 9999) == 0.10
    calls: list[int] = []
    seeds: list[object] = []

    def fake(values: list[float]):
        def run(*args: object, draws: int, seed: object, **kwargs: object) -> float:
            calls.append(draws)
            seeds.append(tuple(np.random.default_rng(seed).integers(0, 1 << 30, 3)))
            return values[len(calls) - 1]

        return run

    x = np.zeros((4, 1))
    cfg = inf.InferenceSettings(bootstrap_draws=999, rerun_draws=99999)
    monkeypatch.setattr(inf, "wild_bootstrap_pvalue", fake([0.049, 0.0502]))
    r = inf.bootstrap_p(x, x[:, 0], np.arange(4), column=0, settings=cfg, stream="c", weights="webb")
    assert calls == [999, 99999] and r.draws == 99999 and r.undecided == 0.05 and r.pvalue == 0.0502
    assert seeds[0] == seeds[1]  # the longer run is on the same stream
    calls.clear()
    monkeypatch.setattr(inf, "wild_bootstrap_pvalue", fake([0.049, 0.031]))
    r = inf.bootstrap_p(x, x[:, 0], np.arange(4), column=0, settings=cfg, stream="c", weights="webb")
    assert r.draws == 99999 and np.isnan(r.undecided) and r.mcse == pytest.approx(np.sqrt(0.031 * 0.969 / 99999))
    calls.clear()
    monkeypatch.setattr(inf, "wild_bootstrap_pvalue", fake([0.2]))
    r = inf.bootstrap_p(x, x[:, 0], np.arange(4), column=0, settings=cfg, stream="c", weights="webb")
    assert calls == [999] and np.isnan(r.undecided)
    calls.clear()
    monkeypatch.setattr(inf, "wild_bootstrap_pvalue", fake([0.049]))
    r = inf.bootstrap_p(x, x[:, 0], np.arange(4), column=0, settings=inf.InferenceSettings(bootstrap_draws=999, rerun_draws=0), stream="c", weights="webb")
    assert calls == [999] and r.undecided == 0.05  # no second run: flagged at once


def test_anderson_rubin_is_the_clustered_reduced_form_test() -> None:
    """AR(β₀) by hand: fit_fe of y − β₀·x on the instrument and the controls, squared clustered t statistic."""
    d = panel(beta=0.5)
    des = inf.design(d, "y", ["x", "L_x", "w"])
    for beta0 in (0.0, 0.5, -1.3):
        ar = inf.anderson_rubin(des.y, des.x[:, 0], des.x[:, 1], des.x[:, 2:], des.entity, beta0=beta0)
        hand = fit_fe(d.assign(r=d["y"] - beta0 * d["x"]), "r", ["L_x", "w"]).coefs.loc["L_x"]
        assert ar.stat == pytest.approx((hand["coef"] / hand["se"]) ** 2, rel=1e-9)
        assert ar.pvalue == pytest.approx(hand["pvalue"], rel=1e-8)


def test_anderson_rubin_set_contains_the_2sls_estimate_and_its_bounds_are_at_the_critical_value() -> None:
    d = panel(beta=0.5, g=20)
    des = inf.design(d, "y", ["x", "L_x", "w"])
    b2sls = fit_2sls(d, "y", "x", "L_x", ["w"]).second.coefs.loc["x", "coef"]
    ar = inf.anderson_rubin(des.y, des.x[:, 0], des.x[:, 1], des.x[:, 2:], des.entity, level=0.95)
    assert ar.kind == "interval"  # a strong instrument: a bounded set
    lo, hi = ar.bounds
    assert lo < b2sls < hi
    assert inf.anderson_rubin(des.y, des.x[:, 0], des.x[:, 1], des.x[:, 2:], des.entity, beta0=b2sls).stat == pytest.approx(0.0, abs=1e-10)
    for bound in (lo, hi):
        assert inf.anderson_rubin(des.y, des.x[:, 0], des.x[:, 1], des.x[:, 2:], des.entity, beta0=bound).pvalue == pytest.approx(0.05, abs=1e-8)


def test_anderson_rubin_set_is_unbounded_with_an_irrelevant_instrument() -> None:
    d = panel(g=20)
    d["noise"] = np.random.default_rng(5).normal(size=len(d))
    des = inf.design(d, "y", ["x", "noise", "w"])
    ar = inf.anderson_rubin(des.y, des.x[:, 0], des.x[:, 1], des.x[:, 2:], des.entity)
    assert ar.kind in ("real_line", "outside_interval")
    assert ar.describe().startswith("(-inf")


def test_iv_inference_crv3_is_the_2sls_jackknife() -> None:
    d = panel(g=12)
    res = inf.iv_inference(d, "y", "x", "L_x", ["w"], SETTINGS)
    b = fit_2sls(d, "y", "x", "L_x", ["w"]).second.coefs.loc["x", "coef"]
    jack = np.array([fit_2sls(d[d["iso3"] != c], "y", "x", "L_x", ["w"]).second.coefs.loc["x", "coef"] for c in sorted(d["iso3"].unique())])
    assert res["coef"] == pytest.approx(b, rel=1e-10)
    assert res["se_crv3"] == pytest.approx(np.sqrt(11 / 12 * np.sum((jack - b) ** 2)), rel=1e-8)
    assert res["wald_low"] < res["coef"] < res["wald_high"]
    assert res["ar_set_kind"] == "interval" and res["ar_set_low"] < res["coef"] < res["ar_set_high"]
    # the bootstrap p of the reduced form is close to the AR p-value with a strong signal, both in (0, 1]
    assert 0 <= res["p_wcr_rademacher"] <= 1 and 0 <= res["p_ar"] <= 1


def test_reruns_are_identical() -> None:
    d = panel(beta=0.05)  # a p-value away from 0, so that another seed shows another simulation draw
    a = inf.fe_inference(d, "y", "x", ["w"], SETTINGS)
    b = inf.fe_inference(d, "y", "x", ["w"], SETTINGS)
    assert pd.Series(a).equals(pd.Series(b))  # nan (a decided p: no threshold) equals nan here
    c = inf.fe_inference(d, "y", "x", ["w"], inf.InferenceSettings(bootstrap_draws=999, seed=8, rerun_draws=9999))
    assert c["p_wcr_rademacher"] != a["p_wcr_rademacher"] or c["p_wcr_webb"] != a["p_wcr_webb"]


def test_a_fit_the_caller_has_gives_the_same_inference() -> None:
    """fe_inference and iv_inference with the caller's fit (as the comparison of releases passes it) equal a fit made
    inside, number for number."""
    from tradeimbalance.econometrics.estimation import fit_2sls, fit_fe

    d = panel(beta=0.05)
    settings = inf.InferenceSettings(bootstrap_draws=199, rerun_draws=0)
    own = inf.fe_inference(d, "y", "x", ["w"], settings)
    given = inf.fe_inference(d, "y", "x", ["w"], settings, fit=fit_fe(d, "y", ["x", "w"]))
    assert pd.Series(own).equals(pd.Series(given))
    with_lag = d.dropna(subset=["L_x"])
    iv_own = inf.iv_inference(with_lag, "y", "x", "L_x", ["w"], settings)
    iv_given = inf.iv_inference(with_lag, "y", "x", "L_x", ["w"], settings, fit=fit_2sls(with_lag, "y", "x", "L_x", ["w"]))
    assert pd.Series(iv_own).equals(pd.Series(iv_given))


@pytest.mark.parametrize(
    "cfg, message",
    [
        ({"weights": ["mammen"]}, "inference.weights"),
        ({"bootstrap_draws": 10}, "at least 99"),
        ({"level": 1.2}, "strictly between 0 and 1"),
        ({"twoway_convention": "stata"}, "inference.twoway_convention"),
        ({"bootstrap_draws": 999, "rerun_draws": 500}, "must exceed bootstrap_draws"),
    ],
)
def test_bad_settings(cfg: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        inf.InferenceSettings.from_config(cfg)


def test_wild_bootstrap_size_monte_carlo() -> None:
    """Under a true null the WCR bootstrap rejects at about the nominal 5 % (200 simulated panels, 14 clusters).

    Run in a subprocess with NUMBA_DISABLE_JIT=1: the library's bootstrap loop then runs as plain Python (the same
    code, interpreted), which with B = 199 and 14 clusters is faster than compiling it 200 times."""
    code = textwrap.dedent(
        """
        import json, sys
        import numpy as np
        sys.path.insert(0, sys.argv[1])
        from test_inference import panel
        from tradeimbalance.econometrics import inference as inf
        rejections = 0
        reps = 200
        for r in range(reps):
            d = panel(g=14, t=6, beta=0.0, seed=1000 + r)
            des = inf.design(d, "y", ["L_x", "w"])  # the lag of the exogenous part of x: its true coefficient is 0
            p = inf.wild_bootstrap_pvalue(des.x, des.y, des.entity, column=0, draws=199, seed=r, weights="webb")
            rejections += p < 0.05
        print(json.dumps({"rate": rejections / reps}))
        """
    )
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    out = subprocess.run([sys.executable, "-c", code, os.path.dirname(__file__)], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    rate = json.loads(out.stdout.strip().splitlines()[-1])["rate"]
    # binomial standard error at 5 % with 200 draws: 1.5 points
    assert 0.01 <= rate <= 0.10, rate


def test_compiling_the_bootstrap_once_changes_no_number() -> None:
    """The compile-once shim reuses wildboottest's own kernel: p-values equal those of an unpatched process."""
    d = panel(beta=0.1)
    des = inf.design(d, "y", ["x", "w"])
    ours = {w: inf.wild_bootstrap_pvalue(des.x, des.y, des.entity, column=0, draws=999, seed=3, weights=w) for w in ("rademacher", "webb")}
    code = textwrap.dedent(
        """
        import json, sys
        import numpy as np
        from wildboottest.wildboottest import WildboottestCL
        data = np.load(sys.argv[1])
        x, y, cl = data["x"], data["y"], data["cl"]
        out = {}
        values = {"rademacher": np.array([-1.0, 1.0]), "webb": np.concatenate([-np.sqrt(np.array([3.0, 2.0, 1.0]) / 2), np.sqrt(np.array([1.0, 2.0, 3.0]) / 2)])}
        g = np.unique(cl).size
        for w in ("rademacher", "webb"):
            r = np.zeros(x.shape[1]); r[0] = 1.0
            b = WildboottestCL(X=x, Y=y, cluster=cl, R=r, B=999, seed=3, parallel=False)
            # the weights draw by draw, as the package draws them (a longer run extends a shorter one)
            b.get_scores(bootstrap_type="11", impose_null=True); b.get_weights(weights_type=lambda n, rng, v=values[w]: rng.choice(v, size=(999, g)).T.reshape(-1))
            b.get_numer(); b.get_denom(); b.get_tboot(); b.get_vcov(); b.get_tstat()
            # the package's one rule: (1 + #{|t*| >= |t|, ties within 1e-9 relative})/(1 + B)
            t, tb = abs(float(np.ravel(b.t_stat)[0])), np.abs(np.ravel(b.t_boot))
            out[w] = float((1 + np.sum(tb >= t - 1e-9 * max(1.0, t))) / (1 + tb.size))
        print(json.dumps(out))
        """
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "design.npz")
        np.savez(path, x=des.x, y=des.y, cl=des.entity)
        res = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert json.loads(res.stdout.strip().splitlines()[-1]) == ours


def test_a_bandwidth_beyond_the_years_names_the_config_key() -> None:
    d = panel(t=5)
    with pytest.raises(ValueError, match="config inference.driscoll_kraay_bandwidth=7: must be below the number of years"):
        inf.fe_inference(d, "y", "x", ["w"], inf.InferenceSettings(bootstrap_draws=99, dk_bandwidth=7))
    with pytest.raises(ValueError, match="config inference.driscoll_kraay_bandwidth=7"):
        inf.iv_inference(d, "y", "x", "L_x", ["w"], inf.InferenceSettings(bootstrap_draws=99, dk_bandwidth=7))


def test_the_longer_bootstrap_run_extends_the_shorter_one() -> None:
    """The weights are drawn draw by draw, so B' > B draws on the same seed begin with the B draws: the same weight
    matrix's first columns (what makes the second run a longer run of the same stream)."""
    draw = inf._draw_by_draw(inf.WEIGHT_VALUES["webb"], 7, 50)
    longer = inf._draw_by_draw(inf.WEIGHT_VALUES["webb"], 7, 400)
    short = draw(7 * 50, np.random.default_rng(11)).reshape(7, 50)
    long = longer(7 * 400, np.random.default_rng(11)).reshape(7, 400)
    np.testing.assert_array_equal(short, long[:, :50])
    assert set(np.round(np.unique(long), 6)) == set(np.round(inf.WEIGHT_VALUES["webb"], 6))
    d = panel(beta=0.02)
    des = inf.design(d, "y", ["x", "w"])
    p = inf.wild_bootstrap_pvalue(des.x, des.y, des.entity, column=0, draws=999, seed=inf.stream_seed(3, "c", "webb"), weights="webb")
    assert 0 < p <= 1 and p == inf.wild_bootstrap_pvalue(des.x, des.y, des.entity, column=0, draws=999, seed=inf.stream_seed(3, "c", "webb"), weights="webb")


def test_a_drawn_bootstrap_p_follows_the_one_rule_never_k_over_b() -> None:
    """(1 + k)/(1 + B): never 0, and (B + 1)·p is a whole number; the library's own k/B with a strict ">" would give 0 for a
    t far beyond every draw, which the rule makes impossible by construction."""
    d = panel(beta=5.0)  # a t far beyond every bootstrap t
    des = inf.design(d, "y", ["x", "w"])
    for w in ("rademacher", "webb"):
        p = inf.wild_bootstrap_pvalue(des.x, des.y, des.entity, column=0, draws=199, seed=1, weights=w)
        assert p == pytest.approx(1 / 200) and round(p * 200, 9) == int(round(p * 200))


def test_an_enumerated_five_cluster_bootstrap_is_exact_stable_and_cannot_reject() -> None:
    """Five clusters: all 32 Rademacher sign vectors are enumerated. The identity and its mirror tie with the observed
    |t| up to rounding, and are counted whatever the last bits: a 1e-12 perturbation of y gives the same p. The smallest
    attainable p is 2/32 > 0.05: marked exact and "cannot reject at 0.05"."""
    rng = np.random.default_rng(4)
    rows = [{"iso3": f"C{i}", "year": 2000 + t, "x": rng.normal(), "w": rng.normal()} for i in range(5) for t in range(8)]
    d = pd.DataFrame(rows)
    d["y"] = 0.3 * d["x"] + d["w"] + rng.normal(size=len(d))
    des = inf.design(d, "y", ["x", "w"])
    settings = inf.InferenceSettings(bootstrap_draws=999, seed=0, weights=("rademacher",), rerun_draws=0)
    first = inf.bootstrap_p(des.x, des.y, des.entity, column=0, settings=settings, stream="s", weights="rademacher")
    bumped = inf.bootstrap_p(des.x, des.y + 1e-12 * rng.normal(size=des.y.size), des.entity, column=0, settings=settings, stream="s", weights="rademacher")
    assert first.exact and first.draws == 32 and first.mcse == 0.0
    assert first.pvalue == bumped.pvalue and first.pvalue >= 2 / 32 and round(first.pvalue * 32, 9) == int(round(first.pvalue * 32))
    assert "cannot reject at 0.05" in first.cannot_reject and "2/32" in first.cannot_reject
    cols = first.columns("wcr_rademacher")
    assert cols["exact_wcr_rademacher"] is True and "cannot reject" in cols["note_wcr_rademacher"]
