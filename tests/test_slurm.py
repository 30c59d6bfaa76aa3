"""The workflow on a real single-node SLURM cluster (tests/slurmcluster.py): jobs submitted with sbatch through the
SLURM profile, run by slurmd, with accounting (status by sacct) and without it (status by squeue), outputs
byte-identical to a local run; a failed job resubmitted with the profile's doubled resources; and the no-accounting
trap stopped at once instead of hanging.

The cluster needs Debian's slurm-wlm, munge, mariadb-server and slurmdbd and root (``.ci/run`` installs them). The
tests skip, with the reason, only when the daemons cannot be started.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, raw_dir, require_raw

from slurmcluster import ClusterError, SlurmCluster, missing_programs

PROFILE = ROOT / "workflow" / "profiles" / "slurm"
#: A reduced run: two WIOD 2013 years read and their input–output algebra done (4 jobs in two levels, the second
#: waiting for the first); without accounting, the reads alone (2 jobs), the status route being what differs.
YEARS = {"first_year": 2000, "last_year": 2001}
TARGETS = {
    True: [f"processed/va_absorbed/wiod2013/{y}.parquet" for y in range(YEARS["first_year"], YEARS["last_year"] + 1)],
    False: [f"processed/io/wiod2013/wiot_{y}.parquet" for y in range(YEARS["first_year"], YEARS["last_year"] + 1)],
}
N_JOBS = {True: 4, False: 2}
TIMEOUT = 420  # a hang fails the test instead of blocking CI


@pytest.fixture(scope="module")
def accounting_cluster(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """One cluster with accounting (slurmdbd) for the tests that use sacct; stopped after them."""
    cluster = _cluster(tmp_path_factory.mktemp("cluster_accounting"), accounting=True)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def plain_cluster(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """One cluster without accounting storage (sacct answers "accounting storage is disabled")."""
    cluster = _cluster(tmp_path_factory.mktemp("cluster_plain"), accounting=False)
    yield cluster
    cluster.stop()


def _cluster(folder: Path, accounting: bool) -> SlurmCluster:
    if os.geteuid() != 0:
        pytest.skip("starting the SLURM daemons needs root (slurmd, munged as the munge user)")
    missing = missing_programs(accounting)
    if missing:
        pytest.skip(f"SLURM programs not installed: {', '.join(missing)} (.ci/run installs slurm-wlm, munge, mariadb-server, slurmdbd)")
    cluster = SlurmCluster(folder, accounting=accounting)
    try:
        cluster.start()
    except (ClusterError, subprocess.SubprocessError, OSError) as exc:
        cluster.stop()
        pytest.skip(f"the SLURM daemons could not be started: {exc}")
    return cluster


def _profile(folder: Path, account: str | None) -> Path:
    """A copy of the project's profile with the account and partition filled in, as the README says to do."""
    shutil.copytree(PROFILE, folder)
    text = (folder / "config.yaml").read_text()
    text = re.sub(r'slurm_partition: "EDIT_ME_partition"', 'slurm_partition: "debug"', text)
    text = re.sub(r'\n\s*slurm_account: "EDIT_ME_account"', f'\n  slurm_account: "{account}"' if account else "", text)
    (folder / "config.yaml").write_text(text)
    return folder


def _raw(folder: Path) -> Path:
    require_raw(*[f"wiod2013/wiot_{y}.RData" for y in range(YEARS["first_year"], YEARS["last_year"] + 1)])
    (folder / "wiod2013").mkdir(parents=True)
    for y in range(YEARS["first_year"], YEARS["last_year"] + 1):
        (folder / "wiod2013" / f"wiot_{y}.RData").symlink_to(raw_dir() / "wiod2013" / f"wiot_{y}.RData")
    return folder


def _config(base: Path, raw: Path) -> list[str]:
    # WIOD 2013 read per year here (config jobs: per_year, as the WIOD 2016 tables are): the cluster runs the per-year
    # rules and their resources, on two of the release's years
    overlay = base / "per_year.yaml"
    overlay.write_text("io_releases:\n  wiod2013:\n    jobs: per_year\n")
    items = {"raw_dir": raw, "processed_dir": base / "processed", "results_dir": base / "results", "logs_dir": base / "logs", "io_release": "wiod2013", **YEARS}
    return ["--configfile", str(overlay), "--config", *(f"{k}={v}" for k, v in items.items())]


def _run(args: list[str], env: dict[str, str] | None = None, timeout: int = TIMEOUT) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "snakemake", "--nolock", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=timeout)


def _digests(base: Path) -> dict[str, str]:
    return {
        str(p.relative_to(base)): hashlib.sha256(p.read_bytes()).hexdigest()
        for sub in ("processed", "results")
        for p in sorted((base / sub).rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("slurm_local")
    proc = _run(["--cores", "2", *[str(base / t) for t in TARGETS[True]], *_config(base, _raw(base / "raw"))])
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = _digests(base)
    assert set(TARGETS[True]) | set(TARGETS[False]) <= set(out)
    return out


def _until(read, done, limit: float = 120.0, step: float = 0.5):  # noqa: ANN001, ANN202
    """``read()`` again until ``done(value)`` holds (the cluster's state: a job's accounting record, a line of the
    controller's log, written a moment after the job ends and later on a loaded machine), at most ``limit`` seconds;
    the last value either way, for the assertion to show."""
    end = time.monotonic() + limit
    value = read()
    while not done(value) and time.monotonic() < end:
        time.sleep(step)
        value = read()
    return value


def _submitted(text: str) -> list[str]:
    return re.findall(r"has been submitted with SLURM jobid (\d+)", text)


@pytest.mark.parametrize("accounting", [True, False], ids=["accounting_sacct", "no_accounting_squeue"])
def test_the_workflow_runs_on_a_real_slurm_cluster(tmp_path: Path, local_run: dict[str, str], accounting: bool, request: pytest.FixtureRequest) -> None:
    cluster = request.getfixturevalue("accounting_cluster" if accounting else "plain_cluster")
    cluster.activate()
    profile = _profile(tmp_path / "profile", "testaccount" if accounting else None)
    route = [] if accounting else ["--slurm-status-command", "squeue", "--slurm-no-account"]
    start = time.monotonic()
    proc = _run(
        ["--workflow-profile", str(profile), "--slurm-init-seconds-before-status-checks", "1", *route, *[str(tmp_path / t) for t in TARGETS[accounting]],
         *_config(tmp_path, _raw(tmp_path / "raw"))],
        env=cluster.env(),
    )
    seconds = time.monotonic() - start
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text[-4000:]
    jobs = _submitted(text)
    assert len(jobs) == N_JOBS[accounting], text[-3000:]  # every job through sbatch
    if accounting:  # the accounting records, once slurmdbd has them (a state, not a time)
        def records() -> dict[str, list[str]]:
            rows = cluster.run("sacct", "-X", "-n", "-P", "-o", "JobID,JobName,State,Account").stdout.splitlines()
            return {line.split("|")[0]: line.split("|") for line in rows}

        done = _until(records, lambda d: set(jobs) <= set(d) and all(d[j][2] == "COMPLETED" for j in jobs))
        assert set(jobs) <= set(done) and all(done[j][2] == "COMPLETED" and done[j][3] == "testaccount" for j in jobs), done
    # each job was allocated to the node and ran to exit status 0 under slurmd (the controller's log, once written)
    log_file = cluster.dir / "log" / "slurmctld.daemon.log"
    ctld = _until(log_file.read_text, lambda t: set(jobs) <= set(re.findall(r"_job_complete: JobId=(\d+) WEXITSTATUS 0", t)))
    allocated = set(re.findall(rf"sched: Allocate JobId=(\d+) NodeList={cluster.host}", ctld))
    succeeded = set(re.findall(r"_job_complete: JobId=(\d+) WEXITSTATUS 0", ctld))
    assert set(jobs) <= allocated and set(jobs) <= succeeded, ctld[-2000:]
    mine = _digests(tmp_path)
    assert mine and mine == {k: v for k, v in local_run.items() if k in mine}  # byte-identical to the local run
    assert set(TARGETS[accounting]) <= set(mine)
    print(f"SLURM {cluster.version}, {'accounting (sacct)' if accounting else 'no accounting (squeue)'}: {len(jobs)} jobs in {seconds:.0f} s")


def test_without_accounting_the_default_status_command_stops_at_once_instead_of_hanging(tmp_path: Path, plain_cluster: SlurmCluster) -> None:
    cluster = plain_cluster
    cluster.activate()
    profile = _profile(tmp_path / "profile", None)
    start = time.monotonic()
    proc = _run(["--workflow-profile", str(profile), *[str(tmp_path / t) for t in TARGETS[False]], *_config(tmp_path, _raw(tmp_path / "raw"))], env=cluster.env(), timeout=120)
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0  # at once: a hang would end in the run's timeout (120 s) and fail the test there
    print(f"without accounting, the default status command stopped the run in {time.monotonic() - start:.1f} s")
    assert "Stopped before submitting any job" in text and "--slurm-status-command squeue" in text
    assert not _submitted(text)


def test_a_failed_job_is_resubmitted_with_the_doubled_resources(tmp_path: Path, accounting_cluster: SlurmCluster) -> None:
    """The profile's `retries: 1` and `mem_mb: 4000 * attempt` for io_year: a job made to fail on its first attempt
    is submitted again and SLURM is asked for 8000 MB (sacct's ReqMem of the two jobs)."""
    cluster = accounting_cluster
    cluster.activate()
    profile = _profile(tmp_path / "profile", "testaccount")
    work = tmp_path / "wf"
    work.mkdir()
    (work / "Snakefile").write_text(
        "rule io_year:\n"
        "    output: 'done.txt'\n"
        "    shell:\n"
        "        'echo $SLURM_JOB_ID {resources.mem_mb} >> attempts.txt; '\n"
        "        'if [ ! -e failed_once ]; then touch failed_once; exit 1; fi; '\n"
        "        'echo ok > {output}'\n"
    )
    # the first status check 5 s after submission: this job ends in 2-4 s, and each check that finds nothing finished
    # adds 10 s before the next one (the plugin's back-off), so a 1 s check would cost two checks per attempt
    cmd = [sys.executable, "-m", "snakemake", "--workflow-profile", str(profile), "--slurm-init-seconds-before-status-checks", "5", "done.txt"]
    proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, env=cluster.env(), timeout=TIMEOUT)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text[-4000:]
    attempts = [line.split() for line in (work / "attempts.txt").read_text().splitlines()]
    assert [a[1] for a in attempts] == ["4000", "8000"], attempts
    assert len(_submitted(text)) == 2 and attempts[0][0] != attempts[1][0]
    first, second = attempts[0][0], attempts[1][0]

    def records() -> dict[str, list[str]]:
        return {row.split("|")[0]: row.split("|")[1:] for row in cluster.run("sacct", "-X", "-n", "-P", "-o", "JobID,State,ReqMem").stdout.splitlines()}

    acct = _until(records, lambda d: d.get(first, [""])[0] == "FAILED" and d.get(second, [""])[0] == "COMPLETED")
    assert acct[first][0] == "FAILED" and acct[second][0] == "COMPLETED", acct
    assert acct[first][1] == "4000M" and acct[second][1] == "8000M", acct  # what SLURM was asked for
