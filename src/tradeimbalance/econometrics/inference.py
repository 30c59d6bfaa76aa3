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
  serial correlation: linearmodels ``PanelOLS`` with ``cov_type="kernel"``
  (Bartlett kernel, bandwidth from config, linearmodels' rule
  ⌊4(T/100)^{2/9}⌋ when unset); p from t(T − 1), as Stata's ``xtscc``.
* **Two-way clustered** (country and year; Cameron, Gelbach & Miller 2011):
  linearmodels ``cov_type="clustered"`` with ``cluster_entity`` and
  ``cluster_time`` (each component with its G/(G−1) factor); p from
  t(min(G, T) − 1), as ``reghdfe``/``ivreghdfe``.
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

from .estimation import ENTITY, TIME, year_dummies
from .groups import demean, group_sums

log = logging.getLogger(__name__)

WEIGHTS = ("rademacher", "webb")


@dataclass(frozen=True)
class InferenceSettings:
    """Config ``inference``: bootstrap size, seed, weights, Driscoll–Kraay bandwidth, confidence level."""

    bootstrap_draws: int = 9999
    seed: int = 20210901
    weights: tuple[str, ...] = WEIGHTS
    dk_bandwidth: int | None = None
    level: float = 0.95

    def __post_init__(self) -> None:
        bad = [w for w in self.weights if w not in WEIGHTS]
        if bad:
            raise ValueError(f"inference.weights: {bad} not among {WEIGHTS}")
        if self.bootstrap_draws < 99:
            raise ValueError(f"inference.bootstrap_draws={self.bootstrap_draws}: use at least 99 draws")
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
    frame: pd.DataFrame  # the sorted rows (iso3, year and the variables), for the linearmodels fits

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
    """:class:`Design` of ``depvar`` on ``regressors`` + year dummies with country effects swept out."""
    d = data.sort_values([ENTITY, TIME]).reset_index(drop=True)
    years = year_dummies(d)
    entity = pd.factorize(d[ENTITY], sort=True)[0]
    time = pd.factorize(d[TIME], sort=True)[0]
    x = np.column_stack([d[list(regressors)].to_numpy(float), years.to_numpy(float)])
    return Design(
        y=demean(d[depvar].to_numpy(float), entity),
        x=demean(x, entity),
        names=[*regressors, *years.columns],
        entity=entity,
        time=time,
        frame=pd.concat([d, years], axis=1),
    )


# ----------------------------------------------------------------- the library's bootstrap and jackknife


def _compile_bootstrap_once() -> None:
    """Let ``wildboottest`` compile its bootstrap loop once per process instead of once per call.

    ``WildboottestCL.get_denom`` defines its numba kernel inside the method and decorates it with ``njit`` on
    every call, so each bootstrap pays a fresh compilation (about 0.5 s, more than the 9,999 draws cost). The
    kernel is a plain nested function (no closure; the same code object on every call), so compiling it once and
    reusing the dispatcher runs the same machine code on the same arguments: the numbers are unchanged (tested
    against an unpatched process). Functions with a closure are compiled as before.
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
                cache[key] = original(*args, **kwargs)(func)
            return cache[key]

        return decorate

    wb.njit = njit
    wb._tradeimbalance_compile_once = True  # type: ignore[attr-defined]


def wild_bootstrap_pvalue(x: np.ndarray, y: np.ndarray, clusters: np.ndarray, *, column: int, draws: int, seed: int, weights: str) -> float:
    """WCR bootstrap p-value (two-tailed, symmetric) of H0: coefficient ``column`` = 0 (``wildboottest``, type 11)."""
    from wildboottest.wildboottest import WildboottestCL

    _compile_bootstrap_once()
    r = np.zeros(x.shape[1])
    r[column] = 1.0
    boot = WildboottestCL(X=x, Y=y, cluster=clusters, R=r, B=draws, seed=seed, parallel=False)
    boot.get_scores(bootstrap_type="11", impose_null=True)
    boot.get_weights(weights_type=weights)
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    boot.get_pvalue(pval_type="two-tailed")
    return float(boot.pvalue)


def crv3_se(x: np.ndarray, y: np.ndarray, clusters: np.ndarray, *, column: int) -> float:
    """CRV3 (cluster jackknife) standard error of coefficient ``column`` (``wildboottest``'s CRV3 covariance)."""
    from wildboottest.wildboottest import WildboottestCL

    r = np.zeros(x.shape[1])
    r[column] = 1.0
    boot = WildboottestCL(X=x, Y=y, cluster=clusters, R=r, B=99, seed=0, parallel=False)
    boot.get_scores(bootstrap_type="13", impose_null=False)
    boot.get_vcov()
    return float(np.sqrt(boot.ssc * boot.vcov[column, column]))


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


def sandwich_se(xhat: np.ndarray, resid: np.ndarray, entity: np.ndarray, time: np.ndarray, *, bandwidth: float, column: int = 0) -> tuple[float, float]:
    """Driscoll–Kraay and two-way (entity, time) clustered standard errors of coefficient ``column``.

    ``xhat`` are the country-demeaned regressors (for 2SLS the projected ones, ``P_W X``) and ``resid`` the
    residuals; the scores are ``xhat_i · resid_i``. The factors are linearmodels' ``PanelOLS`` ones with entity
    effects, ``debiased=True``: the country effects are counted (``extra_df = G − 1``, they are not nested in the
    time clusters), so ``V = n/(n − k − (G − 1)) · B⁻¹ S B⁻¹`` with k = regressors + constant; two-way
    ``S = c_e S_e + c_t S_t − c_et S_et`` with ``c = m/(m − 1) · (n − 1)/n`` for m groups; Driscoll–Kraay
    ``S = Σ_j w_j (Γ_j + Γ_j')`` of the per-period score sums with Bartlett weights. A negative two-way
    variance (possible: it is a difference of matrices) gives ``nan``.
    """
    n = xhat.shape[0]
    g = int(entity.max()) + 1
    periods = int(time.max()) + 1
    bandwidth = dk_bandwidth(bandwidth, periods)
    scores = xhat * resid[:, None]
    bread = np.linalg.inv(xhat.T @ xhat)
    scale = n / (n - (xhat.shape[1] + 1) - (g - 1))
    v_dk = bread @ _kernel_meat(scores, time, bandwidth) @ bread * scale
    both = entity * periods + time

    def c(codes: np.ndarray) -> float:
        m = int(np.unique(codes).size)
        return m / (m - 1) * (n - 1) / n

    meat = c(entity) * _cluster_meat(scores, entity) + c(time) * _cluster_meat(scores, time) - c(both) * _cluster_meat(scores, both)
    v_tw = bread @ meat @ bread * scale
    se_tw = float(np.sqrt(v_tw[column, column])) if v_tw[column, column] > 0 else float("nan")
    return float(np.sqrt(v_dk[column, column])), se_tw


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


def fe_inference(data: pd.DataFrame, depvar: str, tbi: str, controls: Sequence[str], settings: InferenceSettings) -> dict[str, object]:
    """Every inference on the TBI coefficient of the two-way FE regression (:func:`estimation.fit_fe`'s model)."""
    from linearmodels import PanelOLS

    from .estimation import fit_fe

    fit = fit_fe(data, depvar, [tbi, *controls])
    d = design(data, depvar, [tbi, *controls])
    g, t = d.nclusters, d.nperiods
    coef, se = float(fit.coefs.loc[tbi, "coef"]), float(fit.coefs.loc[tbi, "se"])
    bw = dk_bandwidth(settings.dk_bandwidth, t)
    out: dict[str, object] = {"coef": coef, "se_cluster": se, "p_cluster": float(fit.coefs.loc[tbi, "pvalue"]), "nobs": d.nobs, "nclusters": g, "nperiods": t}
    for w in settings.weights:
        out[f"p_wcr_{w}"] = wild_bootstrap_pvalue(d.x, d.y, d.entity, column=0, draws=settings.bootstrap_draws, seed=settings.seed, weights=w)
    se3 = crv3_se(d.x, d.y, d.entity, column=0)
    out["se_crv3"], out["p_crv3"] = se3, _t_p(coef, se3, g - 1)

    f = d.frame
    idx = pd.MultiIndex.from_frame(f[[ENTITY, TIME]])
    exog = pd.concat([pd.Series(1.0, index=f.index, name="const"), f[d.names]], axis=1).set_axis(idx)
    model = PanelOLS(f[depvar].set_axis(idx), exog, entity_effects=True)
    dk = model.fit(cov_type="kernel", kernel="bartlett", bandwidth=bw, debiased=True)
    out["dk_bandwidth"] = float(bw)
    out["se_dk"] = float(np.sqrt(dk.cov.loc[tbi, tbi]))
    out["p_dk"] = _t_p(coef, out["se_dk"], t - 1)  # type: ignore[arg-type]
    tw = model.fit(cov_type="clustered", cluster_entity=True, cluster_time=True, debiased=True, group_debias=True)
    v_tw = float(tw.cov.loc[tbi, tbi])  # a difference of matrices: a negative variance gives nan, not a warning
    out["se_twoway"] = float(np.sqrt(v_tw)) if v_tw > 0 else float("nan")
    out["p_twoway"] = _t_p(coef, out["se_twoway"], min(g, t) - 1)  # type: ignore[arg-type]
    return out


def _tsls(x: np.ndarray, w: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2SLS coefficients of y on x with instruments w, and the projected regressors X̂ = P_W X."""
    xhat = w @ np.linalg.lstsq(w, x, rcond=None)[0]
    return np.linalg.lstsq(xhat, y, rcond=None)[0], xhat


def iv_inference(data: pd.DataFrame, depvar: str, tbi: str, instrument: str, controls: Sequence[str], settings: InferenceSettings) -> dict[str, object]:
    """Every inference on the TBI coefficient of the 2SLS regression (:func:`estimation.fit_2sls`'s model)."""
    from .estimation import fit_2sls

    fit = fit_2sls(data, depvar, tbi, instrument, list(controls))
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
        out[f"p_wcr_{wt}"] = wild_bootstrap_pvalue(w, d.y, d.entity, column=0, draws=settings.bootstrap_draws, seed=settings.seed, weights=wt)

    # CRV3: the 2SLS estimate without each country (its demeaned rows only identify its own effect).
    beta, xhat = _tsls(x, w, d.y)
    jack = np.array([_tsls(x[d.entity != c], w[d.entity != c], d.y[d.entity != c])[0][0] for c in range(g)])
    se3 = float(np.sqrt((g - 1) / g * np.sum((jack - beta[0]) ** 2)))
    out["se_crv3"], out["p_crv3"] = se3, _t_p(coef, se3, g - 1)

    # Driscoll–Kraay and two-way clustered sandwiches with the 2SLS scores X̂_i u_i, scaled as linearmodels scales
    # them for the fixed-effects regression (checked in the tests against PanelOLS with X̂ = X).
    resid = d.y - x @ beta
    out["dk_bandwidth"] = float(bw)
    out["se_dk"], out["se_twoway"] = sandwich_se(xhat, resid, d.entity, d.time, bandwidth=bw)
    out["p_dk"] = _t_p(coef, out["se_dk"], t - 1)  # type: ignore[arg-type]
    out["p_twoway"] = _t_p(coef, out["se_twoway"], min(g, t) - 1)  # type: ignore[arg-type]

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
