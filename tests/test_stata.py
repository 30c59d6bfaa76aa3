"""replicate.do is written from the package's own specification table: every column of the paper is in it with its
outcome, regressors and sample condition, and it says it was not run."""

from __future__ import annotations

from tradeimbalance.econometrics.specifications import paper_specifications
from tradeimbalance.outputs.stata import SAMPLE_CONDITIONS, do_file

CONTROLS = ["RQ", "lnEXR", "TFP", "INFR", "lnCK", "lnGDP", "lnPOP"]


def test_every_column_of_the_paper_is_in_the_do_file_with_its_outcome_regressors_and_sample() -> None:
    specs = paper_specifications()
    timing = [s for s in specs if (s.table, s.column) in {("3", 3), ("4", 4)}]
    text = do_file(specs, CONTROLS, "wiod2013", timing, (2, 3))
    lines = text.splitlines()
    for s in specs:
        line = next((ln for ln in lines if ln.startswith(f"eststo t{s.table}_{s.column}:")), None)
        assert line is not None, (s.table, s.column)
        words = line.replace("(", " ").replace(")", " ").replace("=", " ").replace(",", " ").split()
        assert s.depvar in words and s.tbi in words
        assert all(c in words for c in CONTROLS) == s.controls
        assert (SAMPLE_CONDITIONS[s.sample] in line) if s.sample != "all" else "if group" not in line
        if s.estimator == "2sls":
            assert "ivreghdfe" in line and s.instrument in words and "cluster(iso3_id)" in line
        else:
            assert "xtreg" in line and "fe vce(cluster iso3_id)" in line and "i.year" in words
    for s in timing:
        for extra in ("F_TBI", "L_TBI", f"L_{s.depvar}"):
            assert any(extra in ln and ln.startswith(f"xtreg {s.depvar} TBI") for ln in lines)
        assert sum(ln.startswith(f"xtabond2 {s.depvar} L.{s.depvar} TBI") and f"col {s.column}" in ln for ln in lines) == 2
    assert "NOT RUN by the package" in text and 'use "data/panel_wiod2013.dta"' in text and "xtset iso3_id year\n" in text


def test_a_release_of_benchmark_years_sets_its_period_for_the_lag_operator() -> None:
    text = do_file(paper_specifications(skip={"dva"}), CONTROLS, "wiod2016_flows", [], (2, 3), step=3)
    assert "xtset iso3_id year, delta(3)" in text and "eststo tdva" not in text
