"""Known-future covariates: the step-aligned block of values known for t+1 .. t+h.

A direct h-step forecast from row t may use what is known at t *and* what is known
about the forecast steps themselves: tomorrow's hours, weekdays and holidays (known by
construction) or a temperature forecast. :func:`make_supervised` writes them as one
column per covariate and step, named ``"<covariate>_t+<k>"`` (the same scheme as the
target columns of y); this module reads that naming scheme back, carries the block from
a :class:`Windower` to :class:`LSTMRegressor` next to the look-back windows, and holds
the network head that reads it per output step is in ``_covariate_network``.
"""

import re

import numpy as np
import pandas as pd

__all__ = ["FutureWindows", "future_column", "future_layout"]

_STEP_NAME = re.compile(r"^(?P<name>.+)_t\+(?P<step>[1-9][0-9]*)$")


def future_column(covariate, step):
    """The column name of ``covariate``'s value ``step`` rows after the row's time."""
    return f"{covariate}_t+{step}"


def future_layout(columns):
    """Where the future-covariate block sits among ``columns``.

    Returns ``(covariates, positions)``: the covariate names in order of first
    appearance and an int array of shape (horizon, n_covariates) with the column
    position of each (step, covariate); ``([], None)`` when no column follows the
    ``"<covariate>_t+<k>"`` scheme. A block must be complete: every covariate with
    steps 1 .. h, the same h for all.
    """
    found = {}
    for position, column in enumerate(columns):
        match = _STEP_NAME.match(column) if isinstance(column, str) else None
        if match:
            found.setdefault(match["name"], {})[int(match["step"])] = position
    if not found:
        return [], None
    horizons = {name: max(steps) for name, steps in found.items()}
    horizon = max(horizons.values())
    for name, steps in found.items():
        if sorted(steps) != list(range(1, horizon + 1)):
            missing = sorted(set(range(1, horizon + 1)) - set(steps))
            raise ValueError(
                f"The future-covariate columns of {name!r} are incomplete: columns "
                f"{[future_column(name, k) for k in missing[:5]]} are missing (every "
                f"covariate needs '{name}_t+1' .. '{name}_t+{horizon}'). Build X with "
                "make_supervised(..., future_covariates=[...]), or rename columns that "
                "end in '_t+<k>' but are no future covariates."
            )
    covariates = list(found)
    positions = np.array(
        [[found[name][step] for name in covariates] for step in range(1, horizon + 1)],
        dtype=np.int64,
    )
    return covariates, positions


def future_block(data, covariates, horizon, rows):
    """(len(rows), horizon * n_covariates) values of ``covariates`` at t+1 .. t+horizon for
    each row position t in ``rows``, step-major (all covariates of step 1, then step 2 ...)."""
    values = data[covariates].to_numpy(dtype=np.float64)
    ahead = np.asarray(rows)[:, None] + np.arange(1, horizon + 1)  # (n, horizon)
    return values[ahead].reshape(len(ahead), -1)


def future_names(covariates, horizon):
    return [future_column(name, k) for k in range(1, horizon + 1) for name in covariates]


def check_covariates(frame, future_covariates, target_column):
    """The covariate names as a list, checked against the columns of ``frame``."""
    if isinstance(future_covariates, str):
        future_covariates = [future_covariates]
    covariates = list(future_covariates)
    if not covariates:
        raise ValueError("future_covariates is empty; give column names, or None.")
    missing = [c for c in covariates if c not in frame.columns]
    if missing:
        raise ValueError(
            f"future_covariates {missing} are not columns of data {list(frame.columns)}."
        )
    if target_column in covariates:
        raise ValueError(
            f"The target {target_column!r} cannot be a future covariate: its future values "
            "are what is forecast."
        )
    if len(set(covariates)) != len(covariates):
        raise ValueError(f"future_covariates {covariates} names a column twice.")
    values = frame[covariates]
    numeric = all(pd.api.types.is_numeric_dtype(values[c]) for c in covariates)
    if not numeric or not np.isfinite(values.to_numpy(dtype=np.float64)).all():
        raise ValueError(
            f"The future covariates {covariates} must be numbers without NaN or inf "
            "(encode categories first, impute gaps)."
        )
    return covariates


class FutureWindows(np.ndarray):
    """Look-back windows (n, look_back, n_features) that carry a future-covariate block.

    ``future`` is an array of shape (n, horizon, n_covariates): row i holds the
    covariates at steps t+1 .. t+horizon of window i. Selecting rows (``X[rows]``,
    ``X[a:b]``, what cross-validation and scikit-learn's ``_safe_indexing`` do) selects
    the same rows of ``future``; any other indexing returns a plain array.
    """

    def __new__(cls, windows, future):
        array = np.asarray(windows).view(cls)
        array.future = future
        return array

    def __array_finalize__(self, obj):
        future = getattr(obj, "future", None)
        # A copy or an element-wise result of the same rows keeps its block.
        same_rows = (
            future is not None and obj.ndim == self.ndim and len(obj) == len(self) and self.ndim
        )
        self.future = future if same_rows else None

    def __getitem__(self, key):
        result = super().__getitem__(key)
        if not isinstance(result, FutureWindows):
            return result
        rows = key
        if isinstance(key, tuple):
            if not all(part is Ellipsis for part in key[1:]):
                return result.view(np.ndarray)  # steps or features chosen: no block
            rows = key[0]
        if result.ndim != self.ndim:
            return result.view(np.ndarray)
        result.future = self.future[rows]
        return result

    def take(self, indices, axis=None, **kwargs):
        if axis != 0:
            return np.asarray(self).take(indices, axis=axis, **kwargs)
        return FutureWindows(np.asarray(self).take(indices, axis=0), self.future[indices])

    def __reduce__(self):
        return (FutureWindows, (np.asarray(self), self.future))


def split_future(X):
    """(plain windows, future block or None) of a sequence input."""
    if isinstance(X, FutureWindows):
        return X.view(np.ndarray), X.future
    return X, None


def check_future(estimator, future, n_sequences, reset):
    """Validate a future block against the windows and, after fit, against the fit."""
    if future is not None:
        future = np.asarray(future, dtype=np.float32)
        if future.ndim != 3 or len(future) != n_sequences:
            raise ValueError(
                f"The future-covariate block must have shape (n_samples={n_sequences}, "
                f"horizon, n_covariates), got {future.shape}."
            )
        if not np.isfinite(future).all():
            rows = np.flatnonzero(~np.isfinite(future).reshape(len(future), -1).all(axis=1))
            raise ValueError(
                f"The future covariates hold NaN or inf in rows {rows[:10].tolist()}; the "
                "values known for the forecast steps must be complete."
            )
    shape = (0, 0) if future is None else future.shape[1:]
    if reset:
        estimator.future_shape_ = tuple(int(s) for s in shape)
    elif tuple(shape) != tuple(getattr(estimator, "future_shape_", (0, 0))):
        fitted = getattr(estimator, "future_shape_", (0, 0))
        raise ValueError(
            f"X carries future covariates of shape (horizon, n_covariates) = {tuple(shape)}, "
            f"but {type(estimator).__name__} was fitted with {tuple(fitted)}. Give the same "
            "future covariates (columns '<covariate>_t+<k>') as in fit."
        )
    return future


def check_future_model(estimator, sequences, y):
    """Refuse the settings a future-covariate block cannot be read with, in fit."""
    if sequences.future is None:
        return
    horizon = sequences.future.shape[1]
    n_outputs = 1 if y.ndim == 1 else y.shape[1]
    problem = None
    if n_outputs != horizon:
        problem = (
            f"y has {n_outputs} column(s) but the covariate block covers {horizon} steps; "
            "build both with the same make_supervised(..., horizon=h)"
        )
    elif estimator.module is not None:
        problem = "a custom module reads the windows only; use the built-in network"
    elif estimator.embedding_dim is not None:
        problem = "token inputs (embedding_dim) have no future steps; use numeric windows"
    elif estimator.training == "sequence":
        problem = 'training="sequence" shares rows between windows; use "auto" or "window"'
    if problem:
        raise ValueError(f"Future covariates: {problem}.")


def model_layout(model):
    """(covariates, horizon) of the block a fitted model reads, or ([], 0)."""
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        return [], 0
    covariates, positions = future_layout(list(names))
    return covariates, 0 if positions is None else len(positions)


def with_future_covariates(model, frame, future, labels):
    """The rows to predict from: ``frame`` plus, when ``model`` reads future covariates,
    the block of every row, whose last rows come from ``future`` (indexed by the forecast
    steps' ``labels``). ``frame`` itself when the model reads none."""
    covariates, horizon = model_layout(model)
    if not covariates:
        return frame
    if future is None:
        raise ValueError(
            f"The model reads future covariates {covariates} for {horizon} steps ahead: pass "
            f"future= with those columns for the {horizon} steps after data's last row "
            f"(starting at {labels[0]!r})."
        )
    if not isinstance(future, pd.DataFrame):
        raise ValueError(
            "future must be a pandas DataFrame of the covariates, indexed by the forecast "
            f"dates (the {horizon} steps after data's last row)."
        )
    missing = [c for c in covariates if c not in future.columns]
    if missing:
        raise ValueError(f"future has no column(s) {missing}; the model reads {covariates}.")
    expected = labels[:horizon]
    given = future.index[:horizon]
    if len(future) < horizon or not given.equals(pd.Index(expected)):
        first_bad = next(
            (i for i in range(min(len(given), horizon)) if given[i] != expected[i]), len(given)
        )
        shown = repr(given[first_bad]) if first_bad < len(given) else "nothing"
        raise ValueError(
            f"future must hold the {horizon} steps right after data's last row, "
            f"{expected[0]!r} .. {expected[-1]!r}, in order; row {first_bad} of future is "
            f"{shown} where {expected[first_bad]!r} is due. Index future by the forecast "
            "dates (e.g. lstmforecast.forecast's output index), starting one step after data."
        )
    check_covariates(future.iloc[:horizon], covariates, None)
    known = pd.concat(
        [
            frame[covariates].astype(np.float64),
            future[covariates].iloc[:horizon].astype(np.float64),
        ],
        ignore_index=True,
    )
    block = future_block(known, covariates, horizon, np.arange(len(frame)))
    names = future_names(covariates, horizon)
    return pd.concat([frame, pd.DataFrame(block, index=frame.index, columns=names)], axis=1)
