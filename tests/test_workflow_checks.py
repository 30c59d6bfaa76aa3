"""The workflow's checks that need no complete run: the DAG, the configuration check, the offline stops, the raw folder
kept read-only, the documented commands found and remembered, a synthetic WIOD 2016 release and the download rule. In
a file of their own, so that ``make test``'s second worker runs them while the first runs the complete run of
tests/test_workflow.py (pytest-xdist ``--dist loadfile``)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, raw_dir, require_raw

from synthetic import WIOD2016_REGIONS, WIOD2016_SECTORS, random_world, write_wiod2016_rdata
from test_workflow import (
    _wdi_csv, documented_commands, out_config, planned_jobs, snakemake, symlinked_raw, user_env,
)
from tradeimbalance.io.ioalgebra import balance_index, va_absorbed


def test_dag_has_one_job_per_source_and_one_per_small_release(tmp_path: Path) -> None:
    # the releases whose files make the DAG: WIOD 2013, and the long-run WIOD and the WIOD 2016 flows it is compared with
    require_raw("wiod2013/wiot_2000.RData", "wiod_longrun/WIODlr_WIOT_2000.rda", "wiod2016_icio/dva_gtrade.dta")
    proc = snakemake("-n", *out_config(tmp_path, raw_dir=raw_dir()))
    text = proc.stdout + proc.stderr
    counts = dict(
        (parts[0], int(parts[1]))
        for line in text.splitlines()
        if len(parts := line.split()) == 2 and parts[1].isdigit()
    )
    # WIOD 2013 and the long-run WIOD are read with their input–output algebra in one job each (config jobs:
    # per_release): no job per year; the eight KOF vintages in one job too. Compared with the long-run WIOD (present here), WIOD 2013's years 1995–2011 are
    # all read (the two share 1995–2000).
    assert "read_wiod2013" not in counts and "io_year" not in counts
    for rule in ("read_kof", "read_pwt", "read_wgi", "read_wdi", "kof_panel", "tbi", "tbi_dva", "table1", "compare_releases", "io_batch_wiod2013", "io_batch_wiod_longrun", "read_flows_wiod2016_flows"):
        assert counts[rule] == 1, rule
    dag = snakemake("--dag", *out_config(tmp_path, raw_dir=raw_dir())).stdout
    assert dag.count("io_batch_wiod2013") >= 1


@pytest.mark.parametrize(
    ("setting", "fragments"),
    [
        ("first_year=abc", ["config first_year='abc'", "not of type 'integer'"]),
        ("first_year=2000.5", ["config first_year=2000.5", "not of type 'integer'"]),
        ("kof_vintag=2025", ["unknown config key(s) 'kof_vintag'"]),
        ("kof_vintage=2021", ["kof_vintage=2021: no such KOF vintage", "2018, 2018_2, 2019, 2020, 2022, 2023, 2024, 2025"]),
    ],
)
def test_a_bad_setting_stops_before_any_job_naming_the_key(tmp_path: Path, setting: str, fragments: list[str]) -> None:
    proc = snakemake(*out_config(tmp_path, raw_dir=raw_dir()), setting, check=False)
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Job stats" not in text
    for fragment in fragments:
        assert fragment in text
    assert not (tmp_path / "processed").exists() and not (tmp_path / "logs").exists()


def test_absent_paper_tables_without_network_stop_before_any_job(tmp_path: Path) -> None:
    """The default (io_release: wiod2016) with neither the tables nor a way to download them: no job runs."""
    override = tmp_path / "downloads.yaml"  # an address that cannot be reached, on any machine
    override.write_text(yaml.safe_dump({"download_fallbacks": [], "downloads": {"wiod/WIOTS_in_R.zip": {"url": (tmp_path / "offline.zip").as_uri(), "checksum": "sha1:" + "0" * 40, "publisher": "https://www.rug.nl/ggdc/valuechain/wiod/wiod-2016-release"}}}))
    raw = symlinked_raw(tmp_path / "raw")  # every other source present
    # the other releases on hand (the stop only looks at which files exist): the paper's flows and WIOD 2013
    for name in ["wiod2016_icio/dva_gtrade.dta", *(f"wiod2013/wiot_{y}.RData" for y in range(1995, 2012))]:
        if not (raw / name).exists():
            (raw / name).parent.mkdir(parents=True, exist_ok=True)
            (raw / name).write_bytes(b"")
    proc = snakemake("--configfile", str(override), *out_config(tmp_path, raw_dir=raw, io_release="wiod2016"), check=False)
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Stopped before any work" in text and "WIOT2000_October16_ROW.RData … WIOT2014_October16_ROW.RData (15 files)" in text
    assert text.index("make reproduce IO_RELEASE=wiod2016_flows") < text.index("make reproduce IO_RELEASE=wiod2013")
    assert not (tmp_path / "processed").exists()
    # What `make reproduce` runs first prints the same, as its first lines.
    env = {**os.environ, "TRADEIMBALANCE_LOCAL_CONFIG": str(tmp_path / "none.yaml")}
    pre = subprocess.run([sys.executable, "-m", "tradeimbalance.preflight", f"raw_dir={raw}", f"downloads={{wiod/WIOTS_in_R.zip: {{url: '{(tmp_path / 'offline.zip').as_uri()}', checksum: 'sha1:{'0' * 40}'}}}}", "download_fallbacks=[]"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert pre.returncode == 1 and pre.stderr.startswith("Stopped before any work")


@pytest.mark.realdata
def test_no_job_ever_writes_an_existing_raw_file(tmp_path: Path) -> None:
    """Raw files are inputs only: even --forceall plans no download over an existing file."""
    require_raw("wiod2013/wiot_2000.RData", "pwt/pwt91.dta")
    proc = snakemake("-n", "--forceall", *out_config(tmp_path, raw_dir=raw_dir()))
    text = proc.stdout + proc.stderr
    assert "download_raw_file" not in text and "extract_wiod2016_year" not in text
    assert str(raw_dir()) + "/" not in "".join(line for line in text.splitlines() if "output:" in line)


def test_the_documented_commands_are_found() -> None:
    """The quick start's commands are among those the README test runs: reproduce online and offline, the tests, a swap,
    and Snakemake by name."""
    cmds = documented_commands()
    for wanted in ("make reproduce", "make reproduce RAW_DIR=../shared/data/raw IO_RELEASE=wiod2016_flows", "make test RAW_DIR=../shared/data/raw",
                   "source .venv/bin/activate && snakemake --cores 4 --config kof_vintage=2025"):
        assert wanted in cmds, (wanted, cmds)
    assert all("--cores" in c for c in cmds if "snakemake" in c), [c for c in cmds if "snakemake" in c and "--cores" not in c]


def test_make_remembers_the_release_with_the_raw_folder_and_keeps_the_other_settings(tmp_path: Path) -> None:
    local = tmp_path / "local.yaml"
    local.write_text("results_dir: elsewhere\n")
    env = user_env(local)
    run = subprocess.run(["make", "--no-print-directory", "remember-raw-dir", f"RAW_DIR={tmp_path}", "IO_RELEASE=wiod2016_flows"], cwd=ROOT, env=env,
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert yaml.safe_load(local.read_text()) == {"results_dir": "elsewhere", "raw_dir": str(tmp_path), "io_release": "wiod2016_flows"}
    assert "io_release=wiod2016_flows" in run.stdout


def test_make_sensitivity_without_the_tables_gives_the_clean_stop(tmp_path: Path) -> None:
    """No WIOD 2016 tables and no way to download them: make sensitivity, and snakemake asked for the target by name,
    stop before any job with the preflight's message: no traceback, no download error."""
    local = tmp_path / "local.yaml"
    offline = {"url": (tmp_path / "offline.zip").as_uri(), "checksum": "sha1:" + "0" * 40, "publisher": "https://www.rug.nl/ggdc/valuechain/wiod/wiod-2016-release"}
    local.write_text(yaml.safe_dump({"download_fallbacks": [], "downloads": {"wiod/WIOTS_in_R.zip": offline}, "processed_dir": str(tmp_path / "processed"),
                                     "results_dir": str(tmp_path / "results"), "logs_dir": str(tmp_path / "logs")}))  # fmt: skip
    env = user_env(local)
    (tmp_path / "raw").mkdir()
    run = subprocess.run(["make", "--no-print-directory", "sensitivity", f"RAW_DIR={tmp_path / 'raw'}", "IO_RELEASE=wiod2016"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode != 0
    assert "Stopped before any work" in run.stderr and "Traceback" not in run.stdout + run.stderr and "DownloadError" not in run.stdout + run.stderr
    by_name = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "1", "--nolock", "sensitivity"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)  # fmt: skip
    text = by_name.stdout + by_name.stderr
    assert by_name.returncode != 0 and "Stopped before any work" in text and "DownloadError" not in text
    assert not (tmp_path / "processed").exists()


def test_workflow_on_synthetic_wiod2016_release(tmp_path: Path) -> None:
    """The 2016 path end to end: official file names, 44 × 56 × 5 layout, R format. The sample is 2013–2014; the TBI of
    2012, the year before, is computed too (the 2SLS instrument of 2013: release.tbi_years)."""
    raw = tmp_path / "raw"
    (raw / "wiod").mkdir(parents=True)
    worlds = {}
    for year in (2012, 2013, 2014):
        worlds[year] = random_world(WIOD2016_REGIONS, WIOD2016_SECTORS, year=year, seed=year, density=0.05)
        write_wiod2016_rdata(worlds[year], raw / "wiod" / f"WIOT{year}_October16_ROW.RData", compression=None)
    cfg = out_config(tmp_path, raw_dir=raw, io_release="wiod2016", first_year=2013, last_year=2014)
    proc, res = tmp_path / "processed", tmp_path / "results"
    targets = [str(proc / "tbi.parquet"), str(proc / "tbi_dva.parquet"), str(res / "checks" / "identities_wiod2016.csv"), str(res / "tables" / "table1_tbi.csv")]
    snakemake(*targets, *cfg)

    tbi = pd.read_parquet(proc / "tbi.parquet")
    assert tbi["iso3"].nunique() == 44 and set(tbi["year"]) == {2012, 2013, 2014}
    assert (tbi["release"] == "wiod2016").all()
    for year, world in worlds.items():
        expected = balance_index(va_absorbed(world), world.countries).set_index("iso3")["index"]
        got = tbi[tbi["year"] == year].set_index("iso3")["tbi"]
        np.testing.assert_allclose(got.loc[expected.index], expected, rtol=1e-12, atol=1e-15)
    ident = pd.read_csv(res / "checks" / "identities_wiod2016.csv")
    assert ident["max_abs_va_rel_gap"].max() < 1e-10 and ident["max_abs_fd_rel_gap"].max() < 1e-10
    assert ident["max_kww_adding_up_rel_gap"].max() < 1e-10
    table1 = pd.read_csv(res / "tables" / "table1_tbi.csv")
    assert table1["year"].tolist() == [2013, 2014]

    # Changing one raw year reruns only that year's branch.
    write_wiod2016_rdata(random_world(WIOD2016_REGIONS, WIOD2016_SECTORS, year=2014, seed=99, density=0.05), raw / "wiod" / "WIOT2014_October16_ROW.RData", compression=None)
    dry = snakemake("-n", *targets, *cfg).stdout
    jobs = planned_jobs(dry)
    assert jobs.get("read_wiod2016") == 1 and jobs.get("io_year") == 1


def test_download_rule_fetches_missing_file_from_file_url(tmp_path: Path) -> None:
    remote = tmp_path / "remote" / "FP.CPI.TOTL.ZG.csv"
    remote.parent.mkdir()
    remote.write_bytes(_wdi_csv())
    override = tmp_path / "downloads.yaml"
    sha = hashlib.sha256(remote.read_bytes()).hexdigest()
    override.write_text(yaml.safe_dump({"downloads": {"wdi/FP.CPI.TOTL.ZG.csv": {"url": remote.as_uri(), "checksum": f"sha256:{sha}", "publisher": "test"}}}))
    raw = tmp_path / "raw"
    target = tmp_path / "processed" / "wdi_inflation.parquet"
    snakemake(str(target), "--configfile", str(override), *out_config(tmp_path, raw_dir=raw))
    assert (raw / "wdi" / "FP.CPI.TOTL.ZG.csv").read_bytes() == remote.read_bytes()
    wdi = pd.read_parquet(target)
    assert set(wdi["iso3"]) == {"CHN", "DEU"}


def test_download_rule_without_network_says_what_is_missing(tmp_path: Path) -> None:
    override = tmp_path / "downloads.yaml"
    override.write_text(
        yaml.safe_dump({"downloads": {"wdi/FP.CPI.TOTL.ZG.csv": {"url": (tmp_path / "nowhere.csv").as_uri(), "checksum": "sha256:" + "0" * 64, "publisher": "https://data.worldbank.org"}}})
    )
    raw = tmp_path / "raw"
    proc = snakemake(str(tmp_path / "processed" / "wdi_inflation.parquet"), "--configfile", str(override), *out_config(tmp_path, raw_dir=raw), check=False)
    assert proc.returncode != 0
    log = (tmp_path / "logs" / "download" / "wdi" / "FP.CPI.TOTL.ZG.csv.log").read_text()
    text = proc.stdout + proc.stderr + log
    assert f"Raw file {raw / 'wdi' / 'FP.CPI.TOTL.ZG.csv'} is missing and could not be downloaded" in text
    assert "https://data.worldbank.org" in text
    assert not (raw / "wdi" / "FP.CPI.TOTL.ZG.csv").exists()
