"""The specification curve's own inference (Simonsohn, Simmons & Nelson 2020): the joint test under the null of no
TBI effect, and the share of the curve's variance that each dimension explains.

**Joint test.** Under the null every specification's TBI effect is zero. It is imposed by removing each
specification's estimated effect from its outcome (``y − b̂·TBI``); the countries are then resampled with
replacement (clusters, not country-years) and the whole curve is estimated again, ``B`` times. One draw of countries
is shared by every specification of a release, so that the specifications stay as correlated as they are in the data.

Three statistics of the observed curve are compared with their distribution under the null:

* the **median** TBI coefficient (p: the share of draws whose median is at least as far in the dominant direction);
* the **number of specifications significant** at 5 % with the dominant sign;
* the **Stouffer Z**, ``Σ_s Φ⁻¹(1 − p_s)/√S`` of the one-sided p-values in the dominant direction.

The dominant sign is that of the median, in the observed curve and in each draw alike: the data choose the
direction, so each draw is measured in its own dominant direction (the median by its absolute value), which makes
each test two-sided and keeps its size (tested). Each p-value is ``(1 + #{draws at least as extreme}) / (1 + B)``.

How it is computed. With country effects, a country drawn k times is the same as its rows weighted by k: its
within-country deviations do not change, and each copy is a cluster of its own. So each design's country-demeaned
regressors ``D`` (TBI, controls, year dummies) and outcomes ``Y`` are reduced once to per-country cross-products
``M_c = D_c'D_c`` and ``r_c = D_c'Y_c``; a draw with multiplicities ``w`` gives ``β = (Σ w_c M_c)⁻¹ Σ w_c r_c`` and the
clustered SE from the cluster scores ``s_c = a'(r_c − M_c β)`` (``a``: the TBI row of the inverse) as
``√(G/(G−1)·(N−1)/(N−K)·Σ w_c s_c²)`` with ``G = Σ w_c`` clusters and ``N = Σ w_c n_c`` rows, the factor of
:func:`tradeimbalance.econometrics.speccurve.fe_tbi_batch`. Removing ``b̂·TBI`` from ``y`` shifts the TBI
coefficient by ``−b̂`` and leaves the residuals alone, so the null draws are ``β_b − b̂``. A draw in which a design is
not identified (a year with no drawn country, fewer rows than parameters, a singular matrix) leaves that
specification out of that draw's statistics; how often is reported.

**Variance decomposition.** The share of the variance of the curve's coefficients explained by each dimension alone
(the between-choice sum of squares over the total, η²), by all dimensions' main effects together (the R² of the
additive model), and the pairwise interaction that adds most to the additive model of its two dimensions. A choice
``n/a`` is a level of its own.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .speccurve import NOT_APPLICABLE, _Group, within_design

log = logging.getLogger(__name__)

#: The significance level of "significant" in the share statistic.
ALPHA = 0.05


@dataclass(frozen=True)
class _Pieces:
    """One design reduced to per-country cross-products (module docstring)."""

    countries: np.ndarray  # index of each of the design's countries in the release's list of countries
    m: np.ndarray  # (G, k, k)
    r: np.ndarray  # (G, k, m)
    n_c: np.ndarray  # rows per country
    years: np.ndarray  # (G, T) whether a country has a row in each year
    where: np.ndarray  # the specifications (rows of the curve) of the columns of Y


def _pieces(group: _Group, universe: Mapping[str, int]) -> _Pieces:
    d, yd, e, t = within_design(group.x, group.y, group.entity, group.time)
    e_labels = np.unique(group.entity)  # the labels of the codes 0 … G−1
    g, periods = e_labels.size, int(t.max()) + 1
    order = np.argsort(e, kind="stable")
    d_s, y_s, e_s = d[order], yd[order], e[order]
    starts = np.flatnonzero(np.r_[True, e_s[1:] != e_s[:-1]])
    m_c = np.add.reduceat(np.einsum("ik,il->ikl", d_s, d_s), starts, axis=0)  # per-country D_c'D_c
    r_c = np.add.reduceat(np.einsum("ik,im->ikm", d_s, y_s), starts, axis=0)  # per-country D_c'Y_c
    years = np.zeros((g, periods), dtype=bool)
    years[e, t] = True
    return _Pieces(np.array([universe[c] for c in e_labels]), m_c, r_c, np.bincount(e, minlength=g), years, group.where)


def _draw(p: _Pieces, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TBI coefficients, SEs and cluster counts of every column under the multiplicities ``w`` (B × G); nan where
    the design is not identified in a draw."""
    g, k, cols = p.r.shape
    b = w.shape[0]
    a_mat = (w @ p.m.reshape(g, k * k)).reshape(b, k, k)
    rhs = (w @ p.r.reshape(g, k * cols)).reshape(b, k, cols)
    n = w @ p.n_c
    clusters = w.sum(axis=1)
    drawn = w > 0
    ok = (drawn.astype(float) @ p.years.astype(float) > 0).all(axis=1)  # every year has a drawn country
    ok &= (drawn * (p.n_c - 1)).sum(axis=1) >= k  # rows net of the country means cover the parameters
    ok &= clusters >= 2
    a_mat = np.where(ok[:, None, None], a_mat, np.eye(k))
    both = np.concatenate([rhs, np.broadcast_to(np.eye(k)[:, :1], (b, k, 1))], axis=2)  # β and the TBI row of the inverse
    try:
        sol = np.linalg.solve(a_mat, both)
    except np.linalg.LinAlgError:  # a singular draw: solve draw by draw, leaving the singular ones out
        sol = np.zeros_like(both)
        for i in range(b):
            try:
                sol[i] = np.linalg.solve(a_mat[i], both[i])
            except np.linalg.LinAlgError:
                ok[i] = False
    # a nearly singular matrix solves with a large residual: left out too
    resid = np.abs(a_mat @ sol - both).max(axis=(1, 2))
    ok &= resid <= 1e-8 * np.maximum(np.abs(both).max(axis=(1, 2)), 1.0)
    beta, a = sol[:, :, :cols], sol[:, :, cols]
    ar = (a @ p.r.transpose(1, 0, 2).reshape(k, g * cols)).reshape(b, g, cols)
    am = (a @ p.m.transpose(1, 0, 2).reshape(k, g * k)).reshape(b, g, k)
    scores = ar - am @ beta
    meat = (w[:, None, :] @ scores**2)[:, 0, :]
    kk = k + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = clusters / (clusters - 1) * (n - 1) / (n - kk)
        se = np.sqrt(factor[:, None] * meat)
    coef = beta[:, 0, :]
    coef[~ok] = np.nan
    se[~ok] = np.nan
    return coef, se, clusters


def _statistics(coef: np.ndarray, t: np.ndarray, df: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row (the observed curve, or one draw) of the specification matrices (nan: not identified in that draw):
    the median coefficient, the dominant sign (that of the median), the share of specifications significant at 5 %
    with the dominant sign, and the Stouffer Z of the one-sided p-values in the dominant direction."""
    from scipy import special

    defined = np.isfinite(coef) & np.isfinite(t)
    with np.errstate(invalid="ignore"):
        median = np.nanmedian(np.where(defined, coef, np.nan), axis=1)
        sign = np.where(median >= 0, 1.0, -1.0)
        values, inverse = np.unique(df, return_inverse=True)
        crit = special.stdtrit(values, 1 - ALPHA / 2)[inverse].reshape(df.shape)  # t(df) critical value, per distinct df
        significant = (defined & (np.abs(t) > crit) & (np.sign(coef) == sign[:, None])).sum(axis=1)
        p_one = special.stdtr(df, -sign[:, None] * np.where(defined, t, 0.0))  # one-sided p in the dominant direction
        z = -special.ndtri(p_one)  # Φ⁻¹(1 − p)
    n = defined.sum(axis=1)
    stouffer = np.where(defined, z, 0.0).sum(axis=1) / np.sqrt(np.maximum(n, 1))
    share = significant / np.maximum(n, 1)
    return median, sign, share, stouffer


def joint_test(groups: Sequence[_Group], n_specs: int, *, draws: int, seed: np.random.SeedSequence) -> dict[str, float]:
    """The joint test of one release's curve (module docstring): ``groups`` are its designs
    (:func:`tradeimbalance.econometrics.speccurve.curve_groups`), ``n_specs`` its number of specifications."""
    universe = {c: i for i, c in enumerate(sorted({str(c) for g in groups for c in np.unique(g.entity)}))}
    pieces = [_pieces(g, universe) for g in groups]
    # the observed curve, from the same pieces with every multiplicity 1 (equal to the curve's estimates)
    index = {int(pos): j for j, pos in enumerate(sorted({int(w) for p in pieces for w in p.where}))}
    if len(index) != n_specs:
        raise ValueError(f"joint test: the designs cover {len(index)} specifications, the release has {n_specs}")
    obs_coef, obs_t, obs_df = np.full((1, n_specs), np.nan), np.full((1, n_specs), np.nan), np.zeros((1, n_specs))
    rng = np.random.default_rng(seed)
    u = len(universe)
    counts = np.stack([np.bincount(rng.integers(0, u, size=u), minlength=u) for _ in range(draws)]).astype(float)  # (B, U)
    b_coef, b_t, b_df = np.full((draws, n_specs), np.nan), np.full((draws, n_specs), np.nan), np.zeros((draws, n_specs))
    for p in pieces:
        cols = np.array([index[int(w)] for w in p.where])
        c1, s1, g1 = _draw(p, np.ones((1, p.countries.size)))
        obs_coef[:, cols], obs_t[:, cols], obs_df[:, cols] = c1, c1 / s1, (g1 - 1)[:, None]
        cb, sb, gb = _draw(p, counts[:, p.countries])
        null = cb - c1  # the null imposed: each specification's own estimate removed
        with np.errstate(invalid="ignore", divide="ignore"):
            b_coef[:, cols], b_t[:, cols], b_df[:, cols] = null, null / sb, np.maximum(gb - 1, 1)[:, None]
    o_med, o_sign, o_share, o_z = _statistics(obs_coef, obs_t, obs_df)
    med, _, share, z = _statistics(b_coef, b_t, b_df)  # each draw in its own dominant direction

    def p_of(stat: np.ndarray, observed: float) -> float:
        return float((1 + np.sum(stat >= observed - 1e-12)) / (1 + draws))

    undefined = int((~np.isfinite(b_coef)).sum())
    return {
        "specifications": n_specs,
        "draws": draws,
        "dominant_sign": "positive" if o_sign[0] > 0 else "negative",
        "median_coef": float(o_med[0]),
        "p_median": p_of(np.abs(med), abs(float(o_med[0]))),
        "share_significant": float(o_share[0]),
        "p_share": p_of(share, float(o_share[0])),
        "stouffer_z": float(o_z[0]),
        "p_stouffer": p_of(z, float(o_z[0])),
        "null_median_p95": float(np.nanquantile(np.abs(med), 0.95)),
        "null_share_p95": float(np.nanquantile(share, 0.95)),
        "undefined_estimates": undefined,
        "undefined_share": undefined / (draws * n_specs),
    }


# ----------------------------------------------------------------- variance decomposition


def _r2(y: np.ndarray, columns: Sequence[np.ndarray]) -> float:
    """R² of the regression of y on a constant and the dummies of each factor's codes (additive)."""
    blocks = [np.ones((y.size, 1))]
    for codes in columns:
        d = np.zeros((y.size, int(codes.max()) + 1))
        d[np.arange(y.size), codes] = 1.0
        blocks.append(d[:, 1:])
    x = np.column_stack(blocks)
    fit = x @ np.linalg.lstsq(x, y, rcond=None)[0]
    total = float(((y - y.mean()) ** 2).sum())
    return float(((fit - y.mean()) ** 2).sum() / total) if total > 0 else float("nan")


def variance_decomposition(curve: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    """Share of the variance of ``curve["coef"]`` explained by each dimension with several choices (``main``), by
    all of them together (``all main effects``), and by the pairwise interaction that adds most over the additive
    model of its two dimensions (``interaction``); ``residual``: 1 − the additive model's R² − that interaction."""
    y = curve["coef"].to_numpy(float)
    codes = {d: pd.factorize(curve[d].astype(str).fillna(NOT_APPLICABLE), sort=True)[0] for d in dimensions if d in curve.columns}
    codes = {d: c for d, c in codes.items() if c.max() > 0}
    rows = [{"term": d, "kind": "main", "share": _r2(y, [c])} for d, c in codes.items()]
    additive = _r2(y, list(codes.values())) if codes else 0.0
    best = None
    for a, b in itertools.combinations(codes, 2):
        cells = pd.factorize(pd.Series(codes[a]).astype(str) + "|" + pd.Series(codes[b]).astype(str))[0]
        gain = _r2(y, [cells]) - _r2(y, [codes[a], codes[b]])
        if best is None or gain > best[0] + 1e-12:
            best = (gain, f"{a} × {b}")
    rows.append({"term": "all main effects", "kind": "additive", "share": additive})
    if best is not None:
        rows.append({"term": best[1], "kind": "interaction", "share": max(best[0], 0.0)})
    rows.append({"term": "rest (other interactions)", "kind": "residual", "share": max(1.0 - additive - (max(best[0], 0.0) if best else 0.0), 0.0)})
    return pd.DataFrame(rows)
