"""Configuration: year ranges per release, format resolution, early errors on impossible settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradeimbalance import config as cfg
from tradeimbalance import release as rel
from tradeimbalance.docs import render

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def config(tmp_path: Path) -> dict:
    return cfg.load_config(ROOT / "workflow" / "config.yaml", ROOT / "workflow" / "downloads.yaml", overrides={"raw_dir": str(tmp_path)})


def test_default_draws_hold_the_monte_carlo_error_down(config: dict) -> None:
    """The curve's joint test draws at least 5,000 times by default, and more near 0.05/0.10 (the e2e tests run fewer)."""
    curve = config["specification_curve"]
    assert curve["joint_test_draws"] >= 5000 and curve["joint_test_rerun_draws"] > curve["joint_test_draws"]
    assert config["referee_checks"]["permutation_draws"] >= 999 and config["inference"]["bootstrap_draws"] >= 9999


def test_default_config_is_the_papers_release_and_years(config: dict) -> None:
    cfg.validate(config)
    cfg.check_config(config)
    assert config["io_release"] == "wiod2016"
    assert rel.io_years(config) == list(range(2000, 2015))
    assert rel.io_years(config, "wiod2013") == list(range(2000, 2012))
    assert len(config["countries"]) == 43 and "TWN" in config["countries"]


def test_wiod2016_format_resolution(config: dict, tmp_path: Path) -> None:
    folder = tmp_path / "wiod"
    folder.mkdir()
    # Nothing present: the first configured format (R), which the download rule can provide.
    wiod2016 = rel.Release.from_config(config, "wiod2016")
    assert wiod2016.raw_file(2005) == folder / "WIOT2005_October16_ROW.RData"
    (folder / "WIOT2005_Nov16_ROW.xlsb").write_bytes(b"")
    assert wiod2016.raw_file(2005) == folder / "WIOT2005_Nov16_ROW.xlsb"
    (folder / "WIOT2005_October16_ROW.RData").write_bytes(b"")
    assert wiod2016.raw_file(2005) == folder / "WIOT2005_October16_ROW.RData"


def test_impossible_settings_fail_early(config: dict) -> None:
    with pytest.raises(ValueError, match="io_release='wiod2020'"):
        cfg.check_config({**config, "io_release": "wiod2020"})
    with pytest.raises(ValueError, match="basic_prices needs a release with a value-added row"):
        cfg.check_config({**config, "io_release": "wiod2013", "value_added": "basic_prices"})
    with pytest.raises(ValueError, match="no year of wiod2013"):
        cfg.check_config({**config, "io_release": "wiod2013", "first_year": 2012, "last_year": 2014})


def test_data_dictionary_is_generated_from_the_schemas() -> None:
    committed = (ROOT / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/data_dictionary.md is stale: run python -m tradeimbalance.docs"


# ------------------------------------------------------------------ bad values, each named
BAD_VALUES = [
    # (override, fragments the message must contain)
    ({"first_year": "abc"}, ["config first_year='abc'", "not of type 'integer'", "a calendar year"]),
    ({"first_year": 2000.5}, ["config first_year=2000.5", "not of type 'integer'"]),
    ({"last_year": 1800}, ["config last_year=1800", "minimum"]),
    ({"first_year": 2010, "last_year": 2005}, ["first_year=2010 is after last_year=2005"]),
    ({"kof_vintage": 2021}, ["kof_vintage=2021", "no such KOF vintage", "2018, 2018_2, 2019, 2020, 2022, 2023, 2024, 2025"]),
    ({"kof_vintag": 2025}, ["unknown config key(s) 'kof_vintag'", "a typo?", "kof_vintage"]),
    ({"io_release": "wiod2020"}, ["config io_release='wiod2020'", "no such release; io_releases has wiod2016, wiod2013"]),
    ({"value_added": "gross"}, ["config value_added='gross'", "one of 'primary_inputs', 'basic_prices'"]),
    ({"countries": ["DEU", "germany"]}, ["config countries.1='germany'", "ISO 3166-1 alpha-3 code"]),
    ({"table1_countries": ["CHN", "XXX"]}, ["config table1_countries: XXX not among the candidate countries"]),
    ({"controls": {"RQ": {"source": "imf", "variable": "RQ"}}}, ["config controls.RQ.source='imf'", "one of 'pwt', 'wgi', 'wdi'"]),
    ({"controls": {"RQ": {"source": "wgi", "variable": "RQ", "fil": "linear"}}}, ["unknown config key(s) 'fil' in controls.RQ"]),
    ({"specification_search": {"not_candidates": [], "n_countries": "41", "n_developed": 22, "alternatives": {}}}, ["config specification_search.n_countries='41'", "integer"]),
    ({"raw_dir": ""}, ["config raw_dir=''", "a folder or file path"]),
    ({"inference": {"bootstrap_draws": 50}}, ["config inference.bootstrap_draws=50", "at least 99"]),
    ({"inference": {"weights": ["mammen"]}}, ["config inference.weights.0='mammen'", "'rademacher', 'webb'"]),
    ({"iv": {"cragg_donald_dof": "stata"}}, ["config iv.cragg_donald_dof='stata'", "'ivreghdfe', 'xtivreg2'"]),
    ({"specification_curve": {"dimensions": {"tbi": ["gross"]}, "tbi_definitions": {"va": {"measure": "va_absorbed"}}}}, ["specification_curve.dimensions.tbi: gross not among specification_curve.tbi_definitions"]),
    ({"specification_curve": {"dimensions": {"colour": ["red"]}, "tbi_definitions": {"va": {"measure": "va_absorbed"}}}}, ["unknown config key(s) 'colour' in specification_curve.dimensions"]),
    ({"specification_curve": {"dimensions": {"control_lnFOO": ["x"]}, "tbi_definitions": {"va": {"measure": "va_absorbed"}}}}, ["specification_curve.dimensions.control_lnFOO: no control named 'lnFOO'"]),
    ({"specification_curve": {"dimensions": {}, "tbi_definitions": {"d": {"measure": "dva"}}}}, ["none is the paper's TBI"]),
    ({"specification_curve": {"dimensions": {"kof_vintage": ["2021"]}, "tbi_definitions": {"va": {"measure": "va_absorbed"}}}}, ["dimensions.kof_vintage: 2021 not among kof.vintages"]),
]


@pytest.mark.parametrize(("override", "fragments"), BAD_VALUES, ids=[next(iter(o)) for o, _ in BAD_VALUES])
def test_every_bad_value_is_refused_naming_its_key(config: dict, override: dict, fragments: list[str]) -> None:
    bad = {**config, **override}
    with pytest.raises(cfg.ConfigError) as info:
        cfg.validate(bad)
        cfg.check_config(bad)
    for fragment in fragments:
        assert fragment in str(info.value), f"{fragment!r} not in {info.value}"


def test_two_spellings_of_the_raw_folder_are_one_path(config: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "raw").mkdir()
    assert cfg.raw_dir({"raw_dir": "raw"}) == cfg.raw_dir({"raw_dir": str(tmp_path / "raw")}) == cfg.raw_dir({"raw_dir": "./x/../raw"})


def test_raw_digest_follows_content_not_time(tmp_path: Path) -> None:
    import os

    f, cache = tmp_path / "a.csv", tmp_path / "cache.json"
    f.write_bytes(b"one")
    first = cfg.raw_digest(f, cache)
    assert first.startswith("sha256:") and cfg.raw_digest(f, cache) == first
    stat = f.stat()
    f.write_bytes(b"two")  # replaced, with the old modification time put back
    os.utime(f, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cfg.raw_digest(f, cache) != first
    f.unlink()
    assert cfg.raw_digest(f, cache) == "missing"


# ------------------------------------------------------------------ the paper's tables absent
def test_absent_wiod2016_tables_without_network_stop_with_the_switch(config: dict, tmp_path: Path) -> None:
    from tradeimbalance.preflight import missing_io_tables

    message = missing_io_tables(config, probe=lambda url: (False, "no network"))
    assert message is not None and message.startswith("Stopped before any work")
    assert "WIOT2000_October16_ROW.RData … WIOT2014_October16_ROW.RData (15 files)" in message
    assert f"missing in {tmp_path / 'wiod'}" in message
    assert "no source of it can be reached: https://dataverse.nl/api/access/datafile/199101 (no network)" in message
    # then the content-addressed fallback, by the archive's checksum (workflow/downloads.yaml: download_fallbacks)
    assert "https://archive.softwareheritage.org/api/1/content/sha1:" in message
    assert "doi:10.34894/PJ2M1C" in message
    assert "no other release's files are on hand or downloadable either" in message  # nothing else in this raw folder
    # The other releases on hand are named, the paper's own release as flows first, then WIOD 2013; never the long-run
    # WIOD (one sample year) and never a release whose files are neither here nor downloadable.
    (tmp_path / "wiod2016_icio").mkdir()
    (tmp_path / "wiod2016_icio" / "dva_gtrade.dta").write_bytes(b"")
    (tmp_path / "wiod2013").mkdir()
    for year in range(1995, 2012):
        (tmp_path / "wiod2013" / f"wiot_{year}.RData").write_bytes(b"")
    message = missing_io_tables(config, probe=lambda url: (False, "no network"))
    flows_at, wiod2013_at = message.index("make reproduce IO_RELEASE=wiod2016_flows"), message.index("make reproduce IO_RELEASE=wiod2013")
    assert flows_at < wiod2013_at and "--config io_release=wiod2013" in message and "wiod_longrun" not in message
    assert "the paper's own release, as value-added flows by destination of absorption; 5 benchmark years: 2002, 2005, 2008, 2011, 2014" in message
    assert "the WIOD 2013 release, another release than the paper's; annual, 2000–2011" in message
    # Downloadable, the archive already there, or the files there: no stop.
    assert missing_io_tables(config, probe=lambda url: (True, "")) is None
    (tmp_path / "wiod").mkdir()
    (tmp_path / "wiod" / "WIOTS_in_R.zip").write_bytes(b"")
    assert missing_io_tables(config, probe=lambda url: (False, "no network")) is None
