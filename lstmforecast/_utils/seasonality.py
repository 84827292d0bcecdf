"""Season lengths and a look-back read from a series' autocorrelation (training data only).

The rule, documented in the user guide: remove the series' straight-line trend, take its
autocorrelation function (ACF) up to half the series (two seasons must be seen), and call
a lag ``m >= 2`` a season when the ACF has a local maximum there that is above
``MIN_SEASON_ACF`` and rises at least ``MIN_PROMINENCE`` above the lowest ACF between
lags m/2 and m (a trend or a random walk gives a smooth, decaying ACF without such
peaks; noise gives small bumps). Multiples of a season already found are the same
season, unless their ACF beats the season's neighbouring multiples (m - s and m + s) by
``NESTED_MARGIN``: a weekly pattern on top of a daily one (half-hourly load) peaks higher
at 336 than at 288 and 384.
"""

import numpy as np

# A seasonal peak must reach this autocorrelation and stand this far above its trough.
MIN_SEASON_ACF, MIN_PROMINENCE = 0.3, 0.3
# A multiple of a known season is a season of its own when its ACF is this much higher
# than at the neighbouring multiples.
NESTED_MARGIN = 0.03
# Longest season looked for: a year of daily rows, a week of ten-minute rows.
MAX_SEASON = 1008
# Look-back without a season: the last lag with a clear ACF, within these bounds.
MIN_LOOK_BACK, MAX_SHORT_LOOK_BACK = 8, 24
# Memory and time cap of look_back="auto".
MAX_LOOK_BACK = 1008
# Seasons are read from at most the latest this many rows (20 of the longest season):
# enough for a stable autocorrelation, and the cost stays flat on very long series.
MAX_SEASON_ROWS = 20 * (MAX_SEASON + 1)


def autocorrelation(series, max_lag):
    """ACF of ``series`` at lags 0..max_lag (FFT, the biased estimator as statsmodels')."""
    x = np.asarray(series, dtype=np.float64)
    x = x - x.mean()
    n = len(x)
    size = 1 << int(np.ceil(np.log2(2 * n - 1)))
    spectrum = np.fft.rfft(x, size)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), size)[: max_lag + 1]
    if acov[0] <= 0:
        return np.zeros(max_lag + 1)
    return acov / acov[0]


def season_lengths(series, max_seasons=2):
    """Season lengths of a 1-D series, strongest pattern first; () when none is clear.

    Parameters
    ----------
    series : array-like of shape (n,)
        Time-ordered values (training data only). NaN values are dropped; only the
        latest ``MAX_SEASON_ROWS`` are read.
    max_seasons : int, default=2
        How many seasons to return at most.

    Returns
    -------
    seasons : tuple of int
    """
    values = np.asarray(series, dtype=np.float64)
    values = values[np.isfinite(values)][-MAX_SEASON_ROWS:]
    max_lag = min(len(values) // 2, MAX_SEASON + 1)
    if max_lag < 3:
        return ()
    time = np.arange(len(values), dtype=np.float64)
    residual = values - np.polyval(np.polyfit(time, values, 1), time)
    if np.ptp(residual) <= 1e-12 * max(1.0, np.abs(values).max()):
        return ()
    acf = autocorrelation(residual, max_lag)
    lags = np.arange(2, max_lag)  # a peak needs a neighbour on each side
    peak = (acf[lags] >= acf[lags - 1]) & (acf[lags] >= acf[lags + 1])
    peak &= acf[lags] > MIN_SEASON_ACF
    candidates = [
        int(m) for m in lags[peak] if acf[m] - acf[(m + 1) // 2 : m].min() >= MIN_PROMINENCE
    ]
    seasons = []
    for m in candidates:
        nested = [s for s in seasons if _near_multiple(m, s)]
        neighbours = [acf[k] for s in nested for k in (m - s, m + s) if k <= max_lag]
        if nested and acf[m] < max(neighbours) + NESTED_MARGIN:
            continue
        seasons.append(m)
    seasons.sort(key=lambda m: -acf[m])
    return tuple(seasons[:max_seasons])


def _near_multiple(lag, season):
    """True when ``lag`` is near a multiple of ``season``: within one row, or 10 % of the
    lag, since a season of 52.18 weeks drifts off the multiples of 52."""
    remainder = lag % season
    return min(remainder, season - remainder) <= max(1.0, 0.1 * lag)


def auto_look_back(series, seasons=None):
    """The ``look_back`` of ``Windower(look_back="auto")`` for a 1-D training series.

    With a season: the longest season (so that the value one season before every forecast
    step is inside the window), capped at ``MAX_LOOK_BACK``. Without: the last lag up to
    24 whose autocorrelation of the differenced series is significant (beyond
    ``2 / sqrt(n)``), and at least 8.
    """
    values = np.asarray(series, dtype=np.float64)
    values = values[np.isfinite(values)]
    if seasons is None:
        seasons = season_lengths(values)
    if seasons:
        return int(min(max(seasons), MAX_LOOK_BACK))
    change = np.diff(values)
    if len(change) < 4 or np.ptp(change) == 0:
        return MIN_LOOK_BACK
    max_lag = min(MAX_SHORT_LOOK_BACK, len(change) - 1)
    acf = autocorrelation(change, max_lag)
    significant = np.flatnonzero(np.abs(acf[1:]) > 2 / np.sqrt(len(change))) + 1
    last = int(significant.max()) if significant.size else 1
    return int(np.clip(last, MIN_LOOK_BACK, MAX_SHORT_LOOK_BACK))
