"""Look-back windows over time-ordered rows, as a transformer that keeps y aligned."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._params import check_int
from ._sequences import reject_nonfinite
from ._time_index import continues, index_signature

__all__ = ["Windower"]


class Windower(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Turn time-ordered rows into look-back windows, one window per row.

    Window t holds rows t-look_back+1 .. t, so it ends at row t and ``y[t]`` stays
    aligned: no row is dropped, so ``Pipeline([("win", Windower()), ("lstm",
    LSTMRegressor())])`` works in any cross-validation, and ``win__look_back`` is an
    ordinary hyper-parameter. Rows with too little history are front-padded with NaN,
    which the recurrent estimators read as "no observation" (shorter sequences, never
    values).

    When a pandas ``X`` passed to ``transform`` continues the index seen in ``fit`` (a
    test fold right after its training fold), the last ``look_back - 1`` training rows
    serve as history instead of padding. Nothing later than row t ever enters window t.

    Parameters
    ----------
    look_back : int, default=24
        Number of rows in each window (the sequence length).
    flatten : bool, default=False
        If True, return 2-D windows of shape (n, look_back * n_features), steps oldest
        first and features fastest, so that tabular regressors (Ridge, gradient boosting)
        can be compared on the same windows.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of X seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X seen in ``fit``, when they are all strings.
    history_ : ndarray of shape (look_back - 1, n_features_in_)
        The last rows seen in ``fit`` (NaN-padded when fewer), float32.

    Notes
    -----
    ``transform`` returns a read-only strided view over one padded float32 copy of X:
    its memory is O(n_timesteps * n_features) whatever ``look_back`` is. Copy it (or
    use ``flatten=True``, which must copy) before writing to it.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast import Windower
    >>> windows = Windower(look_back=3).fit_transform(np.arange(5.0).reshape(-1, 1))
    >>> windows.shape
    (5, 3, 1)
    >>> windows[:, :, 0]
    array([[nan, nan,  0.],
           [nan,  0.,  1.],
           [ 0.,  1.,  2.],
           [ 1.,  2.,  3.],
           [ 2.,  3.,  4.]], dtype=float32)
    """

    def __init__(self, look_back=24, flatten=False):
        self.look_back = look_back
        self.flatten = flatten

    def fit(self, X, y=None):
        """Remember the feature layout and the last rows of X.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or (n_timesteps,)
            Time-ordered rows, oldest first.
        y : ignored
            Accepted so that the transformer fits in a Pipeline.

        Returns
        -------
        self : Windower
        """
        check_int(self.look_back, "look_back", minimum=1)
        rows = self._validate_rows(X, reset=True)
        pad = self.look_back - 1
        history = np.full((pad, rows.shape[1]), np.nan, dtype=np.float32)
        if pad:
            tail = rows[-pad:]
            history[pad - len(tail) :] = tail  # a fit set shorter than pad stays NaN-padded
        self.history_ = history
        self._index_signature = index_signature(X)
        return self

    def transform(self, X):
        """Return one look-back window per row of X.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or (n_timesteps,)
            Time-ordered rows. If X is a pandas object whose index continues the one
            seen in ``fit``, the remembered rows are used as history.

        Returns
        -------
        windows : ndarray of shape (n_timesteps, look_back, n_features), or \
(n_timesteps, look_back * n_features) when ``flatten=True``
            float32; window t ends at row t.
        """
        check_is_fitted(self, "history_")
        rows = self._validate_rows(X, reset=False)
        if continues(self._index_signature, X):
            history = self.history_
        else:
            history = np.full_like(self.history_, np.nan)
        # One float32 copy of the rows behind the padding; the windows are views into it.
        padded = np.empty((len(history) + len(rows), rows.shape[1]), dtype=np.float32)
        padded[: len(history)] = history
        padded[len(history) :] = rows
        windows = np.lib.stride_tricks.sliding_window_view(padded, self.look_back, axis=0)
        windows = windows.transpose(0, 2, 1)  # (n, features, look_back) -> (n, look_back, f)
        if self.flatten:
            return windows.reshape(len(rows), -1)
        return windows

    def fit_transform(self, X, y=None):
        """Fit to X, then return its windows (the first rows front-padded with NaN).

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or (n_timesteps,)
            Time-ordered rows, oldest first.
        y : ignored

        Returns
        -------
        windows : ndarray
            As :meth:`transform`.
        """
        self.fit(X)
        signature, self._index_signature = self._index_signature, None
        try:
            return self.transform(X)
        finally:
            self._index_signature = signature

    def get_feature_names_out(self, input_features=None):
        """Names of the flattened window columns, ``"<feature>_lag<k>"``.

        Only defined for ``flatten=True``: 3-D windows have no column names.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input feature names; ``feature_names_in_`` or ``x0, x1, ...`` when None.

        Returns
        -------
        names : ndarray of str of shape (look_back * n_features_in_,)
        """
        check_is_fitted(self, "history_")
        if not self.flatten:
            raise ValueError(
                "3-D windows have no column names; use Windower(flatten=True) to get "
                "named 2-D columns."
            )
        from sklearn.utils.validation import _check_feature_names_in

        names = _check_feature_names_in(self, input_features)
        lags = range(self.look_back - 1, -1, -1)
        return np.asarray([f"{name}_lag{lag}" for lag in lags for name in names], dtype=object)

    def _validate_rows(self, X, reset):
        if not hasattr(X, "ndim") and not hasattr(X, "to_frame"):
            X = np.asarray(X)  # a list of values is one series too
        if getattr(X, "ndim", None) == 1 or (hasattr(X, "to_frame") and not hasattr(X, "columns")):
            X = X.to_frame() if hasattr(X, "to_frame") else np.asarray(X).reshape(-1, 1)
        rows = validate_data(
            self, X, reset=reset, dtype=(np.float64, np.float32), ensure_all_finite=False
        )
        reject_nonfinite(rows, "X", "Windower expects complete rows: impute or drop them first")
        return rows

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
