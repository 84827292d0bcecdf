"""Head-to-head comparison of forecasters on identical time-ordered folds."""

import os
import sys
import time
import warnings
from collections.abc import Iterable
from functools import partial
from numbers import Integral

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.metrics import get_scorer as get_sklearn_scorer
from sklearn.model_selection import TimeSeriesSplit
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods

from .._preprocessing.panel import ID_COLUMN_CONSTRAINT, ID_COLUMN_HINT, panel_step, split_panel
from .._preprocessing.panel_split import PanelSplit
from .._utils.deprecation import DEPRECATED, renamed_parameter
from .._utils.params import (
    COVERAGE_HINT,
    SEASON_LENGTH_HINT,
    coverage_constraint,
    positive_int,
    validate_arguments,
)
from .._utils.threads import torch_threads
from ..metrics import (
    INTERVAL_METRICS,
    METRICS,
    TRAINING_SCALED,
    interval_coverage,
    interval_score,
)
from ..metrics import get_scorer as get_metric_scorer

__all__ = ["compare"]

DEFAULT_METRICS = ("mae", "rmse", "smape", "mase")
DEFAULT_N_SPLITS = 5


@validate_arguments(
    {
        "models": [dict, list, tuple],
        "X": ["array-like"],
        "y": ["array-like"],
        "cv": [*positive_int(), HasMethods(["split"]), Iterable, None],
        "n_jobs": [Integral, None],
        "plot": ["boolean", str, os.PathLike],
        "season_length": positive_int(),
        "coverage": coverage_constraint(),
        "return_predictions": ["boolean"],
        "verbose": ["verbose"],
        "id_column": ID_COLUMN_CONSTRAINT,
        "groups": ID_COLUMN_CONSTRAINT,
    },
    {"season_length": SEASON_LENGTH_HINT, "coverage": COVERAGE_HINT, "id_column": ID_COLUMN_HINT},
)
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
    coverage=None,
    return_predictions=False,
    verbose=False,
    id_column=None,
    groups=DEPRECATED,
):
    """Fit and score every model on the same time-ordered folds.

    The folds are computed once and shared: a clone of every model is fitted on each
    training fold and forecasts the test fold that follows it, so all models meet
    exactly the same data. Each test row is forecast with every row before it as
    history, the gap rows included: the model predicts the rows from the fold's first
    training row to its last test row and only the test rows are scored, so an LSTM
    pipeline's windows are full (not padding) and its scores are those of
    :func:`forecast` from the same origins. A one-row test fold is a single origin.

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
        "mase", "rmsse"), sklearn scorer names, or a dict of name to scorer. None means
        mae, rmse, smape and mase (add "mape" if the series stays away from zero).
        "mase" and "rmsse" take their naive scale from the fold's training rows (the
        first column of their ``y``; with ``id_column``, each series' own), as
        ``metrics.mase(..., y_train=...)`` does.
        Errors are reported as positive numbers: the negated ``neg_*`` scores are turned
        back into errors and the prefix dropped.
    n_jobs : int, default=None
        Number of folds fitted in parallel with joblib (-1: all cores). Workers share
        the cores for torch: joblib's process workers get an equal share of threads, and
        with a thread-based backend torch (process-wide) is limited to that share while
        ``compare`` runs, then restored.
    plot : bool or path, default=False
        If true, also draw forecasts against actuals (first horizon step) and the first
        metric per fold; a path (str or os.PathLike) saves the figure there too.
    season_length : int, default=1
        Lag of the naive scale of the "mase" and "rmsse" metrics.
    coverage : float, default=None
        If set (e.g. 0.9), also score central prediction intervals of this probability
        from ``predict(X, quantiles=...)``: "coverage" (the empirical coverage, to be
        compared with ``coverage``), "winkler" (:func:`~lstmforecast.metrics.winkler_score`)
        and "pinball" (:func:`~lstmforecast.metrics.pinball_loss` of the two bounds).
        A model that gives no quantiles gets NaN there, with a warning.
    return_predictions : bool, default=False
        Also return the out-of-fold forecasts (see Returns): the very forecasts that
        were scored.
    verbose : bool, default=False
        Print one progress line per model on stderr.
    id_column : str, default=None
        For a panel (a long frame of many series, see :ref:`panels`): the series-id
        column or MultiIndex level of X. The default folds are then
        ``PanelSplit(n_splits=cv or 5, gap=horizon - 1, id_column=id_column)``, which cut
        every series at the same times (a custom ``cv`` is checked in time steps, not
        rows), and every metric is computed per series, each series' rows in time order.
    groups : str, default="deprecated"
        Deprecated alias of ``id_column``, its name before 0.2 (removed in 0.4): in
        scikit-learn, ``groups`` is an array of labels, not a column name.

    Returns
    -------
    table : pandas.DataFrame
        One row per (model, metric) with columns ``model``, ``metric``, ``mean``,
        ``std`` (over folds, as ``GridSearchCV``'s ``std_test_score``) and ``fold_1``,
        ``fold_2``, ...; the metrics include ``fit_seconds`` and ``predict_seconds``.
        With ``id_column``, a ``series`` column follows ``model``: one row per (model,
        series, metric), NaN in the folds where a series has no test row, and first
        the pooled rows (``series == "pooled"``), whose per-fold value is the mean
        of the series' values (and which alone carry the timings).
    predictions : pandas.DataFrame
        Only with ``return_predictions=True``: one row per (model, test row, horizon
        step), columns ``model``, ``fold``, ``origin`` (the label of the row of X the
        forecast is made from), ``step``, ``time`` (the label of the forecast time, from
        X's index, when it can be told), ``y_true``, ``y_pred``, and ``lower`` and
        ``upper`` with ``coverage``; with ``id_column``, a ``series`` column too.
    figure : matplotlib.figure.Figure
        Only when ``plot`` is true. The returned tuple is ``(table, predictions,
        figure)`` with only the parts asked for after ``table``.

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
    id_column = renamed_parameter("compare", "groups", "id_column", groups, id_column, None)
    named = _named_models(models)
    X = X.to_frame() if isinstance(X, pd.Series) else X
    n_rows = _n_rows(X)
    if n_rows != _n_rows(y):
        raise ValueError(
            f"X has {n_rows} rows but y has {_n_rows(y)}; they must be aligned row by row "
            "(see make_supervised)."
        )
    horizon = 1 if np.ndim(y) == 1 else np.shape(y)[1]
    panel = None
    if id_column is not None:
        panel = split_panel(X, id_column)
        _check_series_ids(panel.ids)
        if plot:
            raise ValueError(
                "plot draws one series; for a panel, compare one series' rows (or plot "
                "the returned predictions of the series you want)."
            )
        if cv is None or isinstance(cv, int):
            cv = PanelSplit(n_splits=cv or DEFAULT_N_SPLITS, gap=horizon - 1, id_column=id_column)
    splits, contexts = _time_splits(cv, X, y, horizon, panel)
    scoring = _FoldScores(_scorers(scoring, season_length), coverage, id_column, panel)

    n_workers = min(effective_n_jobs(n_jobs), len(splits))
    # Process workers get cores // workers threads from joblib itself; thread workers
    # share this process's torch setting, limited here for the whole comparison.
    threads = max(1, (os.cpu_count() or 1) // n_workers) if n_workers > 1 else None
    results = {}
    with torch_threads(threads):
        for number, (name, model) in enumerate(named.items(), start=1):
            start = time.perf_counter()
            try:
                results[name] = Parallel(n_jobs=n_jobs)(
                    delayed(_fit_and_score)(model, X, y, train, test, context, scoring)
                    for (train, test), context in zip(splits, contexts)
                )
            except Exception as error:
                raise _naming_model(name, error) from error
            if verbose:
                print(
                    f"compare: {number}/{len(named)} models done ({name}, {len(splits)} "
                    f"folds, {time.perf_counter() - start:.1f}s)",
                    file=sys.stderr,
                    flush=True,
                )
    for name, folds in results.items():
        if coverage is not None and all(fold["bounds"] is None for fold in folds):
            warnings.warn(
                f"{name} gives no quantiles (its predict takes no quantiles=, or not these "
                "levels): its interval metrics are NaN. Wrap it in ConformalForecaster to "
                "get intervals.",
                UserWarning,
                stacklevel=2,
            )

    if panel is None:
        table = _table(results, scoring.names, len(splits))
    else:
        table = _panel_table(results, scoring.names, len(splits), panel.ids)
    outputs = [table]
    if plot or return_predictions:
        predictions = _out_of_fold(results, X, y, horizon, coverage, panel)
        if return_predictions:
            outputs.append(predictions)
        if plot:
            figure = plot_comparison(table, predictions, list(named), _target_name(y))
            if isinstance(plot, str | os.PathLike):
                figure.savefig(plot, dpi=110, bbox_inches="tight")
            outputs.append(figure)
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def _target_name(y):
    name = getattr(y, "name", None)
    if name is None and isinstance(y, pd.DataFrame):
        name = str(y.columns[0]).removesuffix("_t+1")
    return None if name is None else str(name)


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


def _time_splits(cv, X, y, horizon, panel=None):
    """The checked folds, and each fold's context: the rows predicted for it.

    A fold's context runs from its first training row to its last test row (with a
    panel: every row at those times), so that each test row is forecast with all the
    rows before it as history, gap rows included, as :func:`forecast` would from the
    same origin; only the test rows' forecasts are kept.
    """
    if cv is None or isinstance(cv, int):
        cv = TimeSeriesSplit(n_splits=cv or DEFAULT_N_SPLITS, gap=horizon - 1)
    try:
        splits = list(cv.split(X, y)) if hasattr(cv, "split") else list(cv)
    except ValueError as error:
        raise ValueError(f"The series is too short for these folds: {error}") from error
    if not splits:
        raise ValueError("cv produced no folds.")
    if panel is not None:  # a panel's folds are checked in time steps, across series
        stamps = panel.times.asi8 if isinstance(panel.times, pd.PeriodIndex) else panel.times
        step_of_row = np.unique(np.asarray(stamps), return_inverse=True)[1].ravel()
    for number, (train, test) in enumerate(splits, start=1):
        train, test = np.asarray(train), np.asarray(test)
        if len(train) == 0 or len(test) == 0:
            raise ValueError(f"Fold {number} has an empty training or test set.")
        if panel is not None:
            if step_of_row[test].min() - step_of_row[train].max() < horizon:
                raise ValueError(
                    f"Fold {number} trains on times up to {panel.times[train].max()!r} and "
                    f"tests from {panel.times[test].min()!r}: every training time must come "
                    f"at least horizon={horizon} steps before the test times. Use "
                    f"PanelSplit(gap={horizon - 1}, id_column=...) (the default)."
                )
            continue
        if test.min() - train.max() < horizon:
            raise ValueError(
                f"Fold {number} trains on rows up to {train.max()} and tests from row "
                f"{test.min()}: training rows must all come before the test rows, at "
                f"least horizon={horizon} rows earlier, or the targets of the last "
                "training rows would overlap the test targets. Use "
                f"TimeSeriesSplit(gap={horizon - 1}) (the default)."
            )
    splits = [(np.asarray(train), np.asarray(test)) for train, test in splits]
    if panel is None:
        contexts = [np.arange(train.min(), test.max() + 1) for train, test in splits]
    else:
        contexts = [
            np.flatnonzero(
                (step_of_row >= step_of_row[train].min()) & (step_of_row <= step_of_row[test].max())
            )
            for train, test in splits
        ]
    return splits, contexts


def _scorers(scoring, season_length):
    """Scorers by display name: (scorer, whether its score is a negated error, the
    metric function when it is scaled by the training rows, else None)."""
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
        scaled = None
        if isinstance(scorer, str):
            key = scorer.removeprefix("neg_")
            negated = negated or scorer.startswith("neg_") or key in METRICS
            if key in TRAINING_SCALED:  # scaled by each fold's training rows, not its test rows
                scaled = partial(METRICS[key], season_length=season_length)
            if key in METRICS:
                scorer = get_metric_scorer(key, season_length=season_length)
            else:
                scorer = get_sklearn_scorer(scorer)
        scorers[name.removeprefix("neg_")] = (scorer, negated, scaled)
    return scorers


class _FittedPredictions(RegressorMixin, BaseEstimator):
    """Hands one fold's predictions to sklearn scorers, so each model predicts once (and
    is timed once) however many metrics are computed."""

    def __init__(self, predictions):
        self.predictions = predictions

    def predict(self, X):
        return self.predictions


def _fit_and_score(model, X, y, train, test, context, scoring):
    """Fit a clone of ``model`` on one fold's training rows, forecast its test rows from
    their full history (the fold's context rows), and score the forecasts."""
    estimator = clone(model)
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    start = time.perf_counter()
    estimator.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    X_context = _safe_indexing(X, context)
    kept = np.searchsorted(context, test)  # the test rows' positions among the context's
    with warnings.catch_warnings():
        # A Windower warns that the first context rows lack history: they are training
        # rows, given only as history, and none of them is scored.
        warnings.filterwarnings("ignore", message="Windower: ", category=UserWarning)
        start = time.perf_counter()
        y_pred = np.asarray(estimator.predict(X_context))[kept]
        predict_seconds = time.perf_counter() - start
        bounds = None
        if scoring.coverage is not None:
            bounds = _interval_bounds(estimator, X_context, scoring.coverage)
            bounds = None if bounds is None else bounds[kept]
    X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
    scores = scoring(X_test, y_test, y_pred, bounds, X_train, y_train)
    scores["fit_seconds"], scores["predict_seconds"] = fit_seconds, predict_seconds
    return {"scores": scores, "test": test, "y_pred": y_pred, "bounds": bounds}


class _FoldScores:
    """Every metric of one fold's forecasts, errors reported positive; MASE and RMSSE
    scaled by the fold's training rows (with ``id_column``: each series' own)."""

    def __init__(self, scorers, coverage, id_column=None, panel=None):
        self.scorers, self.coverage = scorers, coverage
        self.id_column = id_column
        # Every fold reports every series (NaN where absent), so the folds stack.
        self.series = None if panel is None else panel.ids

    @property
    def names(self):
        interval = list(INTERVAL_METRICS) if self.coverage is not None else []
        return [*self.scorers, *interval]

    def __call__(self, X, y, y_pred, bounds, X_train, y_train):
        if self.id_column is not None:
            return self._per_series(X, y, y_pred, bounds, X_train, y_train)
        return self._scores(X, y, y_pred, bounds, y_train)

    def _per_series(self, X, y, y_pred, bounds, X_train, y_train):
        """Each metric on each series' rows, and their mean over the series."""
        panel = split_panel(X, self.id_column)
        trained = split_panel(X_train, self.id_column)
        train_rows = dict(zip(trained.ids, _series_rows(trained)))
        number = pd.Index(self.series).get_indexer(panel.ids)
        per_series = {name: np.full(len(self.series), np.nan) for name in self.names}
        for code, rows in enumerate(_series_rows(panel)):
            history = train_rows.get(panel.ids[code])
            scores = self._scores(
                _rows(X, rows),
                _rows(y, rows),
                y_pred[rows],
                None if bounds is None else bounds[rows],
                None if history is None else _rows(y_train, history),
            )
            for name, value in scores.items():
                per_series[name][number[code]] = value
        result = {name: float(np.nanmean(values)) for name, values in per_series.items()}
        for name, values in per_series.items():
            result.update({f"{_SERIES_KEY}{k}:{name}": v for k, v in enumerate(values)})
        return result

    def _scores(self, X, y, y_pred, bounds, y_train):
        scores = {}
        frozen = _FittedPredictions(y_pred)
        for name, (scorer, negated, scaled) in self.scorers.items():
            if scaled is not None:
                if y_train is None:  # a series with no training rows in this fold
                    scores[name] = np.nan
                    continue
                scores[name] = scaled(y, y_pred, y_train=y_train)
                continue
            score = float(scorer(frozen, X, y))
            scores[name] = -score if negated else score
        if self.coverage is not None:
            y_true = np.asarray(y, dtype=np.float64)
            for name in INTERVAL_METRICS:
                if bounds is None:
                    scores[name] = np.nan
                    continue
                pairs = bounds.reshape(*y_true.shape, 2)
                if name == "coverage":  # the empirical coverage itself, not its miss
                    scores[name] = interval_coverage(y_true, pairs[..., 0], pairs[..., 1])
                else:
                    scores[name] = interval_score(name, y_true, pairs, self.coverage)
        return scores


def _series_rows(panel):
    """Each series' row positions, oldest first, in the order of ``panel.ids``."""
    return np.split(panel.order(), np.cumsum(panel.sizes)[:-1])


# Key prefix of a per-series score in cross_validate's results: "series<k>:<metric>".
_SERIES_KEY = "series"


def _check_series_ids(ids):
    """The table's ``series`` column names the pooled rows "pooled": no series may."""
    if any(isinstance(label, str) and label == _POOLED for label in ids):
        raise ValueError(
            f'A series is named "{_POOLED}", the label of the pooled rows of the comparison '
            "table, so the two could not be told apart; rename that series."
        )


_POOLED = "pooled"


def _panel_table(results, metrics, n_folds, series):
    """The pooled rows (series "pooled", with the timings), then one row per series."""
    pooled = _table(results, metrics, n_folds)
    pooled.insert(1, "series", _POOLED)
    fold_columns = [f"fold_{k}" for k in range(1, n_folds + 1)]
    rows = []
    for name, folds in results.items():
        for metric in metrics:
            for number, label in enumerate(series):
                key = f"{_SERIES_KEY}{number}:{metric}"
                per_fold = np.asarray([fold["scores"][key] for fold in folds], dtype=np.float64)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # a series in no fold
                    mean, std = np.nanmean(per_fold), np.nanstd(per_fold)
                rows.append([name, label, metric, mean, std, *per_fold.tolist()])
    columns = ["model", "series", "metric", "mean", "std", *fold_columns]
    return pd.concat([pooled, pd.DataFrame(rows, columns=columns)], ignore_index=True)


def _interval_bounds(estimator, X, coverage):
    """``predict(X, quantiles=[lower, upper])`` reshaped to (..., 2) in y's shape, or None
    when the estimator gives no quantiles."""
    from .._utils.quantiles import coverage_quantiles, predicts_quantiles

    levels = list(coverage_quantiles(coverage))
    if not predicts_quantiles(estimator, levels):
        return None
    bounds = estimator.predict(X, quantiles=levels)
    return np.asarray(bounds, dtype=np.float64)


def _table(results, metrics, n_folds):
    fold_columns = [f"fold_{k}" for k in range(1, n_folds + 1)]
    rows = []
    for name, folds in results.items():
        for metric in [*metrics, "fit_seconds", "predict_seconds"]:
            per_fold = np.asarray([fold["scores"][metric] for fold in folds], dtype=np.float64)
            rows.append([name, metric, per_fold.mean(), per_fold.std(), *per_fold.tolist()])
    return pd.DataFrame(rows, columns=["model", "metric", "mean", "std", *fold_columns])


def _out_of_fold(results, X, y, horizon, coverage, panel=None):
    """Long table of every model's scored test-fold forecasts, by origin row and step."""
    n_rows = _n_rows(X)
    labels = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(n_rows)
    if panel is not None:
        labels = panel.times
        times = _panel_step_times(panel, horizon)
    else:
        try:
            from .forecast import future_index

            times = labels.append(future_index(labels, n_rows, horizon))
        except (ValueError, TypeError):
            times = None  # an index without a regular step: forecast times unknown
    actual = np.asarray(y, dtype=np.float64).reshape(n_rows, horizon)
    steps = np.arange(1, horizon + 1)
    parts = []
    for name, folds in results.items():
        for fold, scored in enumerate(folds, start=1):
            test = scored["test"]
            y_pred = np.asarray(scored["y_pred"], dtype=np.float64)
            if panel is not None:
                step_times = np.nan if times is None else times[test].ravel()
            elif times is not None:
                step_times = np.asarray(times[(test[:, None] + steps[None, :]).ravel()])
            else:
                step_times = np.nan
            part = {
                "model": name,
                "fold": fold,
                **(
                    {}
                    if panel is None
                    else {"series": np.repeat(panel.ids[panel.codes[test]], horizon)}
                ),
                "origin": np.repeat(np.asarray(labels[test]), horizon),
                "step": np.tile(steps, len(test)),
                "time": step_times,
                "y_true": actual[test].ravel(),
                "y_pred": y_pred.reshape(len(test), horizon).ravel(),
            }
            if coverage is not None:
                bounds = scored["bounds"]
                bounds = (
                    np.full((len(test) * horizon, 2), np.nan)
                    if bounds is None
                    else bounds.reshape(len(test) * horizon, 2)
                )
                part["lower"], part["upper"] = bounds[:, 0], bounds[:, 1]
            parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True)


def _panel_step_times(panel, horizon):
    """(n_rows, horizon) times of each row's forecast steps, or None without a step."""
    step = panel_step(panel)
    if step is None:
        return None
    try:
        columns = [np.asarray(panel.times + step * k) for k in range(1, horizon + 1)]
    except (TypeError, ValueError):
        return None
    return np.stack(columns, axis=1)


def plot_comparison(table, predictions, names, target=None):
    """Figure of a comparison: forecasts on the last test fold, forecast errors over every
    test fold, and the first metric per fold.

    Parameters
    ----------
    table : pandas.DataFrame
        The table returned by :func:`compare`.
    predictions : pandas.DataFrame
        The out-of-fold forecasts returned by ``compare(..., return_predictions=True)``.
    names : list of str
        Model names, in display order (the first is drawn on top).
    target : str, default=None
        What is forecast, for the y axis labels.

    Returns
    -------
    figure : matplotlib.figure.Figure
    """
    from ..plotting import _pyplot

    plt = _pyplot()
    target = target or "value"
    first_step = predictions[predictions["step"] == 1]
    has_times = first_step["time"].notna().all()
    x_column = "time" if has_times else "origin"
    metric = table["metric"].iloc[0]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    styles = ["-", "--", "-.", ":"]
    figure, (top, middle, bottom) = plt.subplots(
        3, 1, figsize=(10, 10), layout="constrained", height_ratios=[3, 2, 2]
    )

    last_fold = first_step[first_step["fold"] == first_step["fold"].max()]
    reference = last_fold[last_fold["model"] == names[0]]
    top.plot(
        reference[x_column],
        reference["y_true"],
        color="black",
        linewidth=2.5,
        label="actual",
        zorder=1,
    )
    # Reverse order: the first model (usually the one under study) ends up on top.
    for number in reversed(range(len(names))):
        rows = last_fold[last_fold["model"] == names[number]]
        top.plot(
            rows[x_column],
            rows["y_pred"],
            color=colors[number % len(colors)],
            linestyle=styles[number % len(styles)],
            marker="o",
            markersize=3,
            linewidth=1.4,
            label=names[number],
            zorder=2 + len(names) - number,
        )
    top.set_title("Forecasts (first step) against actuals on the last test fold")
    top.set_ylabel(target)
    _legend_outside(top, names_first=True)

    middle.axhline(0, color="black", linewidth=1)
    for fold in sorted(first_step["fold"].unique())[1::2]:
        span = first_step.loc[first_step["fold"] == fold, x_column]
        middle.axvspan(span.min(), span.max(), color="0.93", zorder=0)
    for number in reversed(range(len(names))):
        rows = first_step[first_step["model"] == names[number]]
        middle.plot(
            rows[x_column],
            rows["y_pred"] - rows["y_true"],
            color=colors[number % len(colors)],
            linestyle=styles[number % len(styles)],
            linewidth=1.1,
            label=names[number],
            zorder=2 + len(names) - number,
        )
    middle.set_title("Forecast errors (first step) on every test fold (shaded: alternate folds)")
    middle.set_ylabel(f"forecast - actual ({target})")
    _legend_outside(middle, names_first=True)

    width = 0.8 / len(names)
    positions = np.arange(1, len(table.columns) - 4 + 1)
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
    bottom.set_xlabel("test fold (time order)")
    bottom.set_ylabel(metric)
    bottom.set_title(f"{metric} per test fold (lower is better)")
    _legend_outside(bottom)
    return figure


def _legend_outside(axes, names_first=False):
    """The legend to the right of the axes, where it never hides data."""
    handles, labels = axes.get_legend_handles_labels()
    if names_first:  # drawn in reverse for the z-order; listed in the given order
        order = sorted(range(len(labels)), key=lambda i: (labels[i] != "actual", -i))
        handles, labels = [handles[i] for i in order], [labels[i] for i in order]
    axes.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")


def _naming_model(name, error):
    """``error`` with a message that says which model of the comparison failed, of the
    same type when it can be, so that callers catch it as before."""
    message = f"model {name!r} failed: {type(error).__name__}: {error}"
    try:
        return type(error)(message)
    except Exception:
        return RuntimeError(message)
