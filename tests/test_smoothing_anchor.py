"""The default on short series: the season a time index implies, windows over the whole
history, and the smoothing anchor that forecasts alone where a network cannot be
validated."""

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from lstmforecast import LSTMRegressor, Windower, forecast, make_supervised
from lstmforecast._recurrent.smoothing_anchor import _smooth, fit_smoothing, smoothing_forecast
from lstmforecast._utils.seasonality import frequency_season
from lstmforecast.datasets import load_co2

from .conftest import TINY


@pytest.mark.parametrize(
    ("index", "season"),
    [
        (pd.period_range("2000", periods=30, freq="M"), 12),
        (pd.date_range("2000", periods=30, freq="MS"), 12),
        (pd.period_range("2000", periods=30, freq="Q"), 4),
        (pd.date_range("2000", periods=30, freq="D"), 7),
        (pd.date_range("2000", periods=30, freq="h"), 24),
        (pd.date_range("2000", periods=30, freq="30min"), 48),
        (pd.period_range("2000", periods=30, freq="Y"), 1),
        (pd.DatetimeIndex(pd.date_range("2000", periods=30, freq="QS").tolist()), 4),  # inferred
        (pd.RangeIndex(30), None),
    ],
)
def test_frequency_implies_the_season(index, season):
    assert frequency_season(index) == season


def _monthly(values):
    return pd.Series(values, index=pd.period_range("1990-01", periods=len(values), freq="M"))


def test_a_monthly_index_gives_season_12_where_the_autocorrelation_rule_finds_another():
    # A weak yearly season under a strong trend and noise, plus a 5-month wiggle: the
    # autocorrelation alone may read 5 (or nothing); the calendar says 12.
    rng = np.random.default_rng(0)
    t = np.arange(96)
    values = 100 + t + 2 * np.sin(2 * np.pi * t / 12) + 3 * np.sin(2 * np.pi * t / 5)
    series = _monthly(values + rng.normal(size=t.size))
    X, y = make_supervised(series, horizon=6)
    with pytest.warns(UserWarning, match="smoothing anchor's alone"):
        pipe = Pipeline([("win", Windower(look_back="auto")), ("lstm", LSTMRegressor(**TINY))])
        pipe.fit(X, y)
    assert pipe[-1].season_lengths_ == (12,)
    assert pipe[0].look_back_ == 2 * len(X)  # a short series: room for its whole history
    # without the index, nothing tells the model that a year has 12 months
    plain = LSTMRegressor(**TINY, smoothing_anchor=False)
    plain.fit(Windower(look_back=24).fit_transform(X.to_numpy()), y.to_numpy())
    assert 12 not in plain.season_lengths_


def test_smoothing_weights_equal_the_recursions():
    x = np.cumsum(np.random.default_rng(0).normal(size=(3, 15)), axis=1)
    alpha, beta, phi = np.array([0.3, 0.6]), np.array([0.0, 0.2]), np.array([1.0, 0.9])
    level, trend = _smooth(x, alpha, beta, phi)
    for g in range(2):
        for i in range(3):
            ell, b = x[i, 0], 0.0
            for value in x[i]:
                new = alpha[g] * value + (1 - alpha[g]) * (ell + phi[g] * b)
                b = beta[g] * (new - ell) + (1 - beta[g]) * phi[g] * b
                ell = new
            np.testing.assert_allclose([level[i, g], trend[i, g]], [ell, b], rtol=1e-10)


def test_the_trend_is_chosen_on_the_whole_horizon():
    # A trend that fades: one step ahead a linear and a damped trend forecast alike, over
    # eight steps the damped one is closer. The choice over every column of the targets
    # damps more than the one-step choice, keeps its level, and is closer over the horizon.
    rng = np.random.default_rng(0)
    t = np.arange(80.0)
    series = 100 + 40 * (1 - 0.9**t) + rng.normal(size=t.size)
    horizon = 8
    padded = np.r_[np.full(39, np.nan), series]
    windows = np.lib.stride_tricks.sliding_window_view(padded, 40)[: len(series) - horizon]
    origins = np.arange(len(windows))
    targets = series[origins[:, None] + np.arange(1, horizon + 1)]
    one_step = fit_smoothing(windows, targets[:, 0], season=1)
    whole = fit_smoothing(windows, targets, season=1)
    assert whole["damped"][0] == one_step["damped"][0]  # the level's smoothing is kept

    def error(params):
        return np.abs(smoothing_forecast(windows, params, horizon) - targets).mean()

    assert whole["damped"][2] < one_step["damped"][2]  # the fading trend damped harder
    assert error(whole) < error(one_step)


def test_anchor_forecasts_a_multiplicative_season_exactly_from_any_phase():
    # A repeating pattern has a flat seasonally adjusted series: the anchor's forecast is
    # the pattern itself, whichever phase each window ends on and despite front padding.
    pattern = np.array([1.0, 1.2, 0.9, 0.7, 1.1, 1.1])
    series = 50 * np.tile(pattern, 10)
    padded = np.r_[np.full(29, np.nan), series]
    windows = np.lib.stride_tricks.sliding_window_view(padded, 30)  # window t ends at t
    params = fit_smoothing(windows[:56], series[1:57], season=6)
    assert params["season"] == 6
    origins = np.arange(12, len(series) - 4)  # windows with two seasons observed
    expected = series[origins[:, None] + np.arange(1, 5)]
    np.testing.assert_allclose(smoothing_forecast(windows[origins], params, 4), expected)


def test_default_on_a_20_value_yearly_series_beats_naive_on_its_own_tail():
    # 20 years of Mauna Loa CO2 (yearly means), the last 6 held out, the README's recipe.
    yearly = load_co2().resample("YE").mean().iloc[-20:]
    train, test = yearly.iloc[:14], yearly.iloc[14:].to_numpy()
    X, y = make_supervised(train, horizon=6)
    pipe = Pipeline([("win", Windower(look_back="auto")), ("lstm", LSTMRegressor())])
    with pytest.warns(UserWarning, match="network is not trained"):
        pipe.fit(X, y)
    model = pipe[-1]
    assert model.n_iter_ == 0 and model.smoothing_params_ is not None
    predicted = forecast(pipe, train).to_numpy().ravel()
    naive_error = np.abs(test - train.iloc[-1]).mean()
    # CO2 rises about 2 ppm a year: the last value is 7 ppm low on average over 6 years
    assert np.abs(predicted - test).mean() < 0.5 * naive_error
    # the forecast is the anchor's, from the last window: no random draw in it
    windows = pipe[0].transform(train.to_frame())[-1:, :, 0]
    expected = smoothing_forecast(windows, model.smoothing_params_, 6)[0]
    np.testing.assert_allclose(predicted, expected, rtol=1e-6)


def test_a_short_series_forecast_reads_its_whole_history():
    # make_supervised leaves the horizon's rows out of X; forecast() windows the whole
    # series, so its window must hold them too: the oldest value still counts.
    yearly = load_co2().resample("YE").mean().iloc[-30:]
    X, y = make_supervised(yearly, horizon=6)
    pipe = Pipeline([("win", Windower(look_back="auto")), ("lstm", LSTMRegressor())])
    with pytest.warns(UserWarning, match="network is not trained"):
        pipe.fit(X, y)
    assert pipe[0].look_back_ >= len(yearly)
    window = pipe[0].transform(yearly.to_frame())[-1, :, 0]
    np.testing.assert_allclose(window[-len(yearly) :], yearly.to_numpy(), rtol=1e-6)
    assert np.isnan(window[: -len(yearly)]).all()  # front padding only


def test_long_series_and_explicit_choices_train_the_network():
    t = np.arange(400, dtype=float)
    X, y = make_supervised(pd.Series(10 + 0.05 * t + np.sin(t / 3), name="y"), horizon=3)
    windows = Windower(look_back=12).fit_transform(X)
    long = LSTMRegressor(**TINY).fit(windows, y)  # 40 validation rows: the network learns
    assert long.smoothing_params_ is None and long.n_iter_ > 0
    short = (windows[:60], y.iloc[:60])
    for params in (
        dict(smoothing_anchor=False),
        dict(early_stopping=False),
        dict(quantiles=(0.1, 0.5, 0.9)),
        dict(target_anchor=0),
    ):
        model = LSTMRegressor(**TINY, **params).fit(*short)
        assert model.smoothing_params_ is None and model.n_iter_ > 0, params


def test_an_anchor_only_model_saves_and_loads_without_pickle(tmp_path):
    from lstmforecast import load, save

    t = np.arange(60, dtype=float)
    series = _monthly(100 + t + 5 * np.sin(2 * np.pi * t / 12))
    X, y = make_supervised(series, horizon=6)
    with pytest.warns(UserWarning, match="network is not trained"):
        pipe = Pipeline([("win", Windower(look_back="auto")), ("lstm", LSTMRegressor(**TINY))])
        pipe.fit(X, y)
    save(pipe, tmp_path / "model.safetensors")
    loaded = load(tmp_path / "model.safetensors")
    np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))
    assert loaded[-1].smoothing_params_ == pipe[-1].smoothing_params_
