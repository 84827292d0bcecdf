"""Forecast and training-history figures."""

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline

from lstmforecast import (
    ConformalForecaster,
    LSTMRegressor,
    NaiveRegressor,
    Windower,
    forecast,
    make_supervised,
)
from lstmforecast.plotting import plot_forecast, plot_loss_curve

from .conftest import TINY

# Short series forecast with the smoothing anchor alone; these tests train the network.
TINY_NET = dict(TINY, smoothing_anchor=False)

plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture
def monthly():
    index = pd.date_range("2010-01-01", periods=120, freq="MS")
    values = np.cumsum(np.random.default_rng(0).normal(size=120))
    return pd.Series(values, index=index, name="sales")


def test_plot_forecast_draws_history_tail_forecast_band_and_actuals(monthly):
    history, later = monthly[:-6], monthly[-6:]
    X, y = make_supervised(history, horizon=6)
    model = ConformalForecaster(NaiveRegressor(), calibration_size=40).fit(X, y)
    result = forecast(model, history, coverage=0.8)
    figure = plot_forecast(result, history, actual=later, n_history=24)
    ax = figure.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"history", "forecast", "actual"}
    assert len(lines["history"].get_xdata()) == 24
    assert list(lines["forecast"].get_xdata()) == list(later.index)
    band = [c for c in ax.collections if c.get_label() == "80% prediction interval"]
    assert len(band) == 1
    assert ax.get_ylabel() == "sales"
    plt.close(figure)


def test_plot_loss_curve_shows_losses_and_the_best_epoch(monthly):
    X, y = make_supervised(monthly)
    lstm = LSTMRegressor(**{**TINY_NET, "max_epochs": 6}, early_stopping=True, n_iter_no_change=6)
    model = make_pipeline(Windower(look_back=6), lstm).fit(X, y)
    figure = plot_loss_curve(model)
    ax = figure.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["train loss", "valid loss"] and labels[2].startswith("best epoch")
    assert len(ax.get_lines()[0].get_ydata()) == model[-1].n_iter_
    plt.close(figure)
    with pytest.raises(ValueError, match="no loss curve"):
        plot_loss_curve(NaiveRegressor().fit(X, y))


def test_plots_say_how_to_install_matplotlib(monkeypatch, monthly):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # import fails
    frame = pd.DataFrame({"sales": [1.0, 2.0]})
    with pytest.raises(ImportError, match=r"lstmforecast\[plot\]"):
        plot_forecast(frame)


def test_plot_forecast_on_a_period_index_names_the_interval_level():
    quarterly = pd.Series(
        np.cumsum(np.random.default_rng(1).normal(size=60)),
        index=pd.period_range("1965Q1", periods=60, freq="Q"),
        name="gdp",
    )
    X, y = make_supervised(quarterly, horizon=4)
    model = ConformalForecaster(NaiveRegressor(), calibration_size=20).fit(X, y)
    result = forecast(model, quarterly, coverage=0.9)
    figure = plot_forecast(result, quarterly, actual=quarterly[-4:])
    ax = figure.axes[0]
    assert "90% prediction interval" in ax.get_legend_handles_labels()[1]
    forecast_line = [line for line in ax.get_lines() if line.get_label() == "forecast"][0]
    # Each period is drawn at its start.
    assert pd.Timestamp(forecast_line.get_xdata()[0]) == pd.Timestamp("1980-01-01")
    plt.close(figure)
