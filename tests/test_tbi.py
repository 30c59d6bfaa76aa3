"""Per-year TBI jobs: variants, panels, and their comparison with published values (synthetic inputs)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from worlds import HAND_TBI, hand_world

from synthetic import random_world
from tradeimbalance.io.ioalgebra import balance_index, va_absorbed
from tradeimbalance.outputs.tables import compare_variants
from tradeimbalance.io.tbi import tbi_dva_panel, tbi_panel, tbi_variants, year_kww, year_va_absorbed


def test_variants_on_hand_world() -> None:
    v = tbi_variants(hand_world(), "primary_inputs")
    assert set(v["variant"]) == {"baseline", "no_row_partner", "fd_without_inventories"}  # no VA row in this table
    for name in v["variant"].unique():  # no ROW and no inventories in the hand world: all equal the hand TBI
        np.testing.assert_allclose(v[v["variant"] == name]["tbi"], HAND_TBI, atol=1e-14)


def test_variants_change_what_they_say() -> None:
    countries = ("AAA", "BBB", "CCC", "ROW")
    t = random_world(countries, ("s1", "s2", "s3"), seed=8)
    v = tbi_variants(t, "primary_inputs").set_index(["variant", "iso3"])["tbi"]
    base = balance_index(va_absorbed(t), countries).set_index("iso3")["index"]
    np.testing.assert_allclose(v["baseline"].loc[list(countries)], base, rtol=1e-12)
    # Excluding ROW as partner = the index of the 3 × 3 sub-matrix.
    sub = va_absorbed(t)[:3, :3]
    np.testing.assert_allclose(v["no_row_partner"].loc[["AAA", "BBB", "CCC"]], balance_index(sub, countries[:3])["index"], rtol=1e-12)
    assert "ROW" not in v["no_row_partner"].index
    # Without inventories = the TBI of a table whose INVEN column is zero.
    F = t.F.copy()
    F[:, 4::5] = 0.0
    no_inv = balance_index(va_absorbed(dataclasses.replace(t, F=F)), countries)["index"]
    np.testing.assert_allclose(v["fd_without_inventories"].loc[list(countries)], no_inv, rtol=1e-12)
    # Basic-price value added uses the VA row.
    basic = balance_index(va_absorbed(t, "basic_prices"), countries)["index"]
    np.testing.assert_allclose(v["va_basic_prices"].loc[list(countries)], basic, rtol=1e-12)


def test_panels_stack_years_and_match_direct_computation() -> None:
    worlds = [random_world(("AAA", "BBB", "ROW"), ("s1", "s2"), year=y, seed=y) for y in (2001, 2000)]
    long = pd.concat([year_va_absorbed(w, "primary_inputs")[0] for w in worlds])
    panel = tbi_panel(long, "primary_inputs")
    assert panel[["iso3", "year"]].values.tolist() == [[c, y] for c in ("AAA", "BBB", "ROW") for y in (2000, 2001)]
    for w in worlds:
        expected = balance_index(va_absorbed(w), w.countries)["index"].to_numpy()
        np.testing.assert_allclose(panel[panel["year"] == w.year]["tbi"], expected, rtol=1e-12)
    dva = pd.concat([year_kww(w, "primary_inputs")[1] for w in worlds])
    dpanel = tbi_dva_panel(dva, "primary_inputs")
    assert len(dpanel) == 6 and dpanel["tbi_dva"].between(-1, 1).all()
    with pytest.raises(ValueError, match=r"dva: no value for exporter–importer pair\(s\) \[\('AAA', 'AAA'\)\]"):
        tbi_dva_panel(dva.iloc[1:], "primary_inputs")


def test_compare_variants_counts_cells_within_tolerance() -> None:
    variants = pd.DataFrame(
        {
            "release": "x",
            "year": [2000, 2001, 2000, 2001],
            "iso3": ["CHN"] * 4,
            "variant": ["baseline", "baseline", "other", "other"],
            "tbi": [0.1000, 0.2000, 0.1004, 0.2100],
        }
    )
    published = pd.DataFrame({"year": [2000, 2001, 2002], "CHN": [0.1003, 0.2001, 0.3]})
    cmp = compare_variants(variants, published).set_index("variant")
    assert cmp.loc["baseline", "cells"] == 2 and cmp.loc["baseline", "within_tolerance"] == 2
    assert cmp.loc["other", "within_tolerance"] == 1
    assert cmp.loc["other", "max_abs_difference"] == pytest.approx(0.0099)
    assert cmp.loc["baseline", "rmse"] == pytest.approx(np.sqrt((0.0003**2 + 0.0001**2) / 2))


def _va_year(release: str, year: int, scale: float = 1.0) -> pd.DataFrame:
    regions = ["AAA", "BBB", "ROW"]
    rows = [(release, year, e, i, scale * (1 + k)) for k, (e, i) in enumerate((e, i) for e in regions for i in regions if e != i)]
    return pd.DataFrame(rows, columns=["release", "year", "exporter", "importer", "va_absorbed"])


def test_per_year_files_are_stacked_and_validated_once_as_file_by_file(tmp_path) -> None:  # noqa: ANN001
    """parquet.read_frames: the stack of a release's per-year files equals the files read and validated one by one; a
    bad file is refused with its name; a key repeated across files (the same year twice) is refused; files whose dtypes
    differ are validated one by one (a stack would unify the dtypes)."""
    import pandera.errors
    from tradeimbalance import schemas
    from tradeimbalance.parquet import read_frame, read_frames, write_frame

    paths = []
    for year in (2000, 2001, 2002):
        paths.append(tmp_path / f"{year}.parquet")
        write_frame(_va_year("r", year), paths[-1], schemas.VA_ABSORBED)
    expected = pd.concat([read_frame(p, schemas.VA_ABSORBED) for p in paths], ignore_index=True)
    pd.testing.assert_frame_equal(read_frames(paths, schemas.VA_ABSORBED), expected)
    pd.testing.assert_frame_equal(read_frames(paths), expected)

    bad = tmp_path / "bad" / "2003.parquet"
    bad.parent.mkdir()
    _va_year("r", 2003).assign(exporter="xx").to_parquet(bad)  # not an ISO code
    with pytest.raises(pandera.errors.SchemaErrors) as err:
        read_frames([*paths, bad], schemas.VA_ABSORBED)
    assert str(bad) in " ".join(getattr(err.value, "__notes__", []))

    with pytest.raises(pandera.errors.SchemaErrors) as err:
        read_frames([*paths, paths[0]], schemas.VA_ABSORBED)  # the year 2000 twice
    assert "each valid alone" in " ".join(getattr(err.value, "__notes__", []))

    ints = tmp_path / "ints" / "2003.parquet"
    ints.parent.mkdir()
    _va_year("r", 2003).assign(va_absorbed=lambda d: d["va_absorbed"].astype("int64")).to_parquet(ints)
    with pytest.raises(pandera.errors.SchemaErrors) as err:
        read_frames([*paths, ints], schemas.VA_ABSORBED)  # stacked, the ints would become floats and pass
    assert str(ints) in " ".join(getattr(err.value, "__notes__", []))
