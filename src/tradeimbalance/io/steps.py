"""Workflow steps of the input–output stage: value added absorbed, TBI, KWW decomposition, DVA-based TBI.

One function per Snakemake rule of ``workflow/rules/value_added.smk``; the algebra is in
:mod:`tradeimbalance.io.ioalgebra` (``V̂BY``), :mod:`tradeimbalance.io.tbi` (the index) and
:mod:`tradeimbalance.io.kww` (the decomposition).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .. import schemas
from ..parquet import read_frames, write_frame
from .ioalgebra import leontief_system
from .iotable import IOTable
from .tbi import tbi_dva_panel, tbi_panel, tbi_variants, year_kww, year_va_absorbed

log = logging.getLogger(__name__)


def io_year(
    io_path: str | Path | IOTable,
    value_added: str,
    *,
    va_out: str | Path,
    checks_out: str | Path,
    variants_out: str | Path,
    terms_out: str | Path,
    dva_out: str | Path,
) -> IOTable:
    """One year's input–output algebra from one read of its table: value added absorbed and its identity checks,
    the TBI variants, the KWW terms and the bilateral DVA (five parquet files). ``io_path``: the table's parquet, or the
    table itself as that file holds it (:meth:`.IOTable.as_stored`: a batch job that has just written it). The Leontief
    system is factorised once for the three.

    The algebra runs on one BLAS thread whatever the job's threads: a multithreaded LU factorises in another order, so
    its last bits (and, amplified by the GMM's near-collinear designs, the sixth digit of a causal check) would depend
    on the cores a run was given and on whether the year was read in a per-year or a per-release job. Years run in
    parallel as jobs, or as a per-release job's worker processes (:func:`tradeimbalance.readers.steps.read_release_batch`)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _io_year(io_path, value_added, va_out=va_out, checks_out=checks_out, variants_out=variants_out, terms_out=terms_out, dva_out=dva_out)


def _io_year(io_path: str | Path | IOTable, value_added: str, *, va_out: str | Path, checks_out: str | Path, variants_out: str | Path, terms_out: str | Path, dva_out: str | Path) -> IOTable:
    table = io_path if isinstance(io_path, IOTable) else IOTable.from_parquet(io_path)
    meta = {"value_added": value_added}
    system = leontief_system(table, value_added, keep_A=True)  # one factorisation for value added, variants and KWW
    long, checks = year_va_absorbed(table, value_added, system)
    write_frame(long, va_out, schemas.VA_ABSORBED, meta)
    write_frame(checks, checks_out, schemas.IDENTITY_CHECKS, meta)
    log.info(
        "%s %d: max |Σ_j VA_abs − VA| / VA = %.3g (after the table's rounding residual: %.3g); max |Σ_i VA_abs − FD| / FD = %.3g",
        table.release,
        table.year,
        checks["va_rel_gap"].abs().max(),
        checks["va_rel_gap_net"].max(),
        checks["fd_rel_gap"].abs().max(),
    )
    write_frame(tbi_variants(table, value_added, system), variants_out, schemas.TBI_VARIANTS, meta)
    terms, dva = year_kww(table, value_added, system)
    rel = (terms["adding_up_gap"].abs() / terms["gross_exports"]).max()
    log.info("%s %d: KWW terms add up to gross exports to %.3g (relative, worst country)", table.release, table.year, rel)
    write_frame(terms, terms_out, schemas.KWW_TERMS_SCHEMA, meta)
    write_frame(dva, dva_out, schemas.DVA_BILATERAL, meta)
    return table


def tbi(va_paths: Sequence[str | Path], value_added: str | None, out_path: str | Path) -> pd.DataFrame:
    """TBI per region and year from a release's per-year value added absorbed. ``value_added``: the definition the
    value added was computed with; ``None`` for a flows release, whose files carry it (their metadata)."""
    from ..parquet import read_metadata

    if value_added is None:
        value_added = str(read_metadata(va_paths[0]).get("value_added", "as computed by the source"))
    stacked = read_frames(va_paths, schemas.VA_ABSORBED)
    panel = tbi_panel(stacked, value_added)
    log.info("TBI: %d regions × %d years; Σ numerators per year (should be 0): %s", panel["iso3"].nunique(), panel["year"].nunique(), panel.groupby("year")["numerator"].sum().abs().max())
    return write_frame(panel, out_path, schemas.TBI, {"value_added": value_added})


def tbi_dva(dva_paths: Sequence[str | Path], value_added: str, out_path: str | Path) -> pd.DataFrame:
    stacked = read_frames(dva_paths, schemas.DVA_BILATERAL)
    return write_frame(tbi_dva_panel(stacked, value_added), out_path, schemas.TBI_DVA, {"value_added": value_added})


def identity_report(check_paths: Sequence[str | Path], terms_paths: Sequence[str | Path], out_csv: str | Path) -> pd.DataFrame:
    """Per-year summary of every accounting identity (worst country), written as CSV."""
    checks = read_frames(check_paths, schemas.IDENTITY_CHECKS)
    terms = read_frames(terms_paths, schemas.KWW_TERMS_SCHEMA)
    terms["kww_gap"] = terms["adding_up_gap"].abs() / terms["gross_exports"]
    by_year = checks.groupby(["release", "year"]).agg(
        max_abs_va_rel_gap=("va_rel_gap", lambda s: s.abs().max()),
        max_abs_va_gap_net_of_rounding=("va_rel_gap_net", "max"),
        max_abs_fd_rel_gap=("fd_rel_gap", lambda s: s.abs().max()),
        max_abs_fd_gap_net_of_zero_output=("fd_rel_gap_net", "max"),
    )
    by_year = by_year.join(terms.groupby(["release", "year"]).agg(max_kww_adding_up_rel_gap=("kww_gap", "max")))
    tbi_sum = checks.assign(num=checks["va_absorbed_row_sum"] - checks["va_absorbed_col_sum"]).groupby(["release", "year"])["num"].sum()
    by_year["sum_tbi_numerators"] = tbi_sum
    out = by_year.reset_index()
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(out_csv, index=False, float_format="%.3e", lineterminator="\n")
    return out
