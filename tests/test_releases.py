"""Flows releases, the long-run WIOD and the comparison of releases (tradeimbalance.econometrics.releases)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import ROOT, require_raw
from synthetic import random_world
from tradeimbalance.econometrics.releases import within_corr, year_span
from tradeimbalance.errors import InputError
from tradeimbalance.io.tbi import tbi_panel, year_va_absorbed
from tradeimbalance.readers.va_flows import read_va_flows

CONFIG = yaml.safe_load((ROOT / "workflow" / "config.yaml").read_text(encoding="utf-8"))
FLOWS = CONFIG["io_releases"]["wiod2016_flows"]
LONGRUN = CONFIG["io_releases"]["wiod_longrun"]
COLUMNS = {"origin": "o", "destination": "d", "year": "y", "value": "v"}


# ------------------------------------------------------------------ flows: real file
def test_flows_real_file_reproduces_published_table1():
    (path,) = require_raw(f"{FLOWS['subdir']}/{FLOWS['file']}")
    flows = read_va_flows(path, FLOWS["columns"], FLOWS["regions"], FLOWS["years"], "wiod2016_flows")
    assert len(flows) == 9680
    assert flows["exporter"].nunique() == 44 and flows["importer"].nunique() == 44
    assert sorted(flows["year"].unique()) == [2002, 2005, 2008, 2011, 2014]
    tbi = tbi_panel(flows, "icio_dva").set_index(["iso3", "year"])["tbi"]
    published = pd.read_csv(ROOT / "data" / "published" / "table1_tbi.csv").set_index("year")
    compared = 0
    for iso3 in ("CHN", "USA", "DEU"):
        for year in FLOWS["years"]:
            assert abs(tbi[(iso3, year)] - published.loc[year, iso3]) < 0.0005, (iso3, year)
            compared += 1
    assert compared == 15


# ------------------------------------------------------------------ flows: synthetic
def _world_flows(tmp_path, suffix=".csv"):
    countries = ("AAA", "BBB", "CCC", "ROW")
    frames, tbis = [], []
    for year in (2001, 2004):
        table = random_world(countries, ("s1", "s2", "s3"), year=year, seed=year)
        long, _ = year_va_absorbed(table, "primary_inputs")
        tbis.append(long)
        frames.append(long.rename(columns={"exporter": "o", "importer": "d", "year": "y", "va_absorbed": "v"})[["o", "d", "y", "v"]])
    flows = pd.concat(frames, ignore_index=True)
    path = tmp_path / f"flows{suffix}"
    if suffix == ".csv":
        flows.to_csv(path, index=False)
    elif suffix == ".dta":
        flows.to_stata(path, write_index=False)
    else:
        flows.to_parquet(path)
    return path, countries, pd.concat(tbis, ignore_index=True)


@pytest.mark.parametrize("suffix", [".csv", ".dta", ".parquet"])
def test_same_world_as_table_and_as_flows_gives_the_same_tbi(tmp_path, suffix):
    path, countries, long = _world_flows(tmp_path, suffix)
    from_table = tbi_panel(long, "primary_inputs")
    from_flows = tbi_panel(read_va_flows(path, COLUMNS, countries, None, "synthetic"), "primary_inputs")
    assert (from_flows["iso3"].to_numpy() == from_table["iso3"].to_numpy()).all()
    np.testing.assert_allclose(from_flows["tbi"], from_table["tbi"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(from_flows["numerator"], from_table["numerator"], rtol=1e-12)


def _bad(tmp_path, edit):
    path, countries, _ = _world_flows(tmp_path)
    frame = pd.read_csv(path, dtype=str)
    frame = edit(frame)
    frame.to_csv(path, index=False)
    return path, countries


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda f: f.drop(columns=["v"]), r"flows\.csv at columns: lacks the column\(s\) 'v' \(value\)"),
        (lambda f: pd.concat([f, f.iloc[[5]]], ignore_index=True), r"at line 34: duplicate \(BBB, BBB, 2001\): already at line 7"),
        (lambda f: f.assign(v=f["v"].where(f.index != 3, "-1.5")), r"at line 5, column 'v': negative value -1.5"),
        (lambda f: f.assign(v=f["v"].where(f.index != 4, "n.a.")), r"at line 6, column 'v': value 'n.a.' is not a number"),
        (lambda f: f.assign(d=f["d"].where(f.index != 2, "XYZ")), r"at line 4, column 'd': unknown country code 'XYZ'"),
        (lambda f: f.iloc[1:], r"at year 2001: 1 origin–destination pair\(s\) missing"),
    ],
)
def test_bad_flows_input_is_named(tmp_path, edit, message):
    path, countries = _bad(tmp_path, edit)
    with pytest.raises(InputError, match=message):
        read_va_flows(path, COLUMNS, countries, None, "synthetic")


def test_flows_year_not_in_file_is_named(tmp_path):
    path, countries, _ = _world_flows(tmp_path)
    with pytest.raises(InputError, match=r"no rows for year\(s\) \[2002\]"):
        read_va_flows(path, COLUMNS, countries, [2001, 2002], "synthetic")


# ------------------------------------------------------------------ long-run WIOD: real files
@pytest.mark.parametrize("year", [1965, 1985, 2000])
def test_longrun_reader_on_the_real_files(year):
    from tradeimbalance.readers.wiod_longrun import read_wiod_longrun

    (path,) = require_raw(f"{LONGRUN['subdir']}/WIODlr_WIOT_{year}.rda")
    table = read_wiod_longrun(path, year, LONGRUN["regions"])
    assert table.countries[-1] == "ROW" and "xROW" not in table.countries and len(table.countries) == 26
    assert table.n_sectors == 23 and table.Z.shape == (598, 598) and table.F.shape == (598, 104)
    assert table.fd_categories == ("CONS_h", "CONS_g", "GFCF", "INVEN")
    # The documented residuals: rows balance to 0.3 million USD at most without the margins column (memo)...
    residual = table.x - table.Z.sum(axis=1) - table.F.sum(axis=1)
    assert np.abs(residual).max() < 0.3
    # ... and the columns with the margins row as a primary input, to 1e-3.
    column = table.x - table.Z.sum(axis=0) - sum(table.primary_inputs.values())
    assert np.abs(column).max() < 1e-3
    long, checks = year_va_absorbed(table, "primary_inputs")
    tbi = tbi_panel(long, "primary_inputs")
    # World-wide value-added exports equal world-wide value-added imports.
    assert abs(tbi["va_exports"].sum() - tbi["va_imports"].sum()) < 1e-6 * tbi["va_exports"].sum()
    assert checks["va_rel_gap_net"].max() < 1e-9


def test_longrun_reader_refuses_a_missing_region():
    from tradeimbalance.readers.wiod_longrun import read_wiod_longrun

    (path,) = require_raw(f"{LONGRUN['subdir']}/WIODlr_WIOT_1990.rda")
    with pytest.raises(InputError, match=r"lacking \['ZZZ'\]"):
        read_wiod_longrun(path, 1990, [*LONGRUN["regions"], "ZZZ"])
    with pytest.raises(InputError, match=r"column 'Year'.*expected 1991"):
        read_wiod_longrun(path, 1991)


# ------------------------------------------------------------------ comparison helpers
def test_year_span_and_within_correlation():
    assert year_span([1970, 1971, 1972]) == "1970–1972"
    assert year_span([2002, 2005, 2008]) == "2002, 2005, 2008"
    g = pd.Series(["A"] * 3 + ["B"] * 3)
    a = pd.Series([1.0, 2.0, 3.0, 10.0, 11.0, 12.0])
    b = pd.Series([5.0, 6.0, 7.0, -3.0, -2.0, -1.0])  # same within-country pattern, opposite levels
    assert within_corr(a, b, g) == pytest.approx(1.0)
    assert np.corrcoef(a, b)[0, 1] < 0


def test_release_effect_recovers_each_releases_own_slope():
    """Two TBIs on the same country-years: the coefficient with each is the slope built into the outcome."""
    from tradeimbalance.econometrics.releases import _fit_rows
    from tradeimbalance.econometrics.inference import InferenceSettings
    from tradeimbalance.econometrics.specifications import Specification

    rng = np.random.default_rng(1)
    rows = [(f"C{i:02d}", y) for i in range(20) for y in range(2000, 2008)]
    panel = pd.DataFrame(rows, columns=["iso3", "year"])
    panel["TBI"] = rng.normal(size=len(panel))
    panel["KOFGIdj"] = 3.0 * panel["TBI"] + panel["iso3"].str[1:].astype(int) + 0.5 * (panel["year"] - 2000) + rng.normal(scale=0.1, size=len(panel))
    panel["group"] = "developed"
    spec = Specification("3", 1, "KOFGIdj", "all", False)
    est, skipped = _fit_rows(panel, [spec], [], "TBI", InferenceSettings(bootstrap_draws=199), with_inference=True)
    tbi = next(r for r in est if r["variable"] == "TBI")
    assert tbi["coef"] == pytest.approx(3.0, abs=0.05) and tbi["p_wcr_rademacher"] < 0.01 and not skipped
    few, skipped = _fit_rows(panel[panel["iso3"].isin(["C00", "C01"])], [spec], [], "TBI", InferenceSettings(bootstrap_draws=199), with_inference=False)
    assert not few and "2 countries" in skipped[0]["reason"]


def test_a_release_says_what_it_gives_and_its_sample_follows_it(tmp_path):
    """A flows release is a valid io_release: it declares what it cannot give (its reader's NOT_AVAILABLE), so the DVA
    table is skipped with the reason; its time axis is its benchmark years, the previous period three years back."""
    from tradeimbalance import config as cfg
    from tradeimbalance import release as rel

    config = cfg.load_config(ROOT / "workflow" / "config.yaml", ROOT / "workflow" / "downloads.yaml", overrides={"raw_dir": str(tmp_path)})
    cfg.check_config({**config, "io_release": "wiod2016_flows"})  # accepted
    flows, wiod2013, wiod2016 = (rel.Release.from_config(config, n) for n in ("wiod2016_flows", "wiod2013", "wiod2016"))
    assert flows.kind == "flows" and flows.reader == "va_flows" and flows.paper and not wiod2013.paper
    assert not flows.gives(rel.DVA) and not flows.gives(rel.IDENTITIES) and "KWW decomposition" in flows.why_not(rel.DVA)
    assert set(flows.skipped_tables) == {"dva"} and "cannot give the KWW/DVA-based TBI" in flows.skipped_tables["dva"]
    assert wiod2016.gives(rel.DVA) and wiod2016.skipped_tables == {} and wiod2013.gives(rel.DVA) and not wiod2013.gives(rel.BASIC_PRICES)
    assert (flows.step, flows.annual, flows.period_word) == (3, False, "benchmark year") and wiod2013.step == 1 and wiod2013.annual
    assert flows.lag_description == "TBI of the previous benchmark year (t-3)" and wiod2013.lag_description == "TBI of the previous year (t-1)"
    assert rel.previous_years(flows.years) == {2005: 2002, 2008: 2005, 2011: 2008, 2014: 2011}
    sample = rel.release_sample(config, "wiod2016_flows")
    assert sample["years"] == [2002, 2005, 2008, 2011, 2014] and len(sample["controls"]) == 7
    longrun = rel.release_sample(config, "wiod_longrun")
    assert longrun["years"] == list(range(1965, 2001)) and "RQ" not in longrun["controls"] and "HKG" in longrun["countries"]
    assert rel.comparison_releases(config) == ["wiod2016"]  # nothing present in an empty raw folder but the configured release
    design = rel.run_design({**config, "io_release": "wiod2016_flows"})
    assert design["years"] == [2002, 2005, 2008, 2011, 2014] and design["periods"] == flows.years
    assert rel.run_design({**config, "io_release": "wiod2013"})["years"] is None  # an annual release keeps the full grid


def test_the_instrument_is_the_previous_period_of_the_release():
    """L_TBI on a release of benchmark years is the TBI three years back; the first benchmark year has none."""
    from tradeimbalance.econometrics.panel import ControlSpec, assemble_panel

    years = [2002, 2005, 2008]
    tbi = pd.DataFrame([(c, y, 0.1 * i + 0.01 * y) for i, c in enumerate(["AAA", "BBB"]) for y in years], columns=["iso3", "year", "tbi"])
    kof = pd.DataFrame([(c, y, "v", 50.0 + y % 7) for c in ["AAA", "BBB"] for y in years], columns=["iso3", "year", "vintage", "KOFGIdj"])
    sources = {"pwt": pd.DataFrame([(c, y, 10.0 + y % 5) for c in ["AAA", "BBB"] for y in range(2000, 2015)], columns=["iso3", "year", "pop"]), "wgi": None, "wdi": None}
    args = dict(countries=["AAA", "BBB"], first_year=2000, last_year=2014, kof_vintage="v", outcomes=["KOFGIdj"],
                controls=[ControlSpec("lnPOP", "pwt", "pop", "log")], excluded_countries={}, developed=["AAA"], years=years)  # fmt: skip
    panel, excluded = assemble_panel(tbi, None, kof, sources, periods=years, **args)
    lagged = panel.set_index(["iso3", "year"])["L_TBI"]
    own = tbi.set_index(["iso3", "year"])["tbi"]
    assert lagged["AAA", 2005] == own["AAA", 2002] and lagged["BBB", 2008] == own["BBB", 2005] and np.isnan(lagged["AAA", 2002])
    assert len(panel) == 6 and excluded.empty and panel["TBI_DVA"].isna().all()
    annual, _ = assemble_panel(tbi, None, kof, sources, **args)  # no axis given: the previous calendar year, never a benchmark year
    assert annual["L_TBI"].isna().all()
