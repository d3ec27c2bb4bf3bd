"""One-factor multi-group confirmatory factor analysis by maximum likelihood (numpy/scipy).

No maintained Python library fits a multi-group CFA with cross-group equality constraints
robustly (semopy has no reliable group-equality constraints; factor_analyzer is
single-group EFA/CFA), so the model is written out here: it is small (one factor), the
discrepancy function and its gradient are closed-form, and every fit statistic is checked
against R lavaan 0.6 (``tests/reference/invariance/``).

Model, group g (p items, continuous, marker-variable identification as lavaan's default:
the first item's loading is fixed to 1 in every group)::

    x = nu_g + lambda_g * eta + e,   eta ~ (kappa_g, phi_g),   e ~ (0, diag(theta_g))
    Sigma_g = phi_g lambda_g lambda_g' + diag(theta_g),   mu_g = nu_g + lambda_g kappa_g

configural: everything free per group, kappa_g = 0;
metric: lambda equal across groups (phi_g free in every group);
scalar: lambda and nu equal across groups, kappa fixed to 0 in the first group and free in the
others (lavaan's ``group.equal = c("loadings", "intercepts")``).

Discrepancy (lavaan's ML with ``likelihood = "normal"``: S_g is the covariance with divisor
N_g, and the groups are weighted by N_g / N)::

    F = sum_g N_g / N [log|Sigma_g| + tr(S_g Sigma_g^-1) - log|S_g| - p
                       + (xbar_g - mu_g)' Sigma_g^-1 (xbar_g - mu_g)]
    chi2 = N * F_min

References: Joreskog (1971) Simultaneous factor analysis in several populations,
Psychometrika 36; Rosseel (2012) lavaan, J. Stat. Softw. 48(2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

LEVELS = ("configural", "metric", "scalar")


@dataclass(frozen=True)
class Moments:
    """Per-group sample moments: n (G,), mean (G, p), cov (G, p, p) with divisor n."""

    n: np.ndarray
    mean: np.ndarray
    cov: np.ndarray


@dataclass(frozen=True)
class Fit:
    """One fitted model: fit statistics and the group-wise implied moments."""

    level: str
    chisq: float
    df: int
    pvalue: float
    cfi: float
    rmsea: float
    srmr: float
    npar: int
    converged: bool
    sigma: np.ndarray
    mu: np.ndarray


def sample_moments(blocks: list[np.ndarray]) -> Moments:
    """Moments of complete-case blocks (one (n_g, p) array per group), divisor n_g."""
    n = np.array([len(b) for b in blocks], dtype=float)
    mean = np.stack([b.mean(axis=0) for b in blocks])
    cov = np.stack([np.cov(b, rowvar=False, bias=True) for b in blocks])
    return Moments(n, mean, cov)


def _layout(level: str, n_groups: int, p: int) -> dict[str, np.ndarray]:
    """Index of each parameter in the free vector, -1 where fixed (loading 1, mean 0)."""
    counter = iter(range(10**9))

    def block(shape, shared):
        if shared:
            one = np.array([next(counter) for _ in range(int(np.prod(shape[1:])))])
            return np.broadcast_to(one.reshape(shape[1:]), shape).copy()
        return np.array([next(counter) for _ in range(int(np.prod(shape)))]).reshape(shape)

    lam = np.full((n_groups, p), -1)
    lam[:, 1:] = block((n_groups, p - 1), level in ("metric", "scalar"))
    nu = block((n_groups, p), level == "scalar")
    theta = block((n_groups, p), False)
    phi = block((n_groups,), False)
    kappa = np.full(n_groups, -1)
    if level == "scalar" and n_groups > 1:
        kappa[1:] = block((n_groups - 1,), False)
    return {"lam": lam, "nu": nu, "theta": theta, "phi": phi, "kappa": kappa}


def _unpack(x: np.ndarray, layout: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    def take(name, fixed):
        idx = layout[name]
        return np.where(idx >= 0, x[np.maximum(idx, 0)], fixed)

    return (
        take("lam", 1.0),
        take("nu", 0.0),
        take("theta", 0.0),
        take("phi", 0.0),
        take("kappa", 0.0),
    )


def _implied(lam, nu, theta, phi, kappa):
    sigma = phi[:, None, None] * lam[:, :, None] * lam[:, None, :]
    idx = np.arange(lam.shape[1])
    sigma[:, idx, idx] += theta
    return sigma, nu + lam * kappa[:, None]


def _objective(x, layout, mom: Moments, weights, logdet_s, p):
    lam, nu, theta, phi, kappa = _unpack(x, layout)
    sigma, mu = _implied(lam, nu, theta, phi, kappa)
    sign, logdet = np.linalg.slogdet(sigma)
    if np.any(sign <= 0):
        return np.inf, np.zeros_like(x)
    inv = np.linalg.inv(sigma)
    d = mom.mean - mu
    inv_d = np.einsum("gij,gj->gi", inv, d)
    f_g = (
        logdet
        + np.einsum("gij,gji->g", mom.cov, inv)
        - logdet_s
        - p
        + np.einsum("gi,gi->g", d, inv_d)
    )
    # dF/dSigma = Sigma^-1 - Sigma^-1 (S + d d') Sigma^-1 ;  dF/dmu = -2 Sigma^-1 d
    outer = mom.cov + d[:, :, None] * d[:, None, :]
    w = inv - inv @ outer @ inv
    g_mu = -2.0 * inv_d
    wl = np.einsum("gij,gj->gi", w, lam)
    grads = {
        "lam": 2.0 * phi[:, None] * wl + kappa[:, None] * g_mu,
        "nu": g_mu,
        "theta": np.einsum("gii->gi", w),
        "phi": np.einsum("gi,gi->g", lam, wl),
        "kappa": np.einsum("gi,gi->g", lam, g_mu),
    }
    grad = np.zeros_like(x)
    for name, value in grads.items():
        idx = layout[name]
        keep = idx >= 0
        wv = (value * weights.reshape((-1,) + (1,) * (value.ndim - 1)))[keep]
        np.add.at(grad, idx[keep], wv)
    return float(weights @ f_g), grad


def _start(layout, mom: Moments, start: dict | None) -> np.ndarray:
    """Start values: per group, phi = half the marker's variance, loadings by regression."""
    n_free = 1 + max(int(v.max()) for v in layout.values())
    x = np.zeros(n_free)
    s00 = mom.cov[:, 0, 0]
    phi = 0.5 * s00
    lam = mom.cov[:, :, 0] / phi[:, None]
    lam[:, 0] = 1.0
    theta = np.maximum(np.einsum("gii->gi", mom.cov) - lam**2 * phi[:, None], 0.1 * s00[:, None])
    values = {"lam": lam, "nu": mom.mean, "theta": theta, "phi": phi}
    if start:
        values.update(start)
    values.setdefault("kappa", np.zeros(len(mom.n)))
    for name, value in values.items():
        idx = layout[name]
        keep = idx >= 0
        # shared parameters start at the mean of the group values
        sums = np.zeros(n_free)
        counts = np.zeros(n_free)
        np.add.at(sums, idx[keep], np.asarray(value)[keep])
        np.add.at(counts, idx[keep], 1.0)
        hit = counts > 0
        x[hit] = sums[hit] / counts[hit]
    return x


def _srmr(mom: Moments, sigma: np.ndarray, mu: np.ndarray) -> float:
    """lavaan's ``srmr`` (= ``srmr_bentler`` with a mean structure), N_g/N-weighted."""
    p = mom.cov.shape[1]
    sd = np.sqrt(np.einsum("gii->gi", mom.cov))
    resid = (mom.cov - sigma) / (sd[:, :, None] * sd[:, None, :])
    lower = np.tril_indices(p)
    ss = (resid[:, lower[0], lower[1]] ** 2).sum(axis=1)
    ss += (((mom.mean - mu) / sd) ** 2).sum(axis=1)
    per_group = np.sqrt(ss / (p * (p + 1) / 2 + p))
    return float(mom.n @ per_group / mom.n.sum())


def baseline_chisq(mom: Moments) -> tuple[float, int]:
    """Independence model (free means and variances per group): chi2 and df."""
    p = mom.cov.shape[1]
    logdet_s = np.linalg.slogdet(mom.cov)[1]
    diag = np.log(np.einsum("gii->gi", mom.cov)).sum(axis=1)
    return float(mom.n @ (diag - logdet_s)), int(len(mom.n) * p * (p - 1) // 2)


def _local_index(layout: dict[str, np.ndarray]) -> np.ndarray:
    """(G, 3p + 2): each group's parameters (lambda, nu, theta, phi, kappa) in the free vector."""
    return np.concatenate(
        [layout["lam"], layout["nu"], layout["theta"], layout["phi"][:, None],
         layout["kappa"][:, None]],
        axis=1,
    )  # fmt: skip


def _information(x, layout, local, weights, p):
    """Expected Hessian of F (Fisher information), closed form for the one-factor model.

    H_ab = sum_g w_g [tr(A dSigma_a A dSigma_b) + 2 dmu_a' A dmu_b], A = Sigma_g^-1; with
    u = A lambda and s = lambda' A lambda the blocks are (i, j items): lambda-lambda
    2 phi^2 (u_i u_j + s A_ij) + 2 kappa^2 A_ij; lambda-theta 2 phi A_ij u_j; lambda-phi
    2 phi s u_i; theta-theta A_ij^2; theta-phi u_i^2; phi-phi s^2; lambda-nu 2 kappa A_ij;
    lambda-kappa 2 kappa u_i; nu-nu 2 A_ij; nu-kappa 2 u_i; kappa-kappa 2 s.
    """
    lam, _nu, _theta, phi, kappa = _unpack(x, layout)
    sigma, _mu = _implied(lam, _nu, _theta, phi, kappa)
    a = np.linalg.inv(sigma)
    u = np.einsum("gij,gj->gi", a, lam)
    s = np.einsum("gi,gi->g", lam, u)
    n_groups, k = local.shape
    ph, ka = phi[:, None, None], kappa[:, None, None]
    uu = u[:, :, None] * u[:, None, :]
    h = np.zeros((n_groups, k, k))  # diagonal blocks in full, cross blocks above only
    L, N, T, F, K = slice(0, p), slice(p, 2 * p), slice(2 * p, 3 * p), 3 * p, 3 * p + 1
    h[:, L, L] = 2 * ph**2 * (uu + s[:, None, None] * a) + 2 * ka**2 * a
    h[:, N, N] = 2 * a
    h[:, T, T] = a**2
    h[:, F, F] = s**2
    h[:, K, K] = 2 * s
    cross = np.zeros_like(h)
    cross[:, L, T] = 2 * ph * a * u[:, None, :]
    cross[:, L, F] = 2 * phi[:, None] * s[:, None] * u
    cross[:, L, N] = 2 * ka * a
    cross[:, L, K] = 2 * kappa[:, None] * u
    cross[:, T, F] = u**2
    cross[:, N, K] = 2 * u
    h += cross + np.swapaxes(cross, 1, 2)
    h *= weights[:, None, None]
    n_free = len(x)
    index = np.where(local >= 0, local, n_free)  # fixed parameters land in a dropped slot
    full = np.zeros((n_free + 1, n_free + 1))
    np.add.at(full, (index[:, :, None], index[:, None, :]), h)
    return full[:n_free, :n_free]


def _partition(local: np.ndarray, n_free: int) -> tuple[np.ndarray, np.ndarray]:
    """Shared parameters (in more than one group) and each group's own, padded with -1."""
    counts = np.bincount(local[local >= 0], minlength=n_free)
    shared = np.flatnonzero(counts > 1)
    own = [[i for i in row if i >= 0 and counts[i] == 1] for row in local]
    width = max(len(o) for o in own)
    own_idx = np.full((len(own), width), -1)
    for g, o in enumerate(own):
        own_idx[g, : len(o)] = o
    return shared, own_idx


def _solve_blocks(h: np.ndarray, rhs: np.ndarray, shared: np.ndarray, own_idx: np.ndarray):
    """Solve h z = rhs through the Schur complement of the parameters shared across groups.

    The information is block-diagonal in each group's own parameters, bordered by the few
    shared ones (equal loadings, intercepts): a batch of small solves (padded to one size
    with identity rows) and one small system, never a multithreaded LAPACK call on a large
    matrix (which, on a loaded machine, cost 10x the arithmetic).
    """
    valid = own_idx >= 0
    safe = np.where(valid, own_idx, 0)
    both = valid[:, :, None] & valid[:, None, :]
    blocks = np.where(both, h[safe[:, :, None], safe[:, None, :]], 0.0)
    blocks += np.eye(own_idx.shape[1]) * (~valid)[:, :, None]
    border = h[safe][:, :, shared] * valid[:, :, None]
    right = np.concatenate([(rhs[safe] * valid)[:, :, None], border], axis=2)
    solved = np.linalg.solve(blocks, right)
    z = np.zeros_like(rhs)
    if len(shared):
        schur = h[np.ix_(shared, shared)] - np.einsum("gms,gmt->st", border, solved[:, :, 1:])
        reduced = rhs[shared] - np.einsum("gms,gm->s", border, solved[:, :, 0])
        z[shared] = np.linalg.solve(schur, reduced)
    own = solved[:, :, 0] - np.einsum("gms,s->gm", solved[:, :, 1:], z[shared])
    z[own_idx[valid]] = own[valid]
    return z


def _fisher_scoring(x, args, local, tol=1e-10, max_iter=500):
    """Minimise F by Fisher scoring with step halving; returns x, F, gradient, converged."""
    layout, _mom, weights, _logdet_s, p = args
    shared, own_idx = _partition(local, len(x))
    f, grad = _objective(x, *args)
    for _ in range(max_iter):
        if np.max(np.abs(grad)) < tol:
            return x, f, grad, True
        h = _information(x, layout, local, weights, p)
        step = -_solve_blocks(h, grad, shared, own_idx)
        for _halving in range(30):
            f_new, g_new = _objective(x + step, *args)
            if f_new <= f + 1e-14:
                break
            step /= 2
        else:
            return x, f, grad, False
        x, f, grad = x + step, f_new, g_new
    return x, f, grad, bool(np.max(np.abs(grad)) < 1e-6)


def fit_level(level: str, mom: Moments, start: dict | None = None) -> tuple[Fit, dict]:
    """Fit one invariance level by ML; returns the fit and the estimates (for warm starts).

    Minimised by Fisher scoring (expected information, step halving), from the per-group
    start values or from a lower level's estimates (shared parameters start at their mean).
    chi2 = N F_min; df = G (p(p+1)/2 + p) - free parameters; CFI = 1 - max(chi2 - df, 0) /
    max(chi2 - df, chi2_0 - df_0, 0) against the independence baseline; RMSEA =
    sqrt(max(chi2 / (N df) - 1 / N, 0)) sqrt(G) (Steiger's multi-group correction, as lavaan).
    """
    n_groups, p = mom.mean.shape
    layout = _layout(level, n_groups, p)
    weights = mom.n / mom.n.sum()
    logdet_s = np.linalg.slogdet(mom.cov)[1]
    args = (layout, mom, weights, logdet_s, p)
    x, f_min, grad, converged = _fisher_scoring(
        _start(layout, mom, start), args, _local_index(layout)
    )
    if not converged:  # a hard case (e.g. a Heywood case): let quasi-Newton try from there
        # imported only here: scipy.optimize is a large import, and Fisher scoring rarely
        # needs this fallback
        from scipy import optimize

        result = optimize.minimize(
            _objective, x, args=args, jac=True, method="BFGS", options={"gtol": 1e-9}
        )
        if result.fun <= f_min:
            x, f_min, grad = result.x, result.fun, result.jac
        converged = bool(np.max(np.abs(grad)) < 1e-6)
    lam, nu, theta, phi, kappa = _unpack(x, layout)
    sigma, mu = _implied(lam, nu, theta, phi, kappa)
    n_total = mom.n.sum()
    chisq = max(float(n_total * f_min), 0.0)
    npar = len(x)
    df = int(n_groups * (p * (p + 1) // 2 + p) - npar)
    base, base_df = baseline_chisq(mom)
    num = max(chisq - df, 0.0)
    den = max(chisq - df, base - base_df, 0.0)
    cfi = 1.0 if den == 0 else 1.0 - num / den
    rmsea = (
        float(np.sqrt(max(chisq / (n_total * df) - 1.0 / n_total, 0.0)) * np.sqrt(n_groups))
        if df > 0
        else 0.0
    )
    fit = Fit(
        level=level,
        chisq=chisq,
        df=df,
        pvalue=float(special.chdtrc(df, chisq)) if df > 0 else float("nan"),  # chi2.sf
        cfi=float(cfi),
        rmsea=rmsea,
        srmr=_srmr(mom, sigma, mu),
        npar=npar,
        converged=converged,
        sigma=sigma,
        mu=mu,
    )
    estimates = {"lam": lam, "nu": nu, "theta": theta, "phi": phi, "kappa": kappa}
    return fit, estimates
