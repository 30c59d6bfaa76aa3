"""The estimation panel for other tools: ``results/data/panel.dta`` (Stata, with variable labels) and
``results/data/panel.csv``, so that a replication can be checked in Stata or R without Python.

The ``.dta`` is written by pandas' :meth:`pandas.DataFrame.to_stata` (format 118: Stata 14 and later, UTF-8 labels),
with a label on every variable (:func:`variable_labels`, at most 80 characters as Stata requires) and a data label
naming the release, the KOF vintage and the years. Its time stamp is fixed (:data:`TIME_STAMP`), so that a rerun on the
same panel is byte-identical. In Stata::

    use results/data/panel.dta, clear
    xtset iso3_id year            // iso3_id: the country as a number (Stata's xtset needs one)
    xtreg KOFGIdj TBI RQ lnEXR TFP INFR lnCK lnGDP lnPOP i.year, fe vce(cluster iso3_id)

reproduces Table 3 column 3 (``results/estimates.csv``). In R: ``haven::read_dta("results/data/panel.dta")``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

#: The .dta's creation time stamp: fixed (the paper's issue month), so that reruns are byte-identical.
TIME_STAMP = dt.datetime(2021, 9, 1)
#: Stata's limit on a variable label.
MAX_LABEL = 80

KOF_LABELS = {
    "KOFGIdj": "overall",
    "KOFEcGIdj": "economic",
    "KOFTrGIdj": "trade",
    "KOFFiGIdj": "financial",
    "KOFPoGIdj": "political",
    "KOFSoGIdj": "social",
}
CONTROL_LABELS = {
    "RQ": "Regulatory quality, WGI estimate",
    "lnEXR": "ln exchange rate, national currency per USD",
    "TFP": "TFP level at current PPPs, USA = 1",
    "INFR": "CPI inflation, % per year",
    "lnCK": "ln capital stock, current PPPs, mil. 2011 USD",
    "lnGDP": "ln real GDP, constant national prices, mil. 2011 USD",
    "lnPOP": "ln population, millions",
}
FIXED_LABELS = {
    "iso3": "Country, ISO 3166-1 alpha-3 code",
    "iso3_id": "Country as a number (1, 2, ... in iso3 order), for xtset",
    "year": "Year",
    "group": "Country group: developed or developing (config sample.developed)",
    "TBI": "Trade Benefit Index: (VA exported - VA imported)/(VA exported + VA imported)",
    "TBI_DVA": "TBI from domestic value added in gross exports (KWW); empty for a flows release",
    "L_TBI": "TBI of the previous period (the 2SLS instrument)",
    "filled": "Controls linearly interpolated in this row (; separated)",
}


def _fit(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 3].rstrip() + "..."


def variable_labels(columns: Sequence[str], controls: Mapping[str, Mapping[str, str]] | None = None, lag: str = "") -> dict[str, str]:
    """A Stata variable label (≤ 80 characters) for every panel column: the control's source variable from ``controls``
    (config ``controls``), what the lag is (``lag``: the panel's metadata, e.g. ``TBI of the previous benchmark year
    (t-3)``)."""
    out = {}
    for c in columns:
        if c in KOF_LABELS or c.startswith("KOF"):
            text = f"KOF Globalisation Index, de jure, {KOF_LABELS.get(c, c)} (0-100)"
        elif c in (controls or {}) or c in CONTROL_LABELS:
            spec = (controls or {}).get(c, {})
            where = f" ({spec['source'].upper()} {spec['variable']})" if spec else ""
            text = CONTROL_LABELS.get(c, f"Control {c}") + where
        elif c == "L_TBI" and lag:
            text = f"{lag}: the 2SLS instrument"
        elif c == "F_TBI":
            text = "TBI of the next period of the release (the lead check)"
        elif c.startswith("L_KOF"):
            text = f"{c[2:]} of the previous period of the release (the lagged-outcome check)"
        else:
            text = FIXED_LABELS.get(c, c)
        out[c] = _fit(text)
    return out


def stata_frame(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel as Stata takes it: a numeric country id beside ``iso3`` (for ``xtset``), ``year`` as an integer."""
    out = panel.copy()
    codes = {c: i + 1 for i, c in enumerate(sorted(out["iso3"].unique()))}
    out.insert(1, "iso3_id", out["iso3"].map(codes).astype("int16"))
    out["year"] = out["year"].astype("int16")
    return out


def write_analysis_data(panel_path: str | Path, dta_out: str | Path, csv_out: str | Path, controls: Mapping[str, Mapping[str, str]] | None = None) -> pd.DataFrame:
    """``results/data/panel.dta`` and ``panel.csv`` from ``data/processed/panel.parquet`` (module docstring)."""
    from ..parquet import read_frame, read_metadata

    panel = read_frame(panel_path)
    meta = read_metadata(panel_path)
    frame = _write_dta(panel, dta_out, str(meta.get("release", "")), str(meta.get("kof_vintage", "")), controls, str(meta.get("lag", "")))
    frame.to_csv(csv_out, index=False, float_format="%.10g", lineterminator="\n")
    return frame


def _write_dta(
    panel: pd.DataFrame, dta_out: str | Path, release: str, kof_vintage: str, controls: Mapping[str, Mapping[str, str]] | None, lag: str
) -> pd.DataFrame:  # fmt: skip
    """The panel as Stata format 118 (:func:`stata_frame`), a label on every variable and a data label naming the
    release, the KOF vintage and the years; the frame written."""
    from ..release import period_step

    frame = stata_frame(panel)
    years = sorted(frame["year"].unique())
    span = f"{years[0]}-{years[-1]}" + ("" if period_step(years) == 1 else f" ({len(years)} benchmark years)")
    Path(dta_out).parent.mkdir(parents=True, exist_ok=True)
    frame.to_stata(dta_out, write_index=False, version=118, time_stamp=TIME_STAMP, data_label=_fit(f"TBI-KOF panel, {release}, KOF {kof_vintage}, {span}"),
                   variable_labels=variable_labels(list(frame.columns), controls, lag))  # fmt: skip
    return frame


def write_release_panel(panel: pd.DataFrame, dta_out: str | Path, release: str, kof_vintage: str, lag: str) -> pd.DataFrame:
    """A compared release's own panel (the one its row of ``estimates_by_release.csv`` is estimated on), with the
    previous and next period's TBI and the previous period's outcomes (``L_TBI``, ``F_TBI``, ``L_<outcome>``: the timing
    checks' regressors), as Stata format 118: what the second implementation in R and ``replicate.do`` read."""
    return _write_dta(panel, dta_out, release, kof_vintage, None, lag)


def dictionary_markdown(outcomes: Sequence[str], controls: Sequence[str]) -> str:
    """The data dictionary's section on the analysis data (docs/data_dictionary.md)."""
    columns = ["iso3", "iso3_id", "year", "group", "TBI", "TBI_DVA", "L_TBI", *outcomes, *controls, "filled"]
    labels = variable_labels(columns, lag="TBI of the previous year (t-1), or benchmark year (t-3)")
    lines = [
        "## Analysis data for Stata and R (`results/data/panel.dta`, `results/data/panel.csv`)",
        "",
        "The estimation panel of the configured release (`data/processed/panel.parquet`, schema `panel` below) written for other "
        "tools by the rule `analysis_data` (`tradeimbalance.outputs.analysis_data`): Stata format 118 (Stata 14 and later) with a "
        "label on every variable and a data label naming the release, the KOF vintage and the years, and the same columns as CSV. "
        "`iso3_id` numbers the countries for `xtset`. A control's label names its configured source variable; `L_TBI`'s label says "
        "what the lag is on the release (the previous year, or the previous benchmark year of a release of benchmark years).",
        "",
        "| variable | Stata label (default configuration) |",
        "|:---|:---|",
        *[f"| `{c}` | {labels[c]} |" for c in columns],
        "",
    ]
    return "\n".join(lines)
