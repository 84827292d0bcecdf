import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline

import lstmforecast
from lstmforecast import LSTMAutoencoder, Windower
from lstmforecast._recurrent.autoencoder import worst_window_mean

from .conftest import TINY

FAST = dict(TINY, max_epochs=25, lr=0.01)


def waves(rng, n, n_steps=24):
    return np.sin(np.linspace(0, 2 * np.pi, n_steps) + rng.uniform(0, 2 * np.pi, (n, 1)))


def test_sequences_unlike_the_training_ones_score_lower(rng):
    normal = waves(rng, 200)
    detector = LSTMAutoencoder(**FAST, contamination=0.05).fit(normal)
    test_normal, test_noise = waves(rng, 50), rng.normal(size=(50, 24))
    scores = detector.score_samples(np.vstack([test_normal, test_noise]))
    truth = np.r_[np.ones(50), np.zeros(50)]
    assert roc_auc_score(truth, scores) > 0.95
    # The threshold flags the requested share of the training sequences.
    assert np.mean(detector.predict(normal) == -1) == pytest.approx(0.05, abs=0.01)
    np.testing.assert_array_equal(
        detector.predict(test_noise), np.where(detector.decision_function(test_noise) < 0, -1, 1)
    )


def test_padding_is_neither_reconstructed_nor_scored(rng):
    full = waves(rng, 60)[:, :, None]  # 3-D: sequences of any length may follow
    detector = LSTMAutoencoder(**FAST).fit(full)
    short = [row[5:] for row in full[:10]]
    padded = full[:10].copy()
    padded[:, :5] = np.nan  # leading all-NaN steps: padding
    ragged_scores = detector.score_samples(short)
    np.testing.assert_allclose(detector.score_samples(padded), ragged_scores, rtol=1e-5)
    # Shorter sequences are scored on their own steps, not on a zero-filled copy.
    assert not np.allclose(ragged_scores, detector.score_samples(full[:10]), rtol=1e-3)


def test_after_a_windower_every_time_step_gets_a_score(rng):
    series = np.sin(np.arange(600) * 2 * np.pi / 24) + rng.normal(0, 0.05, 600)
    broken = series.copy()
    broken[500:504] += 3.0  # a fault
    rows = pd.DataFrame({"value": broken})
    model = make_pipeline(Windower(look_back=12), LSTMAutoencoder(**FAST)).fit(rows[:400])
    scores = model.score_samples(rows[400:])  # continues the index: no padded windows
    assert scores.shape == (200,)
    # The windows that contain the fault score lowest.
    assert set(np.argsort(scores)[:4] + 400) <= set(range(500, 516))


def test_round_trip_and_errors(rng, tmp_path):
    X = waves(rng, 40)
    with pytest.raises(NotFittedError):
        LSTMAutoencoder(**FAST).score_samples(X)
    detector = LSTMAutoencoder(**FAST).fit(X, y=np.zeros(40))  # y is ignored
    joblib.dump(detector, tmp_path / "ae.joblib")
    loaded = joblib.load(tmp_path / "ae.joblib")
    np.testing.assert_array_equal(loaded.score_samples(X), detector.score_samples(X))
    lstmforecast.save(detector, tmp_path / "ae.lstm")  # safetensors + JSON, no pickle
    restored = lstmforecast.load(tmp_path / "ae.lstm")
    np.testing.assert_array_equal(restored.score_samples(X), detector.score_samples(X))
    with pytest.raises(
        ValueError,
        match=r"'contamination' parameter of LSTMAutoencoder must be a float in the range "
        r"\(0.0, 0.5\]",
    ):
        LSTMAutoencoder(contamination=0.7).fit(X)
    with pytest.raises(ValueError, match="features per time step"):
        detector.score_samples(np.zeros((3, 24, 2)))


def test_worst_window_mean_matches_a_plain_loop(rng):
    lengths = rng.integers(1, 30, 40)
    values = rng.random((40, 30)) * (np.arange(30)[None, :] < lengths[:, None])
    for window in (1, 4, 8, None):
        expected = []
        for row, length in zip(values, lengths):
            steps = row[:length]
            if window is None or length < window:
                expected.append(steps.mean())
            else:
                expected.append(
                    max(steps[i : i + window].mean() for i in range(length - window + 1))
                )
        np.testing.assert_allclose(worst_window_mean(values, lengths, window), expected)


def test_a_single_spike_in_a_long_sequence_is_flagged():
    # Averaged over 96 noisy steps, one bad step hardly moves a sequence's error; its
    # worst 8-step stretch stands out (over seeds 0-3: AUC 0.96-0.98 against 0.69-0.94
    # for the mean over the sequence).
    rng = np.random.default_rng(1)
    train = waves(rng, 200, n_steps=96) + rng.normal(0, 0.1, (200, 96))
    detector = LSTMAutoencoder(**FAST).fit(train)
    test = waves(rng, 100, n_steps=96) + rng.normal(0, 0.1, (100, 96))
    test[50:, 40] += 3.0
    truth = np.r_[np.ones(50), np.zeros(50)]
    assert roc_auc_score(truth, detector.score_samples(test)) > 0.9
    assert detector.step_error_scale_.shape == (96,)
    assert roc_auc_score(truth, detector.set_params(error_window=None).score_samples(test)) < 0.8


def test_a_detector_pickled_before_the_windowed_score_keeps_its_old_score(rng):
    X = waves(rng, 40)
    detector = LSTMAutoencoder(**FAST).fit(X)
    state = detector.__getstate__()
    del state["step_error_scale_"], state["error_window"]
    legacy = LSTMAutoencoder.__new__(LSTMAutoencoder)
    legacy.__setstate__(state)
    mean_error = detector._forward(X)[0].ravel()  # the network's per-sequence mean error
    np.testing.assert_allclose(legacy.score_samples(X), -mean_error, rtol=1e-5)
    assert legacy.error_window is None


@pytest.mark.parametrize("sequence_level", ["mean", "last"])
def test_sequence_level_makes_scores_blind_to_each_sequences_level(rng, sequence_level, tmp_path):
    X = np.stack([waves(rng, 40), waves(rng, 40) ** 2], axis=2)  # two features
    detector = LSTMAutoencoder(**FAST, sequence_level=sequence_level).fit(X)
    shifts = rng.uniform(-50, 50, (40, 1, 2))  # far outside the training range
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # levels beyond the training range are expected
        shifted = detector.score_samples(X + shifts)
    np.testing.assert_allclose(shifted, detector.score_samples(X), rtol=1e-3, atol=1e-3)
    lstmforecast.save(detector, tmp_path / "ae.lstm")
    restored = lstmforecast.load(tmp_path / "ae.lstm")
    assert restored.sequence_level == sequence_level
    np.testing.assert_array_equal(restored.score_samples(X), detector.score_samples(X))


def test_sequence_level_keeps_a_drifting_series_normal(rng):
    # Windows of a sine on a rising trend: later windows reach levels never seen in fit.
    # Without their level, they are the training windows again; with it, all abnormal.
    steps = np.arange(900)
    series = np.sin(steps * 2 * np.pi / 24) + 0.01 * steps + rng.normal(0, 0.05, 900)
    rows = pd.DataFrame({"value": series})
    flagged = {}
    for level in (None, "mean"):
        model = make_pipeline(
            Windower(look_back=24), LSTMAutoencoder(**FAST, sequence_level=level)
        ).fit(rows[:240])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # None: values beyond the training range
            flagged[level] = np.mean(model.predict(rows[700:]) == -1)
    assert flagged[None] > 0.9
    assert flagged["mean"] < 0.5
