"""End-to-end runs on another input–output release than the complete run's: a synthetic OECD ICIO edition and the
paper's own WIOD 2016 flows as ``io_release``. They need no complete run, only the tidy KOF, PWT, WGI and WDI files
(read once for this file), so ``make test``'s second worker runs them while the first runs tests/test_workflow.py
(pytest-xdist ``--dist loadfile``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import raw_dir, require_raw
from test_workflow import REAL_FILES, out_config, snakemake

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def tidy_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The processed folder of a run of the source readers alone (KOF's vintages, PWT, WGI, WDI) on the real files."""
    require_raw(*REAL_FILES[1:])
    base = tmp_path_factory.mktemp("tidy_sources")
    targets = [str(base / "processed" / name) for name in ("kof.parquet", "pwt.parquet", "wgi.parquet", "wdi_inflation.parquet")]
    snakemake(*targets, *out_config(base, raw_dir=raw_dir()))
    return base / "processed"


def lighter_run(tmp_path: Path, tidy: Path, *, figure_first_year: int, curve_draws: int, permutation_draws: int, vintage: str) -> tuple[Path, Path]:
    """A run's raw folder (links to the real KOF, PWT, WGI, WDI and WIOD 2016 flows), its processed folder with the tidy
    sources copied (the same raw files give the same parquet, so their readers need not run again; the release's own
    panel and everything after it run), and the overlay of a lighter run: the flows the only release compared, fewer
    draws, a curve over one KOF vintage, one referee column."""
    raw = tmp_path / "raw"
    for source in ("kof", "pwt", "wgi", "wdi", "wiod2016_icio"):
        (raw / source).parent.mkdir(parents=True, exist_ok=True)
        (raw / source).symlink_to(raw_dir() / source)
    shutil.copytree(tidy / "kof", tmp_path / "processed" / "kof")
    for name in ("pwt.parquet", "wgi.parquet", "wdi_inflation.parquet"):
        shutil.copy2(tidy / name, tmp_path / "processed" / name)
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        yaml.safe_dump(
            {
                "comparison": {"releases": ["wiod2016_flows"], "figure_first_year": figure_first_year},
                "inference": {"bootstrap_draws": 199, "rerun_draws": 0},
                "specification_curve": {"joint_test_draws": curve_draws, "joint_test_rerun_draws": 0, "dimensions": {"kof_vintage": [vintage], "country_set": 0, "developed_list": ["configured"]}},
                "referee_checks": {"specifications": ["3.3"], "permutation_draws": permutation_draws, "bootstrap_draws": 199, "permutation_rerun_draws": 0, "bootstrap_rerun_draws": 0},
            }
        )
    )
    return raw, overlay


@pytest.mark.realdata
def test_a_synthetic_icio_edition_runs_end_to_end_past_2014(tmp_path: Path, tidy_sources: Path) -> None:
    """An OECD ICIO 2023 edition in its real file layout (written here: nine economies and the rest of the world,
    every year 1995–2020, China and Mexico split) with the real KOF, PWT, WGI and WDI files: `io_release=icio2023`
    reaches the report, the panel runs past 2014, the edition is compared with the WIOD 2016 flows on their shared
    years, and what the edition lacks is logged with the reason."""
    from synthetic import ICIO_TEST_ECONOMIES, write_icio_edition

    require_raw(*REAL_FILES[1:], "wiod2016_icio/dva_gtrade.dta")
    raw, overlay = lighter_run(tmp_path, tidy_sources, figure_first_year=1995, curve_draws=99, permutation_draws=99, vintage="2025")
    write_icio_edition(raw / "oecd_icio", range(1995, 2021))
    cfg = ["--configfile", str(overlay), *out_config(tmp_path, raw_dir=raw, io_release="icio2023", kof_vintage="2025")]
    snakemake(*cfg)
    proc, res = tmp_path / "processed", tmp_path / "results"
    assert len(pd.read_csv(res / "checks" / "identities_icio2023.csv")) == 26
    tbi = pd.read_parquet(proc / "tbi.parquet")
    assert set(tbi["year"]) == set(range(1995, 2021)) and set(tbi["iso3"]) == {*ICIO_TEST_ECONOMIES, "ROW"}  # CN1/CN2, MX1/MX2 merged
    panel = pd.read_parquet(proc / "panel.parquet")
    assert panel["year"].max() == 2017 and panel["year"].min() == 1996  # PWT 9.1 ends in 2017; WGI's RQ begins in 1996
    assert set(panel["iso3"]) == set(ICIO_TEST_ECONOMIES)
    exclusions = pd.read_csv(res / "reports" / "sample_exclusions.csv")
    reasons = exclusions.set_index(["iso3", "year"])["reasons"]
    assert "no_tbi: country not in the input–output release" in reasons["ARG", 2005]  # an ICIO economy the synthetic edition lacks
    assert "missing_lnGDP" in reasons["USA", 2019] and "missing_RQ" in reasons["USA", 1995]
    est = pd.read_csv(res / "estimates.csv", dtype={"table": str})
    assert est[(est["table"] == "3") & (est["variable"] == "TBI")]["nobs"].tolist() == [len(panel)] * 4
    assert "OECD ICIO 2023 edition" in (res / "tables" / "table3.tex").read_text() and "1996-2017" in (res / "tables" / "table3.tex").read_text()
    pairs = pd.read_csv(res / "tables" / "release_pairs.csv").set_index("pair")
    assert pairs.loc["icio2023 vs wiod2016_flows", "years"] == "2002, 2005, 2008, 2011, 2014"
    assert pairs.loc["icio2023 vs wiod2016_flows", "country_years"] == 5 * len(ICIO_TEST_ECONOMIES)
    curve = pd.read_csv(res / "specification_curve.csv", keep_default_na=False, na_values=[""], dtype={"kof_vintage": str})
    assert set(curve["io_release"]) == {"icio2023", "wiod2016_flows"}
    report = (res / "report.md").read_text()
    assert "TBI from the OECD ICIO 2023 edition" in report and "| input–output release | icio2023 | another release than the paper's" in report
    assert (res / "report.html").exists() and (res / "figures" / "figure1.png").exists()


@pytest.mark.realdata
def test_the_papers_own_release_builds_every_table_it_allows(tmp_path: Path, tidy_sources: Path) -> None:
    """`io_release=wiod2016_flows` on the real files: Table 1 for the five benchmark years, Tables 3–6 on 205
    country-years, the 2SLS with the previous benchmark year's TBI as the instrument, the DVA table skipped with its
    reason (table set, log, report). A lighter run (fewer draws, a smaller curve, one referee column, no other release
    compared: the complete run of tests/test_workflow.py compares the flows with the others); the tidy sources read once
    for this file are reused. That its outputs are deterministic is checked by the complete run's forced rerun, which
    reruns every rule (the flows among its releases) and asserts byte-identical files."""
    require_raw(*REAL_FILES[1:], "wiod2016_icio/dva_gtrade.dta")
    raw, overlay = lighter_run(tmp_path, tidy_sources, figure_first_year=2000, curve_draws=199, permutation_draws=199, vintage="2018_2")
    cfg = ["--configfile", str(overlay), *out_config(tmp_path, raw_dir=raw, io_release="wiod2016_flows")]
    snakemake(*cfg)
    res = tmp_path / "results"
    est = pd.read_csv(res / "estimates.csv", dtype={"table": str})
    tbi = est[(est["variable"] == "TBI") & (est["stage"] == "second")]
    assert set(tbi["table"]) == {"3", "4", "5", "6", "2sls"}
    assert (tbi.loc[tbi["table"].isin(["3", "5"]), "nobs"] == 205).all()  # every full-sample column: 41 countries × 5 benchmark years
    t3 = tbi[tbi["table"] == "3"].set_index("column")["coef"]
    assert t3.round(2).tolist() == [11.92, 21.77, 13.58, 33.22]
    iv = est[est["table"] == "2sls"]
    assert (iv["instrument"] == "TBI of the previous benchmark year (t-3)").all() and (iv.loc[iv["stage"] == "second", "nobs"] == 164).all()
    diag = pd.read_csv(res / "iv_diagnostics.csv")
    assert (diag["years_without_instrument"].astype(str) == "2002").all() and diag.loc[diag["column"] == 3, "kp_wald_f"].iloc[0] == pytest.approx(66.5, abs=0.1)
    tex = (res / "tables" / "table2sls.tex").read_text()
    assert "TBI instrumented by the TBI of the previous benchmark year (t-3)" in tex and "The first benchmark year (2002) has no previous one and drops out" in tex
    table_set = pd.read_csv(res / "tables" / "table_set.csv").set_index("table")
    assert table_set.loc["dva", "status"] == "skipped" and "cannot give the KWW/DVA-based TBI" in table_set.loc["dva", "reason"]
    assert not (res / "tables" / "tabledva.tex").exists() and (table_set.drop("dva")["status"] == "built").all()
    assert "table dva (Robustness: TBI from domestic value added in gross exports (KWW/WWZ)) skipped" in (tmp_path / "logs" / "regression_tables.log").read_text()
    table1 = pd.read_csv(res / "tables" / "table1_tbi.csv")
    assert table1["year"].tolist() == [2002, 2005, 2008, 2011, 2014]
    assert (pd.read_csv(res / "tables" / "table1_comparison.csv")["status"] == "within_tolerance").sum() == 40  # 8 countries × 5 years
    report = (res / "report.md").read_text()
    assert "### DVA — TBI rebuilt from domestic value added in gross exports (KWW/WWZ)\n\nSkipped: " in report
    assert "these are its data" in report and "## Summary: wiod2016_flows" in report
    glance = report.split("## Replication at a glance", 1)[1].split("## Summary", 1)[0]
    assert "| wiod2016_flows (the paper's own data; the tables below) | 2002, 2005, 2008, 2011, 2014; 41 countries; N = 205 | 40 of 40 | 12 of 17 | 5 of 17 | 71 of 139 | 18 of 139 |" in glance
    # the paper's in-text results as claims: the 2SLS judged, the DVA check not available with the reason
    claim4 = glance.split("*Claim 4:", 1)[1].split("*Claim 5:", 1)[0]
    assert "| wiod2016_flows (the paper's own data; the tables below) | not supported | not supported | – | 2SLS 1 7.89 (p 0.100;" in claim4
    assert "| not available | not available | – | not available: wiod2016_flows cannot give the KWW/DVA-based TBI" in glance.split("*Claim 5:", 1)[1]
    by_release = pd.read_csv(res / "estimates_by_release.csv", dtype={"table": str})
    assert set(by_release["release"]) == {"wiod2016_flows"} and set(by_release["table"]) == {"3", "4", "5", "6", "2sls"}
    np.testing.assert_allclose(by_release[(by_release["variable"] == "TBI") & (by_release["table"] == "3")]["coef"], t3.to_numpy(), rtol=1e-9)
    assert len(pd.read_stata(res / "data" / "panel.dta")) == 205
    assert set(pd.read_csv(res / "referee_checks.csv")["release"]) == {"wiod2016_flows"}
