"""Workflow steps of the econometric stage: the panel, the paper's regressions, the specification search.

One function per Snakemake rule of ``workflow/rules/estimation.smk`` (and the KOF-vintage sensitivity).
:mod:`tradeimbalance.econometrics.estimation` (linearmodels, scipy.stats) is imported only by the steps
that estimate, so building the panel or running the specification search does not load it.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import schemas, source_schemas
from ..outputs.comparison import markdown_table
from ..parquet import read_frame, read_frames, write_frame
from .panel import ControlSpec, SampleDesign, exclusion_summary
from .specsearch import best_by_dimension, published_equations, search

if TYPE_CHECKING:
    from .speccurve import TBIDefinition, _Group
    from .specifications import Specification

log = logging.getLogger(__name__)

#: Residual differences below this (index points) are ties: the published numbers have 4 decimals.
TIE_TOLERANCE = 1e-3


def _main_specifications(sample: SampleDesign) -> list[Specification]:
    """Table 3 columns 3–4: the paper's main specification (both main outcomes, with controls)."""
    from .specifications import paper_specifications

    return [s for s in paper_specifications(sample.outcomes[:2], sample.outcomes[2:5]) if s.table == "3" and s.controls]


def _sources(pwt_path: str | Path, wgi_path: str | Path, wdi_path: str | Path) -> dict[str, pd.DataFrame]:
    return {"pwt": read_frame(pwt_path, source_schemas.PWT), "wgi": read_frame(wgi_path, source_schemas.WGI), "wdi": read_frame(wdi_path, source_schemas.WDI)}


@dataclass(frozen=True)
class PanelInputs:
    """The tidy tables the panel is built from, read and validated once."""

    tbi: pd.DataFrame
    #: None for a release that cannot give the DVA-based TBI (a flows release)
    tbi_dva: pd.DataFrame | None
    kof: pd.DataFrame
    sources: dict[str, pd.DataFrame]
    #: Each control's series, computed once however many panels are assembled from these inputs.
    control_cache: dict[tuple[object, ...], pd.DataFrame] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def read(cls, paths: Mapping[str, str | Path]) -> PanelInputs:
        """From the paths keyed ``tbi, tbi_dva, kof, pwt, wgi, wdi`` (the rules' input names; no ``tbi_dva`` for a release
        that cannot give it)."""
        return cls(
            read_frame(paths["tbi"], schemas.TBI),
            read_frame(paths["tbi_dva"], schemas.TBI_DVA) if "tbi_dva" in paths else None,
            read_frame(paths["kof"], source_schemas.KOF_PANEL),
            _sources(paths["pwt"], paths["wgi"], paths["wdi"]),
        )

    def panel(self, design: SampleDesign, kof_vintage: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        return design.assemble(self.tbi, self.tbi_dva, self.kof, self.sources, kof_vintage, self.control_cache)


def developed_lists(developed: Sequence[str], alternatives: Mapping[str, Sequence[str]] | None) -> dict[str, list[str]]:
    """The developed-country lists by name: ``configured`` (``sample.developed``), then each of
    ``specification_search.developed_alternatives``."""
    return {"configured": list(developed), **{k: list(v) for k, v in (alternatives or {}).items()}}


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
    from ..release import lag_description, year_span

    sample = SampleDesign.from_config(design)
    inputs = PanelInputs.read(paths)
    panel, exclusions = inputs.panel(sample, kof_vintage)
    periods = list(sample.periods or range(sample.first_year, sample.last_year + 1))
    meta = {
        "kof_vintage": kof_vintage, "release": str(inputs.tbi["release"].iloc[0]), "value_added": str(inputs.tbi["value_added"].iloc[0]),
        "lag": lag_description(periods), "periods": year_span(periods), "dva": "yes" if inputs.tbi_dva is not None else "no",
    }  # fmt: skip
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


def run_estimates(
    panel_path: str | Path, controls: Sequence[str], outcomes: Sequence[str], estimates_csv: str | Path, diagnostics_csv: str | Path,
    cragg_donald_dof: str = "ivreghdfe", *, skipped_tables: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Every regression of the paper (:func:`tradeimbalance.econometrics.estimation.paper_specifications`) the release
    gives → results/estimates.csv; ``skipped_tables``: table id → why the release cannot give it (logged). The 2SLS rows
    name their instrument (column ``instrument``: the TBI of the previous period of the release, from the panel)."""
    from ..parquet import read_metadata
    from .estimation import estimate, paper_specifications

    panel = read_frame(panel_path)
    for table, why in (skipped_tables or {}).items():
        log.warning("table %s skipped: %s", table, why)
    specs = paper_specifications(outcomes[:2], outcomes[2:5], skip=skipped_tables or {})
    lag = str(read_metadata(panel_path).get("lag", "TBI of the previous year (t-1)"))
    estimates, diagnostics = estimate(panel, specs, list(controls), cragg_donald_dof, instrument_label=lag)
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
    lists = developed_lists(developed, developed_alternatives)
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
    from ..outputs.latex_tables import fit_page

    Path(tex_out).write_text(fit_page(latex), encoding="utf-8")
    return out


#: Columns of results/inference_tbi.csv (:func:`robust_inference`).
INFERENCE_COLUMNS = [
    "table", "column", "depvar", "sample", "controls", "estimator", "coef", "se_cluster", "p_cluster",
    *(f"{c}_wcr_{w}" for w in ("rademacher", "webb") for c in ("p", "mcse", "draws", "undecided", "exact", "note")),
    "se_crv3", "p_crv3", "dk_bandwidth", "se_dk", "p_dk", "twoway_convention", "se_twoway", "p_twoway",
    "se_twoway_reghdfe", "p_twoway_reghdfe", "se_twoway_cgm", "p_twoway_cgm", "ar_stat", "p_ar", "ar_set_kind", "ar_set_low", "ar_set_high", "ar_set", "wald_low", "wald_high", "nobs", "nclusters", "nperiods",
]  # fmt: skip


def robust_inference(
    panel_path: str | Path,
    controls: Sequence[str],
    outcomes: Sequence[str],
    settings: Mapping[str, object],
    *,
    csv_out: str | Path,
    tex_out: str | Path,
    skipped_tables: Mapping[str, str] | None = None,
    release: str = "",
) -> pd.DataFrame:
    """The TBI coefficient of every column of Tables 3–6, 2SLS and DVA the release gives (``skipped_tables``: those it
    cannot) under few-cluster inference (:mod:`.inference`). Each cell's bootstrap is drawn on the stream
    ``<release>/<table>.<column>``, the one :func:`compare_releases` would use for that release: the comparison of
    releases reads the configured release's p-values from this file instead of drawing them again (one computation per
    test)."""
    import time

    from ..outputs.latex_tables import inference_table
    from .specifications import paper_specifications, sample_rows
    from .inference import InferenceSettings, fe_inference, iv_inference

    cfg = InferenceSettings.from_config(dict(settings))
    panel = read_frame(panel_path)
    rows = []
    start = time.perf_counter()
    specs = paper_specifications(outcomes[:2], outcomes[2:5], skip=skipped_tables or {})
    for i, spec in enumerate(specs, 1):
        data = sample_rows(panel, spec.sample)
        x = list(controls) if spec.controls else []
        if spec.estimator == "2sls":
            assert spec.instrument is not None
            res = iv_inference(data.dropna(subset=[spec.instrument]), spec.depvar, spec.tbi, spec.instrument, x, cfg, stream=f"{release}/{spec.table}.{spec.column}")
        else:
            res = fe_inference(data, spec.depvar, spec.tbi, x, cfg, stream=f"{release}/{spec.table}.{spec.column}")
        rows.append({"table": spec.table, "column": spec.column, "depvar": spec.depvar, "sample": spec.sample, "controls": spec.controls, "estimator": spec.estimator, **res})
        log.info(
            "%d of %d: table %s col %d: TBI %.4f, p clustered %.4f, WCR %s, CRV3 %.4f, DK %.4f, two-way %.4f%s (%.1f s)",
            i, len(specs), spec.table, spec.column, res["coef"], res["p_cluster"],
            " / ".join(f"{res[f'p_wcr_{w}']:.4f}" for w in cfg.weights), res["p_crv3"], res["p_dk"], res["p_twoway"],
            f", AR p {res['p_ar']:.4f}, set {res['ar_set']}" if "p_ar" in res else "", time.perf_counter() - start,
        )  # fmt: skip
    out = pd.DataFrame(rows).reindex(columns=INFERENCE_COLUMNS)
    Path(csv_out).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(csv_out, index=False, float_format="%.10g", lineterminator="\n")
    bw = sorted(set(out["dk_bandwidth"].astype(int)))
    note = f"bandwidth {', '.join(map(str, bw))}" + (" (linearmodels' rule)" if cfg.dk_bandwidth is None else "")
    from ..outputs.tables import data_note

    table = inference_table(
        out, draws=cfg.bootstrap_draws, level=cfg.level, bandwidth_note=note, rerun_draws=cfg.rerun_draws, twoway_convention=cfg.twoway_convention,
        data_note=data_note(panel_path),
    )  # fmt: skip
    from ..outputs.latex_tables import fit_page

    Path(tex_out).write_text(fit_page(table, landscape=True), encoding="utf-8", newline="\n")
    log.info("inference for %d TBI coefficients: %.1f s (B = %d, weights %s)", len(out), time.perf_counter() - start, cfg.bootstrap_draws, ", ".join(cfg.weights))
    return out


def _curve_tbi_frames(variants: pd.DataFrame, dva: pd.DataFrame, definitions: Mapping[str, TBIDefinition]) -> dict[str, pd.DataFrame]:
    """Each TBI definition's series (``iso3, year, tbi``) for one release, from its stacked per-year TBI variants
    and bilateral DVA (:data:`schemas.TBI_VARIANTS`, :data:`schemas.DVA_BILATERAL`)."""
    from ..io.tbi import balance_panel

    release = str(variants["release"].iloc[0])
    out: dict[str, pd.DataFrame] = {}
    for name, d in definitions.items():
        if d.measure == "va_absorbed":
            rows = variants[variants["variant"] == d.variant]
            if rows.empty:
                raise ValueError(
                    f"config specification_curve.tbi_definitions.{name}: the TBI variant {d.variant!r} is not computed for {release} "
                    f"(variants present: {', '.join(sorted(variants['variant'].unique()))})"
                )
            out[name] = rows[["iso3", "year", "tbi"]].reset_index(drop=True)
        else:
            flows = dva if d.row_partner else dva[(dva["exporter"] != "ROW") & (dva["importer"] != "ROW")]
            b = balance_panel(flows, "dva")
            out[name] = pd.DataFrame({"iso3": b["iso3"], "year": b["year"], "tbi": b["index"]})
    return out


def curve_release_files(inputs: Mapping[str, object], releases: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    """The per-release files of the curve's rules from their named inputs: ``va_<release>`` for a flows release,
    ``variants_<release>`` and ``dva_<release>`` for a tables release."""
    keys = set(inputs.keys())  # type: ignore[attr-defined]
    return {
        r: {"va": list(inputs[f"va_{r}"])} if f"va_{r}" in keys else {"variants": list(inputs[f"variants_{r}"]), "dva": list(inputs[f"dva_{r}"])}  # type: ignore[call-overload]
        for r in releases
    }


@dataclass
class CurveInputs:
    """Everything the specification curve is estimated from (:func:`curve_inputs`): the specifications, one panel
    per release × country set × control definitions × KOF vintage, and each release's developed lists and controls."""

    specs: pd.DataFrame
    panels: dict[tuple[str, str, tuple[tuple[str, str], ...], str], pd.DataFrame]
    developed_lists: dict[str, dict[str, list[str]]]
    control_names: dict[str, list[str]]
    defaults: dict[str, str]
    choices: dict[str, list[str]]
    definitions: dict[str, TBIDefinition]
    #: The configured release's design (its controls name the paper's columns).
    sample: SampleDesign
    #: Per release, its sample years.
    years: dict[str, list[int]]
    #: Specifications a release cannot give: release, dimension, choice, specifications, reason.
    skipped: pd.DataFrame


def curve_defaults(
    sample: SampleDesign, definitions: Mapping[str, TBIDefinition], *, io_release: str, kof_vintage: str, control_dims: Sequence[str],
) -> dict[str, str]:  # fmt: skip
    """The configured choice of each dimension of the curve: the configured release's sample (its first outcome, its
    controls' variables), the configured TBI definition and KOF vintage, the configured country set and developed list."""
    defaults = {
        "io_release": io_release, "kof_vintage": kof_vintage, "outcome": sample.outcomes[0], "sample": "all", "controls": "with",
        "tbi": next(n for n, d in definitions.items() if d.is_configured), "country_set": "configured", "developed_list": "configured",
    }  # fmt: skip
    configured_vars = {c.name: c.variable for c in sample.controls}
    for c in control_dims:
        defaults[c] = configured_vars[c[len("control_") :]]
    return defaults


def curve_inputs(
    paths: Mapping[str, str | Path],
    release_files: Mapping[str, Mapping[str, Sequence[str | Path]]],
    samples: Mapping[str, Mapping[str, object]],
    *,
    kof_vintage: str,
    io_release: str,
    curve: Mapping[str, object],
    developed_alternatives: Mapping[str, Sequence[str]] | None,
    not_candidates: Sequence[str],
    not_available: Mapping[str, Mapping[str, str]] | None = None,
    paper_excluded: Mapping[str, str] | None = None,
) -> CurveInputs:
    """The specifications and panels of the curve (:mod:`.speccurve`), read from the workflow's files.
    ``not_available``: release → what it cannot give and why (:attr:`tradeimbalance.release.Release.not_available`).

    ``paths``: ``kof, pwt, wgi, wdi`` (tidy sources) and ``ranking`` (the specification search's parquet);
    ``release_files``: release → ``{"variants": [...], "dva": [...]}`` (a tables release's per-year files) or
    ``{"va": [...]}`` (a flows release's per-year value added absorbed); ``samples``: release →
    :func:`tradeimbalance.release.release_sample` (each release's years, countries, developed list and controls).

    Each release is estimated on its own sample: ``controls: with`` means the release's control set (the long-run
    era has no regulatory quality), ``developed_list: configured`` its own developed list, and an alternative country
    set (:class:`.speccurve.CountrySet`, built from the paper's excluded countries ``paper_excluded``: default the
    configured release's) changes the release's own excluded countries in the same way on every release: ``drop BGR
    instead of ROU`` lets ROU back in and leaves BGR out, ``also drop BGR`` leaves BGR out as well. The releases come in
    the order of ``release_files`` (the workflow passes config order), and nothing of a release's curve depends on which
    release is configured: its specifications, panels and estimates are the same whichever it is. A TBI definition a
    release cannot give (a flows release has no table, hence no KWW/DVA-based TBI and no inventories variant)
    leaves the curve for that release, listed in ``skipped`` with the reason.
    """
    from ..io.tbi import flows_variants
    from ..release import DVA, VARIANT_NEEDS
    from . import speccurve as sc

    designs = {r: SampleDesign.from_config(samples[r]) for r in release_files}
    sample = designs[io_release]
    kof = read_frame(paths["kof"], source_schemas.KOF_PANEL)
    sources = _sources(paths["pwt"], paths["wgi"], paths["wdi"])
    definitions = {n: sc.TBIDefinition.from_config(n, s) for n, s in dict(curve["tbi_definitions"]).items()}  # type: ignore[call-overload]
    dims = dict(curve["dimensions"])  # type: ignore[call-overload]
    lists = {r: developed_lists(d.developed, developed_alternatives) for r, d in designs.items()}
    ranking = pd.read_parquet(paths["ranking"], columns=["dropped"])
    n_sets = dims.get("country_set", 0)
    swaps, additions = (int(n_sets.get("instead", 0)), int(n_sets.get("also", 0))) if isinstance(n_sets, Mapping) else (int(n_sets), 0)  # type: ignore[union-attr, call-overload]
    sets = sc.country_sets(ranking, paper_excluded if paper_excluded is not None else sample.excluded_countries, not_candidates, swaps, additions)
    releases = list(release_files)
    choices = sc.dimension_choices(
        dims, releases=releases, vintages=sorted(kof["vintage"].unique()), developed_lists=list(lists[io_release]),
        country_set_labels=[s.label for s in sets], tbi_definitions=definitions, control_names=sample.control_names,
    )  # fmt: skip
    control_dims = sorted(c for c in choices if c.startswith("control_"))
    defaults = curve_defaults(sample, definitions, io_release=io_release, kof_vintage=kof_vintage, control_dims=control_dims)
    specs = sc.enumerate_specifications(choices)

    # One panel per release × country set × control definitions × KOF vintage, with every TBI definition as a column.
    # The specifications without controls use the panel of the configured control definitions (same rows as the paper's).
    combos = list(dict.fromkeys([*itertools.product(*(choices[c] for c in control_dims)), tuple(defaults[c] for c in control_dims)]))
    needed_tbi = list(dict.fromkeys(choices.get("tbi", [defaults["tbi"]])))
    panels: dict[tuple[str, str, tuple[tuple[str, str], ...], str], pd.DataFrame] = {}
    cache: dict[tuple[object, ...], pd.DataFrame] = {}
    skipped: list[dict[str, object]] = []
    for release in choices.get("io_release", [io_release]):
        files = release_files[release]
        design = designs[release]  # the release's own sample
        if "va" in files:  # a flows release: the TBI variants its bilateral flows can give, no DVA
            variants = flows_variants(read_frames(files["va"], schemas.VA_ABSORBED))
            dva = None
        else:
            variants = read_frames(files["variants"], schemas.TBI_VARIANTS)
            dva = read_frames(files["dva"], schemas.DVA_BILATERAL)
        present = set(variants["variant"])
        # What the release cannot give by its nature (tradeimbalance.release: declared by its reader) leaves the curve for
        # that release, with the reason; a variant the release should give but lacks is an error on the configured release.
        cannot = dict((not_available or {}).get(release, {}))
        declared = {d.name: cannot[need] for d in definitions.values() if (need := DVA if d.measure == "dva" else VARIANT_NEEDS.get(d.variant)) in cannot}
        absent = {d.name: f"the TBI variant {d.variant!r} is not computed for {release} (variants present: {', '.join(sorted(present))})"
                  for d in definitions.values() if d.measure == "va_absorbed" and d.variant not in present and d.name not in declared}  # fmt: skip
        if dva is None:
            absent.update({d.name: f"{release} gives no DVA flows" for d in definitions.values() if d.measure == "dva" and d.name not in declared})
        why = {**declared, **absent}
        if defaults["tbi"] in why:
            raise ValueError(f"{release}: the configured TBI definition {defaults['tbi']!r} cannot be built: {why[defaults['tbi']]}")
        if release == io_release and set(absent) & set(needed_tbi):
            name = sorted(set(absent) & set(needed_tbi))[0]
            raise ValueError(f"config specification_curve.tbi_definitions.{name}: {absent[name]}")
        in_release = specs["io_release"] == release if "io_release" in specs else pd.Series(True, index=specs.index)
        for name in [n for n in needed_tbi if n in why]:
            drop = in_release & (specs["tbi"] == name) if "tbi" in specs else pd.Series(False, index=specs.index)
            skipped.append({"release": release, "dimension": "tbi", "choice": name, "specifications": int(drop.sum()), "reason": why[name]})
            log.warning("specification curve: %s cannot give the TBI definition %s (%d specifications left out): %s", release, name, int(drop.sum()), why[name])
            specs, in_release = specs[~drop], in_release[~drop]
        # A control the release has not (the long-run era's RQ) cannot have alternative definitions there.
        for c in control_dims:
            if c[len("control_") :] not in design.control_names:
                specs.loc[in_release, c] = sc.NOT_APPLICABLE
        usable = [n for n in needed_tbi if n not in why]
        wanted = {n: definitions[n] for n in dict.fromkeys([*usable, defaults["tbi"]])}
        frames = _curve_tbi_frames(variants, dva, {**wanted, **({"_dva": sc.TBIDefinition("_dva", "dva")} if dva is not None else {})})
        base = frames[defaults["tbi"]].assign(release=release)
        dva_tbi = frames["_dva"].rename(columns={"tbi": "tbi_dva"}) if dva is not None else None  # the panel's TBI_DVA (its exclusion rule)
        for cset in [s for s in sets if s.label in choices.get("country_set", ["configured"])]:
            # the configured set is the release's own; an alternative changes it the same way on every release
            excluded = cset.excluded(design.excluded_countries, design.countries)
            for values in combos:
                combo = tuple(zip([c[len("control_") :] for c in control_dims], values))
                chosen = design
                for control, variable in combo:
                    if control in chosen.control_names:
                        chosen = chosen.with_control(control, variable)
                chosen = replace(chosen, excluded_countries=excluded)
                for vintage in choices.get("kof_vintage", [kof_vintage]):
                    panel, _ = chosen.assemble(base, dva_tbi, kof, sources, vintage, cache)
                    keys = pd.MultiIndex.from_frame(panel[["iso3", "year"]])
                    for name in usable:
                        panel[f"TBI:{name}"] = frames[name].set_index(["iso3", "year"])["tbi"].reindex(keys).to_numpy()
                    missing = panel[[f"TBI:{n}" for n in usable]].isna().any(axis=1)
                    if missing.any():
                        log.info("%s, %s, KOF %s: %d country-years lack an alternative TBI and leave the curve's panel", release, cset.label, vintage, int(missing.sum()))
                        panel = panel[~missing].reset_index(drop=True)
                    panels[(release, cset.label, combo, str(vintage))] = panel
    specs = specs.drop_duplicates().reset_index(drop=True)
    # Each regression once: choices that give the same estimation sample on a release are merged (compared on the
    # samples, before anything is estimated), and listed with the reason.
    grid = len(specs)
    specs, merged = sc.distinct_specifications(specs, panels, developed_lists=lists, defaults=defaults)
    for r, g in merged.groupby(["release", "dimension", "choice", "merged_into"], sort=False):
        log.info("specification curve: %s, %s %s merged into %s (%d specifications): %s", r[0], r[1], r[2], r[3], int(g["specifications"].sum()), "; ".join(dict.fromkeys(g["reason"])))
    log.info("specification curve: %d grid specifications, %d distinct regressions over %s", grid, len(specs), ", ".join(f"{k} ({len(v)})" for k, v in choices.items()))
    skip_cols = ["release", "kind", "dimension", "choice", "merged_into", "sample", "specifications", "reason"]
    table = pd.concat([pd.DataFrame(skipped).assign(kind="not available"), merged.assign(kind="merged")], ignore_index=True)
    return CurveInputs(
        specs, panels, lists, {r: d.control_names for r, d in designs.items()}, defaults, choices, definitions, sample,
        {r: sorted({int(y) for p in [v for k, v in panels.items() if k[0] == r] for y in p["year"]}) for r in releases},
        table.reindex(columns=skip_cols),
    )  # fmt: skip


def specification_curve_estimates(
    paths: Mapping[str, str | Path],
    release_files: Mapping[str, Mapping[str, Sequence[str | Path]]],
    samples: Mapping[str, Mapping[str, object]],
    *,
    kof_vintage: str,
    io_release: str,
    curve: Mapping[str, object],
    developed_alternatives: Mapping[str, Sequence[str]] | None,
    not_candidates: Sequence[str],
    not_available: Mapping[str, Mapping[str, str]] | None = None,
    paper_excluded: Mapping[str, str] | None = None,
    estimates_out: str | Path,
    skipped_out: str | Path,
) -> pd.DataFrame:
    """The TBI coefficient over every combination of the configured choices (:mod:`.speccurve`), each distinct regression
    once → ``estimates_out`` (parquet, :func:`tradeimbalance.schemas.curve_estimates_schema`); the inputs as
    :func:`curve_inputs`. ``skipped_out``: what a release cannot give, and what was merged, with the reason.

    Nothing here depends on the configured KOF vintage when the curve has a ``kof_vintage`` dimension (every vintage is
    in it; of specifications merged into one, all share its vintage, so the one kept does not depend on which vintage
    is configured): the workflow then passes the first vintage, and a vintage switch does not estimate the curve again.
    :func:`specification_curve` marks the configured specifications and draws the figure. The workflow's rule
    (``specification_curve_estimates_and_test``) writes the same estimates through
    :func:`specification_curve_estimates_and_test`, which tests the curve on the same panels."""
    import time

    start = time.perf_counter()
    ci = curve_inputs(
        paths, release_files, samples, kof_vintage=kof_vintage, io_release=io_release, curve=curve,
        developed_alternatives=developed_alternatives, not_candidates=not_candidates, not_available=not_available, paper_excluded=paper_excluded,
    )  # fmt: skip
    return _curve_estimates(ci, io_release, estimates_out, skipped_out, time.perf_counter() - start)[1]


def _curve_estimates(ci: CurveInputs, io_release: str, estimates_out: str | Path, skipped_out: str | Path, panels_seconds: float) -> tuple[list[_Group], pd.DataFrame]:
    """The curve's designs and estimates (:func:`estimated_curve`), written to ``estimates_out`` and what was skipped or
    merged to ``skipped_out``."""
    import time

    built = time.perf_counter()
    groups, out = estimated_curve(ci, io_release)
    write_frame(out.reset_index(drop=True), estimates_out, schemas.curve_estimates_schema(list(ci.choices)))
    Path(skipped_out).parent.mkdir(parents=True, exist_ok=True)
    ci.skipped.to_csv(skipped_out, index=False, lineterminator="\n")
    log.info(
        "specification curve: %d specifications, %d regressions solved in %d designs; panels %.1f s, estimation %.2f s",
        len(out), len(out), len(groups), panels_seconds, time.perf_counter() - built,
    )  # fmt: skip
    return groups, out


def specification_curve(
    estimates: str | Path,
    samples: Mapping[str, Mapping[str, object]],
    *,
    kof_vintage: str,
    io_release: str,
    curve: Mapping[str, object],
    csv_out: str | Path,
    png_out: str | Path,
    pdf_out: str | Path,
    published: str | Path | None = None,
    against_published_out: str | Path | None = None,
) -> pd.DataFrame:
    """The specification curve (:func:`specification_curve_estimates`' ``estimates``) with each release's configured
    specifications marked at the configured KOF vintage (``configured``, ``paper_column``, ``published_main``) → CSV
    and figure. ``against_published_out`` (with ``published``, the published coefficients): per release, KOF vintage
    and country set, the 17 published TBI coefficients against the curve's estimate of the same column
    (:func:`tradeimbalance.outputs.comparison.curve_against_published`), the evidence docs/specification.md cites. The
    curve's own inference is :func:`specification_curve_estimates_and_test` (with the estimates: neither depends on the
    configured KOF vintage, so a vintage switch does not draw it again)."""
    import time

    from . import speccurve as sc

    start = time.perf_counter()
    out = pd.read_parquet(estimates)
    names = [c for c in out.columns if c in sc.KNOWN_DIMENSIONS or c.startswith("control_")]  # the curve's dimensions, in its order
    sample = SampleDesign.from_config(samples[io_release])
    definitions = {n: sc.TBIDefinition.from_config(n, s) for n, s in dict(curve["tbi_definitions"]).items()}  # type: ignore[call-overload]
    defaults = curve_defaults(sample, definitions, io_release=io_release, kof_vintage=kof_vintage, control_dims=[c for c in names if c.startswith("control_")])
    # The configured specification of each paper column: Tables 3–6 and the DVA columns at the configured choices.
    configured = np.ones(len(out), dtype=bool)
    for name in names:
        if name in ("io_release", "outcome", "sample", "controls", "tbi"):  # every release's configured choices are marked
            continue
        configured &= out[name].isin([defaults[name], sc.NOT_APPLICABLE]).to_numpy()
    out.insert(0, "spec_id", np.arange(1, len(out) + 1))
    out["configured"] = configured
    # Which paper column (fixed-effects tables and DVA) a configured specification is: "3.3" = Table 3, column 3.
    from .specifications import paper_specifications

    dva_default = next((n for n, d in definitions.items() if d.measure == "dva" and d.row_partner), None)
    tbi_name = {"TBI": defaults["tbi"], "TBI_DVA": dva_default}
    labels = {
        (s.depvar, s.sample, "with" if s.controls else "without", tbi_name[s.tbi]): f"{s.table}.{s.column}"
        for s in paper_specifications(sample.outcomes[:2], sample.outcomes[2:5]) if s.estimator == "fe"
    }  # fmt: skip
    keys = zip(*(out[n] if n in out.columns else [defaults[n]] * len(out) for n in ("outcome", "sample", "controls", "tbi")))
    out["paper_column"] = [labels.get(k, "") if c else "" for k, c in zip(keys, configured)]
    out["published_main"] = out["paper_column"] == "3.3"
    out.to_csv(csv_out, index=False, float_format="%.10g", lineterminator="\n")
    if against_published_out is not None and published is not None:  # the curve's evidence on the unstated choices
        from ..outputs.comparison import curve_against_published

        against = curve_against_published(out, pd.read_csv(published), defaults, [d for d in ("kof_vintage", "country_set") if d in names])
        Path(against_published_out).parent.mkdir(parents=True, exist_ok=True)
        against.to_csv(against_published_out, index=False, lineterminator="\n")
    marked = time.perf_counter()

    from ..outputs.figures import save_figure, specification_curve_figure

    save_figure(specification_curve_figure(out, names, main_release=io_release), png_out, pdf_out)
    log.info("specification curve: %d specifications marked at KOF vintage %s in %.2f s, figure %.1f s", len(out), kof_vintage, marked - start, time.perf_counter() - marked)
    return out


def estimated_curve(ci: CurveInputs, io_release: str) -> tuple[list[_Group], pd.DataFrame]:
    """The curve's designs (:func:`.speccurve.curve_groups`, which its joint test reuses) and its estimates in the order
    of ``ci.specs``, with each release's ``years``."""
    from . import speccurve as sc
    from .releases import year_span

    groups = sc.curve_groups(ci.specs, ci.panels, developed_lists=ci.developed_lists, control_names=ci.control_names, defaults=ci.defaults)
    out = sc.curve_estimates(ci.specs, groups)
    release_of = out["io_release"] if "io_release" in out.columns else pd.Series(io_release, index=out.index)
    out["years"] = release_of.map({r: year_span(y) for r, y in ci.years.items()})
    return groups, out


def specification_curve_estimates_and_test(
    paths: Mapping[str, str | Path],
    release_files: Mapping[str, Mapping[str, Sequence[str | Path]]],
    samples: Mapping[str, Mapping[str, object]],
    *,
    draws: int,
    rerun_draws: int,
    seed: int,
    processes: int,
    outputs: Mapping[str, str | Path],
    **curve_args: Any,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The curve's estimates (:func:`specification_curve_estimates`: ``outputs`` ``estimates``, ``skipped``) and, on the
    same specifications, designs and panels, its joint test and variance decomposition per release (:func:`curve_test`:
    ``outputs`` ``test``, ``variance`` (CSV), ``png``, ``pdf`` (the decomposition's figure)); ``curve_args``: the keyword
    arguments of :func:`curve_inputs`. The panels are built once for both: they were a third of each part's time. Every
    KOF vintage of the curve is in it, so its ``kof_vintage`` matters only when the curve has no ``kof_vintage``
    dimension; the rule passes the configured vintage only then, and a vintage switch neither estimates the curve again
    nor draws the test again. Returns the estimates, the test and the decomposition."""
    import time

    start = time.perf_counter()
    ci = curve_inputs(paths, release_files, samples, **curve_args)
    groups, observed = _curve_estimates(ci, curve_args["io_release"], outputs["estimates"], outputs["skipped"], time.perf_counter() - start)
    test, var = curve_test(ci, groups, observed, curve_args["io_release"], draws=draws, seed=seed, outputs=outputs, rerun_draws=rerun_draws, processes=processes)
    return observed, test, var


def curve_test(
    ci: CurveInputs, groups: Sequence[_Group], observed: pd.DataFrame, io_release: str, *, draws: int, seed: int, outputs: Mapping[str, object],
    rerun_draws: int = 0,
    processes: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The specification curve's joint test and variance decomposition per release (:mod:`.curvetest`), on the curve's
    specifications (``ci``), its designs (``groups``, :func:`.speccurve.curve_groups` of ``ci.specs``) and its estimates
    (``observed``, in the order of ``ci.specs``). The countries are drawn from the stream
    ``SeedSequence(seed, "specification_curve_joint_test", release)`` (:func:`.montecarlo.stream_seed`); a p-value within
    two Monte Carlo SEs of 0.01, 0.05 or 0.10 is computed again on ``rerun_draws`` draws of the same stream. Each
    distinct regression is weighted by the grid specifications it stands for only in the ``*_grid`` statistics. Outputs:
    ``test`` (CSV), ``variance`` (CSV), ``png``/``pdf`` (the decomposition's figure)."""
    import time

    from ..outputs.figures import curve_variance_figure, save_figure
    from .curvetest import joint_test, variance_decomposition
    from .montecarlo import stream_seed

    start = time.perf_counter()
    specs = ci.specs
    release_of = specs["io_release"] if "io_release" in specs.columns else pd.Series(io_release, index=specs.index)
    dims = [d for d in ci.choices if d != "io_release"]
    tests, variance = [], []
    for release in dict.fromkeys(release_of):
        rows = np.flatnonzero((release_of == release).to_numpy())
        t0 = time.perf_counter()
        mine_groups = [g for g in groups if g.release == str(release)]
        weights = specs["merged"].to_numpy()[rows] if "merged" in specs.columns else None
        res = joint_test(
            mine_groups, len(rows), draws=draws, seed=stream_seed(seed, "specification_curve_joint_test", str(release)), rerun_draws=rerun_draws,
            weights=weights, processes=processes,
        )  # fmt: skip
        mine = observed.iloc[rows]
        if abs(res["median_coef"] - float(mine["coef"].median())) > 1e-8 * max(1.0, abs(res["median_coef"])):
            raise AssertionError(f"joint test of {release}: observed median {res['median_coef']} is not the curve's {mine['coef'].median()}")
        tests.append({"release": release, "years": str(mine["years"].iloc[0]) if "years" in mine.columns else "", **res})
        log.info(
            "%s: joint test over %d distinct specifications (%d in the grid), B = %d: median %.4f (p %.4f), share significant with the "
            "dominant sign %.3f (p %.4f), Stouffer Z %.2f (p %.4f); counted as the grid counted them: p %.4f / %.4f / %.4f; "
            "%d of %d null estimates undefined (%s), %d draws undefined; %.1f s",
            release, res["specifications"], res["grid_specifications"], draws, res["median_coef"], res["p_median"], res["share_significant"],
            res["p_share"], res["stouffer_z"], res["p_stouffer"], res["p_median_grid"], res["p_share_grid"], res["p_stouffer_grid"],
            res["undefined_estimates"], res["undefined_over_draws"] * res["specifications"], res["undefined_reasons"] or "none", res["undefined_draws"], time.perf_counter() - t0,
        )  # fmt: skip
        variance.append(variance_decomposition(mine, dims).assign(release=release))
    if len(tests) > 1:
        variance.append(variance_decomposition(observed, list(ci.choices)).assign(release="all releases"))
    test = pd.DataFrame(tests)
    var = pd.concat(variance, ignore_index=True)[["release", "term", "kind", "nested_in", "type2", "shapley", "eta2", "share", "note"]]
    Path(str(outputs["test"])).parent.mkdir(parents=True, exist_ok=True)
    test.to_csv(str(outputs["test"]), index=False, float_format="%.10g", lineterminator="\n")
    var.to_csv(str(outputs["variance"]), index=False, float_format="%.6f", lineterminator="\n")
    save_figure(curve_variance_figure(var), str(outputs["png"]), str(outputs["pdf"]))
    log.info("specification curve joint test and variance decomposition: %.1f s", time.perf_counter() - start)
    return test, var


def compare_releases(
    va_paths: Mapping[str, Sequence[str | Path]],
    paths: Mapping[str, str | Path],
    samples: Mapping[str, Mapping[str, object]],
    not_available: Mapping[str, Mapping[str, str]],
    *,
    kof_vintage: str,
    settings: Mapping[str, object],
    table1_countries: Sequence[str],
    figure_first_year: int,
    outputs: Mapping[str, str | Path],
    dva_paths: Mapping[str, Sequence[str | Path]] | None = None,
    inference: str | Path | None = None,
) -> dict[str, pd.DataFrame]:
    """Every release side by side (:mod:`.releases`): TBI, every regression of the paper with few-cluster p-values and,
    beside each coefficient, the published one (:func:`tradeimbalance.outputs.comparison.with_published`), pairs and the
    release effect, the Table 1 comparison, what each release cannot give, and two figures.

    ``va_paths``: release → its per-year ``va_absorbed`` files; ``dva_paths``: release → its per-year bilateral DVA
    files (a tables release: the DVA robustness columns); ``paths``: ``kof, pwt, wgi, wdi, published`` (Table 1),
    ``published_coefficients``, ``published_stats``;
    ``samples``: release → :func:`tradeimbalance.release.release_sample`; ``not_available``: release → what it cannot give and why (:attr:`tradeimbalance.release.Release.not_available`).
    ``inference``: the configured release's ``results/inference_tbi.csv`` (:func:`robust_inference`, the first release of
    ``samples``): its few-cluster p-values are read from there, not drawn a second time.
    """
    import time

    from ..outputs.figures import save_figure, table1_scatter_figure, tbi_by_release_figure
    from . import releases as rel
    from .inference import InferenceSettings

    from ..io.tbi import tbi_dva_panel
    from ..outputs.comparison import with_published

    start = time.perf_counter()
    tbi = release_tbi(va_paths)
    tbi_dva = {r: tbi_dva_panel(read_frames(files, schemas.DVA_BILATERAL), "as in the release")
               for r, files in (dva_paths or {}).items() if files}  # fmt: skip
    kof = read_frame(paths["kof"], source_schemas.KOF_PANEL)
    sources = _sources(paths["pwt"], paths["wgi"], paths["wdi"])
    known = {next(iter(samples)): pd.read_csv(inference)} if inference else {}
    out = rel.compare(tbi, samples, not_available, kof, sources, kof_vintage, InferenceSettings.from_config(dict(settings)), tbi_dva=tbi_dva, known_inference=known)
    out["estimates"] = with_published(out["estimates"], pd.read_csv(paths["published_coefficients"]), pd.read_csv(paths["published_stats"]))
    published = pd.read_csv(paths["published"])
    out["table1"] = rel.table1_by_release(tbi, published)
    for key, fmt in (("tbi", "%.10g"), ("estimates", "%.10g"), ("pairs", "%.6f"), ("effect", "%.10g"), ("skipped", None), ("exclusions", None), ("table1", "%.6f")):
        Path(outputs[key]).parent.mkdir(parents=True, exist_ok=True)
        out[key].to_csv(outputs[key], index=False, float_format=fmt, lineterminator="\n")
    from ..outputs.analysis_data import write_release_panel
    from ..release import lag_description

    for release, panel in out["panels"].items():  # type: ignore[union-attr]
        if f"panel_{release}" in outputs:
            write_release_panel(panel, outputs[f"panel_{release}"], release, kof_vintage, lag_description(samples[release]["periods"]))  # type: ignore[arg-type]
    for row in out["skipped"].itertuples():
        log.warning("%s: skipped %s: %s", row.release, row.what, row.reason)
    save_figure(tbi_by_release_figure(out["tbi"], table1_countries, figure_first_year, published), outputs["figure_png"], outputs["figure_pdf"])
    save_figure(table1_scatter_figure(out["table1"]), outputs["table1_png"], outputs["table1_pdf"])
    log.info("releases compared: %s in %.1f s", ", ".join(tbi), time.perf_counter() - start)
    return out


def release_va_paths(inputs: Mapping[str, object], releases: Sequence[str], prefix: str = "va") -> dict[str, list[str]]:
    """Each release's per-year files from a rule's named inputs ``<prefix>_<release>`` (one file or several): ``va`` its
    value added absorbed (every release must have it), ``dva`` its bilateral DVA (the releases that give one)."""
    keys = set(inputs.keys())  # type: ignore[attr-defined]
    missing = [r for r in releases if f"{prefix}_{r}" not in keys]
    if prefix == "va" and missing:
        raise KeyError(f"the rule's inputs lack va_{missing[0]} (the value added absorbed of release {missing[0]})")
    return {
        r: [str(inputs[k])] if isinstance(inputs[k], str) else [str(f) for f in inputs[k]]  # type: ignore[index, union-attr]
        for r in releases if (k := f"{prefix}_{r}") in keys
    }  # fmt: skip


def release_tbi(va_paths: Mapping[str, Sequence[str | Path]]) -> dict[str, pd.DataFrame]:
    """Each release's TBI per country and year (the rest of the world left out) from its per-year value added absorbed."""
    from ..io.tbi import tbi_panel

    tbi = {}
    for release, files in va_paths.items():
        stacked = read_frames(files, schemas.VA_ABSORBED)
        t = tbi_panel(stacked, "as in the release")
        tbi[release] = t[t["iso3"] != "ROW"].reset_index(drop=True)
    return tbi


def release_panels(
    va_paths: Mapping[str, Sequence[str | Path]], paths: Mapping[str, str | Path], samples: Mapping[str, Mapping[str, object]], kof_vintage: str
) -> Iterator[tuple[str, pd.DataFrame, Mapping[str, object], pd.DataFrame]]:
    """Each release's TBI, sample and own panel (:func:`.releases.release_panel`), in the order of ``va_paths``, each
    panel built when it is asked for: what the referee and the causal checks run on. ``paths``: ``kof, pwt, wgi, wdi``."""
    from . import releases as rel

    tbi = release_tbi(va_paths)
    kof = read_frame(paths["kof"], source_schemas.KOF_PANEL)
    sources = _sources(paths["pwt"], paths["wgi"], paths["wdi"])
    cache: dict = {}
    for release, t in tbi.items():
        panel, _ = rel.release_panel(t, kof, sources, samples[release], kof_vintage, cache)
        yield release, t, samples[release], panel


def referee_checks(
    va_paths: Mapping[str, Sequence[str | Path]],
    paths: Mapping[str, str | Path],
    samples: Mapping[str, Mapping[str, object]],
    *,
    kof_vintage: str,
    settings: Mapping[str, object],
    seed: int,
    csv_out: str | Path,
    png_out: str | Path,
    pdf_out: str | Path,
) -> pd.DataFrame:
    """Can the TBI effect be read causally? Timing, dynamics, influence, randomization inference and size on every
    release (:mod:`.referee`) → results/referee_checks.csv and the leave-one-out figure.

    ``va_paths``: release → its per-year ``va_absorbed`` files; ``paths``: ``kof, pwt, wgi, wdi``; ``samples``: release →
    :func:`tradeimbalance.release.release_sample`; ``settings``: config ``referee_checks``; ``seed``: ``inference.seed``."""
    import time

    from ..outputs.figures import leave_one_out_figure, save_figure
    from .referee import COLUMNS, RefereeSettings, check_release

    start = time.perf_counter()
    cfg = RefereeSettings.from_config(settings, seed)
    rows: list[dict[str, object]] = []
    t0 = time.perf_counter()
    for release, t, s, panel in release_panels(va_paths, paths, samples, kof_vintage):
        rows += check_release(release, panel, t, list(s["periods"]), list(s["controls"]), list(s["outcomes"]), cfg)  # type: ignore[call-overload]
        log.info("%s: referee checks on %d country-years in %.1f s", release, len(panel), time.perf_counter() - t0)
        t0 = time.perf_counter()
    out = pd.DataFrame(rows).reindex(columns=COLUMNS)
    Path(csv_out).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(csv_out, index=False, float_format="%.10g", lineterminator="\n")
    for r in out[(out["check"] == "lead") & (out["term"] == "F.TBI")].itertuples():
        log.info("%s %s.%s: next period's TBI %.4f (clustered p %.4f, WCR p %.4f)", r.release, r.table, r.column, r.coef, r.pvalue, r.p_wcr)
    save_figure(leave_one_out_figure(out), png_out, pdf_out)
    log.info("referee checks: %d rows, %.1f s", len(out), time.perf_counter() - start)
    return out


def causal_checks(
    va_paths: Mapping[str, Sequence[str | Path]],
    paths: Mapping[str, str | Path],
    samples: Mapping[str, Mapping[str, object]],
    *,
    kof_vintage: str,
    settings: Mapping[str, object],
    specifications: Sequence[str],
    outputs: Mapping[str, str | Path],
) -> pd.DataFrame:
    """How strong is the causal case? Dynamic panel GMM, the plausibly exogenous instrument's bounds, omitted-variable
    sensitivity and the weights behind two-way FE on every release (:mod:`.causal_checks`) → ``outputs``: ``csv``
    (results/causal_checks.csv), ``delta`` (the δ grid), ``pe_png``/``pe_pdf`` and ``ovb_png``/``ovb_pdf`` (the two
    figures). ``settings``: config ``causal_checks``; ``specifications``: config ``referee_checks.specifications``."""
    import time

    from ..outputs.figures import plausibly_exogenous_figure, save_figure, sensitivity_contour_figure
    from .causal_checks import COLUMNS, DELTA_COLUMNS, CausalSettings, check_release
    from .referee import specifications as referee_specifications

    start = time.perf_counter()
    cfg = CausalSettings.from_config(settings)
    rows: list[dict[str, object]] = []
    grid: list[dict[str, object]] = []
    t0 = time.perf_counter()
    for release, _, s, panel in release_panels(va_paths, paths, samples, kof_vintage):
        specs = referee_specifications(specifications, list(s["outcomes"]))  # type: ignore[call-overload]
        r, g = check_release(release, panel, list(s["periods"]), list(s["controls"]), list(s["outcomes"]), specs, cfg)  # type: ignore[call-overload]
        rows += r
        grid += g
        log.info("%s: causal checks on %d country-years in %.1f s", release, len(panel), time.perf_counter() - t0)
        t0 = time.perf_counter()
    out = pd.DataFrame(rows).reindex(columns=COLUMNS)
    delta = pd.DataFrame(grid).reindex(columns=DELTA_COLUMNS)
    Path(outputs["csv"]).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(outputs["csv"], index=False, float_format="%.10g", lineterminator="\n")
    delta.to_csv(outputs["delta"], index=False, float_format="%.10g", lineterminator="\n")
    for r in out[(out["table"].astype(str) == "3") & (out["column"] == 3) & out["term"].isin(["TBI", "breakdown δ (union of intervals)", "RV q=1 (OLS t)"])].itertuples():
        log.info("%s 3.3 %s %s: %s", r.release, r.check, r.term, r.note if pd.isna(r.coef) and pd.isna(r.share) else f"{r.coef:.4g} / share {r.share:.4g}")
    save_figure(plausibly_exogenous_figure(delta), outputs["pe_png"], outputs["pe_pdf"])
    save_figure(sensitivity_contour_figure(out), outputs["ovb_png"], outputs["ovb_pdf"])
    log.info("causal checks: %d rows, %.1f s", len(out), time.perf_counter() - start)
    return out
