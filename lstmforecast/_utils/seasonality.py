"""Season lengths and a look-back read from a series' autocorrelation (training data only).

``detect_seasons`` is the one season detector every caller uses (the Windower's
``look_back="auto"``, LSTMRegressor's seasonal anchor, the Box-Cox lambda's blocks): the
season a time index's frequency implies (``frequency_season``) when it is known, else the
seasons of the autocorrelation (``season_lengths``).

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
import pandas as pd

# A seasonal peak must reach this autocorrelation and stand this far above its trough.
MIN_SEASON_ACF, MIN_PROMINENCE = 0.3, 0.3
# A multiple of a known season is a season of its own when its ACF is this much higher
# than at the neighbouring multiples.
NESTED_MARGIN = 0.03
# Longest season looked for: a year of daily rows, a week of ten-minute rows.
MAX_SEASON = 1008
# Look-back without a season: the last lag with a clear ACF, within these bounds.
MIN_LOOK_BACK, MAX_SHORT_LOOK_BACK = 8, 24
# look_back="auto" on a series of fewer rows than this: windows over its whole history
# (at least MAX_SHORT_LOOK_BACK rows), which the smoothing anchor reads (see
# _smoothing_anchor.py). On M3 monthly the anchor's sMAPE was 15.8 with windows of two
# seasons, 15.1 with three, 14.3 with eight or more. Longer series keep windows of one
# season: their network learns from the rows, and longer windows cost it time.
SHORT_SERIES_ROWS = 150
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


def frequency_season(index):
    """The season a time index's frequency implies, or None when it has no known frequency.

    Calendar periods count their periods per year (monthly 12, quarterly 4, weekly 52,
    yearly 1); days have a weekly cycle (7, business days 5); steps shorter than a day a
    daily cycle (hourly 24, half-hourly 48). An index without a frequency set has it
    inferred from its labels.
    """
    if not isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)) or len(index) < 3:
        return None
    offset = index.freq
    if offset is None:
        try:
            inferred = pd.infer_freq(index)
        except (TypeError, ValueError):
            return None
        if inferred is None:
            return None
        offset = pd.tseries.frequencies.to_offset(inferred)
    code = offset.rule_code.upper().split("-")[0]
    step = max(int(getattr(offset, "n", 1)), 1)
    per_year = {
        "Y": 1,
        "A": 1,
        "YS": 1,
        "AS": 1,
        "BY": 1,
        "BYS": 1,
        "Q": 4,
        "QS": 4,
        "BQ": 4,
        "BQS": 4,
        "M": 12,
        "MS": 12,
        "ME": 12,
        "BM": 12,
        "BMS": 12,
        "SM": 24,
        "SMS": 24,
        "W": 52,
        "QE": 4,
        "YE": 1,
    }
    if code in per_year:
        return max(per_year[code] // step, 1)
    if code in ("B", "C"):
        return 5 if step == 1 else None
    try:
        length = pd.Timedelta(offset)
    except (TypeError, ValueError):
        return None
    day = pd.Timedelta(days=1)
    if length == day:
        return 7
    if length < day and day % length == pd.Timedelta(0) and day / length <= MAX_SEASON:
        return int(day / length)
    return None


def detect_seasons(series, frequency=None):
    """Season lengths of a time-ordered training series, strongest first; () when none.

    Parameters
    ----------
    series : array-like of shape (n,) or None
        The values; None when there is no series to read (independent windows).
    frequency : int or None, default=None
        The season the series' time index implies, ``frequency_season(index)``. When it
        is 2 or more it is the season; otherwise (no index, yearly rows) the seasons are
        read from the series' autocorrelation (:func:`season_lengths`).
    """
    if frequency is not None and frequency >= 2:
        return (int(frequency),)
    if series is None:
        return ()
    return season_lengths(series)


def auto_look_back(series, frequency=None):
    """The ``look_back`` of ``Windower(look_back="auto")`` for a long series, or for the
    longest series of a panel (``groups=``).

    With a season (:func:`detect_seasons`, given the ``frequency`` of the series' time
    index): the longest season (so that the value one season before every forecast
    step is inside the window), capped at ``MAX_LOOK_BACK``. Without: the last lag up to
    24 whose autocorrelation of the differenced series is significant (beyond
    ``2 / sqrt(n)``), and at least 8.
    """
    values = np.asarray(series, dtype=np.float64)
    values = values[np.isfinite(values)]
    seasons = detect_seasons(values, frequency)
    if seasons:
        return int(min(max(max(seasons), MIN_LOOK_BACK), MAX_LOOK_BACK))
    change = np.diff(values)
    if len(change) < 4 or np.ptp(change) == 0:
        return MIN_LOOK_BACK
    max_lag = min(MAX_SHORT_LOOK_BACK, len(change) - 1)
    acf = autocorrelation(change, max_lag)
    significant = np.flatnonzero(np.abs(acf[1:]) > 2 / np.sqrt(len(change))) + 1
    last = int(significant.max()) if significant.size else 1
    return int(np.clip(last, MIN_LOOK_BACK, MAX_SHORT_LOOK_BACK))


def series_look_back(series, frequency=None):
    """The ``look_back`` of ``Windower(look_back="auto")`` for one training series.

    Fewer than ``SHORT_SERIES_ROWS`` rows: the whole series, at least 24 rows. Longer
    series: :func:`auto_look_back` (the longest season, else the last clearly
    autocorrelated lag of the changes, 8 to 24).
    """
    values = np.asarray(series, dtype=np.float64)
    if len(values) < SHORT_SERIES_ROWS:
        return max(len(values), MAX_SHORT_LOOK_BACK)
    return auto_look_back(values, frequency)
