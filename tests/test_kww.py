"""KWW decomposition and source-based bilateral DVA on worlds with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import HAND_DVA_BILATERAL, HAND_KWW, exact_kww, hand_world, rational_world

from synthetic import random_world
from tradeimbalance.io.ioalgebra import balance_index, va_absorbed
from tradeimbalance.io.kww import DVA_TERMS, KWW_TERMS, VAX_TERMS, kww_decomposition


def test_hand_world_terms_match_hand_derivation() -> None:
    res = kww_decomposition(hand_world())
    terms = res.terms.set_index("iso3")
    for country, expected in HAND_KWW.items():
        for name, value in expected.items():
            assert terms.loc[country, name] == pytest.approx(value, abs=1e-12), (country, name)
    np.testing.assert_allclose(res.dva_bilateral, HAND_DVA_BILATERAL, atol=1e-12)


def test_terms_match_exact_rational_transcription_of_kww_eq36() -> None:
    table, A, Y, v = rational_world()
    exact = exact_kww(A, Y, v, C=3, S=2)
    res = kww_decomposition(table)
    for name in ("gross_exports", *KWW_TERMS):
        np.testing.assert_allclose(res.terms[name], [float(q) for q in exact[name]], rtol=1e-11, err_msg=name)
    np.testing.assert_allclose(res.dva_bilateral.ravel(), [float(q) for q in exact["dva_bilateral"]], rtol=1e-11)
    # The rational world has two-way intermediate trade, so every term is non-zero.
    assert (res.terms[list(KWW_TERMS)].to_numpy() > 0).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adding_up_and_dva_consistency_on_random_worlds(seed: int) -> None:
    t = random_world(("AAA", "BBB", "CCC", "DDD", "EEE"), ("s1", "s2", "s3", "s4"), seed=seed, zero_output=(3,))
    res = kww_decomposition(t)
    terms = res.terms
    np.testing.assert_allclose(terms[list(KWW_TERMS)].sum(axis=1), terms["gross_exports"], rtol=1e-10)
    assert np.abs(terms["adding_up_gap"]).max() < 1e-9 * terms["gross_exports"].max()
    # Balanced table: model-consistent gross exports equal the table's flows.
    np.testing.assert_allclose(terms["gross_exports"], terms["gross_exports_table"], rtol=1e-10)
    # VAX (terms 1–3) is value added absorbed abroad.
    vax = balance_index(va_absorbed(t), t.countries)["exports"]
    np.testing.assert_allclose(terms[list(VAX_TERMS)].sum(axis=1), vax, rtol=1e-10)
    # Source-based bilateral DVA sums over partners to KWW's DVA (terms 1–5).
    np.testing.assert_allclose(res.dva_bilateral.sum(axis=1), terms[list(DVA_TERMS)].sum(axis=1), rtol=1e-10)
    np.testing.assert_allclose(terms["dva"], terms[list(DVA_TERMS)].sum(axis=1), rtol=1e-12)
    assert np.all(np.diag(res.dva_bilateral) == 0)
