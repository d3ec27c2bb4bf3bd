"""Regression checks on the correlations: OLS with robust SEs and the ordered logit.

A reviewer's first question about "trust in NGOs goes with trust in local government,
controlling for age, gender, education and income" is whether the result survives a
regression that treats education and income as categories rather than as linear scores,
and one that treats trust as ordinal rather than interval. These two models answer that.
Both return tidy rows (one per term) so they stack into ``results/tables/models.csv``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.numdiff import approx_fprime

MODEL_COLUMNS = [
    "model", "y", "x", "term", "coef", "se", "z_or_t", "p", "ci_low", "ci_high", "n",
    "controls_used", "weighted", "note",
]  # fmt: skip


class AnalyticOrderedModel(OrderedModel):
    r"""statsmodels' ``OrderedModel`` with the analytic score of the log-likelihood.

    ``OrderedModel`` differentiates its log-likelihood numerically: one fit of a trust item
    on a dozen dummies took ~4,000 likelihood evaluations (the full-scale benchmark spent 31
    of 39 analysis seconds there). With the score below, Newton's method converges in a few
    steps and the Hessian is the central difference of the score (2p evaluations).

    For an observation in category j with bounds :math:`l = \kappa_{j-1} - x'\beta`,
    :math:`u = \kappa_j - x'\beta` and :math:`P = F(u) - F(l)`:

    .. math::
        \partial_\beta \log P = -x\,\frac{f(u) - f(l)}{P}, \qquad
        \partial_{\kappa_m} \log P = \frac{f(u)[m = j] - f(l)[m = j - 1]}{P}

    and the chain rule through statsmodels' threshold parameters
    (:math:`\kappa_1 = \theta_1`, :math:`\kappa_m = \kappa_{m-1} + e^{\theta_m}`).
    """

    def score(self, params):
        params = np.asarray(params, dtype=float)
        k_thresholds = self.k_levels - 1
        low, upp = self._bounds(params)
        prob = np.clip(self.prob(low, upp), 1e-300, None)
        f_low, f_upp = self.pdf(low), self.pdf(upp)  # pdf(±inf) = 0 at the open ends
        grad_beta = -(self.exog * ((f_upp - f_low) / prob)[:, None]).sum(axis=0)
        # d log P / d kappa_m for the K - 1 finite cut points
        d_kappa = np.zeros(k_thresholds)
        np.add.at(d_kappa, self.endog[self.endog < k_thresholds],
                  (f_upp / prob)[self.endog < k_thresholds])  # fmt: skip
        np.add.at(d_kappa, self.endog[self.endog > 0] - 1, -(f_low / prob)[self.endog > 0])
        # kappa_m = theta_1 + sum_{i<=m} exp(theta_i): theta_i moves every cut point from i on
        theta = params[-k_thresholds:]
        jac = np.tril(np.ones((k_thresholds, k_thresholds)))
        jac[:, 1:] *= np.exp(theta[1:])
        grad_theta = jac.T @ d_kappa
        return np.concatenate([grad_beta, grad_theta])

    def hessian(self, params):
        return approx_fprime(np.asarray(params, dtype=float), self.score, centered=True)


def _prepare(frame, y, x, controls, weight, categorical, min_cell):
    """Complete cases as plain numpy dtypes, formula terms for the controls, and notes.

    A control enters as ``C(name)`` only when every observed category has at least
    ``min_cell`` respondents: sparse categories (e.g. "no formal education" in Taiwan) make
    dummy coefficients unstable, and a linear score is the published specification anyway.
    """
    needed = [y, x, *controls] + ([weight] if weight else [])
    data = frame[needed].dropna().astype(float)
    terms, notes = [], []
    for name in controls:
        counts = data[name].value_counts()
        if len(counts) < 2:
            notes.append(f"{name} dropped (no variation)")
        elif name in categorical and counts.min() >= min_cell:
            data[name] = data[name].astype(int)  # category labels 2, not 2.0
            terms.append(f"C({name})")
        else:
            terms.append(name)
            if name in categorical:
                notes.append(f"{name} linear (a category has < {min_cell} respondents)")
    return data, terms, notes


MIN_MODEL_CASES = 30


def _not_estimated(model, y, x, n, terms, weighted, note) -> pd.DataFrame:
    """One flagged row instead of a model: e.g. W6 Australia, whose income is all missing."""
    row = dict.fromkeys(MODEL_COLUMNS, np.nan)
    row.update(model=model, y=y, x=x, term=x, n=n, controls_used="+".join(terms),
               weighted=weighted, note=note)  # fmt: skip
    return pd.DataFrame([row], columns=MODEL_COLUMNS)


def _too_few(data, y) -> str:
    if len(data) < MIN_MODEL_CASES:
        return f"not estimated: {len(data)} complete cases (< {MIN_MODEL_CASES})"
    if data[y].nunique() < 2:
        return "not estimated: the outcome does not vary"
    return ""


def _tidy(result, model, y, x, n, terms, weighted, note, stat_name) -> pd.DataFrame:
    ci = np.asarray(result.conf_int())
    return pd.DataFrame(
        {
            "model": model,
            "y": y,
            "x": x,
            "term": list(result.params.index),
            "coef": np.asarray(result.params),
            "se": np.asarray(result.bse),
            "z_or_t": np.asarray(getattr(result, stat_name)),
            "p": np.asarray(result.pvalues),
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "n": n,
            "controls_used": "+".join(terms),
            "weighted": weighted,
            "note": note,
        },
        columns=MODEL_COLUMNS,
    )


def ols_robust(
    frame: pd.DataFrame,
    y: str,
    x: str,
    controls: Sequence[str],
    weight: str | None = None,
    categorical: Sequence[str] = ("education", "income"),
    min_cell: int = 30,
) -> pd.DataFrame:
    """OLS (WLS when weighted) of ``y`` on ``x`` and ``controls`` with HC1 robust SEs.

    .. math:: \\hat\\beta = (X'WX)^{-1}X'Wy, \\qquad
        \\widehat V = \\frac{n}{n-p}(X'WX)^{-1}
        \\Big(\\sum_i w_i^2 e_i^2 x_i x_i'\\Big)(X'WX)^{-1}

    (W = I unweighted). With survey weights this is Stata's ``regress y x [pw=w]``: the
    sandwich does not assume the weights are inverse variances. Tests use t on n - p df, as
    Stata does with ``vce(robust)``.

    Reference: MacKinnon, J. G. & White, H. (1985). *J. Econometrics* 29, 305-325 (HC1).

    Returns
    -------
    pd.DataFrame
        one row per term (Intercept, x, controls); columns ``model, y, x, term, coef, se,
        z_or_t, p, ci_low, ci_high, n, controls_used, weighted, note``.
    """
    data, terms, notes = _prepare(frame, y, x, controls, weight, categorical, min_cell)
    if problem := _too_few(data, y):
        name = "wls" if weight else "ols"
        return _not_estimated(name, y, x, len(data), terms, bool(weight), problem)
    formula = f"{y} ~ {' + '.join([x, *terms])}"
    model = smf.wls(formula, data, weights=data[weight]) if weight else smf.ols(formula, data)
    result = model.fit(cov_type="HC1", use_t=True)
    note = "; ".join(["HC1 robust SE, t on n - p df", *notes])
    return _tidy(
        result, "wls" if weight else "ols", y, x, len(data), terms, bool(weight), note, "tvalues"
    )


def ordered_logit(
    frame: pd.DataFrame,
    y: str,
    x: str,
    controls: Sequence[str],
    categorical: Sequence[str] = ("education", "income"),
    min_cell: int = 30,
) -> pd.DataFrame:
    """Proportional-odds (ordered) logit of the trust levels ``y`` on ``x`` and ``controls``.

    .. math:: P(Y \\le j \\mid x) = \\operatorname{logit}^{-1}(\\kappa_j - x'\\beta)

    fitted by ML with ``statsmodels``' ``OrderedModel(distr="logit")``, given its analytic
    score (`AnalyticOrderedModel`; Newton's method). Unweighted:
    OrderedModel takes no weights, so these rows compare with the unweighted correlations.
    Threshold rows (terms like ``1/2``) use statsmodels' parametrisation: the first is
    :math:`\\kappa_1`, each later one is :math:`\\log(\\kappa_j - \\kappa_{j-1})`.

    Reference: McCullagh, P. (1980). Regression models for ordinal data. *JRSS B* 42(2),
    109-142.

    Returns
    -------
    pd.DataFrame
        same columns as :func:`ols_robust`; ``z_or_t`` is the Wald z.
    """
    data, terms, notes = _prepare(frame, y, x, controls, None, categorical, min_cell)
    if problem := _too_few(data, y):
        return _not_estimated("ordered_logit", y, x, len(data), terms, False, problem)
    # An ordered categorical keeps the level labels (threshold terms 1/2, not 1.0/2.0).
    data[y] = pd.Categorical(data[y].astype(int), ordered=True)
    formula = f"{y} ~ {' + '.join([x, *terms])}"
    model = AnalyticOrderedModel.from_formula(formula, data, distr="logit")
    result = model.fit(method="newton", disp=False, maxiter=100)
    if not result.mle_retvals.get("converged", True):
        notes.append("Newton did not converge")
    note = "; ".join(
        [
            "unweighted (OrderedModel has no weights)",
            "thresholds: first is a cut point, later ones log increments",
            *notes,
        ]
    )
    return _tidy(result, "ordered_logit", y, x, len(data), terms, False, note, "tvalues")
