"""Before any job runs: are the input–output tables of the configured release on hand, or can they be fetched?

The default run reproduces the paper on the paper's data, the WIOD 2016 release. When its tables are
neither in the raw-data folder nor downloadable (no network), the workflow must not fall back to another
release silently, nor start work it cannot finish: :func:`missing_io_tables` returns the message the
workflow stops with, naming the missing files, where they come from and the switches to the releases that are
on hand or downloadable (:func:`switches`): the paper's own release as value-added flows first
(``IO_RELEASE=wiod2016_flows``, five benchmark years), then the others (``wiod2013``, annual, 2000–2011). It is
called from ``workflow/rules/download.smk`` when the default target is built; ``make reproduce`` prints that message
as the first thing a user sees.
"""

from __future__ import annotations

import copy
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from . import config as cfg
from .release import WIOD2016_ZIP, Release, adopt_release_sample, releases, tbi_years, year_span


def _span(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} … {names[-1]} ({len(names)} files)"


def reachable(url: str, timeout: float = 8.0) -> tuple[bool, str]:
    """Can ``url`` be fetched? ``(False, reason)`` when no connection can be made or the server says the file is not
    there (HTTP 404 or 410: a content-addressed archive answers so for a hash it does not hold); another HTTP error
    status means a server answered (some refuse HEAD requests): reachable. ``file://`` URLs: whether the file exists."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        path = Path(urllib.request.url2pathname(parsed.path))
        return (True, "") if path.exists() else (False, f"{path} does not exist")
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):  # noqa: S310 (configured URLs)
            return True, ""
    except urllib.error.HTTPError as exc:
        return (False, f"HTTP {exc.code}: not there") if exc.code in (404, 410) else (True, "")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return False, str(getattr(exc, "reason", exc))


@dataclass(frozen=True)
class Availability:
    """Whether a release's files for some years are on hand or can be downloaded, and if not, why."""

    missing: list[Path]  # files absent from the raw-data folder
    needed: list[str]  # their download keys (paths relative to the raw folder) that have a download entry
    ok: bool  # present, or downloadable
    reason: str  # why not (when not ok)


def availability(config: Mapping[str, Any], release: Release, years: list[int], probe: Any = reachable) -> Availability:
    """Are the raw files of ``years`` of ``release`` present, or downloadable (its first missing file's address answers)?"""
    if release.present(years):
        return Availability([], [], True, "")
    missing = sorted({release.raw_file(y) for y in years if not release.raw_file(y).exists()})
    # the WIOD 2016 years come from the release's R archive, one download
    keys = [WIOD2016_ZIP] if release.reader == "wiod2016" else [str(p.relative_to(release.raw)) for p in missing]
    downloads = cfg.downloads(config)
    needed = [k for k in keys if k in downloads]
    if not needed:
        return Availability(missing, [], False, "no download address is configured (workflow/downloads.yaml)")
    reasons = []
    for url in cfg.download_spec(config, needed[0]).sources:  # the address, the mirrors, the content-addressed fallbacks
        ok, why = probe(url)
        if ok:
            return Availability(missing, needed, True, "")
        reasons.append(f"{url} ({why})")
    return Availability(missing, needed, False, "no source of it can be reached: " + "; ".join(reasons))


def switches(config: Mapping[str, Any], probe: Any = reachable) -> list[str]:
    """The other releases a run could use instead, in the order the stop message names them: the paper's own data first
    (config ``paper: true``: its release in another form), then the others by how many sample years they cover; each
    present or downloadable and covering at least two of the sample years."""
    configured = Release.from_config(config)
    first, last = int(config["first_year"]), int(config["last_year"])
    candidates = []
    for name, other in releases(config).items():
        years = [y for y in other.years if first <= y <= last]
        if name != configured.name and len(years) >= 2:
            candidates.append((0 if other.paper else 1, -len(years), name, other, years))
    out = []
    for *_, name, other, years in sorted(candidates, key=lambda c: c[:3]):
        if not availability(config, other, years, probe).ok:
            continue
        form = "value-added flows by destination of absorption" if other.kind == "flows" else "world input–output tables"
        what = f"the paper's own release, as {form}" if other.paper else f"the {other.label}, another release than the paper's"
        when = "annual," if other.annual else f"{len(years)} benchmark years:"
        out.append(f"make reproduce IO_RELEASE={name}   (snakemake --cores 4 --config io_release={name}): {what}; {when} {year_span(years)}")
    return out


def missing_io_tables(config: Mapping[str, Any], probe: Any = reachable) -> str | None:
    """The message to stop with when the configured release's input–output data are absent and cannot be downloaded, else
    None. It names the missing files, where they come from, and the releases the run could use instead (the paper's own
    release in another form first), never switching by itself."""
    if "paper_design" not in config:  # the configured release's own years, as the workflow takes them
        config = copy.deepcopy(dict(config))
        adopt_release_sample(config)  # type: ignore[arg-type]
    release = Release.from_config(config)
    years = tbi_years(config)  # the sample years and the year before, whose TBI instruments the first (when the release has it)
    have = availability(config, release, years, probe)
    if have.ok:
        return None
    names = [p.name for p in have.missing]
    downloads = cfg.downloads(config)
    publisher = downloads.get(have.needed[0], {}).get("publisher", "") if have.needed else str(release.spec.get("homepage", ""))
    what = f"{WIOD2016_ZIP} (641 MB, all years in R format) or the year files" if release.reader == "wiod2016" else "the files"
    lines = [
        f"Stopped before any work: the input–output data of io_release={release.name} ({release.description}) are not in the raw-data folder, and they cannot be downloaded.",
        f"  missing in {release.folder}: {_span(names)}",
        f"  download: {have.reason}",
    ]
    if publisher:
        lines.append(f"  where they come from: {publisher}")
    fetch = (
        f"  * with internet: run the same command again; the workflow downloads {what} and checks the checksum;"
        if have.needed
        else f"  * get them by hand{' from ' + publisher if publisher else ''} and put them in {release.folder} (the file names of config io_releases.{release.name});"
    )
    lines += [
        "What to do:",
        fetch,
        f"  * files already downloaded elsewhere: make reproduce RAW_DIR=/path/to/raw   (the folder holding {release.spec['subdir']}/);",
    ]
    alternatives = switches(config, probe)
    if alternatives:
        lines.append("  * or run on another release whose files are on hand or can be downloaded (the run never switches by itself), in this order:")
        lines += [f"      {i}. {a}" for i, a in enumerate(alternatives, 1)]
    else:
        lines.append(f"  * no other release's files are on hand or downloadable either (io_releases: {', '.join(n for n in config['io_releases'] if n != release.name)}; data/raw/README.md).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m tradeimbalance.preflight [key=value ...]``: the check, before Snakemake starts (``make reproduce``).

    Reads the configuration as the workflow does (``workflow/config.yaml``, ``workflow/downloads.yaml``, the
    local settings file, then ``key=value`` overrides parsed as YAML, as ``--config`` does) and prints the
    message and exits 1 when the run could not get its input–output tables.
    """
    import os
    import sys

    import yaml

    args = sys.argv[1:] if argv is None else argv
    overrides = {}
    for item in args:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"preflight: expected key=value, got {item!r}")
        overrides[key] = yaml.safe_load(value)
    root = Path(__file__).resolve().parents[2]
    local = Path(os.environ.get("TRADEIMBALANCE_LOCAL_CONFIG", root / "workflow" / "local.yaml"))
    files = [root / "workflow" / "config.yaml", root / "workflow" / "downloads.yaml", *([local] if local.exists() else [])]
    config = cfg.load_config(*files, overrides=overrides)
    try:
        cfg.check_config(config)
    except cfg.ConfigError:
        return 0  # Snakemake reports configuration errors itself, with the schema
    message = missing_io_tables(config)
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
