"""Behaviour every row forecaster shares: full history, quantiles, log target."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone

from lstmforecast import ARIMARegressor, NaiveRegressor, SeasonalNaiveRegressor, make_supervised


@pytest.fixture(scope="module")
def monthly():
    rng = np.random.default_rng(3)
    n = 72
    season = 1 + 0.2 * np.sin(2 * np.pi * np.arange(n) / 12)
    level = 50 * np.exp(np.cumsum(rng.normal(0.005, 0.02, size=n)))
    index = pd.date_range("2000-01", periods=n, freq="MS")
    return pd.Series(level * season, index=index, name="sales")


def test_history_includes_the_values_only_y_holds(monthly):
    X, y = make_supervised(monthly, horizon=3)
    model = ARIMARegressor(order=(1, 1, 0)).fit(X, y)
    # The filtered series ends with the last observation, which only y's last row holds.
    assert_allclose(model.results_.model.endog[:, 0], monthly.to_numpy())
    assert_allclose(model.series_, monthly.to_numpy())
    # y that does not continue X's target (here: transformed) adds nothing.
    unrelated = ARIMARegressor(order=(1, 1, 0)).fit(X, 2 * y)
    assert_allclose(unrelated.series_, X["sales"].to_numpy())


@pytest.mark.parametrize("model", [NaiveRegressor(), SeasonalNaiveRegressor(season_length=4)])
def test_history_of_a_series_shorter_than_two_horizons(model):
    # 16 quarterly values with h = 8 (a short M3 quarterly series) leave 8 rows: y's
    # rows overlap each other only, yet its last row still holds half the series.
    values = 100 + np.arange(16.0) + np.tile([3.0, -1.0, 0.0, -2.0], 4)
    series = pd.Series(values, index=pd.period_range("1990Q1", periods=16, freq="Q"))
    X, y = make_supervised(series, horizon=8)
    assert len(X) == 8
    fitted = clone(model).fit(X, y)
    assert_allclose(fitted.series_, values)
    shuffled = y.to_numpy()[::-1]  # rows that do not continue one another: X alone
    assert_allclose(clone(model).fit(X, shuffled).series_, values[:8])


def test_arima_quantiles_match_statsmodels_intervals(monthly):
    from scipy.stats import norm
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    horizon, n_train = 3, 50
    X, y = make_supervised(monthly, horizon=horizon)
    spec = dict(order=(1, 1, 1), trend="n")
    model = ARIMARegressor(**spec).fit(X.iloc[:n_train], y.iloc[:n_train])
    levels = [0.1, 0.5, 0.9]
    quantiles = model.predict(X.iloc[n_train:], quantiles=levels)
    assert quantiles.shape == (len(X) - n_train, horizon, 3)
    assert_allclose(quantiles[:, :, 1], model.predict(X.iloc[n_train:]), rtol=1e-10)
    values = monthly.to_numpy()
    for origin in (0, 9):
        t = n_train + origin
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            forecast = SARIMAX(values[: t + 1], **spec).filter(model.results_.params)
            forecast = forecast.get_forecast(horizon)
        expected = forecast.predicted_mean[:, None] + forecast.se_mean[:, None] * norm.ppf(levels)
        assert_allclose(quantiles[origin], expected, rtol=1e-7)


def test_one_dimensional_y_gives_one_column_per_quantile(monthly):
    X, y = make_supervised(monthly)
    model = SeasonalNaiveRegressor(season_length=12).fit(X.iloc[:60], y.iloc[:60])
    assert model.predict(X.iloc[60:], quantiles=[0.05, 0.95]).shape == (len(X) - 60, 2)


@pytest.mark.parametrize("season_length", [1, 12])
def test_naive_quantiles_are_empirical_residual_quantiles(monthly, season_length):
    horizon = 2
    X, y = make_supervised(monthly, horizon=horizon)
    model = SeasonalNaiveRegressor(season_length=season_length).fit(X.iloc[:60], y.iloc[:60])
    point = model.predict(X.iloc[60:])
    quantiles = model.predict(X.iloc[60:], quantiles=[0.2, 0.8])
    values = monthly.to_numpy()[:62]  # the training history, y's last row included
    for k in range(horizon):
        origins = np.arange(season_length - 1, len(values) - k - 1)
        lag = season_length * int(np.ceil((k + 1) / season_length)) - (k + 1)
        errors = values[origins + k + 1] - values[origins - lag]
        expected = point[:, k, None] + np.quantile(errors, [0.2, 0.8])[None, :]
        assert_allclose(quantiles[:, k], expected)


def test_log_target_models_the_logarithm(monthly):
    X, y = make_supervised(monthly, horizon=2)
    log_model = ARIMARegressor(order=(1, 1, 0), target_transform="log").fit(X, y)
    assert_allclose(log_model.results_.model.endog[:, 0], np.log(monthly.to_numpy()))
    log_X = X.assign(sales=np.log(X["sales"]))
    plain = ARIMARegressor(order=(1, 1, 0)).fit(log_X, np.log(y))
    assert_allclose(log_model.predict(X), np.exp(plain.predict(log_X)), rtol=1e-6)
    naive = NaiveRegressor(target_transform="log").fit(X, y)
    assert_allclose(naive.predict(X), NaiveRegressor().fit(X, y).predict(X))
    spread = naive.predict(X, quantiles=[0.1, 0.9])
    # Relative residuals: the interval grows with the level.
    width = spread[:, 1, 1] - spread[:, 1, 0]
    assert_allclose(width / X["sales"].to_numpy(), width[0] / X["sales"].iloc[0])


@pytest.mark.parametrize(
    "quantiles, message",
    [([0.9, 0.1], "sorted ascending"), ([0.0, 0.5], r"in \(0, 1\)"), ([], "non-empty")],
)
def test_bad_quantiles_say_what_to_pass(monthly, quantiles, message):
    X, y = make_supervised(monthly)
    model = NaiveRegressor().fit(X, y)
    with pytest.raises(ValueError, match=message):
        model.predict(X, quantiles=quantiles)


def test_log_target_rejects_non_positive_values():
    X = np.array([[1.0], [0.0], [2.0], [3.0]])
    with pytest.raises(ValueError, match="needs the training target > 0"):
        NaiveRegressor(target_transform="log").fit(X, np.ones(4))
    with pytest.raises(
        ValueError, match="'target_transform' parameter of NaiveRegressor must be a str among"
    ):
        NaiveRegressor(target_transform="sqrt").fit(X + 1, np.ones(4))


def test_maxiter_must_be_an_integer(monthly):
    X, y = make_supervised(monthly)
    with pytest.raises(
        ValueError, match="'maxiter' parameter of ARIMARegressor must be a number, not a bool"
    ):
        ARIMARegressor(maxiter=True).fit(X, y)


@pytest.mark.parametrize("model", ["ets", "theta", "snaive"])
def test_cli_forecasts_with_the_statistical_models(monthly, tmp_path, capsys, model):
    from lstmforecast.cli import main

    path = tmp_path / "sales.csv"
    monthly.rename_axis("month").reset_index().to_csv(path, index=False)
    argv = ["forecast", str(path), "--target", "sales", "--horizon", "4", "--time-col", "month"]
    assert main([*argv, "--model", model, "--season-length", "12"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5 and lines[1].startswith("2006-01-01")
    forecast = np.array([float(line.split(",")[-1]) for line in lines[1:]])
    if model == "snaive":  # the same months one year earlier
        assert_allclose(forecast, monthly.to_numpy()[-12:-8])
    assert np.all(np.abs(forecast / monthly.iloc[-1] - 1) < 0.5)


def test_quantiles_pass_through_a_pipeline(monthly):
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y = make_supervised(monthly, horizon=2)
    pipe = Pipeline([("keep", FunctionTransformer()), ("naive", NaiveRegressor())]).fit(X, y)
    direct = NaiveRegressor().fit(X, y).predict(X, quantiles=[0.1, 0.9])
    assert_allclose(pipe.predict(X, quantiles=[0.1, 0.9]), direct)


def test_boxcox_target_on_the_naive_baselines(monthly):
    from lstmforecast._utils.target_transform import guerrero_lambda

    X, y = make_supervised(monthly, horizon=3)
    for model in (NaiveRegressor(), SeasonalNaiveRegressor(season_length=12)):
        boxcox = clone(model).set_params(target_transform="boxcox").fit(X, y)
        # Guerrero's lambda on the whole training series, in blocks of its season: 12,
        # which the monthly index implies.
        assert boxcox.target_lambda_ == pytest.approx(guerrero_lambda(boxcox.series_, 12))
        # The naive point forecasts are the same values on any scale; the quantiles not.
        np.testing.assert_allclose(boxcox.predict(X), model.fit(X, y).predict(X), rtol=1e-9)
        bounds = boxcox.predict(X, quantiles=[0.1, 0.9])
        assert (bounds[..., 0] < bounds[..., 1]).all()
