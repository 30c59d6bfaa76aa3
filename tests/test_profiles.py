"""The SLURM workflow profile (workflow/profiles/slurm): it loads, plans the workflow with the SLURM
executor plugin, gives the heavy rules their resources, and names only rules that exist.

Every Snakemake call here is a dry run in a copy of the project under ``tmp_path``: nothing is
submitted, and nothing is written into the project's own folders or the raw-data directory.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, raw_dir, require_raw

PROFILE_DIR = Path("workflow") / "profiles" / "slurm"
PROFILE = yaml.safe_load((ROOT / PROFILE_DIR / "config.yaml").read_text())
# What a dry run needs: the Snakefile, its rules and config (with the profiles), the rules'
# scripts and the published numbers some rules take as input. The package is imported from the
# installed environment, as in any run.
PROJECT_PARTS = ("Snakefile", "workflow", "scripts", "data/published", "src/R")
# The rules that process one full world input-output table per year (2464 x 2464 for WIOD 2016).
PER_YEAR_RULES = {"read_wiod2016", "io_year"}


def project_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "project"
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dst / part)
        else:
            (dst / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / part)
    return dst


def snakemake(cwd: Path, *args: str) -> str:
    cmd = [sys.executable, "-m", "snakemake", *args]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}")
    return proc.stdout + proc.stderr


def wiod2016_raw(tmp_path: Path) -> Path:
    """A raw-data directory with an (empty) official WIOD 2016 R file per year: a dry run only checks they exist."""
    release = yaml.safe_load((ROOT / "workflow" / "config.yaml").read_text())["io_releases"]["wiod2016"]
    folder = tmp_path / "raw" / release["subdir"]
    folder.mkdir(parents=True)
    for year in range(release["first_year"], release["last_year"] + 1):
        (folder / release["files"]["rdata"].format(year=year)).touch()
    return folder.parent


def planned_jobs(text: str) -> list[tuple[str, dict[str, str], str]]:
    """(rule, resources, wildcards line) of every job a dry run lists."""
    jobs: list[tuple[str, dict[str, str], str]] = []
    rule = wildcards = None
    for line in text.splitlines():
        if m := re.fullmatch(r"(?:local)?rule (\w+):", line.strip()):
            rule, wildcards = m.group(1), ""
        elif rule and line.strip().startswith("wildcards:"):
            wildcards = line.strip()
        elif rule and line.strip().startswith("resources:"):
            items = line.strip().removeprefix("resources:").split(", ")
            jobs.append((rule, dict(item.strip().split("=", 1) for item in items), wildcards))
            rule = None
    return jobs


def expected(value: object) -> str:
    """A profile resource as the dry run shows it on the first attempt (``4000 * attempt`` → ``4000``).

    Like Snakemake, a value that is no Python expression (an account name) stays a string.
    """
    try:
        return str(eval(str(value), {"__builtins__": {}}, {"attempt": 1}))
    except (NameError, SyntaxError):
        return str(value)


def test_profile_keys() -> None:
    assert PROFILE["executor"] == "slurm"
    for key in ("jobs", "latency-wait", "retries"):
        assert isinstance(PROFILE[key], int) and PROFILE[key] > 0, key
    assert PROFILE["printshellcmds"] is True and PROFILE["rerun-incomplete"] is True
    defaults = PROFILE["default-resources"]
    assert {"slurm_account", "slurm_partition", "runtime", "mem_mb", "cpus_per_task"} <= set(defaults)
    # The plugin is a pinned dependency: a missing install is a failure, not a skip.
    importlib.import_module("snakemake_executor_plugin_slurm")


@pytest.mark.parametrize("release", ["wiod2013", "wiod2016"])
def test_slurm_profile_dry_run_plans_the_workflow_with_its_resources(tmp_path: Path, release: str) -> None:
    if release == "wiod2013":  # the real WIOD 2013 tables (skipped with the reason where they are not on hand)
        require_raw("wiod2013/wiot_2000.RData", "wiod2013/wiot_2011.RData")
    project = project_copy(tmp_path)
    raw = raw_dir() if release == "wiod2013" else wiod2016_raw(tmp_path)
    text = snakemake(
        project, "--workflow-profile", str(PROFILE_DIR), "--dry-run", "--config", f"raw_dir={raw}", f"io_release={release}"
    )

    assert f"Using workflow specific profile {PROFILE_DIR}" in text
    assert "This was a dry-run" in text
    jobs = planned_jobs(text)
    rules = [rule for rule, _, _ in jobs]
    # The paper's 2000–2014 within each release, and every year of a release compared with another (WIOD 2013 with
    # the long-run WIOD present: 1995–2011; without it, the sample's 2000–2011).
    longrun = (raw_dir() / "wiod_longrun" / "WIODlr_WIOT_2000.rda").exists()
    n_years = {"wiod2013": 17 if longrun else 12, "wiod2016": 15}[release]
    reader = f"read_{release}"
    if release == "wiod2013":  # config jobs: per_release: every year in one job, none per year
        assert rules.count("io_batch_wiod2013") == 1 and reader not in rules and "io_year" not in rules
    else:
        for rule in (reader, "io_year"):
            assert rules.count(rule) == n_years, rule
    for rule in ("specification_search", "tbi", "panel", "estimates", "table1"):
        assert rules.count(rule) == 1, rule

    defaults = PROFILE["default-resources"]
    overrides = PROFILE["set-resources"]
    for rule, resources, _ in jobs:
        wanted = {key: expected(value) for key, value in {**defaults, **overrides.get(rule, {})}.items()}
        assert {key: resources.get(key) for key in wanted} == wanted, rule

    # Every rule run once per year of the tables has its own resources in the profile.
    per_year = {rule for rule, _, wildcards in jobs if re.search(r"\byear=\d{4}", wildcards)}
    assert {reader, "io_year"} <= per_year or release == "wiod2013"
    assert per_year <= set(overrides), f"per-year rules without set-resources: {sorted(per_year - set(overrides))}"


def test_set_resources_names_only_rules_of_the_workflow(tmp_path: Path) -> None:
    """A renamed or removed rule left in the profile would silently get no resources: fail instead."""
    project = project_copy(tmp_path)
    output = snakemake(project, "--list-rules", "--config", f"raw_dir={raw_dir()}", "io_release=wiod2013")
    listed = {line.strip() for line in output.splitlines() if re.fullmatch(r"\w+", line.strip())}
    assert {"all", "io_year", "specification_search"} <= listed  # the listing was parsed
    named = set(PROFILE["set-resources"])
    assert named <= listed, f"set-resources names rules the workflow lacks: {sorted(named - listed)}"
    assert PER_YEAR_RULES | {"specification_search"} <= named


def test_slurm_submission_carries_the_profile_resources() -> None:
    """The resource names and units are the plugin's: mem_mb → --mem (MB), runtime → -t (minutes), cpus_per_task."""
    from snakemake_executor_plugin_slurm.submit_string import get_submit_command

    class Resources(dict):
        __getattr__ = dict.__getitem__

    class Job:
        threads = 1

        def __init__(self, resources: dict[str, object]) -> None:
            self.resources = Resources(resources)

    params = {
        "run_uuid": "x",
        "slurm_logfile": "log",
        "comment_str": "c",
        "account": "-A acct",
        "partition": "-p part",
        "workdir": "/w",
    }
    for rule, override in PROFILE["set-resources"].items():
        resources = {k: expected(v) for k, v in {**PROFILE["default-resources"], **override}.items()}
        resources = {k: int(v) if v.isdigit() else v for k, v in resources.items()}
        call = get_submit_command(Job(resources), params)
        assert f"--mem {resources['mem_mb']}" in call, (rule, call)
        assert f"-t {resources['runtime']}" in call, (rule, call)
        assert f"--cpus-per-task={resources['cpus_per_task']}" in call, (rule, call)
