"""Calibration of prediction intervals: empirical coverage of nominal 80% and 95%
intervals over rolling origins, on four series that ship with statsmodels, for the LSTM
with a quantile head (uncalibrated, calibrated on its validation rows as by default, and
calibrated by ConformalForecaster(quantiles=...)), the LSTM with conformal intervals
around its point forecast, the default LSTMRegressor (no quantile head: its
predict(X, quantiles=...) is split conformal on the rows early stopping held out), and
ARIMA (its predict(X, quantiles=...)).

Every model is fitted on each training fold and forecasts ``HORIZON`` steps from every
row of the test fold that follows, with all earlier rows as history (a direct
multi-horizon model: one interval per step);
the coverage is the share of (row, step) actual values inside their interval, over all
folds. A line meets its target when the coverage is within 5 points of nominal.
"""

import inspect
import time

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import Pipeline

from lstmforecast import (
    ARIMARegressor,
    ConformalForecaster,
    LSTMRegressor,
    Windower,
    make_supervised,
)
from lstmforecast.datasets import load_co2, load_sunspots

from .._common import Row, note

HORIZON = 3
NOMINAL = (0.8, 0.95)
LEVELS = (0.025, 0.1, 0.9, 0.975)  # the bounds of both intervals, ascending
TOLERANCE = 0.05


def _elnino():
    from statsmodels.datasets import elnino

    data = elnino.load_pandas().data
    values = data.drop(columns="YEAR").to_numpy().ravel()  # year by year, month by month
    start = f"{int(data['YEAR'].iloc[0])}-01-01"
    index = pd.date_range(start, periods=len(values), freq="MS")
    return pd.Series(values, index=index, name="sea_temperature")


def _macro_inflation():
    from statsmodels.datasets import macrodata

    data = macrodata.load_pandas().data
    index = pd.period_range("1959Q1", periods=len(data), freq="Q").to_timestamp()
    return pd.Series(data["infl"].to_numpy(), index=index, name="inflation")


# name: (loader, LSTM look_back, ARIMA order, seasonal order, trend)
SERIES = {
    "co2 (monthly)": (load_co2, 24, (1, 1, 1), (0, 1, 1, 12), None),
    "elnino (monthly)": (_elnino, 24, (1, 0, 1), (0, 1, 1, 12), None),
    "sunspots (yearly)": (load_sunspots, 22, (2, 0, 1), None, "c"),
    "macrodata inflation (quarterly)": (_macro_inflation, 8, (1, 1, 1), None, None),
}
MODELS = (
    "LSTM quantile head, uncalibrated",
    "LSTM quantile head",
    "LSTM quantile head, conformalized",
    "LSTM conformal",
    "LSTM default, held-out rows",
    "ARIMA",
)
HEAD_LEVELS = (0.025, 0.1, 0.5, 0.9, 0.975)


def _lstm(look_back, quantiles=None, calibrate=True):
    lstm = LSTMRegressor(
        calibrate_quantiles=calibrate,
        hidden_size=32,
        lr=5e-3,
        max_epochs=60,
        early_stopping=True,
        validation_fraction=0.15,
        n_iter_no_change=8,
        random_state=0,
        device="cpu",
        quantiles=quantiles,
    )
    return Pipeline([("win", Windower(look_back=look_back)), ("lstm", lstm)])


def _arima_bounds(arima, X_test):
    """ARIMA quantiles at LEVELS, (n, HORIZON, len(LEVELS)).

    Through ``predict(X, quantiles=...)`` when ARIMARegressor has it; otherwise
    statsmodels' Gaussian forecast standard errors of steps 1..HORIZON at the end of the
    training fold (fixed parameters: the Kalman filter's forecast variance is at its
    steady state, the same at every later origin) around the point forecasts.
    """
    if "quantiles" in inspect.signature(arima.predict).parameters:
        return np.asarray(arima.predict(X_test, quantiles=list(LEVELS))), "predict(quantiles=)"
    points = np.asarray(arima.predict(X_test)).reshape(len(X_test), HORIZON)
    se = np.asarray(arima.results_.get_forecast(HORIZON).se_mean)
    z = norm.ppf(LEVELS)
    return points[:, :, None] + se[None, :, None] * z[None, None, :], "results_ standard errors"


def _fold_bounds(name, settings, X_train, y_train, X_test):
    _, look_back, order, seasonal_order, trend = settings
    if name.startswith("LSTM quantile head") and not name.endswith("conformalized"):
        calibrate = not name.endswith("uncalibrated")
        model = _lstm(look_back, quantiles=HEAD_LEVELS, calibrate=calibrate)
        model.fit(X_train, y_train)
        return np.asarray(model.predict(X_test, quantiles=list(LEVELS))), ""
    if name == "LSTM quantile head, conformalized":
        # The conformal step calibrates: a head calibrated on its own validation rows as
        # well would carry a correction fitted to another model once refitted.
        head = _lstm(look_back, quantiles=HEAD_LEVELS, calibrate=False)
        # refit=False: the shifts belong to the model they were measured on.
        model = ConformalForecaster(
            head, calibration_size=0.25, quantiles=list(LEVELS), refit=False
        )
        model.fit(X_train, y_train)
        return np.asarray(model.predict(X_test, quantiles=list(LEVELS))), ""
    if name == "LSTM default, held-out rows":
        # LSTMRegressor's defaults, no quantile head: intervals from its validation rows.
        lstm = LSTMRegressor(random_state=0, device="cpu")
        model = Pipeline([("win", Windower(look_back=look_back)), ("lstm", lstm)])
        model.fit(X_train, y_train)
        return np.asarray(model.predict(X_test, quantiles=list(LEVELS))), ""
    if name == "LSTM conformal":
        model = ConformalForecaster(_lstm(look_back), calibration_size=0.25)
        model.fit(X_train, y_train)
        return np.asarray(model.predict(X_test, quantiles=list(LEVELS))), ""
    arima = ARIMARegressor(order=order, seasonal_order=seasonal_order, trend=trend, maxiter=200)
    return _arima_bounds(arima.fit(X_train, y_train), X_test)


def _coverages(series_name, settings, n_splits):
    data = settings[0]()
    X, y = make_supervised(data, horizon=HORIZON)
    cv = TimeSeriesSplit(n_splits=n_splits, test_size=len(X) // 8, gap=HORIZON - 1)
    inside = {(model, nominal): [] for model in MODELS for nominal in NOMINAL}
    sources, seconds = {}, dict.fromkeys(MODELS, 0.0)
    for train, test in cv.split(X):
        # Forecast from every row up to the end of the test fold and keep the test rows:
        # each test window then holds its full history, as in forecast(), gap included.
        X_test = X.iloc[: test[-1] + 1]
        actual = y.iloc[test].to_numpy()
        for model in MODELS:
            start = time.perf_counter()
            bounds, source = _fold_bounds(model, settings, X.iloc[train], y.iloc[train], X_test)
            seconds[model] += time.perf_counter() - start
            sources[model] = source
            bounds = bounds.reshape(len(X_test), HORIZON, len(LEVELS))[-len(test) :]
            for number, nominal in enumerate(NOMINAL):
                lower = bounds[..., 1 - number]  # 0.1 / 0.025
                upper = bounds[..., 2 + number]  # 0.9 / 0.975
                inside[(model, nominal)].append(((actual >= lower) & (actual <= upper)).ravel())
    n_points = sum(len(test) for _, test in cv.split(X)) * HORIZON
    note(f"  {series_name}: {n_splits} origins, {n_points} (row, step) points per model")
    return inside, sources, seconds, n_points


def _row(name, hits, nominal, detail):
    coverage = float(np.mean(hits))
    return Row(
        name,
        f"{100 * coverage:.1f}%",
        f"{100 * nominal:.0f} ± {100 * TOLERANCE:.0f}%",
        abs(coverage - nominal) <= TOLERANCE,
        detail,
    )


def run(quick=False):
    n_splits = 2 if quick else 3
    series = dict(list(SERIES.items())[:2]) if quick else SERIES
    rows, pooled = [], {(m, n): [] for m in MODELS for n in NOMINAL}
    for series_name, settings in series.items():
        inside, sources, seconds, n_points = _coverages(series_name, settings, n_splits)
        for model in MODELS:
            detail = f"{n_points} points, fit+predict {seconds[model]:.0f} s"
            if sources[model]:
                detail += f", intervals from {sources[model]}"
            for nominal in NOMINAL:
                hits = np.concatenate(inside[(model, nominal)])
                pooled[(model, nominal)].append(hits)
                rows.append(_row(f"{series_name}, {model}, {nominal:.0%}", hits, nominal, detail))
    for model in MODELS:
        for nominal in NOMINAL:
            hits = np.concatenate(pooled[(model, nominal)])
            detail = f"all {len(series)} series, {len(hits)} points"
            rows.append(_row(f"pooled, {model}, {nominal:.0%}", hits, nominal, detail))
    return rows
