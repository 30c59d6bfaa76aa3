"""The report's section "Can the TBI effect be read causally?": the referee checks (results/referee_checks.csv,
:mod:`tradeimbalance.econometrics.referee`) as a table per release, one plain sentence per check on the main
specification (Table 3 column 3), and an overall verdict per release.

The rules behind the sentences, stated in the report:

* **timing**: the next period's TBI *predicts* today's KOF when its coefficient has TBI's sign and a clustered p below
  0.10 (a falsification test: a lenient threshold, since failing to reject proves nothing); "as strongly as" when it is
  also at least 80 % as large as today's TBI beside it;
* **influence**: a country matters when its removal changes the sign or the 5 % significance of the estimate;
* **randomization**: TBI's association passes when both permutation schemes give p < 0.05;
* **verdict**: no robust association (the main estimate is not positive with clustered p < 0.05); cannot be read as an
  effect (the next period's TBI predicts today's KOF); fragile (a randomization p ≥ 0.05, a country that flips the
  sign, or a long difference of the opposite sign); otherwise consistent with an effect, within what an observational
  panel can show.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..release import period_word
from ..econometrics.montecarlo import format_p
from .comparison import markdown_table

#: The specification the sentences and verdicts are about: Table 3 column 3 (KOFGIdj with controls).
MAIN = ("3", 3)
LEAD_P = 0.10
AS_STRONG = 0.8


def _get(rows: pd.DataFrame, check: str, term: str) -> pd.Series | None:
    r = rows[(rows["check"] == check) & (rows["term"] == term)]
    return r.iloc[0] if len(r) and pd.notna(r["coef"].iloc[0]) else None


def _ri_passes(r: pd.Series | None) -> bool:
    return r is not None and pd.notna(r["pvalue"]) and float(r["pvalue"]) < 0.05


def _ri_words(check: str, r: pd.Series) -> str:
    """Why a randomization scheme does not support the association: its p, or why it has none."""
    if pd.isna(r["pvalue"]):
        return f"{check} cannot reject ({str(r.get('note', '')).split(':')[0]})"
    return f"{check} p = {_p(r)}"


def _fmt(r: pd.Series | None, p: str = "pvalue") -> str:
    if r is None:
        return "–"
    return f"{r['coef']:.2f} ({r[p]:.3f})" if pd.notna(r.get(p)) else f"{r['coef']:.2f}"


def _p(r: pd.Series | None) -> str:
    """A randomization p as the report shows it (:func:`.montecarlo.format_p`): never below its attainable minimum;
    exact when every admissible assignment was enumerated; "undefined" with the count where the test cannot reject."""
    if r is None:
        return "–"
    if pd.isna(r.get("pvalue")):
        n = r.get("admissible")
        return f"undefined ({int(n)} admissible assignments)" if pd.notna(n) else "undefined"
    draws = int(r["draws"]) if pd.notna(r.get("draws")) else None
    return format_p(float(r["pvalue"]), draws, r.get("mcse"), exact_p=bool(r.get("exact")) if pd.notna(r.get("exact")) else False)


def _period(years: str) -> str:
    """``year`` or ``benchmark year``: the unit of a release's time axis, from its years as the checks write them."""
    ys = [int(y) for y in re.findall(r"\d{4}", str(years))]
    return "year" if "–" in str(years) else period_word(ys)


def release_table(checks: pd.DataFrame) -> pd.DataFrame:
    """One row per specification of a release: each check's TBI coefficient (clustered p; the permutation p for the
    randomization checks)."""
    rows = []
    for (table, column), g in checks.groupby(["table", "column"], sort=False):
        loo = g[(g["check"] == "leave one out") & g["coef"].notna()]
        size = _get(g, "size", "1 within-country SD of TBI (outcome points)")
        rows.append({
            "spec": f"{table}.{column}", "outcome": g["depvar"].iloc[0], "sample": g["sample"].iloc[0],
            "TBI": _fmt(_get(g, "baseline", "TBI")), "F.TBI (beside TBI)": _fmt(_get(g, "lead", "F.TBI")),
            "TBI (beside F.TBI)": _fmt(_get(g, "lead", "TBI")), "L.TBI (beside TBI)": _fmt(_get(g, "lag", "L.TBI")),
            "TBI with L.y": _fmt(_get(g, "lagged outcome", "TBI")), "long difference": _fmt(_get(g, "long difference", "ΔTBI")),
            "first difference": _fmt(_get(g, "first difference", "ΔTBI")),
            "leave one out": f"{loo['coef'].min():.2f} to {loo['coef'].max():.2f}" if len(loo) else "–",
            "RI within year": _p(_get(g, "randomization (within year)", "TBI")),
            "RI country paths": _p(_get(g, "randomization (country paths)", "TBI")),
            "1 SD of TBI": f"{size['coef']:.2f}" if size is not None else "–",
        })  # fmt: skip
    return pd.DataFrame(rows)


def sentences(rows: pd.DataFrame) -> list[str]:
    """One plain sentence per check on one release's main specification (module docstring)."""
    release, years = str(rows["release"].iloc[0]), str(rows["years"].iloc[0])
    period = _period(years)
    out = []
    base = _get(rows, "baseline", "TBI")
    lead, lead_tbi = _get(rows, "lead", "F.TBI"), _get(rows, "lead", "TBI")
    if lead is not None and lead_tbi is not None:
        predicts = np.sign(lead["coef"]) == np.sign(lead_tbi["coef"]) and lead["pvalue"] < LEAD_P
        ratio = abs(lead["coef"]) / max(abs(lead_tbi["coef"]), 1e-12)
        how = "more strongly than" if ratio >= 1 / AS_STRONG else "as strongly as" if ratio >= AS_STRONG else "beside"
        if predicts:
            out.append(
                f"Timing: next {period}'s TBI predicts today's KOF {how} today's TBI ({lead['coef']:.2f}, "
                f"p = {lead['pvalue']:.3f}, wild bootstrap p = {lead['p_wcr']:.3f}, against {lead_tbi['coef']:.2f}, p = {lead_tbi['pvalue']:.3f}), so this "
                "design cannot separate an effect of trade imbalance from reverse causality or common trends."
            )
        else:
            out.append(
                f"Timing: next {period}'s TBI does not predict today's KOF ({lead['coef']:.2f}, p = {lead['pvalue']:.3f}, wild bootstrap p = "
                f"{lead['p_wcr']:.3f}) while today's keeps {lead_tbi['coef']:.2f} (p = {lead_tbi['pvalue']:.3f}): the timing gives no sign of reverse causality."
            )
    lag, lag_tbi = _get(rows, "lag", "L.TBI"), _get(rows, "lag", "TBI")
    if lag is not None and lag_tbi is not None:
        out.append(
            f"The mirror image: beside the previous {period}'s TBI ({lag['coef']:.2f}, p = {lag['pvalue']:.3f}), today's TBI is {lag_tbi['coef']:.2f} "
            f"(p = {lag_tbi['pvalue']:.3f}): " + ("today's TBI carries the association." if lag_tbi["pvalue"] < 0.05 and lag["pvalue"] >= 0.05
            else "the association does not sit with today's TBI alone." if lag_tbi["pvalue"] >= 0.05 else "both periods carry it.")
        )  # fmt: skip
    ly = rows[(rows["check"] == "lagged outcome") & rows["term"].str.startswith("L.")]
    ly_tbi = _get(rows, "lagged outcome", "TBI")
    if len(ly) and ly_tbi is not None and pd.notna(ly["coef"].iloc[0]):
        note = str(ly["note"].iloc[0])
        t = note.split("T = ")[1].split(" ")[0] if "T = " in note else "?"
        out.append(
            f"Dynamics: with the previous {period}'s KOF as a regressor (persistence {ly['coef'].iloc[0]:.2f}; with country effects it is biased by "
            f"an amount of order 1/T, T = {t}), TBI's coefficient is {ly_tbi['coef']:.2f} (p = {ly_tbi['pvalue']:.3f}): it "
            + ("survives the outcome's own dynamics." if ly_tbi["pvalue"] < 0.05 and ly_tbi["coef"] > 0 else "does not survive the outcome's own dynamics.")
        )
    ld, fd = _get(rows, "long difference", "ΔTBI"), _get(rows, "first difference", "ΔTBI")
    if ld is not None:
        out.append(
            f"Over the longest horizon (each country's first to last {period}), the change in KOF on the change in TBI is {ld['coef']:.2f} "
            f"(p = {ld['pvalue']:.3f}, robust SEs, {int(ld['nobs'])} countries)"
            + (f"; in first differences {fd['coef']:.2f} (p = {fd['pvalue']:.3f})." if fd is not None else ".")
        )
    loo = rows[(rows["check"] == "leave one out") & rows["coef"].notna()]
    if len(loo):
        lo, hi = loo.loc[loo["coef"].idxmin()], loo.loc[loo["coef"].idxmax()]
        flagged = loo[loo["note"].fillna("").astype(str) != ""]
        out.append(
            f"Influence: dropping one country at a time moves the estimate from {lo['coef']:.2f} ({lo['term']}) to {hi['coef']:.2f} ({hi['term']}); "
            + ("no single country changes its sign or its 5 % significance." if flagged.empty
               else "; ".join(f"dropping {r['term'].replace('without ', '')} {r['note']}" for _, r in flagged.iterrows()) + ".")
        )  # fmt: skip
    ri_y, ri_p = _get(rows, "randomization (within year)", "TBI"), _get(rows, "randomization (country paths)", "TBI")
    if ri_y is not None and ri_p is not None:
        both = _ri_passes(ri_y) and _ri_passes(ri_p)
        undefined = [r for r in (ri_y, ri_p) if pd.isna(r["pvalue"])]
        out.append(
            f"Randomization inference: reassigning TBI across countries within each year gives p {_p(ri_y)} and giving each country another's "
            f"whole TBI path p {_p(ri_p)}: "
            + ("an association this strong is rare when TBI is unrelated to KOF, and it does not rest on the clustered SEs." if both
               else "a scheme with so few admissible assignments cannot reject at 5 % whatever the data (" + str(undefined[0]["note"]) + ")." if undefined
               else "an association this strong is not rare when TBI is reassigned at random.")
        )
    size = _get(rows, "size", "1 within-country SD of TBI (outcome points)")
    if size is not None:
        note = str(size["note"])
        out.append(f"Size: one within-country standard deviation of TBI goes with {size['coef']:.2f} KOF index points ({note}).")
    if base is not None:
        out.append("**Verdict on " + release + "**: " + verdict(rows) + ".")
    return out


def verdict(rows: pd.DataFrame) -> str:
    """The overall verdict on one release's main specification (module docstring)."""
    release = str(rows["release"].iloc[0])
    base = _get(rows, "baseline", "TBI")
    if base is None or not (base["coef"] > 0 and base["pvalue"] < 0.05):
        return f"there is no robust positive association to read causally on {release}" + (
            f" (main estimate {base['coef']:.2f}, p = {base['pvalue']:.3f})" if base is not None else "")
    lead, lead_tbi = _get(rows, "lead", "F.TBI"), _get(rows, "lead", "TBI")
    if lead is not None and lead_tbi is not None and np.sign(lead["coef"]) == np.sign(lead_tbi["coef"]) and lead["pvalue"] < LEAD_P:
        return (f"the association cannot be read as an effect on {release}: the next period's TBI predicts today's KOF, so reverse causality "
                "or common trends are not ruled out")  # fmt: skip
    fragile = []
    for check in ("randomization (within year)", "randomization (country paths)"):
        r = _get(rows, check, "TBI")
        if r is not None and not _ri_passes(r):
            fragile.append(_ri_words(check, r))
    loo = rows[(rows["check"] == "leave one out") & rows["note"].fillna("").astype(str).str.contains("sign")]
    if len(loo):
        fragile.append("dropping " + ", ".join(t.replace("without ", "") for t in loo["term"]) + " flips the sign")
    ld = _get(rows, "long difference", "ΔTBI")
    if ld is not None and ld["coef"] < 0:
        fragile.append("the long difference has the opposite sign")
    if fragile:
        return f"the association is fragile on {release} ({'; '.join(fragile)})"
    return (f"the association passes the timing, influence and randomization checks on {release}: it is consistent with an effect, "
            "within what an observational panel can show")  # fmt: skip


def causal_section(checks: pd.DataFrame, releases: Sequence[str] | None = None) -> list[str]:
    """The report section (Markdown lines)."""
    order = list(releases) if releases is not None else list(dict.fromkeys(checks["release"]))
    lines = [
        "## Can the TBI effect be read causally?",
        "",
        "The paper reads its TBI coefficient as an effect. These are the checks a referee asks for next, on every release and "
        "each main specification ([referee_checks.csv](referee_checks.csv); `referee_checks` in workflow/config.yaml): the "
        "next period's TBI beside today's (a falsification test: under an effect without feedback the future cannot predict "
        "today's KOF) and the previous period's; the outcome's own dynamics (its lagged value, long and first differences); "
        "the influence of single countries; randomization inference under the sharp null that TBI affects no one (TBI "
        "permuted across countries within each year; whole country paths permuted); and the size of the effect. A period is a "
        "year, or a benchmark year on a release of benchmark years.",
        "",
        f"Rules: the next period's TBI *predicts* today's KOF when it has TBI's sign and clustered p < {LEAD_P:g} (\"as strongly as\" "
        f"when it is between {AS_STRONG:.0%} and {1 / AS_STRONG:.0%} of today's TBI beside it, \"more strongly than\" above); a country *matters* when dropping it changes the sign or "
        "the 5 % significance; the association *passes* randomization inference when both schemes give p < 0.05 (the statistic "
        "is TBI's clustered t, which keeps its size when a permuted TBI varies unlike the observed one). Each cell: TBI "
        "coefficient (clustered p; for the randomization columns the permutation p).",
        "",
        "![Leave one country out](figures/leave_one_out.png)",
        "",
    ]
    for release in order:
        mine = checks[checks["release"] == release]
        if mine.empty:
            continue
        main = mine[(mine["table"].astype(str) == MAIN[0]) & (mine["column"] == MAIN[1])]
        lines += [f"### {release} ({mine['years'].iloc[0]})", ""]
        table = release_table(mine)
        lines += [markdown_table(table, list(table.columns)), ""]
        if len(main):
            lines += [f"Main specification (Table {MAIN[0]} column {MAIN[1]}):", "", *[f"- {s}" for s in sentences(main)], ""]
    verdicts = [f"- **{r}**: {verdict(checks[(checks['release'] == r) & (checks['table'].astype(str) == MAIN[0]) & (checks['column'] == MAIN[1])])}."
                for r in order if len(checks[checks["release"] == r])]  # fmt: skip
    lines += ["### Verdict per release", "", *verdicts, ""]
    return lines
