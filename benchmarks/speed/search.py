"""GridSearchCV over a Windower + LSTMRegressor pipeline: n_jobs=2 against n_jobs=1, and
the torch thread count that the fits see inside the joblib workers."""

import os

import numpy as np
import pandas as pd
import torch
from joblib import cpu_count
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from lstmforecast import LSTMRegressor, Windower, make_supervised

from .._common import Row, interleaved, load_average, median, note, paired_ratio, seconds


def torch_threads(estimator, X, y):
    """A "score" that reports torch's intra-op thread count where the scoring runs,
    i.e. inside the worker that has just fitted the model."""
    return float(torch.get_num_threads())


def worker_pid(estimator, X, y):
    return float(os.getpid())


def make_search(n_jobs, grid, max_epochs, n_splits):
    pipe = Pipeline(
        [
            ("win", Windower()),
            ("lstm", LSTMRegressor(max_epochs=max_epochs, random_state=0, device="cpu")),
        ]
    )
    return GridSearchCV(
        pipe,
        grid,
        cv=TimeSeriesSplit(n_splits),
        scoring={"mse": "neg_mean_squared_error", "threads": torch_threads, "pid": worker_pid},
        refit=False,  # the refit runs in the parent whatever n_jobs is: time the search only
        n_jobs=n_jobs,
    )


def run(quick=False):
    rng = np.random.default_rng(0)
    n_rows = 1200 if quick else 4000
    steps = np.arange(n_rows + 1)
    series = pd.Series(np.sin(steps / 9.0) + 0.1 * rng.standard_normal(len(steps)), name="y")
    X, y = make_supervised(series)
    if quick:
        grid = {"win__look_back": [8, 16], "lstm__hidden_size": [8]}
        max_epochs, n_splits, repeats = 1, 2, 1
    else:
        grid = {"win__look_back": [8, 16], "lstm__hidden_size": [8, 16]}
        max_epochs, n_splits, repeats = 6, 3, 3
    n_fits = n_splits * int(np.prod([len(v) for v in grid.values()]))
    parent_threads = torch.get_num_threads()
    results = {}

    def search(n_jobs):
        results[n_jobs] = make_search(n_jobs, grid, max_epochs, n_splits).fit(X, y).cv_results_

    note(f"  GridSearchCV: {n_fits} fits, n_jobs=1 and 2, {repeats} repeats ...")
    # The warm-up starts joblib's worker processes (each imports torch once); joblib
    # keeps them for later searches, as it does for a user running several searches.
    times = interleaved({1: lambda: search(1), 2: lambda: search(2)}, repeats, warmup=1)
    speedup = paired_ratio(times, 1, 2)
    inside = sorted({int(t) for t in results[2]["mean_test_threads"]})
    workers = len(
        {
            int(p)
            for key in results[2]
            if key.startswith("split") and "pid" in key
            for p in results[2][key]
        }
    )
    cores = cpu_count()
    worst = max(inside) * min(2, workers)
    same = np.allclose(results[1]["mean_test_mse"], results[2]["mean_test_mse"])
    return [
        Row(
            "GridSearchCV speedup, n_jobs=2 vs n_jobs=1",
            f"{speedup:.2f}x",
            ">= 1.6x",
            speedup >= 1.6,
            f"{n_fits} fits (pipeline Windower + LSTMRegressor, {n_rows} rows, {max_epochs} "
            f"epochs, refit=False); medians {seconds(median(times[1]))} vs "
            f"{seconds(median(times[2]))}, {repeats} repeats after a warm-up; load average "
            f"after: {load_average()} (other processes on the cores cap this speedup); "
            f"same scores with n_jobs=1 and 2: {same}",
        ),
        Row(
            "torch threads inside the n_jobs=2 workers",
            ", ".join(map(str, inside)),
            f"workers x threads <= {cores} cores",
            worst <= cores,
            f"{workers} worker processes x {max(inside)} torch thread(s) = {worst} on "
            f"{cores} cores (joblib's loky backend caps OpenMP threads per worker); parent "
            f"process: {parent_threads} before, {torch.get_num_threads()} after",
        ),
    ]
