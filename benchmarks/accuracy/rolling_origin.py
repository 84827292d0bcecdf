"""Forecast accuracy over rolling origins on real series that ship inside statsmodels.

Protocol (the same for every contender):

- each series is cut at ``ORIGINS`` origins at its end, ``h`` steps apart, so the last
  test window ends with the series; at each origin a contender is fitted on the values
  up to the origin only and forecasts the next ``h`` values (``h`` = one season, or the
  documented horizon of the series below);
- the LSTM pipelines forecast all ``h`` steps at once from the origin: they are trained
  on ``make_supervised(train, horizon=h)`` (one column of y per step ahead, a direct
  multi-horizon forecast); the row baselines get the same rows;
- MASE (scale: the in-sample seasonal naive error of the training values, season ``m``)
  and sMAPE (percent) on the original scale, averaged over origins; fit seconds are wall
  and CPU (process time, all threads) summed over every fit of the contender.

The held-out series (airline, lynx, wineind, taylor) are never loaded here.
"""

import inspect
import time
import warnings

import numpy as np
import pandas as pd

import lstmforecast
from lstmforecast import LSTMRegressor, Windower, make_supervised
from lstmforecast.metrics import mase, smape

from .._common import Row, note

ORIGINS = 3
# Filled by run(); __main__ writes it into benchmarks/README.md with --write-readme.
TABLES = {}


def _statsmodels_series():
    """name -> (values, season m, horizon h, description). Lengths are cut so that the
    whole section stays within about 10 minutes on 2 cores."""
    from statsmodels.datasets import danish_data, elec_equip, elnino, macrodata, nile

    from lstmforecast.datasets import load_co2, load_sunspots

    macro = macrodata.load_pandas().data
    el = elnino.load_pandas().data.set_index("YEAR")
    series = {
        "co2 monthly": (load_co2().to_numpy()[-240:], 12, 12, "Mauna Loa, last 240 months"),
        "co2 weekly": (
            load_co2("W-SAT").to_numpy()[-416:],
            52,
            13,
            "Mauna Loa, last 416 weeks (8 years); h = 13 (a quarter)",
        ),
        "elnino": (el.to_numpy().ravel()[-240:], 12, 12, "sea surface temp., last 240 months"),
        "elec_equip": (
            np.asarray(elec_equip.load().data, dtype=float).ravel(),
            12,
            12,
            "euro-area electrical equipment orders, monthly",
        ),
        "sunspots": (load_sunspots().to_numpy(), 11, 11, "yearly 1700-2008, 11-year cycle"),
        "nile": (
            nile.load_pandas().data["volume"].to_numpy(dtype=float),
            1,
            5,
            "yearly flow, no season: m = 1, h = 5",
        ),
        "realgdp": (macro["realgdp"].to_numpy(), 4, 4, "US quarterly, seasonally adjusted"),
        "cpi": (macro["cpi"].to_numpy(), 4, 4, "US quarterly"),
        "unemp": (macro["unemp"].to_numpy(), 4, 4, "US quarterly"),
        "danish lrm": (
            danish_data.load().data["lrm"].to_numpy(dtype=float),
            4,
            4,
            "log real money, quarterly, 55 values",
        ),
    }
    return series


# -- contenders ------------------------------------------------------------------------
def default_pipeline(m):
    """The default a user gets: nothing set but the look-back rule."""
    return lstmforecast.Windower(look_back="auto"), LSTMRegressor(random_state=0, device="cpu")


def tuned_pipeline(m):
    """The documented tuned recipe: the default look-back with twice the width and more
    patience (hidden_size=64, n_iter_no_change=20). It was picked on co2 monthly,
    elnino and elec_equip among a few candidates (also dropout 0.1 with weight decay
    1e-4, and a three-seed median, which cost three times as much and did not pay)."""
    return (
        Windower(look_back="auto"),
        LSTMRegressor(hidden_size=64, n_iter_no_change=20, random_state=0, device="cpu"),
    )


def _lstm_forecast(make, train, m, h):
    X, y = make_supervised(pd.Series(train, name="y"), horizon=h)
    window, model = make
    windows = window.fit_transform(X)
    model.fit(windows, y)
    history = pd.DataFrame({"y": train})
    return np.asarray(model.predict(window.transform(history)[-1:])).reshape(-1)


def _lstm(factory):
    def forecast(train, m, h):
        return _lstm_forecast(factory(m), train, m, h)

    return forecast


def _row_forecaster(factory):
    """A contender of the row contract: fitted on make_supervised rows, predicts from the
    last row of the full training history (every value up to the origin)."""

    def forecast(train, m, h):
        model = factory(m, len(train))
        X, y = make_supervised(pd.Series(train, name="y"), horizon=h)
        model.fit(X.to_numpy(), y.to_numpy())
        prediction = model.predict(train.reshape(-1, 1))
        return np.asarray(prediction)[-1].reshape(-1)

    return forecast


def _with_season(cls, m, **extra):
    """``cls`` built with its season-length parameter, whatever the baseline names it."""
    parameters = inspect.signature(cls).parameters
    for name in ("season_length", "seasonal_periods", "period", "seasonal_period"):
        if name in parameters and m > 1:
            extra[name] = m
            break
    return cls(**extra)


def _arima(m, n):  # noqa: ARG001 (the factories share one signature)
    """ARIMARegressor(order="auto"): with a season s, the Hyndman-Khandakar search picks
    D, P and Q itself. Seasons longer than 24 rows get the non-seasonal search only (a
    season of 52 makes every candidate fit a 52-lag state space)."""
    seasonal = (0, 0, 0, m) if 1 < m <= 24 else None
    return lstmforecast.ARIMARegressor(order="auto", seasonal_order=seasonal)


def _statsforecast(name):
    def forecast(train, m, h):
        from statsforecast import models

        # A season of 52 makes AutoARIMA's seasonal search run for minutes per fit.
        season = m if name != "AutoARIMA" or m <= 24 else 1
        model = getattr(models, name)(season_length=season)
        return np.asarray(model.forecast(y=train.astype(np.float64), h=h)["mean"])

    return forecast


def contenders():
    """name -> (forecast function, kind); baselines the package does not export yet and
    statsforecast (bench extra) are left out when missing."""
    table = {
        "default LSTM": (_lstm(default_pipeline), "lstm"),
        "tuned LSTM": (_lstm(tuned_pipeline), "lstm"),
        "ARIMA auto": (_row_forecaster(_arima), "stat"),
    }
    for name in ("ETSRegressor", "ThetaRegressor"):
        cls = getattr(lstmforecast, name, None)
        if cls is not None:
            label = name.removesuffix("Regressor")
            table[label] = (_row_forecaster(lambda m, n, cls=cls: _with_season(cls, m)), "stat")
    table["seasonal naive"] = (
        _row_forecaster(lambda m, n: lstmforecast.SeasonalNaiveRegressor(season_length=m)),
        "naive",
    )
    table["naive"] = (_row_forecaster(lambda m, n: lstmforecast.NaiveRegressor()), "naive")
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        pass
    else:
        for name in ("AutoARIMA", "AutoETS", "AutoTheta"):
            table[f"sf {name}"] = (_statsforecast(name), "reference")
    return table


# -- protocol ---------------------------------------------------------------------------
def evaluate(forecast, values, m, h):
    """Mean MASE and sMAPE over the rolling origins, and wall / CPU seconds of the fits."""
    scores, smapes, wall, cpu = [], [], 0.0, 0.0
    for i in range(ORIGINS, 0, -1):
        origin = len(values) - i * h
        train, test = values[:origin], values[origin : origin + h]
        w0, c0 = time.perf_counter(), time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prediction = forecast(train, m, h)
        wall += time.perf_counter() - w0
        cpu += time.process_time() - c0
        scores.append(mase(test, prediction, season_length=m, y_train=train))
        smapes.append(smape(test, prediction))
    return float(np.mean(scores)), float(np.mean(smapes)), wall, cpu


def run(quick=False):
    series = _statsmodels_series()
    if quick:
        series = {k: series[k] for k in ("co2 monthly", "nile")}
    models = contenders()
    results = {}  # (series, model) -> (mase, smape, wall, cpu)
    for name, (values, m, h, _) in series.items():
        values = np.asarray(values, dtype=np.float64)
        note(f"  {name}: {len(values)} values, m={m}, h={h}")
        for label, (forecast, _) in models.items():
            try:
                results[name, label] = evaluate(forecast, values, m, h)
            except Exception as error:  # one failing contender must not lose the table
                note(f"    {label}: failed ({type(error).__name__}: {error})")
                results[name, label] = (np.nan, np.nan, np.nan, np.nan)
            score = results[name, label]
            note(f"    {label}: MASE {score[0]:.3f} sMAPE {score[1]:.2f} ({score[2]:.1f} s)")
    TABLES["accuracy"] = _markdown(series, models, results)
    rows = _verdicts(series, models, results)
    rows.extend(_look_back_cost(quick))
    return rows


def _markdown(series, models, results):
    labels = list(models)
    lines = [
        f"MASE (sMAPE %) per series, mean over {ORIGINS} rolling origins; lower is better. "
        "Best statistical or LSTM entry in bold.",
        "",
        "| series | n | m | h | " + " | ".join(labels) + " |",
        "|---|---|---|---|" + "---|" * len(labels),
    ]
    for name, (values, m, h, _) in series.items():
        cells = [results[name, label] for label in labels]
        competing = [c[0] for c, label in zip(cells, labels) if models[label][1] != "reference"]
        best = np.nanmin(competing)
        text = []
        for score in cells:
            cell = f"{score[0]:.3f} ({score[1]:.1f})"
            text.append(f"**{cell}**" if score[0] == best else cell)
        lines.append(f"| {name} | {len(values)} | {m} | {h} | " + " | ".join(text) + " |")
    wall = [np.nansum([results[s, label][2] for s in series]) for label in labels]
    cpu = [np.nansum([results[s, label][3] for s in series]) for label in labels]
    lines.append(
        "| fit s, wall (CPU) | | | | "
        + " | ".join(f"{w:.1f} ({c:.1f})" for w, c in zip(wall, cpu))
        + " |"
    )
    lines.append("")
    lines.extend(f"- {name}: {desc}" for name, (_, _, _, desc) in series.items())
    return "\n".join(lines)


def _verdicts(series, models, results):
    names = list(series)
    seasonal = [name for name in names if series[name][1] > 1 and name not in _ADJUSTED]
    default = [results[name, "default LSTM"][0] for name in names]
    snaive = [results[name, "seasonal naive"][0] for name in names]
    arima = [results[name, "ARIMA auto"][0] for name in names]
    beats_snaive = sum(d < s for d, s in zip(default, snaive))
    ties_arima = sum(d <= 1.02 * a for d, a in zip(default, arima))
    statistical = [label for label, (_, kind) in models.items() if kind in ("stat", "naive")]
    tuned_wins = [
        name
        for name in seasonal
        if all(results[name, "tuned LSTM"][0] < results[name, s][0] for s in statistical)
    ]
    return [
        Row(
            "default pipeline beats seasonal naive (MASE)",
            f"{beats_snaive} of {len(names)} series",
            "all",
            beats_snaive == len(names),
            ", ".join(f"{n}: {d:.2f} vs {s:.2f}" for n, d, s in zip(names, default, snaive)),
        ),
        Row(
            "default pipeline ties (within 2 %) or beats ARIMA auto",
            f"{ties_arima} of {len(names)} series",
            "at least half",
            2 * ties_arima >= len(names),
            ", ".join(f"{n}: {d:.2f} vs {a:.2f}" for n, d, a in zip(names, default, arima)),
        ),
        Row(
            "tuned recipe beats every statistical baseline, seasonal series",
            f"{len(tuned_wins)} of {len(seasonal)}",
            ">= 2",
            len(tuned_wins) >= 2,
            f"won on: {', '.join(tuned_wins) or 'none'}; baselines: {', '.join(statistical)}",
        ),
    ]


# Quarterly macro series published seasonally adjusted: they have no season to beat.
_ADJUSTED = ("realgdp", "cpi", "unemp", "danish lrm")


# -- cost per epoch against look_back ---------------------------------------------------
def _look_back_cost(quick):
    """Seconds per training epoch of the default network on 8 weeks of half-hourly rows
    (2,688 windows), window mode against sequence mode, as look_back grows."""
    t = np.arange(48 * 7 * 8)
    rng = np.random.default_rng(0)
    weekend = t // 48 % 7 >= 5
    load = 10 + np.sin(2 * np.pi * t / 48) + 0.5 * weekend + 0.1 * rng.normal(size=t.size)
    X, y = make_supervised(pd.Series(load, name="load"))
    rows = []
    look_backs = (48, 336) if quick else (48, 168, 336)
    for look_back in look_backs:
        windows = Windower(look_back=look_back).fit_transform(X)
        cost = {}
        for training in ("window", "sequence"):
            model = LSTMRegressor(
                max_epochs=2, early_stopping=False, random_state=0, device="cpu", training=training
            )
            w0, c0 = time.perf_counter(), time.process_time()
            model.fit(windows, y)
            cost[training] = (
                (time.perf_counter() - w0) / model.n_iter_,
                (time.process_time() - c0) / model.n_iter_,
            )
        rows.append(
            Row(
                f"cost per epoch, look_back {look_back}",
                f"{cost['window'][0]:.2f} s",
                "",
                None,
                f"window mode {cost['window'][0]:.2f} s wall ({cost['window'][1]:.2f} s CPU); "
                f"sequence mode {cost['sequence'][0]:.2f} s ({cost['sequence'][1]:.2f} s CPU); "
                f"{len(X)} half-hourly rows, default network",
            )
        )
    return rows
