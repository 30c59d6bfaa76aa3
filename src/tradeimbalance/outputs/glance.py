"""The report's first screen, "Replication at a glance": per release, what replicates; the paper's three claims, each
with a verdict per release; and the economic size of the main coefficient.

Everything here is computed from the workflow's outputs (``results/estimates_by_release.csv``,
``results/tables/table1_by_release.csv``, ``results/specification_curve.csv``) and the published fixtures
(``data/published/published_coefficients.csv``); nothing published is written in code.

**The claims** (the paper's abstract) and the regressions each rests on:

1. a country losing from value-added trade de-globalises, overall: Table 3, columns 1–4 (KOFGIdj and KOFEcGIdj, with
   and without controls);
2. through trade, financial and political globalisation: Table 5, columns 1–3;
3. developed countries respond politically, developing countries economically: Table 6 column 3 (developed,
   KOFPoGIdj); Table 4 column 4 and Table 6 columns 4–5 (developing: KOFEcGIdj, KOFTrGIdj, KOFFiGIdj); and, as the paper
   states, no significant economic response of the developed countries (Table 4 column 2).

**The rule** (:func:`verdict`). A coefficient the claim expects to be positive *holds* when it is positive with
p < 0.05; one the claim expects to be null holds when p ≥ 0.05. A claim is *supported* on a release when every one of its
coefficients holds, *not supported* when none of its expected-positive coefficients holds, and *mixed* otherwise. The
verdict is given twice: with the country-clustered p (the paper's convention) and with the wild cluster restricted
bootstrap p (Rademacher), which holds with few clusters; the CRV3 p is shown beside each coefficient. The specification
curve's share is the share of that release's specifications on the claim's outcomes and samples that are positive with
p < 0.05.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .comparison import markdown_table

#: Significance level of the verdicts.
ALPHA = 0.05
#: Tolerance of "within 10 %" (as outputs.comparison).
REL_TOLERANCE = 0.10
#: Table 1 cells agree when equal at the published fourth decimal.
DECIMALS = 4


@dataclass(frozen=True)
class Claim:
    number: int
    text: str
    tables: str
    #: (table, column) of the coefficients the claim expects positive and significant
    positive: tuple[tuple[str, int], ...]
    #: (table, column) of those it expects not significant
    null: tuple[tuple[str, int], ...] = ()


CLAIMS: tuple[Claim, ...] = (
    Claim(1, "A country losing from value-added trade de-globalises, overall", "Table 3", (("3", 1), ("3", 2), ("3", 3), ("3", 4))),
    Claim(2, "It does so through trade, financial and political globalisation", "Table 5", (("5", 1), ("5", 2), ("5", 3))),
    Claim(
        3, "Developed countries respond politically, developing countries economically", "Tables 4 and 6",
        (("6", 3), ("4", 4), ("6", 4), ("6", 5)), (("4", 2),),
    ),  # fmt: skip
)

VERDICTS = ("supported", "mixed", "not supported", "not estimable")


def _tbi_rows(estimates: pd.DataFrame) -> pd.DataFrame:
    rows = estimates[(estimates["variable"] == "TBI") & (estimates.get("stage", "second") == "second")].copy()
    rows["table"] = rows["table"].astype(str)
    rows["column"] = rows["column"].astype(int)
    return rows


def verdict(cells: pd.DataFrame, claim: Claim, p_column: str = "pvalue") -> str:
    """The claim's verdict on one release's TBI rows (module docstring), by the p-values in ``p_column``."""
    by_cell = cells.set_index(["table", "column"])
    needed = [*claim.positive, *claim.null]
    if any(c not in by_cell.index or pd.isna(by_cell.loc[c, p_column]) for c in needed):
        return "not estimable"
    positive = [bool(by_cell.loc[c, "coef"] > 0 and by_cell.loc[c, p_column] < ALPHA) for c in claim.positive]
    null = [bool(by_cell.loc[c, p_column] >= ALPHA) for c in claim.null]
    if all(positive) and all(null):
        return "supported"
    if not any(positive):
        return "not supported"
    return "mixed"


def _curve_share(curve: pd.DataFrame | None, release: str, cells: pd.DataFrame, claim: Claim) -> tuple[float, int]:
    """Share of the release's curve specifications on the claim's (outcome, sample) pairs that are positive with p < 0.05."""
    if curve is None or curve.empty:
        return float("nan"), 0
    by_cell = cells.set_index(["table", "column"])
    pairs = {(str(by_cell.loc[c, "depvar"]), str(by_cell.loc[c, "sample"])) for c in claim.positive if c in by_cell.index}
    mine = curve[curve["io_release"] == release] if "io_release" in curve.columns else curve
    keep = [(o, s) in pairs for o, s in zip(mine["outcome"].astype(str), mine["sample"].astype(str))]
    chosen = mine[keep]
    if chosen.empty:
        return float("nan"), 0
    return float(((chosen["coef"] > 0) & (chosen["pvalue"] < ALPHA)).mean()), len(chosen)


def _cell_text(row: pd.Series) -> str:
    return (
        f"{row['table']}.{row['column']} {row['coef']:.2f} (p {row['pvalue']:.3f}; WCR {row['p_wcr_rademacher']:.3f}; CRV3 {row['p_crv3']:.3f})"
        if pd.notna(row.get("p_wcr_rademacher")) else f"{row['table']}.{row['column']} {row['coef']:.2f} (p {row['pvalue']:.3f})"
    )  # fmt: skip


def claim_verdicts(estimates: pd.DataFrame, curve: pd.DataFrame | None = None, releases: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per claim × release: ``claim, text, tables, release, verdict`` (clustered p), ``verdict_wcr`` (wild
    bootstrap p), ``cells`` (each coefficient with its p-values), ``curve_share`` and ``curve_specifications``."""
    rows = _tbi_rows(estimates)
    order = list(releases) if releases is not None else list(dict.fromkeys(rows["release"]))
    out = []
    for claim in CLAIMS:
        for release in order:
            cells = rows[rows["release"] == release]
            share, n = _curve_share(curve, release, cells, claim)
            wanted = cells.set_index(["table", "column"], drop=False)
            texts = [_cell_text(wanted.loc[c]) for c in [*claim.positive, *claim.null] if c in wanted.index]
            out.append({
                "claim": claim.number, "text": claim.text, "tables": claim.tables, "release": release,
                "verdict": verdict(cells, claim, "pvalue"),
                "verdict_wcr": verdict(cells, claim, "p_wcr_rademacher") if "p_wcr_rademacher" in cells.columns else "not estimable",
                "cells": "; ".join(texts), "curve_share": share, "curve_specifications": n,
            })  # fmt: skip
    return pd.DataFrame(out)


def glance_frame(
    estimates: pd.DataFrame, published: pd.DataFrame, table1: pd.DataFrame, releases: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per release: its sample (years, countries, N of Table 3 column 1), the published Table 1 cells it has and how many
    are equal at the fourth decimal, and its TBI coefficients of Tables 3–6 against the published ones on hand (same
    sign, same stars, within 10 %)."""
    rows = _tbi_rows(estimates)
    pub = published[published["variable"] == "TBI"].assign(table=lambda d: d["table"].astype(str), column=lambda d: d["column"].astype(int))
    pub = pub[pub["table"].isin(["3", "4", "5", "6"])]
    order = list(releases) if releases is not None else list(dict.fromkeys(rows["release"]))
    out = []
    for release in order:
        mine = rows[rows["release"] == release]
        first = mine[(mine["table"] == "3") & (mine["column"] == 1)]
        t1 = table1[table1["release"] == release] if len(table1) else table1
        agree = int(t1["agrees_4dp"].astype(bool).sum()) if len(t1) else 0
        m = pub.merge(mine[["table", "column", "coef", "stars"]], on=["table", "column"], how="left", suffixes=("_published", ""))
        computed = m["coef"].notna()
        sign = computed & (np.sign(m["coef"]) == np.sign(m["coef_published"]))
        stars = computed & (m["stars"] == m["stars_published"])
        within = computed & ((m["coef"] - m["coef_published"]).abs() <= REL_TOLERANCE * m["coef_published"].abs())
        out.append({
            "release": release,
            "years": str(first["years"].iloc[0]) if len(first) else "",
            "countries": int(first["nclusters"].iloc[0]) if len(first) else 0,
            "nobs": int(first["nobs"].iloc[0]) if len(first) else 0,
            "table1_on_hand": len(t1), "table1_equal_4dp": agree,
            "published_coefficients": len(m), "estimated": int(computed.sum()),
            "sign_match": int(sign.sum()), "sign_and_stars": int((sign & stars).sum()), "within_10pct": int(within.sum()),
            "within_10pct_and_stars": int((within & stars).sum()),
        })  # fmt: skip
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


def glance_lines(
    glance: pd.DataFrame, claims: pd.DataFrame, size: pd.DataFrame, info: Mapping[str, Mapping[str, object]]
) -> list[str]:
    """The report's "Replication at a glance" section (Markdown lines). ``info``: release → ``label``, ``paper`` (the
    paper's own data), ``configured`` (the run's io_release)."""

    def name(release: str) -> str:
        i = info.get(release, {})
        tags = [t for t, on in (("the paper's own data", i.get("paper")), ("the tables below", i.get("configured"))) if on]
        return f"{release}" + (f" ({'; '.join(tags)})" if tags else "")

    g = glance.copy()
    g["release"] = [name(r) for r in g["release"]]
    g["sample"] = [f"{y}; {c} countries; N = {n}" for y, c, n in zip(glance["years"], glance["countries"], glance["nobs"])]
    g["Table 1 cells equal to 4 d.p."] = [f"{a} of {b}" if b else "none on hand" for a, b in zip(glance["table1_equal_4dp"], glance["table1_on_hand"])]
    g["TBI: published sign and stars"] = [f"{a} of {b}" for a, b in zip(glance["sign_and_stars"], glance["published_coefficients"])]
    g["TBI: within 10 %"] = [f"{a} of {b}" for a, b in zip(glance["within_10pct"], glance["published_coefficients"])]
    n_pub = int(glance["published_coefficients"].max()) if len(glance) else 0
    lines = [
        "## Replication at a glance",
        "",
        "Each line names the release it is about. The paper's own data are the WIOD 2016 release; what is on hand of it "
        "(its value-added flows, five benchmark years) comes first.",
        "",
        f"**What replicates, release by release.** Table 1: the published cells the release covers and how many it "
        f"reproduces at the published fourth decimal. TBI coefficients: the {n_pub} published TBI coefficients of Tables 3–6 "
        "(Tables 5 and 6 are withheld by the paper), with ours on the release's own sample: same sign and the same "
        "significance stars, and within 10 % of the published value.",
        "",
        markdown_table(g, ["release", "sample", "Table 1 cells equal to 4 d.p.", "TBI: published sign and stars", "TBI: within 10 %"]),
        "",
        "**The paper's three claims.** A coefficient the claim expects to be positive holds when it is positive with p < 0.05; "
        "one it expects to be null holds when p ≥ 0.05. A claim is *supported* on a release when all its coefficients hold, "
        "*not supported* when none of its expected-positive coefficients holds, *mixed* otherwise. The verdict is given with "
        "the country-clustered p (the paper's convention) and with the wild cluster restricted bootstrap p (Rademacher), "
        "which holds with few clusters; each coefficient is listed as table.column, estimate (clustered p; WCR p; CRV3 p). "
        "Curve share: of that release's specification-curve estimates on the claim's outcomes and samples, the share "
        "positive with p < 0.05.",
        "",
    ]
    for number, c in claims.groupby("claim", sort=True):
        first = c.iloc[0]
        lines += [f"*Claim {number}: {first['text']} ({first['tables']}).*", ""]
        view = c.assign(
            release=[name(r) for r in c["release"]],
            **{"curve share": [f"{100 * s:.0f} % of {n}" if n else "–" for s, n in zip(c["curve_share"], c["curve_specifications"])]},
        )
        view = view.rename(columns={"verdict": "verdict (clustered p)", "verdict_wcr": "verdict (wild bootstrap p)"})
        lines += [markdown_table(view, ["release", "verdict (clustered p)", "verdict (wild bootstrap p)", "curve share", "cells"]), ""]
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
