"""Classification: the default ``LSTMClassifier`` against a tuned one on UCR sets that
ship inside sktime, official train/test splits.

- Sets: UnitTest (sktime's ``load_unit_test``: 42 series of UCR's Chinatown), ArrowHead,
  ACSF1 and PLAID (ragged, 100-1,344 steps). ACSF1 (1,460 steps) keeps every 10th step
  and PLAID every 20th (``STRIDES``): a CPU LSTM over thousands of steps would make one
  fit take minutes.
  Default and tuned models read the same strided sequences.
- Default: ``LSTMClassifier(random_state=seed)``, nothing else set.
- Tuned: the defaults plus the overrides in ``TUNED``, chosen per set by
  ``python -m benchmarks.classification --search``: stratified 3-fold cross-validation
  on the train split over the candidates in ``GRID`` (seed 0); the test split is never
  looked at to choose.
- Figures: test accuracy, mean over ``SEEDS``; fit CPU (user + sys of this process) and
  wall seconds per fit, mean over the seeds. Target (issue 9, item 6): the default
  within 3 accuracy points of the tuned config on every set.

Needs sktime (``pip install '.[bench]'``).
"""

import argparse
import time
import warnings

import numpy as np
import torch
from sklearn.model_selection import StratifiedKFold

from lstmforecast import LSTMClassifier

from ._common import Row, note

LOADERS = {
    "UnitTest": "load_unit_test",
    "ArrowHead": "load_arrow_head",
    "ACSF1": "load_acsf1",
    "PLAID": "load_plaid",
}
STRIDES = {"ACSF1": 10, "PLAID": 20}
SEEDS = (0, 1, 2)
TARGET_POINTS = 0.03

# Overrides of the defaults that the search tries: capacity, learning rate, patience,
# direction, front end and pooling.
GRID = [
    {},
    {"hidden_size": 128},
    {"lr": 3e-3},
    {"n_iter_no_change": 60},
    {"bidirectional": True},
    {"pooling": "last"},
    {"conv_channels": None, "pooling": "last"},  # the architecture of the old defaults
]

# Markdown table of the latest run, for the README block (see __main__.OWN_BLOCK).
TABLES = {}

# The search's choice per set (``--search``; figures in benchmarks/README.md).
TUNED = {
    "UnitTest": {},
    "ArrowHead": {"conv_channels": None, "pooling": "last"},
    "ACSF1": {"hidden_size": 128},
    "PLAID": {"bidirectional": True},
}


def load(name, split):
    """(X, y) of one split: a 2-D array for equal lengths, else a list of 1-D arrays."""
    from sktime import datasets

    X, y = getattr(datasets, LOADERS[name])(split=split, return_X_y=True)
    stride = STRIDES.get(name, 1)
    sequences = [np.asarray(s, dtype=np.float32)[::stride] for s in X.iloc[:, 0]]
    if len({len(s) for s in sequences}) == 1:
        return np.stack(sequences), np.asarray(y)
    return sequences, np.asarray(y)


def _subset(X, rows):
    return X[rows] if isinstance(X, np.ndarray) else [X[i] for i in rows]


def fit_score(params, train, test, seed):
    """(test accuracy, fit CPU seconds, fit wall seconds, epochs run)."""
    cpu, wall = time.process_time(), time.perf_counter()
    with warnings.catch_warnings():
        # Test sequences beyond 10 training standard deviations are expected here.
        warnings.filterwarnings("ignore", message="X holds values")
        model = LSTMClassifier(**params, random_state=seed).fit(*train)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        return model.score(*test), cpu, wall, model.n_iter_


def evaluate(name, seeds=SEEDS):
    """Mean test accuracy, fit CPU and wall seconds of the default and the tuned model."""
    train, test = load(name, "train"), load(name, "test")
    result = {}
    for label, params in (("default", {}), ("tuned", TUNED[name])):
        if label == "tuned" and not params:  # the search kept the defaults: same fits
            result[label] = result["default"]
            continue
        runs = np.array([fit_score(params, train, test, seed)[:3] for seed in seeds])
        result[label] = dict(zip(("accuracy", "cpu", "wall"), runs.mean(axis=0)))
        result[label]["accuracies"] = runs[:, 0]
    return result


def search(name, folds=3, seed=0):
    """The GRID candidate with the best stratified cross-validated accuracy on the
    train split (the test split is not read)."""
    X, y = load(name, "train")
    splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
    splits = list(splits)
    scores = []
    for overrides in GRID:
        start = time.process_time()
        accuracy = np.mean(
            [
                fit_score(overrides, (_subset(X, a), y[a]), (_subset(X, b), y[b]), seed)[0]
                for a, b in splits
            ]
        )
        scores.append((accuracy, overrides))
        note(f"{name} {overrides}: CV {accuracy:.3f} ({time.process_time() - start:.0f} CPU s)")
    best = max(scores, key=lambda item: item[0])  # the first of equals: the defaults first
    note(f"{name}: chosen {best[1]} (CV {best[0]:.3f})")
    return best[1]


def run(quick=False):
    try:
        import sktime  # noqa: F401
    except ImportError:
        return [Row("classification: skipped", "sktime is not installed", "", None, "")]
    names = ["UnitTest", "ArrowHead"] if quick else list(LOADERS)
    seeds = SEEDS[:1] if quick else SEEDS
    rows, lines = [], []
    for name in names:
        result = evaluate(name, seeds)
        default, tuned = result["default"], result["tuned"]
        met = bool(default["accuracy"] >= tuned["accuracy"] - TARGET_POINTS - 1e-9)
        rows.append(
            Row(
                f"classification accuracy, {name}",
                f"default {default['accuracy']:.3f}, tuned {tuned['accuracy']:.3f}",
                f"default >= tuned - {TARGET_POINTS * 100:.0f} points",
                met,
                f"tuned = defaults + {TUNED[name]}; fit CPU/wall s default "
                f"{default['cpu']:.1f}/{default['wall']:.1f}, tuned "
                f"{tuned['cpu']:.1f}/{tuned['wall']:.1f}",
            )
        )
        lines.append(
            f"| {name} | {STRIDES.get(name, 1)} | {TUNED[name] or '(the defaults)'} "
            f"| {default['accuracy']:.3f} | {tuned['accuracy']:.3f} "
            f"| {_per_seed(default)} | {_per_seed(tuned)} "
            f"| {default['cpu']:.1f} / {default['wall']:.1f} "
            f"| {tuned['cpu']:.1f} / {tuned['wall']:.1f} | {'met' if met else 'NOT MET'} |"
        )
    TABLES["classification"] = "\n".join(
        [
            f"Test accuracy, mean over seeds {list(seeds)}; fit seconds per fit (CPU / wall).",
            "",
            "| set | stride | tuned overrides | default | tuned | default per seed "
            "| tuned per seed | default fit s | tuned fit s | within 3 points |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *lines,
        ]
    )
    return rows


def _per_seed(result):
    return ", ".join(f"{a:.3f}" for a in result["accuracies"])


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.classification")
    parser.add_argument("names", nargs="*", help=f"sets (default: all of {list(LOADERS)})")
    parser.add_argument("--search", action="store_true", help="run the tuning search")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(LOADERS)
    if unknown:
        parser.error(f"unknown sets {sorted(unknown)}; choose from {list(LOADERS)}")
    torch.set_num_threads(1)
    for name in args.names or list(LOADERS):
        if args.search:
            print(name, search(name), flush=True)
        else:
            print(name, evaluate(name), flush=True)


if __name__ == "__main__":
    main()
