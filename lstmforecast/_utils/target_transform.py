"""Variance-stabilising target transforms: the logarithm and Box-Cox with Guerrero's lambda.

A transform is a lambda: None (identity), 0 (log) or the Box-Cox power. The functions
work on numpy arrays and on torch tensors alike (the ONNX graph applies them too).
"""

import sys

import numpy as np

TRANSFORMS = (None, "log", "boxcox")
# Guerrero's search interval for lambda, as in R's forecast::BoxCox.lambda.
LAMBDA_BOUNDS = (-1.0, 2.0)


def check_positive(values, transform, what):
    """A clear error when a log / Box-Cox transform meets values <= 0."""
    values = np.asarray(values)
    if not (values > 0).all():
        raise ValueError(
            f"target_transform={transform!r} needs {what} > 0, but it holds values <= 0. "
            "Use target_transform=None, or shift the series to positive values."
        )


def fit_lambda(transform, series, frequency=None):
    """The lambda of ``transform`` for a positive, time-ordered training ``series``; Box-Cox
    reads it in blocks of the series' season (``detect_seasons``: the season of its time
    index's ``frequency``, else of its autocorrelation), else of two rows."""
    if transform is None:
        return None
    if transform == "log":
        return 0.0
    from .seasonality import detect_seasons

    return guerrero_lambda(series, (*detect_seasons(series, frequency), None)[0])


def guerrero_lambda(series, season=None):
    """Box-Cox lambda by Guerrero's method (1993).

    The series is cut into consecutive blocks of one season (two rows without a season);
    lambda minimises the coefficient of variation of ``std_i / mean_i ** (1 - lambda)``
    over the blocks, i.e. makes the spread of each block independent of its level.
    """
    from scipy.optimize import minimize_scalar

    values = np.asarray(series, dtype=np.float64)
    length = max(2, int(season or 2))
    n_blocks = len(values) // length
    if n_blocks < 2:
        return 1.0  # too short to tell: no transform beyond a shift
    blocks = values[len(values) - n_blocks * length :].reshape(n_blocks, length)
    means, stds = blocks.mean(axis=1), blocks.std(axis=1, ddof=1)
    if not (stds > 0).all():
        return 1.0

    def variation(lam):
        ratio = stds / means ** (1.0 - lam)
        return ratio.std(ddof=1) / ratio.mean()

    found = minimize_scalar(variation, bounds=LAMBDA_BOUNDS, method="bounded")
    return float(found.x)


def _is_tensor(values):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(values, torch.Tensor)


def forward(values, lam):
    """Box-Cox transform with ``lam`` (0: log); values must be > 0."""
    if lam is None:
        return values
    log = values.log() if _is_tensor(values) else np.log(values)
    if lam == 0:
        return log
    # expm1 keeps (x ** lam - 1) / lam exact in float32 when lam is near 0.
    return (log * lam).expm1() / lam if _is_tensor(values) else np.expm1(log * lam) / lam


def inverse(values, lam):
    """The inverse of :func:`forward`; values beyond the transform's range are clipped to
    its edge (a forecast below the reach of a power lambda is near 0, not NaN)."""
    if lam is None:
        return values
    if _is_tensor(values):
        if lam == 0:
            return values.exp()
        return ((values * lam).clamp_min(-1.0 + 1e-12).log1p() / lam).exp()
    if lam == 0:
        return np.exp(values)
    return np.exp(np.log1p(np.maximum(values * lam, -1.0 + 1e-12)) / lam)
