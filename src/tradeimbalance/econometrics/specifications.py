"""The paper's regressions as data: which columns its tables report, and the conventions named in config.

Kept apart from :mod:`tradeimbalance.econometrics.estimation` (which loads linearmodels), so that the tables,
the report and the specification curve can name the paper's columns without loading an estimation library.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SAMPLES = ("all", "developed", "developing")


def stars(pvalue: float | np.ndarray) -> np.ndarray:
    """Significance stars as the paper's tables print them: 3 if p < 0.01, 2 if p < 0.05, 1 if p < 0.10, else 0."""
    p = np.asarray(pvalue, dtype=float)
    return (p < 0.10).astype(int) + (p < 0.05).astype(int) + (p < 0.01).astype(int)


@dataclass(frozen=True)
class Specification:
    """One column of one of the paper's tables."""

    table: str  # "3" … "6", "2sls", "dva"
    column: int
    depvar: str
    sample: str  # all | developed | developing
    controls: bool
    tbi: str = "TBI"  # panel column used as the TBI regressor (TBI_DVA in the DVA robustness table)
    estimator: str = "fe"  # fe | 2sls
    instrument: str | None = None  # panel column of the excluded instrument (2sls)


def paper_specifications(
    outcomes_main: Sequence[str] = ("KOFGIdj", "KOFEcGIdj"), outcomes_sub: Sequence[str] = ("KOFTrGIdj", "KOFFiGIdj", "KOFPoGIdj"), skip: Iterable[str] = ()
) -> list[Specification]:
    """Every regression the paper reports (Tables 3–6) plus its two robustness checks.

    Table 3: both main outcomes on the full sample without, then with controls.
    Table 4: developed (cols 1–2) and developing (cols 3–4), with controls.
    Table 5: the three sub-indices, full sample. Table 6: developed (1–3), developing (4–6).
    ``2sls`` and ``dva``: the four Table 3 columns, TBI instrumented by its lag (the previous period's TBI) / replaced by
    the DVA-based TBI. ``skip``: tables the release cannot give (:attr:`tradeimbalance.release.Release.skipped_tables`).
    """
    g, e = outcomes_main
    table3 = [(g, False), (e, False), (g, True), (e, True)]
    specs = [Specification("3", i + 1, d, "all", c) for i, (d, c) in enumerate(table3)]
    specs += [Specification("4", i + 1, d, s, True) for i, (s, d) in enumerate([("developed", g), ("developed", e), ("developing", g), ("developing", e)])]
    specs += [Specification("5", i + 1, d, "all", True) for i, d in enumerate(outcomes_sub)]
    specs += [Specification("6", i + 1, d, s, True) for i, (s, d) in enumerate([(s, d) for s in ("developed", "developing") for d in outcomes_sub])]
    specs += [Specification("2sls", i + 1, d, "all", c, estimator="2sls", instrument="L_TBI") for i, (d, c) in enumerate(table3)]
    specs += [Specification("dva", i + 1, d, "all", c, tbi="TBI_DVA") for i, (d, c) in enumerate(table3)]
    skipped = set(skip)
    return [s for s in specs if s.table not in skipped]


#: Degrees-of-freedom conventions of the Cragg–Donald F (config ``iv.cragg_donald_dof``).
CD_DOF_CONVENTIONS: dict[str, str] = {
    "ivreghdfe": "ivreghdfe degrees of freedom (the country effects, nested in the clusters, are not counted)",
    "xtivreg2": "xtivreg2, fe degrees of freedom (the country effects are counted: dofminus = number of countries)",
}


def cd_dof_description(conventions: pd.Series) -> str:
    """The Cragg–Donald conventions a diagnostics column ``cd_dof`` names, described (``; ``-joined, sorted)."""
    return "; ".join(CD_DOF_CONVENTIONS.get(c, c) for c in sorted(set(conventions.dropna().astype(str))))


def sample_rows(panel: pd.DataFrame, sample: str) -> pd.DataFrame:
    """The panel rows of one sample: all, or the developed / developing group."""
    if sample not in SAMPLES:
        raise ValueError(f"unknown sample {sample!r}: expected one of {SAMPLES}")
    return panel if sample == "all" else panel[panel["group"] == sample]
