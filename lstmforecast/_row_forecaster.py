"""Shared base of the row forecasters (ARIMA, ETS, Theta, naive, seasonal naive).

They follow the same data contract as the LSTM pipeline: rows of ``X`` are time-ordered
and row t holds what is known at time t, including the target's own value (one column of
``X``); ``y`` holds what to predict from row t (t+1, or t+1..t+h as columns). Every row
given to ``predict`` is a forecast origin; rows that continue the fitted rows (by their
pandas index) continue the fitted history, other rows restart from the given rows alone.
"""

import numbers
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._time_index import continues, index_signature


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
    from threadpoolctl import threadpool_limits

    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore")
        yield


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


class RowForecaster(RegressorMixin, BaseEstimator):
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
        skipped = rows_skipped(self.index_signature_, X, self.horizon_ - 1)
        X = validate_data(self, X, reset=False)
        return X, skipped

    def _shape_output(self, predictions):
        predictions = np.asarray(predictions, dtype=np.float64)
        return predictions[:, 0] if self._y_is_1d else predictions
