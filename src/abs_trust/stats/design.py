"""Design-based (Taylor linearization) variance of a smooth statistic of weighted data.

Every weighted estimate in the tables (shares, correlations, the ordered logit) is a smooth
function of weighted totals. Its linearized variable is the derivative of the statistic in
each respondent's weight, :math:`z_i = \\partial\\hat\\theta / \\partial w_i`, and its
variance is the design variance of the weighted total :math:`\\sum_i w_i z_i`
(Binder 1983; Wolter 2007, ch. 6): R's ``survey`` computes exactly this (``svyrecvar``).

Designs (:class:`Design`):

- weights only (no ``psu``, no ``strata``): each respondent is its own PSU, drawn with
  replacement from one stratum, and the variance is
  :math:`\\frac{n}{n-1}\\sum_i (u_i - \\bar u)^2` with :math:`u_i = w_i z_i` on
  :math:`n - 1` degrees of freedom (R: ``svydesign(ids = ~1, weights = ~w)``,
  ``degf = n - 1``). Clustering is not accounted for.
- ``psu`` and/or ``strata``: PSU totals :math:`U_{hj} = \\sum_{i \\in (h, j)} u_i`,
  :math:`\\sum_h \\frac{m_h}{m_h - 1} \\sum_j (U_{hj} - \\bar U_h)^2` with :math:`m_h` PSUs
  in stratum h, on :math:`\\sum_h m_h - H` df (R: ``svydesign(ids = ~psu, strata =
  ~strata, weights = ~w, nest = TRUE)``; PSUs are identified within their stratum). A
  stratum with a single PSU adds nothing (R's ``options(survey.lonely.psu = "certainty")``).

The design is that of the respondents in the estimate (complete cases), as when R's design
is built on them; a domain (``subset``) analysis of the full sample differs by the factor
:math:`\\frac{n}{n-1} / \\frac{n_d}{n_d-1}` under weights only.

References: Binder, D. A. (1983). On the variances of asymptotically normal estimators from
complex surveys. *International Statistical Review* 51(3), 279-292. Wolter, K. M. (2007).
*Introduction to Variance Estimation*, 2nd ed. Springer. Lumley, T. (2010). *Complex
Surveys: A Guide to Analysis Using R*. Wiley.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from abs_trust.stats.arrays import complete_cases

WEIGHTS_ONLY = "weights only; clustering not accounted for"


class Design(NamedTuple):
    """Stratum and PSU codes of the respondents of an estimate (None: not in the release)."""

    strata: np.ndarray | None = None
    psu: np.ndarray | None = None

    @property
    def label(self) -> str:
        """How the SE treats the sample: e.g. ``psu+strata`` or :data:`WEIGHTS_ONLY`."""
        parts = [name for name, v in (("psu", self.psu), ("strata", self.strata)) if v is not None]
        return "+".join(parts) if parts else WEIGHTS_ONLY

    def take(self, rows) -> Design:
        """The design of a subset of the respondents (boolean mask or positions)."""
        return Design(*(None if v is None else np.asarray(v)[rows] for v in self))


def _psu_totals(scores: np.ndarray, design: Design | None) -> tuple[np.ndarray, np.ndarray]:
    """PSU totals of the scores (rows) and each PSU's stratum code (0 when unstratified)."""
    n = len(scores)
    if design is None or (design.psu is None and design.strata is None):
        return scores, np.zeros(n, dtype=np.int64)
    strata = np.zeros(n) if design.strata is None else np.asarray(design.strata, dtype=float)
    psu = np.arange(n, dtype=float) if design.psu is None else np.asarray(design.psu, dtype=float)
    # PSUs are identified within their stratum (nest = TRUE)
    keys, which = np.unique(np.column_stack([strata, psu]), axis=0, return_inverse=True)
    totals = np.zeros((len(keys), scores.shape[1]))
    np.add.at(totals, which.ravel(), scores)
    _, stratum_of_psu = np.unique(keys[:, 0], return_inverse=True)
    return totals, stratum_of_psu.ravel()


def _design_variance(scores: np.ndarray, design: Design | None = None) -> tuple[np.ndarray, int]:
    """Linearization variance (matrix) of the totals of ``scores`` and the design's df.

    ``scores`` is (n,) or (n, k): :math:`u_i = w_i z_i` for each respondent. Returns the
    (k, k) covariance matrix (a 1 x 1 matrix for one statistic) and df = PSUs - strata.
    """
    scores = np.asarray(scores, dtype=float)
    scores = scores[:, None] if scores.ndim == 1 else scores
    totals, stratum = _psu_totals(scores, design)
    k = scores.shape[1]
    variance = np.zeros((k, k))
    n_strata = int(stratum.max()) + 1 if len(stratum) else 0
    for h in range(n_strata):
        block = totals[stratum == h]
        m = len(block)
        if m < 2:  # a lonely PSU: no within-stratum variation to estimate (certainty)
            continue
        centred = block - block.mean(axis=0)
        variance += m / (m - 1) * centred.T @ centred
    return variance, len(totals) - n_strata


def design_from_frame(frame: pd.DataFrame) -> Design | None:
    """The frame's ``strata`` and ``psu`` columns as a :class:`Design` (None when it has
    neither, or they are all missing: weights only)."""
    present = {
        c: frame[c].to_numpy(dtype=float, na_value=np.nan)
        for c in ("strata", "psu")
        if c in frame.columns and frame[c].notna().any()
    }
    return Design(present.get("strata"), present.get("psu")) if present else None


def design_columns(frame: pd.DataFrame) -> list[str]:
    """The design columns a harmonized frame carries (``strata``, ``psu``; none: weights
    only). A column that is missing for every respondent is no design information."""
    return [c for c in ("strata", "psu") if c in frame.columns and frame[c].notna().any()]


def linearized_se(scores: np.ndarray, design: Design | None = None) -> tuple[float, int]:
    """SE of a statistic whose linearized scores are ``scores`` (:math:`u_i = w_i z_i`), and df.

    Parameters
    ----------
    scores : np.ndarray
        one value per respondent of the estimate.
    design : Design, optional
        strata and PSU codes of the same respondents; None for weights only.

    Returns
    -------
    (se, df) : the linearization standard error and the design degrees of freedom.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([1.0, 0.0, 1.0, 1.0])  # a mean: z_i = (y_i - mean) / n
    >>> se, df = linearized_se((y - y.mean()) / 4)
    >>> round(se, 6), df  # sqrt(p (1 - p) / (n - 1))
    (0.25, 3)
    """
    variance, df = _design_variance(scores, design)
    return float(np.sqrt(variance[0, 0])), df


def complete_with_design(
    frame: pd.DataFrame,
    columns: list[str],
    weight: str | None,
    strata: str | None = None,
    psu: str | None = None,
) -> tuple[np.ndarray, np.ndarray | None, Design | None]:
    """`abs_trust.stats.arrays.complete_cases` of ``columns``, and the :class:`Design` of the
    same respondents when weighted and ``strata``/``psu`` are named (else None)."""
    named = [c for c in (strata, psu) if c] if weight else []
    data, w = complete_cases(frame, [*columns, *named], weight)
    if not named:
        return data, w, None
    extra = iter(data[:, len(columns) :].T)
    design = Design(next(extra) if strata else None, next(extra) if psu else None)
    return data[:, : len(columns)], w, design
