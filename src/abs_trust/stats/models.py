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
from statsmodels.regression.linear_model import OLS, WLS

from abs_trust.stats.design import Design
from abs_trust.stats.model_inference import (
    cut_points,
    design_regression_cov,
    dummy_positions,
    joint_wald_chi2,
    joint_wald_f,
    normal_rows,
    t_rows,
    weighted_sandwich,
)
from abs_trust.stats.ordered_model import AnalyticOrderedModel
from abs_trust.stats.weights import REFUSED_NOTE, EstimateRules, weights_refusal

MODEL_COLUMNS = [
    "model", "y", "x", "term", "coef", "se", "z_or_t", "p", "ci_low", "ci_high", "n",
    "controls_used", "weighted", "note", "test", "statistic", "df_num", "df_den",
]  # fmt: skip


def _prepare(frame, y, x, controls, weight, categorical, min_cell, design=()):
    """Complete cases as plain numpy dtypes, formula terms for the controls, and notes.

    A control enters as ``C(name)`` only when every observed category has at least
    ``min_cell`` respondents: sparse categories (e.g. "no formal education" in Taiwan) make
    dummy coefficients unstable, and a linear score is the published specification anyway.
    ``design`` names design columns the complete cases must also have (strata, psu).
    """
    needed = [y, x, *controls] + ([weight] if weight else []) + [c for c in design if c]
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

    Parsing costs more than the fit itself. patsy's layout, reproduced here so term
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


def _problem(data, y, x, weight, rules: EstimateRules | None) -> str:
    """Why a model is not fitted (too few cases, no variation, unusable weights), or ""."""
    rules = rules or EstimateRules(min_cell_size=MIN_MODEL_CASES)
    problem = _too_few(data, y, x, rules.min_cell_size)
    if not problem and weight:
        problem = weights_refusal(data[weight].to_numpy(), rules).replace(
            REFUSED_NOTE, "not estimated"
        )
    return problem


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


def _joint_rows(tests, model, y, x, n, terms, weighted, note) -> pd.DataFrame:
    """One row per joint test (term ``C(name)``): test, statistic, df, p; no coefficient."""
    rows = [
        dict.fromkeys(MODEL_COLUMNS, np.nan)
        | {"model": model, "y": y, "x": x, "term": term, "n": n,
           "controls_used": "+".join(terms), "weighted": weighted, "note": note}
        | test
        for term, test in tests
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=MODEL_COLUMNS)


def _categorical_controls(terms) -> list[str]:
    return [t[2:-1] for t in terms if t.startswith("C(")]


def ols_robust(
    frame: pd.DataFrame,
    y: str,
    x: str,
    controls: Sequence[str],
    weight: str | None = None,
    categorical: Sequence[str] = ("education", "income"),
    min_cell: int = 30,
    rules: EstimateRules | None = None,
    strata: str | None = None,
    psu: str | None = None,
) -> pd.DataFrame:
    """OLS (WLS when weighted) of ``y`` on ``x`` and ``controls`` with HC1 robust SEs.

    .. math:: \\hat\\beta = (X'WX)^{-1}X'Wy, \\qquad
        \\widehat V = \\frac{n}{n-p}(X'WX)^{-1}
        \\Big(\\sum_i w_i^2 e_i^2 x_i x_i'\\Big)(X'WX)^{-1}

    (W = I unweighted). With survey weights this is Stata's ``regress y x [pw=w]``: the
    sandwich does not assume the weights are inverse variances. Tests use t on n - p df, as
    Stata does with ``vce(robust)``.

    Each control entered as categories gets a joint Wald test of its dummies,
    :math:`F = b' V_b^{-1} b / q` on (q, n - p) df with the HC1 covariance (statsmodels
    ``wald_test(use_f=True)``; R: ``lm`` + ``sandwich::vcovHC(type = "HC1")``).

    Weighted, with design columns (``strata``/``psu``): the design-based sandwich instead
    (R ``svyglm``), t and F on the design's df - p + 1 (`abs_trust.stats.model_inference`).

    Reference: MacKinnon, J. G. & White, H. (1985). *J. Econometrics* 29, 305-325 (HC1);
    Binder, D. A. (1983). *International Statistical Review* 51(3), 279-292.

    Degenerate input gives one flagged row (``note`` says why) instead of a model: too few
    complete cases (fewer than ``rules.min_cell_size``, default 30), an outcome or x that
    does not vary, collinear terms, unusable weights (``rules``), a fit that fails.

    Returns
    -------
    pd.DataFrame
        one row per term, in the formula API's order: Intercept, the ``C(name)[T.level]``
        dummies, x, the linear controls; then one row per joint test (term ``C(name)``,
        ``test`` ``wald_F``, ``statistic``, ``df_num``, ``df_den``, ``p``); columns
        ``model, y, x, term, coef, se, z_or_t, p, ci_low, ci_high, n, controls_used,
        weighted, note, test, statistic, df_num, df_den``.
    """
    clustered = bool(weight and (strata or psu))
    data, terms, notes = _prepare(frame, y, x, controls, weight, categorical, min_cell,
                                  (strata, psu) if clustered else ())  # fmt: skip
    name = "wls" if weight else "ols"
    problem = _problem(data, y, x, weight, rules)
    exog = None if problem else _design(data, x, terms, intercept=True)
    problem = problem or _degenerate_design(exog)
    if problem:
        return _not_estimated(name, y, x, len(data), terms, bool(weight), problem)
    model = WLS(data[y], exog, weights=data[weight]) if weight else OLS(data[y], exog)
    try:
        if clustered:
            return _design_wls(model, data, weight, strata, psu, y, x, terms, notes)
        result = model.fit(cov_type="HC1", use_t=True)
    except (np.linalg.LinAlgError, ValueError) as exc:
        return _not_estimated(name, y, x, len(data), terms, bool(weight), _fit_failure(exc))
    note = "; ".join(["HC1 robust SE, t on n - p df", *notes])
    name = "wls" if weight else "ols"
    table = _tidy(result, name, y, x, len(data), terms, bool(weight), note, "tvalues")
    tests = []
    for control in _categorical_controls(terms):
        restriction = np.zeros((0, exog.shape[1]))
        for position in dummy_positions(list(exog.columns), control):
            restriction = np.vstack([restriction, np.eye(exog.shape[1])[position]])
        wald = result.wald_test(restriction, use_f=True, scalar=True)
        tests.append((f"C({control})", {"test": "wald_F", "statistic": float(wald.statistic),
                      "df_num": float(wald.df_num), "df_den": float(wald.df_denom),
                      "p": float(wald.pvalue)}))  # fmt: skip
    if not tests:
        return table
    joint = _joint_rows(tests, name, y, x, len(data), terms, bool(weight),
                        "joint Wald test of the dummies: F on (q, n - p) df, HC1")  # fmt: skip
    return pd.concat([table, joint], ignore_index=True)


def _design_wls(model, data, weight, strata, psu, y, x, terms, notes) -> pd.DataFrame:
    """:func:`ols_robust` weighted with design columns: svyglm's sandwich and df."""
    result = model.fit()
    design = Design(*(data[c].to_numpy() if c else None for c in (strata, psu)))
    w = data[weight].to_numpy(dtype=float)
    cov, df = design_regression_cov(model.exog, np.asarray(result.resid), w, design)
    values, names = np.asarray(result.params), list(model.exog_names)
    note = "; ".join([f"SE: linearization ({design.label}), t on design df - p + 1", *notes])
    table = pd.DataFrame(
        {"model": "wls", "y": y, "x": x, "term": names, **t_rows(values, cov, df),
         "n": len(data), "controls_used": "+".join(terms), "weighted": True, "note": note},
        columns=MODEL_COLUMNS,
    )  # fmt: skip
    tests = [(f"C({c})", joint_wald_f(values, cov, dummy_positions(names, c), df))
             for c in _categorical_controls(terms)]  # fmt: skip
    if not tests:
        return table
    joint = _joint_rows(
        tests,
        "wls",
        y,
        x,
        len(data),
        terms,
        True,
        "joint Wald test of the dummies: F on (q, design df - p + 1) df",
    )
    # fmt: skip
    return pd.concat([table, joint], ignore_index=True)


def ordered_logit(
    frame: pd.DataFrame,
    y: str,
    x: str,
    controls: Sequence[str],
    categorical: Sequence[str] = ("education", "income"),
    min_cell: int = 30,
    rules: EstimateRules | None = None,
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
) -> pd.DataFrame:
    """Proportional-odds (ordered) logit of the trust levels ``y`` on ``x`` and ``controls``.

    .. math:: P(Y \\le j \\mid x) = \\operatorname{logit}^{-1}(\\kappa_j - x'\\beta)

    fitted by Newton's method with ``statsmodels``' ``OrderedModel(distr="logit")`` and its
    analytic score and Hessian (`AnalyticOrderedModel`). Unweighted: ML, SEs from the
    observed information (R ``MASS::polr``). Weighted (``weight``): pseudo-ML of
    :math:`\\sum_i w_i \\log P_i` with the design-based sandwich SE (R ``survey::svyolr``;
    `abs_trust.stats.model_inference`), under weights only or the ``strata``/``psu`` given.
    The cut points are reported as R and Stata do, :math:`\\kappa_1 < \\kappa_2 < \\dots`
    (terms ``1|2``, ``2|3``, ...), with delta-method SEs. Tests and intervals are normal
    (Wald z). A control entered as categories gets a joint Wald test of its dummies,
    :math:`b' V_b^{-1} b \\sim \\chi^2_q`.

    Reference: McCullagh, P. (1980). Regression models for ordinal data. *JRSS B* 42(2),
    109-142; Binder, D. A. (1983). *International Statistical Review* 51(3), 279-292.

    Degenerate input gives one flagged row instead of a model, as in :func:`ols_robust`.

    Returns
    -------
    pd.DataFrame
        same columns as :func:`ols_robust`; ``z_or_t`` is the Wald z. Terms as in
        :func:`ols_robust` without the Intercept, then the cut points ``1|2``, ``2|3``, ...,
        then the joint tests (``test`` ``wald_chi2``).
    """
    design_columns = (strata, psu) if weight else ()
    data, terms, notes = _prepare(frame, y, x, controls, weight, categorical, min_cell,
                                  design_columns)  # fmt: skip
    problem = _problem(data, y, x, weight, rules)
    # no constant: the cut points take its place (the dummies still drop their reference);
    # collinearity is judged with the intercept, which the cut points stand in for
    exog = None if problem else _design(data, x, terms, intercept=False)
    problem = problem or _degenerate_design(_design(data, x, terms, intercept=True))
    if problem:
        return _not_estimated("ordered_logit", y, x, len(data), terms, bool(weight), problem)
    # An ordered categorical keeps the level labels (threshold terms 1|2, not 1.0|2.0).
    endog = pd.Series(pd.Categorical(data[y].astype(int), ordered=True), index=data.index, name=y)
    w = data[weight].to_numpy() if weight else None
    try:
        model = AnalyticOrderedModel(endog, exog, distr="logit", survey_weights=w)
        result = model.fit(method="newton", disp=False, maxiter=100)
    except (np.linalg.LinAlgError, ValueError) as exc:
        return _not_estimated("ordered_logit", y, x, len(data), terms, bool(weight),
                              _fit_failure(exc))  # fmt: skip
    if not np.isfinite(np.asarray(result.params)).all():
        return _not_estimated(
            "ordered_logit", y, x, len(data), terms, bool(weight),
            "not estimated: the fit gave non-finite coefficients (separation?)",
        )  # fmt: skip
    if not result.mle_retvals.get("converged", True):
        notes.append("Newton did not converge")
    k_thresholds = model.k_levels - 1
    names = list(result.model.exog_names)
    names[-k_thresholds:] = [n.replace("/", "|") for n in names[-k_thresholds:]]
    params = np.asarray(result.params)
    if weight:
        design = Design(*(data[c].to_numpy() if c else None for c in (strata, psu)))
        cov, _ = weighted_sandwich(model.score_obs(params), model.hessian(params),
                                   design if (strata or psu) else None)  # fmt: skip
        label = design.label if (strata or psu) else "weights only"
        lead = f"weighted pseudo-ML; SE: linearization ({label})"
    else:
        cov = np.asarray(result.cov_params())
        lead = "ML; SE: observed information"
    values, cov = cut_points(params, cov, k_thresholds)
    note = "; ".join([lead, "cut points kappa_1 < kappa_2 < ... (as R polr, Stata)", *notes])
    table = pd.DataFrame(
        {"model": "ordered_logit", "y": y, "x": x, "term": names, **normal_rows(values, cov),
         "n": len(data), "controls_used": "+".join(terms), "weighted": bool(weight),
         "note": note},
        columns=MODEL_COLUMNS,
    )  # fmt: skip
    tests = [
        (f"C({c})", joint_wald_chi2(values, cov, dummy_positions(names, c)))
        for c in _categorical_controls(terms)
    ]
    if not tests:
        return table
    joint = _joint_rows(tests, "ordered_logit", y, x, len(data), terms, bool(weight),
                        "joint Wald test of the dummies: chi2 on q df")  # fmt: skip
    return pd.concat([table, joint], ignore_index=True)
