"""Head-to-head comparison of forecasters on identical time-ordered folds."""

import os
import sys
import threading
import time
from contextlib import contextmanager

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.metrics import get_scorer as get_sklearn_scorer
from sklearn.model_selection import TimeSeriesSplit

from .metrics import METRICS
from .metrics import get_scorer as get_metric_scorer

__all__ = ["compare"]

DEFAULT_METRICS = ("mae", "rmse", "smape", "mase")
DEFAULT_N_SPLITS = 5


def compare(
    models,
    X,
    y,
    cv=None,
    scoring=None,
    n_jobs=None,
    plot=False,
    *,
    season_length=1,
    verbose=False,
):
    """Fit and score every model on the same time-ordered folds.

    Each model is cloned, fitted on each training fold and asked to predict the test
    fold that follows it; the folds are computed once and shared, so every model meets
    exactly the same data.

    Parameters
    ----------
    models : dict, list of (name, estimator) or list of estimators
        The forecasters, e.g. ``{"LSTM": pipeline, "ARIMA": ARIMARegressor()}``. Names
        default to the class names (made unique).
    X : array-like of shape (n_timesteps, n_features) or pandas.Series
        Time-ordered rows, oldest first. A pandas index lets the baselines carry their
        history from a training fold into the test fold that directly follows it.
    y : array-like of shape (n_timesteps,) or (n_timesteps, horizon)
        What is predicted from each row, e.g. from :func:`make_supervised`.
    cv : int, cross-validation splitter or iterable of (train, test), default=None
        None or an int: ``TimeSeriesSplit(n_splits=cv or 5, gap=horizon - 1)``, the gap
        keeping the multi-step targets of the last training rows out of the test fold.
        A custom splitter must keep every training row before its test fold, at least
        ``horizon`` rows earlier; it is checked.
    scoring : str, callable, list of str or dict, default=None
        Metrics: names from :mod:`lstmforecast.metrics` ("mae", "rmse", "mape", "smape",
        "mase"), sklearn scorer names, or a dict of name to scorer. None means
        mae, rmse, smape and mase (add "mape" if the series stays away from zero).
        Errors are reported as positive numbers: the negated ``neg_*`` scores are turned
        back into errors and the prefix dropped.
    n_jobs : int, default=None
        Number of (model, fold) fits run in parallel with joblib (-1: all cores). Each
        worker gets an equal share of the cores for torch, so that LSTM training in
        parallel workers does not oversubscribe the CPU.
    plot : bool or path, default=False
        If true, also draw forecasts against actuals (first horizon step) and the first
        metric per fold; a path (str or os.PathLike) saves the figure there too.
    season_length : int, default=1
        Lag of MASE's naive scale, used for the "mase" metric.
    verbose : bool, default=False
        Print one progress line per finished fit on stderr.

    Returns
    -------
    table : pandas.DataFrame
        One row per (model, metric) with columns ``model``, ``metric``, ``mean``,
        ``std`` (over folds, as ``GridSearchCV``'s ``std_test_score``) and ``fold_1``,
        ``fold_2``, ...; the metrics include ``fit_seconds`` and ``predict_seconds``.
    figure : matplotlib.figure.Figure
        Only when ``plot`` is true: ``(table, figure)`` is returned.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from lstmforecast import compare
    >>> from lstmforecast import make_supervised
    >>> from lstmforecast import NaiveRegressor, SeasonalNaiveRegressor
    >>> X, y = make_supervised(pd.Series(np.tile([1.0, 3.0, 2.0, 5.0], 10), name="sales"))
    >>> table = compare(
    ...     {"naive": NaiveRegressor(), "seasonal": SeasonalNaiveRegressor(season_length=4)},
    ...     X, y, cv=3, scoring="mae",
    ... )
    >>> table.loc[table.metric == "mae", ["model", "mean"]].round(2).to_numpy().tolist()
    [['naive', 2.44], ['seasonal', 0.0]]
    """
    named = _named_models(models)
    X = X.to_frame() if isinstance(X, pd.Series) else X
    n_rows = _n_rows(X)
    if n_rows != _n_rows(y):
        raise ValueError(
            f"X has {n_rows} rows but y has {_n_rows(y)}; they must be aligned row by row "
            "(see make_supervised)."
        )
    horizon = 1 if np.ndim(y) == 1 else np.shape(y)[1]
    splits = _time_splits(cv, X, y, horizon)
    scorers = _scorers(scoring, season_length)

    tasks = [(name, fold) for name in named for fold in range(len(splits))]
    n_workers = min(effective_n_jobs(n_jobs), len(tasks))
    # Share the cores among workers: torch would otherwise start one thread per core
    # in every worker.
    torch_threads = max(1, (os.cpu_count() or 1) // n_workers) if n_workers > 1 else None
    jobs = (
        delayed(_naming_failures(name, fold, _fit_and_score))(
            clone(named[name]), X, y, *splits[fold], scorers, torch_threads
        )
        for name, fold in tasks
    )
    outcomes = []
    parallel = Parallel(n_jobs=n_workers, return_as="generator")
    for done, outcome in enumerate(parallel(jobs), start=1):
        outcomes.append(outcome)
        if verbose:
            name, fold = tasks[done - 1]
            print(
                f"compare: {done}/{len(tasks)} fits done ({name}, fold {fold + 1}/"
                f"{len(splits)}, {outcome['fit_seconds']:.1f}s)",
                file=sys.stderr,
                flush=True,
            )

    table = _table(named, tasks, outcomes, list(scorers), len(splits))
    if not plot:
        return table
    predictions = {task: outcome["y_pred"] for task, outcome in zip(tasks, outcomes)}
    figure = plot_comparison(table, y, splits, predictions, list(named))
    if isinstance(plot, str | os.PathLike):
        figure.savefig(plot, dpi=110, bbox_inches="tight")
    return table, figure


def _named_models(models):
    if isinstance(models, dict):
        pairs = list(models.items())
    else:
        pairs = [m if isinstance(m, tuple) else (type(m).__name__, m) for m in models]
    if not pairs:
        raise ValueError("models is empty: pass at least one estimator to compare.")
    named = {}
    for name, model in pairs:
        if not (hasattr(model, "fit") and hasattr(model, "predict")):
            raise ValueError(f"models[{name!r}] is not an estimator with fit and predict.")
        unique, copy = str(name), 2
        while unique in named:
            unique, copy = f"{name}-{copy}", copy + 1
        named[unique] = model
    return named


def _n_rows(data):
    return data.shape[0] if hasattr(data, "shape") else len(data)


def _rows(data, indices):
    return data.iloc[indices] if hasattr(data, "iloc") else np.asarray(data)[indices]


def _time_splits(cv, X, y, horizon):
    if cv is None or isinstance(cv, int):
        cv = TimeSeriesSplit(n_splits=cv or DEFAULT_N_SPLITS, gap=horizon - 1)
    try:
        splits = list(cv.split(X, y)) if hasattr(cv, "split") else list(cv)
    except ValueError as error:
        raise ValueError(f"The series is too short for these folds: {error}") from error
    if not splits:
        raise ValueError("cv produced no folds.")
    for number, (train, test) in enumerate(splits, start=1):
        train, test = np.asarray(train), np.asarray(test)
        if len(train) == 0 or len(test) == 0:
            raise ValueError(f"Fold {number} has an empty training or test set.")
        if test.min() - train.max() < horizon:
            raise ValueError(
                f"Fold {number} trains on rows up to {train.max()} and tests from row "
                f"{test.min()}: training rows must all come before the test rows, at "
                f"least horizon={horizon} rows earlier, or the targets of the last "
                "training rows would overlap the test targets. Use "
                f"TimeSeriesSplit(gap={horizon - 1}) (the default)."
            )
    return [(np.asarray(train), np.asarray(test)) for train, test in splits]


def _scorers(scoring, season_length):
    """Scorers by display name, and whether their score is a negated error."""
    if scoring is None:
        scoring = list(DEFAULT_METRICS)
    if isinstance(scoring, str) or callable(scoring):
        scoring = [scoring]
    if isinstance(scoring, dict):
        pairs = list(scoring.items())
    else:
        pairs = [(s if isinstance(s, str) else getattr(s, "__name__", "score"), s) for s in scoring]
    scorers = {}
    for name, scorer in pairs:
        # Errors are reported positive: a score is a negated error when it comes from
        # lstmforecast.metrics or when its name follows sklearn's "neg_" convention.
        negated = name.startswith("neg_")
        if isinstance(scorer, str):
            key = scorer.removeprefix("neg_")
            negated = negated or scorer.startswith("neg_") or key in METRICS
            if key in METRICS:
                scorer = get_metric_scorer(key, season_length=season_length)
            else:
                scorer = get_sklearn_scorer(scorer)
        scorers[name.removeprefix("neg_")] = (scorer, negated)
    return scorers


class _FittedPredictions(RegressorMixin, BaseEstimator):
    """Hands one fold's predictions to sklearn scorers, so each model predicts once (and
    is timed once) however many metrics are computed."""

    def __init__(self, predictions):
        self.predictions = predictions

    def predict(self, X):
        return self.predictions


_torch_lock = threading.Lock()
_torch_users = 0
_torch_saved = None


@contextmanager
def _torch_thread_limit(n_threads):
    """Limit torch's intra-op threads while a worker fits, then restore the setting.

    A reference count keeps this correct when workers are threads of one process
    (torch's setting is process-wide): the first one in saves, the last one out restores.
    """
    global _torch_users, _torch_saved
    torch = sys.modules.get("torch")  # never import torch for models that do not use it
    if n_threads is None or torch is None:
        yield
        return
    with _torch_lock:
        if _torch_users == 0:
            _torch_saved = torch.get_num_threads()
            torch.set_num_threads(n_threads)
        _torch_users += 1
    try:
        yield
    finally:
        with _torch_lock:
            _torch_users -= 1
            if _torch_users == 0:
                torch.set_num_threads(_torch_saved)


def _naming_failures(name, fold, function):
    """``function``, whose exceptions say which model and fold they came from."""

    def run(*args):
        try:
            return function(*args)
        except Exception as error:
            message = f"model {name!r} failed on fold {fold + 1}: {type(error).__name__}: {error}"
            try:
                renamed = type(error)(message)  # the same type, so callers catch it as before
            except Exception:
                raise RuntimeError(message) from error
            raise renamed from error

    return run


def _fit_and_score(model, X, y, train, test, scorers, torch_threads):
    X_test, y_test = _rows(X, test), _rows(y, test)
    with _torch_thread_limit(torch_threads):
        start = time.perf_counter()
        model.fit(_rows(X, train), _rows(y, train))
        fitted = time.perf_counter()
        y_pred = model.predict(X_test)
        predicted = time.perf_counter()
    frozen = _FittedPredictions(y_pred)
    scores = {}
    for name, (scorer, negated) in scorers.items():
        score = float(scorer(frozen, X_test, y_test))
        scores[name] = -score if negated else score
    return {
        "scores": scores,
        "fit_seconds": fitted - start,
        "predict_seconds": predicted - fitted,
        "y_pred": np.asarray(y_pred),
    }


def _table(named, tasks, outcomes, metrics, n_folds):
    values = {}
    for (name, fold), outcome in zip(tasks, outcomes):
        row = {**outcome["scores"]}
        row["fit_seconds"] = outcome["fit_seconds"]
        row["predict_seconds"] = outcome["predict_seconds"]
        for metric, value in row.items():
            values.setdefault((name, metric), np.empty(n_folds))[fold] = value
    fold_columns = [f"fold_{k}" for k in range(1, n_folds + 1)]
    rows = []
    for name in named:
        for metric in [*metrics, "fit_seconds", "predict_seconds"]:
            per_fold = values[(name, metric)]
            rows.append([name, metric, per_fold.mean(), per_fold.std(), *per_fold.tolist()])
    return pd.DataFrame(rows, columns=["model", "metric", "mean", "std", *fold_columns])


def plot_comparison(table, y, splits, predictions, names):
    """Figure of forecasts against actuals (first step) and of the first metric per fold.

    Parameters
    ----------
    table : pandas.DataFrame
        The table returned by :func:`compare`.
    y : array-like of shape (n_timesteps,) or (n_timesteps, horizon)
        The targets given to :func:`compare`.
    splits : list of (train, test)
        The folds used.
    predictions : dict
        ``{(model name, fold number): y_pred}``.
    names : list of str
        Model names, in display order.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    labels = y.index if hasattr(y, "index") else np.arange(_n_rows(y))
    actual = np.asarray(y, dtype=float).reshape(_n_rows(y), -1)[:, 0]
    metric = table["metric"].iloc[0]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), layout="constrained")
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]

    first, last = splits[0][1].min(), splits[-1][1].max()
    top.plot(labels[first : last + 1], actual[first : last + 1], color="black", label="actual")
    for fold, (_, test) in enumerate(splits):
        if fold % 2:
            top.axvspan(labels[test.min()], labels[test.max()], color="0.93", zorder=0)
        for number, name in enumerate(names):
            forecast = predictions[(name, fold)].reshape(len(test), -1)[:, 0]
            top.plot(
                labels[test],
                forecast,
                color=colors[number % len(colors)],
                linewidth=1.2,
                label=name if fold == 0 else None,
            )
    top.set_title("One-step forecasts against actuals on the test folds (shaded: alternate)")
    top.set_xlabel("forecast origin")
    top.legend(loc="best", fontsize="small")

    width = 0.8 / len(names)
    positions = np.arange(1, len(splits) + 1)
    fold_columns = [f"fold_{k}" for k in positions]
    for number, name in enumerate(names):
        row = table[(table["model"] == name) & (table["metric"] == metric)]
        bottom.bar(
            positions + (number - (len(names) - 1) / 2) * width,
            row[fold_columns].to_numpy().ravel(),
            width=width,
            color=colors[number % len(colors)],
            label=name,
        )
    bottom.set_xticks(positions)
    bottom.set_xlabel("fold")
    bottom.set_ylabel(metric)
    bottom.set_title(f"{metric} per fold")
    bottom.legend(loc="best", fontsize="small")
    return figure
