"""The specification curve's joint test and variance decomposition (tradeimbalance.econometrics.curvetest) on
synthetic panels where the answer is known by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradeimbalance.econometrics import curvetest as ct
from tradeimbalance.econometrics import speccurve as sc


def null_world(seed: int, g: int = 20, t: int = 6, beta: float = 0.0) -> pd.DataFrame:
    """Country-year panel: three outcomes sharing country and year effects and a common shock (so the specifications
    are correlated), a TBI with effect ``beta`` on each, a control; errors correlated within countries."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame([{"iso3": f"C{i:02d}", "year": 2000 + j} for i in range(g) for j in range(t)])
    a = d["iso3"].map(dict(zip(sorted(d["iso3"].unique()), rng.normal(size=g)))).to_numpy()
    b = d["year"].map(dict(zip(range(2000, 2000 + t), rng.normal(size=t)))).to_numpy()
    cluster_shock = d["iso3"].map(dict(zip(sorted(d["iso3"].unique()), rng.normal(size=g)))).to_numpy()
    d["TBI:base"] = rng.normal(size=len(d)) + 0.5 * a + 0.5 * cluster_shock
    d["w"] = 0.5 * d["TBI:base"] + rng.normal(size=len(d))
    common = rng.normal(size=len(d))
    for k in range(3):
        u = 0.6 * common + 0.8 * rng.normal(size=len(d)) + 0.7 * cluster_shock * d["TBI:base"].to_numpy() / 2
        d[f"KOF{k}"] = beta * d["TBI:base"] + 0.3 * d["w"] + a + b + u
    return d


def curve_of(d: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    choices = {"kof_vintage": ["v"], "outcome": ["KOF0", "KOF1", "KOF2"], "controls": ["with", "without"], "tbi": ["base"]}
    specs = sc.enumerate_specifications(choices)
    kwargs = {
        "developed_lists": {"r": {"configured": []}}, "control_names": {"r": ["w"]},
        "defaults": {"io_release": "r", "country_set": "configured", "developed_list": "configured", "sample": "all"},
    }  # fmt: skip
    panels = {("r", "configured", (), "v"): d}
    return sc.estimate_curve(specs, panels, **kwargs), sc.curve_groups(specs, panels, **kwargs)


def test_resampling_by_weights_equals_the_stacked_duplicated_clusters() -> None:
    """A country drawn k times is its rows weighted by k, each copy a cluster of its own: the weighted solution
    equals fe_tbi_batch on the panel with the copies stacked under new country names; all weights 1 give the curve."""
    d = null_world(3, beta=0.4)
    curve, groups = curve_of(d)
    universe = {c: i for i, c in enumerate(sorted(d["iso3"].unique()))}
    for g in groups:
        p = ct._pieces(g, universe)
        coef, se, _ = ct._draw(p, np.ones((1, p.countries.size)))
        assert np.allclose(coef[0], curve["coef"].to_numpy()[g.where], rtol=1e-10)
        assert np.allclose(se[0], curve["se"].to_numpy()[g.where], rtol=1e-9)
        w = np.zeros(p.countries.size)
        np.add.at(w, [0, 1, 1, 2, 2, 2, 5, 7, 7, 9, 11, 12, 13, 13, 15, 16, 17, 18, 19, 19], 1)  # a bootstrap draw of 20 countries
        coef_w, se_w, clusters = ct._draw(p, w[None, :])
        labels = np.unique(g.entity)
        keep = [np.flatnonzero(g.entity == labels[c]) for c in range(labels.size) for _ in range(int(w[c]))]
        rows = np.concatenate(keep)
        names = np.concatenate([np.full(len(k), f"copy{i}") for i, k in enumerate(keep)])
        ref_b, ref_se = sc.fe_tbi_batch(g.x[rows], g.y[rows], names, g.time[rows])
        assert clusters[0] == 20
        assert np.allclose(coef_w[0], ref_b, rtol=1e-9)
        assert np.allclose(se_w[0], ref_se, rtol=1e-9)


def test_joint_test_rejects_at_about_the_nominal_rate_under_the_null() -> None:
    """100 null panels, B = 99: each of the three p-values rejects at 5 % about 5 % of the time (binomial SE 2.2
    points); the p-values of the median and of the Stouffer Z are about uniform."""
    reps, draws = 100, 99
    p = {"p_median": [], "p_share": [], "p_stouffer": []}
    for r in range(reps):
        curve, groups = curve_of(null_world(100 + r))
        res = ct.joint_test(groups, len(curve), draws=draws, seed=np.random.SeedSequence(r))
        for k in p:
            p[k].append(res[k])
    for k, values in p.items():
        rate = float(np.mean(np.array(values) <= 0.05))
        assert rate <= 0.12, (k, rate)
    for k in ("p_median", "p_stouffer"):
        assert 0.01 <= float(np.mean(np.array(p[k]) <= 0.05)) <= 0.12, k
        assert 0.35 <= float(np.mean(p[k])) <= 0.65, k


def test_joint_test_detects_a_planted_effect() -> None:
    curve, groups = curve_of(null_world(7, beta=1.5))
    res = ct.joint_test(groups, len(curve), draws=199, seed=np.random.SeedSequence(1))
    assert res["dominant_sign"] == "positive"
    assert res["median_coef"] == pytest.approx(float(curve["coef"].median()))
    assert res["p_median"] < 0.05 and res["p_share"] < 0.05 and res["p_stouffer"] < 0.05
    assert res["undefined_estimates"] == 0
    again = ct.joint_test(groups, len(curve), draws=199, seed=np.random.SeedSequence(1))
    assert again == res  # the seeded stream: the same draws


def test_joint_test_covers_every_specification() -> None:
    curve, groups = curve_of(null_world(1))
    with pytest.raises(ValueError, match="the designs cover 6 specifications, the release has 7"):
        ct.joint_test(groups, len(curve) + 1, draws=99, seed=np.random.SeedSequence(0))


def test_variance_decomposition_recovers_a_planted_dimension_and_interaction() -> None:
    rng = np.random.default_rng(0)
    grid = pd.DataFrame([{"a": a, "b": b, "c": c} for a in ("a1", "a2", "a3") for b in ("b1", "b2") for c in ("c1", "c2", "c3", "c4") for _ in range(5)])
    planted = grid.assign(coef=np.where(grid["a"] == "a2", 3.0, 0.0) + 0.05 * rng.normal(size=len(grid)))
    v = ct.variance_decomposition(planted, ["a", "b", "c"]).set_index("term")["share"]
    assert v["a"] > 0.99 and v["b"] < 0.01 and v["c"] < 0.01
    assert v["all main effects"] > 0.99
    inter = grid.assign(coef=np.where((grid["b"] == "b2") & (grid["c"] == "c4"), 2.0, 0.0) + 0.05 * rng.normal(size=len(grid)))
    out = ct.variance_decomposition(inter, ["a", "b", "c"])
    top = out[out["kind"] == "interaction"].iloc[0]
    assert top["term"] == "b × c" and top["share"] > 0.3
    assert out.loc[out["term"] == "a", "share"].iloc[0] < 0.01
    # the parts add up: main effects together + the interaction + the rest = 1
    parts = out.set_index("kind")["share"]
    assert parts["additive"] + parts["interaction"] + parts["residual"] == pytest.approx(1.0)
