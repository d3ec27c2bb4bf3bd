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

MODEL_COLUMNS = [
    "model", "y", "x", "term", "coef", "se", "z_or_t", "p", "ci_low", "ci_high", "n",
    "controls_used", "weighted", "note",
]  # fmt: skip


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

    fitted by ML with ``statsmodels``' ``OrderedModel(distr="logit")`` (BFGS). Unweighted:
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
    # An ordered categorical keeps the level labels (threshold terms 1/2, not 1.0/2.0).
    data[y] = pd.Categorical(data[y].astype(int), ordered=True)
    formula = f"{y} ~ {' + '.join([x, *terms])}"
    model = OrderedModel.from_formula(formula, data, distr="logit")
    result = model.fit(method="bfgs", disp=False, maxiter=2000)
    if not result.mle_retvals.get("converged", True):
        notes.append("BFGS did not converge")
    note = "; ".join(
        [
            "unweighted (OrderedModel has no weights)",
            "thresholds: first is a cut point, later ones log increments",
            *notes,
        ]
    )
    return _tidy(result, "ordered_logit", y, x, len(data), terms, False, note, "tvalues")
