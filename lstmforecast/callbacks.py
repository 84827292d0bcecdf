"""Callbacks: code that runs inside ``fit`` without editing the training loop.

A callback is any object with some of these methods (all optional):

- ``on_train_begin(estimator)``: once, before the first epoch of a ``fit`` or
  ``partial_fit`` call;
- ``on_batch_end(estimator, batch, logs)``: after each optimizer step; ``logs`` holds
  ``"size"`` (sequences in the batch) and ``"loss"`` (its training loss, a float);
- ``on_epoch_end(estimator, epoch, logs)``: after each epoch; ``epoch`` counts from 0
  over the estimator's whole training (warm starts go on counting) and ``logs`` holds
  the row that will be appended to ``loss_curve_`` (``"epoch"``, ``"train_loss"``,
  ``"valid_loss"``, ``"lr"``). A callback may add keys (they become columns of
  ``loss_curve_``); a truthy return value stops training after this epoch;
- ``on_train_end(estimator)``: once, at the end, also after an interruption.

Pass them as ``LSTMRegressor(callbacks=[...])``. The estimator's network is
``estimator.network_`` from ``on_train_begin`` on. Early stopping, the learning-rate
schedule, the best-weight restore and ``verbose`` are built on the same hooks.

:class:`Callback` is an optional base class with no-op methods.
"""

import logging
import math
import os
import sys

import torch

__all__ = ["Callback", "Checkpoint", "EpochLogger", "ProgressBar"]

LOGGER_NAME = "lstmforecast"


class Callback:
    """Base class for callbacks, with methods that do nothing.

    Subclassing it is optional: the training loop calls whichever of these methods an
    object has.

    Examples
    --------
    A callback that records the training loss and stops after a number of epochs:

    >>> import numpy as np
    >>> from lstmforecast import LSTMRegressor
    >>> from lstmforecast.callbacks import Callback
    >>> class StopAfter(Callback):
    ...     def __init__(self, epochs):
    ...         self.epochs = epochs
    ...     def on_train_begin(self, estimator):
    ...         self.losses = []
    ...     def on_epoch_end(self, estimator, epoch, logs):
    ...         self.losses.append(logs["train_loss"])
    ...         return len(self.losses) >= self.epochs  # True stops training
    >>> stop = StopAfter(3)
    >>> X = np.random.default_rng(0).normal(size=(32, 5, 1))
    >>> model = LSTMRegressor(hidden_size=4, max_epochs=50, random_state=0, callbacks=[stop])
    >>> model = model.fit(X, X[:, -1, 0])
    >>> len(stop.losses), model.n_iter_
    (3, 3)
    """

    def on_train_begin(self, estimator):
        """Called once before the first epoch."""

    def on_batch_end(self, estimator, batch, logs):
        """Called after each optimizer step (``batch`` counts from 0 in each epoch)."""

    def on_epoch_end(self, estimator, epoch, logs):
        """Called after each epoch; return True to stop training."""

    def on_train_end(self, estimator):
        """Called once at the end of training, also after an interruption."""


def _format_logs(logs):
    parts = [f"epoch {logs['epoch']}"]
    for key, value in logs.items():
        if key != "epoch" and isinstance(value, float) and not math.isnan(value):
            parts.append(f"{key}={value:.5g}")
    return " ".join(parts)


class ProgressBar(Callback):
    """A tqdm progress bar over the epochs, with the latest losses; ``verbose=1`` adds
    one.

    Parameters
    ----------
    total : int, default=None
        Number of epochs the bar counts to; None reads the estimator's ``max_epochs_``
        (the fit's budget) or else its ``max_epochs``.
    file : file-like, default=None
        Where to draw it; None is ``sys.stderr`` at the time training begins.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from lstmforecast import LSTMRegressor
    >>> from lstmforecast.callbacks import ProgressBar
    >>> X = np.random.default_rng(0).normal(size=(32, 5, 1))
    >>> drawn = io.StringIO()  # the default is stderr
    >>> model = LSTMRegressor(hidden_size=4, max_epochs=3, early_stopping=False,
    ...                       random_state=0, callbacks=[ProgressBar(file=drawn)])
    >>> _ = model.fit(X, X[:, -1, 0])
    >>> "3/3" in drawn.getvalue()
    True
    """

    def __init__(self, total=None, file=None):
        self.total = total
        self.file = file

    def on_train_begin(self, estimator):
        from tqdm.auto import tqdm

        total = self.total
        if total is None:  # the fit's own epoch budget (max_epochs="auto" resolved)
            total = getattr(estimator, "max_epochs_", getattr(estimator, "max_epochs", None))
        self._bar = tqdm(
            total=total,
            desc="epoch",
            unit="epoch",
            file=self.file if self.file is not None else sys.stderr,
            leave=True,
        )

    def on_epoch_end(self, estimator, epoch, logs):
        postfix = {
            key: f"{value:.5f}"
            for key, value in logs.items()
            if key in ("train_loss", "valid_loss") and not math.isnan(value)
        }
        self._bar.set_postfix(postfix, refresh=False)
        self._bar.update(1)

    def on_train_end(self, estimator):
        bar = self.__dict__.pop("_bar", None)
        if bar is not None:
            bar.close()


class EpochLogger(Callback):
    """Logs one line per epoch (losses, learning rate) through the
    ``logging.getLogger("lstmforecast")`` logger; ``verbose=2`` adds one.

    When logging is not configured at all (no handler on that logger or its parents),
    the lines are written to stderr instead, so that they are not silently dropped.

    Parameters
    ----------
    level : int, default=logging.INFO
        Level of the records.

    Examples
    --------
    >>> import logging, sys
    >>> import numpy as np
    >>> from lstmforecast import LSTMRegressor
    >>> from lstmforecast.callbacks import EpochLogger
    >>> logger = logging.getLogger("lstmforecast")
    >>> handler = logging.StreamHandler(sys.stdout)
    >>> logger.addHandler(handler)
    >>> logger.setLevel(logging.INFO)
    >>> X = np.random.default_rng(0).normal(size=(32, 5, 1))
    >>> model = LSTMRegressor(hidden_size=4, max_epochs=2, early_stopping=False,
    ...                       random_state=0, callbacks=[EpochLogger()])
    >>> _ = model.fit(X, X[:, -1, 0])  # doctest: +ELLIPSIS
    LSTMRegressor: epoch 1 train_loss=... lr=0.001
    LSTMRegressor: epoch 2 train_loss=... lr=0.001
    >>> logger.removeHandler(handler)
    >>> logger.setLevel(logging.NOTSET)
    """

    def __init__(self, level=logging.INFO):
        self.level = level

    def on_epoch_end(self, estimator, epoch, logs):
        logger = logging.getLogger(LOGGER_NAME)
        message = f"{type(estimator).__name__}: {_format_logs(logs)}"
        if logger.hasHandlers():
            logger.log(self.level, message)
        else:
            from tqdm.auto import tqdm

            tqdm.write(message, file=sys.stderr)  # keeps a running progress bar intact


class Checkpoint(Callback):
    """Saves the network's weights (its ``state_dict``) to a file during training.

    Parameters
    ----------
    path : str or os.PathLike
        File to write, with ``torch.save``. May hold ``{epoch}``, which is replaced by
        the epoch number (one file per save).
    monitor : {"auto", "train_loss", "valid_loss"} or None, default="auto"
        Save when this loss reaches a new minimum; "auto" watches ``valid_loss`` when
        there is a validation set (``early_stopping=True``) and ``train_loss``
        otherwise. None saves after every epoch.

    Attributes
    ----------
    best_ : float
        Lowest monitored loss seen in the current training run.
    saved_epochs_ : list of int
        Epochs (``logs["epoch"]``) at which a file was written.

    Examples
    --------
    Load the saved weights back into the fitted estimator's network:

    >>> import os, tempfile, torch
    >>> import numpy as np
    >>> from lstmforecast import LSTMRegressor
    >>> from lstmforecast.callbacks import Checkpoint
    >>> path = os.path.join(tempfile.mkdtemp(), "weights.pt")
    >>> model = LSTMRegressor(hidden_size=4, max_epochs=3, random_state=0,
    ...                       callbacks=[Checkpoint(path)])
    >>> model = model.fit(np.random.default_rng(0).normal(size=(32, 5, 1)), np.zeros(32))
    >>> _ = model.network_.load_state_dict(torch.load(path))
    """

    def __init__(self, path, monitor="auto"):
        self.path = path
        self.monitor = monitor

    def on_train_begin(self, estimator):
        self.best_ = math.inf
        self.saved_epochs_ = []

    def on_epoch_end(self, estimator, epoch, logs):
        if self.monitor is not None:
            key = self.monitor
            if key == "auto":
                key = "valid_loss" if not math.isnan(logs["valid_loss"]) else "train_loss"
            if not logs[key] < self.best_:
                return False
            self.best_ = logs[key]
        path = os.fspath(self.path).replace("{epoch}", str(logs["epoch"]))
        torch.save(estimator.network_.state_dict(), path)
        self.saved_epochs_.append(logs["epoch"])
        return False
