"""The paper's regressions: two-way fixed effects and 2SLS with country-clustered standard errors.

Conventions (those of Stata's ``xtreg y x i.year, fe vce(cluster iso3)``,
which the published constants identify, see ``docs/specification.md``):

* **Fixed effects.** Country effects are absorbed by the within
  transformation (:func:`within_design`: numpy on the sorted arrays, the
  country means swept out); year effects enter as explicit dummies (base year
  = first sample year), as ``i.year`` does. Estimation: the least squares and
  the clustered covariance of :class:`linearmodels.IV2SLS` (no endogenous
  regressor: OLS) on the transformed data with a constant, the same path as the
  2SLS below. This costs about 6 ms per regression, where
  :class:`linearmodels.PanelOLS` (which gives the same numbers to rounding,
  tested) spends about 30 ms on its panel bookkeeping and on R² variants the
  paper does not report; the robustness analyses fit some four hundred
  regressions per run.
* **Constant.** ``_cons = ȳ − x̄'b`` over the estimation sample (year dummies
  included in x), which is what ``xtreg, fe`` reports (the coefficient of the
  constant in its regression on ``x − x̄_i + x̄``); in a balanced panel it is the
  base-year mean of the fitted values net of the country effects. It is moved
  from the centred fit with its clustered variance (:func:`_fit`).
* **Clustered covariance.** ``V = (G/(G−1)) · ((N−1)/(N−K)) · (X'X)⁻¹ (Σ_g X_g'u_g u_g'X_g) (X'X)⁻¹``
  with G countries, N observations and K = regressors + year dummies +
  constant. The absorbed country effects are not counted in K because they
  are nested in the clusters (Stata's rule since version 10). In linearmodels:
  ``cov_type="clustered", clusters=<country codes>, debiased=True`` on the
  transformed data (K is then the columns of the transformed design).
* **p-values and stars.** Student t with G − 1 degrees of freedom, as Stata
  uses with clustered errors; stars at 10 % (1), 5 % (2), 1 % (3).
* **R².** The within R², ``1 − SSR / Σ(y − ȳ_i)²``, which ``xtreg, fe``
  reports as "R-sq within" and stores in ``e(r2)`` (year dummies count as
  regressors).
* **2SLS.** TBI instrumented by its one-year lag, with the same country
  (:func:`within_design`) and year (dummies) effects
  and the same clustering; :class:`linearmodels.IV2SLS` on the transformed
  data with ``debiased=True`` gives the ``G(N−1)/((G−1)(N−K))`` small-sample
  factor. The first stage is the OLS of TBI on the instrument and the
  exogenous regressors with the same covariance. Identification statistics
  come from :mod:`tradeimbalance.econometrics.ivtests`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from linearmodels import IV2SLS
from scipy import stats

from .groups import demean
from .ivtests import identification_tests
from .specifications import CD_DOF_CONVENTIONS, SAMPLES, Specification, paper_specifications, sample_rows, stars

__all__ = [
    "CD_DOF_CONVENTIONS", "SAMPLES", "Specification", "paper_specifications", "sample_rows",  # from .specifications
    "Fit", "IVFit", "WithinDesign", "estimate", "fit_2sls", "fit_fe", "stars", "within", "within_design", "within_r2", "year_dummies",
]  # fmt: skip

log = logging.getLogger(__name__)

ENTITY, TIME = "iso3", "year"


@dataclass(frozen=True)
class Fit:
    """Coefficients of one regression in the reporting vocabulary."""

    coefs: pd.DataFrame  # index: variable; columns coef, se, pvalue, stars
    nobs: int
    nclusters: int
    r2: float


def _coef_frame(params: pd.Series, se: pd.Series, nclusters: int) -> pd.DataFrame:
    t = params / se
    p = 2 * stats.t.sf(np.abs(t), df=nclusters - 1)
    return pd.DataFrame({"coef": params, "se": se, "pvalue": p, "stars": stars(p)})


def year_dummies(data: pd.DataFrame) -> pd.DataFrame:
    """``i.year`` dummies: one per sample year except the first (the base year)."""
    years = sorted(data[TIME].unique())
    return pd.DataFrame({f"y{y}": (data[TIME] == y).astype(float) for y in years[1:]}, index=data.index)


def within(frame: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """``x − x̄_i + x̄``: the within transformation with the grand mean added back (as ``xtreg, fe``), on a frame.

    The estimators use :func:`within_design` (the same transformation on numpy arrays); this one is for readers who
    want it on labelled data."""
    return frame - frame.groupby(groups).transform("mean") + frame.mean()


def within_r2(y: pd.Series | np.ndarray, resid: pd.Series | np.ndarray, groups: pd.Series | np.ndarray) -> float:
    """Within R²: 1 − SSR / Σ(y − ȳ_i)² (``groups``: the country of each row, labels or integer codes)."""
    codes = pd.factorize(np.asarray(groups))[0]
    dev = demean(np.asarray(y, dtype=float), codes)
    return float(1 - (np.asarray(resid, dtype=float) ** 2).sum() / (dev**2).sum())


class WithinDesign:
    """A regression's variables on rows sorted by country and year, with the year dummies of ``i.year``.

    ``names``: the variables asked for, then one dummy ``y<year>`` per sample year but the first; ``raw`` their
    values (n × len(names)); ``entity`` and ``time`` the integer codes of each row's country and year (labels sorted).
    :meth:`within` sweeps out the country means. The paper's estimators (:func:`fit_fe`, :func:`fit_2sls`) and the
    few-cluster inference (:func:`.inference.design`) all build their design here."""

    def __init__(self, data: pd.DataFrame, columns: Sequence[str]) -> None:
        entity = pd.factorize(np.asarray(data[ENTITY]), sort=True)[0]
        time_labels, time = np.unique(data[TIME].to_numpy(), return_inverse=True)
        order = np.lexsort((time, entity))
        self._data, self._order = data, order
        self.entity, self.time = entity[order], time[order]
        dummies = np.zeros((order.size, max(time_labels.size - 1, 0)))
        rows = np.flatnonzero(self.time > 0)
        dummies[rows, self.time[rows] - 1] = 1.0
        self.variables = list(columns)
        self.dummy_names = [f"y{y}" for y in time_labels[1:]]
        self.names = [*self.variables, *self.dummy_names]
        self.raw = np.column_stack([data[list(columns)].to_numpy(float)[order], dummies])

    @property
    def nobs(self) -> int:
        return int(self.entity.size)

    @property
    def nclusters(self) -> int:
        return int(self.entity.max()) + 1

    def within(self) -> np.ndarray:
        """The columns less their country means (no grand mean added back: :func:`_fit` moves the constant)."""
        return demean(self.raw, self.entity)

    def frame(self) -> pd.DataFrame:
        """The sorted rows of the data (index reset) with the year dummies beside them."""
        d = self._data.iloc[self._order].reset_index(drop=True)
        return pd.concat([d, pd.DataFrame(self.raw[:, len(self.variables):], columns=self.dummy_names)], axis=1)


def within_design(data: pd.DataFrame, columns: Sequence[str]) -> WithinDesign:
    """:class:`WithinDesign` of ``columns`` (the outcome first, by the estimators' convention) on ``data``."""
    return WithinDesign(data, columns)


def _check(data: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"estimation data lack column(s) {missing}")
    bad = data[list(columns)].isna().any()
    if bad.any():
        raise ValueError(f"estimation data have missing values in {list(bad[bad].index)}; the panel step must exclude (and log) such rows")
    if data.duplicated([ENTITY, TIME]).any():
        raise ValueError("estimation data have duplicated country-years")


def _fit(y: np.ndarray, x: np.ndarray, means: np.ndarray, names: Sequence[str], clusters: np.ndarray, endog: np.ndarray | None = None,
         instruments: np.ndarray | None = None) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """The library's least squares (:class:`linearmodels.IV2SLS`; OLS without ``endog``) with the country-clustered
    covariance and the small-sample factor ``G/(G−1)·(N−1)/(N−K)``: coefficients and standard errors (named
    ``names``: the constant, the columns of ``x``, then ``endog``'s), and residuals.

    ``x`` (and ``endog``, ``instruments``) are within-transformed without the grand means, a constant column first;
    ``means`` are the grand means of the regressors after the constant (``x``'s, then ``endog``'s). The regression on
    ``x − x̄_i + x̄`` (``xtreg, fe``'s parametrisation) has the same slopes, residuals and K, and its constant is
    ``θ₀ − x̄'b`` with variance ``a'Va``, ``a = (1, −x̄)``. Fitting the centred design and moving the constant afterwards
    keeps the digits: the library solves the normal equations, whose condition number is the square of the design's,
    and adding the grand means back (lnGDP ≈ 27 beside its within variation of a tenth) raised the design's from about
    90 to 8,000 on the WIOD 2013 panel, so that the slopes lost their eighth digit."""
    res = IV2SLS(y, x, endog, instruments).fit(cov_type="clustered", clusters=clusters, debiased=True)
    params, cov = np.array(res.params, dtype=float), np.asarray(res.cov)
    a = np.concatenate([[1.0], -np.asarray(means, dtype=float)])
    se = np.sqrt(np.diag(cov))
    params[0], se[0] = a @ params, np.sqrt(a @ cov @ a)
    return pd.Series(params, index=list(names)), pd.Series(se, index=list(names)), np.asarray(res.resids)


def fit_fe(data: pd.DataFrame, depvar: str, regressors: Sequence[str]) -> Fit:
    """Two-way FE with country-clustered SEs, as ``xtreg depvar regressors i.year, fe vce(cluster iso3)``."""
    _check(data, [ENTITY, TIME, depvar, *regressors])
    w = within_design(data, [depvar, *regressors])
    t, means = w.within(), w.raw.mean(axis=0)
    x = np.column_stack([np.ones(w.nobs), t[:, 1:]])
    params, se, resid = _fit(t[:, 0] + means[0], x, means[1:], ["const", *w.names[1:]], w.entity)
    keep = ["const", *regressors]
    coefs = _coef_frame(params[keep], se[keep], w.nclusters)
    return Fit(coefs, w.nobs, w.nclusters, within_r2(w.raw[:, 0], resid, w.entity))


@dataclass(frozen=True)
class IVFit:
    """A 2SLS regression: second stage, first stage and identification statistics."""

    second: Fit
    first: Fit
    diagnostics: dict[str, float]


def fit_2sls(data: pd.DataFrame, depvar: str, endog: str, instrument: str, exog: Sequence[str], cragg_donald_dof: str = "ivreghdfe") -> IVFit:
    """2SLS with country and year effects and country-clustered SEs (as ``ivreghdfe …, absorb(iso3) cluster(iso3)`` with year dummies).

    ``endog`` is instrumented by ``instrument``; ``exog`` are the included
    exogenous controls. Year dummies and the constant are added; country
    effects are swept out by :func:`within_design` (nested in the clusters, so not
    counted in the small-sample factor). ``cragg_donald_dof`` picks the
    Cragg–Donald F's degrees of freedom (:data:`CD_DOF_CONVENTIONS`): ``ivreghdfe``
    (``N − L − p``) or ``xtivreg2`` (``N − L − p − G``, its ``dofminus(N_g)``); the
    cluster-robust KP statistics are the same under both.
    """
    if cragg_donald_dof not in CD_DOF_CONVENTIONS:
        raise ValueError(f"cragg_donald_dof={cragg_donald_dof!r}: expected one of {list(CD_DOF_CONVENTIONS)}")
    _check(data, [ENTITY, TIME, depvar, endog, instrument, *exog])
    w = within_design(data, [depvar, endog, instrument, *exog])
    t, means = w.within(), w.raw.mean(axis=0)
    col = {name: i for i, name in enumerate(w.names)}
    exog_cols = [col[c] for c in [*exog, *w.dummy_names]]
    x_exog = np.column_stack([np.ones(w.nobs), t[:, exog_cols]])
    endog_x, instrument_z = t[:, [col[endog]]], t[:, [col[instrument]]]
    nclusters = w.nclusters
    exog_names = ["const", *exog, *w.dummy_names]
    params, se, resid = _fit(
        t[:, 0] + means[0], x_exog, means[[*exog_cols, col[endog]]], [*exog_names, endog], w.entity, endog_x, instrument_z,
    )  # fmt: skip
    keep = [endog, "const", *exog]
    second = Fit(_coef_frame(params[keep], se[keep], nclusters), w.nobs, nclusters, within_r2(w.raw[:, 0], resid, w.entity))

    fparams, fse, fresid = _fit(
        endog_x[:, 0] + means[col[endog]], np.column_stack([x_exog, instrument_z]), means[[*exog_cols, col[instrument]]],
        [*exog_names, instrument], w.entity,
    )  # fmt: skip
    fkeep = [instrument, "const", *exog]
    first = Fit(_coef_frame(fparams[fkeep], fse[fkeep], nclusters), w.nobs, nclusters, within_r2(w.raw[:, col[endog]], fresid, w.entity))

    # Identification statistics on the demeaned data (country effects swept out, year dummies and controls as exog).
    tests = identification_tests(
        endog_x,
        instrument_z,
        x_exog,
        w.entity,
        absorbed_dof=0,
        dofminus=nclusters if cragg_donald_dof == "xtivreg2" else 0,
    )
    for reason in tests.unavailable:
        log.warning("2SLS %s on %s: %s", depvar, endog, reason)
    diagnostics = {
        "kp_lm": tests.kp_lm,
        "kp_lm_df": float(tests.kp_lm_df),
        "kp_lm_pvalue": tests.kp_lm_pvalue,
        "kp_wald_f": tests.kp_wald_f,
        "cd_wald_f": tests.cd_wald_f,
        "cd_dof": cragg_donald_dof,
        "unavailable": "; ".join(tests.unavailable),
    }
    return IVFit(second, first, diagnostics)


ESTIMATE_COLUMNS = [
    "table", "column", "stage", "depvar", "sample", "controls", "variable", "coef", "se", "pvalue", "stars", "nobs", "r2", "nclusters", "estimator",
    "instrument",
]  # fmt: skip
DIAGNOSTIC_COLUMNS = [
    "table", "column", "depvar", "sample", "controls", "kp_lm", "kp_lm_df", "kp_lm_pvalue", "kp_wald_f", "cd_wald_f", "nobs", "nclusters", "cd_dof", "unavailable",
    "instrument", "years_without_instrument",
]  # fmt: skip


def _rows(spec: Specification, fit: Fit, stage: str, depvar: str, rename: dict[str, str], instrument: str = "") -> list[dict[str, object]]:
    out = []
    for var, r in fit.coefs.iterrows():
        out.append(
            {
                "table": spec.table,
                "column": spec.column,
                "stage": stage,
                "depvar": depvar,
                "sample": spec.sample,
                "controls": spec.controls,
                "variable": rename.get(str(var), str(var)),
                "coef": float(r["coef"]),
                "se": float(r["se"]),
                "pvalue": float(r["pvalue"]),
                "stars": int(r["stars"]),
                "nobs": fit.nobs,
                "r2": fit.r2,
                "nclusters": fit.nclusters,
                "estimator": spec.estimator,
                "instrument": instrument,
            }
        )
    return out


def estimate(
    panel: pd.DataFrame, specs: Sequence[Specification], controls: Sequence[str], cragg_donald_dof: str = "ivreghdfe", *,
    instrument_label: str = "TBI of the previous year (t-1)",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every specification on the panel (``cragg_donald_dof``: see :func:`fit_2sls`).

    Returns ``estimates`` (one row per coefficient, :data:`ESTIMATE_COLUMNS`;
    the TBI regressor is always reported as ``TBI``, the instrument as
    ``L.TBI``; the 2SLS rows carry ``instrument_label``, what ``L.TBI`` is on the release's time axis, in column
    ``instrument``) and ``diagnostics`` (one row per 2SLS column, :data:`DIAGNOSTIC_COLUMNS`).
    """
    rows: list[dict[str, object]] = []
    diag: list[dict[str, object]] = []
    for spec in specs:
        data = sample_rows(panel, spec.sample)
        x = list(controls) if spec.controls else []
        rename = {spec.tbi: "TBI"}
        if spec.estimator == "fe":
            fit = fit_fe(data, spec.depvar, [spec.tbi, *x])
            rows += _rows(spec, fit, "second", spec.depvar, rename)
        elif spec.estimator == "2sls":
            if spec.instrument is None:
                raise ValueError(f"table {spec.table} column {spec.column}: 2sls needs an instrument")
            iv_data = data.dropna(subset=[spec.instrument])
            log.info("table %s col %d: %d of %d country-years have the instrument %s", spec.table, spec.column, len(iv_data), len(data), spec.instrument)
            ivfit = fit_2sls(iv_data, spec.depvar, spec.tbi, spec.instrument, x, cragg_donald_dof)
            rows += _rows(spec, ivfit.second, "second", spec.depvar, rename, instrument_label)
            rows += _rows(spec, ivfit.first, "first", "TBI", {spec.instrument: "L.TBI"}, instrument_label)
            dropped = sorted(set(data["year"]) - set(iv_data["year"]))
            diag.append({
                "table": spec.table, "column": spec.column, "depvar": spec.depvar, "sample": spec.sample, "controls": spec.controls, **ivfit.diagnostics,
                "nobs": ivfit.second.nobs, "nclusters": ivfit.second.nclusters, "instrument": instrument_label,
                "years_without_instrument": ", ".join(map(str, dropped)),
            })  # fmt: skip
        else:
            raise ValueError(f"unknown estimator {spec.estimator!r}")
        tbi_row = next(r for r in rows if r["table"] == spec.table and r["column"] == spec.column and r["variable"] == "TBI" and r["stage"] == "second")
        log.info("table %s col %d (%s, %s): N=%d, TBI %.4f (%.4f)", spec.table, spec.column, spec.depvar, spec.sample, tbi_row["nobs"], tbi_row["coef"], tbi_row["se"])
    estimates = pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)
    diagnostics = pd.DataFrame(diag, columns=DIAGNOSTIC_COLUMNS)
    return estimates, diagnostics
