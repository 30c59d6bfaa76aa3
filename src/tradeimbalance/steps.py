"""File-level steps of the workflow: each reads its inputs, calls the package, writes validated outputs.

One function per Snakemake rule; ``scripts/*.py`` only pass the rule's paths
and parameters. The functions are usable without Snakemake (and tested so).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from . import schemas, source_schemas
from .iotable import IOTable
from .parquet import read_frame, write_frame
from .provenance import file_digest
from .readers.kof import kof_coverage, read_kof
from .readers.pwt import read_pwt
from .readers.wdi import read_wdi
from .readers.wgi import read_wgi
from .readers.wiod2013 import read_wiod2013
from .readers.wiod2016 import read_wiod2016
from .tables import compare_table1, compare_variants, comparison_summary, table1_frame, variants_summary, write_table1
from .tbi import tbi_dva_panel, tbi_panel, tbi_variants, year_kww, year_va_absorbed

log = logging.getLogger(__name__)

IO_READERS = {"wiod2016": read_wiod2016, "wiod2013": read_wiod2013}


def _source_meta(path: str | Path, **extra: object) -> dict[str, object]:
    return {"source": Path(path).name, "source_sha256": file_digest(path), **extra}


# ----------------------------------------------------------------- readers
def read_io_year(release: str, raw_path: str | Path, year: int, out_path: str | Path) -> IOTable:
    """Read one year's world input–output table and write it in the IOTable parquet layout."""
    table = IO_READERS[release](raw_path, year)
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
    panel = pd.concat([read_frame(p) for p in vintage_paths], ignore_index=True)
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
    if source == "pwt":
        frame, schema = read_pwt(raw_path), source_schemas.PWT
    elif source == "wgi":
        frame, schema = read_wgi(raw_path), source_schemas.WGI
    elif source == "wdi":
        frame, schema = read_wdi(raw_path, params["indicator"]), source_schemas.WDI
    else:
        raise ValueError(f"unknown source {source!r}")
    log.info("%s: %d rows from %s", source, len(frame), raw_path)
    return write_frame(frame, out_path, schema, _source_meta(raw_path, **dict(params)))


# ------------------------------------------------------------ value added
def va_absorbed_year(io_path: str | Path, value_added: str, out_path: str | Path, checks_path: str | Path) -> pd.DataFrame:
    table = IOTable.from_parquet(io_path)
    long, checks = year_va_absorbed(table, value_added)
    write_frame(long, out_path, schemas.VA_ABSORBED, {"value_added": value_added})
    write_frame(checks, checks_path, schemas.IDENTITY_CHECKS, {"value_added": value_added})
    log.info(
        "%s %d: max |Σ_j VA_abs − VA| / VA = %.3g (after the table's rounding residual: %.3g); max |Σ_i VA_abs − FD| / FD = %.3g",
        table.release,
        table.year,
        checks["va_rel_gap"].abs().max(),
        checks["va_rel_gap_net"].max(),
        checks["fd_rel_gap"].abs().max(),
    )
    return checks


def tbi_variants_year(io_path: str | Path, value_added: str, out_path: str | Path) -> pd.DataFrame:
    table = IOTable.from_parquet(io_path)
    return write_frame(tbi_variants(table, value_added), out_path, schemas.TBI_VARIANTS, {"value_added": value_added})


def table1_variants(variant_paths: Sequence[str | Path], published_path: str | Path, csv_out: str | Path, report_out: str | Path) -> pd.DataFrame:
    """Compare every TBI variant with the published Table 1 (CSV and Markdown report)."""
    variants = pd.concat([read_frame(p, schemas.TBI_VARIANTS) for p in variant_paths], ignore_index=True)
    comparison = compare_variants(variants, pd.read_csv(published_path))
    Path(csv_out).parent.mkdir(parents=True, exist_ok=True)
    comparison.to_csv(csv_out, index=False, float_format="%.6f", lineterminator="\n")
    Path(report_out).write_text(variants_summary(comparison), encoding="utf-8")
    return comparison


def tbi(va_paths: Sequence[str | Path], value_added: str, out_path: str | Path) -> pd.DataFrame:
    stacked = pd.concat([read_frame(p, schemas.VA_ABSORBED) for p in va_paths], ignore_index=True)
    panel = tbi_panel(stacked, value_added)
    log.info("TBI: %d regions × %d years; Σ numerators per year (should be 0): %s", panel["iso3"].nunique(), panel["year"].nunique(), panel.groupby("year")["numerator"].sum().abs().max())
    return write_frame(panel, out_path, schemas.TBI, {"value_added": value_added})


def kww_year(io_path: str | Path, value_added: str, terms_out: str | Path, dva_out: str | Path) -> pd.DataFrame:
    table = IOTable.from_parquet(io_path)
    terms, dva = year_kww(table, value_added)
    rel = (terms["adding_up_gap"].abs() / terms["gross_exports"]).max()
    log.info("%s %d: KWW terms add up to gross exports to %.3g (relative, worst country)", table.release, table.year, rel)
    write_frame(terms, terms_out, schemas.KWW_TERMS_SCHEMA, {"value_added": value_added})
    write_frame(dva, dva_out, schemas.DVA_BILATERAL, {"value_added": value_added})
    return terms


def tbi_dva(dva_paths: Sequence[str | Path], value_added: str, out_path: str | Path) -> pd.DataFrame:
    stacked = pd.concat([read_frame(p, schemas.DVA_BILATERAL) for p in dva_paths], ignore_index=True)
    return write_frame(tbi_dva_panel(stacked, value_added), out_path, schemas.TBI_DVA, {"value_added": value_added})


def identity_report(check_paths: Sequence[str | Path], terms_paths: Sequence[str | Path], out_csv: str | Path) -> pd.DataFrame:
    """Per-year summary of every accounting identity (worst country), written as CSV."""
    checks = pd.concat([read_frame(p, schemas.IDENTITY_CHECKS) for p in check_paths], ignore_index=True)
    terms = pd.concat([read_frame(p, schemas.KWW_TERMS_SCHEMA) for p in terms_paths], ignore_index=True)
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


# ------------------------------------------------------------------ tables
def table1(
    tbi_path: str | Path,
    published_path: str | Path,
    countries: Sequence[str],
    first_year: int,
    last_year: int,
    csv_out: str | Path,
    tex_out: str | Path,
    comparison_out: str | Path,
    report_out: str | Path,
) -> pd.DataFrame:
    panel = read_frame(tbi_path, schemas.TBI)
    release, value_added = panel["release"].iloc[0], panel["value_added"].iloc[0]
    table = table1_frame(panel, countries, first_year, last_year)
    write_table1(table, csv_out, tex_out, release, value_added)
    published = pd.read_csv(published_path)
    comparison = compare_table1(table, published, release)
    comparison.to_csv(comparison_out, index=False, float_format="%.6f", lineterminator="\n")
    Path(report_out).write_text(comparison_summary(comparison), encoding="utf-8")
    for iso3, g in comparison.groupby("iso3", sort=False):
        done = g[g["status"] != "not_computed"]
        if len(done):
            log.info("Table 1 %s: %d/%d computed cells within tolerance, max |diff| %.4f", iso3, (done["status"] == "within_tolerance").sum(), len(done), done["abs_difference"].max())
    return comparison
