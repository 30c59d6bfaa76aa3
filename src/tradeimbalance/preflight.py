"""Before any job runs: are the input–output tables of the configured release on hand, or can they be fetched?

The default run reproduces the paper on the paper's data, the WIOD 2016 release. When its tables are
neither in the raw-data folder nor downloadable (no network), the workflow must not fall back to another
release silently, nor start work it cannot finish: :func:`missing_io_tables` returns the message the
workflow stops with, naming the missing files, where they come from and the one switch that runs on the
WIOD 2013 release instead. It is called from ``workflow/rules/download.smk`` when the default target is
built; ``make reproduce`` prints that message as the first thing a user sees.
"""

from __future__ import annotations

import copy
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from . import config as cfg

#: The archive of the WIOD 2016 release in R format, relative to the raw-data folder (config downloads).
WIOD2016_ZIP = "wiod/WIOTS_in_R.zip"


def reachable(url: str, timeout: float = 8.0) -> tuple[bool, str]:
    """Can ``url`` be fetched? ``(False, reason)`` when no connection can be made (an HTTP error status means a
    server answered: reachable). ``file://`` URLs: whether the file exists."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        path = Path(urllib.request.url2pathname(parsed.path))
        return (True, "") if path.exists() else (False, f"{path} does not exist")
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):  # noqa: S310 (configured URLs)
            return True, ""
    except urllib.error.HTTPError:
        return True, ""
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return False, str(getattr(exc, "reason", exc))


def _span(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} … {names[-1]} ({len(names)} files)"


def missing_io_tables(config: Mapping[str, Any], probe: Any = reachable) -> str | None:
    """The message to stop with when the configured release's tables are absent and cannot be downloaded, else None."""
    release = config["io_release"]
    r = config["io_releases"][release]
    raw = cfg.raw_dir(config)
    folder = raw / r["subdir"]
    if "paper_design" not in config:  # the configured release's own years, as the workflow takes them
        config = copy.deepcopy(dict(config))
        cfg.adopt_release_sample(config)
    missing = [y for y in cfg.io_years(config) if not cfg.io_raw_file(config, y, release).exists()]
    if not missing:
        return None
    downloads = cfg.downloads(config)
    first = r["files"][r["formats"][0]]
    names = [first.format(year=y) for y in missing]
    if release == "wiod2016":
        if (raw / WIOD2016_ZIP).exists():
            return None  # the workflow extracts the years from the archive
        needed = [WIOD2016_ZIP] if WIOD2016_ZIP in downloads else []
    else:
        needed = [f"{r['subdir']}/{n}" for n in names if f"{r['subdir']}/{n}" in downloads]
    reason = "no download address is configured (workflow/downloads.yaml)"
    if needed:
        ok, why = probe(downloads[needed[0]]["url"])
        if ok:
            return None  # the download rule fetches them first
        reason = f"{downloads[needed[0]]['url']} cannot be reached ({why})"
    publisher = downloads.get(needed[0], {}).get("publisher", "") if needed else str(r.get("homepage", ""))
    other = "wiod2013" if release == "wiod2016" else "wiod2016"
    years = cfg.release_years(config, release)
    label = {"wiod2016": "WIOD 2016 release, 2000–2014: the paper's tables", "wiod2013": "WIOD 2013 release, 1995–2011"}.get(release, r.get("description", f"{release}, {years[0]}–{years[-1]}"))
    what = f"{WIOD2016_ZIP} (641 MB, all years in R format) or the year files" if release == "wiod2016" else "the year files"
    lines = [
        f"Stopped before any work: the input–output tables of io_release={release} ({label}) are not in the raw-data folder, and they cannot be downloaded.",
        f"  missing in {folder}: {_span(names)}",
        f"  download: {reason}",
    ]
    if publisher:
        lines.append(f"  where they come from: {publisher}")
    fetch = (
        f"  * with internet: run the same command again; the workflow downloads {what} and checks the checksum;"
        if needed
        else f"  * get them by hand{' from ' + publisher if publisher else ''} and put them in {folder} (the file names of config io_releases.{release}.files);"
    )
    lines += [
        "What to do:",
        fetch,
        f"  * files already downloaded elsewhere: make reproduce RAW_DIR=/path/to/raw   (the folder holding {r['subdir']}/);",
        f"  * or run on the {other.replace('wiod', 'WIOD ')} release instead (not the paper's tables): "
        f"make reproduce IO_RELEASE={other}   (snakemake --config io_release={other}).",
    ]
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
