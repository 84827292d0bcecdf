"""Figures for forecasts and training (matplotlib, an optional dependency: ``pip install
"lstmforecast[plot]"``).

Each function draws on ``ax`` when given, else on a new figure, and returns the figure.
"""

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import StrOptions

from ._utils.deprecation import warn_renamed
from ._utils.params import positive_int, validate_arguments

__all__ = ["plot_forecast", "plot_history", "plot_loss_curve"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            'Plotting needs matplotlib, which is not installed: pip install "lstmforecast[plot]"'
            " (or pip install matplotlib)."
        ) from None
    return plt


def _axes(ax, figsize):
    plt = _pyplot()
    if ax is None:
        figure, ax = plt.subplots(figsize=figsize, layout="constrained")
        return figure, ax
    return ax.figure, ax


def _times(index):
    """x values matplotlib can draw: periods become their start timestamps."""
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp()
    return index


def _interval_label(forecasts):
    """The legend entry of the interval, naming its level when it is known."""
    coverage = forecasts.attrs.get("coverage")
    if coverage is None:
        return "prediction interval"
    return f"{100 * coverage:g}% prediction interval"


@validate_arguments(
    {
        "forecasts": [pd.DataFrame],
        "n_history": [*positive_int(), None],
        "title": [str, None],
    }
)
def plot_forecast(forecasts, history=None, *, actual=None, n_history=None, ax=None, title=None):
    """Plot a forecast after the tail of its history, with its interval and actual values.

    Parameters
    ----------
    forecasts : pandas.DataFrame
        As returned by :func:`lstmforecast.forecast`: the point forecasts in the first
        column, and the interval in ``lower`` and ``upper`` when present (shaded; the
        legend names its level, from ``forecasts.attrs["coverage"]``, which
        :func:`~lstmforecast.forecast` sets). A PeriodIndex is drawn at each period's
        start.
    history : pandas.Series or pandas.DataFrame, default=None
        The observed data; for a frame, the column named like the forecast is drawn.
    actual : pandas.Series, default=None
        The values that were later observed at (some of) the forecast times, to check
        the forecast against.
    n_history : int, default=None
        Most recent history points to show; None: ``max(4 * horizon, 48)``.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure when None.
    title : str, default=None
        Axes title; None: "Forecast of <target>, <horizon> steps".

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from lstmforecast import ConformalForecaster, NaiveRegressor, forecast
    >>> from lstmforecast import make_supervised
    >>> from lstmforecast.plotting import plot_forecast
    >>> sales = pd.Series(np.cumsum(np.random.default_rng(0).normal(size=80)), name="sales",
    ...                   index=pd.period_range("2000Q1", periods=80, freq="Q"))
    >>> X, y = make_supervised(sales, horizon=4)
    >>> model = ConformalForecaster(NaiveRegressor(), calibration_size=30).fit(X, y)
    >>> figure = plot_forecast(forecast(model, sales, coverage=0.8), sales, n_history=20)
    >>> figure.axes[0].get_legend_handles_labels()[1]
    ['history', '80% prediction interval', 'forecast']
    """
    if not isinstance(forecasts, pd.DataFrame) or forecasts.shape[1] == 0:
        raise ValueError("forecasts must be the DataFrame returned by lstmforecast.forecast().")
    target = forecasts.columns[0]
    figure, ax = _axes(ax, (9, 4))
    horizon = len(forecasts)
    if history is not None:
        if isinstance(history, pd.DataFrame):
            if target not in history.columns:
                raise ValueError(f"history has no column {target!r}, the forecast's target.")
            history = history[target]
        history = pd.Series(history)
        shown = history.iloc[-(n_history or max(4 * horizon, 48)) :]
        ax.plot(
            _times(shown.index), shown.to_numpy(), color="black", linewidth=1.5, label="history"
        )
    if {"lower", "upper"} <= set(forecasts.columns):
        ax.fill_between(
            _times(forecasts.index),
            forecasts["lower"],
            forecasts["upper"],
            color="tab:blue",
            alpha=0.25,
            linewidth=0,
            label=_interval_label(forecasts),
        )
    ax.plot(
        _times(forecasts.index),
        forecasts[target],
        color="tab:blue",
        marker="o",
        markersize=3,
        linewidth=1.8,
        label="forecast",
    )
    if actual is not None:
        actual = pd.Series(actual)
        ax.plot(
            _times(actual.index),
            actual.to_numpy(),
            linestyle="none",
            marker="x",
            color="tab:red",
            label="actual",
        )
    ax.set_ylabel(str(target))
    ax.set_xlabel(str(forecasts.index.name or "time"))
    ax.set_title(title or f"Forecast of {target}, {horizon} step{'s' if horizon > 1 else ''}")
    ax.legend(loc="best", fontsize="small")
    return figure


@validate_arguments({"log_scale": ["boolean", StrOptions({"auto"})]})
def plot_loss_curve(estimator, *, ax=None, log_scale="auto"):
    """Plot the training (and validation) loss of a fitted recurrent estimator per epoch.

    Parameters
    ----------
    estimator : fitted LSTMRegressor, LSTMClassifier, Pipeline or search
        The last step of a Pipeline, and a search's ``best_estimator_``, are used.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure when None.
    log_scale : bool or "auto", default="auto"
        Logarithmic loss axis; "auto" uses it when the losses span more than 20x.

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from lstmforecast import LSTMRegressor, Windower, make_supervised
    >>> from lstmforecast.plotting import plot_loss_curve
    >>> X, y = make_supervised(np.sin(np.arange(200) / 5))
    >>> model = make_pipeline(Windower(look_back=8),
    ...                       LSTMRegressor(hidden_size=8, max_epochs=4, random_state=0))
    >>> figure = plot_loss_curve(model.fit(X, y))
    >>> [line.get_label() for line in figure.axes[0].get_lines()][:2]
    ['train loss', 'valid loss']
    """
    model = getattr(estimator, "best_estimator_", estimator)
    if hasattr(model, "steps"):
        model = model.steps[-1][1]
    curve = getattr(model, "loss_curve_", None)
    losses = {}
    if isinstance(curve, pd.DataFrame):
        curve = {column: curve[column].dropna().tolist() for column in curve.columns}
    if isinstance(curve, dict):
        losses = {k: np.asarray(v, dtype=float) for k, v in curve.items() if k.endswith("loss")}
        losses = {k: v for k, v in losses.items() if v.size}
    if not losses:
        raise ValueError(
            f"{type(model).__name__} has no loss curve (loss_curve_) to plot: fit a recurrent "
            "estimator (LSTMRegressor, LSTMClassifier) first."
        )
    figure, ax = _axes(ax, (7, 4))
    for name, values in losses.items():
        epochs = np.arange(1, len(values) + 1)
        ax.plot(
            epochs,
            values,
            marker="o" if len(values) < 30 else None,
            markersize=3,
            label=name.replace("_", " "),
        )
    valid = losses.get("valid_loss")
    if valid is not None:
        best = int(np.argmin(valid))
        ax.axvline(best + 1, color="0.6", linestyle=":", label=f"best epoch ({best + 1})")
    everything = np.concatenate(list(losses.values()))
    positive = everything[everything > 0]
    if log_scale is True or (
        log_scale == "auto" and positive.size and positive.max() > 20 * positive.min()
    ):
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (scaled targets)")
    ax.set_title(f"Loss curve of {type(model).__name__}")
    ax.legend(loc="best", fontsize="small")
    return figure


def plot_history(estimator, *, ax=None, log_scale="auto"):
    """Deprecated alias of :func:`plot_loss_curve`, its name before 0.2 (removed in 0.4).

    Parameters
    ----------
    estimator, ax, log_scale
        As for :func:`plot_loss_curve`.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    warn_renamed("plot_history", "plot_loss_curve")
    return plot_loss_curve(estimator, ax=ax, log_scale=log_scale)
