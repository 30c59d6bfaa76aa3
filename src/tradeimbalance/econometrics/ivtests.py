"""Identification statistics for linear IV with clustered errors, as Stata's ``ivreg2`` reports them.

``linearmodels`` estimates the IV regressions but does not report the
identification diagnostics that ``ivreg2`` / ``xtivreg2`` (Baum, Schaffer &
Stillman) print under the coefficient table. This module computes them from
the first-stage data alone:

* the Kleibergen–Paap (2006) rk LM statistic for underidentification,
  cluster-robust, ``chi2(L − K + 1)`` under the null;
* the Kleibergen–Paap rk Wald F statistic for weak identification,
  cluster-robust (the statistic ``ivreg2`` prints as "Kleibergen-Paap rk Wald
  F statistic" and compares with the Stock–Yogo critical values);
* the Cragg–Donald Wald F statistic (homoskedastic);
* the Anderson canonical-correlation LM statistic (homoskedastic), which
  ``ivreg2`` reports instead of the KP LM when no ``robust``/``cluster`` is given;
* per endogenous regressor: the first-stage coefficients on the excluded
  instruments with cluster-robust standard errors, the partial R² of the
  excluded instruments, and the cluster-robust F test of the excluded instruments.

Notation
--------
``N`` observations, ``G`` clusters, ``K`` endogenous regressors (``Y``), ``L``
excluded instruments (``Z``), ``p`` = rank of the included exogenous regressors
``X`` passed in ``exog`` (a constant counts if it is there; columns that are
linear combinations of others do not count, as ``ivreg2`` drops collinear
regressors), ``a`` = ``absorbed_dof`` (fixed-effect parameters the caller has
already swept out of every variable) and ``d`` = ``dofminus`` (``ivreg2``'s
large-sample adjustment, 0 unless reproducing ``xtivreg2, fe``, see below).

Construction (``ranktest`` 1.3 / ``ivreg2`` 4.1 conventions)
------------------------------------------------------------
1. ``X`` is partialled out of ``Y`` and ``Z`` by least squares (through an SVD
   of ``X``, so a rank-deficient ``X`` is handled): ``Ỹ = M_X Y``, ``Z̃ = M_X Z``.
2. ``Π̂ = (Z̃'Z̃)⁻¹ Z̃'Ỹ`` (``L × K``) and ``Θ̂ = F Π̂ G⁻¹`` with ``F = R_z'``,
   ``G = R_y'``, where ``R_z R_z' = Z̃'Z̃`` and ``R_y R_y' = Ỹ'Ỹ`` are Cholesky
   factors (``ranktest``'s ``rzhat``/``ryhat``). The singular values of ``Θ̂``
   are the canonical correlations ``ρ₁ ≥ … ≥ ρ_K`` of ``Ỹ`` and ``Z̃``.
3. The covariance of ``vec(Θ̂)`` is
   ``V̂ = (R_y⁻¹ ⊗ R_z⁻¹) [Σ_g s_g s_g'] (R_y⁻¹ ⊗ R_z⁻¹)'`` with cluster scores
   ``s_g = Σ_{i∈g} e_i ⊗ z̃_i = vec(Z̃_g' E_g)``. For the **LM** statistic
   ``E = Ỹ`` (the first-stage residuals under ``Π = 0``); for the **Wald**
   statistic ``E = Ỹ − Z̃Π̂``. As in ``ranktest``'s ``m_omega``, no small-sample
   factor enters ``V̂`` (the cluster ``S`` matrix is ``Σ_g s_g s_g' / N`` and
   the ``N`` cancels).
4. With the SVD ``Θ̂ = U S V'`` and ``q = K − 1`` (test of rank ``K − 1``
   against full column rank ``K``), partition ``U`` and ``V`` after their first
   ``q`` rows/columns and form ``A_q = [U₁₂; U₂₂] U₂₂⁻¹ (U₂₂U₂₂')^{1/2}``,
   ``B_q = (V₂₂V₂₂')^{1/2} V₂₂'⁻¹ [V₁₂; V₂₂]'``, ``λ = (B_q ⊗ A_q') vec(Θ̂)``,
   ``Ω = (B_q ⊗ A_q') V̂ (B_q ⊗ A_q')'`` and ``rk = λ' Ω⁻¹ λ``
   (Kleibergen & Paap 2006, eqs. 19–21; ``ranktest``'s ``lab``/``vlab``).

Statistics and their small-sample factors
-----------------------------------------
* **KP rk LM** ``= rk_LM`` (no adjustment at all: ``ivreg2`` uses
  ``r(chi2)`` unchanged with ``cluster``; its comment: "No dofminus adjustment
  needed for cluster-robust"). ``df = L − K + 1``; p-value from ``chi2(df)``.
* **KP rk Wald F** ``= rk_Wald / (N − 1) · (N − L − p − a) · (G − 1)/G / L``.
  This is ``ivreg2``'s ``rkf`` with ``cluster``:
  ``r(chi2)/(N−1) · (N − iv1_ct − sdofminus) · (N_clust−1)/N_clust / exex1_ct``,
  where ``iv1_ct + sdofminus`` counts all instruments, included and excluded,
  the constant and every partialled-out regressor (``L + p + a`` here). The
  factor turns the raw ("CR0") Wald statistic into one computed with Stata's
  usual CR1 covariance ``G/(G−1) · (N−1)/(N−k)``, ``k = L + p + a``; so for
  ``K = 1`` the statistic is the cluster-robust first-stage F of the excluded
  instruments, and for ``K = L = 1`` the squared cluster-robust t statistic.
* **Cragg–Donald Wald F** ``= ρ_K²/(1 − ρ_K²) · (N − L − p − a − d) / L``
  (``ivreg2``: ``cd · (N − sdofminus − iv1_ct − dofminus) / exex1_ct``). For
  ``K = 1`` this is the homoskedastic first-stage F of the excluded instruments
  with ``N − L − p − a`` residual degrees of freedom.
* **Anderson canon. corr. LM** ``= (N − d) · ρ_K²`` (``ivreg2``'s
  ``r(chi2)/r(N) · (N − dofminus)`` without ``robust``/``cluster``), ``chi2(L − K + 1)``.
* **First stage** of each ``Y_k``: coefficients ``Π̂_{·k}``; covariance
  ``c · (Z̃'Z̃)⁻¹ [Σ_g Z̃_g'ê_gk ê_gk'Z̃_g] (Z̃'Z̃)⁻¹`` with the CR1 factor
  ``c = G/(G−1) · (N−1)/(N − L − p − a)`` of Stata's ``regress …, vce(cluster)``
  on the first stage with all regressors and fixed effects included (the same
  factor as in the KP Wald F, so for ``K = 1`` the first-stage F equals the KP
  Wald F). Partial R² ``= 1 − ê_k'ê_k / Ỹ_k'Ỹ_k`` (the R² of the partialled
  first stage). F ``= Π̂_{·k}' V̂_k⁻¹ Π̂_{·k} / L`` referred to ``F(L, G − 1)``
  as Stata does with clustered errors; ``nan`` when ``V̂_k`` is singular (fewer
  than ``L + 1`` clusters), where Stata reports a missing F.

Fixed effects: ``absorbed_dof`` versus ``dofminus``
---------------------------------------------------
``absorbed_dof`` treats swept-out fixed effects exactly like regressors in
``ivreg2 … partial()``: they are added to ``sdofminus``, so the results equal
those obtained by putting the dummies in ``exog`` (this is tested). The same
count is what ``ivreghdfe`` passes as ``sdofminus`` (its ``df_a``, which drops
fixed effects nested within the clusters; pass that number to reproduce it).

``xtivreg2, fe`` differs: it demeans by panel and calls ``ivreg2`` with
``nocons dofminus(N_g)`` and *no* ``sdofminus``. ``dofminus`` does not enter
the cluster-robust KP statistics and only lowers the Cragg–Donald F (and the
Anderson LM). To reproduce ``xtivreg2, fe cluster(…)`` exactly, pass
``absorbed_dof`` = number of other effects swept out by the caller but counted
as regressors by ``xtivreg2`` (e.g. ``T − 1`` time dummies if the caller also
demeaned by year instead of including ``i.year``) and ``dofminus = N_g``.

Checks
------
Bad input raises ``ValueError`` naming the problem: arrays of the wrong shape,
NaN/inf values, missing cluster labels, fewer than 2 clusters, ``L < K``,
instruments or endogenous regressors that are collinear once ``exog`` is
partialled out, or no residual degrees of freedom. An rk covariance matrix
``Ω`` that is singular (too few clusters for the test) is not an error: that
statistic is ``nan`` and ``unavailable`` says why, the others are returned
(``ivreg2`` likewise still prints the KP LM and the Cragg–Donald F and leaves
the Wald F missing).

References
----------
Kleibergen, F. and Paap, R. (2006), Generalized reduced rank tests using the
singular value decomposition, *Journal of Econometrics* 133(1), 97–126.
Cragg, J. G. and Donald, S. G. (1993), Testing identifiability and
specification in instrumental variable models, *Econometric Theory* 9(2), 222–240.
Baum, C. F., Schaffer, M. E. and Stillman, S. (2007), Enhanced routines for
instrumental variables/GMM estimation and testing, *Stata Journal* 7(4), 465–506.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = ["FirstStage", "IdentificationTests", "identification_tests"]

# A partialled-out column whose norm is below this fraction of its original norm
# is treated as a linear combination of exog (and of the other columns).
_COLLINEAR_TOL = 1e-10


@dataclass(frozen=True)
class FirstStage:
    """First-stage regression of one endogenous regressor on the excluded instruments.

    All quantities are conditional on ``exog`` and the absorbed fixed effects
    (Frisch–Waugh–Lovell: identical to the regression with those included).

    Attributes
    ----------
    coefs:
        Coefficients on the ``L`` excluded instruments, in input order.
    std_errors:
        Cluster-robust standard errors of ``coefs`` with the CR1 factor
        ``G/(G−1) · (N−1)/(N − L − p − absorbed_dof)``.
    partial_r2:
        R² of the endogenous regressor on the excluded instruments after
        partialling out ``exog`` (the "partial R²" of ``ivreg2``'s first-stage summary).
    f_stat:
        Cluster-robust F statistic of the excluded instruments (Wald / L with the
        covariance above); ``nan`` if that covariance is singular.
    f_pvalue:
        p-value of ``f_stat`` from ``F(L, G − 1)``.
    f_df:
        ``(L, G − 1)``.
    """

    coefs: tuple[float, ...]
    std_errors: tuple[float, ...]
    partial_r2: float
    f_stat: float
    f_pvalue: float
    f_df: tuple[int, int]


@dataclass(frozen=True)
class IdentificationTests:
    """Under- and weak-identification statistics of one IV specification.

    See the module docstring for the exact formulas and small-sample factors.

    Attributes
    ----------
    kp_lm:
        Kleibergen–Paap rk LM statistic (cluster-robust) for underidentification.
    kp_lm_df:
        Its degrees of freedom, ``L − K + 1``.
    kp_lm_pvalue:
        p-value of ``kp_lm`` from ``chi2(L − K + 1)``.
    kp_wald_f:
        Kleibergen–Paap rk Wald F statistic (cluster-robust) for weak identification.
    cd_wald_f:
        Cragg–Donald Wald F statistic (homoskedastic).
    nobs:
        Number of observations ``N``.
    nclusters:
        Number of clusters ``G``.
    n_endog:
        Number of endogenous regressors ``K``.
    n_instruments:
        Number of excluded instruments ``L``.
    kp_wald_chi2:
        The raw rk Wald statistic (``ranktest``'s ``r(chi2)`` with ``wald``),
        before the F scaling.
    anderson_lm:
        Anderson canonical-correlation LM statistic (homoskedastic), ``(N − dofminus) ρ_K²``.
    anderson_lm_pvalue:
        p-value of ``anderson_lm`` from ``chi2(L − K + 1)``.
    canonical_correlations:
        Canonical correlations of the partialled endogenous regressors and
        instruments, largest first (``K`` values).
    exog_rank:
        Rank ``p`` of ``exog`` (0 if ``exog`` is None).
    absorbed_dof:
        The ``absorbed_dof`` argument.
    dofminus:
        The ``dofminus`` argument.
    resid_dof:
        ``N − L − p − absorbed_dof``, the residual degrees of freedom of the first stage.
    first_stage:
        One :class:`FirstStage` per endogenous regressor, in input order.
    unavailable:
        The statistics that are not defined for these data (``nan`` above), each with the reason, e.g.
        ``"kp_wald_f: the cluster-robust covariance … is singular (3 clusters …)"``. As ``ivreg2``, the
        statistics that remain defined (the Cragg–Donald F always, the KP LM when its covariance is
        regular) are still returned.
    """

    kp_lm: float
    kp_lm_df: int
    kp_lm_pvalue: float
    kp_wald_f: float
    cd_wald_f: float
    nobs: int
    nclusters: int
    n_endog: int
    n_instruments: int
    kp_wald_chi2: float
    anderson_lm: float
    anderson_lm_pvalue: float
    canonical_correlations: tuple[float, ...]
    exog_rank: int
    absorbed_dof: int
    dofminus: int
    resid_dof: int
    first_stage: tuple[FirstStage, ...]
    unavailable: tuple[str, ...] = ()


def identification_tests(
    endog: ArrayLike,
    instruments: ArrayLike,
    exog: ArrayLike | None,
    clusters: ArrayLike | Iterable[Hashable],
    *,
    absorbed_dof: int = 0,
    dofminus: int = 0,
) -> IdentificationTests:
    """Kleibergen–Paap and Cragg–Donald identification statistics with clustered errors.

    Parameters
    ----------
    endog:
        Endogenous regressors, ``n × K`` (or length ``n`` for ``K = 1``).
    instruments:
        Excluded instruments, ``n × L`` (or length ``n`` for ``L = 1``); ``L ≥ K``.
    exog:
        Included exogenous regressors, ``n × p`` (or length ``n``), including a
        constant if the model has one; ``None`` for none (then nothing is
        partialled out and no constant is implied, like ``ivreg2 …, nocons``).
        Collinear columns are allowed; only the rank counts.
    clusters:
        Cluster label of each observation (length ``n``, any hashable labels).
    absorbed_dof:
        Number of fixed-effect parameters (including the constant they absorb)
        already partialled out of all variables by the caller, e.g.
        ``G_c + T − 1`` after a two-way within transformation of a balanced
        panel. Counted like ``ivreg2 … partial()`` regressors (``sdofminus``).
    dofminus:
        ``ivreg2``'s large-sample adjustment; enters only the Cragg–Donald F and
        the Anderson LM. 0 except to reproduce ``xtivreg2, fe`` (``N_g``).

    Returns
    -------
    IdentificationTests
        The statistics; see the module docstring for the formulas.

    Raises
    ------
    ValueError
        On shape mismatches, NaN/inf values, missing cluster labels, fewer than
        two clusters, ``L < K``, collinear instruments or endogenous regressors
        (after partialling out ``exog``), or no residual degrees of freedom. (A
        singular rk covariance is not an error: see ``unavailable``.)
    """
    y0 = _as_matrix("endog", endog)
    n = y0.shape[0]
    z0 = _as_matrix("instruments", instruments, n)
    x0 = None if exog is None else _as_matrix("exog", exog, n, allow_empty=True)
    codes, n_clusters = _cluster_codes(clusters, n)
    absorbed_dof = _nonnegative_int("absorbed_dof", absorbed_dof)
    dofminus = _nonnegative_int("dofminus", dofminus)

    k = y0.shape[1]
    n_inst = z0.shape[1]
    if n_inst < k:
        raise ValueError(f"underidentified: {n_inst} excluded instrument(s) for {k} endogenous regressor(s) (need L >= K)")
    if n_clusters < 2:
        raise ValueError(f"clusters: need at least 2 clusters, got {n_clusters}")

    if x0 is not None and x0.shape[1] > 0:
        basis = _column_basis(x0)
        p = basis.shape[1]
        y = y0 - basis @ (basis.T @ y0)
        z = z0 - basis @ (basis.T @ z0)
    else:
        p = 0
        y, z = y0, z0
    resid_dof = n - n_inst - p - absorbed_dof
    if resid_dof <= 0:
        raise ValueError(
            f"no residual degrees of freedom: N={n} observations but L={n_inst} instruments + "
            f"rank(exog)={p} + absorbed_dof={absorbed_dof} parameters"
        )
    if n - dofminus - n_inst - p - absorbed_dof <= 0:
        raise ValueError(f"dofminus={dofminus} leaves no residual degrees of freedom (N={n})")
    _check_full_column_rank("instruments", z, z0)
    _check_full_column_rank("endog", y, y0)

    zz = z.T @ z
    yy = y.T @ y
    pi = np.linalg.solve(zz, z.T @ y)  # L × K reduced-form coefficients
    resid = y - z @ pi

    # Θ = F Π G⁻¹ with F = R_z', G = R_y' (Cholesky, as in ranktest).
    r_z = np.linalg.cholesky(zz)
    r_y = np.linalg.cholesky(yy)
    theta = sla.solve_triangular(r_y, (r_z.T @ pi).T, lower=True).T
    u, cc, vt = np.linalg.svd(theta, full_matrices=True)
    v = vt.T
    # vec(Θ) = (R_y⁻¹ ⊗ R_z') vec(Π); cov(vec Π) = (I ⊗ (Z'Z)⁻¹) meat (I ⊗ (Z'Z)⁻¹)
    # and R_z'(Z'Z)⁻¹ = R_z⁻¹, so cov(vec Θ) = T meat T' with T = R_y⁻¹ ⊗ R_z⁻¹.
    transform = np.kron(sla.solve_triangular(r_y, np.eye(k), lower=True), sla.solve_triangular(r_z, np.eye(n_inst), lower=True))

    meat_lm = _cluster_meat(y, z, codes, n_clusters)
    meat_wald = _cluster_meat(resid, z, codes, n_clusters)
    # With very few clusters a cluster-robust covariance can be singular: that statistic is then missing (as in
    # ivreg2, which still prints the KP LM and the CD F and leaves the Wald F missing), the others are returned.
    unavailable: list[str] = []
    kp_lm = _rk_full_rank(theta, u, v, transform @ meat_lm @ transform.T, n_clusters, "LM", unavailable, "kp_lm")
    kp_wald = _rk_full_rank(theta, u, v, transform @ meat_wald @ transform.T, n_clusters, "Wald", unavailable, "kp_wald_f")

    df = n_inst - k + 1
    kp_wald_f = kp_wald / (n - 1) * resid_dof * (n_clusters - 1) / n_clusters / n_inst
    rho2 = float(cc[k - 1]) ** 2
    cd_wald_f = rho2 / (1.0 - rho2) * (resid_dof - dofminus) / n_inst if rho2 < 1.0 else float("inf")
    anderson_lm = (n - dofminus) * rho2

    zz_inv = np.linalg.inv(zz)
    cr1 = n_clusters / (n_clusters - 1) * (n - 1) / resid_dof
    first: list[FirstStage] = []
    for j in range(k):
        block = slice(j * n_inst, (j + 1) * n_inst)
        cov = cr1 * zz_inv @ meat_wald[block, block] @ zz_inv
        cov = (cov + cov.T) / 2
        coefs = pi[:, j]
        if np.linalg.matrix_rank(cov, hermitian=True) < n_inst:
            f_stat = float("nan")
        else:
            f_stat = float(coefs @ np.linalg.solve(cov, coefs)) / n_inst
        f_pvalue = float(stats.f.sf(f_stat, n_inst, n_clusters - 1)) if np.isfinite(f_stat) else float("nan")
        first.append(
            FirstStage(
                coefs=tuple(float(c) for c in coefs),
                std_errors=tuple(float(s) for s in np.sqrt(np.diag(cov))),
                partial_r2=float(1.0 - resid[:, j] @ resid[:, j] / yy[j, j]),
                f_stat=f_stat,
                f_pvalue=f_pvalue,
                f_df=(n_inst, n_clusters - 1),
            )
        )

    return IdentificationTests(
        kp_lm=kp_lm,
        kp_lm_df=df,
        kp_lm_pvalue=float(stats.chi2.sf(kp_lm, df)) if np.isfinite(kp_lm) else float("nan"),
        kp_wald_f=float(kp_wald_f),
        cd_wald_f=float(cd_wald_f),
        nobs=n,
        nclusters=n_clusters,
        n_endog=k,
        n_instruments=n_inst,
        kp_wald_chi2=kp_wald,
        anderson_lm=float(anderson_lm),
        anderson_lm_pvalue=float(stats.chi2.sf(anderson_lm, df)),
        canonical_correlations=tuple(float(c) for c in cc),
        exog_rank=p,
        absorbed_dof=absorbed_dof,
        dofminus=dofminus,
        resid_dof=resid_dof,
        first_stage=tuple(first),
        unavailable=tuple(unavailable),
    )


def _rk_full_rank(
    theta: NDArray[np.float64],
    u: NDArray[np.float64],
    v: NDArray[np.float64],
    vhat: NDArray[np.float64],
    n_clusters: int,
    kind: str,
    unavailable: list[str],
    name: str,
) -> float:
    """The KP rk statistic for H0: rank(Θ) = K − 1 (``ranktest``'s ``full`` option).

    ``u`` (``L × L``) and ``v`` (``K × K``) are the singular vectors of ``theta``
    (``theta = u diag(s) v'``); ``vhat`` is the covariance of ``vec(theta)``.
    When the statistic's covariance ``Ω`` is singular it is not defined: ``nan``
    is returned and ``"<name>: <reason>"`` appended to ``unavailable``.
    """
    k = theta.shape[1]
    q = k - 1
    u2, u22 = u[:, q:], u[q:, q:]
    v2, v22 = v[:, q:], v[q:, q:]
    u22h = _sym_sqrt(u22 @ u22.T)
    v22h = _sym_sqrt(v22 @ v22.T)
    a_q = u2 @ np.linalg.solve(u22, u22h)  # L × (L − q)
    b_q = v22h @ np.linalg.solve(v22.T, v2.T)  # (K − q) × K
    kron = np.kron(b_q, a_q.T)
    lam = kron @ theta.reshape(-1, order="F")
    omega = kron @ vhat @ kron.T
    omega = (omega + omega.T) / 2
    if np.linalg.matrix_rank(omega, hermitian=True) < omega.shape[0]:
        unavailable.append(
            f"{name}: the cluster-robust covariance of the KP rk {kind} statistic is singular "
            f"({n_clusters} clusters for a test with {lam.size} degree(s) of freedom; too few clusters for the test)"
        )
        return float("nan")
    return float(lam @ np.linalg.solve(omega, lam))


def _cluster_meat(
    e: NDArray[np.float64], z: NDArray[np.float64], codes: NDArray[np.intp], n_clusters: int
) -> NDArray[np.float64]:
    """``Σ_g s_g s_g'`` with ``s_g = vec(Z_g' E_g) = Σ_{i∈g} e_i ⊗ z_i`` (``KL × KL``)."""
    n, k = e.shape
    n_inst = z.shape[1]
    scores = (e[:, :, None] * z[:, None, :]).reshape(n, k * n_inst)  # column k·L + l is e_k z_l
    sums = np.empty((n_clusters, k * n_inst))
    for col in range(k * n_inst):
        sums[:, col] = np.bincount(codes, weights=scores[:, col], minlength=n_clusters)
    return sums.T @ sums


def _sym_sqrt(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """Symmetric square root of a symmetric positive semi-definite matrix."""
    w, vec = np.linalg.eigh((a + a.T) / 2)
    return (vec * np.sqrt(np.clip(w, 0.0, None))) @ vec.T


def _column_basis(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Orthonormal basis of the column space of ``x`` (numerical rank as in ``numpy.linalg.matrix_rank``)."""
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    if s.size == 0 or s[0] == 0.0:
        return u[:, :0]
    tol = s[0] * max(x.shape) * np.finfo(float).eps
    return u[:, s > tol]


def _check_full_column_rank(name: str, partialled: NDArray[np.float64], original: NDArray[np.float64]) -> None:
    """Reject columns that are (nearly) collinear with each other or with exog."""
    norms = np.linalg.norm(original, axis=0)
    zero = np.flatnonzero(norms == 0.0)
    if zero.size:
        raise ValueError(f"{name}: column(s) {zero.tolist()} are identically zero")
    s = np.linalg.svd(partialled / norms, compute_uv=False)
    if s[-1] <= _COLLINEAR_TOL:
        raise ValueError(
            f"{name}: columns are collinear (with each other or with exog) after partialling out exog; "
            "drop the redundant column(s)"
        )


def _as_matrix(name: str, a: ArrayLike, n: int | None = None, *, allow_empty: bool = False) -> NDArray[np.float64]:
    """``a`` as a float ``n × m`` matrix (1-D input becomes one column), checked for shape and finiteness."""
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: cannot be converted to a numeric array ({exc})") from exc
    if arr.ndim == 1:
        arr = arr[:, None]
    elif arr.ndim != 2:
        raise ValueError(f"{name}: expected a 1-D or 2-D array, got {arr.ndim} dimensions (shape {arr.shape})")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name}: has {arr.shape[0]} rows but endog has {n} (shape mismatch)")
    if arr.shape[0] == 0:
        raise ValueError(f"{name}: no observations")
    if arr.shape[1] == 0 and not allow_empty:
        raise ValueError(f"{name}: has no columns")
    bad = ~np.isfinite(arr)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))
        raise ValueError(f"{name}: contains NaN or infinite values (first at row {int(rows[0])}, {rows.size} row(s) affected)")
    return arr


def _cluster_codes(clusters: ArrayLike | Iterable[Hashable], n: int) -> tuple[NDArray[np.intp], int]:
    """Integer codes ``0 … G−1`` for the cluster labels, and ``G``."""
    if isinstance(clusters, np.ndarray):
        labels = clusters
    else:
        seq = list(clusters)  # type: ignore[arg-type]
        labels = np.empty(len(seq), dtype=object)
        for i, c in enumerate(seq):
            labels[i] = c
    if labels.ndim != 1:
        raise ValueError(f"clusters: expected one label per observation (1-D), got shape {labels.shape}")
    if labels.shape[0] != n:
        raise ValueError(f"clusters: has {labels.shape[0]} labels but endog has {n} rows (shape mismatch)")
    if labels.dtype.kind in "biuUS" or (labels.dtype.kind == "f" and not np.isnan(labels).any()):
        _, codes = np.unique(labels, return_inverse=True)
        return codes.astype(np.intp).ravel(), int(codes.max()) + 1
    if labels.dtype.kind == "f":
        raise ValueError(f"clusters: missing (NaN) label at row {int(np.flatnonzero(np.isnan(labels))[0])}")
    index: dict[Hashable, int] = {}
    codes = np.empty(n, dtype=np.intp)
    for i, c in enumerate(labels.tolist() if labels.dtype.kind != "O" else labels):
        if c is None or (isinstance(c, (float, np.floating)) and np.isnan(c)):
            raise ValueError(f"clusters: missing label (None/NaN) at row {i}")
        try:
            codes[i] = index.setdefault(c, len(index))
        except TypeError as exc:
            raise ValueError(f"clusters: label at row {i} is not hashable ({exc})") from exc
    return codes, len(index)


def _nonnegative_int(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name}: must be a non-negative integer, got {value!r}")
    return int(value)
