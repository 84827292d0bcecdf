"""Callbacks, loss_curve_, verbose output and interrupted fits."""

import logging

import numpy as np
import pandas as pd
import pytest
import torch

from lstmforecast import LSTMClassifier, LSTMRegressor
from lstmforecast.callbacks import Callback, Checkpoint, EpochLogger

from .conftest import TINY

# Short series forecast with the smoothing anchor alone; these tests train the network.
TINY_NET = dict(TINY, smoothing_anchor=False)


def sine_windows(n=80, look_back=6):
    series = np.sin(np.arange(n + look_back) / 4.0)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], look_back)[:n, :, None]
    return X.astype(np.float32), series[look_back : look_back + n]


class Recorder:
    """Duck-typed: no base class, every hook."""

    def __init__(self, stop_at=None):
        self.calls, self.stop_at = [], stop_at

    def on_train_begin(self, estimator):
        self.calls.append(("begin", estimator.network_.training))

    def on_batch_end(self, estimator, batch, logs):
        self.calls.append(("batch", batch, logs["size"], logs["loss"]))

    def on_epoch_end(self, estimator, epoch, logs):
        self.calls.append(("epoch", epoch, dict(logs)))
        logs["double_loss"] = 2 * logs["train_loss"]  # becomes a loss_curve_ column
        return self.stop_at is not None and epoch + 1 >= self.stop_at

    def on_train_end(self, estimator):
        self.calls.append(("end",))


def test_hooks_run_in_order_with_the_logs_history_keeps():
    X, y = sine_windows()
    recorder = Recorder()
    model = LSTMRegressor(
        **dict(TINY_NET, max_epochs=3), early_stopping=False, callbacks=[recorder]
    ).fit(X, y)
    kinds = [call[0] for call in recorder.calls]
    # 80 samples in batches of 32: 3 batches per epoch.
    assert kinds == ["begin"] + (["batch"] * 3 + ["epoch"]) * 3 + ["end"]
    assert [c[2] for c in recorder.calls if c[0] == "batch"][:3] == [32, 32, 16]
    epochs = [call for call in recorder.calls if call[0] == "epoch"]
    assert [call[1] for call in epochs] == [0, 1, 2]
    assert [call[2]["train_loss"] for call in epochs] == model.loss_curve_["train_loss"]
    np.testing.assert_allclose(
        model.loss_curve_["double_loss"], 2 * np.array(model.loss_curve_["train_loss"])
    )


def test_a_callback_stops_training_and_warm_starts_keep_counting():
    X, y = sine_windows()
    recorder = Recorder(stop_at=2)
    model = LSTMRegressor(**dict(TINY_NET, max_epochs=10), callbacks=[recorder], warm_start=True)
    model.fit(X, y)
    assert model.n_iter_ == 2
    recorder.stop_at = None
    model.set_params(max_epochs=2).fit(X, y)
    assert model.n_iter_ == 4 and model.loss_curve_["epoch"] == [1, 2, 3, 4]


def test_history_is_a_table_with_and_without_early_stopping():
    X, y = sine_windows()
    plain = LSTMRegressor(**TINY_NET, early_stopping=False).fit(X, y)
    early = LSTMRegressor(**TINY_NET, early_stopping=True).fit(X, y)
    for model in (plain, early):
        table = pd.DataFrame(model.loss_curve_)
        assert len(table) == model.n_iter_
        assert {"epoch", "train_loss", "valid_loss", "lr"} <= set(table.columns)
    assert pd.DataFrame(plain.loss_curve_)["valid_loss"].isna().all()
    assert pd.DataFrame(early.loss_curve_)["valid_loss"].notna().all()


def test_lr_schedule_is_recorded_in_history():
    X, y = sine_windows()
    # A large lr makes the loss stall now and then: the plateau schedule halves it.
    model = LSTMRegressor(
        **dict(TINY_NET, max_epochs=12),
        lr=1.0,
        lr_schedule="plateau",
        n_iter_no_change=4,
        tol=0,
        early_stopping=False,
        loss="mse",
    ).fit(X, y)
    lrs = model.loss_curve_["lr"]
    assert lrs[0] == 1.0 and set(lrs) == {1.0, 0.5} and lrs == sorted(lrs, reverse=True)


def test_verbose_2_logs_each_epoch_through_the_package_logger(caplog):
    X, y = sine_windows()
    with caplog.at_level(logging.INFO, logger="lstmforecast"):
        LSTMRegressor(**TINY_NET, verbose=2).fit(X, y)
    lines = [r.getMessage() for r in caplog.records if r.name == "lstmforecast"]
    assert len(lines) == TINY["max_epochs"]
    assert lines[-1].startswith("LSTMRegressor: epoch 5 ") and "train_loss=" in lines[-1]


def test_epoch_logger_writes_to_stderr_when_logging_is_not_configured(capsys, monkeypatch):
    X, y = sine_windows()
    monkeypatch.setattr(logging.Logger, "hasHandlers", lambda self: False)
    LSTMRegressor(**dict(TINY_NET, max_epochs=2), callbacks=[EpochLogger()]).fit(X, y)
    err = capsys.readouterr().err
    assert "epoch 1 train_loss=" in err and "epoch 2 train_loss=" in err


def test_checkpoint_saves_the_best_weights(tmp_path):
    X, y = sine_windows()
    best = Checkpoint(tmp_path / "best.pt")
    every = Checkpoint(tmp_path / "epoch{epoch}.pt", monitor=None)
    model = LSTMRegressor(**TINY_NET, early_stopping=True, callbacks=[best, every]).fit(X, y)
    valid = model.loss_curve_["valid_loss"]
    improving = [i + 1 for i, v in enumerate(valid) if v < min(valid[:i], default=np.inf)]
    assert best.saved_epochs_ == improving
    assert sorted(p.name for p in tmp_path.glob("epoch*.pt")) == [
        f"epoch{i}.pt" for i in range(1, model.n_iter_ + 1)
    ]
    # Early stopping restores the best epoch, which is what the checkpoint holds.
    saved = torch.load(tmp_path / "best.pt")
    for name, tensor in model.network_.state_dict().items():
        torch.testing.assert_close(saved[name], tensor)


class InterruptAt(Callback):
    def __init__(self, epoch, batch):
        self.epoch, self.batch, self.current = epoch, batch, 0

    def on_batch_end(self, estimator, batch, logs):
        if self.current == self.epoch and batch == self.batch:
            raise KeyboardInterrupt

    def on_epoch_end(self, estimator, epoch, logs):
        self.current += 1


def test_interrupted_fit_keeps_the_best_weights_and_predicts():
    X, y = sine_windows(n=120)
    full = LSTMRegressor(**dict(TINY_NET, max_epochs=4), early_stopping=True).fit(X, y)
    model = LSTMRegressor(
        **dict(TINY_NET, max_epochs=10), early_stopping=True, callbacks=[InterruptAt(4, 1)]
    )
    with pytest.warns(UserWarning, match="interrupted after 4 complete epoch"):
        model.fit(X, y)
    assert model.n_iter_ == 4 and len(model.loss_curve_["train_loss"]) == 4
    assert model.device_ == torch.device("cpu")
    # Same seed: the first 4 epochs are those of the 4-epoch fit, whose best is restored.
    np.testing.assert_allclose(model.predict(X), full.predict(X), rtol=1e-5, atol=1e-6)


def test_interrupt_in_the_first_epoch_leaves_a_usable_classifier():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 5, 2))
    y = (X[:, -1, 0] > 0).astype(int)
    clf = LSTMClassifier(**TINY, callbacks=[InterruptAt(0, 0)])
    with pytest.warns(UserWarning, match="interrupted after 0 complete epoch"):
        clf.fit(X, y)
    assert clf.n_iter_ == 0 and clf.predict(X).shape == (64,)
    assert pd.DataFrame(clf.loss_curve_).empty
