"""The one training loop shared by every estimator: mini-batches gathered by index from
tensors that live on the training device, time-ordered validation, early stopping."""

import contextlib
import copy
import functools
import math
import sys
import time
import warnings
from dataclasses import dataclass

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


@dataclass
class Sequences:
    """Whole sequences and one target each: the loss of a batch is on the pooled output."""

    inputs: torch.Tensor
    lengths: torch.Tensor  # on the CPU, for packing
    targets: torch.Tensor

    def __len__(self):
        return len(self.inputs)

    @functools.cached_property
    def padded(self):
        """Whether any sequence is shorter than the others; without, the network is told
        so (lengths None) and skips the left-alignment of padded batches."""
        return bool((self.lengths < self.inputs.shape[1]).any())

    def batch_loss(self, network, index, loss):
        on_device = index.to(self.inputs.device, non_blocking=True)
        lengths = self.lengths[index] if self.padded else None
        return loss(network(self.inputs[on_device], lengths), self.targets[on_device])


@dataclass
class Chunks:
    """Contiguous chunks of a series with a target at every step (sequence mode): the
    first ``burn_in`` steps of each chunk only build the state and carry no loss."""

    inputs: torch.Tensor  # (n_chunks, burn_in + steps, f)
    targets: torch.Tensor  # (n_chunks, burn_in + steps, n_outputs)
    burn_in: int

    def __len__(self):
        return len(self.inputs)

    def batch_loss(self, network, index, loss):
        on_device = index.to(self.inputs.device, non_blocking=True)
        outputs = network.forward_steps(self.inputs[on_device])[:, self.burn_in :]
        return loss(outputs, self.targets[on_device][:, self.burn_in :])


def split_latest(data, validation_fraction):
    """(train, valid): the valid part is the most recent ``validation_fraction`` of the
    rows (the end of the arrays), never a random draw."""
    n = len(data)
    n_valid = int(math.ceil(validation_fraction * n))
    if n_valid < 1 or n - n_valid < 1:
        raise ValueError(
            f"early_stopping needs at least 1 training and 1 validation sample; with {n} "
            f"samples and validation_fraction={validation_fraction} there are {n - n_valid} "
            f"and {n_valid}. Use more data or early_stopping=False."
        )
    cut = n - n_valid
    return (
        Sequences(data.inputs[:cut], data.lengths[:cut], data.targets[:cut]),
        Sequences(data.inputs[cut:], data.lengths[cut:], data.targets[cut:]),
    )


def train(
    network,
    train_set,
    valid_set,
    *,
    loss,
    max_epochs,
    batch_size,
    optimizer,
    generator,
    n_iter_no_change,
    tol,
    clip_grad_norm=None,
    scheduler=None,
    verbose=0,
    precision="fp32",
    history,
):
    """Train ``network`` in place, appending per-epoch losses to ``history``.

    With a ``valid_set`` the best weights on it are restored at the end; without one,
    training stops when the training loss has not improved by ``tol`` for
    ``n_iter_no_change`` epochs (as scikit-learn's MLP does).
    """
    best_loss, best_state, stale = math.inf, None, 0
    progress = _Progress(max_epochs) if verbose else None
    device = next(network.parameters()).device
    # fp16 gradients underflow without loss scaling; bf16 has fp32's range and needs none.
    scaler = torch.amp.GradScaler(device.type, enabled=precision == "fp16")
    valid_loss = None
    for epoch in range(max_epochs):
        network.train()
        total = 0.0
        for index in batches(len(train_set), batch_size, generator):
            with autocast(device, precision):
                batch_loss = train_set.batch_loss(network, index, loss)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(batch_loss).backward()
            if clip_grad_norm:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(network.parameters(), clip_grad_norm)
            scaler.step(optimizer)
            scaler.update()
            total += batch_loss.detach() * len(index)  # no host sync inside the epoch
        train_loss = float(total) / len(train_set)
        history["train_loss"].append(train_loss)
        if valid_set is not None:
            with autocast(device, precision):
                valid_loss = evaluate(network, valid_set, loss, batch_size)
            history["valid_loss"].append(valid_loss)
        monitored = train_loss if valid_set is None else valid_loss
        if not math.isfinite(monitored):
            raise FloatingPointError(
                f"The loss became {monitored} at epoch {epoch + 1}. Lower lr, set "
                "clip_grad_norm, or check the scale of X and y."
            )
        if scheduler is not None:
            scheduler.step(monitored)
        if monitored < best_loss - tol:
            best_loss, stale = monitored, 0
            if valid_set is not None:
                best_state = copy.deepcopy(network.state_dict())
        else:
            stale += 1
        if progress:
            progress.update(epoch + 1, train_loss, valid_loss)
        if stale >= n_iter_no_change:
            break
    if progress:
        progress.close()
    if best_state is not None:
        network.load_state_dict(best_state)
    network.eval()
    return history


def evaluate(network, data, loss, batch_size):
    """Mean loss over ``data``, in eval mode."""
    network.eval()
    total = 0.0
    with torch.no_grad():
        for index in batches(len(data), max(batch_size, 1024)):
            total += float(data.batch_loss(network, index, loss)) * len(index)
    return total / len(data)


def forward_all(network, inputs, lengths, precision="fp32", batch_size=4096):
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


class _Progress:
    """A one-line text progress bar with the latest losses, on stderr."""

    def __init__(self, total, width=30):
        self.total, self.width, self.start = total, width, time.perf_counter()

    def update(self, epoch, train_loss, valid_loss):
        done = int(self.width * epoch / self.total)
        bar = "#" * done + "." * (self.width - done)
        text = f"\r[{bar}] epoch {epoch}/{self.total} train_loss={train_loss:.5f}"
        if valid_loss is not None:
            text += f" valid_loss={valid_loss:.5f}"
        text += f" ({time.perf_counter() - self.start:.1f}s)"
        sys.stderr.write(text)
        sys.stderr.flush()

    def close(self):
        sys.stderr.write("\n")
        sys.stderr.flush()


def seeded_generator(seed):
    """A private CPU generator for batch order: the global torch RNG is not used."""
    generator = torch.Generator()
    generator.manual_seed(int(seed))
    return generator
