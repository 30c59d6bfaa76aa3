"""The specification curve (tradeimbalance.econometrics.speccurve) on synthetic panels with known effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradeimbalance.econometrics import speccurve as sc
from tradeimbalance.econometrics.estimation import fit_fe

TRUE_EFFECT = 2.0


def world(seed: int = 0, g: int = 16, t: int = 10, unbalanced: bool = False) -> pd.DataFrame:
    """Panel with a known TBI effect: y = 2·TBI + 1.5·w + country + year effects + noise. The control w is
    correlated with TBI, so leaving it out biases the estimate (a misspecified choice); a second outcome has no
    TBI effect at all, and a 'noise' TBI definition is unrelated to y."""
    rng = np.random.default_rng(seed)
    rows = [{"iso3": f"C{i:02d}", "year": 2000 + j} for i in range(g) for j in range(t)]
    d = pd.DataFrame(rows)
    a = d["iso3"].map(dict(zip(sorted(d["iso3"].unique()), rng.normal(size=g))))
    b = d["year"].map(dict(zip(range(2000, 2000 + t), rng.normal(size=t))))
    d["TBI:good"] = rng.normal(size=len(d)) + 0.5 * a
    d["TBI:noise"] = rng.normal(size=len(d))
    d["w"] = 0.8 * d["TBI:good"] + rng.normal(size=len(d))
    d["y_effect"] = TRUE_EFFECT * d["TBI:good"] + 1.5 * d["w"] + a + b + 0.05 * rng.normal(size=len(d))
    d["y_none"] = 1.5 * d["w"] + a + b + 0.05 * rng.normal(size=len(d))
    if unbalanced:
        d = d.drop(index=rng.choice(len(d), size=len(d) // 10, replace=False)).reset_index(drop=True)
    return d


def test_batch_estimator_equals_fit_fe() -> None:
    d = world(unbalanced=True)
    x = d[["TBI:good", "w"]].to_numpy()
    y = d[["y_effect", "y_none"]].to_numpy()
    coef, se = sc.fe_tbi_batch(x, y, d["iso3"].to_numpy(), d["year"].to_numpy())
    for j, outcome in enumerate(["y_effect", "y_none"]):
        ref = fit_fe(d.rename(columns={"TBI:good": "TBI"}), outcome, ["TBI", "w"]).coefs.loc["TBI"]
        assert coef[j] == pytest.approx(ref["coef"], rel=1e-10)
        assert se[j] == pytest.approx(ref["se"], rel=1e-9)


def _curve(d: pd.DataFrame, choices: dict[str, list[str]]) -> pd.DataFrame:
    specs = sc.enumerate_specifications(choices)
    developed = sorted(d["iso3"].unique())[:8]
    panels = {("r", "configured", (), v): d.assign(**{"KOFx": d["y_effect"], "KOFz": d["y_none"]}) for v in choices["kof_vintage"]}
    return sc.estimate_curve(
        specs, panels, developed_lists={"r": {"configured": developed, "alt": developed[:6]}}, control_names={"r": ["w"]},
        defaults={"io_release": "r", "country_set": "configured", "developed_list": "configured"},
    )  # fmt: skip


def test_curve_recovers_the_known_effect_where_correctly_specified() -> None:
    d = world()
    choices = {
        "kof_vintage": ["v1", "v2"],
        "outcome": ["KOFx", "KOFz"],
        "sample": ["all", "developed", "developing"],
        "controls": ["with", "without"],
        "tbi": ["good", "noise"],
        "developed_list": ["configured", "alt"],
    }
    curve = _curve(d, choices)
    # sample "all" does not multiply by the developed list: 2 vintages × 2 outcomes × 2 controls × 2 TBI × (1 + 2·2)
    assert len(curve) == 2 * 2 * 2 * 2 * 5
    assert (curve.loc[curve["sample"] == "all", "developed_list"] == sc.NOT_APPLICABLE).all()
    right = curve[(curve["controls"] == "with") & (curve["tbi"] == "good")]
    truth = np.where(right["outcome"] == "KOFx", TRUE_EFFECT, 0.0)
    assert np.allclose(right["coef"], truth, atol=0.05)
    assert ((right["ci_low"] <= truth + 1e-9) | (right["se"] < 0.05)).all()
    # leaving out the correlated control biases the estimate: 1.5 × 0.8 / (1 + 0.8²·…) ≈ +0.7 or more
    omitted = curve[(curve["controls"] == "without") & (curve["tbi"] == "good")]
    assert (omitted["coef"] - np.where(omitted["outcome"] == "KOFx", TRUE_EFFECT, 0.0) > 0.3).all()
    # every row solved; N and clusters as the sample
    assert curve["coef"].notna().all() and (curve.loc[curve["sample"] == "developed", "nclusters"] <= 8).all()
    summary = sc.curve_summary(curve, list(choices))
    assert summary["n"] == len(curve)
    assert summary["most_moving"][1] in ("outcome", "tbi", "controls")


def test_enumerate_drops_choices_that_cannot_matter() -> None:
    specs = sc.enumerate_specifications({"sample": ["all", "developed"], "controls": ["with", "without"], "developed_list": ["a", "b"], "control_lnGDP": ["x", "y"]})
    # all: 1 list; developed: 2 lists; with: 2 definitions; without: 1
    assert len(specs) == (1 + 2) * (2 + 1)
    assert not specs.duplicated().any()
    assert (specs.loc[specs["controls"] == "without", "control_lnGDP"] == sc.NOT_APPLICABLE).all()


def test_country_sets_follow_the_search_ranking() -> None:
    ranking = pd.DataFrame({"dropped": ["ROU", "ROU", "BGR", "ROU", "SVK", "BGR", "LUX"]})
    sets = sc.country_sets(ranking, {"TWN": "no KOF data", "ROU": "code mismatch"}, ["TWN"], 2)
    assert [s.label for s in sets] == ["configured", "drop BGR instead of ROU", "drop SVK instead of ROU"]
    # a swap means the same on every release: its own excluded countries, with ROU let back in and BGR left out
    paper = {"TWN": "no KOF data", "ROU": "code mismatch"}
    swapped = sets[1].excluded(paper, ["BGR", "ROU", "TWN", "USA"])
    assert swapped["TWN"] == "no KOF data" and "BGR" in swapped and "ROU" not in swapped
    assert sets[1].excluded({"TWN": "no KOF"}, ["TWN", "USA"]) == {"TWN": "no KOF"}  # a release without BGR or ROU: unchanged
    assert sets[0].excluded(paper, ["BGR", "ROU", "TWN"]) == paper
    assert len(sc.country_sets(ranking, {"TWN": "x", "ROU": "y"}, ["TWN"], 0)) == 1
    # an addition keeps the configured choice and leaves another country out as well
    more = sc.country_sets(ranking, paper, ["TWN"], 1, additions=1)
    assert [s.label for s in more] == ["configured", "drop BGR instead of ROU", "also drop BGR"]
    assert set(more[2].excluded(paper, ["BGR", "ROU", "TWN"])) == {"TWN", "ROU", "BGR"}


@pytest.mark.parametrize(
    "dims, message",
    [
        ({"kof_vintage": ["1999"]}, "not KOF vintages"),
        ({"tbi": ["gross"]}, "not in specification_curve.tbi_definitions"),
        ({"sample": ["rich"]}, "not samples"),
        ({"controls": ["some"]}, r"\['some'\] are not with / without"),
        ({"control_lnFOO": ["a"]}, "no control named 'lnFOO'"),
        ({"colour": ["red"]}, "unknown dimension"),
        ({"outcome": ["A", "A"]}, "listed twice"),
        ({"developed_list": ["imf"]}, "not developed lists"),
    ],
)
def test_bad_dimensions_name_the_key(dims: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        sc.dimension_choices(
            dims, releases=["wiod2013"], vintages=["2018", "2025"], developed_lists=["configured", "oecd"], country_set_labels=["configured"],
            tbi_definitions={"va": sc.TBIDefinition("va", "va_absorbed")}, control_names=["lnGDP"],
        )  # fmt: skip
    assert "config specification_curve.dimensions." in str(err.value)


def test_tbi_definitions_from_config() -> None:
    assert sc.TBIDefinition.from_config("d", {"measure": "dva", "row_partner": False}) == sc.TBIDefinition("d", "dva", "baseline", False)
    assert sc.TBIDefinition.from_config("v", {"measure": "va_absorbed"}).is_configured
    with pytest.raises(ValueError, match="tbi_definitions.x.measure"):
        sc.TBIDefinition.from_config("x", {"measure": "gross"})
    with pytest.raises(ValueError, match="applies to va_absorbed only"):
        sc.TBIDefinition.from_config("x", {"measure": "dva", "variant": "baseline"})


@pytest.mark.parametrize("shape", [(50,), (50, 3), (50, 2, 4), (0, 3), (50, 0)])
def test_group_sums_add_the_rows_in_order_as_add_at_does(shape: tuple[int, ...]) -> None:
    """groups.group_sums (np.bincount per column) equals np.add.at's sums bit for bit, empty groups and shapes included."""
    from tradeimbalance.econometrics.groups import group_sums

    rng = np.random.default_rng(len(shape))
    values = rng.normal(size=shape) * 10.0 ** rng.integers(-8, 8, size=shape)
    codes = rng.integers(0, 7, shape[0])
    expected = np.zeros((8, *shape[1:]))
    np.add.at(expected, codes, values)
    got = group_sums(values, codes, 8)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
