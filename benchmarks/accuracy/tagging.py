"""Sequence labelling on real data: LSTMTagger against per-step classifiers, on sktime's
Electric Devices segmentation series (UCR Electric Devices recordings of 5 device classes,
concatenated by class: every time step is labelled with the class of its stretch).

The series (11,532 steps) is cut into consecutive chunks of 200 steps; every fourth
chunk is held out for testing (so each class is tested on stretches never trained on,
including chunks that cross a change point) and the rest train. Scores: per-step
accuracy on the held-out chunks. Contenders: LSTMTagger (bidirectional, its defaults but
hidden_size=32, lr=5e-3, batch_size=8, since a few dozen chunks make few batches, and
100 epochs run in full: with the default patience the loss, still noisy, stopped it after
20 epochs at 0.50; with 200 epochs it overfits, 0.67), a RandomForest and a logistic
regression on the trailing 20-step window of every step (Windower, flattened), and the
majority class.
Needs sktime (``pip install sktime``), which ships the series.
"""

import time

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from lstmforecast import LSTMTagger, Windower

from .._common import Row

CHUNK = 200
WINDOW = 20


def electric_devices():
    """(values, per-step class labels) of the segmentation series."""
    from sktime.datasets import load_electric_devices_segmentation

    series, _, change_points = load_electric_devices_segmentation()
    values = series.to_numpy(dtype=np.float64)
    labels = np.searchsorted(change_points, np.arange(len(values)), side="right")
    return values, labels


def scores():
    values, labels = electric_devices()
    n_chunks = len(values) // CHUNK
    chunks = np.arange(n_chunks * CHUNK).reshape(n_chunks, CHUNK)
    test = np.arange(n_chunks) % 4 == 3
    results = {}

    start = time.perf_counter()
    tagger = LSTMTagger(
        hidden_size=32, lr=5e-3, batch_size=8, max_epochs=100, n_iter_no_change=100, random_state=0
    )
    tagger.fit(values[chunks[~test]][:, :, None], labels[chunks[~test]])
    results["LSTMTagger"] = (
        tagger.score(values[chunks[test]][:, :, None], labels[chunks[test]]),
        time.perf_counter() - start,
    )

    # Per-step classifiers read the trailing window of each step (front-padded with the
    # first value where a chunk starts), as a Windower gives it.
    windows = Windower(look_back=WINDOW, flatten=True).fit_transform(values[:, None])
    windows = np.where(np.isnan(windows), values[0], windows)
    train_rows, test_rows = chunks[~test].ravel(), chunks[test].ravel()
    tabular = {
        "RandomForest (20-step window)": RandomForestClassifier(
            n_estimators=200, random_state=0, n_jobs=1
        ),
        "logistic regression (20-step window)": make_pipeline(
            StandardScaler(), LogisticRegression(max_iter=2000)
        ),
        "majority class": DummyClassifier(),
    }
    for name, model in tabular.items():
        start = time.perf_counter()
        model.fit(windows[train_rows], labels[train_rows])
        accuracy = model.score(windows[test_rows], labels[test_rows])
        results[name] = (accuracy, time.perf_counter() - start)
    return results


def run(quick=False):
    try:
        import sktime  # noqa: F401
    except ImportError:
        return [Row("tagging: skipped", "sktime is not installed", "", None, "")]
    results = scores()
    tagger, seconds = results.pop("LSTMTagger")
    best_other = max(accuracy for accuracy, _ in results.values())
    detail = ", ".join(f"{name} {accuracy:.3f}" for name, (accuracy, _) in results.items())
    return [
        Row(
            "per-step accuracy, Electric Devices segmentation",
            f"{tagger:.3f}",
            "> per-step classifiers",
            bool(tagger > best_other),
            f"{detail} (tagger fit {seconds:.0f} s)",
        )
    ]


if __name__ == "__main__":
    for name, (accuracy, seconds) in scores().items():
        print(f"{name:40s} {accuracy:.3f}  ({seconds:.1f} s)")
