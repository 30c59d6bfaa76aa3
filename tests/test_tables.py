"""Table 1: wide table, LaTeX, comparison with published values (synthetic inputs with known answers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradeimbalance.outputs.tables import TABLE1_TOLERANCE, compare_table1, comparison_summary, table1_frame, write_table1


def _tbi(values: dict[tuple[str, int], float]) -> pd.DataFrame:
    return pd.DataFrame([{"iso3": c, "year": y, "tbi": v} for (c, y), v in values.items()])


def test_table1_frame_orders_columns_and_keeps_absent_country() -> None:
    tbi = _tbi({("USA", 2001): -0.2, ("CHN", 2001): 0.1, ("CHN", 2000): 0.11, ("USA", 2000): -0.19, ("CHN", 1999): 0.5})
    t = table1_frame(tbi, ["CHN", "USA", "HRV"], 2000, 2014)
    assert list(t.columns) == ["year", "CHN", "USA", "HRV"]
    assert t["year"].tolist() == [2000, 2001]
    assert t["CHN"].tolist() == [0.11, 0.1]
    assert t["HRV"].isna().all()


def test_comparison_statuses_and_differences() -> None:
    rep = pd.DataFrame({"year": [2000, 2001], "CHN": [0.1063, 0.1100], "USA": [-0.1965, -0.1972]})
    pub = pd.DataFrame({"year": [2000, 2001, 2012], "CHN": [0.1061, 0.0991, 0.1363], "USA": [-0.1965, -0.1972, -0.1426]})
    cmp = compare_table1(rep, pub, "wiod2013")
    assert list(cmp["iso3"]) == ["CHN"] * 3 + ["USA"] * 3
    row = cmp[(cmp.iso3 == "CHN") & (cmp.year == 2001)].iloc[0]
    assert row["difference"] == pytest.approx(0.0109) and row["status"] == "differs"
    assert cmp[(cmp.iso3 == "CHN") & (cmp.year == 2000)]["status"].item() == "within_tolerance"
    assert (cmp[cmp.year == 2012]["status"] == "not_computed").all()
    assert TABLE1_TOLERANCE == 0.0005
    report = comparison_summary(cmp)
    assert "| CHN | 3 | 2 | 1 | 0.0109 |" in report
    assert "differences measure the data release" in report
    assert "Not computed with this release: years 2012 (2 cells)" in report


def test_latex_and_csv_are_deterministic_and_escaped(tmp_path: Path) -> None:
    t = pd.DataFrame({"year": [2000, 2001], "CHN": [0.123456789, np.nan], "R_W": [0.5, -0.25]})
    paths = []
    for i in range(2):
        csv, tex = tmp_path / f"t{i}.csv", tmp_path / f"t{i}.tex"
        write_table1(t, csv, tex, "wiod2013", "primary_inputs")
        paths.append((csv.read_bytes(), tex.read_bytes()))
    assert paths[0] == paths[1]
    csv_text = paths[0][0].decode()
    assert csv_text.splitlines()[0] == "year,CHN,R_W"
    assert "0.123457" in csv_text
    tex = paths[0][1].decode()
    assert "0.1235" in tex and "--" in tex and "R\\_W" in tex and "\\toprule" in tex
    assert "WIOD 2013 release" in tex and "value added as gross output less intermediate inputs" in tex
    assert tex.count("Year") == 1 and "2000 & 0.1235 & 0.5000" in tex
