"""WIOD readers: synthetic tables in the official layouts (built in code), the real WIOD 2013 files, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import require_raw, wiod2016_raw_file

from synthetic import (
    WIOD2016_REGIONS,
    WIOD2016_SECTORS,
    random_world,
    wiod2016_frame,
    write_wiod2013_rdata,
    write_wiod2016_excel,
    write_wiod2016_rdata,
)
from tradeimbalance.errors import InputError
from tradeimbalance.io.iotable import IOTable
from tradeimbalance.readers.wiod2013 import read_wiod2013
from tradeimbalance.readers.wiod2016 import PRIMARY_INPUT_ROWS, read_wiod2016

SMALL_REGIONS = ("AUS", "CHN", "ROW")
SMALL_SECTORS = ("A01", "C10-C12", "M69_M70", "U")


def assert_same_table(got: IOTable, want: IOTable, rtol: float = 0.0) -> None:
    assert got.countries == want.countries
    assert got.sectors == want.sectors
    assert got.year == want.year
    np.testing.assert_allclose(got.Z, want.Z, rtol=rtol)
    np.testing.assert_allclose(got.F, want.F, rtol=rtol)
    np.testing.assert_allclose(got.x, want.x, rtol=rtol)


# ------------------------------------------------------------------ WIOD 2016
@pytest.fixture(scope="module")
def small2016() -> IOTable:
    return random_world(SMALL_REGIONS, SMALL_SECTORS, year=2014, seed=11, zero_output=(3,))


def test_wiod2016_excel_layout_round_trip(tmp_path: Path, small2016: IOTable) -> None:
    path = write_wiod2016_excel(small2016, tmp_path / "WIOT2014_Nov16_ROW.xlsx")
    got = read_wiod2016(path)
    assert got.release == "wiod2016"
    # openpyxl writes floats as decimal text: equal to the last bit or one ulp away.
    assert_same_table(got, small2016, rtol=1e-15)
    for name in PRIMARY_INPUT_ROWS:
        np.testing.assert_allclose(got.primary_inputs[name], small2016.primary_inputs[name], rtol=1e-15)
    assert got.source_sha256 and len(got.source_sha256) == 64


def test_wiod2016_excel_tolerates_other_title_rows(tmp_path: Path, small2016: IOTable) -> None:
    path = write_wiod2016_excel(small2016, tmp_path / "WIOT2014_Nov16_ROW.xlsx", title_rows=4)
    assert_same_table(read_wiod2016(path), small2016, rtol=1e-15)


def test_wiod2016_excel_with_numeric_numbers_and_other_label_order(tmp_path: Path, small2016: IOTable) -> None:
    """Row/column numbers written as 1, 2, … instead of c1, c2, …; country and code label rows swapped."""
    import openpyxl

    path = write_wiod2016_excel(small2016, tmp_path / "WIOT2014_Nov16_ROW.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for row in ws.iter_rows(min_row=6):
        for cell in row:
            if isinstance(cell.value, str) and cell.value[:1] == "c" and cell.value[1:].isdigit():
                cell.value = int(cell.value[1:])
    for col in range(5, ws.max_column + 1):  # swap label rows 3 (codes) and 5 (countries)
        ws.cell(3, col).value, ws.cell(5, col).value = ws.cell(5, col).value, ws.cell(3, col).value
    wb.save(path)
    assert_same_table(read_wiod2016(path), small2016, rtol=1e-15)


def test_wiod2016_rdata_layout_round_trip(tmp_path: Path, small2016: IOTable) -> None:
    path = write_wiod2016_rdata(small2016, tmp_path / "WIOT2014_October16_ROW.RData")
    got = read_wiod2016(path)
    assert_same_table(got, small2016)
    np.testing.assert_array_equal(got.primary_inputs["VA"], small2016.primary_inputs["VA"])


def test_wiod2016_full_official_dimensions_rdata(tmp_path: Path) -> None:
    """44 regions × 56 sectors × 5 final-demand categories, as the release ships them."""
    world = random_world(WIOD2016_REGIONS, WIOD2016_SECTORS, year=2010, seed=7, density=0.05)
    path = write_wiod2016_rdata(world, tmp_path / "WIOT2010_October16_ROW.RData")
    got = read_wiod2016(path)
    assert got.Z.shape == (2464, 2464) and got.F.shape == (2464, 220)
    assert_same_table(got, world)
    out = tmp_path / "wiot_2010.parquet"
    got.to_parquet(out)
    back = IOTable.from_parquet(out)
    assert_same_table(back, world)
    assert back.metadata() == got.metadata()


def test_parquet_is_deterministic(tmp_path: Path, small2016: IOTable) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    small2016.to_parquet(a)
    small2016.to_parquet(b)
    assert a.read_bytes() == b.read_bytes()


def test_parquet_encodes_only_the_labels_by_dictionary(tmp_path: Path, small2016: IOTable) -> None:
    """The label columns are dictionary-encoded, the number columns not (a third of the write's time for nothing); the
    numbers read back are the table's."""
    import pyarrow.parquet as pq

    small2016.to_parquet(tmp_path / "t.parquet")
    meta = pq.ParquetFile(tmp_path / "t.parquet").metadata.row_group(0)
    dictionary = ["RLE_DICTIONARY" in meta.column(i).encodings for i in range(meta.num_columns)]
    assert dictionary[:2] == [True, True] and not any(dictionary[2:])
    back = IOTable.from_parquet(tmp_path / "t.parquet")
    assert np.array_equal(back.Z, small2016.Z) and np.array_equal(back.F, small2016.F) and np.array_equal(back.x, small2016.x)


def test_wiod2016_excel_non_numeric_cell_is_named(tmp_path: Path, small2016: IOTable) -> None:
    import openpyxl

    path = write_wiod2016_excel(small2016, tmp_path / "WIOT2014_Nov16_ROW.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["G9"] = "n/a"
    wb.save(path)
    with pytest.raises(InputError, match=r"WIOT2014_Nov16_ROW.xlsx at sheet 'WIOT', cell G9: expected a number, found 'n/a'"):
        read_wiod2016(path)


def test_wiod2016_excel_missing_row_is_named(tmp_path: Path, small2016: IOTable) -> None:
    import openpyxl

    path = write_wiod2016_excel(small2016, tmp_path / "WIOT2014_Nov16_ROW.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active.delete_rows(13)  # the third row of CHN (C10-C12 of CHN is row 12)
    wb.save(path)
    with pytest.raises(InputError, match=r"row 13: expected region 'CHN' sector 'M69_M70', found 'CHN' 'U'.*missing, duplicated or out of order"):
        read_wiod2016(path)
    wb.active.delete_rows(9)  # the third row of AUS
    wb.save(path)
    with pytest.raises(InputError, match=r"row 10: region 'AUS' has fewer rows than its 4 intermediate columns"):
        read_wiod2016(path)


def test_wiod2016_wrong_layout(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    for i in range(12):
        wb.active.append(["code", "desc", "country", f"r{i}", 1.0, 2.0])
    wb.save(tmp_path / "WIOT2014_Nov16_ROW.xlsx")
    with pytest.raises(InputError, match=r"no row numbered 'c1'.*WIOD 2016 layout"):
        read_wiod2016(tmp_path / "WIOT2014_Nov16_ROW.xlsx")


@pytest.mark.filterwarnings("ignore:Unknown file type:UserWarning", "ignore:Wrong extension:UserWarning")
def test_wiod2016_truncated_and_corrupt_files(tmp_path: Path, small2016: IOTable) -> None:
    xlsx = write_wiod2016_excel(small2016, tmp_path / "WIOT2014_Nov16_ROW.xlsx")
    xlsx.write_bytes(xlsx.read_bytes()[:2000])
    with pytest.raises(InputError, match=r"WIOT2014_Nov16_ROW.xlsx: not a readable Excel workbook"):
        read_wiod2016(xlsx)
    rda = write_wiod2016_rdata(small2016, tmp_path / "WIOT2014_October16_ROW.RData")
    rda.write_bytes(rda.read_bytes()[:300])
    with pytest.raises(InputError, match=r"WIOT2014_October16_ROW.RData: (file is truncated|not a readable R data file)"):
        read_wiod2016(rda)
    junk = tmp_path / "WIOT2013_October16_ROW.RData"
    junk.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(InputError, match=r"WIOT2013_October16_ROW.RData: not a readable R data file"):
        read_wiod2016(junk)


def test_wiod2016_negative_gross_output(tmp_path: Path, small2016: IOTable) -> None:
    frame = wiod2016_frame(small2016)
    frame.loc[5, "TOT"] = -3.0
    path = write_wiod2016_rdata(small2016, tmp_path / "WIOT2014_October16_ROW.RData", frame=frame)
    with pytest.raises(InputError, match=r"gross output of row 5 \(CHN C10-C12\).*negative \(-3.0\)"):
        read_wiod2016(path)


def test_wiod2016_rdata_wrong_year_and_columns(tmp_path: Path, small2016: IOTable) -> None:
    path = write_wiod2016_rdata(small2016, tmp_path / "WIOT2013_October16_ROW.RData")
    with pytest.raises(InputError, match=r"row 1, column 'Year'.*expected 2013"):
        read_wiod2016(path)
    frame = wiod2016_frame(small2016).drop(columns=["CHN2"])
    path = write_wiod2016_rdata(small2016, tmp_path / "WIOT2014_October16_ROW.RData", frame=frame)
    with pytest.raises(InputError, match=r"at columns: lacks the column\(s\) CHN c2 "):
        read_wiod2016(path)
    frame = wiod2016_frame(small2016)
    frame = frame[frame["IndustryCode"] != "VA"]
    path = write_wiod2016_rdata(small2016, tmp_path / "WIOT2014_October16_ROW.RData", frame=frame)
    with pytest.raises(InputError, match=r"missing the row\(s\) \['VA'\]"):
        read_wiod2016(path)


def test_wiod2016_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_wiod2016(tmp_path / "WIOT2014_Nov16_ROW.xlsb")


# ------------------------------------------------------------------ WIOD 2013
def test_table_as_stored_is_the_table_read_back(tmp_path: Path) -> None:
    """A batch job computes on the table it has just written (IOTable.as_stored) instead of reading the file back: the
    same arrays in the same memory order (the LU factorises in memory order), and io_year writes the same bytes."""
    from tradeimbalance.io.steps import io_year

    world = random_world(("AUS", "ROU", "ROW"), ("c1", "c2", "c3", "c4"), year=2005, seed=5, release="wiod2013", zero_output=(2,))
    path = write_wiod2013_rdata(world, tmp_path / "wiot_2005.RData", rounded=False)
    got = read_wiod2013(path)
    got = IOTable(**{**got.__dict__, "Z": np.asfortranarray(got.Z), "F": np.asfortranarray(got.F)})  # as a reader may lay it out
    got.to_parquet(tmp_path / "wiot.parquet")
    back, stored = IOTable.from_parquet(tmp_path / "wiot.parquet"), got.as_stored()
    assert stored.metadata() == back.metadata() and stored.source == back.source
    for name in ("Z", "F", "x"):
        a, b = getattr(stored, name), getattr(back, name)
        assert a.dtype == b.dtype and a.flags.c_contiguous == b.flags.c_contiguous and a.flags.f_contiguous == b.flags.f_contiguous
        np.testing.assert_array_equal(a, b)
    outs = {}
    for tag, table in (("file", tmp_path / "wiot.parquet"), ("memory", stored)):
        outs[tag] = {k: tmp_path / tag / f"{k}.parquet" for k in ("va_out", "checks_out", "variants_out", "terms_out", "dva_out")}
        io_year(table, "primary_inputs", **outs[tag])
    for k in outs["file"]:
        assert outs["file"][k].read_bytes() == outs["memory"][k].read_bytes(), k


def test_wiod2013_synthetic_round_trip(tmp_path: Path) -> None:
    world = random_world(("AUS", "ROM", "RoW"), ("c1", "c2", "c3"), year=2005, seed=3, release="wiod2013")
    path = write_wiod2013_rdata(world, tmp_path / "wiot_2005.RData", rounded=False)
    got = read_wiod2013(path)
    assert got.countries == ("AUS", "ROU", "ROW")  # legacy codes recoded
    np.testing.assert_array_equal(got.Z, world.Z)
    np.testing.assert_array_equal(got.F, world.F)
    np.testing.assert_array_equal(got.x, world.x)
    assert got.primary_inputs == {}


def test_wiod2013_bad_inputs(tmp_path: Path) -> None:
    world = random_world(("AUS", "RoW"), ("c1", "c2"), year=2005, seed=3, release="wiod2013")
    path = write_wiod2013_rdata(world, tmp_path / "wiot_2005.RData")
    with pytest.raises(InputError, match=r"wiot_2006.RData at R objects: expected an object named 'wiot_2006'"):
        other = tmp_path / "wiot_2006.RData"
        other.write_bytes(path.read_bytes())
        read_wiod2013(other)
    truncated = tmp_path / "wiot_2007.RData"
    truncated.write_bytes(path.read_bytes()[:200])
    with pytest.raises(InputError, match=r"wiot_2007.RData: (file is truncated|not a readable R data file)"):
        read_wiod2013(truncated)
    bad = random_world(("AUS", "RoW"), ("c1", "c2"), year=2008, seed=3, release="wiod2013")
    bad.x[2] = -5
    with pytest.raises(InputError, match=r"gross output of row 2 \(ROW c1\).*negative"):
        read_wiod2013(write_wiod2013_rdata(bad, tmp_path / "wiot_2008.RData"))


def test_wiod2013_wrong_shape(tmp_path: Path) -> None:
    import rdata

    obj = {
        "year": np.array([2005], dtype=np.int32),
        "countries": np.array(["AUS", "RoW"], dtype=object),
        "industries": np.array(["c1", "c2"], dtype=object),
        "inter": np.zeros((4, 4), dtype=np.int32),
        "final": np.zeros((4, 9), dtype=np.int32),
        "output": np.ones(4, dtype=np.int32),
    }
    path = tmp_path / "wiot_2005.RData"
    rdata.write_rda(path, {"wiot_2005": obj})
    with pytest.raises(InputError, match=r"item 'final': has shape \(4, 9\), expected \(4, 10\)"):
        read_wiod2013(path)


@pytest.mark.realdata
def test_wiod2013_real_file() -> None:
    (path,) = require_raw("wiod2013/wiot_2005.RData")
    t = read_wiod2013(path)
    assert t.countries[-1] == "ROW" and "ROU" in t.countries and "ROM" not in t.countries
    assert t.n_countries == 41 and t.n_sectors == 35
    assert t.Z.shape == (1435, 1435) and t.F.shape == (1435, 205)
    # Whole millions: the packaging's rounding.
    assert np.all(t.Z == np.rint(t.Z))
    # Row balance holds to the rounding (SOURCES.md: 0.04 % overall, largest residual ~100).
    resid = t.x - t.Z.sum(axis=1) - t.F.sum(axis=1)
    assert np.abs(resid).max() <= 150
    assert abs(resid.sum()) / t.x.sum() < 1e-3
    assert t.source_sha256 == "7cec43e8fcdf58ef8552fb6c1b4f34bb3b6810a6b59cadf569934537228454cc"


@pytest.mark.realdata
def test_wiod2016_real_files_if_present() -> None:
    """Runs on the paper's WIOD 2016 tables once they are placed in <raw>/wiod/."""
    t = read_wiod2016(wiod2016_raw_file(2014))
    assert t.n_countries == 44 and t.n_sectors == 56
    assert t.countries[-1] == "ROW" and "ROU" in t.countries
    assert t.Z.shape == (2464, 2464) and t.F.shape == (2464, 220)
    assert set(t.primary_inputs) == set(PRIMARY_INPUT_ROWS)
    # The release is balanced: rows add up to gross output.
    resid = t.x - t.Z.sum(axis=1) - t.F.sum(axis=1)
    assert np.abs(resid).max() <= 1e-6 * max(1.0, t.x.max())


def test_a_bad_year_in_a_per_release_job_fails_it_naming_the_file_without_hanging(tmp_path: Path) -> None:
    """A per-release job reads its years in worker processes: a year whose file is damaged stops the job with the error
    naming the file (the reader's InputError, rebuilt in the job from its pickle), and the job ends instead of waiting
    for a result that never comes, leaving no half-written file. Run in a fresh interpreter under a timeout, so that a
    hang fails the test."""
    import pickle
    import subprocess
    import sys

    err = InputError(tmp_path / "wiot_1996.RData", "R objects", "file is truncated")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is InputError and str(back) == str(err) and back.file == err.file
    raw = {}
    for year in (1995, 1996, 1997):
        world = random_world(("AUS", "CAN", "RoW"), ("c1", "c2", "c3"), year=year, seed=year, release="wiod2013")
        raw[year] = write_wiod2013_rdata(world, tmp_path / f"wiot_{year}.RData")
    raw[1996].write_bytes(raw[1996].read_bytes()[:200])
    outputs = {y: {k: str(tmp_path / "out" / f"{y}_{k}.parquet") for k in ("table", "va_out", "checks_out", "variants_out", "terms_out", "dva_out")} for y in raw}
    code = (
        "import sys\nfrom tradeimbalance.readers.steps import read_release_batch\n"
        f"read_release_batch('wiod2013', 'wiod2013', {{y: p for y, p in {dict((y, str(p)) for y, p in raw.items())!r}.items()}}, None, 'primary_inputs', {outputs!r}, workers=2)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "InputError" in run.stderr and "wiot_1996.RData" in run.stderr
    # the years under way when 1996 failed were finished, not killed mid-write: no half-written temporary file is left
    assert not [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]
