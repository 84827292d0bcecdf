"""Quantile forecasts: checking requested levels, the pinball loss of a multi-quantile head
and the non-crossing map from the head's raw outputs to ordered quantiles."""

import numbers
import sys

import numpy as np

__all__ = [
    "check_quantiles",
    "coverage_quantiles",
    "interpolate_quantiles",
    "ordered_quantiles",
    "pinball_loss",
]


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
