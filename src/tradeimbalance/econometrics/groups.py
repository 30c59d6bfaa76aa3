"""Sums and means within groups given as integer codes ``0 … G−1`` (countries, years, clusters).

The hand-written pieces of the few-cluster inference and of the specification curve (within transformation,
cluster and period score sums) share these two functions. Only numpy: the specification curve and the report
import them without loading an estimation library.
"""

from __future__ import annotations

import numpy as np


def group_sums(values: np.ndarray, codes: np.ndarray, n_groups: int | None = None) -> np.ndarray:
    """Column sums of ``values`` (n or n × k) within each group: shape ``(G,)`` or ``(G, k)``, rows in code order."""
    g = int(codes.max()) + 1 if n_groups is None else n_groups
    # np.bincount adds the rows in their order, as np.add.at does (the same sums to the last bit), at half its cost
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=g)
    flat = values.reshape(values.shape[0], int(np.prod(values.shape[1:])))
    sums = np.empty((g, flat.shape[1]))
    for j in range(flat.shape[1]):
        sums[:, j] = np.bincount(codes, weights=flat[:, j], minlength=g)
    return sums.reshape((g, *values.shape[1:]))


def demean(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Deviations from the group means (the within transformation, no grand mean added back), column by column."""
    v = values if values.ndim == 2 else values[:, None]
    counts = np.bincount(codes).astype(float)
    out = v - (group_sums(v, codes, counts.size) / counts[:, None])[codes]
    return out if values.ndim == 2 else out[:, 0]


#: A design is rank-deficient when the smallest eigenvalue of its scaled cross-product (each regressor scaled to unit
#: length: a correlation-type matrix, whose eigenvalues lie in [0, k]) is at most this share of the largest: a condition
#: number of the scaled regressors above 10⁶. Exact collinearity (lnEXR collinear with the year effects in a draw of
#: euro-area countries only) leaves about 1e-17; the observed designs of the specification curve on the three releases on
#: hand stay above 3e-5 (their smallest ratio is logged by the curve).
RANK_TOLERANCE = 1e-12


def scaled_eigen_ratio(cross: np.ndarray) -> np.ndarray:
    """``λ_min / λ_max`` of each cross-product matrix ``X'X`` (``k × k`` or a stack ``… × k × k``) after scaling the
    regressors to unit length; 0 where a regressor has no variation at all (a zero column)."""
    a = np.asarray(cross, dtype=float)
    d = np.diagonal(a, axis1=-2, axis2=-1)
    ok = (d > 0).all(axis=-1)
    s = np.where(d > 0, 1.0 / np.sqrt(np.where(d > 0, d, 1.0)), 0.0)
    scaled = a * s[..., :, None] * s[..., None, :]
    scaled = np.where(ok[..., None, None], scaled, np.eye(a.shape[-1]))
    lam = np.linalg.eigvalsh(scaled)
    ratio = lam[..., 0] / np.maximum(lam[..., -1], np.finfo(float).tiny)
    return np.where(ok, ratio, 0.0)


def rank_deficient(cross: np.ndarray, tol: float = RANK_TOLERANCE) -> np.ndarray:
    """Whether each design whose cross-product is ``cross`` is rank-deficient (:data:`RANK_TOLERANCE`)."""
    return scaled_eigen_ratio(cross) <= tol


def rank_deficient_given_inverse(cross: np.ndarray, inverse: np.ndarray, tol: float = RANK_TOLERANCE) -> np.ndarray:
    """:func:`rank_deficient` of a stack of cross-products whose inverses are at hand, with the same verdict at a fraction
    of the cost: the scaled matrix ``S = D A D`` (``D`` = diag(a_ii)^(−1/2)) has a unit diagonal, so ``1 ≤ λ_max ≤ k``, and
    ``S⁻¹ = D⁻¹ A⁻¹ D⁻¹`` gives ``λ_min ≥ 1/‖S⁻¹‖_F``: where ``1/(k·‖S⁻¹‖_F)`` already exceeds the tolerance, the design is
    full rank for certain; only the others (and any non-finite inverse) are decided by their eigenvalues."""
    a = np.asarray(cross, dtype=float)
    k = a.shape[-1]
    diag = np.diagonal(a, axis1=-2, axis2=-1)
    d = np.where(diag > 0, diag, np.nan)
    with np.errstate(invalid="ignore", over="ignore"):
        # ‖S⁻¹‖_F² = Σ_ij (A⁻¹)_ij² a_ii a_jj: one squared copy of the inverses and a matrix-vector product per design
        sq = np.square(inverse)
        norm = np.sqrt((np.matmul(sq, d[..., :, None])[..., 0] * d).sum(axis=-1))
        certain = np.isfinite(norm) & (1.0 / (k * norm) > tol * (1 + 1e-9))
    out = np.zeros(a.shape[:-2], dtype=bool)
    doubt = ~certain
    if doubt.any():
        out[doubt] = rank_deficient(a[doubt], tol)
    return out
