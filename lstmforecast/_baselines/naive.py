"""Naive forecasting baselines that follow the same data contract as the LSTM pipeline.

Rows of ``X`` are time-ordered and row t holds what is known at time t, including the
target's own value; ``y`` holds what to predict from row t (t+1, or t+1..t+h as columns).
The baselines read the target column of ``X`` and never look at a later row.
"""

import numpy as np

from .._utils.deprecation import renamed_attribute
from .._utils.docstrings import shared_docs
from .._utils.params import SEASON_LENGTH_HINT, positive_int
from .row_forecaster import ROW_FORECASTER_CONSTRAINTS, RowForecaster

__all__ = ["NaiveRegressor", "SeasonalNaiveRegressor"]


@shared_docs
class NaiveRegressor(RowForecaster):
    """Last-value forecast: every future step equals the target's value at the origin.

    For row t of ``X`` and each horizon column k of ``y``, the prediction is the value of
    the target column at row t. It is the reference any forecaster has to beat.

    Parameters
    ----------
    {{target_column}}
    target_transform : {None, "log", "boxcox"}, default=None
        ``"log"`` works on the logarithm of a positive target (``"boxcox"``: its Box-Cox
        transform with Guerrero's lambda, ``target_lambda_``): the point forecasts do not
        change, the residuals behind the quantiles become relative (multiplicative).

    Attributes
    ----------
    {{target_index_}}
    series_ : ndarray of shape (n_observations,)
        The target history seen in ``fit``: X's target column, plus the last row of ``y``
        when ``y`` is that column shifted ahead (``make_supervised`` output).
    residuals_ : ndarray of shape (n_origins, horizon)
        In-sample forecast errors at each step ahead (NaN past the end of the history),
        on the transformed scale; ``predict(X, quantiles=...)`` adds their empirical
        quantiles to the forecasts.
    {{n_outputs_}}
    {{index_signature_}}
    n_features_in_ : int
        Number of columns of ``X`` seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X``, when ``X`` is a DataFrame with string column names.

    See Also
    --------
    SeasonalNaiveRegressor : Repeats the value one season earlier.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast import NaiveRegressor
    >>> series = np.array([1.0, 2.0, 4.0, 7.0, 11.0])
    >>> X, y = series[:-1, None], series[1:]
    >>> NaiveRegressor().fit(X, y).predict(X)
    array([1., 2., 4., 7.])
    """

    def __init__(self, target_column=0, target_transform=None):
        self.target_column = target_column
        self.target_transform = target_transform

    def _fit_series(self, series, X):
        self.residuals_ = self._in_sample_residuals(series)

    def _forecast(self, before, target, X, skipped, levels):
        forecasts = np.repeat(target[:, None], self.n_outputs_, axis=1)
        return forecasts if levels is None else self._residual_quantiles(forecasts, levels)


@shared_docs
class SeasonalNaiveRegressor(RowForecaster):
    """Seasonal last-value forecast: repeat the value observed one season earlier.

    From origin row t, step k (1-based) is predicted by the target's value at row
    ``t + k - season_length * ceil(k / season_length)``, the latest row of the same season
    that is known at t.

    History: when the rows given to ``predict`` follow the rows seen in ``fit`` (a pandas
    index one step after the last fitted label, as for a test fold that follows its
    training fold, or up to ``horizon - 1`` steps later, the gap that keeps multi-step
    targets apart), the last ``season_length`` training values supply the seasons before
    the first row. Rows whose same-season value is not available (other inputs, skipped
    rows, training shorter than a season) fall back to the naive forecast, the target's
    value at the origin row: the output never contains NaN and never uses a later row.

    Parameters
    ----------
    season_length : int, default=1
        Number of rows in one season (12 for monthly data with a yearly cycle). With 1,
        this is the naive forecast.
    {{target_column}}
    target_transform : {None, "log", "boxcox"}, default=None
        ``"log"`` works on the logarithm of a positive target (``"boxcox"``: its Box-Cox
        transform with Guerrero's lambda, ``target_lambda_``): the point forecasts do not
        change, the residuals behind the quantiles become relative (multiplicative).

    Attributes
    ----------
    {{target_index_}}
    series_ : ndarray of shape (n_observations,)
        The target history seen in ``fit``: X's target column, plus the last row of ``y``
        when ``y`` is that column shifted ahead (``make_supervised`` output).
    residuals_ : ndarray of shape (n_origins, horizon)
        In-sample forecast errors at each step ahead (NaN past the end of the history),
        on the transformed scale; ``predict(X, quantiles=...)`` adds their empirical
        quantiles to the forecasts.
    {{n_outputs_}}
    last_season_ : ndarray of shape (min(season_length, n_observations),)
        The last season of ``series_``.
    {{index_signature_}}
    n_features_in_ : int
        Number of columns of ``X`` seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X``, when ``X`` is a DataFrame with string column names.

    See Also
    --------
    NaiveRegressor : Repeats the last value.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast import SeasonalNaiveRegressor
    >>> series = np.array([1.0, 5.0, 2.0, 6.0, 3.0, 7.0])
    >>> X, y = series[:-1, None], series[1:]
    >>> SeasonalNaiveRegressor(season_length=2).fit(X, y).predict(X)
    array([1., 1., 5., 2., 6.])

    The first row has no value one season back, so it falls back to its own value.
    """

    def __init__(self, season_length=1, target_column=0, target_transform=None):
        self.season_length = season_length
        self.target_column = target_column
        self.target_transform = target_transform

    _parameter_constraints = {**ROW_FORECASTER_CONSTRAINTS, "season_length": positive_int()}
    # Its last season was ``history_`` before 0.2, a word that also meant training losses.
    _renamed_attributes = {**RowForecaster._renamed_attributes, "history_": "last_season_"}
    history_ = renamed_attribute("history_", "last_season_")
    _parameter_hints = {**RowForecaster._parameter_hints, "season_length": SEASON_LENGTH_HINT}

    def _fit_series(self, series, X):
        self.last_season_ = self._from_model_scale(series[-self.season_length :])
        # Origins without a full season behind them fall back to the naive forecast:
        # their errors would blur the seasonal forecast's own.
        self.residuals_ = self._in_sample_residuals(series, first_origin=self.season_length - 1)

    def _forecast(self, before, target, X, skipped, levels):
        history = target[:0] if before is None else before
        series = np.concatenate([history, target])
        steps = np.arange(1, self.n_outputs_ + 1)
        # How far back from the origin the same-season value lies, for each step k.
        lag = self.season_length * np.ceil(steps / self.season_length).astype(int) - steps
        origins = len(history) + np.arange(len(target))
        positions = origins[:, None] - lag[None, :]
        seasonal = series[np.maximum(positions, 0)]
        available = (positions >= 0) & ~np.isnan(seasonal)
        forecasts = np.where(available, seasonal, target[:, None])
        return forecasts if levels is None else self._residual_quantiles(forecasts, levels)
