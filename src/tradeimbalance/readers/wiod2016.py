"""Reader for the WIOD 2016 release world input–output tables (2000–2014).

The release (Timmer et al. 2016; https://www.rug.nl/ggdc/valuechain/wiod/wiod-2016-release)
ships each year's table in two formats, both read here into the same
:class:`~tradeimbalance.io.iotable.IOTable`:

Excel (``WIOT<year>_Nov16_ROW.xlsb``; an ``.xlsx`` re-save reads the same)
    One sheet. Four label columns A–D (industry code, description, country,
    row number ``c1`` …) and four label rows directly above the first data
    row: column code (``A01`` … ``U``, then ``CONS_h`` … ``INVEN``, ``GO``),
    description, country, column number (``c1`` … ``c56`` intermediate,
    ``c57`` … ``c61`` final demand). Above them, title lines. Data rows: the
    44 × 56 = 2464 country-sector rows, then the rows ``II_fob`` (total
    intermediate consumption), ``TXSP``, ``EXP_adj``, ``PURR``, ``PURNR``,
    ``VA``, ``IntTTM`` and ``GO`` (gross output). Data columns: 2464
    intermediate, 44 × 5 final-demand and the total-output column (country
    ``TOT``).

R (``WIOT<year>_October16_ROW.RData``)
    One data frame ``wiot`` with the label columns ``IndustryCode``,
    ``IndustryDescription``, ``Country``, ``RNr``, ``Year`` (text, then float64
    numbers in the release), then one column per country-column named country
    code + column number (``AUS1`` … ``ROW56``, ``AUS57`` … ``ROW61``) and
    ``TOT``; the same rows as the Excel sheet (``Country`` is ``TOT`` on the
    eight bottom rows). A file holding a single data frame of another name (a
    re-save, a cut) is read the same way.

Columns are matched by name (region and column number), not by position: a
table whose columns come in another order (the real cut in
``shared/data/samples/wiod2016_structure`` is sector-major: ``USA1, FRA1,
USA2, …``) is put in the release's region-major order.

Either way the reader checks the labels (every region has the same sectors,
in the same order in rows and columns; five final-demand columns per
destination), that every value is numeric and finite, and that gross output
is not negative, and names the file and the cell, row or column otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..countries import wiod_region_code
from ..errors import InputError
from ..io.iotable import FD_CATEGORIES, IOTable
from ..provenance import file_digest
from ._rdata import read_rdata
from ._tabular import get_column_letter, open_workbook, sheet_rows

RELEASE = "wiod2016"

#: Rows below the country-sector block, in the release's order (``GO`` is gross output).
BOTTOM_ROWS: tuple[str, ...] = ("II_fob", "TXSP", "EXP_adj", "PURR", "PURNR", "VA", "IntTTM", "GO")
#: Bottom rows kept as primary inputs in the IOTable.
PRIMARY_INPUT_ROWS: tuple[str, ...] = ("TXSP", "EXP_adj", "PURR", "PURNR", "VA", "IntTTM")
TOTAL = "TOT"
N_FD = len(FD_CATEGORIES)

EXCEL_SUFFIXES = (".xlsb", ".xlsx")
R_SUFFIXES = (".rdata", ".rda")


@dataclass
class _Grid:
    """A WIOT as labelled rows and columns of numbers, whatever the file format."""

    row_region: list[str]
    row_code: list[str]
    col_region: list[str]
    col_number: list[str]
    values: np.ndarray  # float, rows × columns
    row_where: Sequence[str]  # human-readable location of each row (for errors)
    col_where: Sequence[str]  # human-readable location of each column


def read_wiod2016(path: str | Path, year: int | None = None, regions: Sequence[str] | None = None) -> IOTable:
    """Read one WIOD 2016 release table (``.xlsb``, ``.xlsx`` or ``.RData``).

    With ``regions`` (the workflow passes the release's 44, config ``io_releases.wiod2016.regions``), a
    table that lacks one of them, or has another, is refused with an error naming them.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "", "file not found")
    if year is None:
        m = re.search(r"(\d{4})", path.name)
        if m is None:
            raise InputError(path, "file name", "cannot tell the year: expected a name like WIOT2014_Nov16_ROW.xlsb")
        year = int(m.group(1))
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        grid = _grid_from_excel(path)
    elif suffix in R_SUFFIXES:
        grid = _grid_from_rdata(path, year)
    else:
        raise InputError(path, "file name", f"unknown format {suffix!r}: expected one of {EXCEL_SUFFIXES + R_SUFFIXES}")
    table = _assemble(path, year, grid, regions)
    table.validate(path)
    return table


# --------------------------------------------------------------------- Excel
def _cell(row: int, col: int) -> str:
    return f"cell {get_column_letter(col + 1)}{row + 1}"


def _label(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: object) -> str:
    """A row or column number as ``c<k>`` whether the cell holds ``c7`` or ``7``."""
    label = _label(value)
    return f"c{label}" if label.isdigit() else label.lower()


def _grid_from_excel(path: Path) -> _Grid:
    with open_workbook(path) as wb:
        if len(wb.sheetnames) != 1:
            raise InputError(path, "sheets", f"expected one sheet holding the table, found {wb.sheetnames}")
        sheet_name = wb.sheetnames[0]
        rows = sheet_rows(wb[sheet_name], path)
    width = max((len(r) for r in rows), default=0)
    cells = np.empty((len(rows), width), dtype=object)
    for i, r in enumerate(rows):
        cells[i, : len(r)] = r
    if cells.shape[1] < 6 or cells.shape[0] < 8:
        raise InputError(path, f"sheet {sheet_name!r}", f"only {cells.shape[0]} rows × {cells.shape[1]} columns: not a WIOT")

    # The first data row is the first row whose column D numbers it sector 1 ("c1", or 1).
    first = next((r for r in range(min(30, cells.shape[0])) if _number(cells[r, 3]) == "c1"), None)
    if first is None or first < 4:
        raise InputError(
            path,
            f"sheet {sheet_name!r}, column D",
            "no row numbered 'c1' in the first 30 rows: expected the WIOD 2016 layout "
            "(label columns A–D: code, description, country, row number; four label rows above the data)",
        )
    # Of the four label rows above the data, the column countries are the row whose first data
    # cell holds the first row's region, the column numbers the row whose first data cell is c1.
    above = range(first - 4, first)
    hdr_region = next((r for r in above if _label(cells[r, 4]) == _label(cells[first, 2])), None)
    hdr_number = next((r for r in above if _number(cells[r, 4]) == "c1"), None)
    if hdr_region is None or hdr_number is None:
        raise InputError(
            path,
            f"sheet {sheet_name!r}, rows {first - 3}–{first}",
            "the four label rows above the data hold no row of column countries and/or no row of column numbers (c1 …)",
        )
    col_region = [_label(v) for v in cells[hdr_region, 4:]]
    col_number = [_number(v) for v in cells[hdr_number, 4:]]
    # Trailing empty columns (beyond the total-output column) are not part of the table.
    while col_region and not col_region[-1] and not col_number[-1]:
        col_region.pop()
        col_number.pop()
    ncol = len(col_region)
    body = cells[first:, :]
    # Trailing empty rows are not part of the table.
    nrow = body.shape[0]
    while nrow and all(_label(v) == "" for v in body[nrow - 1, :4]):
        nrow -= 1
    body = body[:nrow]
    raw_values = body[:, 4 : 4 + ncol]
    values = pd.DataFrame(raw_values).apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(values)
    if bad.any():
        r, c = (int(i) for i in np.argwhere(bad)[0])
        shown = _label(raw_values[r, c]) or "an empty cell"
        raise InputError(path, f"sheet {sheet_name!r}, {_cell(first + r, 4 + c)}", f"expected a number, found {shown!r}")
    return _Grid(
        row_region=[_label(v) for v in body[:, 2]],
        row_code=[_label(v) for v in body[:, 0]],
        col_region=col_region,
        col_number=col_number,
        values=values,
        row_where=[f"sheet {sheet_name!r}, row {first + r + 1}" for r in range(nrow)],
        col_where=[f"sheet {sheet_name!r}, column {get_column_letter(5 + c)}" for c in range(ncol)],
    )


# ------------------------------------------------------------------------- R
_R_LABELS = ("IndustryCode", "IndustryDescription", "Country", "RNr", "Year")
_R_COLUMN = re.compile(r"^([A-Za-z]{3})(\d+)$")


def _grid_from_rdata(path: Path, year: int) -> _Grid:
    objects = read_rdata(path)
    frames = [name for name, obj in objects.items() if isinstance(obj, pd.DataFrame)]
    # The release names its data frame `wiot`; a re-saved or cut file may hold one data frame of another name.
    name = "wiot" if "wiot" in objects else (frames[0] if len(frames) == 1 else None)
    if name is None:
        raise InputError(path, "R objects", f"expected a data frame named 'wiot' (or a single data frame), found {sorted(objects)}")
    df = objects[name]
    if not isinstance(df, pd.DataFrame):
        raise InputError(path, f"object '{name}'", f"is a {type(df).__name__}, expected a data frame")
    missing = [c for c in _R_LABELS if c not in df.columns]
    if missing:
        raise InputError(path, f"object '{name}'", f"lacks the label column(s) {missing}")
    years = pd.to_numeric(df["Year"], errors="coerce")
    wrong = np.flatnonzero(years.to_numpy() != year)
    if wrong.size:
        raise InputError(path, f"object '{name}', row {wrong[0] + 1}, column 'Year'", f"holds {df['Year'].iloc[wrong[0]]!r}, expected {year}")
    data_cols = [c for c in df.columns if c not in _R_LABELS]
    col_region, col_number = [], []
    for c in data_cols:
        m = _R_COLUMN.match(str(c))
        if str(c) == TOTAL:
            col_region.append(TOTAL)
            col_number.append(TOTAL)
        elif m:
            col_region.append(m.group(1))
            col_number.append(f"c{m.group(2)}")
        else:
            raise InputError(path, f"object '{name}', column {c!r}", "not a WIOT column name (country code + column number, or TOT)")
    for c in data_cols:
        if not pd.api.types.is_numeric_dtype(df[c]):
            bad = pd.to_numeric(df[c], errors="coerce").isna() & df[c].notna()
            r = int(np.flatnonzero(bad.to_numpy())[0]) if bad.any() else 0
            raise InputError(path, f"object '{name}', row {r + 1}, column {c!r}", f"expected a number, found {df[c].iloc[r]!r}")
    values = df[data_cols].to_numpy(dtype=float, na_value=np.nan)
    return _Grid(
        row_region=[_label(v) for v in df["Country"]],
        row_code=[_label(v) for v in df["IndustryCode"]],
        col_region=col_region,
        col_number=col_number,
        values=values,
        row_where=[f"object '{name}', row {r + 1}" for r in range(len(df))],
        col_where=[f"object '{name}', column {c!r}" for c in data_cols],
    )


# ------------------------------------------------------------------ assemble
def _assemble(path: Path, year: int, g: _Grid, expected_regions: Sequence[str] | None = None) -> IOTable:
    """Check the labels of a grid and cut it into Z, F, x and the primary-input rows."""
    nan = np.argwhere(~np.isfinite(g.values))
    if nan.size:
        r, c = (int(i) for i in nan[0])
        raise InputError(path, f"{g.row_where[r]}, {g.col_where[c]}", "value is missing or not finite")

    # Rows: the country-sector block ends at the first bottom row (region TOT); rows are region-major.
    n = next((i for i, reg in enumerate(g.row_region) if reg == TOTAL), len(g.row_region))
    regions = list(dict.fromkeys(g.row_region[:n]))
    if not regions:
        raise InputError(path, "rows", "no country-sector rows found")
    if expected_regions is not None:
        lacking = [r for r in expected_regions if r not in regions]
        extra = [r for r in regions if r not in expected_regions]
        if lacking or extra:
            parts = [f"the table lacks the region(s) {', '.join(lacking)}"] if lacking else []
            parts += [f"it has region(s) not in the release: {', '.join(extra)}"] if extra else []
            problem = "; ".join(parts)
            raise InputError(path, "rows", f"{problem} (the {RELEASE} release has {len(expected_regions)} regions: {' '.join(expected_regions)})")
    # Columns are matched by name (region, column number), whatever their order in the file.
    position: dict[tuple[str, str], int] = {}
    for j, key in enumerate(zip(g.col_region, g.col_number, strict=True)):
        key = (TOTAL, TOTAL) if key[0] == TOTAL else key  # the total-output column, whatever its number label
        if key in position:
            shown = "total-output column (country TOT)" if key[0] == TOTAL else f"column {key[0]} {key[1]}"
            raise InputError(path, g.col_where[j], f"the {shown} appears twice (first at {g.col_where[position[key]]})")
        position[key] = j
    # The number of sectors: the intermediate columns of the first region (all its columns but the final demand).
    n_sectors = sum(1 for reg, _ in position if reg == regions[0]) - N_FD
    short = next((i for i in range(min(n_sectors, n)) if g.row_region[i] != regions[0]), None)
    if short is not None or n < n_sectors:
        where = g.row_where[short] if short is not None else g.row_where[n - 1]
        raise InputError(path, where, f"region {regions[0]!r} has fewer rows than its {n_sectors} intermediate columns: a row is missing")
    sectors = g.row_code[:n_sectors]
    expected_rows = [(reg, sec) for reg in regions for sec in sectors]
    for i, (reg, sec) in enumerate(expected_rows):
        found = (g.row_region[i], g.row_code[i]) if i < n else None
        if found != (reg, sec):
            where = g.row_where[i] if i < n else g.row_where[n]
            shown = f"{found[0]!r} {found[1]!r}" if found else "the end of the country-sector rows"
            raise InputError(
                path,
                where,
                f"expected region {reg!r} sector {sec!r}, found {shown} (a row is missing, duplicated or out of order)",
            )
    if n != len(expected_rows):
        raise InputError(path, g.row_where[len(expected_rows)], f"{n} country-sector rows, expected {len(expected_rows)}: a region's rows are not contiguous")
    if len(set(sectors)) != n_sectors:
        raise InputError(path, "rows", f"duplicated sector codes {sectors}")
    bottom = {code: i for i, code in enumerate(g.row_code[n:], start=n)}
    missing_rows = [r for r in BOTTOM_ROWS if r not in bottom]
    if missing_rows:
        raise InputError(path, f"rows below {g.row_where[n - 1]}", f"missing the row(s) {missing_rows} (expected {list(BOTTOM_ROWS)})")

    # Columns: intermediate block, final-demand block, total output, put in the release's order.
    expected_cols = [(reg, f"c{s + 1}") for reg in regions for s in range(n_sectors)]
    expected_cols += [(reg, f"c{n_sectors + f + 1}") for reg in regions for f in range(N_FD)]
    expected_cols.append((TOTAL, TOTAL))
    lacking_cols = [TOTAL if reg == TOTAL else f"{reg} {num}" for reg, num in expected_cols if (reg, num) not in position]
    if lacking_cols:
        shown = ", ".join(lacking_cols[:10]) + (f" and {len(lacking_cols) - 10} more" if len(lacking_cols) > 10 else "")
        raise InputError(path, "columns", f"lacks the column(s) {shown} (expected {n_sectors} intermediate and {N_FD} final-demand columns per region, and {TOTAL})")
    unexpected = sorted(set(position) - set(expected_cols), key=position.__getitem__)
    if unexpected:
        j = position[unexpected[0]]
        raise InputError(path, g.col_where[j], f"unexpected column {unexpected[0][0]} {unexpected[0][1]} (not a column of this table's {len(regions)} regions × {n_sectors} sectors layout)")
    order = [position[key] for key in expected_cols]
    n_cols = len(expected_cols) - 1

    vals = g.values[:, order]
    countries = tuple(wiod_region_code(r) for r in regions)
    return IOTable(
        release=RELEASE,
        year=year,
        countries=countries,
        sectors=tuple(sectors),
        Z=np.ascontiguousarray(vals[:n, :n]),
        F=np.ascontiguousarray(vals[:n, n:n_cols]),
        x=np.ascontiguousarray(vals[:n, n_cols]),
        primary_inputs={r: np.ascontiguousarray(vals[bottom[r], :n]) for r in PRIMARY_INPUT_ROWS},
        source=str(path),
        source_sha256=file_digest(path),
    )


read_table = read_wiod2016

__all__ = ["read_wiod2016", "read_table", "RELEASE", "BOTTOM_ROWS", "PRIMARY_INPUT_ROWS"]
