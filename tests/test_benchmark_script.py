"""Smoke test of benchmarks/bench_va_absorbed.py on tiny synthetic tables (no timing assertions).

The script's figures are read by people, not checked here; this only checks
that it runs end to end, writes one CSV row per year with the documented
columns, and that its built-in check (pymrio's D_cba_reg equals va_absorbed to
rtol 1e-8) both passes on a correct step and catches a wrong one.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_va_absorbed.py"

pytest.importorskip("pymrio")


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("bench_va_absorbed", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def _args(out: Path, years: str = "2000-2002") -> list[str]:
    return [
        "--release", "synthetic2016",
        "--synthetic-dims", "4x3",
        "--years", years,
        "--repeat", "1",
        "--ref-n", "40",
        "--csv", str(out),
    ]  # fmt: skip


def test_runs_on_tiny_synthetic_release(bench: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.csv"
    assert bench.main(_args(out)) == 0

    with open(out, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        assert reader.fieldnames == bench.CSV_COLUMNS
    assert [int(r["year"]) for r in rows] == [2000, 2001, 2002]
    for r in rows:
        assert r["release"] == "synthetic2016"
        assert int(r["n"]) == 12
        seconds = ("read_s", "ours_s", "pymrio_build_s", "pymrio_s", "lu_floor_s", "lu_as_called_s")
        for col in (*seconds, "ours_peak_mib", "pymrio_peak_mib"):
            assert float(r[col]) >= 0.0, col
        assert float(r["speedup"]) == pytest.approx(float(r["pymrio_s"]) / float(r["ours_s"]), rel=1e-4)
        # ours matched pymrio (the script asserts rtol 1e-8 before writing anything)
        assert float(r["max_rel_diff"]) <= 1e-8
        for col in ("speed_target", "floor_target", "memory_target"):
            assert r[col] in ("PASS", "MISS")

    printed = capsys.readouterr().out
    assert "SYNTHETIC" in printed
    assert "target speedup >= 5x vs pymrio" in printed
    assert "process peak RSS" in printed


def test_mismatch_with_pymrio_is_an_error(bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = bench.ours_step
    monkeypatch.setattr(bench, "ours_step", lambda table: good(table) * (1 + 1e-6))
    out = tmp_path / "bench.csv"
    with pytest.raises(AssertionError, match="pymrio"):
        bench.main(_args(out, years="2000"))
    assert not out.exists()


def test_parse_years(bench: ModuleType) -> None:
    assert bench.parse_years("2000-2003") == [2000, 2001, 2002, 2003]
    assert bench.parse_years("2005,2000-2001, 2005") == [2000, 2001, 2005]
    with pytest.raises(ValueError):
        bench.parse_years("2003-2000")


def test_reads_wiod2016_files_as_the_workflow_would(bench: ModuleType, tmp_path: Path) -> None:
    from synthetic import WIOD2016_REGIONS, WIOD2016_SECTORS, random_world, write_wiod2016_excel, write_wiod2016_rdata

    (tmp_path / "wiod").mkdir()
    dims = (WIOD2016_REGIONS[:3], WIOD2016_SECTORS[:2])
    write_wiod2016_rdata(random_world(*dims, year=2005, seed=1), tmp_path / "wiod" / "WIOT2005_October16_ROW.RData")
    write_wiod2016_excel(random_world(*dims, year=2006, seed=2), tmp_path / "wiod" / "WIOT2006_Nov16_ROW.xlsx")
    out = tmp_path / "bench.csv"
    # No --release: wiod2016 is chosen because RAW_DIR/wiod holds its tables; no --years: the years present.
    assert bench.main(["--raw-dir", str(tmp_path), "--repeat", "1", "--ref-n", "0", "--csv", str(out)]) == 0
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["release"], r["year"], r["n"]) for r in rows] == [("wiod2016", "2005", "6"), ("wiod2016", "2006", "6")]
