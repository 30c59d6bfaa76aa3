"""The second implementation: the package's numbers re-estimated in R, and what the report says of it.

``src/R/second_implementation.R`` reads each compared release's analysis panel (``results/data/panel_<release>.dta``)
with ``haven`` and re-estimates, in its own code, every coefficient and SE of Tables 3–6 and the DVA columns with N and
the within R², both stages of the 2SLS with the Kleibergen–Paap and Cragg–Donald statistics, the referee checks (lead,
lag, lagged outcome, long and first differences, leave one out) and the causal checks (difference GMM with
``plm::pgmm``, the Conley–Hansen–Rossi intervals and breakdown δ, Cinelli–Hazlett, the TWFE weights). It writes
``results/checks/second_implementation.csv`` (:data:`COLUMNS`): one row per number, the package's value beside R's, their
absolute and relative difference, the tolerance and whether they agree.

:func:`run_second_implementation` runs it where R is installed with the packages it needs; where it is not, the file
holds one row saying so (``block`` ``not run``, the reason in ``note``), the log warns, and the report says the check
did not run: it never passes silently. An R error fails the job.
"""

from __future__ import annotations

import csv
import logging
import math
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the job that runs the check reads its result with the csv module: no pandas to import (0.4 s)
    import pandas as pd

log = logging.getLogger(__name__)

COLUMNS = [
    "block", "release", "table", "column", "depvar", "sample", "check", "term", "quantity", "package", "r", "abs_diff", "rel_diff", "tolerance",
    "pass", "note",
]  # fmt: skip
#: The Debian-packaged R libraries the check needs (r-cran-<name>).
R_PACKAGES = ("haven", "sandwich", "lmtest", "AER", "plm")
BLOCK_WORDS = {
    "tables": "Tables 3–6 and the DVA columns (two-way FE: coefficients, SEs, N, within R²)",
    "2sls": "the 2SLS (both stages, N, R², KP rk LM, KP rk Wald F, Cragg–Donald F)",
    "referee": "the referee checks (lead, lag, lagged outcome, long and first differences, leave one out)",
    "causal": "the causal checks (difference GMM, Conley–Hansen–Rossi, Cinelli–Hazlett, TWFE weights)",
}


def missing_r(packages: Sequence[str] = R_PACKAGES) -> str:
    """Why the R check cannot run here ("" when it can): no ``Rscript``, or the R packages it lacks. Whether a package is
    installed is looked up (``system.file``), not loaded: loading the five took 1.3 s, which the check itself pays again; a
    package installed but broken fails the check with R's own error."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "R is not installed (no Rscript on PATH; Debian: apt-get install r-base-core " + " ".join(f"r-cran-{p.lower()}" for p in packages) + ")"
    probe = "for (p in c(" + ", ".join(f'"{p}"' for p in packages) + ")) if (!nzchar(system.file(package = p))) cat(p, '\\n')"
    out = subprocess.run([rscript, "-e", probe], capture_output=True, text=True, timeout=120)
    lacking = out.stdout.split()
    if out.returncode != 0 or lacking:
        return f"R lacks the package(s) {', '.join(lacking) or '(the probe failed: ' + out.stderr.strip()[-200:] + ')'} (Debian: r-cran-<name>)"
    return ""


def run_second_implementation(
    code: str | Path, *, results: str | Path, out: str | Path, estimates: str | Path, referee: str | Path, causal: str | Path
) -> tuple[int, int]:
    """Run the R script on the run's files (or record why it cannot run) and write the comparison to ``out``; return the
    numbers compared and how many disagree (0, 0 when R cannot run)."""
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    why = missing_r()
    if why:
        import pandas as pd

        log.warning("second implementation not run: %s", why)
        frame = pd.DataFrame([{**{c: "" for c in COLUMNS}, "block": "not run", "pass": False, "note": why}], columns=COLUMNS)
        frame.to_csv(out, index=False, lineterminator="\n")
        return 0, 0
    cmd = [shutil.which("Rscript") or "Rscript", str(code), "--results", str(results), "--out", str(out), "--estimates", str(estimates),
           "--referee", str(referee), "--causal", str(causal)]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True)
    for line in (run.stdout + run.stderr).splitlines():
        (log.warning if line.startswith("DISAGREES") else log.info)("R: %s", line)
    if run.returncode != 0:
        raise RuntimeError(f"the second implementation in R failed ({' '.join(cmd)}, exit {run.returncode}):\n{run.stderr[-3000:]}")
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    bad = [r for r in rows if r["pass"].strip().upper() != "TRUE"]  # R writes TRUE and FALSE
    if bad:
        log.error("second implementation: %d of %d numbers disagree with R (the first: %s)", len(bad), len(rows),
                  "; ".join(f"{r['release']} {r['table']}.{r['column']} {r['check']} {r['term']} {r['quantity']}" for r in bad[:3]))  # fmt: skip
    else:
        gaps = [float(r["rel_diff"]) for r in rows if r["rel_diff"] not in ("", "NA")]
        log.info("second implementation: all %d numbers agree with R (largest relative gap %.2g)", len(rows), max(gaps, default=math.nan))
    return len(rows), len(bad)


def summary_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Per block: the numbers compared, how many agree, the largest absolute and relative gaps."""
    import pandas as pd

    done = frame[frame["block"] != "not run"]
    rows = []
    for block, g in done.groupby("block", sort=False):
        worst = g.loc[g["rel_diff"].idxmax()]
        rows.append({
            "what": BLOCK_WORDS.get(str(block), str(block)), "numbers": len(g), "agree": int(g["pass"].astype(bool).sum()),
            "largest relative gap": f"{g['rel_diff'].max():.1e}", "largest absolute gap": f"{g['abs_diff'].max():.1e}",
            "where": f"{worst['release']} {worst['table']}.{worst['column']} {worst['check']} {worst['term']} ({worst['quantity']})",
        })  # fmt: skip
    order = {k: i for i, k in enumerate(BLOCK_WORDS.values())}
    return pd.DataFrame(rows).sort_values("what", key=lambda s: s.map(lambda w: order.get(w, 99))) if rows else pd.DataFrame(rows)


def section(frame: pd.DataFrame | None) -> list[str]:
    """The report's section "Checked by a second implementation" (Markdown lines)."""
    from .comparison import markdown_table

    lines = ["## Checked by a second implementation", ""]
    if frame is None or frame.empty:
        return lines + ["The second implementation in R did not run in this workflow.", ""]
    if (frame["block"] == "not run").all():
        return lines + [f"**Not run:** {frame['note'].iloc[0]}. The numbers of this report are not checked by a second implementation here; "
                        "install R and its packages and rerun (`make reproduce`).", ""]  # fmt: skip
    done = frame[frame["block"] != "not run"]
    bad = done[~done["pass"].astype(bool)]
    releases = ", ".join(dict.fromkeys(done["release"].astype(str)))
    lines += [
        f"Every number below was estimated a second time, in R ([src/R/second_implementation.R](../src/R/second_implementation.R)), from the "
        f"analysis panel of each release ({releases}: `results/data/panel_<release>.dta`), with no Python between the panel and R's estimate, "
        f"and compared with the package's ([checks/second_implementation.csv](checks/second_implementation.csv)). "
        + (f"**All {len(done):,} agree** within the tolerance (1e-6 relative)." if bad.empty else
           f"**{len(bad):,} of {len(done):,} disagree** beyond the tolerance: the first are listed below, and the package's numbers there are in doubt."),
        "",
        markdown_table(summary_frame(done), ["what", "numbers", "agree", "largest relative gap", "largest absolute gap", "where"]),
        "",
    ]
    if len(bad):
        show = bad.head(10).assign(cell=lambda d: d["release"].astype(str) + " " + d["table"].astype(str) + "." + d["column"].astype(str))
        lines += [markdown_table(show, ["block", "cell", "check", "term", "quantity", "package", "r", "rel_diff"]), ""]
    lines += [
        "Where the conventions are chosen: two-way FE as Stata's `xtreg, fe vce(cluster iso3)` (`sandwich::vcovCL`, HC0 with the cluster "
        "adjustment G/(G−1), times (N−1)/(N−K), K the slopes, year dummies and constant, not the country effects; `_cons` = ȳ − x̄′b; the "
        "leave-one-out fits write that sandwich out on R's QR decomposition, checked against `lm` and `vcovCL` on each cell's full sample); the "
        "Kleibergen–Paap and Cragg–Donald statistics as `ivreg2` reports them with one instrument; difference GMM with `plm::pgmm` (which "
        "equals `xtabond2` for difference GMM); σ(average effect 0) as `twowayfeweights` computes it for a continuous treatment (the SD of the "
        "cells' weights weighted by their dose, divisor n − 1). Not re-derived in R: the system GMM (its instrument layout is `xtabond2`'s, "
        "which `plm::pgmm`'s system GMM does not share; it is tested against `xtabond2`'s published results), the simulated p-values "
        "(bootstraps, randomization tests, the curve's joint test) and σ(opposite sign).",
        "",
    ]
    return lines
