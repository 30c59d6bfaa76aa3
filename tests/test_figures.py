"""Figure 1: group means of the KOF de jure indices, the two-panel figure and its deterministic files (synthetic panel)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from tradeimbalance.outputs.figures import MEANS_COLUMNS, figure1, group_means, save_figure

INDICES = ("KOFGIdj", "KOFEcGIdj")
YEARS = (2000, 2014)
DEVELOPED = ("AUS", "DEU", "FRA", "JPN", "USA")
DEVELOPING = ("BRA", "CHN", "IDN", "IND")
# Offsets around the group mean that sum to zero, so the means are exact in floating point.
DEVELOPED_OFFSETS = (-2.0, -1.0, 0.0, 1.0, 2.0)
DEVELOPING_OFFSETS = (-3.0, -1.0, 1.0, 3.0)


def known_mean(index: str, group: str, year: int) -> float:
    """The group mean built into :func:`synthetic_panel` (multiples of 1/4: exact in binary)."""
    t = year - YEARS[0]
    return {
        ("KOFGIdj", "developed"): 80.0 + 0.5 * t,
        ("KOFGIdj", "developing"): 50.0 + 1.0 * t,
        ("KOFEcGIdj", "developed"): 75.0 + 0.25 * t,
        ("KOFEcGIdj", "developing"): 45.0 + 0.75 * t,
    }[index, group]


def synthetic_panel(first: int = 1998, last: int = 2016) -> pd.DataFrame:
    """5 developed + 4 developing countries, years ``first``–``last`` (wider than Figure 1's), shuffled rows."""
    rows = []
    for group, countries, offsets in (
        ("developed", DEVELOPED, DEVELOPED_OFFSETS),
        ("developing", DEVELOPING, DEVELOPING_OFFSETS),
    ):
        for iso3, offset in zip(countries, offsets, strict=True):
            for year in range(first, last + 1):
                row = {"iso3": iso3, "year": year, "group": group, "country": iso3.lower()}
                for k, index in enumerate(INDICES):
                    row[index] = known_mean(index, group, year) + (k + 1) * offset
                rows.append(row)
    return pd.DataFrame(rows).sample(frac=1.0, random_state=3).reset_index(drop=True)


@pytest.fixture(scope="module")
def means() -> pd.DataFrame:
    return group_means(synthetic_panel(), indices=INDICES, years=YEARS)


# --- group_means -----------------------------------------------------------


def test_group_means_exact_values_counts_and_order(means: pd.DataFrame) -> None:
    assert list(means.columns) == list(MEANS_COLUMNS)
    assert len(means) == len(INDICES) * 2 * 15
    expected = pd.DataFrame(
        [
            (year, group, index, known_mean(index, group, year), len(DEVELOPED) if group == "developed" else len(DEVELOPING))
            for index in INDICES
            for group in ("developed", "developing")
            for year in range(YEARS[0], YEARS[1] + 1)
        ],
        columns=list(MEANS_COLUMNS),
    )
    # Exact: the offsets cancel and the means are multiples of 1/4.
    assert means["mean"].tolist() == expected["mean"].tolist()
    assert means[["year", "group", "index", "n_countries"]].astype(object).values.tolist() == (
        expected[["year", "group", "index", "n_countries"]].astype(object).values.tolist()
    )
    assert means["year"].dtype == np.int64 and means["n_countries"].dtype == np.int64 and means["mean"].dtype == np.float64
    assert list(means.index) == list(range(len(means)))


def test_group_means_respects_years_and_group_col() -> None:
    panel = synthetic_panel().rename(columns={"group": "class"})
    out = group_means(panel, indices=["KOFEcGIdj"], group_col="class", years=(2003, 2005))
    assert sorted(out["year"].unique()) == [2003, 2004, 2005]
    assert set(out["index"]) == {"KOFEcGIdj"}
    assert out["mean"].tolist() == [
        known_mean("KOFEcGIdj", g, y) for g in ("developed", "developing") for y in (2003, 2004, 2005)
    ]


def test_group_means_csv_twin_is_tidy(means: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "figure1.csv"
    means.to_csv(path, index=False)
    back = pd.read_csv(path)
    assert list(back.columns) == list(MEANS_COLUMNS)
    assert back["mean"].tolist() == means["mean"].tolist()


def test_group_means_ignores_nan_outside_the_years() -> None:
    panel = synthetic_panel()
    panel.loc[panel["year"] == 1999, "KOFGIdj"] = np.nan
    out = group_means(panel, indices=INDICES, years=YEARS)
    assert (out["n_countries"] > 0).all() and not out["mean"].isna().any()


@pytest.mark.parametrize(
    ("mutate", "kwargs", "message"),
    [
        (lambda p: p.drop(columns="KOFEcGIdj"), {}, r"lacks column\(s\) 'KOFEcGIdj'"),
        (lambda p: p.drop(columns="group"), {}, r"lacks column\(s\) 'group'"),
        (lambda p: p.drop(columns="iso3"), {}, r"lacks column\(s\) 'iso3'"),
        (lambda p: p, {"indices": []}, r"`indices` is empty"),
        (lambda p: p, {"indices": ["KOFGIdj", "KOFGIdj"]}, r"names 'KOFGIdj' more than once"),
        (lambda p: p, {"years": (2014, 2000)}, r"first year is after the last"),
        (lambda p: p, {"years": (2000.0, 2014)}, r"two integers"),
        (lambda p: p.assign(KOFGIdj=p["KOFGIdj"].astype(str)), {}, r"'KOFGIdj' is not numeric"),
        (lambda p: p.assign(year=p["year"] + 0.5), {}, r"column 'year' has non-integer"),
    ],
)
def test_group_means_rejects_bad_arguments(
    mutate: Callable[[pd.DataFrame], pd.DataFrame], kwargs: dict[str, object], message: str
) -> None:
    args = {"indices": INDICES, "years": YEARS} | kwargs
    with pytest.raises(ValueError, match=message):
        group_means(mutate(synthetic_panel()), **args)


def test_group_means_rejects_nan_in_selected_years_naming_column_country_year() -> None:
    panel = synthetic_panel()
    panel.loc[(panel["iso3"] == "CHN") & (panel["year"] == 2007), "KOFEcGIdj"] = np.nan
    with pytest.raises(ValueError, match=r"column 'KOFEcGIdj' is NaN for 1 country-year\(s\) in 2000–2014: CHN 2007"):
        group_means(panel, indices=INDICES, years=YEARS)


def test_group_means_rejects_country_in_both_groups() -> None:
    panel = synthetic_panel()
    panel.loc[(panel["iso3"] == "BRA") & (panel["year"] >= 2010), "group"] = "developed"
    with pytest.raises(ValueError, match=r"more than one group of column 'group': BRA \(developed, developing\)"):
        group_means(panel, indices=INDICES, years=YEARS)


def test_group_means_rejects_group_missing_a_year() -> None:
    panel = synthetic_panel()
    panel = panel[~((panel["group"] == "developing") & panel["year"].isin([2005, 2006]))]
    with pytest.raises(ValueError, match=r"group 'developing' \(column 'group'\) has no country in year\(s\) 2005, 2006"):
        group_means(panel, indices=INDICES, years=YEARS)


def test_group_means_rejects_a_missing_group() -> None:
    panel = synthetic_panel()
    with pytest.raises(ValueError, match=r"group 'developing' .* no country in year\(s\) 2000, 2001"):
        group_means(panel[panel["group"] == "developed"], indices=INDICES, years=YEARS)


def test_group_means_rejects_duplicated_country_year() -> None:
    panel = synthetic_panel()
    extra = panel[(panel["iso3"] == "DEU") & (panel["year"] == 2003)]
    with pytest.raises(ValueError, match=r"duplicated iso3-year pair\(s\) DEU 2003"):
        group_means(pd.concat([panel, extra], ignore_index=True), indices=INDICES, years=YEARS)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "group",
            "emerging",
            r"column 'group' has value\(s\) 'emerging' \(countries IND\); expected only 'developed', 'developing'",
        ),
        ("group", None, r"column 'group' is empty in"),
        ("iso3", None, r"column 'iso3' is empty in"),
    ],
)
def test_group_means_rejects_bad_identifiers(column: str, value: object, message: str) -> None:
    panel = synthetic_panel()
    panel[column] = panel[column].astype(object)
    panel.loc[panel["iso3"] == "IND", column] = value
    with pytest.raises(ValueError, match=message):
        group_means(panel, indices=INDICES, years=YEARS)


# --- figure1 -----------------------------------------------------------------


def test_figure1_panels_lines_legend_and_axes(means: pd.DataFrame) -> None:
    fig = figure1(means)
    assert isinstance(fig, Figure)
    axes = fig.get_axes()
    assert len(axes) == 2
    titles = ["(a) Overall globalisation, de jure (KOFGIdj)", "(b) Economic globalisation, de jure (KOFEcGIdj)"]
    for ax, index, title in zip(axes, INDICES, titles, strict=True):
        assert ax.get_title() == title
        assert ax.get_xlabel() == "Year" and index in ax.get_ylabel()
        lines = ax.get_lines()
        assert len(lines) == 2
        assert [line.get_label() for line in lines] == ["developed", "developing"]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["developed", "developing"]
        assert [line.get_linestyle() for line in lines] == ["-", "--"]
        assert lines[0].get_marker() != lines[1].get_marker()
        for line, group in zip(lines, ("developed", "developing"), strict=True):
            x = np.asarray(line.get_xdata())
            assert x.tolist() == list(range(2000, 2015))
            assert np.asarray(line.get_ydata()).tolist() == [known_mean(index, group, y) for y in range(2000, 2015)]
        lo, hi = ax.get_xlim()
        assert lo <= 2000 and hi >= 2014 and hi - lo < 16
        ticks = ax.get_xticks()
        assert ticks[0] == 2000 and ticks[-1] == 2014 and np.all(ticks == np.round(ticks))
        assert set(np.diff(ticks)) <= {1.0, 2.0}
        assert any(g.get_visible() for g in ax.get_xgridlines())


def test_figure1_title_override_and_row_order_do_not_matter(means: pd.DataFrame) -> None:
    fig = figure1(means.sample(frac=1.0, random_state=1), titles={"KOFEcGIdj": "Economic"})
    axes = fig.get_axes()
    assert axes[0].get_title().startswith("(a) Overall") and axes[1].get_title() == "Economic"
    y = np.asarray(axes[1].get_lines()[1].get_ydata())
    assert y.tolist() == [known_mean("KOFEcGIdj", "developing", yr) for yr in range(2000, 2015)]


def test_figure1_rejects_incomplete_means(means: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"no rows for index 'KOFEcGIdj', group 'developing'"):
        figure1(means[~((means["index"] == "KOFEcGIdj") & (means["group"] == "developing"))])
    with pytest.raises(ValueError, match=r"do not cover the same years \(differ in 2014\)"):
        figure1(means[~((means["group"] == "developing") & (means["year"] == 2014))])
    with pytest.raises(ValueError, match=r"lacks column\(s\) 'n_countries'"):
        figure1(means.drop(columns="n_countries"))


def test_figure1_leaves_pyplot_alone(means: pd.DataFrame) -> None:
    import matplotlib
    import matplotlib.pyplot as plt

    backend, before = matplotlib.get_backend(), plt.get_fignums()
    figure1(means)
    assert plt.get_fignums() == before and matplotlib.get_backend() == backend


# --- save_figure ---------------------------------------------------------------


def test_save_figure_writes_png_and_pdf_byte_identically(means: pd.DataFrame, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two" / "nested"
    save_figure(figure1(means), first / "figure1.png", first / "figure1.pdf")
    save_figure(figure1(means), second / "figure1.png", second / "figure1.pdf")
    png, pdf = (first / "figure1.png").read_bytes(), (first / "figure1.pdf").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert b"CreationDate" not in pdf and b"ModDate" not in pdf
    assert (second / "figure1.png").read_bytes() == png
    assert (second / "figure1.pdf").read_bytes() == pdf
    # Overwriting in place leaves no temporary files behind.
    save_figure(figure1(means), first / "figure1.png", first / "figure1.pdf")
    assert sorted(p.name for p in first.iterdir()) == ["figure1.pdf", "figure1.png"]
    assert (first / "figure1.pdf").read_bytes() == pdf


def test_save_figure_is_byte_identical_in_a_fresh_process(means: pd.DataFrame, tmp_path: Path) -> None:
    """A rerun is a new interpreter (another hash seed): the files must not change."""
    save_figure(figure1(means), tmp_path / "here.png", tmp_path / "here.pdf")
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from test_figures import INDICES, YEARS, synthetic_panel;"
        "from tradeimbalance.outputs.figures import figure1, group_means, save_figure;"
        "m = group_means(synthetic_panel(), indices=INDICES, years=YEARS);"
        "save_figure(figure1(m), sys.argv[2] + '.png', sys.argv[2] + '.pdf')"
    )
    # The same import path as this process, another hash seed.
    env = os.environ | {"PYTHONHASHSEED": "12345", "MPLBACKEND": "Agg", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent), str(tmp_path / "there")], check=True, env=env)
    assert (tmp_path / "there.png").read_bytes() == (tmp_path / "here.png").read_bytes()
    assert (tmp_path / "there.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()


def test_save_figure_failure_keeps_old_file_and_no_temporary(means: pd.DataFrame, tmp_path: Path) -> None:
    png, pdf = tmp_path / "f.png", tmp_path / "f.pdf"
    png.write_bytes(b"old png")
    pdf.write_bytes(b"old pdf")

    class Broken(Figure):
        def savefig(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        save_figure(Broken(), png, pdf)
    assert png.read_bytes() == b"old png" and pdf.read_bytes() == b"old pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf", "f.png"]


def test_the_forest_figure_has_a_row_per_published_tbi_coefficient_and_release(tmp_path: Path) -> None:
    """Built from the outputs: each published TBI coefficient once, each release that estimates the column beside it,
    grouped in the order given; a release without a column has no row for it; the interval is ± 1.96 SE."""
    from tradeimbalance.outputs.figures import FOREST_Z, forest_figure, forest_rows

    published = pd.DataFrame({
        "table": ["3", "3", "4", "3"], "column": [1, 2, 1, 1], "depvar": ["KOFGIdj", "KOFEcGIdj", "KOFGIdj", "KOFGIdj"],
        "sample": ["all", "all", "developed", "all"], "variable": ["TBI", "TBI", "TBI", "const"], "coef": [11.5, 17.9, 1.8, 78.9], "se": [3.5, 8.1, 2.4, 0.7],
    })  # fmt: skip
    ours = pd.DataFrame({
        "release": ["a", "a", "a", "b", "b"], "table": ["3", "3", "4", "3", "2sls"], "column": [1, 2, 1, 1, 1], "stage": "second",
        "variable": ["TBI"] * 5, "coef": [12.0, 20.0, 2.0, 4.0, 7.0], "se": [3.0, 8.0, 2.0, 5.0, 4.0],
    })  # fmt: skip
    rows = forest_rows(ours, published, [("Claim 1", [("3", 1), ("3", 2)])])
    assert rows.groupby("source").size().to_dict() == {"published": 3, "a": 3, "b": 1}  # 3 published TBI; b lacks 3.2 and 4.1
    assert rows.drop_duplicates(["table", "column"])["group"].tolist() == ["Claim 1", "Claim 1", "other"]
    pub31 = rows[(rows["source"] == "published") & (rows["table"] == "3") & (rows["column"] == 1)].iloc[0]
    assert (pub31["low"], pub31["high"]) == pytest.approx((11.5 - FOREST_Z * 3.5, 11.5 + FOREST_Z * 3.5))
    assert not (rows["table"] == "2sls").any()  # the paper publishes no 2SLS numbers
    fig = forest_figure(rows)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Table 3 col. 1: KOFGIdj, all", "Table 3 col. 2: KOFEcGIdj, all", "Table 4 col. 1: KOFGIdj, developed"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["published", "a", "b"]
    save_figure(fig, tmp_path / "f.png", tmp_path / "f.pdf")
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="no published TBI coefficient"):
        forest_figure(rows.iloc[0:0])
