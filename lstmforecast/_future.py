"""Known-future covariates: the step-aligned block of values known for t+1 .. t+h.

A direct h-step forecast from row t may use what is known at t *and* what is known
about the forecast steps themselves: tomorrow's hours, weekdays and holidays (known by
construction) or a temperature forecast. :func:`make_supervised` writes them as one
column per covariate and step, named ``"<covariate>_t+<k>"`` (the same scheme as the
target columns of y); this module reads that naming scheme back, carries the block from
a :class:`Windower` to :class:`LSTMRegressor` next to the look-back windows, and holds
the network head that reads it per output step.
"""

import re

import numpy as np
import pandas as pd
import torch
from torch import nn

from ._network import RecurrentNetwork

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


def pack_inputs(inputs, future):
    """One tensor (n, look_back + horizon, width) for the network: the windows, then the
    block as ``horizon`` extra steps (zero-filled where it has fewer features)."""
    n, n_steps, n_features = inputs.shape
    horizon, n_covariates = future.shape[1:]
    width = max(n_features, n_covariates)
    packed = torch.zeros((n, n_steps + horizon, width), dtype=inputs.dtype, device=inputs.device)
    packed[:, :n_steps, :n_features] = inputs
    packed[:, n_steps:, :n_covariates] = torch.as_tensor(future, device=inputs.device)
    return packed


class CovariateNetwork(RecurrentNetwork):
    """The recurrent encoder plus a per-step decoder of the known-future covariates.

    Its input is :func:`pack_inputs`' layout: the look-back window, then ``n_future``
    steps holding the covariates of each forecast step. The encoder reads the window
    only; output step k is the linear head of the encoder state (one weight set per
    step, as without covariates) plus a small network, shared by all steps, of the
    encoder state concatenated with the standardised covariates of step k.
    """

    def __init__(self, n_inputs, n_outputs, *, n_future, n_covariates, **kwargs):
        super().__init__(n_inputs, n_outputs, **kwargs)
        self.init_args.update(n_future=n_future, n_covariates=n_covariates)
        self.n_future = n_future
        self.n_covariates = n_covariates
        self.per_step = n_outputs // n_future  # e.g. one output per quantile level
        width = self.head.in_features
        # The encoder's forward then returns the pooled state; the heads read it here.
        self.output = self.head
        self.head = nn.Identity()
        # Each step's covariates, and their change since step 1: the encoder reads the
        # window relative to its last step (with an anchor), so a level-type covariate
        # (temperature) tells its effect best as a change.
        self.register_buffer("future_shift", torch.zeros(2 * n_covariates))
        self.register_buffer("future_scale", torch.ones(2 * n_covariates))
        self.decoder = nn.Sequential(
            nn.Linear(width + 2 * n_covariates, width), nn.ReLU(), nn.Linear(width, self.per_step)
        )

    def forward(self, x, lengths=None):
        window = x[:, : -self.n_future, : self.input_shift.shape[0]]
        future = x[:, -self.n_future :, : self.n_covariates]
        state = super().forward(window, lengths)
        future = torch.cat([future, future - future[:, :1]], dim=2)
        future = (future - self.future_shift) / self.future_scale
        steps = torch.cat([state[:, None, :].expand(-1, self.n_future, -1), future], dim=2)
        return self.output(state) + self.decoder(steps).reshape(len(x), -1)


def with_future_head(network, future):
    """``network`` (a built-in RecurrentNetwork) as a :class:`CovariateNetwork` reading
    ``future`` (n, horizon, n_covariates): the same encoder weights and input scaling,
    a fresh decoder, the block standardised with the training block's statistics."""
    horizon, n_covariates = future.shape[1:]
    args = dict(network.init_args)
    n_outputs = args["n_outputs"]
    if n_outputs % horizon:
        raise ValueError(
            f"The future covariates cover {horizon} steps, but the model has {n_outputs} "
            f"outputs; give y one column per step (make_supervised(..., horizon={horizon}))."
        )
    decoded = CovariateNetwork(**args, n_future=horizon, n_covariates=n_covariates)
    state = {k: v for k, v in network.state_dict().items() if not k.startswith("head.")}
    state["output.weight"] = network.head.weight
    state["output.bias"] = network.head.bias
    missing = decoded.load_state_dict(state, strict=False).missing_keys
    assert all(k.startswith(("decoder.", "future_")) for k in missing), missing
    future = future.astype(np.float64)
    flat = np.concatenate([future, future - future[:, :1]], axis=2).reshape(-1, 2 * n_covariates)
    scale = flat.std(axis=0)
    decoded.future_shift.copy_(torch.from_numpy(flat.mean(axis=0).astype(np.float32)))
    scale = np.where(scale > 1e-12, scale, 1.0).astype(np.float32)
    decoded.future_scale.copy_(torch.from_numpy(scale))
    decoded.input_transform = network.input_transform
    return decoded


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
