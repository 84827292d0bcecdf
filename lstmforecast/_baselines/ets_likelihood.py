"""Maximum-likelihood fit of one statsmodels ``ETSModel``, the same optimisation faster.

``ETSModel.fit`` runs L-BFGS-B with a finite-difference gradient that scipy assembles
from one Python call of ``ETSModel.loglike`` per parameter: on M3 monthly series about
two thirds of an ETS search was that per-call overhead (array checks, means, dispatch),
not the smoothing recursion. Here the gradient's evaluations share one call: the
recursion (statsmodels' compiled ``_smoothing_func``) runs once per perturbed parameter
vector into the rows of one array, and the likelihoods of all of them are one
vectorised expression. Start values, bounds, the reparametrisation (beta* = beta/alpha,
gamma* = gamma/(1 - alpha)), the forward-difference steps and the L-BFGS-B settings are
statsmodels' and scipy's defaults, so the optimiser takes the same path and returns the
same parameters (up to rounding); only the time changes.

The module reads private parts of ``ETSModel``; when a statsmodels release changes them,
:func:`fit_ets_params` falls back to ``ETSModel.fit``.
"""

import numpy as np

__all__ = ["fit_ets_params"]

# fmin_l_bfgs_b's defaults, which ETSModel.fit keeps: its finite-difference step, its
# stopping rules, its memory and its cap on function evaluations (counting each
# gradient's evaluations, as scipy's approximate gradient does).
_STEP = 1e-8
_FACTR = 1e7
_PGTOL = 1e-5
_MAXCOR = 10
_MAXFUN = 15000
_MAXLS = 20
_MAXITER = 1000  # ETSModel.fit's own default


def fit_ets_params(model, factr=_FACTR, pgtol=_PGTOL):
    """Maximum-likelihood parameters of ``model`` (an unfitted ``ETSModel`` with
    estimated initial states), as ``model.fit(return_params=True)`` returns them.

    ``factr`` and ``pgtol`` are L-BFGS-B's stopping rules (relative reduction of the
    objective, in units of the machine epsilon, and largest projected gradient)."""
    try:
        problem = _Problem(model)
    except (AttributeError, TypeError):  # a statsmodels whose internals moved
        return model.fit(disp=False, return_params=True, factr=factr, pgtol=pgtol)
    return problem.solve(factr, pgtol)


class _Problem:
    """The internal parameter vector, its free part and bounds, and the likelihood."""

    def __init__(self, model):
        internal = model._convert_and_bound_start_params(model.start_params)
        bounds = model._setup_bounds()
        self.use_beta_star = "smoothing_trend" not in model.bounds
        if self.use_beta_star:
            internal[1] /= internal[0]
        self.use_gamma_star = "smoothing_seasonal" not in model.bounds
        if self.use_gamma_star:
            internal[2] /= 1 - internal[0]
        lower, upper = (np.array([b[i] for b in bounds], dtype=np.float64) for i in (0, 1))
        fixed = lower == upper
        self.is_fixed = fixed.astype(np.int64)
        self.fixed_values = np.where(fixed, lower, 0.0)
        self.free = np.flatnonzero(~fixed)
        self.lower, self.upper = lower[self.free], upper[self.free]
        self.internal = internal
        self.model = model
        self.y = np.ascontiguousarray(model.endog, dtype=np.float64)
        self.smooth = model._smoothing_func
        self.multiplicative_error = model.error == "mul"
        k, n = len(self.free), len(self.y)
        self.fitted = np.zeros((k + 1, n))
        self.states = np.zeros((n, model._k_states_internal))

    def solve(self, factr, pgtol):
        from scipy.optimize import minimize

        k = len(self.free)
        start = self.internal[self.free]
        solution = minimize(
            self._objective_and_gradient,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=list(zip(self.lower, self.upper)),
            options=dict(
                maxcor=_MAXCOR,
                ftol=factr * np.finfo(float).eps,
                gtol=pgtol,
                maxiter=_MAXITER,
                maxfun=max(1, _MAXFUN // (k + 1)),
                maxls=_MAXLS,
            ),
        )
        internal = self.internal.copy()
        internal[self.free] = solution.x
        if self.use_beta_star:
            internal[1] *= internal[0]
        if self.use_gamma_star:
            internal[2] *= 1 - internal[0]
        return self.model._model_params(internal)

    def _objective_and_gradient(self, x):
        """Negative mean log-likelihood at ``x`` and its forward-difference gradient.

        Row 0 of the batch is ``x``; row i + 1 moves parameter i by the step (backwards
        when the step would cross its upper bound), as scipy's 2-point scheme does.
        """
        k = len(x)
        steps = np.full(k, _STEP)
        steps[x + steps > self.upper] *= -1
        batch = np.repeat(x[None, :], k + 1, axis=0)
        diagonal = np.arange(k)
        batch[diagonal + 1, diagonal] += steps
        moved = batch[diagonal + 1, diagonal] - x
        for row, params in zip(self.fitted, batch):
            self.smooth(
                params,
                self.y,
                row,
                self.states,
                self.is_fixed,
                self.fixed_values,
                self.use_beta_star,
                self.use_gamma_star,
            )
        values = -self._loglike(self.fitted) / len(self.y)
        return values[0], (values[1:] - values[0]) / moved

    def _loglike(self, fitted):
        """ETSModel's log-likelihood of each row of one-step fitted values."""
        n = len(self.y)
        if self.multiplicative_error:
            with np.errstate(divide="ignore", invalid="ignore"):
                residuals = (self.y - fitted) / fitted
            # As statsmodels: a zero fitted value counts as 1e-32 in the Jacobian term.
            jacobian = np.sum(np.log(np.abs(np.where(fitted == 0, 1e-32, fitted))), axis=1)
        else:
            residuals = self.y - fitted
            jacobian = 0.0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            mse = np.mean(residuals**2, axis=1)
            return -n / 2 * (np.log(2 * np.pi * mse) + 1) - jacobian
