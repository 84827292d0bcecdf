"""ARIMA baseline as an sklearn regressor, built on statsmodels' SARIMAX.

statsmodels is imported inside the functions that use it, so ``import lstmforecast``
stays light.
"""

import numbers
import pickle
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import StrOptions

from .._utils.docstrings import shared_docs
from .._utils.params import positive_int
from .css import fit_css, is_admissible
from .row_forecaster import (
    ROW_FORECASTER_CONSTRAINTS,
    RowForecaster,
    normal_quantiles,
    resolve_target_column,
)

__all__ = ["ARIMARegressor"]

_CRITERIA = ("aic", "aicc", "bic", "hqic")
_TREND_STRINGS = ("n", "c", "t", "ct")
# Bounds of the automatic search, the usual auto.arima defaults.
_MAX_P, _MAX_Q, _MAX_SEASONAL_P, _MAX_SEASONAL_Q, _MAX_D = 5, 5, 2, 2, 2
_MAX_MODELS = 60
# search_method="auto" ranks candidates by CSS on series longer than this or seasons
# longer than _CSS_SEASON (R's auto.arima rule for approximation=TRUE): on shorter series
# the values CSS conditions on are too large a share of the data.
_CSS_LENGTH, _CSS_SEASON = 150, 12
_SEARCH_METHODS = ("auto", "css", "ml")
# Exact fits tried, best-ranked candidate first, until one is admissible.
_MAX_EXACT_FITS = 3
_KPSS_LEVEL = 0.05
_SEASONAL_STRENGTH = 0.64
# Longer seasons get seasonal differencing but no seasonal AR/MA terms in the search.
_LONGEST_SEARCHED_SEASON = 24


def _is_order(value, length):
    return (
        isinstance(value, tuple | list)
        and len(value) == length
        and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value)
        and all(v >= 0 for v in value)
    )


def _rows_needed(p, d, q, seasonal_order, n_exog):
    """Fewest rows an ARIMA(p, d, q)(P, D, Q, s) with ``n_exog`` regressors is fitted on:
    the values its differences use up, plus one more than its parameters (AR, MA,
    regressors, a constant and the variance)."""
    seasonal_p, seasonal_d, seasonal_q, period = seasonal_order
    n_parameters = p + q + seasonal_p + seasonal_q + n_exog + 2
    return max(3, d + seasonal_d * period + n_parameters + 1)


def _lagged(exog, previous_row):
    """Regressors for each time step: the exogenous row of the step before.

    The value of an exogenous column at time t+1 is not known at origin t (it sits in a
    later row), so the model links y[t] to the exogenous row t-1. The first row has no
    predecessor unless the rows continue earlier ones; it then uses its own values.
    """
    first = exog[:1] if previous_row is None else previous_row[None, :]
    return np.vstack([first, exog[:-1]])


def _fit_sarimax(
    endog, exog, order, seasonal_order, trend, maxiter, search=False, start_params=None
):
    """Fitted SARIMAX.

    ``search=True`` is the cheaper fit of a candidate model, for its criterion only, as
    in R's ``auto.arima``: on the differenced series (the Kalman filter then carries the
    ARMA states only, not a season of lagged levels: 8x faster with a season of 48), with
    the scale concentrated out of the likelihood (one parameter fewer for the
    optimizer), no filter history and no covariance matrix of the parameters. Every
    candidate shares d and D, so their criteria stay comparable.
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    model = SARIMAX(
        endog,
        exog=exog,
        order=order,
        seasonal_order=seasonal_order,
        trend=trend,
        concentrate_scale=search,
        simple_differencing=search,
    )
    if search:
        return model.fit(disp=False, maxiter=maxiter, cov_type="none", low_memory=True)
    return model.fit(disp=False, maxiter=maxiter, start_params=start_params)


def _difference(values, differences, seasonal_differences, period):
    """``values`` (time first) differenced ``seasonal_differences`` times at lag
    ``period``, then ``differences`` times at lag 1."""
    for _ in range(seasonal_differences):
        values = values[period:] - values[:-period]
    for _ in range(differences):
        values = np.diff(values, axis=0)
    return values


def _trend_powers(trend):
    """Powers of time in a statsmodels trend specification ("ct" -> [0, 1])."""
    if trend is None:
        return []
    if isinstance(trend, str):
        trend = {"n": [], "c": [1], "t": [0, 1], "ct": [1, 1]}[trend]
    return [power for power, flag in enumerate(trend) if flag]


def _css_regressors(n, trend, differenced_exog):
    """Regression columns of a CSS candidate: trend powers of time, then the exogenous."""
    time = np.arange(1, n + 1) / n  # scaled: only the fitted values matter
    columns = [time**power for power in _trend_powers(trend)]
    if differenced_exog is not None:
        columns.extend(differenced_exog.T)
    return np.column_stack(columns) if columns else np.empty((n, 0))


def _sarimax_start_params(css, trend):
    """SARIMAX parameters that start the exact fit at the CSS estimates.

    SARIMAX puts the constant inside the ARMA equation, phi(B) Phi(B^m) w_t = c + ..., so
    c is the CSS mean times the AR polynomial at B = 1. Trends other than none or a
    constant keep statsmodels' own start (None).
    """
    powers = _trend_powers(trend)
    if powers not in ([], [0]):
        return None
    trend_params = css.beta[:1] * css.ar_polynomial.sum() if powers else []
    exog_params = css.beta[len(powers) :]
    return np.concatenate([trend_params, exog_params, css.arma, [css.sigma2]])


def _fit_exact(endog, exog, order, seasonal_order, trend, maxiter, start_params):
    """Exact maximum-likelihood SARIMAX fit of an ``order="auto"`` choice.

    Returns the results and whether the optimizer converged. With no trend or a
    constant, the parameters are estimated on the differenced series and regressors
    (a regression with ARMA errors), then the model of the series itself is filtered with
    them: its likelihood, with the differencing states diffuse, is that of the
    differenced data, while its Kalman filter carries a season of lagged levels per
    seasonal difference (an order with season 48: 1.7 against 20 CPU s). A time trend
    means something else on the differenced series: such models are fitted directly.
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    if _trend_powers(trend) not in ([], [0]):
        results = _fit_sarimax(
            endog, exog, order, seasonal_order, trend, maxiter, start_params=start_params
        )
        return results, results.mle_retvals.get("converged", True)
    (p, d, q), (big_p, big_d, big_q, period) = order, seasonal_order
    differenced_exog = None if exog is None else _difference(exog, d, big_d, period)
    arma = SARIMAX(
        _difference(np.asarray(endog, dtype=float), d, big_d, period),
        exog=differenced_exog,
        order=(p, 0, q),
        seasonal_order=(big_p, 0, big_q, period),
        trend=trend,
    )
    fitted = arma.fit(
        disp=False, maxiter=maxiter, start_params=start_params, cov_type="none", low_memory=True
    )
    model = SARIMAX(endog, exog=exog, order=order, seasonal_order=seasonal_order, trend=trend)
    return model.filter(fitted.params), fitted.mle_retvals.get("converged", True)


def _differences_needed(endog, seasonal_differences, period):
    """Number of ordinary differences that make the series level-stationary (KPSS test)."""
    from statsmodels.tsa.stattools import kpss

    series = np.asarray(endog, dtype=float)
    for _ in range(seasonal_differences):
        series = series[period:] - series[:-period]
    for differences in range(_MAX_D + 1):
        if len(series) < 10 or np.ptp(series) == 0:
            return differences
        # The short bandwidth of auto.arima's KPSS test: longer ones rarely reject.
        lags = int(4 * (len(series) / 100) ** 0.25)
        try:
            result = kpss(series, regression="c", nlags=lags)
        except (ValueError, np.linalg.LinAlgError):
            return differences
        pvalue = result.pvalue if hasattr(result, "pvalue") else result[1]
        if pvalue >= _KPSS_LEVEL:
            return differences
        if differences < _MAX_D:
            series = np.diff(series)
    return _MAX_D


def _seasonal_differences_needed(endog, period):
    """1 when the season is strong (STL seasonal strength >= 0.64, as R's nsdiffs), else 0.

    Seasonal strength is max(0, 1 - var(remainder) / var(season + remainder)) of an STL
    decomposition (Wang, Smith and Hyndman 2006).
    """
    from statsmodels.tsa.seasonal import STL

    series = np.asarray(endog, dtype=float)
    if period < 2 or len(series) < 2 * period + 1 or np.ptp(series) == 0:
        return 0
    decomposition = STL(series, period=period, robust=False).fit()
    remainder = decomposition.resid
    deseasonalised_variance = np.var(decomposition.seasonal + remainder)
    if deseasonalised_variance == 0:
        return 0
    strength = max(0.0, 1 - np.var(remainder) / deseasonalised_variance)
    return int(strength >= _SEASONAL_STRENGTH)


def _search_order(
    endog,
    exog,
    seasonal_order,
    trend,
    criterion,
    maxiter,
    verbose=0,
    method="auto",
    warn=warnings.warn,
):
    """Stepwise information-criterion search in the spirit of Hyndman and Khandakar (2008).

    The seasonal differencing order comes from the seasonal strength, the ordinary one
    from repeated KPSS tests on the seasonally differenced series. The search starts from
    Hyndman and Khandakar's four models, (2, d, 2)(1, D, 1), (0, d, 0)(0, D, 0),
    (1, d, 0)(1, D, 0) and (0, d, 1)(0, D, 1), and moves to the best neighbour (p, q, P or
    Q changed by one, p and q or P and Q together, or the constant toggled) until no
    neighbour improves the criterion. Seasons longer than ``_LONGEST_SEARCHED_SEASON``
    keep P = Q = 0 (seasonal differencing only): each seasonal AR or MA term adds a
    season of states to the Kalman filter of the final fit, which made one search with
    season 48 run for more than 20 minutes.

    ``method`` is how candidates are scored: "ml" by an exact-likelihood SARIMAX fit,
    "css" by a conditional-sum-of-squares fit (:mod:`._css`, milliseconds per candidate;
    candidates with AR or MA roots near the unit circle are then ruled out), "auto" CSS
    on series longer than ``_CSS_LENGTH`` or seasons longer than ``_CSS_SEASON``.

    A series too short for the largest starting model gets the orders it supports only
    (as many rows as an explicit order of the same size would need), and ``warn`` says so.

    Returns the admissible candidates best first, each as (order, seasonal order, trend,
    SARIMAX start parameters or None), and a table of the models tried.
    """
    period = seasonal_order[3]
    n_exog = 0 if exog is None else exog.shape[1]
    seasonal_d = _seasonal_differences_needed(endog, period)
    seasonal = 1 < period <= _LONGEST_SEARCHED_SEASON
    d = _differences_needed(endog, seasonal_d, period)
    # A short series cannot afford every difference the tests ask for: keep those that
    # leave room for the smallest model.
    while d > 0 and _rows_needed(0, d, 0, (0, seasonal_d, 0, period), n_exog) > len(endog):
        d -= 1
    # A constant with two or more differences would be a quadratic trend: never tried.
    search_constant = trend is None and d + seasonal_d <= 1
    if method == "auto":
        method = "css" if len(endog) > _CSS_LENGTH or period > _CSS_SEASON else "ml"
    if method == "css":
        differenced = _difference(np.asarray(endog, dtype=float), d, seasonal_d, period)
        differenced_exog = None if exog is None else _difference(exog, d, seasonal_d, period)

    def as_model(candidate):
        p, q, big_p, big_q, constant = candidate
        model_trend = ("c" if constant else "n") if trend is None else trend
        return (p, d, q), (big_p, seasonal_d, big_q, period), model_trend

    scores, starts = {}, {}

    def fit_candidate(candidate):
        order, model_seasonal, model_trend = as_model(candidate)
        if method == "css":
            regressors = _css_regressors(len(differenced), model_trend, differenced_exog)
            p, q, big_p, big_q, _ = candidate
            css = fit_css(differenced, regressors, p, q, big_p, big_q, period, maxiter)
            return css.criterion(criterion), _sarimax_start_params(css, model_trend)
        results = _fit_sarimax(
            endog, exog, order, model_seasonal, model_trend, maxiter, search=True
        )
        if not is_admissible(results.polynomial_ar, results.polynomial_ma):
            return np.inf, None
        return float(getattr(results, criterion)), None

    def score(candidate):
        if candidate not in scores:
            try:
                value, starts[candidate] = fit_candidate(candidate)
            except (ValueError, np.linalg.LinAlgError, IndexError):
                value = np.inf
            scores[candidate] = value if np.isfinite(value) else np.inf
            if verbose:
                order, model_seasonal, model_trend = as_model(candidate)
                print(
                    f"[ARIMA auto] model {len(scores)}: ARIMA{order}{model_seasonal} "
                    f"trend={model_trend!r} {criterion}={scores[candidate]:.3f} ({method})",
                    flush=True,
                )
        return scores[candidate]

    def supported(candidate):
        """Whether the series has the rows this candidate needs (as an explicit order)."""
        p, q, big_p, big_q, _ = candidate
        model_seasonal = (big_p, seasonal_d, big_q, period)
        return _rows_needed(p, d, q, model_seasonal, n_exog) <= len(endog)

    def allowed(candidate):
        p, q, big_p, big_q, constant = candidate
        return (
            0 <= p <= _MAX_P
            and 0 <= q <= _MAX_Q
            and 0 <= big_p <= (_MAX_SEASONAL_P if seasonal else 0)
            and 0 <= big_q <= (_MAX_SEASONAL_Q if seasonal else 0)
            and (search_constant or constant == (d + seasonal_d <= 1))
            and supported(candidate)
        )

    def neighbours(candidate):
        p, q, big_p, big_q, constant = candidate
        moves = [(1, 0, 0, 0), (0, 1, 0, 0), (1, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1), (0, 0, 1, 1)]
        for move in moves:
            for sign in (1, -1):
                dp, dq, dbp, dbq = (sign * m for m in move)
                yield (p + dp, q + dq, big_p + dbp, big_q + dbq, constant)
        if search_constant:
            yield (p, q, big_p, big_q, not constant)

    constant = d + seasonal_d <= 1
    s = 1 if seasonal else 0
    first = [(2, 2, s, s, constant), (0, 0, 0, 0, constant), (1, 0, s, 0, constant)]
    first.append((0, 1, 0, s, constant))
    if not supported(first[0]):
        p, q, big_p, big_q, _ = first[0]
        needed = _rows_needed(p, d, q, (big_p, seasonal_d, big_q, period), n_exog)
        warn(
            f"order='auto': the series has {len(endog)} values, fewer than the "
            f"{needed} that the search's largest starting model, ARIMA({p}, {d}, {q})"
            f"({big_p}, {seasonal_d}, {big_q}, {period}), needs; only the smaller orders "
            "that the series supports were searched.",
            UserWarning,
        )
    best = min((c for c in first if allowed(c)), key=score)
    while len(scores) < _MAX_MODELS:
        candidates = [c for c in neighbours(best) if allowed(c)]
        challenger = min(candidates, key=score, default=best)
        if score(challenger) >= score(best):
            break
        best = challenger

    if not np.isfinite(score(best)):
        raise ValueError(
            "order='auto' could not fit any ARIMA model to this series; check that it is "
            "long enough and not constant, or give an explicit order."
        )
    ranked = sorted((c for c in scores if np.isfinite(scores[c])), key=scores.get)
    rows = []
    for candidate, value in scores.items():
        order, model_seasonal, model_trend = as_model(candidate)
        rows.append(
            {
                "order": order,
                "seasonal_order": model_seasonal,
                "trend": model_trend,
                criterion: value,
            }
        )
    table = pd.DataFrame(rows).sort_values(criterion, ignore_index=True, kind="stable")
    return [(*as_model(c), starts[c]) for c in ranked], table


def _at_times(matrix, times):
    """Slices of a state-space matrix at the given times (time is its last axis)."""
    if matrix.shape[-1] == 1:
        return np.repeat(matrix, len(times), axis=-1)
    return matrix[..., times]


def _forecast_std_from_each_origin(results, first_origin, n_origins, horizon):
    """Standard deviations of the forecasts of ``_forecasts_from_each_origin``.

    The filter's predicted state covariance P[t+1 | t] is propagated through the state
    equation (P <- T P T' + R Q R'); the forecast variance is Z P Z' + H, as in
    statsmodels' own ``get_forecast``.
    """
    ssm = results.model.ssm
    origins = first_origin + np.arange(n_origins)

    def at(matrix, times):  # time-first, for batched matrix products
        return np.moveaxis(_at_times(matrix, times), -1, 0)

    cov = np.moveaxis(results.filter_results.predicted_state_cov[:, :, origins + 1], -1, 0)
    std = np.empty((n_origins, horizon))
    for step in range(horizon):
        times = origins + 1 + step
        design = at(ssm.design, times)
        variance = design @ cov @ design.transpose(0, 2, 1) + at(ssm.obs_cov, times)
        std[:, step] = np.sqrt(np.maximum(variance[:, 0, 0], 0.0))
        if step + 1 < horizon:
            transition, selection = at(ssm.transition, times), at(ssm.selection, times)
            cov = transition @ cov @ transition.transpose(0, 2, 1)
            cov += selection @ at(ssm.state_cov, times) @ selection.transpose(0, 2, 1)
    return std


def _forecasts_from_each_origin(results, first_origin, n_origins, horizon):
    """Forecasts of steps 1..horizon from origins ``first_origin``, ... of ``results``.

    The filter's predicted state a[t+1 | t] is propagated through the state equation,
    vectorised over origins; only the (short) horizon is a Python loop. The observation
    intercept (the exogenous effect, from the row known at the origin) is held fixed over
    the horizon, while the state intercept (the trend) follows the time of each step:
    ``results`` must cover ``horizon`` rows after the last origin for that.
    """
    ssm = results.model.ssm
    origins = first_origin + np.arange(n_origins)
    state = results.filter_results.predicted_state[:, origins + 1]
    level = _at_times(ssm.obs_intercept, origins + 1)[0]
    forecasts = np.empty((n_origins, horizon))
    for step in range(horizon):
        times = origins + 1 + step
        design = _at_times(ssm.design, times)
        forecasts[:, step] = np.einsum("ijn,jn->in", design, state)[0] + level
        if step + 1 < horizon:
            transition = _at_times(ssm.transition, times)
            state = np.einsum("ijn,jn->in", transition, state)
            state += _at_times(ssm.state_intercept, times)
    return forecasts


@shared_docs
class ARIMARegressor(RowForecaster):
    """Seasonal ARIMA forecaster (statsmodels SARIMAX) with the sklearn regressor API.

    The target series is one column of ``X``; other columns may enter as exogenous
    regressors. Parameters are estimated once in ``fit``. In ``predict``, each row t is an
    origin: steps t+1..t+h (one per column of the ``y`` seen in ``fit``) are forecast from
    the observations up to row t, with the fitted parameters.

    Which observations come before the first row given to ``predict``:

    - when the rows continue the training rows (a pandas index that starts one step after
      the last training label, as in a ``TimeSeriesSplit`` test fold), the Kalman filter
      continues from the end of the training data; a gap of up to ``horizon - 1`` rows
      (``TimeSeriesSplit(gap=horizon - 1)``) is bridged as missing observations;
    - otherwise (NumPy input, other rows) the filter restarts on the given rows,
      from the model's initial state, so the first few forecasts are less informed.

    Exogenous regressors: the value of a column at t+1 is not known at origin t, so the
    model links the target at t to the exogenous row t-1, and steps beyond t+1 hold the
    exogenous row of the origin fixed. No forecast uses a later row.

    Parameters
    ----------
    order : tuple of 3 int or "auto", default=(1, 0, 0)
        (p, d, q): autoregressive order, differences, moving-average order. With "auto",
        the Hyndman-Khandakar algorithm of R's ``auto.arima``: D (when ``seasonal_order``
        has a period) by the seasonal strength of an STL decomposition, d by repeated
        KPSS tests, then p, q, P, Q by a stepwise search minimising
        ``information_criterion`` from the four Hyndman-Khandakar starting models
        (p, q <= 5, P, Q <= 2; P = Q = 0 for seasons longer than 24 rows, where each
        seasonal term would add a season of states). The candidates are scored as
        ``search_method`` says; the chosen one is then fitted by exact maximum
        likelihood (the next best if that fit fails). A series too short for the largest
        starting model is searched among the orders it can support, with a warning; a
        series of 3 values (too few to compare models by AICc) gets the smallest model,
        ARIMA(0, 0, 0) with a constant, with a warning; only a shorter one is refused.
    seasonal_order : tuple of 4 int or None, default=None
        (P, D, Q, s): seasonal orders and the season length s in rows. None means no
        seasonal part. With ``order="auto"``, only s is used: D, P and Q are chosen.
    trend : {"n", "c", "t", "ct"}, list of int or None, default=None
        Deterministic trend as in statsmodels: none, constant, linear in time, or both;
        None means no trend, except that ``order="auto"`` then also decides whether to
        include a constant (only when d + D <= 1).
    {{target_column}}
    exog_columns : None, "others" or list of int or str, default=None
        Columns of ``X`` used as exogenous regressors: none, every column except the
        target, or the listed positions or names.
    information_criterion : {"aic", "aicc", "bic", "hqic"}, default="aicc"
        Criterion minimised by ``order="auto"``.
    maxiter : int, default=50
        Maximum number of optimizer iterations for each model fit.
    target_transform : {None, "log", "boxcox"}, default=None
        ``"log"`` models the logarithm of a positive target, ``"boxcox"`` its Box-Cox
        transform with Guerrero's lambda (``target_lambda_``, fitted on the training
        series); forecasts and quantiles are returned on the original scale (the point
        forecast is then a median).
    verbose : int, default=0
        With ``order="auto"``, print each model tried and its criterion.
    search_method : {"auto", "css", "ml"}, default="auto"
        How ``order="auto"`` scores its candidates. "css": by a conditional sum of
        squares fit on the differenced series (milliseconds per candidate; the first
        p + P * s residuals are dropped, exogenous regressors are differenced like the
        series and regressed out; candidates with an AR or MA root within 1.01 of the
        unit circle are ruled out), and the chosen model's exact fit starts from its
        CSS estimates. "ml": by an exact-likelihood SARIMAX fit of each candidate
        (seconds per candidate). "auto": CSS when the series is longer than 150 values
        or the season longer than 12 rows, exact otherwise, the rule of R's
        ``auto.arima(approximation=TRUE)``. Ignored with an explicit order.

    Attributes
    ----------
    results_ : statsmodels SARIMAXResults
        The fitted statsmodels results (parameters, ``summary()``, information criteria).
        With ``order="auto"`` and no time trend, the parameters are estimated on the
        differenced series and ``results_`` is the model of the series filtered with
        them (``SARIMAX.filter``): the same likelihood, standard errors from the outer
        product of gradients, and no ``mle_retvals``.
    order_ : tuple of 3 int
        The (p, d, q) order used, the chosen one with ``order="auto"``.
    seasonal_order_ : tuple of 4 int
        The (P, D, Q, s) seasonal order used.
    trend_ : str or list or None
        The trend used.
    search_ : pandas.DataFrame or None
        With ``order="auto"``, every model tried and its criterion, best first (inf
        for models ruled out). The candidates are fitted on the differenced series (as
        R's ``auto.arima`` does), by CSS or exact likelihood (``search_method``), so the
        criterion of the chosen model differs from ``results_``'s, which is an exact
        fit on the series itself. None with an explicit order, or when the series was
        too short to search.
    series_ : ndarray of shape (n_observations,)
        The target history the model is fitted on: X's target column, plus the last row
        of ``y`` when ``y`` is that column shifted ahead (``make_supervised`` output) and
        there are no exogenous columns.
    {{target_index_}}
    exog_indices_ : ndarray of int
        Positions of the exogenous columns in ``X`` (empty without regressors).
    {{n_outputs_}}
    {{index_signature_}}
    n_features_in_ : int
        Number of columns of ``X`` seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X``, when ``X`` is a DataFrame with string column names.

    See Also
    --------
    NaiveRegressor, SeasonalNaiveRegressor : Simpler baselines.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast import ARIMARegressor
    >>> rng = np.random.default_rng(0)
    >>> series = np.zeros(120)
    >>> for t in range(1, 120):
    ...     series[t] = 0.7 * series[t - 1] + rng.normal()
    >>> X, y = series[:-1, None], series[1:]
    >>> model = ARIMARegressor(order="auto").fit(X[:100], y[:100])
    >>> model.order_
    (1, 0, 0)
    >>> model.predict(X[100:]).shape
    (19,)
    """

    def __init__(
        self,
        order=(1, 0, 0),
        seasonal_order=None,
        trend=None,
        target_column=0,
        exog_columns=None,
        information_criterion="aicc",
        maxiter=50,
        target_transform=None,
        verbose=0,
        search_method="auto",
    ):
        self.search_method = search_method
        self.verbose = verbose
        self.target_transform = target_transform
        self.order = order
        self.seasonal_order = seasonal_order
        self.trend = trend
        self.target_column = target_column
        self.exog_columns = exog_columns
        self.information_criterion = information_criterion
        self.maxiter = maxiter

    _parameter_constraints = {
        **ROW_FORECASTER_CONSTRAINTS,
        "order": [StrOptions({"auto"}), tuple, list],  # (p, d, q): checked in _check_params
        "seasonal_order": [tuple, list, None],  # (P, D, Q, s): idem
        "trend": [StrOptions(set(_TREND_STRINGS)), list, tuple, None],
        "exog_columns": [StrOptions({"others"}), list, tuple, None],
        "information_criterion": [StrOptions(set(_CRITERIA))],
        "maxiter": positive_int(),
        "verbose": ["verbose"],
        "search_method": [StrOptions(set(_SEARCH_METHODS))],
    }
    _parameter_hints = {
        **RowForecaster._parameter_hints,
        "order": "Give (p, d, q), e.g. (1, 0, 0), or 'auto' for an automatic search.",
        "trend": "None: no trend, 'c': a constant, 't': linear in time, 'ct': both.",
        "exog_columns": "Use None, 'others' or a list of column positions or names.",
    }

    _min_fit_rows = 2
    _uses_statsmodels = True

    def _extends_with_y(self):
        # The regressors of the values only y holds are unknown.
        return self.exog_columns is None

    def _fit_series(self, series, X):
        seasonal_order = self._seasonal_order
        self.exog_indices_ = self._resolve_exog_columns()
        too_short_to_search = self._check_length(len(series), seasonal_order)
        exog = self._exog(X, previous_row=None)
        if too_short_to_search:
            # The smallest model fits but its AICc is undefined: nothing to compare.
            order, trend = (0, 0, 0), "c" if self.trend is None else self.trend
            seasonal_order = (0, 0, 0, seasonal_order[3])
            self.search_ = None
            self.results_ = _fit_sarimax(series, exog, order, seasonal_order, trend, self.maxiter)
            converged = self.results_.mle_retvals.get("converged", True)
            self._defer_warning(
                f"order='auto': the series has {len(series)} values, too few to compare "
                "models by an information criterion; fitted the smallest model, "
                f"ARIMA(0, 0, 0) with trend={trend!r} (the mean), without a search.",
                UserWarning,
            )
        elif self.order == "auto":
            ranked, self.search_ = _search_order(
                series,
                exog,
                seasonal_order,
                self.trend,
                self.information_criterion,
                self.maxiter,
                self.verbose,
                self.search_method,
                warn=self._defer_warning,
            )
            self.results_, chosen, converged = self._fit_first(series, exog, ranked)
            order, seasonal_order, trend, _ = chosen
        else:
            order, trend, self.search_ = tuple(self.order), self.trend, None
            self.results_ = _fit_sarimax(series, exog, order, seasonal_order, trend, self.maxiter)
            converged = self.results_.mle_retvals.get("converged", True)
        self.order_, self.seasonal_order_, self.trend_ = order, seasonal_order, trend
        self._last_exog_row = X[-1, self.exog_indices_].astype(np.float64)
        if not converged:
            self._defer_warning(
                f"The ARIMA{order} optimizer did not converge in maxiter={self.maxiter} "
                "iterations; increase maxiter or simplify the order.",
                ConvergenceWarning,
            )

    def _fit_first(self, series, exog, ranked):
        """Exact fit of the best-ranked candidate whose exact fit is admissible, and
        whether its optimizer converged.

        The candidate that ranked first can still fail its exact fit, or its exact
        estimates can reach an AR or MA root near the unit circle (that its CSS
        estimates kept away from): the next ones are tried, as R's ``auto.arima`` does,
        up to ``_MAX_EXACT_FITS`` fits; without an admissible one, the best-ranked fit
        that succeeded is kept.
        """
        fallback = None
        for candidate in ranked[:_MAX_EXACT_FITS]:
            order, seasonal_order, trend, start_params = candidate
            try:
                results, converged = _fit_exact(
                    series, exog, order, seasonal_order, trend, self.maxiter, start_params
                )
            except (ValueError, np.linalg.LinAlgError):
                continue
            if not np.isfinite(results.llf):
                continue
            if is_admissible(results.polynomial_ar, results.polynomial_ma):
                return results, candidate, converged
            fallback = fallback or (results, candidate, converged)
        if fallback is None:
            raise ValueError(
                "order='auto' found no ARIMA model whose exact fit succeeds on this series; "
                "check that it is long enough and not constant, or give an explicit order."
            )
        return fallback

    def _forecast(self, before, target, X, skipped, levels):
        n_rows, horizon = len(target), self.n_outputs_
        continuing = before is not None
        lead = 0 if before is None else len(before)
        # Unknown rows (skipped after training) enter the filter as missing observations;
        # ``horizon`` empty rows after the last origin give the time-dependent terms
        # (trend, held exogenous row) of the steps forecast from the last origins.
        endog = np.concatenate([before if continuing else [], target, np.full(horizon, np.nan)])
        exog = self._exog(X, previous_row=self._last_exog_row if continuing else None)
        if exog is not None:
            held = np.repeat(X[-1:, self.exog_indices_].astype(np.float64), horizon, axis=0)
            parts = [exog, held]
            if continuing:
                gap = np.repeat(
                    self._last_exog_row[None, :], lead - len(self.results_.model.exog), axis=0
                )
                parts = [self.results_.model.exog, gap, *parts]
            exog = np.vstack(parts)
        results = self.results_.apply(endog, exog=exog)
        forecasts = _forecasts_from_each_origin(results, lead, n_rows, horizon)
        if levels is None:
            return forecasts
        std = _forecast_std_from_each_origin(results, lead, n_rows, horizon)
        return normal_quantiles(forecasts, std, levels)

    def __getstate__(self):
        state = super().__getstate__()
        # statsmodels' Cython state-space objects cannot be rebuilt from read-only memory
        # (joblib.load(mmap_mode="r"), arrays shared with joblib workers): keep the results
        # as opaque bytes inside the estimator's pickle.
        if "results_" in state:
            state = {**state, "results_": pickle.dumps(state["results_"])}
        return state

    def __setstate__(self, state):
        if isinstance(state.get("results_"), bytes):
            state = {**state, "results_": pickle.loads(state["results_"])}
        super().__setstate__(state)

    def _exog(self, X, previous_row):
        if self.exog_indices_.size == 0:
            return None
        return _lagged(X[:, self.exog_indices_].astype(np.float64), previous_row)

    def _check_params(self):
        """Validate the model parameters; keep the seasonal order as a 4-tuple."""
        if not (self.order == "auto" or _is_order(self.order, 3)):
            raise ValueError(
                "order must be a tuple (p, d, q) of non-negative integers such as (1, 0, 0), "
                f"or 'auto' for an automatic search; got {self.order!r}."
            )
        seasonal_order = (0, 0, 0, 0) if self.seasonal_order is None else self.seasonal_order
        if not _is_order(seasonal_order, 4) or (seasonal_order[3] < 2 and any(seasonal_order[:3])):
            raise ValueError(
                "seasonal_order must be None or a tuple (P, D, Q, s) of non-negative integers "
                f"with a season length s >= 2 (e.g. (0, 1, 1, 12)); got {self.seasonal_order!r}."
            )
        self._seasonal_order = tuple(int(v) for v in seasonal_order)

    def _resolve_exog_columns(self):
        names = getattr(self, "feature_names_in_", None)
        if self.exog_columns is None:
            return np.array([], dtype=int)
        if isinstance(self.exog_columns, str) and self.exog_columns == "others":
            others = np.arange(self.n_features_in_)
            return others[others != self.target_index_]
        if isinstance(self.exog_columns, str) or not hasattr(self.exog_columns, "__iter__"):
            raise ValueError(
                "exog_columns must be None, 'others' or a list of column positions or names; "
                f"got {self.exog_columns!r}."
            )
        indices = np.array(
            [resolve_target_column(c, names, self.n_features_in_) for c in self.exog_columns],
            dtype=int,
        )
        if self.target_index_ in indices:
            raise ValueError(
                "exog_columns includes the target column; list only the other columns."
            )
        return indices

    def _check_length(self, n_rows, seasonal_order):
        """Raise on a series too short for the model; True where ``order="auto"`` can fit
        only the smallest model, without a search."""
        n_exog = self.exog_indices_.size
        if self.order == "auto":
            # The search keeps to the orders the series supports: only the smallest
            # model, white noise with a constant, must fit, with one value more for its
            # information criterion (AICc is undefined at n = parameters + 1).
            smallest = _rows_needed(0, 0, 0, (0, 0, 0, seasonal_order[3]), n_exog)
            needed = smallest + 1
            if n_rows == smallest:
                return True  # the smallest model alone, with a warning
            if n_rows < needed:
                raise ValueError(
                    f"The series is too short for order='auto': {n_rows} values, while "
                    f"the smallest ARIMA model needs at least {smallest}. Pass a longer "
                    "series (make_supervised's y adds the last horizon values to X's rows)."
                )
            return False
        p, d, q = self.order
        needed = _rows_needed(p, d, q, seasonal_order, n_exog)
        if n_rows < needed:
            raise ValueError(
                f"The series is too short: {n_rows} values, while this ARIMA specification "
                f"needs at least {needed}. Pass a longer series or a smaller order."
            )
        return False
