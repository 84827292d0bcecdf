"""Forecast error metrics, as plain functions and as scikit-learn scorers.

Every metric is an error (lower is better) averaged over all rows and all horizon
columns. As with sklearn's ``neg_*`` scorers, the scorers return the negated error, so
that "greater is better" holds in ``cross_validate`` and ``GridSearchCV``::

    from lstmforecast.metrics import get_scorer, make_scorers
    GridSearchCV(model, grid, scoring=get_scorer("smape"), cv=TimeSeriesSplit())
    cross_validate(model, X, y, scoring=make_scorers(), cv=TimeSeriesSplit())

MAPE and sMAPE are in percent. MASE divides the MAE by a naive forecast's MAE: see
:func:`mase` for where that scale comes from.

Probabilistic forecasts (``predict(X, quantiles=...)``) are scored by
:func:`pinball_loss`, :func:`winkler_score` and :func:`interval_coverage`; their
scorers come from :func:`get_interval_scorer`.
"""

import numbers

import numpy as np
from sklearn.metrics import make_scorer
from sklearn.utils.validation import check_consistent_length

from ._preprocessing.sequences import reject_nonfinite

__all__ = [
    "INTERVAL_METRICS",
    "METRICS",
    "get_interval_scorer",
    "get_scorer",
    "interval_coverage",
    "make_scorers",
    "mae",
    "mape",
    "mase",
    "pinball_loss",
    "rmse",
    "smape",
    "winkler_score",
]


def _as_arrays(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    check_consistent_length(y_true, y_pred)
    # A 1-D y against an (n, 1) prediction (or the reverse) is the same forecast; no
    # other shapes are reconciled, since reshaping would pair the wrong values.
    if {y_true.ndim, y_pred.ndim} == {1, 2} and y_true.size == y_pred.size == len(y_true):
        y_pred = y_pred.reshape(y_true.shape)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; they "
            "must match (one column per horizon step)."
        )
    if y_true.size == 0:
        raise ValueError("y_true is empty: there is nothing to score.")
    hint = "drop those rows (e.g. the final rows that have no future) before scoring"
    reject_nonfinite(y_true, "y_true", hint)
    reject_nonfinite(y_pred, "y_pred", hint)
    return y_true, y_pred


def mae(y_true, y_pred):
    """Mean absolute error.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, horizon)
        Actual values.
    y_pred : array-like of the same shape
        Forecasts.

    Returns
    -------
    error : float
        Mean of ``|y_true - y_pred|`` over all entries.

    Examples
    --------
    >>> from lstmforecast.metrics import mae
    >>> mae([1.0, 2.0, 4.0], [1.0, 3.0, 2.0])
    1.0
    """
    y_true, y_pred = _as_arrays(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


def rmse(y_true, y_pred):
    """Root mean squared error.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, horizon)
        Actual values.
    y_pred : array-like of the same shape
        Forecasts.

    Returns
    -------
    error : float
        Square root of the mean of ``(y_true - y_pred) ** 2`` over all entries.

    Examples
    --------
    >>> from lstmforecast.metrics import rmse
    >>> rmse([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 6.0])
    1.0
    """
    y_true, y_pred = _as_arrays(y_true, y_pred)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def mape(y_true, y_pred):
    """Mean absolute percentage error, in percent.

    Undefined where ``y_true`` is 0: those entries are divided by machine epsilon (as in
    sklearn), which makes the error huge. Prefer :func:`smape` or :func:`mase` for series
    that reach zero.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, horizon)
        Actual values.
    y_pred : array-like of the same shape
        Forecasts.

    Returns
    -------
    error : float
        ``100 * mean(|y_true - y_pred| / |y_true|)``.

    Examples
    --------
    >>> from lstmforecast.metrics import mape
    >>> mape([100.0, 200.0], [110.0, 180.0])
    10.0
    """
    y_true, y_pred = _as_arrays(y_true, y_pred)
    scale = np.maximum(np.abs(y_true), np.finfo(np.float64).eps)
    return float(100 * np.mean(np.abs(y_true - y_pred) / scale))


def smape(y_true, y_pred):
    """Symmetric mean absolute percentage error, in percent (0 to 200).

    Each entry is ``2 |y_true - y_pred| / (|y_true| + |y_pred|)``; an entry where both
    are 0 is a perfect forecast and counts as 0.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, horizon)
        Actual values.
    y_pred : array-like of the same shape
        Forecasts.

    Returns
    -------
    error : float
        ``100 * mean(2 |y_true - y_pred| / (|y_true| + |y_pred|))``.

    Examples
    --------
    >>> from lstmforecast.metrics import smape
    >>> smape([100.0, 0.0], [300.0, 0.0])
    50.0
    """
    y_true, y_pred = _as_arrays(y_true, y_pred)
    denominator = np.abs(y_true) + np.abs(y_pred)
    ratio = np.divide(
        2 * np.abs(y_true - y_pred),
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    return float(100 * np.mean(ratio))


def mase(y_true, y_pred, *, season_length=1, y_train=None):
    """Mean absolute scaled error: the MAE divided by a seasonal naive forecast's MAE.

    Below 1, the forecast beats repeating the value from ``season_length`` rows earlier.

    The scale is the mean of ``|s[t] - s[t - season_length]|`` over a series ``s``: the
    training series when ``y_train`` is given (Hyndman and Koehler's definition), else the
    first column of ``y_true`` itself, the evaluated series one step ahead. Scorers see
    only the evaluated fold, so :func:`get_scorer` uses the latter: the error is then
    relative to how hard the evaluated period is to forecast naively.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, horizon)
        Actual values, time-ordered.
    y_pred : array-like of the same shape
        Forecasts.
    season_length : int, default=1
        Lag of the naive forecast that sets the scale (1: last value).
    y_train : array-like of shape (n_train,), default=None
        Training series to take the scale from.

    Returns
    -------
    error : float
        ``mae(y_true, y_pred) / scale``.

    Examples
    --------
    >>> from lstmforecast.metrics import mase
    >>> mase([1.0, 2.0, 3.0, 4.0], [1.5, 2.5, 3.5, 4.5])
    0.5
    """
    y_true, y_pred = _as_arrays(y_true, y_pred)
    if (
        not isinstance(season_length, numbers.Integral)
        or isinstance(season_length, bool)
        or season_length < 1
    ):
        raise ValueError(f"season_length must be a positive integer, got {season_length!r}.")
    series = y_true if y_train is None else np.asarray(y_train, dtype=np.float64)
    series = series.reshape(len(series), -1)[:, 0]
    if len(series) <= season_length:
        raise ValueError(
            f"MASE needs more than season_length={season_length} values to compute its "
            f"naive scale, got {len(series)}; use a longer series or a smaller season_length."
        )
    scale = np.mean(np.abs(series[season_length:] - series[:-season_length]))
    if scale == 0:
        raise ValueError(
            "MASE is undefined: the naive forecast is perfect on this series (constant "
            "series, scale 0). Use mae instead."
        )
    return float(mae(y_true, y_pred) / scale)


METRICS = {"mae": mae, "rmse": rmse, "mape": mape, "smape": smape, "mase": mase}
"""Metric functions by name."""


def get_scorer(name, *, season_length=1):
    """An sklearn scorer for a metric, by name.

    Parameters
    ----------
    name : {"mae", "rmse", "mape", "smape", "mase"}
        Metric name; the ``"neg_"`` prefix used by sklearn (``"neg_smape"``) is accepted.
    season_length : int, default=1
        Only for ``"mase"``: lag of the naive forecast that sets the scale.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)`` returning the negated error (greater is better).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyRegressor
    >>> from lstmforecast.metrics import get_scorer
    >>> X, y = np.zeros((4, 1)), np.array([1.0, 2.0, 3.0, 4.0])
    >>> get_scorer("mae")(DummyRegressor().fit(X, y), X, y)
    -1.0
    """
    key = name.removeprefix("neg_") if isinstance(name, str) else name
    if key not in METRICS:
        raise ValueError(f"Unknown metric {name!r}; choose one of {sorted(METRICS)}.")
    kwargs = {"season_length": season_length} if key == "mase" else {}
    return make_scorer(METRICS[key], greater_is_better=False, **kwargs)


def make_scorers(names=None, *, season_length=1):
    """Scorers for several metrics, as a dict for ``scoring=`` in sklearn.

    Parameters
    ----------
    names : list of str, default=None
        Metric names (see :func:`get_scorer`); all of them when None.
    season_length : int, default=1
        Lag of MASE's naive scale.

    Returns
    -------
    scorers : dict
        ``{"neg_<name>": scorer}``; the keys follow sklearn's naming of negated errors,
        so ``cross_validate`` reports ``test_neg_mae`` and so on.

    Examples
    --------
    >>> from lstmforecast.metrics import make_scorers
    >>> sorted(make_scorers(["mae", "smape"]))
    ['neg_mae', 'neg_smape']
    """
    names = list(METRICS) if names is None else names
    return {
        "neg_" + name.removeprefix("neg_"): get_scorer(name, season_length=season_length)
        for name in names
    }


# -- probabilistic forecasts ------------------------------------------------------------


def _interval_arrays(y_true, lower, upper):
    y_true, lower = _as_arrays(y_true, lower)
    _, upper = _as_arrays(y_true, upper)
    if np.any(lower > upper):
        raise ValueError("lower must not exceed upper: are the bounds swapped?")
    return y_true, lower, upper


def pinball_loss(y_true, y_quantiles, quantiles):
    """Mean pinball (quantile) loss of quantile forecasts.

    For a level q and error ``e = y_true - forecast``, the loss is ``q e`` when the
    forecast is below the actual value and ``(q - 1) e`` above it; the q-quantile of the
    actual distribution minimises it. Averaged over rows, horizon steps and levels.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, horizon)
        Actual values.
    y_quantiles : array-like of shape (n_samples, n_quantiles) or \
(n_samples, horizon, n_quantiles)
        Quantile forecasts, as returned by ``predict(X, quantiles=quantiles)``.
    quantiles : list of float
        The levels, in the order of ``y_quantiles``' last axis.

    Returns
    -------
    loss : float

    Examples
    --------
    >>> from lstmforecast.metrics import pinball_loss
    >>> pinball_loss([10.0, 10.0], [[8.0, 12.0], [9.0, 11.0]], quantiles=[0.1, 0.9])
    0.15
    """
    from ._utils.quantiles import check_quantiles

    levels = check_quantiles(quantiles)
    y_true = np.asarray(y_true, dtype=np.float64)
    y_quantiles = np.asarray(y_quantiles, dtype=np.float64)
    if y_quantiles.shape != (*y_true.shape, len(levels)):
        raise ValueError(
            f"y_quantiles has shape {y_quantiles.shape}; expected {(*y_true.shape, len(levels))}"
            " (y_true's shape plus one column per quantile level)."
        )
    if y_true.size == 0:
        raise ValueError("y_true is empty: there is nothing to score.")
    error = y_true[..., None] - y_quantiles
    return float(np.mean(np.maximum(levels * error, (levels - 1) * error)))


def winkler_score(y_true, lower, upper, *, coverage):
    """Mean Winkler (interval) score of central prediction intervals; lower is better.

    The interval's width, plus ``2 / (1 - coverage)`` times the distance by which the
    actual value falls outside it: narrow intervals are rewarded only if they still
    contain the actual values.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, horizon)
        Actual values.
    lower, upper : array-like of the same shape
        Interval bounds.
    coverage : float
        Nominal probability of the intervals, e.g. 0.9.

    Returns
    -------
    score : float

    Examples
    --------
    >>> from lstmforecast.metrics import winkler_score
    >>> winkler_score([5.0, 12.0], [4.0, 4.0], [6.0, 6.0], coverage=0.5)
    14.0
    """
    from ._utils.quantiles import coverage_quantiles

    coverage_quantiles(coverage)  # validates it
    y_true, lower, upper = _interval_arrays(y_true, lower, upper)
    penalty = 2 / (1 - coverage)
    outside = np.maximum(lower - y_true, 0) + np.maximum(y_true - upper, 0)
    return float(np.mean(upper - lower + penalty * outside))


def interval_coverage(y_true, lower, upper):
    """Share of actual values inside their interval ``[lower, upper]`` (empirical coverage).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, horizon)
        Actual values.
    lower, upper : array-like of the same shape
        Interval bounds.

    Returns
    -------
    coverage : float
        Between 0 and 1; compare it with the nominal coverage of the intervals.

    Examples
    --------
    >>> from lstmforecast.metrics import interval_coverage
    >>> interval_coverage([1.0, 5.0, 3.0, 2.0], [0.0, 0.0, 0.0, 0.0], [2.0, 2.0, 4.0, 4.0])
    0.75
    """
    y_true, lower, upper = _interval_arrays(y_true, lower, upper)
    return float(np.mean((y_true >= lower) & (y_true <= upper)))


INTERVAL_METRICS = ("coverage", "winkler", "pinball")
"""Names of the interval metrics: empirical coverage, Winkler score, pinball loss."""


class _IntervalScorer:
    """Scores ``estimator.predict(X, quantiles=[lower, upper])`` of a central interval."""

    def __init__(self, name, coverage):
        self.name, self.coverage = name, coverage

    def __call__(self, estimator, X, y_true):
        from ._utils.quantiles import coverage_quantiles

        levels = list(coverage_quantiles(self.coverage))
        bounds = np.asarray(estimator.predict(X, quantiles=levels), dtype=np.float64)
        return -interval_score(self.name, y_true, bounds, self.coverage)

    def __repr__(self):
        return f"get_interval_scorer({self.name!r}, coverage={self.coverage!r})"


def interval_score(name, y_true, bounds, coverage):
    """One interval metric of ``bounds`` (..., 2) from ``predict(X, quantiles=[lo, hi])``,
    as an error: the coverage metric is the absolute miss of the nominal coverage."""
    from ._utils.quantiles import coverage_quantiles

    lower, upper = bounds[..., 0], bounds[..., 1]
    if name == "coverage":
        return abs(interval_coverage(y_true, lower, upper) - coverage)
    if name == "winkler":
        return winkler_score(y_true, lower, upper, coverage=coverage)
    return pinball_loss(y_true, bounds, quantiles=coverage_quantiles(coverage))


def get_interval_scorer(name, *, coverage=0.9):
    """An sklearn scorer for central prediction intervals of probability ``coverage``.

    The scorer asks the estimator for ``predict(X, quantiles=[(1 - coverage) / 2, (1 +
    coverage) / 2])`` and returns a negated error (greater is better), so it works in
    ``GridSearchCV`` and ``cross_validate``.

    Parameters
    ----------
    name : {"coverage", "winkler", "pinball"}
        "coverage": the absolute difference between empirical and nominal coverage;
        "winkler": :func:`winkler_score`; "pinball": :func:`pinball_loss` of the two
        bounds. The ``"neg_"`` prefix is accepted.
    coverage : float, default=0.9
        Nominal probability of the intervals.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)``.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast import ConformalForecaster, NaiveRegressor
    >>> from lstmforecast.metrics import get_interval_scorer
    >>> X = np.cumsum(np.random.default_rng(0).normal(size=300))[:, None]
    >>> model = ConformalForecaster(NaiveRegressor()).fit(X[:-1], X[1:, 0])
    >>> get_interval_scorer("winkler", coverage=0.8)(model, X[:-1], X[1:, 0]) < 0
    True
    """
    from ._utils.quantiles import coverage_quantiles

    key = name.removeprefix("neg_") if isinstance(name, str) else name
    if key not in INTERVAL_METRICS:
        raise ValueError(
            f"Unknown interval metric {name!r}; choose one of {list(INTERVAL_METRICS)}."
        )
    coverage_quantiles(coverage)
    return _IntervalScorer(key, coverage)
