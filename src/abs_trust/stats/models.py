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
from scipy.special import expit
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.regression.linear_model import OLS, WLS

from abs_trust.stats.weights import EstimateRules, weights_refusal

MODEL_COLUMNS = [
    "model", "y", "x", "term", "coef", "se", "z_or_t", "p", "ci_low", "ci_high", "n",
    "controls_used", "weighted", "note",
]  # fmt: skip


class AnalyticOrderedModel(OrderedModel):
    r"""statsmodels' ``OrderedModel`` (logit link) with the analytic score and Hessian.

    ``OrderedModel`` differentiates its log-likelihood numerically: one fit of a trust item
    on a dozen dummies took ~4,000 likelihood evaluations (the full-scale benchmark spent 31
    of 39 analysis seconds there). With the derivatives below, each Newton step is one pass
    over the data and the fit converges in a few steps. The logistic cdf and pdf are
    evaluated with ``scipy.special.expit`` rather than ``scipy.stats.logistic``, whose
    argument checking costs more than the arithmetic at these sample sizes.

    Parameters are :math:`(\beta, \theta)`; the cut points are
    :math:`\kappa_1 = \theta_1`, :math:`\kappa_m = \kappa_{m-1} + e^{\theta_m}`
    (statsmodels' parametrisation), with :math:`\kappa_0 = -\infty`,
    :math:`\kappa_K = +\infty`. An observation in category j has the linear predictor
    :math:`\eta = x'\beta`, the bounds :math:`l = \kappa_{j-1} - \eta`,
    :math:`u = \kappa_j - \eta` and the probability :math:`P = F(u) - F(l)`, where

    .. math::
        F(z) = \frac{1}{1 + e^{-z}}, \qquad f(z) = F(z)\,(1 - F(z)), \qquad
        f'(z) = f(z)\,(1 - 2F(z)),

    so :math:`f(\pm\infty) = f'(\pm\infty) = 0` and the open ends drop out. With the
    derivatives of :math:`\log P` in the bounds

    .. math::
        g_u = \frac{f(u)}{P}, \quad g_l = -\frac{f(l)}{P}, \quad
        h_{uu} = \frac{f'(u)}{P} - g_u^2, \quad h_{ll} = -\frac{f'(l)}{P} - g_l^2, \quad
        h_{ul} = -g_u g_l

    and :math:`\partial_\beta u = \partial_\beta l = -x`,
    :math:`\partial_{\kappa_m} u = [m = j]`, :math:`\partial_{\kappa_m} l = [m = j-1]`:

    .. math::
        \partial_\beta \log P &= -x\,(g_u + g_l), \qquad
        \partial_{\kappa_m} \log P = g_u [m = j] + g_l [m = j-1] \\
        \partial^2_{\beta\beta'} \log P &= x x' (h_{uu} + 2 h_{ul} + h_{ll}) \\
        \partial^2_{\beta\kappa_m} \log P &=
            -x\,\big((h_{uu} + h_{ul})[m = j] + (h_{ul} + h_{ll})[m = j-1]\big) \\
        \partial^2_{\kappa_m\kappa_{m'}} \log P &= h_{uu}[m = m' = j]
            + h_{ll}[m = m' = j-1] + h_{ul}\,[\{m, m'\} = \{j-1, j\}]

    (tridiagonal in :math:`\kappa`). The chain rule through the thresholds uses
    :math:`J = \partial\kappa / \partial\theta`, with :math:`J_{m1} = 1`,
    :math:`J_{mi} = e^{\theta_i}` for :math:`2 \le i \le m` and 0 above the diagonal;
    the only second derivative of :math:`\kappa` is
    :math:`\partial^2 \kappa_m / \partial\theta_i^2 = e^{\theta_i}` (:math:`2 \le i \le m`):

    .. math::
        \nabla_\theta = J' \nabla_\kappa, \qquad
        H_{\beta\theta} = H_{\beta\kappa} J, \qquad
        H_{\theta\theta} = J' H_{\kappa\kappa} J
            + \operatorname{diag}_{i \ge 2}\Big(e^{\theta_i}
              \sum_{m \ge i} \frac{\partial \log L}{\partial \kappa_m}\Big).

    Hand-written because statsmodels has no analytic derivatives for ``OrderedModel``. It
    relies on statsmodels internals: the private ``OrderedModel._bounds(params)``, the
    0-based category codes in ``endog``, the likelihood going through ``self.cdf``, and
    Newton taking ``self.score``/``self.hessian``;
    ``tests/test_models.py::test_statsmodels_private_api_the_models_rely_on`` fails when
    any of these changes.

    References: McCullagh, P. (1980). *JRSS B* 42(2), 109-142; Greene, W. H. (2012).
    *Econometric Analysis*, 7th ed., ch. 18 (ordered choice models).
    """

    def __init__(self, endog, exog, offset=None, distr="logit", **kwds):
        # cdf/pdf and the derivatives below are the logistic ones
        if distr != "logit":
            raise ValueError("AnalyticOrderedModel implements the logit link only")
        super().__init__(endog, exog, offset=offset, distr=distr, **kwds)

    def cdf(self, x):
        return expit(x)

    def pdf(self, x):
        # F(1 - F) with 1 - F as expit(-x): exact in both tails, 0 at +-inf
        return expit(x) * expit(-x)

    def _bound_derivatives(self, params):
        """Per-observation g_u, g_l, h_uu, h_ll, h_ul and the category one-hot matrix."""
        low, upp = self._bounds(params)
        cdf_low, cdf_upp = expit(low), expit(upp)
        sf_low, sf_upp = expit(-low), expit(-upp)
        pdf_low, pdf_upp = cdf_low * sf_low, cdf_upp * sf_upp
        # the same probability as OrderedModel.prob, kept away from 0 for the divisions
        prob = np.clip(cdf_upp - cdf_low, 1e-300, None)
        g_u, g_l = pdf_upp / prob, -pdf_low / prob
        h_uu = pdf_upp * (sf_upp - cdf_upp) / prob - g_u**2
        h_ll = -pdf_low * (sf_low - cdf_low) / prob - g_l**2
        h_ul = -g_u * g_l
        # column j-1 of onehot[:, :-1] marks "kappa_m is the upper bound" (m = j), column j-1
        # of onehot[:, 1:] "kappa_m is the lower bound" (m = j - 1)
        onehot = np.eye(self.k_levels)[np.asarray(self.endog, dtype=int)]
        return g_u, g_l, h_uu, h_ll, h_ul, onehot

    def _threshold_jacobian(self, params):
        """J = d kappa / d theta: theta_1 shifts every cut point, theta_i (i >= 2) those >= i."""
        k_thresholds = self.k_levels - 1
        theta = np.asarray(params, dtype=float)[-k_thresholds:]
        jac = np.tril(np.ones((k_thresholds, k_thresholds)))
        jac[:, 1:] *= np.exp(theta[1:])
        return jac, theta

    def score(self, params):
        g_u, g_l, _, _, _, onehot = self._bound_derivatives(params)
        grad_beta = -self.exog.T @ (g_u + g_l)
        grad_kappa = onehot[:, :-1].T @ g_u + onehot[:, 1:].T @ g_l
        jac, _ = self._threshold_jacobian(params)
        return np.concatenate([grad_beta, jac.T @ grad_kappa])

    def hessian(self, params):
        g_u, g_l, h_uu, h_ll, h_ul, onehot = self._bound_derivatives(params)
        at_upper, at_lower = onehot[:, :-1], onehot[:, 1:]
        exog = self.exog
        h_bb = exog.T @ (exog * (h_uu + 2 * h_ul + h_ll)[:, None])
        h_bk = -exog.T @ (at_upper * (h_uu + h_ul)[:, None] + at_lower * (h_ul + h_ll)[:, None])
        h_kk = np.diag(at_upper.T @ h_uu + at_lower.T @ h_ll)
        # kappa_m and kappa_{m+1} are the two bounds of category m + 1
        cross = at_lower[:, :-1].T @ h_ul
        h_kk[np.arange(len(cross)), np.arange(1, len(cross) + 1)] = cross
        h_kk[np.arange(1, len(cross) + 1), np.arange(len(cross))] = cross
        grad_kappa = at_upper.T @ g_u + at_lower.T @ g_l
        jac, theta = self._threshold_jacobian(params)
        # second derivative of kappa_m in theta_i (i >= 2, m >= i) is exp(theta_i)
        curvature = np.concatenate([[0.0], np.exp(theta[1:]) * grad_kappa[::-1].cumsum()[::-1][1:]])
        h_tt = jac.T @ h_kk @ jac + np.diag(curvature)
        h_bt = h_bk @ jac
        return np.block([[h_bb, h_bt], [h_bt.T, h_tt]])


def _prepare(frame, y, x, controls, weight, categorical, min_cell):
    """Complete cases as plain numpy dtypes, formula terms for the controls, and notes.

    A control enters as ``C(name)`` only when every observed category has at least
    ``min_cell`` respondents: sparse categories (e.g. "no formal education" in Taiwan) make
    dummy coefficients unstable, and a linear score is the published specification anyway.
    """
    needed = [y, x, *controls] + ([weight] if weight else [])
    # numpy rather than frame[needed].dropna().astype(float): a fit is a few milliseconds,
    # and the pandas route cost as much again (three fits per country and pair)
    values = np.column_stack([frame[c].to_numpy(dtype=float, na_value=np.nan) for c in needed])
    complete = ~np.isnan(values).any(axis=1)
    data = pd.DataFrame(values[complete], columns=needed, index=frame.index[complete])
    terms, notes = [], []
    for name in controls:
        _, counts = np.unique(data[name].to_numpy(), return_counts=True)
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


def _design(data, x, terms, intercept):
    """The design matrix patsy builds for ``y ~ x + terms``, without parsing a formula.

    Parsing costs ~20 ms a fit, more than the fit. patsy's layout, reproduced here so term
    names and row order stay those of the formula API: ``Intercept``, then the treatment
    dummies of every ``C(name)`` term in order (levels sorted, the lowest observed one the
    reference, columns named ``C(name)[T.level]``), then ``x`` and the numeric controls in
    order (patsy puts terms without numeric factors first).
    """
    columns = {"Intercept": np.ones(len(data))} if intercept else {}
    numeric = [x]
    for term in terms:
        if not term.startswith("C("):
            numeric.append(term)
            continue
        name = term[2:-1]
        values = data[name].to_numpy()
        for level in np.unique(values)[1:]:
            columns[f"{term}[T.{level}]"] = (values == level).astype(float)
    columns.update({name: data[name].to_numpy(dtype=float) for name in numeric})
    return pd.DataFrame(columns, index=data.index)


MIN_MODEL_CASES = 30


def _not_estimated(model, y, x, n, terms, weighted, note) -> pd.DataFrame:
    """One flagged row instead of a model: e.g. W6 Australia, whose income is all missing."""
    row = dict.fromkeys(MODEL_COLUMNS, np.nan)
    row.update(model=model, y=y, x=x, term=x, n=n, controls_used="+".join(terms),
               weighted=weighted, note=note)  # fmt: skip
    return pd.DataFrame([row], columns=MODEL_COLUMNS)


def _too_few(data, y, x=None, min_cases=MIN_MODEL_CASES) -> str:
    if len(data) < min_cases:
        return f"not estimated: {len(data)} complete cases (< {min_cases})"
    if data[y].nunique() < 2:
        return "not estimated: the outcome does not vary"
    if x is not None and data[x].nunique() < 2:
        return f"not estimated: {x} does not vary"
    return ""


def _degenerate_design(exog: pd.DataFrame) -> str:
    """Why the design matrix cannot identify every coefficient (collinear terms), or "".

    statsmodels would fit a rank-deficient OLS with a pseudo-inverse and print coefficients
    that are not identified, and the ordered logit would stop with a singular Hessian.
    """
    values = exog.to_numpy(dtype=float)
    rank = np.linalg.matrix_rank(values)
    if rank == values.shape[1]:
        return ""
    # the terms that the others reproduce: dropping one of them restores the rank
    redundant = [
        name
        for i, name in enumerate(exog.columns)
        if np.linalg.matrix_rank(np.delete(values, i, axis=1)) == rank
    ]
    return (
        f"not estimated: collinear terms ({', '.join(redundant)}; rank {rank} of "
        f"{values.shape[1]} columns)"
    )


def _fit_failure(exc: Exception) -> str:
    return f"not estimated: the fit failed ({type(exc).__name__}: {exc})"


def _tidy(result, model, y, x, n, terms, weighted, note, stat_name) -> pd.DataFrame:
    # the unwrapped results hold plain arrays: the pandas wrapper rebuilds a Series per access
    # (``_results`` is private statsmodels API: tests/test_models.py checks it)
    plain = getattr(result, "_results", result)
    ci = np.asarray(plain.conf_int())
    return pd.DataFrame(
        {
            "model": model,
            "y": y,
            "x": x,
            "term": list(result.model.exog_names),
            "coef": np.asarray(plain.params),
            "se": np.asarray(plain.bse),
            "z_or_t": np.asarray(getattr(plain, stat_name)),
            "p": np.asarray(plain.pvalues),
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
    rules: EstimateRules | None = None,
) -> pd.DataFrame:
    """OLS (WLS when weighted) of ``y`` on ``x`` and ``controls`` with HC1 robust SEs.

    .. math:: \\hat\\beta = (X'WX)^{-1}X'Wy, \\qquad
        \\widehat V = \\frac{n}{n-p}(X'WX)^{-1}
        \\Big(\\sum_i w_i^2 e_i^2 x_i x_i'\\Big)(X'WX)^{-1}

    (W = I unweighted). With survey weights this is Stata's ``regress y x [pw=w]``: the
    sandwich does not assume the weights are inverse variances. Tests use t on n - p df, as
    Stata does with ``vce(robust)``.

    Reference: MacKinnon, J. G. & White, H. (1985). *J. Econometrics* 29, 305-325 (HC1).

    Degenerate input gives one flagged row (``note`` says why) instead of a model: too few
    complete cases (fewer than ``rules.min_cell_size``, default 30), an outcome or x that
    does not vary, collinear terms, unusable weights (``rules``), a fit that fails.

    Returns
    -------
    pd.DataFrame
        one row per term, in the formula API's order: Intercept, the ``C(name)[T.level]``
        dummies, x, the linear controls; columns ``model, y, x, term, coef, se, z_or_t, p,
        ci_low, ci_high, n, controls_used, weighted, note``.
    """
    data, terms, notes = _prepare(frame, y, x, controls, weight, categorical, min_cell)
    name = "wls" if weight else "ols"
    rules = rules or EstimateRules(min_cell_size=MIN_MODEL_CASES)
    problem = _too_few(data, y, x, rules.min_cell_size)
    if not problem and weight:
        problem = weights_refusal(data[weight].to_numpy(), rules).replace(
            "weighted estimate refused", "not estimated"
        )
    exog = None if problem else _design(data, x, terms, intercept=True)
    problem = problem or _degenerate_design(exog)
    if problem:
        return _not_estimated(name, y, x, len(data), terms, bool(weight), problem)
    model = WLS(data[y], exog, weights=data[weight]) if weight else OLS(data[y], exog)
    try:
        result = model.fit(cov_type="HC1", use_t=True)
    except (np.linalg.LinAlgError, ValueError) as exc:
        return _not_estimated(name, y, x, len(data), terms, bool(weight), _fit_failure(exc))
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
    rules: EstimateRules | None = None,
) -> pd.DataFrame:
    """Proportional-odds (ordered) logit of the trust levels ``y`` on ``x`` and ``controls``.

    .. math:: P(Y \\le j \\mid x) = \\operatorname{logit}^{-1}(\\kappa_j - x'\\beta)

    fitted by ML with ``statsmodels``' ``OrderedModel(distr="logit")``, given its analytic
    score and Hessian (`AnalyticOrderedModel`; Newton's method). Unweighted:
    OrderedModel takes no weights, so these rows compare with the unweighted correlations.
    Threshold rows (terms like ``1/2``) use statsmodels' parametrisation: the first is
    :math:`\\kappa_1`, each later one is :math:`\\log(\\kappa_j - \\kappa_{j-1})`.

    Reference: McCullagh, P. (1980). Regression models for ordinal data. *JRSS B* 42(2),
    109-142.

    Degenerate input gives one flagged row instead of a model, as in :func:`ols_robust`.

    Returns
    -------
    pd.DataFrame
        same columns as :func:`ols_robust`; ``z_or_t`` is the Wald z. Terms as in
        :func:`ols_robust` without the Intercept, then the thresholds ``1/2``, ``2/3``, ...
    """
    data, terms, notes = _prepare(frame, y, x, controls, None, categorical, min_cell)
    rules = rules or EstimateRules(min_cell_size=MIN_MODEL_CASES)
    problem = _too_few(data, y, x, rules.min_cell_size)
    # no constant: the cut points take its place (the dummies still drop their reference);
    # collinearity is judged with the intercept, which the cut points stand in for
    exog = None if problem else _design(data, x, terms, intercept=False)
    problem = problem or _degenerate_design(_design(data, x, terms, intercept=True))
    if problem:
        return _not_estimated("ordered_logit", y, x, len(data), terms, False, problem)
    # An ordered categorical keeps the level labels (threshold terms 1/2, not 1.0/2.0).
    endog = pd.Series(pd.Categorical(data[y].astype(int), ordered=True), index=data.index, name=y)
    try:
        model = AnalyticOrderedModel(endog, exog, distr="logit")
        result = model.fit(method="newton", disp=False, maxiter=100)
    except (np.linalg.LinAlgError, ValueError) as exc:
        return _not_estimated("ordered_logit", y, x, len(data), terms, False, _fit_failure(exc))
    if not np.isfinite(np.asarray(result.params)).all():
        return _not_estimated(
            "ordered_logit", y, x, len(data), terms, False,
            "not estimated: the fit gave non-finite coefficients (separation?)",
        )  # fmt: skip
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
