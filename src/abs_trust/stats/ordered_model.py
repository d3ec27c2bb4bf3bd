"""statsmodels' ordered logit with analytic derivatives and survey weights.

Used by `abs_trust.stats.models.ordered_logit`; kept apart so the models module stays a
readable size.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit
from statsmodels.miscmodels.ordinal_model import OrderedModel


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

    def __init__(self, endog, exog, offset=None, distr="logit", survey_weights=None, **kwds):
        # cdf/pdf and the derivatives below are the logistic ones
        if distr != "logit":
            raise ValueError("AnalyticOrderedModel implements the logit link only")
        super().__init__(endog, exog, offset=offset, distr=distr, **kwds)
        # survey weights: the pseudo-log-likelihood sum_i w_i log P_i (Binder 1983), as R's
        # svyolr maximises; None for the plain likelihood
        self.survey_weights = (
            None if survey_weights is None else np.asarray(survey_weights, dtype=float)
        )

    def loglike(self, params):
        if self.survey_weights is None:
            return super().loglike(params)
        return float(self.survey_weights @ self.loglikeobs(params))

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
        if self.survey_weights is not None:  # every term of the pseudo-likelihood times w_i
            w = self.survey_weights
            g_u, g_l, h_uu, h_ll, h_ul = g_u * w, g_l * w, h_uu * w, h_ll * w, h_ul * w
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

    def score_obs(self, params):
        """Each observation's (weighted) score in (beta, theta): the rows of :meth:`score`."""
        g_u, g_l, _, _, _, onehot = self._bound_derivatives(params)
        jac, _ = self._threshold_jacobian(params)
        grad_kappa = onehot[:, :-1] * g_u[:, None] + onehot[:, 1:] * g_l[:, None]
        return np.column_stack([-self.exog * (g_u + g_l)[:, None], grad_kappa @ jac])

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
