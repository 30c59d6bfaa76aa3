#!/usr/bin/env python
"""Benchmark of the whole workflow: wall time, job times, import overhead, and the WIOD 2016-size steps.

Prints its figures beside the targets of the lean-workflow issue; it never fails on a missed target (the
exit code is 0 unless a run fails). What is measured:

``imports``
    For every ``scripts/*.py`` entry point: the seconds a fresh interpreter needs to import what its job
    imports (Snakemake's script preamble module, the package's step module and the modules the step imports
    when it runs, found in its source), and which heavy libraries
    (linearmodels, statsmodels, scipy.stats, matplotlib, pandera, openpyxl, numba) that import loads. Best of
    ``--repeat``. Target: ≤ 1 s for a reader or input–output job.
``cold``
    ``snakemake --cores N`` on the raw data into empty output folders (a temporary directory): wall seconds,
    and the sum of the job times Snakemake's ``benchmark:`` files record (``logs/benchmarks/``), per rule.
    Target: ≤ 60 s wall on 2 cores.
``warm``
    The same outputs, rerun with ``--config kof_vintage=<--switch-vintage>``: wall seconds and jobs run.
    Target: ≤ 15 s.
``wiod2016``
    A synthetic table of the 2016 release's size (44 regions × 56 sectors: 2464 rows, 2464 + 220 + 1
    columns, plus the label rows; ``tests/synthetic.py``), written in the release's R format (and, with
    ``--excel``, as .xlsx, which takes minutes to write). Each step runs in its own process, whose
    seconds (inside the process, after its imports) and peak resident memory are printed: reading the year
    in each format, and the per-year input–output job (value added absorbed, TBI variants, KWW).
    Targets: R-format read ≤ 5 s and ≤ 1 GiB.
``robustness``
    The few-cluster inference and the specification curve of the run (``cold``'s, or the ``--keep`` folder's):
    their job seconds and what their logs say (coefficients, specifications, panel / estimation / figure
    seconds), and, in a fresh process on the run's panel, one wild cluster bootstrap (B = 9,999) per weight
    distribution: the first call of each (it compiles the kernel) and the next. Target: the whole curve and all
    bootstraps under 60 s on 2 cores.

Usage::

    python benchmarks/bench_workflow.py --raw-dir ../shared/data/raw            # everything but the Excel file
    python benchmarks/bench_workflow.py --raw-dir ../shared/data/raw --only imports wiod2016 --excel
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("linearmodels", "statsmodels", "scipy.stats", "matplotlib", "pandera", "openpyxl", "numba")
LEAN_STAGES = ("readers", "io")  # jobs whose import overhead has a target
PARTS = ("imports", "cold", "warm", "robustness", "wiod2016")
#: Seconds a fresh interpreter takes to import what each rule's job imports (filled by the imports part).
IMPORT_SECONDS: dict[str, float] = {}


def _lazy_imports(module: str, function: str) -> list[str]:
    """The modules ``function`` of ``module`` (and the module's helpers it calls) import in its body."""
    path = ROOT / "src" / Path(*module.split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    package = module.rsplit(".", 1)[0]
    seen, todo, found = set(), [function], []
    while todo:
        node = defs.get(todo.pop())
        if node is None or node.name in seen:
            continue
        seen.add(node.name)
        for sub in ast.walk(node):
            if isinstance(sub, ast.ImportFrom) and sub.level:
                base = package.rsplit(".", sub.level - 1)[0] if sub.level > 1 else package
                found += [f"{base}.{a.name}" for a in sub.names] if sub.module is None else [f"{base}.{sub.module}"]
            elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in defs:
                todo.append(sub.func.id)
    return found


def script_modules(script: Path) -> list[str]:
    """What a job of ``script`` imports: the step module and, inside the step it calls, its lazy imports."""
    modules = []
    for module, names in re.findall(r"^from (tradeimbalance[\w.]*) import (.+)$", script.read_text(), re.M):
        modules.append(module)
        if module.endswith(".steps"):
            for name in (n.strip() for n in names.split(",")):
                modules += _lazy_imports(module, name)
    return list(dict.fromkeys(modules))


def import_cost(modules: Sequence[str], repeat: int) -> tuple[float, list[str]]:
    code = (
        "import time, sys\nt = time.perf_counter()\nimport snakemake.script\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"print(time.perf_counter() - t)\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    best, heavy = float("inf"), []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout.split("\n")
        best = min(best, float(out[0]))
        heavy = [h for h in out[1].split(",") if h]
    return best, heavy


def bench_imports(repeat: int) -> None:
    print("\n== Import overhead per job script (fresh interpreter; best of %d) ==" % repeat)
    print(f"{'script':28s} {'stage':13s} {'seconds':>8s}  heavy libraries loaded")
    worst_lean = 0.0
    for script in sorted((ROOT / "scripts").glob("*.py")):
        modules = script_modules(script)
        stage = next((m.split(".")[1] for m in modules if m.endswith(".steps")), "-")
        seconds, heavy = import_cost(modules, repeat)
        IMPORT_SECONDS[script.stem] = seconds
        if stage in LEAN_STAGES:
            worst_lean = max(worst_lean, seconds)
        print(f"{script.name:28s} {stage:13s} {seconds:8.2f}  {', '.join(heavy) or '-'}")
    print(f"worst reader / input–output job: {worst_lean:.2f} s (target ≤ 1 s)")


def job_times(logs: Path) -> dict[str, tuple[int, float]]:
    by_rule: dict[str, list[float]] = defaultdict(list)
    for f in (logs / "benchmarks").rglob("*.tsv"):
        rel = f.relative_to(logs / "benchmarks")
        rule = rel.parts[0].removesuffix(".tsv")
        rule = re.sub(r"^(identity_report)_.*$", r"\1", rule)  # identity_report_<release>.tsv
        with open(f, encoding="utf-8") as fh:
            by_rule[rule].append(float(next(csv.DictReader(fh, delimiter="\t"))["s"]))
    return {r: (len(v), sum(v)) for r, v in by_rule.items()}


def timeline(logs: Path) -> list[tuple[str, float, float, float]]:
    """Every job of a run as ``(job, start, end, cpu seconds)``, times in seconds from the first job's start: the end is
    when Snakemake wrote the job's ``benchmark:`` file, the start that less the job's wall seconds."""
    jobs = []
    for f in (logs / "benchmarks").rglob("*.tsv"):
        with open(f, encoding="utf-8") as fh:
            row = next(csv.DictReader(fh, delimiter="\t"))
        end = f.stat().st_mtime
        jobs.append((str(f.relative_to(logs / "benchmarks"))[:-4], end - float(row["s"]), end, float(row["cpu_time"])))
    t0 = min((j[1] for j in jobs), default=0.0)
    return sorted(((j, a - t0, b - t0, c) for j, a, b, c in jobs), key=lambda j: j[2])


def critical_path(jobs: Sequence[tuple[str, float, float, float]], slack: float = 1.5) -> list[tuple[str, float, float, float]]:
    """The chain of jobs that ends the run, walked back from the last job to finish: each job's predecessor is the longest
    job that finished within ``slack`` seconds before it started (a job starts as soon as its last input is written; on
    a busy machine a free core may come later, and then the chain is the one that kept the cores busy)."""
    if not jobs:
        return []
    path = [jobs[-1]]
    while True:
        start = path[-1][1]
        before = [j for j in jobs if start - slack <= j[2] <= start + 0.05 and j not in path]
        if not before:
            break
        path.append(max(before, key=lambda j: j[2] - j[1]))
    return path[::-1]


def print_timeline(logs: Path, import_seconds: dict[str, float] | None = None) -> None:
    jobs = timeline(logs)
    cpu = sum(j[3] for j in jobs)
    print("\n== Critical path (job, start, end in seconds from the first job's start) ==")
    for job, a, b, c in critical_path(jobs):
        print(f"{job:45s} {a:7.1f} {b:7.1f}   ({b - a:5.1f} s wall, {c:5.1f} s CPU)")
    print(f"{len(jobs)} jobs, {cpu:.1f} s of CPU in all; the last ends at {max((j[2] for j in jobs), default=0):.1f} s")
    if import_seconds:
        per_rule: dict[str, int] = defaultdict(int)
        for job, *_ in jobs:
            per_rule[job.split("/")[0].removesuffix(".tsv")] += 1
        def script_of(rule: str) -> str:  # the rules whose script has another name
            for prefix, script in (("read_wiod", "read_wiod"), ("read_pwt", "read_source"), ("read_wgi", "read_source"), ("read_wdi", "read_source"),
                                   ("identity_report", "identity_report")):  # fmt: skip
                if rule.startswith(prefix):
                    return script
            return rule

        start_cost = sum(import_seconds.get(script_of(rule), 0.0) * n for rule, n in per_rule.items())
        print(f"job start (a fresh interpreter and the job's imports, measured per script): {start_cost:.1f} s of the {cpu:.1f} s CPU")


def run_workflow(cores: int, config: Sequence[str]) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--nolock", "--config", *config]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-4000:]}")
    return wall, proc.stderr + proc.stdout


def bench_workflow(raw_dir: Path, cores: int, parts: Sequence[str], vintage: str, keep: Path | None, release: str) -> None:
    base = keep or Path(tempfile.mkdtemp(prefix="bench_workflow_"))
    config = [f"raw_dir={raw_dir.resolve()}", f"io_release={release}", f"processed_dir={base / 'processed'}", f"results_dir={base / 'results'}", f"logs_dir={base / 'logs'}"]
    if "cold" in parts or not (base / "results" / "report.md").exists():
        wall, text = run_workflow(cores, config)
        times = job_times(base / "logs")
        total = sum(s for _, s in times.values())
        n_jobs = sum(n for n, _ in times.values())
        print(f"\n== Cold run: snakemake --cores {cores}, io_release={release} (outputs in {base}) ==")
        print(f"{'rule':26s} {'jobs':>4s} {'seconds':>8s}")
        for rule, (n, s) in sorted(times.items(), key=lambda kv: -kv[1][1]):
            print(f"{rule:26s} {n:4d} {s:8.1f}")
        print(f"wall {wall:.1f} s for {n_jobs} jobs; sum of job times {total:.1f} s (target: wall ≤ 60 s on 2 cores with the three real releases present)")
        print_timeline(base / "logs", IMPORT_SECONDS)
    if "robustness" in parts:
        bench_robustness(base)
    if "warm" in parts:
        marker = time.time()
        wall, text = run_workflow(cores, [*config, f"kof_vintage={vintage}"])
        done = re.findall(r"(\d+) of (\d+) steps \(100%\) done", text)
        print(f"\n== Warm rerun after --config kof_vintage={vintage} ==")
        print(f"wall {wall:.1f} s, {done[-1][1] if done else 0} jobs (target ≤ 15 s)")
        rerun = [j for j in timeline(base / "logs") if (base / "logs" / "benchmarks" / f"{j[0]}.tsv").stat().st_mtime >= marker]
        busy = sum(b - a for _, a, b, _ in rerun)
        print(f"{len(rerun)} jobs rerun, {busy:.1f} s of job time: {cores} cores cannot end the swap before {busy / cores:.1f} s")
        for job, a, b, c in sorted(rerun, key=lambda j: -(j[2] - j[1]))[:8]:
            print(f"  {job:40s} {b - a:5.1f} s wall, {c:5.1f} s CPU")


def bench_robustness(base: Path) -> None:
    logs = base / "logs"
    times = job_times(logs)
    print("\n== Few-cluster inference and specification curve ==")
    inference_log = (logs / "inference.log").read_text(encoding="utf-8")
    curve_log = (logs / "specification_curve_estimates_and_test.log").read_text(encoding="utf-8")
    marks_log = (logs / "specification_curve.log").read_text(encoding="utf-8")
    m = re.search(r"inference for (\d+) TBI coefficients: ([\d.]+) s \(B = (\d+)", inference_log)
    c = re.search(r"specification curve: (\d+) specifications, (\d+) regressions solved in (\d+) designs; panels ([\d.]+) s, estimation ([\d.]+) s", curve_log)
    fig = re.search(r"specification curve: \d+ specifications marked at KOF vintage \S+ in [\d.]+ s, figure ([\d.]+) s", marks_log)
    n_inf, s_inf = times.get("inference", (0, float("nan")))
    # the curve: its estimates and joint test (every KOF vintage, one job) and the marks and figure at the configured vintage
    s_test = times.get("specification_curve_estimates_and_test", (0, float("nan")))[1]
    s_marks = times.get("specification_curve", (0, float("nan")))[1]
    if m:
        n_coef, seconds, draws = int(m[1]), float(m[2]), int(m[3])
        print(f"inference: {n_coef} TBI coefficients, {2 * n_coef} wild bootstraps of B = {draws} + CRV3, DK, two-way, AR: {seconds:.1f} s in the step, job {s_inf:.1f} s")
    if c:
        print(f"specification curve: {c[1]} specifications in {c[3]} designs; panels {c[4]} s, estimation {c[5]} s "
              f"({float(c[5]) / max(int(c[1]), 1) * 1000:.2f} ms per specification); marks and figure {fig[1] if fig else '?'} s, job {s_marks:.1f} s")
    for m_ in re.finditer(r"(\S+): joint test over (\d+) distinct specifications \((\d+) in the grid\), B = (\d+): .*?; ([\d.]+) s$", curve_log, flags=re.M):
        print(f"joint test, {m_[1]}: {m_[2]} distinct specifications ({m_[3]} in the grid) × B = {m_[4]} draws (and a longer run near 0.05/0.10): {m_[5]} s")
    total = re.search(r"joint test and variance decomposition: ([\d.]+) s", curve_log)
    if total:
        print(f"specification curve joint test and variance decomposition (every release): {total[1]} s in the step")
    print(f"specification curve with its joint test, every release: jobs {s_test:.1f} s (estimates and test) + {s_marks:.1f} s (marks) = "
          f"{s_test + s_marks:.1f} s (target ≤ 60 s on 2 cores); with all bootstraps {s_inf + s_test + s_marks:.1f} s")
    # the referee and the causal checks: each release's seconds from the step's log, the job's from its benchmark file
    for rule, phrase, label in (
        ("referee_checks", "referee checks", "referee checks"),
        ("causal_checks", "causal checks", "causal checks (GMM, plausibly exogenous bounds, omitted-variable sensitivity, TWFE weights)"),
    ):
        step_log = logs / f"{rule}.log"
        if step_log.exists():
            for m_ in re.finditer(rf"(\S+): {phrase} on (\d+) country-years in ([\d.]+) s", step_log.read_text(encoding="utf-8")):
                print(f"{label}, {m_[1]}: {m_[2]} country-years, {m_[3]} s")
            print(f"{phrase}, every release: job {times.get(rule, (0, float('nan')))[1]:.1f} s (target ≤ 30 s)")
    r = child("bootstrap", base / "processed" / "panel.parquet")
    print(f"one WCR bootstrap, B = 9999, Table 3 col. 3: first call {r['first']:.2f} s (compiles), next {r['next']:.3f} s")


def _child(task: str, path: str, extra: str) -> None:
    """Run one WIOD 2016-size step (or one bootstrap) in this (fresh) process and print its seconds and peak memory as JSON."""
    import resource

    if task == "bootstrap":
        import pandas as pd

        from tradeimbalance.econometrics.inference import design, wild_bootstrap_pvalue

        panel = pd.read_parquet(path)
        controls = ["RQ", "lnEXR", "TFP", "INFR", "lnCK", "lnGDP", "lnPOP"]
        d = design(panel, "KOFGIdj", ["TBI", *[c for c in controls if c in panel.columns]])
        out = {}
        for key in ("first", "next"):
            start = time.perf_counter()
            for w in ("rademacher", "webb"):
                wild_bootstrap_pvalue(d.x, d.y, d.entity, column=0, draws=9999, seed=1, weights=w)
            out[key] = (time.perf_counter() - start) / 2
        print(json.dumps({**out, "seconds": out["next"], "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
        return

    from tradeimbalance.io.iotable import IOTable

    if task == "read":
        from tradeimbalance.readers.wiod2016 import read_wiod2016

        start = time.perf_counter()
        table = read_wiod2016(path)
        seconds = time.perf_counter() - start
        if extra:
            table.to_parquet(extra)
    else:
        from tradeimbalance.io.steps import io_year

        out = Path(extra)
        start = time.perf_counter()
        io_year(path, "primary_inputs", va_out=out / "va.parquet", checks_out=out / "checks.parquet", variants_out=out / "variants.parquet", terms_out=out / "terms.parquet", dva_out=out / "dva.parquet")
        seconds = time.perf_counter() - start
        IOTable  # noqa: B018 - imported above so that its import is not timed
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB on Linux
    print(json.dumps({"seconds": seconds, "peak_mib": peak}))


def child(task: str, path: Path, extra: str = "") -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", task, str(path), extra], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"{task} {path} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_wiod2016(excel: bool, density: float) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from synthetic import WIOD2016_REGIONS, WIOD2016_SECTORS, random_world, write_wiod2016_excel, write_wiod2016_rdata

    work = Path(tempfile.mkdtemp(prefix="bench_wiod2016_"))
    world = random_world(WIOD2016_REGIONS, WIOD2016_SECTORS, year=2014, seed=2014, density=density)
    print(f"\n== WIOD 2016-size year (synthetic, {world.n} × {world.n + world.F.shape[1] + 1} + label rows, density {density}) ==")
    start = time.perf_counter()
    rfile = write_wiod2016_rdata(world, work / "WIOT2014_October16_ROW.RData")
    print(f"(written in R format in {time.perf_counter() - start:.0f} s: {rfile.stat().st_size / 2**20:.0f} MiB)")
    r = child("read", rfile, str(work / "wiot_2014.parquet"))
    print(f"read, R format      {r['seconds']:6.2f} s   peak {r['peak_mib']:6.0f} MiB   (target ≤ 5 s, ≤ 1024 MiB)")
    (work / "out").mkdir()
    v = child("io_year", work / "wiot_2014.parquet", str(work / "out"))
    print(f"io_year (VA, KWW)   {v['seconds']:6.2f} s   peak {v['peak_mib']:6.0f} MiB")
    if excel:
        start = time.perf_counter()
        xfile = write_wiod2016_excel(world, work / "WIOT2014_Nov16_ROW.xlsx")
        print(f"(written as .xlsx in {time.perf_counter() - start:.0f} s: {xfile.stat().st_size / 2**20:.0f} MiB)")
        x = child("read", xfile)
        print(f"read, Excel (.xlsx) {x['seconds']:6.2f} s   peak {x['peak_mib']:6.0f} MiB")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--raw-dir", type=Path, default=ROOT / "data" / "raw")
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    p.add_argument("--switch-vintage", default="2025", help="KOF vintage of the warm rerun (default 2025)")
    p.add_argument("--io-release", default="wiod2016_flows", choices=("wiod2016", "wiod2016_flows", "wiod2013"),
                   help="input–output release of the runs (default wiod2016_flows, the paper's own data on hand here)")
    p.add_argument("--keep", type=Path, default=None, help="output folder of the workflow runs (default: a new temporary one)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--excel", action="store_true", help="also write and read the 2016-size table as .xlsx (minutes)")
    p.add_argument("--density", type=float, default=0.3, help="share of non-zero coefficients of the synthetic table")
    p.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    print(f"bench_workflow: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}")
    if "imports" in args.only:
        bench_imports(args.repeat)
    if {"cold", "warm", "robustness"} & set(args.only):
        bench_workflow(args.raw_dir, args.cores, args.only, args.switch_vintage, args.keep, args.io_release)
    if "wiod2016" in args.only:
        bench_wiod2016(args.excel, args.density)
    return 0


if __name__ == "__main__":
    sys.exit(main())
