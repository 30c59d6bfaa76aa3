"""Configuration: year ranges per release, format resolution, early errors on impossible settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradeimbalance import config as cfg
from tradeimbalance.docs import render

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def config(tmp_path: Path) -> dict:
    return cfg.load_config(ROOT / "workflow" / "config.yaml", ROOT / "workflow" / "downloads.yaml", overrides={"raw_dir": str(tmp_path)})


def test_default_config_runs_wiod2013_over_the_overlap(config: dict) -> None:
    cfg.check_config(config)
    assert config["io_release"] == "wiod2013"
    assert cfg.io_years(config) == list(range(2000, 2012))
    assert cfg.io_years(config, "wiod2016") == list(range(2000, 2015))
    assert len(config["countries"]) == 43 and "TWN" in config["countries"]


def test_wiod2016_format_resolution(config: dict, tmp_path: Path) -> None:
    folder = tmp_path / "wiod"
    folder.mkdir()
    # Nothing present: the first configured format (R), which the download rule can provide.
    assert cfg.io_raw_file(config, 2005, "wiod2016") == folder / "WIOT2005_October16_ROW.RData"
    (folder / "WIOT2005_Nov16_ROW.xlsb").write_bytes(b"")
    assert cfg.io_raw_file(config, 2005, "wiod2016") == folder / "WIOT2005_Nov16_ROW.xlsb"
    (folder / "WIOT2005_October16_ROW.RData").write_bytes(b"")
    assert cfg.io_raw_file(config, 2005, "wiod2016") == folder / "WIOT2005_October16_ROW.RData"


def test_impossible_settings_fail_early(config: dict) -> None:
    with pytest.raises(ValueError, match="io_release='wiod2020'"):
        cfg.check_config({**config, "io_release": "wiod2020"})
    with pytest.raises(ValueError, match="basic_prices needs io_release=wiod2016"):
        cfg.check_config({**config, "value_added": "basic_prices"})
    with pytest.raises(ValueError, match="no year of wiod2013"):
        cfg.check_config({**config, "first_year": 2012, "last_year": 2014})


def test_data_dictionary_is_generated_from_the_schemas() -> None:
    committed = (ROOT / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/data_dictionary.md is stale: run python -m tradeimbalance.docs"
