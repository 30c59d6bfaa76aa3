"""Comparing our regression estimates with the published ones, coefficient by coefficient.

Criteria per published coefficient (stated in every report):

* **sign**: same sign (a published 0 matches only 0);
* **stars**: the same number of significance stars (10/5/1 %);
* **within 10 %**: ``|ours − published| ≤ 0.10 · |published|``.

The published values are read from ``data/published`` (transcribed from the paper, as in
``../shared/paper``); nothing published is written in code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

REL_TOLERANCE = 0.10
KEY = ["table", "column", "variable"]


def criteria(coef: pd.Series, stars: pd.Series, coef_published: pd.Series, stars_published: pd.Series) -> dict[str, pd.Series]:
    """The three criteria of a coefficient against the published one: the same sign, the same stars, and within
    :data:`REL_TOLERANCE` of the published value; each False where either coefficient is missing."""
    have = coef.notna() & coef_published.notna()
    return {
        "sign_match": have & (np.sign(coef) == np.sign(coef_published)),
        "stars_match": have & (stars == stars_published),
        "within_10pct": have & ((coef - coef_published).abs() <= REL_TOLERANCE * coef_published.abs()),
    }


def compare_coefficients(estimates: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """One row per published coefficient with ours beside it and the three pass/fail criteria."""
    pub = published.assign(table=published["table"].astype(str))
    ours = estimates[estimates["stage"] == "second"].assign(table=lambda d: d["table"].astype(str))
    merged = pub.merge(ours[[*KEY, "coef", "se", "pvalue", "stars", "nobs"]], on=KEY, how="left", suffixes=("_published", "_ours"))
    computed = merged["coef_ours"].notna()
    merged["difference"] = merged["coef_ours"] - merged["coef_published"]
    merged["rel_difference"] = merged["difference"].abs() / merged["coef_published"].abs()
    for name, values in criteria(merged["coef_ours"], merged["stars_ours"], merged["coef_published"], merged["stars_published"]).items():
        merged[name] = values
    merged["status"] = np.where(~computed, "not_computed", np.where(merged["within_10pct"] & merged["stars_match"], "pass", "fail"))
    cols = [
        "table", "column", "depvar", "sample", "variable", "coef_published", "coef_ours", "difference", "rel_difference",
        "se_published", "se_ours", "stars_published", "stars_ours", "pvalue", "sign_match", "stars_match", "within_10pct", "status",
    ]  # fmt: skip
    return merged[cols].sort_values(["table", "column", "variable"], key=lambda s: s.map(_variable_order) if s.name == "variable" else s).reset_index(drop=True)


#: Columns :func:`with_published` adds.
PUBLISHED_COLUMNS = ["coef_published", "se_published", "stars_published", "sign_match", "stars_match", "within_10pct", "nobs_published", "r2_published"]


def with_published(estimates: pd.DataFrame, published: pd.DataFrame, published_stats: pd.DataFrame) -> pd.DataFrame:
    """``estimates`` (any release's rows: ``table, column, stage, variable, coef, stars``) with the published coefficient,
    its SE and stars beside every coefficient the paper publishes, the three criteria of this module (sign, stars,
    within 10 %), and the published N and R² of the column. Rows the paper does not publish (the 2SLS and DVA columns,
    a first stage) keep empty published cells and ``False`` criteria."""
    pub = published.assign(table=published["table"].astype(str), column=published["column"].astype(int))
    pub = pub[["table", "column", "variable", "coef", "se", "stars"]].rename(columns={"coef": "coef_published", "se": "se_published", "stars": "stars_published"})
    stats = published_stats.assign(table=published_stats["table"].astype(str), column=published_stats["column"].astype(int))
    stats = stats[["table", "column", "nobs", "r2"]].rename(columns={"nobs": "nobs_published", "r2": "r2_published"})
    out = estimates.assign(table=estimates["table"].astype(str), column=estimates["column"].astype(int))
    second = (out["stage"] == "second") if "stage" in out.columns else pd.Series(True, index=out.index)
    keyed = out[second].merge(pub, on=["table", "column", "variable"], how="left").merge(stats, on=["table", "column"], how="left")
    keyed.index = out.index[second]
    for c in PUBLISHED_COLUMNS[:3] + PUBLISHED_COLUMNS[6:]:
        out[c] = keyed[c]
    for name, values in criteria(out["coef"], out["stars"], out["coef_published"], out["stars_published"]).items():
        out[name] = values
    return out


def _with_merged_choices(curve: pd.DataFrame, dimensions: Sequence[str]) -> pd.DataFrame:
    """The curve with each distinct regression repeated under every choice it stands for (``stands_for``:
    ``country_set: configured = drop BGR instead of ROU``): a choice merged into another is the same regression."""
    if "stands_for" not in curve.columns:
        return curve
    parts = curve["stands_for"].fillna("").astype(str).str.split("; ").explode()
    parts = parts[parts != ""]
    if parts.empty:  # nothing merged
        return curve
    split = parts.str.partition(": ")
    extra = []
    for dim in dict.fromkeys(split[0]):
        if dim not in dimensions or dim not in curve.columns:
            continue
        alternatives = split.loc[split[0] == dim, 2].str.split(" = ").str[1:].explode().dropna()
        extra.append(curve.loc[alternatives.index].assign(**{dim: alternatives.to_numpy()}))
    return pd.concat([curve, *extra], ignore_index=True) if extra else curve


def curve_against_published(curve: pd.DataFrame, published: pd.DataFrame, defaults: Mapping[str, str], by: Sequence[str] = ("kof_vintage", "country_set")) -> pd.DataFrame:
    """The evidence of the specification curve for the unstated choices: per release and each combination of the choices
    ``by`` (the others at their configured value: ``defaults``), the 17 published TBI coefficients of Tables 3–6 against
    the curve's estimate of the same column — same sign, same stars (10/5/1 % by the curve's p, t(G − 1) as the tables),
    within 10 %. ``curve``: results/specification_curve.csv; ``published``: the published coefficients."""
    from ..econometrics.specifications import paper_specifications, stars

    pub = published[published["variable"] == "TBI"].assign(table=lambda d: d["table"].astype(str), column=lambda d: d["column"].astype(int))
    spec_of = {(s.table, s.column): s for s in paper_specifications() if s.estimator == "fe" and s.tbi == "TBI"}
    c = _with_merged_choices(curve, [*by, *defaults])
    for name, value in defaults.items():  # every other choice at its configured value (n/a where it does not apply)
        if name in c.columns and name not in (*by, "io_release", "outcome", "sample", "controls"):
            c = c[c[name].astype(str).isin([str(value), "n/a"])]
    keys = [k for k in ("io_release", *by) if k in c.columns]
    cells = pd.DataFrame([
        {"table": r.table, "column": r.column, "outcome": spec_of[(r.table, r.column)].depvar, "sample": spec_of[(r.table, r.column)].sample,
         "controls": "with" if spec_of[(r.table, r.column)].controls else "without", "coef_published": float(r.coef), "stars_published": int(r.stars)}
        for r in pub.itertuples(index=False) if (r.table, r.column) in spec_of
    ])  # fmt: skip
    est = c[[*keys, "outcome", "sample", "controls", "coef", "pvalue"]].drop_duplicates([*keys, "outcome", "sample", "controls"])
    m = est.merge(cells, on=["outcome", "sample", "controls"], how="inner")
    met = criteria(m["coef"], pd.Series(stars(m["pvalue"].to_numpy(float)), index=m.index), m["coef_published"], m["stars_published"])
    m["sign"], m["stars"], m["within_10pct"] = met["sign_match"], met["stars_match"], met["within_10pct"]
    m["sign_and_stars"] = m["sign"] & m["stars"]
    out = m.groupby(keys, sort=False).agg(estimated=("coef", "size"), sign=("sign", "sum"), stars=("stars", "sum"),
                                          sign_and_stars=("sign_and_stars", "sum"), within_10pct=("within_10pct", "sum")).reset_index()  # fmt: skip
    out.insert(len(keys), "published", len(pub))
    return out


def _variable_order(v: str) -> int:
    order = ["TBI", "RQ", "lnEXR", "TFP", "INFR", "lnCK", "lnGDP", "lnPOP", "const"]
    return order.index(v) if v in order else len(order)


def compare_column_stats(estimates: pd.DataFrame, published_stats: pd.DataFrame) -> pd.DataFrame:
    """N and R² per published column, ours beside them."""
    ours = estimates[(estimates["stage"] == "second") & (estimates["variable"] == "TBI")][["table", "column", "nobs", "r2"]]
    pub = published_stats.assign(table=published_stats["table"].astype(str))
    out = pub.merge(ours.assign(table=ours["table"].astype(str)), on=["table", "column"], how="left", suffixes=("_published", "_ours"))
    out["r2_difference"] = out["r2_ours"] - out["r2_published"]
    return out


def summary_lines(comparison: pd.DataFrame, tables: Sequence[str] | None = None) -> list[str]:
    """``Table 3: 20/22 signs, 12/22 stars, 6/22 within 10%`` for each table."""
    lines = []
    for table, g in comparison.groupby("table", sort=True):
        if tables is not None and str(table) not in tables:
            continue
        n = len(g)
        lines.append(f"Table {table}: {int(g['sign_match'].sum())}/{n} signs, {int(g['stars_match'].sum())}/{n} stars, {int(g['within_10pct'].sum())}/{n} within 10%")
    return lines


def _fmt(x: object, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{float(x):.{digits}f}"


def _numeric(values: pd.Series) -> bool:
    """A column of numbers (not booleans, not text): right-aligned."""
    present = [v for v in values if not (isinstance(v, float) and np.isnan(v)) and v is not None]
    return bool(present) and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)) for v in present)


def markdown_table(frame: pd.DataFrame, columns: Sequence[str], digits: int = 4) -> str:
    """A GitHub-flavoured Markdown table of ``frame[columns]``: numbers right-aligned, text left-aligned (the alignment
    row carries it into the HTML report)."""
    head = "| " + " | ".join(columns) + " |"
    sep = "|" + "|".join("---:" if _numeric(frame[c]) else ":---" for c in columns) + "|"
    body = ["| " + " | ".join(_fmt(v, digits) if not isinstance(v, str) else v for v in row) + " |" for row in frame[list(columns)].itertuples(index=False)]
    return "\n".join([head, sep, *body])


def coefficient_report(comparison: pd.DataFrame, stats: pd.DataFrame, context: str) -> str:
    """Markdown report of the coefficient comparison (Tables 3–6: every published coefficient, N and R²)."""
    lines = [
        "# Regression coefficients: ours against the published values",
        "",
        context,
        "",
        "Criteria: **sign** equal; **stars** equal (10/5/1 %, t with G − 1 df); **within 10 %**: |ours − published| ≤ 0.10 · |published|. "
        "A cell passes when it is within 10 % and has the same stars.",
        "",
        "## Summary",
        "",
        *[f"- {line}" for line in summary_lines(comparison)],
        "",
        "## Observations and R²",
        "",
        markdown_table(stats, ["table", "column", "depvar", "sample", "nobs_published", "nobs_ours", "r2_published", "r2_ours", "r2_difference"]),
        "",
        "## Every coefficient",
        "",
        markdown_table(
            comparison,
            ["table", "column", "depvar", "sample", "variable", "coef_published", "coef_ours", "rel_difference", "se_published", "se_ours", "stars_published", "stars_ours", "sign_match", "stars_match", "within_10pct"],
        ),
        "",
    ]
    return "\n".join(lines)
