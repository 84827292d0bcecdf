"""Sequence-mode training (truncated BPTT on chunks) against window mode.

1. On the weekly Mauna Loa CO2 series that ships with statsmodels: targets per second,
   and held-out error at equal epochs and at equal wall time (fixed epochs, no anchor
   choice: the raw modes).
2. Long look-backs with the default estimator (early stopping, seasonal anchors): day-
   ahead forecasts (h = 48) of a synthetic half-hourly load with daily and weekly
   patterns, at look_back 48, 168 and 336, window against sequence mode: MASE and fit
   CPU seconds. This is what ``training="auto"`` is decided on.
"""

import time

import numpy as np
from sklearn.pipeline import Pipeline

from lstmforecast import LSTMRegressor, Windower, make_supervised
from lstmforecast.datasets import load_co2
from lstmforecast.metrics import mase

from .._common import Row, median, note


def _fit(training, epochs, look_back, X_train, y_train, X_test, y_test):
    pipe = Pipeline(
        [
            ("win", Windower(look_back=look_back)),
            (
                "lstm",
                LSTMRegressor(
                    hidden_size=32,
                    lr=3e-3,
                    max_epochs=epochs,
                    n_iter_no_change=10**6,
                    random_state=0,
                    device="cpu",
                    training=training,
                ),
            ),
        ]
    )
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    mae = float(np.abs(pipe.predict(X_test) - y_test.to_numpy()).mean())
    return seconds, mae


def half_hourly_load(seed=0, weeks=10):
    """Half-hourly load: a daily shape, weaker and lower on weekends, a slow rise and
    AR(1) noise (phi 0.9), ``weeks`` weeks of rows."""
    rng = np.random.default_rng(seed)
    t = np.arange(48 * 7 * weeks)
    step, weekend = t % 48, t // 48 % 7 >= 5
    shape = np.sin(2 * np.pi * (step - 12) / 48) + 0.5 * np.sin(4 * np.pi * step / 48)
    from scipy.signal import lfilter

    noise = lfilter([1.0], [1.0, -0.9], rng.normal(0, 0.15, t.size))
    return 10 + 0.002 * t / 48 + shape * np.where(weekend, 0.6, 1.0) - 0.8 * weekend + noise


def _long_look_backs(quick):
    """MASE and fit CPU of the default estimator, window vs sequence mode, as look_back
    grows: trained on 8 weeks, day-ahead forecasts from each of the next 13 midnights."""
    series = half_hourly_load()
    h, n_train, week = 48, 48 * 7 * 8, 48 * 7
    X, y = make_supervised(series, horizon=h)
    origins = np.arange(n_train - 1, len(series) - h, 48)
    actual = y.to_numpy()[origins]

    def score(forecasts):
        train = series[:n_train]
        return np.mean(
            [mase(a, f, season_length=week, y_train=train) for a, f in zip(actual, forecasts)]
        )

    weekly = score(series[origins[:, None] + 1 + np.arange(h) - week])
    rows = []
    for look_back in (48, 336) if quick else (48, 168, 336):
        windower = Windower(look_back=look_back)
        windows = windower.fit_transform(X.iloc[: n_train - h])
        result = {}
        for mode in ("window", "sequence"):
            note(f"  half-hourly load, look_back {look_back}, {mode} mode ...")
            model = LSTMRegressor(training=mode, random_state=0, device="cpu")
            if quick:
                model.set_params(max_epochs=3)
            start = time.process_time()
            model.fit(windows, y.iloc[: n_train - h])
            cpu = time.process_time() - start
            forecasts = model.predict(windower.transform(X)[origins])
            result[mode] = (score(forecasts), cpu, model.n_iter_)
        rows.append(
            Row(
                f"half-hourly day-ahead MASE, look_back {look_back}: sequence vs window",
                f"{result['sequence'][0]:.3f} vs {result['window'][0]:.3f}",
                "",
                None,
                f"fit {result['sequence'][1]:.1f} vs {result['window'][1]:.1f} CPU-s "
                f"({result['sequence'][2]} vs {result['window'][2]} epochs, early stopping); "
                f"weekly seasonal naive {weekly:.3f}; 8 weeks of training rows, "
                f"{len(origins)} origins",
            )
        )
    return rows


def run(quick=False):
    return _weekly_co2(quick) + _long_look_backs(quick)


def _weekly_co2(quick):
    X, y = make_supervised(load_co2(freq="W-SAT"))  # 2,283 weekly rows
    n_test = 300
    split = (X.iloc[:-n_test], y.iloc[:-n_test], X.iloc[-n_test:], y.iloc[-n_test:])
    naive = float(np.abs(split[2]["co2"].to_numpy() - split[3].to_numpy()).mean())
    look_back, epochs = 52, (5 if quick else 30)
    repeats = 1 if quick else 3
    note(f"  window vs sequence, {epochs} epochs, {repeats} repeats ...")
    runs = {
        mode: [_fit(mode, epochs, look_back, *split) for _ in range(repeats)]
        for mode in ("window", "sequence")
    }
    window_s = median([s for s, _ in runs["window"]])
    sequence_s = median([s for s, _ in runs["sequence"]])
    window_mae, sequence_mae = runs["window"][0][1], runs["sequence"][0][1]
    targets = len(split[0]) * epochs
    # Equal wall time: as many sequence-mode epochs as fit in window mode's time.
    budget_epochs = max(epochs, int(epochs * window_s / sequence_s))
    note(f"  sequence mode at equal wall time: {budget_epochs} epochs ...")
    budget_s, budget_mae = _fit("sequence", budget_epochs, look_back, *split)
    detail = (
        f"weekly CO2, {len(split[0])} training rows, last {n_test} held out, look_back "
        f"{look_back}, hidden 32; last-value MAE {naive:.3f}"
    )
    return [
        Row(
            "sequence / window mode, supervised targets per second",
            f"{window_s / sequence_s:.1f}x",
            "",
            None,
            f"{targets / sequence_s:,.0f} vs {targets / window_s:,.0f} targets/s "
            f"({epochs} epochs: {sequence_s:.2f} s vs {window_s:.2f} s); {detail}",
        ),
        Row(
            "held-out MAE at equal epochs: sequence vs window",
            f"{sequence_mae:.3f} vs {window_mae:.3f}",
            "sequence <= window",
            sequence_mae <= window_mae,
            f"{epochs} epochs each",
        ),
        Row(
            "held-out MAE at equal wall time: sequence vs window",
            f"{budget_mae:.3f} vs {window_mae:.3f}",
            "sequence <= window",
            budget_mae <= window_mae,
            f"sequence mode ran {budget_epochs} epochs in {budget_s:.2f} s",
        ),
    ]
