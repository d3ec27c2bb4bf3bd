"""Regression models: closed-form checks for OLS/HC1, known truth for the ordered logit."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from abs_trust.stats.models import MODEL_COLUMNS, ols_robust, ordered_logit

CONTROLS = ["age", "female", "education", "income"]


def survey_like(n=900, seed=8, sparse_education=False):
    rng = np.random.default_rng(seed)
    education = rng.integers(1, 4, n)
    if sparse_education:
        education[20:25] = 4  # a category with 5 respondents (rows 0-9 become nonresponse)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 85, n),
            "female": rng.integers(0, 2, n),
            "education": education,
            "income": rng.integers(1, 4, n),
            "w": rng.lognormal(0, 0.5, n),
        }
    ).astype({"age": "Int16", "female": "Int8", "education": "Int8", "income": "Int8"})
    latent = rng.normal(size=n)
    frame["trust_x"] = pd.array(np.clip(np.round(2.5 + latent), 1, 4), dtype="Int8")
    noise = rng.normal(0, 1, n)
    y = 2 + 0.4 * latent - 0.1 * education + 0.01 * frame["age"].to_numpy(float) + noise
    frame["trust_y"] = pd.array(np.clip(np.round(y), 1, 4), dtype="Int8")
    frame.loc[:9, "trust_y"] = pd.NA
    return frame


def sandwich_hc1(X, y, w):
    """(X'WX)^-1 X'W diag(e^2) W X (X'WX)^-1 * n/(n-p), written out."""
    bread = np.linalg.inv(X.T @ (w[:, None] * X))
    beta = bread @ X.T @ (w * y)
    e = y - X @ beta
    meat = X.T @ ((w**2 * e**2)[:, None] * X)
    n, p = X.shape
    return beta, np.sqrt(np.diag(bread @ meat @ bread) * n / (n - p))


def design(frame, weight=None):
    data = frame.dropna()
    X = np.column_stack([np.ones(len(data)), data[["trust_x", *CONTROLS]].to_numpy(float)])
    w = data[weight].to_numpy(float) if weight else np.ones(len(data))
    return X, data["trust_y"].to_numpy(float), w


@pytest.mark.parametrize("weight", [None, "w"])
def test_ols_matches_closed_form_sandwich(weight):
    frame = survey_like()
    # min_cell above n forces linear controls, so the design matrix is the plain one
    est = ols_robust(frame, "trust_y", "trust_x", CONTROLS, weight=weight, min_cell=10_000)
    beta, se = sandwich_hc1(*design(frame, weight))
    assert est["coef"].to_numpy() == pytest.approx(beta, rel=1e-9, abs=1e-12)
    assert est["se"].to_numpy() == pytest.approx(se, rel=1e-9)
    row = est.set_index("term").loc["trust_x"]
    df = row["n"] - 6
    assert row["p"] == pytest.approx(2 * stats.t.sf(abs(beta[1] / se[1]), df), rel=1e-8)
    assert row["ci_low"] == pytest.approx(beta[1] - stats.t.ppf(0.975, df) * se[1], rel=1e-9)
    assert list(est.columns) == MODEL_COLUMNS
    assert est["weighted"].eq(weight is not None).all()
    assert est["model"].iloc[0] == ("wls" if weight else "ols")


def test_ols_unit_weights_equal_unweighted():
    frame = survey_like().assign(one=1.0)
    plain = ols_robust(frame, "trust_y", "trust_x", CONTROLS)
    unit = ols_robust(frame, "trust_y", "trust_x", CONTROLS, weight="one")
    for column in ("coef", "se", "p", "ci_low", "ci_high", "statistic"):
        assert unit[column].to_numpy() == pytest.approx(
            plain[column].to_numpy(), rel=1e-10, nan_ok=True
        )


def test_categorical_controls_only_when_cells_are_large_enough():
    est = ols_robust(survey_like(), "trust_y", "trust_x", CONTROLS)
    assert est["controls_used"].iloc[0] == "age+female+C(education)+C(income)"
    assert "C(education)[T.2]" in set(est["term"])
    sparse = ols_robust(survey_like(sparse_education=True), "trust_y", "trust_x", CONTROLS)
    assert sparse["controls_used"].iloc[0] == "age+female+education+C(income)"
    assert "education linear" in sparse["note"].iloc[0]
    assert sparse["n"].iloc[0] == 890  # ten nonresponses dropped listwise


def test_ordered_logit_recovers_known_coefficients():
    rng = np.random.default_rng(12)
    n = 4_000
    x = rng.normal(size=n)
    age = rng.uniform(-1, 1, n)
    latent = 0.8 * x - 0.5 * age + rng.logistic(size=n)
    cuts = np.array([-1.0, 0.3, 1.5])
    frame = pd.DataFrame({"trust_y": np.digitize(latent, cuts) + 1, "trust_x": x, "age": age})
    est = ordered_logit(frame, "trust_y", "trust_x", ["age"]).set_index("term")
    # the cut points as R's polr and Stata's ologit report them: kappa_1 < kappa_2 < kappa_3
    for term, truth in (("trust_x", 0.8), ("age", -0.5), ("1|2", -1.0), ("2|3", 0.3),
                        ("3|4", 1.5)):  # fmt: skip
        assert abs(est.loc[term, "coef"] - truth) < 4 * est.loc[term, "se"]
    assert est.loc["trust_x", "ci_low"] < 0.8 < est.loc["trust_x", "ci_high"]
    assert not est["weighted"].any() and "observed information" in est["note"].iloc[0]
    assert est["n"].iloc[0] == n


def test_ordered_logit_on_survey_frame_with_categories():
    est = ordered_logit(survey_like(), "trust_y", "trust_x", CONTROLS)
    assert est["controls_used"].iloc[0] == "age+female+C(education)+C(income)"
    assert {"trust_x", "1|2", "2|3", "3|4"} <= set(est["term"])
    assert est.set_index("term").loc["trust_x", "coef"] > 0


def test_analytic_ordered_logit_score_and_fit_match_statsmodels():
    """The analytic score equals the numerical gradient, and the fit equals OrderedModel's."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.numdiff import approx_fprime

    from abs_trust.stats.models import AnalyticOrderedModel

    rng = np.random.default_rng(5)
    n = 1500
    x = rng.normal(size=(n, 2))
    latent = x @ np.array([0.8, -0.4]) + rng.logistic(size=n)
    y = pd.Series(pd.Categorical(np.digitize(latent, [-1.0, 0.2, 1.5]), ordered=True))
    exog = pd.DataFrame(x, columns=["a", "b"])
    reference = OrderedModel(y, exog, distr="logit").fit(method="bfgs", disp=False, maxiter=5000)
    model = AnalyticOrderedModel(y, exog, distr="logit")
    point = reference.params.to_numpy() + rng.normal(0, 0.1, len(reference.params))
    numeric = approx_fprime(point, model.loglike, centered=True)
    np.testing.assert_allclose(model.score(point), numeric, rtol=1e-5, atol=1e-4)
    fit = model.fit(method="newton", disp=False)
    np.testing.assert_allclose(fit.params, reference.params, atol=5e-4)
    np.testing.assert_allclose(fit.bse, reference.bse, rtol=1e-3)


def test_no_complete_cases_gives_a_flagged_row_not_a_crash():
    from abs_trust.stats.models import ols_robust, ordered_logit

    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"y": rng.integers(1, 5, 80), "x": rng.integers(1, 5, 80), "age": rng.integers(18, 80, 80),
         "w": np.ones(80), "income": np.full(80, np.nan)}  # like W6 Australia: bands only
    )  # fmt: skip
    for table in (
        ols_robust(frame, "y", "x", ["age", "income"]),
        ols_robust(frame, "y", "x", ["age", "income"], weight="w"),
        ordered_logit(frame, "y", "x", ["age", "income"]),
    ):
        assert len(table) == 1 and table["n"].iloc[0] == 0
        assert table["note"].iloc[0].startswith("not estimated") and np.isnan(table["coef"].iloc[0])


def ordinal_sample(n_levels, n=1200, seed=3):
    """Ordered outcome from a logistic latent variable, with a 3-level dummy set in exog."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    exog = pd.DataFrame(
        {"a": rng.normal(size=n), "b": rng.uniform(-1, 1, n),
         "g2": (group == 1).astype(float), "g3": (group == 2).astype(float)}
    )  # fmt: skip
    latent = exog.to_numpy() @ np.array([0.8, -0.4, 0.3, -0.5]) + rng.logistic(size=n)
    cuts = np.linspace(-1.5, 1.5, n_levels - 1)
    endog = pd.Series(pd.Categorical(np.digitize(latent, cuts) + 1, ordered=True))
    return endog, exog, rng


@pytest.mark.parametrize("n_levels", [2, 4, 6])
def test_analytic_hessian_equals_numerical_derivatives(n_levels):
    """Away from the optimum (so the score and the threshold chain-rule term are not zero),
    the analytic Hessian equals the central difference of the analytic score and
    statsmodels' own numerical Hessian of OrderedModel.loglike (scipy.stats cdf)."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.numdiff import approx_fprime, approx_hess

    from abs_trust.stats.models import AnalyticOrderedModel

    endog, exog, rng = ordinal_sample(n_levels)
    model = AnalyticOrderedModel(endog, exog, distr="logit")
    plain = OrderedModel(endog, exog, distr="logit")
    assert model.exog_names == plain.exog_names
    for _ in range(3):
        point = plain.start_params + rng.normal(0, 0.3, len(plain.start_params))
        analytic = model.hessian(point)
        assert np.all(np.abs(model.score(point)) > 1e-3)  # not at a stationary point
        np.testing.assert_allclose(analytic, analytic.T, rtol=1e-12, atol=1e-9)
        scale = np.abs(analytic).max()
        from_score = approx_fprime(point, model.score, centered=True)
        np.testing.assert_allclose(analytic, from_score, rtol=1e-5, atol=1e-6 * scale)
        independent = approx_hess(point, plain.loglike)
        np.testing.assert_allclose(analytic, independent, rtol=1e-5, atol=1e-5 * scale)
        # the same log-likelihood as statsmodels', through expit instead of scipy.stats
        assert model.loglike(point) == pytest.approx(plain.loglike(point), rel=1e-12)


def test_analytic_ordered_model_refuses_other_links():
    from abs_trust.stats.models import AnalyticOrderedModel

    endog, exog, _ = ordinal_sample(4, n=100)
    with pytest.raises(ValueError, match="logit"):
        AnalyticOrderedModel(endog, exog, distr="probit")


def categorical_survey(n=1500, seed=21):
    """Ten education levels (so 10 must sort after 2) and five income levels, all cells > 30."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 85, n),
            "female": rng.integers(0, 2, n),
            "education": rng.integers(1, 11, n),
            "income": rng.integers(1, 6, n),
            "w": rng.lognormal(0, 0.5, n),
        }
    ).astype({"age": "Int16", "female": "Int8", "education": "Int8", "income": "Int8"})
    latent = rng.normal(size=n)
    frame["trust_x"] = pd.array(np.clip(np.round(2.5 + latent), 1, 4), dtype="Int8")
    effect = 0.05 * frame["education"].to_numpy(float) - 0.1 * (frame["income"] == 3).to_numpy()
    y = 2 + 0.5 * latent + effect + 0.01 * frame["age"].to_numpy(float) + rng.logistic(size=n)
    frame["trust_y"] = pd.array(np.clip(np.round(y), 1, 4), dtype="Int8")
    frame.loc[:14, "income"] = pd.NA
    return frame


def formula_data(frame):
    """Complete cases with integer category labels, as the formula API should see them."""
    data = frame[["trust_y", "trust_x", *CONTROLS, "w"]].dropna().astype(float)
    return data.astype({"education": int, "income": int})


FORMULA = "trust_y ~ trust_x + age + female + C(education) + C(income)"


@pytest.mark.parametrize("weight", [None, "w"])
def test_ols_with_categories_matches_the_formula_api(weight):
    import statsmodels.formula.api as smf

    frame = categorical_survey()
    data = formula_data(frame)
    model = smf.wls(FORMULA, data, weights=data["w"]) if weight else smf.ols(FORMULA, data)
    reference = model.fit(cov_type="HC1", use_t=True)
    est = ols_robust(frame, "trust_y", "trust_x", CONTROLS, weight=weight)
    expected_terms = (
        ["Intercept"] + [f"C(education)[T.{level}]" for level in range(2, 11)]
        + [f"C(income)[T.{level}]" for level in range(2, 6)] + ["trust_x", "age", "female"]
    )  # fmt: skip
    assert list(reference.params.index) == expected_terms
    joint = est[est["test"].notna()]
    est = est[est["test"].isna()]
    assert list(est["term"]) == expected_terms
    assert est["controls_used"].iloc[0] == "age+female+C(education)+C(income)"
    assert est["n"].iloc[0] == len(data) == 1485
    # one joint Wald F test per categorical control, as the formula API's wald_test gives it
    assert list(joint["term"]) == ["C(education)", "C(income)"]
    for control, row in zip(("education", "income"), joint.itertuples(), strict=True):
        names = [n for n in reference.params.index if n.startswith(f"C({control})")]
        ref = reference.wald_test(", ".join(f"{n} = 0" for n in names), use_f=True, scalar=True)
        assert (row.test, row.df_num, row.df_den) == ("wald_F", len(names), reference.df_resid)
        assert row.statistic == pytest.approx(ref.statistic, rel=1e-9)
        assert row.p == pytest.approx(ref.pvalue, rel=1e-8)
    np.testing.assert_allclose(est["coef"], reference.params, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(est["se"], reference.bse, rtol=1e-8)
    np.testing.assert_allclose(est["p"], reference.pvalues, rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(est["ci_low"], reference.conf_int()[0], rtol=1e-8, atol=1e-12)


def test_ordered_logit_with_categories_matches_plain_statsmodels():
    """Newton with the analytic derivatives lands where statsmodels' own BFGS on its
    numerical derivatives does, with the formula API's term names."""
    import warnings

    from statsmodels.miscmodels.ordinal_model import OrderedModel

    frame = categorical_survey()
    data = formula_data(frame)
    data["trust_y"] = pd.Categorical(data["trust_y"].astype(int), ordered=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numerical-derivative BFGS chatter
        reference = OrderedModel.from_formula(FORMULA, data, distr="logit").fit(
            method="bfgs", disp=False, maxiter=5000, gtol=1e-7
        )
    est = ordered_logit(frame, "trust_y", "trust_x", CONTROLS)
    betas = (
        [f"C(education)[T.{level}]" for level in range(2, 11)]
        + [f"C(income)[T.{level}]" for level in range(2, 6)]
        + ["trust_x", "age", "female"]
    )  # fmt: skip
    assert list(reference.params.index) == [*betas, "1/2", "2/3", "3/4"]
    est = est[est["test"].isna()]
    assert list(est["term"]) == [*betas, "1|2", "2|3", "3|4"]
    # statsmodels' thresholds (first cut point, then log increments) to cut points, by hand
    theta = reference.params.to_numpy()[-3:]
    kappa = np.cumsum([theta[0], np.exp(theta[1]), np.exp(theta[2])])
    jac = np.eye(len(reference.params))
    jac[-3:, -3:] = [[1, 0, 0], [1, np.exp(theta[1]), 0], [1, np.exp(theta[1]), np.exp(theta[2])]]
    se = np.sqrt(np.diag(jac @ reference.cov_params().to_numpy() @ jac.T))
    np.testing.assert_allclose(est["coef"], [*reference.params.to_numpy()[:-3], *kappa], atol=1e-4)
    np.testing.assert_allclose(est["se"], se, rtol=1e-3)
    assert "Newton did not converge" not in est["note"].iloc[0]


def test_module_does_not_import_the_formula_or_api_layers():
    """statsmodels.api / statsmodels.formula.api cost ~0.5 s per process to import."""
    import subprocess
    import sys

    code = (
        "import sys, abs_trust.stats.models; "
        "print([m for m in ('statsmodels.api', 'statsmodels.formula.api') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_statsmodels_private_api_the_models_rely_on():
    """stats/models.py leans on statsmodels internals; this fails loudly when they change.

    - `AnalyticOrderedModel` calls OrderedModel's private ``_bounds(params)``, assumed to
      return (kappa[endog] - x'b, kappa[endog + 1] - x'b) with ``endog`` the 0-based category
      codes and kappa the cut points (first raw, then exponentiated increments, -inf and
      +inf at the ends), and reads ``k_levels``;
    - OrderedModel's log-likelihood goes through ``self.cdf`` (so overriding it is enough),
      and ``fit(method="newton")`` takes ``self.score`` and ``self.hessian``;
    - `_tidy` reads the wrapped results' private ``_results`` (plain arrays).
    """
    import inspect

    from scipy.special import expit
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.regression.linear_model import OLS

    from abs_trust.stats.models import AnalyticOrderedModel

    assert list(inspect.signature(OrderedModel._bounds).parameters) == ["self", "params"]
    calls = {"cdf": 0, "score": 0, "hessian": 0}

    class Counting(AnalyticOrderedModel):
        def cdf(self, x):
            calls["cdf"] += 1
            return super().cdf(x)

        def score(self, params):
            calls["score"] += 1
            return super().score(params)

        def hessian(self, params):
            calls["hessian"] += 1
            return super().hessian(params)

    endog, exog, rng = ordinal_sample(4, n=300)
    model = Counting(endog, exog, distr="logit")
    assert model.k_levels == 4
    codes = np.asarray(model.endog)
    np.testing.assert_array_equal(codes, endog.cat.codes.to_numpy())
    params = model.start_params + rng.normal(0, 0.3, len(model.start_params))
    beta, theta = params[: exog.shape[1]], params[exog.shape[1] :]
    cuts = np.concatenate([[-np.inf], np.cumsum([theta[0], *np.exp(theta[1:])]), [np.inf]])
    xb = exog.to_numpy() @ beta
    low, upp = model._bounds(params)
    np.testing.assert_allclose(low, cuts[codes] - xb, rtol=1e-13)
    np.testing.assert_allclose(upp, cuts[codes + 1] - xb, rtol=1e-13)
    loglike = model.loglike(params)
    assert calls["cdf"] > 0
    assert loglike == pytest.approx(np.log(expit(upp) - expit(low)).sum(), rel=1e-12)
    fit = model.fit(method="newton", disp=False)
    assert calls["score"] > 0 and calls["hessian"] > 0 and fit.mle_retvals["converged"]
    for result in (fit, OLS(exog["a"], exog[["b", "g2"]]).fit(cov_type="HC1", use_t=True)):
        plain = result._results
        for name in ("params", "bse", "tvalues", "pvalues"):
            assert type(getattr(plain, name)) is np.ndarray
            np.testing.assert_array_equal(getattr(plain, name), np.asarray(getattr(result, name)))
        np.testing.assert_array_equal(np.asarray(plain.conf_int()), np.asarray(result.conf_int()))


def test_weighted_ordered_logit_is_pseudo_ml_with_a_design_sandwich():
    """Integer weights give the expanded sample's coefficients (pseudo-ML); unit weights the
    unweighted ones; the per-observation scores add up to the analytic score."""
    from abs_trust.stats.models import AnalyticOrderedModel

    frame = survey_like(n=600, seed=4)
    frame["fw"] = np.random.default_rng(3).integers(1, 4, len(frame)).astype(float)
    frame["one"] = 1.0
    weighted = ordered_logit(frame, "trust_y", "trust_x", ["age"], weight="fw")
    expanded = ordered_logit(
        frame.loc[frame.index.repeat(frame["fw"].astype(int))], "trust_y", "trust_x", ["age"]
    )
    np.testing.assert_allclose(weighted["coef"], expanded["coef"], rtol=1e-7, atol=1e-9)
    assert weighted["weighted"].all() and "linearization (weights only)" in weighted["note"][0]
    unit = ordered_logit(frame, "trust_y", "trust_x", ["age"], weight="one")
    plain = ordered_logit(frame, "trust_y", "trust_x", ["age"])
    np.testing.assert_allclose(unit["coef"], plain["coef"], rtol=1e-9, atol=1e-12)
    endog, exog, rng = ordinal_sample(4, n=300)
    model = AnalyticOrderedModel(
        endog, exog, distr="logit", survey_weights=rng.uniform(0.5, 2, 300)
    )
    point = model.start_params + rng.normal(0, 0.2, len(model.start_params))
    np.testing.assert_allclose(model.score_obs(point).sum(axis=0), model.score(point), rtol=1e-10)
