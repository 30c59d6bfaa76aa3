"""Reader for the Worldwide Governance Indicators workbook (``wgidataset.xlsx``, 2023 update).

Layout read: an ``Introduction`` sheet and one sheet per indicator
(:data:`INDICATOR_SHEETS`). Each indicator sheet is wide: title, description
and legend rows on top, then

* a row of years (1996, 1998, 2000, 2002 … 2022; each year repeated over its
  six columns; the cells above the two label columns may hold anything), and
* the header row: ``Country/Territory``, ``Code``, then per year the six
  sub-headers ``Estimate``, ``StdErr``, ``NumSrc``, ``Rank``, ``Lower``,
  ``Upper`` (:data:`FIELDS`),

followed by one row per country or territory. Missing values are ``#N/A``.
The header row is found by its content (first cells ``Country/Territory``,
``Code``), the year row is the row above it. Codes are the World Bank's
(``ROM`` for Romania, ``ZAR``, ``KSV`` …) and are standardised.

The series was biennial before 2002: there are no columns for 1997, 1999 and
2001, and none are made up here.

Output (:data:`tradeimbalance.source_schemas.WGI`): one row per indicator,
country and published year: ``iso3``, ``kind``, ``country``, ``indicator``
(VA, PV, GE, RQ, RL, CC), ``year`` and the six fields as float64.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ._tabular import Table, check_unique, first_cell, get_column_letter, open_workbook, require_sheet, sheet_rows, standardise_codes, text_column, to_float

#: Indicator sheets and the short codes used in the output, in output order.
INDICATOR_SHEETS: dict[str, str] = {
    "VoiceandAccountability": "VA",
    "Political StabilityNoViolence": "PV",
    "GovernmentEffectiveness": "GE",
    "RegulatoryQuality": "RQ",
    "RuleofLaw": "RL",
    "ControlofCorruption": "CC",
}
#: Sub-headers of each year's six columns and the output column each becomes.
FIELDS: dict[str, str] = {
    "Estimate": "estimate",
    "StdErr": "stderr",
    "NumSrc": "num_sources",
    "Rank": "rank",
    "Lower": "rank_lower",
    "Upper": "rank_upper",
}
#: First cells of the header row.
HEADER_START: tuple[str, str] = ("Country/Territory", "Code")
COUNTRY, CODE = 0, 1  # positions of the label columns

OUTPUT_COLUMNS: tuple[str, ...] = ("iso3", "kind", "country", "indicator", "year", *FIELDS.values())


def read_wgi(path: str | Path) -> pd.DataFrame:
    """Read the six indicator sheets of ``wgidataset.xlsx`` into one long frame.

    Errors (:class:`InputError`, naming file, sheet and row or cell): a missing,
    corrupt or truncated workbook, a missing indicator sheet (listing the
    sheets found), no ``Country/Territory``/``Code`` header row, a year cell
    that is not a year, an unknown sub-header, a year without its six columns,
    an unknown or duplicated country code and a non-numeric value.
    """
    path = Path(path)
    with open_workbook(path) as wb:
        for sheet in INDICATOR_SHEETS:
            require_sheet(wb, path, sheet)
        sheets = {sheet: sheet_rows(wb[sheet], path) for sheet in INDICATOR_SHEETS}
    parts = [_read_sheet(path, sheet, rows, INDICATOR_SHEETS[sheet]) for sheet, rows in sheets.items()]
    return pd.concat(parts, ignore_index=True)


def _find_header(path: Path, sheet: str, rows: Sequence[Sequence[Any]]) -> int:
    """Index (0-based) of the header row: the row whose first cells are ``Country/Territory``, ``Code``."""
    for i, row in enumerate(rows):
        if tuple(str(v).strip() if v is not None else "" for v in row[:2]) == HEADER_START:
            if i == 0:
                raise InputError(path, f"sheet '{sheet}', row 1", "the header row has no row of years above it")
            return i
    problem = f"no header row whose first cells are {HEADER_START[0]!r}, {HEADER_START[1]!r} (the row below the row of years)"
    raise InputError(path, f"sheet '{sheet}'", problem)


def _year_of(path: Path, sheet: str, cell: str, value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1900 <= value <= 2100:
        raise InputError(path, f"sheet '{sheet}', cell {cell}", f"{value!r} in the row of years is not a year")
    return value


def _value_columns(path: Path, sheet: str, rows: Sequence[Sequence[Any]], header: int) -> dict[int, tuple[int, str]]:
    """Map each value column (0-based position) to its (year, sub-header); checks the two header rows."""
    years_row, labels = rows[header - 1], rows[header]
    width = max(len(labels), *(len(r) for r in rows[header + 1 :]), 0)
    columns: dict[int, tuple[int, str]] = {}
    for pos in range(CODE + 1, width):
        label = labels[pos] if pos < len(labels) else None
        year = years_row[pos] if pos < len(years_row) else None
        letter = get_column_letter(pos + 1)
        if label is None and year is None:
            continue  # an empty column; _read_sheet checks that it holds no data
        label = str(label).strip() if label is not None else ""
        if label not in FIELDS:
            problem = f"unexpected sub-header {label!r}; expected one of {', '.join(FIELDS)}"
            raise InputError(path, f"sheet '{sheet}', cell {letter}{header + 1}", problem)
        key = (_year_of(path, sheet, f"{letter}{header}", year), label)
        if key in columns.values():
            raise InputError(path, f"sheet '{sheet}', cell {letter}{header + 1}", f"a second {label} column for {key[0]}")
        columns[pos] = key
    for year in sorted({y for y, _ in columns.values()}):
        lacking = [f for f in FIELDS if (year, f) not in columns.values()]
        if lacking:
            raise InputError(path, f"sheet '{sheet}', row {header + 1}", f"year {year} lacks the column(s) {', '.join(lacking)}")
    if not columns:
        raise InputError(path, f"sheet '{sheet}', row {header + 1}", "no year columns right of 'Country/Territory', 'Code'")
    return columns


def _read_sheet(path: Path, sheet: str, rows: Sequence[Sequence[Any]], indicator: str) -> pd.DataFrame:
    """One indicator sheet as long rows (country × published year)."""
    header = _find_header(path, sheet, rows)
    columns = _value_columns(path, sheet, rows, header)
    table = _sheet_table(path, sheet, rows, header, columns)
    codes = standardise_codes(table, CODE, COUNTRY)
    check_unique(table, codes[["iso3"]], "country code")
    ident = codes.assign(country=text_column(table, COUNTRY), indicator=pd.Series(indicator, index=codes.index, dtype="str"))
    values = to_float(table, list(columns))
    by_key = {key: pos for pos, key in columns.items()}
    parts = []
    for year in sorted({y for y, _ in columns.values()}):
        part = pd.DataFrame({FIELDS[sub]: values[by_key[(year, sub)]] for sub in FIELDS})
        part.insert(0, "year", pd.Series(year, index=part.index, dtype="int64"))
        parts.append(ident.join(part))
    long = pd.concat(parts).rename_axis("row").sort_values(["row", "year"], kind="stable")
    return long.reset_index(drop=True)[list(OUTPUT_COLUMNS)]


def _sheet_table(path: Path, sheet: str, rows: Sequence[Sequence[Any]], header: int, columns: dict[int, tuple[int, str]]) -> Table:
    """The country rows below the header, columns by position; a value in a column without headers is an error."""
    width = max(len(r) for r in rows[header:])
    body = [list(r) + [None] * (width - len(r)) for r in rows[header + 1 :]]
    frame = pd.DataFrame(body, index=range(header + 2, header + 2 + len(body)), columns=range(width), dtype=object)
    frame = frame[frame.notna().any(axis=1)]  # blank rows below the table are not countries
    names = {COUNTRY: HEADER_START[0], CODE: HEADER_START[1]} | {pos: f"{sub} {year}" for pos, (year, sub) in columns.items()}
    table = Table(path, frame, "row", header + 1, sheet, {pos: get_column_letter(pos + 1) for pos in range(width)}, names)
    stray = first_cell(frame.drop(columns=[COUNTRY, CODE, *columns]).notna())
    if stray is not None:
        row, pos = stray
        raise table.error(table.cell(row, pos), f"a value ({frame.at[row, pos]!r}) in a column without year and sub-header")
    if frame.empty:
        raise table.error(table.header(), "no country rows below the header")
    return table
