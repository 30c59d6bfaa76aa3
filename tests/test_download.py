"""The download rule's fetch: file:// URLs, checksum check, clear failure without network."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import pytest

from tradeimbalance.config import load_config
from tradeimbalance.download import DownloadSpec, extract_member, fetch
from tradeimbalance.errors import DownloadError

ROOT = Path(__file__).resolve().parents[1]


def _spec(src: Path, algo: str = "sha256", publisher: str = "https://publisher.example/page") -> DownloadSpec:
    digest = hashlib.new(algo, src.read_bytes()).hexdigest()
    return DownloadSpec(url=src.as_uri(), checksum=f"{algo}:{digest}", publisher=publisher)


def test_fetch_file_url_with_matching_checksum(tmp_path: Path) -> None:
    src = tmp_path / "remote" / "pwt91.dta"
    src.parent.mkdir()
    src.write_bytes(b"some bytes of a raw file" * 1000)
    dest = tmp_path / "raw" / "pwt" / "pwt91.dta"
    assert fetch(_spec(src), dest) == dest
    assert dest.read_bytes() == src.read_bytes()
    assert not list(dest.parent.glob("*.part"))


def test_fetch_sha1_checksum(tmp_path: Path) -> None:
    src = tmp_path / "WIOTS_in_R.zip"
    src.write_bytes(b"zip bytes")
    dest = tmp_path / "raw" / "wiod" / "WIOTS_in_R.zip"
    fetch(_spec(src, "sha1"), dest)
    assert dest.exists()


def test_checksum_mismatch_leaves_nothing(tmp_path: Path) -> None:
    src = tmp_path / "file.csv"
    src.write_text("a,b\n1,2\n")
    spec = DownloadSpec(url=src.as_uri(), checksum="sha256:" + "0" * 64, publisher="https://publisher.example/page")
    dest = tmp_path / "raw" / "wdi" / "file.csv"
    with pytest.raises(DownloadError, match=r"whose sha256 is [0-9a-f]{64}, expected 0{64}.*save it as .*file.csv"):
        fetch(spec, dest)
    assert not dest.exists() and not list(dest.parent.glob("*"))


def test_unreachable_url_fails_fast_with_instructions(tmp_path: Path) -> None:
    spec = DownloadSpec(url=(tmp_path / "absent.xlsx").as_uri(), checksum="sha256:" + "1" * 64, publisher="https://kof.example/index")
    dest = tmp_path / "raw" / "kof" / "KOFGI_2025_public.xlsx"
    with pytest.raises(DownloadError) as err:
        fetch(spec, dest)
    msg = str(err.value)
    assert f"Raw file {dest} is missing and could not be downloaded from any of its 1 sources: [1] {spec.url} (its address): cannot be reached" in msg
    assert "https://kof.example/index" in msg and "raw_dir=DIR" in msg
    assert not dest.exists()


def test_unresolvable_host_fails_with_instructions(tmp_path: Path) -> None:
    spec = DownloadSpec(url="https://host.invalid/pwt91.dta", checksum="sha256:" + "1" * 64)
    with pytest.raises(DownloadError, match=r"could not be downloaded from any of its 1 sources: \[1\] https://host.invalid/pwt91.dta"):
        fetch(spec, tmp_path / "pwt91.dta", timeout=5)


def test_bad_checksum_spec() -> None:
    with pytest.raises(DownloadError, match="not of the form"):
        DownloadSpec.from_mapping("x", {"url": "file:///x", "checksum": "md9:abc"})
    with pytest.raises(DownloadError, match=r"lacks \['checksum'\]"):
        DownloadSpec.from_mapping("x", {"url": "file:///x"})


def test_extract_member_from_zip(tmp_path: Path) -> None:
    archive = tmp_path / "WIOTS_in_R.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("WIOTS_in_R/WIOT2014_October16_ROW.RData", b"rdata bytes")
    dest = tmp_path / "WIOT2014_October16_ROW.RData"
    extract_member(archive, dest.name, dest)
    assert dest.read_bytes() == b"rdata bytes"
    with pytest.raises(DownloadError, match="holds no file named 'WIOT2013_October16_ROW.RData'"):
        extract_member(archive, "WIOT2013_October16_ROW.RData", tmp_path / "WIOT2013_October16_ROW.RData")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(DownloadError, match="not a readable zip archive"):
        extract_member(bad, "x", tmp_path / "x")


def test_every_configured_download_is_well_formed() -> None:
    config = load_config(ROOT / "workflow" / "config.yaml", ROOT / "workflow" / "downloads.yaml")
    downloads = config["downloads"]
    for relpath, spec in downloads.items():
        s = DownloadSpec.from_mapping(relpath, spec, fallbacks=config["download_fallbacks"])
        assert s.url.startswith("https://") and s.publisher
        # every entry has the content-addressed fallback of the Software Heritage archive, by its own checksum
        algo, digest = s.algorithm_and_digest()
        assert s.sources[-1] == f"https://archive.softwareheritage.org/api/1/content/{algo}:{digest}/raw/"
    # Every raw file the default configuration reads has a download entry.
    for vintage_file in config["kof"]["vintages"].values():
        assert f"kof/{vintage_file}" in downloads
    for source in ("pwt", "wgi", "wdi"):
        assert f"{config[source]['subdir']}/{config[source]['file']}" in downloads
    for year in range(1995, 2012):
        assert f"wiod2013/wiot_{year}.RData" in downloads
    assert "wiod/WIOTS_in_R.zip" in downloads


def test_downloaded_and_written_files_get_the_users_umask(tmp_path: Path) -> None:
    """Not tempfile's 0600: collaborators on a shared file system must be able to read the outputs."""
    import os

    import pandas as pd
    import pandera.pandas as pa

    from tradeimbalance.parquet import write_frame

    old = os.umask(0o022)
    try:
        src = tmp_path / "remote.csv"
        src.write_bytes(b"a,b\n1,2\n")
        spec = DownloadSpec(src.as_uri(), "sha256:" + hashlib.sha256(src.read_bytes()).hexdigest(), "test")
        dest = fetch(spec, tmp_path / "raw" / "x.csv")
        assert dest.stat().st_mode & 0o777 == 0o644
        out = tmp_path / "p.parquet"
        write_frame(pd.DataFrame({"a": [1.0]}), out, pa.DataFrameSchema({"a": pa.Column(float)}))
        assert out.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)


# ------------------------------------------------------------------ sources tried in order (download_fallbacks)
def _archive(tmp_path: Path, content: bytes, algo: str = "sha256") -> tuple[str, str]:
    """A local content-addressed archive (``file://``) holding ``content`` under its hash, and the fallback template."""
    digest = hashlib.new(algo, content).hexdigest()
    where = tmp_path / "archive" / f"{algo}:{digest}"
    where.mkdir(parents=True)
    (where / "raw").write_bytes(content)
    return (tmp_path / "archive").as_uri() + "/{algorithm}:{digest}/raw", digest


def test_the_fallback_serves_when_the_address_fails(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    content = b"the pinned bytes" * 100
    template, digest = _archive(tmp_path, content)
    gone = (tmp_path / "deleted-repository" / "pwt91.dta").as_uri()  # the pinned copy's repository was deleted
    spec = DownloadSpec.from_mapping("pwt/pwt91.dta", {"url": gone, "checksum": f"sha256:{digest}"}, fallbacks=[template])
    assert spec.sources == [gone, (tmp_path / "archive").as_uri() + f"/sha256:{digest}/raw"]
    dest = tmp_path / "raw" / "pwt" / "pwt91.dta"
    with caplog.at_level("INFO", logger="tradeimbalance.download"):
        fetch(spec, dest)
    assert dest.read_bytes() == content
    assert f"served by {spec.sources[1]} (a content-addressed fallback)" in caplog.text and "cannot be reached" in caplog.text
    assert not list(dest.parent.glob("*.part"))


def test_a_mirror_is_tried_before_the_fallbacks_and_sha1_entries_work(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    content = b"zip bytes"
    template, digest = _archive(tmp_path, content, "sha1")
    mirror = tmp_path / "mirror.zip"
    mirror.write_bytes(content)
    spec = DownloadSpec.from_mapping("wiod/WIOTS_in_R.zip", {"url": (tmp_path / "absent.zip").as_uri(), "checksum": f"sha1:{digest}", "mirrors": [mirror.as_uri()]},
                                     fallbacks=[template])  # fmt: skip
    assert spec.sources[1] == mirror.as_uri() and spec.sources[2].endswith(f"/sha1:{digest}/raw")
    with caplog.at_level("INFO", logger="tradeimbalance.download"):
        fetch(spec, tmp_path / "raw" / "WIOTS_in_R.zip")
    assert f"served by {mirror.as_uri()} (a mirror)" in caplog.text


def test_every_source_failing_lists_every_address_tried(tmp_path: Path) -> None:
    template = (tmp_path / "archive").as_uri() + "/{algorithm}:{digest}/raw"
    spec = DownloadSpec.from_mapping("kof/KOFGI_2025_public.xlsx", {"url": (tmp_path / "gone.xlsx").as_uri(), "checksum": "sha256:" + "a" * 64,
                                     "publisher": "https://kof.example/index"}, fallbacks=[template])  # fmt: skip
    dest = tmp_path / "raw" / "kof" / "KOFGI_2025_public.xlsx"
    with pytest.raises(DownloadError) as err:
        fetch(spec, dest)
    msg = str(err.value)
    assert "could not be downloaded from any of its 2 sources" in msg
    for k, url in enumerate(spec.sources, 1):
        assert f"[{k}] {url} (" in msg
    assert "https://kof.example/index" in msg and not dest.exists() and not list(dest.parent.glob("*"))


def test_a_fallback_with_wrong_bytes_is_an_error(tmp_path: Path) -> None:
    expected = hashlib.sha256(b"the right bytes").hexdigest()
    wrong = tmp_path / "archive" / f"sha256:{expected}"
    wrong.mkdir(parents=True)
    (wrong / "raw").write_bytes(b"other bytes under the right name")
    template = (tmp_path / "archive").as_uri() + "/{algorithm}:{digest}/raw"
    spec = DownloadSpec.from_mapping("wdi/FP.CPI.TOTL.ZG.csv", {"url": (tmp_path / "gone.csv").as_uri(), "checksum": f"sha256:{expected}"}, fallbacks=[template])
    dest = tmp_path / "raw" / "wdi" / "FP.CPI.TOTL.ZG.csv"
    with pytest.raises(DownloadError, match=rf"\[2\] {re.escape(spec.sources[1])} \(a content-addressed fallback\): served bytes whose sha256 is "
                       rf"{hashlib.sha256(b'other bytes under the right name').hexdigest()}, expected {expected}"):  # fmt: skip
        fetch(spec, dest)
    assert not dest.exists() and not list(dest.parent.glob("*"))


def test_a_fallback_template_without_the_digest_is_refused() -> None:
    with pytest.raises(DownloadError, match="has no {digest}"):
        DownloadSpec.from_mapping("x", {"url": "file:///x", "checksum": "sha256:" + "0" * 64}, fallbacks=["https://archive.example/latest"])
