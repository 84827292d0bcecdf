"""torch threads: the default fit and the README Quickstart, quiet and beside a CPU hog.

Each measurement runs in a fresh interpreter that leaves torch's thread count as torch
sets it (one thread per core), as a user's script would, so ``n_threads`` alone decides.
"""

import subprocess
import sys
import time

from .._common import Row, note, seconds

# A default fit of the Quickstart pipeline on CO2, then the Quickstart itself.
_FIT = """
import time, resource
from sklearn.pipeline import Pipeline
from lstmforecast import LSTMRegressor, Windower, make_supervised
from lstmforecast.datasets import load_co2
X, y = make_supervised(load_co2(), horizon=12)
pipe = Pipeline([("win", Windower(look_back="auto")),
                 ("lstm", LSTMRegressor(n_threads={n_threads!r}, random_state=0))])
start, cpu = time.perf_counter(), time.process_time()
pipe.fit(X, y)
print(time.perf_counter() - start, time.process_time() - cpu)
"""
_QUICKSTART = """
import time
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from lstmforecast import LSTMRegressor, Windower, make_supervised
from lstmforecast.datasets import load_co2
start, cpu = time.perf_counter(), time.process_time()
X, y = make_supervised(load_co2(), horizon=12)
pipe = Pipeline([("win", Windower(look_back="auto")), ("lstm", LSTMRegressor())])
search = GridSearchCV(
    pipe, {"lstm__hidden_size": [16, 32], "lstm__loss": ["mse", "mae"]}, cv=TimeSeriesSplit(3)
).fit(X, y)
print(time.perf_counter() - start, time.process_time() - cpu)
"""
_HOG = "while True:\n    pass\n"


def _measure(code, loaded, timeout):
    """(wall seconds, CPU seconds) of ``code`` in a fresh interpreter, optionally beside
    a process that keeps one core busy; None where it ran past ``timeout``."""
    hog = subprocess.Popen([sys.executable, "-c", _HOG]) if loaded else None
    try:
        if hog is not None:
            time.sleep(0.5)  # the hog is spinning before the measured work starts
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
        )
        if done.returncode:
            raise RuntimeError(done.stderr.strip().splitlines()[-1])
        wall, cpu = map(float, done.stdout.split()[-2:])
        return wall, cpu
    except subprocess.TimeoutExpired:
        return None
    finally:
        if hog is not None:
            hog.kill()
            hog.wait()


def _shown(measured):
    if measured is None:
        return "timed out"
    return f"{seconds(measured[0])} wall, {seconds(measured[1])} CPU"


def run(quick=False):
    timeout = 120 if quick else 600
    fits = {}
    for n_threads in ("auto", None):
        for loaded in (False, True):
            note(f"  default fit, n_threads={n_threads!r}, {'beside a hog' if loaded else 'quiet'}")
            fits[n_threads, loaded] = _measure(_FIT.format(n_threads=n_threads), loaded, timeout)
            note(f"    {_shown(fits[n_threads, loaded])}")
    quickstart = {}
    for loaded in (False, True):
        note(f"  README Quickstart, {'beside a hog' if loaded else 'quiet'} ...")
        quickstart[loaded] = _measure(_QUICKSTART, loaded, timeout)
        note(f"    {_shown(quickstart[loaded])}")

    def ratio(a, b):
        return None if a is None or b is None else a[0] / b[0]

    rows = [
        Row(f"default fit, n_threads={n!r}, {'beside a CPU hog' if h else 'quiet'}", _shown(m))
        for (n, h), m in fits.items()
    ]
    under_load = ratio(fits["auto", True], fits["auto", False])
    against_torch = ratio(fits["auto", True], fits[None, True])
    qs_load = ratio(quickstart[True], quickstart[False])
    rows += [
        Row(
            "default fit beside a hog / quiet (n_threads='auto')",
            "-" if under_load is None else f"{under_load:.2f}x",
            "<= 2x",
            under_load is not None and under_load <= 2,
        ),
        Row(
            "default fit beside a hog: 'auto' / torch's own threads (n_threads=None)",
            "-" if against_torch is None else f"{against_torch:.2f}x",
            "<= 1x",
            against_torch is not None and against_torch <= 1,
            "torch's default: one thread per core",
        ),
        Row("README Quickstart, quiet", _shown(quickstart[False])),
        Row("README Quickstart, beside a CPU hog", _shown(quickstart[True])),
        Row(
            "README Quickstart beside a hog / quiet",
            "-" if qs_load is None else f"{qs_load:.2f}x",
            "<= 2x and < 60 s",
            qs_load is not None and qs_load <= 2 and quickstart[True][0] < 60,
        ),
    ]
    return rows
