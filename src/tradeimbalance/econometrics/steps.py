"""Workflow steps of the econometric stage: the panel, the paper's regressions, the specification search.

One function per Snakemake rule of ``workflow/rules/estimation.smk`` (and the KOF-vintage sensitivity).
:mod:`tradeimbalance.econometrics.estimation` (linearmodels, scipy.stats) is imported only by the steps
that estimate, so building the panel or running the specification search does not load it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import schemas, source_schemas
from ..outputs.comparison import markdown_table
from ..parquet import read_frame, write_frame
from .panel import ControlSpec, SampleDesign, exclusion_summary
from .specsearch import best_by_dimension, published_equations, search

if TYPE_CHECKING:
    from .estimation import Specification

log = logging.getLogger(__name__)

#: Residual differences below this (index points) are ties: the published numbers have 4 decimals.
TIE_TOLERANCE = 1e-3


def _main_specifications(sample: SampleDesign) -> list[Specification]:
    """Table 3 columns 3–4: the paper's main specification (both main outcomes, with controls)."""
    from .estimation import paper_specifications

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
    #: Each control's series, computed once however many panels are assembled from these inputs.
    control_cache: dict[tuple[object, ...], pd.DataFrame] = field(default_factory=dict, compare=False, repr=False)

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
        return design.assemble(self.tbi, self.tbi_dva, self.kof, self.sources, kof_vintage, self.control_cache)


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
    """Every regression of the paper (:func:`tradeimbalance.econometrics.estimation.paper_specifications`) → results/estimates.csv."""
    from .estimation import estimate, paper_specifications

    panel = read_frame(panel_path)
    specs = paper_specifications(outcomes[:2], outcomes[2:5])
    estimates, diagnostics = estimate(panel, specs, list(controls))
    Path(estimates_csv).parent.mkdir(parents=True, exist_ok=True)
    estimates.to_csv(estimates_csv, index=False, float_format="%.10g", lineterminator="\n")
    diagnostics.to_csv(diagnostics_csv, index=False, float_format="%.10g", lineterminator="\n")
    return estimates


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
    top_csv: str | Path,
    report_md: str | Path,
    top_rows: int = 200,
) -> pd.DataFrame:
    """Rank KOF vintages, country sets and control definitions by the published constants (:mod:`tradeimbalance.econometrics.specsearch`)."""
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
    # Every combination (over 100,000 rows) as parquet; the best ``top_rows`` also as CSV, for reading by eye.
    import pyarrow as pa_arrow

    from ..parquet import with_metadata, write_table_atomic

    log.info("specification search: %d combinations ranked", len(ranking))
    write_table_atomic(with_metadata(pa_arrow.Table.from_pandas(ranking, preserve_index=False), {"rows": len(ranking)}), ranking_out)
    ranking.head(top_rows).to_csv(top_csv, index=False, float_format="%.6f", lineterminator="\n")
    dims = ["convention", "kof_vintage", "developed_list", "dropped", *[n for n in control_alternatives if len(control_alternatives[n]) > 1]]
    best = best_by_dimension(ranking, dims).merge(best_by_dimension(ranking, dims, "rms_residual_tbi_on_hand"), on=["dimension", "choice"])
    Path(report_md).write_text(search_report(ranking, best, equations, len(candidates), n_countries), encoding="utf-8")
    top = ranking.iloc[0]
    keys = ["convention", "kof_vintage", "dropped", "developed_list", *control_alternatives]
    log.info("best: %s (rms residual %.6g)", ", ".join(f"{k}={top[k]}" for k in keys), top["rms_residual"])
    # A choice that changes the residual by less than TIE_TOLERANCE (the published constants and coefficients have
    # 4 decimals) ties with the best one: the ranking's order between them is no evidence. For each control,
    # the alternatives tying with the best (all other choices as in the best) are logged with the tie-break
    # rule: the lower residual with the TBI means fixed at those of the release on hand.
    as_best = {c: (ranking[c].astype(str) == str(top[c])).to_numpy() for c in keys}
    for k in control_alternatives:
        same = ranking[np.logical_and.reduce([as_best[c] for c in keys if c != k])]
        tied = same[same["rms_residual"] <= top["rms_residual"] + TIE_TOLERANCE]
        if len(tied) > 1:
            pick = tied.sort_values("rms_residual_tbi_on_hand", kind="mergesort").iloc[0]
            figures = ", ".join(f"{r[k]} {r['rms_residual']:.4f} ({r['rms_residual_tbi_on_hand']:.3f} with the TBI means fixed)" for _, r in tied.iterrows())
            log.info(
                "tie: %s = %s reach the best residual within %g; the tie is broken by the residual with the TBI means of the "
                "release on hand, which picks %s; the configuration uses %s",
                k, " / ".join(tied[k].astype(str)), TIE_TOLERANCE, pick[k], base[k].variable,
            )
            log.info("tie: %s", figures)
    return ranking


def search_report(ranking: pd.DataFrame, best: pd.DataFrame, equations: Sequence[object], n_candidates: int, n_countries: int) -> str:
    control_cols = [c for c in ranking.columns if c not in {
        "developed_list", "dropped", "convention", "kof_vintage", "n_developed", "n_developing", "rms_residual", "rms_residual_tbi_on_hand", "max_abs_residual",
        "fitted_tbi_mean_developed", "fitted_tbi_mean_developing", "residuals"}]  # fmt: skip
    lines = [
        "# Specification search: which choices reproduce the published constants",
        "",
        "Generated by the `specification_search` rule (method: `tradeimbalance.econometrics.specsearch`; discussion: docs/specification.md).",
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
    from .estimation import estimate

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


def kof_sensitivity(paths: Mapping[str, str | Path], design: Mapping[str, object], *, csv_out: str | Path, tex_out: str | Path) -> pd.DataFrame:
    """The main specification (Table 3 columns 3–4) on every KOF vintage present: the TBI coefficient by vintage."""
    from .estimation import estimate

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
    from ..outputs.latex_tables import tex_coefficient

    cells = [tex_coefficient(c, s, se) for c, s, se in zip(out["coef"], out["stars"], out["se"])]
    wide = out.assign(cell=cells).pivot(index="kof_vintage", columns="depvar", values="cell")
    wide = wide[[d for d in sample.outcomes[:2] if d in wide.columns]].reset_index().rename(columns={"kof_vintage": "KOF vintage"})
    wide["N"] = out.groupby("kof_vintage")["nobs"].first().to_numpy()
    # The cells are LaTeX already (true minus signs, stars as superscripts); the vintage labels are escaped.
    latex = wide.style.hide(axis="index").format_index(escape="latex", axis=1).format(escape="latex", subset=["KOF vintage"]).to_latex(
        caption="TBI coefficient of Table 3 columns 3--4 by KOF vintage", label="tab:sensitivity", hrules=True, position_float="centering"
    )
    Path(tex_out).write_text(latex, encoding="utf-8")
    return out
