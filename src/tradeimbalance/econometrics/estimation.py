"""The paper's regressions: two-way fixed effects and 2SLS with country-clustered standard errors.

Conventions (those of Stata's ``xtreg y x i.year, fe vce(cluster iso3)``,
which the published constants identify, see ``docs/specification.md``):

* **Fixed effects.** Country effects are absorbed by the within
  transformation; year effects enter as explicit dummies (base year = first
  sample year), as ``i.year`` does. Estimation: :class:`linearmodels.PanelOLS`
  with ``entity_effects=True``.
* **Constant.** ``_cons = ȳ − x̄'b`` over the estimation sample (year dummies
  included in x), which is what ``xtreg, fe`` reports; in a balanced panel it
  is the base-year mean of the fitted values net of the country effects.
  PanelOLS reports the same constant (it estimates the model with the grand
  means added back), and its clustered standard error.
* **Clustered covariance.** ``V = (G/(G−1)) · ((N−1)/(N−K)) · (X'X)⁻¹ (Σ_g X_g'u_g u_g'X_g) (X'X)⁻¹``
  with G countries, N observations and K = regressors + year dummies +
  constant. The absorbed country effects are not counted in K because they
  are nested in the clusters (Stata's rule since version 10). In linearmodels:
  ``cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True``.
* **p-values and stars.** Student t with G − 1 degrees of freedom, as Stata
  uses with clustered errors; stars at 10 % (1), 5 % (2), 1 % (3).
* **R².** The within R², ``1 − SSR / Σ(y − ȳ_i)²``, which ``xtreg, fe``
  reports as "R-sq within" and stores in ``e(r2)`` (year dummies count as
  regressors).
* **2SLS.** TBI instrumented by its one-year lag, with the same country
  (within transformation, grand means added back) and year (dummies) effects
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
from linearmodels import IV2SLS, PanelOLS
from scipy import stats

from .ivtests import identification_tests
from .specifications import CD_DOF_CONVENTIONS, SAMPLES, Specification, paper_specifications, sample_rows, stars

__all__ = [
    "CD_DOF_CONVENTIONS", "SAMPLES", "Specification", "paper_specifications", "sample_rows",  # from .specifications
    "Fit", "IVFit", "estimate", "fit_2sls", "fit_fe", "stars", "within", "within_r2", "year_dummies",
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
    """``x − x̄_i + x̄``: the within transformation with the grand mean added back (as ``xtreg, fe``)."""
    return frame - frame.groupby(groups).transform("mean") + frame.mean()


def within_r2(y: pd.Series, resid: pd.Series, groups: pd.Series) -> float:
    """Within R²: 1 − SSR / Σ(y − ȳ_i)²."""
    dev = y - y.groupby(groups).transform("mean")
    return float(1 - (resid**2).sum() / (dev**2).sum())


def _check(data: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"estimation data lack column(s) {missing}")
    bad = data[list(columns)].isna().any()
    if bad.any():
        raise ValueError(f"estimation data have missing values in {list(bad[bad].index)}; the panel step must exclude (and log) such rows")
    if data.duplicated([ENTITY, TIME]).any():
        raise ValueError("estimation data have duplicated country-years")


def fit_fe(data: pd.DataFrame, depvar: str, regressors: Sequence[str]) -> Fit:
    """Two-way FE with country-clustered SEs, as ``xtreg depvar regressors i.year, fe vce(cluster iso3)``."""
    _check(data, [ENTITY, TIME, depvar, *regressors])
    d = data.sort_values([ENTITY, TIME]).reset_index(drop=True)
    exog = pd.concat([pd.Series(1.0, index=d.index, name="const"), d[list(regressors)], year_dummies(d)], axis=1)
    idx = pd.MultiIndex.from_frame(d[[ENTITY, TIME]])
    model = PanelOLS(d[depvar].set_axis(idx), exog.set_axis(idx), entity_effects=True)
    res = model.fit(cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True)
    nclusters = int(d[ENTITY].nunique())
    keep = ["const", *regressors]
    coefs = _coef_frame(res.params[keep], res.std_errors[keep], nclusters)
    r2 = within_r2(d[depvar], pd.Series(np.asarray(res.resids), index=d.index), d[ENTITY])
    return Fit(coefs, int(res.nobs), nclusters, r2)


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
    effects are swept out by :func:`within` (nested in the clusters, so not
    counted in the small-sample factor). ``cragg_donald_dof`` picks the
    Cragg–Donald F's degrees of freedom (:data:`CD_DOF_CONVENTIONS`): ``ivreghdfe``
    (``N − L − p``) or ``xtivreg2`` (``N − L − p − G``, its ``dofminus(N_g)``); the
    cluster-robust KP statistics are the same under both.
    """
    if cragg_donald_dof not in CD_DOF_CONVENTIONS:
        raise ValueError(f"cragg_donald_dof={cragg_donald_dof!r}: expected one of {list(CD_DOF_CONVENTIONS)}")
    _check(data, [ENTITY, TIME, depvar, endog, instrument, *exog])
    d = data.sort_values([ENTITY, TIME]).reset_index(drop=True)
    years = year_dummies(d)
    cols = [depvar, endog, instrument, *exog]
    t = within(pd.concat([d[cols], years], axis=1), d[ENTITY])
    x_exog = pd.concat([pd.Series(1.0, index=d.index, name="const"), t[list(exog)], t[list(years.columns)]], axis=1)
    clusters = pd.Series(pd.factorize(d[ENTITY])[0], index=d.index)
    nclusters = int(d[ENTITY].nunique())
    res = IV2SLS(t[depvar], x_exog, t[[endog]], t[[instrument]]).fit(cov_type="clustered", clusters=clusters, debiased=True)
    keep = [endog, "const", *exog]
    second_coefs = _coef_frame(res.params[keep], res.std_errors[keep], nclusters)
    resid = pd.Series(np.asarray(res.resids), index=d.index)
    second = Fit(second_coefs, int(res.nobs), nclusters, within_r2(d[depvar], resid, d[ENTITY]))

    fs = IV2SLS(t[endog], pd.concat([x_exog, t[[instrument]]], axis=1), None, None).fit(cov_type="clustered", clusters=clusters, debiased=True)
    fkeep = [instrument, "const", *exog]
    first = Fit(_coef_frame(fs.params[fkeep], fs.std_errors[fkeep], nclusters), int(fs.nobs), nclusters, within_r2(d[endog], pd.Series(np.asarray(fs.resids), index=d.index), d[ENTITY]))

    # Identification statistics on the demeaned data (country effects swept out, year dummies and controls as exog).
    tests = identification_tests(
        t[[endog]].to_numpy(),
        t[[instrument]].to_numpy(),
        x_exog.to_numpy(),
        d[ENTITY].to_numpy(),
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
