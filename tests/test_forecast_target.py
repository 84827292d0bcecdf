"""The forecast target: y -> the network's targets -> y, in numpy and in torch alike."""

import numpy as np
import pandas as pd
import pytest
import torch

from lstmforecast import LSTMRegressor, Windower, make_supervised
from lstmforecast._preprocessing.sequences import Sequences
from lstmforecast._preprocessing.window_level import _seasonal_profile
from lstmforecast._recurrent.forecast_target import ForecastTarget, TorchForecastTarget

from .conftest import TINY

N_STEPS = 30


def windows_of(series, n_steps=N_STEPS):
    """Consecutive windows (n, T, 1) of a series, the first ones front-padded as a
    Windower pads them, and the value that follows each window."""
    padded = np.r_[np.full(n_steps - 1, np.nan), series]
    windows = np.lib.stride_tricks.sliding_window_view(padded, n_steps)[:-1]
    values = np.ascontiguousarray(windows, dtype=np.float32)[:, :, None]
    lengths = np.minimum(np.arange(1, len(values) + 1), n_steps)
    return Sequences(values, lengths), series[1:]


def seasonal_series(n=260, seed=0):
    """Monthly-like: a strong season for the first half, almost none afterwards, so the
    "level" scale keeps some windows' profile and flattens others'."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    swing = np.where(t < n // 2, 3.0, 0.05)
    return 10 + 0.02 * t + swing * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, n)


def targets_of(following, horizon):
    """y (n, horizon): the values after each window."""
    padded = np.r_[following, np.full(horizon - 1, np.nan)]
    y = np.lib.stride_tricks.sliding_window_view(padded, horizon)
    keep = ~np.isnan(y).any(axis=1)
    return y, keep


CONFIGURATIONS = [
    dict(window_scale=None),
    dict(window_scale="std"),
    dict(window_scale="mean_abs", anchor=None),
    dict(window_scale="level", season_length=12),
    dict(window_scale="level", season_length=12, transform="log"),
    dict(window_scale=None, season_length=12, transform="boxcox"),
]


@pytest.mark.parametrize("config", CONFIGURATIONS)
def test_decode_undoes_encode(config):
    sequences, following = windows_of(seasonal_series())
    y, keep = targets_of(following, 4)
    sequences = Sequences(sequences.values[keep], sequences.lengths[keep])
    y = y[keep]
    target, encoded, targets, _ = ForecastTarget.fit(sequences, y, **config)
    assert targets.dtype == np.float32 and targets.shape == y.shape
    np.testing.assert_allclose(target.encode(y, encoded), targets, rtol=1e-6, atol=1e-6)
    decoded = target.inverse(target.decode(targets.astype(np.float64), encoded))
    np.testing.assert_allclose(decoded, y, rtol=1e-5)
    # the windows handed in are left as they were
    assert np.isnan(sequences.values[0, 0, 0]) and sequences.values[-1, -1, 0] == np.float32(
        following[-5]
    )


@pytest.mark.parametrize("config", CONFIGURATIONS)
def test_torch_encoding_and_decoding_equal_numpy(config):
    sequences, following = windows_of(seasonal_series())
    y, keep = targets_of(following, 3)
    target, _, _, _ = ForecastTarget.fit(
        Sequences(sequences.values[keep], sequences.lengths[keep]), y[keep], **config
    )
    encoded = target.encode_inputs(sequences)  # padded windows included
    in_torch = TorchForecastTarget(target, N_STEPS)
    values, divisors = in_torch.encode_inputs(torch.from_numpy(sequences.values))
    np.testing.assert_allclose(values.numpy(), encoded.values, rtol=1e-6, equal_nan=True)
    if config["window_scale"] is None:
        assert divisors is None and encoded.divisors is None
    else:
        # float32 round-off: torch takes the log in float64 (the graph has no log1p)
        np.testing.assert_allclose(divisors.numpy(), encoded.divisors, rtol=1e-6)
    outputs = np.random.default_rng(1).normal(size=(len(sequences), 3)).astype(np.float32)
    expected = target.inverse(target.decode(outputs, encoded))
    got = in_torch.decode(torch.from_numpy(outputs), values, divisors).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_the_level_scale_in_torch_keeps_and_drops_seasonal_profiles_as_numpy_does():
    sequences, _ = windows_of(seasonal_series())
    profiles = _seasonal_profile(sequences.values.astype(np.float64), 12)
    flat = (profiles == 1).all(axis=1).ravel()
    assert flat.any() and not flat.all()  # both outcomes of the F-test are compared
    target = ForecastTarget(
        2, window_scale="level", level_season=12, shift=np.zeros(2), scale=np.ones(2)
    )
    divisors = target.encode_inputs(sequences).divisors
    _, in_torch = TorchForecastTarget(target, N_STEPS).encode_inputs(
        torch.from_numpy(sequences.values)
    )
    np.testing.assert_allclose(in_torch.numpy(), divisors, rtol=1e-10)


def test_the_anchor_is_contested_only_where_just_the_seasonal_one_beats_the_mean():
    t = np.arange(240)
    cycle = 5 + np.sin(2 * np.pi * t / 10) + np.random.default_rng(3).normal(0, 0.3, 240)
    trend = 5 + 0.1 * t + np.random.default_rng(3).normal(0, 0.3, 240)
    contested = {}
    for name, series in {"cycle": cycle, "trend": trend}.items():
        sequences, following = windows_of(series, 10)
        y, keep = targets_of(following, 5)
        sequences = Sequences(sequences.values[keep], sequences.lengths[keep])
        target, _, _, contested[name] = ForecastTarget.fit(sequences, y[keep], season_length=10)
        assert target.anchor == 0
    assert contested == {"cycle": True, "trend": False}


def test_fit_leaves_no_private_flags_behind():
    """What fit keeps beside the fitted attributes is the training state and the target's
    standardisation, nothing that steers a later call (a flag read on the next fit)."""
    X, y = make_supervised(pd.Series(seasonal_series(220), name="y"), horizon=3)
    windows = Windower(look_back=12).fit_transform(X)
    model = LSTMRegressor(**TINY, window_scale="level", target_transform="log").fit(windows, y)
    private = {name for name in vars(model) if name.startswith("_")}
    expected = {"_seed", "_optimizer_state", "_input_stats", "_steps_are_columns"}
    assert private == expected | {"_y_shift", "_y_scale", "_y_1d"}


def test_without_an_anchor_the_lags_are_zeros_as_files_have_always_held_them():
    sequences, following = windows_of(seasonal_series(), 10)
    y, keep = targets_of(following, 2)
    sequences = Sequences(sequences.values[keep], sequences.lengths[keep])
    target, _, _, _ = ForecastTarget.fit(sequences, y[keep], anchor=None)
    assert target.anchor is None and target.seasons == ()
    np.testing.assert_array_equal(target.lags, [0, 0])
