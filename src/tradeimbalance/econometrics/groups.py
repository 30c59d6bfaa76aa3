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
    sums = np.zeros((g, *values.shape[1:]))
    np.add.at(sums, codes, values)
    return sums


def demean(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Deviations from the group means (the within transformation, no grand mean added back), column by column."""
    v = values if values.ndim == 2 else values[:, None]
    counts = np.bincount(codes).astype(float)
    out = v - (group_sums(v, codes, counts.size) / counts[:, None])[codes]
    return out if values.ndim == 2 else out[:, 0]
