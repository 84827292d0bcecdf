"""Shared base of the row forecasters (ARIMA, ETS, Theta, naive, seasonal naive).

They follow the same data contract as the LSTM pipeline: rows of ``X`` are time-ordered
and row t holds what is known at time t, including the target's own value (one column of
``X``); ``y`` holds what to predict from row t (t+1, or t+1..t+h as columns). Every row
given to ``predict`` is a forecast origin; rows that continue the fitted rows (by their
pandas index) continue the fitted history, other rows restart from the given rows alone.
"""

import functools
import numbers
import warnings
from contextlib import contextmanager, nullcontext
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._utils.deprecation import RenamedState, renamed_attribute
from .._utils.params import HintedParams
from .._utils.quantiles import check_quantiles
from .._utils.seasonality import frequency_season
from .._utils.target_transform import TRANSFORMS, check_positive, fit_lambda
from .._utils.target_transform import forward as transform_forward
from .._utils.target_transform import inverse as transform_inverse
from .._utils.time_index import check_time_rows, index_signature, rows_skipped
from .._utils.transaction import transactional


@contextmanager
def statsmodels_context():
    """Quiet, single-threaded BLAS while statsmodels runs.

    statsmodels warns freely (start parameters, convergence of candidate models during
    the search, interpolated KPSS p-values): the estimator stays quiet and reports
    non-convergence of the final model itself. Importing statsmodels installs "always"
    filters for its warnings: it is imported first, so that they neither outrank the
    "ignore" below nor vanish with it.

    The Kalman filter works on tiny matrices, where a multi-threaded BLAS only adds
    synchronisation: one thread makes fits several times (up to 50x on busy cores) faster.
    """
    import statsmodels.tsa.statespace.sarimax  # noqa: F401
    import statsmodels.tsa.stattools  # noqa: F401

    with warnings.catch_warnings(), _blas_controller().limit(limits=1, user_api="blas"):
        warnings.simplefilter("ignore")
        yield


@functools.cache
def _blas_controller():
    """One threadpoolctl controller for the process: finding the loaded libraries reads
    the process's memory map, ~5 ms a time, as long as a fast ETS fit. It is made once
    statsmodels (with numpy's and scipy's BLAS) is imported."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


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


# The parameters every row forecaster has; each subclass adds its own.
ROW_FORECASTER_CONSTRAINTS = {
    "target_column": [Integral, str],
    "target_transform": [StrOptions({t for t in TRANSFORMS if t is not None}), None],
}


class RowForecaster(RegressorMixin, HintedParams, RenamedState, BaseEstimator):
    """Shared fit/predict plumbing: validation, target column, horizon and output shape."""

    _parameter_constraints = ROW_FORECASTER_CONSTRAINTS
    # The number of y columns was ``horizon_`` before 0.2; sklearn and LSTMRegressor say
    # n_outputs_.
    _renamed_attributes = {"horizon_": "n_outputs_"}
    horizon_ = renamed_attribute("horizon_", "n_outputs_")
    _parameter_hints = {
        "target_column": "Give the target column's position in X or, for a DataFrame, its name.",
    }

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
        if y.dtype.kind not in "biuf":
            raise ValueError(
                f"y must hold numbers (the values to forecast), got dtype {y.dtype} "
                f"(e.g. {y.ravel()[0]!r}). Convert it to numbers, e.g. y.astype(float)."
            )
        self.target_index_ = resolve_target_column(
            self.target_column, getattr(self, "feature_names_in_", None), self.n_features_in_
        )
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        self._y_is_1d = y.ndim == 1
        return X, y

    def _validate_predict_data(self, X):
        """Validated X, and the rows skipped since the fitted rows (None: unrelated rows).

        Gaps up to ``n_outputs_ - 1`` rows, those that keep multi-step training targets out
        of a following test fold, are bridged.
        """
        check_is_fitted(self)
        X = as_frame_if_series(X)
        check_time_rows(X)
        skipped = rows_skipped(self.index_signature_, X, self.n_outputs_ - 1)
        X = validate_data(self, X, reset=False)
        return X, skipped

    def _shape_output(self, predictions):
        predictions = np.asarray(predictions, dtype=np.float64)
        return predictions[:, 0] if self._y_is_1d else predictions

    # The template below is shared by every row forecaster. A subclass provides
    # ``_parameter_constraints``, ``_check_params()`` (checks across parameters, after
    # sklearn's validation), ``_fit_series(series, X)`` (the series on the model's scale)
    # and ``_forecast(before, target, X, skipped, levels)``: forecasts from every row of
    # ``target``, (n_rows, horizon) on the model's scale, or (n_rows, horizon, n_levels)
    # quantiles when ``levels`` is given; ``before`` holds the known values before the
    # first row (NaN where unknown) or is None when the rows restart.

    _min_fit_rows = 1
    _uses_statsmodels = False

    def _model_context(self):
        return statsmodels_context() if self._uses_statsmodels else nullcontext()

    @transactional
    def fit(self, X, y):
        """Fit the forecaster on the target column of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or pandas.Series
            Time-ordered rows; one column is the target series.
        y : array-like of shape (n_timesteps,) or (n_timesteps, horizon)
            What is predicted from each row; its number of columns sets the horizon. When
            ``y`` is the target column shifted ahead (as ``make_supervised`` makes it), its
            last row adds the final ``horizon`` values to the history.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        self._check_params()
        frequency = frequency_season(getattr(as_frame_if_series(X), "index", None))
        X, y = self._validate_fit_data(X, y, min_samples=self._min_fit_rows)
        target = X[:, self.target_index_].astype(np.float64)
        self._n_fit_rows = len(X)
        self.series_ = observed_series(target, y) if self._extends_with_y() else target
        self.target_lambda_ = None
        if self.target_transform is not None:
            check_positive(self.series_, self.target_transform, "the training target")
            self.target_lambda_ = fit_lambda(self.target_transform, self.series_, frequency)
        series = self._to_model_scale(self.series_, "the training target")
        self._deferred_warnings = []
        try:
            with self._model_context():
                self._fit_series(series, X)
        finally:
            deferred = self._deferred_warnings
            del self._deferred_warnings
        for message, category in deferred:
            warnings.warn(message, category, stacklevel=2)
        return self

    def _defer_warning(self, message, category=UserWarning):
        """Warn the user once ``fit`` has left the quiet statsmodels context, which
        ignores every warning raised inside it (the package's own included)."""
        self._deferred_warnings.append((message, category))

    def predict(self, X, quantiles=None):
        """Forecast steps t+1..t+h from every row t.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or pandas.Series
            Rows to forecast from, with the columns seen in ``fit``. A pandas ``X`` whose
            index continues the training index (up to ``horizon - 1`` rows later)
            continues the training history; other rows restart from themselves.
        quantiles : array-like of float in (0, 1), sorted ascending, default=None
            Also return these quantiles of the forecast distribution instead of the
            point forecast.

        Returns
        -------
        y_pred : ndarray
            Point forecasts shaped like ``y`` in ``fit``: (n_timesteps,) or
            (n_timesteps, horizon). With ``quantiles``, one more axis of length
            ``len(quantiles)``: (n_timesteps, n_quantiles) or
            (n_timesteps, horizon, n_quantiles).
        """
        X, skipped = self._validate_predict_data(X)
        levels = None if quantiles is None else check_quantiles(quantiles)
        target = self._to_model_scale(X[:, self.target_index_].astype(np.float64), "X's target")
        before = None
        if skipped is not None:
            known = self._to_model_scale(self.series_[: self._n_fit_rows + skipped], "")
            unknown = self._n_fit_rows + skipped - len(known)
            before = np.concatenate([known, np.full(unknown, np.nan)])
        with self._model_context():
            forecasts = self._forecast(before, target, X, skipped, levels)
        return self._shape_output(self._from_model_scale(forecasts))

    def _check_params(self):
        """Checks across parameters, after ``_validate_params``; none by default."""

    def _extends_with_y(self):
        """Whether y's last row may extend the history (not when regressors are needed)."""
        return True

    def _to_model_scale(self, values, what):
        if self.target_transform is None:
            return values
        if what:
            check_positive(values, self.target_transform, what)
        return transform_forward(values, self.target_lambda_)

    def _from_model_scale(self, values):
        return transform_inverse(values, self.target_lambda_)

    def _residual_quantiles(self, forecasts, levels):
        """Quantiles as forecasts plus the in-sample residual quantiles at each step."""
        offsets = np.nanquantile(self.residuals_, levels, axis=0).T  # (horizon, n_levels)
        if np.isnan(offsets).any():
            raise ValueError(
                "Too few training rows to estimate residual quantiles at every step ahead; "
                "fit on a series longer than the horizon (plus one season)."
            )
        return forecasts[:, :, None] + offsets[None, :, :]

    def _in_sample_residuals(self, series, first_origin=0):
        """Errors of the forecasts from each training origin, NaN past the series' end."""
        forecasts = self._forecast(None, series, None, None, None)
        steps = np.arange(1, self.n_outputs_ + 1)
        positions = np.arange(len(series))[:, None] + steps[None, :]
        actual = np.where(
            positions < len(series), series[np.minimum(positions, len(series) - 1)], np.nan
        )
        return (actual - forecasts)[first_origin:]


def normal_quantiles(mean, std, levels):
    """Quantiles of normal forecast distributions: (n, h) means and stds, (k,) levels."""
    from scipy.stats import norm

    return mean[..., None] + std[..., None] * norm.ppf(levels)


def observed_series(target, y):
    """The target history: X's target column, plus y's last row when y continues it.

    ``make_supervised(..., horizon=h)`` puts the last h values of the series only in y's
    last row. They are appended when y is recognisably the target shifted ahead: every
    entry y[i, k] equals the value k+1 rows after row i of the history that X's column
    and y's last row make together. That holds however short the series: with fewer
    rows than the horizon (16 quarterly values, h = 8: 8 rows) the rows of y still
    overlap one another. Otherwise (y unrelated to X, transformed, or a single row, too
    short to tell) the history is X's column alone.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    targets = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    n, horizon = targets.shape
    if n < 2 or not np.all(np.isfinite(targets[-1])):
        return target
    history = np.concatenate([target, targets[-1]])
    ahead = sliding_window_view(history[1:], horizon)  # row i: values i+1 .. i+horizon
    scale = np.max(np.abs(history))
    if not np.allclose(targets, ahead, rtol=1e-9, atol=1e-12 * scale):
        return target
    return history
