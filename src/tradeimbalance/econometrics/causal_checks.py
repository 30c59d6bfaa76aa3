"""How strong is the causal case? Four tools a referee reaches for after the timing checks of :mod:`.referee`, on every
release and each main specification (config ``referee_checks.specifications``: Table 3 columns 1–4, Table 4 columns 1–4).

**1. Dynamic panel GMM** (:func:`dynamic_gmm`, with ``pyxtabond2``, which reproduces Stata's ``xtabond2``). If KOF is
persistent and feeds back into TBI, the fixed-effects estimate with a lagged outcome carries Nickell bias and TBI is not
strictly exogenous. Arellano–Bond (difference GMM) and Blundell–Bond (system GMM), two-step with Windmeijer-corrected
SEs: ``y_it = ρ y_i,t−1 + β TBI_it + γ'X_it + λ_t + c_i + e_it``, the lagged outcome and TBI endogenous (instrumented
GMM-style by their own lags 2 and deeper, :data:`GMM_LAGS`, collapsed: one instrument per lag), the controls of the
column as their own instruments, time effects as year dummies (a full-rank set, chosen on the design the estimator uses:
the library does not drop a redundant regressor, so the rank is checked here and a redundant column refused by name).
The instrument count is kept below the number of countries (Roodman 2009): where the year dummies would reach it, the
time effects are removed by demeaning every variable by year instead, and then the deepest lag is dropped; if the count
still reaches the number of countries, the row says so. The period is the release's time axis; a release needs
:data:`MIN_PERIODS` periods: with T periods the lagged outcome leaves T − 1 in levels, the differenced equation T − 2,
and the AR(2) test of the instruments' validity T − 4 pairs of differenced residuals two periods apart per country, at
least one (the paper's own data as flows have five benchmark years: one pair per country, 41 in all). The AR(2) row
gives the number of pairs it rests on; with one or two per country the test has little power against invalid
instruments, and the row says so. Reported: TBI's coefficient and SE, the lagged outcome's, the long-run effect
β/(1 − ρ) with its delta-method SE, AR(1) and AR(2), Hansen's J and its p, and the instrument count. ``nobs`` is the
count ``xtabond2`` reports (the differenced equation's observations for difference GMM, the levels equation's for system
GMM); ``nobs_stacked`` the rows of the stacked system the estimator solves.

**2. Plausibly exogenous instrument** (Conley, Hansen & Rossi 2012; :func:`plausibly_exogenous`, by hand on
``linearmodels``' IV2SLS through :func:`.estimation.fit_2sls`). The paper's 2SLS instruments TBI with its lag. If the
lag affects KOF directly, ``y = βTBI + γ L.TBI + …`` with γ ≠ 0. For γ known, the 2SLS of ``y − γ L.TBI`` is consistent.
*Union of confidence intervals*: for γ ∈ [−δ, δ] the union of the 95 % intervals of those 2SLS fits. The estimate is
linear in γ and its clustered variance quadratic in γ (the residuals are linear in γ), so three fits (γ = 0, ±1) give
both exactly for every γ. *Local to zero*: with the prior γ ~ N(0, (δ/2)²) (δ two prior SDs), the estimate is normal
with mean β and variance ``V + A² (δ/2)²``, A = ∂β̂/∂γ (minus the ratio of the instrument's variance to its covariance
with TBI, partialled on the controls and effects), and the interval is ``β̂ ± c √(V + A²(δ/2)²)``. The critical value
``c`` is that of the 2SLS p-values, the 97.5 % quantile of Student's t with G − 1 degrees of freedom (G countries:
2.02 with 41), not 1.96. δ runs over a grid of shares of the 2SLS TBI coefficient (:data:`DELTA_SHARES`); the
**breakdown δ** is the smallest δ at which the 95 % set contains zero (solved exactly). At δ = 0 both are the 2SLS
interval: where it contains zero already, the breakdown δ is 0 and the row says "already at δ = 0" (the instrument
needs no direct effect for the 2SLS to lose significance). The breakdown at 90 % (``c`` the 95 % quantile of t(G − 1))
is reported beside it, since a 2SLS with p between 0.05 and 0.10 has a positive breakdown there.

**3. Omitted-variable sensitivity** (Cinelli & Hazlett 2020; :func:`ovb_sensitivity`, by hand). For the two-way FE
estimate: the partial R² of TBI with the outcome, ``t²/(t² + df)``; the robustness value RV(q = 1), the share of the
residual variance of both TBI and KOF a confounder must explain to bring the estimate to zero, and RV(q = 1, α = 0.05),
to make it insignificant; and bounds on a confounder k = 1, 2, 3 times as strongly related to TBI and KOF as an observed
control (lnGDP, RQ: :data:`BENCHMARKS`): its partial R²s and the estimate adjusted for it. Cinelli–Hazlett's algebra
holds for the OLS t (``df`` the residual degrees of freedom of the within regression: N − G − K). The package reports
it with that t and, as a heuristic the algebra does not cover, with the country-clustered t in its place; the verdicts
of both are stated. The contour plot draws the adjusted estimate over the confounder's two partial R²s.

**4. What two-way FE averages** (de Chaisemartin & D'Haultfœuille 2020; :func:`twfe_weights` with
``twowayfeweights``, which reproduces the Stata/R package). The TWFE coefficient of a treatment that is continuous and
changes in every cell is a weighted sum of the cells' effects, some weights possibly negative. Reported: the number of
positive and negative weights, the sum of the negative ones, and the two sensitivity measures of de Chaisemartin &
D'Haultfœuille (2020), each under its own name: ``sigma_ate_zero`` (their Corollary 1, ``twowayfeweights``'
``sensibility``), the smallest standard deviation of the cells' effects compatible with β and an average effect of
zero, ``|β|/σ(w)``; and ``sigma_opposite_sign`` (Corollary 2, ``sensibility2``), the smallest standard deviation of the
cells' effects under which β could have the opposite sign of every cell's effect, defined only where some weights are
negative. With a continuous treatment the weights depend on where the treatment's zero is (β does not): the package
reports TBI's own zero (balanced value-added trade, a meaningful reference) and the sample minimum (every cell's
treatment non-negative), and says which is which. The decomposition and both measures assume a treatment that is
non-negative in every cell; where the reference makes it negative in some cells (TBI's zero: every country-year with a
value-added deficit), both are not defined, with the count of such cells as the reason; a measure the library returns
as NaN is reported as not defined, with the reason.

Every row of ``results/causal_checks.csv`` (:data:`COLUMNS`) carries the keys of ``results/referee_checks.csv``
(``release, years, table, column, depvar, sample, check, term``) and the values its check gives; the δ grid of the
plausibly exogenous intervals is ``results/causal_checks_delta.csv``.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..release import year_span
from .specifications import Specification, sample_rows

log = logging.getLogger(__name__)

COLUMNS = [
    "release", "years", "table", "column", "depvar", "sample", "check", "term", "coef", "se", "pvalue", "low", "high", "statistic",
    "statistic_p", "statistic_clustered", "df", "share", "r2dz", "r2yz", "n_positive", "n_negative", "sum_negative", "sigma_ate_zero", "sigma_opposite_sign",
    "instruments", "nobs", "nobs_stacked", "nclusters", "periods", "setting", "note",
]  # fmt: skip
DELTA_COLUMNS = ["release", "table", "column", "depvar", "sample", "share", "delta", "uci_low", "uci_high", "ltz_low", "ltz_high"]

#: The GMM instruments' lags (first, last): lags 2 and deeper of the lagged outcome and of TBI, collapsed.
GMM_LAGS = (2, 3)
#: The fewest periods a release needs for the dynamic panel GMM (module docstring): five leave one AR(2) pair per country.
MIN_PERIODS = 5
#: δ as a share of the 2SLS TBI coefficient.
DELTA_SHARES = tuple(np.round(np.arange(0.0, 2.0001, 0.05), 2))
#: The observed controls a confounder is benchmarked on, and the multiples of their strength.
BENCHMARKS = ("lnGDP", "RQ")
STRENGTHS = (1, 2, 3)
LEVEL = 0.95


@dataclass(frozen=True)
class CausalSettings:
    """Config ``causal_checks``: the GMM's instrument lags and minimum periods, the δ grid's shares, the benchmarks."""

    gmm_lags: tuple[int, int] = GMM_LAGS
    min_periods: int = MIN_PERIODS
    delta_shares: tuple[float, ...] = DELTA_SHARES
    benchmarks: tuple[str, ...] = BENCHMARKS
    strengths: tuple[int, ...] = STRENGTHS

    @classmethod
    def from_config(cls, cfg: Mapping[str, object]) -> CausalSettings:
        lags = cfg.get("gmm_lags", GMM_LAGS)
        top = float(cfg.get("delta_max_share", 2.0))  # type: ignore[arg-type]
        step = float(cfg.get("delta_step_share", 0.05))  # type: ignore[arg-type]
        return cls(
            gmm_lags=(int(lags[0]), int(lags[1])),  # type: ignore[index]
            min_periods=int(cfg.get("gmm_min_periods", MIN_PERIODS)),  # type: ignore[call-overload]
            delta_shares=tuple(np.round(np.arange(0.0, top + step / 2, step), 6)),
            benchmarks=tuple(str(b) for b in cfg.get("benchmarks", BENCHMARKS)),  # type: ignore[union-attr]
            strengths=tuple(int(k) for k in cfg.get("strengths", STRENGTHS)),  # type: ignore[union-attr]
        )


def _row(base: Mapping[str, object], check: str, term: str, **values: object) -> dict[str, object]:
    return {**base, "check": check, "term": term, **values}


# ====================================================================== 1. dynamic panel GMM
class RankError(ValueError):
    """A GMM design with a redundant regressor (``pyxtabond2`` does not drop it; the estimates would be arbitrary);
    ``redundant``: the regressors named."""

    def __init__(self, message: str, redundant: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.redundant = list(redundant)


def _redundant(x: np.ndarray, names: Sequence[str], last: Sequence[str] = ()) -> list[str]:
    """The columns of ``x`` that add nothing to the rank of the columns before them, taken in order with the columns
    ``last`` (the year dummies: the ones to leave out) at the end."""
    from .groups import rank_deficient

    order = [j for j, n in enumerate(names) if n not in set(last)] + [j for j, n in enumerate(names) if n in set(last)]
    kept: list[int] = []
    out = []
    for j in order:
        cols = [*kept, j]
        if rank_deficient(x[:, cols].T @ x[:, cols]):
            out.append(names[j])
        else:
            kept.append(j)
    return out


@dataclass(frozen=True)
class GMMFit:
    """One dynamic panel GMM fit: coefficients and Windmeijer covariance by regressor, the diagnostics."""

    names: list[str]
    beta: np.ndarray
    cov: np.ndarray
    ar1: tuple[float, float]
    ar2: tuple[float, float]
    hansen: tuple[float, float]
    hansen_df: int
    instruments: int
    nobs: int
    groups: int
    nobs_stacked: int

    def coef(self, name: str) -> tuple[float, float]:
        i = self.names.index(name)
        return float(self.beta[i]), float(math.sqrt(self.cov[i, i]))

    def long_run(self, tbi: str, lagged: str) -> tuple[float, float]:
        """β/(1 − ρ) and its delta-method SE: gradient (1/(1 − ρ), β/(1 − ρ)²) on the (β, ρ) block of the covariance."""
        i, j = self.names.index(tbi), self.names.index(lagged)
        b, r = float(self.beta[i]), float(self.beta[j])
        grad = np.array([1.0 / (1.0 - r), b / (1.0 - r) ** 2])
        v = self.cov[np.ix_([i, j], [i, j])]
        return b / (1.0 - r), float(math.sqrt(grad @ v @ grad))


def dynamic_gmm(
    data: pd.DataFrame, y: str, lagged: str, endogenous: Sequence[str], exogenous: Sequence[str], *, model: str, lags: tuple[int, int] = GMM_LAGS,
    id_col: str = "iso3", time_col: str = "period", dummies: Sequence[str] = (),
) -> GMMFit:  # fmt: skip
    """Two-step GMM with Windmeijer-corrected SEs (``pyxtabond2``): ``y`` on ``lagged`` (its own previous period), the
    ``endogenous`` regressors and the ``exogenous`` ones (controls, year dummies), ``model`` ``difference`` or ``system``.
    ``y`` (for ``lagged``) and the ``endogenous`` regressors are instrumented GMM-style by their lags ``lags``, collapsed;
    the ``exogenous`` by themselves. ``time_col`` must be consecutive integers (the release's periods). A regressor that
    adds nothing to the rank of the design the estimator uses raises :class:`RankError` naming it (of the ``dummies``
    among the exogenous regressors, the later ones are named first)."""
    from pyxtabond2 import GMMStyle, IVStyle, PyXtabond2

    if model not in ("difference", "system"):
        raise ValueError(f"model={model!r}: expected difference or system")
    x_vars = [lagged, *endogenous, *exogenous]
    gmm = [GMMStyle(y, lag=lags, collapse=True), *(GMMStyle(v, lag=lags, collapse=True) for v in endogenous)]
    iv = [IVStyle(list(exogenous))] if exogenous else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", message="The inplace keyword in DataFrame", module="pyxtabond2")  # the library's pandas 3.1 deprecations
        est = PyXtabond2(data, id_col, time_col, y, x_vars=x_vars, gmm=gmm, iv=iv, model_type=model, twostep=True, robust=True).fit()
    engine = est.engine
    names = [*x_vars, *(["_cons"] if model == "system" else [])]
    redundant = _redundant(np.asarray(engine.X, dtype=float), names, dummies)
    if redundant:
        raise RankError(f"{model} GMM of {y}: the regressor(s) {', '.join(redundant)} add nothing to the rank of the design the estimator uses "
                        "(pyxtabond2 does not drop them and its estimates would be arbitrary); leave them out", redundant)  # fmt: skip
    diag = est.diag
    ar = diag.get("ar", {})
    return GMMFit(
        names, np.asarray(est.beta, dtype=float).ravel(), np.asarray(engine.V2_robust, dtype=float),
        tuple(map(float, ar.get(1, (np.nan, np.nan)))), tuple(map(float, ar.get(2, (np.nan, np.nan)))),  # type: ignore[arg-type]
        tuple(map(float, diag["hansen"])), int(diag["df"]), int(engine.n_instruments),
        # xtabond2's N: the levels equation's observations for system GMM, the differenced ones for difference GMM
        int(np.sum(engine.is_level)) if model == "system" else int(engine.n_obs), int(engine.N_groups), int(engine.n_obs),  # type: ignore[arg-type]
    )  # fmt: skip


def _year_dummies(periods: np.ndarray) -> pd.DataFrame:
    """A dummy for every period but the first present."""
    ps = sorted(set(int(p) for p in periods))
    return pd.DataFrame({f"yr{p}": (periods == p).astype(float) for p in ps[1:]})


def _full_rank_dummies(
    data: pd.DataFrame, y: str, lagged: str, endogenous: Sequence[str], controls: Sequence[str], dummies: Sequence[str], model: str,
    lags: tuple[int, int],
) -> tuple[GMMFit, list[str]]:  # fmt: skip
    """Fit with the year dummies, leaving out those the estimator's design makes redundant (named by :func:`dynamic_gmm`'s
    check), until the design has full rank.

    The last period's dummy is left out from the start: it is always redundant, so a first fit would only name it. The
    equations the estimator stacks have no row of the first period (its lagged outcome is missing), so in every row the
    dummies of the later periods sum to the constant in levels (one) and to zero in differences; and the check scans the
    regressors in order, the constant (system GMM) before the dummies, naming each one that the earlier ones span. The
    last dummy is spanned by the other dummies (and the constant, in levels), so the check names it whatever else it
    names; leaving it out beforehand leaves the same dummies in the end, and saves one fit of the two per specification
    (measured: 50 of 130 fits)."""
    chosen = list(dummies)[:-1]
    for _ in range(len(dummies) + 1):
        try:
            return dynamic_gmm(data, y, lagged, endogenous, [*controls, *chosen], model=model, lags=lags, dummies=chosen), chosen
        except RankError as exc:
            named = [d for d in chosen if d in exc.redundant]
            if not named:
                raise
            chosen = [d for d in chosen if d not in named]
    raise RankError(f"{model} GMM of {y}: no full-rank set of year dummies")


def ar2_pairs(data: pd.DataFrame, columns: Sequence[str]) -> tuple[int, int]:
    """How many pairs of differenced residuals two periods apart the AR(2) test rests on (``Δe_it`` and ``Δe_i,t−2``
    both defined: the rows of ``t − 3`` to ``t`` complete in ``columns``, the lagged outcome among them), and in how many
    countries. ``data``: ``iso3, period`` and ``columns``."""
    ok = data.dropna(subset=list(columns)).groupby("iso3")["period"].apply(lambda s: set(int(p) for p in s))
    counts = {c: sum(1 for p in ps if all(p - k in ps for k in (1, 2, 3))) for c, ps in ok.items()}
    return int(sum(counts.values())), int(sum(1 for n in counts.values() if n))


def gmm_rows(
    data: pd.DataFrame, base: Mapping[str, object], y: str, controls: Sequence[str], periods: Sequence[int], settings: CausalSettings,
) -> list[dict[str, object]]:  # fmt: skip
    """Difference and system GMM rows of one specification (module docstring)."""
    axis = {int(p): i for i, p in enumerate(sorted(set(int(p) for p in periods)))}
    d = data.sort_values(["iso3", "year"]).reset_index(drop=True).copy()
    d["period"] = d["year"].map(axis).astype(int)
    g, t = d["iso3"].nunique(), d["period"].nunique()
    lagged = f"L_{y}"
    prev = d.set_index(["iso3", "period"])[y]
    d[lagged] = [prev.get((c, p - 1), np.nan) for c, p in zip(d["iso3"], d["period"])]
    out: list[dict[str, object]] = []
    pairs, pair_countries = ar2_pairs(d, [y, lagged, "TBI", *controls])
    for model in ("difference", "system"):
        check = f"{model} GMM"
        if t < settings.min_periods:
            why = (f"not computed: {t} periods ({year_span(d['year'])}); the AR(2) test of the lag-2 instruments' validity would rest on {max(t - 4, 0)} pair(s) "
                   f"of differenced residuals two periods apart per country; the package asks for at least {settings.min_periods} periods "
                   "(config causal_checks.gmm_min_periods)")  # fmt: skip
            out.append(_row(base, check, "TBI", nclusters=g, periods=t, note=why))
            continue
        fit, setting, why = None, "", ""
        lag_options = [settings.gmm_lags, *([(settings.gmm_lags[0], settings.gmm_lags[0])] if settings.gmm_lags[1] > settings.gmm_lags[0] else [])]
        attempts = [(lags, effects) for lags in lag_options for effects in ("year dummies", "demeaned by year")]
        for lags, effects in attempts:
            work = d.copy()
            try:
                if effects == "year dummies":
                    dummies = _year_dummies(work["period"].to_numpy())
                    work = pd.concat([work, dummies], axis=1)
                    f, kept = _full_rank_dummies(work, y, lagged, ["TBI"], list(controls), list(dummies.columns), model, lags)
                else:  # common year effects removed from every variable, no dummies (Roodman 2009: cross-sectional demeaning)
                    cols = [y, lagged, "TBI", *controls]
                    work[cols] = work[cols] - work.groupby("period")[cols].transform("mean")
                    f, kept = dynamic_gmm(work, y, lagged, ["TBI"], list(controls), model=model, lags=lags), []
            except RankError:
                raise
            except ValueError as exc:  # the library refuses an under-identified model (fewer instruments than regressors)
                why = f"lags {lags[0]}–{lags[1]} and {effects}: {exc}"
                continue
            setting = f"two-step, Windmeijer SEs; L.{y} and TBI endogenous, instrumented by their lags {lags[0]}–{lags[1]} (collapsed); time effects: {effects}" + (
                f" ({len(kept)} dummies)" if kept else "")  # fmt: skip
            if f.instruments < f.groups:
                fit = f
                break
            why = f"{f.instruments} instruments for {f.groups} countries with lags {lags[0]}–{lags[1]} and {effects}"
        if fit is None:
            out.append(_row(base, check, "TBI", nclusters=g, periods=t, note=f"not estimable with fewer instruments than countries: {why}"))
            continue
        common = {"instruments": fit.instruments, "nobs": fit.nobs, "nobs_stacked": fit.nobs_stacked, "nclusters": fit.groups, "periods": t, "setting": setting}
        for term, label in (("TBI", "TBI"), (lagged, f"L.{y}")):
            b, se = fit.coef(term)
            out.append(_row(base, check, label, coef=b, se=se, pvalue=float(2 * stats.norm.sf(abs(b / se))), **common))
        rho = fit.coef(lagged)[0]
        if rho < 1:
            lr, lr_se = fit.long_run("TBI", lagged)
            out.append(_row(base, check, "long-run effect", coef=lr, se=lr_se, pvalue=float(2 * stats.norm.sf(abs(lr / lr_se))), **common,
                            note="β/(1 − ρ), delta-method SE"))  # fmt: skip
        else:
            out.append(_row(base, check, "long-run effect", **common, note=f"not defined: the lagged outcome's coefficient is {rho:.3f} ≥ 1 (no finite long run)"))
        out.append(_row(base, check, "AR(1)", statistic=fit.ar1[0], statistic_p=fit.ar1[1], **common, note="Arellano–Bond test of the differenced residuals (z)"))
        few = pairs <= 2 * pair_countries
        out.append(_row(base, check, "AR(2)", statistic=fit.ar2[0], statistic_p=fit.ar2[1], **common,
                        note=f"second-order serial correlation in differences: rejects the lag-2 instruments if significant; rests on {pairs} pairs of "
                             f"differenced residuals two periods apart ({pair_countries} countries)"
                             + ("; with one or two pairs per country the test has little power to detect invalid instruments" if few else "")))  # fmt: skip
        out.append(_row(base, check, "Hansen J", statistic=fit.hansen[0], statistic_p=fit.hansen[1], df=fit.hansen_df, **common,
                        note="overidentifying restrictions (robust); a p near 1 can mean too many instruments"))  # fmt: skip
    return out


# ====================================================================== 2. plausibly exogenous instrument
@dataclass(frozen=True)
class PlausiblyExogenous:
    """The 2SLS estimate as a function of the instrument's direct effect γ: ``b(γ) = b0 + a·γ`` and its clustered variance
    ``V(γ) = v0 + v1·γ + v2·γ²`` (both exact), the critical value (t(G − 1), as the 2SLS p-values)."""

    b0: float
    a: float
    v0: float
    v1: float
    v2: float
    crit: float
    nobs: int
    nclusters: int

    def variance(self, gamma: float) -> float:
        return max(self.v0 + self.v1 * gamma + self.v2 * gamma**2, 0.0)

    def interval(self, gamma: float) -> tuple[float, float]:
        b, h = self.b0 + self.a * gamma, self.crit * math.sqrt(self.variance(gamma))
        return b - h, b + h

    def uci(self, delta: float) -> tuple[float, float]:
        """The union of the 95 % intervals for γ ∈ [−δ, δ]: the estimate is linear in γ and the half-width a norm of an
        affine function of γ (convex), so the union's ends are at γ = ±δ."""
        lo, hi = zip(self.interval(-delta), self.interval(delta))
        return min(lo), max(hi)

    def ltz(self, delta: float) -> tuple[float, float]:
        """The local-to-zero interval with the prior γ ~ N(0, (δ/2)²): ``b0 ± crit·√(v0 + a²(δ/2)²)``."""
        h = self.crit * math.sqrt(self.v0 + self.a**2 * (delta / 2) ** 2)
        return self.b0 - h, self.b0 + h

    def breakdown_uci(self) -> float:
        """The smallest δ at which the union contains zero: the smallest |γ| at which the interval's near end reaches zero,
        a root of ``(b0 + aγ)² = crit²·V(γ)`` on the estimate's side (0 if the 2SLS interval contains zero already; inf if
        no direct effect makes it)."""
        lo, hi = self.interval(0.0)
        if lo <= 0 <= hi:
            return 0.0
        s = math.copysign(1.0, self.b0)
        c2 = self.crit**2
        qa, qb, qc = self.a**2 - c2 * self.v2, 2 * self.b0 * self.a - c2 * self.v1, self.b0**2 - c2 * self.v0
        if abs(qa) < 1e-15 * max(abs(qb), abs(qc), 1.0):
            roots = [-qc / qb] if qb else []
        else:
            disc = qb**2 - 4 * qa * qc
            roots = [] if disc < 0 else [(-qb - math.sqrt(disc)) / (2 * qa), (-qb + math.sqrt(disc)) / (2 * qa)]
        valid = [abs(g) for g in roots if s * (self.b0 + self.a * g) >= -1e-12]
        return min(valid) if valid else math.inf

    def breakdown_ltz(self) -> float:
        """The smallest δ at which the local-to-zero interval contains zero: ``2√(b0²/crit² − v0)/|a|``."""
        room = self.b0**2 / self.crit**2 - self.v0
        return 0.0 if room <= 0 else (2 * math.sqrt(room) / abs(self.a) if self.a else math.inf)


def plausibly_exogenous(data: pd.DataFrame, y: str, controls: Sequence[str], tbi: str = "TBI", instrument: str = "L_TBI") -> PlausiblyExogenous:
    """The paper's 2SLS (:func:`.estimation.fit_2sls`: country and year effects, clustered by country) of ``y − γ·instrument``
    at γ = 0, 1, −1, from which the estimate (linear in γ) and its clustered variance (quadratic in γ) follow exactly."""
    from .estimation import fit_2sls

    fits = {}
    for gamma in (0.0, 1.0, -1.0):
        d = data.assign(**{"_y_adj": data[y] - gamma * data[instrument]})
        f = fit_2sls(d, "_y_adj", tbi, instrument, list(controls)).second
        fits[gamma] = (float(f.coefs.loc[tbi, "coef"]), float(f.coefs.loc[tbi, "se"]) ** 2, f.nobs, f.nclusters)
    b0, v0, n, g = fits[0.0]
    a = (fits[1.0][0] - fits[-1.0][0]) / 2
    v1 = (fits[1.0][1] - fits[-1.0][1]) / 2
    v2 = (fits[1.0][1] + fits[-1.0][1]) / 2 - v0
    return PlausiblyExogenous(b0, a, v0, v1, v2, float(stats.t.isf((1 - LEVEL) / 2, g - 1)), n, g)


def plausibly_exogenous_rows(
    data: pd.DataFrame, base: Mapping[str, object], y: str, controls: Sequence[str], settings: CausalSettings,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:  # fmt: skip
    """The 2SLS interval at δ = 0, the breakdown δ of both sets (main CSV) and the intervals on the δ grid (the δ CSV)."""
    check = "plausibly exogenous instrument"
    d = data.dropna(subset=["L_TBI"])
    g = d["iso3"].nunique()
    if g < 3 or d["year"].nunique() < 2:
        return [_row(base, check, "2SLS (δ = 0)", nclusters=g, note="too few countries or periods with the instrument")], []
    pe = plausibly_exogenous(d, y, controls)
    lo, hi = pe.interval(0.0)
    common = {"nobs": pe.nobs, "nclusters": pe.nclusters}
    p0 = float(2 * stats.t.sf(abs(pe.b0) / math.sqrt(pe.v0), pe.nclusters - 1))
    rows = [_row(base, check, "2SLS (δ = 0)", coef=pe.b0, se=math.sqrt(pe.v0), pvalue=p0, low=lo, high=hi, **common,
                 note=f"the paper's 2SLS, TBI instrumented by its previous period; ∂b/∂γ = {pe.a:.4f} (a direct effect γ of L.TBI moves the estimate by aγ)")]  # fmt: skip
    scale = abs(pe.b0)
    pe90 = dataclasses.replace(pe, crit=float(stats.t.isf(0.05, pe.nclusters - 1)))
    for name, value, setting, level in (
        ("breakdown δ (union of intervals)", pe.breakdown_uci(), "γ ∈ [−δ, δ]", 95), ("breakdown δ (local to zero)", pe.breakdown_ltz(), "γ ~ N(0, (δ/2)²)", 95),
        ("breakdown δ (union of intervals, 90 %)", pe90.breakdown_uci(), "γ ∈ [−δ, δ]", 90), ("breakdown δ (local to zero, 90 %)", pe90.breakdown_ltz(), "γ ~ N(0, (δ/2)²)", 90),
    ):  # fmt: skip
        crit = pe.crit if level == 95 else pe90.crit
        rows.append(_row(base, check, name, coef=value, share=value / scale if scale else np.nan, setting=setting, statistic=crit, **common,
                         note=f"the smallest direct effect of L.TBI on KOF (δ, KOF points per unit of TBI; share: of the 2SLS TBI coefficient) at "
                         f"which the {level} % set contains zero (critical value t({pe.nclusters - 1}) = {crit:.3f})"
                         + (f"; already at δ = 0: the 2SLS {level} % interval contains zero" if value == 0 else "")
                         + ("; no direct effect makes it contain zero" if math.isinf(value) else "")))  # fmt: skip
    grid = []
    for share in settings.delta_shares:
        delta = float(share) * scale
        (ul, uh), (ll, lh) = pe.uci(delta), pe.ltz(delta)
        grid.append({**{k: base[k] for k in ("release", "table", "column", "depvar", "sample")}, "share": float(share), "delta": delta,
                     "uci_low": ul, "uci_high": uh, "ltz_low": ll, "ltz_high": lh})  # fmt: skip
    return rows, grid


# ====================================================================== 3. omitted-variable sensitivity
def partial_r2(t: float, df: float) -> float:
    """The partial R² of a regressor with the outcome from its t and the residual degrees of freedom: t²/(t² + df)."""
    return t**2 / (t**2 + df)


def robustness_value(t: float, df: float, q: float = 1.0, alpha: float | None = None) -> float:
    """Cinelli & Hazlett's (2020) robustness value RV_q (``alpha`` None) or RV_{q,α}: with ``f_q = q|t|/√df``,
    ``RV_q = ½(√(f_q⁴ + 4f_q²) − f_q²)``; with α, ``f_q`` is reduced by the critical ``|t*_{α/2, df−1}|/√(df − 1)``
    (0 where that leaves nothing), and where the confounder's partial R² with the outcome would exceed 1 the extreme
    scenario ``(f_q² − f*²)/(1 + f_q²)`` applies."""
    fq = q * abs(t) / math.sqrt(df)
    if alpha is None:
        return 0.5 * (math.sqrt(fq**4 + 4 * fq**2) - fq**2)
    fcrit = abs(stats.t.ppf(alpha / 2, df - 1)) / math.sqrt(df - 1)
    fqa = fq - fcrit
    if fqa <= 0:
        return 0.0
    if fq > 1 / fcrit:
        return (fq**2 - fcrit**2) / (1 + fq**2)
    return 0.5 * (math.sqrt(fqa**4 + 4 * fqa**2) - fqa**2)


def benchmark_bounds(r2dxj: float, r2yxj: float, k: float) -> tuple[float, float] | None:
    """The partial R²s with the treatment and the outcome of a confounder ``k`` times as strongly related to each as an
    observed covariate whose own are ``r2dxj`` (with the treatment, given the other covariates) and ``r2yxj`` (with the
    outcome, given the treatment and the other covariates) — Cinelli & Hazlett (2020, §4.4); None where no such
    confounder can exist (a partial R² of 1 or more)."""
    if r2dxj >= 1 or r2yxj >= 1:
        return None
    r2dz = k * r2dxj / (1 - r2dxj)
    denom = (1 - k * r2dxj) * (1 - r2dxj)
    if r2dz >= 1 or denom <= 0:
        return None
    r2zxj = k * r2dxj**2 / denom
    if r2zxj >= 1:
        return None
    r2yz = ((math.sqrt(k) + math.sqrt(r2zxj)) / math.sqrt(1 - r2zxj)) ** 2 * (r2yxj / (1 - r2yxj))
    return r2dz, min(r2yz, 1.0)


def adjusted(estimate: float, se: float, df: float, r2dz: float, r2yz: float) -> tuple[float, float]:
    """The estimate and its SE adjusted for a confounder with partial R²s ``r2dz`` (with the treatment) and ``r2yz``
    (with the outcome), moved towards zero: ``|b| − se·√df·√(r2yz·r2dz/(1 − r2dz))`` and ``se·√((1 − r2yz)/(1 − r2dz))
    ·√(df/(df − 1))``."""
    bias = se * math.sqrt(df) * math.sqrt(r2yz * r2dz / (1 - r2dz))
    return math.copysign(1.0, estimate) * (abs(estimate) - bias), se * math.sqrt((1 - r2yz) / (1 - r2dz)) * math.sqrt(df / (df - 1))


@dataclass(frozen=True)
class OLSFit:
    """Coefficients, classical SEs and t of a within regression, and its residual degrees of freedom."""

    names: list[str]
    coef: np.ndarray
    se: np.ndarray
    df: int

    def t(self, name: str) -> float:
        i = self.names.index(name)
        return float(self.coef[i] / self.se[i])


def within_ols(y: np.ndarray, x: np.ndarray, names: Sequence[str], absorb: Sequence[np.ndarray]) -> OLSFit:
    """OLS of ``y`` on ``x`` with the fixed effects ``absorb`` (integer codes; the first swept out by demeaning, the others
    as dummies), classical SEs: ``σ̂² = SSR/df``, ``df = N − (levels of the absorbed effects, net of the one overlap per
    extra effect) − k``."""
    from .groups import demean

    codes = np.asarray(absorb[0])
    extra = [np.asarray(a) for a in absorb[1:]]
    dummies = []
    for a in extra:
        levels = np.unique(a)
        dummies += [(a == lv).astype(float) for lv in levels[1:]]
    full = np.column_stack([x, *dummies]) if dummies else x
    xd, yd = demean(full, codes), demean(y, codes)
    beta, *_ = np.linalg.lstsq(xd, yd, rcond=None)
    resid = yd - xd @ beta
    df = len(y) - np.unique(codes).size - full.shape[1]
    sigma2 = float(resid @ resid) / df
    inv = np.linalg.inv(xd.T @ xd)
    se = np.sqrt(sigma2 * np.diag(inv))
    return OLSFit(list(names), beta[: x.shape[1]], se[: x.shape[1]], int(df))


def ovb_rows(
    data: pd.DataFrame, base: Mapping[str, object], y: str, controls: Sequence[str], settings: CausalSettings, t_cluster: float,
) -> list[dict[str, object]]:  # fmt: skip
    """Partial R², robustness values (OLS t and clustered t) and the benchmark bounds of one two-way FE specification."""
    check = "omitted-variable sensitivity"
    d = data.sort_values(["iso3", "year"]).reset_index(drop=True)
    e, t_codes = pd.factorize(d["iso3"], sort=True)[0], pd.factorize(d["year"], sort=True)[0]
    names = ["TBI", *controls]
    out_fit = within_ols(d[y].to_numpy(float), d[names].to_numpy(float), names, [e, t_codes])
    b, se_ols, df = float(out_fit.coef[0]), float(out_fit.se[0]), out_fit.df
    t_ols = b / se_ols
    common = {"nobs": len(d), "nclusters": d["iso3"].nunique(), "df": df}
    rows = []
    for label, t in (("OLS t", t_ols), ("clustered t", t_cluster)):
        note = ("Cinelli–Hazlett's algebra (the within regression's OLS t)" if label == "OLS t" else
                "the country-clustered t in the OLS formulas: a heuristic the algebra does not cover, shown for how the verdict changes")  # fmt: skip
        rows.append(_row(base, check, f"partial R² of TBI ({label})", coef=b, se=abs(b / t), statistic=t, share=partial_r2(t, df), setting=label, **common, note=note))
        rows.append(_row(base, check, f"RV q=1 ({label})", statistic=t, share=robustness_value(t, df), setting=label, **common,
                         note="the share of the residual variance of both TBI and the outcome a confounder must explain to bring the estimate to zero"))  # fmt: skip
        rows.append(_row(base, check, f"RV q=1, α=0.05 ({label})", statistic=t, share=robustness_value(t, df, alpha=0.05), setting=label, **common,
                         note="… to make it insignificant at 5 %"))  # fmt: skip
    if not controls:
        return rows + [_row(base, check, "benchmarks", **common, note="the column has no observed controls to benchmark a confounder on")]
    treat_fit = within_ols(d["TBI"].to_numpy(float), d[list(controls)].to_numpy(float), list(controls), [e, t_codes])
    se_cl = abs(b / t_cluster) if t_cluster else np.nan
    crit = float(stats.t.isf(0.025, df - 1))
    for cov in settings.benchmarks:
        if cov not in controls:
            rows.append(_row(base, check, f"benchmark {cov}", **common, note=f"{cov} is not a control of this release"))
            continue
        r2dxj, r2yxj = partial_r2(treat_fit.t(cov), treat_fit.df), partial_r2(out_fit.t(cov), df)
        for k in settings.strengths:
            bound = benchmark_bounds(r2dxj, r2yxj, k)
            if bound is None:
                rows.append(_row(base, check, f"{k}× {cov}", **common, note=f"no confounder {k} times as strong as {cov} can exist (a partial R² would reach 1)"))
                continue
            r2dz, r2yz = bound
            adj, adj_se = adjusted(b, se_ols, df, r2dz, r2yz)
            adj_se_cl = se_cl * math.sqrt((1 - r2yz) / (1 - r2dz)) * math.sqrt(df / (df - 1))
            rows.append(_row(base, check, f"{k}× {cov}", coef=adj, se=adj_se, low=adj - crit * adj_se, high=adj + crit * adj_se, statistic=adj / adj_se,
                             statistic_clustered=adj / adj_se_cl, r2dz=r2dz, r2yz=r2yz, setting=f"kd = ky = {k}", **common,
                             note=f"{cov}'s own partial R²: with TBI {r2dxj:.4f}, with the outcome {r2yxj:.4f}; statistic: the adjusted OLS t; "
                             "statistic_clustered: the adjusted estimate over the clustered SE scaled alike"))  # fmt: skip
    return rows


# ====================================================================== 4. the weights behind two-way FE
def twfe_weights(data: pd.DataFrame, y: str, treatment: str, controls: Sequence[str]) -> dict[str, object]:
    """The weights of the two-way FE coefficient of ``treatment`` (``twowayfeweights``, type feTR, the controls of the
    column): β, the numbers of positive and negative weights, the sum of the negative ones, the two sensitivity measures
    (``sigma_ate_zero``: Corollary 1; ``sigma_opposite_sign``: Corollary 2, NaN without negative weights) and the (g, t)
    weights."""
    from twowayfeweights import twowayfeweights

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = twowayfeweights(data, Y=y, G="iso3", T="year", D=treatment, type="feTR", controls=list(controls) or None)
    def number(v: object) -> float:
        return float(v) if v is not None else float("nan")  # type: ignore[arg-type]

    return {"beta": float(r.beta), "n_positive": int(r.nr_plus), "n_negative": int(r.nr_minus), "sum_negative": float(r.sum_minus),
            "sigma_ate_zero": number(r.sensibility), "sigma_opposite_sign": number(r.sensibility2), "weights": r.weights,
            "warnings": [str(w.message) for w in caught]}  # fmt: skip


def weights_rows(data: pd.DataFrame, base: Mapping[str, object], y: str, controls: Sequence[str]) -> list[dict[str, object]]:
    """The TWFE weights with TBI's own zero (balanced value-added trade) and with the sample minimum as the reference."""
    check = "TWFE weights"
    d = data[["iso3", "year", y, "TBI", *controls]].copy()
    lowest = float(d["TBI"].min())
    d["TBI_from_min"] = d["TBI"] - lowest
    rows = []
    for col, term, setting in (("TBI", "reference TBI = 0 (balanced trade)", "TBI as it is: zero is balanced value-added trade"),
                               ("TBI_from_min", "reference: the sample minimum", f"TBI − min(TBI) = TBI − ({lowest:.4f}): every cell's treatment ≥ 0")):  # fmt: skip
        w = twfe_weights(d, y, col, controls)
        negative = int((d[col] < 0).sum())
        if negative:  # the decomposition assumes a non-negative treatment: neither measure means anything here
            sigmas = {"sigma_ate_zero": float("nan"), "sigma_opposite_sign": float("nan")}
            note = (f"σ measures not defined at this reference: the treatment is negative in {negative} of {len(d)} cells, and de Chaisemartin & "
                    "D'Haultfœuille's decomposition and both measures assume a non-negative treatment in every cell")  # fmt: skip
        else:
            sigmas = {k: w[k] for k in ("sigma_ate_zero", "sigma_opposite_sign")}
            parts = [
                "sigma_ate_zero: the smallest SD of the cells' effects compatible with β and an average effect of zero (Corollary 1)"
                if np.isfinite(sigmas["sigma_ate_zero"]) else "sigma_ate_zero not defined: the library returns NaN",
                "sigma_opposite_sign: the smallest SD of the cells' effects under which β could have the opposite sign of every cell's effect (Corollary 2)"
                if np.isfinite(sigmas["sigma_opposite_sign"]) else
                ("sigma_opposite_sign not defined: no negative weight" if w["n_negative"] == 0 else "sigma_opposite_sign not defined: the library returns NaN"),
            ]  # fmt: skip
            note = "; ".join(parts)
        if w["warnings"]:
            note += "; the library warned: " + " | ".join(dict.fromkeys(w["warnings"]))  # type: ignore[arg-type]
        rows.append(_row(base, check, term, coef=w["beta"], n_positive=w["n_positive"], n_negative=w["n_negative"], sum_negative=w["sum_negative"],
                         **sigmas, setting=setting, nobs=len(d), nclusters=d["iso3"].nunique(), note=note))  # fmt: skip
    return rows


# ====================================================================== all of it, per release
def check_release(
    release: str, panel: pd.DataFrame, periods: Sequence[int], controls: Sequence[str], outcomes: Sequence[str], specs: Sequence[Specification],
    settings: CausalSettings,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:  # fmt: skip
    """Every check of every specification on one release's panel (its ``L_TBI`` the previous period's TBI): the rows of
    ``causal_checks.csv`` and of the δ grid."""
    from .estimation import fit_fe

    years = year_span(panel["year"])
    rows: list[dict[str, object]] = []
    grid: list[dict[str, object]] = []
    for spec in specs:
        data = sample_rows(panel, spec.sample)
        x = list(controls) if spec.controls else []
        base = {"release": release, "years": years, "table": spec.table, "column": spec.column, "depvar": spec.depvar, "sample": spec.sample}
        if data["iso3"].nunique() < 3 or data["year"].nunique() < 2:
            rows.append(_row(base, "all", "TBI", note="fewer than 3 countries or 2 periods"))
            continue
        rows += gmm_rows(data, base, spec.depvar, x, periods, settings)
        pe_rows, pe_grid = plausibly_exogenous_rows(data, base, spec.depvar, x, settings)
        rows += pe_rows
        grid += pe_grid
        fe = fit_fe(data, spec.depvar, ["TBI", *x]).coefs.loc["TBI"]
        rows += ovb_rows(data, base, spec.depvar, x, settings, float(fe["coef"] / fe["se"]))
        rows += weights_rows(data, base, spec.depvar, x)
    return rows, grid
