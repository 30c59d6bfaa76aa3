"""Workflow steps of the output stage: Table 1, the regression tables, Figure 1, the comparisons and the report.

One function per Snakemake rule of ``workflow/rules/tables.smk`` and ``report.smk``. The plotting library
is imported only by the Figure 1 step, the LaTeX encoder only by the table steps.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .. import schemas, source_schemas
from ..parquet import read_frame, read_frames, read_metadata
from .comparison import coefficient_report, compare_coefficients, compare_column_stats, summary_lines
from .tables import compare_table1, compare_variants, comparison_summary, data_note, instrument_note, table1_frame, variants_summary, write_table1

log = logging.getLogger(__name__)


def table1_variants(
    variant_paths: Sequence[str | Path] | None, published_path: str | Path, csv_out: str | Path, report_out: str | Path, *, va_paths: Sequence[str | Path] | None = None
) -> pd.DataFrame:
    """Compare every TBI variant with the published Table 1 (CSV and Markdown report): a tables release's per-year TBI
    variants (``variant_paths``), or, for a flows release, the variants its flows can give (``va_paths``:
    :func:`tradeimbalance.io.tbi.flows_variants`)."""
    if variant_paths is not None:
        variants = read_frames(variant_paths, schemas.TBI_VARIANTS)
    else:
        from ..io.tbi import flows_variants

        variants = flows_variants(read_frames(va_paths or [], schemas.VA_ABSORBED))
    comparison = compare_variants(variants, pd.read_csv(published_path))
    Path(csv_out).parent.mkdir(parents=True, exist_ok=True)
    comparison.to_csv(csv_out, index=False, float_format="%.6f", lineterminator="\n")
    Path(report_out).write_text(variants_summary(comparison), encoding="utf-8")
    return comparison


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
    paper: bool = False,
) -> pd.DataFrame:
    """Table 1 (CSV, LaTeX) for the release's years and its cell-by-cell comparison with the published values;
    ``paper``: the release is the paper's own data (config ``paper: true``)."""
    panel = read_frame(tbi_path, schemas.TBI)
    release, value_added = panel["release"].iloc[0], panel["value_added"].iloc[0]
    table = table1_frame(panel, countries, first_year, last_year)
    write_table1(table, csv_out, tex_out, release, value_added)
    published = pd.read_csv(published_path)
    comparison = compare_table1(table, published, release)
    comparison.to_csv(comparison_out, index=False, float_format="%.6f", lineterminator="\n")
    Path(report_out).write_text(comparison_summary(comparison, paper=paper), encoding="utf-8")
    for iso3, g in comparison.groupby("iso3", sort=False):
        done = g[g["status"] != "not_computed"]
        if len(done):
            log.info("Table 1 %s: %d/%d computed cells within tolerance, max |diff| %.4f", iso3, (done["status"] == "within_tolerance").sum(), len(done), done["abs_difference"].max())
    return comparison


def compare_estimates(
    estimates_csv: str | Path,
    published_coefficients: str | Path,
    published_stats: str | Path,
    panel_path: str | Path,
    comparison_csv: str | Path,
    stats_csv: str | Path,
    report_md: str | Path,
) -> pd.DataFrame:
    """Our Tables 3–6 coefficients beside the published ones, and N and R² of every column (CSV + Markdown report)."""
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


# ------------------------------------------------------ tables, figure, report
#: The paper's regression tables: table id → (output stem, title, panel headers).
REGRESSION_TABLES: dict[str, tuple[str, list[tuple[str, list[int]]] | None]] = {
    "3": ("Baseline regressions: trade imbalance and de jure globalisation", None),
    "4": ("Developed and developing countries", [("Developed", [1, 2]), ("Developing", [3, 4])]),
    "5": ("Extension: trade, financial and political globalisation", None),
    "6": ("Extension by country group", [("Developed", [1, 2, 3]), ("Developing", [4, 5, 6])]),
    "2sls": ("Robustness: 2SLS with the lagged TBI as instrument", None),
    "dva": ("Robustness: TBI from domestic value added in gross exports (KWW/WWZ)", None),
}


def _iv_note(diagnostics: pd.DataFrame) -> str:
    """What the instrument is, which Cragg–Donald degrees of freedom the 2SLS table uses, and why a statistic is missing
    where one is."""
    from ..econometrics.specifications import cd_dof_description

    text = instrument_note(diagnostics)
    if "cd_dof" in diagnostics.columns:
        text += " CD Wald F: " + cd_dof_description(diagnostics["cd_dof"]) + " (config iv.cragg_donald_dof)."
    if "unavailable" in diagnostics.columns:
        reasons = sorted(set(r for r in diagnostics["unavailable"].fillna("").astype(str) if r))
        if reasons:
            text += " A statistic shown as . is not defined: " + "; ".join(reasons) + "."
    return text


def regression_tables(
    estimates_csv: str | Path, diagnostics_csv: str | Path, panel_path: str | Path, out_dir: str | Path, *,
    skipped: Mapping[str, str] | None = None, table_set_csv: str | Path | None = None,
) -> list[Path]:
    """Tables 3–6, 2SLS and DVA as LaTeX + CSV (``table<id>.tex`` / ``.csv``) in the paper's layout; ``skipped``: the
    tables the release cannot give (table id → reason), listed with the built ones in ``table_set_csv``
    (``table, title, status, tex, csv, reason``)."""
    from .latex_tables import regression_table, write_table

    estimates = pd.read_csv(estimates_csv, dtype={"table": str})
    diagnostics = pd.read_csv(diagnostics_csv, dtype={"table": str})
    note = data_note(panel_path)
    skipped = dict(skipped or {})
    written = []
    rows = []
    for table, (title, panels) in REGRESSION_TABLES.items():
        if table in skipped:
            log.warning("table %s (%s) skipped: %s", table, title, skipped[table])
            rows.append({"table": table, "title": title, "status": "skipped", "tex": "", "csv": "", "reason": skipped[table]})
            continue
        if table == "2sls" and "instrument" in diagnostics.columns and diagnostics["instrument"].notna().any():
            lag = str(diagnostics["instrument"].dropna().iloc[0])
            title = f"Robustness: 2SLS, TBI instrumented by the {lag}"
        notes = note + (" First stage: TBI on L.TBI and the exogenous regressors." if table == "2sls" else "")
        if table == "2sls":
            notes += _iv_note(diagnostics)
        notes += " TBI is the DVA-based index." if table == "dva" else ""
        latex, frame = regression_table(estimates, table, title=title, label=f"tab:{table}", notes=notes, panels=panels, diagnostics=diagnostics if table == "2sls" else None)
        tex = Path(out_dir) / f"table{table}.tex"
        write_table(latex, frame, tex, tex.with_suffix(".csv"))
        written.append(tex)
        rows.append({"table": table, "title": title, "status": "built", "tex": tex.name, "csv": tex.with_suffix(".csv").name, "reason": ""})
    if table_set_csv is not None:
        pd.DataFrame(rows, columns=["table", "title", "status", "tex", "csv", "reason"]).to_csv(table_set_csv, index=False, lineterminator="\n")
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
    from .figures import figure1, group_means, save_figure

    kof = read_frame(kof_path, source_schemas.KOF_PANEL)
    members = [c for c in countries if c not in excluded_countries]
    k = kof[(kof["vintage"] == kof_vintage) & kof["iso3"].isin(members) & kof["year"].between(first_year, last_year)].copy()
    k["group"] = np.where(k["iso3"].isin(developed), "developed", "developing")
    # A vintage ends before the sample may (KOF 2018 in 2016; an ICIO edition reaches 2020): the figure ends with it.
    covered = k.dropna(subset=["KOFGIdj", "KOFEcGIdj"], how="all").groupby("group")["year"].max()
    if len(covered) and int(covered.min()) < last_year:
        log.warning("Figure 1: KOF vintage %s has both groups' indices only to %d; the figure ends there, not in %d", kof_vintage, int(covered.min()), last_year)
        last_year = int(covered.min())
        k = k[k["year"] <= last_year]
    means = group_means(k[["iso3", "year", "group", "KOFGIdj", "KOFEcGIdj"]], indices=["KOFGIdj", "KOFEcGIdj"], years=(first_year, last_year))
    save_figure(figure1(means), png_out, pdf_out)
    means.to_csv(csv_out, index=False, float_format="%.6f", lineterminator="\n")
    log.info("Figure 1: %d countries (%d developed), KOF vintage %s, %d–%d", k["iso3"].nunique(), k.loc[k["group"] == "developed", "iso3"].nunique(), kof_vintage, first_year, last_year)
    return means


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
    inference_csv: str | Path | None = None,
    curve_csv: str | Path | None = None,
    curve_dimensions: Sequence[str] = (),
    curve_skipped_csv: str | Path | None = None,
    curve_test_csv: str | Path | None = None,
    curve_variance_csv: str | Path | None = None,
    bootstrap_draws: int = 9999,
    level: float = 0.95,
    releases: Mapping[str, str | Path] | None = None,
    release_info: Mapping[str, Mapping[str, object]] | None = None,
    published_coefficients: str | Path | None = None,
    table_set_csv: str | Path | None = None,
    referee_csv: str | Path | None = None,
    forest_png: str | Path | None = None,
    causal_csv: str | Path | None = None,
    summary_out: str | Path | None = None,
    provenance: str = "",
    second_implementation_csv: str | Path | None = None,
) -> str:
    """results/report.md and results/report.html (with the robustness section when the inference and curve files are
    given, and the releases section when ``releases`` names the comparison's files: estimates, pairs, effect, skipped, table1).

    The first screen, "Replication at a glance" (:mod:`.glance`), needs the comparison's files, the published
    coefficients and ``release_info`` (release → ``label``, ``paper``, ``configured``): the paper's own data lead."""
    from .glance import claim_verdicts, glance_frame, glance_lines, glance_summary, size_frame, unavailable_tables
    from .report import releases_section, replication_report, robustness_section, to_html

    robustness: list[str] = []
    curve = None
    if curve_csv is not None:
        # "n/a" marks a choice that does not apply: kept as text, not read as a missing value.
        curve = pd.read_csv(curve_csv, keep_default_na=False, na_values=[""], dtype={"kof_vintage": str, "paper_column": str})
    if inference_csv is not None and curve is not None:
        skipped = pd.read_csv(curve_skipped_csv) if curve_skipped_csv is not None else None
        robustness = robustness_section(
            pd.read_csv(inference_csv, dtype={"table": str}), curve, list(curve_dimensions), draws=bootstrap_draws, level=level, curve_skipped=skipped,
            curve_test=pd.read_csv(curve_test_csv) if curve_test_csv is not None else None,
            curve_variance=pd.read_csv(curve_variance_csv) if curve_variance_csv is not None else None,
            release=next((r for r, i in (release_info or {}).items() if i.get("configured")), ""),
        )  # fmt: skip
    glance: list[str] = []
    one_line = ""
    info = dict(release_info or {})
    configured = next((r for r, i in info.items() if i.get("configured")), "")
    # the releases in the order the report leads with: the paper's own data first, then the configured release
    order = sorted(info, key=lambda r: (not info[r].get("paper"), not info[r].get("configured"))) if info else None
    if releases is not None and order is not None and published_coefficients is not None:
        by_release = pd.read_csv(releases["estimates"], dtype={"table": str})
        order = [r for r in order if r in set(by_release["release"])]
        claims = claim_verdicts(by_release, curve, order, unavailable_tables(pd.read_csv(releases["skipped"])))
        forest = os.path.relpath(forest_png, Path(md_out).parent) if forest_png is not None else ""
        frame = glance_frame(by_release, pd.read_csv(published_coefficients), pd.read_csv(releases["table1"]), order)
        glance = glance_lines(frame, claims, size_frame(by_release, order), info, forest=Path(forest).as_posix() if forest else "")
        one_line = glance_summary(frame, claims, info)
        for r in claims.itertuples():
            log.info("claim %d on %s: %s (clustered p), %s (wild bootstrap p)", r.claim, r.release, r.verdict, r.verdict_wcr)
    if referee_csv is not None:
        from .causal import causal_section

        checks = pd.read_csv(referee_csv, dtype={"table": str})
        strong = pd.read_csv(causal_csv, dtype={"table": str}) if causal_csv is not None else None
        causal = causal_section(checks, [r for r in order if r in set(checks["release"])] if order is not None else None, strong)
    else:
        causal = []
    if second_implementation_csv is not None:
        from .second_implementation import section

        causal += section(pd.read_csv(second_implementation_csv, dtype={"table": str}, keep_default_na=False, na_values=[""]))
    if releases is not None:
        robustness += releases_section(
            pd.read_csv(releases["estimates"], dtype={"table": str}), pd.read_csv(releases["pairs"], keep_default_na=False, na_values=[""]),
            pd.read_csv(releases["effect"], dtype={"table": str}), pd.read_csv(releases["skipped"]), pd.read_csv(releases["table1"]),
        )  # fmt: skip

    text = replication_report(
        table1=pd.read_csv(table1_comparison),
        coefficients=pd.read_csv(coefficients, dtype={"table": str}),
        column_stats=pd.read_csv(column_stats, dtype={"table": str}),
        panel=read_frame(panel_path),
        exclusion_summary=pd.read_csv(exclusion_summary),
        estimates=pd.read_csv(estimates_csv, dtype={"table": str}),
        diagnostics=pd.read_csv(diagnostics_csv, dtype={"table": str}),
        choices=choices,
        data_note="Data: " + data_note(panel_path) + " The paper uses the WIOD 2016 release, 2000–2014, "
        + ("and these are its data" + ("" if len(read_frame(panel_path)["year"].unique()) >= 15 else " on the years on hand") + "."
           if info.get(configured, {}).get("paper") else "so differences include the data release."),
        robustness=[*robustness, *causal],
        glance=glance,
        release=configured,
        table_set=pd.read_csv(table_set_csv) if table_set_csv is not None else None,
        provenance=provenance,
    )
    Path(md_out).write_text(text, encoding="utf-8")
    if summary_out is not None:
        Path(summary_out).parent.mkdir(parents=True, exist_ok=True)
        Path(summary_out).write_text(one_line + "\n", encoding="utf-8")
    Path(html_out).write_text(to_html(text), encoding="utf-8")
    for line in text.split("## Summary", 1)[1].split("##", 1)[0].strip().splitlines():
        log.info(line.lstrip("- "))
    return text


def analysis_data(
    panel_path: str | Path, controls: Mapping[str, Mapping[str, str]], *, dta_out: str | Path, csv_out: str | Path, do_out: str | Path | None = None,
    outcomes: Sequence[str] = (), skipped_tables: Mapping[str, str] | None = None, release: str = "", timing: Sequence[str] = (),
    gmm_lags: Sequence[int] = (2, 3), periods: Sequence[int] = (),
) -> pd.DataFrame:  # fmt: skip
    """The estimation panel for Stata and R: results/data/panel.dta (variable labels) and panel.csv (:mod:`.analysis_data`);
    ``do_out``: results/replicate.do, the paper's regressions for Stata from the package's specification table (:mod:`.stata`)."""
    from .analysis_data import write_analysis_data

    frame = write_analysis_data(panel_path, dta_out, csv_out, controls)
    log.info("analysis data: %d country-years, %d variables → %s, %s", len(frame), frame.shape[1], dta_out, csv_out)
    if do_out is not None:
        from ..econometrics.specifications import paper_specifications
        from ..release import period_step
        from .stata import do_file

        specs = paper_specifications(outcomes[:2], outcomes[2:5], skip=skipped_tables or {})
        chosen = [s for s in specs if f"{s.table}.{s.column}" in set(timing)]
        text = do_file(specs, list(controls), release, chosen, (int(gmm_lags[0]), int(gmm_lags[1])), step=period_step(list(periods)) if periods else 1)
        Path(do_out).write_text(text, encoding="utf-8")
        log.info("replicate.do: %d regressions of the paper, %d timing checks and GMM columns → %s (not run: no Stata here)", len(specs), len(chosen), do_out)
    return frame


def forest_step(estimates_csv: str | Path, published_coefficients: str | Path, *, png_out: str | Path, pdf_out: str | Path, csv_out: str | Path) -> pd.DataFrame:
    """The report's first figure: every published TBI coefficient of Tables 3–6 with its 95 % interval, each release's
    estimate beside it, one row per table column, grouped by the claim it rests on (:mod:`.glance`); its data as CSV."""
    from .figures import forest_figure, forest_rows, save_figure
    from .glance import CLAIMS

    estimates = pd.read_csv(estimates_csv, dtype={"table": str})
    published = pd.read_csv(published_coefficients, dtype={"table": str})
    groups = [(f"Claim {c.number}: {c.text}", [*c.positive, *c.null]) for c in CLAIMS]
    rows = forest_rows(estimates, published, groups)
    rows["group"] = rows["group"].replace({"other": "Columns no claim rests on"})
    save_figure(forest_figure(rows), png_out, pdf_out)
    Path(csv_out).parent.mkdir(parents=True, exist_ok=True)
    rows.to_csv(csv_out, index=False, float_format="%.10g", lineterminator="\n")
    log.info("forest figure: %d published TBI coefficients, %d sources (%s)", rows[["table", "column"]].drop_duplicates().shape[0], rows["source"].nunique(), ", ".join(dict.fromkeys(rows["source"])))
    return rows
