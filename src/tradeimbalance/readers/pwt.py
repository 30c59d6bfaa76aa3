"""Reader for the Penn World Table Stata file (``pwt91.dta``, or a newer release's ``pwt1001.dta``, ``pwt110.dta``;
Feenstra, Inklaar & Timmer 2015). PWT 9.1 ends in 2017, 10.01 in 2019; 11.0 goes further. A newer release is read by
the same reader when config ``pwt.file`` and ``pwt.version`` name it: the variables the controls use are required,
the other documented ones optional, and a variable the documented schema does not know is left out (named in the log).

Layout read: one observation per country-year (182 countries × 1950–2017 =
12,376 observations, 52 variables). Identifiers ``countrycode`` (ISO 3166-1
alpha-3), ``country``, ``currency_unit`` and ``year``; 42 numeric variables
stored as Stata floats (national accounts in millions of 2011 US dollars,
population and employment in millions, indices, shares and price levels); and
five indicator variables ``i_cig``, ``i_xm``, ``i_xr``, ``i_outlier``,
``i_irr`` stored as numbers with value labels ("Benchmark", "Extrapolated",
"Market-based", …).

Output (:data:`tradeimbalance.source_schemas.PWT`): ``iso3``, ``country``,
``currency_unit``, ``year``, then every numeric variable as float64 in file
order, then the indicator variables as their labels (str, NaN where missing).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ._tabular import (
    Table,
    check_balanced,
    check_columns,
    check_unique,
    frame_table,
    standardise_codes,
    text_column,
    to_float,
    to_year,
)

log = logging.getLogger(__name__)

#: Identifier variables (not numeric).
ID_VARIABLES: tuple[str, ...] = ("countrycode", "country", "currency_unit", "year")
#: Indicator variables, kept as their value labels.
FLAG_VARIABLES: tuple[str, ...] = ("i_cig", "i_xm", "i_xr", "i_outlier", "i_irr")
#: Variables the paper's controls may use; a file without any of them is rejected.
CONTROL_VARIABLES: tuple[str, ...] = (
    "rgdpna", "rgdpo", "cgdpo", "pop", "ck", "rnna", "cn", "ctfp", "rtfpna", "xr", "pl_con", "pl_gdpo",
)  # fmt: skip
REQUIRED_VARIABLES: tuple[str, ...] = ID_VARIABLES + CONTROL_VARIABLES
#: The tags enclosing a Stata 13+ (format 117–119) file.
STATA_OPEN_TAG = b"<stata_dta>"
STATA_CLOSE_TAG = b"</stata_dta>"


def read_pwt(path: str | Path) -> pd.DataFrame:
    """Read ``pwt91.dta`` into a country-year frame.

    Errors (:class:`InputError`, naming file and location): a missing, corrupt
    or truncated file, missing required variables (all listed), an unknown
    country code, a non-numeric value in a numeric variable, a duplicated
    country-year and a country lacking a year of the file's span.
    """
    path = Path(path)
    table = frame_table(path, _read_stata(path))
    check_columns(table, REQUIRED_VARIABLES, "variable")
    codes = standardise_codes(table, "countrycode", "country")
    years = to_year(table, "year")
    check_unique(table, pd.DataFrame({"iso3": codes["iso3"], "year": years}), "country-year")
    check_balanced(table, codes["iso3"], years)
    from ..source_schemas import PWT_NUMERIC

    others = [c for c in table.frame.columns if c not in ID_VARIABLES and c not in FLAG_VARIABLES]
    unknown = [c for c in others if c not in PWT_NUMERIC]
    if unknown:  # a newer release's variable the documented schema (source_schemas.PWT) does not describe
        log.warning("%s: variable(s) %s are not in the documented PWT schema (tradeimbalance.source_schemas.PWT_NUMERIC) and are left out", path.name, ", ".join(unknown))
    numeric = [c for c in others if c in PWT_NUMERIC]
    flags = [c for c in table.frame.columns if c in FLAG_VARIABLES]
    out = pd.concat(
        [
            pd.DataFrame(
                {
                    "iso3": codes["iso3"],
                    "country": text_column(table, "country"),
                    "currency_unit": text_column(table, "currency_unit"),
                    "year": years,
                }
            ),
            to_float(table, numeric),
            pd.DataFrame({c: _flag_labels(table, c) for c in flags}, index=table.frame.index),
        ],
        axis=1,
    )
    return out.reset_index(drop=True)


def _read_stata(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(path, "", "file not found")
    if path.stat().st_size == 0:
        raise InputError(path, "", "the file is empty (0 bytes): a download or copy was interrupted; get the file again")
    _check_complete(path)
    try:
        return pd.read_stata(path, convert_categoricals=True)
    except Exception as exc:  # pandas raises ValueError, struct.error, UnicodeDecodeError … on damaged files
        problem = f"not a readable Stata .dta file, it is corrupt or truncated ({type(exc).__name__}: {exc})"
        raise InputError(path, "", problem) from exc


def _check_complete(path: Path) -> None:
    """A .dta file of format 117 or later (Stata 13+) is enclosed in ``<stata_dta>`` … ``</stata_dta>``.

    pandas reads only the sections it needs, so a file cut short after the
    data (in the value labels) would otherwise go unnoticed.
    """
    with path.open("rb") as f:
        head = f.read(len(STATA_OPEN_TAG))
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - len(STATA_CLOSE_TAG)))
        tail = f.read()
    if head == STATA_OPEN_TAG and tail != STATA_CLOSE_TAG:
        raise InputError(path, "end of file", f"the file does not end with {STATA_CLOSE_TAG.decode()}: it is truncated")


def _flag_labels(table: Table, column: str) -> pd.Series:
    """An indicator variable as text: its value label, or the number itself when it has no label."""
    values = table.frame[column].astype(object)

    def label(value: object) -> object:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return values.map(label).astype("str")
