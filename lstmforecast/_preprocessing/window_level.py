"""Per-window level and multiplicative season, the normalisation of a global model.

A model trained on many series at once (a panel) must not see their levels: a shop
selling 10 a month and one selling 10,000 have the same shape to learn. The winners of
the forecasting competitions normalise each input by the series' own level and season
(Smyl's ES-RNN, the M4 winner, divides by an exponential-smoothing level and seasonal
indices; N-BEATS feeds windows a few horizons long). Here both come from the window
alone, so a prediction needs no series id and works for a series never seen in
training:

- the **level** is the mean of the window's last season (its last value without a
  season), the most recent value that no seasonal swing biases;
- the **seasonal profile** is the classical ratio-to-moving-average decomposition of
  the window: each step divided by the centred moving average of one season around
  it, averaged per phase of the season and normalised to mean 1. It needs two seasons
  in the window, positive values (a multiplicative season is a ratio) and phases
  that differ significantly (an F-test of the ratios grouped by phase); otherwise the
  profile is flat.

Each step of a window is divided by ``level * profile[phase]``, and the k-th step ahead
is multiplied back by ``level * profile[phase of step k]``, so the network sees and
predicts level-free, deseasonalised values and the forecast keeps the season.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.stats import f as f_distribution

__all__ = ["level_divisors"]

_TINY = np.finfo(np.float32).tiny
# Level of the F-test that keeps a window's seasonal profile.
SIGNIFICANCE = 0.9


def level_divisors(values, season, n_outputs, feature):
    """Divisors of a window's steps and of its targets.

    Parameters
    ----------
    values : ndarray of shape (n, T, f)
        Right-aligned windows, NaN where a window is padded.
    season : int
        Season length in steps; 1 for none.
    n_outputs : int
        Steps ahead predicted (column k of y is step t + k + 1).
    feature : int
        The target's feature, whose level and profile scale the targets.

    Returns
    -------
    step_divisors : ndarray of shape (n, T, f)
        ``level * profile`` at every step of every window, per feature.
    target_divisors : ndarray of shape (n, n_outputs)
        ``level * profile`` of ``feature`` at each step ahead.
    """
    values = values.astype(np.float64)  # float32 sums lose digits at large levels
    n, n_steps, _ = values.shape
    usable = season if season > 1 and n_steps >= 2 * season else 1
    level = _level(values, usable)
    if usable > 1:
        profile = _seasonal_profile(values, usable)  # (n, m, f)
    else:
        profile = np.ones((n, 1, values.shape[2]))
    # Phase of window step j: (j + pad) % m with the last step at phase m - 1, so step
    # k ahead (k = 1, 2, ...) is at phase (k - 1) % m.
    pad = -n_steps % usable
    step_phase = (np.arange(n_steps) + pad) % usable
    ahead_phase = np.arange(n_outputs) % usable
    step_divisors = level[:, None, :] * profile[:, step_phase, :]
    target_divisors = level[:, None, feature] * profile[:, ahead_phase, feature]
    return step_divisors, target_divisors


def _level(values, season):
    """Mean of the last ``season`` observed steps, per window and feature; the mean
    absolute value of the window, then 1, where that is zero or undefined."""
    with np.errstate(invalid="ignore"):
        tail = values[:, -season:, :]
        observed = ~np.isnan(tail)
        count = observed.sum(axis=1)
        level = np.where(observed, tail, 0.0).sum(axis=1) / np.maximum(count, 1)
        level = np.where(count > 0, level, np.nan)
        whole = ~np.isnan(values)
        mean_abs = np.where(whole, np.abs(values), 0.0).sum(axis=1) / np.maximum(
            whole.sum(axis=1), 1
        )
    level = np.where(np.abs(level) > _TINY, level, mean_abs)
    return np.where(np.abs(level) > _TINY, level, 1.0)


def _seasonal_profile(values, season):
    """Ratio-to-moving-average seasonal indices (n, season, f), mean 1 over a season;
    1 where a window holds a value <= 0 or too few steps to tell."""
    trend = _centred_mean(values, season)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = values / trend
    n, n_steps, n_features = values.shape
    pad = -n_steps % season
    padded = np.concatenate([np.full((n, pad, n_features), np.nan), ratios], axis=1)
    by_phase = padded.reshape(n, -1, season, n_features)
    known = ~np.isnan(by_phase)
    count = known.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        profile = np.where(known, by_phase, 0.0).sum(axis=1) / count
        significant = _significant(by_phase, known, profile, count)
        seen = count > 0
        mean = np.where(seen, profile, 0.0).sum(axis=1, keepdims=True) / seen.sum(
            axis=1, keepdims=True
        )
        profile = profile / mean
    positive = ~(values <= 0).any(axis=1)  # NaN padding compares False
    seasonal = (positive & significant)[:, None, :]
    ok = np.isfinite(profile) & (profile > _TINY) & seasonal
    return np.where(ok, profile, 1.0)


def _significant(by_phase, known, means, count):
    """Whether the phases' mean ratios differ more than noise explains, per window and
    feature: a one-way analysis of variance of the ratios grouped by phase, F-test at
    90%. A profile read from a window with no season is noise that the forecast would
    repeat (the Theta method, the M3 winner, also tests before deseasonalising)."""
    n_phases = (count > 0).sum(axis=1)  # (n, f)
    n_ratios = count.sum(axis=1)
    grand = np.where(count > 0, means * count, 0.0).sum(axis=1) / np.maximum(n_ratios, 1)
    between = np.where(count > 0, count * (means - grand[:, None, :]) ** 2, 0.0).sum(axis=1)
    within = np.where(known, (by_phase - means[:, None]) ** 2, 0.0).sum(axis=(1, 2))
    df_between, df_within = n_phases - 1, n_ratios - n_phases
    usable = (df_between > 0) & (df_within > 0)
    df_between, df_within = np.maximum(df_between, 1), np.maximum(df_within, 1)
    statistic = (between / df_between) / (within / df_within)
    return usable & (statistic > f_distribution.ppf(SIGNIFICANCE, df_between, df_within))


def _centred_mean(values, season):
    """Centred moving average of one season at every step (a 2 x m average for an even
    season, so that it is centred on a step); NaN where it does not fit or meets NaN."""
    width = season + 1 if season % 2 == 0 else season
    weights = np.full(width, 1.0 / season)
    if season % 2 == 0:
        weights[[0, -1]] = 0.5 / season
    n, n_steps, n_features = values.shape
    trend = np.full(values.shape, np.nan)
    if n_steps < width:
        return trend
    windows = sliding_window_view(values, width, axis=1)  # (n, T - w + 1, f, w)
    half = width // 2
    trend[:, half : n_steps - half] = windows @ weights
    return trend
