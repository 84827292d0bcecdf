"""Conditional-sum-of-squares (CSS) fit of a seasonal ARMA with regression.

The cheap likelihood that ranks the candidates of the ``order="auto"`` search on long
series, as R's ``auto.arima(approximation=TRUE)`` does: the residuals of the
(differenced) series are one pass of two linear filters instead of a Kalman filter, so a
candidate costs milliseconds instead of seconds.

Model of the differenced series w (length n) with regressors Z (constant, trend powers,
differenced exogenous columns)::

    phi(B) Phi(B^m) (w_t - Z_t beta) = theta(B) Theta(B^m) e_t

The residuals are conditional on the first ``p + P * m`` values (which would need
pre-sample values of w) and on zero pre-sample residuals. For fixed ARMA coefficients the
residuals are linear in beta, so beta is concentrated out by least squares and the
optimizer only sees the ARMA coefficients.
"""

from dataclasses import dataclass

import numpy as np

# A root of the AR or MA polynomial closer to the unit circle than this makes the
# candidate inadmissible (the rule of R's auto.arima): its exact likelihood is unreliable
# and its forecasts do not settle.
MIN_ROOT_MODULUS = 1.01
# Objective value for coefficients whose residual recursion overflows.
_OVERFLOW_OBJECTIVE = 1e3


@dataclass(frozen=True)
class CSSFit:
    """Result of :func:`fit_css`.

    ``arma`` holds the coefficients in statsmodels SARIMAX's order (ar, ma, seasonal ar,
    seasonal ma; AR polynomials 1 - phi B, MA polynomials 1 + theta B), ``beta`` the
    regression coefficients, ``sigma2`` the residual variance, ``loglik`` the Gaussian
    log-likelihood, ``n_params`` the estimated parameters including sigma2, ``nobs`` the
    length of the differenced series and ``admissible`` whether the AR polynomial is
    stationary and the MA polynomial invertible.
    """

    arma: np.ndarray
    beta: np.ndarray
    ar_polynomial: np.ndarray
    sigma2: float
    loglik: float
    n_params: int
    nobs: int
    admissible: bool

    def criterion(self, name):
        """Information criterion ``name`` (aic, aicc, bic, hqic), inf when inadmissible."""
        k, n = self.n_params, self.nobs
        if not (self.admissible and np.isfinite(self.loglik)) or n - k - 1 <= 0:
            return np.inf
        aic = -2 * self.loglik + 2 * k
        return {
            "aic": aic,
            "aicc": aic + 2 * k * (k + 1) / (n - k - 1),
            "bic": -2 * self.loglik + k * np.log(n),
            "hqic": -2 * self.loglik + 2 * k * np.log(np.log(n)),
        }[name]


def lag_polynomial(coefficients, sign, spacing):
    """Coefficients (ascending powers of B) of 1 + sign * sum_i c_i B^(i * spacing)."""
    if len(coefficients) == 0:
        return np.ones(1)
    polynomial = np.zeros(len(coefficients) * spacing + 1)
    polynomial[0] = 1.0
    polynomial[spacing::spacing] = sign * np.asarray(coefficients, dtype=float)
    return polynomial


def arma_polynomials(arma, p, q, seasonal_p, seasonal_q, period):
    """The AR and MA lag polynomials, seasonal and ordinary parts multiplied out."""
    ar = np.convolve(
        lag_polynomial(arma[:p], -1, 1),
        lag_polynomial(arma[p + q : p + q + seasonal_p], -1, period),
    )
    ma = np.convolve(
        lag_polynomial(arma[p : p + q], 1, 1),
        lag_polynomial(arma[p + q + seasonal_p :], 1, period),
    )
    return ar, ma


def min_root_modulus(polynomial):
    """Smallest modulus of the roots of a lag polynomial (inf when it is constant)."""
    nonzero = np.flatnonzero(polynomial)
    if nonzero[-1] == 0:
        return np.inf
    return float(np.min(np.abs(np.roots(polynomial[: nonzero[-1] + 1][::-1]))))


def is_admissible(ar, ma):
    """Whether the AR polynomial is stationary and the MA one invertible, with a margin.

    A root near the unit circle is not estimable (an MA root at 1 with a drift is a
    deterministic trend in disguise, from over-differencing) and makes forecasts that
    do not settle: the search rules such candidates out, as R's auto.arima does.
    """
    return min_root_modulus(ar) > MIN_ROOT_MODULUS and min_root_modulus(ma) > MIN_ROOT_MODULUS


def css_residuals(rows, ar, ma):
    """Conditional residuals of each row of ``rows`` (time last) under ar and ma.

    The AR part is applied only where it needs no pre-sample value (from position
    ``len(ar) - 1`` on); the MA recursion then starts from zero residuals.
    """
    from scipy.signal import lfilter

    # np.convolve: scipy's lfilter is several times slower for a pure FIR filter.
    ar_part = np.stack([np.convolve(row, ar, "valid") for row in rows])
    if len(ma) == 1:
        return ar_part
    return lfilter([1.0], ma, ar_part, axis=-1)


def _regressed_ssr(rows, ar, ma):
    """Sum of squared residuals of the first row after the others are regressed out."""
    residuals = css_residuals(rows, ar, ma)
    target, regressors = residuals[0], residuals[1:]
    beta = np.zeros(len(regressors))
    if not np.isfinite(residuals).all():  # a non-invertible MA part blew the recursion up
        return np.inf, beta, len(target)
    if len(regressors):
        try:  # normal equations: a few regressors, and this runs thousands of times
            beta = np.linalg.solve(regressors @ regressors.T, regressors @ target)
        except np.linalg.LinAlgError:  # a regressor the differencing zeroed out
            beta = np.linalg.lstsq(regressors.T, target, rcond=None)[0]
        target = target - beta @ regressors
    return float(target @ target), beta, len(target)


def fit_css(w, regressors, p, q, seasonal_p, seasonal_q, period, maxiter):
    """Fit the ARMA(p, q)(P, Q, m) with regression on ``regressors`` by CSS.

    Parameters
    ----------
    w : ndarray of shape (n,)
        The differenced series.
    regressors : ndarray of shape (n, k)
        Regression columns (constant, trend, differenced exogenous), k may be 0.
    p, q, seasonal_p, seasonal_q, period : int
        The ARMA orders and the season length.
    maxiter : int
        Maximum number of L-BFGS-B iterations.

    Returns
    -------
    CSSFit
    """
    from scipy.optimize import minimize

    rows = np.vstack([w, regressors.T])
    orders = (p, q, seasonal_p, seasonal_q, period)
    n_arma = p + q + seasonal_p + seasonal_q
    n_conditioned = p + seasonal_p * period
    n = len(w)
    if n - n_conditioned <= regressors.shape[1]:
        return _inadmissible(n_arma, regressors.shape[1], n)

    start_ssr = _regressed_ssr(rows, *arma_polynomials(np.zeros(n_arma), *orders))[0]
    scale = start_ssr if start_ssr > 0 else 1.0

    def objective(arma):
        # The log keeps the scale of the series out of the optimizer's tolerances.
        with np.errstate(all="ignore"):
            ssr = _regressed_ssr(rows, *arma_polynomials(arma, *orders))[0]
        if not np.isfinite(ssr):
            return _OVERFLOW_OBJECTIVE
        return float(np.log(max(ssr / scale, np.finfo(float).tiny)))

    arma = np.zeros(n_arma)
    if n_arma:
        arma = minimize(objective, arma, method="L-BFGS-B", options={"maxiter": maxiter}).x
    ar, ma = arma_polynomials(arma, *orders)
    with np.errstate(all="ignore"):
        ssr, beta, n_residuals = _regressed_ssr(rows, ar, ma)
    admissible = bool(np.isfinite(ssr) and is_admissible(ar, ma))
    sigma2 = max(ssr / n_residuals, np.finfo(float).tiny) if np.isfinite(ssr) else np.inf
    # Every candidate is scored over the n values of the differenced series, however many
    # residuals it conditions on: with n_residuals instead, the criterion of models with
    # more AR lags would shift with the units of the series (R's auto.arima does the same).
    loglik = -0.5 * n * (np.log(2 * np.pi * sigma2) + 1)
    return CSSFit(
        arma=arma,
        beta=beta,
        ar_polynomial=ar,
        sigma2=float(sigma2),
        loglik=float(loglik),
        n_params=n_arma + regressors.shape[1] + 1,
        nobs=n,
        admissible=admissible,
    )


def _inadmissible(n_arma, n_regressors, n):
    return CSSFit(
        arma=np.zeros(n_arma),
        beta=np.zeros(n_regressors),
        ar_polynomial=np.ones(1),
        sigma2=np.inf,
        loglik=-np.inf,
        n_params=n_arma + n_regressors + 1,
        nobs=n,
        admissible=False,
    )
