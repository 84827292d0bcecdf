"""Forecast the future: the next values after the observed data, with their timestamps."""

from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import is_classifier, is_outlier_detector
from sklearn.utils._param_validation import HasMethods

from .._preprocessing.future import model_layout, with_future_covariates
from .._preprocessing.panel import (
    ID_COLUMN_CONSTRAINT,
    ID_COLUMN_HINT,
    model_id_column,
    split_panel,
)
from .._preprocessing.supervised import _as_frame, _target_column
from .._utils.deprecation import DEPRECATED, renamed_parameter
from .._utils.params import COVERAGE_HINT, coverage_constraint, positive_int, validate_arguments
from .._utils.quantiles import check_quantiles, coverage_quantiles, predicts_quantiles
from .._utils.time_index import inferred_freq

__all__ = ["forecast", "future_index"]


@validate_arguments(
    {
        "model": [HasMethods(["predict"])],
        "data": ["array-like"],
        "horizon": [*positive_int(), None],
        "coverage": coverage_constraint(),
        "quantiles": ["array-like", Real, None],
        "id_column": ID_COLUMN_CONSTRAINT,
        "groups": ID_COLUMN_CONSTRAINT,
    },
    {
        "model": "Pass a fitted forecaster, e.g. NaiveRegressor().fit(*make_supervised(data)).",
        "coverage": COVERAGE_HINT,
        "id_column": ID_COLUMN_HINT,
    },
)
def forecast(
    model,
    data,
    horizon=None,
    *,
    target_column=None,
    coverage=None,
    quantiles=None,
    future=None,
    id_column=None,
    target=DEPRECATED,
    groups=DEPRECATED,
):
    """Forecast the values that follow ``data``, indexed by their future timestamps.

    ``data`` is what :func:`make_supervised` was given (all observed rows, oldest first);
    its last row is the forecast origin, and the model sees every row, exactly as when
    ``predict`` is called on rows built by ``make_supervised``.

    - A direct multi-horizon model (fitted on a 2-D y of ``h`` columns, i.e.
      ``make_supervised(..., horizon=h)``) gives steps 1..h at once from the last row;
      its intervals come from ``predict(X, quantiles=...)`` for every step.
    - A one-step model (1-D y) is applied recursively: each forecast is appended to the
      target column as if observed, and the next step is predicted from the extended
      data. Other (exogenous) columns then need their future values (``future=``).
      Intervals from a one-step model are available for ``horizon=1`` only: a recursion
      on point forecasts ignores how errors compound over the steps, so it would give
      intervals that are too narrow. For intervals over several steps, fit a direct
      model on ``make_supervised(..., horizon=h)`` (each step is then calibrated on its
      own errors, by the quantile head or by :class:`ConformalForecaster`).

    Parameters
    ----------
    model : fitted estimator, Pipeline or search (GridSearchCV, ...)
        A forecaster fitted on rows from :func:`make_supervised`; a search forecasts
        with its ``best_estimator_``.
    data : pandas.Series, pandas.DataFrame or array-like
        The observed series or frame, the same columns as when the model was fitted.
    horizon : int, default=None
        Number of future steps. None: the model's own horizon (the number of columns of
        the y it was fitted on).
    target_column : str or int, default=None
        Column of ``data`` that is forecast (and, for a one-step model, fed back). May be
        None when ``data`` has one column.
    coverage : float, default=None
        Probability of a central prediction interval, e.g. 0.8, written as ``lower`` and
        ``upper`` columns. Needs a model whose ``predict`` accepts ``quantiles=``:
        every forecaster of this package does (a default ``LSTMRegressor`` calibrates
        its intervals on the rows early stopping held out).
    quantiles : list of float, default=None
        Quantile levels to return, one column each (named ``"q0.1"`` ...).
    future : pandas.DataFrame or array-like, default=None
        Future values of columns of ``data``, one row per step after the last observed
        one. A model fitted with known-future covariates
        (``make_supervised(..., future_covariates=[...])``, see
        :ref:`future-covariates`) needs them for its whole horizon: a DataFrame with those
        columns whose index holds the forecast dates, starting one step after ``data``'s
        last row (anything else is refused). A one-step model with exogenous columns
        needs at least ``horizon - 1`` rows (the first is used for step 2).
    id_column : str, default=None
        For a panel (see :ref:`panels`): the series-id column or MultiIndex level of
        ``data``, which then holds every series' observed rows. Each series is forecast
        from its own last row, all series in one ``predict`` per step. None: the
        model's own, when it was built for a panel (a ``Windower(id_column=...)`` or
        ``PerSeriesForecaster(id_column=...)`` in it); ``target_column`` may then be left out
        when the id is the only other column.
    groups : str, default="deprecated"
        Deprecated alias of ``id_column``, its name before 0.2 (removed in 0.4): in
        scikit-learn, ``groups`` is an array of labels, not a column name.
    target : str or int, default="deprecated"
        Deprecated alias of ``target_column``, its name before 0.2 (removed in 0.4).

    Returns
    -------
    forecasts : pandas.DataFrame of shape (horizon, n_columns)
        Indexed by the future timestamps: the next dates at the frequency of a
        DatetimeIndex (inferred when unset), the next periods of a PeriodIndex, or the
        next integers of a RangeIndex or numeric index (``len(data)``, ... for arrays).
        One column named like the target with the point forecasts, then ``lower`` and
        ``upper`` and the quantile columns when asked; with ``coverage``,
        ``forecasts.attrs["coverage"]`` holds it (:func:`plot_forecast` names it).

        With ``id_column``: ``horizon`` rows per series, laid out as ``data``: the id
        column then the forecast columns, indexed by each series' future times (the
        time step of the panel after each series' last time, or the next positions of
        a panel without time labels), or a MultiIndex (series, time) when ``data`` has
        one.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from lstmforecast import NaiveRegressor, forecast, make_supervised
    >>> sales = pd.Series([3.0, 4.0, 5.0], name="sales",
    ...                   index=pd.date_range("2024-01-01", periods=3, freq="MS"))
    >>> X, y = make_supervised(sales)
    >>> forecast(NaiveRegressor().fit(X, y), sales, horizon=2)
                sales
    2024-04-01    5.0
    2024-05-01    5.0
    """
    target = renamed_parameter("forecast", "target", "target_column", target, target_column, None)
    id_column = renamed_parameter("forecast", "groups", "id_column", groups, id_column, None)
    model = _forecasting_model(model)
    if id_column is None and isinstance(data, pd.DataFrame):
        id_column = model_id_column(model)  # a panel model names its id column itself
    if id_column is not None:
        if model_layout(model)[0]:
            raise ValueError(
                "forecast(..., id_column=) does not yet build the future-covariate block of "
                "a panel; forecast each series on its own, or predict on rows from "
                "make_supervised(..., id_column=..., future_covariates=[...])."
            )
        return _panel_forecast(model, data, horizon, target, coverage, quantiles, id_column)
    frame = _as_frame(data)
    column = _target_column(frame, target)
    if len(frame) == 0:
        raise ValueError("data is empty: forecasts need at least one observed row.")
    levels = _levels(coverage, quantiles)

    if _has_index(data):  # an index forecast() cannot continue fails before predicting
        future_index(frame.index, len(frame), 1)

    observed = frame
    frame = with_future_covariates(model, frame, future, _covariate_labels(model, data, frame))
    last = np.asarray(model.predict(frame), dtype=np.float64).reshape(len(frame), -1)[-1]
    model_horizon = len(last)
    horizon = model_horizon if horizon is None else int(horizon)
    index = future_index(frame.index if _has_index(data) else None, len(frame), horizon)

    if model_horizon > 1:
        if horizon > model_horizon:
            raise ValueError(
                f"The model forecasts {model_horizon} steps directly (it was fitted on a "
                f"{model_horizon}-column y); horizon={horizon} is beyond them. Refit it "
                f"on make_supervised(..., horizon={horizon}) or ask for fewer steps."
            )
        points = last[:horizon]
        bounds = None
        if levels is not None:
            bounds = _quantile_rows(model, frame, levels)[-1].reshape(model_horizon, -1)
            bounds = bounds[:horizon]
    else:
        if levels is not None and horizon > 1:
            raise ValueError(
                "Intervals over several steps need a direct multi-horizon model: this "
                "model forecasts one step and is applied recursively, which would ignore "
                "how errors compound. Fit it on make_supervised(..., "
                f"horizon={horizon}), or ask for horizon=1."
            )
        if frame is not observed and horizon > 1:
            raise ValueError(
                "This model reads future covariates for one step: it forecasts that step, "
                "not a recursion over several. Fit a direct model on make_supervised(..., "
                f"horizon={horizon}, future_covariates=[...])."
            )
        points = _recurse(model, frame, column, horizon, last[0], future, index)
        bounds = None
        if levels is not None:
            bounds = _quantile_rows(model, frame, levels)[-1].reshape(1, -1)

    result = pd.DataFrame({column: points}, index=index)
    if bounds is not None:
        if coverage is not None:
            result["lower"], result["upper"] = bounds[:, 0], bounds[:, 1]
        if quantiles is not None:
            for number, level in enumerate(check_quantiles(quantiles)):
                offset = 0 if coverage is None else 2
                result[f"q{level:g}"] = bounds[:, offset + number]
    if coverage is not None:
        result.attrs["coverage"] = coverage  # the interval's level, for plot_forecast
    return result


def _covariate_labels(model, data, frame):
    """The labels of the steps a future-covariate model reads (its block's horizon)."""
    _, horizon = model_layout(model)
    return future_index(frame.index if _has_index(data) else None, len(frame), max(horizon, 1))


def _panel_forecast(model, data, horizon, target, coverage, quantiles, id_column):
    """forecast() for a long frame: every series from its own last row, at once."""
    levels = _levels(coverage, quantiles)
    panel = split_panel(data, id_column, "data")
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    column = _target_column(panel.values, target)
    if len(frame) == 0:
        raise ValueError("data is empty: forecasts need at least one observed row.")
    last_rows = panel.last_rows()
    predicted = np.asarray(model.predict(frame), dtype=np.float64).reshape(len(frame), -1)
    model_horizon = predicted.shape[1]
    horizon = model_horizon if horizon is None else int(horizon)
    times = _panel_future_times(panel, last_rows, horizon)  # (n_series, horizon)
    bounds = None
    if model_horizon > 1:
        if horizon > model_horizon:
            raise ValueError(
                f"The model forecasts {model_horizon} steps directly; horizon={horizon} is "
                f"beyond them. Refit it on make_supervised(..., horizon={horizon}, "
                "id_column=...) or ask for fewer steps."
            )
        points = predicted[last_rows, :horizon]
        if levels is not None:
            rows = _quantile_rows(model, frame, levels)[last_rows]
            bounds = rows.reshape(len(last_rows), model_horizon, -1)[:, :horizon]
    else:
        if levels is not None and horizon > 1:
            raise ValueError(
                "Intervals over several steps need a direct multi-horizon model: this "
                "model forecasts one step and is applied recursively. Fit it on "
                f"make_supervised(..., horizon={horizon}, id_column=...), or ask for horizon=1."
            )
        first = predicted[last_rows, 0]
        points = _panel_recurse(model, frame, panel, column, first, horizon, times, id_column)
        if levels is not None:
            bounds = _quantile_rows(model, frame, levels)[last_rows][:, None, :]
    ids = np.repeat(np.asarray(panel.ids, dtype=object), horizon)
    future_times = times.ravel()
    result = pd.DataFrame({column: points.ravel()})
    if bounds is not None:
        bounds = bounds.reshape(len(ids), -1)
        if coverage is not None:
            result["lower"], result["upper"] = bounds[:, 0], bounds[:, 1]
        if quantiles is not None:
            offset = 0 if coverage is None else 2
            for number, level in enumerate(check_quantiles(quantiles)):
                result[f"q{level:g}"] = bounds[:, offset + number]
    if panel.level:
        names = list(frame.index.names)
        arrays = [ids, future_times] if names[0] == id_column else [future_times, ids]
        result.index = pd.MultiIndex.from_arrays(arrays, names=names)
        return result
    result.insert(0, id_column, ids)
    result.index = pd.Index(future_times, name=frame.index.name)
    return result


def _panel_future_times(panel, last_rows, horizon):
    """(n_series, horizon) labels of each series' next steps."""
    from .._preprocessing.panel import panel_step

    steps = np.arange(1, horizon + 1)
    if not panel.timed:  # no time labels: positions within each series
        return panel.sizes[:, None] - 1 + steps[None, :]
    step = panel_step(panel)
    if step is None:
        raise ValueError(
            "Cannot tell the time step of data's panel (its times are irregular, or every "
            "series has a single row), so the future times are unknown. Give the times a "
            "regular step, or reset the index to forecast numbered steps."
        )
    last = pd.Index(panel.times[last_rows])
    columns = [np.asarray(last + step * int(k), dtype=object) for k in steps]
    return np.stack(columns, axis=1)


def _panel_recurse(model, frame, panel, column, first, horizon, times, id_column):
    """A one-step model applied recursively to every series: each step appends one row
    per series holding the last forecast, then predicts the extended frame once."""
    points = np.empty((panel.n_series, horizon))
    points[:, 0] = first
    if horizon == 1:
        return points
    others = [c for c in panel.values.columns if c != column]
    if others:
        raise ValueError(
            f"data has exogenous columns {others} besides the target: a recursive panel "
            "forecast of more than one step would need their future values. Fit a direct "
            "model on make_supervised(..., horizon=h, id_column=...)."
        )
    ids = np.asarray(panel.ids, dtype=object)
    extended = frame.astype({column: np.float64})
    for step in range(1, horizon):
        ahead = pd.DataFrame({column: points[:, step - 1]})
        if panel.level:
            names = list(frame.index.names)
            arrays = [ids, times[:, step - 1]]
            if names[0] != id_column:
                arrays.reverse()
            ahead.index = pd.MultiIndex.from_arrays(arrays, names=names)
        else:
            ahead.insert(0, id_column, ids)
            if panel.timed:
                ahead.index = pd.Index(list(times[:, step - 1]), name=frame.index.name)
        extended = pd.concat([extended, ahead[extended.columns]], ignore_index=not panel.timed)
        predicted = np.asarray(model.predict(extended), dtype=np.float64).reshape(len(extended), -1)
        points[:, step] = predicted[len(extended) - panel.n_series :, 0]
    return points


def _forecasting_model(model):
    if hasattr(model, "cv_results_"):  # a search: its predict takes no quantiles=
        if not hasattr(model, "best_estimator_"):
            raise ValueError(
                "This search was fitted with refit=False and has no best_estimator_ to "
                "forecast with; refit it with refit=True."
            )
        return model.best_estimator_
    if not hasattr(model, "predict"):
        raise ValueError(f"model must be a fitted estimator with predict, got {model!r}.")
    if is_classifier(model) or is_outlier_detector(model):
        raise ValueError(
            "forecast needs a forecaster (a regressor of the next values), but this "
            f"{type(model).__name__} is a classifier or outlier detector, which predicts "
            "labels; fit e.g. LSTMRegressor or "
            "ETSRegressor on make_supervised(data) to forecast."
        )
    return model


def _levels(coverage, quantiles):
    levels = []
    if coverage is not None:
        levels.extend(coverage_quantiles(coverage))
    if quantiles is not None:
        levels.extend(check_quantiles(quantiles).tolist())
    return levels or None


def _quantile_rows(model, frame, levels):
    """predict(frame, quantiles=levels) as (n_rows, steps * n_levels), each level sorted
    on its own call, since the contract wants one ascending list."""
    order = np.argsort(levels, kind="stable")
    unique, inverse = np.unique(np.asarray(levels)[order], return_inverse=True)
    if not predicts_quantiles(model):  # levels out of its range: predict says so
        raise ValueError(
            f"{type(model).__name__}.predict does not give quantiles. Use a model that "
            "does: LSTMRegressor(quantiles=...) (or one trained with early_stopping=True), "
            "a statistical baseline, or any forecaster wrapped in ConformalForecaster."
        )
    values = model.predict(frame, quantiles=unique.tolist())
    values = np.asarray(values, dtype=np.float64)
    values = values.reshape(len(frame), -1, len(unique))  # (n, steps, levels)
    picked = np.empty((len(frame), values.shape[1], len(levels)))
    picked[:, :, order] = values[:, :, inverse]
    return picked.reshape(len(frame), -1)


def _recurse(model, frame, column, horizon, first, future, labels):
    """Point forecasts of a one-step model, each fed back as the next observed value."""
    points = np.empty(horizon)
    points[0] = first
    if horizon == 1:
        return points
    others = [c for c in frame.columns if c != column]
    future_values = _future_rows(future, others, horizon - 1, labels)
    ahead = pd.DataFrame(np.nan, index=labels[: horizon - 1], columns=frame.columns)
    if others:
        ahead[others] = future_values
    extended = pd.concat([frame.astype({column: np.float64}), ahead])
    target = extended.columns.get_loc(column)
    for step in range(1, horizon):
        extended.iloc[len(frame) + step - 1, target] = points[step - 1]
        rows = extended.iloc[: len(frame) + step]
        predicted = np.asarray(model.predict(rows), dtype=np.float64)
        points[step] = predicted.reshape(len(rows), -1)[-1, 0]
    return points


def _future_rows(future, columns, n_rows, labels):
    """The future values of ``columns`` for the ``n_rows`` steps after the data, (n_rows,
    n_columns): ``future``'s rows at those steps' labels when its index names them, its
    first rows when it has a default RangeIndex (or no index)."""
    if not columns:
        return None
    if future is None:
        raise ValueError(
            f"data has exogenous columns {columns} besides the target: a recursive "
            f"forecast of more than one step needs their future values. Pass future= with "
            f"those columns and at least {n_rows} rows (the steps after the last "
            "observed row), or fit a direct model on make_supervised(..., horizon=h)."
        )
    future = pd.DataFrame(future) if not isinstance(future, pd.DataFrame) else future
    if isinstance(future.columns, pd.RangeIndex) and future.shape[1] == len(columns):
        future.columns = columns
    missing = [c for c in columns if c not in future.columns]
    if missing:
        raise ValueError(f"future has no column(s) {missing}; it needs {columns}.")
    if len(future) < n_rows:
        raise ValueError(
            f"future has {len(future)} rows; {n_rows} are needed (one per step after the first)."
        )
    future = _future_at(future, labels[:n_rows])
    values = future[columns].iloc[:n_rows].to_numpy()
    if not np.all(np.isfinite(np.asarray(values, dtype=np.float64))):
        raise ValueError("future contains NaN or inf; give complete future values.")
    return values


def _future_at(future, labels):
    """``future``'s rows at ``labels``, or ``future`` itself when it is positional."""
    index = future.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return future  # no labels of its own: its rows are the steps, in order
    if not index.is_unique:
        raise ValueError("future's index has repeated labels; give one row per future step.")
    positions = index.get_indexer(labels)
    if (positions < 0).any():
        absent = labels[positions < 0]
        raise ValueError(
            f"future is indexed from {index[0]} to {index[-1]}, but the steps after the "
            f"data are {labels[0]} to {labels[-1]} ({absent[0]} is not in it): give future "
            "rows labelled with the steps that follow the last observed row, or a frame "
            "with a default RangeIndex to pass them in order."
        )
    return future.iloc[positions]


def _has_index(data):
    return isinstance(data, pd.Series | pd.DataFrame)


def future_index(index, n_observed, horizon):
    """Labels of the ``horizon`` steps after ``index`` (None: after ``n_observed`` rows).

    Parameters
    ----------
    index : pandas.Index or None
        The observed rows' index.
    n_observed : int
        Number of observed rows (used when ``index`` is None).
    horizon : int
        Number of future steps.

    Returns
    -------
    future : pandas.Index
    """
    if index is None:
        return pd.RangeIndex(n_observed, n_observed + horizon)
    name = index.name
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freq or (inferred_freq(index) if len(index) >= 3 else None)
        if freq is None:
            raise ValueError(
                "Cannot tell the frequency of data's DatetimeIndex (irregular or fewer than "
                "3 dates), so the future dates are unknown. Give it a frequency, e.g. "
                "data.asfreq('MS'), or reset the index to forecast numbered steps."
            )
        return pd.date_range(index[-1], periods=horizon + 1, freq=freq, name=name)[1:]
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(index[-1] + 1, periods=horizon, freq=index.freq, name=name)
    if isinstance(index, pd.RangeIndex):
        step = index.step
        start = index[-1] + step if len(index) else 0
        return pd.RangeIndex(start, start + step * horizon, step, name=name)
    if pd.api.types.is_numeric_dtype(index) and not pd.api.types.is_bool_dtype(index):
        steps = np.diff(np.asarray(index))
        if len(steps) == 0 or np.any(steps <= 0) or not np.allclose(steps, steps[0]):
            raise ValueError(
                "data's numeric index is not evenly spaced and increasing, so the future "
                "labels are unknown; reset the index to forecast numbered steps."
            )
        values = index[-1] + steps[0] * np.arange(1, horizon + 1)
        return pd.Index(values, name=name)
    raise ValueError(_uncontinuable_index_message(index))


def _uncontinuable_index_message(index):
    """Why ``index`` has no next label, and how to give data one that has."""
    last = index[-1] if len(index) else None
    if isinstance(last, str):
        return (
            f"data's index holds text labels (the last is {last!r}), so the times after "
            "it are unknown and forecast() cannot label its rows. Parse the labels into a "
            "time index first, e.g. data.index = pd.to_datetime(data.index, "
            "format='%d/%m/%Y') for dates, or pd.PeriodIndex(data.index, freq='Q') for "
            "labels like '1965Q1' (rewrite 'Q1 1965' as '1965Q1' first); or use "
            "data.reset_index(drop=True) to forecast numbered steps."
        )
    return (
        f"data's index ({type(index).__name__} of {index.dtype}, last label {last!r}) has "
        "no next label, so forecast() cannot label its rows. Give data a DatetimeIndex, a "
        "PeriodIndex or an evenly spaced numeric index, or use data.reset_index(drop=True) "
        "to forecast numbered steps."
    )
