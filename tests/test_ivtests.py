"""Tests of the IV identification statistics (``tradeimbalance.econometrics.ivtests``).

Every reference value is computed independently of the module: first-stage
regressions with statsmodels (``OLS``, ``cov_type="cluster"`` / ``"HC1"`` /
nonrobust), cluster sums with ``numpy.add.at``, and a second implementation of
the Kleibergen–Paap statistic written from the paper with a different
normalisation (symmetric square roots instead of Cholesky factors).

Small-sample factors. statsmodels' clustered covariance (``use_correction=True``,
the default) is Stata's CR1, ``G/(G−1) · (N−1)/(N−k)`` with ``k`` = number of
columns of its design matrix. When all regressors and fixed-effect dummies are
in that design matrix (full column rank), ``k = L + p + absorbed_dof`` and the
factor equals the one in the KP Wald F, so no rescaling is needed; when
statsmodels is run on within-transformed data (``k = L + p``) its t² is
rescaled by ``(N − L − p − absorbed_dof)/(N − L − p)`` explicitly.
"""

from __future__ import annotations


import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from tradeimbalance.econometrics.ivtests import IdentificationTests, identification_tests

G_PANEL, T_PANEL = 30, 8


# --------------------------------------------------------------------------- data


def panel(
    seed: int,
    *,
    k: int = 1,
    n_inst: int = 1,
    strength: float = 0.4,
    n_countries: int = G_PANEL,
    n_years: int = T_PANEL,
) -> dict[str, np.ndarray]:
    """A balanced country × year panel with country and year effects and clustered, heteroskedastic errors.

    Instruments and the exogenous regressor are correlated with the country
    effects, so that partialling out the fixed effects matters.
    """
    rng = np.random.default_rng(seed)
    country = np.repeat(np.arange(n_countries), n_years)
    year = np.tile(np.arange(n_years), n_countries)
    n = country.size
    alpha_c = rng.normal(size=n_countries)[country]
    alpha_t = rng.normal(size=n_years)[year]
    z = rng.normal(size=(n, n_inst)) + 0.7 * rng.normal(size=(n_countries, n_inst))[country] + alpha_c[:, None]
    x = rng.normal(size=n) + 0.5 * alpha_c + 0.3 * alpha_t
    pi = strength * (1.0 + rng.random((n_inst, k)))
    if k > 1:
        pi[:, 1:] += rng.normal(scale=strength, size=(n_inst, k - 1))
    cluster_shock = rng.normal(size=(n_countries, k))[country]
    noise = rng.normal(size=(n, k)) * (1.0 + 0.5 * np.abs(z[:, :1]))
    endog = z @ pi + 0.5 * x[:, None] + alpha_c[:, None] + alpha_t[:, None] + cluster_shock + noise
    return {"endog": endog, "z": z, "x": x, "country": country, "year": year}


def within(a: np.ndarray, country: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Two-way within transformation of a balanced panel: a − ā_country − ā_year + ā."""
    a2 = a.reshape(a.shape[0], -1)
    out = np.empty_like(a2, dtype=float)
    for j in range(a2.shape[1]):
        col = a2[:, j]
        c_mean = np.bincount(country, col) / np.bincount(country)
        t_mean = np.bincount(year, col) / np.bincount(year)
        out[:, j] = col - c_mean[country] - t_mean[year] + col.mean()
    return out.reshape(a.shape)


def fe_dummies(country: np.ndarray, year: np.ndarray, *, drop_first: bool) -> np.ndarray:
    dc = np.eye(country.max() + 1)[country]
    dt = np.eye(year.max() + 1)[year]
    if drop_first:
        return np.column_stack([dc[:, 1:], dt[:, 1:]])
    return np.column_stack([dc, dt])


def residualise(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """OLS residuals of every column of ``a`` on ``x`` (statsmodels, an independent route)."""
    a2 = a.reshape(a.shape[0], -1)
    return np.column_stack([sm.OLS(a2[:, j], x).fit().resid for j in range(a2.shape[1])])


def assert_same_stats(a: IdentificationTests, b: IdentificationTests, rtol: float = 1e-8) -> None:
    for name in ("kp_lm", "kp_lm_pvalue", "kp_wald_f", "kp_wald_chi2", "cd_wald_f", "anderson_lm"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=rtol, err_msg=name)
    np.testing.assert_allclose(a.canonical_correlations, b.canonical_correlations, rtol=rtol)
    for fa, fb in zip(a.first_stage, b.first_stage, strict=True):
        np.testing.assert_allclose(fa.f_stat, fb.f_stat, rtol=rtol)
        np.testing.assert_allclose(fa.partial_r2, fb.partial_r2, rtol=rtol)
    assert (a.kp_lm_df, a.nobs, a.nclusters, a.n_endog, a.n_instruments) == (
        b.kp_lm_df,
        b.nobs,
        b.nclusters,
        b.n_endog,
        b.n_instruments,
    )


# --------------------------------------------------------------------------- independent KP


def kp_reference(y: np.ndarray, z: np.ndarray, groups: np.ndarray, *, wald: bool) -> float:
    """KP rk statistic for H0: rank(Π) = K − 1, written from Kleibergen & Paap (2006) independently.

    ``y`` (N × K) and ``z`` (N × L) are already partialled. Normalisation
    ``Θ = (Z'Z)^{1/2} Π (Y'Y)^{-1/2}`` with *symmetric* square roots (the module
    uses Cholesky factors; the statistic is invariant to that choice). With the
    SVD ``Θ = U S V'`` and ``U₂ = U[:, K−1:]``, ``V₂ = V[:, K−1:]``, the paper's
    ``λ_q = A_q⊥' Θ B_q⊥'`` equals ``M (U₂'ΘV₂) m`` for invertible ``M``, ``m``,
    which cancel in ``λ' Ω⁻¹ λ``; so ``rk = vec(U₂'ΘV₂)' [(V₂'⊗U₂') V (V₂⊗U₂)]⁻¹ vec(U₂'ΘV₂)``
    with ``V`` the cluster-robust (CR0) covariance of ``vec Θ``. The LM version
    uses ``Y`` as the "residuals" (the null Π = 0), the Wald version ``Y − ZΠ̂``.
    """
    k = y.shape[1]
    n_inst = z.shape[1]

    def sym_pow(a: np.ndarray, power: float) -> np.ndarray:
        w, v = np.linalg.eigh(a)
        return (v * w**power) @ v.T

    zz, yy = z.T @ z, y.T @ y
    pi = np.linalg.lstsq(z, y, rcond=None)[0]
    f, g_inv = sym_pow(zz, 0.5), sym_pow(yy, -0.5)
    theta = f @ pi @ g_inv
    u, _, vt = np.linalg.svd(theta)
    u2, v2 = u[:, k - 1 :], vt.T[:, k - 1 :]
    lam = (u2.T @ theta @ v2).reshape(-1, order="F")

    e = y - z @ pi if wald else y
    _, codes = np.unique(groups, return_inverse=True)
    sums = np.zeros((codes.max() + 1, n_inst * k))
    for j in range(k):
        np.add.at(sums[:, j * n_inst : (j + 1) * n_inst], codes, z * e[:, [j]])  # vec(Z_g'E_g), column-stacked
    meat = sums.T @ sums
    zz_inv = np.linalg.inv(zz)
    cov_pi = np.kron(np.eye(k), zz_inv) @ meat @ np.kron(np.eye(k), zz_inv)
    to_theta = np.kron(g_inv.T, f)  # vec(F Π G⁻¹) = (G⁻¹' ⊗ F) vec Π
    to_lam = np.kron(v2.T, u2.T)  # vec(U₂' Θ V₂) = (V₂' ⊗ U₂') vec Θ
    omega = to_lam @ to_theta @ cov_pi @ to_theta.T @ to_lam.T
    return float(lam @ np.linalg.solve(omega, lam))


# --------------------------------------------------------------------------- 1. KP Wald F = clustered t²


def test_kp_wald_f_equals_squared_cluster_robust_t_k1_l1() -> None:
    """K = L = 1: KP rk Wald F = t² of the instrument in the clustered first stage with exog and FE."""
    d = panel(1)
    n = d["x"].size
    const = np.ones(n)
    exog = np.column_stack([const, d["x"]])
    res = identification_tests(
        d["endog"][:, 0],
        d["z"][:, 0],
        np.column_stack([exog, fe_dummies(d["country"], d["year"], drop_first=False)]),
        d["country"],
    )

    # statsmodels first stage with all dummies (full column rank): its CR1 factor is ours.
    design = np.column_stack([d["z"][:, 0], exog, fe_dummies(d["country"], d["year"], drop_first=True)])
    assert np.linalg.matrix_rank(design) == design.shape[1] == 1 + 2 + (G_PANEL - 1) + (T_PANEL - 1)
    fit = sm.OLS(d["endog"][:, 0], design).fit(cov_type="cluster", cov_kwds={"groups": d["country"]})
    assert res.resid_dof == n - design.shape[1]
    np.testing.assert_allclose(res.kp_wald_f, fit.tvalues[0] ** 2, rtol=1e-9)
    np.testing.assert_allclose(res.first_stage[0].coefs[0], fit.params[0], rtol=1e-9)
    np.testing.assert_allclose(res.first_stage[0].std_errors[0], fit.bse[0], rtol=1e-9)
    np.testing.assert_allclose(res.first_stage[0].f_stat, res.kp_wald_f, rtol=1e-12)
    np.testing.assert_allclose(res.first_stage[0].f_pvalue, stats.f.sf(fit.tvalues[0] ** 2, 1, G_PANEL - 1), rtol=1e-9)
    assert res.kp_wald_f > 10  # the design has a reasonably strong instrument: the comparison is not 0 ≈ 0

    # Within route: statsmodels on demeaned data has k = L + p = 2 columns, so rescale its t² by
    # (N − L − p − absorbed)/(N − L − p) to put in the absorbed FE (absorbed = G + T − 1).
    absorbed = G_PANEL + T_PANEL - 1
    yw, zw, xw = (within(a, d["country"], d["year"]) for a in (d["endog"][:, 0], d["z"][:, 0], d["x"]))
    res_w = identification_tests(yw, zw, xw, d["country"], absorbed_dof=absorbed)
    fit_w = sm.OLS(yw, np.column_stack([zw, xw])).fit(cov_type="cluster", cov_kwds={"groups": d["country"]})
    t2_adj = fit_w.tvalues[0] ** 2 * (n - 2 - absorbed) / (n - 2)
    np.testing.assert_allclose(res_w.kp_wald_f, t2_adj, rtol=1e-9)
    np.testing.assert_allclose(res_w.kp_wald_f, res.kp_wald_f, rtol=1e-9)


def test_kp_wald_f_with_one_cluster_per_observation_is_hc1_t2() -> None:
    """One cluster per observation: G/(G−1)·(N−1)/(N−k) = N/(N−k), so KP F = t² with HC1 errors."""
    d = panel(2, n_countries=60, n_years=4)
    n = d["x"].size
    exog = np.column_stack([np.ones(n), d["x"]])
    res = identification_tests(d["endog"][:, 0], d["z"][:, 0], exog, np.arange(n))
    fit = sm.OLS(d["endog"][:, 0], np.column_stack([d["z"][:, 0], exog])).fit(cov_type="HC1")
    assert res.nclusters == n
    np.testing.assert_allclose(res.kp_wald_f, fit.tvalues[0] ** 2, rtol=1e-9)
    np.testing.assert_allclose(res.first_stage[0].std_errors[0], fit.bse[0], rtol=1e-9)


# --------------------------------------------------------------------------- 2. Cragg–Donald F


def test_cragg_donald_f_equals_homoskedastic_first_stage_f() -> None:
    """K = 1: CD Wald F = homoskedastic first-stage F of the excluded instruments (df N − L − p)."""
    d = panel(3, n_inst=1)
    n = d["x"].size
    exog = np.column_stack([np.ones(n), d["x"]])
    y = d["endog"][:, 0]

    res1 = identification_tests(y, d["z"][:, 0], exog, d["country"])
    fit1 = sm.OLS(y, np.column_stack([d["z"][:, 0], exog])).fit()
    assert fit1.df_resid == res1.resid_dof == n - 3
    np.testing.assert_allclose(res1.cd_wald_f, fit1.tvalues[0] ** 2, rtol=1e-9)

    d3 = panel(3, n_inst=3)
    res3 = identification_tests(d3["endog"][:, 0], d3["z"], exog, d3["country"])
    fit3 = sm.OLS(d3["endog"][:, 0], np.column_stack([d3["z"], exog])).fit()
    ftest = fit3.f_test(np.eye(3, 3 + exog.shape[1]))
    assert ftest.df_denom == res3.resid_dof and ftest.df_num == 3
    np.testing.assert_allclose(res3.cd_wald_f, float(np.squeeze(ftest.fvalue)), rtol=1e-9)

    # partial R²: (RSS_restricted − RSS_unrestricted)/RSS_restricted; also = squared canonical correlation.
    rss_r = sm.OLS(d3["endog"][:, 0], exog).fit().ssr
    partial_r2 = (rss_r - fit3.ssr) / rss_r
    np.testing.assert_allclose(res3.first_stage[0].partial_r2, partial_r2, rtol=1e-9)
    np.testing.assert_allclose(res3.canonical_correlations[0] ** 2, partial_r2, rtol=1e-9)
    np.testing.assert_allclose(res3.first_stage[0].coefs, fit3.params[:3], rtol=1e-9)


def test_cragg_donald_f_k2_equals_stock_yogo_minimum_eigenvalue() -> None:
    """K = 2: CD F = min eigenvalue of Σ̂_VV^{-1/2}' Π̂'Z̃'Z̃Π̂ Σ̂_VV^{-1/2} / L (Stock & Yogo 2005, G_T)."""
    d = panel(4, k=2, n_inst=3)
    n = d["x"].size
    exog = np.column_stack([np.ones(n), d["x"]])
    res = identification_tests(d["endog"], d["z"], exog, d["country"])
    yt, zt = residualise(d["endog"], exog), residualise(d["z"], exog)
    pi = np.linalg.lstsq(zt, yt, rcond=None)[0]
    v = yt - zt @ pi
    sigma_vv = v.T @ v / (n - 3 - exog.shape[1])
    chol = np.linalg.cholesky(sigma_vv)
    c_inv = np.linalg.inv(chol)
    g_t = c_inv @ (pi.T @ zt.T @ zt @ pi) @ c_inv.T / 3
    np.testing.assert_allclose(res.cd_wald_f, np.linalg.eigvalsh(g_t).min(), rtol=1e-9)


# --------------------------------------------------------------------------- 3. KP LM


def test_kp_lm_k1_equals_cluster_robust_score_test() -> None:
    """K = 1: KP rk LM = cluster-robust LM (score) test that the instruments' coefficients are zero."""
    d = panel(5, n_inst=3, strength=0.15)
    n = d["x"].size
    exog = np.column_stack([np.ones(n), d["x"]])
    res = identification_tests(d["endog"][:, 0], d["z"], exog, d["country"])
    # Restricted model (π = 0): residuals of endog on exog; score of the instruments by cluster.
    u = residualise(d["endog"][:, 0], exog)[:, 0]
    zt = residualise(d["z"], exog)
    score_g = np.zeros((G_PANEL, 3))
    np.add.at(score_g, d["country"], zt * u[:, None])
    score = score_g.sum(axis=0)
    lm = score @ np.linalg.solve(score_g.T @ score_g, score)
    np.testing.assert_allclose(res.kp_lm, lm, rtol=1e-9)
    assert res.kp_lm_df == 3
    np.testing.assert_allclose(res.kp_lm_pvalue, stats.chi2.sf(lm, 3), rtol=1e-9)


@pytest.mark.parametrize(("k", "n_inst"), [(1, 1), (1, 3), (2, 2), (2, 4)])
def test_kp_statistics_match_independent_implementation(k: int, n_inst: int) -> None:
    """KP rk LM and Wald (hence F) agree with the second implementation written from the paper."""
    d = panel(6 + k + n_inst, k=k, n_inst=n_inst, strength=0.3)
    n = d["x"].size
    exog = np.column_stack([np.ones(n), d["x"]])
    res = identification_tests(d["endog"], d["z"], exog, d["country"])
    yt, zt = residualise(d["endog"], exog), residualise(d["z"], exog)
    lm = kp_reference(yt, zt, d["country"], wald=False)
    wald = kp_reference(yt, zt, d["country"], wald=True)
    np.testing.assert_allclose(res.kp_lm, lm, rtol=1e-8)
    np.testing.assert_allclose(res.kp_wald_chi2, wald, rtol=1e-8)
    f = wald / (n - 1) * (n - n_inst - 2) * (G_PANEL - 1) / G_PANEL / n_inst
    np.testing.assert_allclose(res.kp_wald_f, f, rtol=1e-8)
    assert res.kp_lm_df == n_inst - k + 1


def test_kp_lm_close_to_anderson_lm_homoskedastic_large_n() -> None:
    """iid data, one cluster per observation, weak instrument, large n: KP LM ≈ Anderson LM = N·ρ² = N·R²_partial."""
    rng = np.random.default_rng(11)
    n = 20_000
    z = rng.normal(size=(n, 2))
    x = rng.normal(size=n)
    y = z @ np.array([0.02, 0.02]) + 0.5 * x + rng.normal(size=n)
    exog = np.column_stack([np.ones(n), x])
    res = identification_tests(y, z, exog, np.arange(n))
    np.testing.assert_allclose(res.anderson_lm, n * res.canonical_correlations[0] ** 2, rtol=1e-12)
    np.testing.assert_allclose(res.anderson_lm, n * res.first_stage[0].partial_r2, rtol=1e-9)
    assert 5 < res.anderson_lm < 60  # informative but weak: the LM is far from 0 and from the strong-IV regime
    np.testing.assert_allclose(res.kp_lm, res.anderson_lm, rtol=0.1)
    # and the homoskedastic Wald counterpart: CD F ≈ KP Wald F
    np.testing.assert_allclose(res.kp_wald_f, res.cd_wald_f, rtol=0.1)


# --------------------------------------------------------------------------- 4. invariance


def test_invariant_to_instrument_rescaling_and_redundant_exog() -> None:
    d = panel(20, k=2, n_inst=3)
    n = d["x"].size
    exog = np.column_stack([np.ones(n), d["x"]])
    base = identification_tests(d["endog"], d["z"], exog, d["country"])

    rescaled = identification_tests(d["endog"], d["z"] * np.array([1e3, 1e-2, -7.0]), exog, d["country"])
    assert_same_stats(base, rescaled)
    np.testing.assert_allclose(rescaled.first_stage[0].coefs[0] * 1e3, base.first_stage[0].coefs[0], rtol=1e-8)
    np.testing.assert_allclose(rescaled.first_stage[0].std_errors[1] * 1e-2, base.first_stage[0].std_errors[1], rtol=1e-8)

    mixing = np.array([[1.0, 0.5, 0.0], [0.0, 2.0, 1.0], [0.3, 0.0, 1.0]])
    assert_same_stats(base, identification_tests(d["endog"], d["z"] @ mixing, exog, d["country"]))

    redundant = np.column_stack([exog, 2.0 * d["x"] - 3.0])
    res_r = identification_tests(d["endog"], d["z"], redundant, d["country"])
    assert res_r.exog_rank == base.exog_rank == 2
    assert_same_stats(base, res_r)

    # rescaling an endogenous regressor changes nothing either
    assert_same_stats(base, identification_tests(d["endog"] * np.array([1.0, 50.0]), d["z"], exog, d["country"]))


def test_cluster_labels_of_any_hashable_type_give_the_same_result() -> None:
    d = panel(21)
    exog = np.column_stack([np.ones(d["x"].size), d["x"]])
    base = identification_tests(d["endog"], d["z"], exog, d["country"])
    names = np.array([f"c{c:02d}" for c in d["country"]])
    tuples = [("block", int(c)) for c in d["country"]]
    assert_same_stats(base, identification_tests(d["endog"], d["z"], exog, names), rtol=1e-12)
    assert_same_stats(base, identification_tests(d["endog"], d["z"], exog, tuples), rtol=1e-12)
    assert_same_stats(base, identification_tests(d["endog"], d["z"], exog, d["country"] * 1.5), rtol=1e-12)


# --------------------------------------------------------------------------- 5. strong vs irrelevant


def test_strong_instrument_vs_irrelevant_instrument() -> None:
    d = panel(30, n_inst=2, strength=1.0)
    n = d["x"].size
    exog = np.column_stack([np.ones(n), d["x"]])
    strong = identification_tests(d["endog"], d["z"], exog, d["country"])
    assert strong.kp_wald_f > 30 and strong.cd_wald_f > 30
    assert strong.kp_lm_pvalue < 1e-3 and strong.anderson_lm_pvalue < 1e-10
    assert all(fs.f_pvalue < 1e-4 for fs in strong.first_stage)

    # Irrelevant instruments: over replications the cluster-robust KP F averages about 1 and the
    # KP LM test rejects at roughly its nominal 5 % level. Errors and instruments share cluster
    # effects (intra-cluster correlation 0.5 each, clusters of 6), so the homoskedastic CD F is
    # inflated by the Moulton factor ≈ 1 + (6 − 1)·0.5·0.5 = 2.25: the reason to report KP.
    rng = np.random.default_rng(31)
    g, t = 50, 6
    groups = np.repeat(np.arange(g), t)
    n = g * t
    kp_f, cd_f, reject = [], [], []
    for _ in range(150):
        z = rng.normal(size=(n, 2)) + rng.normal(size=(g, 2))[groups]
        x = rng.normal(size=n)
        y = 0.5 * x + rng.normal(size=g)[groups] + rng.normal(size=n)
        r = identification_tests(y, z, np.column_stack([np.ones(n), x]), groups)
        kp_f.append(r.kp_wald_f)
        cd_f.append(r.cd_wald_f)
        reject.append(r.kp_lm_pvalue < 0.05)
    assert 0.7 < np.mean(kp_f) < 1.4
    assert 1.6 < np.mean(cd_f) < 3.0
    assert np.mean(reject) < 0.12
    assert np.median(kp_f) < 2 < strong.kp_wald_f / 10


# --------------------------------------------------------------------------- 6. input errors


def _ok() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(40)
    n = 60
    return {
        "endog": rng.normal(size=(n, 1)),
        "instruments": rng.normal(size=(n, 2)),
        "exog": np.ones((n, 1)),
        "clusters": np.repeat(np.arange(12), 5),
    }


def _with(**changes: object) -> dict[str, object]:
    args: dict[str, object] = dict(_ok())
    args.update(changes)
    return args


def _nan_at(a: np.ndarray, idx: tuple[int, int], value: float = np.nan) -> np.ndarray:
    a = a.copy()
    a[idx] = value
    return a


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (_with(instruments=np.ones((59, 2))), {}, "instruments: has 59 rows"),
        (_with(exog=np.ones((61, 1))), {}, "exog: has 61 rows"),
        (_with(clusters=np.arange(59)), {}, "clusters: has 59 labels"),
        (_with(endog=np.ones((60, 1, 1))), {}, "endog: expected a 1-D or 2-D array"),
        (_with(instruments=_nan_at(_ok()["instruments"], (3, 1))), {}, "instruments: contains NaN"),
        (_with(endog=_nan_at(_ok()["endog"], (7, 0), np.inf)), {}, "endog: contains NaN or infinite"),
        (_with(exog=_nan_at(_ok()["exog"], (0, 0))), {}, "exog: contains NaN"),
        (_with(clusters=np.zeros(60)), {}, "at least 2 clusters"),
        (_with(clusters=np.where(np.arange(60) == 4, np.nan, 1.0 * (np.arange(60) % 3))), {}, r"clusters: missing \(NaN\)"),
        (_with(clusters=[None] + list(range(59))), {}, "clusters: missing label"),
        (_with(endog=np.random.default_rng(1).normal(size=(60, 3))), {}, "underidentified: 2 excluded instrument"),
        (_with(instruments=np.column_stack([np.arange(60.0), 2 * np.arange(60.0)])), {}, "instruments: columns are collinear"),
        (_with(instruments=np.column_stack([np.arange(60.0), np.full(60, 3.0)])), {}, "instruments: columns are collinear"),
        (_with(instruments=np.zeros((60, 2))), {}, "instruments: column"),
        (_with(endog=np.full(60, 2.0)), {}, "endog: columns are collinear"),
        (_with(), {"absorbed_dof": -1}, "absorbed_dof: must be a non-negative integer"),
        (_with(), {"absorbed_dof": 2.5}, "absorbed_dof: must be a non-negative integer"),
        (_with(), {"absorbed_dof": 57}, "no residual degrees of freedom"),
        (_with(endog=np.array(["a"] * 60)), {}, "endog: cannot be converted"),
    ],
)
def test_bad_input_raises_value_error(args: dict[str, object], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        identification_tests(args["endog"], args["instruments"], args["exog"], args["clusters"], **kwargs)  # type: ignore[arg-type]


def test_one_dimensional_inputs_and_no_exog() -> None:
    ok = _ok()
    two_d = identification_tests(ok["endog"], ok["instruments"][:, :1], None, ok["clusters"])
    one_d = identification_tests(ok["endog"][:, 0], ok["instruments"][:, 0], None, list(ok["clusters"]))
    assert_same_stats(two_d, one_d, rtol=1e-12)
    assert one_d.exog_rank == 0 and one_d.resid_dof == 60 - 1
    # exog=None means no constant; with exog=1 the statistics change (and p counts the constant)
    with_const = identification_tests(ok["endog"][:, 0], ok["instruments"][:, 0], np.ones(60), ok["clusters"])
    assert with_const.exog_rank == 1 and with_const.resid_dof == 60 - 2
    assert with_const.canonical_correlations != one_d.canonical_correlations


# --------------------------------------------------------------------------- 7. fixed effects


@pytest.mark.parametrize(("k", "n_inst"), [(1, 1), (2, 3)])
def test_fixed_effects_as_dummies_or_within_transformation_agree(k: int, n_inst: int) -> None:
    """Country + year dummies in exog  ==  two-way within transformation with absorbed_dof = G + T − 1."""
    d = panel(50 + k, k=k, n_inst=n_inst)
    n = d["x"].size
    dummies = fe_dummies(d["country"], d["year"], drop_first=False)  # all G + T dummies: rank G + T − 1
    exog_dummies = np.column_stack([np.ones(n), d["x"], dummies])
    via_dummies = identification_tests(d["endog"], d["z"], exog_dummies, d["country"])
    assert via_dummies.exog_rank == 1 + G_PANEL + T_PANEL - 1  # x plus the FE (constant absorbed in them)

    absorbed = G_PANEL + T_PANEL - 1
    yw, zw, xw = (within(a, d["country"], d["year"]) for a in (d["endog"], d["z"], d["x"]))
    via_within = identification_tests(yw, zw, xw, d["country"], absorbed_dof=absorbed)
    assert via_within.exog_rank == 1
    assert via_within.resid_dof == via_dummies.resid_dof == n - n_inst - 1 - absorbed
    assert_same_stats(via_dummies, via_within, rtol=1e-8)
    for fa, fb in zip(via_dummies.first_stage, via_within.first_stage, strict=True):
        np.testing.assert_allclose(fa.coefs, fb.coefs, rtol=1e-8)
        np.testing.assert_allclose(fa.std_errors, fb.std_errors, rtol=1e-8)

    # Forgetting absorbed_dof leaves the LM statistics unchanged but overstates the F statistics
    # by exactly (N − L − p)/(N − L − p − absorbed).
    forgot = identification_tests(yw, zw, xw, d["country"])
    np.testing.assert_allclose(forgot.kp_lm, via_within.kp_lm, rtol=1e-8)
    ratio = (n - n_inst - 1) / (n - n_inst - 1 - absorbed)
    np.testing.assert_allclose(forgot.kp_wald_f / via_within.kp_wald_f, ratio, rtol=1e-10)
    np.testing.assert_allclose(forgot.cd_wald_f / via_within.cd_wald_f, ratio, rtol=1e-10)


def test_dofminus_only_moves_cragg_donald_and_anderson() -> None:
    """xtivreg2, fe convention: dofminus = N_g lowers CD F and the Anderson LM, not the cluster-robust KP statistics."""
    d = panel(60, n_inst=2)
    yw, zw, xw = (within(a, d["country"], d["year"]) for a in (d["endog"], d["z"], d["x"]))
    n = d["x"].size
    base = identification_tests(yw, zw, xw, d["country"], absorbed_dof=T_PANEL - 1)
    xt = identification_tests(yw, zw, xw, d["country"], absorbed_dof=T_PANEL - 1, dofminus=G_PANEL)
    assert xt.kp_lm == base.kp_lm and xt.kp_wald_f == base.kp_wald_f
    resid = n - 2 - 1 - (T_PANEL - 1)
    np.testing.assert_allclose(xt.cd_wald_f / base.cd_wald_f, (resid - G_PANEL) / resid, rtol=1e-12)
    np.testing.assert_allclose(xt.anderson_lm / base.anderson_lm, (n - G_PANEL) / n, rtol=1e-12)


def test_handles_a_realistic_panel_with_both_sets_of_effects_as_dummies() -> None:
    """150 countries × 20 years with both sets of FE as dummies (redundant columns among them): the statistics are
    defined and the ranks right. Its speed is the benchmark's business (make benchmark), not a test's."""
    d = panel(70, k=2, n_inst=3, n_countries=150, n_years=20)
    exog = np.column_stack([np.ones(d["x"].size), d["x"], fe_dummies(d["country"], d["year"], drop_first=False)])
    res = identification_tests(d["endog"], d["z"], exog, d["country"])
    assert np.isfinite(res.kp_lm) and np.isfinite(res.kp_wald_f) and np.isfinite(res.cd_wald_f)
    assert res.nobs == 3000 and res.nclusters == 150 and res.exog_rank == 1 + 150 + 20 - 1


def test_singular_cluster_covariance_returns_what_is_defined() -> None:
    """More instruments than clusters: the rk covariances are singular. As ivreg2, the Cragg–Donald F (and here the
    Anderson LM) are still reported, the KP statistics are missing, and ``unavailable`` says why."""
    ok = _ok()
    n_clusters = len(np.unique(ok["clusters"]))
    z = np.random.default_rng(2).normal(size=(60, 12))
    assert z.shape[1] >= n_clusters  # the design that makes Ω singular
    res = identification_tests(ok["endog"], z, ok["exog"], ok["clusters"])
    assert np.isnan(res.kp_wald_f) and np.isnan(res.kp_wald_chi2)
    assert np.isfinite(res.cd_wald_f) and res.cd_wald_f > 0 and np.isfinite(res.anderson_lm)
    names = [u.split(":")[0] for u in res.unavailable]
    assert "kp_wald_f" in names
    assert all("singular" in u and f"{n_clusters} clusters" in u for u in res.unavailable)
    # the Cragg–Donald F needs no cluster covariance: the same as with few enough instruments to keep Ω regular
    assert (np.isnan(res.kp_lm) and np.isnan(res.kp_lm_pvalue)) == ("kp_lm" in names)
    regular = identification_tests(ok["endog"], ok["instruments"], ok["exog"], ok["clusters"])
    assert regular.unavailable == ()
