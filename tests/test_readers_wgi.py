"""Tests of the Worldwide Governance Indicators reader.

Synthetic workbooks are built with openpyxl in the layout of the 2023 update
(``Introduction`` sheet, six indicator sheets with title and legend rows, a row
of years, a row of sub-headers, one row per country; ``#N/A`` for missing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import assert_input_error, require_raw
from openpyxl import Workbook

from tradeimbalance.readers.wgi import FIELDS, INDICATOR_SHEETS, read_wgi
from tradeimbalance.source_schemas import WGI

YEARS = (1996, 1998, 2000, 2002)
#: (code in the file, name, expected iso3, expected kind)
ENTITIES: tuple[tuple[str, str, str, str], ...] = (
    ("ABW", "Aruba", "ABW", "country"),  # all #N/A
    ("ROM", "Romania", "ROU", "country"),
    ("DEU", "Germany", "DEU", "country"),
    ("KSV", "Kosovo", "XKX", "territory"),
    ("ANT", "Netherlands Antilles (former)", "ANT", "historic"),
)
SUBS = tuple(FIELDS)  # Estimate, StdErr, NumSrc, Rank, Lower, Upper
#: Rows above the row of years in the official layout (title, description, legend, disclaimer).
TOP_ROWS: list[list[object]] = [
    ["<title>"],
    ["<description>"],
    [],
    ["Legend"],
    ["Estimate", "Estimate of governance (ranges from approximately -2.5 (weak) to 2.5 (strong) governance performance)"],
    ["StdErr", "Standard error reflects variability around the point estimate of governance."],
    ["NumSrc", "Number of data sources on which estimate is based"],
    ["Rank", "Percentile rank among all countries (ranges from 0 (lowest) to 100 (highest) rank)"],
    ["Lower", "Lower bound of 90% confidence interval for governance, in percentile rank terms"],
    ["Upper", "Upper bound of 90% confidence interval for governance, in percentile rank terms"],
    [],
    ["The WGI are a product of the staff of The World Bank with external contributions."],
    [],
]
WIOD43: tuple[str, ...] = tuple(
    """AUS AUT BEL BGR BRA CAN CHE CHN CYP CZE DEU DNK ESP EST FIN FRA GBR GRC HRV HUN IDN IND
    IRL ITA JPN KOR LTU LUX LVA MEX MLT NLD NOR POL PRT ROU RUS SVK SVN SWE TUR TWN USA""".split()
)


def expected_value(indicator: int, entity: int, year: int, field: int) -> float | None:
    """The synthetic value; None (missing) for Aruba and for Germany's 2002 NumSrc."""
    if entity == 0 or (entity == 2 and year == 2002 and field == 2):
        return None
    return 10.0 * entity + indicator + field / 8.0 + (year - YEARS[0]) / 4.0


def sheet_rows(indicator: int, sheet: str) -> list[list[object]]:
    """The rows of one indicator sheet; RuleofLaw gets two more title rows (header found by content)."""
    top = [list(r) for r in TOP_ROWS]
    top[0] = [sheet]
    if sheet == "RuleofLaw":
        top = [["Worldwide Governance Indicators"], [], *top]
    corner = ["Basic", "Basic"] if sheet == "ControlofCorruption" else [None, None]
    years = [*corner, *(y for y in YEARS for _ in SUBS)]
    header = ["Country/Territory", "Code", *(s for _ in YEARS for s in SUBS)]
    body = []
    for e, (code, name, _, _) in enumerate(ENTITIES):
        cells = [expected_value(indicator, e, y, f) for y in YEARS for f in range(len(SUBS))]
        body.append([name, code, *("#N/A" if e == 0 else v for v in cells)])
    return [*top, years, header, *body]


def write_wgi(path: Path, tweak: Callable[[str, list[list[object]]], None] | None = None, sheets: Sequence[str] = tuple(INDICATOR_SHEETS)) -> Path:
    """Write a synthetic wgidataset.xlsx; ``tweak(sheet, rows)`` may edit a sheet's rows first."""
    wb = Workbook()
    intro = wb.active
    intro.title = "Introduction"
    intro["F2"] = "The Worldwide Governance Indicators, 2023 Update"
    for sheet in sheets:
        ind = list(INDICATOR_SHEETS).index(sheet) if sheet in INDICATOR_SHEETS else 0
        rows = sheet_rows(ind, sheet)
        if tweak is not None:
            tweak(sheet, rows)
        ws = wb.create_sheet(sheet)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def only_in(sheet: str, edit: Callable[[list[list[object]]], None]) -> Callable[[str, list[list[object]]], None]:
    def tweak(name: str, rows: list[list[object]]) -> None:
        if name == sheet:
            edit(rows)

    return tweak


# ------------------------------------------------------------------ synthetic: right output
def test_synthetic_wgi_layout(tmp_path: Path) -> None:
    out = read_wgi(write_wgi(tmp_path / "wgidataset.xlsx"))
    WGI.validate(out)
    assert list(out.columns) == ["iso3", "kind", "country", "indicator", "year", *FIELDS.values()]
    assert len(out) == 6 * len(ENTITIES) * len(YEARS)
    assert out["year"].dtype == np.int64
    assert sorted(out["year"].unique()) == list(YEARS)  # no 1997, 1999, 2001 made up
    n = 0
    for i, indicator in enumerate(INDICATOR_SHEETS.values()):
        for e, (_, name, iso3, kind) in enumerate(ENTITIES):
            for year in YEARS:
                row = out.iloc[n]
                assert (row["iso3"], row["kind"], row["country"], row["indicator"], row["year"]) == (iso3, kind, name, indicator, year)
                for f, column in enumerate(FIELDS.values()):
                    value = expected_value(i, e, year, f)
                    assert np.isnan(row[column]) if value is None else row[column] == value, (n, column)
                n += 1


def test_header_found_by_content(tmp_path: Path) -> None:
    """RuleofLaw has two more title rows; its header row is found all the same."""
    out = read_wgi(write_wgi(tmp_path / "wgidataset.xlsx"))
    rl = out[(out["indicator"] == "RL") & (out["iso3"] == "DEU") & (out["year"] == 2000)]
    assert rl["estimate"].tolist() == [expected_value(4, 2, 2000, 0)]


def test_trailing_blank_rows_and_columns_are_ignored(tmp_path: Path) -> None:
    def pad(rows: list[list[object]]) -> None:
        rows.extend([[], [None, None, None]])
        rows[-3] = [*rows[-3], None, None]

    out = read_wgi(write_wgi(tmp_path / "wgidataset.xlsx", only_in("GovernmentEffectiveness", pad)))
    assert (out["indicator"] == "GE").sum() == len(ENTITIES) * len(YEARS)


# ------------------------------------------------------------------ bad inputs
def test_missing_sheet_lists_sheets_found(tmp_path: Path) -> None:
    sheets = [s for s in INDICATOR_SHEETS if s != "RegulatoryQuality"]
    path = write_wgi(tmp_path / "wgi.xlsx", sheets=sheets)
    assert_input_error(
        lambda: read_wgi(path), path, "sheet 'RegulatoryQuality'", "not found", "'Introduction', 'VoiceandAccountability'", "'ControlofCorruption'"
    )


def test_wrong_header(tmp_path: Path) -> None:
    def rename(rows: list[list[object]]) -> None:
        rows[14][0] = "Country"

    path = write_wgi(tmp_path / "wgi.xlsx", only_in("RegulatoryQuality", rename))
    assert_input_error(lambda: read_wgi(path), path, "sheet 'RegulatoryQuality'", "no header row whose first cells are 'Country/Territory', 'Code'")


def test_wrong_sub_header(tmp_path: Path) -> None:
    def rename(rows: list[list[object]]) -> None:
        rows[14][8] = "Estimat"  # 1998 Estimate, column I

    path = write_wgi(tmp_path / "wgi.xlsx", only_in("RegulatoryQuality", rename))
    assert_input_error(lambda: read_wgi(path), path, "sheet 'RegulatoryQuality', cell I15", "unexpected sub-header 'Estimat'")


def test_wrong_year_cell(tmp_path: Path) -> None:
    def spoil(rows: list[list[object]]) -> None:
        rows[13][9] = "1998*"  # column J, row of years

    path = write_wgi(tmp_path / "wgi.xlsx", only_in("VoiceandAccountability", spoil))
    assert_input_error(lambda: read_wgi(path), path, "sheet 'VoiceandAccountability', cell J14", "'1998*' in the row of years is not a year")


def test_year_lacking_columns(tmp_path: Path) -> None:
    """A year whose Upper column is gone: its country-years would be incomplete."""

    def drop(rows: list[list[object]]) -> None:
        for r in rows[13:]:
            del r[19]  # 2000 Upper, column T

    path = write_wgi(tmp_path / "wgi.xlsx", only_in("ControlofCorruption", drop))
    assert_input_error(lambda: read_wgi(path), path, "sheet 'ControlofCorruption', row 15", "year 2000 lacks the column(s) Upper")


def test_duplicated_country(tmp_path: Path) -> None:
    def duplicate(rows: list[list[object]]) -> None:
        rows.append(list(rows[19]))  # DEU (row 20; two extra title rows in this sheet) again, row 23

    path = write_wgi(tmp_path / "wgi.xlsx", only_in("RuleofLaw", duplicate))
    assert_input_error(lambda: read_wgi(path), path, "sheet 'RuleofLaw', row 23", "duplicated country code DEU", "rows 20 and 23")


def test_legacy_and_standard_code_duplicate(tmp_path: Path) -> None:
    def add_rou(rows: list[list[object]]) -> None:
        rows.append(["Romania", "ROU", *rows[16][2:]])

    path = write_wgi(tmp_path / "wgi.xlsx", only_in("GovernmentEffectiveness", add_rou))
    assert_input_error(lambda: read_wgi(path), path, "sheet 'GovernmentEffectiveness', row 21", "duplicated country code ROU", "rows 17 and 21")


def test_unknown_country_code(tmp_path: Path) -> None:
    def unknown(rows: list[list[object]]) -> None:
        rows[18][0:2] = ["Gondor", "GDR"]

    path = write_wgi(tmp_path / "wgi.xlsx", only_in("RegulatoryQuality", unknown))
    assert_input_error(lambda: read_wgi(path), path, "sheet 'RegulatoryQuality', cell B19 (column 'Code')", "unknown country code 'GDR' (Gondor)", "countries.py")


def test_non_numeric_cell(tmp_path: Path) -> None:
    def spoil(rows: list[list[object]]) -> None:
        rows[17][22] = "n.a."  # DEU 2002 NumSrc, column W, row 18

    path = write_wgi(tmp_path / "wgi.xlsx", only_in("RegulatoryQuality", spoil))
    assert_input_error(
        lambda: read_wgi(path), path, "sheet 'RegulatoryQuality', cell W18 (column 'NumSrc 2002')", "'n.a.' is not a number"
    )


def test_value_without_header(tmp_path: Path) -> None:
    def stray(rows: list[list[object]]) -> None:
        rows[16].extend([None, 5.0])  # ROM, column AB (two right of the last header)

    path = write_wgi(tmp_path / "wgi.xlsx", only_in("Political StabilityNoViolence", stray))
    assert_input_error(lambda: read_wgi(path), path, "sheet 'Political StabilityNoViolence', cell AB17", "without year and sub-header")


def test_corrupt_truncated_and_missing_workbook(tmp_path: Path) -> None:
    good = write_wgi(tmp_path / "wgi.xlsx")
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 3])
    assert_input_error(lambda: read_wgi(truncated), truncated, "corrupt or truncated")
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(np.random.default_rng(0).bytes(8000))
    assert_input_error(lambda: read_wgi(corrupt), corrupt, "not a readable Excel workbook (.xlsx)")
    missing = tmp_path / "absent.xlsx"
    assert_input_error(lambda: read_wgi(missing), missing, "file not found")


# ------------------------------------------------------------------ real file
@pytest.fixture(scope="module")
def real_wgi() -> pd.DataFrame:
    (path,) = require_raw("wgi/wgidataset.xlsx")
    return read_wgi(path)


@pytest.mark.realdata
def test_real_wgi(real_wgi: pd.DataFrame) -> None:
    WGI.validate(real_wgi)
    assert real_wgi.shape == (6 * 214 * 24, 11)
    assert list(real_wgi["indicator"].unique()) == ["VA", "PV", "GE", "RQ", "RL", "CC"]
    years = sorted(real_wgi["year"].unique())
    assert years == [1996, 1998, 2000, *range(2002, 2023)]
    assert not {1997, 1999, 2001} & set(years)
    assert "ROM" not in set(real_wgi["iso3"])
    assert set(real_wgi.loc[real_wgi["iso3"] == "ROU", "country"]) == {"Romania"}
    assert set(real_wgi.loc[real_wgi["iso3"] == "TWN", "country"]) == {"Taiwan, China"}
    assert set(real_wgi.loc[real_wgi["iso3"] == "XKX", "kind"]) == {"territory"}


@pytest.mark.realdata
def test_real_wgi_values(real_wgi: pd.DataFrame) -> None:
    rq = real_wgi[(real_wgi["indicator"] == "RQ") & (real_wgi["iso3"] == "DEU")].set_index("year")["estimate"]
    assert round(rq[1996], 4) == 1.4815
    assert round(rq[2010], 4) == 1.5707
    aruba = real_wgi[(real_wgi["iso3"] == "ABW") & (real_wgi["indicator"] == "VA") & (real_wgi["year"] == 1996)]
    assert aruba[list(FIELDS.values())].isna().all().all()  # '#N/A' cells
    panel = real_wgi[(real_wgi["indicator"] == "RQ") & real_wgi["iso3"].isin(WIOD43) & real_wgi["year"].between(2000, 2014)]
    assert panel["iso3"].nunique() == 43
    assert len(panel) == 43 * 14  # 2000 and 2002-2014: no 2001
