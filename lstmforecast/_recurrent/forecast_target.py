"""The forecast target of LSTMRegressor: how y becomes what the network learns, and back.

A fitted :class:`ForecastTarget` holds, in the order encoding applies them:

1. the target transform (Box-Cox lambda ``lam``, 0 for the log), applied to y and to
   the windows alike;
2. the window scale (``window_scale``): each window divided by its own scale, the
   target by that of the anchor feature (per step ahead with "level");
3. the anchor: the anchor feature's value ``lags`` rows before each window's end (the
   last value, or one season before the step ahead), or the smoothing anchor's
   forecast from the window, subtracted from the target;
4. the standardisation (``shift``, ``scale``) of what is left.

``encode_inputs`` puts windows on the network's scale (steps 1-2), ``encode`` turns y into
the network's targets and ``decode`` turns the network's outputs back into forecasts on
the transformed scale; ``inverse`` undoes the transform. :class:`TorchForecastTarget`
does ``encode_inputs`` and ``decode`` in torch for the ONNX graph.

The fitted values live on the estimator under the names persistence has always written
(``target_lambda_``, ``target_anchor_``, ``season_lengths_``, ``anchor_lags_``,
``anchor_units_``, ``smoothing_params_``, ``_y_shift``, ``_y_scale``), so models saved
before this object existed load unchanged; the estimator rebuilds the object from them.
"""

from dataclasses import dataclass, replace

import numpy as np
import torch
from scipy.stats import f as f_distribution

from .._preprocessing.sequences import Sequences
from .._preprocessing.window_level import SIGNIFICANCE, level_divisors
from .._utils.seasonality import detect_seasons
from .._utils.target_transform import check_positive, fit_lambda
from .._utils.target_transform import forward as transform_forward
from .._utils.target_transform import inverse as transform_inverse
from .smoothing_anchor import fit_smoothing, smoothing_forecast

WINDOW_SCALES = ("std", "mean_abs", "level")
_TINY = float(np.finfo(np.float32).tiny)


@dataclass
class EncodedSequences(Sequences):
    """Sequences on the network's scale, with the divisors ``window_scale`` took off the
    target of each window, (n, 1) or (n, n_outputs) with "level"; None without."""

    divisors: np.ndarray | None = None


@dataclass
class ForecastTarget:
    """y <-> the network's targets (see the module docstring); fitted by :meth:`fit`."""

    n_outputs: int
    transform: str | None = None  # target_transform, named in error messages
    lam: float | None = None
    window_scale: str | None = None
    level_season: int = 1
    anchor: int | None = None
    lags: np.ndarray | None = None
    units: tuple | None = None
    smoothing: dict | None = None
    shift: np.ndarray | None = None
    scale: np.ndarray | None = None
    seasons: tuple = ()  # the anchor's season lengths (season_lengths_)

    # -- fitting ------------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        sequences,
        y,
        *,
        transform=None,
        anchor="auto",
        season_length="auto",
        season_hint=None,
        window_scale=None,
        scale=True,
        smoothing=False,
    ):
        """Fit the target on training windows and their 2-D targets.

        Parameters
        ----------
        sequences : Sequences
            The training windows, on their own scale.
        y : ndarray of shape (n, n_outputs)
            The targets, float64.
        transform : {None, "log", "boxcox"}
            The target transform (its lambda is read from ``y[:, 0]``).
        anchor : "auto", int or None
            ``target_anchor``; None for no anchor (also for token inputs).
        season_length : "auto", int, list of int or None
            The season lengths the anchor may use.
        season_hint : int or None
            The season y's time index implies (``season_length="auto"`` prefers it).
        window_scale : {None, "std", "mean_abs", "level"}
        scale : bool
            Standardise what the network learns.
        smoothing : bool
            Whether the smoothing anchor may forecast alone: the estimator could not
            validate a network (too few validation rows for a point forecast).

        Returns
        -------
        target : ForecastTarget
        encoded : EncodedSequences
            The windows on the network's scale.
        targets : ndarray of shape (n, n_outputs), float32
            What the network learns (as :meth:`encode` gives it).
        contested : bool
            True when only the seasonal anchor beats predicting the mean: whether the
            network does better with it than without any anchor, only training tells.
        """
        n_outputs = y.shape[1]
        lam = None
        if transform is not None:
            check_positive(y, transform, "y")
            lam = fit_lambda(transform, y[:, 0], season_hint)
        target = cls(
            n_outputs,
            transform=transform,
            lam=lam,
            window_scale=window_scale,
            lags=np.zeros(n_outputs, dtype=np.int64),
        )
        transformed = target._transformed_inputs(sequences)
        y = transform_forward(y, lam)
        contested = False
        if anchor is not None:
            contested = target._choose_anchor(transformed, y, anchor, season_length, season_hint)
        if smoothing and anchor == "auto":
            target._choose_smoothing(transformed, y, season_length, season_hint)
            contested = contested and target.smoothing is None
        if window_scale == "level":
            target.level_season = level_season(target.seasons, season_length)
        encoded = target._scaled_windows(transformed)
        y = target._relative(y, encoded)
        if scale:
            target.shift = y.mean(axis=0)
            std = y.std(axis=0)
            target.scale = np.where(std > 1e-12, std, 1.0)
        else:
            target.shift, target.scale = np.zeros(n_outputs), np.ones(n_outputs)
        return target, encoded, target._standardised(y), contested

    def _choose_anchor(self, sequences, y, anchor, season_length, season_hint):
        """Set the anchor feature, its seasons and lags; return whether it is contested
        (see :meth:`fit`). Leaves the target without an anchor where "auto" finds none
        that beats the mean."""
        n_features = sequences.values.shape[2]
        units = self._feature_units(sequences, y)
        if anchor == "auto":
            last = sequences.values[:, -1, :] * units[:, 0] + units[:, 1]  # (n, f), y's units
            errors = np.array([np.abs(y - last[:, [j]]).mean() for j in range(n_features)])
            feature = int(np.argmin(errors))
        elif (
            isinstance(anchor, (int, np.integer))
            and not isinstance(anchor, bool)
            and -n_features <= anchor < n_features
        ):
            feature = int(anchor) % n_features
        else:
            raise ValueError(
                f'target_anchor must be "auto", None or a feature index in [0, {n_features}), '
                f"got {anchor!r}."
            )
        if not np.array_equal(units[feature], [1.0, 0.0]):
            self.units = (float(units[feature, 0]), float(units[feature, 1]))
        self.anchor = feature
        self.seasons = _find_seasons(sequences, feature, season_length, season_hint)
        self.lags = np.zeros(self.n_outputs, dtype=np.int64)
        if self.window_scale == "level":
            # The last value, deseasonalised by the window's profile and put back in the
            # season of each step ahead: the seasonal anchor is built in.
            return False
        errors = self._choose_lags(sequences, y)
        if anchor != "auto":
            return False
        # Anchor where it forecasts better than the mean. A cyclic series (sunspots,
        # El Nino) is worse off with its last value, not always with its last cycle:
        # whether the network does better with that anchor, only training tells.
        mean_error = np.abs(y - y.mean(axis=0)).mean()
        if not errors.mean() < mean_error:
            self.anchor, self.units, self.seasons = None, None, ()
            self.lags = np.zeros(self.n_outputs, dtype=np.int64)
            return False
        last_error = np.abs(y - self._anchor_at(sequences, self.lags * 0)).mean()
        return not last_error < mean_error

    def _feature_units(self, sequences, y):
        """Per feature, ``(slope, intercept)`` with ``y[t, 0] == slope * x[t + 1] +
        intercept`` on every training row when the feature is an exactly rescaled copy
        of the target (a scaler in front of the Windower), else ``(1, 0)``: the anchor
        is then read in y's units, and a scaler loses nothing (the network's inputs are
        level-free and standardised anyway). Needs consecutive windows, where row t+1's
        value is the next window's last step."""
        n_features = sequences.values.shape[2]
        units = np.tile([1.0, 0.0], (n_features, 1))
        if (
            self.lam is not None
            or self.window_scale is not None
            or len(sequences) < 4
            or not sequences.consecutive
        ):
            return units
        target = y[:-1, 0]
        spread = np.ptp(target)
        if not spread > 0:
            return units
        for j, later in enumerate(sequences.values[1:, -1, :].astype(np.float64).T):
            if not (np.ptp(later) > 0):  # constant, or NaN (padding)
                continue
            # A look at the first rows settles almost every feature without a fit over all
            # rows (2% of a one-epoch fit on 200k windows): most are no copy of the
            # target, and the target itself needs no units.
            head = slice(0, 64)
            if len(np.unique(later[head])) > 1:
                slope, intercept = np.polyfit(later[head], target[head], 1)
                off = np.abs(slope * later[head] + intercept - target[head]).max()
                if off > 1e-5 * spread or _same_units(slope, intercept, target):
                    continue
            slope, intercept = np.polyfit(later, target, 1)
            exact = np.abs(slope * later + intercept - target).max() <= 1e-5 * spread
            same_units = _same_units(slope, intercept, target)
            if exact and slope > 0 and not same_units:
                units[j] = slope, intercept
        return units

    def _choose_lags(self, sequences, y):
        """Per output column, how many rows before the window's end its anchor value lies
        (``lags``); return the training error of each column's anchor.

        Column k (0-based) of y is taken to be the step t+k+1 (as make_supervised builds
        it). Candidates: the last value (lag 0) and, for each season m, the value one
        season before that step (lag m * ceil((k+1)/m) - (k+1)) when the window reaches
        it; the one with the smallest training error wins.
        """
        lags = np.zeros(self.n_outputs, dtype=np.int64)
        best = np.abs(y - self._anchor_at(sequences, lags)).mean(axis=0)
        steps = np.arange(1, self.n_outputs + 1)
        for season in self.seasons:
            candidate = season * -(-steps // season) - steps
            candidate = np.where(candidate < sequences.n_steps, candidate, 0)
            errors = np.abs(y - self._anchor_at(sequences, candidate)).mean(axis=0)
            better = errors < best
            lags[better], best[better] = candidate[better], errors[better]
        self.lags = lags
        return best

    def _choose_smoothing(self, sequences, y, season_length, season_hint):
        """Make the smoothing anchor the forecast (see ``smoothing_anchor``) where the
        windows are those of one series without known-future covariates."""
        if sequences.future is not None:
            return  # known-future covariates carry what the anchor cannot see
        if not sequences.consecutive:
            return  # independent sequences, not the windows of one series
        feature, seasons = self.anchor, self.seasons
        if feature is None:  # no lag anchor beat y's mean, which a short trend favours
            last = sequences.values[:, -1, :]
            n_features = sequences.values.shape[2]
            errors = [np.abs(y - last[:, [j]]).mean() for j in range(n_features)]
            feature = int(np.argmin(errors))
            seasons = _find_seasons(sequences, feature, season_length, season_hint)
        windows = sequences.values[:, :, feature]
        self.smoothing = fit_smoothing(windows, y, max(seasons, default=1))
        self.anchor, self.seasons = feature, seasons
        self.lags = np.zeros(self.n_outputs, dtype=np.int64)

    # -- encoding and decoding ---------------------------------------------------------
    def encode_inputs(self, sequences):
        """The windows on the network's scale (transformed, then scaled per window), as
        :class:`EncodedSequences`; the given ones are left untouched."""
        return self._scaled_windows(self._transformed_inputs(sequences))

    def encode(self, y, encoded):
        """The network's targets (n, n_outputs) float32 from y on its own scale, 2-D, and
        the windows :meth:`encode_inputs` made."""
        if self.lam is not None:
            check_positive(y, self.transform, "y")
        return self._standardised(self._relative(transform_forward(y, self.lam), encoded))

    def decode(self, outputs, encoded):
        """Forecasts on the transformed scale (:meth:`inverse` gives y's) from the
        network's outputs, (n, n_outputs) or (n, n_outputs, k) for k quantiles each."""

        def per_output(array):  # broadcast over the quantile axis, if any
            return array.reshape(array.shape + (1,) * (outputs.ndim - 2))

        values = outputs.astype(np.float64) * per_output(self.scale) + per_output(self.shift)
        if self.smoothing is not None:
            values = np.zeros_like(values)  # the smoothing anchor alone: no network trained
        if self.anchor is not None:
            values += per_output(self.anchor_values(encoded))
        if encoded.divisors is not None:
            values *= per_output(encoded.divisors)
        return values

    def transformed(self, y):
        """y on the transformed scale (where residuals and quantiles are calibrated)."""
        return transform_forward(y, self.lam)

    def inverse(self, values):
        """Transformed-scale forecasts back on y's scale."""
        return transform_inverse(values, self.lam)

    def spreads(self, encoded):
        """Per window, the scale its interval residuals are measured in: its own with a
        window_scale (with "level", the mean of its steps-ahead divisors), else 1."""
        if encoded.divisors is None:
            return np.ones(len(encoded))
        return encoded.divisors.mean(axis=1)

    def anchor_values(self, encoded):
        """Each window's anchor per output column, (n, n_outputs), on the encoded scale."""
        if self.smoothing is not None:
            windows = encoded.values[:, :, self.anchor]
            return smoothing_forecast(windows, self.smoothing, self.n_outputs)
        return self._anchor_at(encoded, self.lags)

    def _anchor_at(self, sequences, lags):
        """The anchor feature ``lags[j]`` rows before each window's end, (n, len(lags));
        the last value where the window does not reach back that far (padding)."""
        values = sequences.values[:, -1 - lags, self.anchor].astype(np.float64)
        last = sequences.values[:, -1, self.anchor, None].astype(np.float64)
        values = np.where(np.isnan(values), last, values)
        if self.units is not None:
            values = values * self.units[0] + self.units[1]
        return values

    def _standardised(self, y):
        return ((y - self.shift) / self.scale).astype(np.float32)

    def _relative(self, y, encoded):
        """y (transformed) divided by the window scale, less the anchor."""
        if encoded.divisors is not None:
            y = y / encoded.divisors
        if self.anchor is not None:
            y = y - self.anchor_values(encoded)
        return y

    def _transformed_inputs(self, sequences):
        if self.lam is None:
            return sequences
        if sequences.values.ndim != 3 or not (np.nanmin(sequences.values) > 0):
            raise ValueError(
                f"target_transform={self.transform!r} works on X's scale too, so every value "
                "of X must be > 0 (numeric, not token ids). Use target_transform=None."
            )
        return replace(sequences, values=transform_forward(sequences.values, self.lam))

    def _scaled_windows(self, sequences):
        """Each window divided by its own per-feature scale (a copy), with the target's
        divisors; the windows as they are without a window_scale."""
        if self.window_scale is None:
            return EncodedSequences(sequences.values, sequences.lengths, sequences.future)
        feature = 0 if self.anchor is None else self.anchor
        if self.window_scale == "level":
            steps, targets = level_divisors(
                sequences.values, self.level_season, self.n_outputs, feature
            )
        else:
            scales = window_scales(sequences.values, self.window_scale)
            steps, targets = scales[:, None, :], scales[:, feature, None]
        values = (sequences.values / steps).astype(np.float32)
        return EncodedSequences(values, sequences.lengths, sequences.future, divisors=targets)


def _find_seasons(sequences, feature, season_length, season_hint):
    """Season lengths of the anchor feature, from the training rows only."""
    if season_length is None:
        return ()
    if not (isinstance(season_length, str) and season_length == "auto"):
        return tuple(int(m) for m in np.atleast_1d(season_length))
    # Independent sequences have no series to read a season from.
    series = sequences.values[:, -1, feature] if sequences.consecutive else None
    return detect_seasons(series, season_hint)


def level_season(seasons, season_length):
    """Season length of window_scale="level": the anchor's season, else the first one
    given in ``season_length``; 1 (none) when neither is known."""
    if not seasons and not (
        season_length is None or (isinstance(season_length, str) and season_length == "auto")
    ):
        seasons = np.atleast_1d(season_length)
    return int(seasons[0]) if len(seasons) else 1


def _same_units(slope, intercept, target):
    """Whether ``slope * x + intercept`` is x itself, on the target's scale."""
    spread = np.ptp(target)
    return abs(slope - 1) <= 1e-5 and abs(intercept) <= 1e-5 * (spread + np.abs(target).mean())


def window_scales(values, kind):
    """Per window and feature, the scale of its observed steps, (n, f) float64.

    "std": standard deviation over the window's steps; "mean_abs": mean absolute value.
    NaN (front padding) is ignored. A zero or undefined scale falls back to the mean
    absolute value, then to 1, so that division is always defined.
    """
    values = values.astype(np.float64)  # (n, T, f): float32 sums lose digits at large levels
    observed = ~np.isnan(values)
    count = np.maximum(observed.sum(axis=1), 1)
    filled = np.where(observed, values, 0.0)
    mean_abs = np.abs(filled).sum(axis=1) / count
    if kind == "std":
        mean = filled.sum(axis=1) / count
        spread = np.where(observed, values - mean[:, None, :], 0.0)
        scales = np.sqrt((spread**2).sum(axis=1) / count)
    else:
        scales = mean_abs
    tiny = np.finfo(np.float32).tiny
    scales = np.where(scales > tiny, scales, mean_abs)
    return np.where(scales > tiny, scales, 1.0)


class TorchForecastTarget(torch.nn.Module):
    """A fitted :class:`ForecastTarget`'s ``encode_inputs`` and ``decode``, then its
    ``inverse``, in torch: the ONNX graph's (see ``export_onnx``). Float64 throughout, as
    the numpy side computes; the smoothing anchor is not ported."""

    def __init__(self, target, n_steps):
        super().__init__()
        if target.smoothing is not None:
            raise ValueError("the smoothing anchor has no torch port")
        self.lam, self.window_scale, self.anchor = target.lam, target.window_scale, target.anchor
        self.units = target.units
        self.feature = 0 if target.anchor is None else target.anchor
        self.register_buffer("shift", torch.as_tensor(target.shift, dtype=torch.float64))
        self.register_buffer("scale", torch.as_tensor(target.scale, dtype=torch.float64))
        lags = np.zeros(target.n_outputs, dtype=np.int64) if target.lags is None else target.lags
        # Per output, the step of the window its anchor value is read at.
        self.register_buffer("anchor_steps", torch.as_tensor(n_steps - 1 - lags))
        season = target.level_season
        self.season = season if season > 1 and n_steps >= 2 * season else 1
        pad = -n_steps % self.season
        self.register_buffer(
            "step_phase", torch.as_tensor((np.arange(n_steps) + pad) % self.season)
        )
        self.register_buffer(
            "ahead_phase", torch.as_tensor(np.arange(target.n_outputs) % self.season)
        )
        # The F-test's critical values, by degrees of freedom: a window's depend on how
        # much of it is padding, which only the data says.
        between, within = np.meshgrid(
            np.arange(max(self.season, 2)), np.arange(n_steps + 1), indexing="ij"
        )
        critical = f_distribution.ppf(SIGNIFICANCE, np.maximum(between, 1), np.maximum(within, 1))
        self.register_buffer("critical", torch.as_tensor(critical, dtype=torch.float64).flatten())
        self.n_columns = n_steps + 1

    def encode_inputs(self, windows):
        """Windows (n, T, f) float32 -> (the network's inputs, the target divisors)."""
        if self.lam is not None:
            # float64: ONNX has no expm1 / log1p, and exp(x) - 1 loses float32 digits.
            windows = transform_forward(windows.to(torch.float64), self.lam).to(torch.float32)
        if self.window_scale is None:
            return windows, None
        values = windows.to(torch.float64)
        if self.window_scale == "level":
            steps, targets = self._level_divisors(values)
        else:
            scales = _torch_window_scales(values, self.window_scale)
            steps, targets = scales[:, None, :], scales[:, self.feature, None]
        return (values / steps).to(torch.float32), targets

    def decode(self, outputs, windows, divisors):
        """The network's outputs (n, n_outputs) and its inputs -> forecasts on y's scale."""
        y = outputs.to(torch.float64) * self.scale + self.shift
        if self.anchor is not None:
            series = windows[:, :, self.anchor].to(torch.float64)
            lagged = series[:, self.anchor_steps]
            values = torch.where(torch.isnan(lagged), series[:, -1:], lagged)  # padding
            if self.units is not None:
                values = values * self.units[0] + self.units[1]
            y = y + values
        if divisors is not None:
            y = y * divisors
        return transform_inverse(y, self.lam)

    def _level_divisors(self, values):
        """window_level.level_divisors in torch."""
        level = _torch_level(values, self.season)
        if self.season > 1:
            profile = self._seasonal_profile(values)
        else:
            profile = torch.ones_like(level)[:, None, :]
        steps = level[:, None, :] * profile[:, self.step_phase, :]
        targets = level[:, None, self.feature] * profile[:, self.ahead_phase, self.feature]
        return steps, targets

    def _seasonal_profile(self, values):
        season = self.season
        ratios = values / _torch_centred_mean(values, season)
        n_steps, n_features = values.shape[1], values.shape[2]
        pad = -n_steps % season
        if pad:
            padding = torch.full_like(ratios[:, :pad], float("nan"))
            ratios = torch.cat([padding, ratios], dim=1)
        by_phase = ratios.reshape(-1, (n_steps + pad) // season, season, n_features)
        known = ~torch.isnan(by_phase)
        count = known.sum(dim=1)
        zero = torch.zeros((), dtype=values.dtype)
        profile = torch.where(known, by_phase, zero).sum(dim=1) / count
        significant = self._significant(by_phase, known, profile, count)
        seen = count > 0
        mean = torch.where(seen, profile, zero).sum(dim=1, keepdim=True) / seen.sum(
            dim=1, keepdim=True
        )
        profile = profile / mean
        positive = ~(values <= 0).any(dim=1)
        seasonal = (positive & significant)[:, None, :]
        ok = torch.isfinite(profile) & (profile > _TINY) & seasonal
        return torch.where(ok, profile, torch.ones((), dtype=values.dtype))

    def _significant(self, by_phase, known, means, count):
        zero = torch.zeros((), dtype=means.dtype)
        phases = count > 0
        n_phases = phases.sum(dim=1)
        n_ratios = count.sum(dim=1)
        grand = torch.where(phases, means * count, zero).sum(dim=1) / n_ratios.clamp_min(1)
        between = torch.where(phases, count * (means - grand[:, None, :]) ** 2, zero).sum(dim=1)
        within = torch.where(known, (by_phase - means[:, None]) ** 2, zero).sum(dim=(1, 2))
        df_between, df_within = n_phases - 1, n_ratios - n_phases
        usable = (df_between > 0) & (df_within > 0)
        df_between, df_within = df_between.clamp_min(1), df_within.clamp_min(1)
        statistic = (between / df_between) / (within / df_within)
        critical = self.critical[df_between * self.n_columns + df_within]
        return usable & (statistic > critical)


def _torch_window_scales(values, kind):
    """:func:`window_scales` in torch (float64 windows)."""
    observed = ~torch.isnan(values)
    count = observed.sum(dim=1).clamp_min(1)
    zero = torch.zeros((), dtype=values.dtype)
    filled = torch.where(observed, values, zero)
    mean_abs = filled.abs().sum(dim=1) / count
    if kind == "std":
        mean = filled.sum(dim=1) / count
        spread = torch.where(observed, values - mean[:, None, :], zero)
        scales = torch.sqrt((spread**2).sum(dim=1) / count)
    else:
        scales = mean_abs
    scales = torch.where(scales > _TINY, scales, mean_abs)
    return torch.where(scales > _TINY, scales, torch.ones((), dtype=values.dtype))


def _torch_level(values, season):
    """window_level's level (the mean of the last season's observed steps) in torch."""
    zero = torch.zeros((), dtype=values.dtype)
    tail = values[:, -season:, :]
    observed = ~torch.isnan(tail)
    count = observed.sum(dim=1)
    level = torch.where(observed, tail, zero).sum(dim=1) / count.clamp_min(1)
    level = torch.where(count > 0, level, torch.full((), float("nan"), dtype=values.dtype))
    whole = ~torch.isnan(values)
    mean_abs = torch.where(whole, values.abs(), zero).sum(dim=1) / whole.sum(dim=1).clamp_min(1)
    level = torch.where(level.abs() > _TINY, level, mean_abs)
    return torch.where(level.abs() > _TINY, level, torch.ones((), dtype=values.dtype))


def _torch_centred_mean(values, season):
    """window_level's centred moving average of one season, in torch: a sum of shifted
    slices (the graph's time axis is fixed)."""
    width = season + 1 if season % 2 == 0 else season
    weights = np.full(width, 1.0 / season)
    if season % 2 == 0:
        weights[[0, -1]] = 0.5 / season
    n_steps = values.shape[1]
    trend = torch.full_like(values, float("nan"))
    if n_steps < width:
        return trend
    span = n_steps - width + 1
    middle = sum(float(w) * values[:, k : k + span] for k, w in enumerate(weights))
    half = width // 2
    return torch.cat([trend[:, :half], middle, trend[:, n_steps - half :]], dim=1)
