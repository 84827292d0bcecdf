"""Build aligned forecasting rows ``X, y`` from a series or a frame."""

import numbers

import numpy as np
import pandas as pd

from .._utils.deprecation import DEPRECATED, renamed_parameter
from .._utils.params import positive_int, validate_arguments
from .._utils.time_index import check_time_order
from .future import check_covariates, future_block, future_names
from .panel import ID_COLUMN_CONSTRAINT, ID_COLUMN_HINT, split_panel
from .sequences import reject_non_numeric_columns

__all__ = ["make_supervised"]


@validate_arguments(
    {
        "data": ["array-like"],
        "horizon": positive_int(),
        "id_column": ID_COLUMN_CONSTRAINT,
        "groups": ID_COLUMN_CONSTRAINT,
        "future_covariates": [str, list, tuple, None],
    },
    {"id_column": ID_COLUMN_HINT},
)
def make_supervised(
    data,
    target_column=None,
    horizon=1,
    id_column=None,
    future_covariates=None,
    *,
    target=DEPRECATED,
    groups=DEPRECATED,
):
    """Turn a time-ordered series or frame into aligned forecasting rows ``X, y``.

    Row t of ``X`` holds what is known at time t (every column of ``data``); row t of
    ``y`` holds the target at t+1 .. t+horizon. Only the final ``horizon`` rows, which
    have no future to learn from, are dropped; no row of ``X`` is changed.

    With ``id_column``, ``data`` is a panel (see :ref:`panels`): a long frame of many
    series, told apart by a series-id column or MultiIndex level. ``y`` is then built
    within each series, and the final ``horizon`` rows of *each* series are dropped; the
    rows keep their order and index, and ``X`` keeps the id column.

    With ``future_covariates`` (columns whose future values are known at t: calendar
    features, a weather forecast), row t of ``X`` also holds each covariate's values at
    t+1 .. t+horizon, as one column per covariate and step named
    ``"<covariate>_t+<k>"``, step-major (every covariate of step 1, then of step 2 ...).
    A :class:`Windower` passes these columns on as a per-row block next to the windows,
    and :class:`LSTMRegressor` reads step k's covariates when it forecasts step k (see
    :ref:`future-covariates`). The target's future never enters ``X``.

    Parameters
    ----------
    data : pandas.Series, pandas.DataFrame or array-like of shape (n_timesteps,) or \
(n_timesteps, n_features)
        The series, oldest row first.
    target_column : str or int, default=None
        Column of ``data`` to forecast: a column name, or a position for arrays. May be
        None when ``data`` has a single column.
    horizon : int, default=1
        Number of future steps to predict from each row.
    id_column : str, default=None
        For a panel: the column of ``data`` (or level of its MultiIndex) holding the
        series ids. Each series' rows must be in time order; series may be interleaved.
        A series with ``horizon`` rows or fewer contributes no row.
    groups : str, default="deprecated"
        Deprecated alias of ``id_column``, its name before 0.2 (removed in 0.4): in
        scikit-learn, ``groups`` is an array of labels, not a column name.
    future_covariates : list of str, default=None
        Columns of ``data`` known ahead of time, given to each row for the ``horizon``
        steps after it. Numeric, without NaN; the target is not allowed.
    target : str or int, default="deprecated"
        Deprecated alias of ``target_column``, its name before 0.2 (removed in 0.4).

    Returns
    -------
    X : pandas.DataFrame of shape (n_timesteps - horizon, n_features)
        The inputs, with ``data``'s index and column names (then, with
        ``future_covariates``, ``horizon * len(future_covariates)`` block columns).
    y : pandas.Series of shape (n_timesteps - horizon,) or pandas.DataFrame of shape \
(n_timesteps - horizon, horizon)
        A Series named like the target when ``horizon == 1``, else one column
        ``"<target>_t+k"`` per step ahead.

    Examples
    --------
    >>> import pandas as pd
    >>> from lstmforecast import make_supervised
    >>> X, y = make_supervised(pd.Series([1.0, 2.0, 3.0, 4.0], name="sales"), horizon=2)
    >>> X["sales"].tolist(), y.values.tolist()
    ([1.0, 2.0], [[2.0, 3.0], [3.0, 4.0]])
    """
    target = renamed_parameter(
        "make_supervised", "target", "target_column", target, target_column, None
    )
    id_column = renamed_parameter("make_supervised", "groups", "id_column", groups, id_column, None)
    if id_column is not None:
        return _panel_supervised(data, target, horizon, id_column, future_covariates)
    frame = _as_frame(data)
    check_time_order(frame, "data")
    column = _target_column(frame, target)
    if len(frame) <= horizon:
        raise ValueError(
            f"The series has {len(frame)} rows, too few for horizon={horizon}: at least "
            f"{horizon + 1} rows are needed so that one row has a future."
        )
    reject_non_numeric_columns(frame[[column]], "data")  # the target must be numbers
    values = frame[column].to_numpy()
    n = len(frame) - horizon
    X = frame.iloc[:n]
    if future_covariates is not None:
        covariates = check_covariates(frame, future_covariates, column)
        X = _with_block(X, future_block(frame, covariates, horizon, np.arange(n)), covariates)
    if horizon == 1:
        return X, pd.Series(values[1:], index=X.index, name=column)
    steps = np.lib.stride_tricks.sliding_window_view(values[1:], horizon)
    columns = [f"{column}_t+{k}" for k in range(1, horizon + 1)]
    return X, pd.DataFrame(steps.copy(), index=X.index, columns=columns)


def _with_block(X, block, covariates):
    """X with the covariate block appended as named columns."""
    horizon = block.shape[1] // len(covariates)
    names = future_names(covariates, horizon)
    clash = [name for name in names if name in X.columns]
    if clash:
        raise ValueError(f"data already has columns {clash[:3]}, the names of the covariate block.")
    return pd.concat([X, pd.DataFrame(block, index=X.index, columns=names)], axis=1)


def _panel_supervised(data, target, horizon, id_column, future_covariates=None):
    """make_supervised within each series of a long frame."""
    panel = split_panel(data, id_column, "data")
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    column = _target_column(panel.values, target)
    reject_non_numeric_columns(panel.values[[column]], "data")
    values = panel.values[column].to_numpy()
    # Row r's k-th future is the row k places later in its own series.
    order = panel.order()
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    keep = panel.ranks < panel.sizes[panel.codes] - horizon
    if not keep.any():
        raise ValueError(
            f"Every series has {horizon} rows or fewer, too few for horizon={horizon}: a "
            f"series needs at least {horizon + 1} rows so that one row has a future."
        )
    rows = np.flatnonzero(keep)
    ahead = order[position[rows][:, None] + np.arange(1, horizon + 1)]  # (n, horizon)
    X = frame.iloc[rows]
    if future_covariates is not None:
        covariates = check_covariates(panel.values, future_covariates, column)
        known = panel.values[covariates].to_numpy(dtype=np.float64)
        X = _with_block(X, known[ahead].reshape(len(rows), -1), covariates)
    if horizon == 1:
        return X, pd.Series(values[ahead[:, 0]], index=X.index, name=column)
    columns = [f"{column}_t+{k}" for k in range(1, horizon + 1)]
    return X, pd.DataFrame(values[ahead], index=X.index, columns=columns)


def _as_frame(data):
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame(name=data.name if data.name is not None else 0)
    array = np.asarray(data)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(
            f"data must be 1-D or 2-D (n_timesteps, n_features), got shape {array.shape}."
        )
    return pd.DataFrame(array)


def _target_column(frame, target):
    if target is None:
        if frame.shape[1] != 1:
            raise ValueError(
                f"data has {frame.shape[1]} columns {list(frame.columns)}; pass target_column= to "
                "say which one to forecast."
            )
        return frame.columns[0]
    if target in frame.columns:
        return target
    if isinstance(target, numbers.Integral) and 0 <= target < frame.shape[1]:
        return frame.columns[target]
    raise ValueError(f"target_column={target!r} is not a column of data {list(frame.columns)}.")
