"""Reading the workflow configuration and resolving where each raw file and output lives.

The Snakefile calls these functions; keeping the logic here makes it testable
and keeps the rules thin. ``config`` is the merged dictionary of
``workflow/config.yaml`` and ``workflow/downloads.yaml`` (plus ``--config``
overrides).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

Config = Mapping[str, Any]

IO_RELEASES = ("wiod2016", "wiod2013")


def load_config(*paths: str | Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge YAML files (later ones win, top-level keys) and overrides, as Snakemake does."""
    merged: dict[str, Any] = {}
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            merged.update(yaml.safe_load(fh) or {})
    merged.update(overrides or {})
    return merged


def check_config(config: Config) -> None:
    """Fail early, with the key named, on a configuration the workflow cannot run."""
    release = config["io_release"]
    if release not in IO_RELEASES:
        raise ValueError(f"config io_release={release!r}: expected one of {IO_RELEASES}")
    if config["value_added"] not in ("primary_inputs", "basic_prices"):
        raise ValueError(f"config value_added={config['value_added']!r}: expected primary_inputs or basic_prices")
    if config["value_added"] == "basic_prices" and release != "wiod2016":
        raise ValueError("config value_added=basic_prices needs io_release=wiod2016 (the WIOD 2013 packaging has no value-added row)")
    if not io_years(config):
        r = config["io_releases"][release]
        raise ValueError(
            f"config: no year of {release} ({r['first_year']}–{r['last_year']}) falls in first_year–last_year "
            f"({config['first_year']}–{config['last_year']})"
        )


def raw_dir(config: Config) -> Path:
    return Path(config["raw_dir"])


def io_years(config: Config, release: str | None = None) -> list[int]:
    """Years of the IO release that fall in the sample period (WIOD 2013: 2000–2011)."""
    r = config["io_releases"][release or config["io_release"]]
    first = max(int(r["first_year"]), int(config["first_year"]))
    last = min(int(r["last_year"]), int(config["last_year"]))
    return list(range(first, last + 1))


def io_raw_file(config: Config, year: int, release: str | None = None) -> Path:
    """The raw file of one IO year: the first format of ``formats`` whose file exists.

    When none exists, the first format's path is returned, so that the
    workflow's download rule is asked for it (and explains what is missing).
    """
    release = release or config["io_release"]
    r = config["io_releases"][release]
    folder = raw_dir(config) / r["subdir"]
    candidates = [folder / r["files"][fmt].format(year=year) for fmt in r["formats"]]
    return next((p for p in candidates if p.exists()), candidates[0])


def source_file(config: Config, source: str) -> Path:
    """The raw file of a single-file source (``pwt``, ``wgi``, ``wdi``)."""
    s = config[source]
    return raw_dir(config) / s["subdir"] / s["file"]


def kof_file(config: Config, vintage: str) -> Path:
    k = config["kof"]
    return raw_dir(config) / k["subdir"] / k["vintages"][vintage]


def downloads(config: Config) -> dict[str, dict[str, str]]:
    """Download specifications keyed by path relative to the raw-data directory."""
    return dict(config.get("downloads") or {})
