"""Value added absorbed and the TBI on synthetic worlds with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import HAND_TBI, HAND_VA_ABS, exact_kww, hand_world, rational_world

from synthetic import WIOD2016_REGIONS, random_world
from tradeimbalance.io.ioalgebra import (
    balance_index,
    leontief_system,
    long_to_matrix,
    matrix_to_long,
    va_absorbed,
)


def test_hand_world_va_absorbed_matches_hand_derivation() -> None:
    np.testing.assert_allclose(va_absorbed(hand_world()), HAND_VA_ABS, rtol=0, atol=1e-12)


def test_hand_world_tbi_matches_hand_derivation() -> None:
    t = hand_world()
    out = balance_index(va_absorbed(t), t.countries)
    np.testing.assert_allclose(out["index"], HAND_TBI, rtol=0, atol=1e-14)
    np.testing.assert_allclose(out["exports"], [7.5, 42.5, 12.5], atol=1e-12)
    np.testing.assert_allclose(out["imports"], [12.5, 7.5, 42.5], atol=1e-12)
    assert out["numerator"].sum() == pytest.approx(0.0, abs=1e-12)


def test_va_absorbed_matches_exact_rational_computation() -> None:
    table, A, Y, v = rational_world()
    exact = np.array([float(q) for q in exact_kww(A, Y, v, C=3, S=2)["va_abs"]]).reshape(3, 3)
    np.testing.assert_allclose(va_absorbed(table), exact, rtol=1e-12)


def test_identities_on_random_world_of_wiod2016_size() -> None:
    t = random_world(WIOD2016_REGIONS, tuple(f"s{i}" for i in range(8)), seed=1, zero_output=(5, 77))
    m = va_absorbed(t)
    va_by_country = t.value_added().reshape(t.n_countries, t.n_sectors).sum(axis=1)
    fd_by_country = t.final_demand().sum(axis=0)
    np.testing.assert_allclose(m.sum(axis=1), va_by_country, rtol=1e-10)
    np.testing.assert_allclose(m.sum(axis=0), fd_by_country, rtol=1e-10)
    assert np.isfinite(m).all()
    assert balance_index(m, t.countries)["numerator"].sum() == pytest.approx(0.0, abs=1e-6 * m.sum())


def test_zero_output_sectors_get_zero_coefficients_without_nan(caplog: pytest.LogCaptureFixture) -> None:
    t = random_world(("AAA", "BBB"), ("s1", "s2", "s3"), seed=2, zero_output=(1, 4))
    with caplog.at_level("INFO"):
        system = leontief_system(t, keep_A=True)
    A, v = system.A, system.v
    assert list(system.zero_output) == [1, 4]
    assert np.all(A[:, [1, 4]] == 0) and np.all(v[[1, 4]] == 0)
    assert np.isfinite(A).all() and np.isfinite(v).all()
    assert "2 zero-output sector(s)" in caplog.text and "AAA s2" in caplog.text and "BBB s2" in caplog.text


def test_row_and_column_major_tables_give_the_same_answer() -> None:
    """LAPACK factorises a row-major I − A through its transpose (no copy): both paths agree."""
    import dataclasses

    from tradeimbalance.io.kww import kww_decomposition

    t = random_world(("AAA", "BBB", "CCC"), ("s1", "s2", "s3"), seed=6)
    f = dataclasses.replace(t, Z=np.asfortranarray(t.Z))
    assert leontief_system(t).transposed and not leontief_system(f).transposed
    np.testing.assert_allclose(va_absorbed(t), va_absorbed(f), rtol=1e-13)
    s_t, s_f = leontief_system(t), leontief_system(f)
    rhs = np.arange(9.0)
    np.testing.assert_allclose(s_t.solve_transposed(rhs), s_f.solve_transposed(rhs), rtol=1e-13)
    np.testing.assert_allclose(kww_decomposition(t).dva_bilateral, kww_decomposition(f).dva_bilateral, rtol=1e-12)


def test_basic_price_value_added_uses_va_row() -> None:
    t = random_world(("AAA", "BBB"), ("s1", "s2"), seed=4)
    m = va_absorbed(t, value_added="basic_prices")
    np.testing.assert_allclose(m.sum(axis=1), t.primary_inputs["VA"].reshape(2, 2).sum(axis=1), rtol=1e-10)
    assert (m.sum(axis=0) < t.final_demand().sum(axis=0)).all()  # taxes etc. are not counted


def test_matches_pymrio_on_random_world() -> None:
    pymrio = pytest.importorskip("pymrio")
    import pandas as pd

    t = random_world(("AAA", "BBB", "CCC", "DDD"), ("s1", "s2", "s3"), seed=5)
    idx = pd.MultiIndex.from_tuples(t.row_labels(), names=["region", "sector"])
    Z = pd.DataFrame(t.Z, index=idx, columns=idx)
    Y = pd.DataFrame(t.final_demand(), index=idx, columns=pd.MultiIndex.from_product([t.countries, ["fd"]], names=["region", "category"]))
    # One value-added stressor per origin country: pymrio's consumption-based account by region
    # (D_cba_reg) is then value added of each origin absorbed in each region's final demand.
    own = np.repeat(np.eye(t.n_countries), t.n_sectors, axis=1)
    va = pd.DataFrame(own * t.value_added()[None, :], index=list(t.countries), columns=idx)
    io = pymrio.IOSystem(Z=Z, Y=Y, factor_inputs={"F": va, "name": "factor_inputs"})
    io.calc_all()
    expected = io.factor_inputs.D_cba_reg.loc[list(t.countries), list(t.countries)].to_numpy()
    np.testing.assert_allclose(va_absorbed(t), expected, rtol=1e-9)


def test_long_matrix_round_trip() -> None:
    m = np.arange(9.0).reshape(3, 3)
    df = matrix_to_long(m, ["A", "B", "C"], "va")
    back, countries = long_to_matrix(df, "va")
    assert countries == ["A", "B", "C"]
    np.testing.assert_array_equal(back, m)
