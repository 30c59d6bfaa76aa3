"""The download rule's fetch: file:// URLs, checksum check, clear failure without network."""

from __future__ import annotations

import hashlib
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
    with pytest.raises(DownloadError, match=r"its sha256 is [0-9a-f]{64}, expected 0{64}.*save it as .*file.csv"):
        fetch(spec, dest)
    assert not dest.exists() and not list(dest.parent.glob("*"))


def test_unreachable_url_fails_fast_with_instructions(tmp_path: Path) -> None:
    spec = DownloadSpec(url=(tmp_path / "absent.xlsx").as_uri(), checksum="sha256:" + "1" * 64, publisher="https://kof.example/index")
    dest = tmp_path / "raw" / "kof" / "KOFGI_2025_public.xlsx"
    with pytest.raises(DownloadError) as err:
        fetch(spec, dest)
    msg = str(err.value)
    assert f"Raw file {dest} is missing and could not be downloaded from {spec.url}" in msg
    assert "https://kof.example/index" in msg and "raw_dir=DIR" in msg
    assert not dest.exists()


def test_unresolvable_host_fails_with_instructions(tmp_path: Path) -> None:
    spec = DownloadSpec(url="https://host.invalid/pwt91.dta", checksum="sha256:" + "1" * 64)
    with pytest.raises(DownloadError, match=r"could not be downloaded from https://host.invalid/pwt91.dta"):
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
        s = DownloadSpec.from_mapping(relpath, spec)
        assert s.url.startswith("https://") and s.publisher
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
