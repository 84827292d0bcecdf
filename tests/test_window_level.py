"""window_scale="level": per-window level and multiplicative season of a global model."""

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from lstmforecast import LSTMRegressor, Windower, forecast, make_supervised
from lstmforecast._preprocessing.window_level import level_divisors

from .conftest import TINY

PROFILE = 1 + 0.4 * np.sin(2 * np.pi * np.arange(12) / 12)  # mean 1 over a season


def _seasonal(level, n_steps, trend=0.0, phase=0):
    t = np.arange(n_steps)
    return level * (1 + trend * t) * PROFILE[(t + phase) % 12]


def _panel(levels, n_steps=60, noise=0.02, seed=0):
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2018-01-01", periods=n_steps, freq="MS")
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "shop": f"s{k}",
                    "sales": _seasonal(level, n_steps, trend=0.005, phase=k)
                    * (1 + rng.normal(0, noise, n_steps)),
                },
                index=dates,
            )
            for k, level in enumerate(levels)
        ]
    ).sort_index(kind="stable")


def _level_model(look_back=36, **params):
    return Pipeline(
        [
            ("win", Windower(look_back=look_back, id_column="shop")),
            (
                "lstm",
                LSTMRegressor(**{**TINY, **params}, window_scale="level", season_length=12),
            ),
        ]
    )


def test_divisors_recover_a_multiplicative_season_and_its_future():
    values = _seasonal(50.0, 36 + 6)
    windows = values[None, :36, None]
    steps, targets = level_divisors(windows, season=12, n_outputs=6, feature=0)
    # A pure seasonal series divided by level x profile is flat at 1, and the divisors
    # of the steps ahead are the series' own future values: the season is restored.
    np.testing.assert_allclose(windows / steps, 1.0, rtol=1e-10)
    np.testing.assert_allclose(targets[0], values[36:], rtol=1e-10)


def test_divisors_are_equivariant_and_read_each_window_alone():
    rng = np.random.default_rng(0)
    windows = rng.uniform(1, 2, size=(5, 30, 2))
    steps, targets = level_divisors(windows, season=12, n_outputs=3, feature=1)
    scaled_steps, scaled_targets = level_divisors(windows * 1000.0, 12, 3, 1)
    np.testing.assert_allclose(scaled_steps, steps * 1000.0, rtol=1e-10)
    np.testing.assert_allclose(scaled_targets, targets * 1000.0, rtol=1e-10)
    alone, alone_targets = level_divisors(windows[2:3], 12, 3, 1)
    np.testing.assert_allclose(alone, steps[2:3])
    np.testing.assert_allclose(alone_targets, targets[2:3])


def test_divisors_fall_back_without_a_season_to_read():
    windows = _seasonal(10.0, 30)[None, :, None].copy()
    windows[0, :20] = np.nan  # padded: 10 observed steps, less than two seasons
    steps, targets = level_divisors(windows, season=12, n_outputs=2, feature=0)
    observed = steps[0, 20:, 0]
    assert np.isfinite(observed).all() and np.ptp(observed) == 0  # flat: level only
    np.testing.assert_allclose(targets[0], np.nanmean(windows[0, -12:, 0]))
    # Non-positive values: no multiplicative season, the level stays.
    signed = np.sin(np.arange(36.0))[None, :, None]
    steps, _ = level_divisors(signed, season=12, n_outputs=1, feature=0)
    assert np.ptp(steps) == 0 and steps[0, 0, 0] != 0
    # No season at all: the level is the last value.
    steps, targets = level_divisors(windows, season=1, n_outputs=2, feature=0)
    np.testing.assert_allclose(targets[0], windows[0, -1, 0])


def test_a_window_without_a_season_keeps_a_flat_profile():
    rng = np.random.default_rng(0)
    noise = rng.lognormal(0, 0.1, size=(200, 48, 1))  # no season: its profile is noise
    seasonal = noise * PROFILE[np.arange(48) % 12, None]
    flat = [np.ptp(level_divisors(w, 12, 1, 0)[0], axis=(1, 2)) == 0 for w in (noise, seasonal)]
    # The F-test keeps about one noise profile in ten (its 90% level), every real season.
    assert np.mean(flat[0]) > 0.75
    assert not np.any(flat[1])


def test_level_forecasts_scale_with_their_series():
    predictions = {}
    for factor in (1.0, 1000.0):
        data = _panel([1.0, 7.0])
        data.loc[data["shop"] == "s1", "sales"] *= factor
        X, y = make_supervised(data, target_column="sales", horizon=3, id_column="shop")
        predicted = _level_model(max_epochs=2).fit(X, y).predict(X)
        second = X["shop"].to_numpy() == "s1"
        predictions[factor] = (predicted[~second], predicted[second] / factor)
    np.testing.assert_allclose(predictions[1000.0][0], predictions[1.0][0], rtol=1e-4)
    np.testing.assert_allclose(predictions[1000.0][1], predictions[1.0][1], rtol=1e-4)


def test_level_forecast_keeps_each_series_season_and_level():
    levels = [2.0, 300.0, 40000.0]
    data = _panel(levels, noise=0.01)
    X, y = make_supervised(data, target_column="sales", horizon=12, id_column="shop")
    model = _level_model(max_epochs=3).fit(X, y)
    future = forecast(model, data, id_column="shop")
    for k, level in enumerate(levels):
        mine = future[future["shop"] == f"s{k}"]["sales"].to_numpy()
        truth = _seasonal(level, 72, trend=0.005, phase=k)[60:]
        # The profile and level come from each series' own window, whatever the
        # network learned in three epochs: the shape is the season, the size the level.
        assert np.corrcoef(mine, truth)[0, 1] > 0.9
        assert 0.5 < mine.mean() / truth.mean() < 2


def test_level_windows_of_a_series_start_never_see_the_previous_series():
    data = _panel([1.0, 10000.0], n_steps=40)
    X, y = make_supervised(data, target_column="sales", horizon=2, id_column="shop")
    model = _level_model(max_epochs=1).fit(X, y)
    predicted = model.predict(X)
    second = X["shop"].to_numpy() == "s1"
    first_rows = np.flatnonzero(second)[:3]  # windows mostly padding
    assert (predicted[first_rows] > 1000).all()  # the level of s1, not of s0
    assert (predicted[np.flatnonzero(~second)[:3]] < 10).all()


def test_level_with_quantiles_gives_ordered_intervals():
    data = _panel([1.0, 50.0])
    X, y = make_supervised(data, target_column="sales", horizon=2, id_column="shop")
    model = _level_model(max_epochs=2, quantiles=(0.1, 0.5, 0.9)).fit(X, y)
    result = forecast(model, data, id_column="shop", coverage=0.8)
    assert (result["lower"] <= result["sales"]).all()
    assert (result["sales"] <= result["upper"]).all()


def test_level_refuses_sequence_training():
    windows = np.ones((40, 12, 1))
    with pytest.raises(ValueError, match="window_scale divides each window"):
        LSTMRegressor(**TINY, window_scale="level", training="sequence").fit(windows, np.ones(40))


def test_level_model_saved_and_loaded_predicts_the_same(tmp_path):
    from lstmforecast import load, save

    data = _panel([3.0, 900.0])
    X, y = make_supervised(data, target_column="sales", horizon=2, id_column="shop")
    windows = Windower(look_back=36, id_column="shop").fit_transform(X)
    model = LSTMRegressor(**{**TINY, "max_epochs": 1}, window_scale="level", season_length=12)
    model.fit(windows, y)
    save(model, tmp_path / "level")
    np.testing.assert_allclose(load(tmp_path / "level").predict(windows), model.predict(windows))
