"""Tests of the World Development Indicators reader.

Synthetic files are written as text in the World Bank API CSV layout (CRLF
line ends, quoted indicator name, trailing comma), with and without the four
metadata lines of the official zip's copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import assert_input_error, require_raw

from tradeimbalance.readers.wdi import read_wdi
from tradeimbalance.source_schemas import WDI

INDICATOR = "FP.CPI.TOTL.ZG"
INDICATOR_NAME = "Inflation, consumer prices (annual %)"
YEARS = tuple(range(1960, 2025))
#: (name, code, expected kind)
ENTITIES: tuple[tuple[str, str, str], ...] = (
    ("Aruba", "ABW", "country"),
    ("Germany", "DEU", "country"),
    ("Turkiye", "TUR", "country"),
    ("World", "WLD", "aggregate"),
    ("Kosovo", "XKX", "territory"),
    ("Channel Islands", "CHI", "territory"),
)
ZIP_METADATA = '"Data Source","World Development Indicators",\r\n\r\n"Last Updated Date","2025-07-01",\r\n\r\n'

WIOD43: tuple[str, ...] = tuple(
    """AUS AUT BEL BGR BRA CAN CHE CHN CYP CZE DEU DNK ESP EST FIN FRA GBR GRC HRV HUN IDN IND
    IRL ITA JPN KOR LTU LUX LVA MEX MLT NLD NOR POL PRT ROU RUS SVK SVN SWE TUR TWN USA""".split()
)


def expected_value(entity: int, year: int) -> float | None:
    """The synthetic value; missing before 1990 and for Aruba in 2001."""
    if year < 1990 or (entity == 0 and year == 2001):
        return None
    return 10.0 * entity + (year - 1990) / 4.0 - 1.5


def wdi_lines(entities: Sequence[tuple[str, str, str]] = ENTITIES) -> list[str]:
    """Header and data lines (without line ends) of the API CSV layout."""
    header = ",".join(["Country Name", "Country Code", "Indicator Name", "Indicator Code", *map(str, YEARS)]) + ","
    lines = [header]
    for e, (name, code, _) in enumerate(entities):
        values = ["" if (v := expected_value(e, y)) is None else repr(v) for y in YEARS]
        lines.append(",".join([name, code, f'"{INDICATOR_NAME}"', INDICATOR, *values]) + ",")
    return lines


def write_wdi(path: Path, lines: Sequence[str] | None = None, metadata: bool = False) -> Path:
    text = "\r\n".join(wdi_lines() if lines is None else lines) + "\r\n"
    path.write_bytes(((ZIP_METADATA if metadata else "") + text).encode())
    return path


def replace_line(n: int, old: str, new: str) -> list[str]:
    """The synthetic lines with ``old`` replaced by ``new`` in line ``n`` (1-based, header = 1)."""
    lines = wdi_lines()
    assert old in lines[n - 1]
    lines[n - 1] = lines[n - 1].replace(old, new, 1)
    return lines


# ------------------------------------------------------------------ synthetic: right output
@pytest.mark.parametrize("metadata", [False, True], ids=["plain", "zip_with_metadata_lines"])
def test_synthetic_api_layout(tmp_path: Path, metadata: bool) -> None:
    out = read_wdi(write_wdi(tmp_path / "API_FP.CPI.TOTL.ZG.csv", metadata=metadata), INDICATOR)
    WDI.validate(out)
    assert list(out.columns) == ["iso3", "kind", "country", "year", "value", "indicator"]
    assert len(out) == len(ENTITIES) * len(YEARS)
    assert out["year"].dtype == np.int64 and out["value"].dtype == np.float64
    n = 0
    for e, (name, code, kind) in enumerate(ENTITIES):
        for year in YEARS:
            row = out.iloc[n]
            assert (row["iso3"], row["kind"], row["country"], row["year"], row["indicator"]) == (code, kind, name, year, INDICATOR)
            value = expected_value(e, year)
            assert np.isnan(row["value"]) if value is None else row["value"] == value, (n, row)
            n += 1


def test_both_variants_read_alike(tmp_path: Path) -> None:
    plain = read_wdi(write_wdi(tmp_path / "plain.csv"), INDICATOR)
    zipped = read_wdi(write_wdi(tmp_path / "zip.csv", metadata=True), INDICATOR)
    pd.testing.assert_frame_equal(plain, zipped)


def test_dots_are_missing(tmp_path: Path) -> None:
    lines = wdi_lines()
    fields = lines[2].split(",")
    fields[4 + 1 + YEARS.index(1960)] = ".."  # Germany 1960 (+1: the quoted name holds a comma)
    lines[2] = ",".join(fields)
    out = read_wdi(write_wdi(tmp_path / "wdi.csv", lines), INDICATOR)
    assert len(out) == len(ENTITIES) * len(YEARS)
    assert np.isnan(out[(out["iso3"] == "DEU") & (out["year"] == 1960)]["value"]).all()


# ------------------------------------------------------------------ bad inputs
def test_truncated_file(tmp_path: Path) -> None:
    path = write_wdi(tmp_path / "wdi.csv")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 60])  # the last line loses its last fields
    assert_input_error(lambda: read_wdi(path, INDICATOR), path, f"line {len(ENTITIES) + 1}", "fewer than the 70 of the header on line 1", "truncated")
    path = write_wdi(tmp_path / "wdi_zip.csv", metadata=True)
    data = path.read_bytes()
    cut = data.rindex(b'"Inflation, cons') + len(b'"Inflation, cons')
    path.write_bytes(data[:cut])  # ends inside the quoted indicator name
    assert_input_error(lambda: read_wdi(path, INDICATOR), path, f"line {4 + len(ENTITIES) + 1}", "malformed CSV", "truncated")


def test_line_with_more_fields(tmp_path: Path) -> None:
    path = write_wdi(tmp_path / "wdi.csv", replace_line(4, "Turkiye", "Turkiye,extra"))
    assert_input_error(lambda: read_wdi(path, INDICATOR), path, "line 4", "71 fields, more than the 70")


def test_corrupt_and_missing_file(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.csv"
    corrupt.write_bytes(np.random.default_rng(0).bytes(4000))
    assert_input_error(lambda: read_wdi(corrupt, INDICATOR), corrupt, "line ", "not UTF-8")
    missing = tmp_path / "absent.csv"
    assert_input_error(lambda: read_wdi(missing, INDICATOR), missing, "file not found")


def test_wrong_header(tmp_path: Path) -> None:
    path = write_wdi(tmp_path / "wdi.csv", replace_line(1, "Indicator Name", "Indicator"), metadata=True)
    assert_input_error(lambda: read_wdi(path, INDICATOR), path, "line 5 (header)", "should start with Country Name, Country Code, Indicator Name")
    path = write_wdi(tmp_path / "wdi2.csv", replace_line(1, ",2001,", ",2001a,"))
    assert_input_error(lambda: read_wdi(path, INDICATOR), path, "line 1 (header)", "years only; found 2001a")
    path = write_wdi(tmp_path / "wdi3.csv", replace_line(1, "Country Name", "Economy"))
    assert_input_error(lambda: read_wdi(path, INDICATOR), path, "no header line starting with 'Country Name'")


def test_other_indicator(tmp_path: Path) -> None:
    path = write_wdi(tmp_path / "wdi.csv", replace_line(5, INDICATOR, "NY.GDP.MKTP.CD"), metadata=True)
    assert_input_error(
        lambda: read_wdi(path, INDICATOR), path, "line 9, column 'Indicator Code'", "indicator 'NY.GDP.MKTP.CD', expected 'FP.CPI.TOTL.ZG'"
    )


def test_duplicated_country(tmp_path: Path) -> None:
    lines = wdi_lines()
    lines.append(lines[2])  # Germany again, line 8
    path = write_wdi(tmp_path / "wdi.csv", lines)
    assert_input_error(lambda: read_wdi(path, INDICATOR), path, "line 8", "duplicated country code DEU", "lines 3 and 8")


def test_unknown_country_code(tmp_path: Path) -> None:
    path = write_wdi(tmp_path / "wdi.csv", replace_line(6, "Kosovo,XKX", "Kosovo,KSX"))
    assert_input_error(lambda: read_wdi(path, INDICATOR), path, "line 6, column 'Country Code'", "unknown country code 'KSX' (Kosovo)", "countries.py")


def test_non_numeric_value(tmp_path: Path) -> None:
    lines = wdi_lines()
    fields = lines[3].split(",")
    fields[4 + 1 + YEARS.index(2005)] = "n/a"  # +1: the quoted name holds a comma
    lines[3] = ",".join(fields)
    path = write_wdi(tmp_path / "wdi.csv", lines)
    assert_input_error(lambda: read_wdi(path, INDICATOR), path, "line 4, column '2005'", "'n/a' is not a number")


def test_value_in_unnamed_trailing_column(tmp_path: Path) -> None:
    lines = wdi_lines()
    lines[2] = lines[2] + "3.5"
    path = write_wdi(tmp_path / "wdi.csv", lines)
    assert_input_error(lambda: read_wdi(path, INDICATOR), path, "line 3, column 'unnamed column 70'", "a column whose header cell is empty")


# ------------------------------------------------------------------ real file
@pytest.fixture(scope="module")
def real_wdi() -> pd.DataFrame:
    (path,) = require_raw("wdi/FP.CPI.TOTL.ZG.csv")
    return read_wdi(path, INDICATOR)


@pytest.mark.realdata
def test_real_wdi(real_wdi: pd.DataFrame) -> None:
    WDI.validate(real_wdi)
    assert real_wdi.shape == (266 * 65, 6)
    assert (real_wdi["year"].min(), real_wdi["year"].max()) == (1960, 2024)
    assert set(real_wdi["indicator"]) == {INDICATOR}
    kinds = real_wdi.drop_duplicates("iso3")["kind"].value_counts().to_dict()
    assert kinds == {"country": 215, "aggregate": 49, "territory": 2}
    assert set(real_wdi.loc[real_wdi["iso3"] == "WLD", "kind"]) == {"aggregate"}
    assert "TWN" not in set(real_wdi["iso3"])


@pytest.mark.realdata
def test_real_wdi_values(real_wdi: pd.DataFrame) -> None:
    tur = real_wdi[(real_wdi["iso3"] == "TUR") & (real_wdi["year"] == 2001)]["value"]
    assert round(float(tur.iloc[0]), 2) == 54.40
    window = real_wdi[real_wdi["iso3"].isin(WIOD43) & real_wdi["year"].between(2000, 2014)]
    assert window["iso3"].nunique() == 42
    assert len(window) == 42 * 15 and window["value"].notna().all()
