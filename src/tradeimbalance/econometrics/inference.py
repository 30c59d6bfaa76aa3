"""Inference for the TBI coefficient that holds with few clusters (38–41 countries).

For each TBI coefficient of the paper's tables this module reports, beside the
published-convention clustered standard error:

* **Wild cluster restricted bootstrap** (WCR, null β_TBI = 0 imposed; Cameron,
  Gelbach & Miller 2008; Roodman et al. 2019) p-values with Rademacher and Webb
  weights, from the ``wildboottest`` library (:class:`wildboottest.wildboottest.WildboottestCL`,
  bootstrap type ``11``). The country effects are nested in the country clusters,
  so they are swept out by the within transformation before the bootstrap: the
  restricted residuals of the demeaned regression are those of the regression with
  country dummies, and a cluster's weight is constant within the cluster, so the
  bootstrap samples (and the p-value) are the same as with explicit dummies
  (tested). Year effects stay explicit dummies, as in the paper's ``i.year``.
* **CRV3** (cluster jackknife; MacKinnon, Nielsen & Webb 2023):
  ``V = (G−1)/G Σ_g (β̂_(g) − β̂)(β̂_(g) − β̂)'`` with ``β̂_(g)`` the estimate without
  country g (centred at β̂, as ``summclust`` and ``wildboottest``), from the
  library for the fixed-effects columns; p from t(G − 1).
* **Driscoll–Kraay** (1998) standard errors, robust to cross-sectional and
  serial correlation: the Bartlett-kernel sandwich of the per-year score sums
  (linearmodels' kernel; bandwidth from config, linearmodels' rule
  ⌊4(T/100)^{2/9}⌋ when unset), scaled as Stata's ``xtscc, fe``:
  ``T/(T−1)·(N−1)/(N−K)``; p from t(T − 1). It rests on many periods: with the
  paper's 11–15 years it is reported, not counted as evidence of robustness.
* **Two-way clustered** (country and year; Cameron, Gelbach & Miller 2011):
  ``V = q·B⁻¹(S_country + S_year − S_country×year)B⁻¹``. The convention
  (config ``inference.twoway_convention``) is ``reghdfe``'s (and ``ivreghdfe``'s):
  one factor ``q = (N−1)/(N−K)·M/(M−1)`` with M = min(G, T) on all three terms;
  ``cgm`` gives each term its own ``m/(m−1)`` and the common ``(N−1)/(N−K)``
  (Cameron, Gelbach & Miller 2011, ``cgmreg``). Both are written in
  ``results/inference_tbi.csv``. p from t(min(G, T) − 1), as ``reghdfe``.

In every sandwich K counts the regressors, the year dummies and the constant,
not the country effects, which are nested in the country clusters (the CR1
convention of ``xtreg, fe vce(cluster)``, ``reghdfe`` and ``xtscc``).

Every bootstrap p-value has its own random stream, derived from the config seed
and the name of the cell and the weight type (:func:`.montecarlo.stream_seed`), and comes with
its Monte Carlo standard error ``√(p(1−p)/B)``. A p-value within two Monte Carlo
SEs of 0.01, 0.05 or 0.10 is computed again on ``inference.rerun_draws`` draws of
the same stream (its first B draws and more); if it is still that close it is
flagged undecided: the package's one rule for simulated p-values
(:mod:`tradeimbalance.econometrics.montecarlo`).
* For **2SLS**: the cluster-robust **Anderson–Rubin** test of β_TBI = β₀ (the
  excluded instrument's coefficient in the regression of y − β₀·TBI on the
  instrument, the controls and the effects, with the CR1 factor and F(1, G − 1)),
  its confidence set by test inversion (a closed-form quadratic for one
  instrument: an interval, the real line, the complement of an interval, or
  empty), the Wald interval, and the WCR bootstrap of the AR test at β₀ = 0 (the
  bootstrap of the reduced form; the library has no IV bootstrap). CRV3 of 2SLS
  is the jackknife of the 2SLS estimate; its Driscoll–Kraay and two-way
  covariances are the same sandwiches with the 2SLS scores.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .estimation import ENTITY, Fit, IVFit, within_design
from .groups import group_sums
from .montecarlo import MonteCarloP, attainable, enumerated_p, exact, redrawn, simulated_p, stream_seed

log = logging.getLogger(__name__)

WEIGHTS = ("rademacher", "webb")
#: Two-way clustering conventions (module docstring).
TWOWAY_CONVENTIONS = ("reghdfe", "cgm")


@dataclass(frozen=True)
class InferenceSettings:
    """Config ``inference``: bootstrap size, seed, weights, Driscoll–Kraay bandwidth, confidence level."""

    bootstrap_draws: int = 9999
    seed: int = 20210901
    weights: tuple[str, ...] = WEIGHTS
    dk_bandwidth: int | None = None
    level: float = 0.95
    twoway_convention: str = "reghdfe"
    #: Draws of a second bootstrap for a p-value within two Monte Carlo SEs of a threshold (0: no second run).
    rerun_draws: int = 99999

    def __post_init__(self) -> None:
        bad = [w for w in self.weights if w not in WEIGHTS]
        if bad:
            raise ValueError(f"inference.weights: {bad} not among {WEIGHTS}")
        if self.bootstrap_draws < 99:
            raise ValueError(f"inference.bootstrap_draws={self.bootstrap_draws}: use at least 99 draws")
        if self.twoway_convention not in TWOWAY_CONVENTIONS:
            raise ValueError(f"inference.twoway_convention={self.twoway_convention!r}: expected one of {TWOWAY_CONVENTIONS}")
        if self.rerun_draws and self.rerun_draws <= self.bootstrap_draws:
            raise ValueError(f"inference.rerun_draws={self.rerun_draws}: must exceed bootstrap_draws ({self.bootstrap_draws}), or be 0 for no second run")
        if not 0 < self.level < 1:
            raise ValueError(f"inference.level={self.level}: must lie strictly between 0 and 1")

    @classmethod
    def from_config(cls, cfg: dict[str, object]) -> InferenceSettings:
        bw = cfg.get("driscoll_kraay_bandwidth")
        return cls(
            bootstrap_draws=int(cfg.get("bootstrap_draws", 9999)),  # type: ignore[call-overload]
            seed=int(cfg.get("seed", 20210901)),  # type: ignore[call-overload]
            weights=tuple(cfg.get("weights", WEIGHTS)),  # type: ignore[arg-type]
            dk_bandwidth=None if bw is None else int(bw),  # type: ignore[call-overload]
            level=float(cfg.get("level", 0.95)),  # type: ignore[arg-type]
            twoway_convention=str(cfg.get("twoway_convention", "reghdfe")),
            rerun_draws=int(cfg.get("rerun_draws", 99999)),  # type: ignore[call-overload]
        )


@dataclass(frozen=True)
class Design:
    """One regression's data, sorted by country and year, with the country means swept out.

    ``y`` and the columns of ``x`` (regressors, then year dummies) are deviations from
    their country means (no grand mean: no constant is needed). ``entity``/``time`` are
    integer codes. ``names`` are the columns of ``x``; column 0 is the coefficient tested.
    """

    y: np.ndarray
    x: np.ndarray
    names: list[str]
    entity: np.ndarray
    time: np.ndarray
    frame: pd.DataFrame  # the sorted rows (iso3, year, the variables and year dummies), to refit the design elsewhere (the tests check linearmodels on it)

    @property
    def nobs(self) -> int:
        return int(self.y.shape[0])

    @property
    def nclusters(self) -> int:
        return int(self.entity.max()) + 1

    @property
    def nperiods(self) -> int:
        return int(self.time.max()) + 1


def design(data: pd.DataFrame, depvar: str, regressors: Sequence[str]) -> Design:
    """:class:`Design` of ``depvar`` on ``regressors`` + year dummies with country effects swept out (the design of
    :func:`.estimation.fit_fe`, :class:`.estimation.WithinDesign`, without the grand means: no constant is needed)."""
    w = within_design(data, [depvar, *regressors])
    t = w.within()
    return Design(y=t[:, 0], x=t[:, 1:], names=w.names[1:], entity=w.entity, time=w.time, frame=w.frame())


# ----------------------------------------------------------------- the library's bootstrap and jackknife


def _compile_bootstrap_once() -> None:
    """Let ``wildboottest`` compile its bootstrap loop once per process instead of once per call.

    ``WildboottestCL.get_denom`` defines its numba kernel inside the method and decorates it with ``njit`` on
    every call, so each bootstrap pays a fresh compilation (about 0.5 s, more than the 9,999 draws cost). The
    kernel is a plain nested function (no closure; the same code object on every call), so compiling it once and
    reusing the dispatcher runs the same machine code on the same arguments: the numbers are unchanged (tested
    against an unpatched process). Functions with a closure are compiled as before.

    The compiled kernel is also kept in numba's on-disk cache (``cache=True``: beside the library's files, or in the
    user's cache folder where those are read-only), so that a later job loads it instead of compiling it again: each of
    the inference, the comparison of releases and the referee checks compiled its three kernels afresh (1.7 s).
    """
    import wildboottest.wildboottest as wb

    if getattr(wb, "_tradeimbalance_compile_once", False):
        return
    original = wb.njit
    cache: dict[tuple[object, ...], object] = {}

    def njit(*args: object, **kwargs: object) -> object:
        if args and callable(args[0]):
            return original(*args, **kwargs)

        def decorate(func: object) -> object:
            if getattr(func, "__closure__", None) is not None:
                return original(*args, **kwargs)(func)
            key = (func.__code__, args, tuple(sorted(kwargs.items())))  # type: ignore[attr-defined]
            if key not in cache:
                cache[key] = original(*args, **{"cache": True, **kwargs})(func)
            return cache[key]

        return decorate

    wb.njit = njit
    wb._tradeimbalance_compile_once = True  # type: ignore[attr-defined]


#: The values of each weight distribution, drawn with equal probability (as ``wildboottest.weights``).
WEIGHT_VALUES: dict[str, np.ndarray] = {
    "rademacher": np.array([-1.0, 1.0]),
    "webb": np.concatenate([-np.sqrt(np.array([3.0, 2.0, 1.0]) / 2), np.sqrt(np.array([1.0, 2.0, 3.0]) / 2)]),
}


def _draw_by_draw(values: np.ndarray, clusters: int, draws: int):  # noqa: ANN202 (a wildboottest weight function)
    """A weight function for ``wildboottest`` that draws the weights draw by draw (one row of ``clusters`` weights per
    draw) from the library's generator and hands them over in the library's layout (clusters × draws): a longer run on
    the same seed begins with the shorter one's draws, so a second run extends the first (:mod:`.montecarlo`)."""

    def draw(n: int, rng: np.random.Generator) -> np.ndarray:
        if n != clusters * draws:
            raise ValueError(f"wildboottest asked for {n} weights; {clusters} clusters × {draws} draws expected")
        return rng.choice(values, size=(draws, clusters)).T.reshape(-1)

    return draw


def full_enumeration(clusters: int, draws: int, weights: str) -> bool:
    """Whether ``wildboottest`` enumerates every Rademacher sign vector instead of drawing (2^G < B): the p is exact."""
    return weights == "rademacher" and 2**clusters < draws


def wild_bootstrap_pvalue(
    x: np.ndarray, y: np.ndarray, clusters: np.ndarray, *, column: int, draws: int, seed: int | np.random.SeedSequence, weights: str
) -> float:
    """WCR bootstrap p-value (two-tailed, symmetric) of H0: coefficient ``column`` = 0 (``wildboottest``, type 11, its
    bootstrap t statistics counted by the package's rule: ``(1 + #{|t*| ≥ |t|})/(1 + B)``, ties within rounding counted;
    enumerated, ``#{|t*| ≥ |t|}/2^G``: :mod:`.montecarlo`);
    ``seed`` is handed to ``numpy.random.default_rng`` (an integer or a :func:`stream_seed`). The weights are drawn draw
    by draw (:func:`_draw_by_draw`), so the first ``B`` draws of a longer run on the same seed are this run's; with
    Rademacher weights and 2^G < B every sign vector is enumerated instead (the library's full enumeration)."""
    from wildboottest.wildboottest import WildboottestCL

    _compile_bootstrap_once()
    r = np.zeros(x.shape[1])
    r[column] = 1.0
    g = int(np.unique(clusters).size)
    boot = WildboottestCL(X=x, Y=y, cluster=clusters, R=r, B=draws, seed=seed, parallel=False)
    boot.get_scores(bootstrap_type="11", impose_null=True)
    boot.get_weights(weights_type=weights if full_enumeration(g, draws, weights) else _draw_by_draw(WEIGHT_VALUES[weights], g, draws))
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    # The package's one rule for simulated p-values (:mod:`.montecarlo`), not the library's k/B with a strict ">": the
    # enumerated sign vectors include the identity (and its mirror), which tie with the observed |t| up to rounding.
    t_obs, t_boot = abs(float(np.ravel(boot.t_stat)[0])), np.abs(np.ravel(boot.t_boot))
    return enumerated_p(t_boot, t_obs) if boot.full_enumeration else simulated_p(t_boot, t_obs)


def bootstrap_p(x: np.ndarray, y: np.ndarray, clusters: np.ndarray, *, column: int, settings: InferenceSettings, stream: str, weights: str) -> MonteCarloP:
    """WCR p-value on the stream ``stream``/``weights``, under the package's one rule for simulated p-values
    (:func:`.montecarlo.redrawn`): within two Monte Carlo SEs of 0.01, 0.05 or 0.10 it is computed again on
    ``settings.rerun_draws`` draws of the same stream. An enumerated p (Rademacher, 2^G < B) is exact."""
    seed = stream_seed(settings.seed, stream, weights)
    g = int(np.unique(clusters).size)
    if full_enumeration(g, settings.bootstrap_draws, weights):
        # the identity sign vector and its mirror always tie with the observed |t|: the smallest attainable p is 2/2^G
        why = attainable(2**g, at_least=2, what="Rademacher sign vector")
        return exact(wild_bootstrap_pvalue(x, y, clusters, column=column, draws=settings.bootstrap_draws, seed=seed, weights=weights), 2**g, why)

    def p_of(draws: int) -> tuple[float, int]:
        return wild_bootstrap_pvalue(x, y, clusters, column=column, draws=draws, seed=seed, weights=weights), draws

    mc = redrawn(p_of, settings.bootstrap_draws, settings.rerun_draws)
    if mc.redrawn:
        log.info("%s, %s weights: p within two Monte Carlo SEs of a threshold with B = %d; drawn again on the same stream with B = %d: p = %.5f",
                 stream, weights, settings.bootstrap_draws, mc.draws, mc.pvalue)  # fmt: skip
    return mc


def crv3_se(x: np.ndarray, y: np.ndarray, clusters: np.ndarray, *, column: int) -> float:
    """CRV3 (cluster jackknife) standard error of coefficient ``column`` (``wildboottest``'s CRV3 covariance)."""
    from wildboottest.wildboottest import WildboottestCL

    r = np.zeros(x.shape[1])
    r[column] = 1.0
    boot = WildboottestCL(X=x, Y=y, cluster=clusters, R=r, B=99, seed=0, parallel=False)
    boot.get_scores(bootstrap_type="13", impose_null=False)
    boot.get_vcov()
    return float(np.sqrt(boot.ssc * boot.vcov[column, column]))


def leave_one_out(d: Design, column: int = 0) -> pd.DataFrame:
    """The coefficient ``column`` with each country left out, with its country-clustered SE and p: ``country, coef, se,
    pvalue, nobs, nclusters`` (countries in the design's order, the sorted labels).

    These are the leave-one-cluster-out estimates the CRV3 jackknife is built from: ``β̂_(g) = (X'X − X_g'X_g)⁻¹
    (X'y − X_g'y_g)`` on the country-demeaned design (a country's demeaned rows identify only its own effect, so leaving
    them out is re-estimating without the country; tested). ``wildboottest`` computes them inside its CRV3 without
    returning them (:func:`crv3_se`), so they are computed here from the same per-country cross-products; the SE of each
    is the CR1 of ``xtreg, fe vce(cluster)`` on the G − 1 remaining countries, ``(G−1)/(G−2)·(N_g−1)/(N_g−K)``, p from
    t(G − 2)."""
    x, y, e = d.x, d.y, d.entity
    g, k = d.nclusters, x.shape[1]
    m = np.zeros((g, k, k))
    np.add.at(m, e, np.einsum("ik,il->ikl", x, x))
    r = group_sums(x * y[:, None], e, g)
    n_c = np.bincount(e, minlength=g)
    labels = sorted(pd.unique(d.frame[ENTITY]))
    rows = []
    for c in range(g):
        keep = np.arange(g) != c
        sol = np.linalg.solve(m[keep].sum(axis=0), np.column_stack([r[keep].sum(axis=0), np.eye(k)[column]]))
        beta, a = sol[:, 0], sol[:, 1]  # the coefficients and the row `column` of the inverse
        scores = r[keep] @ a - np.einsum("gkl,l->gk", m[keep], beta) @ a
        n = int(n_c[keep].sum())
        factor = (g - 1) / (g - 2) * (n - 1) / (n - (k + 1)) if g > 2 else float("nan")
        se = float(np.sqrt(factor * (scores**2).sum()))
        rows.append({"country": labels[c], "coef": float(beta[column]), "se": se, "pvalue": _t_p(float(beta[column]), se, g - 2), "nobs": n, "nclusters": g - 1})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------- sandwiches shared by OLS and 2SLS


def _kernel_meat(scores: np.ndarray, time: np.ndarray, bandwidth: float) -> np.ndarray:
    """``Σ_j w_j (Γ_j + Γ_j')`` of the per-period score sums (linearmodels' ``cov_kernel``, Bartlett weights)."""
    from linearmodels.shared.covariance import cov_kernel
    from linearmodels.iv.covariance import kernel_weight_bartlett

    sums = group_sums(scores, time)
    w = kernel_weight_bartlett(bandwidth, sums.shape[0] - 1)
    return cov_kernel(sums, w) * sums.shape[0]


def _cluster_meat(scores: np.ndarray, codes: np.ndarray) -> np.ndarray:
    sums = group_sums(scores, codes)
    return sums.T @ sums


def default_bandwidth(nperiods: int) -> float:
    """linearmodels' rule of thumb for the Bartlett kernel, ⌊4(T/100)^{2/9}⌋."""
    return float(np.floor(4 * (nperiods / 100) ** (2 / 9)))


def dk_bandwidth(configured: float | None, nperiods: int) -> float:
    """The Driscoll–Kraay bandwidth: the configured one, or linearmodels' rule; it must be below the number of years."""
    bw = float(configured) if configured is not None else default_bandwidth(nperiods)
    if bw >= nperiods:
        raise ValueError(f"config inference.driscoll_kraay_bandwidth={bw:g}: must be below the number of years ({nperiods})")
    return bw


@dataclass(frozen=True)
class Sandwiches:
    """Driscoll–Kraay and two-way clustered standard errors of one coefficient (module docstring)."""

    se_dk: float
    se_twoway_reghdfe: float
    se_twoway_cgm: float

    def twoway(self, convention: str) -> float:
        return self.se_twoway_reghdfe if convention == "reghdfe" else self.se_twoway_cgm


def sandwich_se(xhat: np.ndarray, resid: np.ndarray, entity: np.ndarray, time: np.ndarray, *, bandwidth: float, column: int = 0) -> Sandwiches:
    """Driscoll–Kraay and two-way (entity, time) clustered standard errors of coefficient ``column``.

    ``xhat`` are the country-demeaned regressors, year dummies included (for 2SLS the projected ones, ``P_W X``),
    and ``resid`` the residuals; the scores are ``xhat_i · resid_i``, ``B = xhat'xhat``. ``K = columns + 1`` (the
    constant; the country effects are nested in the country clusters and not counted).

    * Driscoll–Kraay: ``T/(T−1)·(N−1)/(N−K)·B⁻¹ S B⁻¹``, ``S = Σ_j w_j (Γ_j + Γ_j')`` of the per-year score sums with
      Bartlett weights (``xtscc, fe``);
    * two-way, ``reghdfe``: ``(N−1)/(N−K)·M/(M−1)·B⁻¹(S_e + S_t − S_et)B⁻¹``, M = min(G, T);
    * two-way, ``cgm``: ``(N−1)/(N−K)·B⁻¹(c_e S_e + c_t S_t − c_et S_et)B⁻¹``, ``c = m/(m−1)`` for m groups.

    A negative two-way variance (possible: it is a difference of matrices) gives ``nan``.
    """
    n = xhat.shape[0]
    k = xhat.shape[1] + 1
    g = int(np.unique(entity).size)
    periods = int(np.unique(time).size)
    bandwidth = dk_bandwidth(bandwidth, periods)
    scores = xhat * resid[:, None]
    bread = np.linalg.inv(xhat.T @ xhat)
    small = (n - 1) / (n - k)
    v_dk = periods / (periods - 1) * small * (bread @ _kernel_meat(scores, time, bandwidth) @ bread)
    both = pd.factorize(entity.astype(np.int64) * (int(time.max()) + 1) + time)[0]
    meats = [(_cluster_meat(scores, codes), int(np.unique(codes).size)) for codes in (entity, time, both)]
    m = min(g, periods)
    v_hdfe = small * m / (m - 1) * (bread @ (meats[0][0] + meats[1][0] - meats[2][0]) @ bread)
    v_cgm = small * (bread @ sum(sign * c / (c - 1) * meat for (meat, c), sign in zip(meats, (1, 1, -1))) @ bread)

    def se(v: np.ndarray) -> float:
        return float(np.sqrt(v[column, column])) if v[column, column] > 0 else float("nan")

    return Sandwiches(float(np.sqrt(v_dk[column, column])), se(v_hdfe), se(v_cgm))


# ----------------------------------------------------------------- Anderson–Rubin


@dataclass(frozen=True)
class ARResult:
    """Cluster-robust Anderson–Rubin test of β = β₀ and the confidence set by inversion (one instrument)."""

    stat: float  # F statistic at β₀
    pvalue: float  # from F(1, G − 1)
    df: tuple[int, int]
    kind: str  # interval | real_line | outside_interval | empty
    bounds: tuple[float, float]  # the interval, or the excluded interval for "outside_interval"; nan otherwise

    def describe(self) -> str:
        """The set in words and numbers: ``[a, b]``, ``(−∞, a] ∪ [b, ∞)``, ``(−∞, ∞)`` or ``∅``."""
        a, b = self.bounds
        if self.kind == "interval":
            return f"[{a:.4f}, {b:.4f}]"
        if self.kind == "outside_interval":
            return f"(-inf, {a:.4f}] U [{b:.4f}, inf)"
        if self.kind == "real_line":
            return "(-inf, inf)"
        return "empty"


def anderson_rubin(y: np.ndarray, endog: np.ndarray, instrument: np.ndarray, exog: np.ndarray, clusters: np.ndarray, *, beta0: float = 0.0, level: float = 0.95) -> ARResult:
    """AR test and confidence set with one endogenous regressor and one instrument.

    All arrays are already free of the absorbed effects (country-demeaned); ``exog``
    holds the included exogenous regressors (controls, year dummies). With ``z̃``,
    ``ỹ``, ``x̃`` the residuals of instrument, outcome and endogenous regressor on
    ``exog``, ``a = z̃'ỹ/z̃'z̃`` and ``b = z̃'x̃/z̃'z̃`` (reduced form and first stage), the
    coefficient of z̃ in the regression of ``y − β₀x`` is ``a − β₀b``, its CR1
    variance ``c/(z̃'z̃)² · Σ_g (s_{y,g} − β₀ s_{x,g})²`` with cluster scores
    ``s_{·,g} = Σ_{i∈g} z̃_i e_{·,i}`` of the residuals ``e_y = ỹ − a z̃``, ``e_x = x̃ − b z̃``, and
    ``c = G/(G−1)·(N−1)/(N−1−p−1)`` (p = rank of exog, plus the constant, as ``xtreg`` and
    ``ivreg2`` count it; the country effects, nested in the clusters, are not counted), so
    that ``AR(β₀)`` is the squared clustered t statistic of the instrument in
    :func:`~tradeimbalance.econometrics.estimation.fit_fe` of ``y − β₀x`` on the instrument and the controls. ``AR(β₀) = (a − β₀b)²/Var`` against F(1, G − 1).
    The set ``{β₀: AR(β₀) ≤ F crit}`` solves the quadratic
    ``(b² − k S_xx)β² − 2(ab − k S_xy)β + (a² − k S_yy) ≤ 0`` with ``k = crit·c/(z̃'z̃)²``.
    Only one instrument is handled (the paper's design); more raise ``ValueError``.
    """
    if np.asarray(instrument).ndim == 2 and np.asarray(instrument).shape[1] != 1:
        raise ValueError(f"anderson_rubin: one excluded instrument expected, got {np.asarray(instrument).shape[1]} (the closed-form set needs L = 1)")
    z = np.asarray(instrument, float).reshape(-1)
    n = z.size
    basis = np.linalg.svd(exog, full_matrices=False)
    u, s = basis[0], basis[1]
    u = u[:, s > s[0] * max(exog.shape) * np.finfo(float).eps]
    p = u.shape[1]

    def part(v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, float).reshape(-1)
        return v - u @ (u.T @ v)

    zt, yt, xt = part(z), part(y), part(endog)
    zz = float(zt @ zt)
    a, b = float(zt @ yt) / zz, float(zt @ xt) / zz
    ey, ex = yt - a * zt, xt - b * zt
    codes = pd.factorize(clusters)[0]
    g = int(codes.max()) + 1
    sy = np.bincount(codes, weights=zt * ey, minlength=g)
    sx = np.bincount(codes, weights=zt * ex, minlength=g)
    syy, sxy, sxx = float(sy @ sy), float(sx @ sy), float(sx @ sx)
    c = g / (g - 1) * (n - 1) / (n - 1 - p - 1)
    var0 = c / zz**2 * (syy - 2 * beta0 * sxy + beta0**2 * sxx)
    stat = (a - beta0 * b) ** 2 / var0
    pvalue = float(stats.f.sf(stat, 1, g - 1))
    crit = float(stats.f.isf(1 - level, 1, g - 1))
    k = crit * c / zz**2
    qa, qb, qc = b * b - k * sxx, -2 * (a * b - k * sxy), a * a - k * syy
    disc = qb * qb - 4 * qa * qc
    nan = (float("nan"), float("nan"))
    if qa > 0:
        if disc < 0:
            return ARResult(float(stat), pvalue, (1, g - 1), "empty", nan)
        r = np.sqrt(disc)
        lo, hi = sorted(((-qb - r) / (2 * qa), (-qb + r) / (2 * qa)))
        return ARResult(float(stat), pvalue, (1, g - 1), "interval", (float(lo), float(hi)))
    if qa < 0:
        if disc <= 0:
            return ARResult(float(stat), pvalue, (1, g - 1), "real_line", nan)
        r = np.sqrt(disc)
        lo, hi = sorted(((-qb - r) / (2 * qa), (-qb + r) / (2 * qa)))
        return ARResult(float(stat), pvalue, (1, g - 1), "outside_interval", (float(lo), float(hi)))
    return ARResult(float(stat), pvalue, (1, g - 1), "real_line", nan)


# ----------------------------------------------------------------- one TBI coefficient, every kind of inference


def _t_p(coef: float, se: float, df: int) -> float:
    return float(2 * stats.t.sf(abs(coef / se), df)) if np.isfinite(se) and se > 0 else float("nan")


def _sandwich_columns(coef: float, sw: Sandwiches, g: int, t: int, bw: float, convention: str) -> dict[str, object]:
    """The Driscoll–Kraay and two-way columns of a cell: the configured two-way convention, and both."""
    out: dict[str, object] = {"dk_bandwidth": float(bw), "se_dk": sw.se_dk, "p_dk": _t_p(coef, sw.se_dk, t - 1)}
    out["se_twoway"] = sw.twoway(convention)
    out["p_twoway"] = _t_p(coef, out["se_twoway"], min(g, t) - 1)  # type: ignore[arg-type]
    out["twoway_convention"] = convention
    for name in TWOWAY_CONVENTIONS:
        out[f"se_twoway_{name}"] = sw.twoway(name)
        out[f"p_twoway_{name}"] = _t_p(coef, sw.twoway(name), min(g, t) - 1)
    return out


def fe_inference(
    data: pd.DataFrame, depvar: str, tbi: str, controls: Sequence[str], settings: InferenceSettings, *, stream: str | None = None, fit: Fit | None = None
) -> dict[str, object]:
    """Every inference on the TBI coefficient of the two-way FE regression (:func:`estimation.fit_fe`'s model).

    ``stream``: the name of the cell, which keys its bootstrap streams (default: the regression's variables);
    ``fit``: that regression's fit when the caller has it (``fit_fe(data, depvar, [tbi, *controls])``), else fitted here."""
    from .estimation import fit_fe

    stream = stream or "|".join([depvar, tbi, *controls])
    fit = fit if fit is not None else fit_fe(data, depvar, [tbi, *controls])
    d = design(data, depvar, [tbi, *controls])
    g, t = d.nclusters, d.nperiods
    coef, se = float(fit.coefs.loc[tbi, "coef"]), float(fit.coefs.loc[tbi, "se"])
    bw = dk_bandwidth(settings.dk_bandwidth, t)
    out: dict[str, object] = {"coef": coef, "se_cluster": se, "p_cluster": float(fit.coefs.loc[tbi, "pvalue"]), "nobs": d.nobs, "nclusters": g, "nperiods": t}
    for w in settings.weights:
        out.update(bootstrap_p(d.x, d.y, d.entity, column=0, settings=settings, stream=stream, weights=w).columns(f"wcr_{w}"))
    se3 = crv3_se(d.x, d.y, d.entity, column=0)
    out["se_crv3"], out["p_crv3"] = se3, _t_p(coef, se3, g - 1)
    beta = np.linalg.lstsq(d.x, d.y, rcond=None)[0]
    sw = sandwich_se(d.x, d.y - d.x @ beta, d.entity, d.time, bandwidth=bw)
    out.update(_sandwich_columns(coef, sw, g, t, bw, settings.twoway_convention))
    return out


def _tsls(x: np.ndarray, w: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2SLS coefficients of y on x with instruments w, and the projected regressors X̂ = P_W X."""
    xhat = w @ np.linalg.lstsq(w, x, rcond=None)[0]
    return np.linalg.lstsq(xhat, y, rcond=None)[0], xhat


def iv_inference(
    data: pd.DataFrame,
    depvar: str,
    tbi: str,
    instrument: str,
    controls: Sequence[str],
    settings: InferenceSettings,
    *,
    stream: str | None = None,
    fit: IVFit | None = None,
) -> dict[str, object]:
    """Every inference on the TBI coefficient of the 2SLS regression (:func:`estimation.fit_2sls`'s model);
    ``stream`` and ``fit`` (here ``fit_2sls(data, depvar, tbi, instrument, controls)``) as in :func:`fe_inference`."""
    from .estimation import fit_2sls

    stream = stream or "|".join([depvar, tbi, instrument, *controls])
    fit = fit if fit is not None else fit_2sls(data, depvar, tbi, instrument, list(controls))
    d = design(data, depvar, [tbi, instrument, *controls])
    g, t, n = d.nclusters, d.nperiods, d.nobs
    coef, se = float(fit.second.coefs.loc[tbi, "coef"]), float(fit.second.coefs.loc[tbi, "se"])
    out: dict[str, object] = {"coef": coef, "se_cluster": se, "p_cluster": float(fit.second.coefs.loc[tbi, "pvalue"]), "nobs": n, "nclusters": g, "nperiods": t}
    bw = dk_bandwidth(settings.dk_bandwidth, t)
    endog, z, exog = d.x[:, 0], d.x[:, 1], d.x[:, 2:]
    x = np.column_stack([endog, exog])
    w = np.column_stack([z, exog])

    # Reduced form (the AR test at β₀ = 0) bootstrapped by the library: y on [z, exog], coefficient of z.
    for wt in settings.weights:
        out.update(bootstrap_p(w, d.y, d.entity, column=0, settings=settings, stream=stream, weights=wt).columns(f"wcr_{wt}"))

    # CRV3: the 2SLS estimate without each country (its demeaned rows only identify its own effect).
    beta, xhat = _tsls(x, w, d.y)
    jack = np.array([_tsls(x[d.entity != c], w[d.entity != c], d.y[d.entity != c])[0][0] for c in range(g)])
    se3 = float(np.sqrt((g - 1) / g * np.sum((jack - beta[0]) ** 2)))
    out["se_crv3"], out["p_crv3"] = se3, _t_p(coef, se3, g - 1)

    # Driscoll–Kraay and two-way clustered sandwiches with the 2SLS scores X̂_i u_i, scaled as for the fixed-effects
    # regression (with X̂ = X they are fe_inference's; tested).
    resid = d.y - x @ beta
    out.update(_sandwich_columns(coef, sandwich_se(xhat, resid, d.entity, d.time, bandwidth=bw), g, t, bw, settings.twoway_convention))

    ar = anderson_rubin(d.y, endog, z, exog, d.entity, beta0=0.0, level=settings.level)
    crit = float(stats.t.isf((1 - settings.level) / 2, g - 1))
    out.update(
        {
            "ar_stat": ar.stat,
            "p_ar": ar.pvalue,
            "ar_set_kind": ar.kind,
            "ar_set_low": ar.bounds[0],
            "ar_set_high": ar.bounds[1],
            "ar_set": ar.describe(),
            "wald_low": coef - crit * se,
            "wald_high": coef + crit * se,
        }
    )
    return out
