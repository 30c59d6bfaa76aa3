"""Reader for one World Development Indicators series in the World Bank API CSV layout.

Layout read (``API_<indicator>_DS2_en_csv_v2_*.csv`` in the official zip, or the
same table saved alone, e.g. ``FP.CPI.TOTL.ZG.csv``): the header line
``Country Name,Country Code,Indicator Name,Indicator Code,1960,…,2024,`` (the
trailing comma makes an unnamed empty last column), then one line per economy
or aggregate (266 in the inflation series), values empty where missing. The
zip's copy has four metadata lines (``"Data Source",…``, ``"Last Updated
Date",…``) above the header; the header is found as the line whose first field
is ``Country Name``, so both variants read alike. Codes are ISO 3166-1 alpha-3
plus the World Bank's territories (``XKX``, ``CHI``) and aggregates (``WLD``,
``EUU`` …), flagged by ``kind``.

Output (:data:`tradeimbalance.source_schemas.WDI`): one row per economy and
year column: ``iso3``, ``kind``, ``country``, ``year``, ``value`` (float64, NaN
where missing) and ``indicator``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._tabular import check_unique, read_csv_table, standardise_codes, text_column, to_float

#: The label columns that open the header, in order.
ID_COLUMNS: tuple[str, ...] = ("Country Name", "Country Code", "Indicator Name", "Indicator Code")


def read_wdi(path: str | Path, indicator: str) -> pd.DataFrame:
    """Read one WDI indicator file into a long country-year frame.

    Errors (:class:`InputError`, naming file and line): a missing or non-UTF-8
    file, no ``Country Name`` header line, a header not starting with
    :data:`ID_COLUMNS` or with a column that is not a year, a line with fewer
    or more fields than the header (a truncated file), a line of another
    indicator than ``indicator``, an unknown or duplicated country code and a
    non-numeric value.
    """
    path = Path(path)
    table = read_csv_table(path, header_starts_with=ID_COLUMNS[0])
    columns = list(table.frame.columns)
    if tuple(columns[: len(ID_COLUMNS)]) != ID_COLUMNS:
        raise table.error(table.header(), f"the header should start with {', '.join(ID_COLUMNS)}; found {', '.join(columns[:4])}")
    year_columns = columns[len(ID_COLUMNS) :]
    not_years = [c for c in year_columns if not (c.isdigit() and len(c) == 4)]
    if not_years or not year_columns:
        problem = f"after {ID_COLUMNS[-1]} the header should hold years only; found {', '.join(not_years) or 'none'}"
        raise table.error(table.header(), problem)
    codes_in_file = text_column(table, "Indicator Code")
    other = codes_in_file != indicator
    if other.any():
        line = int(other.idxmax())
        raise table.error(table.cell(line, "Indicator Code"), f"indicator {codes_in_file[line]!r}, expected {indicator!r}")
    codes = standardise_codes(table, "Country Code", "Country Name")
    check_unique(table, codes[["iso3"]], "country code")
    ident = pd.DataFrame({"iso3": codes["iso3"], "kind": codes["kind"], "country": text_column(table, "Country Name")})
    values = to_float(table, year_columns).set_axis([int(c) for c in year_columns], axis=1)
    long = values.rename_axis(index="line", columns="year").reset_index()
    long = long.melt(id_vars="line", var_name="year", value_name="value").sort_values(["line", "year"], kind="stable")
    out = ident.join(long.set_index("line")).reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    out["indicator"] = pd.Series(indicator, index=out.index, dtype="str")
    return out[["iso3", "kind", "country", "year", "value", "indicator"]]
