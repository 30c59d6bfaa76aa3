"""End-to-end: the Snakemake workflow on the real raw data, on a synthetic WIOD 2016 release, and its download rule.

Each run writes into a temporary folder (``processed_dir``, ``results_dir``,
``logs_dir`` overridden), never into the project's own outputs.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, raw_dir, require_raw

from tradeimbalance.outputs.latex_tables import document

pytestmark = pytest.mark.e2e


_CAPTURE: list[object] = []


@pytest.fixture(autouse=True, scope="module")
def _progress_channel(pytestconfig: pytest.Config) -> None:
    """Lets :func:`snakemake` show the workflow's progress while pytest captures the test's output."""
    _CAPTURE[:] = [pytestconfig.pluginmanager.getplugin("capturemanager")]


def _progress(line: str) -> None:
    capman = _CAPTURE[0] if _CAPTURE else None
    if capman is None:
        return
    with capman.global_and_fixture_disabled():  # type: ignore[attr-defined]
        sys.stderr.write(f"    workflow: {line}\n")
        sys.stderr.flush()


def snakemake(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run Snakemake in the project; its "N of M steps done" lines are shown as they come (a run takes minutes)."""
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", "--nolock", *args]
    with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as run:
        out_lines: list[str] = []
        reader = threading.Thread(target=lambda: out_lines.extend(run.stdout), daemon=True)  # type: ignore[arg-type]
        reader.start()
        err_lines = []
        for line in run.stderr:  # type: ignore[union-attr]
            err_lines.append(line)
            if re.match(r"\d+ of \d+ steps \(", line):
                _progress(line.strip())
        run.wait()
        reader.join()
    proc = subprocess.CompletedProcess(cmd, run.returncode, "".join(out_lines), "".join(err_lines))
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}")
    return proc


def out_config(base: Path, **extra: object) -> list[str]:
    """Outputs in ``base``; the WIOD 2013 release (the one on hand here) unless ``io_release`` is given."""
    items = {
        "processed_dir": base / "processed",
        "results_dir": base / "results",
        "logs_dir": base / "logs",
        "io_release": "wiod2013",
        **extra,
    }
    return ["--config", *(f"{k}={v}" for k, v in items.items())]


def symlinked_raw(target: Path) -> Path:
    """A raw-data directory of symlinks to the real files: even a faulty rule could only remove a link."""
    for src in raw_dir().rglob("*"):
        if src.is_file():
            link = target / src.relative_to(raw_dir())
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(src)
    return target


def planned_jobs(dry_run_stdout: str) -> dict[str, int]:
    """Job counts from the "Job stats" table of a dry run (without its total)."""
    lines = dry_run_stdout.split("Job stats:", 1)[1].splitlines() if "Job stats:" in dry_run_stdout else []
    jobs: dict[str, int] = {}
    for line in lines:
        parts = line.split()
        if parts and parts[0] == "total":
            break
        if len(parts) == 2 and parts[1].isdigit():
            jobs[parts[0]] = int(parts[1])
    return jobs


def kill_midway(cfg: list[str], ready: Callable[[], bool], timeout: float = 600) -> bool:
    """Start the workflow, SIGKILL its whole process group once ``ready()``; True if it was killed before finishing."""
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", "--nolock", *cfg]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if ready():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.2)
    proc.wait()
    return False


def compile_tables(tex_files: list[Path], workdir: Path) -> None:
    """Every generated table compiled in the README's wrapper (article + booktabs, graphicx, rotating), each in a document
    of its own, when a LaTeX engine is installed (CI installs pdflatex). A table wider than the page by more than 1 pt
    (an overfull box, which LaTeX only warns about) fails, naming the table."""
    assert len(tex_files) >= 8  # Table 1, 3–6, 2SLS, DVA, sensitivity
    workdir.mkdir()
    engine = shutil.which("pdflatex") or shutil.which("lualatex")
    for i, f in enumerate(tex_files):
        (workdir / f"t{i}.tex").write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
        (workdir / f"doc{i}.tex").write_text(document([f"t{i}.tex"]), encoding="utf-8")
        if engine is None:
            continue  # structure is checked by tests/test_latex_tables.py; the real tables are compiled wherever an engine exists
        proc = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", f"doc{i}.tex"], cwd=workdir, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=300)  # fmt: skip
        assert proc.returncode == 0, f"{f.name}: " + proc.stdout[-3000:]
        log = (workdir / f"doc{i}.log").read_text(errors="replace")
        assert "Undefined control sequence" not in log, f.name
        over = [float(x) for x in re.findall(r"Overfull \\[hv]box \(([\d.]+)pt too (?:wide|high)", log)]
        assert not [x for x in over if x > 1.0], f"{f.name} does not fit the page: overfull by {max(over):.1f} pt"


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ the DAG
# ------------------------------------------------------------- real data
REAL_FILES = ("wiod2013/wiot_2000.RData", "kof/KOFGI_2019_index.xlsx", "pwt/pwt91.dta", "wgi/wgidataset.xlsx", "wdi/FP.CPI.TOTL.ZG.csv")


#: The jobs a KOF-vintage switch reruns: the panel and everything estimated on it (the curve marks the configured vintage;
#: its estimates and its joint test cover every vintage and are neither estimated nor drawn again).
VINTAGE_SWITCH_JOBS = {
    "panel", "estimates", "compare_estimates", "regression_tables", "figure1", "control_alternatives", "inference", "specification_curve",
    "compare_releases", "report", "analysis_data", "referee_checks", "causal_checks", "forest_figure", "second_implementation",
}  # fmt: skip


#: The shared run's lighter draws: the tests check what the draws give, not how many (the defaults, and their speed, are
#: the benchmark's: make benchmark). The few-cluster bootstraps with B = 999 (drawn on to 9,999 near a threshold); the
#: curve's joint test with B = 199 and no longer run; the referee and causal checks on two columns (the main one, Table 3
#: column 3, and one on a subsample, Table 4 column 4) with 199 permutations and 199 bootstrap draws.
E2E_DRAWS = {
    "inference": {"bootstrap_draws": 999, "rerun_draws": 9999},
    "specification_curve": {"joint_test_draws": 199, "joint_test_rerun_draws": 0},
    "referee_checks": {
        "specifications": ["3.3", "4.4"], "permutation_draws": 199, "bootstrap_draws": 199, "permutation_rerun_draws": 0,
        "bootstrap_rerun_draws": 0,
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """One complete run of the default workflow on the real raw data, shared by the tests below.

    It is first killed mid-way (SIGKILL to the whole process group, the worst case) and then resumed as the
    README says, so every test below also checks that a resumed run is complete and correct.
    """
    require_raw(*REAL_FILES)
    base = tmp_path_factory.mktemp("full_run")
    overlay = base / "draws.yaml"
    overlay.write_text(yaml.safe_dump(E2E_DRAWS))
    cfg = ["--configfile", str(overlay), *out_config(base, raw_dir=symlinked_raw(base / "raw"))]
    proc, res = base / "processed", base / "results"
    killed = kill_midway(cfg, lambda: len(list((proc / "io" / "wiod2013").glob("*.parquet"))) >= 3)
    assert killed, "the workflow finished before it could be killed"
    assert not (res / "report.md").exists()
    snakemake("--rerun-incomplete", *cfg)
    return base, cfg


@pytest.mark.realdata
def test_full_workflow_on_real_data(full_run: tuple[Path, list[str]]) -> None:
    base, cfg = full_run
    proc, res = base / "processed", base / "results"
    tbi = pd.read_parquet(proc / "tbi.parquet")
    # the sample years and 1999, whose TBI instruments 2000 in the 2SLS (the release has it: release.tbi_years)
    assert set(tbi["year"]) == set(range(1999, 2012)) and tbi["iso3"].nunique() == 41
    assert tbi.groupby("year")["numerator"].sum().abs().max() < 1e-6 * tbi["denominator"].max()
    # The data curator's independent check of these tables (shared/data/raw/wiod2013/SOURCES.md), 2005:
    row = tbi.set_index(["iso3", "year"])["tbi"]
    assert row["CHN", 2005] == pytest.approx(0.160, abs=5e-4)
    assert row["USA", 2005] == pytest.approx(-0.259, abs=5e-4)
    assert row["DEU", 2005] == pytest.approx(0.169, abs=5e-4)

    ident = pd.read_csv(res / "checks" / "identities_wiod2013.csv")
    assert len(ident) == 17  # every WIOD 2013 year: 1995–2000 are compared with the long-run WIOD
    # The origin identity is off only by the packaging's rounding, and exactly by it:
    assert ident["max_abs_va_gap_net_of_rounding"].max() < 1e-12
    assert ident["max_abs_fd_rel_gap"].max() < 1e-3
    assert ident["max_kww_adding_up_rel_gap"].max() < 1e-3

    cmp = pd.read_csv(res / "tables" / "table1_comparison.csv")
    assert len(cmp) == 120 and (cmp["status"] == "not_computed").sum() == 24  # every published cell; 2012–2014 × 8 countries not computed
    table1 = pd.read_csv(res / "tables" / "table1_tbi.csv")
    assert list(table1.columns) == ["year", "CHN", "USA", "GBR", "KOR", "DEU", "IND", "BRA", "JPN"]
    assert (res / "tables" / "table1_tbi.tex").read_text().count("\\\\") >= 13

    kof = pd.read_parquet(proc / "kof.parquet")
    assert kof["vintage"].nunique() == 8 and "ROM" not in set(kof["iso3"]) and "ROU" in set(kof["iso3"])
    coverage = pd.read_parquet(proc / "kof_coverage.parquet")
    assert (coverage[coverage["iso3"] == "TWN"]["status"] == "absent").all()
    for name in ("pwt.parquet", "wgi.parquet", "wdi_inflation.parquet", "tbi_dva.parquet"):
        assert len(pd.read_parquet(proc / name)) > 0
    # every job wrote its log: one log beside each job's benchmark file (logs/<rule>[/<wildcards>].log)
    logs = base / "logs"
    jobs = {str(p.relative_to(logs / "benchmarks").with_suffix("")) for p in (logs / "benchmarks").rglob("*.tsv")}
    assert len(jobs) >= 30 and {j for j in jobs if not (logs / f"{j}.log").is_file()} == set()

    # The estimation end: the stable estimates contract, every table, Figure 1, the report.
    est = pd.read_csv(res / "estimates.csv", dtype={"table": str})
    assert {"table", "column", "depvar", "sample", "variable", "coef", "se", "pvalue", "stars", "nobs", "r2"} <= set(est.columns)
    assert set(est["table"]) == {"3", "4", "5", "6", "2sls", "dva"}
    t3 = est[(est["table"] == "3") & (est["variable"] == "TBI")].set_index("column")
    assert t3["nobs"].tolist() == [456] * 4  # 38 countries × 2000–2011 on WIOD 2013
    assert (t3["coef"] > 0).all()  # the paper's headline sign
    panel = pd.read_parquet(proc / "panel.parquet")
    assert panel["iso3"].nunique() == 38 and not {"ROU", "TWN", "CHE", "HRV", "NOR"} & set(panel["iso3"])
    exclusions = pd.read_csv(res / "reports" / "sample_exclusions.csv")
    assert len(panel) + len(exclusions) == 43 * 15  # every candidate country-year is either in or logged
    for t in ["3", "4", "5", "6", "2sls", "dva"]:
        assert (res / "tables" / f"table{t}.tex").read_text().count("\\toprule") == 1
        assert (res / "tables" / f"table{t}.csv").exists()
    assert (res / "figures" / "figure1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (res / "figures" / "figure1.pdf").read_bytes()[:4] == b"%PDF"
    report = (res / "report.md").read_text()
    assert "Table 1:" in report and "Table 3:" in report and "Table 4:" in report
    assert (res / "report.html").read_text().startswith("<!DOCTYPE html>")
    # Every release side by side (the WIOD 2016 flows and the long-run WIOD are on hand here).
    assert "## The paper's own release and other eras" in report
    by_release = pd.read_csv(res / "estimates_by_release.csv", dtype={"table": str})
    assert list(dict.fromkeys(by_release["release"])) == ["wiod2013", "wiod2016_flows", "wiod_longrun"]
    tbi3 = by_release[(by_release["variable"] == "TBI") & (by_release["table"] == "3")]
    assert tbi3.groupby("release")["nobs"].first().to_dict() == {"wiod2013": 456, "wiod2016_flows": 205, "wiod_longrun": 704}
    assert tbi3[tbi3["release"] == "wiod2013"]["coef"].tolist() == pytest.approx(t3["coef"].tolist(), rel=1e-9)  # the same model
    pairs = pd.read_csv(res / "tables" / "release_pairs.csv").set_index("pair")
    assert pairs.loc["wiod2013 vs wiod2016_flows", "country_years"] == 152  # 38 countries × 2002, 2005, 2008, 2011
    assert pairs.loc["wiod2013 vs wiod2016_flows", "corr_within"] < pairs.loc["wiod2013 vs wiod2016_flows", "corr_overall"]
    t1 = pd.read_csv(res / "tables" / "table1_by_release.csv")
    assert t1[t1["release"] == "wiod2016_flows"]["agrees_4dp"].tolist() == [True] * 40  # 8 countries × 5 benchmark years
    skipped = pd.read_csv(res / "reports" / "releases_skipped.csv")
    assert "KWW/DVA-based TBI" in set(skipped[skipped["release"] == "wiod2016_flows"]["what"])
    # every regression of the paper on every release (the flows give no DVA), so each claim can be judged per release
    assert set(by_release["table"]) == {"3", "4", "5", "6", "2sls", "dva"}
    assert set(by_release.loc[by_release["table"] == "dva", "release"]) == {"wiod2013", "wiod_longrun"}
    iv = by_release[(by_release["table"] == "2sls") & (by_release["variable"] == "TBI")]
    assert iv["kp_wald_f"].notna().all() and iv["kp_lm_pvalue"].between(0, 1).all() and iv["p_wcr_rademacher"].between(0, 1).all()
    assert set(iv.loc[iv["release"] == "wiod2016_flows", "instrument"]) == {"TBI of the previous benchmark year (t-3)"}
    # the published coefficient, SE and stars beside each of ours: all 139 on each release that has the columns
    published_rows = by_release[by_release["coef_published"].notna()]
    assert published_rows.groupby("release").size().to_dict() == {"wiod2013": 139, "wiod2016_flows": 139, "wiod_longrun": 124}  # the long run has no RQ (15 columns)
    assert published_rows["se_published"].notna().all() and published_rows["nobs_published"].isin([615, 330, 285]).all()
    assert len(pd.read_csv(res / "checks" / "identities_wiod_longrun.csv")) == 36
    compile_tables([*sorted((res / "tables").glob("*.tex")), res / "inference_tbi.tex"], base / "latex")
    search = pd.read_csv(res / "reports" / "specification_search.csv", nrows=1)
    assert search.loc[0, "convention"] == "xtreg"
    # with all 17 published constants the fitted-mean ranking is close (2019 and BGR 0.344, 2018_2 and ROU 0.373); with the
    # TBI means fixed at the WIOD 2013 values ROU leads clearly (docs/specification.md)
    ranking = pd.read_parquet(res / "reports" / "specification_search.parquet")
    assert ranking.sort_values("rms_residual_tbi_on_hand", kind="mergesort").iloc[0]["dropped"] == "ROU"
    sens = pd.read_csv(res / "tables" / "sensitivity_kof_vintage.csv")
    assert sens["kof_vintage"].nunique() == 8
    # LaTeX as in the regression tables: true minus signs, stars as superscripts.
    table1_tex = (res / "tables" / "table1_tbi.tex").read_text()
    assert "$-$0." in table1_tex and not re.search(r"&\s*-\d", table1_tex)
    sens_tex = (res / "tables" / "sensitivity_kof_vintage.tex").read_text()
    assert "$^{***}$" in sens_tex and not re.search(r"\d\*", sens_tex)
    # The search's full ranking is parquet; the CSV keeps its best rows; a tie is reported with its tie-break.
    assert len(pd.read_parquet(res / "reports" / "specification_search.parquet")) > 100_000
    assert len(pd.read_csv(res / "reports" / "specification_search.csv")) == 200
    search_log = (base / "logs" / "specification_search.log").read_text()
    assert "best: convention=xtreg" in search_log

    # Few-cluster inference: one row per TBI coefficient of the tables, the published convention as estimates.csv.
    inference = pd.read_csv(res / "inference_tbi.csv", dtype={"table": str})
    tbi_rows = est[(est["variable"] == "TBI") & (est["stage"] == "second")]
    assert len(inference) == len(tbi_rows) == 25
    merged = inference.merge(tbi_rows, on=["table", "column"])
    np.testing.assert_allclose(merged["coef_x"], merged["coef_y"], rtol=1e-9)
    np.testing.assert_allclose(merged["se_cluster"], merged["se"], rtol=1e-9)
    for col in ("p_wcr_rademacher", "p_wcr_webb", "p_crv3", "p_dk", "p_twoway", "p_twoway_cgm"):
        assert inference[col].between(0, 1).all(), col
    # every bootstrap p has its Monte Carlo SE; those near a threshold were drawn again with more draws
    for w in ("rademacher", "webb"):
        np.testing.assert_allclose(inference[f"mcse_wcr_{w}"], np.sqrt(inference[f"p_wcr_{w}"] * (1 - inference[f"p_wcr_{w}"]) / inference[f"draws_wcr_{w}"]))
        assert set(inference[f"draws_wcr_{w}"]) <= {999, 9999}  # E2E_DRAWS: B = 999, drawn on to 9,999 near a threshold
    assert (inference["twoway_convention"] == "reghdfe").all() and (inference["se_twoway"] == inference["se_twoway_reghdfe"]).all()
    assert "TBI from the WIOD 2013 release" in (res / "inference_tbi.tex").read_text()
    assert (inference["se_crv3"] > 0).all() and inference["ar_set"].notna().sum() == 4
    iv = inference[inference["table"] == "2sls"]
    assert iv["ar_set_kind"].isin(["interval", "real_line", "outside_interval", "empty"]).all()
    # The specification curve: the configured rows are the paper's columns, and the published one is Table 3 col 3.
    curve = pd.read_csv(res / "specification_curve.csv", keep_default_na=False, na_values=[""], dtype={"kof_vintage": str, "paper_column": str})
    per_release = 8 * 5 * 2 * 3 * (1 + 2 * 3)  # vintages × outcomes × controls × country sets × samples/lists, per TBI definition
    # every release present, each on its own years; the flows give 2 of the 4 TBI definitions (no DVA), listed as skipped;
    # each distinct regression once: the grid's choices that give the same estimation sample are merged (dropping BGR or
    # SVK, developing countries, from the developed sample; on the long-run WIOD, which lacks both, from every sample, and
    # the IMF list, which coincides there with the configured one)
    assert curve.groupby("io_release")["merged"].sum().to_dict() == {"wiod2013": 4 * per_release, "wiod2016_flows": 2 * per_release, "wiod_longrun": 4 * per_release}
    assert curve.groupby("io_release").size().to_dict() == {"wiod2013": 5120, "wiod2016_flows": 2560, "wiod_longrun": 1600}
    assert curve.loc[curve["merged"] > 1, "stands_for"].str.contains("country_set: configured = drop").all()
    assert curve.groupby("io_release")["years"].first().to_dict() == {"wiod2013": "2000–2011", "wiod2016_flows": "2002, 2005, 2008, 2011, 2014", "wiod_longrun": "1970–2000"}
    curve_skipped = pd.read_csv(res / "reports" / "specification_curve_skipped.csv")
    not_available = curve_skipped[curve_skipped["kind"] == "not available"]
    assert set(zip(not_available["release"], not_available["choice"])) == {("wiod2016_flows", "dva"), ("wiod2016_flows", "dva_no_row")}
    merged = curve_skipped[curve_skipped["kind"] == "merged"]
    assert set(zip(merged["release"], merged["dimension"], merged["choice"])) >= {
        ("wiod_longrun", "country_set", "drop BGR instead of ROU"), ("wiod_longrun", "developed_list", "imf_advanced_2000"),
        ("wiod_longrun", "country_set + developed_list", "drop BGR instead of ROU; imf_advanced_2000"),
    }  # fmt: skip
    # the merge log counts each specification merged away once: its sums are the grid less the distinct regressions
    grid_less_distinct = curve.groupby("io_release")["merged"].sum() - curve.groupby("io_release").size()
    assert merged.groupby("release")["specifications"].sum().to_dict() == grid_less_distinct.to_dict() == {"wiod2013": 1600, "wiod2016_flows": 800, "wiod_longrun": 5120}
    # a swap means the same on every release: "drop BGR instead of ROU" lets ROU back in on the flows and WIOD 2013 alike
    flows_swap = curve[(curve["io_release"] == "wiod2016_flows") & (curve["country_set"] == "drop BGR instead of ROU") & (curve["sample"] == "all")]
    assert (flows_swap["nobs"] == 205).all()
    assert curve["coef"].notna().all() and (curve.loc[curve["sample"] == "all", "developed_list"] == "n/a").all()
    # the curve's joint test and variance decomposition, per release
    joint = pd.read_csv(res / "specification_curve_joint_test.csv").set_index("release")
    assert list(joint.index) == ["wiod2013", "wiod2016_flows", "wiod_longrun"] and (joint["draws"] == 199).all()
    for col in ("p_median", "p_share", "p_stouffer", "p_median_positive", "p_share_grid"):
        assert joint[col].between(1 / 200, 1).all(), col
        np.testing.assert_allclose(joint[col.replace("p_", "mcse_", 1)], np.sqrt(joint[col] * (1 - joint[col]) / joint[col.replace("p_", "draws_", 1)]))
    assert (joint["specifications"] == curve.groupby("io_release").size().reindex(joint.index)).all()
    assert (joint["undefined_draws"] == 0).all() and joint.loc["wiod_longrun", "undefined_estimates"] > 0
    assert joint.loc["wiod2013", "median_coef"] == pytest.approx(curve.loc[curve["io_release"] == "wiod2013", "coef"].median(), rel=1e-9)
    variance = pd.read_csv(res / "specification_curve_variance.csv")
    assert set(variance["release"]) == {"wiod2013", "wiod2016_flows", "wiod_longrun", "all releases"}
    assert variance["share"].between(0, 1).all() and (variance.groupby("release")["kind"].apply(lambda k: (k == "interaction").sum()) == 1).all()
    dims = variance[variance["kind"] == "dimension"]
    additive = variance[variance["kind"] == "additive"].set_index("release")["shapley"]
    np.testing.assert_allclose(dims.groupby("release")["shapley"].sum().reindex(additive.index), additive, atol=1e-5)  # the Shapley shares add up (6 decimals)
    assert (dims.loc[dims["term"] == "developed_list", "nested_in"] == "sample").all()
    # the interaction row is a gain over the full additive model (a nesting coded in it adds nothing), the rest what is left
    rows_of = variance.set_index(["release", "kind"])
    for release in ("wiod2013", "wiod2016_flows", "wiod_longrun"):
        inter, rest = float(rows_of.loc[(release, "interaction"), "shapley"]), float(rows_of.loc[(release, "residual"), "shapley"])
        assert rest == pytest.approx(1 - additive[release] - inter, abs=2e-6) and "sample × developed_list" not in str(rows_of.loc[(release, "interaction"), "term"])
    assert variance["note"].str.contains("need not add up").any() and "not a partition" in report
    assert (res / "figures" / "specification_curve_variance.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "The curve's own test" in report and "What moves the estimate on **wiod2016_flows**" in report
    assert curve.groupby("io_release")["published_main"].sum().to_dict() == {"wiod2013": 1, "wiod2016_flows": 1, "wiod_longrun": 1}  # each release's own
    main = curve[curve["published_main"] & (curve["io_release"] == "wiod2013")]
    assert len(main) == 1
    t33 = tbi_rows[(tbi_rows["table"] == "3") & (tbi_rows["column"] == 3)].iloc[0]
    assert main.iloc[0]["coef"] == pytest.approx(t33["coef"], rel=1e-9) and main.iloc[0]["se"] == pytest.approx(t33["se"], rel=1e-9)
    labelled = curve[curve["paper_column"].notna() & (curve["io_release"] == "wiod2013")].set_index("paper_column")
    fe_rows = tbi_rows[tbi_rows["estimator"] == "fe"].assign(cell=lambda f: f["table"] + "." + f["column"].astype(str)).set_index("cell")
    assert set(labelled.index) == set(fe_rows.index)
    np.testing.assert_allclose(labelled.loc[fe_rows.index, "coef"], fe_rows["coef"], rtol=1e-9)
    assert (res / "figures" / "specification_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (res / "figures" / "specification_curve.pdf").read_bytes()[:4] == b"%PDF"
    assert "## How robust is the TBI effect?" in report and "specifications" in report.split("## How robust", 1)[1]
    assert "CD Wald F: ivreghdfe degrees of freedom" in (res / "tables" / "table2sls.tex").read_text()
    assert "Instrument L.TBI: the TBI of the previous year (t-1)" in (res / "tables" / "table2sls.tex").read_text()
    # The report leads with what replicates, release by release (the paper's own data first), and the paper's claims.
    glance = report.split("## Replication at a glance", 1)[1].split("## Summary", 1)[0]
    assert glance.index("wiod2016_flows (the paper's own data)") < glance.index("wiod2013 (the tables below)")
    assert "| wiod2016_flows (the paper's own data) | 2002, 2005, 2008, 2011, 2014; 41 countries; N = 205 | 40 of 40 |" in glance
    assert re.search(r"\| wiod2013 \(the tables below\) \| 2000–2011; 38 countries; N = 456 \| 0 of 96 \| \d+ of 17 \| \d+ of 17 \| \d+ of 139 \| \d+ of 139 \|", glance)
    assert "*Claim 4: The 2SLS with the lagged TBI as instrument" in glance and "*Claim 5: The TBI rebuilt from domestic value added" in glance
    assert "| wiod2016_flows (the paper's own data) | not available | not available | – | not available: wiod2016_flows cannot give the KWW/DVA-based TBI" in glance
    assert "withh" not in report and "![The published TBI coefficients beside each release's](figures/forest_tbi.png)" in glance
    # the forest figure from the outputs: one row per published TBI coefficient and release present
    forest = pd.read_csv(res / "figures" / "forest_tbi.csv", dtype={"table": str})
    assert forest.groupby("source").size().to_dict() == {"published": 17, "wiod2013": 17, "wiod2016_flows": 17, "wiod_longrun": 17}
    assert (res / "figures" / "forest_tbi.pdf").read_bytes()[:4] == b"%PDF"
    # Tables 5 and 6 compared as Tables 3 and 4 are, and N and R² of all 17 columns
    coefficients = pd.read_csv(res / "tables" / "coefficients_comparison.csv", dtype={"table": str})
    assert coefficients.groupby("table").size().to_dict() == {"3": 22, "4": 36, "5": 27, "6": 54} and coefficients["se_ours"].notna().all()
    assert len(pd.read_csv(res / "tables" / "column_stats_comparison.csv")) == 17
    assert "## Table 5 — " in report and "## Table 6 — " in report and "wiod2013: Table 6:" in report
    assert "*Claim 1: A country losing from value-added trade de-globalises, overall (Table 3).*" in glance and "Economic size" in glance
    # The panel for Stata and R, with its labels.
    dta = pd.read_stata(res / "data" / "panel.dta")
    with pd.io.stata.StataReader(res / "data" / "panel.dta") as reader:
        labels = reader.variable_labels()
    assert len(dta) == len(panel) and labels["KOFGIdj"] == "KOF Globalisation Index, de jure, overall (0-100)"
    np.testing.assert_allclose(dta["TBI"].to_numpy(), panel.sort_values(["iso3", "year"])["TBI"].to_numpy())
    # Can the effect be read causally? Every release, every configured specification.
    checks = pd.read_csv(res / "referee_checks.csv", dtype={"table": str})
    assert set(checks["release"]) == {"wiod2013", "wiod2016_flows", "wiod_longrun"}
    assert checks.groupby("release").apply(lambda g: g[["table", "column"]].drop_duplicates().shape[0], include_groups=False).eq(2).all()
    flows33 = checks[(checks["release"] == "wiod2016_flows") & (checks["table"] == "3") & (checks["column"] == 3)].set_index(["check", "term"])
    assert flows33.loc[("lead", "F.TBI"), "nobs"] == 164 and flows33.loc[("lead", "F.TBI"), "coef"] == pytest.approx(10.33, abs=0.01)
    assert flows33.loc[("leave one out", "without BRA"), "coef"] == pytest.approx(15.06, abs=0.01)
    assert (res / "figures" / "leave_one_out.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "## Can the TBI effect be read causally?" in report and "- **wiod2016_flows**: the association cannot be read as an effect" in report
    # How strong is the causal case? Every release, every configured specification, each of the four checks.
    strong = pd.read_csv(res / "causal_checks.csv", dtype={"table": str})
    assert set(strong["release"]) == {"wiod2013", "wiod2016_flows", "wiod_longrun"}
    assert set(strong["check"]) == {"difference GMM", "system GMM", "plausibly exogenous instrument", "omitted-variable sensitivity", "TWFE weights"}
    flows_gmm = strong[(strong["release"] == "wiod2016_flows") & strong["check"].str.endswith("GMM")]
    # five benchmark years are enough for the GMM (one AR(2) pair per country, said in the AR(2) row)
    assert flows_gmm.loc[flows_gmm["term"] == "TBI", "coef"].notna().all()
    ar2 = flows_gmm[flows_gmm["term"] == "AR(2)"]
    assert ar2["note"].str.contains(r"rests on \d+ pairs .*little power").all()  # one pair per country: 41 (all), 19 (developing)
    assert ar2.loc[ar2["sample"] == "all", "note"].str.contains("rests on 41 pairs").all()
    gmm13 = strong[(strong["release"] == "wiod2013") & (strong["check"] == "system GMM") & (strong["table"] == "3") & (strong["column"] == 3)].set_index("term")
    assert np.isfinite(gmm13.loc["TBI", "coef"]) and gmm13.loc["TBI", "instruments"] < gmm13.loc["TBI", "nclusters"]
    assert {"AR(1)", "AR(2)", "Hansen J", "long-run effect", "L.KOFGIdj"} <= set(gmm13.index)
    delta = pd.read_csv(res / "causal_checks_delta.csv", dtype={"table": str})
    at_zero = delta[delta["share"] == 0].merge(strong[strong["term"] == "2SLS (δ = 0)"], on=["release", "table", "column"])
    np.testing.assert_allclose(at_zero["uci_low"], at_zero["low"], rtol=1e-9)  # δ = 0: the 2SLS interval
    rv = strong[strong["term"].str.startswith("RV q=1, α=0.05")]
    assert rv["share"].between(0, 1).all() and set(rv["setting"]) == {"OLS t", "clustered t"}
    weights = strong[strong["check"] == "TWFE weights"]
    assert (weights["n_positive"] + weights["n_negative"] > 0).all() and weights.groupby("term").size().to_dict() == {
        "reference TBI = 0 (balanced trade)": 6, "reference: the sample minimum": 6}  # 3 releases × 2 columns
    for name in ("plausibly_exogenous", "sensitivity_contours"):
        assert (res / "figures" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Dynamic panel GMM (Blundell–Bond" in report and "the timing test and the dynamic panel GMM included" in report


@pytest.mark.realdata
def test_one_question_one_answer_across_the_outputs(full_run: tuple[Path, list[str]]) -> None:
    """The configured release's 2SLS is the same (N and coefficient) in estimates.csv, estimates_by_release.csv, the causal
    checks and panel_<release>.dta; its bootstrap p-values are those of inference_tbi.csv; the flows get GMM numbers."""
    base, _ = full_run
    res = base / "results"
    est = pd.read_csv(res / "estimates.csv", dtype={"table": str})
    by = pd.read_csv(res / "estimates_by_release.csv", dtype={"table": str})
    inf = pd.read_csv(res / "inference_tbi.csv", dtype={"table": str})
    causal = pd.read_csv(res / "causal_checks.csv", dtype={"table": str})
    tsls = est[(est["table"] == "2sls") & (est["variable"] == "TBI") & (est["stage"] == "second")].set_index("column")
    mine = by[(by["release"] == "wiod2013") & (by["table"] == "2sls") & (by["variable"] == "TBI") & (by["stage"] == "second")].set_index("column")
    assert (tsls["nobs"] == 456).all() and (mine["nobs"] == 456).all()  # 2000 instrumented by 1999's TBI
    np.testing.assert_allclose(tsls["coef"], mine.loc[tsls.index, "coef"], rtol=1e-9)
    zero = causal[(causal["release"] == "wiod2013") & (causal["term"] == "2SLS (δ = 0)") & (causal["table"] == "3")].set_index("column")
    for col in zero.index:
        assert zero.loc[col, "coef"] == pytest.approx(tsls.loc[col, "coef"], rel=1e-9) and zero.loc[col, "nobs"] == 456
    cells = inf.merge(by[(by["release"] == "wiod2013") & (by["variable"] == "TBI") & (by["stage"] == "second")], on=["table", "column"], suffixes=("", "_by"))
    assert len(cells) == len(inf) and (cells["p_wcr_rademacher"] == cells["p_wcr_rademacher_by"]).all()
    panel = pd.read_stata(res / "data" / "panel_wiod2013.dta")
    assert panel.loc[panel["year"] == 2000, "L_TBI"].notna().all()
    if "wiod2016_flows" in set(causal["release"]):
        gmm = causal[(causal["release"] == "wiod2016_flows") & causal["check"].str.endswith("GMM") & (causal["term"] == "TBI")]
        assert len(gmm) and gmm["coef"].notna().all() and gmm["se"].notna().all()
        ar2 = causal[(causal["release"] == "wiod2016_flows") & (causal["term"] == "AR(2)")]
        assert ar2["note"].str.contains(r"rests on \d+ pairs").all()
    system = causal[(causal["check"] == "system GMM") & (causal["term"] == "TBI") & causal["coef"].notna()]
    assert (system["nobs"] < system["nobs_stacked"]).all()  # xtabond2's N (levels), the stacked count beside it


@pytest.mark.realdata
def test_the_second_implementation_in_r_agrees_on_every_release(full_run: tuple[Path, list[str]], tmp_path: Path) -> None:
    """R re-estimates every coefficient of Tables 3-6 (the 139 published ones among them), the 2SLS, the referee and the
    causal checks of every release from its panel, and agrees within 1e-6; a planted disagreement in a copy of the
    estimates fails, naming the row."""
    base, _ = full_run
    res = base / "results"
    check = pd.read_csv(res / "checks" / "second_implementation.csv", dtype={"table": str})
    if (check["block"] == "not run").all():
        pytest.skip(f"the second implementation did not run: {check['note'].iloc[0]} (CI installs R)")
    bad = check[~check["pass"].astype(bool)]
    assert bad.empty, bad.head(10).to_string()
    est = pd.read_csv(res / "estimates_by_release.csv", dtype={"table": str})
    assert set(check["release"]) == set(est["release"])
    assert set(check["block"]) == {"tables", "2sls", "referee", "causal"}
    tables = check[(check["block"] == "tables") & (check["quantity"] == "coef")]
    fe = est[(est["estimator"] == "fe")]
    assert len(tables) == len(fe)  # every coefficient of Tables 3-6 and the DVA columns, on every release
    published = pd.read_csv(ROOT / "data" / "published" / "published_coefficients.csv", dtype={"table": str})
    for release in set(est["release"]):
        mine = tables[tables["release"] == release]
        cells = set(zip(mine["table"], mine["column"].astype(int), mine["term"]))
        have = [(t, int(c), v) in cells for t, c, v in zip(published["table"], published["column"], published["variable"])]
        estimated = est[(est["release"] == release)]
        can = [((estimated["table"] == t) & (estimated["column"] == c) & (estimated["variable"] == v)).any() for t, c, v in zip(published["table"], published["column"], published["variable"])]
        assert have == can  # each published coefficient the release estimates is checked in R
    for block, quantities in (("2sls", {"kp_lm", "kp_wald_f", "cd_wald_f"}), ("causal", {"delta", "partial R2", "n_negative"})):
        assert quantities <= set(check.loc[check["block"] == block, "quantity"])
    assert {"lead", "lag", "lagged outcome", "long difference", "first difference", "leave one out"} <= set(check.loc[check["block"] == "referee", "check"])
    # a planted disagreement: one coefficient of a copy of the estimates moved by 1e-4 (relative)
    planted = est.copy()
    row = planted.index[(planted["table"] == "3") & (planted["column"] == 3) & (planted["variable"] == "TBI")][0]
    planted.loc[row, "coef"] *= 1 + 1e-4
    planted.to_csv(tmp_path / "estimates.csv", index=False, float_format="%.10g")
    out = tmp_path / "check.csv"
    run = subprocess.run(["Rscript", str(ROOT / "src" / "R" / "second_implementation.R"), "--results", str(res), "--out", str(out), "--estimates",
                          str(tmp_path / "estimates.csv"), "--referee", "none", "--causal", "none", "--strict"], capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 1, run.stderr[-2000:]
    failed = pd.read_csv(out, dtype={"table": str})
    failed = failed[~failed["pass"].astype(bool)]
    assert len(failed) == 1 and failed[["table", "column", "term", "quantity"]].iloc[0].tolist() == ["3", 3, "TBI", "coef"]
    assert f"DISAGREES: tables {planted.loc[row, 'release']} Table 3 column 3" in run.stdout


@pytest.mark.realdata
def test_complete_run_has_nothing_left_and_a_vintage_switch_reruns_only_its_branch(full_run: tuple[Path, list[str]]) -> None:
    base, cfg = full_run
    dry = snakemake("-n", *cfg)
    assert "Nothing to be done" in dry.stdout + dry.stderr
    jobs = planned_jobs(snakemake("-n", *cfg, "kof_vintage=2025").stdout)
    assert set(jobs) - {"all"} == VINTAGE_SWITCH_JOBS


@pytest.mark.realdata
def test_snakemake_html_report(full_run: tuple[Path, list[str]]) -> None:
    """The standard Snakemake HTML report, with the tables and the figure attached."""
    base, cfg = full_run
    html = base / "workflow_report.html"
    snakemake("--report", str(html), *cfg)
    assert html.stat().st_size > 10_000


# ------------------------------------------- stale results never pass as current
# These change the shared run's raw tree (a tree of symlinks: only a link is ever replaced) and restore it.
def restore_link(link: Path, target: Path, times: os.stat_result) -> None:
    """Put the symlink back as it was, with its own times (Snakemake also looks at a link's own mtime)."""
    if link.exists() or link.is_symlink():
        link.unlink()
    link.symlink_to(target)
    os.utime(link, ns=(times.st_atime_ns, times.st_mtime_ns), follow_symlinks=False)


@pytest.mark.realdata
def test_two_spellings_of_the_raw_folder_are_the_same_inputs(full_run: tuple[Path, list[str]]) -> None:
    base, cfg = full_run
    relative = os.path.relpath(base / "raw", ROOT)
    dry = snakemake("-n", *[c if not c.startswith("raw_dir=") else f"raw_dir={relative}" for c in cfg])
    assert "Nothing to be done" in dry.stdout + dry.stderr


@pytest.mark.realdata
def test_a_replaced_raw_file_reruns_only_its_branch(full_run: tuple[Path, list[str]]) -> None:
    """Different valid content, old modification time: the content digest still sees it."""
    base, cfg = full_run
    link = base / "raw" / "wdi" / "FP.CPI.TOTL.ZG.csv"
    target, link_times = link.resolve(), link.lstat()
    link.unlink()
    link.write_text(target.read_text(encoding="utf-8").replace(",FP.CPI.TOTL.ZG,", ",FP.CPI.TOTL.ZG,1.5", 1), encoding="utf-8")
    os.utime(link, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns))
    try:
        jobs = set(planned_jobs(snakemake("-n", *cfg).stdout)) - {"all"}
        assert "read_wdi" in jobs and "panel" in jobs
        assert not jobs & {"read_kof", "kof_panel", "io_batch_wiod2013", "io_batch_wiod_longrun", "tbi", "tbi_dva", "read_pwt", "read_wgi", "table1", "figure1"}
    finally:
        restore_link(link, target, link_times)
    dry = snakemake("-n", *cfg)
    assert "Nothing to be done" in dry.stdout + dry.stderr


@pytest.mark.realdata
def test_a_deleted_raw_file_is_noticed(full_run: tuple[Path, list[str]], tmp_path: Path) -> None:
    base, cfg = full_run
    link = base / "raw" / "wgi" / "wgidataset.xlsx"
    target, link_times = link.resolve(), link.lstat()
    override = tmp_path / "downloads.yaml"  # no network here, whatever the machine: the download must fail
    override.write_text(yaml.safe_dump({"downloads": {"wgi/wgidataset.xlsx": {"url": (tmp_path / "nowhere.xlsx").as_uri(), "checksum": "sha256:" + "0" * 64, "publisher": "https://www.worldbank.org/wgi"}}}))
    link.unlink()
    try:
        proc = snakemake("--configfile", str(override), *cfg, check=False)
        assert proc.returncode != 0
        assert f"Raw file {link} is missing and could not be downloaded" in proc.stdout + proc.stderr + (base / "logs" / "download" / "wgi" / "wgidataset.xlsx.log").read_text()
    finally:
        restore_link(link, target, link_times)
    dry = snakemake("-n", *cfg)
    assert "Nothing to be done" in dry.stdout + dry.stderr


@pytest.mark.realdata
def test_a_corrupt_raw_file_fails_every_run_until_restored_then_a_forced_rerun_recovers_byte_identically(full_run: tuple[Path, list[str]]) -> None:
    """A damaged raw file fails every run (the job that reads it, naming the file) until it is restored. The run that
    recovers also forces every single-job rule (with everything downstream of it) and remakes an output of KOF's batch
    reader (WIOD 2013's, the damaged file's job, is remade anyway): its outputs are byte-identical to the complete
    run's, so the resumed complete run left nothing stale and every step is deterministic, and nothing is left to do
    after it. One rerun of nearly the whole workflow checks both."""
    base, cfg = full_run
    proc_dir, res = base / "processed", base / "results"
    before = {**digests(proc_dir), **digests(res)}
    # WIOD 2013's 1996 table: read only for the comparison with the long-run WIOD (in the release's one reading job)
    link = base / "raw" / "wiod2013" / "wiot_1996.RData"
    target = link.resolve()
    link.unlink()
    link.write_bytes(target.read_bytes()[: target.stat().st_size // 2])  # truncated
    try:
        for attempt in (1, 2):
            run = snakemake(*cfg, check=False)
            assert run.returncode != 0, f"run {attempt} after corrupting the file exited 0"
            assert "wiot_1996.RData" in run.stdout + run.stderr + (base / "logs" / "io_batch" / "wiod2013.log").read_text()
            assert not (proc_dir / "io" / "wiod2013" / "wiot_1996.parquet").exists()
    finally:
        link.unlink()
        link.symlink_to(target)
    (proc_dir / "kof" / "kof_2025.parquet").unlink()
    singles = ["read_pwt", "read_wgi", "read_wdi", "kof_panel", "tbi", "tbi_dva", "identity_report", "table1", "table1_variants", "specification_search", "figure1"]
    snakemake("--forcerun", *singles, *cfg)
    assert {**digests(proc_dir), **digests(res)} == before
    dry = snakemake("-n", *cfg)
    assert "Nothing to be done" in dry.stdout + dry.stderr


#: Words in a documented command that mark it as a template to fill in, not a command to run as written.
PLACEHOLDERS = ("/path/to", "<", "[", "...", "…", "=DIR")
#: What must never appear when a documented command runs as written.
NEVER = ("command not found", "cores have to be specified", "Traceback (most recent call last)")


def user_env(local: Path) -> dict[str, str]:
    """The environment of a user's shell with this test's settings file: without the variables ``make test`` hands its
    children (a command-line ``RAW_DIR`` travels in ``MAKEFLAGS`` to every make started below it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("RAW_DIR", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    env["TRADEIMBALANCE_LOCAL_CONFIG"] = str(local)
    return env


def documented_commands() -> list[str]:
    """Every command the README's ``sh`` blocks and the Makefile's header give, in the order written: a line starting
    with ``make``, ``snakemake``, ``.venv/bin/snakemake`` or ``source .venv/bin/activate``, its comment cut off. The
    SLURM commands need a cluster (tests/test_slurm.py runs them) and templates with a placeholder are left out."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for block in re.findall(r"```sh\n(.*?)```", readme, flags=re.S) for line in block.splitlines()]
    header = (ROOT / "Makefile").read_text(encoding="utf-8").split("\n\n", 1)[0]  # the header: the comment block at the top
    lines += [line[1:].strip() for line in header.splitlines() if line.startswith("#   ")]
    out = []
    for line in lines:
        cmd = re.split(r"\s{2,}#|\s#\s", line.strip())[0].strip()
        if not cmd.startswith(("make", "snakemake", ".venv/bin/snakemake", "source .venv/bin/activate")):
            continue
        if any(p in cmd for p in PLACEHOLDERS) or "--workflow-profile" in cmd:
            continue
        if cmd not in out:
            out.append(cmd)
    return out


def as_dry_run(cmd: str) -> str:
    """The command as written, made to plan instead of run: Snakemake with ``--dry-run``; make's workflow targets with
    ``SNAKEMAKE_ARGS=--dry-run`` (the preflight and the remembering still run); make's other targets with ``make -n``."""
    if cmd.startswith("make"):
        words = cmd.split()
        target = next((w for w in words[1:] if "=" not in w and not w.startswith("-")), "reproduce")
        if target in ("reproduce", "sensitivity"):
            return f"{cmd} SNAKEMAKE_ARGS='--dry-run --nolock'"
        return "make -n " + cmd[len("make "):]
    return f"{cmd} --dry-run --nolock"


@pytest.mark.realdata
def test_every_documented_command_works_as_written(full_run: tuple[Path, list[str]], tmp_path: Path) -> None:
    """After the paper-data run, each command of the README and the Makefile header, as written (planned with a dry run
    where a full run is too long), in a checkout whose settings file holds this run's output folders: none says "command
    not found", "cores have to be specified" or prints a traceback, and each succeeds but for the online reproduction,
    which without the WIOD 2016 tables stops before any work, as the README says it does offline."""
    base, _ = full_run
    local = tmp_path / "local.yaml"
    local.write_text(yaml.safe_dump({"processed_dir": str(base / "processed"), "results_dir": str(base / "results"), "logs_dir": str(base / "logs"),
                                     **E2E_DRAWS}))  # fmt: skip
    env = user_env(local)
    ran = []
    for cmd in documented_commands():
        run = subprocess.run(["bash", "-c", as_dry_run(cmd)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        text = run.stdout + run.stderr
        assert not [n for n in NEVER if n in text], f"{cmd}: {text[-3000:]}"
        offline_stop = cmd == "make reproduce" and "Stopped before any work" in run.stderr and not (ROOT / "data/raw/wiod").exists()
        assert run.returncode == 0 or offline_stop, f"{cmd} (exit {run.returncode}): {text[-3000:]}"
        ran.append(cmd)
        if "IO_RELEASE=wiod2016_flows" in cmd:  # remembered with the raw folder: the next commands run on the flows
            assert yaml.safe_load(local.read_text())["io_release"] == "wiod2016_flows"
    assert "source .venv/bin/activate && snakemake --cores 4 --config kof_vintage=2025" in ran


# -------------------------------------------------- synthetic WIOD 2016
# ------------------------------------------------------------ downloads
WDI_HEADER = "Country Name,Country Code,Indicator Name,Indicator Code," + ",".join(str(y) for y in range(1960, 2025)) + ","


def _wdi_csv() -> bytes:
    rows = [WDI_HEADER]
    for name, code in [("China", "CHN"), ("Germany", "DEU")]:
        values = ",".join(f"{(i % 7) + 0.5}" for i in range(1960, 2025))
        rows.append(f'{name},{code},"Inflation, consumer prices (annual %)",FP.CPI.TOTL.ZG,{values},')
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.realdata
def test_a_curve_dimension_added_in_config_needs_no_code(full_run: tuple[Path, list[str]], tmp_path: Path) -> None:
    """control_<NAME> in specification_curve.dimensions varies a control's definition: the configured rows still
    reproduce the paper's columns, the specifications without controls are not multiplied."""
    from tradeimbalance.econometrics.steps import specification_curve, specification_curve_estimates

    base, _ = full_run
    proc, res = base / "processed", base / "results"
    config = yaml.safe_load((ROOT / "workflow" / "config.yaml").read_text())
    design = {
        "countries": config["countries"], "first_year": config["first_year"], "last_year": config["last_year"],
        "outcomes": config["kof"]["required_columns"], "controls": config["controls"],
        "excluded_countries": config["sample"]["excluded_countries"], "developed": config["sample"]["developed"],
    }  # fmt: skip
    curve = {
        "dimensions": {"outcome": ["KOFGIdj"], "controls": ["with", "without"], "control_lnGDP": ["rgdpo", "rgdpna"], "sample": ["all", "developed"]},
        "tbi_definitions": config["specification_curve"]["tbi_definitions"],
    }
    paths = {"kof": proc / "kof.parquet", "pwt": proc / "pwt.parquet", "wgi": proc / "wgi.parquet", "wdi": proc / "wdi_inflation.parquet", "ranking": res / "reports" / "specification_search.parquet"}
    files = {"wiod2013": {"variants": sorted((proc / "va_absorbed" / "wiod2013").glob("*_variants.parquet")), "dva": sorted((proc / "kww" / "wiod2013").glob("*_dva.parquet"))}}
    specification_curve_estimates(
        paths, files, {"wiod2013": design}, kof_vintage=str(config["kof_vintage"]), io_release="wiod2013", curve=curve,
        developed_alternatives=None, not_candidates=["TWN"], estimates_out=tmp_path / "e.parquet", skipped_out=tmp_path / "s.csv",
    )  # fmt: skip
    out = specification_curve(
        tmp_path / "e.parquet", {"wiod2013": design}, kof_vintage=str(config["kof_vintage"]), io_release="wiod2013", curve=curve,
        csv_out=tmp_path / "c.csv", png_out=tmp_path / "c.png", pdf_out=tmp_path / "c.pdf",
    )  # fmt: skip
    assert len(out) == 2 * 2 + 2  # with: 2 definitions × 2 samples; without: 2 samples
    est = pd.read_csv(res / "estimates.csv", dtype={"table": str})
    t33 = est[(est["table"] == "3") & (est["column"] == 3) & (est["variable"] == "TBI")].iloc[0]
    main = out[out["published_main"]].iloc[0]
    assert main["control_lnGDP"] == "rgdpna" and main["coef"] == pytest.approx(t33["coef"], rel=1e-9)
    assert set(out.loc[out["controls"] == "without", "control_lnGDP"]) == {"n/a"}

    # With a kof_vintage dimension, the curve's estimates do not depend on the configured vintage (the workflow then
    # estimates them once, and a vintage switch only marks them again): the same frame under two configured vintages.
    vintages = [str(v) for v in list(config["kof"]["vintages"])[:2]]
    by_vintage = [
        specification_curve_estimates(
            paths, files, {"wiod2013": design}, kof_vintage=v, io_release="wiod2013", curve={**curve, "dimensions": {**curve["dimensions"], "kof_vintage": vintages}},
            developed_alternatives=None, not_candidates=["TWN"], estimates_out=tmp_path / f"e{v}.parquet", skipped_out=tmp_path / f"s{v}.csv",
        )  # fmt: skip
        for v in vintages
    ]
    pd.testing.assert_frame_equal(by_vintage[0], by_vintage[1])
    assert (tmp_path / f"e{vintages[0]}.parquet").read_bytes() == (tmp_path / f"e{vintages[1]}.parquet").read_bytes()


