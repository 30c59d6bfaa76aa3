"""The referee checks (tradeimbalance.econometrics.referee) on synthetic panels whose answer is known by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradeimbalance.econometrics.estimation import fit_fe
from tradeimbalance.econometrics.inference import design, leave_one_out
from tradeimbalance.econometrics.referee import (
    COLUMNS,
    RefereeSettings,
    _fe_rows_fd,
    check_release,
    first_difference,
    long_difference,
    admissible_assignments,
    assignment_groups,
    permutation_p,
)
from tradeimbalance.econometrics.montecarlo import format_p

OUTCOMES = ["KOFGIdj", "KOFEcGIdj", "KOFTrGIdj", "KOFFiGIdj", "KOFPoGIdj"]


def world(seed: int, g: int = 30, t: int = 10, beta: float = 0.0, reverse: float = 0.0, rho: float = 0.6) -> pd.DataFrame:
    """A country-year panel with country and year effects and a control. TBI is persistent within a country
    (AR(1), ``rho``). ``beta``: the effect of today's TBI on today's KOF. ``reverse``: KOF's shock of year t moves TBI of
    year t + 1 (reverse causality, one period later)."""
    rng = np.random.default_rng(seed)
    lam = rng.normal(size=t)
    rows = []
    for i in range(g):
        a, x = rng.normal(), rng.normal()
        for j in range(t):
            u, w = rng.normal(), rng.normal()
            rows.append({"iso3": f"C{i:02d}", "year": 2000 + j, "TBI": x, "w": w, "u": u, "a": a})
            x = rho * x + reverse * u + rng.normal(scale=0.5)
    d = pd.DataFrame(rows)
    d["KOFGIdj"] = d["a"] + lam[d["year"] - 2000] + beta * d["TBI"] + 0.3 * d["w"] + d["u"]
    for o in OUTCOMES[1:]:
        d[o] = d["KOFGIdj"]
    d["group"] = np.where(d["iso3"] < "C15", "developed", "developing")
    return d


def run(d: pd.DataFrame, specs: tuple[str, ...] = ("3.1",)) -> pd.DataFrame:
    settings = RefereeSettings(specifications=specs, permutation_draws=199, bootstrap_draws=199, seed=1)
    tbi = d[["iso3", "year", "TBI"]].rename(columns={"TBI": "tbi"})
    rows = check_release("synthetic", d.drop(columns=["u", "a"]), tbi, sorted(d["year"].unique()), ["w"], OUTCOMES, settings)
    return pd.DataFrame(rows).reindex(columns=COLUMNS)


def term(out: pd.DataFrame, check: str, name: str) -> pd.Series:
    return out[(out["check"] == check) & (out["term"] == name)].iloc[0]


def test_the_lead_test_flags_reverse_causality_and_not_a_forward_effect() -> None:
    """KOF moving TBI one period later makes the next period's TBI predict today's KOF; a true effect of today's TBI on
    today's KOF (no feedback) leaves the lead at zero, and today's TBI keeps its effect beside it."""
    reverse = run(world(1, reverse=1.0))
    lead = term(reverse, "lead", "F.TBI")
    assert lead["coef"] > 0 and lead["pvalue"] < 0.01 and lead["p_wcr"] < 0.05
    forward = run(world(1, beta=1.0))
    lead, today = term(forward, "lead", "F.TBI"), term(forward, "lead", "TBI")
    assert lead["pvalue"] > 0.05 and abs(lead["coef"]) < 0.3
    assert today["coef"] == pytest.approx(1.0, abs=0.2) and today["pvalue"] < 0.01
    assert today["nobs"] == 30 * 9  # the last year has no next year
    # the checks every row names
    assert set(forward["check"]) == {"baseline", "lead", "lag", "lagged outcome", "long difference", "first difference", "leave one out",
                                     "randomization (within year)", "randomization (country paths)", "size"}  # fmt: skip


def test_randomization_inference_has_its_size_and_power() -> None:
    """Under the null (TBI unrelated to KOF) each scheme rejects at 5 % about 5 % of the time over 200 panels (binomial
    SE 1.5 points; B = 99, so p ≤ 0.05 means at most 4 draws as extreme); a planted effect is detected."""
    for scheme in ("within_year", "country_paths"):
        p = np.array([permutation_p(world(100 + s, g=20, t=8), "KOFGIdj", ["w"], scheme, 99, np.random.SeedSequence(s))[0].pvalue for s in range(200)])
        assert 0.01 <= float(np.mean(p <= 0.05)) <= 0.10, scheme
        assert 0.4 <= float(np.mean(p)) <= 0.6, scheme
        planted, b, admissible = permutation_p(world(7, beta=0.8), "KOFGIdj", ["w"], scheme, 199, np.random.SeedSequence(1))
        assert planted.pvalue == pytest.approx(1 / 200) and planted.draws == 199 and b > 0.5 and admissible > 10**10
        assert planted.mcse == pytest.approx(np.sqrt(planted.pvalue * (1 - planted.pvalue) / 199)) and not planted.exact
        assert format_p(planted.pvalue, planted.draws, planted.mcse) == "≤ 0.005 (B = 199)"  # never shown below its attainable minimum


def _spans(spans: dict[str, list[int]], seed: int = 0) -> pd.DataFrame:
    """A panel in which each country has the years given (an unbalanced design, as the long-run era's developing countries)."""
    rng = np.random.default_rng(seed)
    rows = [{"iso3": c, "year": y, "group": "developing"} for c, years in spans.items() for y in years]
    d = pd.DataFrame(rows)
    d["TBI"] = rng.normal(size=len(d))
    d["w"] = rng.normal(size=len(d))
    d["KOFGIdj"] = 0.5 * d["TBI"] + rng.normal(size=len(d))
    return d


def test_randomization_with_two_admissible_assignments_is_undefined_with_the_reason() -> None:
    """Five countries with four different year spans: only two of the 120 path assignments fit (the two countries that
    share a span may swap); the smallest attainable p is 1/2 > 0.05, so the test cannot reject at 5 %: the exact p is kept
    (the identity counted by the one rule) with the count as the reason."""
    spans = {"A": list(range(1970, 1980)), "B": list(range(1970, 1980)), "C": list(range(1972, 1980)), "D": list(range(1974, 1980)), "E": list(range(1975, 1980))}
    d = _spans(spans)
    assert admissible_assignments(assignment_groups(d, "country_paths")) == 2
    mc, b, admissible = permutation_p(d, "KOFGIdj", ["w"], "country_paths", 1999, np.random.SeedSequence(0))
    assert admissible == 2 and mc.pvalue in (0.5, 1.0) and mc.exact and mc.draws == 2
    assert mc.cannot_reject.startswith("only 2 admissible assignments: the smallest attainable p is 1/2 = 0.5 > 0.05, so the test cannot reject at 0.05")


def test_randomization_with_few_admissible_assignments_is_enumerated_exactly() -> None:
    """Five countries, one year span: 120 path assignments < 199 draws, all enumerated; the p is exact (no Monte Carlo
    error), a multiple of 1/120, and the same whatever the seed; it equals a brute-force count over the permutations."""
    d = _spans({c: list(range(2000, 2006)) for c in "ABCDE"}, seed=3)
    mc, b, admissible = permutation_p(d, "KOFGIdj", ["w"], "country_paths", 199, np.random.SeedSequence(0))
    again, _, _ = permutation_p(d, "KOFGIdj", ["w"], "country_paths", 199, np.random.SeedSequence(99))
    assert admissible == 120 and mc.exact and mc.mcse == 0 and mc.draws == 120 and mc.pvalue == again.pvalue
    assert round(mc.pvalue * 120) == pytest.approx(mc.pvalue * 120)
    # brute force: reassign whole paths, re-estimate with fit_fe's clustered t
    import itertools

    base = fit_fe(d, "KOFGIdj", ["TBI", "w"]).coefs.loc["TBI"]
    t_obs = base["coef"] / base["se"]
    countries = sorted(d["iso3"].unique())
    paths = {c: d[d["iso3"] == c].sort_values("year")["TBI"].to_numpy() for c in countries}
    hits = 0
    for perm in itertools.permutations(countries):
        e = d.sort_values(["iso3", "year"]).copy()
        e["TBI"] = np.concatenate([paths[p] for p in perm])
        c = fit_fe(e, "KOFGIdj", ["TBI", "w"]).coefs.loc["TBI"]
        hits += abs(c["coef"] / c["se"]) >= abs(t_obs) - 1e-9
    assert mc.pvalue == pytest.approx(hits / 120)


def test_a_randomization_p_near_a_threshold_is_drawn_on_the_same_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every p near a threshold (here: every p) is computed again on the longer run of the same stream, which extends the
    shorter one: the p equals a first run of the longer length."""
    from tradeimbalance.econometrics import montecarlo

    monkeypatch.setattr(montecarlo, "THRESHOLDS", tuple(np.round(np.linspace(0.0, 1.0, 201), 3)))
    d = world(5, g=12, t=6)
    again, _, _ = permutation_p(d, "KOFGIdj", ["w"], "within_year", 99, np.random.SeedSequence(4), rerun_draws=499)
    longer, _, _ = permutation_p(d, "KOFGIdj", ["w"], "within_year", 499, np.random.SeedSequence(4))
    assert again.redrawn and again.draws == 499 and again.pvalue == longer.pvalue


def test_leave_one_out_equals_reestimation_without_each_country() -> None:
    d = world(3, g=8, t=6, beta=0.5)
    loo = leave_one_out(design(d, "KOFGIdj", ["TBI", "w"]), column=0)
    assert list(loo["country"]) == sorted(d["iso3"].unique())
    for r in loo.itertuples():
        fit = fit_fe(d[d["iso3"] != r.country], "KOFGIdj", ["TBI", "w"])
        assert r.coef == pytest.approx(fit.coefs.loc["TBI", "coef"], rel=1e-10)
        assert r.se == pytest.approx(fit.coefs.loc["TBI", "se"], rel=1e-10)
        assert r.pvalue == pytest.approx(fit.coefs.loc["TBI", "pvalue"], rel=1e-8)
        assert r.nobs == fit.nobs and r.nclusters == fit.nclusters


def test_long_and_first_differences_equal_a_hand_computation() -> None:
    d = pd.DataFrame({
        "iso3": ["A"] * 3 + ["B"] * 3 + ["C"] * 3 + ["D"] * 3 + ["E"] * 3,
        "year": [2002, 2005, 2008] * 5,
        "group": "developed",
        "KOFGIdj": [50, 52, 55, 60, 59, 61, 40, 44, 45, 70, 70, 72, 30, 35, 33.0],
        "TBI": [0.1, 0.2, 0.25, -0.1, -0.15, -0.05, 0.0, 0.1, 0.12, 0.3, 0.28, 0.35, -0.2, -0.1, -0.12],
        "w": [1, 2, 2, 3, 3, 4, 0, 1, 1, 2, 2, 2, 5, 4, 4.0],
    })  # fmt: skip
    ld, spans = long_difference(d, "KOFGIdj", ["w"])
    assert spans == "2002–2008 (5 countries)"
    assert ld.set_index("iso3").loc["A", "d_KOFGIdj"] == 5 and ld.set_index("iso3").loc["E", "d_TBI"] == pytest.approx(0.08)
    x = np.column_stack([np.ones(5), ld["d_TBI"], ld["d_w"]])
    hand = np.linalg.lstsq(x, ld["d_KOFGIdj"].to_numpy(), rcond=None)[0]
    ours = run_long(d)
    assert ours["coef"] == pytest.approx(hand[1], rel=1e-10)
    fd = first_difference(d, [2002, 2005, 2008], ["KOFGIdj", "TBI", "w"])
    assert len(fd) == 10 and fd.set_index(["iso3", "year"]).loc[("B", 2005), "d_KOFGIdj"] == -1
    by_hand = d.sort_values(["iso3", "year"]).assign(**{f"d_{c}": lambda g, c=c: g.groupby("iso3")[c].diff() for c in ("KOFGIdj", "TBI", "w")}).dropna()
    xd = np.column_stack([np.ones(10), by_hand["d_TBI"], by_hand["d_w"], (by_hand["year"] == 2008).astype(float)])
    hand_fd = np.linalg.lstsq(xd, by_hand["d_KOFGIdj"].to_numpy(), rcond=None)[0]
    (row,) = _fe_rows_fd(fd, "d_KOFGIdj", ["d_TBI", "d_w"], {"release": "r"})
    assert row["coef"] == pytest.approx(hand_fd[1], rel=1e-10) and row["nobs"] == 10 and row["nclusters"] == 5


def run_long(d: pd.DataFrame) -> pd.Series:
    """The long-difference row of check_release on a small panel (the HC1 regression on the first-to-last changes)."""
    from tradeimbalance.econometrics.referee import _hc1

    ld, _ = long_difference(d, "KOFGIdj", ["w"])
    b, se = _hc1(np.column_stack([np.ones(len(ld)), ld[["d_TBI", "d_w"]].to_numpy(float)]), ld["d_KOFGIdj"].to_numpy(float))
    return pd.Series({"coef": b[1], "se": se[1]})


def test_a_check_a_release_cannot_run_is_a_row_with_the_reason() -> None:
    d = world(5, g=30, t=6, beta=1.0)
    d = d[(d["group"] == "developed") | (d["iso3"].isin(["C20", "C21"]))]  # two developing countries only
    out = run(d, ("4.3",))
    assert (out["note"].astype(str).str.contains("2 countries: clustered inference needs at least 3")).all()
    assert out["coef"].isna().all()


def test_the_reports_verdicts_follow_their_rules() -> None:
    """The report's verdict per release (tradeimbalance.outputs.causal): no association, a predictive lead, a fragile
    one, and one that passes every check, each planted."""
    from tradeimbalance.outputs.causal import sentences, verdict

    def rows(base_p: float, lead_p: float, ri_p: float, flip: bool = False) -> pd.DataFrame:
        common = {"release": "r", "years": "2002, 2005, 2008", "table": "3", "column": 3, "depvar": "KOFGIdj", "sample": "all"}
        out = [
            {**common, "check": "baseline", "term": "TBI", "coef": 10.0, "pvalue": base_p},
            {**common, "check": "lead", "term": "TBI", "coef": 8.0, "pvalue": 0.05, "p_wcr": 0.06},
            {**common, "check": "lead", "term": "F.TBI", "coef": 9.0, "pvalue": lead_p, "p_wcr": lead_p},
            {**common, "check": "randomization (within year)", "term": "TBI", "coef": 10.0, "pvalue": ri_p, "draws": 1999},
            {**common, "check": "randomization (country paths)", "term": "TBI", "coef": 10.0, "pvalue": 0.001, "draws": 1999},
            {**common, "check": "leave one out", "term": "without AAA", "coef": -1.0 if flip else 9.0, "pvalue": 0.5, "note": "changes the sign" if flip else ""},
        ]
        return pd.DataFrame(out)

    assert verdict(rows(0.30, 0.5, 0.01)).startswith("there is no robust positive association")
    assert verdict(rows(0.01, 0.06, 0.01)).startswith("the association cannot be read as an effect on r: the next period's TBI predicts")
    assert "as strongly as today's TBI" in sentences(rows(0.01, 0.06, 0.01))[0] and "next benchmark year's TBI" in sentences(rows(0.01, 0.06, 0.01))[0]
    assert verdict(rows(0.01, 0.5, 0.20)).startswith("the association is fragile on r: randomization (within year) p = 0.200 (B = 1,999)")
    assert "dropping AAA flips the sign" in verdict(rows(0.01, 0.5, 0.01, flip=True))
    assert verdict(rows(0.01, 0.5, 0.01)).startswith("the association is consistent with an effect on r, within what an observational panel can show")

    # the causal checks weigh in (results/causal_checks.csv): the dynamic panel GMM, the imperfect instrument, an omitted confounder
    def strong(gmm_p: float = 0.01, ar2_p: float = 0.5, breakdown: float = 0.8, bench_low: float = 2.0) -> pd.DataFrame:
        common = {"release": "r", "years": "2002, 2005, 2008", "table": "3", "column": 3, "depvar": "KOFGIdj", "sample": "all"}
        out = []
        for model in ("difference GMM", "system GMM"):
            out += [{**common, "check": model, "term": "TBI", "coef": 5.0, "pvalue": gmm_p},
                    {**common, "check": model, "term": "AR(2)", "statistic": 0.5, "statistic_p": ar2_p}]  # fmt: skip
        out += [
            {**common, "check": "plausibly exogenous instrument", "term": "2SLS (δ = 0)", "coef": 9.0, "low": 2.0, "high": 16.0},
            {**common, "check": "plausibly exogenous instrument", "term": "breakdown δ (union of intervals)", "coef": 9.0 * breakdown, "share": breakdown},
            {**common, "check": "omitted-variable sensitivity", "term": "1× lnGDP", "coef": 8.0, "low": bench_low, "high": 14.0},
        ]
        return pd.DataFrame(out)

    assert verdict(rows(0.01, 0.5, 0.01), strong()).startswith("the association is consistent with an effect on r")
    assert "TBI's effect survives the dynamic panel GMM" in verdict(rows(0.01, 0.5, 0.01), strong())
    gone = verdict(rows(0.01, 0.5, 0.01), strong(gmm_p=0.4))
    assert gone.startswith("the association cannot be read as an effect on r: TBI's effect does not survive the dynamic panel GMM")
    # a GMM whose AR(2) rejects the instruments does not count either way
    assert "does not survive" not in verdict(rows(0.01, 0.5, 0.01), strong(gmm_p=0.4, ar2_p=0.01))
    assert "the 2SLS loses significance if the lagged TBI affects KOF directly by 0.20 of the 2SLS coefficient" in verdict(rows(0.01, 0.5, 0.01), strong(breakdown=0.2))
    assert "a confounder as strongly related to TBI and KOF as lnGDP would leave the estimate insignificant" in verdict(rows(0.01, 0.5, 0.01), strong(bench_low=-1.0))
    not_run = strong()
    not_run.loc[not_run["term"] == "TBI", ["coef", "pvalue"]] = float("nan")
    not_run.loc[not_run["term"] == "TBI", "note"] = "not computed: 4 periods (2002, 2005, 2008, 2011); too few"
    assert "Not available on this release: the dynamic panel GMM (4 periods (2002, 2005, 2008, 2011))" in verdict(rows(0.01, 0.5, 0.01), not_run)


def test_first_differences_pair_each_row_with_its_previous_period_whatever_the_row_order() -> None:
    """Each country-year with its previous period of the release's axis in the data gets the change of every column
    since then; one without it (the first period, or after a gap) gets none. Built here cell by cell, and the same on
    the rows shuffled (the result follows the rows' order)."""
    from tradeimbalance.econometrics.referee import first_difference

    periods = [2002, 2005, 2008, 2011, 2014]
    rng = np.random.default_rng(4)
    rows = [
        {"iso3": c, "year": y, "group": "developed" if i % 2 else "developing", "y": rng.normal(), "TBI": rng.normal(), "x": rng.normal()}
        for i, c in enumerate(("AAA", "BBB", "CCC", "DDD"))
        for y in periods
        if not (c == "BBB" and y == 2008) and not (c == "DDD" and y == 2002)  # a gap, and a late start
    ]
    data = pd.DataFrame(rows).sample(frac=1, random_state=2).reset_index(drop=True)
    got = first_difference(data, periods, ["y", "TBI", "x"])
    cell = {(r.iso3, r.year): r for r in data.itertuples()}
    expected = [
        {"iso3": r.iso3, "year": r.year, "group": r.group, **{f"d_{k}": getattr(r, k) - getattr(cell[(r.iso3, prev)], k) for k in ("y", "TBI", "x")}}
        for r in data.itertuples()
        if (prev := dict(zip(periods[1:], periods[:-1])).get(r.year)) is not None and (r.iso3, prev) in cell
    ]
    assert len(got) == len(expected) == 13  # 4 for AAA and CCC each; BBB 2 (2008 absent, so 2011 has no previous period); DDD 3 (from 2005)
    for column in ("iso3", "year", "group"):
        assert got[column].tolist() == [e[column] for e in expected]
    for column in ("d_y", "d_TBI", "d_x"):
        np.testing.assert_array_equal(got[column].to_numpy(), np.array([e[column] for e in expected]))


def test_the_next_and_previous_periods_are_looked_up_cell_by_cell() -> None:
    """with_periods gives each row the TBI of its country's next and previous period (from the release's TBI, which may
    reach outside the sample) and its own outcome of the previous period, on a shuffled panel of benchmark years with a
    gap, a late start and a TBI series with a hole, as a lookup cell by cell gives them."""
    from tradeimbalance.econometrics.referee import with_periods
    from tradeimbalance.release import previous_years

    rng = np.random.default_rng(0)
    periods = [2002, 2005, 2008, 2011, 2014]
    rows = [(c, y) for c in "ABCD" for y in periods if (c, y) not in {("B", 2008), ("C", 2002)}]
    panel = pd.DataFrame(rows, columns=["iso3", "year"]).sample(frac=1.0, random_state=1).reset_index(drop=True)
    panel["KOF"] = rng.normal(size=len(panel))
    tbi = pd.DataFrame([(c, y, rng.normal()) for c in "ABCDE" for y in [1999, *periods] if (c, y) != ("D", 2011)], columns=["iso3", "year", "tbi"])
    got = with_periods(panel, tbi, ["KOF"], periods)
    prev = previous_years(periods)
    nxt = {b: a for a, b in prev.items()}
    t = {(r.iso3, r.year): r.tbi for r in tbi.itertuples()}
    own = {(r.iso3, r.year): r.KOF for r in panel.itertuples()}
    for r in got.itertuples():
        for value, expected in ((r.F_TBI, t.get((r.iso3, nxt.get(r.year)), np.nan)), (r.L_TBI, t.get((r.iso3, prev.get(r.year)), np.nan)),
                                (r.L_KOF, own.get((r.iso3, prev.get(r.year)), np.nan))):  # fmt: skip
            assert (np.isnan(value) and np.isnan(expected)) or value == expected
    assert got["L_TBI"].isna().sum() == 4 and got["L_KOF"].isna().sum() == 5  # the first periods and the gaps
