"""Provenance helpers: checksums of the raw files read and logging for workflow steps."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from pathlib import Path

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


def file_digest(path: str | Path, algorithm: str = "sha256", chunk: int = 1 << 20) -> str:
    """Hex digest of a file's bytes (``sha256`` unless told otherwise)."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def replace_with_umask(tmp: str | Path, dest: str | Path) -> None:
    """Move a finished temporary file into place with the permissions a plain ``open()`` would give it.

    ``tempfile.mkstemp`` creates files readable by their owner only (0600); outputs on a shared file system
    (the SLURM setup) must be readable by collaborators, so the file gets ``0666 & ~umask`` first.
    """
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, dest)


def setup_logging(log_file: str | Path | None) -> logging.Logger:
    """Send this step's log records to ``log_file`` (errors to stderr as well) and return the package logger.

    Log lines carry no timestamps, so a rerun on the same input writes the same log. The console gets a job's errors
    only: its warnings are summarised once per kind when the run ends (:mod:`tradeimbalance.console`), its other lines
    stay in its log. Without a log file everything goes to stderr.
    """
    console = logging.StreamHandler(sys.stderr)
    if log_file is not None:
        console.setLevel(logging.ERROR)
    handlers: list[logging.Handler] = [console]
    if log_file is not None:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=handlers, force=True)
    for noisy in ("fontTools", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return logging.getLogger("tradeimbalance")


def code_provenance(root: str | Path, settings: dict[str, object]) -> str:
    """Which code and settings made a run's outputs, in one line for the report: the package version, the git commit and
    its date (the date of the code, not of the run, so that a rerun writes the same report), whether the checkout had
    uncommitted changes, and the command that reproduces the run's data choices (``settings``: io_release, kof_vintage)."""
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("tradeimbalance")
    except PackageNotFoundError:
        v = "unknown"

    def git(*args: str) -> str:
        try:
            out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return ""
        return out.stdout.strip() if out.returncode == 0 else ""

    commit = git("rev-parse", "--short=12", "HEAD")
    if commit:
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
        code = f"commit {commit} of {git('log', '-1', '--format=%cs', 'HEAD')}" + (" with uncommitted changes" if dirty else "")
    else:
        code = "no git checkout (commit unknown)"
    config = " ".join(f"{k}={v_}" for k, v_ in settings.items())
    return f"tradeimbalance {v}, {code}; settings {config} (`make reproduce CONFIG=\"{config}\"` reproduces them)"
