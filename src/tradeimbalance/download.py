"""Fetching a missing raw file from its download sources, with a checksum check.

Used by the workflow's download rule only when a raw file is absent from the raw-data directory. A file has several
sources, tried in order (:attr:`DownloadSpec.sources`): its ``url`` (the exact bytes the checksum certifies; most are
copies pinned by commit in other people's public repositories, since the publishers serve only their current vintage),
then its ``mirrors`` (other addresses of the same bytes, if any are listed), then the content-addressed fallbacks of
``download_fallbacks`` in ``workflow/downloads.yaml``: addresses built from the checksum itself, such as the Software
Heritage archive's ``https://archive.softwareheritage.org/api/1/content/sha256:<hash>/raw/``, which keeps public
repository content and serves it by its hash, so the same bytes stay reachable after a repository is deleted.

Whichever source answers, the bytes must match the checksum: a source that cannot be reached or serves other bytes is
noted and the next one tried; the log names the source that served. When every source fails, the error lists every
address tried with its reason, and says where to put a copy got by hand.
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import DownloadError
from .provenance import replace_with_umask

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DownloadSpec:
    """Where a raw file comes from: ``url`` (the bytes ``checksum`` certifies), other addresses of the same bytes
    (``mirrors``), the content-addressed fallbacks (``fallbacks``: templates with ``{algorithm}`` and ``{digest}``,
    config ``download_fallbacks``) and the publisher's page."""

    url: str
    checksum: str  # "sha256:<hex>" (or "sha1:<hex>" where the publisher gives only that)
    publisher: str = ""
    mirrors: tuple[str, ...] = ()
    fallbacks: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, relpath: str, spec: Mapping[str, object], fallbacks: Sequence[str] = ()) -> DownloadSpec:
        missing = [k for k in ("url", "checksum") if not spec.get(k)]
        if missing:
            raise DownloadError(f"downloads entry {relpath!r} lacks {missing} (workflow/downloads.yaml)")
        out = cls(
            url=str(spec["url"]), checksum=str(spec["checksum"]), publisher=str(spec.get("publisher", "")),
            mirrors=tuple(str(m) for m in spec.get("mirrors", ()) or ()), fallbacks=tuple(str(f) for f in fallbacks),  # type: ignore[union-attr]
        )  # fmt: skip
        out.algorithm_and_digest()  # validate early
        for template in out.fallbacks:
            if "{digest}" not in template:
                raise DownloadError(f"download_fallbacks entry {template!r} has no {{digest}}: a content-addressed address names the file by its hash (workflow/downloads.yaml)")
        return out

    @property
    def sources(self) -> list[str]:
        """Every address to try, in order: the url, the mirrors, then each fallback with this file's checksum filled in
        (a fallback that names no algorithm the archive knows is still tried: the checksum check decides)."""
        algo, digest = self.algorithm_and_digest()
        out = [self.url, *self.mirrors, *(t.format(algorithm=algo, digest=digest) for t in self.fallbacks)]
        return list(dict.fromkeys(out))

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
        "or point the workflow at the folder that holds your copy: snakemake --cores 4 --config raw_dir=DIR"
    )


def _fetch_one(url: str, dest: Path, algo: str, timeout: float) -> tuple[Path, str]:
    """Download ``url`` next to ``dest`` (a temporary file) and return it with its digest; an unreachable address raises
    :class:`DownloadError` with the reason (no partial file is left)."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    h = hashlib.new(algo)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (configured URLs)
            progress = _Progress(dest.name, int(resp.headers.get("Content-Length") or 0))
            while block := resp.read(1 << 20):
                h.update(block)
                out.write(block)
                progress.add(len(block))
            progress.done()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        raise DownloadError(str(getattr(exc, "reason", exc))) from exc
    return tmp, h.hexdigest()


def fetch(spec: DownloadSpec, dest: str | Path, timeout: float = 60.0) -> Path:
    """Download the file to ``dest`` from the first of ``spec.sources`` that serves bytes with the expected checksum,
    and move it into place atomically; the log names the source that served.

    ``file://`` URLs work too (used by the tests). Raises :class:`DownloadError` when no source serves the file: the
    message lists every address tried, each with why it failed (unreachable, or other bytes than the checksum's), and
    how to get the file by hand. No partial file is left at ``dest``.
    """
    dest = Path(dest)
    algo, expected = spec.algorithm_and_digest()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tried: list[str] = []
    for i, url in enumerate(spec.sources):
        role = "its address" if i == 0 else "a mirror" if url in spec.mirrors else "a content-addressed fallback"
        try:
            tmp, got = _fetch_one(url, dest, algo, timeout)
        except DownloadError as exc:
            tried.append(f"{url} ({role}): cannot be reached ({exc})")
            log.warning("%s: %s (%s) cannot be reached (%s); trying the next source", dest.name, url, role, exc)
            continue
        try:
            if got != expected:
                tried.append(f"{url} ({role}): served bytes whose {algo} is {got}, expected {expected} (not the pinned version)")
                log.warning("%s: %s (%s) served other bytes (%s %s, expected %s); trying the next source", dest.name, url, role, algo, got, expected)
                continue
            replace_with_umask(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        log.info("%s: served by %s (%s), %s verified", dest.name, url, role, spec.checksum)
        return dest
    listing = "; ".join(f"[{k}] {t}" for k, t in enumerate(tried, 1))
    raise DownloadError(f"Raw file {dest} is missing and could not be downloaded from any of its {len(tried)} sources: {listing}. {_hint(spec, dest)}")


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
