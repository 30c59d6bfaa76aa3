"""Shared helpers for the readers of tabular raw sources (CSV, Excel, Stata).

The readers in this package turn one raw file into one tidy frame. They all
work on a :class:`Table`: the cells of one table exactly as read from the file
(text, or whatever type the spreadsheet cell holds), indexed by the row number
the user sees in the file (1-based, header counted: the CSV line number, the
Excel row number, the Stata observation number), plus what is needed to name a
cell in an error message. The helpers below then

* read a CSV file strictly (:func:`read_csv_table`): every line after the
  header must have as many fields as the header, so a truncated last line is
  an error naming the line, not a row padded with missing values;
* open an Excel workbook (:func:`open_workbook`, :func:`require_sheet`,
  :func:`sheet_rows`, :func:`table_from_rows`) with python-calamine (the Rust
  ``calamine`` parser: ``.xlsx`` and ``.xlsb`` alike), turning a corrupt or
  truncated workbook and a missing sheet (listing the sheets found) into clear
  errors;
* coerce cells to numbers (:func:`to_float`, :func:`to_year`), naming the first
  cell that is neither a number nor an allowed missing marker;
* standardise country codes with
  :func:`~tradeimbalance.countries.classify_code` (:func:`standardise_codes`);
* check a panel for duplicated keys (:func:`check_unique`) and for countries
  lacking a year of the file's year span (:func:`check_balanced`).

Every problem is raised as an :class:`~tradeimbalance.errors.InputError`
naming the file, the location and what is wrong.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from ..countries import classify_code
from ..errors import InputError

#: Cell contents read as a missing value (after stripping blanks), besides empty cells.
MISSING_MARKERS: frozenset[str] = frozenset({"", "..", "#N/A"})

RowUnit = Literal["line", "row", "observation"]


def get_column_letter(index: int) -> str:
    """The spreadsheet letters of a 1-based column number: 1 → ``A``, 27 → ``AA``."""
    if index < 1:
        raise ValueError(f"column numbers start at 1, got {index}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class Table:
    """The cells of one table of a raw file, with the means to name a cell.

    ``frame`` holds the data rows only (no header), as read, indexed by the row
    number the user sees in the file (CSV line, Excel row, Stata observation).
    Its columns are the header names, or any hashable key when ``names`` maps
    them to readable names (e.g. WGI's two-row header).
    """

    path: Path
    frame: pd.DataFrame
    unit: RowUnit
    header_row: int | None = None
    sheet: str | None = None
    letters: Mapping[Hashable, str] = field(default_factory=dict)
    names: Mapping[Hashable, str] = field(default_factory=dict)

    def _prefix(self) -> str:
        return f"sheet '{self.sheet}', " if self.sheet is not None else ""

    def name(self, column: Hashable) -> str:
        """The column's name as the user sees it."""
        return self.names.get(column, str(column))

    def row(self, row: int) -> str:
        """Location of a whole row (``"line 17"``, ``"sheet 'S', row 17"``)."""
        return f"{self._prefix()}{self.unit} {row}"

    def rows(self, first: int, last: int) -> str:
        """Location of a block of rows."""
        if first == last:
            return self.row(first)
        return f"{self._prefix()}{self.unit}s {first}-{last}"

    def header(self) -> str:
        """Location of the header row."""
        if self.unit == "observation":
            return "variable list"
        return f"{self._prefix()}{self.unit} {self.header_row} (header)"

    def cell(self, row: int, column: Hashable) -> str:
        """Location of one cell (``"line 17, column 'KOFGI'"``, ``"sheet 'S', cell D17 (column 'KOFGI')"``)."""
        if self.unit == "observation":
            return f"observation {row}, variable '{self.name(column)}'"
        if column in self.letters:
            return f"{self._prefix()}cell {self.letters[column]}{row} (column '{self.name(column)}')"
        return f"{self._prefix()}{self.unit} {row}, column '{self.name(column)}'"

    def error(self, location: str, problem: str) -> InputError:
        """An :class:`InputError` about this table's file."""
        return InputError(self.path, location, problem)


# ------------------------------------------------------------------ building tables
def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    return isinstance(value, float) and np.isnan(value)


#: What :func:`pandas.api.types.infer_dtype` (missing cells skipped) calls a column of numbers and empty cells only: no
#: text, no booleans, no dates. Such a column needs no cell-by-cell look (:func:`_empty_cells`, :func:`to_float`).
_NUMERIC_KINDS = frozenset({"floating", "integer", "mixed-integer-float", "empty"})


def _numeric_column(column: pd.Series) -> bool:
    return pd.api.types.infer_dtype(column, skipna=True) in _NUMERIC_KINDS


def _empty_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`_is_empty` of every cell: a column of numbers and empty cells only is read at once (its empty cells are
    its ``None`` and NaN, as :func:`_is_empty` says), the others cell by cell. A KOF sheet has 2.7 million cells, nearly
    all in number columns: 1.7 s cell by cell."""
    if not frame.size:
        return pd.DataFrame(np.zeros(frame.shape, dtype=bool), index=frame.index, columns=frame.columns)
    columns = (frame.iloc[:, j] for j in range(frame.shape[1]))
    empty = [(c.isna() if _numeric_column(c) else c.map(_is_empty)).to_numpy(dtype=bool) for c in columns]
    return pd.DataFrame(np.column_stack(empty), index=frame.index, columns=frame.columns)


def _cellwise(frame: pd.DataFrame, fn: Any, dtype: Any = object) -> pd.DataFrame:
    """``frame.map(fn)`` (every cell, missing ones included) through one ufunc call: same result, a fraction of the time."""
    out = np.frompyfunc(fn, 1, 1)(frame.to_numpy(dtype=object)) if frame.size else np.empty(frame.shape, dtype=object)
    return pd.DataFrame(np.asarray(out, dtype=dtype).reshape(frame.shape), index=frame.index, columns=frame.columns)


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _named_table(
    path: Path,
    header: Sequence[Any],
    records: Sequence[Sequence[Any]],
    row_numbers: Sequence[int],
    unit: RowUnit,
    header_row: int,
    sheet: str | None,
    with_letters: bool,
) -> Table:
    """A :class:`Table` whose columns are the (non-empty) header cells.

    Rows whose cells are all empty are not data and are left out. A column
    with an empty header is dropped when it is empty in every row (a trailing
    comma, a formatted but empty spreadsheet column) and an error otherwise; a
    repeated header name is an error.
    """
    width = max([len(header), *(len(r) for r in records)], default=0)
    names = [_header_text(header[i]) if i < len(header) else "" for i in range(width)]
    padded = [list(r) + [None] * (width - len(r)) for r in records]
    frame = pd.DataFrame(padded, index=pd.Index(row_numbers, dtype="int64"), columns=range(width), dtype=object)
    frame = frame[~_empty_cells(frame).all(axis=1)]
    positional = Table(
        path,
        frame,
        unit,
        header_row,
        sheet,
        letters={i: get_column_letter(i + 1) for i in range(width)} if with_letters else {},
        names={i: name or f"unnamed column {i + 1}" for i, name in enumerate(names)},
    )
    _check_unnamed_columns_empty(positional, names)
    keep = [i for i, name in enumerate(names) if name]
    repeated = [name for name, n in Counter(names[i] for i in keep).items() if n > 1]
    if repeated:
        raise InputError(path, positional.header(), f"column name(s) {', '.join(repeated)} appear more than once in the header")
    if frame.empty:
        raise InputError(path, positional.header(), "no data rows below the header")
    letters = {names[i]: get_column_letter(i + 1) for i in keep} if with_letters else {}
    return Table(path, frame[keep].set_axis([names[i] for i in keep], axis=1), unit, header_row, sheet, letters)


def _check_unnamed_columns_empty(table: Table, names: Sequence[str]) -> None:
    """Error naming the first cell holding a value in a column whose header cell is empty."""
    unnamed = [i for i, name in enumerate(names) if not name]
    hit = first_cell(~_empty_cells(table.frame[unnamed])) if unnamed else None
    if hit is not None:
        row, pos = hit
        raise table.error(table.cell(row, pos), f"a value ({table.frame.at[row, pos]!r}) in a column whose header cell is empty")


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise InputError(path, "", "file not found")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        problem = f"not UTF-8 text (byte {exc.start}): the file is corrupt or not a CSV file"
        raise InputError(path, f"line {line}", problem) from exc


def _csv_records(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """The CSV records with the line each begins on; malformed quoting (an unterminated field) is an error."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(path, f"line {start}", f"malformed CSV ({exc}): the file is truncated or corrupt") from exc


def read_csv_table(path: str | Path, header_starts_with: str | None = None) -> Table:
    """Read a CSV file strictly into a :class:`Table`.

    The header is the first non-blank line or, with ``header_starts_with``, the
    first line whose first field is that text (lines above it, such as the
    World Bank's metadata lines, are skipped). Every later non-blank line must
    have exactly as many fields as the header: a line with fewer (a truncated
    file) or more fields is an error naming the line.
    """
    path = Path(path)
    records = list(_csv_records(path, _read_text(path)))
    header_at = next(
        (
            i
            for i, (_, rec) in enumerate(records)
            if rec and (rec[0].strip() == header_starts_with if header_starts_with else any(f.strip() for f in rec))
        ),
        None,
    )
    if header_at is None:
        wanted = f"header line starting with {header_starts_with!r}" if header_starts_with else "header line"
        raise InputError(path, "", f"no {wanted}: the file is empty or not in the expected layout")
    header_line, header = records[header_at]
    body: list[list[str]] = []
    lines: list[int] = []
    for line, rec in records[header_at + 1 :]:
        if not rec:
            continue  # a blank line
        if len(rec) != len(header):
            what = "fewer" if len(rec) < len(header) else "more"
            hint = " (is the file truncated?)" if what == "fewer" else ""
            problem = f"{len(rec)} fields, {what} than the {len(header)} of the header on line {header_line}{hint}"
            raise InputError(path, f"line {line}", problem)
        body.append(rec)
        lines.append(line)
    return _named_table(path, header, body, lines, "line", header_line, None, with_letters=False)


@dataclass
class Workbook:
    """An Excel workbook opened with python-calamine: its sheet names and, by name, its sheets."""

    path: Path
    book: CalamineWorkbook

    @property
    def sheetnames(self) -> list[str]:
        return list(self.book.sheet_names)

    def __getitem__(self, name: str) -> Worksheet:
        return Worksheet(self, name)


@dataclass(frozen=True)
class Worksheet:
    """One sheet of a :class:`Workbook`, read on demand by :func:`sheet_rows`."""

    workbook: Workbook
    title: str


@contextmanager
def open_workbook(path: str | Path) -> Iterator[Workbook]:
    """Open an ``.xlsx``/``.xlsb`` workbook for its cell values (not formulas); a corrupt or truncated file is an error."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "", "file not found")
    if path.stat().st_size == 0:
        raise InputError(path, "", "the file is empty (0 bytes): a download or copy was interrupted; get the file again")
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:  # zip, XML and binary errors of damaged files
        problem = f"not a readable Excel workbook ({path.suffix or 'no suffix'}), the file is corrupt or truncated ({type(exc).__name__}: {exc})"
        raise InputError(path, "", problem) from exc
    try:
        yield Workbook(path, book)
    finally:
        book.close()


def require_sheet(wb: Workbook, path: str | Path, name: str) -> Worksheet:
    """The sheet called ``name``; its absence is an error listing the sheets found."""
    if name not in wb.sheetnames:
        found = ", ".join(repr(s) for s in wb.sheetnames)
        raise InputError(path, f"sheet '{name}'", f"sheet {name!r} not found; the workbook has the sheets {found}")
    return wb[name]


def _cell_value(value: Any) -> Any:
    """calamine's cell as the readers expect it: an empty cell is ``None``."""
    return None if isinstance(value, str) and value == "" else value


def sheet_rows(ws: Worksheet, path: str | Path, limit: int | None = None) -> list[tuple[Any, ...]]:
    """The rows of a sheet (all, or the first ``limit``) as tuples of cell values; ``rows[i]`` is Excel row ``i + 1``.

    Rows start at row 1 and columns at column A whatever the sheet's used
    range; empty cells are ``None``; numbers are floats (ints where the file
    stores integers), dates ``datetime`` values.
    """
    try:
        sheet = ws.workbook.book.get_sheet_by_name(ws.title)
        rows = sheet.to_python(skip_empty_area=False, nrows=limit)
    except (CalamineError, OSError, ValueError) as exc:  # damaged sheet XML or zip member
        problem = f"the sheet cannot be read, the file is corrupt or truncated ({type(exc).__name__}: {exc})"
        raise InputError(path, f"sheet '{ws.title}'", problem) from exc
    return [tuple(_cell_value(v) for v in r) for r in rows]


def first_filled_row(rows: Sequence[Sequence[Any]]) -> int | None:
    """Index (0-based) of the first row with a non-empty cell."""
    return next((i for i, r in enumerate(rows) if any(not _is_empty(v) for v in r)), None)


def table_from_rows(path: str | Path, sheet: str, rows: Sequence[Sequence[Any]], header_index: int) -> Table:
    """A :class:`Table` of a sheet whose header is ``rows[header_index]`` and data the rows below it."""
    body = rows[header_index + 1 :]
    numbers = range(header_index + 2, header_index + 2 + len(body))
    return _named_table(Path(path), rows[header_index], body, list(numbers), "row", header_index + 1, sheet, with_letters=True)


def frame_table(path: str | Path, frame: pd.DataFrame) -> Table:
    """A :class:`Table` of a data set without visible rows (Stata): rows are observations 1 … n."""
    return Table(Path(path), frame.set_axis(pd.RangeIndex(1, len(frame) + 1), axis=0), "observation")


# ------------------------------------------------------------------ checks and coercion
def check_columns(table: Table, required: Iterable[str], what: str = "column") -> None:
    """Error naming the header when any of ``required`` is not a column."""
    missing = [c for c in required if c not in table.frame.columns]
    if missing:
        found = ", ".join(str(c) for c in table.frame.columns)
        raise table.error(table.header(), f"missing {what}(s) {', '.join(missing)}; found: {found}")


def first_cell(mask: pd.DataFrame) -> tuple[int, Hashable] | None:
    """The first True cell of ``mask`` reading row by row, as (row label, column), or None."""
    hits = np.argwhere(mask.to_numpy(dtype=bool))
    if not len(hits):
        return None
    i, j = hits[0]
    return int(mask.index[i]), mask.columns[j]


def _normalise(value: Any, missing: frozenset[str]) -> Any:
    """A cell as ``None`` (missing), a number or the text to parse; booleans stay text so they fail."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, str):
        text = value.strip()
        return None if text in missing else text
    return value


def to_float(table: Table, columns: Sequence[Hashable], missing: frozenset[str] = MISSING_MARKERS) -> pd.DataFrame:
    """The given columns as float64 (NaN where missing), indexed like the table.

    Empty cells and the ``missing`` markers become NaN; the first cell (row by
    row) holding anything else that is not a finite number is an error.
    """
    cells = table.frame[list(columns)].copy()
    # a column of numbers and empty cells is what _normalise leaves it; the others are normalised cell by cell
    text = [j for j in range(cells.shape[1]) if not _numeric_column(cells.iloc[:, j])]
    if text:
        cells.iloc[:, text] = _cellwise(cells.iloc[:, text], lambda v: _normalise(v, missing))
    numbers = cells.apply(lambda s: pd.to_numeric(s, errors="coerce")).astype("float64")
    bad = (numbers.isna() & cells.notna()) | np.isinf(numbers)
    hit = first_cell(bad)
    if hit is not None:
        row, column = hit
        allowed = ", ".join(repr(m) for m in sorted(missing))
        raise table.error(
            table.cell(row, column),
            f"{table.frame.at[row, column]!r} is not a number (an empty cell or one of {allowed} marks a missing value)",
        )
    return numbers


def to_year(table: Table, column: Hashable) -> pd.Series:
    """A year column as int64; an empty, non-numeric or fractional year is an error naming the cell."""
    years = to_float(table, [column])[column]
    bad = years.isna() | (years % 1 != 0) | ~years.between(1800, 2200)
    if bad.any():
        row = int(bad.idxmax())
        value = table.frame.at[row, column]
        problem = "empty year" if _is_empty(value) else f"{value!r} is not a calendar year"
        raise table.error(table.cell(row, column), problem)
    return years.astype("int64")


def text_column(table: Table, column: Hashable) -> pd.Series:
    """A column of names as stripped text; an empty cell is an error naming the cell."""
    values = table.frame[column]
    empty = values.map(_is_empty)
    if empty.any():
        row = int(empty.idxmax())
        raise table.error(table.cell(row, column), f"empty {table.name(column)}")
    return values.map(lambda v: _header_text(v)).astype("str")


def standardise_codes(table: Table, code_column: Hashable, name_column: Hashable | None = None) -> pd.DataFrame:
    """Columns ``iso3`` and ``kind`` from a column of source country codes.

    Legacy codes are recoded and aggregates flagged by
    :func:`~tradeimbalance.countries.classify_code`; an empty or unknown code
    is an error naming the cell.
    """
    codes = text_column(table, code_column)
    known = {}
    for row, code in codes.items():
        if code in known:
            continue
        info = classify_code(code)
        if info is None:
            label = f" ({table.frame.at[row, name_column]})" if name_column is not None else ""
            raise table.error(
                table.cell(int(row), code_column),
                f"unknown country code {code!r}{label}: if it is a real country, territory or aggregate, "
                "add it to src/tradeimbalance/countries.py (LEGACY_TO_ISO3, TERRITORIES or WORLD_BANK_AGGREGATES)",
            )
        known[code] = info
    return pd.DataFrame(
        {
            "iso3": codes.map(lambda c: known[c].iso3).astype("str"),
            "kind": codes.map(lambda c: known[c].kind).astype("str"),
        },
        index=table.frame.index,
    )


def check_unique(table: Table, keys: pd.DataFrame, what: str) -> None:
    """Error naming the rows when a key (e.g. standardised country and year) appears more than once."""
    repeated = keys.duplicated()
    if repeated.any():
        row = int(repeated.idxmax())
        key = keys.loc[row]
        same = keys.index[(keys == key).all(axis=1)]
        where = " and ".join(str(r) for r in same)
        label = " ".join(str(v) for v in key)
        problem = f"duplicated {what} {label}: it appears on {table.unit}s {where}; each must appear once"
        raise table.error(table.row(row), problem)


def format_years(years: Iterable[int]) -> str:
    """Years as ranges: ``[2000, 2001, 2002, 2005]`` → ``"2000-2002, 2005"``; empty → ``""``."""
    ordered = sorted(set(int(y) for y in years))
    spans: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        spans.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ", ".join(spans)


def check_balanced(table: Table, iso3: pd.Series, years: pd.Series) -> None:
    """Error when a country lacks a row for a year of the file's year span (an unbalanced panel)."""
    span = set(range(int(years.min()), int(years.max()) + 1))
    for code, own in years.groupby(iso3, sort=False):
        lacking = span - set(own)
        if lacking:
            rows = own.index
            raise table.error(
                table.rows(int(rows.min()), int(rows.max())),
                f"unbalanced panel: country {code} has no row for {format_years(lacking)} "
                f"(the file covers {min(span)}-{max(span)}, every country should have a row for every year)",
            )
