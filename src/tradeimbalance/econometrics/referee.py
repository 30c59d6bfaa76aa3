"""The checks a referee asks for next: can the TBI coefficient be read as an effect?

For each release (its own panel: :func:`tradeimbalance.econometrics.releases.release_panel`) and each main
specification (config ``referee_checks.specifications``: Table 3 columns 1–4 and Table 4 columns 1–4), the two-way FE
model of :func:`tradeimbalance.econometrics.estimation.fit_fe` is estimated again in these ways. "Period" is the
release's time axis (:mod:`tradeimbalance.release`): the year of an annual release, the benchmark year of one of
benchmark years (the WIOD 2016 flows: three years).

* **Timing (falsification).** ``lead``: the next period's TBI (``F.TBI``) beside TBI. Under an effect of TBI on KOF and
  no feedback, the future TBI cannot predict today's KOF; if it does, reverse causality (KOF moves TBI) or trends common
  to both are not ruled out. ``lag``: the previous period's TBI (``L.TBI``) beside TBI, the mirror image. Both
  coefficients with the clustered p and the wild cluster restricted bootstrap p (:func:`.inference.bootstrap_p`,
  Rademacher weights, its own stream per cell and term).
* **Dynamics.** ``lagged outcome``: the previous period's outcome (``L.y``) beside TBI; with country effects this is
  biased (Nickell 1981) by an amount of order 1/T, T the periods per country, stated in the note.
  ``long difference``: the change in the outcome between each country's first and last period on the changes of TBI and
  the controls, one observation per country, heteroskedasticity-robust (HC1) SEs: slow-moving indices are compared over
  the longest horizon. ``first difference``: the change between consecutive periods on the changes of TBI and the
  controls with year effects, clustered by country.
* **Influence.** ``leave one out``: the TBI coefficient with each country dropped (:func:`.inference.leave_one_out`,
  the estimates the CRV3 jackknife is built from), each with its clustered p; the note flags a country whose removal
  changes the sign or the 5 % significance.
* **Randomization inference** (Heß 2017, ``ritest``), under the sharp null that TBI has no effect on anyone (the
  outcome and the controls are held, TBI is reassigned): ``randomization (within year)``: TBI permuted across countries
  within each year; ``randomization (country paths)``: each country's whole TBI path given to another country (the
  paths keep their time-series shape; countries are permuted within groups with the same years, so that every path
  fits). The statistic is the TBI coefficient's country-clustered t (the randomization-t: Young 2019; DiCiccio & Romano
  2017): a permuted TBI need not vary like the observed one — TBI permuted within years loses its persistence, so its
  within-country variance grows and its coefficient shrinks — and the studentized statistic keeps the test's size where
  the raw coefficient would not. p = (1 + #{|t*| ≥ |t|}) / (1 + B) (ties within rounding counted: :mod:`.montecarlo`) with its Monte Carlo SE, B from config, each on its
  own seeded stream (:func:`.montecarlo.stream_seed` of the seed, ``"referee"``, the release, the cell and the scheme).
  Where a scheme admits fewer assignments than B (the long-run era's five developing countries have four different
  year spans: 2 admissible path assignments), every one is enumerated and the p is exact; if its smallest attainable
  value exceeds 0.05 the test cannot reject at 5 %: the exact p is kept and the note gives the count of admissible
  assignments as the reason. The timing checks' wild bootstraps follow the same rule (with 2^G < B every Rademacher
  sign vector is enumerated; the identity and its mirror tie with the observed t, so the smallest attainable p is
  2/2^G). Every simulated p near 0.01, 0.05 or 0.10 (the permutations' and the timing checks' bootstraps alike) is
  computed again on a longer run of the same stream (:mod:`.montecarlo`).
  Each permuted coefficient is the FWL slope of the fixed outcome on the permuted TBI, both residualised on the fixed
  regressors (controls, year dummies, country means), with the CR1 SE of :func:`.estimation.fit_fe`.
* **Size.** ``size``: one within-country SD of TBI in outcome points, and as a share of the outcome's within-country SD
  (:func:`.releases.economic_size`).

Every row of ``results/referee_checks.csv``: ``release, years, table, column, depvar, sample, check, term, coef, se,
pvalue, p_wcr, mcse, draws, undecided, exact, admissible, nobs, nclusters, note`` (``mcse``: the Monte Carlo SE of the
simulated p, the WCR p of a timing row or the permutation p of a randomization row; ``undecided``: the threshold it is
still within two Monte Carlo SEs of after the longer run; ``exact``: every admissible assignment enumerated;
``admissible``: how many assignments the randomization scheme admits); a check that cannot be run on a release (too few
countries or periods) is a row with the reason in ``note`` and no estimate.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..release import previous_years, year_span
from .estimation import fit_fe
from .groups import demean, group_sums
from .inference import InferenceSettings, bootstrap_p, design, leave_one_out
from .montecarlo import MonteCarloP, attainable, enumerated_p, exact, redrawn, simulated_p, stream_seed
from .releases import economic_size
from .specifications import Specification, paper_specifications, sample_rows

log = logging.getLogger(__name__)

#: Assignments whose t statistics are computed at once: a block of columns (countries' rows × 256 permuted TBI) stays in
#: the cache, where all the draws at once (megabytes per temporary) would not. Each column's t is its own computation.
PERMUTATION_BLOCK = 256

COLUMNS = [
    "release", "years", "table", "column", "depvar", "sample", "check", "term", "coef", "se", "pvalue", "p_wcr", "mcse", "draws", "undecided",
    "exact", "admissible", "nobs", "nclusters", "note",
]  # fmt: skip
CHECKS = (
    "baseline", "lead", "lag", "lagged outcome", "long difference", "first difference", "leave one out", "randomization (within year)",
    "randomization (country paths)", "size",
)  # fmt: skip


@dataclass(frozen=True)
class RefereeSettings:
    """Config ``referee_checks``: which specifications (``"3.1"`` … ``"4.4"``), the permutation draws, the bootstrap draws
    of the timing checks, and the seed (``inference.seed``)."""

    specifications: tuple[str, ...] = ("3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "4.4")
    permutation_draws: int = 1999
    bootstrap_draws: int = 9999
    seed: int = 20210901
    #: the longer runs of a simulated p near 0.01, 0.05 or 0.10 (:mod:`.montecarlo`; 0: none)
    permutation_rerun_draws: int = 19999
    bootstrap_rerun_draws: int = 99999

    @classmethod
    def from_config(cls, cfg: Mapping[str, object], seed: int) -> RefereeSettings:
        return cls(
            specifications=tuple(str(s) for s in cfg.get("specifications", cls.specifications)),  # type: ignore[union-attr]
            permutation_draws=int(cfg.get("permutation_draws", cls.permutation_draws)),  # type: ignore[call-overload]
            bootstrap_draws=int(cfg.get("bootstrap_draws", cls.bootstrap_draws)),  # type: ignore[call-overload]
            seed=int(seed),
            permutation_rerun_draws=int(cfg.get("permutation_rerun_draws", cls.permutation_rerun_draws)),  # type: ignore[call-overload]
            bootstrap_rerun_draws=int(cfg.get("bootstrap_rerun_draws", cls.bootstrap_rerun_draws)),  # type: ignore[call-overload]
        )


def specifications(wanted: Sequence[str], outcomes: Sequence[str]) -> list[Specification]:
    """The paper's columns named ``table.column`` (two-way FE columns only)."""
    specs = {f"{s.table}.{s.column}": s for s in paper_specifications(outcomes[:2], outcomes[2:5]) if s.estimator == "fe" and s.tbi == "TBI"}
    bad = [w for w in wanted if w not in specs]
    if bad:
        raise ValueError(f"config referee_checks.specifications: {bad} are not two-way FE columns of Tables 3–6 ({', '.join(specs)})")
    return [specs[w] for w in wanted]


def with_periods(panel: pd.DataFrame, tbi: pd.DataFrame, outcomes: Sequence[str], periods: Sequence[int]) -> pd.DataFrame:
    """The panel with ``F_TBI`` and ``L_TBI`` (the next and the previous period's TBI, from the release's TBI: they may
    lie outside the sample; ``L_TBI`` is the panel's own instrument) and ``L_<outcome>`` (the previous period's outcome,
    from the panel's own rows) on the release's time axis."""
    prev = previous_years(periods)
    nxt = {b: a for a, b in prev.items()}
    out = panel.copy()
    years = out["year"].astype(int)
    # each row's key in the next and in the previous period (−1: there is none), looked up in one reindex each
    at_next = pd.MultiIndex.from_arrays([out["iso3"], years.map(lambda y: nxt.get(y, -1))])
    at_prev = pd.MultiIndex.from_arrays([out["iso3"], years.map(lambda y: prev.get(y, -1))])
    t = tbi.set_index(["iso3", "year"])["tbi"]
    out["F_TBI"] = t.reindex(at_next).to_numpy(dtype=float)
    out["L_TBI"] = t.reindex(at_prev).to_numpy(dtype=float)
    own = out.set_index(["iso3", "year"])
    for o in outcomes:
        out[f"L_{o}"] = own[o].reindex(at_prev).to_numpy(dtype=float)
    return out


def _row(base: Mapping[str, object], check: str, term: str, **values: object) -> dict[str, object]:
    return {**base, "check": check, "term": term, **values}


def _skip(data: pd.DataFrame, controls: Sequence[str], extra: int = 0) -> str:
    g, t = data["iso3"].nunique(), data["year"].nunique()
    if g < 3:
        return f"{g} countries: clustered inference needs at least 3"
    if t < 2:
        return f"{t} period: the country effects absorb all variation"
    if len(data) <= g + t + len(controls) + 1 + extra:
        return f"{len(data)} country-years for {g} country effects, {t - 1} year effects and {len(controls) + 1 + extra} regressors"
    return ""


def _fe_rows(data: pd.DataFrame, y: str, terms: Sequence[str], x: Sequence[str], base: Mapping[str, object], check: str, settings: RefereeSettings,
             labels: Mapping[str, str], note: str = "", bootstrap: bool = True) -> list[dict[str, object]]:  # fmt: skip
    """The two-way FE regression of ``y`` on ``terms`` (reported) and ``x``, each term with its clustered p and, with
    ``bootstrap``, its WCR p (the term as the first regressor, its own stream)."""
    why = _skip(data, x, len(terms) - 1)
    if why:
        return [_row(base, check, labels.get(t, t), note=why) for t in terms]
    fit = fit_fe(data, y, [*terms, *x])
    rows = []
    for term in terms:
        c = fit.coefs.loc[term]
        extra: dict[str, object] = {}
        if bootstrap:
            d = design(data, y, [term, *[o for o in terms if o != term], *x])
            inf = InferenceSettings(bootstrap_draws=settings.bootstrap_draws, seed=settings.seed, weights=("rademacher",), rerun_draws=settings.bootstrap_rerun_draws)
            bp = bootstrap_p(d.x, d.y, d.entity, column=0, settings=inf, stream="|".join(["referee", str(base["release"]), f"{base['table']}.{base['column']}", check, term]), weights="rademacher")
            extra = {"p_wcr": bp.pvalue, "mcse": bp.mcse, "draws": bp.draws, "undecided": bp.undecided, "exact": bp.exact, **({"admissible": bp.draws} if bp.exact else {})}
        why = extra.get("exact") and bp.cannot_reject
        text = "; ".join(t for t in (note, f"wild bootstrap: {why}" if why else "") if t)
        rows.append(_row(base, check, labels.get(term, term), coef=float(c["coef"]), se=float(c["se"]), pvalue=float(c["pvalue"]), nobs=fit.nobs, nclusters=fit.nclusters, note=text, **extra))
    return rows


def _hc1(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS coefficients and HC1 standard errors (a constant is in ``x``)."""
    n, k = x.shape
    xtx_inv = np.linalg.inv(x.T @ x)
    b = xtx_inv @ x.T @ y
    u = y - x @ b
    meat = (x * u[:, None]).T @ (x * u[:, None])
    v = n / (n - k) * xtx_inv @ meat @ xtx_inv
    return b, np.sqrt(np.diag(v))


def long_difference(data: pd.DataFrame, y: str, x: Sequence[str]) -> tuple[pd.DataFrame, str]:
    """Each country's change between its first and last period: ``iso3, d_<y>, d_TBI, d_<controls>`` (one row per
    country with two periods or more), and the span in words."""
    d = data.sort_values(["iso3", "year"])
    first, last = d.groupby("iso3").head(1).set_index("iso3"), d.groupby("iso3").tail(1).set_index("iso3")
    keep = last["year"] > first["year"]
    cols = [y, "TBI", *x]
    diff = (last.loc[keep, cols] - first.loc[keep, cols]).add_prefix("d_").reset_index()
    spans = (first.loc[keep, "year"].astype(str) + "–" + last.loc[keep, "year"].astype(str)).value_counts()
    return diff, ", ".join(f"{s} ({n} countries)" for s, n in spans.items())


def first_difference(data: pd.DataFrame, periods: Sequence[int], columns: Sequence[str]) -> pd.DataFrame:
    """The change of ``columns`` between consecutive periods of the release (a country-year without its previous
    period in the data has none), with ``iso3, year, group``."""
    prev = previous_years(periods)
    cols = list(dict.fromkeys(columns))
    d = data.reset_index(drop=True)
    now = d.assign(_prev=d["year"].map(lambda y: prev.get(int(y), -1)).astype("int64"))
    before = d[["iso3", "year", *cols]].rename(columns={"year": "_prev", **{k: f"_before_{k}" for k in cols}}).astype({"_prev": "int64"})
    m = now.merge(before, on=["iso3", "_prev"], how="inner", sort=False)  # the rows of ``data`` with their previous period, in order
    out = pd.DataFrame({"iso3": m["iso3"].to_numpy(), "year": m["year"].astype(int).to_numpy(), "group": m["group"].to_numpy()})
    for k in cols:
        out[f"d_{k}"] = (m[k] - m[f"_before_{k}"]).to_numpy(float)
    return out


def _residualise(data: pd.DataFrame, y: str, x: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The outcome and the nuisance regressors (controls, year dummies), country means swept out; the projection basis
    of the nuisance (orthonormal columns); the country and year codes."""
    d = data.sort_values(["iso3", "year"]).reset_index(drop=True)
    e = pd.factorize(d["iso3"], sort=True)[0]
    t = pd.factorize(d["year"], sort=True)[0]
    dummies = np.zeros((len(d), int(t.max())))
    rows = np.flatnonzero(t > 0)
    dummies[rows, t[rows] - 1] = 1.0
    z = demean(np.column_stack([d[list(x)].to_numpy(float), dummies]) if len(x) else dummies, e)
    q = np.linalg.qr(z)[0] if z.shape[1] else np.zeros((len(d), 0))
    yd = demean(d[y].to_numpy(float), e)
    return yd - q @ (q.T @ yd), q, e, t


def assignment_groups(data: pd.DataFrame, scheme: str) -> list[np.ndarray]:
    """The rows (of ``data`` sorted by country and year) whose TBI values a scheme shuffles among themselves:
    ``within_year``: each year's rows (TBI permuted across countries within each year); ``country_paths``: for each set
    of countries with the same years, one row index per country and year (``countries × periods``: whole paths are
    permuted among countries that have the same years, so that every path fits)."""
    d = data.sort_values(["iso3", "year"]).reset_index(drop=True)
    if scheme == "within_year":
        t = pd.factorize(d["year"], sort=True)[0]
        return [np.flatnonzero(t == year) for year in np.unique(t)]
    if scheme == "country_paths":
        years_of = d.groupby("iso3")["year"].apply(lambda s: tuple(sorted(s)))
        out = []
        for _, members in years_of.groupby(years_of):  # countries with the same years swap whole paths
            out.append(np.stack([np.flatnonzero(d["iso3"].to_numpy() == c) for c in members.index]))
        return out
    raise ValueError(f"unknown permutation scheme {scheme!r}")


def admissible_assignments(groups: Sequence[np.ndarray]) -> int:
    """How many assignments a scheme admits (the observed one among them): the product of ``n!`` over its groups
    (``n`` the countries of a year, or the countries sharing a year span)."""
    return math.prod(math.factorial(len(g)) for g in groups)


def _permuted(tbi: np.ndarray, groups: Sequence[np.ndarray], orders: Sequence[np.ndarray]) -> np.ndarray:
    """The permuted TBI columns (n × B): in each group, the group's values in the order ``orders[i]`` (B × n_i)."""
    out = np.empty((tbi.size, orders[0].shape[0]))
    for rows, order in zip(groups, orders):
        if rows.ndim == 1:  # within a year: a row per country
            out[rows, :] = tbi[rows][order].T
        else:  # whole paths: a row per country of row indices per period
            paths = tbi[rows]  # countries × periods
            for i in range(rows.shape[0]):
                out[rows[i], :] = paths[order[:, i]].T
    return out


def permutation_p(
    data: pd.DataFrame, y: str, x: Sequence[str], scheme: str, draws: int, seed: np.random.SeedSequence, rerun_draws: int = 0,
) -> tuple[MonteCarloP, float, int]:  # fmt: skip
    """Randomization inference on the TBI coefficient (module docstring): the p-value (:class:`.montecarlo.MonteCarloP`),
    the observed coefficient and the number of admissible assignments. ``scheme``: ``within_year`` or ``country_paths``;
    the statistic is the clustered t.

    With fewer admissible assignments than ``draws``, every one is enumerated and the p is exact,
    ``#{|t*| ≥ |t|}/M`` over the M assignments (the observed one among them); when its smallest attainable value 1/M exceeds
    0.05 the test cannot reject at 5 %, and the reason (the count) is kept beside the exact p (:func:`.montecarlo.attainable`).
    Otherwise assignments are drawn, each group from a stream of its own derived from ``seed`` (so that a longer run of
    the stream begins with the shorter one's draws), ``p = (1 + #{|t*| ≥ |t|})/(1 + B)``, and a p within two Monte Carlo
    SEs of 0.01, 0.05 or 0.10 is computed again on ``rerun_draws`` draws (:func:`.montecarlo.redrawn`)."""
    d = data.sort_values(["iso3", "year"]).reset_index(drop=True)
    y_res, q, e, _ = _residualise(d, y, x)
    tbi = d["TBI"].to_numpy(float)
    n, g = len(d), int(e.max()) + 1
    k = q.shape[1] + 2  # TBI, the nuisance regressors, the constant (the country effects are nested in the clusters)
    factor = g / (g - 1) * (n - 1) / (n - k)

    def t_stats(xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # xs: n × B permuted TBI columns
        xd = demean(xs, e)
        xr = xd - q @ (q.T @ xd)
        sxx = (xr**2).sum(axis=0)
        b = (xr * y_res[:, None]).sum(axis=0) / sxx
        scores = group_sums(xr * (y_res[:, None] - xr * b), e, g)  # per-country x̃'ẽ
        return b, b / np.sqrt(factor * (scores**2).sum(axis=0) / sxx**2)

    def t_of(orders: Sequence[np.ndarray]) -> np.ndarray:  # the t of every assignment, PERMUTATION_BLOCK at a time
        b = orders[0].shape[0]
        return np.concatenate([t_stats(_permuted(tbi, groups, [o[i : i + PERMUTATION_BLOCK] for o in orders]))[1] for i in range(0, b, PERMUTATION_BLOCK)])

    b_obs, t_obs = (float(v[0]) for v in t_stats(tbi[:, None]))
    groups = assignment_groups(d, scheme)
    size = [len(grp) for grp in groups]
    m = admissible_assignments(groups)
    if m <= draws:  # every admissible assignment, the observed one included
        perms = list(itertools.product(*(itertools.permutations(range(k_)) for k_ in size)))
        orders = [np.array([p[i] for p in perms]) for i in range(len(size))]
        t_all = t_of(orders)
        return exact(enumerated_p(np.abs(t_all), abs(t_obs)), m, attainable(m)), b_obs, m
    seeds = [np.random.SeedSequence(entropy=seed.entropy, spawn_key=(*seed.spawn_key, i)) for i in range(len(groups))]

    def p_of(b: int) -> tuple[float, int]:
        orders = [np.argsort(np.random.default_rng(s_).random((b, k_)), axis=1) for s_, k_ in zip(seeds, size)]  # one permutation per draw
        t_perm = t_of(orders)
        return simulated_p(np.abs(t_perm), abs(t_obs)), b

    return redrawn(p_of, draws, rerun_draws), b_obs, m


def check_release(
    release: str, panel: pd.DataFrame, tbi: pd.DataFrame, periods: Sequence[int], controls: Sequence[str], outcomes: Sequence[str], settings: RefereeSettings,
) -> list[dict[str, object]]:  # fmt: skip
    """Every check of every configured specification on one release's panel (module docstring)."""
    full = with_periods(panel, tbi, outcomes, periods)
    years = year_span(panel["year"])
    out: list[dict[str, object]] = []
    for spec in specifications(settings.specifications, outcomes):
        data = sample_rows(full, spec.sample)
        x = list(controls) if spec.controls else []
        y = spec.depvar
        base = {"release": release, "years": years, "table": spec.table, "column": spec.column, "depvar": y, "sample": spec.sample}
        cell = f"{spec.table}.{spec.column}"
        (baseline,) = _fe_rows(data, y, ["TBI"], x, base, "baseline", settings, {}, bootstrap=False)
        out.append(baseline)
        why = _skip(data, x)
        if why:
            out += [_row(base, c, "TBI", note=why) for c in CHECKS[1:]]
            continue
        # timing
        lead = data.dropna(subset=["F_TBI"])
        out += _fe_rows(lead, y, ["TBI", "F_TBI"], x, base, "lead", settings, {"F_TBI": "F.TBI"}, note=f"next period's TBI; the last period ({max(data['year'])}) has none and drops out")
        lag = data.dropna(subset=["L_TBI"])
        out += _fe_rows(lag, y, ["TBI", "L_TBI"], x, base, "lag", settings, {"L_TBI": "L.TBI"}, note=f"previous period's TBI; the first period ({min(data['year'])}) has none and drops out")
        # dynamics
        ly = data.dropna(subset=[f"L_{y}"])
        t_bar = float(ly.groupby("iso3")["year"].nunique().mean()) if len(ly) else float("nan")
        out += _fe_rows(ly, y, ["TBI", f"L_{y}"], x, base, "lagged outcome", settings, {f"L_{y}": f"L.{y}"}, bootstrap=False,
                        note=f"Nickell bias of order 1/T with T = {t_bar:.1f} periods per country: the lagged outcome's coefficient is biased down, TBI's with it")  # fmt: skip
        ld, spans = long_difference(data, y, x)
        if len(ld) > len(x) + 3:
            xs = np.column_stack([np.ones(len(ld)), ld[["d_TBI", *[f"d_{c}" for c in x]]].to_numpy(float)])
            b, se = _hc1(xs, ld[f"d_{y}"].to_numpy(float))
            pv = float(2 * stats.t.sf(abs(b[1] / se[1]), len(ld) - xs.shape[1]))
            out.append(_row(base, "long difference", "ΔTBI", coef=float(b[1]), se=float(se[1]), pvalue=pv, nobs=len(ld), nclusters=len(ld),
                            note=f"first to last period of each country: {spans}; HC1 SEs, t({len(ld) - xs.shape[1]})"))  # fmt: skip
        else:
            out.append(_row(base, "long difference", "ΔTBI", note=f"{len(ld)} countries for {len(x) + 2} coefficients"))
        fd = first_difference(data, periods, [y, "TBI", *x])
        fd_terms = ["d_TBI", *[f"d_{c}" for c in x]]
        out += _fe_rows_fd(fd, f"d_{y}", fd_terms, base)
        # influence (the leave-one-out estimates the CRV3 jackknife is built from)
        loo = leave_one_out(design(data, y, ["TBI", *x]), column=0)
        b_full, p_full = float(baseline["coef"]), float(baseline["pvalue"])  # type: ignore[arg-type]
        for r in loo.itertuples(index=False):
            flags = [f for f, hit in (("changes the sign", np.sign(r.coef) != np.sign(b_full)), ("changes the 5 % significance", (r.pvalue < 0.05) != (p_full < 0.05))) if hit]
            out.append(_row(base, "leave one out", f"without {r.country}", coef=float(r.coef), se=float(r.se), pvalue=float(r.pvalue), nobs=int(r.nobs),
                            nclusters=int(r.nclusters), note="; ".join(flags)))  # fmt: skip
        # randomization inference
        for scheme, check in (("within_year", "randomization (within year)"), ("country_paths", "randomization (country paths)")):
            mc, b_obs, admissible = permutation_p(data, y, x, scheme, settings.permutation_draws, stream_seed(settings.seed, "referee", release, cell, scheme),
                                                  settings.permutation_rerun_draws)  # fmt: skip
            note = (f"p of |t*| ≥ |t| (the clustered t of TBI) under the sharp null over all {admissible:,} admissible assignments (exact)"
                    + (f"; {mc.cannot_reject}" if mc.cannot_reject else "") if mc.exact else
                    "p of |t*| ≥ |t| (the clustered t of TBI) under the sharp null, with its Monte Carlo SE" + (" (drawn on: near a threshold)" if mc.redrawn else ""))  # fmt: skip
            out.append(_row(base, check, "TBI", coef=b_obs, pvalue=mc.pvalue, mcse=mc.mcse, draws=mc.draws, undecided=mc.undecided, exact=mc.exact,
                            admissible=admissible, nobs=len(data), nclusters=data["iso3"].nunique(), note=note))  # fmt: skip
        # size
        size = economic_size(data, y, "TBI", b_full)
        out.append(_row(base, "size", "1 within-country SD of TBI (outcome points)", coef=size["effect_1sd"], nobs=len(data), nclusters=data["iso3"].nunique(),
                        note=f"within-country SD of TBI {size['sd_within_tbi']:.4f}; of {y} {size['sd_within_outcome']:.4f}; share of the outcome's within SD {size['effect_share']:.3f}"))  # fmt: skip
    return out


def _fe_rows_fd(fd: pd.DataFrame, y: str, terms: Sequence[str], base: Mapping[str, object]) -> list[dict[str, object]]:
    """First differences with year effects, clustered by country (the country effects differenced away): OLS of the
    differenced outcome on the differenced regressors and year dummies, CR1 as ``regress …, vce(cluster)``."""
    if fd.empty or fd["iso3"].nunique() < 3 or fd["year"].nunique() < 1:
        return [_row(base, "first difference", "ΔTBI", note="too few consecutive periods or countries")]
    years = sorted(fd["year"].unique())
    dummies = np.column_stack([(fd["year"] == yr).to_numpy(float) for yr in years[1:]]) if len(years) > 1 else np.zeros((len(fd), 0))
    x = np.column_stack([np.ones(len(fd)), fd[list(terms)].to_numpy(float), dummies])
    yv = fd[y].to_numpy(float)
    n, k = x.shape
    if n <= k:
        return [_row(base, "first difference", "ΔTBI", note=f"{n} differences for {k} coefficients")]
    xtx_inv = np.linalg.inv(x.T @ x)
    b = xtx_inv @ x.T @ yv
    u = yv - x @ b
    codes = pd.factorize(fd["iso3"])[0]
    g = int(codes.max()) + 1
    scores = np.zeros((g, k))
    np.add.at(scores, codes, x * u[:, None])
    v = g / (g - 1) * (n - 1) / (n - k) * xtx_inv @ (scores.T @ scores) @ xtx_inv
    se = math.sqrt(v[1, 1])
    pv = float(2 * stats.t.sf(abs(b[1] / se), g - 1))
    return [_row(base, "first difference", "ΔTBI", coef=float(b[1]), se=se, pvalue=pv, nobs=n, nclusters=g,
                 note=f"changes between consecutive periods ({len(years)} of them), year effects, clustered by country")]  # fmt: skip
