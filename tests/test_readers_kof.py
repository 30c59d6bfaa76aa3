"""Tests of the KOF Globalisation Index reader and the coverage report.

Synthetic files are built here in the two official layouts (the 25-column 2018
CSV, the 30-column one-sheet workbooks) with values known by construction;
the real vintages are read once per module.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import assert_input_error, require_raw
from openpyxl import Workbook, load_workbook

from tradeimbalance.errors import InputError
from tradeimbalance.readers.kof import KOF_COLUMNS, PAPER_COLUMNS, kof_coverage, read_kof
from tradeimbalance.source_schemas import KOF_COVERAGE, KOF_PANEL

#: The 25 columns of the 2018 CSV, in its order (no combined Tr, Fi, Ip, In, Cu).
CSV_2018_COLUMNS: tuple[str, ...] = tuple(
    """code country year KOFGI KOFGIdf KOFGIdj KOFEcGI KOFEcGIdf KOFTrGIdf KOFFiGIdf KOFEcGIdj KOFTrGIdj
    KOFFiGIdj KOFSoGI KOFSoGIdf KOFIpGIdf KOFInGIdf KOFCuGIdf KOFSoGIdj KOFIpGIdj KOFInGIdj KOFCuGIdj
    KOFPoGI KOFPoGIdf KOFPoGIdj""".split()
)
XLSX_COLUMNS: tuple[str, ...] = ("code", "country", "year", *KOF_COLUMNS)
NOT_IN_2018 = ("KOFTrGI", "KOFFiGI", "KOFIpGI", "KOFInGI", "KOFCuGI")

#: Synthetic entities: (code in the file, name, expected iso3, expected kind).
ENTITIES: tuple[tuple[str, str, str, str], ...] = (
    ("WLD", "World", "WLD", "aggregate"),
    ("DEU", "Germany", "DEU", "country"),
    ("ROM", "Romania", "ROU", "country"),
    ("ADO", "Andorra", "AND", "country"),
)
YEARS = (2000, 2001, 2002)

WIOD43: tuple[str, ...] = tuple(
    """AUS AUT BEL BGR BRA CAN CHE CHN CYP CZE DEU DNK ESP EST FIN FRA GBR GRC HRV HUN IDN IND
    IRL ITA JPN KOR LTU LUX LVA MEX MLT NLD NOR POL PRT ROU RUS SVK SVN SWE TUR TWN USA""".split()
)
#: The eight real files and their vintage labels, with their number of rows.
REAL_VINTAGES: dict[str, tuple[str, int]] = {
    "kof/KOFGlobalization_Data_2018.csv": ("2018", 10166),
    "kof/KOF_Globalisation_Index_2018_2.xlsx": ("2018_2", 10105),
    "kof/KOFGI_2019_index.xlsx": ("2019", 10320),
    "kof/KOFGI_2020_public.xlsx": ("2020", 10535),
    "kof/KOFGI_2022_public.xlsx": ("2022", 10965),
    "kof/KOFGI_2023_public.xlsx": ("2023", 11180),
    "kof/KOFGI_2024_public.xlsx": ("2024", 11395),
    "kof/KOFGI_2025_public.xlsx": ("2025", 11610),
}


# ------------------------------------------------------------------ synthetic files
def expected_value(entity: int, year: int, column: str) -> float:
    """The value the synthetic files hold for an entity (position in ENTITIES), year and index column."""
    return 5.0 + 10.0 * entity + (year - 2000) + KOF_COLUMNS.index(column) / 8.0


def kof_rows(columns: Sequence[str], entities: Sequence[tuple[str, str, str, str]] = ENTITIES) -> list[list[object]]:
    """Data rows (code, country, year, indices …) in the order of ``columns``."""
    rows = []
    for e, (code, name, _, _) in enumerate(entities):
        for year in YEARS:
            rows.append([code, name, year, *(expected_value(e, year, c) for c in columns[3:])])
    return rows


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if v is None else repr(v) if isinstance(v, float) else v for v in r] for r in rows])
    return path


def write_xlsx(path: Path, columns: Sequence[str], rows: Sequence[Sequence[object]], sheet: str = "Sheet1", extra_sheets: Sequence[str] = ()) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(columns))
    for r in rows:
        ws.append(list(r))
    for name in extra_sheets:
        wb.create_sheet(name).append(["Notes", "Variable definitions"])
    wb.save(path)
    return path


def csv_2018(tmp_path: Path, rows: Sequence[Sequence[object]] | None = None) -> Path:
    return write_csv(tmp_path / "KOFGlobalization_Data_2018.csv", CSV_2018_COLUMNS, kof_rows(CSV_2018_COLUMNS) if rows is None else rows)


def xlsx_2019(tmp_path: Path, rows: Sequence[Sequence[object]] | None = None, **kwargs: object) -> Path:
    return write_xlsx(tmp_path / "KOFGI_2019_index.xlsx", XLSX_COLUMNS, kof_rows(XLSX_COLUMNS) if rows is None else rows, **kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------ synthetic: right output
def assert_panel_values(panel: pd.DataFrame, published: Sequence[str], vintage: str) -> None:
    assert list(panel.columns) == ["iso3", "kind", "country", "year", "vintage", *KOF_COLUMNS]
    assert len(panel) == len(ENTITIES) * len(YEARS)
    assert panel["year"].dtype == np.int64
    assert all(panel[c].dtype == np.float64 for c in KOF_COLUMNS)
    for i, row in enumerate(panel.itertuples(index=False)):
        e, year = divmod(i, len(YEARS))
        code, name, iso3, kind = ENTITIES[e]
        assert (row.iso3, row.kind, row.country, row.year, row.vintage) == (iso3, kind, name, YEARS[year], vintage)
        for column in KOF_COLUMNS:
            value = getattr(row, column)
            if column in published:
                assert value == expected_value(e, YEARS[year], column)
            else:
                assert np.isnan(value)
    KOF_PANEL.validate(panel)


def test_csv_2018_layout(tmp_path: Path) -> None:
    panel = read_kof(csv_2018(tmp_path), "2018", PAPER_COLUMNS)
    assert_panel_values(panel, CSV_2018_COLUMNS[3:], "2018")
    assert panel[list(NOT_IN_2018)].isna().all().all()
    assert "ROM" not in set(panel["iso3"]) and (panel["iso3"] == "ROU").sum() == len(YEARS)


@pytest.mark.parametrize("sheet", ["KOFGI_2019_data", "Sheet1"])
def test_xlsx_layout_any_single_sheet_name(tmp_path: Path, sheet: str) -> None:
    panel = read_kof(xlsx_2019(tmp_path, sheet=sheet), "2019", PAPER_COLUMNS)
    assert_panel_values(panel, KOF_COLUMNS, "2019")


def test_xlsx_data_sheet_recognised_among_others(tmp_path: Path) -> None:
    path = xlsx_2019(tmp_path, sheet="data", extra_sheets=["Notes", "Sources"])
    assert_panel_values(read_kof(path, "2020", PAPER_COLUMNS), KOF_COLUMNS, "2020")


def test_empty_values_are_missing_and_rows_kept(tmp_path: Path) -> None:
    """Taiwan in the 2018 CSV: rows with every value empty are kept, as NaN."""
    rows = kof_rows(CSV_2018_COLUMNS) + [["TWN", "Taiwan", y, *([None] * 22)] for y in YEARS]
    panel = read_kof(csv_2018(tmp_path, rows), "2018", PAPER_COLUMNS)
    twn = panel[panel["iso3"] == "TWN"]
    assert list(twn["year"]) == list(YEARS)
    assert twn[list(KOF_COLUMNS)].isna().all().all()


def test_values_just_above_100_are_accepted(tmp_path: Path) -> None:
    """The real files reach 100.00002 by float rounding."""
    rows = kof_rows(XLSX_COLUMNS)
    rows[0][3] = 100.00002
    panel = read_kof(xlsx_2019(tmp_path, rows), "2019", PAPER_COLUMNS)
    assert panel.loc[0, "KOFGI"] == 100.00002


def test_coverage_statuses(tmp_path: Path) -> None:
    rows = kof_rows(CSV_2018_COLUMNS)
    dj = CSV_2018_COLUMNS.index("KOFPoGIdj")
    rows[4][dj] = None  # DEU 2001 lacks KOFPoGIdj: DEU is partial
    rows += [["TWN", "Taiwan", y, *([None] * 22)] for y in YEARS]  # rows, all empty: absent
    panel = pd.concat(
        [read_kof(csv_2018(tmp_path, rows), "2018", PAPER_COLUMNS), read_kof(xlsx_2019(tmp_path), "2019", PAPER_COLUMNS)],
        ignore_index=True,
    )
    cov = kof_coverage(panel, ["DEU", "ROU", "TWN", "USA"], 2000, 2002, PAPER_COLUMNS)
    KOF_COVERAGE.validate(cov)
    expected = [
        ("2018", "DEU", 3, 2, "2001", "partial"),
        ("2018", "ROU", 3, 3, "", "complete"),
        ("2018", "TWN", 3, 0, "2000-2002", "absent"),
        ("2018", "USA", 3, 0, "2000-2002", "absent"),
        ("2019", "DEU", 3, 3, "", "complete"),
        ("2019", "ROU", 3, 3, "", "complete"),
        ("2019", "TWN", 3, 0, "2000-2002", "absent"),
        ("2019", "USA", 3, 0, "2000-2002", "absent"),
    ]
    assert list(cov.itertuples(index=False, name=None)) == expected
    # a span beyond the file's years counts the absent years as missing
    wider = kof_coverage(panel, ["ROU"], 1999, 2003, ["KOFGIdj"])
    assert list(wider["missing_years"]) == ["1999, 2003", "1999, 2003"]
    assert list(wider["status"]) == ["partial", "partial"]


# ------------------------------------------------------------------ bad inputs
def test_truncated_csv(tmp_path: Path) -> None:
    path = csv_2018(tmp_path)
    text = path.read_text()
    path.write_text(text[: len(text) - 40])  # cut inside the last line
    n_lines = 1 + len(ENTITIES) * len(YEARS)
    assert_input_error(lambda: read_kof(path, "2018", PAPER_COLUMNS), path, f"line {n_lines}", "fewer", "truncated")


def test_corrupt_and_truncated_xlsx(tmp_path: Path) -> None:
    good = xlsx_2019(tmp_path)
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert_input_error(lambda: read_kof(truncated, "2019", PAPER_COLUMNS), truncated, "corrupt or truncated")
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(np.random.default_rng(0).bytes(5000))
    assert_input_error(lambda: read_kof(corrupt, "2019", PAPER_COLUMNS), corrupt, "corrupt or truncated")
    garbage_csv = tmp_path / "corrupt.csv"
    garbage_csv.write_bytes(np.random.default_rng(1).bytes(5000))
    assert_input_error(lambda: read_kof(garbage_csv, "2018", PAPER_COLUMNS), garbage_csv, "line ", "not UTF-8")


def test_missing_file_and_unsupported_type(tmp_path: Path) -> None:
    missing = tmp_path / "absent.xlsx"
    assert_input_error(lambda: read_kof(missing, "2019", PAPER_COLUMNS), missing, "file not found")
    other = tmp_path / "kof.txt"
    other.write_text("code,year\n")
    assert_input_error(lambda: read_kof(other, "2019", PAPER_COLUMNS), other, "unsupported file type")


def test_several_sheets_none_recognisable(tmp_path: Path) -> None:
    rows = kof_rows(XLSX_COLUMNS)
    path = write_xlsx(tmp_path / "kof.xlsx", ["iso", "name", "yr", *KOF_COLUMNS], rows, sheet="Data", extra_sheets=["Notes"])
    assert_input_error(lambda: read_kof(path, "2019", PAPER_COLUMNS), path, "2 sheets", "'Data', 'Notes'", "none has")


def test_several_data_sheets(tmp_path: Path) -> None:
    path = xlsx_2019(tmp_path, sheet="2019")
    wb = load_workbook(path)
    wb.copy_worksheet(wb["2019"]).title = "2019 (copy)"
    wb.save(path)
    assert_input_error(lambda: read_kof(path, "2019", PAPER_COLUMNS), path, "'2019', '2019 (copy)'", "2 have a header with 'code' and 'year'")


def test_repeated_column_and_empty_table(tmp_path: Path) -> None:
    columns = [*XLSX_COLUMNS[:-1], "KOFGI"]
    path = write_xlsx(tmp_path / "kof.xlsx", columns, kof_rows(XLSX_COLUMNS))
    assert_input_error(lambda: read_kof(path, "2019", PAPER_COLUMNS), path, "row 1 (header)", "KOFGI appear more than once")
    path = csv_2018(tmp_path, rows=[])
    assert_input_error(lambda: read_kof(path, "2018", PAPER_COLUMNS), path, "line 1 (header)", "no data rows")


def test_missing_code_or_year_header(tmp_path: Path) -> None:
    for missing in ("code", "year"):
        columns = [c if c != missing else "Code_" for c in XLSX_COLUMNS]
        path = write_xlsx(tmp_path / f"no_{missing}.xlsx", columns, kof_rows(XLSX_COLUMNS))
        assert_input_error(lambda: read_kof(path, "2019", PAPER_COLUMNS), path, "sheet 'Sheet1', row 1 (header)", f"missing column(s) {missing}")


def test_unexpected_column(tmp_path: Path) -> None:
    columns = [*XLSX_COLUMNS[:-1], "KOFPoGIxx"]
    path = write_xlsx(tmp_path / "kof.xlsx", columns, kof_rows(XLSX_COLUMNS))
    assert_input_error(lambda: read_kof(path, "2019", PAPER_COLUMNS), path, "row 1 (header)", "KOFPoGIxx are not KOF index columns")


def test_vintage_missing_required_column(tmp_path: Path) -> None:
    path = csv_2018(tmp_path)
    assert_input_error(
        lambda: read_kof(path, "2018", [*PAPER_COLUMNS, "KOFTrGI", "KOFFiGI"]),
        path,
        "line 1 (header)",
        "KOF vintage 2018 lacks the required column(s) KOFTrGI, KOFFiGI",
    )
    with pytest.raises(ValueError, match="not KOF index columns"):
        read_kof(path, "2018", ["KOFGIxyz"])


def test_duplicated_country_year(tmp_path: Path) -> None:
    rows = kof_rows(CSV_2018_COLUMNS)
    rows[7] = list(rows[6])  # ROM 2000 twice (lines 8 and 9), ROM 2001 gone
    path = csv_2018(tmp_path, rows)
    assert_input_error(lambda: read_kof(path, "2018", PAPER_COLUMNS), path, "line 9", "duplicated country-year ROU 2000", "lines 8 and 9")


def test_legacy_and_standard_code_duplicate(tmp_path: Path) -> None:
    """ROM and ROU rows for the same year are one country twice after recoding."""
    rows = kof_rows(XLSX_COLUMNS) + [["ROU", "Romania", 2000, *([50.0] * 27)]]
    path = xlsx_2019(tmp_path, rows)
    assert_input_error(lambda: read_kof(path, "2019", PAPER_COLUMNS), path, "sheet 'Sheet1', row 14", "ROU 2000", "rows 8 and 14")


def test_missing_country_year(tmp_path: Path) -> None:
    rows = kof_rows(XLSX_COLUMNS)
    del rows[4]  # DEU 2001
    path = xlsx_2019(tmp_path, rows)
    assert_input_error(
        lambda: read_kof(path, "2019", PAPER_COLUMNS), path, "sheet 'Sheet1', rows 5-6", "unbalanced panel: country DEU has no row for 2001"
    )


def test_non_numeric_cell(tmp_path: Path) -> None:
    rows = kof_rows(XLSX_COLUMNS)
    rows[2][5] = "n.a."  # WLD 2002, KOFGIdj: row 4, column F
    path = xlsx_2019(tmp_path, rows)
    assert_input_error(lambda: read_kof(path, "2019", PAPER_COLUMNS), path, "sheet 'Sheet1', cell F4 (column 'KOFGIdj')", "'n.a.' is not a number")
    rows = kof_rows(CSV_2018_COLUMNS)
    rows[1][3] = "12,5"
    path = csv_2018(tmp_path, rows)
    assert_input_error(lambda: read_kof(path, "2018", PAPER_COLUMNS), path, "line 3, column 'KOFGI'", "'12,5' is not a number")


def test_bad_year(tmp_path: Path) -> None:
    rows = kof_rows(XLSX_COLUMNS)
    rows[3][2] = "2000a"
    path = xlsx_2019(tmp_path, rows)
    assert_input_error(lambda: read_kof(path, "2019", PAPER_COLUMNS), path, "cell C5 (column 'year')", "'2000a' is not a number")


def test_value_outside_scale(tmp_path: Path) -> None:
    rows = kof_rows(XLSX_COLUMNS)
    rows[10][29] = 101.5  # ADO 2001, KOFPoGIdj: row 12, column AD
    path = xlsx_2019(tmp_path, rows)
    assert_input_error(lambda: read_kof(path, "2019", PAPER_COLUMNS), path, "cell AD12 (column 'KOFPoGIdj')", "outside KOF's 0-100 scale")


def test_unknown_country_code(tmp_path: Path) -> None:
    rows = kof_rows(CSV_2018_COLUMNS)
    for r in rows[9:]:
        r[0:2] = ["XYZ", "Atlantis"]
    path = csv_2018(tmp_path, rows)
    assert_input_error(
        lambda: read_kof(path, "2018", PAPER_COLUMNS), path, "line 11, column 'code'", "unknown country code 'XYZ' (Atlantis)", "countries.py"
    )


# ------------------------------------------------------------------ real files
@pytest.fixture(scope="module")
def real_panels() -> dict[str, pd.DataFrame]:
    paths = require_raw(*REAL_VINTAGES)
    return {REAL_VINTAGES[rel][0]: read_kof(path, REAL_VINTAGES[rel][0], PAPER_COLUMNS) for rel, path in zip(REAL_VINTAGES, paths)}


@pytest.mark.realdata
def test_real_vintages_read(real_panels: dict[str, pd.DataFrame]) -> None:
    for vintage, n_rows in REAL_VINTAGES.values():
        panel = real_panels[vintage]
        KOF_PANEL.validate(panel)
        assert panel.shape == (n_rows, 32)
        assert set(panel["vintage"]) == {vintage}
        assert "ROM" not in set(panel["iso3"])
        romania = panel[panel["iso3"] == "ROU"]
        assert set(romania["country"]) == {"Romania"} and len(romania) == panel["year"].nunique()
        assert set(panel.loc[panel["iso3"] == "WLD", "kind"]) == {"aggregate"}
        assert panel["year"].min() == 1970
    assert real_panels["2018"][list(NOT_IN_2018)].isna().all().all()
    assert real_panels["2019"][list(NOT_IN_2018)].notna().any().all()
    assert [real_panels[v]["year"].max() for v in ("2018", "2018_2", "2019", "2025")] == [2015, 2016, 2017, 2023]


@pytest.mark.realdata
def test_real_taiwan_rows(real_panels: dict[str, pd.DataFrame]) -> None:
    twn = real_panels["2018"][real_panels["2018"]["iso3"] == "TWN"]
    assert len(twn) == 46 and twn[list(KOF_COLUMNS)].isna().all().all()
    for vintage in ("2018_2", "2019", "2020", "2022", "2023", "2024", "2025"):
        assert "TWN" not in set(real_panels[vintage]["iso3"])


@pytest.mark.realdata
def test_real_coverage_of_wiod_countries(real_panels: dict[str, pd.DataFrame]) -> None:
    panel = pd.concat(real_panels.values(), ignore_index=True)
    cov = kof_coverage(panel, WIOD43, 2000, 2014, PAPER_COLUMNS)
    KOF_COVERAGE.validate(cov)
    assert len(cov) == 8 * 43
    twn = cov[cov["iso3"] == "TWN"]
    assert list(twn["status"]) == ["absent"] * 8 and set(twn["missing_years"]) == {"2000-2014"}
    rest = cov[cov["iso3"] != "TWN"]
    assert (rest["status"] == "complete").all() and (rest["n_years_complete"] == 15).all() and (rest["missing_years"] == "").all()


@pytest.mark.realdata
def test_real_2019_values(real_panels: dict[str, pd.DataFrame]) -> None:
    """KOFTrGI and KOFFiGI of 2019 are published (SOURCES.md cross-check), on the 1–100 scale."""
    panel = real_panels["2019"]
    deu = panel[(panel["iso3"] == "DEU") & panel["year"].between(2000, 2014)]
    assert len(deu) == 15
    assert deu[["KOFTrGI", "KOFFiGI", *PAPER_COLUMNS]].notna().all().all()
    values = panel[list(KOF_COLUMNS)].to_numpy()
    values = values[~np.isnan(values)]
    assert len(values) > 200_000 and values.min() >= 1.0 and values.max() <= 100.001


def test_number_columns_are_read_at_once_with_the_cellwise_verdicts() -> None:
    """A column of numbers and empty cells skips the cell-by-cell look (2.7 million cells in a KOF sheet): the empty cells
    and the floats are those the cell-by-cell functions give, on columns of every kind."""
    import datetime

    from tradeimbalance.readers import _tabular as tab

    frame = pd.DataFrame(
        {
            0: [1.0, None, 3, np.nan, 5.5, None],  # numbers and empty cells
            1: [" ", "2.5", None, "..", "", "7"],  # text, blanks and a missing marker
            2: [True, 1.0, None, 2.0, None, 3.0],  # a boolean: not a number
            3: [datetime.datetime(2020, 1, 1), None, 1.0, 2.0, 3.0, 4.0],  # a date
            4: [None] * 6,  # empty
            5: [1, 2, 3, 4, 5, 6],  # integers
        },
        dtype=object,
    )
    want = tab._cellwise(frame, tab._is_empty, bool)
    pd.testing.assert_frame_equal(tab._empty_cells(frame), want)
    table = tab.Table(Path("t.xlsx"), frame.set_axis(range(2, 8), axis=0), "row", 1, "S", names={i: str(i) for i in frame.columns})
    got = tab.to_float(table, [0, 4, 5])
    cells = tab._cellwise(frame[[0, 4, 5]], lambda v: tab._normalise(v, tab.MISSING_MARKERS)).set_axis(range(2, 8), axis=0)
    pd.testing.assert_frame_equal(got, cells.apply(lambda s: pd.to_numeric(s, errors="coerce")).astype("float64"))
    for column in (1, 2, 3):  # text with blanks, a boolean, a date
        only = tab.Table(Path("t.xlsx"), frame[[column]].set_axis(range(2, 8), axis=0), "row", 1, "S", names={column: str(column)})
        if column == 1:
            values = tab.to_float(only, [column])[column]  # blanks and markers are missing, the text numbers parse
            assert values.isna().tolist() == [True, False, True, True, True, False] and values[3] == 2.5
        else:
            with pytest.raises(InputError, match="is not a number"):
                tab.to_float(only, [column])
