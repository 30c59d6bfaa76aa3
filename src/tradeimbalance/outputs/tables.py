"""Generated tables (CSV and LaTeX) and their comparison with the published numbers.

LaTeX is rendered by pandas' ``Styler.to_latex`` (escaping done by pandas).
Outputs carry no timestamps, so a rerun on the same inputs is byte-identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..release import label as release_label
from ..release import year_span

#: Tolerance for a replicated Table 1 cell to count as reproducing the published value.
TABLE1_TOLERANCE = 0.0005


def table1_frame(tbi: pd.DataFrame, countries: Sequence[str], first_year: int, last_year: int) -> pd.DataFrame:
    """Table 1: ``year`` then one TBI column per country, for the years computed in the sample period.

    A country absent from the release gets an all-missing column (and a
    note in the LaTeX table) rather than disappearing.
    """
    sub = tbi[(tbi["year"] >= first_year) & (tbi["year"] <= last_year)]
    wide = sub.pivot(index="year", columns="iso3", values="tbi").reindex(columns=list(countries))
    wide = wide.sort_index().reset_index()
    wide.columns.name = None
    wide["year"] = wide["year"].astype("int64")
    return wide


def data_note(panel_path: str | Path) -> str:
    """The tables' data sentence: the release (and its value added), the KOF vintage and the years of the panel."""
    from ..parquet import read_frame, read_metadata

    meta = read_metadata(panel_path)
    panel = read_frame(panel_path)
    release = str(meta.get("release", ""))
    va = str(meta.get("value_added", ""))
    return (
        f"TBI from the {release_label(release)}, {VALUE_ADDED_WORDS.get(va, va.replace('_', ' ') + ' value added')}; "
        f"KOF vintage {meta.get('kof_vintage')}; {year_span(panel['year']).replace('–', '-')}."
    )


#: The value-added definitions of the panel's metadata, in words (config ``value_added``; a flows release's own).
VALUE_ADDED_WORDS = {
    "primary_inputs": "value added as gross output less intermediate inputs",
    "basic_prices": "value added at basic prices",
    "icio_dva": "value added as Stata's icio traces it",
}


def instrument_note(diagnostics: pd.DataFrame) -> str:
    """What the 2SLS instrument is on the release's time axis, and which years drop out for want of it."""
    if "instrument" not in diagnostics.columns or diagnostics.empty:
        return ""
    label = str(diagnostics["instrument"].dropna().iloc[0])
    text = f" Instrument L.TBI: the {label}."
    dropped = sorted({y for ys in diagnostics.get("years_without_instrument", pd.Series(dtype=str)).fillna("").astype(str) for y in ys.split(", ") if y})
    if dropped:
        text += f" The first {'year' if '(t-1)' in label else 'benchmark year'} ({', '.join(dropped)}) has no previous one and drops out."
    return text


def write_table1(table: pd.DataFrame, csv_path: str | Path, tex_path: str | Path, release: str, value_added: str) -> None:
    """Write Table 1 as CSV (6 decimals) and as a booktabs LaTeX table (4 decimals, like the paper)."""
    from .latex_tables import fit_page, tex_number

    Path(csv_path).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(csv_path, index=False, float_format="%.6f", lineterminator="\n")
    countries = [c for c in table.columns if c != "year"]
    missing = [c for c in countries if table[c].isna().all()]
    body = table.rename(columns={"year": "Year"})
    styler = (
        body.style.hide(axis="index")
        .format(tex_number, na_rep="--", subset=countries)
        .format("{:d}", subset=["Year"])
        .format_index(escape="latex", axis=1)
    )
    years = year_span(table["year"]).replace("–", "--") if len(table) else "none"
    note = (
        f"Source: computed from the {release_label(release)}, "
        f"{VALUE_ADDED_WORDS.get(value_added, value_added.replace('_', ' ') + ' value added')}. "
        "TBI = (value added exported $-$ value added imported) / (value added exported + value added imported), "
        "value added counted where it is finally absorbed."
    )
    if missing:
        note += f" Not in this release: {', '.join(missing)}."
    latex = styler.to_latex(
        caption=f"Trade Benefit Index of major economies, {years}",
        label="tab:tbi",
        hrules=True,
        position_float="centering",
        column_format="l" + "r" * len(countries),
    )
    latex = latex.replace("\\end{tabular}\n", f"\\end{{tabular}}\n\\par\\footnotesize {note}\n", 1)
    Path(tex_path).write_text(fit_page(latex), encoding="utf-8")


def compare_table1(replicated: pd.DataFrame, published: pd.DataFrame, release: str, tolerance: float = TABLE1_TOLERANCE) -> pd.DataFrame:
    """Cell-by-cell comparison of Table 1 with the published values.

    One row per published cell: ``year, iso3, published, replicated,
    difference`` (replicated − published), ``abs_difference``, ``status``
    (``within_tolerance`` | ``differs`` | ``not_computed``: the release does
    not cover that year or country) and ``release``.
    """
    pub = published.melt(id_vars="year", var_name="iso3", value_name="published")
    rep_cols = [c for c in replicated.columns if c != "year"]
    rep = replicated.melt(id_vars="year", value_vars=rep_cols, var_name="iso3", value_name="replicated")
    out = pub.merge(rep, on=["year", "iso3"], how="left")
    out["difference"] = out["replicated"] - out["published"]
    out["abs_difference"] = out["difference"].abs()
    out["status"] = np.select(
        [out["replicated"].isna(), out["abs_difference"] <= tolerance],
        ["not_computed", "within_tolerance"],
        default="differs",
    )
    out["release"] = release
    order = {c: i for i, c in enumerate(published.columns)}
    out["_order"] = out["iso3"].map(order)
    out = out.sort_values(["_order", "year"]).drop(columns="_order").reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    return out


def comparison_summary(comparison: pd.DataFrame, tolerance: float = TABLE1_TOLERANCE, paper: bool = False) -> str:
    """A short Markdown report of the Table 1 comparison, by country; ``paper``: the release is the paper's own data
    (config ``paper: true``), so no difference of release explains a difference."""
    release = comparison["release"].iloc[0] if len(comparison) else ""
    lines = [
        "# Table 1: replicated TBI vs. published",
        "",
        f"Release used: **{release}**. Tolerance: ±{tolerance}. Difference = replicated − published.",
        "",
        "| country | cells published | computed | within tolerance | max abs difference | mean difference |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for iso3, g in comparison.groupby("iso3", sort=False):
        done = g[g["status"] != "not_computed"]
        within = int((g["status"] == "within_tolerance").sum())
        mx = f"{done['abs_difference'].max():.4f}" if len(done) else "--"
        mean = f"{done['difference'].mean():+.4f}" if len(done) else "--"
        lines.append(f"| {iso3} | {len(g)} | {len(done)} | {within} | {mx} | {mean} |")
    not_done = comparison[comparison["status"] == "not_computed"]
    if len(not_done):
        years = sorted(set(not_done["year"]))
        lines += ["", f"Not computed with this release: years {year_span(years)} ({len(not_done)} cells)."]
    if not paper:
        lines += [
            "",
            "The paper's TBI is computed from the WIOD 2016 release. These numbers come from a different "
            "release, so the differences measure the data release (coverage, industry detail, revisions, "
            "and rounding to whole millions in this packaging), not the method.",
        ]
    lines += ["", "| year | " + " | ".join(f"{c} published | {c} replicated | diff" for c in comparison["iso3"].unique()) + " |"]
    lines.append("|---|" + "---:|" * (3 * comparison["iso3"].nunique()))
    wide = comparison.pivot(index="year", columns="iso3")
    for year in wide.index:
        cells = []
        for c in comparison["iso3"].unique():
            p, r, d = wide.loc[year, ("published", c)], wide.loc[year, ("replicated", c)], wide.loc[year, ("difference", c)]
            cells += [f"{p:.4f}", "--" if pd.isna(r) else f"{r:.4f}", "--" if pd.isna(d) else f"{d:+.4f}"]
        lines.append(f"| {year} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def compare_variants(variants: pd.DataFrame, published: pd.DataFrame, tolerance: float = TABLE1_TOLERANCE) -> pd.DataFrame:
    """Each TBI variant against the published Table 1: per variant and country, how close it comes.

    Columns: ``variant, iso3, cells`` (published cells the release covers),
    ``within_tolerance``, ``max_abs_difference``, ``mean_difference``,
    ``rmse``, ``release``.
    """
    pub = published.melt(id_vars="year", var_name="iso3", value_name="published")
    merged = variants.merge(pub, on=["year", "iso3"], how="inner")
    merged["difference"] = merged["tbi"] - merged["published"]
    rows = []
    for (variant, iso3), g in merged.groupby(["variant", "iso3"], sort=False):
        d = g["difference"]
        rows.append(
            {
                "variant": variant,
                "iso3": iso3,
                "cells": len(g),
                "within_tolerance": int((d.abs() <= tolerance).sum()),
                "max_abs_difference": d.abs().max(),
                "mean_difference": d.mean(),
                "rmse": float(np.sqrt((d**2).mean())),
                "release": g["release"].iloc[0],
            }
        )
    out = pd.DataFrame(rows)
    order = {c: i for i, c in enumerate(published.columns)}
    return out.sort_values(["variant", "iso3"], key=lambda s: s.map(order) if s.name == "iso3" else s).reset_index(drop=True)


def variants_summary(comparison: pd.DataFrame) -> str:
    """Markdown report: which TBI construction comes closest to the published Table 1."""
    release = comparison["release"].iloc[0] if len(comparison) else ""
    lines = [
        "# Table 1: which TBI construction is closest to the published values?",
        "",
        f"Release used: **{release}**. Each variant changes one choice the paper does not state "
        "(see `tradeimbalance.io.tbi.TBI_VARIANTS`); RMSE and differences are over the published cells the release covers.",
        "",
        "| variant | country | cells | within ±0.0005 | max abs difference | mean difference | RMSE |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in comparison.itertuples():
        lines.append(f"| {r.variant} | {r.iso3} | {r.cells} | {r.within_tolerance} | {r.max_abs_difference:.4f} | {r.mean_difference:+.4f} | {r.rmse:.4f} |")
    overall = comparison.assign(sq=comparison["rmse"] ** 2 * comparison["cells"]).groupby("variant", sort=False)[["sq", "cells"]].sum()
    lines += ["", "Overall RMSE by variant: " + ", ".join(f"{v} {np.sqrt(r.sq / r.cells):.4f}" for v, r in overall.iterrows()) + "."]
    return "\n".join(lines) + "\n"
