"""Deployment: int8 dynamic quantization (lstmforecast.quantize) against the fp32 model.

On three series that ship with statsmodels (monthly Mauna Loa CO2, monthly El Nino sea
surface temperatures, yearly sunspots): one Windower + LSTMRegressor pipeline per
series, fitted on the first 80% of the rows and scored on the rest (MASE against the
naive forecast on the training series), then quantized. Rows: MASE change of the int8
copy, size of the network weights, size of the saved file, CPU predict throughput.
"""

import io
import os
import tempfile

import numpy as np
import pandas as pd
import torch
from sklearn.pipeline import Pipeline

from lstmforecast import LSTMRegressor, Windower, make_supervised, quantize, save
from lstmforecast.datasets import load_co2, load_sunspots
from lstmforecast.metrics import mase

from .._common import Row, interleaved, median, note, paired_ratio, seconds

HIDDEN_SIZE = 64


def load_elnino():
    """Monthly sea surface temperatures 1950-2010 as one series (statsmodels' elnino)."""
    from statsmodels.datasets import elnino

    table = elnino.load_pandas().data
    values = table.drop(columns="YEAR").to_numpy().ravel()
    index = pd.date_range(str(int(table["YEAR"].iloc[0])), periods=len(values), freq="MS")
    return pd.Series(values, index=index, name="elnino")


SERIES = {
    "co2 (monthly)": (lambda: load_co2(), 24),
    "elnino (monthly)": (load_elnino, 24),
    "sunspots (yearly)": (load_sunspots, 22),
}


def weight_bytes(network):
    """Bytes of the network's weights as torch serialises them (int8 packed when quantized)."""
    buffer = io.BytesIO()
    torch.save(network.state_dict(), buffer)
    return buffer.tell()


def fit_series(name, quick):
    load, look_back = SERIES[name]
    X, y = make_supervised(load())
    cut = int(0.8 * len(X))
    model = Pipeline(
        [
            ("win", Windower(look_back=look_back)),
            (
                "lstm",
                LSTMRegressor(
                    hidden_size=HIDDEN_SIZE,
                    max_epochs=20 if quick else 150,
                    early_stopping=True,
                    random_state=0,
                    device="cpu",
                ),
            ),
        ]
    )
    model.fit(X.iloc[:cut], y.iloc[:cut])
    return model, X, y, cut


def run(quick=False):
    rows = []
    sizes = []
    for name in SERIES:
        note(f"  {name}: fit, quantize, score ...")
        model, X, y, cut = fit_series(name, quick)
        small = quantize(model)
        test_X, test_y, train_y = X.iloc[cut:], y.iloc[cut:].to_numpy(), y.iloc[:cut].to_numpy()
        fp32 = mase(test_y, model.predict(test_X), y_train=train_y)
        int8 = mase(test_y, small.predict(test_X), y_train=train_y)
        change = (int8 - fp32) / fp32
        rows.append(
            Row(
                f"int8 MASE change, {name}",
                f"{100 * change:+.2f}%",
                "within 2%",
                abs(change) <= 0.02,
                f"MASE fp32 {fp32:.4f}, int8 {int8:.4f} on the last {len(test_y)} rows; "
                f"hidden {HIDDEN_SIZE}, look_back {model[0].look_back}",
            )
        )
        sizes.append((weight_bytes(model[-1].network_), weight_bytes(small[-1].network_)))
        if len(sizes) == 1:
            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, "model.lstmf")
                save(model, path)
                file_bytes = os.path.getsize(path)
            test_windows = model[0].transform(X.iloc[cut:])
            windows = np.take(test_windows, np.arange(4096) % len(test_windows), axis=0)
            estimators = {"fp32": model[-1], "int8": small[-1]}
    fp32_bytes, int8_bytes = sizes[0]
    ratio = fp32_bytes / int8_bytes
    rows.append(
        Row(
            "int8 weights: size reduction",
            f"{ratio:.2f}x",
            ">= 3x",
            ratio >= 3,
            f"network state_dict {fp32_bytes / 1024:.1f} KiB fp32 vs {int8_bytes / 1024:.1f} KiB "
            f"int8 (torch.save), hidden {HIDDEN_SIZE}; lstmforecast.save file of the fp32 "
            f"pipeline: {file_bytes / 1024:.1f} KiB",
        )
    )
    repeats = 3 if quick else 15
    note(f"  predict throughput, {len(windows)} windows x {repeats} repeats ...")
    rows.append(throughput_row(estimators, windows, repeats, f"hidden {HIDDEN_SIZE}"))
    # The int8 kernels quantize activations at every step: they pay off on wide layers.
    wide = LSTMRegressor(hidden_size=512, max_epochs=1, random_state=0, device="cpu")
    wide.fit(windows[:256], np.zeros(256))
    windows = windows[: 256 if quick else 1024]
    note(f"  predict throughput, hidden 512, {len(windows)} windows ...")
    estimators = {"fp32": wide, "int8": quantize(wide)}
    rows.append(throughput_row(estimators, windows, 2 if quick else 5, "hidden 512"))
    return rows


def throughput_row(estimators, windows, repeats, label):
    times = interleaved(
        {name: (lambda e=e: e.predict(windows)) for name, e in estimators.items()}, repeats
    )
    speedup = paired_ratio(times, "fp32", "int8")
    fp32, int8 = median(times["fp32"]), median(times["int8"])
    return Row(
        f"int8 predict throughput vs fp32 (CPU), {label}",
        f"{speedup:.2f}x",
        "",
        None,
        f"{len(windows)} windows of {windows.shape[1]} steps, {torch.get_num_threads()} "
        f"thread(s), {repeats} repeats: fp32 {len(windows) / fp32:,.0f} windows/s "
        f"({seconds(fp32)}), int8 {len(windows) / int8:,.0f} windows/s ({seconds(int8)})",
    )
