"""The run's console: one line per kind of warning, the closing lines, and the warning before a run replaces results
made with other data (a swap that keeps the reproduction says how)."""

from __future__ import annotations

import os
import time

from tradeimbalance import console


def test_warnings_are_summarised_once_per_kind_from_this_runs_logs(tmp_path) -> None:
    logs = tmp_path / "logs"
    (logs / "io_year").mkdir(parents=True)
    (logs / "old.log").write_text("WARNING tradeimbalance.readers: stale warning from another run\n")
    past = time.time() - 3600
    os.utime(logs / "old.log", (past, past))
    started = time.time() - 1
    for year in (1995, 1996, 1997):
        (logs / "io_year" / f"wiod2013_{year}.log").write_text(f"INFO x: fine\nWARNING tradeimbalance.readers.steps: wiod2013 {year}: 3 sectors with zero output\n")
    (logs / "panel.log").write_text("WARNING tradeimbalance.econometrics.panel: 10 country-years excluded\n")
    lines = console.warning_summary(logs, started)
    assert len(lines) == 2
    assert lines[0].startswith("WARNING (3×): wiod2013 1995: 3 sectors with zero output [") and "io_year/wiod2013_1995.log" in lines[0]
    assert lines[1].startswith("WARNING: 10 country-years excluded")
    assert not any("stale" in line for line in lines)


def test_a_run_with_other_data_says_first_that_it_replaces_the_results_and_how_to_keep_them(tmp_path) -> None:
    res = tmp_path / "results"
    paper = {"io_release": "wiod2016_flows", "kof_vintage": "2018_2"}
    assert console.replacing(res, paper) == ""  # nothing there yet
    console.record_run(res, paper)
    assert console.replacing(res, paper) == ""  # the same data: a rerun, nothing replaced
    swap = console.replacing(res, {**paper, "kof_vintage": "2025"})
    assert "replaces the results" in swap and "kof_vintage 2018_2 → 2025" in swap and f"results_dir={res.as_posix()}_2025" in swap


def test_the_last_lines_name_the_report_and_the_glance(tmp_path) -> None:
    res = tmp_path / "results"
    (res / "reports").mkdir(parents=True)
    (res / "reports" / "glance_summary.txt").write_text("Replication at a glance, r: Table 1 40 of 40.\n")
    lines = console.closing_lines(res)
    assert lines[0].startswith("Replication at a glance") and lines[-1].startswith("Done. Open ") and "report.html" in lines[-1]
