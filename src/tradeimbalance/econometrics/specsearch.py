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

For every published column (Tables 3–6: seven full-sample columns, five
developed, five developing) the published ``_cons`` and coefficients are known;
the means of the outcome and the controls can be computed for any candidate
choice of KOF vintage, country set, developed list and control variables. The
only unknown is the mean TBI of the base year 2000, which no release on hand
has (the WIOD 2016 flows begin in 2002): it is left free, one parameter for
the developed and one for the developing countries (the full-sample mean is
their country-weighted average), and fitted by least squares across the
equations (17 with the published Tables 3–6). The root-mean-square residual
of the identities ranks the candidates; the fitted TBI means can be compared
with those of the release on hand.

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


class _MeanTable:
    """Sample means of the columns of one tidy frame over any set of countries and years, without pandas in the loop.

    ``mean(col, rows(members, years))`` equals pandas' ``frame[rows][col].mean()`` to the last bit: the same
    rows in the same order, NaN counted as 0 in the sum and left out of the count, as pandas does.
    """

    def __init__(self, frame: pd.DataFrame, columns: Sequence[str], countries: Sequence[str]) -> None:
        self.codes = {c: i for i, c in enumerate(countries)}
        iso3 = frame["iso3"].to_numpy(dtype=object)
        self.country = np.array([self.codes.get(c, -1) for c in iso3], dtype=np.int64)
        self.year = frame["year"].to_numpy(dtype=np.int64)
        self.values = {c: frame[c].to_numpy(dtype=np.float64) for c in columns}

    def rows(self, members: Sequence[str], years: Sequence[int]) -> np.ndarray:
        flag = np.zeros(len(self.codes) + 1, dtype=bool)
        flag[[self.codes[c] for c in members if c in self.codes]] = True
        return flag[self.country] & np.isin(self.year, np.asarray(years, dtype=np.int64))

    def mean(self, col: str, rows: np.ndarray) -> float:
        x = self.values[col][rows]
        missing = np.isnan(x)
        n = x.size - int(missing.sum())
        if n == 0:
            return float("nan")
        return float(np.where(missing, 0.0, x).sum() / n)


def identity_weights(equations: Sequence[Equation], n_developed: int, n_developing: int) -> np.ndarray:
    """``A`` of the constant identities ``B = A m``: row k is ``b_TBI`` times the weights of the two group means in
    equation k's sample (the full-sample mean is their country-weighted average)."""
    share = n_developed / (n_developed + n_developing)
    rows = []
    for eq in equations:
        bt = eq.coefs["TBI"]
        rows.append({"all": [bt * share, bt * (1 - share)], "developed": [bt, 0.0], "developing": [0.0, bt]}[eq.sample])
    return np.array(rows)


def identity_targets(
    equations: Sequence[Equation],
    outcome_means: Mapping[tuple[str, str], float],
    control_means: Mapping[tuple[str, str], float | np.ndarray],
    n_choices: int = 1,
) -> np.ndarray:
    """``B`` of the constant identities, row k: ``ȳ − Σ b x̄ − _cons`` of equation k, one column per choice.

    ``control_means[(sample, variable)]`` is one mean or an array of ``n_choices`` means (one per candidate
    choice of the controls), so that every choice is evaluated at once; the sum runs over the controls in the
    published order, as a plain left-to-right sum.
    """
    rows = []
    for eq in equations:
        total: float | np.ndarray = 0.0
        for v, coef in eq.coefs.items():
            if v != "TBI":
                total = total + coef * control_means[(eq.sample, v)]
        rows.append(np.broadcast_to((outcome_means[(eq.sample, eq.depvar)] - total) - eq.const, (n_choices,)))
    return np.array(rows)


def identity_system(
    equations: Sequence[Equation],
    outcome_means: Mapping[tuple[str, str], float],
    control_means: Mapping[tuple[str, str], float],
    n_developed: int,
    n_developing: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The constant identities as ``B = A m``, with ``m`` = (mean TBI of developed, of developing countries).

    Row k: ``B_k = ȳ − Σ b x̄ − _cons`` and ``A_k`` = ``b_TBI`` times the weights of the two group means in
    equation k's sample (:func:`identity_weights`, :func:`identity_targets`).
    """
    return identity_weights(equations, n_developed, n_developing), identity_targets(equations, outcome_means, control_means)[:, 0]


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
    variables = {name: [s.variable for s in specs] for name, specs in control_alternatives.items()}
    countries = list(dict.fromkeys([*candidates, *(tbi_on_hand["iso3"] if tbi_on_hand is not None else [])]))
    tables = {
        (name, spec.variable): _MeanTable(control_values(sources, spec, first_year, last_year, candidates), [name], countries)
        for name, specs in control_alternatives.items()
        for spec in specs
    }
    kof_y = kof[kof["vintage"].isin(vintages) & kof["year"].between(first_year, last_year)]
    kof_tables = {v: _MeanTable(kof_y[kof_y["vintage"] == v], depvars, countries) for v in vintages}
    tbi_table = _MeanTable(tbi_on_hand, ["tbi"], countries) if tbi_on_hand is not None else None
    lists = {"configured": list(developed)} if not isinstance(developed, Mapping) else {k: list(v) for k, v in developed.items()}
    # Every combination of control alternatives at once: column c of the identity system is combination c.
    combos = list(itertools.product(*[range(len(variables[n])) for n in control_names]))
    pick = {n: np.array([c[k] for c in combos], dtype=np.int64) for k, n in enumerate(control_names)}
    n_combos = len(combos)
    blocks = []
    for (list_name, dev), dropped in itertools.product(lists.items(), itertools.combinations(candidates, n_drop)):
        members = [c for c in candidates if c not in dropped]
        groups = {"all": members, "developed": [c for c in members if c in dev], "developing": [c for c in members if c not in dev]}
        if n_developed is not None and len(groups["developed"]) != n_developed:
            continue
        n_dev, n_dvg = len(groups["developed"]), len(groups["developing"])
        A = identity_weights(equations, n_dev, n_dvg)
        for conv, years in years_by_conv.items():
            m_fixed = None
            if tbi_table is not None:
                t_dev = tbi_table.rows([c for c in members if c in dev], years)
                t_dvg = tbi_table.rows([c for c in members if c not in dev], years)
                m_fixed = np.array([tbi_table.mean("tbi", t_dev), tbi_table.mean("tbi", t_dvg)])
            # Control means under each alternative: cmeans[(sample, name)][k] for the k-th alternative.
            cmeans = {}
            for name in control_names:
                for s, g in groups.items():
                    cmeans[(s, name)] = np.array([tables[(name, var)].mean(name, tables[(name, var)].rows(g, years)) for var in variables[name]])
            chosen = {key: m[pick[key[1]]] for key, m in cmeans.items()}
            for vintage in vintages:
                kt = kof_tables[vintage]
                rows_by_group = {s: kt.rows(g, years) for s, g in groups.items()}
                omeans = {(s, d): kt.mean(d, rows_by_group[s]) for s in groups for d in depvars}
                B = identity_targets(equations, omeans, chosen, n_combos)
                M, *_ = np.linalg.lstsq(A, B, rcond=None)
                resid = np.ascontiguousarray((B - A @ M).T)
                fixed = np.full(n_combos, np.nan) if m_fixed is None else np.sqrt(np.mean(np.ascontiguousarray((B - (A @ m_fixed)[:, None]).T) ** 2, axis=1))
                blocks.append(
                    {
                        "developed_list": np.full(n_combos, list_name, dtype=object),
                        "dropped": np.full(n_combos, " ".join(dropped), dtype=object),
                        "convention": np.full(n_combos, conv, dtype=object),
                        "kof_vintage": np.full(n_combos, vintage, dtype=object),
                        **{n: np.asarray(variables[n], dtype=object)[pick[n]] for n in control_names},
                        "n_developed": np.full(n_combos, n_dev),
                        "n_developing": np.full(n_combos, n_dvg),
                        "rms_residual": np.sqrt(np.mean(resid**2, axis=1)),
                        "rms_residual_tbi_on_hand": fixed,
                        "max_abs_residual": np.abs(resid).max(axis=1),
                        "fitted_tbi_mean_developed": M[0],
                        "fitted_tbi_mean_developing": M[1],
                        "residuals": resid,
                    }
                )
    if not blocks:
        return pd.DataFrame(columns=["developed_list", "dropped", "convention", "kof_vintage", *control_names, "rms_residual"])
    columns = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
    fmt = " ".join(["%+.3f"] * columns["residuals"].shape[1])  # one format per row: f"{r:+.3f}" of each residual, spaced
    columns["residuals"] = [fmt % tuple(row) for row in columns["residuals"].tolist()]
    out = pd.DataFrame(columns)
    for k in ("developed_list", "dropped", "convention", "kof_vintage", *control_names, "residuals"):
        out[k] = out[k].astype("str")
    return out.sort_values(["rms_residual", "developed_list", "dropped", "convention", "kof_vintage", *control_names], kind="mergesort").reset_index(drop=True)


def best_by_dimension(ranking: pd.DataFrame, dimensions: Sequence[str], score: str = "rms_residual") -> pd.DataFrame:
    """For each dimension and each of its values, the best ``score`` reachable (the other choices free)."""
    parts = []
    for dim in dimensions:
        best = ranking.groupby(dim, sort=False)[score].min().sort_values()
        parts.append(pd.DataFrame({"dimension": dim, "choice": best.index.astype(str), f"best_{score}": best.to_numpy()}))
    return pd.concat(parts, ignore_index=True)
