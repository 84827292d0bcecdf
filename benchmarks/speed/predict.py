"""predict: latency for one window (validation included) and throughput for 100k windows."""

import time

import numpy as np
import torch

from .._common import Row, interleaved, median, note, paired_ratio, seconds
from .fit import make_windows, wrapper


def _latencies(function, calls):
    """Seconds per call, one timing per call (the median shrugs off preempted calls)."""
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        function()
        out.append(time.perf_counter() - start)
    return out


def run(quick=False):
    look_back, hidden = 24, 32
    X, y = make_windows(2000, look_back)
    estimator = wrapper(hidden, 64, 2).fit(X, y)
    network = estimator.network_
    one = X[-1:]
    one_tensor = torch.from_numpy(one)
    one_length = torch.tensor([look_back])

    def bare():
        with torch.inference_mode():
            return network(one_tensor, one_length)

    calls = 100 if quick else 1000
    note(f"  predict latency: {calls} calls x 2 ...")
    _latencies(lambda: estimator.predict(one), 20)  # warm-up (first-call allocations)
    full, raw = [], []
    for _ in range(5):  # alternate the two in blocks so both see the same load
        full += _latencies(lambda: estimator.predict(one), calls // 5)
        raw += _latencies(bare, calls // 5)
    latency = median(full)
    rows = [
        Row(
            "predict latency, 1 window (validation included)",
            seconds(latency),
            "<= 1 ms",
            latency <= 1e-3,
            f"median of {calls} calls; look_back {look_back}, hidden {hidden}; the bare "
            f"module call takes {seconds(median(raw))}, so validation and conversion "
            f"add {seconds(latency - median(raw))}",
        )
    ]

    n_windows = 20_000 if quick else 100_000
    look_back, hidden = 16, 16
    X, y = make_windows(n_windows, look_back, seed=1)
    estimator = wrapper(hidden, 256, 1).fit(X[:5000], y[:5000])
    network = estimator.network_
    inputs = torch.from_numpy(X)
    lengths = torch.full((len(X),), look_back, dtype=torch.int64)

    def bare_all():
        # A careful hand-written script: chunks of 4096 windows (faster than one huge
        # batch on the CPU, whose activations fall out of cache) under inference_mode.
        with torch.inference_mode():
            parts = [
                network(chunk, length)
                for chunk, length in zip(inputs.split(4096), lengths.split(4096))
            ]
            return torch.cat(parts).numpy()

    repeats = 2 if quick else 5
    note(f"  predict throughput: {n_windows} windows x {repeats} repeats ...")
    times = interleaved({"predict": lambda: estimator.predict(X), "bare": bare_all}, repeats)
    check = np.abs(estimator.predict(X[:100]).ravel()).max()
    assert np.isfinite(check)
    rate = n_windows / median(times["predict"])
    ratio = paired_ratio(times, "predict", "bare")
    rows.append(
        Row(
            f"predict throughput, {n_windows // 1000}k windows",
            f"{rate / 1e3:.0f}k windows/s",
            "",
            None,
            f"look_back {look_back}, hidden {hidden}; {ratio:.2f}x the time of "
            f"hand-written chunked inference (median {seconds(median(times['bare']))})",
        )
    )
    return rows
