"""Run where PyTorch sees a GPU (the device tool); skipped everywhere else."""

import pickle

import numpy as np
import pytest
import torch

from lstmforecast import LSTMClassifier, LSTMRegressor, Windower, make_supervised

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.fixture(scope="module")
def windows():
    X, y = make_supervised(np.sin(np.arange(400) / 6))
    return Windower(look_back=12).fit_transform(X), y.to_numpy()


def test_auto_trains_on_cuda_and_matches_cpu(windows):
    X, y = windows
    params = dict(hidden_size=16, max_epochs=20, lr=0.01, random_state=0)
    gpu = LSTMRegressor(**params).fit(X, y)
    assert gpu.device_.type == "cuda"
    assert next(gpu.network_.parameters()).device.type == "cuda"
    cpu = LSTMRegressor(**params, device="cpu").fit(X, y)
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), atol=0.05)


def test_cuda_pickle_holds_cpu_tensors(windows):
    X, y = windows
    model = LSTMRegressor(hidden_size=8, max_epochs=3, random_state=0).fit(X, y)
    state = model.__getstate__()
    assert all(p.device.type == "cpu" for p in state["network_"].parameters())
    loaded = pickle.loads(pickle.dumps(model))
    assert loaded.device_.type == "cuda"
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-5)


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_mixed_precision_on_cuda_learns_like_fp32(windows, precision):
    X, y = windows
    params = dict(hidden_size=16, max_epochs=20, lr=0.01, random_state=0)
    full = LSTMRegressor(**params).fit(X, y)
    mixed = LSTMRegressor(**params, precision=precision).fit(X, y)
    full_mse = np.mean((full.predict(X) - y) ** 2)
    assert np.mean((mixed.predict(X) - y) ** 2) < 2 * full_mse + 0.01


def test_training_windows_take_the_memory_of_the_rows_only():
    rows = np.random.default_rng(0).normal(size=(100_000, 4))
    windows = Windower(look_back=64).fit_transform(rows)
    full_windows = windows.size * 4  # bytes of every window as a float32 tensor
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    model = LSTMRegressor(hidden_size=8, max_epochs=1, batch_size=256, random_state=0)
    model.fit(windows, rows[:, 0], sample_weight=np.ones(len(rows)))
    model.predict(windows)
    peak = torch.cuda.max_memory_allocated() - before
    assert peak < full_windows / 8, (peak, full_windows)


@pytest.mark.parametrize("precision", ["fp32", "bf16", "fp16"])
def test_default_classifier_trains_on_cuda_padded_or_not(precision):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(96, 24, 2)).astype(np.float32)
    X[::3, :10] = np.nan  # shorter sequences: the masked batch-norm path
    y = np.where(np.nanmean(X[:, :, 0], axis=1) > 0, "up", "down")
    clf = LSTMClassifier(max_epochs=5, random_state=0, precision=precision).fit(X, y)
    assert clf.device_.type == "cuda"
    proba = clf.predict_proba(X)
    assert np.isfinite(proba).all()
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(loaded.predict_proba(X), proba, rtol=1e-5, atol=1e-6)
