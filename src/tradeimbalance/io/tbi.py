"""From one year's input–output table to value added absorbed, identity checks, KWW terms and TBIs.

These are the computations of the workflow's per-year jobs, written as plain
functions of in-memory tables (the Snakemake scripts only read and write
files around them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .ioalgebra import LeontiefSystem, absorbed_by_origin, balance_index, leontief_system, long_to_matrix, matrix_to_long
from .iotable import IOTable
from .kww import kww_decomposition


def identity_checks(table: IOTable, system: LeontiefSystem, X: np.ndarray, matrix: np.ndarray, value_added: str) -> pd.DataFrame:
    """The accounting identities of ``VA_abs``, country by country (``X = B Y``).

    * Σ_j VA_abs[i, j] = total value added of i. The gap equals exactly
      ``−Σ_{s∈i} v_s (B r)_s`` with ``r = x − Z1 − F1`` the table's row-balance
      residual (0 in a balanced table; the rounding of the WIOD 2013
      packaging otherwise), reported as ``va_rounding_part``.
    * Σ_i VA_abs[i, j] = total final demand of j when value added is all
      primary inputs (then ``v' = 1'(I − A)`` except at zero-output sectors,
      where ``v = 0``): the gap equals exactly ``−Σ_z (B Y)[z, j]`` over the
      zero-output sectors ``z`` (output induced in sectors that record none,
      non-zero only when such a sector still records sales), reported as
      ``fd_zero_output_part``.
    """
    C, S = table.n_countries, table.n_sectors
    va = table.value_added(value_added)
    va_total = va.reshape(C, S).sum(axis=1)
    residual = table.x - table.Z.sum(axis=1) - table.F.sum(axis=1)
    rounding_part = -(system.v * system.solve(residual)).reshape(C, S).sum(axis=1)
    fd_total = table.final_demand().sum(axis=0)
    zero_output_part = -X[system.zero_output].sum(axis=0)
    row_sum, col_sum = matrix.sum(axis=1), matrix.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        va_gap = np.where(va_total != 0, row_sum / va_total - 1.0, np.nan)
        fd_gap = np.where(fd_total != 0, col_sum / fd_total - 1.0, np.nan)
        va_net = np.where(va_total != 0, np.abs(row_sum - va_total - rounding_part) / np.abs(va_total), np.nan)
        fd_net = np.where(fd_total != 0, np.abs(col_sum - fd_total - zero_output_part) / np.abs(fd_total), np.nan)
    return pd.DataFrame(
        {
            "release": table.release,
            "year": np.int64(table.year),
            "iso3": list(table.countries),
            "va_total": va_total,
            "va_absorbed_row_sum": row_sum,
            "va_rel_gap": va_gap,
            "va_rounding_part": rounding_part,
            "va_rel_gap_net": va_net,
            "final_demand_total": fd_total,
            "va_absorbed_col_sum": col_sum,
            "fd_rel_gap": fd_gap,
            "fd_zero_output_part": zero_output_part,
            "fd_rel_gap_net": fd_net,
        }
    )


def year_va_absorbed(table: IOTable, value_added: str, system: LeontiefSystem | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One year's job: value added absorbed (long frame) and its identity checks. ``system``: the table's factorised
    Leontief system, when the caller has it (:func:`leontief_system`; built here otherwise)."""
    system = system or leontief_system(table, value_added)
    X = system.solve(table.final_demand())
    matrix = absorbed_by_origin(X, system.v, table.n_countries, table.n_sectors)
    long = matrix_to_long(matrix, table.countries, "va_absorbed")
    long.insert(0, "year", np.int64(table.year))
    long.insert(0, "release", table.release)
    return long, identity_checks(table, system, X, matrix, value_added)


#: Alternative TBI constructions, to see which choices the paper's numbers are closest to.
#: ``baseline``: the workflow's TBI. ``no_row_partner``: exports and imports exclude flows with the
#: rest of the world. ``fd_without_inventories``: final demand without changes in inventories
#: (``INVEN``). ``va_basic_prices``: value added = the WIOD 2016 VA row (skipped without it).
TBI_VARIANTS: tuple[str, ...] = ("baseline", "no_row_partner", "fd_without_inventories", "va_basic_prices")


def tbi_variants(table: IOTable, value_added: str, system: LeontiefSystem | None = None) -> pd.DataFrame:
    """TBI of every region under each of :data:`TBI_VARIANTS` (one LU factorisation for all: ``system`` when given)."""
    system = system or leontief_system(table, value_added)
    C, S, K = table.n_countries, table.n_sectors, len(table.fd_categories)
    Y = table.final_demand()
    X = system.solve(Y)
    base = absorbed_by_origin(X, system.v, C, S)
    matrices: dict[str, tuple[np.ndarray, list[str]]] = {"baseline": (base, list(table.countries))}
    matrices["no_row_partner"] = _without_row(base, list(table.countries))
    inven = table.fd_categories.index("INVEN")
    Y_no_inv = Y - table.F.reshape(table.n, C, K)[:, :, inven]
    matrices["fd_without_inventories"] = (absorbed_by_origin(system.solve(Y_no_inv), system.v, C, S), list(table.countries))
    if "VA" in table.primary_inputs:
        # Same A (hence the same factorisation); only v changes.
        v_basic = np.divide(table.primary_inputs["VA"], table.x, out=np.zeros(table.n), where=table.x > 0)
        matrices["va_basic_prices"] = (absorbed_by_origin(X, v_basic, C, S), list(table.countries))
    return _variant_frame(table.release, table.year, matrices)


def _without_row(matrix: np.ndarray, countries: list[str]) -> tuple[np.ndarray, list[str]]:
    """The bilateral matrix without the rest of the world's row and column (the ``no_row_partner`` variant)."""
    keep = [i for i, c in enumerate(countries) if c != "ROW"]
    return matrix[np.ix_(keep, keep)], [countries[i] for i in keep]


def _variant_frame(release: str, year: int, matrices: dict[str, tuple[np.ndarray, list[str]]]) -> pd.DataFrame:
    """The TBI of each variant's bilateral matrix, in the layout of :data:`tradeimbalance.schemas.TBI_VARIANTS`."""
    frames = []
    for name, (m, countries) in matrices.items():
        b = balance_index(m, countries)
        frames.append(pd.DataFrame({"release": release, "year": np.int64(year), "iso3": b["iso3"], "variant": name, "tbi": b["index"]}))
    return pd.concat(frames, ignore_index=True)


#: The TBI variants a flows release (bilateral value added absorbed, no table) can give: the others need the table.
FLOWS_VARIANTS: tuple[str, ...] = ("baseline", "no_row_partner")


def flows_variants(va_absorbed: pd.DataFrame) -> pd.DataFrame:
    """:data:`FLOWS_VARIANTS` of every region and year from stacked ``va_absorbed`` flows (the layout of
    :func:`tbi_variants`); ``no_row_partner`` drops the rest of the world's row and column before the index."""
    frames = []
    for (release, year), g in va_absorbed.groupby(["release", "year"], sort=True):
        matrix, countries = long_to_matrix(g, "va_absorbed")
        frames.append(_variant_frame(str(release), int(year), {"baseline": (matrix, countries), "no_row_partner": _without_row(matrix, countries)}))
    return pd.concat(frames, ignore_index=True)


def balance_panel(long: pd.DataFrame, value: str) -> pd.DataFrame:
    """:func:`~tradeimbalance.io.ioalgebra.balance_index` per release and year of stacked bilateral frames."""
    frames = []
    for (release, year), g in long.groupby(["release", "year"], sort=True):
        matrix, countries = long_to_matrix(g, value)
        b = balance_index(matrix, countries)
        b.insert(1, "year", np.int64(year))
        b["release"] = release
        frames.append(b)
    return pd.concat(frames, ignore_index=True).sort_values(["iso3", "year"], ignore_index=True)


def tbi_panel(va_absorbed: pd.DataFrame, value_added: str) -> pd.DataFrame:
    """TBI per region and year from the stacked long ``va_absorbed`` frames."""
    b = balance_panel(va_absorbed, "va_absorbed")
    return pd.DataFrame(
        {
            "iso3": b["iso3"],
            "year": b["year"],
            "tbi": b["index"],
            "numerator": b["numerator"],
            "denominator": b["denominator"],
            "va_exports": b["exports"],
            "va_imports": b["imports"],
            "va_domestic": b["domestic"],
            "release": b["release"],
            "value_added": value_added,
        }
    )


def year_kww(table: IOTable, value_added: str, system: LeontiefSystem | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One year's KWW job: the per-country terms and the bilateral DVA (long). ``system``: as for
    :func:`.kww.kww_decomposition` (it needs ``A``: built with ``keep_A=True``)."""
    res = kww_decomposition(table, value_added, system)
    terms = res.terms.copy()
    terms.insert(0, "year", np.int64(table.year))
    terms.insert(0, "release", table.release)
    dva = matrix_to_long(res.dva_bilateral, res.countries, "dva")
    dva.insert(0, "year", np.int64(table.year))
    dva.insert(0, "release", table.release)
    return terms, dva


def tbi_dva_panel(dva_bilateral: pd.DataFrame, value_added: str) -> pd.DataFrame:
    """DVA-based TBI per region and year from the stacked bilateral DVA frames."""
    b = balance_panel(dva_bilateral, "dva")
    return pd.DataFrame(
        {
            "iso3": b["iso3"],
            "year": b["year"],
            "tbi_dva": b["index"],
            "numerator": b["numerator"],
            "denominator": b["denominator"],
            "dva_exports": b["exports"],
            "dva_imports": b["imports"],
            "release": b["release"],
            "value_added": value_added,
        }
    )
