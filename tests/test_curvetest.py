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


def same(a: dict, b: dict) -> bool:
    """Two results equal, a nan equal to a nan (an undecided flag that is not raised)."""
    return a.keys() == b.keys() and all((isinstance(x, float) and isinstance(y, float) and np.isnan(x) and np.isnan(y)) or x == y for x, y in ((a[k], b[k]) for k in a))


def test_resampling_by_weights_equals_the_stacked_duplicated_clusters() -> None:
    """A country drawn k times is its rows weighted by k, each copy a cluster of its own: the weighted solution
    equals fe_tbi_batch on the panel with the copies stacked under new country names; all weights 1 give the curve."""
    d = null_world(3, beta=0.4)
    curve, groups = curve_of(d)
    universe = {c: i for i, c in enumerate(sorted(d["iso3"].unique()))}
    for g in groups:
        p = ct._pieces(g, universe)
        coef, se, _, codes = ct._draw(p, np.ones((1, p.countries.size)))
        assert (codes == 0).all()
        assert np.allclose(coef[0], curve["coef"].to_numpy()[g.where], rtol=1e-10)
        assert np.allclose(se[0], curve["se"].to_numpy()[g.where], rtol=1e-9)
        w = np.zeros(p.countries.size)
        np.add.at(w, [0, 1, 1, 2, 2, 2, 5, 7, 7, 9, 11, 12, 13, 13, 15, 16, 17, 18, 19, 19], 1)  # a bootstrap draw of 20 countries
        coef_w, se_w, clusters, _ = ct._draw(p, w[None, :])
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
    assert res["undefined_estimates"] == 0 and res["undefined_draws"] == 0
    assert res["p_median_positive"] < 0.05 and res["draws_median"] == 199
    assert res["mcse_median"] == pytest.approx(np.sqrt(res["p_median"] * (1 - res["p_median"]) / 199))
    again = ct.joint_test(groups, len(curve), draws=199, seed=np.random.SeedSequence(1), processes=2)
    assert same(again, res)  # the seeded stream: the same draws, however many worker processes


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


# ------------------------------------------------------------------ each analysis once, every estimate defined or counted


def test_no_op_choices_are_merged_and_the_joint_test_is_that_of_the_grid_without_them() -> None:
    """A grid with choices that change nothing — dropping a country the panel lacks, dropping a developing country from
    the developed sample, a developed list that coincides on the panel's countries — keeps one regression per estimation
    sample, says what each stands for, and its joint test equals the one of the grid built without those choices."""
    d = null_world(11, g=24, beta=0.3)
    developed = [f"C{i:02d}" for i in range(12)]
    panels = {
        ("r", "configured", (), "v"): d,
        ("r", "drop XXX", (), "v"): d,  # XXX is not in the panel
        ("r", "drop C20", (), "v"): d[d["iso3"] != "C20"].reset_index(drop=True),  # C20 is developing
    }
    lists = {"r": {"configured": developed, "same_here": [*developed, "ZZZ"]}}
    kwargs = {"developed_lists": lists, "control_names": {"r": ["w"]}, "defaults": {"io_release": "r", "tbi": "base", "kof_vintage": "v", "country_set": "configured", "developed_list": "configured"}}
    choices = {"outcome": ["KOF0", "KOF1"], "sample": ["all", "developed", "developing"], "controls": ["with"], "country_set": ["configured", "drop XXX", "drop C20"], "developed_list": ["configured", "same_here"]}
    grid = sc.enumerate_specifications(choices)
    distinct, merged = sc.distinct_specifications(grid, panels, developed_lists=lists, defaults=kwargs["defaults"])
    # all: configured = drop XXX, drop C20 distinct; developed: one regression; developing: configured, drop C20
    assert len(grid) == 2 * (3 + 3 * 2 + 3 * 2) and len(distinct) == 2 * (2 + 1 + 2)
    assert distinct["merged"].sum() == len(grid)
    main = distinct[(distinct["sample"] == "developed")].iloc[0]
    assert main["country_set"] == "configured" and main["developed_list"] == "configured" and main["merged"] == 6
    assert "country_set: configured = drop XXX = drop C20" in main["stands_for"] and "developed_list: configured = same_here" in main["stands_for"]
    reasons = set(merged["reason"])
    assert any("XXX is not in r's panel" in r for r in reasons) and any("not in the developed sample" in r for r in reasons)
    assert any("coincide on r's countries" in r for r in reasons)
    # The joint test on the distinct set equals the one on a grid built without the no-op choices.
    clean = sc.enumerate_specifications({**choices, "developed_list": ["configured"]})
    clean = clean[~((clean["country_set"] == "drop XXX") | ((clean["country_set"] == "drop C20") & (clean["sample"] == "developed")))].reset_index(drop=True)
    groups_a = sc.curve_groups(distinct.drop(columns=["stands_for", "merged"]), panels, **kwargs)
    groups_b = sc.curve_groups(clean, panels, **kwargs)
    a = ct.joint_test(groups_a, len(distinct), draws=99, seed=np.random.SeedSequence(5))
    b = ct.joint_test(groups_b, len(clean), draws=99, seed=np.random.SeedSequence(5))
    for key in ("median_coef", "share_significant", "stouffer_z", "p_median", "p_share", "p_stouffer"):
        assert a[key] == pytest.approx(b[key], rel=1e-12), key


def _one_design(years: int, controls: bool) -> ct._Pieces:
    rng = np.random.default_rng(0)
    d = pd.DataFrame([{"iso3": c, "year": 2000 + y} for c in ("A", "B", "C", "D") for y in range(years)])
    d["TBI:base"], d["w"], d["KOF0"] = rng.normal(size=len(d)), rng.normal(size=len(d)), rng.normal(size=len(d))
    specs = sc.enumerate_specifications({"outcome": ["KOF0"], "controls": ["with" if controls else "without"], "tbi": ["base"]})
    kwargs = {"developed_lists": {"r": {"configured": []}}, "control_names": {"r": ["w"]}, "defaults": {"io_release": "r", "kof_vintage": "v", "country_set": "configured", "developed_list": "configured", "sample": "all"}}
    (group,) = sc.curve_groups(specs, {("r", "configured", (), "v"): d}, **kwargs)
    return ct._pieces(group, {c: i for i, c in enumerate("ABCD")})


def test_an_exactly_identified_null_design_is_undefined_never_significant() -> None:
    """Two years with a TBI, a control and a year effect: three drawn countries give 6 rows − 3 country means = 3 = the
    parameters, so the residuals vanish and the SE is zero: undefined (no residual degrees of freedom), never
    significant. Four years without the control: two distinct countries leave residual degrees of freedom, but their
    clustered scores cancel: undefined too."""
    p = _one_design(2, controls=True)
    w = np.array([[1.0, 1.0, 2.0, 0.0], [1.0, 1.0, 1.0, 1.0]])  # 3 distinct countries: exactly identified; all 4
    coef, se, _, codes = ct._draw(p, w)
    assert codes[0, 0] == 1 << (2 - 1) and codes[1, 0] == 0  # reason 2 (REASONS): its bit
    assert np.isnan(coef[0, 0]) and np.isnan(se[0, 0]) and np.isfinite(se[1, 0])
    stats = ct._statistics(np.where(codes == 0, coef, np.nan)[:1], np.where(codes == 0, coef / se, np.nan)[:1], np.full((1, 1), 2.0))
    assert np.isnan(stats["share"][0]) and np.isnan(stats["stouffer"][0])  # nothing defined: an undefined draw, not "significant"
    q = _one_design(4, controls=False)
    coef, se, _, codes = ct._draw(q, np.array([[2.0, 2.0, 0.0, 0.0]]))
    assert codes[0, 0] == 1 << (3 - 1) and np.isnan(se[0, 0])


def test_a_draw_with_extreme_t_statistics_has_a_finite_statistic() -> None:
    """t of ±1e15 (a nearly collapsed SE) and ±inf pieces never make a draw's Stouffer Z nan or infinite."""
    coef = np.array([[1.0, -1.0, 2.0, 0.5]])
    t = np.array([[1e15, -1e15, 3.0, 0.2]])
    stats = ct._statistics(coef, t, np.full(coef.shape, 30.0))
    assert np.isfinite(stats["stouffer"]).all() and np.isfinite(stats["stouffer_positive"]).all()
    z = ct._stouffer_pieces(np.array([1e15, -1e15, np.inf, -np.inf]), np.full(4, 30.0))
    assert np.isfinite(z).all() and z[0] == -z[1] and z[0] > 30


def test_the_stouffer_table_equals_the_t_distribution() -> None:
    from scipy import special

    rng = np.random.default_rng(1)
    t = np.concatenate([rng.normal(scale=3, size=5000), rng.standard_cauchy(size=5000) * 50, [0.0, 1e-9, 1e6, -1e9]])
    df = rng.integers(1, 60, size=t.size).astype(float)
    exact = -special.ndtri(np.maximum(special.stdtr(df, -np.abs(t)), np.finfo(float).tiny)) * np.sign(t)
    assert np.abs(ct._stouffer_pieces(t, df) - exact).max() < 5e-7


def test_grid_weighted_statistics_equal_the_statistics_of_the_expanded_grid() -> None:
    rng = np.random.default_rng(2)
    coef, t = rng.normal(size=(50, 7)), rng.normal(scale=2, size=(50, 7))
    coef[3, 2] = t[3, 2] = np.nan
    df = np.full(coef.shape, 20.0)
    w = np.array([1, 3, 1, 2, 1, 1, 4])
    weighted = ct._statistics(coef, t, df, w)
    idx = np.repeat(np.arange(7), w)
    expanded = ct._statistics(coef[:, idx], t[:, idx], df[:, idx])
    for key in ("median", "share", "stouffer"):
        np.testing.assert_allclose(weighted[f"{key}_grid"], expanded[key], rtol=1e-12)
    np.testing.assert_allclose(weighted["median_signed"], np.nanmedian(coef, axis=1))


def test_variance_shares_account_for_nested_and_duplicated_dimensions() -> None:
    """A planted main effect of the sample gets its share given the others; the developed list, nested in the sample
    (n/a where the sample is all), has a near-zero share when it moves nothing within the samples; a dimension that only
    duplicates another gets a near-zero type-II share, and the Shapley shares add up to the additive R²."""
    rng = np.random.default_rng(3)
    rows = []
    for sample in ("all", "developed", "developing"):
        for lst in (["n/a"] if sample == "all" else ["configured", "imf", "oecd"]):
            for outcome in ("o1", "o2", "o3"):
                for _ in range(4):
                    rows.append({"sample": sample, "developed_list": lst, "outcome": outcome})
    grid = pd.DataFrame(rows)
    grid["copy_of_outcome"] = grid["outcome"].map({"o1": "x", "o2": "y", "o3": "z"})
    grid["coef"] = np.where(grid["sample"] == "developing", 4.0, 0.0) + np.where(grid["outcome"] == "o2", 1.0, 0.0) + 0.05 * rng.normal(size=len(grid))
    v = ct.variance_decomposition(grid, ["sample", "developed_list", "outcome", "copy_of_outcome"]).set_index("term")
    assert v.loc["developed_list", "nested_in"] == "sample"
    assert v.loc["sample", "type2"] > 0.7 and v.loc["sample", "shapley"] > 0.7
    assert v.loc["developed_list", "type2"] < 0.01 and v.loc["developed_list", "shapley"] < 0.01
    assert v.loc["copy_of_outcome", "type2"] < 1e-9 and v.loc["outcome", "type2"] < 1e-9  # each duplicates the other
    assert v.loc["outcome", "shapley"] == pytest.approx(v.loc["copy_of_outcome", "shapley"])  # the duplicate splits the share
    dims = v[v["kind"] == "dimension"]
    assert dims["shapley"].sum() == pytest.approx(v.loc["all main effects", "shapley"])
    assert v.loc["developed_list", "eta2"] > v.loc["developed_list", "type2"]  # the marginal η² double-counts the sample


def test_a_p_value_near_a_threshold_is_computed_again_on_the_same_stream_drawn_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The longer run continues the first run's stream: a p drawn again with B = 499 equals the p of a first run of
    499 draws; one still near its threshold after it is flagged undecided."""
    curve, groups = curve_of(null_world(4))
    from tradeimbalance.econometrics import montecarlo

    monkeypatch.setattr(montecarlo, "THRESHOLDS", tuple(np.round(np.linspace(0.0, 1.0, 201), 3)))  # every p is near one
    again = ct.joint_test(groups, len(curve), draws=99, seed=np.random.SeedSequence(9), rerun_draws=499)
    longer = ct.joint_test(groups, len(curve), draws=499, seed=np.random.SeedSequence(9))
    for stat in ("median", "share", "stouffer", "median_positive", "share_grid"):  # every p the same treatment
        assert again[f"draws_{stat}"] == 499 and again[f"p_{stat}"] == longer[f"p_{stat}"], stat
        assert np.isfinite(again[f"undecided_{stat}"])
    # the undefined counts cover every draw a reported p-value used: the longer run's
    assert again["undefined_over_draws"] == 499 and again["undefined_estimates"] == longer["undefined_estimates"]


def _euro_design() -> tuple[ct._Pieces, dict[str, int]]:
    """Six countries × four years, one control (an exchange rate) that is the same for the three euro-area countries in
    every year (it moves with the year effects there) and differs elsewhere."""
    g, universe = _euro_group()
    return ct._pieces(g, universe), universe


def _euro_group() -> tuple[sc._Group, dict[str, int]]:
    """The design of :func:`_euro_design` as the curve's group (its data) and the countries' positions."""
    rng = np.random.default_rng(3)
    rows = [{"iso3": c, "year": 2000 + t} for c in ("AUT", "BEL", "DEU", "GBR", "JPN", "USA") for t in range(4)]
    d = pd.DataFrame(rows)
    euro_rate = {2000 + t: v for t, v in enumerate(rng.normal(size=4))}
    d["lnEXR"] = [euro_rate[y] if c in ("AUT", "BEL", "DEU") else rng.normal() for c, y in zip(d["iso3"], d["year"])]
    d["TBI"] = rng.normal(size=len(d))
    d["KOF"] = d["TBI"] + rng.normal(size=len(d))
    g = sc._Group("r", d[["TBI", "lnEXR"]].to_numpy(), d[["KOF"]].to_numpy(), d["iso3"].to_numpy(), d["year"].to_numpy(), np.array([0]))
    return g, {c: i for i, c in enumerate(sorted(d["iso3"].unique()))}


def test_a_draw_of_euro_area_countries_only_is_rank_deficient_and_undefined() -> None:
    """lnEXR is collinear with the year effects when only the euro-area countries are drawn: the inverse would give a
    huge estimate; the rank check leaves it undefined, counted with that reason. With a non-euro country drawn too,
    the design is full rank."""
    from tradeimbalance.econometrics.groups import RANK_TOLERANCE, scaled_eigen_ratio

    p, universe = _euro_design()
    euro = np.zeros((1, len(universe)))
    euro[0, [universe["AUT"], universe["BEL"], universe["DEU"]]] = [2.0, 1.0, 1.0]
    coef, se, _, codes = ct._draw(p, euro)
    assert codes[0, 0] & (1 << (4 - 1)) and np.isnan(coef[0, 0]) and np.isnan(se[0, 0])
    a_mat = np.tensordot(euro[0], p.m, axes=1)
    assert scaled_eigen_ratio(a_mat) <= RANK_TOLERANCE < 1e-8 < scaled_eigen_ratio(np.tensordot(np.ones(len(universe)), p.m, axes=1))
    mixed = euro.copy()
    mixed[0, universe["USA"]] = 1.0
    coef, se, _, codes = ct._draw(p, mixed)
    assert codes[0, 0] == 0 and np.isfinite(coef[0, 0])
    counts = ct._count_reasons(np.array([[8], [8 | 4], [0]], dtype=np.int8))
    assert counts[4] == 2 and counts[3] == 1 and counts[0] == 1  # an estimate is counted under every reason it has


def test_the_rank_check_certified_from_the_inverse_gives_the_eigenvalues_verdict() -> None:
    """The joint test's rank check reads a certificate off the inverse it computes anyway and asks the eigenvalues only
    where the bound is in doubt: the same verdict as the eigenvalues on full-rank, nearly collinear (on both sides of
    the tolerance) and exactly collinear designs."""
    from tradeimbalance.econometrics.groups import rank_deficient, rank_deficient_given_inverse

    rng = np.random.default_rng(5)
    mats = []
    for eps in (1.0, 1e-2, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 0.0):
        x = rng.normal(size=(60, 6)) * rng.uniform(0.1, 100, size=6)  # regressors on very different scales
        x[:, 5] = x[:, 4] * 3.0 + eps * rng.normal(size=60) * np.abs(x[:, 4]).mean()  # the last nearly a multiple of another
        mats.append(x.T @ x)
    stack = np.stack(mats)
    with np.errstate(all="ignore"):
        try:
            inv = np.linalg.inv(stack)
        except np.linalg.LinAlgError:
            inv = np.stack([np.linalg.pinv(m) for m in stack])
    assert (rank_deficient_given_inverse(stack, inv) == rank_deficient(stack)).all()
    assert not rank_deficient(stack)[0] and rank_deficient(stack)[-1]  # both verdicts occur


def test_the_batched_null_estimates_equal_a_refit_per_draw_undefined_draws_included() -> None:
    """Many draws in one batch (:func:`curvetest._draw`, every product one BLAS call for the whole batch) give, draw by
    draw, the estimates of a refit of that draw's stacked panel (each copy of a country a cluster of its own) to 1e-10;
    a draw of two distinct countries is undefined with its reason, and its neighbours in the batch are unaffected. The
    statistics computed a block of rows at a time equal those of the whole chunk at once."""
    d = null_world(5, beta=0.3)
    _, groups = curve_of(d)
    universe = {c: i for i, c in enumerate(sorted(d["iso3"].unique()))}
    rng = np.random.default_rng(11)
    w = np.stack([np.bincount(rng.integers(0, 20, size=20), minlength=20) for _ in range(40)]).astype(float)
    w[7] = 0.0
    w[7, [3, 4]] = [12.0, 8.0]  # two distinct countries: their clustered scores cancel
    for g in groups:
        p = ct._pieces(g, universe)
        coef, se, clusters, codes = ct._draw(p, w[:, p.countries])
        assert (codes[7] == 1 << (3 - 1)).all() and np.isnan(coef[7]).all() and np.isnan(se[7]).all()
        labels = np.unique(g.entity)
        for b in [i for i in range(w.shape[0]) if i != 7]:
            keep = [np.flatnonzero(g.entity == labels[c]) for c in range(labels.size) for _ in range(int(w[b, c]))]
            rows = np.concatenate(keep)
            names = np.concatenate([np.full(len(k), f"copy{i}") for i, k in enumerate(keep)])
            ref_b, ref_se = sc.fe_tbi_batch(g.x[rows], g.y[rows], names, g.time[rows])
            assert (codes[b] == 0).all() and clusters[b] == w[b].sum()
            np.testing.assert_allclose(coef[b], ref_b, rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(se[b], ref_se, rtol=1e-10, atol=1e-12)
    rel = ct._Release(groups, int(max(int(x) for g in groups for x in g.where)) + 1, None)
    whole = ct._statistics(*rel.null_estimates(w)[:3], rel.weights)
    blocks, _ = rel.chunk(w)
    assert whole.keys() == blocks.keys()
    for key in whole:
        np.testing.assert_array_equal(whole[key], blocks[key])



def test_a_rank_deficient_draw_in_a_batch_leaves_its_neighbours_equal_to_their_refits() -> None:
    """A batch holding a draw of euro-area countries only (rank-deficient: lnEXR moves with the year effects there) and
    draws with other countries: the rank-deficient one is undefined with its reason, each other draw equals the refit of
    its stacked panel (each copy a cluster of its own) to 1e-10, as when it is computed alone."""
    group, universe = _euro_group()
    p = ct._pieces(group, universe)
    w = np.array([[1.0, 1, 1, 1, 1, 1], [2, 1, 1, 0, 0, 0], [0, 1, 2, 1, 1, 1], [1, 0, 1, 2, 0, 2], [1, 1, 0, 1, 3, 0]])
    coef, se, _, codes = ct._draw(p, w)
    assert codes[1, 0] & (1 << (4 - 1)) and np.isnan(coef[1, 0])  # AUT ×2, BEL, DEU: euro-area only
    labels = np.array(sorted(universe, key=universe.get))
    for b in (0, 2, 3, 4):
        keep = [np.flatnonzero(group.entity == labels[c]) for c in range(labels.size) for _ in range(int(w[b, c]))]
        rows_b = np.concatenate(keep)
        names = np.concatenate([np.full(len(k), f"copy{i}") for i, k in enumerate(keep)])
        ref_b, ref_se = sc.fe_tbi_batch(group.x[rows_b], group.y[rows_b], names, group.time[rows_b])
        alone = ct._draw(p, w[b : b + 1])
        assert codes[b, 0] == 0
        np.testing.assert_allclose(coef[b], ref_b, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(se[b], ref_se, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(coef[b], alone[0][0], rtol=1e-12)


def test_designs_sharing_all_but_the_tbi_column_give_their_own_null_estimates() -> None:
    """Designs that differ only in their TBI column (the curve's TBI definitions) share the inverse of the rest of the
    cross-products per draw, each bordered from it: every design's null estimates, SEs and reasons equal those of its own
    whole inversion to 1e-10, in a batch with a draw of two countries (undefined), a draw of euro-area countries only
    (rank-deficient: lnEXR moves with the year effects) and a draw with a TBI definition collinear with the controls."""
    group, universe = _euro_group()
    rng = np.random.default_rng(5)
    x0 = group.x
    tbis = [x0[:, 0], rng.normal(size=x0.shape[0]), x0[:, 1] * 2.0]  # the third: TBI ∝ lnEXR, collinear in every draw
    groups = [sc._Group("r", np.column_stack([t, x0[:, 1:]]), group.y, group.entity, group.time, np.array([i])) for i, t in enumerate(tbis)]
    rel = ct._Release(groups, len(groups), None)
    assert rel.leader == [0, 0, 0]
    w = np.array([[1.0, 1, 1, 1, 1, 1], [2, 1, 1, 0, 0, 0], [0, 1, 2, 1, 1, 1], [0, 0, 0, 3, 1, 0], [1, 0, 1, 2, 0, 2], [1, 1, 0, 1, 3, 0]])
    b_coef, _, _, reasons = rel.null_estimates(w)
    for i, p in enumerate(rel.pieces):
        coef, se, _, codes = ct._draw(p, w[:, p.countries], rel.se[rel.cols[i]])
        shared = ct._draw(p, w[:, p.countries], rel.se[rel.cols[i]], ct._shared_inverse(rel.pieces[0], w[:, rel.pieces[0].countries]))
        np.testing.assert_array_equal(shared[3], codes)
        np.testing.assert_allclose(shared[0], coef, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(shared[1], se, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(b_coef[:, i], coef[:, 0] - rel.coef[i], rtol=1e-10, atol=1e-12)
    assert (ct._draw(rel.pieces[2], w[:, rel.pieces[2].countries])[3] & (1 << (4 - 1)) != 0).all()  # collinear: rank-deficient
    assert reasons[-1] > 0
    # the designs' blocks are put in the specifications' order by one gather, which needs each specification in exactly
    # one design: two designs claiming the same specification are refused
    with pytest.raises(ValueError, match="more than one design"):
        ct._Release([groups[0], sc._Group("r", groups[1].x, groups[1].y, group.entity, group.time, np.array([0]))], 1, None)
