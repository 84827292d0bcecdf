"""Quantile forecasts: checking requested levels, the pinball loss of a multi-quantile head
and the non-crossing map from the head's raw outputs to ordered quantiles, and the one
conformal quantile computation (ConformalForecaster and LSTMRegressor's held-out
intervals both use it)."""

import inspect
import numbers
import sys
import warnings

import numpy as np

__all__ = [
    "check_quantiles",
    "conformal_quantiles",
    "coverage_quantiles",
    "interpolate_quantiles",
    "ordered_quantiles",
    "pinball_loss",
    "predicts_quantiles",
]


def predicts_quantiles(model, levels=None):
    """Whether ``model.predict(X, quantiles=levels)`` gives quantile forecasts (any levels
    in (0, 1) when ``levels`` is None).

    The one answer that :func:`forecast`, :func:`compare` and the command line use. A
    Pipeline answers for its last step, a search (``GridSearchCV``...) for its best
    estimator (for its ``estimator`` before it is fitted). An estimator whose answer
    depends on its parameters or its fit says so with a method ``_predicts_quantiles(levels)``
    (``LSTMRegressor``: a quantile head trained for a range that holds ``levels``, or the
    held-out residuals that early stopping keeps; ``PerSeriesForecaster``: its
    estimator's answer); any other predicts them when its ``predict`` takes ``quantiles``.
    """
    while True:
        if hasattr(model, "steps"):  # Pipeline
            model = model.steps[-1][1]
        elif hasattr(model, "best_estimator_"):  # a fitted search
            model = model.best_estimator_
        elif hasattr(model, "param_grid") or hasattr(model, "param_distributions"):
            model = model.estimator
        else:
            break
    own = getattr(model, "_predicts_quantiles", None)
    if callable(own):
        return bool(own(levels))
    predict = getattr(model, "predict", None)
    if predict is None:
        return False
    try:
        return "quantiles" in inspect.signature(predict).parameters
    except (TypeError, ValueError):  # a builtin without a signature
        return False


def check_quantiles(quantiles, name="quantiles"):
    """``quantiles`` as a float array: a non-empty, strictly increasing list in (0, 1)."""
    if isinstance(quantiles, numbers.Real) and not isinstance(quantiles, bool):
        quantiles = [quantiles]
    try:
        levels = np.asarray(quantiles, dtype=np.float64)
    except (TypeError, ValueError):
        levels = None
    if (
        levels is None
        or levels.ndim != 1
        or levels.size == 0
        or not np.all((levels > 0) & (levels < 1))
        or np.any(np.diff(levels) <= 0)
    ):
        raise ValueError(
            f"{name} must be a non-empty list of distinct levels in (0, 1), sorted "
            f"ascending, e.g. [0.1, 0.5, 0.9]; got {quantiles!r}."
        )
    return levels


def coverage_quantiles(coverage):
    """The (lower, upper) quantile levels of a central interval of probability ``coverage``."""
    if not isinstance(coverage, numbers.Real) or isinstance(coverage, bool) or not 0 < coverage < 1:
        raise ValueError(
            f"coverage must be a probability in (0, 1) such as 0.8 or 0.95, got {coverage!r}."
        )
    return (1 - coverage) / 2, (1 + coverage) / 2


def ordered_quantiles(raw, n_quantiles):
    """Map raw head outputs (..., n_outputs * k) to quantiles (..., n_outputs, k) that never
    cross: the lowest level, then softplus (positive) increments summed upwards.

    Works on torch tensors (training) and numpy arrays (prediction) alike.
    """
    shape = (*raw.shape[:-1], raw.shape[-1] // n_quantiles, n_quantiles)
    torch = sys.modules.get("torch")  # a tensor means torch is loaded; never import it here
    if torch is not None and isinstance(raw, torch.Tensor):
        raw = raw.reshape(shape)
        increments = torch.nn.functional.softplus(raw[..., 1:])
        return torch.cat([raw[..., :1], raw[..., :1] + increments.cumsum(-1)], dim=-1)
    raw = np.asarray(raw, dtype=np.float64).reshape(shape)
    increments = np.logaddexp(0.0, raw[..., 1:])  # softplus, overflow-safe
    return np.concatenate([raw[..., :1], raw[..., :1] + increments.cumsum(-1)], axis=-1)


def pinball_loss(levels):
    """A torch functional-style loss ``(outputs, targets, reduction)`` for a head with one
    output per (target, level).

    The mean over targets and levels of ``max(q (y - f), (q - 1) (y - f))``: its minimiser
    is the q-quantile of y given the inputs.
    """
    import torch

    level_tensor = torch.as_tensor(np.asarray(levels), dtype=torch.float32)

    def loss(outputs, targets, reduction="mean"):
        quantiles = ordered_quantiles(outputs, len(level_tensor))
        q = level_tensor.to(outputs.device)
        error = targets.unsqueeze(-1) - quantiles
        losses = torch.maximum(q * error, (q - 1) * error)
        # "none": one loss per sample and target, averaged over the levels.
        return losses.mean() if reduction == "mean" else losses.mean(-1)

    return loss


def interpolate_quantiles(values, fitted_levels, levels):
    """Quantiles at ``levels`` from quantiles at ``fitted_levels`` (last axis), linear in
    the level between neighbours; levels outside the fitted range are refused."""
    low, high = fitted_levels[0], fitted_levels[-1]
    outside = (levels < low - 1e-12) | (levels > high + 1e-12)
    if outside.any():
        raise ValueError(
            f"quantiles {levels[outside].tolist()} lie outside the levels this model was "
            f"trained for ({low:g} to {high:g}); refit with quantiles= covering them."
        )
    position = np.interp(levels, fitted_levels, np.arange(len(fitted_levels)))
    below = np.floor(position).astype(int)
    above = np.minimum(below + 1, len(fitted_levels) - 1)
    weight = position - below
    return values[..., below] * (1 - weight) + values[..., above] * weight


def spread_factors(values, y, levels):
    """Per level, the factor on the distance from the median that gives the level its
    nominal coverage on held-out rows (conformalized quantile regression, one-sided).

    ``values`` (n, n_outputs, k) are quantile forecasts at ``levels`` and ``y`` (n,
    n_outputs) the outcomes, on the same scale. Level q's forecast ``m + d`` (``m`` the
    median) becomes ``m + s d``: s is the empirical quantile of ``(y - m) / d`` at q
    (upper levels; 1 - q below the median, where d < 0), with the finite-sample
    correction ``ceil((N + 1) q) / N`` over the N pooled (row, step) points. Factors
    are at least 1: a head trained on its own training rows is too narrow on new data,
    and a few calm held-out rows must not make it narrower still. The median keeps 1.
    """
    median = interpolate_quantiles(values, levels, np.array([0.5]))[..., 0]
    outcome = (y - median).ravel()
    factors = np.ones(len(levels))
    for j, level in enumerate(levels):
        distance = (values[..., j] - median).ravel()
        usable = np.abs(distance) > 1e-9 * (np.abs(median).max() + 1.0)
        if level == 0.5 or usable.sum() < 2:
            continue
        ratio = outcome[usable] / distance[usable]
        target = level if level > 0.5 else 1 - level
        n = len(ratio)
        level_used = min(1.0, np.ceil((n + 1) * target) / n)
        factors[j] = max(1.0, np.quantile(ratio, level_used, method="higher"))
    return factors


def widen(values, levels, factors):
    """Apply :func:`spread_factors` to quantile forecasts (..., k), keeping them ordered."""
    median = interpolate_quantiles(values, levels, np.array([0.5]))
    return np.sort(median + factors * (values - median), axis=-1)


def conformal_quantiles(
    points, residuals, levels, *, weights=None, spread=None, symmetric=False, hint=None
):
    """Forecast quantiles: point forecasts plus the conformal quantiles of residuals.

    Parameters
    ----------
    points : ndarray of shape (n, horizon)
        Point forecasts.
    residuals : ndarray of shape (n_calibration, horizon)
        Signed calibration residuals (actual minus forecast), one column per step, in
        units of ``spread``.
    levels : ndarray of shape (k,)
        Quantile levels in (0, 1).
    weights : ndarray of shape (n_calibration,), default=None
        Weight of each residual; None: all equal (split conformal).
    spread : ndarray of shape (n,), default=None
        Scale of each row's residuals (e.g. its window's scale); None: 1.
    symmetric : bool, default=False
        Use the absolute residuals on both sides (each residual also counts with the
        opposite sign): intervals symmetric around the point, which need half as many
        calibration rows for a given level; the median is the point forecast.
    hint : str, default=None
        How to get more calibration rows, for the warning when they are too few.

    Returns
    -------
    quantiles : ndarray of shape (n, horizon, k)
    """
    levels = np.asarray(levels, dtype=np.float64)
    residuals = np.asarray(residuals, dtype=np.float64)
    weights = np.ones(len(residuals)) if weights is None else np.asarray(weights)
    if symmetric:
        residuals = np.concatenate([residuals, -residuals])
        weights = np.concatenate([weights, weights])
    offsets = weighted_residual_quantiles(residuals, weights, levels, hint=hint)
    if symmetric:
        offsets[:, levels == 0.5] = 0.0
    spread = np.ones(len(points)) if spread is None else np.asarray(spread)
    return points[:, :, None] + spread[:, None, None] * offsets[None, :, :]


def weighted_residual_quantiles(residuals, weights, levels, hint=None):
    """Conformal quantiles of residuals (n, horizon) at ``levels``: shape (horizon, k).

    A weight of 1 is placed at +infinity for levels >= 0.5 (at -infinity below), the
    finite-sample correction that makes the interval valid; when the calibration rows
    are too few for a level, the most extreme residual is used and a warning says so.
    """
    levels = np.asarray(levels, dtype=np.float64)
    order = np.argsort(residuals, axis=0, kind="stable")
    ordered = np.take_along_axis(residuals, order, axis=0)  # (n, horizon)
    sorted_weights = weights[order]
    total = weights.sum() + 1.0
    below = np.cumsum(sorted_weights, axis=0) / total  # mass at or below each residual
    above = np.cumsum(sorted_weights[::-1], axis=0)[::-1] / total  # at or above
    n, horizon = residuals.shape
    result = np.empty((horizon, len(levels)))
    short = []
    for column in range(horizon):
        upper = np.searchsorted(below[:, column], levels - 1e-12)  # first with mass >= q
        # Lower levels: the largest residual with mass >= 1 - q at or above it.
        lower = n - 1 - np.searchsorted(above[::-1, column], 1 - levels - 1e-12)
        position = np.where(levels >= 0.5, upper, lower)
        short.extend(levels[(position >= n) | (position < 0)].tolist())
        result[column] = ordered[np.clip(position, 0, n - 1), column]
    if short:
        named = ", ".join(f"{q:.6g}" for q in sorted(set(short)))
        warnings.warn(
            f"The {n} calibration residuals are too few for quantile levels [{named}]: the "
            "most extreme residual is used, so those intervals may be too narrow. "
            + (hint or "Use a larger calibration_size."),
            UserWarning,
            stacklevel=3,
        )
    return result


def held_out_residuals(y, points, spread):
    """Signed residuals (n, horizon) of point forecasts on held-out rows, in units of
    each row's ``spread`` (n,): what :func:`held_out_intervals` calibrates on."""
    return (np.asarray(y, dtype=np.float64).reshape(points.shape) - points) / spread[:, None]


def held_out_intervals(model, points, spread, levels):
    """Quantiles (n, horizon, k) around a model's point forecasts from the residuals it
    kept on its held-out rows (``interval_residuals_``), symmetric split conformal."""
    residuals = getattr(model, "interval_residuals_", None)
    if residuals is None:
        raise ValueError(
            f"This {type(model).__name__} has no held-out rows to calibrate quantiles on "
            "(it was fitted with early_stopping=False, or updated by partial_fit). Fit it "
            "with early_stopping=True (the default), or fit a quantile head "
            "(quantiles=(0.1, 0.5, 0.9)), or wrap it in ConformalForecaster."
        )
    hint = "Use a larger validation_fraction (or more rows), or ConformalForecaster."
    return conformal_quantiles(points, residuals, levels, spread=spread, symmetric=True, hint=hint)
