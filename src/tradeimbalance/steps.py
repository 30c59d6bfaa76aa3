"""File-level steps of the workflow: each reads its inputs, calls the package, writes validated outputs.

One function per Snakemake rule; ``scripts/*.py`` only pass the rule's paths
and parameters. The functions are usable without Snakemake (and tested so).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import schemas, source_schemas
from .iotable import IOTable
from .comparison import coefficient_report, compare_coefficients, compare_column_stats, markdown_table, summary_lines
from .estimation import Specification, estimate, paper_specifications
from .figures import figure1, group_means, save_figure
from .latex_tables import regression_table, write_table
from .panel import ControlSpec, SampleDesign, exclusion_summary
from .parquet import read_frame, read_metadata, write_frame
from .provenance import file_digest
from .readers.kof import kof_coverage, read_kof
from .readers.pwt import read_pwt
from .readers.wdi import read_wdi
from .readers.wgi import read_wgi
from .readers.wiod2013 import read_wiod2013
from .readers.wiod2016 import read_wiod2016
from .report import replication_report, to_html
from .specsearch import best_by_dimension, published_equations, search
from .tables import compare_table1, compare_variants, comparison_summary, release_label, table1_frame, variants_summary, write_table1
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


# ------------------------------------------------------- panel and estimation
def _main_specifications(sample: SampleDesign) -> list[Specification]:
    """Table 3 columns 3–4: the paper's main specification (both main outcomes, with controls)."""
    return [s for s in paper_specifications(sample.outcomes[:2], sample.outcomes[2:5]) if s.table == "3" and s.controls]


def _sources(pwt_path: str | Path, wgi_path: str | Path, wdi_path: str | Path) -> dict[str, pd.DataFrame]:
    return {"pwt": read_frame(pwt_path, source_schemas.PWT), "wgi": read_frame(wgi_path, source_schemas.WGI), "wdi": read_frame(wdi_path, source_schemas.WDI)}


@dataclass(frozen=True)
class PanelInputs:
    """The tidy tables the panel is built from, read and validated once."""

    tbi: pd.DataFrame
    tbi_dva: pd.DataFrame
    kof: pd.DataFrame
    sources: dict[str, pd.DataFrame]

    @classmethod
    def read(cls, paths: Mapping[str, str | Path]) -> PanelInputs:
        """From the paths keyed ``tbi, tbi_dva, kof, pwt, wgi, wdi`` (the rules' input names)."""
        return cls(
            read_frame(paths["tbi"], schemas.TBI),
            read_frame(paths["tbi_dva"], schemas.TBI_DVA),
            read_frame(paths["kof"], source_schemas.KOF_PANEL),
            _sources(paths["pwt"], paths["wgi"], paths["wdi"]),
        )

    def panel(self, design: SampleDesign, kof_vintage: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        return design.assemble(self.tbi, self.tbi_dva, self.kof, self.sources, kof_vintage)


def build_panel(
    paths: Mapping[str, str | Path],
    design: Mapping[str, object],
    kof_vintage: str,
    *,
    panel_out: str | Path,
    exclusions_out: str | Path,
    exclusions_csv: str | Path,
    summary_csv: str | Path,
) -> pd.DataFrame:
    """The estimation panel and the log of every excluded country-year (parquet + CSV) with a per-reason summary."""
    sample = SampleDesign.from_config(design)
    inputs = PanelInputs.read(paths)
    panel, exclusions = inputs.panel(sample, kof_vintage)
    meta = {"kof_vintage": kof_vintage, "release": str(inputs.tbi["release"].iloc[0]), "value_added": str(inputs.tbi["value_added"].iloc[0])}
    write_frame(panel, panel_out, schemas.panel_schema(list(sample.outcomes), sample.control_names), meta)
    write_frame(exclusions, exclusions_out, schemas.SAMPLE_EXCLUSIONS, meta)
    Path(exclusions_csv).parent.mkdir(parents=True, exist_ok=True)
    exclusions.to_csv(exclusions_csv, index=False, lineterminator="\n")
    summary = exclusion_summary(exclusions)
    summary.to_csv(summary_csv, index=False, lineterminator="\n")
    for row in summary.itertuples():
        log.info("excluded %d country-years: %s (%s)", row.country_years, row.reason, row.countries)
    filled = panel[panel["filled"] != ""]
    if len(filled):
        log.info("interpolated control values in %d country-years (%s)", len(filled), ", ".join(sorted(set(";".join(filled["filled"]).split(";")))))
    return panel


def run_estimates(panel_path: str | Path, controls: Sequence[str], outcomes: Sequence[str], estimates_csv: str | Path, diagnostics_csv: str | Path) -> pd.DataFrame:
    """Every regression of the paper (:func:`tradeimbalance.estimation.paper_specifications`) → results/estimates.csv."""
    panel = read_frame(panel_path)
    specs = paper_specifications(outcomes[:2], outcomes[2:5])
    estimates, diagnostics = estimate(panel, specs, list(controls))
    Path(estimates_csv).parent.mkdir(parents=True, exist_ok=True)
    estimates.to_csv(estimates_csv, index=False, float_format="%.10g", lineterminator="\n")
    diagnostics.to_csv(diagnostics_csv, index=False, float_format="%.10g", lineterminator="\n")
    return estimates


def compare_estimates(
    estimates_csv: str | Path,
    published_coefficients: str | Path,
    published_stats: str | Path,
    panel_path: str | Path,
    comparison_csv: str | Path,
    stats_csv: str | Path,
    report_md: str | Path,
) -> pd.DataFrame:
    """Our Tables 3–4 coefficients beside the published ones (CSV + Markdown report)."""
    estimates = pd.read_csv(estimates_csv, dtype={"table": str})
    comparison = compare_coefficients(estimates, pd.read_csv(published_coefficients))
    stats = compare_column_stats(estimates, pd.read_csv(published_stats))
    comparison.to_csv(comparison_csv, index=False, float_format="%.6f", lineterminator="\n")
    stats.to_csv(stats_csv, index=False, float_format="%.6f", lineterminator="\n")
    meta = read_metadata(panel_path)
    panel = read_frame(panel_path)
    context = (
        f"Data: TBI from **{meta.get('release')}** ({meta.get('value_added')} value added), KOF vintage **{meta.get('kof_vintage')}**; "
        f"panel of {len(panel)} country-years, {panel['iso3'].nunique()} countries, {panel['year'].min()}–{panel['year'].max()} "
        "(the paper: 615 = 41 × 15, 2000–2014, WIOD 2016). Differences from the published values include the data release and years."
    )
    Path(report_md).write_text(coefficient_report(comparison, stats, context), encoding="utf-8")
    for line in summary_lines(comparison):
        log.info(line)
    return comparison


def specification_search(
    kof_path: str | Path,
    pwt_path: str | Path,
    wgi_path: str | Path,
    wdi_path: str | Path,
    published_coefficients: str | Path,
    tbi_path: str | Path,
    *,
    countries: Sequence[str],
    not_candidates: Sequence[str],
    developed: Sequence[str],
    developed_alternatives: Mapping[str, Sequence[str]] | None,
    n_countries: int,
    n_developed: int,
    controls: Mapping[str, Mapping[str, str]],
    alternatives: Mapping[str, Sequence[str]],
    first_year: int,
    last_year: int,
    ranking_out: str | Path,
    report_md: str | Path,
) -> pd.DataFrame:
    """Rank KOF vintages, country sets and control definitions by the published constants (:mod:`tradeimbalance.specsearch`)."""
    kof = read_frame(kof_path, source_schemas.KOF_PANEL)
    sources = _sources(pwt_path, wgi_path, wdi_path)
    base = {s.name: s for s in ControlSpec.from_config(controls)}
    control_alternatives = {name: [replace(spec, variable=v) for v in alternatives.get(name, [spec.variable])] for name, spec in base.items()}
    equations = published_equations(pd.read_csv(published_coefficients))
    candidates = [c for c in countries if c not in set(not_candidates)]
    vintages = sorted(kof["vintage"].unique())
    lists = {"configured": list(developed), **{k: list(v) for k, v in (developed_alternatives or {}).items()}}
    ranking = search(
        equations, kof, sources, candidates=candidates, developed=lists, n_countries=n_countries, n_developed=n_developed,
        vintages=vintages, control_alternatives=control_alternatives, first_year=first_year, last_year=last_year,
        tbi_on_hand=read_frame(tbi_path, schemas.TBI),
    )  # fmt: skip
    ranking.to_csv(ranking_out, index=False, float_format="%.6f", lineterminator="\n")
    dims = ["convention", "kof_vintage", "developed_list", "dropped", *[n for n in control_alternatives if len(control_alternatives[n]) > 1]]
    best = best_by_dimension(ranking, dims).merge(best_by_dimension(ranking, dims, "rms_residual_tbi_on_hand"), on=["dimension", "choice"])
    Path(report_md).write_text(search_report(ranking, best, equations, len(candidates), n_countries), encoding="utf-8")
    top = ranking.iloc[0]
    log.info("best: %s", ", ".join(f"{k}={top[k]}" for k in ["convention", "kof_vintage", "dropped", *control_alternatives]))
    return ranking


def search_report(ranking: pd.DataFrame, best: pd.DataFrame, equations: Sequence[object], n_candidates: int, n_countries: int) -> str:
    control_cols = [c for c in ranking.columns if c not in {
        "developed_list", "dropped", "convention", "kof_vintage", "n_developed", "n_developing", "rms_residual", "rms_residual_tbi_on_hand", "max_abs_residual",
        "fitted_tbi_mean_developed", "fitted_tbi_mean_developing", "residuals"}]  # fmt: skip
    lines = [
        "# Specification search: which choices reproduce the published constants",
        "",
        "Generated by the `specification_search` rule (method: `tradeimbalance.specsearch`; discussion: docs/specification.md).",
        f"For each of the {len(equations)} published columns with a constant, `_cons = ȳ − Σ b·x̄ − b_TBI·m` must hold with the "
        "published coefficients b, the sample means x̄ under the candidate choice, and the mean TBI m (free: one value for the developed, "
        "one for the developing countries). Under the `xtreg` convention the means are base-year (first sample year) means, under "
        "`reghdfe` all-year means. Candidates are ranked by the root-mean-square residual of the identities (index points).",
        "",
        f"{len(ranking)} combinations: {n_candidates} candidate countries → {n_countries}, every KOF vintage, both conventions, "
        f"control alternatives {', '.join(control_cols)}.",
        "",
        "## Best residual reachable for each choice (all other choices free)",
        "",
        "`best_rms_residual`: TBI means fitted; `best_rms_residual_tbi_on_hand`: TBI means fixed at those of the release on hand "
        "(its years and countries), a check that the fitted means are plausible.",
        "",
        markdown_table(best, ["dimension", "choice", "best_rms_residual", "best_rms_residual_tbi_on_hand"], 3),
        "",
        "## The 15 best combinations",
        "",
        markdown_table(ranking.head(15), ["convention", "kof_vintage", "developed_list", "dropped", *control_cols, "rms_residual", "rms_residual_tbi_on_hand", "fitted_tbi_mean_developed", "fitted_tbi_mean_developing", "residuals"], 3),
        "",
    ]
    return "\n".join(lines)


def control_alternatives(
    paths: Mapping[str, str | Path],
    design: Mapping[str, object],
    kof_vintage: str,
    published_coefficients: str | Path,
    alternatives: Mapping[str, Sequence[str]],
    *,
    csv_out: str | Path,
    report_md: str | Path,
) -> pd.DataFrame:
    """Table 3 columns 3–4 re-estimated with each alternative definition of a control, beside the published coefficients."""
    sample = SampleDesign.from_config(design)
    inputs = PanelInputs.read(paths)
    published = pd.read_csv(published_coefficients)
    pub3 = published[(published["table"].astype(str) == "3") & published["column"].isin([3, 4])].set_index(["column", "variable"])["coef"]
    specs3 = _main_specifications(sample)
    rows = []
    for spec in sample.controls:
        for variable in alternatives.get(spec.name, [spec.variable]):
            chosen = sample.with_control(spec.name, variable)
            panel, _ = inputs.panel(chosen, kof_vintage)
            est, _ = estimate(panel, specs3, chosen.control_names)
            for s3 in specs3:
                e = est[est["column"] == s3.column].set_index("variable")
                rows.append(
                    {
                        "control": spec.name,
                        "variable": variable,
                        "chosen": variable == spec.variable,
                        "column": s3.column,
                        "depvar": s3.depvar,
                        "coef_control": e.loc[spec.name, "coef"],
                        "se_control": e.loc[spec.name, "se"],
                        "published_control": pub3.get((s3.column, spec.name), np.nan),
                        "coef_tbi": e.loc["TBI", "coef"],
                        "published_tbi": pub3.get((s3.column, "TBI"), np.nan),
                        "coef_const": e.loc["const", "coef"],
                        "published_const": pub3.get((s3.column, "const"), np.nan),
                        "nobs": int(e.loc["TBI", "nobs"]),
                    }
                )
    out = pd.DataFrame(rows)
    out.to_csv(csv_out, index=False, float_format="%.6f", lineterminator="\n")
    multi = out[out.groupby("control")["variable"].transform("nunique") > 1]
    lines = [
        "# Control definitions: Table 3 columns 3–4 under each alternative",
        "",
        "Each row swaps one control for an alternative PWT variable (the others as configured) and re-estimates Table 3 "
        "columns 3 (KOFGIdj) and 4 (KOFEcGIdj) on the panel of the release on hand. `chosen` marks the configured variable. "
        "Because the TBI of the paper's release is not the one used here, coefficients are indicative; the constants, whose level "
        "depends on the units of each control, discriminate most (docs/specification.md; results/reports/specification_search.md).",
        "",
        markdown_table(multi, ["control", "variable", "chosen", "column", "coef_control", "se_control", "published_control", "coef_tbi", "published_tbi", "coef_const", "published_const", "nobs"], 4),
        "",
    ]
    Path(report_md).write_text("\n".join(lines), encoding="utf-8")
    return out


# ------------------------------------------------------ tables, figure, report
#: The paper's regression tables: table id → (output stem, title, panel headers).
REGRESSION_TABLES: dict[str, tuple[str, list[tuple[str, list[int]]] | None]] = {
    "3": ("Baseline regressions: trade imbalance and de jure globalisation", None),
    "4": ("Developed and developing countries", [("Developed", [1, 2]), ("Developing", [3, 4])]),
    "5": ("Extension: trade, financial and political globalisation", None),
    "6": ("Extension by country group", [("Developed", [1, 2, 3]), ("Developing", [4, 5, 6])]),
    "2sls": ("Robustness: 2SLS with the one-year lag of TBI as instrument", None),
    "dva": ("Robustness: TBI from domestic value added in gross exports (KWW/WWZ)", None),
}


def _data_note(panel_path: str | Path) -> str:
    meta = read_metadata(panel_path)
    panel = read_frame(panel_path)
    release = str(meta.get("release", ""))
    return (
        f"TBI from the {release_label(release)} ({str(meta.get('value_added', '')).replace('_', ' ')} value added); "
        f"KOF vintage {meta.get('kof_vintage')}; {panel['year'].min()}-{panel['year'].max()}."
    )


def regression_tables(estimates_csv: str | Path, diagnostics_csv: str | Path, panel_path: str | Path, out_dir: str | Path) -> list[Path]:
    """Tables 3–6, 2SLS and DVA as LaTeX + CSV (``table<id>.tex`` / ``.csv``) in the paper's layout."""
    estimates = pd.read_csv(estimates_csv, dtype={"table": str})
    diagnostics = pd.read_csv(diagnostics_csv, dtype={"table": str})
    note = _data_note(panel_path)
    written = []
    for table, (title, panels) in REGRESSION_TABLES.items():
        notes = note + (" First stage: TBI on L.TBI and the exogenous regressors." if table == "2sls" else "")
        notes += " TBI is the DVA-based index." if table == "dva" else ""
        latex, frame = regression_table(estimates, table, title=title, label=f"tab:{table}", notes=notes, panels=panels, diagnostics=diagnostics if table == "2sls" else None)
        tex = Path(out_dir) / f"table{table}.tex"
        write_table(latex, frame, tex, tex.with_suffix(".csv"))
        written.append(tex)
    return written


def figure1_step(
    kof_path: str | Path,
    kof_vintage: str,
    countries: Sequence[str],
    excluded_countries: Mapping[str, str],
    developed: Sequence[str],
    first_year: int,
    last_year: int,
    png_out: str | Path,
    pdf_out: str | Path,
    csv_out: str | Path,
) -> pd.DataFrame:
    """Figure 1: KOFGIdj and KOFEcGIdj, mean of developed vs developing sample countries, from the KOF data alone."""
    kof = read_frame(kof_path, source_schemas.KOF_PANEL)
    members = [c for c in countries if c not in excluded_countries]
    k = kof[(kof["vintage"] == kof_vintage) & kof["iso3"].isin(members) & kof["year"].between(first_year, last_year)].copy()
    k["group"] = np.where(k["iso3"].isin(developed), "developed", "developing")
    means = group_means(k[["iso3", "year", "group", "KOFGIdj", "KOFEcGIdj"]], indices=["KOFGIdj", "KOFEcGIdj"], years=(first_year, last_year))
    save_figure(figure1(means), png_out, pdf_out)
    means.to_csv(csv_out, index=False, float_format="%.6f", lineterminator="\n")
    log.info("Figure 1: %d countries (%d developed), KOF vintage %s, %d–%d", k["iso3"].nunique(), k.loc[k["group"] == "developed", "iso3"].nunique(), kof_vintage, first_year, last_year)
    return means


def kof_sensitivity(paths: Mapping[str, str | Path], design: Mapping[str, object], *, csv_out: str | Path, tex_out: str | Path) -> pd.DataFrame:
    """The main specification (Table 3 columns 3–4) on every KOF vintage present: the TBI coefficient by vintage."""
    sample = SampleDesign.from_config(design)
    inputs = PanelInputs.read(paths)
    specs = _main_specifications(sample)
    rows = []
    for vintage in sorted(inputs.kof["vintage"].unique()):
        panel, _ = inputs.panel(sample, vintage)
        est, _ = estimate(panel, specs, sample.control_names)
        for r in est[est["variable"] == "TBI"].itertuples():
            rows.append({"kof_vintage": vintage, "column": r.column, "depvar": r.depvar, "coef": r.coef, "se": r.se, "pvalue": r.pvalue, "stars": r.stars, "nobs": r.nobs, "r2": r.r2})
        log.info("KOF vintage %s: TBI %s", vintage, ", ".join(f"{r.depvar} {r.coef:.4f} ({r.se:.4f})" for r in est[est["variable"] == "TBI"].itertuples()))
    out = pd.DataFrame(rows)
    out.to_csv(csv_out, index=False, float_format="%.6f", lineterminator="\n")
    wide = out.assign(cell=[f"{c:.4f}{'*' * s} ({se:.4f})" for c, s, se in zip(out["coef"], out["stars"], out["se"])]).pivot(index="kof_vintage", columns="depvar", values="cell")
    wide = wide[[d for d in sample.outcomes[:2] if d in wide.columns]].reset_index().rename(columns={"kof_vintage": "KOF vintage"})
    wide["N"] = out.groupby("kof_vintage")["nobs"].first().to_numpy()
    latex = wide.style.hide(axis="index").format_index(escape="latex", axis=1).format(escape="latex").to_latex(
        caption="TBI coefficient of Table 3 columns 3--4 by KOF vintage", label="tab:sensitivity", hrules=True, position_float="centering"
    )
    Path(tex_out).write_text(latex, encoding="utf-8")
    return out


def report_step(
    *,
    table1_comparison: str | Path,
    coefficients: str | Path,
    column_stats: str | Path,
    panel_path: str | Path,
    exclusion_summary: str | Path,
    estimates_csv: str | Path,
    diagnostics_csv: str | Path,
    choices: Mapping[str, str],
    md_out: str | Path,
    html_out: str | Path,
) -> str:
    """results/report.md and results/report.html."""
    text = replication_report(
        table1=pd.read_csv(table1_comparison),
        coefficients=pd.read_csv(coefficients, dtype={"table": str}),
        column_stats=pd.read_csv(column_stats, dtype={"table": str}),
        panel=read_frame(panel_path),
        exclusion_summary=pd.read_csv(exclusion_summary),
        estimates=pd.read_csv(estimates_csv, dtype={"table": str}),
        diagnostics=pd.read_csv(diagnostics_csv, dtype={"table": str}),
        choices=choices,
        data_note="Data: " + _data_note(panel_path) + " The paper uses the WIOD 2016 release, 2000–2014; differences include the data release.",
    )
    Path(md_out).write_text(text, encoding="utf-8")
    Path(html_out).write_text(to_html(text), encoding="utf-8")
    for line in text.split("## Summary", 1)[1].split("##", 1)[0].strip().splitlines():
        log.info(line.lstrip("- "))
    return text
