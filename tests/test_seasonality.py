import numpy as np
import pandas as pd
import pytest

from lstmforecast import LSTMRegressor, Windower, make_supervised
from lstmforecast._utils.seasonality import (
    auto_look_back,
    detect_seasons,
    season_lengths,
    series_look_back,
)
from lstmforecast.datasets import load_co2, load_sunspots

from .conftest import TINY


def _seasonal(n, period, trend=0.0, noise=0.1, seed=0):
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return trend * t + np.sin(2 * np.pi * t / period) + noise * rng.normal(size=n)


def test_season_found_on_real_series_and_none_on_random_walks():
    assert season_lengths(load_co2().to_numpy()) == (12,)
    assert season_lengths(load_co2("W-SAT").to_numpy()) == (52,)  # 52.18 weeks a year
    assert season_lengths(load_sunspots().to_numpy())[0] in (10, 11)
    rng = np.random.default_rng(0)
    assert season_lengths(np.cumsum(rng.normal(size=400))) == ()
    assert season_lengths(rng.normal(size=400)) == ()


def test_weekly_season_on_top_of_a_daily_one():
    t = np.arange(48 * 7 * 8)  # eight weeks of half-hourly rows
    rng = np.random.default_rng(0)
    load = np.sin(2 * np.pi * t / 48) + 0.8 * (t // 48 % 7 >= 5) + 0.1 * rng.normal(size=t.size)
    assert set(season_lengths(load)) == {48, 336}
    daily_only = np.sin(2 * np.pi * t / 48) + 0.1 * rng.normal(size=t.size)
    assert season_lengths(daily_only) == (48,)


def test_auto_look_back_covers_a_short_series_and_the_season_of_a_long_one():
    # fewer than 150 rows: the whole history, at least 24 rows
    assert series_look_back(_seasonal(100, 12)) == 100
    assert series_look_back(np.arange(14.0)) == 24
    # longer: the season (at least 8 rows, capped), else the autocorrelated lags, 8 to 24
    assert series_look_back(_seasonal(300, 12, trend=0.05)) == 12
    assert series_look_back(_seasonal(300, 4)) == 8
    assert 8 <= series_look_back(np.random.default_rng(0).normal(size=300)) <= 24
    assert auto_look_back(_seasonal(6000, 2000)) <= 1008


def test_windower_auto_reads_the_look_back_from_the_training_rows_only():
    series = _seasonal(240, 12)
    windower = Windower(look_back="auto").fit(series[:200, None])
    assert windower.look_back_ == 12
    assert windower.transform(series[200:, None]).shape == (40, 12, 1)
    short = Windower(look_back="auto").fit(series[:100, None])
    assert short.look_back_ == 100  # the whole history of a short series
    assert windower.get_params()["look_back"] == "auto"  # the parameter is left alone
    with pytest.raises(ValueError, match="'look_back' parameter of Windower .*rows per window"):
        Windower(look_back="long").fit(series[:, None])


def test_multi_horizon_columns_anchor_on_the_value_one_season_before():
    series = pd.Series(_seasonal(150, 12, trend=0.02, noise=0.02), name="y")
    X, y = make_supervised(series, horizon=12)
    windows = Windower(look_back=12).fit_transform(X)
    lag = dict(TINY, smoothing_anchor=False)  # the last-value and seasonal anchors
    model = LSTMRegressor(**lag).fit(windows, y)
    assert model.season_lengths_ == (12,)
    # step k's seasonal naive is the value 12 - k rows before the origin
    np.testing.assert_array_equal(model.anchor_lags_, 12 - np.arange(1, 13))
    # with no season allowed every step anchors on the last value
    plain = LSTMRegressor(**lag, season_length=None).fit(windows, y)
    assert plain.season_lengths_ == () and not plain.anchor_lags_.any()
    # the seasonal anchor alone already is the seasonal naive forecast: an untrained
    # network (zero head) predicts exactly it
    untrained = _zero_network(LSTMRegressor(**lag).fit(windows, y))
    seasonal_naive = np.stack([X["y"].shift(12 - k).to_numpy() for k in range(1, 13)], axis=1)
    np.testing.assert_allclose(untrained.predict(windows)[12:], seasonal_naive[12:], rtol=1e-5)


def test_season_is_estimated_on_training_rows_only():
    # the first 200 rows have period 12; the later ones a period of 7
    series = np.concatenate([_seasonal(200, 12), _seasonal(200, 7)])
    X, y = make_supervised(series)
    windows = Windower(look_back=12).fit_transform(X)
    model = LSTMRegressor(**TINY).fit(windows[:199], y[:199])
    assert model.season_lengths_ == (12,)


@pytest.mark.parametrize("bad", [1, "weekly", [12, 0]])
def test_bad_season_length_is_named(bad):
    X = np.random.default_rng(0).normal(size=(40, 5, 1))
    with pytest.raises(ValueError, match="season_length"):
        LSTMRegressor(**TINY, season_length=bad).fit(X, X[:, -1, 0])


def _zero_network(model):
    """The network's correction set to zero: predictions are the anchor forecast."""
    model.network_.head.weight.data.zero_()
    model.network_.head.bias.data.zero_()
    model._y_shift[:] = 0
    return model


def test_log_target_predicts_on_the_original_scale():
    t = np.arange(240)
    series = pd.Series(np.exp(0.01 * t) * (10 + 3 * np.sin(2 * np.pi * t / 12)), name="y")
    X, y = make_supervised(series, horizon=12)
    windows = Windower(look_back=12).fit_transform(X)
    lag = dict(TINY, smoothing_anchor=False)  # the last-value and seasonal anchors
    model = _zero_network(LSTMRegressor(**lag, target_transform="log").fit(windows, y))
    # steps 2..12 anchor on the value one season before (step 1 may prefer the last value)
    np.testing.assert_array_equal(model.anchor_lags_[1:], 12 - np.arange(2, 13))
    # the anchor on the log scale, exponentiated back: exactly the anchor values
    anchors = np.stack([X["y"].shift(lag).to_numpy() for lag in model.anchor_lags_], axis=1)
    np.testing.assert_allclose(model.predict(windows)[12:], anchors[12:], rtol=1e-5)
    with pytest.raises(ValueError, match="target_transform='log' needs y > 0"):
        LSTMRegressor(**TINY, target_transform="log").fit(windows, y - 100)
    with pytest.raises(ValueError, match="every value of X must be > 0"):
        LSTMRegressor(**TINY, target_transform="log").fit(windows - 100, y)


@pytest.mark.parametrize("loss", ["mae", "huber"])
def test_robust_losses_train(loss):
    X, y = make_supervised(pd.Series(_seasonal(120, 12), name="y"))
    windows = Windower(look_back=12).fit_transform(X)
    model = LSTMRegressor(**dict(TINY, max_epochs=20), loss=loss, early_stopping=False)
    model.fit(windows, y)
    assert model.loss_curve_["train_loss"][-1] < model.loss_curve_["train_loss"][0]
    with pytest.raises(ValueError, match="'loss' parameter of LSTMRegressor must be a str among"):
        LSTMRegressor(**TINY, loss="l2").fit(windows, y)


def _validation_error(model, windows, y):
    n_valid = int(np.ceil(model.validation_fraction * len(y)))
    return np.abs(model.predict(windows)[-n_valid:] - y[-n_valid:]).mean()


def test_cyclic_series_keeps_the_anchor_that_validates_better():
    # A cycle around a fixed mean: its last value forecasts 5 steps ahead worse than the
    # mean, its value one cycle before better, so the default trains with and without
    # that anchor and keeps the fit with the smaller validation error.
    X, y = make_supervised(pd.Series(_seasonal(240, 10, noise=0.3), name="y"), horizon=5)
    windows = Windower(look_back=10).fit_transform(X)
    y = y.to_numpy()
    params = dict(TINY, max_epochs=15, smoothing_anchor=False)
    default = LSTMRegressor(**params).fit(windows, y)
    anchored = LSTMRegressor(**params, target_anchor=0).fit(windows, y)
    free = LSTMRegressor(**params, target_anchor=None).fit(windows, y)
    assert anchored.anchor_lags_.tolist() == [9, 8, 7, 6, 5]  # one cycle before each step
    errors = {"anchored": _validation_error(anchored, windows, y)}
    errors["free"] = _validation_error(free, windows, y)
    kept = anchored if errors["anchored"] <= errors["free"] else free
    np.testing.assert_array_equal(default.predict(windows), kept.predict(windows))
    assert default.target_anchor_ == kept.target_anchor_
    assert "_seasonal_anchor_only" not in vars(default)


def test_auto_batch_size_gives_about_32_batches_per_epoch():
    class CountBatches:
        def __init__(self):
            self.per_epoch = []

        def on_batch_end(self, estimator, batch, logs):
            self.per_epoch[-1] += 1

        def on_train_begin(self, estimator):
            self.per_epoch.append(0)

    X, y = make_supervised(pd.Series(_seasonal(2100, 12), name="y"))
    windows = Windower(look_back=12).fit_transform(X)
    for n_rows, batch in ((300, 16), (2000, 64)):  # 270 and 1800 training rows
        counter = CountBatches()
        params = dict(TINY, batch_size="auto", max_epochs=1, callbacks=[counter])
        LSTMRegressor(**params).fit(windows[:n_rows], y[:n_rows])
        n_train = n_rows - int(np.ceil(0.1 * n_rows))
        assert counter.per_epoch == [int(np.ceil(n_train / batch))]


def test_guerrero_lambda_tells_multiplicative_from_additive_seasons():
    from lstmforecast._utils.target_transform import guerrero_lambda

    t = np.arange(240)
    season = np.sin(2 * np.pi * t / 12)
    growing = np.exp(0.01 * t) * (10 + 3 * season)  # swing proportional to the level
    constant = 10 + 0.1 * t + 3 * season  # same swing at every level
    assert abs(guerrero_lambda(growing, 12)) < 0.2
    assert guerrero_lambda(constant, 12) > 0.7


def test_boxcox_target_predicts_on_the_original_scale():
    t = np.arange(240)
    series = pd.Series(np.exp(0.01 * t) * (10 + 3 * np.sin(2 * np.pi * t / 12)), name="y")
    X, y = make_supervised(series, horizon=12)
    windows = Windower(look_back=12).fit_transform(X)
    model = LSTMRegressor(**TINY, target_transform="boxcox", smoothing_anchor=False)
    model = model.fit(windows, y)
    assert model.target_lambda_ is not None and abs(model.target_lambda_) < 0.2
    model = _zero_network(model)
    anchors = np.stack([X["y"].shift(lag).to_numpy() for lag in model.anchor_lags_], axis=1)
    np.testing.assert_allclose(model.predict(windows)[12:], anchors[12:], rtol=1e-5)


def test_auto_training_uses_sequence_mode_for_week_long_windows_only():
    X, y = make_supervised(pd.Series(_seasonal(300, 48), name="y"))
    params = dict(TINY, max_epochs=1, early_stopping=False)
    long_windows = Windower(look_back=256).fit_transform(X)
    assert LSTMRegressor(**params).fit(long_windows, y).training_ == "sequence"
    short_windows = Windower(look_back=48).fit_transform(X)
    assert LSTMRegressor(**params).fit(short_windows, y).training_ == "window"
    # Sequence mode needs consecutive windows and a unidirectional "last" network.
    shuffled = np.random.default_rng(0).permutation(len(y))
    model = LSTMRegressor(**params).fit(long_windows[shuffled], y.to_numpy()[shuffled])
    assert model.training_ == "window"
    assert LSTMRegressor(**params, pooling="mean").fit(long_windows, y).training_ == "window"


def test_one_season_detector_gives_every_caller_the_same_season():
    """A monthly index implies 12 even where the autocorrelation would say 6: the
    Windower's look-back, the regressor's seasonal anchor and the Box-Cox blocks (of the
    regressor and of the baselines) all use detect_seasons, so they agree."""
    from lstmforecast import NaiveRegressor
    from lstmforecast._utils.target_transform import guerrero_lambda

    index = pd.date_range("2000-01", periods=300, freq="MS")
    series = pd.Series(_seasonal(300, 6, trend=0.01) + 10, index=index, name="y")
    assert season_lengths(series.to_numpy()) == (6,)
    assert detect_seasons(series.to_numpy(), frequency=12) == (12,)
    assert detect_seasons(series.to_numpy(), frequency=1) == (6,)  # yearly: read the ACF
    assert detect_seasons(None) == ()
    X, y = make_supervised(series)
    assert Windower(look_back="auto").fit(X).look_back_ == 12
    windows = Windower(look_back=24).fit_transform(X)
    boxcox = dict(target_transform="boxcox", smoothing_anchor=False)
    model = LSTMRegressor(**dict(TINY, max_epochs=1), **boxcox).fit(windows, y)
    assert model.season_lengths_ == (12,)
    naive = NaiveRegressor(target_transform="boxcox").fit(X, y)
    expected = guerrero_lambda(naive.series_, 12)
    assert naive.target_lambda_ == pytest.approx(expected)
    assert model.target_lambda_ == pytest.approx(guerrero_lambda(y.to_numpy(), 12))
