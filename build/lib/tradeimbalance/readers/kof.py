"""Reader for the KOF Globalisation Index (revised, de facto / de jure; Gygli et al. 2019).

Layout read (every vintage): a long panel, one row per country-year, in a CSV
file or in the single sheet of an ``.xlsx`` workbook. The header row (the
first non-empty row) names the columns ``code`` (ISO3-like, with legacy codes
such as ``ROM`` for Romania), ``country``, ``year`` and then the index columns,
each on KOF's 1–100 scale:

* the 2018 CSV (``KOFGlobalization_Data_2018.csv``) has 25 columns: it lacks
  the combined ``KOFTrGI``, ``KOFFiGI``, ``KOFIpGI``, ``KOFInGI`` and
  ``KOFCuGI`` (only their df/dj parts); Taiwan has rows whose values are all
  empty;
* the ``.xlsx`` files (2018_2, 2019, 2020, 2022–2025) have 30 columns, all 27
  indices. The sheet is ``KOFGI_2019_data`` in the 2019 file and ``Sheet1``
  elsewhere: the reader takes the workbook's only sheet or, when there are
  several, the only one whose header has ``code`` and ``year``.

Output (:data:`tradeimbalance.source_schemas.KOF_PANEL`): ``iso3`` (standardised),
``kind``, ``country`` (as in the file), ``year``, ``vintage`` and the 27
:data:`KOF_COLUMNS` as float64, NaN where the vintage does not publish a column.
:func:`kof_coverage` reports, per vintage, which requested countries lack data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ._tabular import (
    Workbook,
    Table,
    check_balanced,
    check_columns,
    check_unique,
    first_cell,
    first_filled_row,
    format_years,
    open_workbook,
    read_csv_table,
    sheet_rows,
    standardise_codes,
    table_from_rows,
    text_column,
    to_float,
    to_year,
)

#: The 27 KOF index columns, in output order: overall, economic (trade, financial),
#: social (interpersonal, informational, cultural) and political; each overall, de facto, de jure.
KOF_COLUMNS: tuple[str, ...] = tuple(
    f"KOF{dimension}GI{part}" for dimension in ("", "Ec", "Tr", "Fi", "So", "Ip", "In", "Cu", "Po") for part in ("", "df", "dj")
)
#: The de jure indices the paper uses.
PAPER_COLUMNS: tuple[str, ...] = ("KOFGIdj", "KOFEcGIdj", "KOFTrGIdj", "KOFFiGIdj", "KOFPoGIdj")
#: Identifier columns every vintage has.
ID_COLUMNS: tuple[str, ...] = ("code", "country", "year")
#: KOF's scale; the published files exceed 100 by float rounding (100.00002), hence the tolerance.
SCALE: tuple[float, float] = (0.0, 100.0)
SCALE_TOLERANCE = 1e-3

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: How many rows of a sheet are searched for the header when telling the data sheet from others.
HEADER_SEARCH_ROWS = 20


def read_kof(path: str | Path, vintage: str, required_columns: Sequence[str] = PAPER_COLUMNS) -> pd.DataFrame:
    """Read one KOF vintage (``.csv`` or ``.xlsx``) into a long country-year panel.

    Errors (:class:`InputError`, naming file and location): unreadable file,
    several sheets of which none (or more than one) has a ``code``/``year``
    header, a missing ``code``/``country``/``year`` column or one of
    ``required_columns``, a column that is not a KOF index, an unknown country
    code, a non-numeric value or one outside 0–100, a duplicated country-year,
    and a country lacking a row for a year of the file's span.
    """
    unknown = [c for c in required_columns if c not in KOF_COLUMNS]
    if unknown:
        raise ValueError(f"required_columns has names that are not KOF index columns: {unknown}")
    path = Path(path)
    table = _read_table(path)
    check_columns(table, ID_COLUMNS)
    _check_index_columns(table, vintage, required_columns)
    codes = standardise_codes(table, "code", "country")
    years = to_year(table, "year")
    keys = pd.DataFrame({"iso3": codes["iso3"], "year": years})
    check_unique(table, keys, "country-year")
    check_balanced(table, codes["iso3"], years)
    values = _index_values(table)
    out = pd.DataFrame(
        {
            "iso3": codes["iso3"],
            "kind": codes["kind"],
            "country": text_column(table, "country"),
            "year": years,
            "vintage": pd.Series(vintage, index=table.frame.index, dtype="str"),
        }
    )
    for column in KOF_COLUMNS:
        out[column] = values[column] if column in values else np.nan
    return out.reset_index(drop=True)


def _read_table(path: Path) -> Table:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv_table(path)
    if suffix in EXCEL_SUFFIXES:
        with open_workbook(path) as wb:
            sheet = _kof_sheet(wb, path)
            rows = sheet_rows(wb[sheet], path)
        header = first_filled_row(rows)
        if header is None:
            raise InputError(path, f"sheet '{sheet}'", "the sheet is empty")
        return table_from_rows(path, sheet, rows, header)
    raise InputError(path, "", f"unsupported file type {path.suffix!r}: a KOF file is .csv or .xlsx")


def _has_kof_header(wb: Workbook, sheet: str, path: Path) -> bool:
    rows = sheet_rows(wb[sheet], path, limit=HEADER_SEARCH_ROWS)
    header = first_filled_row(rows)
    return header is not None and {"code", "year"} <= {str(v).strip() for v in rows[header] if v is not None}


def _kof_sheet(wb: Workbook, path: Path) -> str:
    """The workbook's only sheet, or the only one whose header names ``code`` and ``year``."""
    if len(wb.sheetnames) == 1:
        return wb.sheetnames[0]
    recognised = [s for s in wb.sheetnames if _has_kof_header(wb, s, path)]
    if len(recognised) == 1:
        return recognised[0]
    found = ", ".join(repr(s) for s in wb.sheetnames)
    which = "none has" if not recognised else f"{len(recognised)} have"
    problem = f"the workbook has {len(wb.sheetnames)} sheets ({found}) and {which} a header with 'code' and 'year'"
    raise InputError(path, "", f"{problem}; expected one KOF data sheet")


def _check_index_columns(table: Table, vintage: str, required_columns: Sequence[str]) -> None:
    extra = [c for c in table.frame.columns if c not in ID_COLUMNS and c not in KOF_COLUMNS]
    if extra:
        problem = f"column(s) {', '.join(map(str, extra))} are not KOF index columns (expected some of {', '.join(KOF_COLUMNS)})"
        raise table.error(table.header(), problem)
    missing = [c for c in required_columns if c not in table.frame.columns]
    if missing:
        raise table.error(
            table.header(),
            f"KOF vintage {vintage} lacks the required column(s) {', '.join(missing)}; "
            f"its index columns are {', '.join(c for c in table.frame.columns if c in KOF_COLUMNS)}",
        )


def _index_values(table: Table) -> pd.DataFrame:
    columns = [c for c in KOF_COLUMNS if c in table.frame.columns]
    values = to_float(table, columns)
    low, high = SCALE
    hit = first_cell((values < low) | (values > high + SCALE_TOLERANCE))
    if hit is not None:
        row, column = hit
        raise table.error(table.cell(row, column), f"{values.at[row, column]} is outside KOF's {low:g}-{high:g} scale")
    return values


def kof_coverage(
    panel: pd.DataFrame,
    countries: Sequence[str],
    first_year: int,
    last_year: int,
    required_columns: Sequence[str] = PAPER_COLUMNS,
) -> pd.DataFrame:
    """Which requested countries each vintage of ``panel`` covers over ``first_year``–``last_year``.

    One row per (vintage, requested ``iso3``), vintages in the panel's order:
    ``n_years_expected``, ``n_years_complete`` (years with all
    ``required_columns`` non-missing), ``missing_years`` (the other years as
    ranges, ``"2000-2014"``, or ``""``) and ``status``: ``complete`` (every
    year), ``partial`` or ``absent`` (no complete year, whether the country
    has empty rows or none).
    """
    if first_year > last_year:
        raise ValueError(f"first_year {first_year} is after last_year {last_year}")
    unknown = [c for c in required_columns if c not in panel.columns]
    if unknown:
        raise ValueError(f"required_columns not in the panel: {unknown}")
    span = range(first_year, last_year + 1)
    window = panel[panel["year"].between(first_year, last_year)]
    complete = window[window[list(required_columns)].notna().all(axis=1)]
    rows = []
    for vintage in panel["vintage"].unique():
        done = complete[complete["vintage"] == vintage].groupby("iso3")["year"].agg(set)
        for iso3 in countries:
            years = done.get(iso3, set())
            n_complete = len(years)
            status = "complete" if n_complete == len(span) else "absent" if n_complete == 0 else "partial"
            rows.append((vintage, iso3, len(span), n_complete, format_years(set(span) - years), status))
    columns = ["vintage", "iso3", "n_years_expected", "n_years_complete", "missing_years", "status"]
    dtypes = ["str", "str", "int64", "int64", "str", "str"]
    return pd.DataFrame(rows, columns=columns).astype(dict(zip(columns, dtypes)))
