"""The one training loop shared by every estimator: mini-batches gathered by index from
tensors that live on the training device, time-ordered validation, and callbacks for
everything that watches the losses (early stopping, learning-rate schedule, progress).

Nothing here knows about an estimator's targets or network: a data set yields a batch's
loss, the estimator supplies the per-sample loss function and the callbacks."""

import contextlib
import copy
import functools
import math
import signal
import threading
import warnings
from dataclasses import dataclass

import numpy as np
import torch


def to_tensor(array, device):
    """One tensor on ``device``; a strided numpy view stays a view on the CPU."""
    if any(stride < 0 for stride in array.strides):
        array = array.copy()  # torch has no negative strides (e.g. X[::-1])
    with warnings.catch_warnings():
        # Windows are read-only views; the tensor is only ever read.
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        tensor = torch.from_numpy(array)
    if tensor.dtype == torch.float64:
        tensor = tensor.float()
    if device.type == "cuda" and tensor.device.type == "cpu":
        # One transfer per fit; pinned pages let it run at full bus speed.
        tensor = tensor.contiguous().pin_memory()
    return tensor.to(device, non_blocking=True)


def sliding_windows_on(values, device):
    """Windows (n, T, f) in which window i + 1 is window i moved on by one row (a
    Windower's view) as a tensor on ``device`` that stores only the n + T - 1 rows: the
    windows are a strided view of them, so device memory is O(n * f), not
    O(n * T * f), and each batch gathers its windows by index on the device."""
    n, n_steps, n_features = values.shape
    row_stride, step_stride, feature_stride = values.strides
    if n < 1 or row_stride != step_stride:
        raise ValueError("sliding_windows_on needs windows that move on by one row.")
    rows = np.lib.stride_tricks.as_strided(
        values, shape=(n + n_steps - 1, n_features), strides=(step_stride, feature_stride)
    )
    rows = to_tensor(np.ascontiguousarray(rows), device)
    return rows.as_strided((n, n_steps, n_features), (n_features, n_features, 1))


PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


def autocast(device, precision):
    """Mixed-precision context for ``precision`` in PRECISIONS ("fp32": none)."""
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def batches(n, batch_size, generator=None, start=0):
    """Index tensors of consecutive batches of range(start, start + n); shuffled when a
    generator is given."""
    order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
    return (order + start).split(batch_size)


def batch_mean(loss, outputs, targets, weights):
    """(mean loss, weight) of a batch. ``loss`` is a torch functional-style loss with a
    ``reduction`` argument. Without weights it is the plain (fused) mean, else
    sum(w * loss) / sum(w) over samples, which is the mean over the rows repeated w
    times; a sample's loss is the mean over its outputs."""
    if weights is None:
        return loss(outputs, targets, reduction="mean"), targets.shape[0]
    losses = loss(outputs, targets, reduction="none")
    if losses.dim() > weights.dim():
        losses = losses.flatten(weights.dim()).mean(-1)
    total = weights.sum()
    # An all-zero batch contributes nothing instead of 0 / 0.
    return (losses * weights).sum() / total.clamp_min(1e-12), total


@dataclass
class LabelledSequences:
    """Whole sequences and one target each: the loss of a batch is on the pooled
    output. ``weights`` (one per sequence, on the device) or None for equal weights."""

    inputs: torch.Tensor
    lengths: torch.Tensor  # on the CPU, for packing
    targets: torch.Tensor
    weights: torch.Tensor | None = None

    def __len__(self):
        return len(self.inputs)

    @functools.cached_property
    def padded(self):
        """Whether any sequence is shorter than the others; without, the network is told
        so (lengths None) and skips the left-alignment of padded batches."""
        return bool((self.lengths < self.inputs.shape[1]).any())

    def batch_loss(self, network, index, loss):
        on_device = index.to(self.targets.device, non_blocking=True)
        # lengths None tells the network that no sequence is padded (see padded).
        lengths = self.lengths[index] if self.padded else None
        outputs = network(self.inputs[on_device], lengths)
        weights = None if self.weights is None else self.weights[on_device]
        return batch_mean(loss, outputs, self.targets[on_device], weights)

    def total_weight(self):
        return len(self) if self.weights is None else float(self.weights.sum())

    def split(self, cut):
        """(the first ``cut`` sequences, the rest)."""
        return self.take(slice(None, cut)), self.take(slice(cut, None))

    def take(self, rows):
        """The sequences at ``rows`` (a slice or an index array)."""
        if not isinstance(rows, slice):
            rows = torch.as_tensor(rows)
        on_device = rows if isinstance(rows, slice) else rows.to(self.targets.device)
        weights = None if self.weights is None else self.weights[on_device]
        return LabelledSequences(
            self.inputs[on_device], self.lengths[rows], self.targets[on_device], weights
        )


@dataclass
class Chunks:
    """Contiguous chunks of a series with a target at every step (sequence mode): the
    first ``burn_in`` steps of each chunk only build the state and carry no loss."""

    inputs: torch.Tensor  # (n_chunks, burn_in + steps, f)
    targets: torch.Tensor  # (n_chunks, burn_in + steps, n_outputs)
    burn_in: int
    weights: torch.Tensor | None = None  # (n_chunks, burn_in + steps): each row's weight

    def __len__(self):
        return len(self.inputs)

    def batch_loss(self, network, index, loss):
        on_device = index.to(self.inputs.device, non_blocking=True)
        outputs = network.forward_steps(self.inputs[on_device])[:, self.burn_in :]
        weights = None if self.weights is None else self.weights[on_device][:, self.burn_in :]
        return batch_mean(loss, outputs, self.targets[on_device][:, self.burn_in :], weights)

    def total_weight(self):
        if self.weights is None:
            return len(self)
        return float(self.weights[:, self.burn_in :].sum())


def validation_size(n, validation_fraction):
    """How many of ``n`` samples the most recent ``validation_fraction`` is."""
    n_valid = int(math.ceil(validation_fraction * n))
    if n_valid < 1 or n - n_valid < 1:
        raise ValueError(
            f"early_stopping needs at least 1 training and 1 validation sample; with {n} "
            f"samples and validation_fraction={validation_fraction} there are {n - n_valid} "
            f"and {n_valid}. Use more data or early_stopping=False."
        )
    return n_valid


def check_validation_weights(weights):
    if weights is not None and not float(weights.sum()) > 0:
        raise ValueError(
            f"sample_weight is 0 for all the {len(weights)} most recent samples, which "
            "early_stopping holds out for validation: their loss is undefined. Give them "
            "weights, change validation_fraction or use early_stopping=False."
        )


def split_latest(data, validation_fraction):
    """(train, valid): the valid part is the most recent ``validation_fraction`` of the
    rows (the end of the arrays), never a random draw."""
    train_set, valid_set = data.split(len(data) - validation_size(len(data), validation_fraction))
    check_validation_weights(valid_set.weights)
    return train_set, valid_set


class _EarlyStopping:
    """Stops when the monitored loss has not improved by ``tol`` for ``patience``
    epochs; with ``restore_best``, puts back the weights of the best epoch at the end."""

    def __init__(self, monitor, patience, tol, restore_best):
        self.monitor, self.patience, self.tol = monitor, patience, tol
        self.restore_best = restore_best

    def on_train_begin(self, estimator):
        self.best, self.stale, self.best_state = math.inf, 0, None

    def on_epoch_end(self, estimator, epoch, logs):
        value = logs[self.monitor]
        if value < self.best - self.tol:
            self.best, self.stale = value, 0
            if self.restore_best:
                self.best_state = copy.deepcopy(estimator.network_.state_dict())
        else:
            self.stale += 1
        return self.stale >= self.patience

    def on_train_end(self, estimator):
        if self.best_state is not None:
            estimator.network_.load_state_dict(self.best_state)
            self.best_state = None


class _PlateauSchedule:
    """Halves the learning rate when the monitored loss stalls."""

    def __init__(self, optimizer, monitor, patience):
        self.monitor = monitor
        self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, factor=0.5, patience=patience
        )

    def on_epoch_end(self, estimator, epoch, logs):
        self.scheduler.step(logs[self.monitor])


class _InterruptAfterBatch:
    """While active in the main thread, a first Ctrl-C only asks training to stop after
    the current batch (a second one interrupts at once). Elsewhere, or when the program
    installed its own SIGINT handler, Ctrl-C raises KeyboardInterrupt as usual."""

    requested = False

    def __enter__(self):
        self._previous = None
        if threading.current_thread() is threading.main_thread():
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        self.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


def _methods(callbacks, name):
    """The callbacks' ``name`` methods, leaving out Callback's no-op ones (so that a
    subclass without on_batch_end costs nothing per batch)."""
    from ..callbacks import Callback

    return [
        getattr(c, name)
        for c in callbacks
        if callable(getattr(c, name, None))
        and getattr(type(c), name, None) is not getattr(Callback, name)
    ]


def train(
    network,
    train_set,
    valid_set,
    *,
    estimator,
    loss,
    max_epochs,
    batch_size,
    optimizer,
    generator,
    callbacks=(),
    clip_grad_norm=None,
    precision="fp32",
    forward_scope=None,
    history,
):
    """Train ``network`` in place, appending one row per epoch to ``history`` (a dict of
    equal-length lists).

    ``loss(outputs, targets, reduction)`` is a torch functional-style loss (see
    :func:`batch_mean`).
    Everything that watches the losses (early stopping, the learning-rate schedule,
    progress, logging, user code) is a callback (see :mod:`lstmforecast.callbacks`):
    their ``on_epoch_end`` sees the epoch's row, and a truthy return stops training.
    ``forward_scope(batch)`` (optional) gives a context the forward pass of each batch
    runs in (for dropout drawn from a seeded RNG). A KeyboardInterrupt stops training
    after the current batch: the callbacks' ``on_train_end`` still run and a warning
    says so. Returns True when training was interrupted.
    """
    device = next(network.parameters()).device
    # fp16 gradients underflow without loss scaling; bf16 has fp32's range and needs none.
    scaling = precision == "fp16"
    scaler = torch.amp.GradScaler(device.type, enabled=scaling)
    on_batch_end = _methods(callbacks, "on_batch_end")
    on_epoch_end = _methods(callbacks, "on_epoch_end")
    monitor = "train_loss" if valid_set is None else "valid_loss"
    train_weight = train_set.total_weight()
    interrupted = False
    for begin in _methods(callbacks, "on_train_begin"):
        begin(estimator)
    try:
        with _InterruptAfterBatch() as interrupt:
            for _ in range(max_epochs):
                network.train()
                total = 0.0
                batch_order = batches(len(train_set), batch_size, generator)
                for batch, index in enumerate(batch_order):
                    with forward_scope(batch) if forward_scope else contextlib.nullcontext():
                        with autocast(device, precision):
                            batch_loss, weight = train_set.batch_loss(network, index, loss)
                    optimizer.zero_grad(set_to_none=True)
                    # The scaler's calls cost Python time per batch even when disabled.
                    (scaler.scale(batch_loss) if scaling else batch_loss).backward()
                    if clip_grad_norm:
                        if scaling:
                            scaler.unscale_(optimizer)
                        torch.nn.utils.clip_grad_norm_(network.parameters(), clip_grad_norm)
                    if scaling:
                        scaler.step(optimizer)
                        scaler.update()
                    else:
                        optimizer.step()
                    total += batch_loss.detach() * weight  # no host sync inside the epoch
                    if on_batch_end:
                        logs = {"size": len(index), "loss": float(batch_loss.detach())}
                        for method in on_batch_end:
                            method(estimator, batch, logs)
                    if interrupt.requested:
                        raise KeyboardInterrupt
                logs = _epoch_logs(history, float(total) / max(train_weight, 1e-12), optimizer)
                if valid_set is not None:
                    with autocast(device, precision):
                        logs["valid_loss"] = evaluate(network, valid_set, loss, batch_size)
                if not math.isfinite(logs[monitor]):
                    raise FloatingPointError(
                        f"The loss became {logs[monitor]} at epoch {logs['epoch']}. Lower lr, "
                        "set clip_grad_norm, or check the scale of X and y."
                    )
                stop = [method(estimator, logs["epoch"] - 1, logs) for method in on_epoch_end]
                _append(history, logs)
                if any(stop):
                    break
    except KeyboardInterrupt:
        interrupted = True
    finally:
        for end in _methods(callbacks, "on_train_end"):
            end(estimator)
        network.eval()
    if interrupted:
        warnings.warn(
            f"Training was interrupted after {len(history['train_loss'])} complete epoch(s); "
            "the estimator keeps the best weights seen so far (the latest without a "
            "validation set) and can predict. Call fit again to start over, or partial_fit "
            "(or warm_start=True) to go on.",
            UserWarning,
            stacklevel=4,
        )
    return interrupted


def _epoch_logs(history, train_loss, optimizer):
    return {
        "epoch": len(history["train_loss"]) + 1,
        "train_loss": train_loss,
        "valid_loss": math.nan,
        "lr": float(optimizer.param_groups[0]["lr"]),
    }


def _append(history, logs):
    """One row into the columns of ``history``; a column that a callback starts later
    is NaN before, one it stops filling is NaN after: every column keeps one value per
    epoch, so ``pandas.DataFrame(history)`` works."""
    n = len(history["train_loss"])
    for key, value in logs.items():
        history.setdefault(key, [math.nan] * n).append(value)
    for column in history.values():
        if len(column) == n:
            column.append(math.nan)


def new_history():
    return {"epoch": [], "train_loss": [], "valid_loss": [], "lr": []}


def evaluate(network, data, loss, batch_size):
    """Mean loss over ``data``, in eval mode."""
    network.eval()
    total = 0.0
    with torch.no_grad():
        for index in batches(len(data), max(batch_size, 1024)):
            batch_loss, weight = data.batch_loss(network, index, loss)
            total += float(batch_loss) * float(weight)
    return total / data.total_weight()


# Sequences per forward pass at prediction: bounds the memory of a huge predict.
PREDICT_BATCH = 4096


def forward_all(network, inputs, lengths, precision="fp32", batch_size=PREDICT_BATCH):
    """Network outputs for every sequence, in eval mode, as one float32 numpy array."""
    network.eval()
    with torch.inference_mode(), autocast(inputs.device, precision):
        if len(inputs) <= batch_size:
            return network(inputs, lengths).float().cpu().numpy()
        parts = [
            network(inputs[i.to(inputs.device)], lengths[i])
            for i in batches(len(inputs), batch_size)
        ]
        return torch.cat(parts).float().cpu().numpy()


def seeded_generator(seed):
    """A private CPU generator for batch order: the global torch RNG is not used."""
    generator = torch.Generator()
    generator.manual_seed(int(seed))
    return generator
