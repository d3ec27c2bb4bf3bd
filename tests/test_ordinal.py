"""Ordinal correlations, each checked against an independent implementation or known truth."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats
from scipy.special import ndtr, owens_t

from abs_trust.stats.bivariate_normal import bivariate_normal_cdf
from abs_trust.stats.polychoric import (
    _negative_loglik,
    _polychoric_cell_derivatives,
    _polychoric_table,
    polychoric,
    polyserial,
)
from abs_trust.stats.polychoric_partial import polychoric_partial
from abs_trust.stats.spearman import _weighted_midranks, spearman

CONTROLS = ["age", "female", "education", "income"]


def survey_like(n=600, seed=5):
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n)
    education = rng.integers(1, 11, n)
    frame = pd.DataFrame(
        {
            "x": np.clip(np.round(2.5 + latent + rng.normal(0, 0.8, n)), 1, 4),
            "y": np.clip(
                np.round(2.3 + 0.5 * latent - 0.1 * education + rng.normal(0, 1, n)), 1, 4
            ),
            "age": rng.integers(18, 85, n).astype(float),
            "female": rng.integers(0, 2, n).astype(float),
            "education": education.astype(float),
            "income": rng.integers(1, 6, n).astype(float),
            "w": rng.lognormal(0, 0.4, n),
        }
    )
    frame.loc[:20, "x"] = np.nan  # nonresponse, dropped listwise
    return frame


def table_to_frame(table):
    """Expand a contingency table into one row per respondent (codes 1..K, 1..L)."""
    table = np.asarray(table)
    i, j = np.indices(table.shape)
    reps = table.ravel()
    return pd.DataFrame({"a": np.repeat(i.ravel() + 1, reps), "b": np.repeat(j.ravel() + 1, reps)})


def discretised_normal(n, rho, cuts_x, cuts_y, seed):
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
    return pd.DataFrame(
        {"a": np.digitize(z[:, 0], cuts_x) + 1, "b": np.digitize(z[:, 1], cuts_y) + 1}
    )


# ------------------------------------------------------------------------------ Spearman


def test_weighted_midranks_are_scaled_average_ranks():
    values = np.array([3, 1, 2, 2, 4, 1, 2])
    expected = (stats.rankdata(values) - 0.5) / len(values)
    assert _weighted_midranks(values) == pytest.approx(expected, abs=1e-15)


def test_spearman_bivariate_matches_scipy():
    df = survey_like()
    est = spearman(df, "x", "y")
    valid = df[["x", "y"]].dropna()
    ref = stats.spearmanr(valid["x"], valid["y"])
    assert est["r"] == pytest.approx(ref.statistic, abs=1e-12)
    assert est["p"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert est["n"] == len(valid)


def test_spearman_partial_matches_pingouin():
    df = survey_like()
    est = spearman(df, "x", "y", CONTROLS)
    ref = pg.partial_corr(df, x="x", y="y", covar=CONTROLS, method="spearman").iloc[0]
    assert est["r"] == pytest.approx(ref["r"], abs=1e-12)
    assert est["p"] == pytest.approx(ref["p_val"], rel=1e-6)
    assert est["n"] == ref["n"]


def test_spearman_ci_is_bonett_wright():
    df = survey_like()
    est = spearman(df, "x", "y", ["age"])
    se = np.sqrt((1 + est["r"] ** 2 / 2) / (est["n"] - 3 - 1))
    z = np.arctanh(est["r"])
    assert est["ci_low"] == pytest.approx(np.tanh(z - 1.959963984540054 * se), abs=1e-12)
    assert est["ci_high"] == pytest.approx(np.tanh(z + 1.959963984540054 * se), abs=1e-12)


def test_spearman_unit_weights_reduce_to_unweighted():
    df = survey_like().assign(one=1.0)
    for covar in ((), CONTROLS):
        weighted = spearman(df, "x", "y", covar, weight="one")
        plain = spearman(df, "x", "y", covar)
        assert weighted["r"] == pytest.approx(plain["r"], abs=1e-12)
        # survey weights, even all 1, get the design-based interval (its SE is the sandwich;
        # Bonett-Wright's is a normal-theory approximation): close, not equal
        assert weighted["se_method"] == "linearization: weights only"
        assert weighted["ci_low"] == pytest.approx(plain["ci_low"], abs=0.01)


def test_spearman_integer_weights_equal_replicated_rows():
    # frequency-weight reading: weight 3 = three identical respondents
    df = survey_like(n=200).dropna()
    df["fw"] = np.random.default_rng(1).integers(1, 4, len(df)).astype(float)
    expanded = df.loc[df.index.repeat(df["fw"].astype(int))]
    assert spearman(df, "x", "y", ["age"], weight="fw")["r"] == pytest.approx(
        spearman(expanded, "x", "y", ["age"])["r"], abs=1e-12
    )


def test_spearman_flags_constant_variable():
    df = pd.DataFrame({"a": [1.0] * 40, "b": np.arange(40.0)})
    est = spearman(df, "a", "b")
    assert np.isnan(est["r"]) and "no variation" in est["note"]


# ----------------------------------------------------------------- bivariate normal CDF


@pytest.mark.parametrize("rho", [-0.999, -0.95, -0.6, -0.1, 0.0, 0.2, 0.5, 0.8, 0.93, 0.99])
def test_bivariate_normal_cdf_matches_scipy(rho):
    rng = np.random.default_rng(3)
    h, k = rng.normal(0, 1.5, 12), rng.normal(0, 1.5, 12)
    h[:2], k[2:4] = -8.0, 8.0  # the clipped "infinite" thresholds
    dist = stats.multivariate_normal([0, 0], [[1, rho], [rho, 1]])
    ref = np.array([dist.cdf([a, b]) for a, b in zip(h, k, strict=True)])
    assert bivariate_normal_cdf(h, k, rho) == pytest.approx(ref, abs=1e-9)


# Every branch of Genz's algorithm (|rho| < 0.3, < 0.75, < 0.925 and the expansion above),
# rho near +-1, and infinite bounds, where P(X <= h, Y <= inf) = Phi(h) and any -inf gives 0.
GRID_BOUNDS = np.array([-np.inf, -8.0, -3.1, -1.2, -0.3, 0.0, 0.4, 1.5, 3.1, 8.0, np.inf])
GRID_RHOS = [-0.9999, -0.999, -0.97, -0.925, -0.924, -0.75, -0.3, -0.05, 0.0, 0.05, 0.299,
             0.3, 0.6, 0.75, 0.9, 0.924, 0.925, 0.97, 0.999, 0.9999]  # fmt: skip


@pytest.mark.parametrize("rho", GRID_RHOS)
def test_bivariate_normal_cdf_on_a_grid_matches_scipy(rho):
    # h as a column and k as a row, the way the polychoric likelihood calls it; scipy's
    # bivariate CDF is Genz's Fortran TVPACK, accurate to ~1e-16 (agrees with quadrature)
    dist = stats.multivariate_normal([0, 0], [[1, rho], [rho, 1]])
    ref = np.array([[dist.cdf([h, k]) for k in GRID_BOUNDS] for h in GRID_BOUNDS])
    got = bivariate_normal_cdf(GRID_BOUNDS[:, None], GRID_BOUNDS[None, :], rho)
    assert got.shape == (len(GRID_BOUNDS), len(GRID_BOUNDS))
    assert got == pytest.approx(ref, abs=1e-14)  # observed: <= 1.6e-16
    assert got[-1, :] == pytest.approx(stats.norm.cdf(GRID_BOUNDS), abs=1e-15)
    assert np.all(got[0, :] == 0) and np.all(got[:, 0] == 0)


def owen_bivariate_normal_cdf(h, k, rho):
    """Independent: Owen (1956), Phi2 = Phi(h)/2 + Phi(k)/2 - T(h, a_h) - T(k, a_k) - beta,
    with scipy's Owen's T; a_h = (k - rho h) / (h sqrt(1 - rho^2)), likewise a_k."""
    h, k = np.broadcast_arrays(np.asarray(h, float), np.asarray(k, float))
    s = np.sqrt(1 - rho**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        a_h = np.where(h == 0, np.copysign(np.inf, k - rho * h), (k - rho * h) / (h * s))
        a_k = np.where(k == 0, np.copysign(np.inf, h - rho * k), (h - rho * k) / (k * s))
    beta = np.where((h * k > 0) | ((h * k == 0) & (h + k >= 0)), 0.0, 0.5)
    p = 0.5 * ndtr(h) + 0.5 * ndtr(k) - owens_t(h, a_h) - owens_t(k, a_k) - beta
    return np.where((h == 0) & (k == 0), 0.25 + np.arcsin(rho) / (2 * np.pi), p)


def test_bivariate_normal_cdf_matches_owens_t_over_the_polychoric_thresholds():
    # the comparison the docstring reports: finite cuts, 0 and the clipped ends +-8,
    # |rho| <= 0.9999 (observed: <= 2.4e-15)
    cuts = np.concatenate([np.random.default_rng(0).uniform(-3.5, 3.5, 40), [0.0, -8.0, 8.0]])
    for rho in np.linspace(-0.9999, 0.9999, 81):
        got = bivariate_normal_cdf(cuts[:, None], cuts[None, :], rho)
        ref = owen_bivariate_normal_cdf(cuts[:, None], cuts[None, :], rho)
        assert got == pytest.approx(ref, abs=1e-12), rho


def test_bivariate_normal_cdf_missing_bound_is_nan():
    got = bivariate_normal_cdf(np.array([np.nan, 0.2]), np.array([0.5, np.nan]), 0.4)
    assert np.isnan(got).all()


# ----------------------------------------------------------------------------- polychoric

# Reference values: R 4.2.2 (2022-11-10 r83330), polycor 0.8-1, mvtnorm 1.1-3, computed once
# with `polycor::polychor(tab, ML = FALSE, std.err = TRUE)` (two-step: thresholds from the
# margins, then optim/BFGS for rho; SE = sqrt(var) from the numerical Hessian), where `tab` is
# the matrix below entered with byrow = TRUE. Thresholds are polychor's row.cuts / col.cuts.
# polycor's defaults stop BFGS at reltol 1e-8; with control = list(reltol = 1e-14) rho moved by
# < 1.5e-6 (t1: 0.5937702141), so a 1e-5 tolerance tests the estimator, not R's optimiser.
R_REFERENCE = {
    "t1": {
        "table": [[20, 15, 8, 2], [12, 40, 30, 9], [5, 28, 61, 25], [1, 7, 22, 35]],
        "rho": 0.5937687965,
        "se": 0.0402708596,
        "row_cuts": [-1.0775155670, -0.1891184263, 0.8305108782],
        "col_cuts": [-1.1812586210, -0.2533471031, 0.7658761470],
    },
    "t2": {
        "table": [[3, 10, 24], [9, 22, 18], [20, 25, 11], [14, 6, 0]],
        "rho": -0.5814252246,
        "se": 0.0626852211,
        "row_cuts": [-0.7441427422, 0.0774424085, 1.1578786036],
        "col_cuts": [-0.5711451806, 0.4477675185],
    },
    "t3": {
        "table": [
            [30, 6, 1, 0],
            [11, 25, 9, 1],
            [3, 14, 33, 10],
            [0, 4, 17, 29],
            [0, 1, 5, 22],
        ],
        "rho": 0.8474397977,
        "se": 0.0216842118,
        "row_cuts": [-0.9644075690, -0.3171481092, 0.3773919438, 1.1421452116],
        "col_cuts": [-0.8448581460, -0.1882524822, 0.5812292258],
    },
}


@pytest.mark.parametrize("name", sorted(R_REFERENCE))
def test_polychoric_matches_r_polycor(name):
    ref = R_REFERENCE[name]
    # the table as respondent rows, through the DataFrame interface
    est = polychoric(table_to_frame(ref["table"]), "a", "b")
    assert est["r"] == pytest.approx(ref["rho"], abs=1e-5)  # observed: < 3e-6
    # polycor's SE is the information one, thresholds held fixed
    assert est["se_information"] == pytest.approx(ref["se"], abs=1e-5)  # observed: < 1.3e-6
    assert est["thresholds_x"] == pytest.approx(ref["row_cuts"], abs=1e-9)
    assert est["thresholds_y"] == pytest.approx(ref["col_cuts"], abs=1e-9)
    assert est["n"] == int(np.sum(ref["table"]))


def margin_thresholds(counts):
    """Independent: normal quantiles of the cumulative margin, the outer ends at +-8."""
    inner = stats.norm.ppf(np.cumsum(counts)[:-1] / np.sum(counts))
    return np.concatenate([[-8.0], inner, [8.0]])


@pytest.mark.parametrize("name", sorted(R_REFERENCE))
def test_polychoric_is_the_grid_maximum_and_se_is_the_curvature(name):
    table = np.asarray(R_REFERENCE[name]["table"], dtype=float)
    est = polychoric(table_to_frame(R_REFERENCE[name]["table"]), "a", "b")
    tau_x, tau_y = margin_thresholds(table.sum(1)), margin_thresholds(table.sum(0))
    grid = np.linspace(-0.999, 0.999, 1999)
    nll = np.array([_negative_loglik(r, table, tau_x, tau_y) for r in grid])
    assert abs(grid[nll.argmin()] - est["r"]) <= 1e-3
    assert _negative_loglik(est["r"], table, tau_x, tau_y) <= nll.min() + 1e-9
    # analytic observed information vs a central second difference
    h = 1e-4
    f = [_negative_loglik(est["r"] + d, table, tau_x, tau_y) for d in (-h, 0, h)]
    numeric_se = 1 / np.sqrt((f[0] - 2 * f[1] + f[2]) / h**2)
    assert est["se_information"] == pytest.approx(numeric_se, rel=1e-4)


@pytest.mark.parametrize("name", sorted(R_REFERENCE))
def test_polychoric_cell_derivatives_match_refitting_a_perturbed_table(name):
    # The weighted SE's influence of one more (weighted) count in a cell, thresholds moving
    # with the margins: against the two-step estimate refitted after adding +-delta there.
    table = np.asarray(R_REFERENCE[name]["table"], dtype=float)
    table = table[table.sum(1) > 0][:, table.sum(0) > 0]
    rho = _polychoric_table(table)["r"]
    derivative = _polychoric_cell_derivatives(table, rho)
    delta = 0.01 * table.sum() / table.size
    for cell in np.ndindex(table.shape):
        refit = []
        for sign in (1, -1):
            moved = table.copy()
            moved[cell] += sign * delta
            refit.append(_polychoric_table(moved)["r"])
        numeric = (refit[0] - refit[1]) / (2 * delta)
        assert derivative[cell] == pytest.approx(numeric, rel=1e-3, abs=1e-8), cell


@pytest.mark.parametrize("rho", [0.3, 0.6])
def test_polychoric_recovers_latent_rho_in_large_sample(rho):
    df = discretised_normal(200_000, rho, [-0.8, 0.1, 1.2], [-1.3, -0.2, 0.6], seed=int(rho * 10))
    est = polychoric(df, "a", "b")
    assert abs(est["r"] - rho) < 0.01
    assert est["thresholds_x"] == pytest.approx([-0.8, 0.1, 1.2], abs=0.01)
    assert est["ci_low"] < rho < est["ci_high"]


def test_polychoric_unit_weights_reduce_and_integer_weights_replicate():
    df = discretised_normal(1_500, 0.45, [-0.5, 0.3, 1.0], [-1.0, 0.0, 0.8], seed=9)
    df["one"] = 1.0
    plain, unit = polychoric(df, "a", "b"), polychoric(df, "a", "b", weight="one")
    for key in ("r", "se", "ci_low", "ci_high"):
        assert unit[key] == pytest.approx(plain[key], abs=1e-12)
    assert (plain["se_method"], unit["se_method"]) == (
        "linearization: simple random sample",
        "linearization: weights only",
    )
    # the linearization SE carries the thresholds' sampling error, which the information SE
    # of two-step ML leaves out: close, not equal (bootstrap references: test_reference_r)
    assert plain["se"] == pytest.approx(plain["se_information"], rel=0.1)
    df["fw"] = np.random.default_rng(2).integers(1, 4, len(df)).astype(float)
    expanded = df.loc[df.index.repeat(df["fw"].astype(int))]
    assert polychoric(df, "a", "b", weight="fw")["r"] == pytest.approx(
        polychoric(expanded, "a", "b")["r"], abs=1e-7
    )


def test_polychoric_flags_single_category():
    df = pd.DataFrame({"a": [2] * 50, "b": [1, 2] * 25})
    est = polychoric(df, "a", "b")
    assert np.isnan(est["r"]) and est["note"]


# ----------------------------------------------------------------------------- polyserial


def test_polyserial_recovers_latent_rho():
    rng = np.random.default_rng(4)
    z = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=100_000)
    df = pd.DataFrame(
        {"ord": np.digitize(z[:, 0], [-1.0, 0.2, 0.9]) + 1, "cont": 40 + 12 * z[:, 1]}
    )
    assert abs(polyserial(df, "ord", "cont")["r"] - 0.5) < 0.01
    df["one"] = 1.0
    assert polyserial(df, "ord", "cont", "one")["r"] == pytest.approx(
        polyserial(df, "ord", "cont")["r"], abs=1e-12
    )


# --------------------------------------------------------------------- polychoric partial


def test_polychoric_partial_recovers_latent_partial():
    # latent x, y, education (ordinal) and age (continuous) with a known correlation matrix
    sigma = np.array(
        [[1.0, 0.5, 0.3, 0.2], [0.5, 1.0, -0.2, 0.1], [0.3, -0.2, 1.0, -0.3], [0.2, 0.1, -0.3, 1.0]]
    )
    rng = np.random.default_rng(6)
    z = rng.multivariate_normal(np.zeros(4), sigma, size=60_000)
    df = pd.DataFrame(
        {
            "x": np.digitize(z[:, 0], [-0.7, 0.2, 1.1]) + 1,
            "y": np.digitize(z[:, 1], [-1.2, -0.1, 0.7]) + 1,
            "education": np.digitize(z[:, 2], [-1.0, -0.3, 0.4, 1.2]) + 1,
            "age": 45 + 15 * z[:, 3],
        }
    )
    est = polychoric_partial(df, "x", "y", ["education", "age"])
    precision = np.linalg.inv(sigma)  # the latent partial r of x and y, by hand
    truth = -precision[0, 1] / np.sqrt(precision[0, 0] * precision[1, 1])
    assert abs(est["r"] - truth) < 0.015
    assert est["matrix"].shape == (4, 4)
    assert est["matrix"].loc["x", "y"] == pytest.approx(polychoric(df, "x", "y")["r"], abs=1e-12)
    assert est["ci_low"] < est["r"] < est["ci_high"] and est["df"] == len(df) - 1
    assert est["note"] == ""


def test_polychoric_partial_runs_on_survey_frame_with_weights():
    df = survey_like()
    est = polychoric_partial(df, "x", "y", CONTROLS, weight="w")
    assert -1 < est["r"] < 1 and est["n"] == len(df.dropna())
    assert list(est["matrix"].columns) == ["x", "y", *CONTROLS]


def test_polychoric_flags_flat_likelihood():
    # every off-diagonal cell empty on one side: the margins' thresholds fit rho -> 1
    est = polychoric(table_to_frame([[10, 10, 0], [0, 10, 10], [0, 0, 20]]), "a", "b")
    assert est["r"] > 0.99 and "unreliable" in est["note"]
