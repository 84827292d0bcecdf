"""Windower on a long multivariate series: extra memory, and speed against the Python
loop that tutorials build windows with."""

import gc
import time
import tracemalloc

import numpy as np

from lstmforecast import Windower

from .._common import Row, median, note, seconds


def loop_windows(rows, look_back):
    """The tutorial way: a Python loop that appends one slice per window, then stacks
    them into one (n - look_back + 1, look_back, n_features) array."""
    windows = []
    for end in range(look_back, len(rows) + 1):
        windows.append(rows[end - look_back : end])
    return np.array(windows)


def owned_bytes(array):
    """Bytes of the memory block that backs ``array`` (a view reports its base's)."""
    # sliding_window_view's result hangs off a non-array holder whose .base is the
    # padded copy, so follow .base through any object, not only through ndarrays.
    owner = array
    while getattr(owner, "base", None) is not None:
        owner = owner.base
    return owner.nbytes


def peak_extra_bytes(function):
    """Peak bytes allocated while ``function`` runs (numpy reports its buffers to
    tracemalloc), and its result."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        result = function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before, result


def run(quick=False):
    n_rows = 100_000 if quick else 1_000_000
    n_features, look_back = 4, 256
    loop_rows = 5_000 if quick else 20_000
    repeats = 3 if quick else 5
    rng = np.random.default_rng(0)
    rows = {}
    rows["float32"] = rng.standard_normal((n_rows, n_features)).astype(np.float32)
    rows["float64"] = rows["float32"].astype(np.float64)  # what a pandas frame holds
    out = []
    for dtype, X in rows.items():
        note(f"  windower memory ({dtype}) ...")
        extra, windows = peak_extra_bytes(
            lambda X=X: Windower(look_back=look_back).fit_transform(X)
        )
        assert windows.shape == (n_rows, look_back, n_features)
        ratio = extra / X.nbytes
        out.append(
            Row(
                f"Windower extra memory, {dtype} input",
                f"{ratio:.2f}x input",
                "< 2x",
                ratio < 2,
                f"{n_rows:,} x {n_features}, look_back {look_back}: input "
                f"{X.nbytes / 2**20:.0f} MiB, peak extra {extra / 2**20:.1f} MiB "
                f"(tracemalloc), windows backed by {owned_bytes(windows) / 2**20:.0f} MiB; "
                f"materialised they would be {windows.size * 4 / 2**30:.1f} GiB",
            )
        )
        del windows

    X = rows["float32"]
    note(f"  windower speed: {repeats} repeats, Python loop on {loop_rows:,} rows ...")
    windower_times, loop_times = [], []
    for _ in range(repeats):  # alternate so that both see the same load
        start = time.perf_counter()
        Windower(look_back=look_back).fit_transform(X)
        windower_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        loop_windows(X[:loop_rows], look_back)
        loop_times.append(time.perf_counter() - start)
    n_loop_windows = loop_rows - look_back + 1
    scaled = median(loop_times) * n_rows / n_loop_windows
    speedup = scaled / median(windower_times)
    out.append(
        Row(
            "Windower speed vs Python-loop windows",
            f"{speedup:,.0f}x faster",
            ">= 100x",
            speedup >= 100,
            f"Windower {seconds(median(windower_times))} for {n_rows:,} rows; loop "
            f"{seconds(median(loop_times))} on the first {loop_rows:,} rows, scaled "
            f"linearly to {seconds(scaled)} (the full loop would need "
            f"{n_rows * look_back * n_features * 4 / 2**30:.1f} GiB); medians of {repeats}",
        )
    )
    return out
