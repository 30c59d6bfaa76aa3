"""The specification curve's own inference (Simonsohn, Simmons & Nelson 2020): the joint test under the null of no
TBI effect, and the share of the curve's variance that each dimension explains.

**Joint test.** Under the null every specification's TBI effect is zero. It is imposed by removing each
specification's estimated effect from its outcome (``y − b̂·TBI``); the countries are then resampled with
replacement (clusters, not country-years) and the whole curve is estimated again, ``B`` times. One draw of countries
is shared by every specification of a release, so that the specifications stay as correlated as they are in the data.
The curve is the distinct regressions (:func:`tradeimbalance.econometrics.speccurve.distinct_specifications`): each
analysis counts once.

Three statistics of the observed curve are compared with their distribution under the null:

* the **median** TBI coefficient;
* the **share of specifications significant** at 5 % with the dominant sign;
* the **Stouffer Z**, ``Σ_s Φ⁻¹(1 − p_s)/√S`` of the one-sided p-values in the dominant direction.

*Two-sided, by each draw's dominant direction.* The dominant sign is that of the median, in the observed curve and in
each draw alike: the data choose the direction, so a draw is measured in its own dominant direction (the median by its
absolute value). This is what makes the test two-sided — a curve far from zero in either direction is evidence against
the null — and it keeps the test's size (tested on simulated null curves). Beside it, the **one-sided** p-values in the
direction of the paper's claim (a positive TBI effect: every statistic measured in the positive direction, in the
observed curve and in every draw) answer the narrower question the paper asks. Each p-value is
``(1 + #{draws at least as extreme}) / (1 + B)`` over the draws in which the statistic is defined, with its Monte Carlo
SE ``√(p(1−p)/B)``; a p-value within two Monte Carlo SEs of 0.01, 0.05 or 0.10 is computed again on ``rerun_draws`` draws
(the same stream drawn on: the first run's draws and more) and flagged undecided if it is still that close: the
package's one rule for simulated p-values (:mod:`tradeimbalance.econometrics.montecarlo`).
The same draws also give the p-values the grid's duplicates would have given (each distinct regression weighted by the
number of grid specifications it stands for: ``*_grid``), to show what counting each analysis once changes.

*Undefined null estimates.* A null estimate is defined only when its design is identified in the draw: every year has
a drawn country, at least three distinct countries are drawn (with year effects the clustered scores of two countries
are mirror images that cancel, so their SE is zero), the residual degrees of freedom are positive (the drawn
countries' rows net of their means exceed the parameters: an exactly identified design has zero residuals and a zero
SE), the within-transformed regressors are not collinear in the draw (the rank check of
:func:`tradeimbalance.econometrics.groups.rank_deficient`: a draw of euro-area countries only makes lnEXR collinear
with the year effects, and an inverse of such a matrix gives estimates in the thousands), and the clustered SE is
finite and not collapsed (at least :data:`COLLAPSE` times the observed SE of that specification). Otherwise it is
undefined, counted under each reason that applies (:data:`REASONS`) over every draw a reported p-value used, and left
out of that draw's statistics: the median and the share are over the draw's defined estimates, the Stouffer Z over
them too (``√S`` with S the number defined). A draw with no defined estimate is undefined as a whole and leaves the
p-value's draws. The Stouffer pieces ``Φ⁻¹(1 − p)`` are computed from the smaller tail, so they are finite whatever the
t statistic (at most about ±37.5, where the tail reaches the smallest double): no draw's statistic is NaN by accident.

How it is computed. With country effects, a country drawn k times is the same as its rows weighted by k: its
within-country deviations do not change, and each copy is a cluster of its own. So each design's country-demeaned
regressors ``D`` (TBI, controls, year dummies) and outcomes ``Y`` are reduced once to per-country cross-products
``M_c = D_c'D_c`` and ``r_c = D_c'Y_c``; a draw with multiplicities ``w`` gives ``β = (Σ w_c M_c)⁻¹ Σ w_c r_c`` and the
clustered SE from the cluster scores ``s_c = a'(r_c − M_c β)`` (``a``: the TBI row of the inverse) as
``√(G/(G−1)·(N−1)/(N−K)·Σ w_c s_c²)`` with ``G = Σ w_c`` clusters and ``N = Σ w_c n_c`` rows, the factor of
:func:`tradeimbalance.econometrics.speccurve.fe_tbi_batch`. Removing ``b̂·TBI`` from ``y`` shifts the TBI
coefficient by ``−b̂`` and leaves the residuals alone, so the null draws are ``β_b − b̂``. The draws are processed in
chunks (:data:`CHUNK`), so memory does not grow with B.

**Variance decomposition** (:func:`variance_decomposition`). How much of the variance of the curve's coefficients each
dimension accounts for, with shares that account for overlap: **type II** (the R² the dimension adds to the additive
model of all the others) and **Shapley** (its average R² gain over every order of adding the dimensions; the Shapley
shares add up to the additive model's R²). A dimension *nested* in another — one that is ``n/a`` exactly where the other
takes some choices, as the developed list is where the sample is ``all`` and a control's definition where there are no
controls — is coded within its parent (contrasts among its choices inside each of the parent's choices), so it carries
none of the parent's variance; the parent's type-II share is taken without its nested dimensions (the hierarchical
convention). The marginal η² (each dimension's one-way R², which double-counts overlapping dimensions) is kept beside.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .groups import rank_deficient_given_inverse
from .montecarlo import redrawn, simulated_p
from .speccurve import NOT_APPLICABLE, _Group, within_design

log = logging.getLogger(__name__)

#: The significance level of "significant" in the share statistic.
ALPHA = 0.05
#: A null SE below this share of the specification's observed SE has collapsed (a numerically degenerate design).
COLLAPSE = 1e-6
#: Draws processed at once.
CHUNK = 250
#: Draws whose statistics are computed at once (a block of the chunk's rows, sized to stay in the cache).
STAT_ROWS = 25
#: Why a null estimate is undefined, by code (0: defined). An estimate is counted under every reason that applies, except
#: that a design with a year no drawn country has is not counted again as rank-deficient (its year dummy is empty), and a
#: collapsed SE is looked for only where the design is defined otherwise.
REASONS = (
    "defined",
    "a year with no drawn country",
    "no residual degrees of freedom (exactly identified)",
    "fewer than three distinct countries drawn (with year effects, two countries' clustered scores cancel: a zero SE)",
    "rank-deficient design (the within-transformed regressors are collinear in the draw, e.g. lnEXR with the year effects "
    "when only euro-area countries are drawn; tolerance: groups.RANK_TOLERANCE)",
    "collapsed or non-finite clustered SE",
)
STATISTICS = ("median", "share", "stouffer")


@dataclass(frozen=True)
class _Pieces:
    """One design reduced to per-country cross-products (module docstring)."""

    countries: np.ndarray  # index of each of the design's countries in the release's list of countries
    m: np.ndarray  # (G, k, k)
    r: np.ndarray  # (G, k, m)
    n_c: np.ndarray  # rows per country
    years: np.ndarray  # (G, T) whether a country has a row in each year
    where: np.ndarray  # the specifications (rows of the curve) of the columns of Y
    rt: np.ndarray  # r laid out k × (G·m): a'r_c of every country in one product
    mt: np.ndarray  # m laid out k × (G·k)
    mc: np.ndarray  # m without the TBI row and column, laid out G × (k−1)²: the block designs of other TBI definitions share


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
    k, cols = r_c.shape[1], r_c.shape[2]
    rt = np.ascontiguousarray(r_c.transpose(1, 0, 2).reshape(k, g * cols))
    mt = np.ascontiguousarray(m_c.transpose(1, 0, 2).reshape(k, g * k))
    mc = np.ascontiguousarray(m_c[:, 1:, 1:].reshape(g, (k - 1) ** 2))
    return _Pieces(np.array([universe[c] for c in e_labels]), m_c, r_c, np.bincount(e, minlength=g), years, group.where, rt, mt, mc)


def _no_year(p: _Pieces, drawn: np.ndarray) -> np.ndarray:
    """Per draw, whether some year has no drawn country (its year dummy is empty)."""
    return ~((drawn.astype(float) @ p.years.astype(float) > 0).all(axis=1))


def _shared_inverse(p: _Pieces, w: np.ndarray) -> np.ndarray | None:
    """Per draw (multiplicities ``w``), the inverse of the weighted cross-product without the TBI row and column: the
    controls and year dummies, the same for every TBI definition of a design (:meth:`_Release.null_estimates`); the
    identity where a year has no drawn country (as in :func:`_draw`). None if a draw's block cannot be inverted (the
    designs then invert their whole matrices, :func:`_draw`'s way, which finds the draw)."""
    k = p.m.shape[1]
    c = (w @ p.mc).reshape(w.shape[0], k - 1, k - 1)
    c[_no_year(p, w > 0)] = np.eye(k - 1)
    try:
        return np.linalg.inv(c)
    except np.linalg.LinAlgError:
        return None


def _bordered_inverse(a_mat: np.ndarray, c_inv: np.ndarray) -> np.ndarray:
    """Each ``A⁻¹`` from the inverse ``C⁻¹`` of its block without the first row and column (the TBI's), by the Schur
    complement ``s = a₀₀ − b'C⁻¹b`` of that block (``b`` the first column below the diagonal): ``A⁻¹ = [[1/s, −u'/s],
    [−u/s, C⁻¹ + uu'/s]]`` with ``u = C⁻¹b``. O(k²) per draw where an inversion is O(k³). A draw whose ``s`` vanishes gets
    non-finite entries, which the rank check (:func:`.groups.rank_deficient_given_inverse`) sends to the eigenvalues."""
    b = a_mat[:, 1:, 0]
    u = np.matmul(c_inv, b[:, :, None])[:, :, 0]
    inv = np.empty_like(a_mat)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = 1.0 / (a_mat[:, 0, 0] - (b * u).sum(axis=1))
        ur = u * r[:, None]
        inv[:, 0, 0] = r
        inv[:, 0, 1:] = -ur
        inv[:, 1:, 0] = -ur
        inv[:, 1:, 1:] = c_inv + ur[:, :, None] * u[:, None, :]
    return inv


def _draw(
    p: _Pieces, w: np.ndarray, se_ref: np.ndarray | None = None, shared: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """TBI coefficients, SEs, cluster counts and the reasons each estimate is undefined (a bit per code of
    :data:`REASONS`: bit ``1 << (code − 1)``; 0 where defined) of every column under the multiplicities ``w`` (B × G);
    coefficient and SE are nan where the estimate is undefined. ``se_ref``: the observed SE of each column, against which
    a collapsed SE is judged. ``shared``: :func:`_shared_inverse` of the draws, when the design shares its block without
    the TBI with other designs (the inverses are then bordered from it, :func:`_bordered_inverse`)."""
    g, k, cols = p.r.shape
    b = w.shape[0]
    drawn = w > 0
    flags = np.zeros(b, dtype=np.int8)
    no_year = _no_year(p, drawn)
    flags[no_year] |= 1  # every year has a drawn country
    flags[~((drawn * (p.n_c - 1)).sum(axis=1) > k)] |= 2  # residual degrees of freedom > 0
    flags[drawn.sum(axis=1) < 3] |= 4  # three distinct countries at least (module docstring)
    a_mat = (w @ p.m.reshape(g, k * k)).reshape(b, k, k)
    rhs = (w @ p.r.reshape(g, k * cols)).reshape(b, k, cols)
    n = w @ p.n_c
    clusters = w.sum(axis=1)
    # The inverse once per draw; a draw that fails to invert is rank-deficient. A draw with a year no drawn country has
    # gets the identity (its year dummy is empty: undefined, and not counted as rank-deficient again). Each matrix is
    # inverted on its own, so a draw's inverse does not depend on the others of its chunk.
    a_mat[no_year] = np.eye(k)
    try:
        inv = _bordered_inverse(a_mat, shared) if shared is not None else np.linalg.inv(a_mat)
    except np.linalg.LinAlgError:
        inv = np.broadcast_to(np.eye(k), (b, k, k)).copy()
        for i in range(b):
            try:
                inv[i] = np.linalg.inv(a_mat[i])
            except np.linalg.LinAlgError:
                flags[i] |= 8
    # collinear regressors (groups.RANK_TOLERANCE): the same verdict as the eigenvalues', certified from the inverse
    check = ~no_year & ((flags & 8) == 0)
    if check.all():  # the usual chunk: no copies of its matrices
        flags[rank_deficient_given_inverse(a_mat, inv)] |= 8
    else:
        flags[np.flatnonzero(check)[rank_deficient_given_inverse(a_mat[check], inv[check])]] |= 8
    usable = flags == 0
    inv[~usable] = np.eye(k)  # an undefined draw's inverse is not used (its estimates are nan)
    a = inv[:, :, 0]  # the TBI row (and column: A is symmetric) of the inverse
    # Every product one BLAS call (or one batched matmul): β = A⁻¹R per draw; the cluster scores a'r_c − (a'M_c)β of every
    # country at once, from the per-country pieces laid out k × (G·m) and k × (G·k) once per design (_Pieces.rt, .mt).
    beta = np.matmul(inv, rhs)
    scores = (a @ p.rt).reshape(b, g, cols) - np.matmul((a @ p.mt).reshape(b, g, k), beta)
    meat = np.matmul(w[:, None, :], scores * scores)[:, 0, :]
    kk = k + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = clusters / (clusters - 1) * (n - 1) / (n - kk)
        se = np.sqrt(factor[:, None] * meat)
    codes = np.repeat(flags[:, None], cols, axis=1)
    collapsed = ~np.isfinite(se) | (se <= 0)
    if se_ref is not None:
        collapsed |= se < COLLAPSE * se_ref[None, :]
    codes[(codes == 0) & collapsed] = 16
    coef = beta[:, 0, :].copy()
    undefined = codes != 0
    coef[undefined] = np.nan
    se[undefined] = np.nan
    return coef, se, clusters, codes


def _count_reasons(codes: np.ndarray) -> np.ndarray:
    """Estimates in total (index 0: defined) and under each reason of :data:`REASONS` (an estimate may have several)."""
    out = np.zeros(len(REASONS), dtype=np.int64)
    out[0] = int((codes == 0).sum())
    for code in range(1, len(REASONS)):
        out[code] = int(((codes & (1 << (code - 1))) != 0).sum())
    return out


#: The table of Φ⁻¹(1 − P(T_df ≥ t)): a grid uniform in log(1 + t), up to t = 1e12 (:func:`_stouffer_pieces`).
Z_STEP = 1 / 1024
Z_MAX_T = 1e12
_Z_TABLE: dict[str, np.ndarray] = {}


def _z_table(df_max: int) -> np.ndarray:
    """Rows df = 1 … (at least) ``df_max`` of the exact Φ⁻¹(1 − p) on the grid (scipy's t distribution; built once per
    process and extended when more degrees of freedom are asked for)."""
    from scipy import special

    have = _Z_TABLE.get("table")
    if have is not None and have.shape[0] >= df_max:
        return have
    grid = np.expm1(np.arange(0.0, np.log1p(Z_MAX_T) + 2 * Z_STEP, Z_STEP))
    rows = max(df_max, 64)
    dfs = np.arange(1, rows + 1, dtype=float)[:, None]
    _Z_TABLE["table"] = -special.ndtri(np.maximum(special.stdtr(dfs, -grid[None, :]), np.finfo(float).tiny))
    return _Z_TABLE["table"]


def _stouffer_pieces(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Φ⁻¹(1 − p) of the one-sided p = P(T_df ≥ t), from the smaller tail so that it stays finite (module docstring).

    Read from a table of its exact values per degrees of freedom (:func:`_z_table`), interpolated linearly in
    log(1 + |t|) with step 1/1024: within 5e-7 of the exact value (tested against scipy), at a tenth of the cost of
    evaluating the t distribution for every estimate of every draw. Beyond |t| = 1e12 the last grid value is used."""
    d = np.maximum(df.astype(np.int32), 1) - 1
    table = _z_table(int(d.max()) + 1 if d.size else 1)
    n = table.shape[1]
    flat = table.ravel()
    u = np.minimum(np.log1p(np.abs(t)) * (1 / Z_STEP), n - 1.0)  # beyond the grid (|t| > 1e12, inf): its last value
    i = np.minimum(u.astype(np.int32), n - 2)
    f = u - i
    at = d * n + i  # one index into the flattened table (rows: degrees of freedom)
    lo = flat[at]
    return (lo + f * (flat[at + 1] - lo)) * np.sign(t)


def _critical(df: np.ndarray) -> np.ndarray:
    """The two-sided 5 % critical value of t(df), elementwise (df are whole numbers: a table looked up)."""
    from scipy import special

    d = np.maximum(df.astype(np.int64), 1)
    table = special.stdtrit(np.arange(1, int(d.max()) + 1), 1 - ALPHA / 2)
    return table[d - 1]


def _weighted_median(v: np.ndarray, order: np.ndarray, defined_sorted: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per row, the median of the defined values, each repeated ``weights`` times (nan where none is defined): the
    average of the middle two of the expanded sequence, as numpy's median of it. ``v``: each row's values sorted by
    ``order`` (the undefined values last); ``defined_sorted`` is the defined mask in that order."""
    cw = np.cumsum(defined_sorted * weights[order], axis=1)
    total = cw[:, -1] if cw.shape[1] else np.zeros(v.shape[0])
    out = np.full(v.shape[0], np.nan)
    some = total > 0
    if some.any():
        lo_rank, hi_rank = (total[some] - 1) // 2, total[some] // 2
        lo = (cw[some] <= lo_rank[:, None]).sum(axis=1)
        hi = (cw[some] <= hi_rank[:, None]).sum(axis=1)
        rows = v[some]
        out[some] = (rows[np.arange(rows.shape[0]), lo] + rows[np.arange(rows.shape[0]), hi]) / 2
    return out


def _statistics(coef: np.ndarray, t: np.ndarray, df: np.ndarray, weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per row (the observed curve, or one draw) of the specification matrices (nan: undefined), each statistic in the
    three ways the module docstring describes: in the row's dominant direction (the sign of its median), in the
    positive direction (``_positive``), and with each specification counted ``weights`` times, in the dominant direction
    of that weighting (``_grid``). The median is over the defined estimates, the share of them significant at 5 % with the
    sign, the Stouffer Z over them too; a row with none defined has nan statistics (an undefined draw). ``median`` and
    ``median_grid`` are absolute values (the dominant direction), ``median_positive`` signed; ``sign`` is the dominant
    sign."""
    defined = np.isfinite(coef) & np.isfinite(t)
    w = np.ones(coef.shape[1]) if weights is None else np.asarray(weights, dtype=float)
    tt = np.where(defined, t, 0.0)
    z0 = _stouffer_pieces(tt, df) * defined  # in the positive direction; in direction s it is s·z0
    big = np.abs(tt) > _critical(df)
    positive, negative = defined & big & (coef > 0), defined & big & (coef < 0)
    # One sort for both medians. Equal estimates may come in any order: the medians are values at a rank of the sorted
    # sequence (each estimate repeated by its weight), which ties do not change; numpy's quicksort (vectorised) is five
    # times faster than the stable sort here.
    order = np.argsort(np.where(defined, coef, np.inf), axis=1, kind="quicksort")
    defined_sorted = np.take_along_axis(defined, order, axis=1)
    sorted_coef = np.take_along_axis(coef, order, axis=1)  # once for both medians
    out: dict[str, np.ndarray] = {}
    for name, wt in (("", np.ones_like(w)), ("_grid", w)):
        n = (defined * wt).sum(axis=1)
        some = n > 0
        med = _weighted_median(sorted_coef, order, defined_sorted, wt)
        sign = np.where(med >= 0, 1.0, -1.0)
        sig = np.where(sign[:, None] > 0, positive, negative)
        out[f"sign{name}"] = sign
        out[f"median{name}"] = np.abs(med)
        out[f"share{name}"] = np.where(some, (sig * wt).sum(axis=1) / np.maximum(n, 1), np.nan)
        out[f"stouffer{name}"] = np.where(some, sign * (z0 * wt).sum(axis=1) / np.sqrt(np.maximum(n, 1)), np.nan)
        if name == "":
            out["median_signed"] = med
            out["median_positive"] = med
            out["share_positive"] = np.where(some, positive.sum(axis=1) / np.maximum(n, 1), np.nan)
            out["stouffer_positive"] = np.where(some, z0.sum(axis=1) / np.sqrt(np.maximum(n, 1)), np.nan)
    return out


def _p_value(stat: np.ndarray, observed: float) -> tuple[float, int]:
    """``(1 + #{defined draws at least as extreme}) / (1 + B defined)`` (:func:`.montecarlo.simulated_p`) and B defined."""
    ok = np.isfinite(stat)
    return simulated_p(stat[ok], observed), int(ok.sum())


class _Release:
    """One release's curve reduced for the joint test: the pieces, the observed estimates, and the grid's weights."""

    def __init__(self, groups: Sequence[_Group], n_specs: int, weights: Sequence[int] | None) -> None:
        self.universe = {c: i for i, c in enumerate(sorted({str(c) for g in groups for c in np.unique(g.entity)}))}
        self.pieces = [_pieces(g, self.universe) for g in groups]
        index = {int(pos): j for j, pos in enumerate(sorted({int(w) for p in self.pieces for w in p.where}))}
        if len(index) != n_specs:
            raise ValueError(f"joint test: the designs cover {len(index)} specifications, the release has {n_specs}")
        self.cols = [np.array([index[int(w)] for w in p.where]) for p in self.pieces]
        if sum(c.size for c in self.cols) != n_specs:  # the designs partition the specifications (curve_groups)
            raise ValueError(f"joint test: {sum(c.size for c in self.cols)} design columns for {n_specs} specifications: a specification is in more than one design")
        # The designs' columns laid side by side are a permutation of the specifications: the null estimates of a chunk
        # are put in the specifications' order by one gather (:meth:`null_estimates`).
        self.gather = np.argsort(np.concatenate(self.cols), kind="stable")
        # Designs that differ only in their TBI column (the curve's TBI definitions on the same rows, controls and year
        # dummies) share the rest of their cross-products: per draw, that block is inverted once for all of them and
        # each design's inverse bordered from it (:func:`_bordered_inverse`), a third of the inversions on the curves
        # on hand. ``self.leader[i]``: the first design of design i's family, or None for a design alone in its family.
        families: dict[tuple[object, ...], list[int]] = {}
        for i, p in enumerate(self.pieces):
            key = (p.countries.tobytes(), p.n_c.tobytes(), p.years.tobytes(), p.m.shape, p.mc.tobytes())
            families.setdefault(key, []).append(i)
        self.leader: list[int | None] = [None] * len(self.pieces)
        for members in families.values():
            if len(members) > 1:
                for i in members:
                    self.leader[i] = members[0]
        self.n = n_specs
        self.coef, self.se, self.df = np.full(n_specs, np.nan), np.full(n_specs, np.nan), np.zeros(n_specs)
        for p, cols in zip(self.pieces, self.cols):
            c1, s1, g1, _ = _draw(p, np.ones((1, p.countries.size)))
            self.coef[cols], self.se[cols], self.df[cols] = c1[0], s1[0], g1[0] - 1
        # how many grid specifications each distinct regression stands for (the statistics "as the grid counted them")
        self.weights = np.ones(n_specs) if weights is None else np.asarray(weights, dtype=float)

    def observed(self) -> dict[str, float]:
        out = _statistics(self.coef[None, :], (self.coef / self.se)[None, :], self.df[None, :], self.weights)
        return {k: float(v[0]) for k, v in out.items()}

    def null_estimates(self, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The null coefficients, t statistics and degrees of freedom of every specification under the draws ``counts``
        (B × the release's countries; nan where undefined), and the undefined estimates by reason."""
        reasons = np.zeros(len(REASONS) + 1, dtype=np.int64)  # per reason (REASONS), then the undefined in total
        nulls, ts, dfs = [], [], []
        shared: dict[int, np.ndarray | None] = {}
        with np.errstate(invalid="ignore", divide="ignore"):
            for i, (p, cols) in enumerate(zip(self.pieces, self.cols)):
                lead = self.leader[i]
                if lead is not None and lead not in shared:
                    shared[lead] = _shared_inverse(self.pieces[lead], counts[:, self.pieces[lead].countries])
                cb, sb, gb, codes = _draw(p, counts[:, p.countries], self.se[cols], shared.get(lead) if lead is not None else None)
                null = cb - self.coef[cols]  # the null imposed: each specification's own estimate removed
                nulls.append(null)
                ts.append(null / sb)
                dfs.append(np.broadcast_to(np.maximum(gb - 1, 1)[:, None], null.shape))
                reasons[: len(REASONS)] += _count_reasons(codes)
                reasons[-1] += int((codes != 0).sum())
        # the designs' blocks side by side, then in the specifications' order
        return (np.concatenate(nulls, axis=1)[:, self.gather], np.concatenate(ts, axis=1)[:, self.gather],
                np.concatenate(dfs, axis=1)[:, self.gather].astype(float), reasons)  # fmt: skip

    def chunk(self, counts: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The statistics of the draws ``counts`` (B × the release's countries), and the undefined estimates by reason."""
        b_coef, b_t, b_df, reasons = self.null_estimates(counts)
        # The statistics row by row (each is a function of its own draw), a block of rows at a time: arrays a few
        # hundred kilobytes large stay in the cache, where the whole chunk's (tens of megabytes) would be fetched from
        # memory, and freshly mapped, by every one of their temporaries.
        rows = range(0, counts.shape[0], STAT_ROWS)
        parts = [_statistics(b_coef[i : i + STAT_ROWS], b_t[i : i + STAT_ROWS], b_df[i : i + STAT_ROWS], self.weights) for i in rows]
        return {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}, reasons

    def null(self, draws: int, rng: np.random.Generator, processes: int = 1) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Per draw, each statistic (:func:`_statistics`); and the count of undefined estimates by reason. The draws
        are taken from ``rng`` here, one after the other (a longer run on the same stream begins with the shorter one's
        draws), then computed in chunks of :data:`CHUNK`, on ``processes`` worker processes when more than one: the
        result does not depend on how many."""
        u = len(self.universe)
        counts = np.stack([np.bincount(rng.integers(0, u, size=u), minlength=u) for _ in range(draws)]).astype(float)  # (B, U)
        blocks = [counts[i : i + CHUNK] for i in range(0, draws, CHUNK)]
        if processes > 1 and len(blocks) > 1:
            import multiprocessing

            global _WORKER_RELEASE
            _WORKER_RELEASE = self  # the forked workers inherit it
            with multiprocessing.get_context("fork").Pool(min(processes, len(blocks)), initializer=_one_blas_thread) as pool:
                parts = pool.map(_worker_chunk, blocks)
            _WORKER_RELEASE = None
        else:
            parts = [self.chunk(b) for b in blocks]
        stats = {k: np.concatenate([part[0][k] for part in parts]) for k in parts[0][0]}
        return stats, np.sum([part[1] for part in parts], axis=0)


_WORKER_RELEASE: _Release | None = None


def _one_blas_thread() -> None:
    """A worker computes with one BLAS thread: the workers are the parallelism (BLAS threads would compete with them)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def _worker_chunk(counts: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    assert _WORKER_RELEASE is not None
    return _WORKER_RELEASE.chunk(counts)


def joint_test(
    groups: Sequence[_Group], n_specs: int, *, draws: int, seed: np.random.SeedSequence, rerun_draws: int = 0, weights: Sequence[int] | None = None,
    processes: int = 1,
) -> dict[str, object]:  # fmt: skip
    """The joint test of one release's curve (module docstring): ``groups`` are its designs
    (:func:`tradeimbalance.econometrics.speccurve.curve_groups`), ``n_specs`` its number of specifications,
    ``weights`` how many grid specifications each one stands for (default 1). ``rerun_draws``: a p-value within two
    Monte Carlo SEs of 0.01, 0.05 or 0.10 is computed again on ``rerun_draws`` draws of the same stream (the first
    ``draws`` and more; 0: never), the package's one rule (:func:`.montecarlo.redrawn`). The undefined null estimates are
    counted over every draw a reported p-value used (``undefined_over_draws``). ``processes``: worker processes for the
    draws (the result does not depend on it)."""
    rel = _Release(groups, n_specs, weights)
    obs = rel.observed()
    rng = np.random.default_rng(seed)
    all_stats, reasons = rel.null(draws, rng, processes)
    drawn = draws

    def extend(b: int) -> dict[str, np.ndarray]:
        """The statistics of the first ``b`` draws of the stream, drawing on where fewer have been drawn."""
        nonlocal all_stats, reasons, drawn
        if b > drawn:
            log.info("joint test: a p-value within two Monte Carlo SEs of a threshold with B = %d; drawn on to B = %d on the same stream", draws, b)
            more, more_reasons = rel.null(b - drawn, rng, processes)
            all_stats = {k: np.concatenate([v, more[k]]) for k, v in all_stats.items()}
            reasons, drawn = reasons + more_reasons, b
        return {k: v[:b] for k, v in all_stats.items()}

    out: dict[str, object] = {
        "specifications": n_specs, "grid_specifications": int(rel.weights.sum()), "draws": draws,
        "dominant_sign": "positive" if obs["sign"] > 0 else "negative", "median_coef": obs["median_signed"], "share_significant": obs["share"],
        "stouffer_z": obs["stouffer"], "share_significant_positive": obs["share_positive"], "stouffer_z_positive": obs["stouffer_positive"],
        "median_coef_grid": obs["sign_grid"] * obs["median_grid"], "share_significant_grid": obs["share_grid"], "stouffer_z_grid": obs["stouffer_grid"],
    }  # fmt: skip
    for stat in STATISTICS:
        for suffix in ("", "_positive", "_grid"):
            key = f"{stat}{suffix}"
            mc = redrawn(lambda b, key=key: _p_value(extend(b)[key], obs[key]), draws, rerun_draws)
            out.update({f"p_{key}": mc.pvalue, f"mcse_{key}": mc.mcse, f"draws_{key}": mc.draws, f"undecided_{key}": mc.undecided})
    stats = extend(draws)
    out["null_median_p95"] = float(np.nanquantile(stats["median"], 0.95))
    out["null_share_p95"] = float(np.nanquantile(stats["share"], 0.95))
    undefined = int(reasons[-1])
    out["undefined_over_draws"] = drawn
    out["undefined_estimates"] = undefined
    out["undefined_share"] = undefined / max(drawn * n_specs, 1)
    out["undefined_draws"] = int(drawn - np.isfinite(all_stats["median"]).sum())
    for code, why in enumerate(REASONS[1:], 1):
        out[f"undefined_{code}"] = int(reasons[code])
    out["undefined_reasons"] = "; ".join(f"{why}: {int(reasons[c])}" for c, why in enumerate(REASONS) if c and reasons[c])
    return out


# ----------------------------------------------------------------- variance decomposition


def _dummies(codes: np.ndarray) -> np.ndarray:
    """Dummies of integer codes, the first level left out."""
    d = np.zeros((codes.size, int(codes.max()) + 1))
    d[np.arange(codes.size), codes] = 1.0
    return d[:, 1:]


def _r2(y: np.ndarray, blocks: Sequence[np.ndarray]) -> float:
    """R² of the regression of y on a constant and the given dummy blocks."""
    x = np.column_stack([np.ones((y.size, 1)), *blocks]) if blocks else np.ones((y.size, 1))
    fit = x @ np.linalg.lstsq(x, y, rcond=None)[0]
    total = float(((y - y.mean()) ** 2).sum())
    return float(((fit - y.mean()) ** 2).sum() / total) if total > 0 else float("nan")


def nesting(curve: pd.DataFrame, dimensions: Sequence[str]) -> dict[str, str]:
    """Dimension → the dimension it is nested in: ``n/a`` exactly where the parent takes some of its choices (and
    never otherwise), e.g. the developed list (``n/a`` where the sample is ``all``)."""
    out = {}
    for d in dimensions:
        na = (curve[d].astype(str) == NOT_APPLICABLE).to_numpy()
        if not na.any() or na.all():
            continue
        for parent in dimensions:
            if parent == d:
                continue
            levels = set(curve.loc[na, parent].astype(str))
            if levels and not (curve[parent].astype(str).isin(levels).to_numpy() & ~na).any():
                out[d] = parent
                break
    return out


def _coding(curve: pd.DataFrame, dimension: str, parent: str | None) -> np.ndarray:
    """A dimension's dummy block: its choices (first left out); nested in ``parent``, contrasts among its choices within
    each of the parent's choices where it applies, centred within that choice, so that they are orthogonal to every
    function of the parent (they carry none of its variance); with the parent's dummies they span the cells."""
    values = curve[dimension].astype(str).fillna(NOT_APPLICABLE).to_numpy()
    if parent is None:
        return _dummies(pd.factorize(values, sort=True)[0])
    blocks = []
    for level in sorted(set(curve[parent].astype(str))):
        inside = (curve[parent].astype(str) == level).to_numpy() & (values != NOT_APPLICABLE)
        if not inside.any():
            continue
        codes = pd.factorize(values[inside], sort=True)[0]
        if codes.max() == 0:
            continue
        block = np.zeros((values.size, int(codes.max())))
        dummies = _dummies(codes)
        block[inside] = dummies - dummies.mean(axis=0)  # centred within the parent's choice: orthogonal to the parent
        blocks.append(block)
    return np.column_stack(blocks) if blocks else np.zeros((values.size, 0))


def variance_decomposition(curve: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    """The share of the variance of ``curve["coef"]`` each dimension with several choices accounts for (module
    docstring): one row per dimension (``kind: dimension``) with ``type2``, ``shapley``, ``eta2`` (marginal) and
    ``nested_in``; then ``all main effects`` (the additive model's R², ``kind: additive``), the pairwise interaction
    that adds most over the full additive model (``kind: interaction``: its cells' dummies added to every dimension's, so
    a nesting already coded in the additive model adds nothing) and the rest (``kind: residual``: 1 − additive − that
    gain). ``share`` is the Shapley share (the partition of the additive R²) for a dimension and the value itself for the
    other rows; ``note`` says what each row is: the type-II shares are not a partition and need not add up."""
    y = curve["coef"].to_numpy(float)
    dims = [d for d in dimensions if d in curve.columns and curve[d].astype(str).nunique() > 1]
    parents = nesting(curve, dims)
    blocks = {d: _coding(curve, d, parents.get(d)) for d in dims}
    blocks = {d: b for d, b in blocks.items() if b.shape[1]}
    dims = list(blocks)
    children = {d: [c for c, p in parents.items() if p == d and c in blocks] for d in dims}

    cache: dict[frozenset[str], float] = {}

    def r2(subset: frozenset[str]) -> float:
        if subset not in cache:
            cache[subset] = _r2(y, [blocks[d] for d in dims if d in subset]) if subset else 0.0
        return cache[subset]

    full = frozenset(dims)
    additive = r2(full)
    shapley = dict.fromkeys(dims, 0.0)
    n = len(dims)
    if n <= 12:  # exact: every subset
        for d in dims:
            others = [o for o in dims if o != d]
            for size in range(n):
                weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
                for subset in itertools.combinations(others, size):
                    s = frozenset(subset)
                    shapley[d] += weight * (r2(s | {d}) - r2(s))
    rows = []
    for d in dims:
        without = full - {d}
        base = without - set(children.get(d, []))  # a parent is judged without its nested dimensions (hierarchical)
        type2 = (r2(full - set(children.get(d, []))) - r2(base)) if children.get(d) else (additive - r2(without))
        eta2 = _r2(y, [_dummies(pd.factorize(curve[d].astype(str), sort=True)[0])])
        rows.append({"term": d, "kind": "dimension", "nested_in": parents.get(d, ""), "type2": max(type2, 0.0), "shapley": shapley[d], "eta2": eta2})
    best = None
    codes = {d: pd.factorize(curve[d].astype(str), sort=True)[0] for d in dims}
    everything = [blocks[d] for d in dims]
    for a, b in itertools.combinations(dims, 2):
        # the gain of the pair's cells over the full additive model (a nesting coded in the additive model adds nothing)
        cells = pd.factorize(pd.Series(codes[a]).astype(str) + "|" + pd.Series(codes[b]).astype(str))[0]
        gain = _r2(y, [*everything, _dummies(cells)]) - additive
        if best is None or gain > best[0] + 1e-12:
            best = (gain, f"{a} × {b}")
    rows.append({"term": "all main effects", "kind": "additive", "type2": additive, "shapley": additive,
                 "note": "the additive model's R²: the dimensions' Shapley shares add up to it; their type-II shares need not"})  # fmt: skip
    inter = max(best[0], 0.0) if best is not None else 0.0
    if best is not None:
        rows.append({"term": best[1], "kind": "interaction", "type2": inter, "shapley": inter,
                     "note": "the R² this pair's interaction adds to the full additive model (the largest of any pair)"})  # fmt: skip
    rest = max(1.0 - additive - inter, 0.0)
    rows.append({"term": "rest (other interactions)", "kind": "residual", "type2": rest, "shapley": rest,
                 "note": "1 − the additive R² − the largest pairwise gain: the other interactions"})  # fmt: skip
    out = pd.DataFrame(rows).reindex(columns=["term", "kind", "nested_in", "type2", "shapley", "eta2", "note"])
    out["nested_in"] = out["nested_in"].fillna("")
    out["note"] = out["note"].fillna("")
    dims_rows = out["kind"] == "dimension"
    out.loc[dims_rows, "note"] = "type II: the R² it adds to all the others (overlap is counted in no one's: they need not add up); Shapley: its part of the additive R²"
    out["share"] = out["shapley"]
    return out
