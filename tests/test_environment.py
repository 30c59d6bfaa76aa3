"""The conda environment and the pip project pin the same dependency set; CI runs the README's test command."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _lock() -> dict[str, str]:
    """requirements.lock as name → version (names normalised as PyPI does), every entry checked to carry hashes."""
    text = (ROOT / "requirements.lock").read_text()
    entries = re.findall(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)==([^ \\;]+)(?: ;[^\\]*)? \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", text, flags=re.M)
    names = re.findall(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)==", text, flags=re.M)
    assert len(entries) == len(names), "every locked package carries its hashes"
    return {re.sub(r"[-_.]+", "-", n).lower(): v for n, v, _ in entries}


def test_the_lock_covers_pyproject() -> None:
    """Every pin of pyproject.toml (dependencies, the test extra) is in the lock at the same version, and so is the build
    backend; make venv installs from the lock with --require-hashes and environment.yml installs the same lock."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = [*project["project"]["dependencies"], *project["project"]["optional-dependencies"]["test"]]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", p) for p in pins)
    lock = _lock()
    for pin in pins:
        name, version = pin.split("==")
        assert lock.get(re.sub(r"[-_.]+", "-", name).lower()) == version, f"{pin} is not in requirements.lock at that version (make lock)"
    backend = project["build-system"]["requires"][0]
    assert "setuptools" in lock and int(lock["setuptools"].split(".")[0]) >= int(backend.split(">=")[1]), backend
    assert len(lock) > len(pins)  # the transitive dependencies are locked too
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes --no-deps -r $(LOCK)" in makefile and "LOCK := requirements.lock" in makefile
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert conda_pip == ["--require-hashes", "-r requirements.lock"]


def test_ci_runs_the_readme_test_command() -> None:
    """The README's test command is `make test`; CI runs it with the shared raw data beside the clone, the set-up the
    README names as this repository's CI."""
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = "make test RAW_DIR=../shared/data/raw"
    tests = readme.split("## Tests", 1)[1].split("\n## ", 1)[0]
    assert "```sh\nmake test" in tests and command in tests and "CI" in tests
    assert [line for line in ci.splitlines() if line.startswith("make ")] == [command]


def _fake_python(folder: Path, name: str, version: str) -> None:
    """An executable that answers ``--version`` with ``version`` and the Makefile's version check as that version would."""
    major, minor = (int(x) for x in version.split(".")[:2])
    ok = (major, minor) >= (3, 11)
    script = folder / name
    script.write_text(f'#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Python {version}"; exit 0; fi\nexit {0 if ok else 1}\n')
    script.chmod(0o755)


def _make_env(folder: Path) -> dict[str, str]:
    """A PATH with the fake interpreters and only the tools the Makefile's recipe uses (sh, sed, head)."""
    for tool in ("sh", "sed", "head"):
        found = shutil.which(tool)
        assert found, tool
        (folder / tool).symlink_to(found)
    return {"PATH": str(folder), "HOME": str(folder)}


def test_make_stops_with_one_clear_line_without_python_3_11(tmp_path: Path) -> None:
    """Only a Python 3.10 on PATH (Ubuntu 22.04's python3): make names it and what to install, and creates nothing."""
    _fake_python(tmp_path, "python3", "3.10.12")
    make = shutil.which("make")
    assert make
    proc = subprocess.run([make, "venv", f"VENV={tmp_path / 'venv'}"], cwd=ROOT, env=_make_env(tmp_path), capture_output=True, text=True)
    assert proc.returncode != 0
    first = proc.stderr.splitlines()[0]
    assert "needs Python 3.11 or newer" in first and "python3 is 'Python 3.10.12'" in first and "apt install python3.11" in first
    assert not (tmp_path / "venv").exists()


def test_make_prefers_the_newest_python_it_finds(tmp_path: Path) -> None:
    """python3.13, python3.12, python3.11, then python3: the first one that is 3.11 or newer (a dry run shows which)."""
    _fake_python(tmp_path, "python3", "3.10.12")
    _fake_python(tmp_path, "python3.12", "3.12.9")
    _fake_python(tmp_path, "python3.11", "3.11.7")
    make = shutil.which("make")
    assert make
    proc = subprocess.run([make, "-n", "venv", f"VENV={tmp_path / 'venv'}"], cwd=ROOT, env=_make_env(tmp_path), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert f"python3.12 -m venv {tmp_path / 'venv'}" in proc.stdout
