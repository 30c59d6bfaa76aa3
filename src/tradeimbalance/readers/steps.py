"""Workflow steps of the reading stage: one raw file in, one validated parquet out.

One function per Snakemake rule of ``workflow/rules/readers.smk``; ``scripts/read_*.py`` pass only the
rule's paths and parameters. Each reader (and each schema) is imported when its step runs, so a KOF job
loads neither the R-data nor the Stata machinery, an input–output table is read without pandera (its wide
layout is checked by :class:`~tradeimbalance.io.iotable.IOTable`), and no reading job loads the
estimation or plotting libraries.
"""

from __future__ import annotations

import dataclasses

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..parquet import read_frames, write_frame
from ..provenance import file_digest

if TYPE_CHECKING:
    from ..io.iotable import IOTable

log = logging.getLogger(__name__)


def _io_reader(reader: str) -> Callable[..., IOTable]:
    """The ``read_table`` function of reader module ``tradeimbalance.readers.<reader>`` (config
    ``io_releases.<name>.reader``), imported only when a job reads that release: a new release of tables is one
    reader module plus one config entry."""
    import importlib

    try:
        module = importlib.import_module(f".{reader}", __package__)
    except ModuleNotFoundError as exc:
        raise ValueError(f"unknown input–output reader {reader!r}: no module tradeimbalance.readers.{reader}") from exc
    if not hasattr(module, "read_table"):
        raise ValueError(f"tradeimbalance.readers.{reader} has no read_table(path, year[, regions]) function")
    return module.read_table


def _source_meta(path: str | Path, **extra: object) -> dict[str, object]:
    return {"source": Path(path).name, "source_sha256": file_digest(path), **extra}


# ----------------------------------------------------------------- readers
def read_io_year(release: str, raw_path: str | Path, year: int, out_path: str | Path, regions: Sequence[str] | None = None, reader_name: str | None = None) -> IOTable:
    """Read one year's world input–output table and write it in the IOTable parquet layout.

    ``regions``: the release's regions (config ``io_releases.<release>.regions``); a table lacking one is refused.
    ``reader_name``: the reader module (config ``io_releases.<release>.reader``; the release's name by default).
    """
    reader = _io_reader(reader_name or release)
    table = reader(raw_path, year, regions) if regions is not None else reader(raw_path, year)
    if table.release != release:  # a reader serving several releases (the OECD ICIO editions): the config's name
        table = dataclasses.replace(table, release=release)
    residual = table.x - table.Z.sum(axis=1) - table.F.sum(axis=1)
    log.info("%s %d: read %s (sha256 %s)", release, year, raw_path, table.source_sha256)
    log.info("%d regions × %d sectors; %d final-demand columns; gross output %.6g", table.n_countries, table.n_sectors, table.F.shape[1], table.x.sum())
    log.info(
        "row balance x − Z1 − F1: largest |residual| %.6g, total %.6g (%.3g of gross output)",
        np.abs(residual).max(),
        residual.sum(),
        residual.sum() / table.x.sum(),
    )
    table.to_parquet(out_path)
    return table


def read_kof_vintage(raw_path: str | Path, vintage: str, required_columns: Sequence[str], out_path: str | Path) -> pd.DataFrame:
    from .. import source_schemas
    from .kof import read_kof

    panel = read_kof(raw_path, vintage, required_columns)
    log.info("KOF vintage %s: %d rows, %d entities, years %d–%d", vintage, len(panel), panel["iso3"].nunique(), panel["year"].min(), panel["year"].max())
    return write_frame(panel, out_path, source_schemas.KOF_PANEL, _source_meta(raw_path, vintage=vintage))


def combine_kof(
    vintage_paths: Sequence[str | Path],
    countries: Sequence[str],
    first_year: int,
    last_year: int,
    required_columns: Sequence[str],
    panel_out: str | Path,
    coverage_out: str | Path,
    coverage_csv: str | Path,
) -> pd.DataFrame:
    """Stack the vintages into one long panel and report which requested countries each vintage lacks."""
    from .. import source_schemas
    from .kof import kof_coverage

    panel = read_frames(vintage_paths)
    write_frame(panel, panel_out, source_schemas.KOF_PANEL, {"vintages": sorted(panel["vintage"].unique())})
    coverage = kof_coverage(panel, countries, first_year, last_year, required_columns)
    write_frame(coverage, coverage_out, source_schemas.KOF_COVERAGE)
    coverage.to_csv(coverage_csv, index=False, lineterminator="\n")
    lacking = coverage[coverage["status"] != "complete"]
    for row in lacking.itertuples():
        log.warning("KOF vintage %s lacks %s for %s (%s)", row.vintage, row.iso3, row.missing_years, row.status)
    return coverage


def read_single_source(source: str, raw_path: str | Path, out_path: str | Path, params: Mapping[str, str]) -> pd.DataFrame:
    """PWT, WGI or WDI: read the raw file, validate, write."""
    from .. import source_schemas

    if source == "pwt":
        from .pwt import read_pwt

        frame, schema = read_pwt(raw_path), source_schemas.PWT
    elif source == "wgi":
        from .wgi import read_wgi

        frame, schema = read_wgi(raw_path), source_schemas.WGI
    elif source == "wdi":
        from .wdi import read_wdi

        frame, schema = read_wdi(raw_path, params["indicator"]), source_schemas.WDI
    else:
        raise ValueError(f"unknown source {source!r}")
    log.info("%s: %d rows from %s", source, len(frame), raw_path)
    return write_frame(frame, out_path, schema, _source_meta(raw_path, **dict(params)))


def _batch_year(task: tuple[str, str, str, int, str, Sequence[str] | None, str, dict[str, str]]) -> str:
    """One year of :func:`read_release_batch` (run in a worker process): read the table, then its input–output job."""
    import pickle

    from ..io.steps import io_year

    release, reader, raw_path, year, table_out, regions, value_added, outs = task
    try:
        # the table as its file holds it, not read back from the file just written (IOTable.as_stored)
        io_year(read_io_year(release, raw_path, year, table_out, regions, reader).as_stored(), value_added, **outs)  # type: ignore[arg-type]
    except Exception as exc:
        # The error goes back to the job through a pipe: one that cannot be pickled and rebuilt would leave the pool
        # waiting for ever, so it is sent as its message (which names the file) instead.
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # noqa: BLE001 (whatever stops the round trip would stop the pool the same way)
            raise RuntimeError(f"{release} {year} ({raw_path}): {type(exc).__name__}: {exc}") from None
        raise
    return f"{release} {year}"


def read_release_batch(
    release: str,
    reader: str,
    raw_paths: Mapping[int, str | Path],
    regions: Sequence[str] | None,
    value_added: str,
    outputs: Mapping[int, Mapping[str, str | Path]],
    workers: int = 1,
) -> None:
    """Every year of a release read and its input–output algebra done in one job (config ``jobs: per_release``),
    the years in ``workers`` processes: for a release whose year files never change separately.

    ``outputs``: year → ``{"table": …, "va_out": …, "checks_out": …, "variants_out": …, "terms_out": …, "dva_out": …}``
    (the files the per-year rules ``read_*`` and ``io_year`` write for a per-year release).
    """
    import multiprocessing
    import time

    start = time.perf_counter()
    tasks = []
    for year in sorted(raw_paths):
        outs = {k: str(v) for k, v in outputs[year].items()}
        table_out = outs.pop("table")
        tasks.append((release, reader, str(raw_paths[year]), int(year), table_out, list(regions) if regions is not None else None, value_added, outs))
    if workers > 1 and len(tasks) > 1:
        # fork: the workers inherit this process's imports (and its logging set-up) instead of paying them again.
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_batch_year, task) for task in tasks]
            try:
                for future in futures:
                    log.info("done: %s", future.result())
            except BaseException:
                # A year failed: the years being written finish (a worker killed mid-write would leave a half-written
                # temporary file behind) and those not begun never start; then the job fails with the year's error.
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    else:
        for task in tasks:
            log.info("done: %s", _batch_year(task))
    log.info("%s: %d years read and their input–output algebra done in %.1f s with %d worker(s)", release, len(tasks), time.perf_counter() - start, workers)


def read_flows(
    release: str,
    raw_path: str | Path,
    columns: Mapping[str, str],
    regions: Sequence[str],
    years: Sequence[int],
    value_added: str,
    outputs: Mapping[int, str | Path],
) -> pd.DataFrame:
    """A flows release (:mod:`.va_flows`) → one ``va_absorbed`` parquet per year, the same layout as the table releases'.

    What a flows source cannot give is written to the log with the reason (and listed in the report).
    """
    from .. import schemas
    from .va_flows import NOT_AVAILABLE, read_va_flows

    flows = read_va_flows(raw_path, columns, regions, years, release)
    meta = {"value_added": value_added, "source": Path(raw_path).name, "source_sha256": file_digest(raw_path)}
    for year, g in flows.groupby("year", sort=True):
        write_frame(g.reset_index(drop=True), outputs[int(year)], schemas.VA_ABSORBED, meta)
    log.info("%s: %d flows, %d regions, years %s, from %s", release, len(flows), flows["exporter"].nunique(), ", ".join(map(str, sorted(flows["year"].unique()))), raw_path)
    for what, why in NOT_AVAILABLE.items():
        log.warning("%s: not available from a flows source, skipped: %s (%s)", release, what, why)
    return flows
