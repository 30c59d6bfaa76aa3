"""Finding the choices the paper does not state, from the numbers it does publish.

The paper names its sources but not the exact PWT variables, the KOF vintage,
the 41 countries or the developed/developing split. Its regression constants
pin these down, because a fixed-effects constant is a known function of sample
means:

* ``xtreg y x i.year, fe`` reports ``_cons = ȳ − x̄'b`` over the estimation
  sample, with the year dummies in x. In a balanced panel with the first year
  as the base, ``(1/T) Σ_t δ_t = (ȳ − ȳ_base) − b'(x̄ − x̄_base)``, so
  ``_cons = ȳ_base − b'x̄_base``: **the base-year sample means of the outcome
  and the regressors, weighted by the published coefficients.**
* ``reghdfe`` (or any estimator normalising the absorbed effects to mean zero)
  reports ``_cons = ȳ − b'x̄`` over all years.

For every published column (Tables 3 and 4: four full-sample columns, two
developed, two developing) the published ``_cons`` and coefficients are known;
the means of the outcome and the controls can be computed for any candidate
choice of KOF vintage, country set, developed list and control variables. The
only unknown is the mean TBI, whose 2016-release values are not here: it is
left free, one parameter for the developed and one for the developing
countries (the full-sample mean is their country-weighted average), and
fitted by least squares across the eight equations. The root-mean-square
residual of the eight identities ranks the candidates; the fitted TBI means
can be compared with those of the release on hand.

Published numbers enter only as data read from ``data/published``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .panel import ControlSpec, control_values

CONVENTIONS = ("xtreg", "reghdfe")


@dataclass(frozen=True)
class Equation:
    """One published column: its sample, outcome, coefficients and constant."""

    table: str
    column: int
    depvar: str
    sample: str
    coefs: Mapping[str, float]  # variable → published coefficient, without const
    const: float


def published_equations(published: pd.DataFrame) -> list[Equation]:
    """The published columns that report a constant, from ``published_coefficients.csv``."""
    eqs = []
    for (table, column), g in published.groupby(["table", "column"], sort=True):
        c = g.set_index("variable")["coef"]
        if "const" not in c.index or "TBI" not in c.index:
            continue
        first = g.iloc[0]
        eqs.append(Equation(str(table), int(column), str(first["depvar"]), str(first["sample"]), c.drop("const").to_dict(), float(c["const"])))
    return eqs


def _means(values: pd.DataFrame, col: str, members: Sequence[str], years: Sequence[int]) -> float:
    v = values[values["iso3"].isin(members) & values["year"].isin(years)]
    return float(v[col].mean())


def identity_system(
    equations: Sequence[Equation],
    outcome_means: Mapping[tuple[str, str], float],
    control_means: Mapping[tuple[str, str], float],
    n_developed: int,
    n_developing: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The constant identities as ``B = A m``, with ``m`` = (mean TBI of developed, of developing countries).

    Row k: ``B_k = ȳ − Σ b x̄ − _cons`` and ``A_k`` = ``b_TBI`` times the weights of the two group means in
    equation k's sample (the full-sample mean is their country-weighted average).
    """
    a, b = [], []
    share = n_developed / (n_developed + n_developing)
    for eq in equations:
        rhs = outcome_means[(eq.sample, eq.depvar)] - sum(coef * control_means[(eq.sample, v)] for v, coef in eq.coefs.items() if v != "TBI")
        bt = eq.coefs["TBI"]
        weights = {"all": [bt * share, bt * (1 - share)], "developed": [bt, 0.0], "developing": [0.0, bt]}[eq.sample]
        a.append(weights)
        b.append(rhs - eq.const)
    return np.array(a), np.array(b)


def constant_residuals(
    equations: Sequence[Equation],
    outcome_means: Mapping[tuple[str, str], float],
    control_means: Mapping[tuple[str, str], float],
    n_developed: int,
    n_developing: int,
) -> tuple[np.ndarray, float, float]:
    """Residuals of ``_cons = ȳ − Σ b x̄ − b_TBI · m_sample`` with the TBI means fitted.

    ``outcome_means[(sample, depvar)]`` and ``control_means[(sample, variable)]``
    hold the sample means under one candidate choice. Returns the residuals
    and the fitted mean TBI of the developed and developing countries.
    """
    A, B = identity_system(equations, outcome_means, control_means, n_developed, n_developing)
    m, *_ = np.linalg.lstsq(A, B, rcond=None)
    return B - A @ m, float(m[0]), float(m[1])


def search(
    equations: Sequence[Equation],
    kof: pd.DataFrame,
    sources: Mapping[str, pd.DataFrame],
    *,
    candidates: Sequence[str],
    developed: Sequence[str] | Mapping[str, Sequence[str]],
    n_countries: int,
    n_developed: int | None = None,
    vintages: Sequence[str],
    control_alternatives: Mapping[str, Sequence[ControlSpec]],
    first_year: int,
    last_year: int,
    tbi_on_hand: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rank every combination of choices by how well it reproduces the published constants.

    The country sets tried are every way of dropping ``len(candidates) −
    n_countries`` countries from ``candidates``; the developed list is held
    fixed (a candidate whose split sizes differ from the paper's is still
    ranked — the sizes are reported — unless ``n_developed`` is given, when
    only sets with that many developed countries are tried). ``developed`` may
    also map names to alternative developed lists, each of which is tried
    (column ``developed_list``). Every KOF vintage, every combination of
    control alternatives and both constant conventions (:data:`CONVENTIONS`)
    are tried. Returns one row per combination, best first.

    With ``tbi_on_hand`` (the TBI panel of the release on hand), a second
    score ``rms_residual_tbi_on_hand`` fixes the mean TBI of each group at its
    value in that release (base-year or all-year means of the countries it
    covers) instead of fitting it: a check that the fitted means are plausible.
    """
    n_drop = len(candidates) - n_countries
    if n_drop < 0:
        raise ValueError(f"{len(candidates)} candidate countries cannot give a sample of {n_countries}")
    years_by_conv = {"xtreg": [first_year], "reghdfe": list(range(first_year, last_year + 1))}
    depvars = sorted({eq.depvar for eq in equations})
    control_names = list(control_alternatives)
    values = {(name, spec.variable): control_values(sources, spec, first_year, last_year, candidates) for name, specs in control_alternatives.items() for spec in specs}
    kof_y = kof[kof["vintage"].isin(vintages) & kof["year"].between(first_year, last_year)]
    lists = {"configured": list(developed)} if not isinstance(developed, Mapping) else {k: list(v) for k, v in developed.items()}
    rows = []
    for (list_name, dev), dropped in itertools.product(lists.items(), itertools.combinations(candidates, n_drop)):
        members = [c for c in candidates if c not in dropped]
        groups = {"all": members, "developed": [c for c in members if c in dev], "developing": [c for c in members if c not in dev]}
        if n_developed is not None and len(groups["developed"]) != n_developed:
            continue
        for conv, years in years_by_conv.items():
            m_fixed = None
            if tbi_on_hand is not None:
                t = tbi_on_hand[tbi_on_hand["iso3"].isin(members) & tbi_on_hand["year"].isin(years)]
                m_fixed = np.array([t.loc[t["iso3"].isin(dev), "tbi"].mean(), t.loc[~t["iso3"].isin(dev), "tbi"].mean()])
            cmeans = {(s, name, var): _means(values[(name, var)], name, g, years) for s, g in groups.items() for (name, var) in values}
            for vintage in vintages:
                kv = kof_y[kof_y["vintage"] == vintage]
                omeans = {(s, d): _means(kv, d, g, years) for s, g in groups.items() for d in depvars}
                for choice in itertools.product(*[[s.variable for s in control_alternatives[n]] for n in control_names]):
                    chosen = dict(zip(control_names, choice))
                    cm = {(s, n): cmeans[(s, n, chosen[n])] for s in groups for n in control_names}
                    A, B = identity_system(equations, omeans, cm, len(groups["developed"]), len(groups["developing"]))
                    (m_dev, m_dvg), *_ = np.linalg.lstsq(A, B, rcond=None)
                    resid = B - A @ np.array([m_dev, m_dvg])
                    fixed = np.nan if m_fixed is None else float(np.sqrt(np.mean((B - A @ m_fixed) ** 2)))
                    rows.append(
                        {
                            "developed_list": list_name,
                            "dropped": " ".join(dropped),
                            "convention": conv,
                            "kof_vintage": vintage,
                            **chosen,
                            "n_developed": len(groups["developed"]),
                            "n_developing": len(groups["developing"]),
                            "rms_residual": float(np.sqrt(np.mean(resid**2))),
                            "rms_residual_tbi_on_hand": fixed,
                            "max_abs_residual": float(np.abs(resid).max()),
                            "fitted_tbi_mean_developed": float(m_dev),
                            "fitted_tbi_mean_developing": float(m_dvg),
                            "residuals": " ".join(f"{r:+.3f}" for r in resid),
                        }
                    )
    out = pd.DataFrame(rows)
    return out.sort_values(["rms_residual", "developed_list", "dropped", "convention", "kof_vintage", *control_names], kind="mergesort").reset_index(drop=True)


def best_by_dimension(ranking: pd.DataFrame, dimensions: Sequence[str], score: str = "rms_residual") -> pd.DataFrame:
    """For each dimension and each of its values, the best ``score`` reachable (the other choices free)."""
    parts = []
    for dim in dimensions:
        best = ranking.groupby(dim, sort=False)[score].min().sort_values()
        parts.append(pd.DataFrame({"dimension": dim, "choice": best.index.astype(str), f"best_{score}": best.to_numpy()}))
    return pd.concat(parts, ignore_index=True)
