"""Input–output algebra: Leontief system, value added absorbed by destination, and the TBI.

For a world table with ``n = C × S`` country-sectors,

* technical coefficients ``A = Z x̂⁻¹`` and value-added coefficients ``v = va / x``
  (both set to 0 for a sector with zero gross output, which is reported);
* final demand by destination ``Y`` (``n × C``, the five categories summed);
* value added absorbed, ``VA_abs[i, j] = Σ_{s∈i} v_s (B Y)[s, j]`` with
  ``B = (I − A)⁻¹``: value added created in country ``i`` and absorbed in
  country ``j``'s final demand (the paper's ``V̂ B Y`` summed over ``i``'s sectors).

``B`` is never formed: ``I − A`` is LU-factorised once (LAPACK ``getrf`` through
SciPy) and the factorisation is reused for every right-hand side, in either
orientation (``B y`` or ``B' w``).

The Trade Benefit Index of country ``i`` is

    TBI_i = (Σ_{j≠i} VA_abs[i, j] − Σ_{j≠i} VA_abs[j, i]) / (Σ_{j≠i} VA_abs[i, j] + Σ_{j≠i} VA_abs[j, i]),

value-added exports minus value-added imports over their sum.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg as sla

from .iotable import IOTable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeontiefSystem:
    """``I − A`` of one table, LU-factorised once, with the coefficient vectors.

    Attributes
    ----------
    v:
        Value-added coefficients (length ``n``).
    zero_output:
        Indices of the sectors with zero gross output (their ``A`` column and
        ``v`` are 0).
    lu:
        LAPACK LU factors of ``I − A`` or, when ``transposed``, of ``(I − A)'``.
    transposed:
        Whether ``lu`` factorises the transpose. LAPACK works on column-major
        arrays; a row-major ``I − A`` is factorised through its transpose, a
        column-major view of the same memory, so that no copy is made.
    A:
        Technical coefficients (``n × n``), kept only when asked for
        (``keep_A=True``; the KWW decomposition needs them).
    """

    v: np.ndarray
    zero_output: np.ndarray
    lu: tuple[np.ndarray, np.ndarray]
    transposed: bool = False
    A: np.ndarray | None = None

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """``B @ rhs``: solve ``(I − A) X = rhs``."""
        return sla.lu_solve(self.lu, rhs, trans=1 if self.transposed else 0, check_finite=False)

    def solve_transposed(self, rhs: np.ndarray) -> np.ndarray:
        """``B' @ rhs``: solve ``(I − A)' W = rhs`` with the same factorisation."""
        return sla.lu_solve(self.lu, rhs, trans=0 if self.transposed else 1, check_finite=False)


def _inverse_output(x: np.ndarray) -> np.ndarray:
    """``1 / x``, with 0 for zero-output sectors."""
    return np.divide(1.0, x, out=np.zeros_like(x, dtype=float), where=x > 0)


def leontief_system(table: IOTable, value_added: str = "primary_inputs", keep_A: bool = False) -> LeontiefSystem:
    """Build and factorise the Leontief system of ``table``.

    ``I − A`` is built in one pass from ``Z`` (one ``n × n`` buffer) and
    factorised in place. Zero-output sectors are logged with their labels; a
    sale recorded *from* such a sector (which cannot be produced) is logged as
    a warning, since it indicates an inconsistent table.
    """
    inv_x = _inverse_output(table.x)
    v = table.value_added(value_added) * inv_x
    zero = np.flatnonzero(table.x <= 0)
    if zero.size:
        labels = table.row_labels()
        shown = ", ".join(f"{labels[k][0]} {labels[k][1]}" for k in zero)
        log.info("%s %d: %d zero-output sector(s), A column and v set to 0: %s", table.release, table.year, zero.size, shown)
        flows = [labels[k] for k in zero if np.any(table.Z[k] != 0) or np.any(table.F[k] != 0)]
        if flows:
            # Such flows cannot be produced: they carry no value added (v = 0), so the identities
            # (Σ value added = final demand; KWW terms = gross exports) are off by exactly these flows.
            log.warning("%s %d: zero-output sector(s) nevertheless recording sales: %s", table.release, table.year, flows)
    M = np.multiply(table.Z, -inv_x)  # −A (same memory order as Z)
    M[np.diag_indices_from(M)] += 1.0  # I − A
    transposed = not M.flags.f_contiguous
    lu = sla.lu_factor(M.T if transposed else M, overwrite_a=True, check_finite=False)
    A = table.Z * inv_x if keep_A else None
    return LeontiefSystem(v=v, zero_output=zero, lu=lu, transposed=transposed, A=A)


def country_index(table: IOTable) -> np.ndarray:
    """Country position (0 … C−1) of each of the ``n`` rows."""
    return np.repeat(np.arange(table.n_countries), table.n_sectors)


def aggregate_rows(values: np.ndarray, n_countries: int, n_sectors: int) -> np.ndarray:
    """Sum an ``n × k`` array over the sectors of each country: ``C × k``."""
    return values.reshape(n_countries, n_sectors, -1).sum(axis=1)


def va_absorbed(table: IOTable, value_added: str = "primary_inputs", system: LeontiefSystem | None = None) -> np.ndarray:
    """``C × C`` matrix of value added created in row country and absorbed in column country.

    Solves ``(I − A) X = Y`` (one LU factorisation, ``C`` right-hand sides)
    and sums ``v̂ X`` over each country's sectors.
    """
    system = system or leontief_system(table, value_added)
    return absorbed_by_origin(system.solve(table.final_demand()), system.v, table.n_countries, table.n_sectors)


def absorbed_by_origin(X: np.ndarray, v: np.ndarray, n_countries: int, n_sectors: int) -> np.ndarray:
    """``Σ_{s∈i} v_s X[s, j]``: value added of origin country ``i`` in the output ``X`` (``n × C``) induced by ``j``."""
    return aggregate_rows(X * v[:, None], n_countries, n_sectors)


def balance_index(flows: np.ndarray, countries: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """Trade-balance index from a ``C × C`` matrix of bilateral flows (row → column).

    Returns one row per country with ``exports`` (``Σ_{j≠i} flows[i, j]``),
    ``imports`` (``Σ_{j≠i} flows[j, i]``), ``numerator`` (exports − imports),
    ``denominator`` (exports + imports), ``domestic`` (``flows[i, i]``) and
    ``index`` (numerator / denominator).
    """
    flows = np.asarray(flows, dtype=float)
    domestic = np.diag(flows).copy()
    exports = flows.sum(axis=1) - domestic
    imports = flows.sum(axis=0) - domestic
    numerator = exports - imports
    denominator = exports + imports
    index = np.divide(numerator, denominator, out=np.full_like(numerator, np.nan), where=denominator != 0)
    return pd.DataFrame(
        {
            "iso3": list(countries),
            "exports": exports,
            "imports": imports,
            "numerator": numerator,
            "denominator": denominator,
            "domestic": domestic,
            "index": index,
        }
    )


def matrix_to_long(matrix: np.ndarray, countries: tuple[str, ...] | list[str], value: str) -> pd.DataFrame:
    """``C × C`` matrix to a long frame ``exporter, importer, <value>`` (row-major)."""
    c = list(countries)
    return pd.DataFrame(
        {
            "exporter": np.repeat(c, len(c)),
            "importer": np.tile(c, len(c)),
            value: np.asarray(matrix, dtype=float).ravel(),
        }
    )


def long_to_matrix(df: pd.DataFrame, value: str) -> tuple[np.ndarray, list[str]]:
    """Inverse of :func:`matrix_to_long` (exporter order of first appearance).

    Raises ``ValueError`` when an exporter–importer pair is missing.
    """
    countries = list(dict.fromkeys([*df["exporter"], *df["importer"]]))
    wide = df.pivot(index="exporter", columns="importer", values=value).reindex(index=countries, columns=countries)
    matrix = wide.to_numpy(dtype=float)
    if np.isnan(matrix).any():
        missing = [(countries[i], countries[j]) for i, j in np.argwhere(np.isnan(matrix))[:3]]
        raise ValueError(f"{value}: no value for exporter–importer pair(s) {missing}")
    return matrix, countries
