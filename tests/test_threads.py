"""torch's threads: fits in threads of one process run in parallel and stay reproducible;
each fit runs on the threads its n_threads asks for and restores torch's setting."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from lstmforecast import LSTMRegressor
from lstmforecast._utils.threads import torch_threads, training_threads

from .conftest import TINY

# Dropout between layers, on the inputs and on the recurrent weights: every kind of
# draw from torch's global RNG that training makes.
# smoothing_anchor=False: these short series would forecast without a network.
DROPOUT = dict(TINY, num_layers=2, dropout=0.3, recurrent_dropout=0.2, smoothing_anchor=False)


def windows(rng, n=96):
    series = np.sin(np.arange(n + 6) / 4.0) + 0.1 * rng.normal(size=n + 6)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], 6)[:n, :, None]
    return X.astype(np.float32), series[6:]


def test_threaded_fits_with_dropout_equal_sequential_ones(rng):
    X, y = windows(rng)

    def fit_predict(seed):
        return LSTMRegressor(**dict(DROPOUT, random_state=seed)).fit(X, y).predict(X)

    sequential = [fit_predict(seed) for seed in (0, 1)]
    with ThreadPoolExecutor(2) as pool:
        threaded = list(pool.map(fit_predict, (0, 1)))
    np.testing.assert_array_equal(threaded[0], sequential[0])
    np.testing.assert_array_equal(threaded[1], sequential[1])
    assert not np.array_equal(sequential[0], sequential[1])


class WaitForOther:
    """Holds the first fit after its first batch until the other fit has trained an
    epoch: possible only if the first fit does not keep the global RNG lock between
    batches (the other fit needs it to draw its initial weights)."""

    def __init__(self, started, trained):
        self.started, self.trained, self.waited = started, trained, None

    def on_batch_end(self, estimator, batch, logs):
        if self.waited is None:
            self.started.set()
            self.waited = self.trained.wait(timeout=20)


class Signal:
    def __init__(self, event):
        self.event = event

    def on_epoch_end(self, estimator, epoch, logs):
        self.event.set()


def test_a_fit_with_dropout_does_not_block_other_fits(rng):
    X, y = windows(rng)
    started, trained = threading.Event(), threading.Event()
    waiter = WaitForOther(started, trained)
    first = LSTMRegressor(**dict(DROPOUT, max_epochs=1), callbacks=[waiter])
    second = LSTMRegressor(**dict(DROPOUT, max_epochs=1), callbacks=[Signal(trained)])
    thread = threading.Thread(target=first.fit, args=(X, y))
    thread.start()
    assert started.wait(timeout=60)
    second.fit(X, y)
    thread.join()
    assert waiter.waited is True


class ThreadsSeen:
    """Records torch's intra-op thread count while the estimator trains."""

    def on_epoch_end(self, estimator, epoch, logs):
        self.threads = torch.get_num_threads()


@pytest.mark.parametrize("n_threads, expected", [("auto", 1), (2, 2), (None, 3)])
def test_fit_runs_on_the_requested_threads_and_restores_torch(rng, n_threads, expected):
    X, y = windows(rng, n=40)
    seen = ThreadsSeen()
    before = torch.get_num_threads()
    torch.set_num_threads(3)  # a user's own setting: "auto" lowers it, None keeps it
    try:
        # early_stopping=False: a network is trained however short the series
        model = LSTMRegressor(**TINY, n_threads=n_threads, early_stopping=False, callbacks=[seen])
        model.fit(X, y)
        assert seen.threads == expected
        assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)


def test_auto_keeps_torch_threads_only_for_large_batches():
    cpu = torch.device("cpu")
    assert training_threads("auto", batch_size=256, hidden_size=64, device=cpu) == 1
    assert training_threads("auto", batch_size=1024, hidden_size=128, device=cpu) is None
    assert training_threads(4, batch_size=16, hidden_size=8, device=cpu) == 4


def test_overlapping_blocks_restore_torch_only_when_the_last_ends():
    before = torch.get_num_threads()
    first, second = torch_threads(1), torch_threads(2)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # ends first: torch keeps the count still in use
    assert torch.get_num_threads() == 2
    second.__exit__(None, None, None)
    assert torch.get_num_threads() == before


def test_invalid_n_threads_is_refused_before_training(rng):
    X, y = windows(rng, n=40)
    with pytest.raises(ValueError, match="n_threads"):
        LSTMRegressor(**TINY, n_threads=0).fit(X, y)
