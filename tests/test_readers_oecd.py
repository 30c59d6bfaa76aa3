"""The OECD ICIO reader (tradeimbalance.readers.oecd_icio, through pymrio.parse_oecd) and newer PWT files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthetic import icio_frame, random_world, write_icio_csv, write_wiod2016_rdata
from tradeimbalance.errors import InputError
from tradeimbalance.io.tbi import tbi_variants
from tradeimbalance.readers.oecd_icio import read_oecd_icio

SAMPLES = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "samples" / "oecd_icio_layout"


def _sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"the OECD ICIO layout sample {path} is not on this machine (it ships beside the raw data, ../shared/data/samples)")
    return path


@pytest.mark.parametrize(
    "name, year, regions, parts",
    [
        ("ICIO2016_2003.csv", 2003, ("AUS", "CHN", "NZL", "PER"), {"CHN": ("CN1", "CN2")}),
        ("ICIO2018_2010.CSV", 2010, ("AUS", "BEL", "BRA", "COL", "MEX"), {"MEX": ("MX1",)}),
    ],
)
def test_layout_samples_read_with_the_split_regions_merged(name: str, year: int, regions: tuple[str, ...], parts: dict[str, tuple[str, ...]]) -> None:
    """pymrio's layout files of the 2016 and 2018 editions: the split regions are added to their country, and the
    merged rows and columns equal the raw file's own sums (read here with pandas, independently of pymrio)."""
    path = _sample(name)
    t = read_oecd_icio(path)
    assert t.year == year and t.countries == regions and t.n_sectors == 8
    raw = pd.read_csv(path, index_col=0).fillna(0)
    region_of = {lab: lab.split("_", 1)[0] for lab in raw.index if "_" in lab and lab.split("_", 1)[0] in {*regions, *[p for ps in parts.values() for p in ps]}}
    merged = {p: c for c, ps in parts.items() for p in ps}
    for c in parts:
        s = t.sectors[0]
        i = t.countries.index(c) * t.n_sectors
        rows = [lab for lab, r in region_of.items() if merged.get(r, r) == c and lab.endswith("_" + s)]
        assert len(rows) == 1 + len(parts[c])  # the country's row and its parts'
        sector_cols = [f"{r}_{sec}" for r in regions for sec in t.sectors]
        z_raw = raw.loc[rows, [col for col in raw.columns if col in sector_cols or any(col.startswith(p + "_") for p in parts[c])]]
        # row i of Z: the row and its parts, over every using sector (the parts' columns added to the country's)
        expected = np.zeros(t.n)
        for col in z_raw.columns:
            reg, sec = col.split("_", 1)
            j = t.countries.index(merged.get(reg, reg)) * t.n_sectors + t.sectors.index(sec)
            expected[j] += z_raw[col].sum()
        np.testing.assert_allclose(t.Z[i], expected, rtol=1e-12)
    assert not {p for ps in parts.values() for p in ps} & set(t.countries)
    assert np.allclose(t.x, t.Z.sum(axis=1) + t.F.sum(axis=1))
    assert t.fd_categories[:5] == ("CONS_h", "CONS_np", "CONS_g", "GFCF", "INVEN")


@pytest.mark.parametrize("sectors", [("A01_02", "C10T12", "G46"), ("01T02", "10T12", "45T47")])  # 2023 and 2021 codes
def test_the_same_world_in_the_wiod_2016_and_icio_layouts_gives_the_same_tbi(tmp_path: Path, sectors: tuple[str, ...]) -> None:
    """A synthetic world written in the WIOD 2016 layout (R) and in the ICIO 2021/2023 layout (China and Mexico split
    into CN1/CN2 and MX1/MX2) reads to the same tables and the same TBI under every variant both can give."""
    from tradeimbalance.readers.wiod2016 import read_wiod2016

    world = random_world(("CHN", "DEU", "MEX", "USA", "ROW"), sectors, year=2019, seed=11)
    wiod = read_wiod2016(write_wiod2016_rdata(world, tmp_path / "WIOT2019_October16_ROW.RData"), 2019, world.countries)
    icio = read_oecd_icio(write_icio_csv(world, tmp_path / "ICIO2023_2019.csv", split={"CHN": ("CN1", "CN2"), "MEX": ("MX1", "MX2")}))
    assert icio.countries == wiod.countries and icio.sectors == sectors
    np.testing.assert_allclose(icio.Z, wiod.Z, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(icio.final_demand(), wiod.final_demand(), rtol=1e-12, atol=1e-9)
    a = tbi_variants(wiod, "primary_inputs").set_index(["variant", "iso3"])["tbi"]
    b = tbi_variants(icio, "primary_inputs").set_index(["variant", "iso3"])["tbi"]
    for variant in ("baseline", "no_row_partner", "fd_without_inventories"):
        np.testing.assert_allclose(b[variant].sort_index(), a[variant].sort_index(), atol=1e-12)


def test_a_year_inside_a_period_archive_is_read(tmp_path: Path) -> None:
    from tradeimbalance.release import Release

    world = random_world(("DEU", "USA", "ROW"), ("A", "B"), year=2017, seed=2)
    archive = tmp_path / "oecd_icio" / "ICIO2023_2016-2020.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as z:
        for year in (2016, 2017):
            z.writestr(f"ICIO2023_{year}.csv", icio_frame(world).to_csv(float_format="%.17g"))
    config = {"raw_dir": str(tmp_path), "io_release": "icio2023", "io_releases": {"icio2023": {
        "subdir": "oecd_icio", "formats": ["csv", "zip"], "files": {"csv": "ICIO2023_{year}.csv", "zip": "ICIO2023_{period}.zip"},
        "periods": ["2011-2015", "2016-2020"]}}}  # fmt: skip
    assert Release.from_config(config).raw_file(2017) == archive
    t = read_oecd_icio(archive, 2017)
    assert t.year == 2017 and t.countries == ("DEU", "USA", "ROW")
    with pytest.raises(InputError, match=r"expected one CSV for 2019 \(a name ending in 2019.csv\), found none"):
        read_oecd_icio(archive, 2019)


def test_bad_icio_input_gets_a_named_error(tmp_path: Path) -> None:
    world = random_world(("DEU", "JPN", "USA", "ROW"), ("A", "B"), year=2018, seed=5)
    frame = icio_frame(world)
    # a region missing: the edition's regions are given
    cut = frame.drop(index=[i for i in frame.index if i.startswith("JPN_")], columns=[c for c in frame.columns if c.startswith("JPN_")])
    path = tmp_path / "ICIO2023_2018.csv"
    cut.to_csv(path)
    with pytest.raises(InputError, match=r"ICIO2023_2018.csv at rows: regions differ from the edition's .*lacking \['JPN'\]"):
        read_oecd_icio(path, 2018, ["DEU", "JPN", "USA", "ROW"])
    # a non-numeric cell, named by row and column
    bad = frame.astype(object)
    bad.loc["USA_B", "DEU_A"] = "n.a."
    bad.to_csv(path)
    with pytest.raises(InputError, match=r"ICIO2023_2018.csv at row 'USA_B', column 'DEU_A': value 'n.a.' is not a number"):
        read_oecd_icio(path)
    # a layout pymrio does not recognise: final demand under names it does not know
    other = frame.rename(columns={c: c.replace("_HFCE", "_HOUSEHOLDS") for c in frame.columns})
    other.to_csv(tmp_path / "ICIO2030_2018.csv")
    with pytest.raises(InputError, match=r"ICIO2030_2018.csv.*pymrio.* does not recognise the layout"):
        read_oecd_icio(tmp_path / "ICIO2030_2018.csv")
    other = frame.rename(index={"VA": "GVA", "TLS": "TAXES"})
    other.to_csv(tmp_path / "ICIO2031_2018.csv")
    with pytest.raises(InputError, match=r"ICIO2031_2018.csv.*pymrio.* does not recognise the layout"):
        read_oecd_icio(tmp_path / "ICIO2031_2018.csv")


def test_a_pwt_10_or_11_file_reads_with_the_same_reader(tmp_path: Path) -> None:
    """PWT 10.01 / 11.0 keep 9.1's variables and add years (10.01: to 2019; 11.0: further). A file with that variable
    set, built here, reads; a variable the documented schema does not know is left out and named in the log."""
    from tradeimbalance import source_schemas
    from tradeimbalance.readers.pwt import read_pwt

    years = list(range(1950, 2024))
    rows = []
    for code, name, unit in (("DEU", "Germany", "Euro"), ("USA", "United States", "US Dollar")):
        for y in years:
            row = {"countrycode": code, "country": name, "currency_unit": unit, "year": y}
            row.update({v: float(y - 1900) for v in source_schemas.PWT_NUMERIC})
            row.update({"i_cig": "Benchmark", "i_xm": "Benchmark", "i_xr": "Market-based", "i_outlier": "Regular", "i_irr": "Regular"})
            row["new_in_11"] = 1.0
            rows.append(row)
    frame = pd.DataFrame(rows)
    for flag in ("i_cig", "i_xm", "i_xr", "i_outlier", "i_irr"):
        frame[flag] = frame[flag].astype("category")
    path = tmp_path / "pwt110.dta"
    frame.to_stata(path, write_index=False, version=118)
    out = read_pwt(path)
    assert out["year"].max() == 2023 and set(out["iso3"]) == {"DEU", "USA"}
    assert "new_in_11" not in out.columns
    source_schemas.PWT.validate(out)
