"""The check before a SLURM run (tradeimbalance.cluster) on stand-in sacct programs: it fires only when the plugin
would poll with a sacct that cannot see jobs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tradeimbalance import cluster


def _fake_sacct(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sacct").write_text("#!/bin/sh\n" + script)
    os.chmod(bin_dir / "sacct", 0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def test_no_accounting_stops_the_sacct_route_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_sacct(tmp_path, monkeypatch, 'echo "Slurm accounting storage is disabled" >&2\nexit 1\n')
    message = cluster.slurm_status_problem("slurm", "sacct")
    assert message is not None and "--slurm-status-command squeue" in message and "accounting storage is disabled" in message
    assert cluster.slurm_status_problem("slurm", None) is not None  # the plugin's default is sacct
    assert cluster.slurm_status_problem("slurm", "squeue") is None
    assert cluster.slurm_status_problem("local", "sacct") is None


def test_a_working_sacct_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_sacct(tmp_path, monkeypatch, "exit 0\n")
    assert cluster.slurm_status_problem("slurm", "sacct") is None
