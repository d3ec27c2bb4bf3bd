"""Every correlation is checked against an independent implementation."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
from scipy import stats

from abs_trust.stats.correlation import _weighted_covariance
from abs_trust.stats.correlation_table import correlation_table
from abs_trust.stats.pearson import pearson

CONTROLS = ["age", "female", "education", "income"]


def survey_like(n=800, seed=11):
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 85, n).astype(float)
    female = rng.integers(0, 2, n).astype(float)
    education = rng.integers(1, 11, n).astype(float)
    income = rng.integers(1, 6, n).astype(float)
    latent = rng.normal(size=n)
    x = np.clip(np.round(2.5 + latent + 0.02 * (age - 50) + rng.normal(0, 0.8, n)), 1, 4)
    y = np.clip(np.round(2.3 + 0.5 * latent - 0.1 * education + rng.normal(0, 0.9, n)), 1, 4)
    return pd.DataFrame(
        {"x": x, "y": y, "age": age, "female": female, "education": education,
         "income": income, "w": rng.lognormal(0, 0.4, n)}
    )  # fmt: skip


def test_bivariate_matches_scipy():
    df = survey_like()
    est = pearson(df, "x", "y")
    ref = stats.pearsonr(df["x"], df["y"])
    assert est["r"] == pytest.approx(ref.statistic, abs=1e-12)
    assert est["p"] == pytest.approx(ref.pvalue, rel=1e-9)
    ci = ref.confidence_interval()
    assert (est["ci_low"], est["ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_partial_matches_pingouin():
    df = survey_like()
    est = pearson(df, "x", "y", CONTROLS)
    ref = pg.partial_corr(df, x="x", y="y", covar=CONTROLS).iloc[0]
    assert est["r"] == pytest.approx(ref["r"], abs=1e-10)
    assert est["p"] == pytest.approx(ref["p_val"], rel=1e-6)
    assert [round(est["ci_low"], 2), round(est["ci_high"], 2)] == list(ref["CI95"])
    assert est["n"] == ref["n"]


def weighted_residual_r(df, x, y, covar, w):
    """Independent: residualise x and y on the controls by WLS, correlate the residuals."""
    design = sm.add_constant(df[covar])
    rx = sm.WLS(df[x], design, weights=df[w]).fit().resid
    ry = sm.WLS(df[y], design, weights=df[w]).fit().resid
    return sm.stats.DescrStatsW(np.column_stack([rx, ry]), weights=df[w]).corrcoef[0, 1]


def test_weighted_partial_matches_wls_residual_regression():
    df = survey_like()
    est = pearson(df, "x", "y", CONTROLS, weight="w")
    assert est["r"] == pytest.approx(weighted_residual_r(df, "x", "y", CONTROLS, "w"), abs=1e-10)


def test_weighted_bivariate_matches_descrstatsw_and_numpy():
    df = survey_like()
    est = pearson(df, "x", "y", weight="w")
    ref = sm.stats.DescrStatsW(df[["x", "y"]].to_numpy(), weights=df["w"]).corrcoef[0, 1]
    assert est["r"] == pytest.approx(ref, abs=1e-12)
    cov = np.cov(df["x"], df["y"], aweights=df["w"])
    assert _weighted_covariance(df[["x", "y"]].to_numpy(), df["w"].to_numpy())[0, 1] == (
        pytest.approx(cov[0, 1] * (1 - (df["w"] ** 2).sum() / df["w"].sum() ** 2), rel=1e-9)
    )


def test_weighted_covariance_is_descrstatsw_up_to_summation_order():
    # the kernel keeps its own sums for byte-identical tables (see its docstring); the matrix
    # is statsmodels' DescrStatsW(ddof=0).cov to the last few bits
    df = survey_like()
    data, w = df[["x", "y", *CONTROLS]].to_numpy(), df["w"].to_numpy()
    for weights in (w, None):
        ref = sm.stats.DescrStatsW(data, weights=weights, ddof=0).cov
        scale = np.abs(ref).max()
        np.testing.assert_allclose(_weighted_covariance(data, weights), ref, atol=1e-13 * scale)


def test_unit_weights_reduce_to_unweighted():
    df = survey_like().assign(one=1.0)
    assert pearson(df, "x", "y", CONTROLS, "one")["r"] == pytest.approx(
        pearson(df, "x", "y", CONTROLS)["r"], abs=1e-12
    )


def test_listwise_deletion_and_flags():
    df = survey_like(n=50)
    df.loc[:9, "income"] = np.nan
    assert pearson(df, "x", "y", CONTROLS)["n"] == 40
    assert pearson(df, "x", "y")["n"] == 50
    small = pearson(df.iloc[:20], "x", "y")
    assert "fewer than 30" in small["note"] and np.isfinite(small["r"])
    const = pearson(df.assign(x=1.0), "x", "y")
    assert np.isnan(const["r"]) and "no variation" in const["note"]


def test_correlation_table_rows():
    df = survey_like(n=300).rename(columns={"x": "trust_local_government", "y": "trust_ngos",
                                            "w": "weight"})  # fmt: skip
    df["country"], df["wave"] = "china", "W4"
    table = correlation_table(df, [["local_government", "ngos"]], CONTROLS, {"china": 2015},
                              methods=["pearson", "spearman", "polychoric"])  # fmt: skip
    assert len(table) == 12
    assert set(table["method"]) == {"pearson", "spearman", "polychoric"}
    assert table["r"].between(-1, 1).all()
    assert set(table["controls"]) == {"", "age+female+education+income"}
    assert set(table["weighted"]) == {True, False}
    assert (table["year"] == 2015).all()


def survey_waves():
    """Three countries, rows interleaved (not sorted by country), nullable columns with
    nonresponse, and an item not asked in one country, as in a harmonized wave."""
    parts = []
    for seed, country in enumerate(["korea", "china", "japan"]):
        df = survey_like(n=260 + 40 * seed, seed=20 + seed)
        df.loc[df.sample(frac=0.1, random_state=seed).index, "x"] = np.nan
        df.loc[df.sample(frac=0.05, random_state=seed + 7).index, "income"] = np.nan
        if country == "japan":
            df["y"] = np.nan  # not asked
        if country == "korea":
            df.loc[[3, 50, 99], "w"] = np.nan  # dropped from the weighted estimates only
        parts.append(df.assign(country=country, wave="W4"))
    frame = pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=3)
    frame = frame.rename(columns={"x": "trust_local_government", "y": "trust_ngos",
                                  "w": "weight"})  # fmt: skip
    for col in ["trust_local_government", "trust_ngos", "female", "education", "income"]:
        frame[col] = frame[col].astype("Int8")
    frame["age"] = frame["age"].astype("Int16")
    return frame


def test_correlation_table_selects_each_countrys_complete_cases():
    frame = survey_waves()
    x, y = "trust_local_government", "trust_ngos"
    table = correlation_table(frame, [["local_government", "ngos"]], CONTROLS,
                              {"china": 2015, "korea": 2015}, weighted={"korea"},
                              methods=["pearson", "spearman", "polychoric"])  # fmt: skip
    # sorted by country; japan (ngos not asked) absent; weighted rows for korea only
    assert list(table["country"].unique()) == ["china", "korea"]
    assert len(table) == 3 * 2 * 1 + 3 * 2 * 2
    for row in table.itertuples():
        country = frame[frame["country"] == row.country].astype(
            {c: float for c in [x, y, *CONTROLS]}
        )
        covar = CONTROLS if row.controls else []
        cc = country.dropna(subset=[x, y, *covar, "weight"] if row.weighted else [x, y, *covar])
        assert row.n == len(cc)
        if row.weighted and row.method == "pearson":
            expected = (
                weighted_residual_r(cc, x, y, covar, "weight")
                if covar
                else (
                    sm.stats.DescrStatsW(cc[[x, y]].to_numpy(), weights=cc["weight"]).corrcoef[0, 1]
                )
            )
        elif row.weighted:
            continue  # weighted Spearman and polychoric: tests/test_ordinal.py
        elif row.method == "polychoric":
            continue  # polychoric against R: tests/test_ordinal.py
        elif covar:
            expected = pg.partial_corr(cc, x=x, y=y, covar=covar, method=row.method).iloc[0]["r"]
        elif row.method == "pearson":
            expected = stats.pearsonr(cc[x], cc[y]).statistic
        else:
            expected = stats.spearmanr(cc[x], cc[y]).statistic
        assert row.r == pytest.approx(expected, abs=1e-10), row
