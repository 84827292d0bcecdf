"""Look-back windows over time-ordered rows, as a transformer that keeps y aligned."""

import warnings
import weakref

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils._set_output import ADAPTERS_MANAGER, _get_output_config
from sklearn.utils.validation import check_is_fitted, validate_data

from .._utils.deprecation import DEPRECATED, RenamedState, renamed_attribute, renamed_value
from .._utils.params import HintedParams, positive_int
from .._utils.seasonality import auto_look_back, frequency_season, series_look_back
from .._utils.time_index import check_time_rows, index_signature, rows_skipped
from .._utils.transaction import transactional
from .future import FutureWindows, future_layout
from .panel import ID_COLUMN_CONSTRAINT, ID_COLUMN_HINT, panel_step, split_panel, steps_after
from .sequences import reject_nonfinite

__all__ = ["Windower"]

# Fitted Windowers that already warned about padded history: transform must leave the
# estimator's __dict__ unchanged (sklearn's rule), so the "once" is kept out here.
_WARNED = weakref.WeakSet()


class Windower(
    TransformerMixin, HintedParams, RenamedState, BaseEstimator, auto_wrap_output_keys=None
):
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

    A test fold that starts k < look_back - 1 steps after the training rows (the gap of
    ``TimeSeriesSplit(gap=k)``, which keeps multi-step targets apart) is bridged too:
    the k skipped rows were never seen, so they are filled by linear interpolation
    between the last training row and the first row of X. Every window that holds a
    filled row also holds that first row, so no window sees a row later than its own
    end; the filled rows are estimates, not observations (the network cannot read a
    hole inside a sequence, only leading padding).

    When ``transform`` has to pad although the fitted Windower holds history (X without
    a time index, e.g. behind a scaler that dropped it, or fewer than ``look_back`` rows
    to forecast from), it warns once per fit, with the fix: keep the index
    (``Pipeline.set_output(transform="pandas")``) or pass the rows before the origin.

    Known-future covariates: columns named ``"<covariate>_t+<k>"`` (as
    :func:`make_supervised` writes them with ``future_covariates=``) are not windowed.
    They form a per-row block, row t's covariates at steps t+1 .. t+h, that travels next
    to window t: in ``future`` of the returned ``FutureWindows``
    array (shape (n, h, n_covariates)), which :class:`LSTMRegressor` reads per output
    step; with ``flatten=True``, as the last ``h * n_covariates`` columns. Only a pandas
    (or polars) X has the names to tell them apart.

    Parameters
    ----------
    look_back : int or "auto", default=24
        Number of rows in each window (the sequence length). "auto": on a series of
        fewer than 150 rows, its whole history (at least 24 rows), which the smoothing
        anchor of :class:`LSTMRegressor` reads; on a longer one, its season, at least 8
        rows, capped at 1008, else the last clearly autocorrelated lag of its changes, 8
        to 24. The season is the one the frequency of X's time index implies (12 for
        monthly, 4 quarterly, 7 daily, 24 hourly rows); without a frequency, or for
        yearly rows, it is read from the autocorrelation of the rows seen in ``fit``
        (each column; the longest wins). With ``id_column`` (a panel), the rule of a long
        series is read from the longest series. See :ref:`seasonal-defaults`.
    flatten : bool, default=False
        If True, return 2-D windows of shape (n, look_back * n_features), steps oldest
        first and features fastest, so that tabular regressors (Ridge, gradient boosting)
        can be compared on the same windows.
    id_column : str, default=None
        For a panel (many series in one long pandas frame, see :ref:`panels`): the name of
        the column, or MultiIndex level, that holds the series ids. Windows then never
        cross series: each series is front-padded with NaN at its start, and the id
        column is not a feature. In ``transform``, a series whose rows continue (or
        follow within ``look_back - 1`` steps) its rows seen in ``fit`` gets its own
        last training rows as history; other series are padded.
    groups : str, default="deprecated"
        Deprecated alias of ``id_column``, its name before 0.2 (removed in 0.4): in
        scikit-learn, ``groups`` is an array of labels, not a column name.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of X seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X seen in ``fit``, when they are all strings.
    look_back_ : int
        The window length in use (``look_back``, or the one chosen by "auto").
    last_rows_ : ndarray of shape (look_back_ - 1, n_features_in_), or \
(n_series, look_back_ - 1, n_features_in_) with ``id_column``
        The last rows seen in ``fit`` (NaN-padded when fewer), float32; with ``id_column``,
        those of each series in ``series_ids_``.
    future_covariates_ : list of str
        The known-future covariates found among X's columns (empty without them).
    series_ids_ : ndarray of shape (n_series,)
        With ``id_column`` only: the series ids seen in ``fit``, in order of first
        appearance. ``n_features_in_`` and ``feature_names_in_`` then count the
        numeric columns only, without the id column.

    Notes
    -----
    :meth:`set_output` applies to ``flatten=True`` only; 3-D windows are always a NumPy
    array.

    ``transform`` returns a read-only strided view over one padded float32 copy of X:
    its memory is O(n_timesteps * n_features) whatever ``look_back`` is. Copy it (or
    use ``flatten=True``, which must copy) before writing to it. With ``id_column`` the
    padded copy holds every series, each behind its own ``look_back - 1`` rows of
    history, and the windows are gathered from one strided view over it by computed
    offsets: one array of n_timesteps windows (the gaps between series cannot be one
    stride), so O(n_timesteps * look_back * n_features).

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

    def __init__(self, look_back=24, flatten=False, id_column=None, *, groups=DEPRECATED):
        self.look_back = look_back
        self.flatten = flatten
        self.id_column = id_column
        self.groups = groups

    # Its last rows were ``history_`` before 0.2 (a word that also meant training losses),
    # its series ids ``series_`` (also the baselines' target history).
    _renamed_attributes = {"history_": "last_rows_", "series_": "series_ids_"}
    _renamed_parameters = {"groups": "id_column"}
    history_ = renamed_attribute("history_", "last_rows_")
    series_ = renamed_attribute("series_", "series_ids_")

    _parameter_constraints = {
        "look_back": [*positive_int(), StrOptions({"auto"})],
        "flatten": ["boolean"],
        "id_column": ID_COLUMN_CONSTRAINT,
        "groups": ID_COLUMN_CONSTRAINT,
    }
    _parameter_hints = {
        "look_back": 'It is the number of rows per window, or "auto" to read it from the data.',
        "id_column": ID_COLUMN_HINT,
    }

    def _id_column(self, warn=False):
        """``id_column``, or the deprecated ``groups`` when only that was given."""
        return renamed_value(self, "groups", "id_column", None, warn)

    @transactional
    def fit(self, X, y=None):
        """Remember the feature layout and the last rows of X.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or (n_timesteps,)
            Time-ordered rows, oldest first: an array, a pandas or polars frame or series.
        y : ignored
            Accepted so that the transformer fits in a Pipeline.

        Returns
        -------
        self : Windower
        """
        self._fit(X)
        return self

    def transform(self, X):
        """Return one look-back window per row of X.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or (n_timesteps,)
            Time-ordered rows. If X is a pandas object whose index continues the one
            seen in ``fit``, or starts a few steps later (a gapped test fold), the
            remembered rows are used as history.

        Returns
        -------
        windows : ndarray of shape (n_timesteps, look_back, n_features), or \
(n_timesteps, look_back * n_features) when ``flatten=True``
            float32; window t ends at row t. With ``flatten=True`` and pandas or polars
            output configured (:meth:`set_output`), a data frame with X's index and
            ``"<feature>_lag<k>"`` columns.
        """
        check_is_fitted(self, "last_rows_")
        if self._id_column() is not None:
            return self._wrap(self._panel_transform(X), X)
        rows, block = self._split_block(self._validate_rows(X, reset=False))
        pad = len(self.last_rows_)
        skipped = rows_skipped(self._index_signature, X, max(pad - 1, 0))
        if skipped is None or not pad:
            history = np.full_like(self.last_rows_, np.nan)
            self._warn_short_history(X, rows)
        elif skipped == 0:
            history = self.last_rows_
        else:
            history = _bridge(self.last_rows_, rows[0], skipped)
        return self._wrap(self._with_block(self._windows(rows, history), block), X)

    @transactional
    def fit_transform(self, X, y=None):
        """Fit to X, then return its windows (the first rows front-padded with NaN).

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or (n_timesteps,)
            Time-ordered rows, oldest first.
        y : ignored

        Returns
        -------
        windows : ndarray or data frame
            As :meth:`transform`.
        """
        rows = self._fit(X)
        if self._id_column() is not None:
            panel, rows = rows
            rows, block = self._split_block(rows)
            history = np.full_like(self.last_rows_, np.nan)
            windows = self._panel_windows(rows, panel, history)
            return self._wrap(self._with_block(windows, block), X)
        rows, block = self._split_block(rows)
        windows = self._windows(rows, np.full_like(self.last_rows_, np.nan))
        return self._wrap(self._with_block(windows, block), X)

    def set_output(self, *, transform=None):
        """Set the container of the flattened windows: ``"default"``, ``"pandas"`` or
        ``"polars"``.

        Only ``flatten=True`` windows are 2-D and become a data frame (X's index, columns
        from :meth:`get_feature_names_out`). 3-D windows stay a NumPy array whatever the
        setting: a data frame has no third axis. So ``Pipeline.set_output(transform=
        "pandas")`` works with a Windower in it, and keeps the index of the rows a scaler
        in front passes on, which the Windower needs to continue the training history.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"}, default=None
            Output of ``transform`` and ``fit_transform``; None leaves it unchanged.

        Returns
        -------
        self : Windower
        """
        if transform is not None:
            if not hasattr(self, "_sklearn_output_config"):
                self._sklearn_output_config = {}
            self._sklearn_output_config["transform"] = transform
        return self

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
        check_is_fitted(self, "last_rows_")
        if not self.flatten:
            raise ValueError(
                "3-D windows have no column names; use Windower(flatten=True) to get "
                "named 2-D columns."
            )
        from sklearn.utils.validation import _check_feature_names_in

        names = np.asarray(_check_feature_names_in(self, input_features), dtype=object)
        lags = range(self.look_back_ - 1, -1, -1)
        found = getattr(self, "future_covariates_", None)
        windowed = names[self._window_columns] if found else names
        block = names[self._future_positions.ravel()] if found else []
        lagged = [f"{name}_lag{lag}" for lag in lags for name in windowed]
        return np.asarray([*lagged, *block], dtype=object)

    def _fit(self, X):
        """Fit and return the validated rows (with id_column: the panel and its rows)."""
        self._validate_params()
        self._id_column(warn=True)
        auto = isinstance(self.look_back, str)
        if self._id_column() is not None:
            return self._fit_panel(X, auto)
        frequency = frequency_season(getattr(X, "index", None))
        rows = self._validate_rows(X, reset=True)
        self._find_block()
        window_rows, _ = self._split_block(rows)
        if auto:
            self.look_back_ = max(
                series_look_back(window_rows[:, j], frequency) for j in range(window_rows.shape[1])
            )
        else:
            self.look_back_ = int(self.look_back)
        pad = self.look_back_ - 1
        history = np.full((pad, window_rows.shape[1]), np.nan, dtype=np.float32)
        if pad:
            tail = window_rows[-pad:]
            history[pad - len(tail) :] = tail  # a fit set shorter than pad stays NaN-padded
        self.last_rows_ = history
        self._index_signature = index_signature(X)
        _WARNED.discard(self)
        return rows

    def _fit_panel(self, X, auto):
        panel = split_panel(X, self._id_column())
        all_rows = self._validate_rows(panel.values.reset_index(drop=True), reset=True)
        self._find_block()
        rows, _ = self._split_block(all_rows)
        if auto:  # read from the longest series: a season needs one series' rows
            longest = panel.order()[np.flatnonzero(np.sort(panel.codes) == panel.sizes.argmax())]
            self.look_back_ = max(auto_look_back(rows[longest, j]) for j in range(rows.shape[1]))
        else:
            self.look_back_ = int(self.look_back)
        pad = self.look_back_ - 1
        # Each series' last `pad` rows (NaN where the series is shorter), gathered at once.
        by_series = rows[panel.order()]
        ends = np.cumsum(panel.sizes)
        positions = ends[:, None] - pad + np.arange(pad)
        inside = positions >= (ends - panel.sizes)[:, None]
        history = np.full((panel.n_series, pad, rows.shape[1]), np.nan, dtype=np.float32)
        history[inside] = by_series[positions[inside]]
        self.last_rows_ = history
        self.series_ids_ = np.asarray(panel.ids, dtype=object)
        self._panel_last_times = panel.times[panel.last_rows()] if panel.timed else None
        self._panel_step = panel_step(panel)
        self._index_signature = None
        _WARNED.discard(self)
        return panel, all_rows

    def _panel_transform(self, X):
        panel = split_panel(X, self._id_column())
        rows = self._validate_rows(panel.values.reset_index(drop=True), reset=False)
        rows, block = self._split_block(rows)
        pad = self.last_rows_.shape[1]
        history = np.full((panel.n_series, pad, rows.shape[1]), np.nan, dtype=np.float32)
        fitted = pd.Index(self.series_ids_).get_indexer(panel.ids)
        known = np.flatnonzero(fitted >= 0)
        if pad and len(known) and panel.timed and self._panel_last_times is not None:
            order = panel.order()
            firsts = order[np.cumsum(panel.sizes) - panel.sizes]  # first row of each series
            skipped = steps_after(
                self._panel_last_times[fitted[known]],
                self._panel_step,
                panel.times[firsts[known]],
                pad - 1,
            )
            continued = known[skipped == 0]
            history[continued] = self.last_rows_[fitted[continued]]
            for series, gap in zip(known[skipped > 0], skipped[skipped > 0]):
                history[series] = _bridge(
                    self.last_rows_[fitted[series]], rows[firsts[series]], int(gap)
                )
        return self._with_block(self._panel_windows(rows, panel, history), block)

    def _panel_windows(self, rows, panel, history):
        """Windows of a panel: one padded copy (each series behind its own history),
        one strided view over it, the rows' windows picked by their offsets."""
        pad = history.shape[1]
        n_features = rows.shape[1]
        starts = np.cumsum(panel.sizes + pad) - (panel.sizes + pad)  # each series' block
        padded = np.empty((len(rows) + panel.n_series * pad, n_features), dtype=np.float32)
        padded[(starts[:, None] + np.arange(pad)).ravel()] = history.reshape(-1, n_features)
        offsets = starts[panel.codes] + panel.ranks  # window of row r starts here
        padded[offsets + pad] = rows
        windows = np.lib.stride_tricks.sliding_window_view(padded, self.look_back_, axis=0)
        windows = windows.transpose(0, 2, 1)[offsets]
        if self.flatten:
            return windows.reshape(len(rows), -1)
        return windows

    def _find_block(self):
        """Tell the future-covariate columns (``"<name>_t+<k>"``) from the windowed ones."""
        names = getattr(self, "feature_names_in_", None)
        covariates, positions = future_layout([] if names is None else list(names))
        self.future_covariates_ = covariates
        self._future_positions = positions
        block = set() if positions is None else set(positions.ravel().tolist())
        self._window_columns = np.array(
            [j for j in range(self.n_features_in_) if j not in block], dtype=np.int64
        )
        if not len(self._window_columns):
            raise ValueError(
                "X holds only future-covariate columns ('<name>_t+<k>'); the windows need "
                "the observed columns (the target at least) too."
            )

    def _split_block(self, rows):
        """(the windowed columns of rows, the future block (n, h, k) or None)."""
        if not getattr(self, "future_covariates_", None):  # none, or pickled before them
            return rows, None
        return rows[:, self._window_columns], rows[:, self._future_positions]

    def _with_block(self, windows, block):
        if block is None:
            return windows
        if self.flatten:
            return np.concatenate([windows, block.reshape(len(block), -1)], axis=1)
        return FutureWindows(windows, block.astype(np.float32))

    def _validate_rows(self, X, reset):
        if not hasattr(X, "ndim") and not hasattr(X, "to_frame") and not hasattr(X, "columns"):
            X = np.asarray(X)  # a list of values is one series too
        if hasattr(X, "to_frame") and not hasattr(X, "columns"):
            X = X.to_frame()  # a pandas or polars Series is one named series
        elif getattr(X, "ndim", None) == 1:
            X = np.asarray(X).reshape(-1, 1)
        check_time_rows(X)
        rows = validate_data(
            self, X, reset=reset, dtype=(np.float64, np.float32), ensure_all_finite=False
        )
        reject_nonfinite(rows, "X", "Windower expects complete rows: impute or drop them first")
        return rows

    def _windows(self, rows, history):
        # One float32 copy of the rows behind the history; the windows are views into it.
        padded = np.empty((len(history) + len(rows), rows.shape[1]), dtype=np.float32)
        padded[: len(history)] = history
        padded[len(history) :] = rows
        windows = np.lib.stride_tricks.sliding_window_view(padded, self.look_back_, axis=0)
        windows = windows.transpose(0, 2, 1)  # (n, features, look_back) -> (n, look_back, f)
        if self.flatten:
            return windows.reshape(len(rows), -1)
        return windows

    def _wrap(self, windows, X):
        container = _get_output_config("transform", self)["dense"]
        if container == "default" or windows.ndim != 2:
            return windows
        adapter = ADAPTERS_MANAGER.adapters[container]
        original = X if hasattr(X, "columns") or not hasattr(X, "to_frame") else X.to_frame()
        return adapter.create_container(
            windows, original, columns=self.get_feature_names_out, inplace=False
        )

    def _warn_short_history(self, X, rows):
        """Warn (once per fit) where windows are padded although history might exist."""
        if self in _WARNED:
            return
        unplaced = not isinstance(getattr(X, "index", None), pd.Index) or (
            self._index_signature is None
        )
        # Fewer rows than look_back, when fit had no more either (a short series), is
        # padding that no rows could fill.
        fitted_history = int((~np.isnan(self.last_rows_).any(axis=1)).sum())
        lone = len(rows) < min(self.look_back_, fitted_history + 1)
        if not (unplaced or lone):
            return  # the index says X does not follow the fitted rows: padding is right
        reasons = []
        if unplaced:
            reasons.append(
                "X has no time index to show whether it continues the rows seen in fit, so "
                "the last training rows cannot be placed before it"
            )
        if lone:
            reasons.append(
                f"X has {len(rows)} row(s), fewer than look_back={self.look_back_}, so even "
                "its last window lacks history"
            )
        warnings.warn(
            f"Windower: {'; and '.join(reasons)}. The first {min(len(rows), len(self.last_rows_))}"
            " window(s) are front-padded with NaN (shorter sequences, often worse "
            "forecasts). Fix: pass X as a pandas object with its time index (in a Pipeline "
            'behind a scaler, call pipeline.set_output(transform="pandas") so the index '
            "survives), or include the look_back - 1 rows before the first row you need, "
            "e.g. predict(X.tail(n + look_back - 1))[-n:].",
            UserWarning,
            stacklevel=3,
        )
        _WARNED.add(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def _bridge(history, first_row, skipped):
    """History for windows after ``skipped`` rows that were never seen (a gapped fold).

    The last training rows keep their true positions; the skipped rows between the last
    training row and the first row of X are interpolated linearly between the two. Both
    rows are known to every window that holds a skipped row (window t ends at row t, at
    or after X's first row), so no window reads anything later than its own end.
    """
    weights = (np.arange(1, skipped + 1, dtype=np.float32) / (skipped + 1))[:, None]
    filled = (1 - weights) * history[-1] + weights * first_row.astype(np.float32)
    return np.concatenate([history[skipped:], filled]).astype(np.float32)
