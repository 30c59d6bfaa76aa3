"""Every input–output release side by side: the TBI and the paper's main specifications on each, and each pair of
releases compared on the country-years they share (the release effect, with the sample held fixed).

A release's years define its panel (:func:`tradeimbalance.release.release_sample`): WIOD 2013 its 2000–2011, the
WIOD 2016 flows their five benchmark years, the long-run WIOD 1965–2000 (KOF begins in 1970). Each release names
its countries, developed list and controls in config; the long-run era has no regulatory quality (WGI starts in
1996). Outputs (written by :func:`compare_releases`):

* ``tbi_by_release.csv``: ``release, iso3, year, tbi, numerator, denominator`` for every year each release has;
* ``estimates_by_release.csv``: the columns of ``estimates.csv`` plus ``release`` and ``years``, and for the TBI rows
  the few-cluster p-values of the robustness section (WCR bootstrap, CRV3, Driscoll–Kraay, two-way);
* ``release_pairs.csv``: for each pair sharing country-years, the TBI correlation overall and within country and
  the mean absolute difference; ``release_effect.csv``: the main coefficients with each release's TBI on exactly
  those country-years;
* ``table1_by_release.csv``: the published Table 1 cells beside each release's TBI;
* ``releases_skipped.csv``: what a release cannot give (or a specification that cannot be estimated), with the reason.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..release import DVA as DVA_NEED
from ..release import year_span
from .panel import SampleDesign

__all__ = ["MAIN_TABLES", "compare", "compare_pair", "main_specifications", "release_panel", "release_summary", "table1_by_release", "within_corr", "year_span"]

log = logging.getLogger(__name__)

#: The specifications compared across releases: every two-way FE column of Tables 3–6 (the paper's three claims).
MAIN_TABLES = ("3", "4", "5", "6")
#: Words for a robustness table in the skip log.
TABLE_WORDS = {"dva": "DVA robustness", "2sls": "2SLS"}


def main_specifications(outcomes: Sequence[str]) -> list:
    """The two-way FE columns of Tables 3–6 (the columns every pair of releases is compared on)."""
    from .specifications import paper_specifications

    return [s for s in paper_specifications(outcomes[:2], outcomes[2:5]) if s.table in MAIN_TABLES]


def release_specifications(outcomes: Sequence[str], not_available: Mapping[str, str]) -> tuple[list, dict[str, str]]:
    """Every regression of the paper a release is estimated on: Tables 3–6, the 2SLS and, where the release gives the
    DVA-based TBI, the DVA robustness columns; and the tables it cannot give (table id → reason)."""
    from ..release import TABLE_NEEDS
    from .specifications import paper_specifications

    skipped = {t: f"needs the {need}, which the release cannot give: it {not_available[need]}" for t, need in TABLE_NEEDS.items() if need in not_available}
    return paper_specifications(outcomes[:2], outcomes[2:5], skip=skipped), skipped


def design_of(sample: Mapping[str, object]) -> tuple[SampleDesign, list[int]]:
    """The :class:`SampleDesign` and the years of a release sample (:func:`tradeimbalance.release.release_sample`)."""
    d = SampleDesign.from_config({k: v for k, v in sample.items() if k != "years"})
    return d, [int(y) for y in sample["years"]]  # type: ignore[union-attr]


def release_panel(
    tbi: pd.DataFrame, kof: pd.DataFrame, sources: Mapping[str, pd.DataFrame], sample: Mapping[str, object], kof_vintage: str, cache: dict,
    tbi_dva: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """A release's panel on its own years and sample; ``tbi_dva``: its DVA-based TBI (``iso3, year, tbi_dva``), or None
    (``TBI_DVA`` then missing, excluding no country-year)."""
    from .panel import assemble_panel

    d, years = design_of(sample)
    return assemble_panel(
        tbi, tbi_dva, kof, sources, countries=d.countries, first_year=min(years), last_year=max(years), kof_vintage=kof_vintage,
        outcomes=d.outcomes, controls=d.controls, excluded_countries=d.excluded_countries, developed=d.developed,
        control_cache=cache, years=years, periods=d.periods,
    )  # fmt: skip


def _fit_rows(
    panel: pd.DataFrame, specs: Sequence, controls: Sequence[str], tbi_col: str, settings, with_inference: bool, stream: str = "",
    instrument_label: str = "",
) -> tuple[list[dict], list[dict]]:  # fmt: skip
    """Each spec's coefficient rows (estimates.csv columns) and, for the TBI, the few-cluster p-values; a spec that
    cannot be estimated on this panel is returned as a skip with the reason. ``stream``: the prefix of the cells'
    bootstrap streams (the release). ``tbi_col`` is the TBI regressor of the fixed-effects columns of Tables 3–6 (a
    pair's comparison passes the other release's); a DVA column uses ``TBI_DVA`` and a 2SLS column instruments the TBI
    with its previous period (``L_TBI``, described by ``instrument_label``), as :func:`.estimation.estimate` does. A 2SLS
    TBI row also carries the identification statistics (Kleibergen–Paap rk LM and its p, KP and Cragg–Donald Wald F)."""
    from .estimation import fit_2sls, fit_fe
    from .inference import fe_inference, iv_inference
    from .specifications import sample_rows

    rows, skipped = [], []
    for spec in specs:
        data = sample_rows(panel, spec.sample)
        if spec.estimator == "2sls":
            data = data.dropna(subset=[spec.instrument])
        tbi = spec.tbi if spec.tbi != "TBI" else tbi_col
        if tbi not in data.columns or data[tbi].isna().all():
            skipped.append({"table": spec.table, "column": spec.column, "depvar": spec.depvar, "sample": spec.sample, "reason": f"the panel has no {tbi}"})
            continue
        x = list(controls) if spec.controls else []
        g, t = data["iso3"].nunique(), data["year"].nunique()
        reason = ""
        if g < 3:
            reason = f"{g} countries in the {spec.sample} sample: clustered inference needs at least 3"
        elif t < 2:
            reason = f"{t} year in the sample: the country effects absorb all variation"
        elif len(data) <= g + t + len(x) + 1:
            reason = f"{len(data)} country-years for {g} country effects, {t - 1} year effects and {len(x) + 1} regressors"
        if reason:
            skipped.append({"table": spec.table, "column": spec.column, "depvar": spec.depvar, "sample": spec.sample, "reason": reason})
            continue
        cell = f"{stream}/{spec.table}.{spec.column}"
        extra: dict[str, object] = {}
        if spec.estimator == "2sls":
            ivfit = fit_2sls(data, spec.depvar, tbi, spec.instrument, x)
            fit = ivfit.second
            diag = ivfit.diagnostics
            extra = {"instrument": instrument_label, **{k: diag[k] for k in IV_STATISTICS}}
            inf = iv_inference(data, spec.depvar, tbi, spec.instrument, x, settings, stream=cell, fit=ivfit) if with_inference else {}
        else:
            fit = fit_fe(data, spec.depvar, [tbi, *x])
            inf = fe_inference(data, spec.depvar, tbi, x, settings, stream=cell, fit=fit) if with_inference else {}
        for var, r in fit.coefs.iterrows():
            row = {
                "table": spec.table, "column": spec.column, "stage": "second", "depvar": spec.depvar, "sample": spec.sample,
                "controls": spec.controls, "variable": "TBI" if var == tbi else str(var), "coef": float(r["coef"]),
                "se": float(r["se"]), "pvalue": float(r["pvalue"]), "stars": int(r["stars"]), "nobs": fit.nobs, "r2": fit.r2,
                "nclusters": fit.nclusters, "estimator": spec.estimator, "years": year_span(data["year"]),
            }  # fmt: skip
            if var == tbi:
                row.update({k: inf.get(k, np.nan) for k in INFERENCE_P})
                row.update(extra)
                row.update(economic_size(data, spec.depvar, tbi, float(r["coef"])))
            rows.append(row)
        if spec.estimator == "2sls":  # the first stage: TBI on its instrument (L.TBI), the controls and the effects
            first = ivfit.first
            for var, r in first.coefs.iterrows():
                rows.append({
                    "table": spec.table, "column": spec.column, "stage": "first", "depvar": "TBI", "sample": spec.sample, "controls": spec.controls,
                    "variable": "L.TBI" if var == spec.instrument else str(var), "coef": float(r["coef"]), "se": float(r["se"]), "pvalue": float(r["pvalue"]),
                    "stars": int(r["stars"]), "nobs": first.nobs, "r2": first.r2, "nclusters": first.nclusters, "estimator": spec.estimator,
                    "years": year_span(data["year"]),
                })  # fmt: skip
    return rows, skipped


def with_known_inference(rows: list[dict], known: pd.DataFrame, release: str) -> list[dict]:
    """The TBI rows of ``rows`` with the few-cluster columns (:data:`INFERENCE_P`) of the same cell in ``known`` (a
    release's ``inference_tbi.csv``). The coefficient and N must be the ones ``known`` has: two values for one cell
    would be two answers to one question, and stop the run naming the cell."""
    by_cell = {(str(r.table), int(r.column)): r for r in known.itertuples(index=False)}
    out = []
    for row in rows:
        if row["variable"] == "TBI" and row["stage"] == "second":
            k = by_cell.get((str(row["table"]), int(row["column"])))
            if k is None:
                raise ValueError(f"{release}: Table {row['table']} column {row['column']} is not in the release's inference_tbi.csv")
            if int(k.nobs) != int(row["nobs"]) or abs(float(k.coef) - float(row["coef"])) > 1e-8 * max(1.0, abs(float(row["coef"]))):
                raise ValueError(f"{release}: Table {row['table']} column {row['column']} has TBI {row['coef']:.10g} on N = {row['nobs']} in the comparison "
                                 f"of releases but {float(k.coef):.10g} on N = {int(k.nobs)} in inference_tbi.csv: one cell, two answers")  # fmt: skip
            row = {**row, **{c: getattr(k, c, np.nan) for c in INFERENCE_P}}
        out.append(row)
    return out


def within_sd(values: pd.Series, groups: pd.Series) -> float:
    """The within-country standard deviation, as Stata's ``xtsum`` reports it: the SD (N − 1) of ``x_it − x̄_i + x̄``."""
    dev = values - values.groupby(groups).transform("mean")
    return float(dev.std(ddof=1))


def economic_size(data: pd.DataFrame, depvar: str, tbi_col: str, coef: float) -> dict[str, float]:
    """How large a TBI coefficient is on its estimation sample: one within-country SD of TBI in outcome points
    (``effect_1sd``), and that as a share of the outcome's within-country SD (``effect_share``)."""
    sd_tbi, sd_y = within_sd(data[tbi_col], data["iso3"]), within_sd(data[depvar], data["iso3"])
    return {"sd_within_tbi": sd_tbi, "sd_within_outcome": sd_y, "effect_1sd": coef * sd_tbi, "effect_share": coef * sd_tbi / sd_y if sd_y > 0 else np.nan}


#: Columns of release_pairs.csv and release_effect.csv.
PAIR_COLUMNS = [
    "pair", "release_a", "release_b", "country_years", "countries", "years", "corr_overall", "corr_within", "mean_abs_diff", "note",
    "estimation_country_years", "controls",
]  # fmt: skip
EFFECT_COLUMNS = ["pair", "tbi_of", "table", "column", "depvar", "sample", "controls", "coef", "se", "pvalue", "stars", "nobs", "nclusters", "years"]

#: The few-cluster columns carried into estimates_by_release.csv (TBI rows; see results/inference_tbi.csv). For a 2SLS
#: column the wild bootstrap is that of the Anderson–Rubin test (the reduced form), and ``p_ar`` the AR test's p.
INFERENCE_P = (
    "p_wcr_rademacher", "mcse_wcr_rademacher", "undecided_wcr_rademacher", "exact_wcr_rademacher", "note_wcr_rademacher",
    "p_wcr_webb", "mcse_wcr_webb", "undecided_wcr_webb",
    "se_crv3", "p_crv3", "se_dk", "p_dk", "se_twoway", "p_twoway", "p_ar",
)  # fmt: skip
#: The identification statistics carried on a 2SLS TBI row (:func:`.estimation.fit_2sls`).
IV_STATISTICS = ("kp_lm", "kp_lm_pvalue", "kp_wald_f", "cd_wald_f")


def within_corr(a: pd.Series, b: pd.Series, groups: pd.Series) -> float:
    """Correlation of the country-demeaned series (countries with at least two years)."""
    n = groups.map(groups.value_counts())
    keep = (n >= 2).to_numpy()
    if keep.sum() < 3:
        return float("nan")
    da = a[keep] - a[keep].groupby(groups[keep]).transform("mean")
    db = b[keep] - b[keep].groupby(groups[keep]).transform("mean")
    if da.std() == 0 or db.std() == 0:
        return float("nan")
    return float(np.corrcoef(da, db)[0, 1])


def compare_pair(
    a: str, b: str, tbi: Mapping[str, pd.DataFrame], samples: Mapping[str, Mapping[str, object]], kof: pd.DataFrame,
    sources: Mapping[str, pd.DataFrame], kof_vintage: str, settings, specs: Sequence, cache: dict,
) -> tuple[dict, list[dict], list[dict]]:  # fmt: skip
    """TBI agreement and the release effect of one pair of releases on the country-years both have."""
    members = {}
    for r in (a, b):
        s = samples[r]
        members[r] = set(s["countries"]) - set(s["excluded_countries"])  # type: ignore[arg-type]
    ta = tbi[a].set_index(["iso3", "year"])["tbi"]
    tb = tbi[b].set_index(["iso3", "year"])["tbi"]
    shared = ta.index.intersection(tb.index)
    shared = shared[shared.get_level_values("iso3").isin(sorted(members[a] & members[b]))]
    pair = f"{a} vs {b}"
    stats = {"pair": pair, "release_a": a, "release_b": b, "country_years": len(shared)}
    if len(shared) == 0:
        stats.update(countries=0, years="", corr_overall=np.nan, corr_within=np.nan, mean_abs_diff=np.nan, note="no country-year in common")
        return stats, [], []
    x, y = ta.reindex(shared), tb.reindex(shared)
    iso = pd.Series(shared.get_level_values("iso3"), index=shared)
    stats.update(
        countries=int(iso.nunique()), years=year_span(shared.get_level_values("year")),
        corr_overall=float(np.corrcoef(x, y)[0, 1]) if len(shared) > 2 else np.nan,
        corr_within=within_corr(x, y, iso), mean_abs_diff=float((x - y).abs().mean()), note="",
    )  # fmt: skip
    # The panel on exactly the shared country-years, with the controls both releases' specifications use.
    ctrl_a, ctrl_b = samples[a]["controls"], samples[b]["controls"]
    controls = {k: v for k, v in ctrl_a.items() if k in ctrl_b}  # type: ignore[union-attr]
    years = sorted(set(shared.get_level_values("year")))
    developed = sorted(set(samples[a]["developed"]) & (members[a] & members[b]))  # type: ignore[arg-type]
    other = sorted(set(samples[b]["developed"]) & (members[a] & members[b]))  # type: ignore[arg-type]
    if developed != other:
        stats["note"] = f"developed lists differ on shared countries ({', '.join(sorted(set(developed) ^ set(other)))}); {a}'s is used"
    sample = {
        "countries": sorted(members[a] & members[b]), "first_year": min(years), "last_year": max(years), "years": years,
        "outcomes": samples[a]["outcomes"], "controls": controls, "excluded_countries": {}, "developed": developed,
    }  # fmt: skip
    panel, _ = release_panel(tbi[a], kof, sources, sample, kof_vintage, cache)
    keys = pd.MultiIndex.from_frame(panel[["iso3", "year"]])
    panel = panel[keys.isin(shared)].reset_index(drop=True)
    panel["TBI_b"] = tb.reindex(pd.MultiIndex.from_frame(panel[["iso3", "year"]])).to_numpy()
    stats["estimation_country_years"] = len(panel)
    stats["controls"] = ", ".join(controls)
    effect, skipped = [], []
    for release, col in ((a, "TBI"), (b, "TBI_b")):
        rows, skips = _fit_rows(panel, specs, list(controls), col, settings, with_inference=False)
        for r in rows:
            if r["variable"] == "TBI":
                effect.append({"pair": pair, "tbi_of": release, **{k: r[k] for k in ("table", "column", "depvar", "sample", "controls", "coef", "se", "pvalue", "stars", "nobs", "nclusters", "years")}})
        skipped += [{"release": pair, "what": f"Table {s['table']} column {s['column']} with {release}'s TBI", "reason": s["reason"]} for s in skips]
    return stats, effect, skipped


def table1_by_release(tbi: Mapping[str, pd.DataFrame], published: pd.DataFrame) -> pd.DataFrame:
    """The published Table 1 cells (``year`` × country columns) beside each release's TBI for the same cell."""
    pub = published.melt(id_vars="year", var_name="iso3", value_name="published").dropna()
    pub["year"] = pub["year"].astype("int64")
    frames = []
    for release, t in tbi.items():
        m = pub.merge(t[["iso3", "year", "tbi"]], on=["iso3", "year"], how="inner")
        if m.empty:
            continue
        m.insert(0, "release", release)
        m["difference"] = m["tbi"] - m["published"]
        m["agrees_4dp"] = (m["tbi"].round(4) - m["published"]).abs() < 0.5e-4 + 1e-12
        frames.append(m)
    cols = ["release", "iso3", "year", "published", "tbi", "difference", "agrees_4dp"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def release_summary(estimates: pd.DataFrame) -> pd.DataFrame:
    """The TBI rows of the main specifications per release: the table the report shows."""
    return estimates[estimates["variable"] == "TBI"][["release", "table", "column", "depvar", "sample", "controls", "coef", "se", "pvalue", "p_wcr_rademacher", "p_crv3", "nobs", "nclusters", "years"]]


def compare(
    tbi: Mapping[str, pd.DataFrame], samples: Mapping[str, Mapping[str, object]], not_available: Mapping[str, Mapping[str, str]], kof: pd.DataFrame,
    sources: Mapping[str, pd.DataFrame], kof_vintage: str, settings, tbi_dva: Mapping[str, pd.DataFrame | None] | None = None,
    known_inference: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:  # fmt: skip
    """Every output of the comparison as frames (see the module docstring); ``not_available``: release → what it cannot
    give and why (:attr:`tradeimbalance.release.Release.not_available`), listed in ``skipped``; ``tbi_dva``: release → its
    DVA-based TBI (``iso3, year, tbi_dva``) where it gives one. Each release is estimated on every regression of the paper
    it can give (:func:`release_specifications`): Tables 3–6, the 2SLS with the previous period's TBI as the instrument,
    and the DVA columns; pairs of releases are compared on the fixed-effects columns of Tables 3–6. ``known_inference``:
    release → its ``inference_tbi.csv`` (the configured release's): the few-cluster p-values of its TBI rows are taken
    from there (the same test is computed once), after checking that the coefficient and N are the same."""
    from ..release import lag_description

    outcomes = next(iter(samples.values()))["outcomes"]
    specs = main_specifications(outcomes)  # type: ignore[arg-type]
    from .referee import with_periods

    cache: dict = {}
    est_rows, skipped, exclusions = [], [], []
    panels: dict[str, pd.DataFrame] = {}
    for release, t in tbi.items():
        s = samples[release]
        own = (tbi_dva or {}).get(release)
        panel, excl = release_panel(t, kof, sources, s, kof_vintage, cache, tbi_dva=own)
        panels[release] = with_periods(panel, t, list(s["outcomes"]), list(s["periods"]))  # type: ignore[arg-type]
        exclusions.append(excl.assign(release=release))
        log.info("%s: panel of %d country-years, %d countries, years %s", release, len(panel), panel["iso3"].nunique(), year_span(panel["year"]))
        cannot = dict(not_available.get(release, {}))
        if own is None and DVA_NEED not in cannot:
            cannot[DVA_NEED] = "was not given a DVA-based TBI"
        every, tables_skipped = release_specifications(outcomes, cannot)  # type: ignore[arg-type]
        known = (known_inference or {}).get(release)
        rows, skips = _fit_rows(panel, every, list(s["controls"]), "TBI", settings, with_inference=known is None, stream=release,  # type: ignore[arg-type]
                                instrument_label=lag_description(s["periods"]))  # type: ignore[arg-type]
        if known is not None:
            rows = with_known_inference(rows, known, release)
        est_rows += [{"release": release, **r} for r in rows]
        skipped += [{"release": release, "what": f"Table {k['table']} column {k['column']} ({k['depvar']}, {k['sample']})", "reason": k["reason"]} for k in skips]
        skipped += [{"release": release, "what": what, "reason": why} for what, why in not_available.get(release, {}).items()]
        skipped += [{"release": release, "what": f"the {TABLE_WORDS.get(t_, t_)} columns", "reason": why} for t_, why in tables_skipped.items() if t_ != "dva" or DVA_NEED not in not_available.get(release, {})]
        dropped = sorted(set(next(iter(samples.values()))["controls"]) - set(s["controls"]))  # type: ignore[arg-type]
        if dropped and release != next(iter(samples)):
            skipped.append({"release": release, "what": f"control(s) {', '.join(dropped)}", "reason": "not in this release's control set (config io_releases." + release + ".sample.controls)"})
    estimates = pd.DataFrame(est_rows)
    pairs, effects = [], []
    for a, b in itertools.combinations(list(tbi), 2):
        stats, effect, skips = compare_pair(a, b, tbi, samples, kof, sources, kof_vintage, settings, specs, cache)
        pairs.append(stats)
        effects += effect
        skipped += skips
        log.info("%s: %d shared country-years (%s), corr %.3f overall, %.3f within, mean |diff| %.4f", stats["pair"], stats["country_years"], stats.get("years", ""), stats.get("corr_overall", np.nan), stats.get("corr_within", np.nan), stats.get("mean_abs_diff", np.nan))
    excl = pd.concat(exclusions, ignore_index=True)
    return {
        "tbi": pd.concat([t.assign(release=r)[["release", "iso3", "year", "tbi", "numerator", "denominator"]] for r, t in tbi.items()], ignore_index=True),
        "estimates": estimates,
        # one release alone has no pair: the files keep their columns
        "pairs": pd.DataFrame(pairs, columns=PAIR_COLUMNS).astype({"estimation_country_years": "Int64"}),
        "effect": pd.DataFrame(effects, columns=EFFECT_COLUMNS),
        "skipped": pd.DataFrame(skipped, columns=["release", "what", "reason"]),
        "exclusions": excl[["release", "iso3", "year", "reasons"]],
        "panels": panels,  # type: ignore[dict-item]
    }
