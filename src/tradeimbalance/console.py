"""What a run prints on the console, beside Snakemake's "N of M steps" progress.

Each job logs to its own file (``logs/…``): everything it has to say is there, and nothing but a failure goes to the
console (:func:`tradeimbalance.provenance.setup_logging`). When the run ends, the ``Snakefile`` prints

* one line per kind of warning the run's jobs logged (:func:`warning_summary`): the same message for another year or
  release counts as the same kind, with how many times it came and the log file of its first occurrence;
* where the results are (``results/report.html``) and the one-line summary of the report's glance (:func:`closing_lines`).

Before a run replaces results made with other data (another KOF vintage or release in the same results folder), it says
so first (:func:`replacing`), naming the way to keep both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

#: The file in a results folder that names the data it was made with (written when a run succeeds).
RUN_FILE = ".run.json"
_NUMBER = re.compile(r"[-+]?\d[\d,.]*(?:e[-+]?\d+)?")
_LEVEL = re.compile(r"^WARNING\s+(\S+):\s+(.*)$")


def warning_kind(message: str) -> str:
    """A warning's kind: its text with every number replaced by ``#`` (the same message for another year is one kind)."""
    return _NUMBER.sub("#", message)


def warning_summary(logs_dir: str | Path, since: float) -> list[str]:
    """One line per kind of warning in the log files under ``logs_dir`` written since ``since`` (a timestamp: this run's
    jobs), in the order first seen: ``WARNING (N×): <first message> [<its log file>]``."""
    kinds: dict[str, list[object]] = {}
    root = Path(logs_dir)
    if not root.is_dir():
        return []
    for log in sorted(root.rglob("*.log")):
        try:
            if log.stat().st_mtime < since:
                continue
            lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            m = _LEVEL.match(line)
            if not m:
                continue
            kind = warning_kind(m.group(2))
            if kind in kinds:
                kinds[kind][0] = int(kinds[kind][0]) + 1  # type: ignore[call-overload]
            else:
                kinds[kind] = [1, m.group(2), log]
    return [f"WARNING ({n}×): {first} [{where}]" if int(n) > 1 else f"WARNING: {first} [{where}]" for n, first, where in kinds.values()]  # type: ignore[misc]


def run_identity(config: Mapping[str, object]) -> dict[str, str]:
    """The data a results folder is made with: the input–output release and the KOF vintage."""
    return {"io_release": str(config["io_release"]), "kof_vintage": str(config["kof_vintage"])}


def replacing(results_dir: str | Path, config: Mapping[str, object]) -> str:
    """The warning to print before a run that replaces results made with other data, or ""."""
    run_file = Path(results_dir) / RUN_FILE
    if not run_file.exists():
        return ""
    try:
        before = json.loads(run_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    now = run_identity(config)
    changed = {k: (before.get(k), v) for k, v in now.items() if before.get(k) != v}
    if not changed:
        return ""
    what = ", ".join(f"{k} {old} → {new}" for k, (old, new) in changed.items())
    keep = "_".join(f"{v}" for k, (_, v) in changed.items())
    return (f"This run replaces the results in {results_dir}/, made with other data ({what}). To keep both, stop now (Ctrl-C) and "
            f"add results_dir={Path(results_dir).as_posix()}_{keep} processed_dir=data/processed_{keep} to --config (or to CONFIG=\"…\" for make).")  # fmt: skip


def record_run(results_dir: str | Path, config: Mapping[str, object]) -> None:
    """Note in the results folder which data it was made with (read by :func:`replacing`)."""
    path = Path(results_dir) / RUN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run_identity(config), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def closing_lines(results_dir: str | Path) -> list[str]:
    """Where to look, and the glance's one-line summary (``reports/glance_summary.txt``, written by the report)."""
    res = Path(results_dir)
    out = []
    summary = res / "reports" / "glance_summary.txt"
    if summary.exists():
        out += [line for line in summary.read_text(encoding="utf-8").splitlines() if line.strip()]
    out.append(f"Done. Open {(res / 'report.html').as_posix()} (tables: {(res / 'tables').as_posix()}/*.tex; figures: {(res / 'figures').as_posix()}/).")
    return out
