"""The second implementation in R: what it writes where R is missing, the report's words, and (with R and the real
data) that a planted disagreement fails naming the row. Its full agreement on a real run is checked end to end in
tests/test_workflow.py."""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import pytest

from tradeimbalance.outputs import second_implementation as si


def test_without_r_the_check_says_it_did_not_run(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(si.shutil, "which", lambda name: None)
    out = tmp_path / "second_implementation.csv"
    assert si.run_second_implementation("x.R", results=tmp_path, out=out, estimates="e.csv", referee="r.csv", causal="c.csv") == (0, 0)
    back = pd.read_csv(out, keep_default_na=False)
    assert list(back.columns) == si.COLUMNS and len(back) == 1 and back["block"].iloc[0] == "not run" and str(back["pass"].iloc[0]) == "False"
    assert "R is not installed" in back["note"].iloc[0] and "r-cran-plm" in back["note"].iloc[0]
    text = "\n".join(si.section(back))
    assert "**Not run:** R is not installed" in text and "not checked by a second implementation" in text


def test_the_report_section_counts_and_names_disagreements() -> None:
    rows = [
        {"block": "tables", "release": "r", "table": "3", "column": 1, "depvar": "KOFGIdj", "sample": "all", "check": "two-way FE", "term": "TBI",
         "quantity": "coef", "package": 1.0, "r": 1.0 + 1e-9, "abs_diff": 1e-9, "rel_diff": 1e-9, "tolerance": 1e-6, "pass": True, "note": ""},
        {"block": "2sls", "release": "r", "table": "2sls", "column": 3, "depvar": "KOFGIdj", "sample": "all", "check": "2SLS second stage", "term": "TBI",
         "quantity": "se", "package": 2.0, "r": 2.5, "abs_diff": 0.5, "rel_diff": 0.25, "tolerance": 1e-6, "pass": False, "note": ""},
    ]
    text = "\n".join(si.section(pd.DataFrame(rows, columns=si.COLUMNS)))
    assert "**1 of 2 disagree**" in text and "2SLS second stage" in text and "Tables 3–6" in text
    assert "**All 1 agree**" in "\n".join(si.section(pd.DataFrame(rows[:1], columns=si.COLUMNS)))


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed here (CI installs r-base-core and the r-cran packages)")
def test_r_has_the_packages_the_check_needs() -> None:
    assert si.missing_r() == "", si.missing_r()
    version = subprocess.run(["Rscript", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and "Rscript (R) version" in version.stdout + version.stderr


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed here (CI installs r-base-core and the r-cran packages)")
def test_a_package_r_lacks_is_named() -> None:
    why = si.missing_r(("haven", "surely.not.an.r.package", "plm"))
    assert why.startswith("R lacks the package(s) surely.not.an.r.package ") and "haven" not in why
