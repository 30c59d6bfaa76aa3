"""The report's first screen, "Replication at a glance": per release, what replicates; the paper's claims, each with a
verdict per release; and the economic size of the main coefficient.

Everything here is computed from the workflow's outputs (``results/estimates_by_release.csv`` with the published
coefficient beside each of ours, ``results/tables/table1_by_release.csv``, ``results/specification_curve.csv``); nothing
published is written in code.

**What replicates.** Per release: the published Table 1 cells it covers and how many it reproduces at the fourth
decimal; the 17 published TBI coefficients of Tables 3–6 and all 139 published coefficients (TBI, controls and
constants) with the same sign and stars, and within 10 %.

**The claims** and the regressions each rests on. Claims 1–3 are the abstract's; claims 4 and 5 are the robustness
results the paper reports in words only (section 四(四), "稳健性分析"):

1. a country losing from value-added trade de-globalises, overall: Table 3, columns 1–4 (KOFGIdj and KOFEcGIdj, with
   and without controls);
2. through trade, financial and political globalisation: Table 5, columns 1–3;
3. developed countries respond politically, developing countries economically: Table 6 column 3 (developed,
   KOFPoGIdj); Table 4 column 4 and Table 6 columns 4–5 (developing: KOFEcGIdj, KOFTrGIdj, KOFFiGIdj); and, as the paper
   states, no significant economic response of the developed countries (Table 4 column 2);
4. the 2SLS with the lagged TBI as the instrument confirms the baseline and passes the under-identification and
   weak-instrument tests ("估计结果依然稳健，且通过了不可识别检验、弱工具变量检验"): the four 2SLS columns (Table 3's
   specifications, TBI instrumented by the previous period's TBI);
5. the TBI rebuilt from domestic value added in exports confirms the baseline ("结论依然稳健"): the four DVA columns
   (Table 3's specifications with the DVA-based TBI).

**The rule** (:func:`verdict`). A coefficient the claim expects to be positive *holds* when it is positive with
p < 0.05; one the claim expects to be null holds when p ≥ 0.05. A 2SLS coefficient (claim 4) must in addition pass the
under-identification test (Kleibergen–Paap rk LM p < 0.05) and the weak-instrument rule of thumb (Kleibergen–Paap rk
Wald F above 10: Staiger & Stock 1997). A claim is *supported* on a release when every one of its coefficients holds,
*not supported* when none of its expected-positive coefficients holds, and *mixed* otherwise; *not available* when the
release cannot give the regressions (with the reason: the WIOD 2016 flows have no table, so no DVA-based TBI); *not
estimable* when a regression it could give is missing. The verdict is given twice: with the country-clustered p (the
paper's convention) and with the wild cluster restricted bootstrap p (Rademacher; for the 2SLS columns the bootstrap of
the Anderson–Rubin test, which holds however weak the instrument), which holds with few clusters; the CRV3 p is shown
beside each coefficient. The specification curve's share is the share of that release's specifications on the claim's
outcomes, samples and TBI definitions that are positive with p < 0.05 (the curve has no 2SLS: none for claim 4).
"""

from __future__ import annotations

import itertools

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..econometrics.montecarlo import format_p
from .comparison import criteria, markdown_table

#: Significance level of the verdicts.
ALPHA = 0.05
#: Table 1 cells agree when equal at the published fourth decimal.
DECIMALS = 4
#: Claim 4's weak-instrument rule of thumb: the Kleibergen–Paap rk Wald F above this (Staiger & Stock 1997).
WEAK_F = 10.0


@dataclass(frozen=True)
class Claim:
    number: int
    text: str
    tables: str
    #: (table, column) of the coefficients the claim expects positive and significant
    positive: tuple[tuple[str, int], ...]
    #: (table, column) of those it expects not significant
    null: tuple[tuple[str, int], ...] = ()
    #: ``iv``: each coefficient must also pass the identification tests (claim 4)
    kind: str = "fe"
    #: the specification curve's TBI definitions of the claim: ``dva`` the DVA-based ones, "" every one, None no curve
    curve_tbi: str | None = ""
    #: where the paper states it
    source: str = "abstract"


CLAIMS: tuple[Claim, ...] = (
    Claim(1, "A country losing from value-added trade de-globalises, overall", "Table 3", (("3", 1), ("3", 2), ("3", 3), ("3", 4))),
    Claim(2, "It does so through trade, financial and political globalisation", "Table 5", (("5", 1), ("5", 2), ("5", 3))),
    Claim(
        3, "Developed countries respond politically, developing countries economically", "Tables 4 and 6",
        (("6", 3), ("4", 4), ("6", 4), ("6", 5)), (("4", 2),),
    ),
    Claim(
        4, "The 2SLS with the lagged TBI as instrument confirms the baseline and passes the under-identification and "
        "weak-instrument tests", "2SLS, in words only", (("2sls", 1), ("2sls", 2), ("2sls", 3), ("2sls", 4)), kind="iv", curve_tbi=None,
        source="section 四(四), in words only",
    ),
    Claim(
        5, "The TBI rebuilt from domestic value added in exports (DVA) confirms the baseline", "DVA, in words only",
        (("dva", 1), ("dva", 2), ("dva", 3), ("dva", 4)), curve_tbi="dva", source="section 四(四), in words only",
    ),
)  # fmt: skip

VERDICTS = ("supported", "mixed", "not supported", "undecided", "not available", "not estimable")
#: The capability each robustness table needs, as the comparison's skip log names it (tradeimbalance.release.TABLE_NEEDS).
_TABLE_OF_NEED = {"KWW/DVA-based TBI": "dva"}


def _tbi_rows(estimates: pd.DataFrame) -> pd.DataFrame:
    rows = estimates[(estimates["variable"] == "TBI") & (estimates.get("stage", "second") == "second")].copy()
    rows["table"] = rows["table"].astype(str)
    rows["column"] = rows["column"].astype(int)
    return rows


def unavailable_tables(skipped: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    """release → {table id: why the release cannot give it}, from the comparison's skip log
    (``results/reports/releases_skipped.csv``: ``release, what, reason``)."""
    out: dict[str, dict[str, str]] = {}
    if skipped is None:
        return out
    for r in skipped.itertuples(index=False):
        table = _TABLE_OF_NEED.get(str(r.what))
        if table:
            out.setdefault(str(r.release), {})[table] = f"{r.release} cannot give the {r.what}: it {r.reason}"
    return out


def _holds(row: pd.Series, p_column: str, kind: str) -> bool:
    ok = bool(row["coef"] > 0 and row[p_column] < ALPHA)
    if kind == "iv":
        ok = ok and bool(row.get("kp_lm_pvalue", np.nan) < ALPHA) and bool(row.get("kp_wald_f", np.nan) > WEAK_F)
    return ok


def _undecided(row: pd.Series, p_column: str) -> bool:
    """Whether a simulated p is still within two Monte Carlo SEs of :data:`ALPHA` after its longer run (its
    ``undecided_*`` column, :mod:`tradeimbalance.econometrics.montecarlo`)."""
    flag = row.get(p_column.replace("p_", "undecided_", 1)) if p_column.startswith("p_wcr") else None
    return flag is not None and pd.notna(flag) and abs(float(flag) - ALPHA) < 1e-12


def verdict(cells: pd.DataFrame, claim: Claim, p_column: str = "pvalue", unavailable: str = "") -> str:
    """The claim's verdict on one release's TBI rows (module docstring), by the p-values in ``p_column``;
    ``unavailable``: why the release cannot give the claim's regressions ("" when it can). A simulated p still undecided
    at 0.05 after its longer run is read both ways: where the verdict depends on it, the verdict is ``undecided``."""
    by_cell = cells.set_index(["table", "column"])
    needed = [*claim.positive, *claim.null]
    if unavailable and not any(c in by_cell.index for c in needed):
        return "not available"
    if any(c not in by_cell.index or pd.isna(by_cell.loc[c, p_column]) for c in needed):
        return "not estimable"
    open_cells = [c for c in needed if _undecided(by_cell.loc[c], p_column)]
    outcomes = set()
    for below in itertools.product((True, False), repeat=len(open_cells)):
        rows = {c: by_cell.loc[c].copy() for c in needed}
        for c, b in zip(open_cells, below):  # an undecided p read as just below, or just above, the level
            rows[c][p_column] = ALPHA / 2 if b else 2 * ALPHA
        positive = [_holds(rows[c], p_column, claim.kind) for c in claim.positive]
        null = [bool(rows[c][p_column] >= ALPHA) for c in claim.null]
        outcomes.add("supported" if all(positive) and all(null) else "not supported" if not any(positive) else "mixed")
    return outcomes.pop() if len(outcomes) == 1 else "undecided"


def _curve_share(curve: pd.DataFrame | None, release: str, cells: pd.DataFrame, claim: Claim) -> tuple[float, int]:
    """Share of the release's curve specifications on the claim's (outcome, sample) pairs and TBI definitions that are
    positive with p < 0.05."""
    if curve is None or curve.empty or claim.curve_tbi is None:
        return float("nan"), 0
    by_cell = cells.set_index(["table", "column"])
    pairs = {(str(by_cell.loc[c, "depvar"]), str(by_cell.loc[c, "sample"])) for c in claim.positive if c in by_cell.index}
    mine = curve[curve["io_release"] == release] if "io_release" in curve.columns else curve
    keep = np.array([(o, s) in pairs for o, s in zip(mine["outcome"].astype(str), mine["sample"].astype(str))], dtype=bool)
    if claim.curve_tbi and "tbi" in mine.columns:
        keep &= mine["tbi"].astype(str).str.startswith(claim.curve_tbi).to_numpy()
    chosen = mine[keep]
    if chosen.empty:
        return float("nan"), 0
    return float(((chosen["coef"] > 0) & (chosen["pvalue"] < ALPHA)).mean()), len(chosen)


def _cell_text(row: pd.Series) -> str:
    name = f"{row['table']}.{row['column']}" if str(row["table"]).isdigit() else f"{str(row['table']).upper()} {row['column']}"
    text = f"{name} {row['coef']:.2f} (p {format_p(row['pvalue'])}"
    if pd.notna(row.get("p_wcr_rademacher")):
        text += f"; WCR {format_p(row['p_wcr_rademacher'])}" + (" undecided at 0.05" if _undecided(row, "p_wcr_rademacher") else "")
    if pd.notna(row.get("p_crv3")):
        text += f"; CRV3 {format_p(row['p_crv3'])}"
    if pd.notna(row.get("kp_wald_f")):
        text += f"; KP LM p {format_p(row['kp_lm_pvalue'])}; KP F {row['kp_wald_f']:.1f}"
    return text + ")"


def claim_verdicts(
    estimates: pd.DataFrame, curve: pd.DataFrame | None = None, releases: Sequence[str] | None = None,
    unavailable: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:  # fmt: skip
    """One row per claim × release: ``claim, text, tables, source, release, verdict`` (clustered p), ``verdict_wcr`` (wild
    bootstrap p), ``reason`` (why a claim is not available), ``cells`` (each coefficient with its p-values),
    ``curve_share`` and ``curve_specifications``. ``unavailable``: release → {table: reason}
    (:func:`unavailable_tables`)."""
    rows = _tbi_rows(estimates)
    order = list(releases) if releases is not None else list(dict.fromkeys(rows["release"]))
    out = []
    for claim in CLAIMS:
        tables = {c[0] for c in (*claim.positive, *claim.null)}
        for release in order:
            cells = rows[rows["release"] == release]
            why = "; ".join(dict.fromkeys(r for t, r in (unavailable or {}).get(release, {}).items() if t in tables))
            share, n = _curve_share(curve, release, cells, claim)
            wanted = cells.set_index(["table", "column"], drop=False)
            texts = [_cell_text(wanted.loc[c]) for c in [*claim.positive, *claim.null] if c in wanted.index]
            out.append({
                "claim": claim.number, "text": claim.text, "tables": claim.tables, "source": claim.source, "release": release,
                "verdict": verdict(cells, claim, "pvalue", why),
                "verdict_wcr": verdict(cells, claim, "p_wcr_rademacher", why) if "p_wcr_rademacher" in cells.columns else "not estimable",
                "reason": why, "cells": "; ".join(texts), "curve_share": share, "curve_specifications": n,
                "cells_present": len(texts),
                "undecided_wcr": sum(_undecided(wanted.loc[c], "p_wcr_rademacher") for c in [*claim.positive, *claim.null] if c in wanted.index),
            })  # fmt: skip
    return pd.DataFrame(out)


def _counts(m: pd.DataFrame) -> dict[str, int]:
    computed = m["coef"].notna()
    met = criteria(m["coef"], m["stars"], m["coef_published"], m["stars_published"])
    sign, stars, within = met["sign_match"], met["stars_match"], met["within_10pct"]
    return {"published": len(m), "estimated": int(computed.sum()), "sign": int(sign.sum()), "sign_and_stars": int((sign & stars).sum()),
            "within_10pct": int(within.sum()), "within_10pct_and_stars": int((within & stars).sum())}  # fmt: skip


def glance_frame(
    estimates: pd.DataFrame, published: pd.DataFrame, table1: pd.DataFrame, releases: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per release: its sample (years, countries, N of Table 3 column 1), the published Table 1 cells it has and how many
    are equal at the fourth decimal, and its coefficients of Tables 3–6 against the published ones: the TBI coefficients
    (``tbi_*``) and every published coefficient (``all_*``): how many are published, estimated, with the same sign, the
    same sign and stars, within 10 %, within 10 % with the same stars."""
    est = estimates[estimates.get("stage", "second") == "second"].assign(table=lambda d: d["table"].astype(str), column=lambda d: d["column"].astype(int))
    rows = _tbi_rows(estimates)
    pub = published.assign(table=lambda d: d["table"].astype(str), column=lambda d: d["column"].astype(int))
    order = list(releases) if releases is not None else list(dict.fromkeys(rows["release"]))
    out = []
    for release in order:
        mine = rows[rows["release"] == release]
        first = mine[(mine["table"] == "3") & (mine["column"] == 1)]
        t1 = table1[table1["release"] == release] if len(table1) else table1
        agree = int(t1["agrees_4dp"].astype(bool).sum()) if len(t1) else 0
        m = pub.merge(est[est["release"] == release][["table", "column", "variable", "coef", "stars"]], on=["table", "column", "variable"], how="left",
                      suffixes=("_published", ""))  # fmt: skip
        row: dict[str, object] = {
            "release": release,
            "years": str(first["years"].iloc[0]) if len(first) else "",
            "countries": int(first["nclusters"].iloc[0]) if len(first) else 0,
            "nobs": int(first["nobs"].iloc[0]) if len(first) else 0,
            "table1_on_hand": len(t1), "table1_equal_4dp": agree,
        }  # fmt: skip
        row.update({f"tbi_{k}": v for k, v in _counts(m[m["variable"] == "TBI"]).items()})
        row.update({f"all_{k}": v for k, v in _counts(m).items()})
        out.append(row)
    return pd.DataFrame(out)


def size_frame(estimates: pd.DataFrame, releases: Sequence[str] | None = None, cell: tuple[str, int] = ("3", 3)) -> pd.DataFrame:
    """The economic size of the main coefficient (Table 3 column 3) per release: one within-country SD of TBI in KOF
    index points, and as a share of the outcome's within-country SD (columns written by the comparison of releases)."""
    rows = _tbi_rows(estimates)
    main = rows[(rows["table"] == cell[0]) & (rows["column"] == cell[1])]
    order = list(releases) if releases is not None else list(dict.fromkeys(main["release"]))
    main = main.set_index("release").reindex(order).reset_index()
    cols = ["release", "depvar", "coef", "pvalue", "sd_within_tbi", "effect_1sd", "sd_within_outcome", "effect_share"]
    return main[[c for c in cols if c in main.columns]]


def release_name(release: str, info: Mapping[str, Mapping[str, object]]) -> str:
    """A release as the glance names it: "the paper's own data" only when the release is the paper's and the KOF vintage
    the paper's (``info``: ``paper``, ``configured``, ``kof_vintage``, ``paper_kof_vintage``); another vintage is named."""
    i = info.get(release, {})
    vintage, paper_vintage = str(i.get("kof_vintage", "")), str(i.get("paper_kof_vintage", ""))
    other_vintage = bool(vintage and paper_vintage and vintage != paper_vintage)
    tags = []
    if i.get("paper"):
        tags.append(f"the paper's input–output release, KOF vintage {vintage} (the paper's: {paper_vintage})" if other_vintage else "the paper's own data")
    elif other_vintage:
        tags.append(f"KOF vintage {vintage}")
    if i.get("configured"):
        tags.append("the tables below")
    return f"{release}" + (f" ({'; '.join(tags)})" if tags else "")


def glance_summary(glance: pd.DataFrame, claims: pd.DataFrame, info: Mapping[str, Mapping[str, object]]) -> str:
    """The glance in one line, for the console's last words: the leading release (the paper's own data first), its Table 1
    cells, its coefficients and its claims' verdicts (clustered p)."""
    if glance.empty:
        return ""
    g = glance.iloc[0]
    release = str(g["release"])
    verdicts = claims[claims["release"] == release] if len(claims) else claims
    said = ", ".join(f"{int(r.claim)} {r.verdict}" for r in verdicts.itertuples()) if len(verdicts) else "none"
    table1 = f"Table 1 {int(g['table1_equal_4dp'])} of {int(g['table1_on_hand'])} cells equal to 4 d.p." if int(g["table1_on_hand"]) else "Table 1: no published cell on hand"
    return (f"Replication at a glance, {release_name(release, info)}: {table1}; TBI coefficients with the published sign and stars "
            f"{int(g['tbi_sign_and_stars'])} of {int(g['tbi_published'])}; all coefficients {int(g['all_sign_and_stars'])} of {int(g['all_published'])}; "
            f"claims (clustered p): {said}.")  # fmt: skip


def glance_lines(
    glance: pd.DataFrame, claims: pd.DataFrame, size: pd.DataFrame, info: Mapping[str, Mapping[str, object]], forest: str = ""
) -> list[str]:
    """The report's "Replication at a glance" section (Markdown lines). ``info``: release → ``label``, ``paper`` (the
    paper's own data), ``configured`` (the run's io_release); ``forest``: the forest figure's PNG, relative to the report
    (:func:`tradeimbalance.outputs.figures.forest_figure`)."""

    def name(release: str) -> str:
        return release_name(release, info)

    g = glance.copy()
    g["release"] = [name(r) for r in g["release"]]
    g["sample"] = [f"{y}; {c} countries; N = {n}" for y, c, n in zip(glance["years"], glance["countries"], glance["nobs"])]
    g["Table 1 cells equal to 4 d.p."] = [f"{a} of {b}" if b else "none on hand" for a, b in zip(glance["table1_equal_4dp"], glance["table1_on_hand"])]
    for scope, label in (("tbi", "TBI"), ("all", "all")):
        g[f"{label}: sign and stars"] = [f"{a} of {b}" for a, b in zip(glance[f"{scope}_sign_and_stars"], glance[f"{scope}_published"])]
        g[f"{label}: within 10 %"] = [f"{a} of {b}" for a, b in zip(glance[f"{scope}_within_10pct"], glance[f"{scope}_published"])]
    n_tbi = int(glance["tbi_published"].max()) if len(glance) else 0
    n_all = int(glance["all_published"].max()) if len(glance) else 0
    lines = [
        "## Replication at a glance",
        "",
        "Each line names the release it is about. The paper's own data are the WIOD 2016 release; what is on hand of it "
        "(its value-added flows, five benchmark years) comes first.",
        "",
        f"**What replicates, release by release.** Table 1: the published cells the release covers and how many it "
        f"reproduces at the published fourth decimal. Coefficients: the {n_tbi} published TBI coefficients of Tables 3–6, and "
        f"all {n_all} published coefficients of those tables (TBI, the controls and the constants), each against ours on the "
        "release's own sample: the same sign and the same significance stars, and within 10 % of the published value. The "
        "paper publishes every coefficient of Tables 3–6 with its standard error; its 2SLS and DVA robustness checks are "
        "reported in words only (claims 4 and 5 below).",
        "",
        markdown_table(g, ["release", "sample", "Table 1 cells equal to 4 d.p.", "TBI: sign and stars", "TBI: within 10 %", "all: sign and stars", "all: within 10 %"]),
        "",
    ]
    if forest:
        lines += [
            f"**Each published TBI coefficient beside each release's** ([PDF]({forest.replace('.png', '.pdf')})): one row per column of "
            "Tables 3–6, grouped by claim; the published estimate (black) with its 95 % interval from the published standard "
            "error, and each release's estimate with its own interval (estimate ± 1.96 SE for both). Where the paper's own "
            "data agree with the paper, the marks overlap.",
            "",
            f"![The published TBI coefficients beside each release's]({forest})",
            "",
        ]
    lines += [
        "**The paper's claims.** Claims 1–3 are the abstract's; claims 4 and 5 are the robustness results the paper states in "
        "words only (section 四(四)). A coefficient the claim expects to be positive holds when it is positive with p < 0.05; "
        "one it expects to be null holds when p ≥ 0.05; a 2SLS coefficient (claim 4) must also pass the under-identification "
        "test (Kleibergen–Paap rk LM p < 0.05) and the weak-instrument rule of thumb of Staiger and Stock (1997), a "
        f"Kleibergen–Paap rk Wald F above {WEAK_F:g}. A claim is *supported* on a release when all its coefficients hold, "
        "*not supported* when none of its expected-positive coefficients holds, *mixed* otherwise, and *not available* when the "
        "release cannot give its regressions (the reason is given). The verdict is given with the country-clustered p (the "
        "paper's convention) and with the wild cluster restricted bootstrap p (Rademacher; for the 2SLS the bootstrap of the "
        "Anderson–Rubin test), which holds with few clusters; each coefficient is listed as table.column, estimate (clustered "
        "p; WCR p; CRV3 p; for the 2SLS the KP LM p and KP F). Curve share: of that release's specification-curve estimates on "
        "the claim's outcomes, samples and TBI definitions, the share positive with p < 0.05 (the curve has no 2SLS).",
        "",
    ]
    for number, c in claims.groupby("claim", sort=True):
        first = c.iloc[0]
        lines += [f"*Claim {number}: {first['text']} ({first['tables']}).*", ""]
        view = c.assign(
            release=[name(r) for r in c["release"]],
            **{"curve share": [f"{100 * s:.0f} % of {n}" if n else "–" for s, n in zip(c["curve_share"], c["curve_specifications"])]},
            cells=[cells if cells else f"not available: {why}" for cells, why in zip(c["cells"], c.get("reason", [""] * len(c)))],
        )
        view = view.rename(columns={"verdict": "verdict (clustered p)", "verdict_wcr": "verdict (wild bootstrap p)"})
        lines += [markdown_table(view, ["release", "verdict (clustered p)", "verdict (wild bootstrap p)", "curve share", "cells"]), ""]
    undecided = int(claims["undecided_wcr"].sum()) if "undecided_wcr" in claims.columns else 0
    cells = int(claims["cells_present"].sum()) if "cells_present" in claims.columns else 0
    lines += [
        f"**Undecided wild-bootstrap p-values:** {undecided} of the {cells} coefficients the claims rest on"
        + (" have a wild bootstrap p still within two Monte Carlo SEs of 0.05 after the longer run (marked \"undecided at 0.05\" in the "
           "cells); a verdict that depends on one of them is *undecided*." if undecided else "; every one is decided at 0.05."),
        "",
    ]
    if len(size):
        s = size.copy()
        s["release"] = [name(r) for r in s["release"]]
        lines += [
            "**Economic size of the main coefficient** (Table 3 column 3, KOFGIdj with controls): one within-country standard "
            "deviation of TBI, in KOF index points, and as a share of the outcome's within-country standard deviation "
            "(within-country SD as Stata's `xtsum`, on the column's estimation sample).",
            "",
            markdown_table(s.rename(columns={"coef": "TBI coefficient", "sd_within_tbi": "within SD of TBI", "effect_1sd": "1 SD of TBI, KOF points",
                                             "sd_within_outcome": "within SD of KOFGIdj", "effect_share": "share of the outcome's within SD"}),
                           ["release", "TBI coefficient", "within SD of TBI", "1 SD of TBI, KOF points", "within SD of KOFGIdj", "share of the outcome's within SD"], 3),  # fmt: skip
            "",
        ]
    return lines
