"""Small worlds whose value-added flows and KWW terms are known independently of the package.

``hand_world`` is a 3-country × 2-sector world without production loops, so
``B = I + A + A²`` and every flow can be traced by hand (the derivation is in
the comments). ``exact_kww`` transcribes KWW (2014) equation (36) block by
block in exact rational arithmetic (``fractions.Fraction``), forming ``B`` and
the local inverses explicitly: an independent computation for any small world.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from tradeimbalance.io.iotable import FD_CATEGORIES, IOTable

K = len(FD_CATEGORIES)


def hand_world() -> IOTable:
    """Countries P, Q, R with sectors a, b (row order Pa Pb Qa Qb Ra Rb).

    Flows (millions):
      Pa: no inputs, value added 10, sells 10 to Qa (intermediate).
      Pb: no inputs, value added 50, sells 50 to P's households.
      Qa: buys 10 from Pa, value added 30, output 40; final sales 30 to R, 10 to P.
      Qb: no inputs, value added 20, sells 20 to Ra (intermediate).
      Ra: buys 20 from Qb, value added 20, output 40; final sales 25 to R, 15 to Q.
      Rb: no inputs, value added 5, sells 5 to P (final).
    Final demand is booked as household consumption (CONS_h) of the destination.
    """
    countries, sectors = ("PPP", "QQQ", "RRR"), ("a", "b")
    idx = {f"{c[0]}{s}": i for i, (c, s) in enumerate((c, s) for c in countries for s in sectors)}
    dest = {"P": 0, "Q": 1, "R": 2}
    n = 6
    Z = np.zeros((n, n))
    F = np.zeros((n, 3 * K))
    Z[idx["Pa"], idx["Qa"]] = 10
    Z[idx["Qb"], idx["Ra"]] = 20
    for row, d, value in [("Pb", "P", 50), ("Qa", "R", 30), ("Qa", "P", 10), ("Ra", "R", 25), ("Ra", "Q", 15), ("Rb", "P", 5)]:
        F[idx[row], dest[d] * K] = value
    x = np.array([10.0, 50.0, 40.0, 20.0, 40.0, 5.0])
    return IOTable(release="hand", year=2000, countries=countries, sectors=sectors, Z=Z, F=F, x=x)


#: VA_abs of ``hand_world`` traced by hand (rows: origin of value added; columns: absorbing country).
#: P: Pa's 10 travels in Qa's final goods, 3/4 to R and 1/4 to P; Pb's 50 stays in P.
#: Q: Qa's 30 goes 3/4 to R, 1/4 to P; Qb's 20 travels in Ra's goods, 25/40 to R, 15/40 to Q.
#: R: Ra's 20 goes 25/40 to R, 15/40 to Q; Rb's 5 to P.
HAND_VA_ABS = np.array(
    [
        [52.5, 0.0, 7.5],
        [7.5, 7.5, 35.0],
        [5.0, 7.5, 12.5],
    ]
)
#: TBI: P (7.5 − 12.5)/20, Q (42.5 − 7.5)/50, R (12.5 − 42.5)/55.
HAND_TBI = np.array([-0.25, 0.7, -30.0 / 55.0])

#: KWW terms of ``hand_world`` traced by hand, per country (P, Q, R), in KWW order.
#: P exports 10 of intermediates to Qa: 7.5 of it reaches R in Qa's final goods (DVA_INTrex)
#:   and 2.5 comes home in Qa's final goods sold to P (RDV_FIN).
#: Q exports 40 of final goods from Qa (value added 0.75 → 30 DVA_FIN, 0.25 of Pa's → 10 FVA_FIN)
#:   and 20 of intermediates from Qb to Ra: Ra's goods go 25/40 to R (12.5 DVA_INT), 15/40 back
#:   to Q (7.5 RDV_FIN).
#: R exports final goods: Ra 15 to Q (value added 0.5 → 7.5 DVA_FIN, Qb's 0.5 → 7.5 FVA_FIN), Rb 5.
HAND_KWW = {
    "PPP": dict(gross_exports=10.0, DVA_FIN=0, DVA_INT=0, DVA_INTrex=7.5, RDV_FIN=2.5, RDV_INT=0, DDC=0, FVA_FIN=0, FVA_INT=0, FDC=0),
    "QQQ": dict(gross_exports=60.0, DVA_FIN=30, DVA_INT=12.5, DVA_INTrex=0, RDV_FIN=7.5, RDV_INT=0, DDC=0, FVA_FIN=10, FVA_INT=0, FDC=0),
    "RRR": dict(gross_exports=20.0, DVA_FIN=12.5, DVA_INT=0, DVA_INTrex=0, RDV_FIN=0, RDV_INT=0, DDC=0, FVA_FIN=7.5, FVA_INT=0, FDC=0),
}
#: Source-based bilateral DVA (V_r L_rr E_rs): P→Q 10; Q→P 0.75·10, Q→R 0.75·30 + 1·20; R→P 5, R→Q 0.5·15.
HAND_DVA_BILATERAL = np.array(
    [
        [0.0, 10.0, 0.0],
        [7.5, 0.0, 42.5],
        [5.0, 7.5, 0.0],
    ]
)


def rational_world(seed: int = 3) -> tuple[IOTable, list[list[Fraction]], list[list[Fraction]], list[Fraction]]:
    """A dense 3 × 2 world with two-way intermediate trade and rational coefficients.

    Returns the float table and the exact ``A`` (6 × 6), ``Y`` (6 × 3) and ``v``.
    ``x`` is solved exactly, so the float table is the exact one rounded to float64.
    """
    rng = np.random.default_rng(seed)
    n, C, S = 6, 3, 2
    A = [[Fraction(int(rng.integers(1, 9)), 100) for _ in range(n)] for _ in range(n)]
    Y = [[Fraction(int(rng.integers(1, 50))) for _ in range(C)] for _ in range(n)]
    f_tot = [sum(row, Fraction(0)) for row in Y]
    B = inverse([[Fraction(int(i == j)) - A[i][j] for j in range(n)] for i in range(n)])
    x = [sum((B[i][j] * f_tot[j] for j in range(n)), Fraction(0)) for i in range(n)]
    Z = [[A[i][j] * x[j] for j in range(n)] for i in range(n)]
    v = [Fraction(1) - sum((A[i][j] for i in range(n)), Fraction(0)) for j in range(n)]
    F = np.zeros((n, C * K))
    for i in range(n):
        for c in range(C):
            F[i, c * K] = float(Y[i][c])
    table = IOTable(
        release="rational",
        year=2000,
        countries=("AAA", "BBB", "CCC"),
        sectors=("s1", "s2"),
        Z=np.array([[float(z) for z in row] for row in Z]),
        F=F,
        x=np.array([float(xi) for xi in x]),
    )
    assert S * C == n
    return table, A, Y, v


# ------------------------------------------------------------ exact algebra
Mat = list[list[Fraction]]


def inverse(M: Mat) -> Mat:
    """Gauss–Jordan inverse in exact arithmetic."""
    n = len(M)
    aug = [row[:] + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(M)]
    for col in range(n):
        piv = next(r for r in range(col, n) if aug[r][col] != 0)
        aug[col], aug[piv] = aug[piv], aug[col]
        p = aug[col][col]
        aug[col] = [a / p for a in aug[col]]
        for r in range(n):
            if r != col and aug[r][col] != 0:
                f = aug[r][col]
                aug[r] = [a - f * b for a, b in zip(aug[r], aug[col], strict=True)]
    return [row[n:] for row in aug]


def matmul(X: Mat, Y: Mat) -> Mat:
    return [[sum((X[i][k] * Y[k][j] for k in range(len(Y))), Fraction(0)) for j in range(len(Y[0]))] for i in range(len(X))]


def block(M: Mat, r: int, s: int, S: int) -> Mat:
    return [row[s * S : (s + 1) * S] for row in M[r * S : (r + 1) * S]]


def col(values: list[Fraction]) -> Mat:
    return [[v] for v in values]


def add(*mats: Mat) -> Mat:
    out = [row[:] for row in mats[0]]
    for m in mats[1:]:
        out = [[a + b for a, b in zip(ra, rb, strict=True)] for ra, rb in zip(out, m, strict=True)]
    return out


def total(M: Mat) -> Fraction:
    return sum((sum(row, Fraction(0)) for row in M), Fraction(0))


def exact_kww(A: Mat, Y: Mat, v: list[Fraction], C: int, S: int) -> dict[str, list[Fraction]]:
    """KWW (2014) eq. (36), term by term, with explicit ``B`` and ``L_rr`` blocks.

    ``Y`` is ``n × C`` final demand by destination. Also returns value added
    absorbed (``va_abs``, row-major ``C × C``), gross exports and the
    source-based bilateral DVA ``V_r L_rr E_rs``.
    """
    n = C * S
    B = inverse([[Fraction(int(i == j)) - A[i][j] for j in range(n)] for i in range(n)])
    f = [[sum(Y[i], Fraction(0))] for i in range(n)]
    X = matmul(B, f)
    Vb = [[v[r * S + i] for i in range(S)] for r in range(C)]  # row vector V_r
    Yb = {(r, s): col([Y[r * S + i][s] for i in range(S)]) for r in range(C) for s in range(C)}
    Xb = {r: [X[r * S + i] for i in range(S)] for r in range(C)}
    Ab = {(r, s): block(A, r, s, S) for r in range(C) for s in range(C)}
    Bb = {(r, s): block(B, r, s, S) for r in range(C) for s in range(C)}
    L = {r: inverse([[Fraction(int(i == j)) - Ab[r, r][i][j] for j in range(S)] for i in range(S)]) for r in range(C)}
    E_rs = {(r, s): add(matmul(Ab[r, s], Xb[s]), Yb[r, s]) for r in range(C) for s in range(C) if s != r}
    E = {r: add(*(E_rs[r, s] for s in range(C) if s != r)) for r in range(C)}

    def V(r: int, M: Mat) -> Fraction:
        return total(matmul([Vb[r]], M))

    out: dict[str, list[Fraction]] = {k: [] for k in ["gross_exports", "DVA_FIN", "DVA_INT", "DVA_INTrex", "RDV_FIN", "RDV_INT", "DDC", "FVA_FIN", "FVA_INT", "FDC"]}
    others = lambda r: [s for s in range(C) if s != r]  # noqa: E731
    for r in range(C):
        y_exp = add(*(Yb[r, s] for s in others(r)))
        out["gross_exports"].append(total(E[r]))
        out["DVA_FIN"].append(V(r, matmul(Bb[r, r], y_exp)))
        out["DVA_INT"].append(sum((V(r, matmul(Bb[r, s], Yb[s, s])) for s in others(r)), Fraction(0)))
        out["DVA_INTrex"].append(
            sum((V(r, matmul(Bb[r, s], Yb[s, t])) for s in others(r) for t in range(C) if t not in (r, s)), Fraction(0))
        )
        out["RDV_FIN"].append(sum((V(r, matmul(Bb[r, s], Yb[s, r])) for s in others(r)), Fraction(0)))
        out["RDV_INT"].append(sum((V(r, matmul(matmul(Bb[r, s], Ab[s, r]), matmul(L[r], Yb[r, r]))) for s in others(r)), Fraction(0)))
        out["DDC"].append(sum((V(r, matmul(matmul(Bb[r, s], Ab[s, r]), matmul(L[r], E[r]))) for s in others(r)), Fraction(0)))
        out["FVA_FIN"].append(sum((V(t, matmul(Bb[t, r], y_exp)) for t in others(r)), Fraction(0)))
        out["FVA_INT"].append(
            sum((V(t, matmul(Bb[t, r], matmul(Ab[r, s], matmul(L[s], Yb[s, s])))) for t in others(r) for s in others(r)), Fraction(0))
        )
        out["FDC"].append(
            sum((V(t, matmul(Bb[t, r], matmul(Ab[r, s], matmul(L[s], E[s])))) for t in others(r) for s in others(r)), Fraction(0))
        )
    out["va_abs"] = [sum((V(r, matmul(Bb[r, t], Yb[t, s])) for t in range(C)), Fraction(0)) for r in range(C) for s in range(C)]
    out["dva_bilateral"] = [
        V(r, matmul(L[r], E_rs[r, s])) if s != r else Fraction(0) for r in range(C) for s in range(C)
    ]
    return out
