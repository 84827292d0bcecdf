"""forecast(): the next values after the observed data, with their future timestamps."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline

from lstmforecast import (
    ARIMARegressor,
    ConformalForecaster,
    LSTMRegressor,
    NaiveRegressor,
    SeasonalNaiveRegressor,
    Windower,
    forecast,
    make_supervised,
)

from .conftest import TINY


def naive_forecast(series, horizon):
    X, y = make_supervised(series)
    return forecast(NaiveRegressor().fit(X, y), series, horizon)


@pytest.mark.parametrize(
    "freq, expected",
    [
        ("MS", ["2025-09-01", "2025-10-01", "2025-11-01"]),
        ("ME", ["2025-09-30", "2025-10-31", "2025-11-30"]),
        ("QS-JAN", ["2029-01-01", "2029-04-01", "2029-07-01"]),
        ("D", ["2024-01-21", "2024-01-22", "2024-01-23"]),
        ("30min", ["2024-01-01 10:00", "2024-01-01 10:30", "2024-01-01 11:00"]),
    ],
)
def test_future_dates_follow_the_frequency(freq, expected):
    index = pd.date_range("2024-01-01", periods=20, freq=freq)
    series = pd.Series(np.arange(20.0), index=index, name="sales")
    # Without a set frequency too: it is inferred from the dates.
    for data in (series, series.set_axis(pd.DatetimeIndex(list(index)))):
        result = naive_forecast(data, 3)
        assert list(result.index) == list(pd.DatetimeIndex(expected))
        assert result["sales"].tolist() == [19.0, 19.0, 19.0]


def test_integer_and_period_indexes_continue_their_steps():
    values = np.arange(10.0)
    assert list(naive_forecast(pd.Series(values), 2).index) == [10, 11]
    years = pd.Series(values, index=pd.Index(range(1990, 2010, 2), name="year"))
    result = naive_forecast(years, 3)
    assert list(result.index) == [2010, 2012, 2014] and result.index.name == "year"
    periods = pd.Series(values, index=pd.period_range("2020Q1", periods=10, freq="Q"))
    assert [str(p) for p in naive_forecast(periods, 2).index] == ["2022Q3", "2022Q4"]
    X, y = make_supervised(values)
    arrays = forecast(NaiveRegressor().fit(X, y), values, 2)
    assert list(arrays.index) == [10, 11]


def test_irregular_dates_are_an_error_that_says_what_to_do():
    index = pd.DatetimeIndex(["2024-01-01", "2024-01-03", "2024-01-04", "2024-01-09"])
    with pytest.raises(ValueError, match="asfreq"):
        naive_forecast(pd.Series(np.arange(4.0), index=index), 2)


@pytest.fixture(scope="module")
def seasonal():
    t = np.arange(160)
    index = pd.date_range("2000-01-01", periods=160, freq="MS")
    noise = np.random.default_rng(0).normal(0, 0.1, len(t))
    values = 10 + 0.05 * t + np.sin(2 * np.pi * t / 12) + noise
    return pd.Series(values, index=index, name="sales")


def test_recursion_equals_a_hand_written_loop(seasonal):
    X, y = make_supervised(seasonal)
    model = make_pipeline(Windower(look_back=12), LSTMRegressor(**TINY)).fit(X, y)
    result = forecast(model, seasonal, horizon=4)

    history = seasonal.to_numpy().tolist()
    expected = []
    for _ in range(4):
        frame = pd.DataFrame({"sales": history})
        expected.append(model.predict(frame)[-1])
        history.append(expected[-1])
    np.testing.assert_allclose(result["sales"], expected, rtol=1e-6)
    assert result.index[0] == pd.Timestamp("2013-05-01")


def test_direct_model_uses_its_outputs_and_quantile_head_gives_intervals(seasonal):
    X, y = make_supervised(seasonal, horizon=3)
    lstm = LSTMRegressor(**TINY, quantiles=(0.1, 0.5, 0.9))
    model = make_pipeline(Windower(look_back=12), lstm).fit(X, y)
    result = forecast(model, seasonal, coverage=0.8, quantiles=[0.5])
    assert list(result.columns) == ["sales", "lower", "upper", "q0.5"]
    assert len(result) == 3
    np.testing.assert_allclose(result["sales"], model.predict(seasonal)[-1])
    np.testing.assert_allclose(result["q0.5"], result["sales"])
    assert np.all(result["lower"] < result["sales"]) and np.all(result["sales"] < result["upper"])
    assert len(forecast(model, seasonal, horizon=2)) == 2
    with pytest.raises(ValueError, match="forecasts 3 steps directly"):
        forecast(model, seasonal, horizon=5)


def test_search_forecasts_with_its_best_estimator(seasonal):
    seasonal = seasonal - 0.05 * np.arange(len(seasonal))  # no trend: seasonal naive wins
    X, y = make_supervised(seasonal)
    search = GridSearchCV(
        SeasonalNaiveRegressor(),
        {"season_length": [1, 12]},
        cv=TimeSeriesSplit(3),
        scoring="neg_mean_absolute_error",
    ).fit(X, y)
    assert search.best_params_ == {"season_length": 12}
    result = forecast(search, seasonal, horizon=12)
    np.testing.assert_allclose(result["sales"], seasonal.to_numpy()[-12:])


class MustNotPredict(NaiveRegressor):
    def predict(self, X, quantiles=None):
        raise AssertionError("forecast() predicted before checking the index")


def test_an_index_without_a_next_label_is_refused_before_predicting():
    quarters = [f"Q{q} {year}" for year in range(1960, 1990) for q in range(1, 5)]
    data = pd.Series(np.arange(120.0), index=quarters)
    X, y = make_supervised(data)
    model = MustNotPredict().fit(X, y)
    with pytest.raises(ValueError, match=r"text labels \(the last is 'Q4 1989'\).*PeriodIndex"):
        forecast(model, data, horizon=8)
    # The advice works: parsed into periods, the forecast is labelled with the next ones.
    periods = data.set_axis(pd.PeriodIndex([f"{q[3:]}{q[:2]}" for q in quarters], freq="Q"))
    result = forecast(NaiveRegressor().fit(X, y), periods, horizon=2)
    assert [str(p) for p in result.index] == ["1990Q1", "1990Q2"]


def test_baselines_forecast_points(seasonal):
    X, y = make_supervised(seasonal)
    arima = ARIMARegressor(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), maxiter=200)
    recursive = forecast(arima.fit(X, y), seasonal, horizon=3)
    # Feeding ARIMA's own forecasts back gives statsmodels' multi-step forecast.
    expected = arima.results_.apply(seasonal.to_numpy()).forecast(3)
    np.testing.assert_allclose(recursive["sales"], expected, rtol=1e-6)
    assert (forecast(NaiveRegressor().fit(X, y), seasonal, 2)["sales"] == seasonal.iloc[-1]).all()


def test_baseline_intervals_when_they_give_quantiles(seasonal):
    X, y = make_supervised(seasonal, horizon=3)
    arima = ARIMARegressor(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), maxiter=200).fit(X, y)
    try:
        result = forecast(arima, seasonal, coverage=0.9)
    except ValueError as error:
        if "does not give quantiles" not in str(error):
            raise
        pytest.skip("ARIMARegressor.predict has no quantiles= yet (baselines branch)")
    assert np.all(result["lower"] < result["sales"]) and np.all(result["sales"] < result["upper"])


def test_one_step_intervals_and_their_limits(seasonal):
    X, y = make_supervised(seasonal)
    conformal = ConformalForecaster(NaiveRegressor(), calibration_size=40).fit(X, y)
    one = forecast(conformal, seasonal, horizon=1, coverage=0.9)
    assert one["lower"].iloc[0] < one["sales"].iloc[0] < one["upper"].iloc[0]
    with pytest.raises(ValueError, match="direct multi-horizon model"):
        forecast(conformal, seasonal, horizon=3, coverage=0.9)
    with pytest.raises(ValueError, match="does not give quantiles"):
        forecast(Ridge().fit(X, y), seasonal, horizon=1, coverage=0.9)


def test_exogenous_columns_need_their_future_values(seasonal):
    frame = pd.DataFrame({"sales": seasonal, "price": np.linspace(1, 2, len(seasonal))})
    X, y = make_supervised(frame, target_column="sales")
    model = make_pipeline(Windower(look_back=6), LSTMRegressor(**TINY)).fit(X, y)
    with pytest.raises(ValueError, match="future="):
        forecast(model, frame, horizon=3, target_column="sales")
    future = pd.DataFrame({"price": [2.1, 2.2]})
    result = forecast(model, frame, horizon=3, target_column="sales", future=future)
    # Step 3 is predicted from rows whose last price is the second future value.
    extended = pd.concat(
        [frame, pd.DataFrame({"sales": result["sales"].iloc[:2].to_numpy(), "price": [2.1, 2.2]})]
    )
    assert result["sales"].iloc[2] == pytest.approx(model.predict(extended)[-1], rel=1e-6)
    with pytest.raises(ValueError, match="pass target_column="):
        forecast(model, frame, horizon=1)
