"""The report's section "Can the TBI effect be read causally?": the referee checks (results/referee_checks.csv,
:mod:`tradeimbalance.econometrics.referee`) as a table per release, one plain sentence per check on the main
specification (Table 3 column 3), and an overall verdict per release.

The rules behind the sentences, stated in the report:

* **timing**: the next period's TBI *predicts* today's KOF when its coefficient has TBI's sign and a clustered p below
  0.10 (a falsification test: a lenient threshold, since failing to reject proves nothing); "as strongly as" when it is
  also at least 80 % as large as today's TBI beside it;
* **influence**: a country matters when its removal changes the sign or the 5 % significance of the estimate;
* **randomization**: TBI's association passes when both permutation schemes give p < 0.05;
* **dynamic panel GMM** (results/causal_checks.csv): TBI's effect *survives* when it is positive with p < 0.05 in a GMM
  whose AR(2) test does not reject (p ≥ 0.05: the lag-2 instruments are not invalidated); it *does not survive* when
  every estimable GMM with a passing AR(2) gives p ≥ 0.05 or a negative estimate;
* **imperfect instrument**: the 2SLS is *fragile* to a direct effect of the lagged TBI when its 95 % set (the union of
  intervals) contains zero for a direct effect below half the 2SLS coefficient (:data:`BREAKDOWN_SHARE`), or already
  without one;
* **omitted confounder**: the estimate is *fragile* when a confounder as strongly related to TBI and KOF as lnGDP or
  regulatory quality (1×) would leave it insignificant at 5 % (the adjusted OLS t, Cinelli & Hazlett's); the clustered-t
  version is reported beside it;
* **TWFE weights**: a diagnostic, not part of the verdict: how many cells carry negative weights and what heterogeneity
  would flip the sign;
* **verdict**: no robust association (the main estimate is not positive with clustered p < 0.05); cannot be read as an
  effect (the next period's TBI predicts today's KOF, or TBI's effect does not survive the dynamic panel GMM); fragile
  (a randomization p ≥ 0.05 or a test that cannot reject, a country that flips the sign, a long difference of the
  opposite sign, a 2SLS fragile to a direct effect of the instrument, or an estimate fragile to an omitted confounder as
  strong as an observed control); otherwise consistent with an effect, within what an observational panel can show.
  Every check that was run is listed for or against.
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
#: A 2SLS whose 95 % set reaches zero for a direct effect of the instrument below this share of its coefficient is fragile.
BREAKDOWN_SHARE = 0.5
#: The benchmark confounder (1× an observed control) of the omitted-variable verdict.
BENCHMARK_STRENGTH = 1


def _get(rows: pd.DataFrame, check: str, term: str) -> pd.Series | None:
    r = rows[(rows["check"] == check) & (rows["term"] == term)]
    return r.iloc[0] if len(r) and pd.notna(r["coef"].iloc[0]) else None


def _p_is(r: pd.Series) -> str:
    """``p = 0.004 (…)`` or ``p < 0.0005 (B = 1,999)``: the randomization p as a phrase."""
    text = _p(r)
    return f"p {text}" if text[:1] in ("<", "≤") else f"p = {text}"


def _ri_passes(r: pd.Series | None) -> bool:
    return r is not None and pd.notna(r["pvalue"]) and float(r["pvalue"]) < 0.05


def _ri_words(check: str, r: pd.Series) -> str:
    """Why a randomization scheme does not support the association: its p, or why it has none."""
    note = str(r.get("note", "") or "")
    if pd.isna(r["pvalue"]):
        return f"{check} cannot reject ({note.split(':')[0]})"
    why = next((part for part in note.split("; ") if "cannot reject" in part), "")
    if why:  # an exact p whose smallest attainable value exceeds 0.05
        return f"{check} cannot reject ({why.split(':')[0]}; exact {_p_is(r)})"
    return f"{check} {_p_is(r)}"


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
            f"Randomization inference: reassigning TBI across countries within each year gives {_p_is(ri_y)} and giving each country another's "
            f"whole TBI path {_p_is(ri_p)}: "
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


def _strong_get(strong: pd.DataFrame | None, check: str, term: str) -> pd.Series | None:
    if strong is None or strong.empty:
        return None
    r = strong[(strong["check"] == check) & (strong["term"] == term)]
    return r.iloc[0] if len(r) else None


def gmm_assessment(strong: pd.DataFrame | None) -> tuple[str, str]:
    """(``survives`` | ``does not survive`` | ``not computed`` | ``not run``, the words behind it) for one release's main
    specification (module docstring)."""
    if strong is None or strong.empty:
        return "not run", ""
    parts, verdicts = [], []
    for model in ("difference GMM", "system GMM"):
        tbi = _strong_get(strong, model, "TBI")
        if tbi is None:
            continue
        if pd.isna(tbi["coef"]):
            parts.append(str(tbi["note"]))
            continue
        ar2 = _strong_get(strong, model, "AR(2)")
        valid = ar2 is None or pd.isna(ar2["statistic_p"]) or float(ar2["statistic_p"]) >= 0.05
        holds = tbi["coef"] > 0 and tbi["pvalue"] < 0.05
        weak = ar2 is not None and "little power" in str(ar2.get("note", ""))
        parts.append(f"{model} {tbi['coef']:.2f} (p = {format_p(tbi['pvalue'])}" + (f"; AR(2) p = {ar2['statistic_p']:.2f}" if ar2 is not None else "")
                     + (", a test with little power on one or two pairs of periods per country" if weak else "")
                     + ("" if valid else ", which rejects the instruments") + ")")  # fmt: skip
        if valid:
            verdicts.append(holds)
    if not verdicts:
        return ("not computed" if parts else "not run"), "; ".join(dict.fromkeys(parts))
    return ("survives" if any(verdicts) else "does not survive"), "; ".join(dict.fromkeys(parts))


def verdict(rows: pd.DataFrame, strong: pd.DataFrame | None = None) -> str:
    """The overall verdict on one release's main specification (module docstring): the referee checks ``rows`` and the
    causal checks ``strong`` (results/causal_checks.csv, the same release and specification)."""
    release = str(rows["release"].iloc[0])
    base = _get(rows, "baseline", "TBI")
    if base is None or not (base["coef"] > 0 and base["pvalue"] < 0.05):
        return f"there is no robust positive association to read causally on {release}" + (
            f" (main estimate {base['coef']:.2f}, p = {base['pvalue']:.3f})" if base is not None else "")
    decisive, fragile, passed, missing = [], [], [], []
    lead, lead_tbi = _get(rows, "lead", "F.TBI"), _get(rows, "lead", "TBI")
    if lead is not None and lead_tbi is not None and np.sign(lead["coef"]) == np.sign(lead_tbi["coef"]) and lead["pvalue"] < LEAD_P:
        decisive.append("the next period's TBI predicts today's KOF, so reverse causality or common trends are not ruled out")
    elif lead is not None:
        passed.append("the next period's TBI does not predict today's KOF")
    status, words = gmm_assessment(strong)
    if status == "does not survive":
        decisive.append(f"TBI's effect does not survive the dynamic panel GMM ({words})")
    elif status == "survives":
        passed.append(f"TBI's effect survives the dynamic panel GMM ({words})")
    elif status == "not computed":
        missing.append(f"the dynamic panel GMM ({words.removeprefix('not computed: ').split(';')[0]})")
    for check in ("randomization (within year)", "randomization (country paths)"):
        r = _get(rows, check, "TBI")
        if r is not None and not _ri_passes(r):
            fragile.append(_ri_words(check, r))
        elif r is not None:
            passed.append(f"{check} {_p_is(r)}")
    loo = rows[(rows["check"] == "leave one out") & rows["note"].fillna("").astype(str).str.contains("sign")]
    if len(loo):
        fragile.append("dropping " + ", ".join(t.replace("without ", "") for t in loo["term"]) + " flips the sign")
    ld = _get(rows, "long difference", "ΔTBI")
    if ld is not None and ld["coef"] < 0:
        fragile.append("the long difference has the opposite sign")
    pe, zero = _strong_get(strong, "plausibly exogenous instrument", "breakdown δ (union of intervals)"), _strong_get(strong, "plausibly exogenous instrument", "2SLS (δ = 0)")
    if pe is not None and pd.notna(pe["coef"]):
        if float(pe["coef"]) == 0:
            fragile.append(f"the 2SLS interval contains zero even with an exogenous instrument ({zero['coef']:.2f}, [{zero['low']:.2f}, {zero['high']:.2f}])")
        elif float(pe["share"]) < BREAKDOWN_SHARE:
            fragile.append(f"the 2SLS loses significance if the lagged TBI affects KOF directly by {pe['share']:.2f} of the 2SLS coefficient (δ = {pe['coef']:.2f})")
        else:
            passed.append(f"the 2SLS keeps its significance for a direct effect of the lagged TBI up to {pe['share']:.2f} of its coefficient")
    if strong is not None and len(strong):
        bench = strong[(strong["check"] == "omitted-variable sensitivity") & strong["term"].str.startswith(f"{BENCHMARK_STRENGTH}× ") & strong["coef"].notna()]
        weak = bench[((bench["low"] <= 0) & (bench["high"] >= 0)) | (np.sign(bench["coef"]) != np.sign(base["coef"]))]  # its adjusted 95 % interval
        if len(weak):
            fragile.append("a confounder as strongly related to TBI and KOF as " + " or ".join(t.split("× ", 1)[1] for t in weak["term"])
                           + " would leave the estimate insignificant at 5 %")  # fmt: skip
        elif len(bench):
            passed.append("a confounder as strong as " + " or ".join(t.split("× ", 1)[1] for t in bench["term"]) + " would not explain it away")
    head = (f"the association cannot be read as an effect on {release}" if decisive else
            f"the association is fragile on {release}" if fragile else
            f"the association is consistent with an effect on {release}, within what an observational panel can show")  # fmt: skip
    against = [*decisive, *fragile]
    return (head + (f": {'; '.join(against)}" if against else "") + (f". In its favour: {'; '.join(passed)}" if passed else "")
            + (f". Not available on this release: {'; '.join(missing)}" if missing else ""))  # fmt: skip


def _cell(r: pd.Series | None, digits: int = 2) -> str:
    if r is None or pd.isna(r["coef"]):
        return "–"
    return f"{r['coef']:.{digits}f} ({format_p(r['pvalue'])})" if pd.notna(r.get("pvalue")) else f"{r['coef']:.{digits}f}"


def _breakdown(r: pd.Series | None) -> str:
    """A breakdown δ in words: "already at δ = 0" where the 2SLS interval contains zero without any direct effect."""
    if r is None or pd.isna(r["coef"]):
        return "–"
    if np.isinf(r["coef"]):
        return "∞"
    return "already at δ = 0" if r["coef"] == 0 else f"{r['coef']:.2f} ({r['share']:.2f})"


def strong_table(strong: pd.DataFrame) -> pd.DataFrame:
    """One row per specification of a release: each causal check's headline number (module docstring)."""
    rows = []
    for (table, column), g in strong.groupby(["table", "column"], sort=False):
        def get(check: str, term: str) -> pd.Series | None:
            return _strong_get(g, check, term)

        sys_ar2, sys_j = get("system GMM", "AR(2)"), get("system GMM", "Hansen J")
        pe = get("plausibly exogenous instrument", "breakdown δ (union of intervals)")
        rv = get("omitted-variable sensitivity", "RV q=1, α=0.05 (OLS t)")
        rv_cl = get("omitted-variable sensitivity", "RV q=1, α=0.05 (clustered t)")
        w = get("TWFE weights", "reference TBI = 0 (balanced trade)")
        rows.append({
            "spec": f"{table}.{column}", "outcome": g["depvar"].iloc[0], "sample": g["sample"].iloc[0],
            "diff. GMM TBI": _cell(get("difference GMM", "TBI")), "sys. GMM TBI": _cell(get("system GMM", "TBI")),
            "sys. GMM AR(2) p / Hansen p / instruments": (f"{sys_ar2['statistic_p']:.2f} / {sys_j['statistic_p']:.2f} / {int(sys_j['instruments'])}"
                                                          if sys_ar2 is not None and pd.notna(sys_ar2["statistic_p"]) else "–"),
            "2SLS breakdown δ at 95 % / 90 % (share)": " / ".join(_breakdown(r) for r in (pe, get("plausibly exogenous instrument", "breakdown δ (union of intervals, 90 %)"))),
            "RV α=0.05, OLS t / clustered t": "–" if rv is None else f"{100 * rv['share']:.1f} % / {100 * rv_cl['share']:.1f} %",
            "negative TWFE weights (sum)": "–" if w is None else f"{int(w['n_negative'])} of {int(w['n_positive'] + w['n_negative'])} ({w['sum_negative']:.3f})",
        })  # fmt: skip
    return pd.DataFrame(rows)


def strong_sentences(strong: pd.DataFrame) -> list[str]:
    """One plain sentence per causal check on one release's main specification."""
    out = []
    for model, what in (("difference GMM", "Arellano–Bond"), ("system GMM", "Blundell–Bond")):
        tbi = _strong_get(strong, model, "TBI")
        if tbi is None:
            continue
        if pd.isna(tbi["coef"]):
            out.append(f"Dynamic panel GMM ({what}): {tbi['note']}.")
            continue
        ly = strong[(strong["check"] == model) & strong["term"].str.startswith("L.")].iloc[0]
        lr, ar1, ar2, j = (_strong_get(strong, model, t) for t in ("long-run effect", "AR(1)", "AR(2)", "Hansen J"))
        out.append(
            f"Dynamic panel GMM ({what}, {model.split()[0]} GMM; {tbi['setting']}): TBI {tbi['coef']:.2f} (SE {tbi['se']:.2f}, p = {format_p(tbi['pvalue'])}) "
            f"beside the lagged outcome's {ly['coef']:.2f}; long-run effect "
            + (f"{lr['coef']:.2f} (SE {lr['se']:.2f})" if lr is not None and pd.notna(lr["coef"]) else "not defined (persistence ≥ 1)")
            + f"; AR(1) p = {ar1['statistic_p']:.3f}, AR(2) p = {ar2['statistic_p']:.3f} (the lag-2 instruments are "
            + ("not rejected" if ar2["statistic_p"] >= 0.05 else "rejected")
            + ("; " + str(ar2["note"]).split("; ", 1)[1] if "little power" in str(ar2.get("note", "")) else "")
            + f"); Hansen J {j['statistic']:.2f} (p = {j['statistic_p']:.3f}) "
            f"with {int(tbi['instruments'])} instruments for {int(tbi['nclusters'])} countries."
        )  # fmt: skip
    zero = _strong_get(strong, "plausibly exogenous instrument", "2SLS (δ = 0)")
    uci, ltz = (_strong_get(strong, "plausibly exogenous instrument", f"breakdown δ ({k})") for k in ("union of intervals", "local to zero"))
    if zero is not None and pd.notna(zero["coef"]) and uci is not None and ltz is not None:
        def how(r: pd.Series) -> str:
            return "never" if np.isinf(r["coef"]) else "already without one" if r["coef"] == 0 else f"once it may reach δ = {r['coef']:.2f} ({r['share']:.2f} of the 2SLS coefficient)"

        out.append(
            f"An imperfect instrument (Conley, Hansen & Rossi 2012): the 2SLS gives {zero['coef']:.2f} (95 % interval [{zero['low']:.2f}, {zero['high']:.2f}]). "
            f"If the lagged TBI also affected KOF directly, the 95 % set contains zero {how(uci)} when the direct effect is only bounded by ±δ, "
            f"and {how(ltz)} under the prior that it is normal with mean 0 and SD δ/2."
        )  # fmt: skip
    for kind in ("OLS t", "clustered t"):
        pr2, rv, rva = (_strong_get(strong, "omitted-variable sensitivity", f"{t} ({kind})") for t in ("partial R² of TBI", "RV q=1", "RV q=1, α=0.05"))
        if pr2 is None:
            continue
        text = (f"An omitted confounder (Cinelli & Hazlett 2020, with the {kind}{'' if kind == 'OLS t' else ', a heuristic'}): TBI explains "
                f"{100 * pr2['share']:.1f} % of the outcome's residual variance; a confounder explaining {100 * rv['share']:.1f} % of the residual variance "
                f"of both TBI and KOF would bring the estimate to zero, {100 * rva['share']:.1f} % would make it insignificant at 5 %")  # fmt: skip
        if kind == "OLS t":
            bench = strong[(strong["check"] == "omitted-variable sensitivity") & strong["r2dz"].notna()]
            if len(bench):
                text += "; confounders as strong as observed controls would leave " + ", ".join(
                    f"{b.term} {b.coef:.2f} (t {b.statistic:.1f}; clustered {b.statistic_clustered:.1f})" for b in bench.itertuples())
        out.append(text + ".")
    w0, wm = (_strong_get(strong, "TWFE weights", t) for t in ("reference TBI = 0 (balanced trade)", "reference: the sample minimum"))
    if w0 is not None and wm is not None:
        def sig(w: pd.Series) -> str:
            if pd.isna(w["sigma_ate_zero"]) and pd.isna(w["sigma_opposite_sign"]):
                return "σ measures not defined: " + str(w["note"]).split(": ", 1)[-1].split(", and")[0]
            return (f"σ(average effect 0) = {w['sigma_ate_zero']:.3f}; "
                    + (f"σ(opposite sign) = {w['sigma_opposite_sign']:.3f}" if pd.notna(w["sigma_opposite_sign"]) else "σ(opposite sign) not defined"))

        out.append(
            f"What two-way FE averages (de Chaisemartin & D'Haultfœuille 2020): the coefficient is a weighted sum of the country-year cells' own "
            f"effects; measured from TBI = 0 (balanced value-added trade), {int(w0['n_negative'])} of {int(w0['n_positive'] + w0['n_negative'])} weights are "
            f"negative (sum {w0['sum_negative']:.3f}; {sig(w0)}); measured from the sample minimum, {int(wm['n_negative'])} (sum {wm['sum_negative']:.3f}; "
            f"{sig(wm)}). A diagnostic: with negative weights, effects that differ across cells can pull the average away from every cell's own effect; "
            "σ(average effect 0) is how unequal the cells' effects would have to be (their SD) for the coefficient to coexist with an average "
            "effect of zero, σ(opposite sign) for it to have the opposite sign of every cell's effect; both assume a non-negative treatment, "
            "so neither is defined from TBI = 0, where deficit country-years have a negative treatment."
        )  # fmt: skip
    return out


def causal_section(checks: pd.DataFrame, releases: Sequence[str] | None = None, strong: pd.DataFrame | None = None) -> list[str]:
    """The report section (Markdown lines); ``strong``: results/causal_checks.csv (:mod:`tradeimbalance.econometrics.causal_checks`)."""
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
        "is TBI's clustered t, which keeps its size when a permuted TBI varies unlike the observed one; a scheme with fewer "
        "admissible assignments than draws is enumerated exactly, and one that cannot reject at 5 % at all is said so). Each "
        "cell: TBI coefficient (clustered p; for the randomization columns the permutation p).",
        "",
        "![Leave one country out](figures/leave_one_out.png)",
        "",
    ]
    if strong is not None and len(strong):
        lines += [
            "**Four further questions** ([causal_checks.csv](causal_checks.csv); `causal_checks` in workflow/config.yaml). *Dynamics with "
            "feedback*: if KOF is persistent and feeds back into TBI, a regression with the lagged outcome is biased and TBI is not "
            "exogenous; the Arellano–Bond and Blundell–Bond GMM estimators instrument both by their own earlier values (two-step, "
            "Windmeijer SEs, collapsed instruments, fewer instruments than countries; AR(2) checks the instruments). *An imperfect "
            "instrument*: the paper's 2SLS assumes the lagged TBI affects KOF only through today's TBI; Conley, Hansen and Rossi's "
            "bounds show how large a direct effect may be before the 2SLS result goes. *An omitted confounder*: Cinelli and "
            "Hazlett's robustness value says how much of the residual variance of both TBI and KOF an unobserved variable would "
            "have to explain to remove the estimate, compared with observed controls (lnGDP, regulatory quality). *What two-way FE "
            "averages*: with a treatment that changes in every cell, the coefficient weights the cells' own effects, some "
            "negatively (de Chaisemartin and D'Haultfœuille).",
            "",
            f"Rules: TBI's effect *survives* the GMM when it is positive with p < 0.05 in a GMM whose AR(2) test does not reject; "
            f"the 2SLS is *fragile* to a direct effect when its 95 % set reaches zero below {BREAKDOWN_SHARE:g} of its coefficient; "
            f"the estimate is *fragile* to a confounder when one {BENCHMARK_STRENGTH}× as strong as lnGDP or regulatory quality leaves "
            "it insignificant at 5 % (Cinelli–Hazlett's algebra uses the OLS t; the clustered-t version is shown beside it as a "
            "heuristic). The TWFE weights are a diagnostic, not part of the verdict.",
            "",
            "![If the lagged TBI affected KOF directly](figures/plausibly_exogenous.png)",
            "",
            "![Omitted-variable sensitivity](figures/sensitivity_contours.png)",
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
        own = strong[strong["release"] == release] if strong is not None and len(strong) else None
        if own is not None and len(own):
            st = strong_table(own)
            lines += [markdown_table(st, list(st.columns)), ""]
        if len(main):
            own_main = own[(own["table"].astype(str) == MAIN[0]) & (own["column"] == MAIN[1])] if own is not None and len(own) else None
            sents = sentences(main)
            extra = strong_sentences(own_main) if own_main is not None and len(own_main) else []
            sents = [*sents[:-1], *extra, sents[-1]] if sents and sents[-1].startswith("**Verdict") else [*sents, *extra]
            if sents and sents[-1].startswith("**Verdict"):
                sents[-1] = "**Verdict on " + release + "**: " + verdict(main, own_main) + "."
            lines += [f"Main specification (Table {MAIN[0]} column {MAIN[1]}):", "", *[f"- {s}" for s in sents], ""]
    verdicts = []
    for r in order:
        mine = checks[(checks["release"] == r) & (checks["table"].astype(str) == MAIN[0]) & (checks["column"] == MAIN[1])]
        if not len(checks[checks["release"] == r]):
            continue
        own = (strong[(strong["release"] == r) & (strong["table"].astype(str) == MAIN[0]) & (strong["column"] == MAIN[1])]
               if strong is not None and len(strong) else None)  # fmt: skip
        verdicts.append(f"- **{r}**: {verdict(mine, own)}.")
    lines += ["### Verdict per release", "", "Each weighs every check on the main specification, the timing test and the dynamic panel GMM included.", "", *verdicts, ""]
    return lines
