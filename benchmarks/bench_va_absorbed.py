#!/usr/bin/env python
"""Benchmark of the value-added-absorbed step, beside pymrio and the LAPACK floor.

The step
    ``tradeimbalance.io.ioalgebra.va_absorbed(table)`` on an in-memory
    :class:`~tradeimbalance.io.iotable.IOTable`: value added ``v = x − Σ Z``,
    ``A = Z x̂⁻¹``, one LU factorisation of ``I − A``, one solve with the ``C``
    destination columns of final demand, and the sum of ``v̂ X`` over each
    country's sectors (``C × C``). Reading the raw file is *not* part of the
    step; its time is reported separately (``read_s``; for the synthetic
    release, the time to generate the table).

What is measured, per year (all in this one process, on the same table)
    ours        wall seconds (``time.perf_counter``, best of ``--repeat`` runs)
                of ``va_absorbed(table)`` and its peak memory: the tracemalloc
                peak during one further run, above what was allocated before it
                (NumPy reports its array buffers to tracemalloc; memory that
                OpenBLAS/LAPACK allocate internally is not seen, hence the
                process's peak RSS printed at the end).
    pymrio      the same C × C matrix computed by pymrio: ``IOSystem(Z, Y, x,
                factor_inputs={"F": value added by origin country (C × n)})``,
                ``calc_all()``, ``factor_inputs.D_cba_reg``. ``calc_all`` is
                timed (best of ``--repeat``, a fresh IOSystem each time) and
                the DataFrame/IOSystem construction is timed separately
                (``pymrio_build_s``). The script ASSERTS that pymrio's matrix
                equals ours to rtol 1e-8 (so both did the same work); a
                mismatch is an error. ``x`` is passed to pymrio explicitly
                (the table's gross output, as ours uses): the WIOD 2013 tables
                are rounded to whole millions, so ``Z 1 + F 1`` differs from
                the published ``x`` and pymrio's own ``x`` would give another A.
    floor       one ``scipy.linalg.lu_factor`` of the year's ``n × n`` matrix
                ``I − A`` (best of ``--repeat``), the LAPACK floor of any method
                that factorises ``I − A``. The matrix is Fortran-ordered and
                ``overwrite_a=True``, so this is LAPACK ``getrf`` alone, in place
                (``lu_floor_s``). Beside it, ``lu_called_s``: the same call on
                ``I − A`` in the memory layout ``leontief_system`` produces (that
                of the table's ``Z``), factorised as it does (a C-ordered matrix
                through its transpose, so without a copy). And once, the LU
                floor of a random ``--ref-n`` × ``--ref-n`` matrix (default
                2464, the WIOD 2016 size).

Ours, pymrio and the floor are run interleaved (one of each per repetition),
so a change in the machine's background load affects all three alike.

Targets (reported, never enforced: the exit code is 0 unless an error occurs)
    speed-up over pymrio (``pymrio_s / ours_s``) ≥ 5; ours within 3× of the LU
    floor (``ours_s / lu_floor_s`` ≤ 3); peak memory of the step ≤ 1 GiB.

BLAS threads matter
    NumPy and SciPy wheels each bundle their own OpenBLAS (pymrio's inverse
    runs in NumPy's, our LU in SciPy's); each starts as many threads as there
    are cores. On a loaded machine, busy-waiting BLAS threads can make a
    factorisation several times slower. ``--threads N`` sets
    ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS``
    before NumPy is imported (and, if NumPy was already imported, sets the
    thread count of every loaded OpenBLAS at run time). The header prints
    each loaded OpenBLAS with its thread count and the load average.

Releases
    ``wiod2016``: for year Y the file the workflow would read (the first of
    ``wiod/WIOT{Y}_October16_ROW.RData``, ``WIOT{Y}_Nov16_ROW.xlsb``,
    ``WIOT{Y}_Nov16_ROW.xlsx``; from ``workflow/config.yaml`` ``io_releases``)
    with ``read_wiod2016``. ``wiod2013``: ``wiod2013/wiot_{Y}.RData`` with
    ``read_wiod2013`` (41 × 35, n = 1435). ``synthetic2016``: random balanced
    tables of the 2016 release's size (44 × 56, n = 2464) built by
    ``random_world`` of ``tests/synthetic.py`` (seed = year, ``--density``,
    default 0.3), for measuring 2016-size figures while the real tables are
    absent. ``tests/synthetic.py`` is imported by putting the repository's
    ``tests`` directory (found from this file's location, not the working
    directory) on ``sys.path`` when, and only when, the synthetic release is
    asked for.

Usage::

    python benchmarks/bench_va_absorbed.py --raw-dir data/raw --release wiod2013 --years 2000-2011
    python benchmarks/bench_va_absorbed.py --release synthetic2016 --years 2000-2002 --csv bench.csv
"""

from __future__ import annotations

import argparse
import csv
import functools
import ctypes
import gc
import logging
import os
import platform
import resource
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TESTS_DIR = REPO / "tests"
WORKFLOW_CONFIG = REPO / "workflow" / "config.yaml"

MIB = 2**20
TARGET_SPEEDUP = 5.0  # pymrio_s / ours_s at least
TARGET_FLOOR_RATIO = 3.0  # ours_s / lu_floor_s at most
TARGET_PEAK_BYTES = 2**30  # 1 GiB
RTOL = 1e-8  # ours against pymrio
WIOD2016_N = 2464

RELEASES = ("wiod2016", "wiod2013", "synthetic2016")
#: Years each release covers (as in workflow/config.yaml; synthetic2016 mimics wiod2016).
RELEASE_YEARS = {"wiod2016": (2000, 2014), "wiod2013": (1995, 2011), "synthetic2016": (2000, 2014)}
#: Fallback when workflow/config.yaml cannot be read: subdirectory and file patterns, in the order tried.
FALLBACK_FILES = {
    "wiod2016": ("wiod", ("WIOT{year}_October16_ROW.RData", "WIOT{year}_Nov16_ROW.xlsb", "WIOT{year}_Nov16_ROW.xlsx")),
    "wiod2013": ("wiod2013", ("wiot_{year}.RData",)),
}
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

CSV_COLUMNS = [
    "release",
    "year",
    "n",
    "z_layout",
    "read_s",
    "ours_s",
    "pymrio_build_s",
    "pymrio_s",
    "speedup",
    "lu_floor_s",
    "ours_floor_ratio",
    "lu_as_called_s",
    "ours_peak_mib",
    "pymrio_build_peak_mib",
    "pymrio_peak_mib",
    "max_rel_diff",
    "speed_target",
    "floor_target",
    "memory_target",
    "ref_lu_n",
    "ref_lu_floor_s",
    "blas_threads",
    "repeat",
]


# ------------------------------------------------------------------ arguments
def parse_years(spec: str) -> list[int]:
    """``"2000-2011"``, ``"2000,2003,2005"`` or a mix (``"2000-2002,2005"``), sorted and unique."""
    years: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            lo, hi = (int(p) for p in part.split("-", 1))
            if hi < lo:
                raise ValueError(f"year range {part!r} runs backwards")
            years.update(range(lo, hi + 1))
        else:
            years.add(int(part))
    if not years:
        raise ValueError(f"no year in {spec!r}")
    return sorted(years)


def parse_dims(spec: str) -> tuple[int, int]:
    c, s = (int(p) for p in spec.lower().split("x", 1))
    if c < 2 or s < 1:
        raise ValueError(f"synthetic dimensions {spec!r}: need at least 2 countries and 1 sector")
    return c, s


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bench_va_absorbed.py",
        description="Time and peak memory of the value-added-absorbed step per WIOD year, against pymrio and the LU floor.",
        epilog="BLAS threads matter: NumPy and SciPy each bundle an OpenBLAS that starts one thread per core; "
        "on a busy machine pin them with --threads. Targets are reported (PASS/MISS), never enforced.",
    )
    p.add_argument("--raw-dir", type=Path, default=Path("data/raw"), help="raw-data directory (default: data/raw)")
    p.add_argument(
        "--release",
        choices=RELEASES,
        default=None,
        help="table release (default: wiod2016 if RAW_DIR/wiod has WIOD 2016 tables, else wiod2013); "
        "synthetic2016 = random tables of the 2016 size (44 x 56)",
    )
    p.add_argument(
        "--years", default=None, help="years, e.g. 2000-2011 or 2000,2005 (default: every year of the release present)"
    )
    p.add_argument("--repeat", type=int, default=3, help="timed runs per measurement; the best is reported (default: 3)")
    p.add_argument("--csv", type=Path, default=None, metavar="PATH", help="also write the figures as CSV (one row per year)")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        metavar="N",
        help="BLAS/OpenMP threads: sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS before NumPy is imported",
    )
    p.add_argument("--density", type=float, default=0.3, help="synthetic2016: share of non-zero coefficients (default: 0.3)")
    p.add_argument(
        "--ref-n",
        type=int,
        default=WIOD2016_N,
        help="size of the one-off reference LU floor (default: 2464, WIOD 2016; 0 skips it)",
    )
    # For the smoke test: synthetic tables of C countries x S sectors instead of 44 x 56.
    p.add_argument("--synthetic-dims", type=parse_dims, default=None, help=argparse.SUPPRESS)
    return p


# --------------------------------------------------------------- BLAS threads
def set_thread_env(n: int) -> bool:
    """Set the thread variables; returns whether NumPy was imported already (then they act too late)."""
    for var in THREAD_ENV:
        os.environ[var] = str(n)
    return "numpy" in sys.modules


#: Symbol names of OpenBLAS's thread getter/setter (SciPy/NumPy wheels prefix them; ILP64 builds add a suffix).
_PREFIXES = ("scipy_openblas_", "openblas_")
_GET = tuple(f"{p}get_num_threads{s}" for p in _PREFIXES for s in ("64_", ""))
_SET = tuple(f"{p}set_num_threads{s}" for p in _PREFIXES for s in ("64_", ""))


def _loaded_openblas() -> list[tuple[str, Any]]:
    """``(path, ctypes library)`` of every OpenBLAS loaded in this process (Linux: /proc/self/maps)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            paths = sorted({line.split()[-1] for line in fh if "openblas" in line.lower() and ".so" in line})
    except OSError:
        return []
    libs = []
    for path in paths:
        try:
            libs.append((path, ctypes.CDLL(path)))
        except OSError:
            continue
    return libs


def _symbol(lib: Any, names: Sequence[str]) -> Any:
    for name in names:
        try:
            return getattr(lib, name)
        except AttributeError:
            continue
    return None


def blas_threads() -> list[tuple[str, int | None]]:
    """``(library file name, thread count)`` of each loaded OpenBLAS."""
    out = []
    for path, lib in _loaded_openblas():
        get = _symbol(lib, _GET)
        out.append((Path(path).name, int(get()) if get is not None else None))
    return out


def set_blas_threads(n: int) -> None:
    """Set the thread count of every loaded OpenBLAS at run time (for when NumPy was imported earlier)."""
    for _, lib in _loaded_openblas():
        setter = _symbol(lib, _SET)
        if setter is not None:
            setter(ctypes.c_int(n))


def describe_blas() -> str:
    libs = blas_threads()
    if not libs:
        return "no OpenBLAS found in /proc/self/maps"
    return "; ".join(f"{name}: {threads if threads is not None else '?'} thread(s)" for name, threads in libs)


# --------------------------------------------------------------------- inputs
def release_candidates(raw_dir: Path, release: str, year: int) -> list[Path]:
    """The files the workflow would try for ``year``, in order (from workflow/config.yaml if readable)."""
    try:
        from tradeimbalance.config import load_config

        r = load_config(WORKFLOW_CONFIG)["io_releases"][release]
        subdir, patterns = r["subdir"], [r["files"][fmt] for fmt in r["formats"]]
    except Exception:  # config absent or laid out differently: the documented defaults
        subdir, patterns = FALLBACK_FILES[release]
    return [raw_dir / subdir / p.format(year=year) for p in patterns]


def release_file(raw_dir: Path, release: str, year: int) -> Path | None:
    return next((p for p in release_candidates(raw_dir, release, year) if p.is_file()), None)


def default_release(raw_dir: Path) -> str:
    lo, hi = RELEASE_YEARS["wiod2016"]
    if any(release_file(raw_dir, "wiod2016", y) for y in range(lo, hi + 1)):
        return "wiod2016"
    return "wiod2013"


def synthetic_labels(dims: tuple[int, int] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if str(TESTS_DIR) not in sys.path:
        sys.path.insert(0, str(TESTS_DIR))
    from synthetic import WIOD2016_REGIONS, WIOD2016_SECTORS  # tests/synthetic.py

    if dims is None:
        return WIOD2016_REGIONS, WIOD2016_SECTORS
    c, s = dims
    regions = WIOD2016_REGIONS[:c] if c <= len(WIOD2016_REGIONS) else tuple(f"R{i:03d}" for i in range(c))
    sectors = WIOD2016_SECTORS[:s] if s <= len(WIOD2016_SECTORS) else tuple(f"S{i:03d}" for i in range(s))
    return regions, sectors


def load_table(args: argparse.Namespace, year: int) -> tuple[Any, float, str]:
    """The year's table, the seconds it took to read (or generate) and where it came from."""
    t0 = time.perf_counter()
    if args.release == "synthetic2016":
        from synthetic import random_world  # tests/synthetic.py (on sys.path via synthetic_labels)

        regions, sectors = synthetic_labels(args.synthetic_dims)
        table = random_world(regions, sectors, year=year, seed=year, density=args.density)
        source = f"random_world(seed={year}, density={args.density})"
    elif args.release == "wiod2016":
        from tradeimbalance.readers.wiod2016 import read_wiod2016

        path = release_file(args.raw_dir, "wiod2016", year)
        table = read_wiod2016(path, year)
        source = str(path)
    else:
        from tradeimbalance.readers.wiod2013 import read_wiod2013

        path = release_file(args.raw_dir, "wiod2013", year)
        table = read_wiod2013(path, year)
        source = str(path)
    return table, time.perf_counter() - t0, source


# ---------------------------------------------------------------- measurement
def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def traced_peak(fn: Callable[[], Any]) -> tuple[int, Any]:
    """Peak bytes traced by tracemalloc while ``fn`` runs, above what was allocated when it started."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        out = fn()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return peak, out


def ours_step(table: Any) -> Any:
    """The step under test (module-level so the smoke test can substitute it)."""
    from tradeimbalance.io.ioalgebra import va_absorbed

    return va_absorbed(table)


def pymrio_system(table: Any) -> Any:
    """An un-computed pymrio IOSystem of ``table`` with value added by origin country as the extension."""
    import numpy as np
    import pandas as pd
    import pymrio

    idx = pd.MultiIndex.from_tuples(table.row_labels(), names=["region", "sector"])
    y_cols = pd.MultiIndex.from_product([table.countries, table.fd_categories], names=["region", "category"])
    Z = pd.DataFrame(table.Z, index=idx, columns=idx)
    Y = pd.DataFrame(table.F, index=idx, columns=y_cols)
    x = pd.DataFrame(table.x, index=idx, columns=["indout"])
    # Row c: the value added of country c's sectors, 0 elsewhere. D_cba_reg is then value added of
    # each origin country (row) absorbed in each region's final demand (column).
    own = np.repeat(np.eye(table.n_countries), table.n_sectors, axis=1)
    va = pd.DataFrame(own * table.value_added()[None, :], index=pd.Index(list(table.countries), name="stressor"), columns=idx)
    return pymrio.IOSystem(Z=Z, Y=Y, x=x, factor_inputs={"F": va, "name": "factor_inputs"})


def pymrio_step(io: Any) -> Any:
    io.calc_all()
    return io


def pymrio_matrix(io: Any, table: Any) -> Any:
    c = list(table.countries)
    return io.factor_inputs.D_cba_reg.loc[c, c].to_numpy(dtype=float)


def i_minus_a(table: Any) -> Any:
    """``I − A`` built as ``leontief_system`` builds it (so in the memory layout of ``table.Z``)."""
    import numpy as np

    inv_x = np.divide(1.0, table.x, out=np.zeros_like(table.x, dtype=float), where=table.x > 0)
    M = np.multiply(table.Z, -inv_x)
    M[np.diag_indices_from(M)] += 1.0
    return M


def layout(a: Any) -> str:
    return "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C" if a.flags.c_contiguous else "-"


def lu_once(M: Any, in_place: bool = True) -> float:
    """Seconds of one ``lu_factor(…, overwrite_a=True)`` of a copy of ``M`` (the copy is not timed).

    ``in_place=True``: the copy is Fortran-ordered, so LAPACK ``getrf`` works in the
    array itself, with no copy: the LAPACK floor. ``in_place=False``: the copy keeps
    ``M``'s layout and is factorised as ``leontief_system`` does it (a C-ordered
    matrix through its transpose, a column-major view, so no copy either).
    """
    import numpy as np
    import scipy.linalg as sla

    work = np.array(M, order="F" if in_place else "K", copy=True)
    if not in_place and not work.flags.f_contiguous:
        work = work.T  # as leontief_system does: factorise the transpose, a column-major view
    seconds, (lu, _) = timed(lambda: sla.lu_factor(work, overwrite_a=True, check_finite=False))
    if in_place and not np.shares_memory(lu, work):  # the floor must not include a copy
        raise RuntimeError("lu_factor copied a Fortran-ordered matrix despite overwrite_a=True: the floor is not in place")
    return seconds


def reference_matrix(n: int, density: float = 0.3, seed: int = 2464) -> Any:
    """A random ``I − A`` of size ``n`` (column sums of A below 0.6), for the one-off reference floor."""
    import numpy as np

    rng = np.random.default_rng(seed)
    A = rng.random((n, n)) * (rng.random((n, n)) < density)
    A *= rng.uniform(0.2, 0.6, n) / np.maximum(A.sum(axis=0), 1e-12)
    M = np.negative(A)
    M[np.diag_indices_from(M)] += 1.0
    return M


def measure_year(table: Any, repeat: int) -> dict[str, Any]:
    """All figures of one table. Raises AssertionError if pymrio's matrix differs from ours."""
    import numpy as np

    M = i_minus_a(table)
    ours_t, build_t, pymrio_t, floor_t, called_t = [], [], [], [], []
    ours = io = None
    for _ in range(repeat):  # interleaved, so that background load hits all alike
        s, ours = timed(lambda: ours_step(table))
        ours_t.append(s)
        floor_t.append(lu_once(M, in_place=True))
        called_t.append(lu_once(M, in_place=False))
        s, built = timed(lambda: pymrio_system(table))
        build_t.append(s)
        s, io = timed(functools.partial(pymrio_step, built))
        pymrio_t.append(s)

    theirs = pymrio_matrix(io, table)
    np.testing.assert_allclose(
        theirs, ours, rtol=RTOL, atol=0, err_msg=f"{table.release} {table.year}: pymrio's D_cba_reg differs from va_absorbed"
    )
    scale = np.abs(ours)
    rel = np.abs(theirs - ours) / np.where(scale > 0, scale, 1.0)
    del io

    ours_peak, _ = traced_peak(lambda: ours_step(table))
    build_peak, built = traced_peak(lambda: pymrio_system(table))
    pymrio_peak, _ = traced_peak(functools.partial(pymrio_step, built))
    del built
    ours_s, pymrio_s, floor_s = min(ours_t), min(pymrio_t), min(floor_t)
    return {
        "n": table.n,
        "z_layout": layout(table.Z),
        "ours_s": ours_s,
        "pymrio_build_s": min(build_t),
        "pymrio_s": pymrio_s,
        "speedup": pymrio_s / ours_s,
        "lu_floor_s": floor_s,
        "ours_floor_ratio": ours_s / floor_s,
        "lu_as_called_s": min(called_t),
        "ours_peak_mib": ours_peak / MIB,
        "pymrio_build_peak_mib": build_peak / MIB,
        "pymrio_peak_mib": pymrio_peak / MIB,
        "max_rel_diff": float(rel.max()),
        "speed_target": _mark(pymrio_s / ours_s >= TARGET_SPEEDUP),
        "floor_target": _mark(ours_s / floor_s <= TARGET_FLOOR_RATIO),
        "memory_target": _mark(ours_peak <= TARGET_PEAK_BYTES),
    }


def _mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def busy_note(load_at_start: float | None) -> str | None:
    """A warning when other processes kept the cores busy during the run (1-minute load average)."""
    try:
        load = max(os.getloadavg()[0], load_at_start or 0.0)
    except OSError:
        return None
    cores = os.cpu_count() or 1
    if load <= 0.5 * cores + 1.0:  # this benchmark itself adds about one
        return None
    return (
        f"the machine was busy (1-minute load average up to {load:.2f} on {cores} cores, this run included): "
        "BLAS threads compete with other processes, timings are inflated and noisy; rerun when idle, "
        "or with --threads 1 and a larger --repeat"
    )


def disturbed_note(rows: list[dict[str, Any]]) -> str | None:
    """A warning when the LU floor of same-size tables varies a lot: the machine was busy during those years."""
    slow = []
    for n in {r["n"] for r in rows}:
        same = [r for r in rows if r["n"] == n]
        fastest = min(r["lu_floor_s"] for r in same)
        slow += [str(r["year"]) for r in same if r["lu_floor_s"] > 1.5 * fastest]
    if not slow:
        return None
    return (
        f"the LU floor of same-size tables was over 1.5x its fastest in {', '.join(sorted(slow))}: other processes "
        "were competing for the cores then, so those years' timings are inflated and noisy; rerun when idle, "
        "or with --threads 1 and a larger --repeat"
    )


def peak_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / MIB if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB on Linux


# ------------------------------------------------------------------- printing
_TABLE = [
    # (header, key, format, width)
    ("year", "year", "{}", 4),
    ("n", "n", "{}", 5),
    ("Z", "z_layout", "{}", 1),
    ("read_s", "read_s", "{:.3f}", 7),
    ("ours_s", "ours_s", "{:.3f}", 7),
    ("pym_build_s", "pymrio_build_s", "{:.3f}", 11),
    ("pymrio_s", "pymrio_s", "{:.3f}", 8),
    ("speedup", "speedup", "{:.2f}x", 7),
    ("lu_floor_s", "lu_floor_s", "{:.3f}", 10),
    ("ours/floor", "ours_floor_ratio", "{:.2f}x", 10),
    ("lu_called_s", "lu_as_called_s", "{:.3f}", 11),
    ("ours_MiB", "ours_peak_mib", "{:.1f}", 8),
    ("pymrio_MiB", "pymrio_peak_mib", "{:.1f}", 10),
    ("max_rel_diff", "max_rel_diff", "{:.1e}", 12),
    ("speed", "speed_target", "{}", 5),
    ("floor", "floor_target", "{}", 5),
    ("mem", "memory_target", "{}", 4),
]


def table_header() -> str:
    return "  ".join(head.rjust(width) for head, _, _, width in _TABLE)


def table_row(row: dict[str, Any]) -> str:
    return "  ".join(fmt.format(row[key]).rjust(width) for _, key, fmt, width in _TABLE)


def print_header(args: argparse.Namespace, years: list[int], thread_note: str) -> None:
    import numpy as np
    import pandas as pd
    import pymrio
    import scipy

    print("== value-added-absorbed step: tradeimbalance.io.ioalgebra.va_absorbed vs pymrio calc_all vs LAPACK LU ==")
    if args.release == "synthetic2016":
        c, s = args.synthetic_dims or (44, 56)
        size = "the WIOD 2016 size" if args.synthetic_dims is None else "test dimensions"
        print(
            f"release   : synthetic2016 -- SYNTHETIC random tables of {size} ({c} regions x {s} sectors, n = {c * s}), "
            f"random_world from tests/synthetic.py, density {args.density}, seed = year. NOT the real WIOD 2016 tables."
        )
    else:
        print(f"release   : {args.release} (raw dir {args.raw_dir})")
    print(f"years     : {', '.join(map(str, years))}")
    print(f"repeat    : best of {args.repeat} (interleaved: ours, LU floor, LU as called, pymrio build, pymrio calc_all)")
    print(f"machine   : {platform.machine()} {os.cpu_count()} CPU(s), load average {load_average()}")
    print(
        f"versions  : python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"pandas {pd.__version__}, pymrio {pymrio.__version__}"
    )
    env = ", ".join(f"{v}={os.environ[v]}" for v in THREAD_ENV if v in os.environ) or "none set"
    print(f"threads   : {thread_note}; env {env}")
    print(f"BLAS      : {describe_blas()}")
    print(
        f"targets   : speedup (pymrio_s/ours_s) >= {TARGET_SPEEDUP:g}x; ours/floor <= {TARGET_FLOOR_RATIO:g}x; "
        f"ours peak <= {TARGET_PEAK_BYTES / MIB:.0f} MiB; pymrio must equal ours to rtol {RTOL:g} (asserted)"
    )
    print("columns   : Z = memory layout of the table's Z (C or Fortran order); read_s = read (synthetic: generate) the table,")
    print("            not part of the step; pym_build_s = pandas/IOSystem construction (not in pymrio_s); lu_floor_s =")
    print("            lu_factor of a Fortran-ordered I - A in place (pure LAPACK getrf); lu_called_s = lu_factor of I - A in")
    print("            Z's layout, as leontief_system calls it (C order: through its transpose, no copy); *_MiB =")
    print("            tracemalloc peak above the allocation at the start of the step")
    print()


def print_summary(rows: list[dict[str, Any]], ref: tuple[int, float] | None, rss_before_pymrio: float, notes: list[str]) -> None:
    print()
    if ref is not None:
        size = " (WIOD 2016 size)" if ref[0] == WIOD2016_N else ""
        print(f"reference LU floor: lu_factor of a random {ref[0]} x {ref[0]} I - A{size} on this machine = {ref[1]:.3f} s")
    per = {
        "speedup >= 5x vs pymrio": "speed_target",
        "ours within 3x of LU floor": "floor_target",
        "ours peak memory <= 1 GiB": "memory_target",
    }
    overall = []
    for label, key in per.items():
        missed = [str(r["year"]) for r in rows if r[key] != "PASS"]
        ok = not missed
        overall.append(ok)
        detail = f"{len(rows) - len(missed)}/{len(rows)} years" + (f"; MISS in {', '.join(missed)}" if missed else "")
        print(f"target {label:<28}: {_mark(ok)} ({detail})")
    print(
        f"summary: speedup {min(r['speedup'] for r in rows):.2f}x-{max(r['speedup'] for r in rows):.2f}x, "
        f"ours/floor {min(r['ours_floor_ratio'] for r in rows):.2f}x-{max(r['ours_floor_ratio'] for r in rows):.2f}x, "
        f"ours peak <= {max(r['ours_peak_mib'] for r in rows):.1f} MiB, "
        f"pymrio peak <= {max(r['pymrio_peak_mib'] for r in rows):.1f} MiB "
        f"-> overall {_mark(all(overall))}"
    )
    print(
        f"process peak RSS: {rss_before_pymrio:.1f} MiB before the first pymrio run, "
        f"{peak_rss_mib():.1f} MiB at the end (ru_maxrss)"
    )
    for note in notes:
        print(f"note: {note}")


class _Collect(logging.Handler):
    """Keeps each distinct warning of the package once (they would repeat on every run)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = f"{record.levelname.lower()}: {record.getMessage()}"
        if msg not in self.messages:
            self.messages.append(msg)


# ----------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    thread_note = "BLAS default (one thread per core)"
    if args.threads is not None:
        if args.threads < 1:
            parser.error("--threads must be at least 1")
        late = set_thread_env(args.threads)
        how = "set at run time: NumPy was already imported" if late else "env set before importing NumPy"
        thread_note = f"--threads {args.threads} ({how})"

    import numpy as np  # noqa: F401  (after the thread variables are set)
    import pymrio  # noqa: F401
    import scipy.linalg  # noqa: F401

    if args.threads is not None:
        set_blas_threads(args.threads)

    if args.release is None:
        args.release = default_release(args.raw_dir)
    lo, hi = RELEASE_YEARS[args.release]
    if args.years is not None:
        try:
            years = parse_years(args.years)
        except ValueError as exc:
            parser.error(f"--years: {exc}")
    elif args.release == "synthetic2016":
        years = list(range(lo, hi + 1))
    else:
        years = [y for y in range(lo, hi + 1) if release_file(args.raw_dir, args.release, y)]
        if not years:
            first = release_candidates(args.raw_dir, args.release, lo)[0]
            parser.error(f"no {args.release} table under {args.raw_dir} (looked for files like {first})")
    if args.release == "synthetic2016":
        synthetic_labels(args.synthetic_dims)  # puts tests/ on sys.path
    else:
        missing = [y for y in years if release_file(args.raw_dir, args.release, y) is None]
        if missing:
            tried = ", ".join(str(p) for p in release_candidates(args.raw_dir, args.release, missing[0]))
            parser.error(f"no {args.release} table for year(s) {missing} (for {missing[0]} tried: {tried})")

    try:
        load_at_start: float | None = os.getloadavg()[0]
    except OSError:
        load_at_start = None
    print_header(args, years, thread_note)
    collector = _Collect()
    pkg_log = logging.getLogger("tradeimbalance")
    old_level, old_propagate = pkg_log.level, pkg_log.propagate
    pkg_log.addHandler(collector)
    pkg_log.setLevel(logging.WARNING)
    pkg_log.propagate = False
    rows: list[dict[str, Any]] = []
    rss_before_pymrio = 0.0
    try:
        print(table_header(), flush=True)
        for i, year in enumerate(years):
            table, read_s, _ = load_table(args, year)
            if i == 0:  # ours alone, before pymrio ever ran in this process
                ours_step(table)
                rss_before_pymrio = peak_rss_mib()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # pandas deprecations inside pymrio
                figures = measure_year(table, args.repeat)
            row = {"release": args.release, "year": year, "read_s": read_s, **figures}
            rows.append(row)
            print(table_row(row), flush=True)
            del table
        ref = None
        if args.ref_n > 0:
            M = reference_matrix(args.ref_n)
            ref = (args.ref_n, min(lu_once(M) for _ in range(args.repeat)))
            del M
    finally:
        pkg_log.removeHandler(collector)
        pkg_log.setLevel(old_level)
        pkg_log.propagate = old_propagate

    threads = "; ".join(f"{name}={t}" for name, t in blas_threads())
    for row in rows:
        row.update(
            ref_lu_n=ref[0] if ref else "",
            ref_lu_floor_s=ref[1] if ref else "",
            blas_threads=threads,
            repeat=args.repeat,
        )
    notes = [f"package log (each message once): {m}" for m in collector.messages]
    notes.append(f"load average at the end: {load_average()} (timings are wall seconds; other processes compete for the cores)")
    busy = busy_note(load_at_start) or disturbed_note(rows)
    if busy:
        notes.append(busy)
    print_summary(rows, ref, rss_before_pymrio, notes)

    if args.csv is not None:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with open(args.csv, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})
        print(f"wrote {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
