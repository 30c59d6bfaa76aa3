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
    """Send this step's log records to ``log_file`` (and stderr) and return the package logger.

    Log lines carry no timestamps, so a rerun on the same input writes the same log.
    """
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=handlers, force=True)
    for noisy in ("fontTools", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return logging.getLogger("tradeimbalance")
