"""Naive forecasting baselines that follow the same data contract as the LSTM pipeline.

Rows of ``X`` are time-ordered and row t holds what is known at time t, including the
target's own value; ``y`` holds what to predict from row t (t+1, or t+1..t+h as columns).
The baselines read the target column of ``X`` and never look at a later row.
"""

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._time_index import check_time_rows, continues, index_signature

__all__ = ["NaiveRegressor", "SeasonalNaiveRegressor"]


def rows_skipped(signature, X, max_skipped):
    """Rows missing between the rows seen in ``fit`` and the pandas ``X``.

    0 when ``X`` continues the fitted rows, k when it starts k steps later (as after
    ``TimeSeriesSplit(gap=k)``), None when it does not follow them within ``max_skipped``
    steps (or has no pandas index): then nothing is known of the rows before ``X``.
    """
    if signature is None:
        return None
    last, step = signature
    for skipped in range(max_skipped + 1):
        try:
            shifted = (last + step * skipped, step) if skipped else signature
        except (TypeError, ValueError):
            return None
        if continues(shifted, X):
            return skipped
    return None


def as_frame_if_series(X):
    """A pandas Series is one time series: treat it as a one-column DataFrame."""
    return X.to_frame() if isinstance(X, pd.Series) else X


def resolve_target_column(target_column, feature_names, n_features):
    """Position of ``target_column`` (an int position or a column name) among the features."""
    if isinstance(target_column, str):
        if feature_names is None:
            raise ValueError(
                f"target_column={target_column!r} names a column, but X has no column names. "
                "Pass X as a pandas DataFrame or give target_column as an integer position."
            )
        matches = np.flatnonzero(np.asarray(feature_names) == target_column)
        if matches.size == 0:
            raise ValueError(
                f"target_column={target_column!r} is not a column of X; "
                f"the columns are {list(feature_names)}."
            )
        return int(matches[0])
    if isinstance(target_column, numbers.Integral) and not isinstance(target_column, bool):
        if not -n_features <= target_column < n_features:
            raise ValueError(
                f"target_column={target_column} is out of range for X with {n_features} "
                f"column(s); use a position in [0, {n_features - 1}] or a column name."
            )
        return int(target_column) % n_features
    raise ValueError(
        f"target_column must be an integer position or a column name, got {target_column!r}."
    )


class _RowForecaster(RegressorMixin, BaseEstimator):
    """Shared fit/predict plumbing: validation, target column, horizon and output shape."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # y may hold one column per horizon step (t+1..t+h).
        tags.target_tags.multi_output = True
        # The prediction comes from X's target column, not from learning y: on data whose
        # y is unrelated to X (as in sklearn's generic checks) the score is poor by design.
        tags.regressor_tags.poor_score = True
        return tags

    def _validate_fit_data(self, X, y, min_samples=1):
        X = as_frame_if_series(X)
        check_time_rows(X)
        # The index is read before validation turns a DataFrame into an array.
        self.index_signature_ = index_signature(X)
        X, y = validate_data(
            self, X, y, multi_output=True, y_numeric=True, ensure_min_samples=min_samples
        )
        self.target_index_ = resolve_target_column(
            self.target_column, getattr(self, "feature_names_in_", None), self.n_features_in_
        )
        self.horizon_ = 1 if y.ndim == 1 else y.shape[1]
        self._y_is_1d = y.ndim == 1
        return X, y

    def _validate_predict_data(self, X):
        """Validated X, and the rows skipped since the fitted rows (None: unrelated rows).

        Gaps up to ``horizon_ - 1`` rows, those that keep multi-step training targets out
        of a following test fold, are bridged.
        """
        check_is_fitted(self)
        X = as_frame_if_series(X)
        check_time_rows(X)
        skipped = rows_skipped(self.index_signature_, X, self.horizon_ - 1)
        X = validate_data(self, X, reset=False)
        return X, skipped

    def _shape_output(self, predictions):
        predictions = np.asarray(predictions, dtype=np.float64)
        return predictions[:, 0] if self._y_is_1d else predictions


class NaiveRegressor(_RowForecaster):
    """Last-value forecast: every future step equals the target's value at the origin.

    For row t of ``X`` and each horizon column k of ``y``, the prediction is the value of
    the target column at row t. It is the reference any forecaster has to beat.

    Parameters
    ----------
    target_column : int or str, default=0
        Column of ``X`` that holds the target series: a position, or a name when ``X`` is
        a pandas DataFrame.

    Attributes
    ----------
    target_index_ : int
        Position of the target column in ``X``.
    horizon_ : int
        Number of forecast steps, the number of columns of ``y`` seen in ``fit``.
    index_signature_ : tuple or None
        Last index label and step of a pandas ``X`` seen in ``fit`` (None otherwise).
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

    def __init__(self, target_column=0):
        self.target_column = target_column

    def fit(self, X, y):
        """Remember the target column and the horizon.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or pandas.Series
            Time-ordered rows; one column is the target series.
        y : array-like of shape (n_timesteps,) or (n_timesteps, horizon)
            What is predicted from each row (only its shape is used).

        Returns
        -------
        self : NaiveRegressor
            The fitted estimator.
        """
        self._validate_fit_data(X, y)
        return self

    def predict(self, X):
        """Repeat the target value of each row for every horizon step.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or pandas.Series
            Rows to forecast from, with the columns seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_timesteps,) or (n_timesteps, horizon)
            Forecasts from each row, shaped like ``y`` in ``fit``.
        """
        X, _ = self._validate_predict_data(X)
        last_values = X[:, [self.target_index_]]
        return self._shape_output(np.repeat(last_values, self.horizon_, axis=1))


class SeasonalNaiveRegressor(_RowForecaster):
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
    target_column : int or str, default=0
        Column of ``X`` that holds the target series: a position, or a name when ``X`` is
        a pandas DataFrame.

    Attributes
    ----------
    target_index_ : int
        Position of the target column in ``X``.
    horizon_ : int
        Number of forecast steps, the number of columns of ``y`` seen in ``fit``.
    history_ : ndarray of shape (min(season_length, n_timesteps),)
        Last target values of the training rows, used when ``predict`` continues them.
    index_signature_ : tuple or None
        Last index label and step of a pandas ``X`` seen in ``fit`` (None otherwise).
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

    def __init__(self, season_length=1, target_column=0):
        self.season_length = season_length
        self.target_column = target_column

    def fit(self, X, y):
        """Remember the target column, the horizon and the last season of the target.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or pandas.Series
            Time-ordered rows; one column is the target series.
        y : array-like of shape (n_timesteps,) or (n_timesteps, horizon)
            What is predicted from each row (only its shape is used).

        Returns
        -------
        self : SeasonalNaiveRegressor
            The fitted estimator.
        """
        if (
            not isinstance(self.season_length, numbers.Integral)
            or isinstance(self.season_length, bool)
            or self.season_length < 1
        ):
            raise ValueError(
                f"season_length must be a positive integer (rows per season, e.g. 12 for "
                f"monthly data), got {self.season_length!r}."
            )
        X, _ = self._validate_fit_data(X, y)
        self.history_ = X[-self.season_length :, self.target_index_].astype(np.float64)
        return self

    def predict(self, X):
        """Forecast each row's horizon from the same season's latest known value.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or pandas.Series
            Rows to forecast from, with the columns seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_timesteps,) or (n_timesteps, horizon)
            Forecasts from each row, shaped like ``y`` in ``fit``.
        """
        X, skipped = self._validate_predict_data(X)
        target = X[:, self.target_index_].astype(np.float64)
        if skipped is None:
            history = target[:0]
        else:  # the skipped rows are unknown: NaN, replaced by the naive fallback below
            history = np.concatenate([self.history_, np.full(skipped, np.nan)])
        series = np.concatenate([history, target])

        steps = np.arange(1, self.horizon_ + 1)
        # How far back from the origin the same-season value lies, for each step k.
        lag = self.season_length * np.ceil(steps / self.season_length).astype(int) - steps
        origins = len(history) + np.arange(len(target))
        positions = origins[:, None] - lag[None, :]
        seasonal = series[np.maximum(positions, 0)]
        available = (positions >= 0) & ~np.isnan(seasonal)
        naive = target[:, None]
        return self._shape_output(np.where(available, seasonal, naive))
