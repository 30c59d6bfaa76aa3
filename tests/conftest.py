"""Shared test configuration: where the real raw data and the published numbers are."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from collections.abc import Callable

# Each test process computes on one BLAS thread, as every workflow job does (the Snakefile sets the same): `make test`
# runs two worker processes on two cores, and a worker's idle BLAS threads would spin on the core of the other.
for _blas in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_blas] = "1"

import pytest
from threadpoolctl import threadpool_limits

threadpool_limits(1)  # the libraries a plugin may have loaded before this file

from tradeimbalance.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/synthetic.py, tests/worlds.py

# The tests do not read the checkout's own settings file (workflow/local.yaml: the raw folder and the release that
# `make reproduce` remembered): each test names the settings it runs with. Every workflow a test starts inherits this
# (a file that does not exist: no local settings); a test that needs one sets its own.
if "TRADEIMBALANCE_LOCAL_CONFIG" not in os.environ:
    import tempfile

    os.environ["TRADEIMBALANCE_LOCAL_CONFIG"] = str(Path(tempfile.gettempdir()) / f"tradeimbalance-tests-{os.getpid()}" / "no-local.yaml")


#: How to run the tests a skip leaves out (said in every skip for want of raw data, and once at the end of the run).
FULL_SUITE = "the full suite runs with the raw files: make test RAW_DIR=/path/to/raw (layout: data/raw/README.md)"
#: Why a test of the full WIOD 2016 tables skips where they are not (make reproduce downloads them on a machine with internet).
AWAITED = "the full WIOD 2016 tables are not in this raw folder (make reproduce downloads them, 641 MB, where there is internet)"


#: The files whose tests take minutes (the complete end-to-end run, the SLURM cluster), run first: `make test` runs the
#: suite on two worker processes (pytest-xdist, ``--dist loadfile``: a file's tests stay together, in order, on one
#: worker), and the worker that gets the complete run should start it at once while the other runs everything else.
#: (Starting the other releases' runs early as well was measured slower, twice: 329 s against 320 s, and 324 s against
#: 300 s with test_workflow_releases.py fourth, on the other worker: two workflow runs at once on two cores.)
LONG_FIRST = ("test_workflow.py", "test_slurm.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of :data:`LONG_FIRST` first, in that order; every other test in its collected order."""
    rank = {name: i for i, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONG_FIRST)))  # a stable sort: the order within files is kept


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One closing line when tests were skipped for want of the raw data: how to run them."""
    skipped = terminalreporter.stats.get("skipped", [])
    wanting = [r for r in skipped if "not present under" in str(getattr(r, "longrepr", ""))]
    if wanting and "RAW_DIR" not in os.environ:
        terminalreporter.write_line(f"{len(wanting)} test(s) skipped because the raw data are not in {raw_dir()}: {FULL_SUITE}.")


def raw_dir() -> Path:
    """The raw-data directory the real-data tests read (``RAW_DIR``, default ``data/raw``)."""
    return Path(os.environ.get("RAW_DIR", ROOT / "data" / "raw")).resolve()


@pytest.fixture(scope="session")
def raw() -> Path:
    return raw_dir()


def require_raw(*relpaths: str, awaited: bool = False) -> list[Path]:
    """Paths of real raw files under the raw-data directory.

    When a file is absent the test is skipped with the reason, unless ``RAW_DIR``
    was set explicitly (as ``make test`` and CI do): then a missing file of a
    source that should be there fails the test, so a misconfigured data
    directory cannot pass by skipping. ``awaited=True`` marks files that are
    known not to be published here yet (the WIOD 2016 tables): those skip.
    """
    paths = [raw_dir() / p for p in relpaths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        if awaited:
            pytest.skip(f"real raw file(s) not present under {raw_dir()}: {missing}; {AWAITED}")
        if "RAW_DIR" not in os.environ:
            pytest.skip(f"real raw file(s) not present under {raw_dir()}: {missing}; {FULL_SUITE}")
        pytest.fail(f"RAW_DIR={os.environ['RAW_DIR']} lacks required raw file(s): {missing}")
    return paths


def wiod2016_raw_file(year: int) -> Path:
    """The real WIOD 2016 table of ``year`` in whichever official format is present (R first, then Excel).

    The paper's tables are not published in this environment yet: absent, the test is skipped.
    """
    candidates = [f"wiod/WIOT{year}_October16_ROW.RData", f"wiod/WIOT{year}_Nov16_ROW.xlsb", f"wiod/WIOT{year}_Nov16_ROW.xlsx"]
    present = [c for c in candidates if (raw_dir() / c).exists()]
    (path,) = require_raw(present[0] if present else candidates[0], awaited=True)
    return path


def assert_input_error(call: Callable[[], object], path: Path, *fragments: str) -> InputError:
    """``call`` raises an InputError whose message names the file and every fragment."""
    with pytest.raises(InputError) as info:
        call()
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return info.value
