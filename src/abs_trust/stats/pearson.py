"""Pearson's correlation between trust items: bivariate and partial, weighted or not.

Farid & Song (2020, note 24) report r = 0.293 between trust in NGOs and in local government
in 2015 "whether or not controlling for age, gender, education or income". Both come from
one routine: the (weighted) covariance matrix of the item pair and the controls, inverted
(`abs_trust.stats.correlation`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from abs_trust.stats.correlation import (
    _correlation_test,
    _empty_result,
    _few_pairs_note,
    _partial_r,
)
from abs_trust.stats.design import Design, complete_with_design
from abs_trust.stats.linearization import _linearized_inference, _pearson_scores, se_method


def pearson(
    frame: pd.DataFrame,
    x: str,
    y: str,
    covar: Sequence[str] = (),
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
) -> dict:
    """Pearson correlation of ``x`` and ``y``, partialling out ``covar``, optionally weighted.

    .. math:: r_{xy\\cdot Z} = -\\frac{P_{xy}}{\\sqrt{P_{xx} P_{yy}}}, \\qquad
        P = C^{-1}, \\quad
        C_{jk} = \\frac{\\sum_i w_i (v_{ij} - \\bar v_j)(v_{ik} - \\bar v_k)}{\\sum_i w_i}

    over the variables :math:`v = (x, y, Z)` (:math:`w_i = 1` unweighted); without ``covar``
    this is the ordinary (weighted) r.

    Unweighted: p from :math:`t = r\\sqrt{(n-2-k)/(1-r^2)}` on :math:`n-2-k` df, 95 % CI
    from Fisher's z, :math:`\\operatorname{artanh} r \\pm 1.96/\\sqrt{n-3-k}` (k controls),
    as ``scipy.stats.pearsonr`` and ``pingouin.partial_corr``. Weighted (survey weights, not
    frequencies): design-based. The SE is the Taylor linearization SE of r
    (`abs_trust.stats.linearization`) under the design (weights only, or the ``strata``
    and ``psu`` given), p the Wald t test of r = 0 and the CI Fisher's z with the
    delta-method SE, both on the design's df (n - 1 under weights only, as R ``survey``'s
    ``degf``); the same SE as R ``svyvar`` and the delta method.

    Respondents missing any of x, y, covar (or the weight) are dropped (listwise deletion).

    Reference: Whittaker, J. (1990). *Graphical Models in Applied Multivariate Statistics*,
    §5.7 (partial correlation from the precision matrix); Fisher, R. A. (1921). *Metron* 1,
    3-32 (the z interval).

    Parameters
    ----------
    frame : pd.DataFrame
        respondents, one row each.
    x, y : str
        the two variables correlated (trust items).
    covar : sequence of str
        controls partialled out (none: the bivariate coefficient).
    weight : str, optional
        survey-weight column; None for the unweighted estimate.
    strata, psu : str, optional
        design columns for the weighted SE (None: weights only; clustering not accounted for).

    Returns
    -------
    dict with n, r, p, ci_low, ci_high, df, ``se`` (weighted: the linearization SE of r),
    ``se_method`` and ``note`` (set when the estimate is flagged, e.g. fewer than 30
    complete cases or a constant variable).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 2, 4]})
    >>> round(pearson(df, "a", "b")["r"], 3)
    0.8
    """
    columns = [x, y, *covar]
    data, w, design = complete_with_design(frame, columns, weight, strata, psu)
    return _pearson(data, w, columns, design)


def _pearson(
    data: np.ndarray, w: np.ndarray | None, columns: Sequence[str], design: Design | None = None
) -> dict:
    """:func:`pearson`'s kernel on listwise-complete data: columns x, y, then the covariates
    (named by ``columns``, for the notes); ``w`` the weights or None; ``design`` the strata
    and PSUs of the same rows (None: weights only)."""
    n, k = len(data), len(columns) - 2
    r, note = _partial_r(data, w, columns)
    if note:
        return _empty_result(n, n - 2 - k, note)
    if w is None:
        test = _correlation_test(r, n, k)
        return {"n": n, "r": r, **test, "note": _few_pairs_note(n), "se_method": "fisher-z"}
    inference = _linearized_inference(r, _pearson_scores(data, w), w, design)
    return {"n": n, "r": r, **inference, "note": _few_pairs_note(n),
            "se_method": se_method(True, design)}  # fmt: skip
