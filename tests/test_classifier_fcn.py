"""The classifier's fully convolutional branch (``fcn_channels``) and its per-sequence
summary (``sequence_scale="zscore+level"``): what they learn, that padding never
changes a result, and that saved and exported models predict as the fitted one."""

import numpy as np
import pytest
import torch

from lstmforecast import LSTMClassifier
from lstmforecast._torch.device import supports_bf16
from lstmforecast._torch.network import MaskedBatchNorm1d
from lstmforecast._torch.sequence_scaling import SPREAD_FLOOR, summarise_each_sequence

from .conftest import TINY

BRANCH = dict(TINY, fcn_channels=(8, 8), sequence_scale="zscore+level", early_stopping=False)


def ragged(rng, n=60, n_steps=12):
    """Sequences of 4..n_steps steps (leading NaN), two features, labelled by the sign
    of their last value."""
    X = rng.normal(size=(n, n_steps, 2)).astype(np.float32)
    for row, length in enumerate(rng.integers(4, n_steps + 1, size=n)):
        X[row, : n_steps - length] = np.nan
    return X, np.where(X[:, -1, 0] > 0, "up", "down")


def test_a_padded_sequence_predicts_as_it_does_alone(rng):
    X, y = ragged(rng)
    clf = LSTMClassifier(**BRANCH).fit(X, y)
    together = clf.predict_proba(X)
    for row in range(0, len(X), 7):
        alone = X[row][~np.isnan(X[row]).all(axis=1)]
        np.testing.assert_allclose(clf.predict_proba([alone])[0], together[row], atol=1e-5)


def test_batch_norm_statistics_count_the_valid_steps_only():
    torch.manual_seed(0)
    h = torch.randn(3, 4, 6)
    lengths = torch.tensor([6, 2, 4])
    valid = torch.arange(6)[None, :] < lengths[:, None]
    masked, plain = MaskedBatchNorm1d(4), torch.nn.BatchNorm1d(4)
    out = masked(h, valid[:, None, :].float())
    # The valid steps side by side, as one batch of plain batch norm sees them.
    steps = torch.cat([h[i, :, : lengths[i]] for i in range(3)], dim=1)[None]
    expected = plain(steps)[0]
    got = torch.cat([out[i, :, : lengths[i]] for i in range(3)], dim=1)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(masked.running_mean, plain.running_mean)
    torch.testing.assert_close(masked.running_var, plain.running_var)


def test_the_summary_is_the_values_their_z_score_and_apart_level_and_log_spread():
    x = torch.tensor([[[np.nan], [1.0], [3.0]], [[2.0], [2.0], [2.0]]])
    steps, summary = summarise_each_sequence(x)
    assert steps.shape == (2, 3, 2) and summary.shape == (2, 2)
    assert torch.isnan(steps[0, 0]).all()  # the padding stays padding
    torch.testing.assert_close(steps[:, :, 0], x[:, :, 0], equal_nan=True)
    np.testing.assert_allclose(steps[0, 1:, 1], [-1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(steps[1, :, 1], 0.0)  # flat: zeros, no NaN
    # level and log-spread over the observed steps; a flat sequence's spread is floored
    np.testing.assert_allclose(summary[0], [2.0, np.log(1.0 + SPREAD_FLOOR)], atol=1e-6)
    np.testing.assert_allclose(summary[1], [2.0, np.log(SPREAD_FLOOR)], rtol=1e-6)


def test_zscore_plus_level_tells_apart_classes_that_differ_in_amplitude_alone(rng):
    # One noisy shape for both classes at random phase; class "loud" is five times
    # larger, noise included, so that z-scored sequences of the two classes are alike.
    n, n_steps = 120, 16
    t = np.linspace(0, 4 * np.pi, n_steps)[None, :] + rng.uniform(0, 2 * np.pi, (n, 1))
    loud = rng.integers(2, size=n)
    noisy = np.sin(t) + 0.3 * rng.normal(size=t.shape)
    X = (noisy * np.where(loud[:, None] == 1, 5.0, 1.0)).astype(np.float32)
    y = np.where(loud == 1, "loud", "quiet")
    params = dict(TINY, max_epochs=40, lr=0.01, early_stopping=False)
    level = LSTMClassifier(**params, sequence_scale="zscore+level").fit(X[:80], y[:80])
    shape_only = LSTMClassifier(**params, sequence_scale="zscore").fit(X[:80], y[:80])
    assert level.score(X[80:], y[80:]) >= 0.9
    # z-scoring alone removes the one difference: no better than a coin.
    assert shape_only.score(X[80:], y[80:]) <= 0.75


def test_the_branch_survives_save_load_and_onnx_export(tmp_path, rng):
    from lstmforecast import load, save

    X, y = ragged(rng, n=40, n_steps=6)
    clf = LSTMClassifier(**dict(BRANCH, max_epochs=2)).fit(X, y)
    expected = clf.predict_proba(X)
    save(clf, tmp_path / "clf.lstm")
    np.testing.assert_array_equal(load(tmp_path / "clf.lstm").predict_proba(X), expected)
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    from lstmforecast import export_onnx

    session = ort.InferenceSession(export_onnx(clf, tmp_path / "clf.onnx", look_back=6))
    np.testing.assert_allclose(session.run(None, {"windows": X})[0], expected, atol=1e-5)


@pytest.mark.parametrize("channels", [(), (8, 0), (8, 2.5), (True,)])
def test_fcn_channels_must_be_positive_counts(rng, channels):
    X, y = ragged(rng, n=20)
    with pytest.raises(ValueError, match="fcn_channels=.*non-empty tuple of positive ints"):
        LSTMClassifier(**dict(BRANCH, fcn_channels=channels)).fit(X, y)


@pytest.mark.parametrize("option", [dict(fcn_channels=(4,)), dict(sequence_scale="zscore+level")])
def test_the_built_in_layers_refuse_a_custom_module(rng, option):
    X, y = ragged(rng, n=20)

    class Last(torch.nn.Module):
        def __init__(self, n_inputs, n_outputs):
            super().__init__()
            self.linear = torch.nn.Linear(n_inputs, n_outputs)

        def forward(self, x, lengths):
            return self.linear(x[:, -1])

    with pytest.raises(ValueError, match="layer of the built-in network, which module="):
        LSTMClassifier(**TINY, module=Last, **option).fit(X, y)


@pytest.mark.skipif(
    not supports_bf16("cpu", "lstm"), reason="this CPU has no bf16 LSTM kernel (needs AVX-512)"
)
@pytest.mark.parametrize("padded", [False, True])
def test_bf16_training_keeps_batch_norm_statistics_in_float32(rng, padded):
    X, y = ragged(rng) if padded else (rng.normal(size=(60, 12, 2)), np.arange(60) % 2)
    clf = LSTMClassifier(**dict(BRANCH, max_epochs=3), precision="bf16").fit(X, y)
    norms = [m for m in clf.network_.modules() if isinstance(m, MaskedBatchNorm1d)]
    assert norms and all(m.running_var.dtype == torch.float32 for m in norms)
    assert all(torch.isfinite(m.running_var).all() for m in norms)
    assert np.isfinite(clf.predict_proba(X)).all()


def test_auto_gives_values_the_branch_and_summary_and_tokens_the_plain_network(rng):
    X, y = ragged(rng, n=30)
    values = LSTMClassifier(**dict(TINY, max_epochs=1)).fit(X, y).network_
    assert values.fcn is not None and values.sequence_summary
    tokens = rng.integers(1, 9, size=(30, 5))
    words = LSTMClassifier(**dict(TINY, max_epochs=1), embedding_dim=4).fit(tokens, y).network_
    assert words.fcn is None and not words.sequence_summary
