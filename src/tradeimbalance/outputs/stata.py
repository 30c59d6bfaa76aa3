"""``results/replicate.do``: the paper's regressions for Stata users, written from the same specification table the
package estimates from (:func:`tradeimbalance.econometrics.specifications.paper_specifications`), so that a column of
the do-file cannot drift from the package's.

It runs on the configured release's analysis panel (``results/data/panel_<release>.dta``: the panel with the timing
checks' regressors) and covers Tables 3–6 and the DVA columns (``xtreg …, fe vce(cluster iso3_id)``), the 2SLS
(``ivreghdfe`` with the Kleibergen–Paap and Cragg–Donald statistics), the timing checks (lead, lag, lagged outcome) and
the dynamic panel GMM (``xtabond2`` with the package's options). **It has not been run by the package**: Stata is not
available where the package is built and tested. The second implementation that *was* run is the R one
(``src/R/second_implementation.R``, :mod:`.second_implementation`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..econometrics.specifications import Specification

#: What each sample is in Stata.
SAMPLE_CONDITIONS = {"all": "", "developed": 'if group == "developed"', "developing": 'if group == "developing"'}


def _name(spec: Specification) -> str:
    return f"t{spec.table}_{spec.column}"


def regression_line(spec: Specification, controls: Sequence[str]) -> str:
    """The Stata command of one column of the paper (its outcome, regressors and sample condition)."""
    x = " ".join(controls) if spec.controls else ""
    cond = SAMPLE_CONDITIONS[spec.sample]
    tail = (" " + cond) if cond else ""
    if spec.estimator == "2sls":
        return (f"eststo {_name(spec)}: ivreghdfe {spec.depvar} {x} ({spec.tbi} = {spec.instrument}){tail}, absorb(iso3_id year) "
                "cluster(iso3_id) first  // KP rk LM, KP rk Wald F and Cragg-Donald F in the header").replace("  ", " ")  # fmt: skip
    return f"eststo {_name(spec)}: xtreg {spec.depvar} {spec.tbi} {x} i.year{tail}, fe vce(cluster iso3_id)".replace("  ", " ")


def do_file(
    specs: Sequence[Specification], controls: Sequence[str], release: str, timing: Sequence[Specification], gmm_lags: tuple[int, int],
    settings: Mapping[str, str] | None = None, step: int = 1,
) -> str:  # fmt: skip
    """The do-file (module docstring). ``timing``: the columns of the timing checks and the GMM (config
    ``referee_checks.specifications``); ``gmm_lags``: the GMM instruments' lags; ``step``: the years between two
    periods of the release (3 for benchmark years: ``xtset …, delta(3)``, so that ``L.`` is the previous period)."""
    lo, hi = gmm_lags
    ctl = " ".join(controls)
    lines = [
        "* replicate.do: the paper's regressions in Stata, written by the tradeimbalance workflow from the specification table the",
        "* package estimates from (tradeimbalance.econometrics.specifications), for the release " + release + ".",
        "* NOT RUN by the package: Stata is not available where the package is built and tested. The second implementation that",
        "* was run is in R (src/R/second_implementation.R; results/checks/second_implementation.csv).",
        *(f"* {k}: {v}" for k, v in (settings or {}).items()),
        "* Needs: ssc install estout, ivreghdfe (with reghdfe, ftools, ivreg2, ranktest), xtabond2.",
        "* Run from results/:  cd results  then  do replicate.do",
        "",
        "version 14",
        "clear all",
        "set more off",
        f'use "data/panel_{release}.dta", clear',
        "xtset iso3_id year" + (f", delta({step})" if step != 1 else ""),
        f"global controls {ctl}",
        "",
    ]
    by_table: dict[str, list[Specification]] = {}
    for s in specs:
        by_table.setdefault(s.table, []).append(s)
    titles = {"2sls": "2SLS: TBI instrumented by the previous period's TBI (L_TBI)", "dva": "DVA robustness: the TBI from domestic value added in exports"}
    for table, group in by_table.items():
        lines += [f"* ---- {titles.get(table, 'Table ' + table)}", "eststo clear"]
        lines += [regression_line(s, controls) for s in group]
        keep = "TBI_DVA" if table == "dva" else "TBI"
        lines += [f"esttab {' '.join(_name(s) for s in group)}, b(4) se(4) star(* 0.10 ** 0.05 *** 0.01) r2 keep({keep} {ctl} _cons)", ""]
    lines += ["* ---- timing checks: the next and the previous period's TBI, the lagged outcome (Nickell bias: see the report)"]
    for s in timing:
        cond = SAMPLE_CONDITIONS[s.sample]
        x = ctl if s.controls else ""
        for extra, what in (("F_TBI", "lead"), ("L_TBI", "lag"), (f"L_{s.depvar}", "lagged outcome")):
            lines.append(f"xtreg {s.depvar} TBI {extra} {x} i.year {cond}, fe vce(cluster iso3_id)  // Table {s.table} col {s.column}: {what}".replace("  ", " "))
    lines += ["", f"* ---- dynamic panel GMM (two-step, Windmeijer SEs; L.y and TBI endogenous, instrumented by their lags {lo}-{hi}, collapsed;",
              "*      the controls and year dummies as their own instruments). The package drops a year dummy the design makes redundant",
              "*      and demeans by year instead of dummies where the instruments would reach the number of countries (see its setting column).",
              "tabulate year, generate(yr)", "drop yr1"]  # fmt: skip
    for s in timing:
        cond = SAMPLE_CONDITIONS[s.sample]
        x = ctl if s.controls else ""
        for model, opt in (("difference", " noleveleq"), ("system", "")):
            lines.append(f"xtabond2 {s.depvar} L.{s.depvar} TBI {x} yr* {cond}, gmm({s.depvar}, lag({lo} {hi}) collapse) gmm(TBI, lag({lo} {hi}) collapse) "
                         f"iv({x} yr*) twostep robust{opt} // Table {s.table} col {s.column}: {model} GMM".replace("  ", " ").replace("iv( yr*)", "iv(yr*)"))  # fmt: skip
    lines.append("")
    return "\n".join(lines)
