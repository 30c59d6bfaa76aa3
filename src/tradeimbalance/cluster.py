"""Checks for a run through the SLURM executor plugin, made before any job is submitted (the Snakefile's ``onstart``).

The trap it closes: on a cluster without accounting storage, ``sacct`` answers "Slurm accounting storage is
disabled". The plugin's default status command is ``sacct``; it fails, and after its status attempts the plugin
drops the job silently, so Snakemake waits for it forever ("No active jobs"), and only SIGKILL stops it. The run is
stopped instead, before the first submission, with the switch that works there (``--slurm-status-command squeue``).
"""

from __future__ import annotations

import subprocess

NO_ACCOUNTING = "accounting storage is disabled"


def sacct_unavailable() -> str | None:
    """What ``sacct`` says when it cannot report jobs on this cluster (no accounting storage), else None."""
    try:
        proc = subprocess.run(["sacct", "-n", "-X", "-o", "JobID", "-S", "now"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"sacct could not be run ({type(exc).__name__}: {exc})"
    text = (proc.stderr + proc.stdout).strip()
    if NO_ACCOUNTING in text.lower():
        return text.splitlines()[0] if text else NO_ACCOUNTING
    if proc.returncode != 0:
        return text.splitlines()[0] if text else f"sacct exited with {proc.returncode}"
    return None


def slurm_status_problem(executor: str, status_command: str | None) -> str | None:
    """The message to stop with when the SLURM plugin would poll job status with a ``sacct`` that cannot answer."""
    if executor != "slurm" or (status_command or "sacct") != "sacct":
        return None
    why = sacct_unavailable()
    if why is None:
        return None
    return (
        f"Stopped before submitting any job: the SLURM plugin would check job status with sacct, which answers here: {why!r}. "
        "Without accounting storage the plugin cannot see finished jobs and Snakemake would wait for them forever. "
        "Run again with --slurm-status-command squeue (and --slurm-no-account if the cluster has no accounts, or delete "
        "slurm_account from the profile's default-resources); README.md, section on clusters."
    )
