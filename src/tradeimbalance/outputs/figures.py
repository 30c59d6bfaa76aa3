"""Figure 1 of the paper: the KOF de jure globalisation indices of developed and developing countries, 2000–2014.

The paper's Figure 1 ("2000—2014 年全球化指数变动趋势") plots, year by year,
the mean over developed and the mean over developing countries of the KOF
Globalisation Index, de jure: overall (``KOFGIdj``) and economic
(``KOFEcGIdj``).

* :func:`group_means` turns a long country-year panel into the tidy table of
  group means that is plotted (and written next to the figure as its CSV twin);
* :func:`figure1` draws the two panels;
* :func:`specification_curve_figure` draws the specification curve of
  ``results/specification_curve.csv``;
* :func:`save_figure` writes the PNG and the PDF byte-identically on every
  run, atomically.

Plotting uses matplotlib's object API (:class:`matplotlib.figure.Figure` with a
:class:`~matplotlib.backends.backend_agg.FigureCanvasAgg` canvas): no pyplot
state is touched and the process-wide backend is never switched, so the module
works whether or not pyplot was imported before, with or without a display.
The figure is drawn and saved under matplotlib's default style plus
:data:`RC`, so a user's ``matplotlibrc`` cannot change the output.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import matplotlib
import matplotlib.style
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: The two country groups, in plotting (and sorting) order.
GROUPS: tuple[str, ...] = ("developed", "developing")
#: The indices of Figure 1 and their default panel titles, in panel order.
PANEL_TITLES: dict[str, str] = {
    "KOFGIdj": "(a) Overall globalisation, de jure (KOFGIdj)",
    "KOFEcGIdj": "(b) Economic globalisation, de jure (KOFEcGIdj)",
}
#: The years of Figure 1.
FIGURE1_YEARS: tuple[int, int] = (2000, 2014)
#: Columns of :func:`group_means`'s output, in order.
MEANS_COLUMNS: tuple[str, ...] = ("year", "group", "index", "mean", "n_countries")
#: Line style per group: developed solid with circles, developing dashed with squares.
GROUP_STYLE: dict[str, dict[str, object]] = {
    "developed": {"color": "#1f4e79", "linestyle": "-", "marker": "o"},
    "developing": {"color": "#c0504d", "linestyle": "--", "marker": "s"},
}
#: Resolution of the PNG.
PNG_DPI = 200
#: Settings applied on top of matplotlib's default style when drawing and saving.
#: ``svg.hashsalt`` fixes the ids of SVG output; ``pdf.fonttype`` 42 embeds
#: TrueType subsets (editable text) and ``pdf.compression`` is zlib's
#: deterministic level 6.
RC: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9.0,
    "legend.fontsize": 8.5,
    "lines.linewidth": 1.6,
    "lines.markersize": 4.5,
    "svg.hashsalt": "tradeimbalance-figure1",
    "pdf.fonttype": 42,
    "pdf.compression": 6,
    "path.simplify": True,
}
#: Document metadata: no creation or modification date, fixed producer, so reruns are byte-identical.
PDF_METADATA: dict[str, str | None] = {
    "Creator": "tradeimbalance",
    "Producer": f"matplotlib {matplotlib.__version__}",
    "CreationDate": None,
    "ModDate": None,
}
PNG_METADATA: dict[str, str | None] = {"Software": None}

#: How many offending items an error message lists before "and N more".
_SHOW = 8


def group_means(
    panel: pd.DataFrame,
    *,
    indices: Sequence[str],
    group_col: str = "group",
    years: tuple[int, int],
) -> pd.DataFrame:
    """Year-by-year mean of each index over the developed and over the developing countries.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long country-year panel with columns ``iso3``, ``year``, ``group_col``
        (``"developed"`` or ``"developing"``) and the index columns. Rows
        outside ``years`` are ignored (but still checked for duplicates and
        for countries classified in both groups).
    indices : sequence of str
        The index columns to average, e.g. ``("KOFGIdj", "KOFEcGIdj")``.
    group_col : str, default ``"group"``
        The column holding each country's group.
    years : tuple of int
        First and last year, inclusive.

    Returns
    -------
    pandas.DataFrame
        One row per index, group and year, sorted in that order (indices as
        given, groups as in :data:`GROUPS`, years ascending), with columns
        ``year`` (int64), ``group`` (str), ``index`` (str), ``mean`` (float64)
        and ``n_countries`` (int64, the countries averaged), and a fresh
        ``RangeIndex``.

    Raises
    ------
    ValueError
        When a column is missing, ``indices`` is empty or repeats a name, an
        index column is not numeric, ``iso3``/``year``/``group_col`` has empty
        values, a year is not an integer, a group is neither ``"developed"``
        nor ``"developing"``, an ``iso3``–``year`` pair is duplicated, a country
        appears in both groups, an index is NaN in a selected year, or a group
        has no country in a selected year. The message names the column and
        the countries and years concerned. Nothing is dropped silently.
    """
    first, last = _check_years(years)
    indices = list(indices)
    if not indices:
        raise ValueError("group_means: `indices` is empty; name at least one index column")
    repeated = sorted({c for c in indices if indices.count(c) > 1})
    if repeated:
        raise ValueError(f"group_means: `indices` names {_listing(repeated, quote=True)} more than once")
    required = ["iso3", "year", group_col, *indices]
    missing = [c for c in required if c not in panel.columns]
    if missing:
        raise ValueError(
            f"group_means: panel lacks column(s) {_listing(missing, quote=True)} (has {_listing(panel.columns, quote=True)})"
        )
    for column in indices:
        if not (pd.api.types.is_numeric_dtype(panel[column]) and not pd.api.types.is_bool_dtype(panel[column])):
            raise ValueError(f"group_means: index column {column!r} is not numeric (dtype {panel[column].dtype})")
    for column in ("iso3", "year", group_col):
        empty = panel[column].isna()
        if empty.any():
            rows = [str(i) for i in panel.index[empty]]
            raise ValueError(f"group_means: column {column!r} is empty in {int(empty.sum())} row(s) (index {_listing(rows)})")

    frame = panel[["iso3", "year", group_col, *indices]].copy()
    frame["year"] = _integer_years(frame["year"])
    frame["iso3"] = frame["iso3"].astype(str)
    frame[group_col] = frame[group_col].astype(str)

    unknown = ~frame[group_col].isin(GROUPS)
    if unknown.any():
        bad = frame.loc[unknown]
        values = sorted(bad[group_col].unique())
        countries = sorted(bad["iso3"].unique())
        raise ValueError(
            f"group_means: column {group_col!r} has value(s) {_listing(values, quote=True)} (countries {_listing(countries)}); "
            f"expected only {_listing(GROUPS, quote=True)}"
        )
    duplicated = frame.duplicated(["iso3", "year"], keep=False)
    if duplicated.any():
        pairs = sorted({f"{c} {y}" for c, y in zip(frame.loc[duplicated, "iso3"], frame.loc[duplicated, "year"], strict=True)})
        raise ValueError(f"group_means: duplicated iso3-year pair(s) {_listing(pairs)} (columns 'iso3', 'year')")
    groups_per_country = frame.groupby("iso3")[group_col].unique()
    both = groups_per_country[groups_per_country.map(len) > 1]
    if len(both):
        detail = [f"{c} ({', '.join(sorted(g))})" for c, g in both.items()]
        raise ValueError(f"group_means: countr(ies) in more than one group of column {group_col!r}: {_listing(detail)}")

    selected = frame[frame["year"].between(first, last)]
    for column in indices:
        nan = selected[column].isna()
        if nan.any():
            pairs = [
                f"{c} {y}" for c, y in selected.loc[nan, ["iso3", "year"]].sort_values(["iso3", "year"]).itertuples(index=False)
            ]
            raise ValueError(
                f"group_means: column {column!r} is NaN for {len(pairs)} country-year(s) in {first}–{last}: {_listing(pairs)}"
            )
    wanted = range(first, last + 1)
    for group in GROUPS:
        present = set(selected.loc[selected[group_col] == group, "year"])
        absent = [str(y) for y in wanted if y not in present]
        if absent:
            raise ValueError(f"group_means: group {group!r} (column {group_col!r}) has no country in year(s) {_listing(absent)}")

    long = selected.melt(id_vars=["iso3", "year", group_col], value_vars=indices, var_name="index", value_name="value")
    stats = long.groupby(["index", group_col, "year"], sort=False)["value"].agg(["mean", "count"]).reset_index()
    out = pd.DataFrame(
        {
            "year": stats["year"].to_numpy(dtype=np.int64),
            "group": stats[group_col].astype(str).to_numpy(dtype=object),
            "index": stats["index"].astype(str).to_numpy(dtype=object),
            "mean": stats["mean"].to_numpy(dtype=np.float64),
            "n_countries": stats["count"].to_numpy(dtype=np.int64),
        }
    )
    order = pd.DataFrame(
        {
            "i": out["index"].map({c: k for k, c in enumerate(indices)}),
            "g": out["group"].map({g: k for k, g in enumerate(GROUPS)}),
            "y": out["year"],
        }
    )
    out = out.loc[order.sort_values(["i", "g", "y"], kind="stable").index].reset_index(drop=True)
    out["group"] = out["group"].astype(str)
    out["index"] = out["index"].astype(str)
    return out[list(MEANS_COLUMNS)]


def figure1(means: pd.DataFrame, *, titles: Mapping[str, str] | None = None) -> Figure:
    """Draw Figure 1: one panel per index (``KOFGIdj``, ``KOFEcGIdj``), one line per group.

    Parameters
    ----------
    means : pandas.DataFrame
        The output of :func:`group_means` for (at least) the indices of
        :data:`PANEL_TITLES`; other indices are ignored.
    titles : mapping of str to str, optional
        Panel titles by index, replacing those of :data:`PANEL_TITLES` for the
        indices it names.

    Returns
    -------
    matplotlib.figure.Figure
        A figure with an Agg canvas and two axes side by side. In each, x is
        the year (integer ticks: every year up to 10 years, every 2 years
        beyond), y the group mean; developed countries are a solid line with
        circles, developing countries a dashed line with squares, labelled
        ``"developed"`` and ``"developing"`` in the legend.

    Raises
    ------
    ValueError
        When ``means`` lacks a column, an index of the figure or a group, has
        NaN means, repeats an index–group–year, or the two groups of an index
        do not cover the same years.
    """
    missing = [c for c in MEANS_COLUMNS if c not in means.columns]
    if missing:
        raise ValueError(f"figure1: means lacks column(s) {_listing(missing, quote=True)}")
    titles = {**PANEL_TITLES, **(dict(titles) if titles else {})}
    data = means[means["index"].isin(list(PANEL_TITLES))]
    for index in PANEL_TITLES:
        for group in GROUPS:
            if not ((data["index"] == index) & (data["group"] == group)).any():
                raise ValueError(f"figure1: means has no rows for index {index!r}, group {group!r}")
    if data["mean"].isna().any():
        bad = data.loc[data["mean"].isna(), ["index", "group", "year"]].astype(str).agg(" ".join, axis=1)
        raise ValueError(f"figure1: column 'mean' is NaN for {_listing(bad)}")
    dup = data.duplicated(["index", "group", "year"], keep=False)
    if dup.any():
        bad = data.loc[dup, ["index", "group", "year"]].astype(str).agg(" ".join, axis=1).unique()
        raise ValueError(f"figure1: means repeats index-group-year {_listing(bad)}")
    data = data.assign(year=_integer_years(data["year"]))
    for index in PANEL_TITLES:
        spans = {g: set(data.loc[(data["index"] == index) & (data["group"] == g), "year"]) for g in GROUPS}
        if spans[GROUPS[0]] != spans[GROUPS[1]]:
            odd = sorted(spans[GROUPS[0]] ^ spans[GROUPS[1]])
            raise ValueError(f"figure1: for index {index!r} the groups do not cover the same years (differ in {_listing(odd)})")
    first, last = int(data["year"].min()), int(data["year"].max())
    step = 1 if last - first <= 10 else 2

    with _style():
        fig = Figure(figsize=(9.0, 3.6), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, len(PANEL_TITLES), squeeze=False)[0]
        for ax, index in zip(axes, PANEL_TITLES, strict=True):
            for group in GROUPS:
                rows = data[(data["index"] == index) & (data["group"] == group)].sort_values("year")
                ax.plot(
                    rows["year"].to_numpy(dtype=np.int64),
                    rows["mean"].to_numpy(dtype=np.float64),
                    label=group,
                    **GROUP_STYLE[group],  # type: ignore[arg-type]
                )
            ax.set_title(titles[index])
            ax.set_xlabel("Year")
            ax.set_ylabel(f"{index}, group mean (1–100)")
            ax.set_xticks(range(first, last + 1, step))
            ax.set_xlim(first - 0.5, last + 0.5)
            ax.grid(True, color="0.85", linewidth=0.6)
            ax.set_axisbelow(True)
            ax.legend(loc="best", frameon=False)
    return fig


def specification_curve_figure(curve: pd.DataFrame, dimensions: Sequence[str], main_release: str | None = None) -> Figure:
    """The two-panel specification curve (Simonsohn, Simmons & Nelson 2020).

    Above: the TBI coefficients sorted from smallest to largest with their 95 % intervals (dark where p < 0.05,
    grey otherwise); the specifications of the paper's columns at the configured choices (``paper_column``) in
    orange, the published main specification (``published_main``: Table 3 column 3; of ``main_release`` where the curve
    has several releases, each of which marks its own) in red with a vertical line through both panels. Below: which choice each specification makes, one row per choice of each dimension of
    ``dimensions`` that has more than one choice (grouped by dimension).
    """
    missing = [c for c in ("coef", "ci_low", "ci_high", "pvalue", "paper_column", "published_main", *dimensions) if c not in curve.columns]
    if missing:
        raise ValueError(f"specification_curve_figure: curve lacks column(s) {_listing(missing, quote=True)}")
    if curve.empty:
        raise ValueError("specification_curve_figure: the curve has no specifications")
    order = np.lexsort((curve["spec_id"].to_numpy() if "spec_id" in curve.columns else np.arange(len(curve)), curve["coef"].to_numpy()))
    c = curve.iloc[order].reset_index(drop=True)
    x = np.arange(len(c))
    rows: list[tuple[str, str, str]] = []  # (dimension, choice, label)
    for d in dimensions:
        values = [v for v in dict.fromkeys(curve[d].astype(str)) if v != "n/a"]
        if len(values) > 1:
            rows += [(d, v, f"{d}: {v}") for v in values]
    matrix = np.zeros((len(rows), len(c)))
    for i, (d, v, _) in enumerate(rows):
        matrix[i] = (c[d].astype(str) == v).to_numpy()
    sig = (c["pvalue"] < 0.05).to_numpy()
    with _style():
        height = 3.2 + 0.16 * max(len(rows), 1)
        fig = Figure(figsize=(9.0, height), layout="constrained")
        FigureCanvasAgg(fig)
        top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3.0, max(0.16 * len(rows), 0.8) / 0.8]})
        for mask, colour in ((~sig, "0.65"), (sig, "#1f4e79")):
            top.vlines(x[mask], c["ci_low"].to_numpy()[mask], c["ci_high"].to_numpy()[mask], colors=colour, linewidth=0.4, alpha=0.5, rasterized=True)
            top.scatter(x[mask], c["coef"].to_numpy()[mask], s=2.0, color=colour, linewidths=0, rasterized=True)
        conf = (c["paper_column"].fillna("").astype(str) != "").to_numpy()
        top.scatter(x[conf], c["coef"].to_numpy()[conf], s=14, color="#e69f00", edgecolors="black", linewidths=0.3, zorder=3, label="the paper's other columns (Tables 3–6, DVA)")
        mains = c["published_main"].to_numpy(bool).copy()
        if main_release is not None and "io_release" in c.columns:  # each release marks its own; the line is the configured one's
            mains &= (c["io_release"].astype(str) == main_release).to_numpy()
        main = np.flatnonzero(mains)
        if main.size:
            top.scatter(x[main], c["coef"].to_numpy()[main], s=40, marker="D", color="#c0392b", edgecolors="black", linewidths=0.4, zorder=4, label="published specification (Table 3, col. 3)")
            for ax in (top, bottom):
                ax.axvline(float(x[main[0]]), color="#c0392b", linewidth=0.6, alpha=0.6)
        top.axhline(0.0, color="black", linewidth=0.7)
        top.set_ylabel("TBI coefficient, 95 % CI")
        top.set_title(f"Specification curve: {len(c)} specifications (dark: p < 0.05, country-clustered)")
        top.grid(True, axis="y", color="0.85", linewidth=0.6)
        top.legend(loc="upper left", frameon=False, fontsize=7.5)
        if rows:
            bottom.imshow(matrix, aspect="auto", interpolation="nearest", cmap="Greys", vmin=0, vmax=1.4, extent=(-0.5, len(c) - 0.5, len(rows) - 0.5, -0.5))
            bottom.set_yticks(range(len(rows)), [r[2] for r in rows], fontsize=6.5)
            for i in range(1, len(rows)):
                if rows[i][0] != rows[i - 1][0]:
                    bottom.axhline(i - 0.5, color="0.5", linewidth=0.5)
        bottom.set_xlabel("Specification, sorted by the TBI coefficient")
        bottom.set_xlim(-0.5, len(c) - 0.5)
    return fig


def curve_variance_figure(variance: pd.DataFrame) -> Figure:
    """The share of the specification curve's variance each dimension accounts for, given the others: its Shapley share
    (dark; the shares add up to the additive model's R²) and its type-II share (light), then the interaction that matters
    most and all main effects together: one horizontal bar panel per release (``variance``: the frame of
    results/specification_curve_variance.csv)."""
    missing = [c for c in ("release", "term", "kind", "type2", "shapley") if c not in variance.columns]
    if missing:
        raise ValueError(f"curve_variance_figure: variance lacks column(s) {_listing(missing, quote=True)}")
    releases = list(dict.fromkeys(variance["release"].astype(str)))
    if not releases:
        raise ValueError("curve_variance_figure: no release in the decomposition")
    colours = {"interaction": "#e69f00", "additive": "0.55", "residual": "0.8"}
    with _style():
        n_terms = max(int((variance["release"] == r).sum()) for r in releases)
        ncols = min(2, len(releases))
        nrows = -(-len(releases) // ncols)
        fig = Figure(figsize=(4.8 * ncols, (0.6 + 0.3 * n_terms) * nrows + 0.5), layout="constrained")
        FigureCanvasAgg(fig)
        axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True)).ravel()
        for ax in axes[len(releases) :]:
            ax.set_visible(False)
        for ax, release in zip(axes, releases):
            v = variance[variance["release"] == release].iloc[::-1]
            y = np.arange(len(v))
            dim = (v["kind"] == "dimension").to_numpy()
            shapley, type2 = v["shapley"].to_numpy(float), v["type2"].to_numpy(float)
            ax.barh(y[dim] + 0.19, shapley[dim], color="#1f4e79", height=0.36, label="Shapley (a partition of the additive R²)")
            ax.barh(y[dim] - 0.19, type2[dim], color="#9ecae1", height=0.36, label="type II (not a partition: need not add up)")
            ax.barh(y[~dim], shapley[~dim], color=[colours.get(k, "0.5") for k in v["kind"][~dim]], height=0.7)
            labels = [f"{t} (within {n})" if isinstance(n, str) and n else str(t) for t, n in zip(v["term"], v.get("nested_in", pd.Series("", index=v.index)).fillna(""))]
            ax.set_yticks(y, labels, fontsize=7)
            for yi, value in zip(y, np.maximum(shapley, type2)):
                ax.text(min(value, 1.0) + 0.01, yi, f"{100 * value:.0f} %", va="center", fontsize=6.5)
            ax.set_xlim(0, 1.12)
            ax.set_title(release, fontsize=9)
            ax.grid(True, axis="x", color="0.88", linewidth=0.6)
            ax.set_xlabel("share of the variance of the TBI coefficients")
        axes[0].legend(loc="lower right", fontsize=6.5, frameon=False)
        fig.suptitle(
            "What moves the specification curve, given the other dimensions: each dimension's Shapley (dark) and type-II (light)\n"
            "share, the strongest interaction's gain over all main effects (orange), all main effects together (grey)", fontsize=8.5,
        )  # fmt: skip
    return fig


def tbi_by_release_figure(tbi: pd.DataFrame, countries: Sequence[str], first_year: int, published: pd.DataFrame | None = None) -> Figure:
    """The TBI of ``countries`` (the Table 1 economies) by release over time, one panel per economy.

    ``tbi``: ``release, iso3, year, tbi`` (results/tables/tbi_by_release.csv). Releases of benchmark years are drawn
    as markers joined by a line; ``published``: the paper's Table 1 cells (``year`` × country columns), as black crosses.
    """
    missing = [c for c in ("release", "iso3", "year", "tbi") if c not in tbi.columns]
    if missing:
        raise ValueError(f"tbi_by_release_figure: tbi lacks column(s) {_listing(missing, quote=True)}")
    t = tbi[tbi["year"] >= first_year]
    releases = list(dict.fromkeys(t["release"]))
    ncol = 4
    nrow = max(1, -(-len(countries) // ncol))
    with _style():
        fig = Figure(figsize=(10.0, 2.3 * nrow + 0.6), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrow, ncol, sharex=True, squeeze=False)
        colours = matplotlib.colormaps["tab10"]
        for k, iso3 in enumerate(countries):
            ax = axes[k // ncol][k % ncol]
            for i, release in enumerate(releases):
                r = t[(t["release"] == release) & (t["iso3"] == iso3)].sort_values("year")
                if r.empty:
                    continue
                ax.plot(r["year"], r["tbi"], marker="o" if len(r) < 8 else None, markersize=3, lw=1.2, color=colours(i), label=release)
            if published is not None and iso3 in published.columns:
                pub = published[["year", iso3]].dropna()
                ax.plot(pub["year"], pub[iso3], "x", color="black", markersize=4, label="published (Table 1)")
            ax.axhline(0, color="grey", lw=0.6)
            ax.set_title(iso3, fontsize=9)
            ax.tick_params(labelsize=7)
        for k in range(len(countries), nrow * ncol):
            axes[k // ncol][k % ncol].set_visible(False)
        handles, labels = [], []
        for ax in fig.axes:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                if lab not in labels:
                    handles.append(h)
                    labels.append(lab)
        fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=8, frameon=False)
        fig.suptitle("TBI by input–output release", fontsize=10)
    return fig


def table1_scatter_figure(comparison: pd.DataFrame) -> Figure:
    """Published Table 1 cells (x) against each release's TBI (y), the 45° line drawn: one colour per release."""
    with _style():
        fig = Figure(figsize=(4.8, 4.4), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        colours = matplotlib.colormaps["tab10"]
        lo = float(min(comparison["published"].min(), comparison["tbi"].min())) - 0.02 if len(comparison) else -1
        hi = float(max(comparison["published"].max(), comparison["tbi"].max())) + 0.02 if len(comparison) else 1
        ax.plot([lo, hi], [lo, hi], color="grey", lw=0.8)
        for i, (release, g) in enumerate(comparison.groupby("release", sort=False)):
            ax.scatter(g["published"], g["tbi"], s=14, color=colours(i), label=f"{release} ({int(g['agrees_4dp'].sum())} of {len(g)} cells equal to 4 dp)")
        ax.set_xlabel("published TBI (Table 1)")
        ax.set_ylabel("TBI computed here")
        ax.legend(fontsize=7, frameon=False, loc="upper left")
    return fig


#: The forest figure's z of a 95 % interval (estimate ± 1.96 SE, the same rule for the published and our estimates).
FOREST_Z = 1.959963984540054


def forest_rows(estimates: pd.DataFrame, published: pd.DataFrame, groups: Sequence[tuple[str, Sequence[tuple[str, int]]]]) -> pd.DataFrame:
    """The forest figure's data: one row per published TBI coefficient (Tables 3–6) and source (``published``, then each
    release of ``estimates`` in its order), with ``group`` (the claim the column belongs to), ``label``, ``coef``, ``se``,
    ``low``, ``high`` (± :data:`FOREST_Z` SE). ``groups``: (group title, [(table, column), …]) in display order; a published
    column in no group is put in a last group, ``other``. A release without the column has no row for it."""
    pub = published[published["variable"] == "TBI"].assign(table=lambda d: d["table"].astype(str), column=lambda d: d["column"].astype(int))
    ours = estimates[(estimates["variable"] == "TBI") & (estimates.get("stage", "second") == "second")]
    ours = ours.assign(table=ours["table"].astype(str), column=ours["column"].astype(int))
    order: list[tuple[str, str, int]] = [(title, str(t), int(c)) for title, cells in groups for t, c in cells]
    seen = {(t, c) for _, t, c in order}
    order += [("other", t, c) for t, c in zip(pub["table"], pub["column"]) if (t, c) not in seen]
    rows = []
    releases = list(dict.fromkeys(ours["release"].astype(str))) if "release" in ours.columns else []
    for group, table, column in order:
        p = pub[(pub["table"] == table) & (pub["column"] == column)]
        if p.empty:
            continue
        p = p.iloc[0]
        label = f"Table {table} col. {column}: {p['depvar']}, {p['sample']}"
        sources = [("published", float(p["coef"]), float(p["se"]))]
        for release in releases:
            o = ours[(ours["release"] == release) & (ours["table"] == table) & (ours["column"] == column)]
            if len(o):
                sources.append((release, float(o["coef"].iloc[0]), float(o["se"].iloc[0])))
        for source, b, se in sources:
            rows.append({"group": group, "table": table, "column": column, "label": label, "source": source, "coef": b, "se": se,
                         "low": b - FOREST_Z * se, "high": b + FOREST_Z * se})  # fmt: skip
    return pd.DataFrame(rows, columns=["group", "table", "column", "label", "source", "coef", "se", "low", "high"])


def forest_figure(rows: pd.DataFrame) -> Figure:
    """The published TBI coefficients (black) with their 95 % intervals and each release's beside them (one colour per
    release), one row per table column, grouped (``rows``: :func:`forest_rows`)."""
    if rows.empty:
        raise ValueError("forest_figure: no published TBI coefficient to draw")
    sources = list(dict.fromkeys(rows["source"]))
    releases = [s for s in sources if s != "published"]
    cells = list(dict.fromkeys(zip(rows["group"], rows["label"])))
    groups = list(dict.fromkeys(g for g, _ in cells))
    colours = matplotlib.colormaps["tab10"]
    colour = {"published": "black", **{r: colours(i) for i, r in enumerate(releases)}}
    offset = {s: (i - (len(sources) - 1) / 2) * 0.8 / max(len(sources), 1) for i, s in enumerate(sources)}
    # y positions top-down, with a gap and a heading between groups
    y_of: dict[tuple[str, str], float] = {}
    heads: list[tuple[float, str]] = []
    y = 0.0
    for g in groups:
        heads.append((y, g))
        y -= 1.0
        for cell in [c for c in cells if c[0] == g]:
            y_of[cell] = y
            y -= 1.0
        y -= 0.4
    with _style():
        fig = Figure(figsize=(8.0, 0.34 * (len(cells) + 1.4 * len(groups)) + 1.4), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        ax.axvline(0.0, color="0.4", lw=0.7, ls=":")
        for source in sources:
            s = rows[rows["source"] == source]
            ys = np.array([y_of[(g, lab)] for g, lab in zip(s["group"], s["label"])]) + offset[source]
            ax.errorbar(s["coef"], ys, xerr=[s["coef"] - s["low"], s["high"] - s["coef"]], fmt="o" if source == "published" else "s",
                        ms=3.5, color=colour[source], elinewidth=1.0, capsize=0, label=source)  # fmt: skip
        ax.set_yticks([y_of[c] for c in cells], [lab for _, lab in cells], fontsize=7)
        for yh, g in heads:
            ax.text(0.0, yh, g, transform=ax.get_yaxis_transform(), ha="left", va="center", fontsize=7.5, fontweight="bold")
        ax.set_ylim(y + 0.4, 0.8)
        ax.set_xlabel("TBI coefficient (95 % interval: estimate ± 1.96 SE)")
        ax.grid(True, axis="x", color="0.9", linewidth=0.6)
        ax.legend(fontsize=7, frameon=False, loc="lower right")
        ax.set_title("The paper's TBI coefficients (published) and each release's, Tables 3–6", fontsize=9)
    return fig


def _release_axes(n: int, width: float, height: float) -> tuple[Figure, np.ndarray]:
    ncols = min(3, n)
    nrows = -(-n // ncols)
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes


def _cell_releases(frame: pd.DataFrame, cell: tuple[str, int], figure: str) -> tuple[pd.DataFrame, list[str]]:
    """The rows of one table column (``cell``: table, column) and its releases in their order; none is an error naming
    the figure."""
    mine = frame[(frame["table"].astype(str) == cell[0]) & (frame["column"] == cell[1])]
    releases = list(dict.fromkeys(mine["release"].astype(str)))
    if not releases:
        raise ValueError(f"{figure}: no release has Table {cell[0]} column {cell[1]}")
    return mine, releases


def plausibly_exogenous_figure(grid: pd.DataFrame, cell: tuple[str, int] = ("3", 3)) -> Figure:
    """The 95 % set of the 2SLS TBI coefficient against the direct effect δ of the lagged TBI (Conley, Hansen & Rossi
    2012), one panel per release: the union of intervals for γ ∈ [−δ, δ] (band) and the local-to-zero interval with
    γ ~ N(0, (δ/2)²) (lines); zero dotted (``grid``: results/causal_checks_delta.csv)."""
    mine, releases = _cell_releases(grid, cell, "plausibly_exogenous_figure")
    with _style():
        fig, axes = _release_axes(len(releases), 4.2, 3.4)
        for ax, release in zip(axes, releases):
            g = mine[mine["release"] == release].sort_values("share")
            ax.fill_between(g["share"], g["uci_low"], g["uci_high"], color="#1f4e79", alpha=0.25, lw=0, label="union of intervals, γ ∈ [−δ, δ]")
            ax.plot(g["share"], g["ltz_low"], color="#d55e00", lw=1.1, label="local to zero, γ ~ N(0, (δ/2)²)")
            ax.plot(g["share"], g["ltz_high"], color="#d55e00", lw=1.1)
            ax.axhline(0.0, color="0.3", lw=0.8, ls=":")
            ax.set_title(release, fontsize=9)
            ax.set_xlabel("δ as a share of the 2SLS TBI coefficient")
            ax.set_ylabel("TBI coefficient, 95 % set")
            ax.grid(True, color="0.9", linewidth=0.6)
        axes[0].legend(fontsize=6.5, frameon=False, loc="lower left")
        fig.suptitle(f"If the lagged TBI affected KOF directly (by up to δ): the 2SLS estimate's 95 % set, Table {cell[0]} column {cell[1]}", fontsize=8.5)
    return fig


def sensitivity_contour_figure(checks: pd.DataFrame, cell: tuple[str, int] = ("3", 3)) -> Figure:
    """Cinelli & Hazlett's (2020) contour plot, one panel per release: the two-way FE estimate adjusted for a confounder
    with partial R² ``R²(D~Z|X)`` with TBI (x) and ``R²(Y~Z|D,X)`` with the outcome (y); the zero contour in red, the
    observed controls' benchmarks (1×, 2×, 3× lnGDP and RQ) marked (``checks``: results/causal_checks.csv)."""
    from ..econometrics.causal_checks import adjusted

    mine, releases = _cell_releases(checks[checks["check"] == "omitted-variable sensitivity"], cell, "sensitivity_contour_figure")
    with _style():
        fig, axes = _release_axes(len(releases), 4.2, 3.9)
        for ax, release in zip(axes, releases):
            r = mine[mine["release"] == release]
            base = r[r["term"] == "partial R² of TBI (OLS t)"]
            ax.set_title(release, fontsize=9)
            if base.empty or pd.isna(base["coef"].iloc[0]):
                ax.text(0.5, 0.5, "not estimable", ha="center", va="center", transform=ax.transAxes)
                continue
            b, se, df = float(base["coef"].iloc[0]), float(base["se"].iloc[0]), float(base["df"].iloc[0])
            marks = r[r["r2dz"].notna()]
            top = float(max(0.3, 1.15 * marks[["r2dz", "r2yz"]].to_numpy().max())) if len(marks) else 0.3
            top = min(top, 0.95)
            xs = np.linspace(0.0, top, 121)
            gx, gy = np.meshgrid(xs, xs)
            z = np.vectorize(lambda a, c: adjusted(b, se, df, a, c)[0])(gx, gy)
            cs = ax.contour(gx, gy, z, levels=8, colors="0.45", linewidths=0.6)
            ax.clabel(cs, fontsize=5.5, fmt="%.1f")
            if z.min() < 0 < z.max():
                ax.contour(gx, gy, z, levels=[0.0], colors="#c0392b", linewidths=1.4)
            ax.scatter([0], [0], marker="^", color="black", s=18, zorder=3)
            ax.annotate(f"unadjusted {b:.2f}", (0, 0), xytext=(4, 4), textcoords="offset points", fontsize=6)
            for m in marks.itertuples():
                ax.scatter([m.r2dz], [m.r2yz], marker="D", color="#d55e00", s=14, zorder=3)
                ax.annotate(f"{m.term} ({m.coef:.2f})", (m.r2dz, m.r2yz), xytext=(3, 2), textcoords="offset points", fontsize=5.5)
            ax.set_xlim(0, top)
            ax.set_ylim(0, top)
            ax.set_xlabel("partial R² of the confounder with TBI")
            ax.set_ylabel("partial R² of the confounder with the outcome")
        fig.suptitle(
            f"Omitted-variable sensitivity (Cinelli & Hazlett 2020), Table {cell[0]} column {cell[1]}: the estimate adjusted for a confounder "
            "of the strengths on the axes;\nred: where it reaches zero; diamonds: confounders 1, 2, 3 times as strong as lnGDP or RQ", fontsize=8.5,
        )  # fmt: skip
    return fig


def leave_one_out_figure(checks: pd.DataFrame, cell: tuple[str, int] = ("3", 3)) -> Figure:
    """The TBI coefficient of one specification (Table 3 column 3) with each country dropped, sorted, one panel per
    release, with the full-sample estimate and its 95 % interval (t(G − 1)); a country whose removal changes the sign or
    the 5 % significance in orange (``checks``: the frame of results/referee_checks.csv)."""
    from scipy import stats

    missing = [c for c in ("release", "table", "column", "check", "term", "coef", "se", "nclusters", "note") if c not in checks.columns]
    if missing:
        raise ValueError(f"leave_one_out_figure: checks lack column(s) {_listing(missing, quote=True)}")
    mine, releases = _cell_releases(checks, cell, "leave_one_out_figure")
    with _style():
        fig, axes = _release_axes(len(releases), 4.2, 5.6)
        for ax, release in zip(axes, releases):
            r = mine[mine["release"] == release]
            loo = r[(r["check"] == "leave one out") & r["coef"].notna()].sort_values("coef")
            base = r[(r["check"] == "baseline") & r["coef"].notna()]
            ax.set_title(f"{release} ({r['years'].iloc[0] if 'years' in r.columns else ''})", fontsize=9)
            if base.empty or loo.empty:
                ax.text(0.5, 0.5, "not estimable", ha="center", va="center", transform=ax.transAxes)
                continue
            b, se, g = float(base["coef"].iloc[0]), float(base["se"].iloc[0]), int(base["nclusters"].iloc[0])
            half = float(stats.t.isf(0.025, g - 1)) * se
            ax.axvspan(b - half, b + half, color="#1f4e79", alpha=0.12, lw=0)
            ax.axvline(b, color="#1f4e79", lw=1.2)
            ax.axvline(0.0, color="0.4", lw=0.7, ls=":")
            y = np.arange(len(loo))
            flagged = loo["note"].fillna("").astype(str) != ""
            ax.scatter(loo["coef"], y, s=12, color=np.where(flagged, "#d55e00", "#1f4e79"), zorder=3)
            ax.set_yticks(y, [t.replace("without ", "") for t in loo["term"].astype(str)], fontsize=5.5)
            ax.set_ylim(-1, len(loo))
            ax.set_xlabel("TBI coefficient without the country")
            ax.grid(True, axis="x", color="0.9", linewidth=0.6)
        fig.suptitle(
            f"Leave one country out, Table {cell[0]} column {cell[1]}: the estimate without each country (dots; orange: its removal changes "
            "the sign or the 5 % significance),\nthe full-sample estimate (line) and its 95 % interval (band)", fontsize=8.5,
        )  # fmt: skip
    return fig


def save_figure(fig: Figure, png_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str]) -> None:
    """Write ``fig`` as PNG (200 dpi) and PDF, byte-identically on every run.

    Each file is written to a temporary file in its destination directory and
    moved into place with :func:`os.replace`, so a reader never sees a
    half-written file and an interrupted run leaves the old file intact.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, e.g. from :func:`figure1`.
    png_path, pdf_path : str or os.PathLike
        Destinations; missing parent directories are created. The format is
        PNG and PDF respectively, whatever the suffix.

    Notes
    -----
    Determinism: the PDF carries no ``CreationDate``/``ModDate`` and a fixed
    ``Creator``/``Producer`` (:data:`PDF_METADATA`); the PNG no ``Software``
    text chunk (:data:`PNG_METADATA`, and matplotlib writes no time chunk);
    drawing happens under the fixed style :data:`RC`, which also fixes
    ``svg.hashsalt``. Output is identical for the same matplotlib (pin
    ``matplotlib==3.11.2``), FreeType and font versions.
    """
    with _style():
        _write_atomically(Path(png_path), lambda f: fig.savefig(f, format="png", dpi=PNG_DPI, metadata=PNG_METADATA))
        _write_atomically(Path(pdf_path), lambda f: fig.savefig(f, format="pdf", dpi=PNG_DPI, metadata=PDF_METADATA))


@contextmanager
def _style() -> Iterator[None]:
    """Matplotlib's default style plus :data:`RC`, whatever the user's matplotlibrc (the backend is left alone)."""
    with matplotlib.style.context("default"), matplotlib.rc_context(RC):
        yield


def _write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Call ``write`` on a new temporary file next to ``path``, then move it onto ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    # os.open with mode 0o666 honours the umask, unlike tempfile's 0o600.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _check_years(years: tuple[int, int]) -> tuple[int, int]:
    try:
        first, last = years
    except (TypeError, ValueError):
        raise ValueError(f"group_means: `years` must be a (first, last) pair, got {years!r}") from None
    if not all(isinstance(y, (int, np.integer)) and not isinstance(y, bool) for y in (first, last)):
        raise ValueError(f"group_means: `years` must be two integers, got {years!r}")
    if first > last:
        raise ValueError(f"group_means: `years` = {years!r}: the first year is after the last")
    return int(first), int(last)


def _integer_years(year: pd.Series) -> pd.Series:
    """``year`` as int64, or a ValueError naming the non-integer values."""
    if pd.api.types.is_integer_dtype(year) and not pd.api.types.is_bool_dtype(year):
        return year.astype(np.int64)
    if pd.api.types.is_float_dtype(year):
        values = year.to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values) | (values != np.round(values))
        if not bad.any():
            return year.astype(np.int64)
        raise ValueError(f"column 'year' has non-integer value(s) {_listing(pd.unique(year[bad]))}")
    raise ValueError(f"column 'year' is not numeric (dtype {year.dtype})")


def _listing(items: Iterable[object], *, quote: bool = False, show: int = _SHOW) -> str:
    """``a, b, c`` (``'a', 'b', 'c'`` with ``quote``), at most ``show`` items, then "and N more"."""
    texts = [repr(str(i)) if quote else str(i) for i in items]
    shown = ", ".join(texts[:show])
    return shown + (f" and {len(texts) - show} more" if len(texts) > show else "")
