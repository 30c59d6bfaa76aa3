"""Panel assembly on small synthetic sources: what enters, what is excluded and why, gap filling, transforms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradeimbalance.econometrics.panel import ControlSpec, assemble_panel, exclusion_summary, fill_interior_gaps

COUNTRIES = ["AAA", "BBB", "CCC", "DDD"]
YEARS = list(range(2000, 2005))
OUTCOMES = ["KOFGIdj", "KOFEcGIdj"]
CONTROLS = [ControlSpec("RQ", "wgi", "RQ", fill="linear"), ControlSpec("lnGDP", "pwt", "rgdpna", "log"), ControlSpec("INFR", "wdi", "FP.CPI.TOTL.ZG")]


def sources(drop_wdi: tuple[str, int] | None = None) -> dict[str, pd.DataFrame]:
    grid = [(c, y) for c in COUNTRIES + ["ZZZ"] for y in range(1998, 2006)]
    pwt = pd.DataFrame([{"iso3": c, "year": y, "rgdpna": 100.0 * (i + 1) + y - 2000} for i, (c, y) in enumerate(grid)])
    wgi = pd.DataFrame([{"iso3": c, "year": y, "indicator": "RQ", "estimate": float(y - 2000)} for c, y in grid if y not in (1999, 2001)])
    wgi = pd.concat([wgi, wgi.assign(indicator="VA", estimate=9.0)], ignore_index=True)
    wdi = pd.DataFrame([{"iso3": c, "year": y, "indicator": "FP.CPI.TOTL.ZG", "value": 2.0} for c, y in grid])
    if drop_wdi:
        wdi.loc[(wdi["iso3"] == drop_wdi[0]) & (wdi["year"] == drop_wdi[1]), "value"] = np.nan
    return {"pwt": pwt, "wgi": wgi, "wdi": wdi}


def inputs(tbi_years: range = range(2000, 2004)) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    regions = ["AAA", "BBB", "CCC", "ROW"]  # DDD is not in the "release"
    tbi = pd.DataFrame([{"iso3": c, "year": y, "tbi": 0.01 * (y - 1999) * (i + 1)} for i, c in enumerate(regions) for y in tbi_years])
    dva = tbi.rename(columns={"tbi": "tbi_dva"}).assign(tbi_dva=lambda d: d["tbi_dva"] / 2)
    kof = pd.DataFrame([{"iso3": c, "year": y, "vintage": v, "KOFGIdj": 50.0 + y - 2000, "KOFEcGIdj": 40.0} for c in COUNTRIES for y in YEARS for v in ("v1", "v2")])
    return tbi, dva, kof


def build(**kw: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    tbi, dva, kof = inputs()
    src = kw.pop("src", None)
    args = dict(countries=COUNTRIES, first_year=2000, last_year=2004, kof_vintage="v1", outcomes=OUTCOMES, controls=CONTROLS,
                excluded_countries={"CCC": "left out on purpose"}, developed=["AAA"])  # fmt: skip
    args.update(kw)
    return assemble_panel(tbi, dva, kof, src if src is not None else sources(), **args)  # type: ignore[arg-type]


def test_every_grid_cell_is_in_the_panel_or_logged_with_its_reasons() -> None:
    panel, exc = build()
    assert len(panel) + len(exc) == len(COUNTRIES) * len(YEARS)
    assert sorted(panel["iso3"].unique()) == ["AAA", "BBB"] and sorted(panel["year"].unique()) == [2000, 2001, 2002, 2003]
    reasons = exc.set_index(["iso3", "year"])["reasons"]
    assert reasons["CCC", 2000].startswith("excluded_country: left out on purpose")
    assert reasons["DDD", 2001] == "no_tbi: country not in the input–output release"
    assert reasons["AAA", 2004] == "no_tbi: year not covered by the input–output release"
    summary = exclusion_summary(exc).set_index("reason")
    assert summary.loc["no_tbi", "country_years"] == 2 + 5 + 1  # AAA, BBB 2004; DDD all years; CCC 2004
    assert summary.loc["excluded_country", "countries"] == "CCC"


def test_groups_lag_and_values() -> None:
    panel, _ = build()
    p = panel.set_index(["iso3", "year"])
    assert (p.loc["AAA", "group"] == "developed").all() and (p.loc["BBB", "group"] == "developing").all()
    assert np.isnan(p.loc[("AAA", 2000), "L_TBI"]) and p.loc[("AAA", 2002), "L_TBI"] == pytest.approx(p.loc[("AAA", 2001), "TBI"])
    assert p.loc[("BBB", 2002), "TBI_DVA"] == pytest.approx(p.loc[("BBB", 2002), "TBI"] / 2)
    assert p.loc[("AAA", 2003), "lnGDP"] == pytest.approx(np.log(100.0 * 6 + 3))  # AAA's 2003 row is the 6th of the source rows (i = 5)
    assert p.loc[("AAA", 2003), "KOFGIdj"] == 53.0


def test_wgi_gap_is_interpolated_and_flagged_or_left_missing_and_logged() -> None:
    panel, _ = build()
    p = panel.set_index(["iso3", "year"])
    assert p.loc[("AAA", 2001), "RQ"] == pytest.approx(1.0)  # between 2000 (0) and 2002 (2)
    assert p.loc[("AAA", 2001), "filled"] == "RQ" and p.loc[("AAA", 2002), "filled"] == ""
    panel, exc = build(controls=[ControlSpec("RQ", "wgi", "RQ"), *CONTROLS[1:]])
    assert 2001 not in set(panel["year"])
    assert "missing_RQ" in exc.set_index(["iso3", "year"]).loc[("AAA", 2001), "reasons"]


def test_missing_source_value_is_logged_not_dropped_silently() -> None:
    panel, exc = build(src=sources(drop_wdi=("BBB", 2002)))
    assert ("BBB", 2002) not in set(zip(panel["iso3"], panel["year"]))
    assert exc.set_index(["iso3", "year"]).loc[("BBB", 2002), "reasons"] == "missing_INFR"


def test_fill_interior_gaps_only_inside() -> None:
    s = pd.Series([1.0, np.nan, 3.0], index=pd.MultiIndex.from_tuples([("A", 2000), ("A", 2002), ("A", 2004)], names=["iso3", "year"]))
    values, flags = fill_interior_gaps(s.dropna(), 1999, 2005, "linear")
    assert np.isnan(values["A", 1999]) and np.isnan(values["A", 2005])  # no extrapolation
    assert values["A", 2001] == pytest.approx(1.5) and values["A", 2003] == pytest.approx(2.5)  # 2002 itself was never published
    assert flags["A", 2001] and not flags["A", 2000]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"kof_vintage": "v9"}, "kof_vintage='v9' is not in the KOF panel"),
        ({"excluded_countries": {"XXX": "?"}}, "not among the candidate countries"),
        ({"developed": ["XXX"]}, "sample.developed"),
        ({"controls": [ControlSpec("lnX", "pwt", "nope", "log")]}, "PWT has no column 'nope'"),
        ({"controls": [ControlSpec("Z", "wdi", "NY.GDP")]}, "WDI has no indicator 'NY.GDP'"),
    ],
)
def test_configuration_errors_name_the_problem(kw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build(**kw)


def test_log_of_non_positive_value_is_an_error_naming_country_and_year() -> None:
    src = sources()
    src["pwt"].loc[(src["pwt"]["iso3"] == "BBB") & (src["pwt"]["year"] == 2003), "rgdpna"] = -1.0
    with pytest.raises(ValueError, match="non-positive value -1.0 for BBB 2003"):
        build(src=src)


def test_control_spec_rejects_unknown_source_and_transform() -> None:
    with pytest.raises(ValueError, match="source 'imf'"):
        ControlSpec("X", "imf", "x")
    with pytest.raises(ValueError, match="transform 'sqrt'"):
        ControlSpec("X", "pwt", "x", "sqrt")
    with pytest.raises(ValueError, match="fill 'cubic'"):
        ControlSpec("X", "wgi", "RQ", fill="cubic")
    with pytest.raises(ValueError, match="missing key"):
        ControlSpec.from_config({"X": {"source": "pwt"}})


def test_sample_design_from_config_and_swapping_a_control() -> None:
    from tradeimbalance.econometrics.panel import SampleDesign

    design = SampleDesign.from_config(
        {
            "countries": COUNTRIES, "first_year": 2000, "last_year": 2004, "outcomes": OUTCOMES,
            "controls": {"RQ": {"source": "wgi", "variable": "RQ", "fill": "linear"}, "lnGDP": {"source": "pwt", "variable": "rgdpna", "transform": "log"}},
            "excluded_countries": {"CCC": "left out on purpose"}, "developed": ["AAA"],
        }
    )  # fmt: skip
    assert design.control_names == ["RQ", "lnGDP"] and design.controls[0].fill == "linear"
    tbi, dva, kof = inputs()
    panel, _ = design.assemble(tbi, dva, kof, sources(), "v1")
    swapped, _ = design.with_control("lnGDP", "rgdpna").assemble(tbi, dva, kof, sources(), "v1")
    pd.testing.assert_frame_equal(panel, swapped)
    with pytest.raises(ValueError, match="no control named 'TFP'"):
        design.with_control("TFP", "ctfp")
