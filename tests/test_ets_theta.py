import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from lstmforecast import ETSRegressor, ThetaRegressor, make_supervised


@pytest.fixture(scope="module")
def quarterly():
    rng = np.random.default_rng(5)
    n = 64
    values = (20 + 0.2 * np.arange(n)) * (1 + 0.15 * np.tile([1, -1, 0.5, -0.5], n // 4))
    values = values + rng.normal(scale=0.4, size=n)
    index = pd.date_range("2000-01", periods=n, freq="QS")
    return pd.Series(values, index=index, name="demand")


def quiet():
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.simplefilter("ignore")
    return context


SPECS = [
    dict(error="add", trend="add", damped_trend=True, seasonal="mul"),
    dict(error="mul", trend=None, damped_trend=False, seasonal="add"),
    dict(error="add", trend="add", damped_trend=False, seasonal=None),
]


@pytest.mark.parametrize("spec", SPECS)
def test_ets_matches_statsmodels_at_every_origin(quarterly, spec):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    horizon, n_train = 3, 44
    X, y = make_supervised(quarterly, horizon=horizon)
    model = ETSRegressor(**spec, season_length=4).fit(X.iloc[:n_train], y.iloc[:n_train])
    values = quarterly.to_numpy()
    seasonal_periods = 4 if spec["seasonal"] else None
    context = quiet()
    raw = ETSModel(values[: n_train + horizon], **spec, seasonal_periods=seasonal_periods)
    raw = raw.fit(disp=False)
    context.__exit__(None, None, None)
    # y's last row extends the history: the fit is statsmodels' fit on every value.
    assert_allclose(model.results_.params, raw.params, rtol=1e-6)
    continued = model.predict(X.iloc[n_train:])
    restarted = model.predict(X.iloc[n_train:].reset_index(drop=True))
    for origin in (0, 6, len(X) - n_train - 1):
        t = n_train + origin
        smoothed = ETSModel(values[: t + 1], **spec, seasonal_periods=seasonal_periods)
        assert_allclose(continued[origin], smoothed.smooth(raw.params).forecast(horizon))
    # A restart smooths the given rows alone, from the fitted initial states.
    known = dict(
        initialization_method="known",
        initial_level=raw.initial_level,
        initial_trend=raw.initial_trend if spec["trend"] else None,
        initial_seasonal=raw.initial_seasonal if spec["seasonal"] else None,
    )
    fresh = ETSModel(values[n_train : len(X)], **spec, seasonal_periods=seasonal_periods, **known)
    smoothing = raw.params[: len(fresh.param_names)]
    assert_allclose(restarted[-1], fresh.smooth(smoothing).forecast(horizon))
    assert not np.allclose(restarted[-1], continued[-1])


def test_ets_auto_selects_by_aicc_and_lists_the_search(quarterly):
    X, y = make_supervised(quarterly)
    model = ETSRegressor(season_length=4, error="add").fit(X, y)
    search = model.search_
    assert search["aicc"].is_monotonic_increasing
    assert len(search) >= 6 and set(search["error"]) == {"add"}
    best = search.iloc[0]
    chosen = (model.error_, model.trend_, model.damped_trend_, model.seasonal_)
    assert tuple(best[["error", "trend", "damped_trend", "seasonal"]]) == chosen
    assert best["aicc"] == pytest.approx(model.results_.aicc)
    assert model.seasonal_ is not None  # the season is strong


def test_ets_quantiles_match_statsmodels(quarterly):
    horizon, n_train = 4, 50
    X, y = make_supervised(quarterly, horizon=horizon)
    levels = [0.05, 0.5, 0.95]
    exact = ETSRegressor(
        error="add", trend="add", damped_trend=False, seasonal="add", season_length=4
    ).fit(X.iloc[:n_train], y.iloc[:n_train])
    quantiles = exact.predict(X.iloc[n_train:], quantiles=levels)
    assert quantiles.shape == (len(X) - n_train, horizon, 3)
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    n = len(exact.series_)
    raw = ETSModel(
        pd.Series(exact.series_), error="add", trend="add", seasonal="add", seasonal_periods=4
    ).fit(disp=False)
    frame = raw.get_prediction(start=n, end=n + horizon - 1).summary_frame(alpha=0.1)
    # The origin at the end of the training history: the row 3 steps after the last fit row.
    origin = horizon - 1
    assert_allclose(quantiles[origin, :, 0], frame["pi_lower"], rtol=1e-5)
    assert_allclose(quantiles[origin, :, 2], frame["pi_upper"], rtol=1e-5)

    simulated = ETSRegressor(
        error="mul", trend=None, damped_trend=False, seasonal="mul", season_length=4
    ).fit(X.iloc[:n_train], y.iloc[:n_train])
    quantiles = simulated.predict(X.iloc[n_train:], quantiles=levels)
    paths = simulated.results_.simulate(
        horizon, anchor="end", repetitions=1000, rng=np.random.default_rng(0)
    )
    assert_allclose(quantiles[origin, :, 0], np.quantile(paths, 0.05, axis=1), rtol=1e-6)
    assert np.all(np.diff(quantiles, axis=-1) > 0)


def theta_reference(model, values, horizon):
    """statsmodels' ThetaModel forecast from the end of ``values``, with the fitted params."""
    from statsmodels.tsa.forecasting.theta import ThetaModel, ThetaModelResults
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    m = model.season_length
    raw = ThetaModel(
        values,
        period=m,
        deseasonalize=model.seasonal_indices_.size > 0,
        use_test=False,
        method=model.seasonal_method_,
    )
    seasons = model.seasonal_indices_
    deseasonalised = values / seasons[np.arange(len(values)) % m] if seasons.size else values
    b0, alpha = np.asarray(model.results_.params)
    ses = ExponentialSmoothing(
        deseasonalised, initial_level=deseasonalised[0], initialization_method="known"
    )
    one_step = ses.fit(smoothing_level=alpha, optimized=False).forecast(1)
    results = ThetaModelResults(b0, alpha, None, one_step, seasons, False, raw)
    return np.asarray(results.forecast(horizon, model.theta))


def test_theta_matches_statsmodels(quarterly):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    horizon, n_train = 3, 44
    X, y = make_supervised(quarterly, horizon=horizon)
    model = ThetaRegressor(season_length=4).fit(X.iloc[:n_train], y.iloc[:n_train])
    values = quarterly.to_numpy()
    raw = ThetaModel(values[: n_train + horizon], period=4).fit()
    assert model.seasonal_indices_.size == 4  # the test found the season
    # From the end of the training history, the forecast is statsmodels' own.
    continued = model.predict(X.iloc[n_train:])
    assert_allclose(continued[horizon - 1], raw.forecast(horizon), rtol=1e-8)
    for origin in (0, 7, len(X) - n_train - 1):
        t = n_train + origin
        assert_allclose(continued[origin], theta_reference(model, values[: t + 1], horizon))
    quantiles = model.predict(X.iloc[n_train:], quantiles=[0.025, 0.975])
    intervals = raw.prediction_intervals(horizon, alpha=0.05)
    assert_allclose(quantiles[horizon - 1, :, 0], intervals["lower"], rtol=1e-6)
    assert_allclose(quantiles[horizon - 1, :, 1], intervals["upper"], rtol=1e-6)


@pytest.mark.parametrize(
    "estimator, message",
    [
        (ETSRegressor(error="both"), "'error' parameter of ETSRegressor must be a str among"),
        (ETSRegressor(seasonal="add"), "needs season_length >= 2"),
        (ETSRegressor(trend=None, damped_trend=True), "needs a trend"),
        (ThetaRegressor(theta=0.5), r"'theta' parameter .* \[1.0, inf\).*classical Theta"),
        (ThetaRegressor(season_length=0), "'season_length' parameter .*12 for monthly"),
        (ThetaRegressor(method="log"), "'method' parameter of ThetaRegressor must be a str"),
    ],
)
def test_bad_parameters_say_what_to_fix(quarterly, estimator, message):
    X, y = make_supervised(quarterly)
    with pytest.raises(ValueError, match=message):
        estimator.fit(X, y)


@pytest.mark.parametrize(
    "spec",
    [
        dict(error="mul", trend="add", damped_trend=True, seasonal="mul"),
        dict(error="add", trend="add", damped_trend=False, seasonal="add"),
        dict(error="mul", trend=None, damped_trend=False, seasonal=None),
    ],
)
def test_fast_likelihood_fit_finds_statsmodels_optimum(quarterly, spec):
    """The batched-gradient fit takes statsmodels' optimisation path: same maximum."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    from lstmforecast._baselines.ets_likelihood import fit_ets_params

    values = quarterly.to_numpy()
    periods = 4 if spec["seasonal"] else None
    context = quiet()
    reference = ETSModel(values, **spec, seasonal_periods=periods)
    expected = reference.fit(disp=False, return_params=True)
    model = ETSModel(values, **spec, seasonal_periods=periods)
    fast = fit_ets_params(model)
    context.__exit__(None, None, None)
    assert_allclose(model.loglike(fast), reference.loglike(expected), rtol=1e-6)
    assert_allclose(fast, expected, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize(
    "estimator", [ETSRegressor(season_length=1), ThetaRegressor(season_length=1)]
)
def test_short_yearly_series_uses_every_value(estimator):
    """M1's shortest yearly series: 9 values, a horizon of 6, so X has 3 rows; the model
    is fitted on the 9 values (X's rows plus y's last row), without a warning."""
    series = pd.Series([3.1, 3.4, 3.9, 4.1, 4.6, 5.2, 5.3, 5.9, 6.4])
    X, y = make_supervised(series, horizon=6)
    assert len(X) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = estimator.fit(X, y)
    assert len(model.series_) == 9
    forecast = model.predict(series.to_frame())[-1]
    assert forecast.shape == (6,) and np.all(np.isfinite(forecast))
    assert forecast.mean() > series.iloc[-3:].mean()  # the trend goes on


@pytest.mark.parametrize(
    "estimator", [ETSRegressor(season_length=4), ThetaRegressor(season_length=4)]
)
def test_short_quarterly_series_uses_every_value(estimator):
    """M1's shortest quarterly series: 10 values, a horizon of 8 (2 rows of X)."""
    series = pd.Series([10.0, 14.0, 9.0, 7.0, 11.0, 15.0, 10.0, 8.0, 12.0, 16.0])
    X, y = make_supervised(series, horizon=8)
    model = quiet_fit(estimator, X, y)
    assert len(model.series_) == 10
    forecast = model.predict(series.to_frame())[-1]
    assert forecast.shape == (8,) and np.all(np.isfinite(forecast))


def quiet_fit(estimator, X, y):
    context = quiet()
    try:
        return estimator.fit(X, y)
    finally:
        context.__exit__(None, None, None)


@pytest.mark.parametrize(
    "values, expected",
    [
        ([5.0, 6.0, 7.0], None),  # too short for any model's AICc
        ([0.0] * 12, 0.0),  # fitted exactly by every model
        ([4.0], 4.0),
    ],
)
def test_ets_falls_back_to_simple_smoothing_with_a_warning(values, expected):
    series = pd.Series(values)
    X, y = series.to_frame(), series.shift(-1).fillna(series.iloc[-1])
    with pytest.warns(UserWarning, match=r"fell back to simple exponential smoothing"):
        model = ETSRegressor(season_length=4).fit(X, y)
    assert (model.error_, model.trend_, model.seasonal_) == ("add", None, None)
    forecast = model.predict(X)
    assert np.all(np.isfinite(forecast))
    if expected is not None:
        assert_allclose(forecast[-1], expected)
    quantiles = model.predict(X, quantiles=[0.1, 0.9])
    assert np.all(np.isfinite(quantiles))


def test_ets_search_fits_the_chosen_model_in_full(quarterly):
    """The ranking fits stop early; the chosen model's parameters are a full fit's."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    X, y = make_supervised(quarterly)
    model = ETSRegressor(season_length=4).fit(X, y)
    assert len(model.search_) > 3  # the search ranked more candidates than it confirmed
    context = quiet()
    direct = ETSModel(
        model.series_,
        error=model.error_,
        trend=model.trend_,
        damped_trend=model.damped_trend_,
        seasonal=model.seasonal_,
        seasonal_periods=4 if model.seasonal_ else None,
    ).fit(disp=False)
    context.__exit__(None, None, None)
    assert_allclose(model.results_.llf, direct.llf, rtol=1e-6)
