"""Decomposition of gross exports (Koopman, Wang & Wei 2014) and domestic value added in exports.

Notation for countries ``r, s, t`` (blocks of ``S`` sectors): ``B = (I − A)⁻¹``
the global Leontief inverse, ``L_rr = (I − A_rr)⁻¹`` the local inverse,
``V_r`` the value-added coefficients of ``r``, ``Y_rs`` final goods made in
``r`` for ``s``, ``X = B Y 1`` gross output, and ``E_r* = Σ_{s≠r} (A_rs X_s + Y_rs)``
the gross exports of ``r``. Equation (36) of KWW (2014, AER 104(2)) splits
``u E_r*`` into nine terms, the aggregate form of the Wang, Wei & Zhu (2013)
sixteen-term decomposition (their Table E2 maps the terms):

====  ==============  ===================================================================
term  name            definition
====  ==============  ===================================================================
1     ``DVA_FIN``     ``V_r B_rr Σ_{s≠r} Y_rs``                — DVA in final-goods exports
2     ``DVA_INT``     ``V_r Σ_{s≠r} B_rs Y_ss``                — DVA in intermediates absorbed by the direct importer
3     ``DVA_INTrex``  ``V_r Σ_{s≠r} Σ_{t≠r,s} B_rs Y_st``      — DVA in intermediates re-exported to third countries
4     ``RDV_FIN``     ``V_r Σ_{s≠r} B_rs Y_sr``                — DVA returning home in final imports
5     ``RDV_INT``     ``V_r Σ_{s≠r} B_rs A_sr L_rr Y_rr``      — DVA returning home in intermediate imports
6     ``DDC``         ``V_r Σ_{s≠r} B_rs A_sr L_rr E_r*``      — domestic double counting
7     ``FVA_FIN``     ``Σ_{t≠r} V_t B_tr Σ_{s≠r} Y_rs``        — foreign VA in final-goods exports
8     ``FVA_INT``     ``Σ_{t≠r} V_t B_tr Σ_{s≠r} A_rs L_ss Y_ss`` — foreign VA in intermediate exports
9     ``FDC``         ``Σ_{t≠r} V_t B_tr Σ_{s≠r} A_rs L_ss E_s*`` — foreign double counting
====  ==============  ===================================================================

Terms 1–3 are value-added exports (``VAX``, the off-diagonal row sums of
``V̂BY``); **DVA**, domestic value added in gross exports, is terms 1–5 (KWW's
"domestic value added in exports": value added that leaves the country and
is part of its GDP; terms 4–5 return home). The nine terms add up to gross
exports whenever ``v' B = 1'``, i.e. with value added defined as all primary
inputs (``x − Σ Z``); all nine are computed explicitly here and the sum is
checked, never forced by a residual.

Bilateral DVA. The DVA-based TBI needs DVA by partner. We use the
source-based split ``DVA_rs = V_r L_rr E_rs`` with ``E_rs = A_rs X_s + Y_rs``
(Borin & Mancini 2019, exporter-perspective): each unit of ``r``'s value added
is counted the first time it leaves ``r``. Its sum over partners equals KWW's
terms 1–5 exactly, because ``X_r = L_rr (Y_rr + E_r*)`` gives
``V_r L_rr E_r* = GDP_r − V_r L_rr Y_rr``.

All terms come from one LU factorisation of ``I − A``: ``M = G v̂ B`` (value
added of country ``t`` per unit of final output of sector ``k``) is one
transposed solve with ``C`` right-hand sides; the ``L_rr`` are ``C`` small
``S × S`` factorisations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg as sla

from .ioalgebra import LeontiefSystem, aggregate_rows, country_index, leontief_system
from .iotable import IOTable

KWW_TERMS: tuple[str, ...] = (
    "DVA_FIN",
    "DVA_INT",
    "DVA_INTrex",
    "RDV_FIN",
    "RDV_INT",
    "DDC",
    "FVA_FIN",
    "FVA_INT",
    "FDC",
)
#: KWW terms whose sum is domestic value added in gross exports (DVA).
DVA_TERMS: tuple[str, ...] = KWW_TERMS[:5]
#: KWW terms whose sum is value-added exports (VAX).
VAX_TERMS: tuple[str, ...] = KWW_TERMS[:3]


@dataclass(frozen=True)
class KWWResult:
    """KWW decomposition of one table.

    Attributes
    ----------
    terms:
        One row per country: ``iso3``, ``gross_exports`` (model-consistent
        ``Σ_{s≠r} (A_rs X_s + Y_rs)``), ``gross_exports_table`` (the table's
        own flows ``Σ_{s≠r} (Z_rs 1 + Y_rs)``; equal up to rounding), the nine
        terms, ``dva`` (terms 1–5), ``vax`` (terms 1–3) and ``adding_up_gap``
        (gross exports minus the sum of the nine terms).
    dva_bilateral:
        ``C × C`` source-based DVA, row exporter, column importer, zero diagonal.
    """

    terms: pd.DataFrame
    dva_bilateral: np.ndarray
    countries: tuple[str, ...]


def kww_decomposition(table: IOTable, value_added: str = "primary_inputs", system: LeontiefSystem | None = None) -> KWWResult:
    """Decompose every country's gross exports into the nine KWW terms (see the module docstring)."""
    sysm = system if system is not None and system.A is not None else leontief_system(table, value_added, keep_A=True)
    A, v = sysm.A, sysm.v
    G, N, n = table.n_countries, table.n_sectors, table.n
    cidx = country_index(table)
    rows = np.arange(n)
    own_mask = cidx[:, None] == np.arange(G)[None, :]  # own_mask[k, r]: row k belongs to country r
    Y = table.final_demand()

    # Model-consistent gross output and gross exports by destination.
    X = sysm.solve(Y).sum(axis=1)
    D = np.zeros((n, G))
    D[rows, cidx] = X
    E_bil = A @ D + Y  # sales of row k to country s (intermediate A_rs X_s + final Y_rs)
    E_bil[own_mask] = 0.0
    E = E_bil.sum(axis=1)

    # M[t, k] = Σ_{i∈t} v_i B_ik, from one transposed solve.
    M = sysm.solve_transposed(v[:, None] * own_mask).T
    own = M[cidx, rows]  # V_r B_rr by column k ∈ r
    foreign = M.sum(axis=0) - own  # Σ_{t≠r} V_t B_tr by column k ∈ r
    off_M = np.where(own_mask.T, 0.0, M)  # M[r, k] for k ∉ r

    # Local inverses: q = L_rr Y_rr, qE = L_rr E_r*, w = V_r L_rr.
    q, qE, w = np.zeros(n), np.zeros(n), np.zeros(n)
    eye = np.eye(N)
    for r in range(G):
        blk = slice(r * N, (r + 1) * N)
        lu = sla.lu_factor(eye - A[blk, blk], check_finite=False)
        q[blk] = sla.lu_solve(lu, Y[blk, r], check_finite=False)
        qE[blk] = sla.lu_solve(lu, E[blk], check_finite=False)
        w[blk] = sla.lu_solve(lu, v[blk], trans=1, check_finite=False)
    Q = np.zeros((n, G))
    Q[rows, cidx] = q
    QE = np.zeros((n, G))
    QE[rows, cidx] = qE
    H = A @ Q  # H[k, r] = Σ_{j∈r} A_kj (L_rr Y_rr)_j
    HE = A @ QE  # HE[k, r] = Σ_{j∈r} A_kj (L_rr E_r*)_j

    y_exp = np.where(own_mask, 0.0, Y).sum(axis=1)  # Σ_{s≠r} Y_rs by row
    y_dom = Y[rows, cidx]  # Y_ss by row k ∈ s
    y_tot = Y.sum(axis=1)

    def by_country(values: np.ndarray) -> np.ndarray:
        return aggregate_rows(values[:, None], G, N)[:, 0]

    t = {
        "DVA_FIN": by_country(own * y_exp),
        "DVA_INT": off_M @ y_dom,
        "DVA_INTrex": off_M @ (y_tot - y_dom) - (off_M * Y.T).sum(axis=1),
        "RDV_FIN": (off_M * Y.T).sum(axis=1),
        "RDV_INT": (off_M * H.T).sum(axis=1),
        "DDC": (off_M * HE.T).sum(axis=1),
        "FVA_FIN": by_country(foreign * y_exp),
        "FVA_INT": by_country(foreign * (H.sum(axis=1) - H[rows, cidx])),
        "FDC": by_country(foreign * (HE.sum(axis=1) - HE[rows, cidx])),
    }
    gross_exports = by_country(E)
    z_exports = aggregate_rows(table.Z, G, N)  # supplying country × using column
    z_by_dest = z_exports.reshape(G, G, N).sum(axis=2)  # supplying × using country
    y_by_dest = aggregate_rows(Y, G, N)
    table_flows = z_by_dest + y_by_dest
    gross_exports_table = table_flows.sum(axis=1) - np.diag(table_flows)

    frame = pd.DataFrame({"iso3": list(table.countries), "gross_exports": gross_exports, "gross_exports_table": gross_exports_table})
    for name in KWW_TERMS:
        frame[name] = t[name]
    frame["dva"] = frame[list(DVA_TERMS)].sum(axis=1)
    frame["vax"] = frame[list(VAX_TERMS)].sum(axis=1)
    frame["adding_up_gap"] = frame["gross_exports"] - frame[list(KWW_TERMS)].sum(axis=1)

    dva_bil = aggregate_rows(w[:, None] * E_bil, G, N)
    np.fill_diagonal(dva_bil, 0.0)
    return KWWResult(terms=frame, dva_bilateral=dva_bil, countries=tuple(table.countries))
