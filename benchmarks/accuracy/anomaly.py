"""Anomaly detection: LSTMAutoencoder against IsolationForest, LocalOutlierFactor and a
forecast-residual detector, ROC AUC and PR AUC (average precision, anomalies as the
positive class) on labelled real data that ships inside sktime and on synthetic faults.

- ArrowHead and Chinatown (UCR, in sktime as "UnitTest"): each class in turn is the
  normal class. The detectors fit on 60 % of its sequences (train and test files
  pooled, in file order) and score the rest of that class (normal) against every
  sequence of the other classes (anomalies). The AUC is averaged over the classes.
- MIT-BIH ECG (sktime's "mitdb", one labelled abnormal stretch): the detectors fit on the
  first 5,000 rows (normal) and score every later row by the look-back window ending
  there (Windower, 32 rows); the label of a row is the recording's own. The autoencoder
  runs with its defaults but batch_size=64 and max_epochs=30 there.
- Three more series scored row by row the same way: sktime's Yahoo series (fit on its
  first 400 rows, before the first labelled spike; the autoencoder's defaults), and from
  aeon, when installed, ecg-diff-count-3 (a synthetic GutenTAG ECG; fit on its normal
  training file) and KDD-TSAD 135 (UCR anomaly archive, InternalBleeding16; fit on its
  training file).

- Synthetic faults of three known kinds: normal sequences are noisy sine waves (128
  steps, period 18-22, random phase, amplitude 0.8-1.2, noise sd 0.15). The detectors
  fit on 200 of them and score 100 new normal ones against 20 faulty ones: a *spike*
  (one step moved by 2.5-4), a *level shift* (0.8-1.5 added from a random step in the
  middle half on) or a *frequency change* (period 9-11 from that step on).

The autoencoder runs with its default parameters (random_state=0), and again with each
``sequence_level`` option (``LEVEL_OPTIONS``).

The forecast-residual detector is an LSTMRegressor that predicts the next value from
the previous 16; its anomaly score is the mean absolute one-step error over a sequence
(or the error at a row). IsolationForest and LocalOutlierFactor(novelty=True) read
flattened, standardised sequences (or windows). Needs sktime (``pip install sktime``).
"""

import os
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from lstmforecast import LSTMAutoencoder, LSTMRegressor, Windower

from .._common import Row

AUTOENCODER = dict(random_state=0)  # the defaults
# 5,000 windows per epoch: larger batches and fewer epochs keep the ECG run short.
ECG_AUTOENCODER = dict(AUTOENCODER, batch_size=64, max_epochs=30)
YAHOO_AUTOENCODER = AUTOENCODER  # 369 windows: the defaults
# The autoencoder's options beside its defaults: each sequence without its own level.
LEVEL_OPTIONS = ("mean", "last")


def autoencoder_runs(params):
    """(column name, parameters) of the autoencoder with its defaults and each option."""
    runs = [("LSTMAutoencoder", params)]
    for level in LEVEL_OPTIONS:
        runs.append(
            (f"LSTMAutoencoder, sequence_level={level!r}", {**params, "sequence_level": level})
        )
    return [(name, p) for name, p in runs if wanted(name)]


# Detectors to run (all when empty); ``--detectors`` narrows it for exploration runs.
ONLY = set()


def wanted(detector):
    return not ONLY or detector in ONLY


FORECASTER = dict(hidden_size=32, max_epochs=20, lr=5e-3, random_state=0)
LOOK_BACK = 16


def _sktime_data(name):
    import sktime

    return os.path.join(os.path.dirname(sktime.__file__), "datasets", "data", name)


def _ucr(name):
    from sktime.datasets import load_UCR_UEA_dataset

    X, y = load_UCR_UEA_dataset(name, return_type="numpy3D")  # shipped, not downloaded
    return X[:, 0, :].astype(np.float64), np.asarray(y)


def _residual_scores(model, sequences):
    """Minus the mean absolute one-step forecast error of each sequence."""
    windows = np.lib.stride_tricks.sliding_window_view(sequences[:, :-1], LOOK_BACK, axis=1)
    targets = sequences[:, LOOK_BACK:]
    predicted = model.predict(windows.reshape(-1, LOOK_BACK, 1)).reshape(targets.shape)
    return -np.abs(predicted - targets).mean(axis=1)


def _fit_forecaster(sequences):
    windows = np.lib.stride_tricks.sliding_window_view(sequences[:, :-1], LOOK_BACK, axis=1)
    targets = sequences[:, LOOK_BACK:]
    return LSTMRegressor(**FORECASTER).fit(windows.reshape(-1, LOOK_BACK, 1), targets.ravel())


def _sequence_detectors(train, test):
    """name -> normality scores of ``test`` (higher = more normal)."""
    scaler = StandardScaler().fit(train)
    flat_train, flat_test = scaler.transform(train), scaler.transform(test)
    forest = IsolationForest(random_state=0).fit(flat_train)
    neighbours = LocalOutlierFactor(novelty=True, n_neighbors=min(20, len(train) - 1))
    scores = {}
    for name, params in autoencoder_runs(AUTOENCODER):
        autoencoder = LSTMAutoencoder(**params).fit(train[:, :, None])
        scores[name] = autoencoder.score_samples(test[:, :, None])
    scores["IsolationForest"] = forest.score_samples(flat_test)
    scores["LocalOutlierFactor"] = neighbours.fit(flat_train).score_samples(flat_test)
    if wanted("forecast residual (LSTMRegressor)"):
        forecaster = _fit_forecaster(train)
        scores["forecast residual (LSTMRegressor)"] = _residual_scores(forecaster, test)
    return scores


def _aucs(normal, scores):
    """(ROC AUC, PR AUC) of normality scores; ``normal`` is 1 for normal samples. PR AUC
    treats the anomalies as the positive class (low normality = high anomaly score)."""
    normal = np.asarray(normal)
    return roc_auc_score(normal, scores), average_precision_score(1 - normal, -np.asarray(scores))


def ucr_auc(name):
    X, y = _ucr(name)
    aucs = {}
    for label in np.unique(y):
        normal = np.flatnonzero(y == label)
        cut = int(0.6 * len(normal))
        train = X[normal[:cut]]
        test_rows = np.r_[normal[cut:], np.flatnonzero(y != label)]
        truth = (y[test_rows] == label).astype(int)
        for detector, scores in _sequence_detectors(train, X[test_rows]).items():
            aucs.setdefault(detector, []).append(_aucs(truth, scores))
    return {detector: tuple(np.mean(values, axis=0)) for detector, values in aucs.items()}


def normal_waves(rng, n, n_steps=128):
    """Noisy sine waves with a random period (18-22), phase and amplitude (0.8-1.2)."""
    steps = np.arange(n_steps)
    period = rng.uniform(18, 22, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    amplitude = rng.uniform(0.8, 1.2, (n, 1))
    waves = amplitude * np.sin(2 * np.pi * steps / period + phase)
    return waves + rng.normal(0, 0.15, (n, n_steps))


def faulty_waves(rng, kind, n, n_steps=128):
    """Normal waves with one fault of ``kind`` starting at a step in the middle half."""
    waves = normal_waves(rng, n, n_steps)
    steps = np.arange(n_steps)
    start = rng.integers(n_steps // 4, 3 * n_steps // 4, n)
    after = steps[None, :] >= start[:, None]
    sign = rng.choice([-1.0, 1.0], (n, 1))
    if kind == "spike":
        waves[np.arange(n), start] += sign[:, 0] * rng.uniform(2.5, 4, n)
    elif kind == "level shift":
        waves += after * sign * rng.uniform(0.8, 1.5, (n, 1))
    else:  # frequency change
        period = rng.uniform(9, 11, (n, 1))
        fast = np.sin(2 * np.pi * steps / period + rng.uniform(0, 2 * np.pi, (n, 1)))
        waves = np.where(after, fast + rng.normal(0, 0.15, (n, n_steps)), waves)
    return waves


def synthetic_auc(kind, seed=0):
    rng = np.random.default_rng(seed)
    train = normal_waves(rng, 200)
    test = np.r_[normal_waves(rng, 100), faulty_waves(rng, kind, 20)]
    truth = np.r_[np.ones(100), np.zeros(20)].astype(int)
    return {name: _aucs(truth, s) for name, s in _sequence_detectors(train, test).items()}


def _aeon_data(name):
    import importlib.util

    spec = importlib.util.find_spec("aeon")
    if spec is None:
        return None
    return os.path.join(os.path.dirname(spec.origin), "datasets", "data", name)


def series_auc(values, normal, n_train, look_back=32, autoencoder=None):
    """AUCs of scoring each row after the first ``n_train`` by the window ending there.

    ``values``: DataFrame of the series (one column per variable); ``normal``: 1 for the
    normal rows after ``n_train``. The detectors fit on the first ``n_train`` rows.
    """
    train, test = values.iloc[:n_train], values.iloc[n_train:]  # test continues the index
    scores = {}
    for name, params in autoencoder_runs(autoencoder or ECG_AUTOENCODER):
        pipeline = make_pipeline(Windower(look_back=look_back), LSTMAutoencoder(**params))
        scores[name] = pipeline.fit(train).score_samples(test)
    flat = Windower(look_back=look_back, flatten=True).fit(train)
    flat_train = flat.transform(train)[look_back - 1 :]  # full windows only
    flat_test = flat.transform(test)
    scaler = StandardScaler().fit(flat_train)
    flat_train, flat_test = scaler.transform(flat_train), scaler.transform(flat_test)
    scores["IsolationForest"] = (
        IsolationForest(random_state=0).fit(flat_train).score_samples(flat_test)
    )
    neighbours = LocalOutlierFactor(novelty=True).fit(flat_train)
    scores["LocalOutlierFactor"] = neighbours.score_samples(flat_test)
    if wanted("forecast residual (LSTMRegressor)"):
        # Row t is scored by how well the rows before it predicted it.
        series = values.iloc[:, 0]
        history = pd.DataFrame({"x": series.shift(1)}).iloc[1:]
        forecaster = make_pipeline(Windower(look_back=LOOK_BACK), LSTMRegressor(**FORECASTER))
        forecaster.fit(history.iloc[: n_train - 1], series.iloc[1:n_train])
        predicted = forecaster.predict(history.iloc[n_train - 1 :])
        scores["forecast residual (LSTMRegressor)"] = -np.abs(predicted - series.iloc[n_train:])
    return {detector: _aucs(normal, s) for detector, s in scores.items()}


def ecg_auc(look_back=32, n_train=5000):
    frame = pd.read_csv(_sktime_data("mitdb/mitdb.csv"))
    values = frame[["data"]].astype(np.float64)
    normal = (frame["label"].to_numpy()[n_train:] == 0).astype(int)
    return series_auc(values, normal, n_train, look_back)


def yahoo_auc(look_back=32, n_train=400):
    """sktime's Yahoo series (1,000 rows, 7 labelled anomalous rows, none in the first
    400): fit on the first 400 rows, score the rest."""
    frame = pd.read_csv(_sktime_data("yahoo/yahoo.csv"))
    values = frame[["data"]].astype(np.float64)
    normal = (frame["label"].to_numpy()[n_train:] == 0).astype(int)
    return series_auc(values, normal, n_train, look_back, YAHOO_AUTOENCODER)


def _aeon_split_auc(folder, prefix, train, column, look_back):
    """ROC/PR AUC of a series that aeon ships as a normal training file and a labelled
    test file (``{prefix}_{train}.csv``, ``{prefix}_TEST.csv``): fit on the former,
    score every row of the latter."""
    files = {
        split: pd.read_csv(os.path.join(_aeon_data(folder), f"{prefix}_{split}.csv"))
        for split in (train, "TEST")
    }
    values = pd.concat([files[train], files["TEST"]], ignore_index=True)[[column]]
    normal = (files["TEST"]["is_anomaly"].to_numpy() == 0).astype(int)
    return series_auc(values.astype(np.float64), normal, len(files[train]), look_back)


def generated_ecg_auc(look_back=32):
    """aeon's ecg-diff-count-3 (a GutenTAG series: a synthetic ECG with three kinds of
    anomalies): fit on its 10,000 normal training rows (TRAIN_NA), score the 10,000
    test rows (300 labelled anomalous)."""
    return _aeon_split_auc("UnitTest", "ecg-diff-count-3", "TRAIN_NA", "value-0", look_back)


def bleeding_auc(look_back=32):
    """aeon's KDD-TSAD 135 (UCR anomaly archive, InternalBleeding16): fit on its 1,200
    normal training rows, score the 7,501 test rows (12 labelled anomalous)."""
    prefix = "135_UCR_Anomaly_InternalBleeding16"
    return _aeon_split_auc("KDD-TSAD_135", prefix, "TRAIN", "value", look_back)


SETS = {"ArrowHead": lambda: ucr_auc("ArrowHead"), "Chinatown": lambda: ucr_auc("UnitTest")}
for _kind in ("spike", "level shift", "frequency change"):
    SETS[f"synthetic {_kind}"] = lambda kind=_kind: synthetic_auc(kind)
SETS["MIT-BIH ECG (per row)"] = ecg_auc
if _aeon_data("UnitTest") is not None:
    SETS["synthetic ECG, aeon ecg-diff-count-3 (per row)"] = generated_ecg_auc
SETS["Yahoo (per row)"] = yahoo_auc
if _aeon_data("KDD-TSAD_135") is not None:
    SETS["KDD-TSAD 135, internal bleeding (per row)"] = bleeding_auc


def table():
    """DataFrame with one row per data set and, per detector, its ROC AUC and PR AUC
    columns (``"<detector>"`` and ``"<detector> PR"``), plus CPU seconds."""
    results = {}
    for name, evaluate in SETS.items():
        start = time.process_time()
        row = {}
        for detector, (roc, pr) in evaluate().items():
            row[detector], row[f"{detector} PR"] = roc, pr
        results[name] = {**row, "cpu seconds": time.process_time() - start}
    return pd.DataFrame(results).T


def markdown(frame):
    """The table as markdown: ROC AUC / PR AUC per detector, the best ROC AUC in bold."""
    detectors = [c for c in frame.columns if not c.endswith(" PR") and c != "cpu seconds"]
    lines = ["| data | " + " | ".join(detectors) + " | CPU s |"]
    lines.append("|---" * (len(detectors) + 2) + "|")
    for name, row in frame.iterrows():
        best = max(row[d] for d in detectors)
        cells = [
            f"{'**' if row[d] == best else ''}{row[d]:.3f}{'**' if row[d] == best else ''}"
            f" / {row[d + ' PR']:.3f}"
            for d in detectors
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {row['cpu seconds']:.0f} |")
    baselines = frame[["IsolationForest", "LocalOutlierFactor"]].max(axis=1)
    wins = [
        f"{d}: {int((frame[d] >= baselines - 1e-9).sum())} of {len(frame)}, mean ROC AUC "
        f"{frame[d].mean():.3f}"
        for d in detectors
        if d.startswith("LSTMAutoencoder")
    ]
    lines += ["", "Sets where the autoencoder's ROC AUC >= both IsolationForest's and LOF's: "]
    lines[-1] += "; ".join(wins) + f" (IsolationForest {frame['IsolationForest'].mean():.3f}, "
    lines[-1] += f"LOF {frame['LocalOutlierFactor'].mean():.3f})."
    return "\n".join(lines)


def run(quick=False):
    try:
        import sktime  # noqa: F401
    except ImportError:
        return [Row("anomaly: skipped", "sktime is not installed", "", None, "")]
    if quick:  # the sequence sets only: the series scored row by row take minutes
        for name in [name for name in SETS if name.endswith("(per row)")]:
            SETS.pop(name)
    frame = table()
    rows = []
    for name, result in frame.iterrows():
        others = result.drop(["LSTMAutoencoder", "cpu seconds"])
        others = others[[not k.endswith(" PR") for k in others.index]]
        detail = ", ".join(f"{k} {v:.3f}" for k, v in others.items())
        rows.append(
            Row(
                f"anomaly ROC AUC, {name}",
                f"{result['LSTMAutoencoder']:.3f}",
                ">= IsolationForest and LOF",
                bool(
                    result["LSTMAutoencoder"]
                    >= max(result["IsolationForest"], result["LocalOutlierFactor"])
                ),
                f"PR AUC {result['LSTMAutoencoder PR']:.3f}; {detail} "
                f"({result['cpu seconds']:.0f} CPU s)",
            )
        )
    return rows


def main(argv=None):
    import argparse
    import json

    import torch

    parser = argparse.ArgumentParser(prog="python -m benchmarks.accuracy.anomaly")
    parser.add_argument("sets", nargs="*", help=f"data sets (default: all of {list(SETS)})")
    parser.add_argument(
        "--autoencoder", default="{}", help="JSON overrides of the autoencoder's parameters"
    )
    parser.add_argument(
        "--fast", action="store_true", help="only the autoencoder, IsolationForest and LOF"
    )
    args = parser.parse_args(argv)
    unknown = set(args.sets) - set(SETS)
    if unknown:
        parser.error(f"unknown sets {sorted(unknown)}; choose from {list(SETS)}")
    for name in set(SETS) - set(args.sets or SETS):
        SETS.pop(name)
    overrides = json.loads(args.autoencoder)
    AUTOENCODER.update(overrides)
    ECG_AUTOENCODER.update(overrides)
    if args.fast:
        ONLY.update({"LSTMAutoencoder", "IsolationForest", "LocalOutlierFactor"})
    torch.set_num_threads(1)
    result = table()
    print(result.round(3).to_string())
    print(markdown(result))


if __name__ == "__main__":
    main()
