"""Fetching a missing raw file from its download location, with a checksum check.

Used by the workflow's download rule only when a raw file is absent from the
raw-data directory. Without network access it fails at once with a message
saying which file is missing, where to get it and where to put it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import DownloadError
from .provenance import replace_with_umask

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DownloadSpec:
    """Where a raw file comes from: ``url`` (the bytes ``checksum`` certifies) and the publisher's page."""

    url: str
    checksum: str  # "sha256:<hex>" (or "sha1:<hex>" where the publisher gives only that)
    publisher: str = ""

    @classmethod
    def from_mapping(cls, relpath: str, spec: Mapping[str, str]) -> DownloadSpec:
        missing = [k for k in ("url", "checksum") if not spec.get(k)]
        if missing:
            raise DownloadError(f"downloads entry {relpath!r} lacks {missing} (workflow/downloads.yaml)")
        out = cls(url=spec["url"], checksum=spec["checksum"], publisher=spec.get("publisher", ""))
        out.algorithm_and_digest()  # validate early
        return out

    def algorithm_and_digest(self) -> tuple[str, str]:
        algo, _, digest = self.checksum.partition(":")
        if algo not in hashlib.algorithms_available or not digest:
            raise DownloadError(f"checksum {self.checksum!r} is not of the form '<algorithm>:<hex digest>' (e.g. sha256:…)")
        return algo, digest.lower()


class _Progress:
    """Log lines a person can follow during a long download: MB done, share, rate, every ~10 % (or 50 MB)."""

    def __init__(self, name: str, total: int) -> None:
        self.name, self.total, self.done_bytes, self.start = name, total, 0, time.monotonic()
        self.step = max(total // 10, 1 << 20) if total else 50 << 20
        self.next = self.step

    def add(self, n: int) -> None:
        self.done_bytes += n
        if self.done_bytes >= self.next:
            self.next += self.step
            log.info("downloading %s: %s", self.name, self._figures())

    def _figures(self) -> str:
        mb, secs = self.done_bytes / 1e6, max(time.monotonic() - self.start, 1e-9)
        share = f" of {self.total / 1e6:.0f} MB ({100 * self.done_bytes / self.total:.0f} %)" if self.total else ""
        return f"{mb:.0f} MB{share}, {mb / secs:.1f} MB/s"

    def done(self) -> None:
        log.info("downloaded %s: %s in %.0f s", self.name, self._figures(), time.monotonic() - self.start)


def _hint(spec: DownloadSpec, dest: Path) -> str:
    where = spec.publisher or spec.url
    return (
        f"Get it by hand from {where} (expected {spec.checksum}) and save it as {dest}, "
        "or point the workflow at the folder that holds your copy: snakemake --config raw_dir=DIR"
    )


def fetch(spec: DownloadSpec, dest: str | Path, timeout: float = 60.0) -> Path:
    """Download ``spec.url`` to ``dest``, verify its checksum, and move it into place atomically.

    ``file://`` URLs work too (used by the tests). Raises :class:`DownloadError`
    with instructions when the URL cannot be reached or the checksum differs;
    no partial file is left at ``dest``.
    """
    dest = Path(dest)
    algo, expected = spec.algorithm_and_digest()
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    h = hashlib.new(algo)
    try:
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(spec.url, timeout=timeout) as resp:  # noqa: S310 (configured URLs)
                progress = _Progress(dest.name, int(resp.headers.get("Content-Length") or 0))
                while block := resp.read(1 << 20):
                    h.update(block)
                    out.write(block)
                    progress.add(len(block))
                progress.done()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DownloadError(f"Raw file {dest} is missing and could not be downloaded from {spec.url} ({reason}). {_hint(spec, dest)}") from exc
        got = h.hexdigest()
        if got != expected:
            raise DownloadError(
                f"Downloaded {spec.url} for {dest}, but its {algo} is {got}, expected {expected}: "
                f"the file at that address is not the pinned version. {_hint(spec, dest)}"
            )
        replace_with_umask(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def extract_member(archive: str | Path, member: str, dest: str | Path) -> Path:
    """Extract the archive member whose file name is ``member`` (at any depth) to ``dest``, atomically."""
    archive, dest = Path(archive), Path(dest)
    try:
        with zipfile.ZipFile(archive) as zf:
            matches = [n for n in zf.namelist() if Path(n).name == member]
            if not matches:
                raise DownloadError(f"{archive} holds no file named {member!r}; it holds {len(zf.namelist())} files, e.g. {zf.namelist()[:5]}")
            fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
            try:
                with os.fdopen(fd, "wb") as out, zf.open(matches[0]) as src:
                    shutil.copyfileobj(src, out, 1 << 20)
                replace_with_umask(tmp_name, dest)
            finally:
                Path(tmp_name).unlink(missing_ok=True)
    except zipfile.BadZipFile as exc:
        raise DownloadError(f"{archive} is not a readable zip archive ({exc}); delete it and rerun to download it again") from exc
    return dest
