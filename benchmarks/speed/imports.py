"""``import lstmforecast`` time beyond ``import torch``, in fresh interpreters."""

import subprocess
import sys

from .._common import Row, median, note, seconds

# Each child imports torch first (not timed), then times the module under test.
_CHILD = (
    "import time, torch\n"
    "start = time.perf_counter()\n"
    "import {module}\n"
    "print(time.perf_counter() - start)\n"
)


def _time_import(module):
    done = subprocess.run(
        [sys.executable, "-c", _CHILD.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def run(quick=False):
    repeats = 2 if quick else 7
    note(f"  import time: {repeats} fresh interpreters per statement ...")
    statements = {
        "package": "lstmforecast",
        # What a user's script runs: the package defers its modules until a public name
        # is used, so the bare import alone would hide the real cost.
        "estimators": "lstmforecast; from lstmforecast import LSTMRegressor, Windower",
        "floor": "sklearn.base",
    }
    times = {name: [] for name in statements}
    for _ in range(repeats):  # alternate so that all see the same load
        for name, module in statements.items():
            times[name].append(_time_import(module))
    own = median([e - f for e, f in zip(times["estimators"], times["floor"])])
    floor = seconds(median(times["floor"]))
    return [
        Row(
            "import lstmforecast beyond import torch",
            seconds(median(times["package"])),
            "<= 0.3 s",
            median(times["package"]) <= 0.3,
            f"median of {repeats} fresh interpreters; public names load on first use",
        ),
        Row(
            "from lstmforecast import LSTMRegressor, Windower beyond torch",
            seconds(median(times["estimators"])),
            "<= 0.3 s",
            median(times["estimators"]) <= 0.3,
            f"what a script pays; scikit-learn alone (import sklearn.base, which pulls "
            f"scipy.stats and pandas) takes {floor} of it and cannot be deferred: the "
            "estimators subclass sklearn.base.BaseEstimator",
        ),
        Row(
            "  of which lstmforecast's own modules",
            seconds(own),
            "",
            None,
            "median over the same interpreters of (from lstmforecast import ...) - "
            "(import sklearn.base)",
        ),
    ]
