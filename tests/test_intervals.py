"""Quantile forecasts: the LSTM's quantile head and conformal intervals around any model."""

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline

from lstmforecast import (
    ConformalForecaster,
    LSTMRegressor,
    NaiveRegressor,
    Windower,
    compare,
    make_supervised,
)

from .conftest import TINY

LEVELS = (0.1, 0.5, 0.9)


@pytest.fixture(scope="module")
def noisy_sine():
    rng = np.random.default_rng(0)
    return pd.Series(np.sin(np.arange(500) / 4) + rng.normal(0, 0.3, 500), name="y")


@pytest.fixture(scope="module")
def quantile_pipeline(noisy_sine):
    X, y = make_supervised(noisy_sine)
    lstm = LSTMRegressor(**{**TINY, "max_epochs": 15, "lr": 0.01}, quantiles=LEVELS)
    return make_pipeline(Windower(look_back=8), lstm).fit(X[:400], y[:400]), X, y


def test_quantile_head_is_ordered_calibrated_and_its_median_is_the_point(quantile_pipeline):
    model, X, y = quantile_pipeline
    q = model.predict(X[400:], quantiles=LEVELS)  # Pipeline forwards quantiles=
    assert q.shape == (len(X) - 400, 3)
    assert np.all(np.diff(q, axis=1) > 0)
    np.testing.assert_allclose(model.predict(X[400:]), q[:, 1])
    inside = (y[400:] >= q[:, 0]) & (y[400:] <= q[:, 2])
    assert 0.65 <= inside.mean() <= 0.95  # nominal 80%, on 99 held-out rows


def test_quantile_head_interpolates_between_trained_levels_only(quantile_pipeline):
    model, X, _ = quantile_pipeline
    q = model.predict(X[400:], quantiles=[0.1, 0.3, 0.5])
    np.testing.assert_allclose(q[:, 1], (q[:, 0] + q[:, 2]) / 2)
    with pytest.raises(ValueError, match="outside the levels"):
        model.predict(X[400:], quantiles=[0.05, 0.5])


def test_quantile_head_for_a_multi_horizon_target(noisy_sine):
    X, y = make_supervised(noisy_sine[:200], horizon=3)
    lstm = LSTMRegressor(**TINY, quantiles=(0.2, 0.5, 0.8))
    model = make_pipeline(Windower(look_back=4), lstm).fit(X, y)
    q = model.predict(X, quantiles=[0.2, 0.8])
    assert q.shape == (len(X), 3, 2)
    assert np.all(q[..., 1] > q[..., 0])
    assert model.predict(X).shape == (len(X), 3)


def test_default_lstm_calibrates_intervals_on_its_held_out_rows(noisy_sine):
    X, y = make_supervised(noisy_sine[:300], horizon=2)
    model = make_pipeline(Windower(look_back=4), LSTMRegressor(**TINY)).fit(X, y)
    lstm = model[-1]
    n_valid = len(lstm.interval_residuals_)
    assert n_valid == 30  # validation_fraction=0.1 of 298 rows, the most recent ones
    np.testing.assert_allclose(
        lstm.interval_residuals_, y.to_numpy()[-n_valid:] - model.predict(X)[-n_valid:], atol=1e-9
    )
    q = model.predict(X.tail(5), quantiles=[0.1, 0.5, 0.9])
    points = model.predict(X.tail(5))
    assert q.shape == (5, 2, 3)
    np.testing.assert_allclose(q[..., 1], points)  # the median is the point forecast
    np.testing.assert_allclose(q[..., 2] - points, points - q[..., 0])  # symmetric
    # Split conformal on the absolute errors, each counted on both sides: the smallest j
    # with (n + j) / (2n + 1) >= 0.9 gives the j-th smallest absolute error, per step.
    j = int(np.ceil(0.9 * (2 * n_valid + 1) - n_valid))
    expected = np.sort(np.abs(lstm.interval_residuals_), axis=0)[j - 1]
    np.testing.assert_allclose(q[0, :, 2] - points[0], expected)


def test_forecast_gives_intervals_from_the_default_lstm(noisy_sine):
    from lstmforecast import forecast

    X, y = make_supervised(noisy_sine[:300], horizon=3)
    model = make_pipeline(Windower(look_back=4), LSTMRegressor(**TINY)).fit(X, y)
    result = forecast(model, noisy_sine[:300], coverage=0.8)
    assert list(result.columns) == ["y", "lower", "upper"]
    assert ((result.lower < result.y) & (result.y < result.upper)).all()


def test_point_model_without_held_out_rows_says_how_to_get_quantiles(noisy_sine):
    X, y = make_supervised(noisy_sine[:100])
    lstm = LSTMRegressor(**TINY, early_stopping=False)
    model = make_pipeline(Windower(look_back=4), lstm).fit(X, y)
    with pytest.raises(ValueError, match="early_stopping=True.*ConformalForecaster"):
        model.predict(X, quantiles=[0.1, 0.9])


@pytest.mark.parametrize(
    "quantiles, message",
    [((0.9, 0.1), "sorted ascending"), ((0.0, 0.5), r"in \(0, 1\)"), ((0.6, 0.9), "span 0.5")],
)
def test_bad_quantile_levels_are_refused(noisy_sine, quantiles, message):
    X, y = make_supervised(noisy_sine[:50])
    with pytest.raises(ValueError, match=message):
        make_pipeline(Windower(look_back=4), LSTMRegressor(**TINY, quantiles=quantiles)).fit(X, y)


def random_walk(n, seed=0):
    return pd.Series(np.cumsum(np.random.default_rng(seed).normal(size=n)), name="level")


def test_split_conformal_uses_the_corrected_order_statistic():
    X, y = make_supervised(random_walk(200))
    model = ConformalForecaster(NaiveRegressor(), calibration_size=49).fit(X, y)
    residuals = np.sort(y.to_numpy()[-49:] - X["level"].to_numpy()[-49:])
    q = model.predict(X.tail(1), quantiles=[0.1, 0.9])
    last = X["level"].iloc[-1]
    # ceil((49 + 1) * 0.9) = 45th smallest; the lower one mirrors it: 5th smallest.
    np.testing.assert_allclose(q[0], [last + residuals[4], last + residuals[44]])


def test_split_conformal_covers_nominally_on_later_data():
    X, y = make_supervised(random_walk(4000))
    model = ConformalForecaster(NaiveRegressor(), calibration_size=500).fit(X[:2000], y[:2000])
    q = model.predict(X[2000:], quantiles=[0.05, 0.95])
    coverage = ((y[2000:] >= q[:, 0]) & (y[2000:] <= q[:, 1])).mean()
    assert abs(coverage - 0.9) < 0.03


def test_conformal_widths_grow_with_the_horizon_step():
    X, y = make_supervised(random_walk(1000), horizon=4)
    model = ConformalForecaster(NaiveRegressor(), calibration_size=400).fit(X, y)
    q = model.predict(X.tail(3), quantiles=[0.1, 0.9])
    assert q.shape == (3, 4, 2)
    width = q[0, :, 1] - q[0, :, 0]
    assert np.all(np.diff(width) > 0)  # a random walk's error grows with the step


def test_adaptive_conformal_follows_a_change_in_volatility():
    rng = np.random.default_rng(1)
    steps = np.concatenate([rng.normal(0, 1, 900), rng.normal(0, 4, 100)])
    X, y = make_supervised(pd.Series(np.cumsum(steps)))
    kwargs = dict(calibration_size=500, half_life=20)
    split = ConformalForecaster(NaiveRegressor(), method="split", **kwargs).fit(X, y)
    adaptive = ConformalForecaster(NaiveRegressor(), method="adaptive", **kwargs).fit(X, y)

    def width(model):
        q = model.predict(X.tail(1), quantiles=[0.1, 0.9])
        return q[0, 1] - q[0, 0]

    assert width(adaptive) > 2 * width(split)  # the recent errors are 4x larger


def test_conformal_validates_its_calibration():
    X, y = make_supervised(random_walk(30))
    with pytest.raises(ValueError, match="calibration_size"):
        ConformalForecaster(NaiveRegressor(), calibration_size=1.5).fit(X, y)
    with pytest.raises(ValueError, match="rows to train on"):
        ConformalForecaster(NaiveRegressor(), calibration_size=28).fit(X, y)
    model = ConformalForecaster(NaiveRegressor(), calibration_size=5).fit(X, y)
    with pytest.warns(UserWarning, match="too few"):
        model.predict(X.tail(1), quantiles=[0.01, 0.99])


def test_conformalized_quantiles_widen_a_head_that_is_too_narrow(noisy_sine):
    X, y = make_supervised(noisy_sine)
    head = make_pipeline(
        Windower(look_back=8),
        LSTMRegressor(**{**TINY, "max_epochs": 15, "lr": 0.01}, quantiles=LEVELS),
    )
    model = ConformalForecaster(head, calibration_size=100, quantiles=[0.1, 0.9])
    model.fit(X[:400], y[:400])
    raw = model.estimator_.predict(X[400:], quantiles=[0.1, 0.9])
    calibrated = model.predict(X[400:], quantiles=[0.1, 0.9])
    # Each level moves by one constant, the conformal quantile of its own residuals.
    for k in range(2):
        shift = calibrated[:, k] - raw[:, k]
        np.testing.assert_allclose(shift, shift[0])
    # The shifts leave at least 90% of the calibration residuals on the inner side.
    below, above = (calibrated - raw)[0]
    assert np.mean(model.residuals_[:, 0, 0] >= below) >= 0.9
    assert np.mean(model.residuals_[:, 0, 1] <= above) >= 0.9
    assert model.predict(X[400:]).shape == (len(X) - 400,)
    with pytest.raises(ValueError, match="were not calibrated"):
        model.predict(X[400:], quantiles=[0.2, 0.9])


def test_quantile_head_is_widened_to_hold_on_the_validation_rows():
    # The noise triples in the last rows: a head that learned the calm training rows'
    # spread is too narrow there; calibration widens it until 0.1 and 0.9 hold on the
    # held-out rows, and leaves the median alone.
    rng = np.random.default_rng(1)
    noise = np.where(np.arange(400) < 340, 0.1, 0.3) * rng.normal(size=400)
    X, y = make_supervised(pd.Series(np.sin(np.arange(400) / 4) + noise, name="y"))
    windows = Windower(look_back=8).fit_transform(X)
    params = dict(TINY, max_epochs=15, lr=0.01, quantiles=LEVELS, validation_fraction=0.15)
    raw = LSTMRegressor(**params, calibrate_quantiles=False).fit(windows, y)
    calibrated = LSTMRegressor(**params).fit(windows, y)
    held_out = slice(-int(np.ceil(0.15 * len(y))), None)
    actual = y.to_numpy()[held_out]

    def misses(model):
        q = model.predict(windows[held_out], quantiles=[0.1, 0.9])
        return (actual < q[:, 0]).mean(), (actual > q[:, 1]).mean()

    assert max(misses(raw)) > 0.1
    below, above = misses(calibrated)
    assert below <= 0.1 and above <= 0.1
    assert (calibrated.quantile_spread_ >= 1).all() and calibrated.quantile_spread_[1] == 1
    np.testing.assert_allclose(calibrated.predict(windows), raw.predict(windows))


def test_one_answer_to_whether_a_model_predicts_quantiles(noisy_sine):
    """forecast, compare and the command line ask predicts_quantiles, which looks through
    pipelines and searches and asks the estimator when its answer depends on its fit."""
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

    from lstmforecast import PerSeriesForecaster
    from lstmforecast._utils.quantiles import predicts_quantiles

    X, y = make_supervised(noisy_sine[:80])
    assert predicts_quantiles(NaiveRegressor())
    assert not predicts_quantiles(Ridge())
    assert predicts_quantiles(ConformalForecaster(Ridge()))
    assert predicts_quantiles(PerSeriesForecaster(NaiveRegressor()))
    assert not predicts_quantiles(PerSeriesForecaster(Ridge()))
    search = GridSearchCV(NaiveRegressor(), {"target_transform": [None]}, cv=TimeSeriesSplit(2))
    assert predicts_quantiles(search) and predicts_quantiles(search.fit(X, y))
    windower = Windower(look_back=4)
    point = make_pipeline(windower, LSTMRegressor(**TINY, early_stopping=False)).fit(X, y)
    assert not predicts_quantiles(point)
    calibrated = make_pipeline(windower, LSTMRegressor(**TINY)).fit(X, y)
    assert predicts_quantiles(calibrated) and predicts_quantiles(calibrated, [0.01, 0.99])
    head = make_pipeline(windower, LSTMRegressor(**TINY, quantiles=(0.1, 0.5, 0.9))).fit(X, y)
    assert predicts_quantiles(head, [0.1, 0.9]) and not predicts_quantiles(head, [0.05, 0.95])
    # compare scores no interval of a model that cannot give it, with a warning
    with pytest.warns(UserWarning, match="no quantiles"):
        table = compare({"head": head}, X, y, cv=2, coverage=0.95)
    assert table.loc[table.metric == "coverage", "mean"].isna().all()
