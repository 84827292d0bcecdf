"""Classification: the default ``LSTMClassifier`` against MiniRocket on every open UCR/UEA
set that ships inside sktime or aeon, and on generated sets, official train/test splits.

- Shipped sets (``SHIPPED``): the ``.ts`` files in sktime's and aeon's data folders that
  hold a classification problem and are not held out by the project: UnitTest (42
  series of UCR's Chinatown), ArrowHead, ACSF1, PLAID (ragged), PickupGestureWiimoteZ
  (ragged) and Covid3Month_disc. ACSF1 (1,460 steps) keeps every 10th step and PLAID
  (up to 1,344) every 20th (``STRIDES``): an LSTM over thousands of steps makes one CPU
  fit take minutes. Both contenders read the same strided sequences; MiniRocket on the
  full-length series is reported beside them.
- Generated sets (``GENERATED``, fixed seeds, 150 training and 300 test sequences of
  128 steps): *shapelets* (which of three shapes is hidden in the noise, anywhere),
  *frequency* (which of four close periods a noisy sine has) and *ordering* (whether
  a bump comes before or after a dip).
- Contenders: ``LSTMClassifier(random_state=seed)`` with the project's defaults, and
  MiniRocket (aeon, ``random_state=seed``) + ``StandardScaler(with_mean=False)`` +
  ``RidgeClassifierCV(alphas=logspace(-3, 3, 10))``, the authors' recipe. MiniRocket
  needs equal lengths: ragged sets are padded at the end with each sequence's last
  value to the longest training length (longer test sequences are cut).
- Figures: test accuracy, mean over ``SEEDS``; CPU seconds (user + sys of this process,
  fit and predict, all seeds) per set and contender. torch and numba run on one thread.
- Choosing defaults (``--search``): the overrides in ``CANDIDATES`` on the
  ``SELECTION`` sets only; the table reports every set, with the ``SELECTION`` ones
  marked, and the target is judged on the others.
- Options on every set (``--params '{"sequence_scale": "zscore"}'``): the table with
  the LSTM column fitted with those overrides of the defaults.

Target (issue 24): the default within 2 accuracy points of MiniRocket on average and
never more than 5 points below it on a set.

Needs sktime and aeon (``pip install '.[bench]'``; aeon with ``--no-deps`` where its
pins would replace numpy).
"""

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from lstmforecast import LSTMClassifier

from .._common import Row, note

SHIPPED = ["UnitTest", "ArrowHead", "ACSF1", "PLAID", "PickupGestureWiimoteZ", "Covid3Month_disc"]
STRIDES = {"ACSF1": 10, "PLAID": 20}
GENERATED_SIZES = (150, 300, 128)  # training sequences, test sequences, steps
SEEDS = (0, 1, 2)
AVERAGE_POINTS, WORST_POINTS = 0.02, 0.05
# Sets the defaults may be chosen on; the target is judged on the rest.
SELECTION = ["UnitTest", "ArrowHead", "Covid3Month_disc", "shapelets"]

# Overrides of the defaults that ``--search`` compares on the SELECTION sets: the
# ablations of the latest change of defaults (issue 24, second round; the first
# round's candidates are in benchmarks/README.md).
PREVIOUS_DEFAULTS = {
    "fcn_channels": None,
    "sequence_scale": None,
    "conv_channels": 32,
    "n_iter_no_change": 30,
    "batch_size": 64,
}
CANDIDATES = [
    {},
    PREVIOUS_DEFAULTS,
    {**PREVIOUS_DEFAULTS, "n_iter_no_change": 100},  # the patience alone
    {"sequence_scale": None},  # the convolutional branch without the summary
    {"fcn_channels": None},  # the summary without the branch
    {"batch_size": 64},
    {"early_stopping": False},
    {"lr": 1e-3},
]

# Markdown tables of the latest run, for the README block (see __main__.OWN_BLOCK).
TABLES = {}


# -- data -------------------------------------------------------------------------------
def _ts_path(name, split):
    """The .ts file of a shipped set, from sktime's or aeon's data folder."""
    import importlib.util

    for package in ("sktime", "aeon"):
        spec = importlib.util.find_spec(package)
        if spec is None:
            continue
        path = Path(spec.origin).parent / "datasets" / "data" / name / f"{name}_{split}.ts"
        if path.exists():
            return path
    raise FileNotFoundError(f"{name}_{split}.ts ships in neither sktime nor aeon here")


def _read_ts(path):
    from sktime.datasets import load_from_tsfile

    X, y = load_from_tsfile(str(path), return_data_type="nested_univ")
    return [np.asarray(s, dtype=np.float32) for s in X.iloc[:, 0]], np.asarray(y)


def _stack_if_equal(sequences):
    if len({len(s) for s in sequences}) == 1:
        return np.stack(sequences)
    return sequences


def load(name, split):
    """(X, y) of one split: a 2-D array for equal lengths, else a list of 1-D arrays."""
    if name in GENERATED:
        return GENERATED[name](split)
    sequences, y = _read_ts(_ts_path(name, split.upper()))
    stride = STRIDES.get(name, 1)
    return _stack_if_equal([s[::stride] for s in sequences]), y


def _noise(rng, n, steps):
    return rng.normal(0.0, 0.5, size=(n, steps)).astype(np.float32)


def _generated(split, make, seed):
    n_train, n_test, steps = GENERATED_SIZES
    # One stream per set and split: the test split never shares draws with the training one.
    rng = np.random.default_rng([seed, {"train": 0, "test": 1}[split]])
    n = n_train if split == "train" else n_test
    return make(rng, n, steps)


def _shapelets(rng, n, steps):
    width = 16
    t = np.linspace(0.0, 1.0, width)
    shapes = np.stack(
        [
            1.5 * np.sin(2 * np.pi * t),  # one full wave
            1.5 * (1 - 2 * np.abs(t - 0.5) * 2).clip(-1, 1),  # a triangle up and down
            np.where(t < 0.5, 1.5, -1.5),  # a square step
        ]
    )
    y = rng.integers(0, len(shapes), n)
    X = _noise(rng, n, steps)
    starts = rng.integers(0, steps - width, n)
    X[np.arange(n)[:, None], starts[:, None] + np.arange(width)] += shapes[y]
    return X, y


def _frequency(rng, n, steps):
    periods = np.array([8.0, 10.0, 12.5, 16.0])
    y = rng.integers(0, len(periods), n)
    phase = rng.uniform(0, 2 * np.pi, n)
    amplitude = rng.uniform(0.5, 1.5, n)
    clean = amplitude[:, None] * np.sin(
        2 * np.pi * np.arange(steps) / periods[y, None] + phase[:, None]
    )
    return (clean + _noise(rng, n, steps)).astype(np.float32), y


def _ordering(rng, n, steps):
    width = 12
    bump = 2.0 * np.hanning(width)
    first = rng.integers(0, steps // 2 - width, n)
    second = rng.integers(steps // 2, steps - width, n)
    y = rng.integers(0, 2, n)  # 1: the bump comes first
    bump_at = np.where(y == 1, first, second)
    dip_at = np.where(y == 1, second, first)
    X = _noise(rng, n, steps)
    rows = np.arange(n)[:, None]
    X[rows, bump_at[:, None] + np.arange(width)] += bump
    X[rows, dip_at[:, None] + np.arange(width)] -= bump
    return X, y


GENERATED = {
    "shapelets": lambda split: _generated(split, _shapelets, 1),
    "frequency": lambda split: _generated(split, _frequency, 2),
    "ordering": lambda split: _generated(split, _ordering, 3),
}
SETS = SHIPPED + list(GENERATED)


# -- contenders ---------------------------------------------------------------------------
def lstm_scores(params, train, test, seeds):
    """Test accuracy per seed and CPU seconds of all the fits and predictions."""
    cpu = time.process_time()
    accuracies = []
    with warnings.catch_warnings():
        # Test sequences beyond 10 training standard deviations are expected here.
        warnings.filterwarnings("ignore", message="X holds values")
        for seed in seeds:
            model = LSTMClassifier(**params, random_state=seed).fit(*train)
            accuracies.append(model.score(*test))
    return np.array(accuracies), time.process_time() - cpu


def _equal_length(sequences, length):
    """(n, 1, length) array: cut, or padded at the end with each sequence's last value."""
    if isinstance(sequences, np.ndarray) and sequences.shape[1] == length:
        return sequences[:, None, :]
    out = np.empty((len(sequences), 1, length), dtype=np.float32)
    for row, s in enumerate(sequences):  # ragged input: one copy per sequence
        s = np.asarray(s[:length])
        out[row, 0, : len(s)] = s
        out[row, 0, len(s) :] = s[-1]
    return out


def minirocket_scores(train, test, seeds):
    """Test accuracy per seed and CPU seconds of MiniRocket + ridge (numba compiled)."""
    from aeon.transformations.collection.convolution_based import MiniRocket
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    length = max(len(s) for s in train[0])
    X_train, X_test = _equal_length(train[0], length), _equal_length(test[0], length)
    cpu = time.process_time()
    accuracies = []
    for seed in seeds:
        model = make_pipeline(
            MiniRocket(random_state=seed, n_jobs=1),
            StandardScaler(with_mean=False),
            RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)),
        )
        accuracies.append(model.fit(X_train, train[1]).score(X_test, test[1]))
    return np.array(accuracies), time.process_time() - cpu


def _warm_up_minirocket():
    """Compile MiniRocket's numba kernels once, outside the timed fits."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 64)).astype(np.float32)
    minirocket_scores((X, np.arange(20) % 2), (X, np.arange(20) % 2), (0,))


def full_length(name, split):
    """(X, y) of a shipped set at every step, for the MiniRocket reference column."""
    if name in GENERATED or name not in STRIDES:
        return load(name, split)
    sequences, y = _read_ts(_ts_path(name, split.upper()))
    return _stack_if_equal(sequences), y


# -- tables -------------------------------------------------------------------------------
def evaluate(names, seeds=SEEDS, params=None):
    """Per set: accuracies and CPU seconds of the LSTM and MiniRocket."""
    _warm_up_minirocket()
    results = {}
    for name in names:
        train, test = load(name, "train"), load(name, "test")
        lstm, lstm_cpu = lstm_scores(params or {}, train, test, seeds)
        rocket, rocket_cpu = minirocket_scores(train, test, seeds)
        if name in STRIDES:
            full, full_cpu = minirocket_scores(
                full_length(name, "train"), full_length(name, "test"), seeds
            )
        else:
            full, full_cpu = rocket, rocket_cpu
        results[name] = dict(
            lstm=lstm,
            lstm_cpu=lstm_cpu,
            rocket=rocket,
            rocket_cpu=rocket_cpu,
            full=full,
            full_cpu=full_cpu,
            n=(len(train[1]), len(test[1])),
            steps=_length_text(train[0]),
        )
        note(
            f"{name}: LSTM {lstm.mean():.3f} ({lstm_cpu:.0f} CPU s), MiniRocket "
            f"{rocket.mean():.3f} ({rocket_cpu:.1f} CPU s), full length {full.mean():.3f}"
        )
    return results


def _length_text(sequences):
    lengths = [len(s) for s in sequences]
    low, high = min(lengths), max(lengths)
    return str(low) if low == high else f"{low}-{high}"


def mean_ranks(results):
    """Mean rank of the two contenders over the sets (1 = best; ties share 1.5)."""
    ranks = {"LSTMClassifier": [], "MiniRocket": []}
    for cell in results.values():
        lstm, rocket = cell["lstm"].mean(), cell["rocket"].mean()
        tie = abs(lstm - rocket) < 1e-9
        ranks["LSTMClassifier"].append(1.5 if tie else 1.0 + (lstm < rocket))
        ranks["MiniRocket"].append(1.5 if tie else 1.0 + (rocket < lstm))
    return {name: float(np.mean(values)) for name, values in ranks.items()}


def markdown(results, seeds):
    lines = [
        f"Test accuracy, mean over seeds {list(seeds)} (per seed in brackets); CPU seconds "
        "for all the seeds' fits and predictions. * = a set the defaults were chosen on.",
        "",
        "| set | train / test | steps | LSTMClassifier | MiniRocket | LSTM - MiniRocket "
        "| MiniRocket, full length | CPU s LSTM | CPU s MiniRocket |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, cell in results.items():
        stride = f" (every {STRIDES[name]}th)" if name in STRIDES else ""
        lines.append(
            f"| {name}{' *' if name in SELECTION else ''} | {cell['n'][0]} / {cell['n'][1]} "
            f"| {cell['steps']}{stride} | {_seeds_text(cell['lstm'])} "
            f"| {_seeds_text(cell['rocket'])} "
            f"| {100 * (cell['lstm'].mean() - cell['rocket'].mean()):+.1f} "
            f"| {cell['full'].mean():.3f} | {cell['lstm_cpu']:.0f} | {cell['rocket_cpu']:.1f} |"
        )
    held = {n: c for n, c in results.items() if n not in SELECTION}
    for label, group in (("all sets", results), ("sets not used to choose", held)):
        if not group:
            continue
        gaps = np.array([c["lstm"].mean() - c["rocket"].mean() for c in group.values()])
        ranks = mean_ranks(group)
        lines.append(
            f"| **{label}** (mean) | | | {np.mean([c['lstm'].mean() for c in group.values()]):.3f} "
            f"| {np.mean([c['rocket'].mean() for c in group.values()]):.3f} "
            f"| {100 * gaps.mean():+.1f} (worst {100 * gaps.min():+.1f}) | "
            f"| {sum(c['lstm_cpu'] for c in group.values()):.0f} "
            f"| {sum(c['rocket_cpu'] for c in group.values()):.1f} |"
        )
        lines.append(
            f"| mean rank, {label} | | | {ranks['LSTMClassifier']:.2f} | {ranks['MiniRocket']:.2f} "
            "| | | | |"
        )
    return "\n".join(lines)


def _seeds_text(accuracies):
    return f"{accuracies.mean():.3f} ({', '.join(f'{a:.2f}' for a in accuracies)})"


def run(quick=False):
    try:
        import aeon  # noqa: F401
        import sktime  # noqa: F401
    except ImportError:
        return [Row("classification: skipped", "sktime or aeon is not installed", "", None, "")]
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    names = ["UnitTest", "shapelets"] if quick else SETS
    seeds = SEEDS[:1] if quick else SEEDS
    results = evaluate(names, seeds)
    TABLES["classification"] = markdown(results, seeds)
    judged = {n: c for n, c in results.items() if n not in SELECTION}
    label = "the sets not used to choose" if judged else "the sets run (all used to choose)"
    judged = judged or results
    gaps = np.array([c["lstm"].mean() - c["rocket"].mean() for c in judged.values()])
    rows = [
        Row(
            f"classification accuracy, {name}",
            f"LSTM {cell['lstm'].mean():.3f}, MiniRocket {cell['rocket'].mean():.3f}",
            f"LSTM >= MiniRocket - {WORST_POINTS * 100:.0f} points",
            bool(cell["lstm"].mean() >= cell["rocket"].mean() - WORST_POINTS - 1e-9),
            f"CPU s LSTM {cell['lstm_cpu']:.0f}, MiniRocket {cell['rocket_cpu']:.1f}"
            + (" (a set the defaults were chosen on)" if name in SELECTION else ""),
        )
        for name, cell in results.items()
    ]
    rows.append(
        Row(
            f"classification accuracy, mean gap on {label}",
            f"{100 * gaps.mean():+.1f} points",
            f">= -{AVERAGE_POINTS * 100:.0f} points",
            bool(gaps.mean() >= -AVERAGE_POINTS - 1e-9),
            f"over {len(gaps)} sets",
        )
    )
    return rows


def search(names, seeds=SEEDS, candidates=None):
    """Mean accuracy of every candidate (default: ``CANDIDATES``) on the sets ``names``
    (stderr and a table)."""
    data = {name: (load(name, "train"), load(name, "test")) for name in names}
    lines = [
        "| overrides | " + " | ".join(names) + " | mean | CPU s |",
        "|---" * (len(names) + 3) + "|",
    ]
    for overrides in CANDIDATES if candidates is None else candidates:
        cells, cpu = [], 0.0
        for name in names:
            accuracies, seconds = lstm_scores(overrides, *data[name], seeds)
            cells.append(accuracies.mean())
            cpu += seconds
            note(f"{overrides} {name}: {accuracies.round(3).tolist()} ({seconds:.0f} CPU s)")
        lines.append(
            f"| {overrides or '(defaults)'} | "
            + " | ".join(f"{c:.3f}" for c in cells)
            + f" | {np.mean(cells):.3f} | {cpu:.0f} |"
        )
        note(lines[-1])
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.accuracy.classification")
    parser.add_argument("names", nargs="*", help=f"sets (default: all of {SETS})")
    parser.add_argument(
        "--search",
        action="store_true",
        help=f"compare CANDIDATES on {SELECTION} (or the sets named)",
    )
    parser.add_argument(
        "--candidates", help="with --search: a JSON list of overrides instead of CANDIDATES"
    )
    parser.add_argument(
        "--params",
        help="without --search: JSON overrides of the defaults for the LSTM column, "
        'e.g. \'{"sequence_scale": "zscore"}\'',
    )
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(SETS)
    if unknown:
        parser.error(f"unknown sets {sorted(unknown)}; choose from {SETS}")
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    torch.set_num_threads(1)
    if args.search:
        candidates = None if args.candidates is None else json.loads(args.candidates)
        print(search(args.names or SELECTION, candidates=candidates), flush=True)
    else:
        params = None if args.params is None else json.loads(args.params)
        results = evaluate(args.names or SETS, params=params)
        print(markdown(results, SEEDS), flush=True)


if __name__ == "__main__":
    main()
