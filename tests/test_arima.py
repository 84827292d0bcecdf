import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.utils.estimator_checks import parametrize_with_checks

from lstmforecast import ARIMARegressor, make_supervised


@parametrize_with_checks([ARIMARegressor(order=(1, 0, 0))])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n = 140
    driver = rng.normal(size=n)
    noise = np.zeros(n)
    for t in range(1, n):
        noise[t] = 0.6 * noise[t - 1] + rng.normal(scale=0.5)
    # The target reacts to the previous driver value, as the regressor assumes.
    level = np.cumsum(noise) + 0.8 * np.r_[0.0, driver[:-1]] + 0.05 * np.arange(n)
    index = pd.date_range("2000-01", periods=n, freq="MS")
    return pd.DataFrame({"level": level, "driver": driver}, index=index)


def raw_forecast(params, endog, exog, held_exog, horizon, spec):
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = SARIMAX(endog, exog=exog, **spec).filter(params)
        future = None if exog is None else np.repeat(held_exog[None, :], horizon, axis=0)
        return results.forecast(horizon, exog=future)


# The optimizer's own convergence is not what this test checks (fit now reports it).
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("use_exog", [False, True])
def test_matches_statsmodels_forecasts(data, use_exog):
    horizon, n_train = 3, 100
    X, y = make_supervised(data, target_column="level", horizon=horizon)
    spec = dict(order=(1, 1, 1), seasonal_order=(1, 0, 0, 4), trend="ct")
    model = ARIMARegressor(
        **spec, target_column="level", exog_columns=["driver"] if use_exog else None
    ).fit(X.iloc[:n_train], y.iloc[:n_train])
    params = model.results_.params
    level, driver = data["level"].to_numpy(), data["driver"].to_numpy()
    lagged = np.r_[driver[:1], driver[:-1]][:, None]

    continued = model.predict(X.iloc[n_train:])  # the filter continues the training data
    restarted = model.predict(X.iloc[n_train:].reset_index(drop=True))  # fresh filter
    assert continued.shape == restarted.shape == (len(X) - n_train, horizon)
    for origin in (2, 7, len(X) - n_train - 1):
        t = n_train + origin
        held = driver[t : t + 1]
        exog = lagged[: t + 1] if use_exog else None
        expected = raw_forecast(params, level[: t + 1], exog, held, horizon, spec)
        assert_allclose(continued[origin], expected, rtol=1e-7, atol=1e-8)

        exog = np.r_[driver[n_train : n_train + 1], driver[n_train:t]][:, None]
        exog = exog if use_exog else None
        expected = raw_forecast(params, level[n_train : t + 1], exog, held, horizon, spec)
        assert_allclose(restarted[origin], expected, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("use_exog", [False, True])
def test_gap_after_training_is_bridged_as_missing_rows(data, use_exog):
    # TimeSeriesSplit(gap=horizon - 1) leaves rows out between training and test folds.
    horizon, n_train, gap = 3, 100, 2
    X, y = make_supervised(data, target_column="level", horizon=horizon)
    spec = dict(order=(1, 1, 1), trend="c")
    model = ARIMARegressor(
        **spec, target_column="level", exog_columns=["driver"] if use_exog else None
    ).fit(X.iloc[:n_train], y.iloc[:n_train])
    start = n_train + gap
    prediction = model.predict(X.iloc[start:])
    level, driver = data["level"].to_numpy(), data["driver"].to_numpy()
    known = level.copy()
    if use_exog:  # the skipped rows are unseen: y's last row is used without regressors only
        known[n_train:start] = np.nan
    last_train = driver[n_train - 1]
    lagged = np.r_[driver[:1], driver[: n_train - 1], [last_train] * (gap + 1), driver[start:-1]]
    for origin in (0, 5):
        t = start + origin
        exog = lagged[: t + 1, None] if use_exog else None
        expected = raw_forecast(
            model.results_.params, known[: t + 1], exog, driver[t : t + 1], horizon, spec
        )
        assert_allclose(prediction[origin], expected, rtol=1e-7, atol=1e-8)


def test_one_step_output_is_one_dimensional(data):
    X, y = make_supervised(data[["level"]])
    prediction = ARIMARegressor(order=(1, 1, 0)).fit(X.iloc[:80], y.iloc[:80]).predict(X)
    assert prediction.shape == (len(X),)
    assert np.isfinite(prediction).all()


def test_auto_order_finds_an_ar1(data, capsys):
    rng = np.random.default_rng(0)
    series = np.zeros(150)
    for t in range(1, 150):
        series[t] = 0.7 * series[t - 1] + rng.normal()
    X, y = series[:-1, None], series[1:]
    model = ARIMARegressor(order="auto").fit(X, y)
    assert model.order_ == (1, 0, 0)
    assert list(model.search_.columns) == ["order", "seasonal_order", "trend", "aicc"]
    best = model.search_.iloc[0]
    assert (best["order"], best["trend"]) == (model.order_, model.trend_)
    assert best["aicc"] == model.search_["aicc"].min()
    assert capsys.readouterr().out == ""  # quiet by default


def test_auto_order_differences_a_random_walk():
    series = np.cumsum(np.random.default_rng(2).normal(size=150))
    model = ARIMARegressor(order="auto").fit(series[:-1, None], series[1:])
    assert model.order_[1] == 1


def test_grid_search_over_orders(data):
    X, y = make_supervised(data[["level"]])
    search = GridSearchCV(
        ARIMARegressor(),
        {"order": [(0, 1, 0), (1, 1, 0)]},
        cv=TimeSeriesSplit(2),
        scoring="neg_mean_absolute_error",
    ).fit(X, y)
    assert search.best_params_["order"] in [(0, 1, 0), (1, 1, 0)]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"order": (1, 0)}, "order must be a tuple"),
        ({"order": "best"}, r"'order' parameter .*\(p, d, q\)"),
        ({"seasonal_order": (1, 0, 0, 1)}, "season length s >= 2"),
        ({"trend": "quadratic"}, "'trend' parameter .*'ct': both"),
        ({"information_criterion": "r2"}, "information_criterion"),
        ({"search_method": "fast"}, "search_method"),
        ({"target_column": "price"}, "not a column of X"),
        ({"exog_columns": ["level"]}, "includes the target"),
        ({"exog_columns": "driver"}, "'exog_columns' parameter .* list of column positions"),
    ],
)
def test_bad_parameters_say_what_to_fix(data, params, message):
    X, y = make_supervised(data, target_column="level")
    with pytest.raises(ValueError, match=message):
        ARIMARegressor(**{"target_column": "level", **params}).fit(X, y)


def test_too_short_series():
    with pytest.raises(ValueError, match="too short"):
        ARIMARegressor(order=(2, 1, 2)).fit(np.ones((5, 1)), np.ones(5))


def short_quarterly(n=16):
    """A short trending quarterly series with a season, like M3's shortest quarterly."""
    rng = np.random.default_rng(1)
    t = np.arange(n)
    values = 500 + 12 * t + 40 * np.tile([1.0, -0.5, 0.2, -0.7], n)[:n] + rng.normal(0, 5, n)
    return pd.Series(values, index=pd.period_range("1984Q1", periods=n, freq="Q"))


def test_auto_order_fits_a_short_quarterly_series_from_make_supervised():
    # 16 values and h = 8 give X 8 rows; y's last row holds the other 8 values, so the
    # search sees all 16 (it used to count X's 8 rows and refuse the series).
    series = short_quarterly(16)
    X, y = make_supervised(series, horizon=8)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # 16 values need no restriction
        model = ARIMARegressor(order="auto", seasonal_order=(0, 0, 0, 4)).fit(X, y)
    assert model.results_.nobs == 16
    prediction = model.predict(series.to_frame())
    assert prediction.shape == (16, 8) and np.all(np.isfinite(prediction[-1]))


@pytest.mark.parametrize("n", [4, 6, 9])
def test_auto_order_keeps_to_orders_a_very_short_series_supports(n):
    series = short_quarterly(n).to_numpy()
    X, y = series[:-1, None], series[1:]
    with pytest.warns(UserWarning, match="only the smaller orders"):
        model = ARIMARegressor(order="auto", seasonal_order=(0, 0, 0, 4)).fit(X, y)
    p, d, q = model.order_
    big_p, big_d, big_q, _ = model.seasonal_order_
    # The model found has fewer parameters than rows left after differencing.
    assert p + q + big_p + big_q + 2 < n - d - 4 * big_d
    assert np.all(np.isfinite(model.predict(series[:, None])))


def test_auto_order_on_three_values_fits_the_mean_with_a_warning():
    # X and y make the series 1, 2, 3: a constant model's AICc needs a fourth value, so
    # nothing can be compared; the smallest model is fitted alone, and the warning says so.
    with pytest.warns(UserWarning, match=r"too few to compare.*ARIMA\(0, 0, 0\)"):
        model = ARIMARegressor(order="auto").fit(np.array([[1.0], [2.0]]), np.array([2.0, 3.0]))
    assert model.order_ == (0, 0, 0) and model.trend_ == "c" and model.search_ is None
    assert_allclose(model.predict(np.array([[3.0]])), 2.0, atol=0.05)  # the mean


def test_auto_order_on_too_few_values_says_so():
    with pytest.raises(ValueError, match="too short for order='auto'"):
        # Two values (y unrelated to X): not even the mean and its variance can be fitted.
        ARIMARegressor(order="auto").fit(np.array([[1.0], [2.0]]), np.array([7.0, -3.0]))


def test_non_convergence_reaches_the_user(data):
    X, y = make_supervised(data, target_column="level")
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        ARIMARegressor(order=(3, 1, 3), target_column="level", maxiter=1).fit(X, y)


def test_unfitted_predict_raises():
    with pytest.raises(NotFittedError):
        ARIMARegressor().predict(np.ones((3, 1)))


def test_statsmodels_is_not_imported_by_the_package():
    code = (
        "import sys, lstmforecast, lstmforecast._baselines.arima, "
        "lstmforecast._forecasting.compare, lstmforecast._baselines.naive, "
        "lstmforecast._baselines.ets, lstmforecast._baselines.theta, lstmforecast.metrics; "
        "print('statsmodels' in sys.modules)"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False"


# The optimizer's own convergence is not what this test checks (fit now reports it).
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_auto_order_differences_a_strong_season_and_reports_progress(capsys):
    rng = np.random.default_rng(4)
    n, period = 48, 4
    season = np.tile([3.0, -1.0, 2.0, -4.0], n // period)
    series = season + np.cumsum(rng.normal(scale=0.3, size=n))
    model = ARIMARegressor(order="auto", seasonal_order=(0, 0, 0, period), maxiter=10, verbose=1)
    model.fit(series[:-1, None], series[1:])
    assert model.seasonal_order_[1] == 1  # D from the seasonal strength, not the 0 given
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == len(model.search_) and printed[0].startswith("[ARIMA auto] model 1")


def test_auto_order_keeps_long_seasons_to_differencing():
    rng = np.random.default_rng(6)
    n, period = 2 * 26 + 4, 26
    series = np.sin(np.arange(n) * 2 * np.pi / period)
    series = series + rng.normal(scale=0.1, size=n)
    model = ARIMARegressor(order="auto", seasonal_order=(0, 0, 0, period), maxiter=5)
    model.fit(series[:-1, None], series[1:])
    assert model.seasonal_order_ == (0, 1, 0, period)
    assert all(s[0] == s[2] == 0 for s in model.search_["seasonal_order"])


def explicit_css_residuals(x, phi, theta, seasonal_phi, seasonal_theta, period):
    """ARMA(1, 1)(1, 0, 1, period) residuals by the textbook recursion, conditional on the
    first 1 + period values and on zero earlier residuals."""
    start = 1 + period
    e = np.zeros(len(x))
    for t in range(start, len(x)):
        ar_side = (
            x[t]
            - phi * x[t - 1]
            - seasonal_phi * x[t - period]
            + phi * seasonal_phi * x[t - period - 1]
        )
        ma_side = theta * e[t - 1] + seasonal_theta * e[t - period]
        ma_side += theta * seasonal_theta * e[t - period - 1]
        e[t] = ar_side - ma_side
    return e[start:]


def test_css_residuals_follow_the_seasonal_arma_recursion():
    from lstmforecast._baselines.css import arma_polynomials, css_residuals

    x = np.random.default_rng(1).normal(size=50)
    coefficients = (0.5, 0.3, -0.4, 0.6)  # ar, ma, seasonal ar, seasonal ma
    ar, ma = arma_polynomials(np.array(coefficients), 1, 1, 1, 1, 4)
    residuals = css_residuals(x[None, :], ar, ma)[0]
    assert_allclose(residuals, explicit_css_residuals(x, *coefficients, 4), rtol=1e-12)


def simulated_arma(ar, ma, n, seed, mean=0.0):
    from statsmodels.tsa.arima_process import arma_generate_sample

    rng = np.random.default_rng(seed)
    return mean + arma_generate_sample(ar, ma, n, burnin=100, distrvs=rng.standard_normal)


def test_css_fit_is_the_minimum_of_its_objective_near_the_exact_fit():
    from statsmodels.tsa.arima.model import ARIMA

    from lstmforecast._baselines.css import _regressed_ssr, arma_polynomials, fit_css

    w = simulated_arma([1, -0.6], [1, 0.4], 400, seed=3, mean=5.0)
    constant = np.ones((len(w), 1))
    css = fit_css(w, constant, 1, 1, 0, 0, 0, maxiter=50)
    exact = ARIMA(w, order=(1, 0, 1), trend="c").fit(method="innovations_mle")
    mean, phi, theta, sigma2 = exact.params
    assert css.admissible and css.n_params == 4
    assert_allclose(css.arma, [phi, theta], atol=0.05)
    assert_allclose([css.beta[0], css.sigma2], [mean, sigma2], rtol=0.05)
    rows = np.vstack([w, constant.T])
    ssr_at = lambda arma: _regressed_ssr(rows, *arma_polynomials(arma, 1, 1, 0, 0, 0))[0]  # noqa: E731
    assert ssr_at(css.arma) <= ssr_at(np.array([phi, theta]))


def test_css_start_parameters_map_onto_sarimax():
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    from lstmforecast._baselines.arima import _css_regressors, _sarimax_start_params
    from lstmforecast._baselines.css import fit_css

    rng = np.random.default_rng(5)
    driver = rng.normal(size=300)
    y = simulated_arma([1, -0.7], [1], 300, seed=5, mean=10.0) + 2.0 * driver
    css = fit_css(y, _css_regressors(len(y), "c", driver[:, None]), 1, 0, 0, 0, 0, 50)
    start = _sarimax_start_params(css, "c")
    model = SARIMAX(y, exog=driver, order=(1, 0, 0), trend="c")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model.fit(disp=False)
    # The intercept of SARIMAX is the mean times (1 - phi): a start read as a mean would
    # cost hundreds of log-likelihood units.
    assert len(start) == len(fitted.params)
    assert fitted.llf - model.loglike(start) < 2.0
    assert_allclose(start, fitted.params, rtol=0.1)


def test_css_search_finds_a_simulated_arma11():
    series = simulated_arma([1, -0.6], [1, 0.5], 300, seed=7)
    model = ARIMARegressor(order="auto", search_method="css").fit(series[:-1, None], series[1:])
    assert model.order_ == (1, 0, 1)
    assert model.search_["aicc"].iloc[0] == model.search_["aicc"].min()


def test_css_search_finds_a_simulated_seasonal_model(capsys):
    # (1 - 0.5 B)(1 - B^4) y = (1 - 0.5 B^4) e: ARIMA(1, 0, 0)(0, 1, 1, 4).
    differenced = simulated_arma(np.r_[1, -0.5], np.r_[1, 0, 0, 0, -0.5], 240, seed=8)
    series = differenced.copy()
    for t in range(4, len(series)):
        series[t] += series[t - 4]
    series += np.tile([6.0, -2.0, 3.0, -7.0], 60)
    model = ARIMARegressor(order="auto", seasonal_order=(0, 0, 0, 4), verbose=1)
    model.fit(series[:-1, None], series[1:])
    assert (model.order_, model.seasonal_order_) == ((1, 0, 0), (0, 1, 1, 4))
    printed = capsys.readouterr().out.splitlines()
    assert all(line.endswith("(css)") for line in printed)  # a long series: CSS by default


def test_css_search_with_exogenous_regressor(data):
    X, y = make_supervised(data, target_column="level")
    model = ARIMARegressor(
        order="auto", target_column="level", exog_columns=["driver"], search_method="css"
    ).fit(X, y)
    params = dict(zip(model.results_.model.param_names, model.results_.params))
    assert model.order_[1] == 1
    assert_allclose(params["x1"], 0.8, atol=0.15)  # the driver's effect in the data
    # The chosen model is estimated on the differenced data, then filtered on the
    # series: the same maximum as statsmodels' own fit of the series.
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    level, driver = X["level"].to_numpy(), X["driver"].to_numpy()
    direct = SARIMAX(
        level, exog=np.r_[driver[:1], driver[:-1]], order=model.order_, trend=model.trend_
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = direct.fit(disp=False)
    assert_allclose(model.results_.llf, direct.llf, atol=0.05)
    assert_allclose(model.results_.params, direct.params, rtol=0.05, atol=0.02)


@pytest.mark.parametrize("search_method", ["ml", "css"])
def test_auto_order_rules_out_unit_roots(search_method):
    # A linear trend with noise, differenced by the KPSS rule: an MA(1) with theta = -1
    # plus a drift fits it best, a non-invertible model R's auto.arima rules out.
    from lstmforecast._baselines.css import min_root_modulus

    series = 0.3 * np.arange(100) + np.random.default_rng(0).normal(size=100)
    model = ARIMARegressor(order="auto", search_method=search_method)
    model.fit(series[:-1, None], series[1:])
    assert model.order_[1] == 1
    assert min_root_modulus(model.results_.polynomial_ma) > 1.01
    assert min_root_modulus(model.results_.polynomial_ar) > 1.01
    assert np.isinf(model.search_["aicc"]).any()
