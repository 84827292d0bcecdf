import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate
from sklearn.utils.estimator_checks import parametrize_with_checks

from lstmforecast import NaiveRegressor, SeasonalNaiveRegressor, make_supervised

ORDER_DEPENDENT = (
    "predictions depend on the preceding rows (time order): rows without a season of "
    "history fall back to the naive forecast, so a subset or a reordering changes them"
)


@parametrize_with_checks(
    [NaiveRegressor(), SeasonalNaiveRegressor(season_length=3)],
    expected_failed_checks=lambda est: (
        {
            "check_methods_subset_invariance": ORDER_DEPENDENT,
            "check_methods_sample_order_invariance": ORDER_DEPENDENT,
        }
        if isinstance(est, SeasonalNaiveRegressor)
        else {}
    ),
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def monthly(values, name="sales"):
    index = pd.date_range("2020-01", periods=len(values), freq="MS")
    return pd.Series(np.asarray(values, dtype=float), index=index, name=name)


def test_naive_repeats_target_value_for_every_step():
    X, y = make_supervised(monthly([1, 2, 4, 7, 11, 16]), horizon=2)
    prediction = NaiveRegressor().fit(X, y).predict(X)
    assert_allclose(prediction, [[1, 1], [2, 2], [4, 4], [7, 7]])


def test_naive_reads_named_target_column_and_keeps_y_shape():
    frame = pd.DataFrame({"temp": [5.0, 6.0, 7.0], "sales": [1.0, 2.0, 3.0]})
    model = NaiveRegressor(target_column="sales").fit(frame, frame["sales"])
    assert model.target_index_ == 1
    assert_allclose(model.predict(frame), [1.0, 2.0, 3.0])
    assert model.predict(frame).shape == (3,)


def test_naive_accepts_a_series_as_x():
    series = monthly([3, 1, 4, 1, 5])
    assert_allclose(NaiveRegressor().fit(series, series).predict(series), series)


def test_seasonal_naive_by_hand_on_fresh_rows():
    # season 3, horizon 4: step k uses the row t + k - 3 * ceil(k / 3).
    values = np.arange(10.0) ** 2
    X, y = make_supervised(pd.Series(values, name="v"), horizon=4)
    model = SeasonalNaiveRegressor(season_length=3).fit(X, y)
    prediction = model.predict(X)
    lags = np.array([2, 1, 0, 2])  # 3 * ceil(k / 3) - k for k = 1..4
    for t in range(len(X)):
        expected = [values[t - lag] if t - lag >= 0 else values[t] for lag in lags]
        assert_allclose(prediction[t], expected)


def test_seasonal_naive_uses_training_tail_when_rows_continue():
    series = monthly(np.tile([10.0, 20.0, 30.0, 40.0], 5))
    X, y = make_supervised(series)
    model = SeasonalNaiveRegressor(season_length=4).fit(X.iloc[:12], y.iloc[:12])
    continued = model.predict(X.iloc[12:])
    # A perfectly seasonal series is forecast exactly once the tail is known.
    assert_allclose(continued, y.iloc[12:])
    restarted = model.predict(X.iloc[12:].reset_index(drop=True))
    assert_allclose(restarted[:3], X["sales"].iloc[12:15])  # naive fallback, never NaN
    assert_allclose(restarted[3:], y.iloc[15:])


def test_seasonal_naive_bridges_a_gap_after_training():
    series = monthly(np.tile([10.0, 20.0, 30.0, 40.0], 5))
    X, y = make_supervised(series, horizon=2)
    model = SeasonalNaiveRegressor(season_length=4).fit(X.iloc[:10], y.iloc[:10])
    prediction = model.predict(X.iloc[11:])  # one row skipped, as with gap=horizon - 1
    # The skipped row 10 is known from y's last training row: every forecast is exact.
    assert_allclose(prediction, y.iloc[11:])
    # With a y that does not continue X's target, row 10 is unknown: only the forecasts
    # that need it (step 2 from row 12, step 1 from row 13) fall back to the naive one.
    model = SeasonalNaiveRegressor(season_length=4).fit(X.iloc[:10], 0 * y.iloc[:10])
    prediction = model.predict(X.iloc[11:])
    fallback = np.zeros(prediction.shape, dtype=bool)
    fallback[[1, 2], [1, 0]] = True
    assert_allclose(prediction[fallback], X["sales"].iloc[[12, 13]])
    assert_allclose(prediction[~fallback], y.iloc[11:].to_numpy()[~fallback])


def test_seasonal_naive_never_outputs_nan_on_short_input():
    model = SeasonalNaiveRegressor(season_length=12).fit(np.ones((5, 1)), np.ones((5, 3)))
    prediction = model.predict(np.arange(2.0)[:, None])
    assert prediction.shape == (2, 3)
    assert np.isfinite(prediction).all()


def test_works_in_cross_validate_and_grid_search():
    series = monthly(np.sin(np.arange(60) * 2 * np.pi / 12) + np.arange(60) * 0.01)
    X, y = make_supervised(series)
    scores = cross_validate(NaiveRegressor(), X, y, cv=TimeSeriesSplit(3))
    assert scores["test_score"].shape == (3,)
    search = GridSearchCV(
        SeasonalNaiveRegressor(),
        {"season_length": [1, 6, 12]},
        cv=TimeSeriesSplit(3),
        scoring="neg_mean_absolute_error",
    ).fit(X, y)
    assert search.best_params_ == {"season_length": 12}


@pytest.mark.parametrize(
    "params, message",
    [
        ({"target_column": "price"}, "not a column of X"),
        ({"target_column": 5}, "out of range"),
        ({"target_column": 1.5}, "'target_column' parameter .* or, for a DataFrame, its name"),
        ({"season_length": 0}, r"'season_length' parameter .* \[1, inf\).*12 for monthly"),
    ],
)
def test_bad_parameters_say_what_to_fix(params, message):
    frame = pd.DataFrame({"sales": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match=message):
        SeasonalNaiveRegressor(**params).fit(frame, frame["sales"])


def test_named_target_needs_column_names():
    with pytest.raises(ValueError, match="has no column names"):
        NaiveRegressor(target_column="sales").fit(np.ones((3, 1)), np.ones(3))


def test_nan_is_rejected():
    X = np.array([[1.0], [np.nan], [3.0]])
    with pytest.raises(ValueError, match="NaN"):
        NaiveRegressor().fit(X, np.ones(3))
