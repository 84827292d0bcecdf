"""Sequence-mode training (truncated BPTT on chunks) against window mode, on the weekly
Mauna Loa CO2 series that ships with statsmodels: targets per second, and held-out error
at equal epochs and at equal wall time."""

import time

import numpy as np
from sklearn.pipeline import Pipeline

from lstmforecast import LSTMRegressor, Windower, make_supervised
from lstmforecast.datasets import load_co2

from ._common import Row, median, note


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


def run(quick=False):
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
            f"sequence mode ran {budget_epochs} epochs in {budget_s:.2f} s; default stays "
            "window mode unless both MAE rows are met",
        ),
    ]
