"""The per-checkout settings file (``workflow/local.yaml``, not committed; ``TRADEIMBALANCE_LOCAL_CONFIG`` moves it).

``make reproduce RAW_DIR=… IO_RELEASE=…`` remembers the raw-data folder and the input–output release there, so that
every later command — ``make reproduce``, ``make sensitivity``, ``snakemake --cores 4 --config kof_vintage=2025`` —
runs on the same files and the same release without repeating them. Snakemake reads the file after
``workflow/config.yaml`` (the ``Snakefile``); ``--config`` still overrides it.

``python -m tradeimbalance.local FILE key=value …`` sets the keys (values as strings: a folder, a release name) and
keeps every other key of the file; it prints one line saying what is remembered and how to change it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml


def remember(path: str | Path, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Set ``settings`` in the YAML file ``path`` (created if absent), keeping its other keys; return the file's content."""
    path = Path(path)
    current = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    if current is not None and not isinstance(current, dict):
        raise ValueError(f"{path}: expected a mapping of settings (key: value lines), found {type(current).__name__}")
    merged = {**(current or {}), **dict(settings)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(merged, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return merged


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        raise SystemExit("usage: python -m tradeimbalance.local FILE key=value ...")
    path, items = Path(args[0]), {}
    for item in args[1:]:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"tradeimbalance.local: expected key=value, got {item!r}")
        items[key] = value
    if not items:
        return 0
    remember(path, items)
    said = ", ".join(f"{k}={v}" for k, v in items.items())
    print(f"remembered in {path}: {said} (later make and snakemake commands use it; give another value to change it)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
