"""The one training loop shared by every estimator: mini-batches gathered by index from
tensors that live on the training device, time-ordered validation, early stopping."""

import copy
import math
import sys
import time
import warnings

import torch


def to_tensor(array, device):
    """One tensor on ``device``; a strided numpy view stays a view on the CPU."""
    with warnings.catch_warnings():
        # Windows are read-only views; the tensor is only ever read.
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        tensor = torch.from_numpy(array)
    if tensor.dtype == torch.float64:
        tensor = tensor.float()
    return tensor.to(device)


def batches(n, batch_size, generator=None):
    """Index tensors of consecutive batches; shuffled when a generator is given."""
    order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
    return order.split(batch_size)


def train(
    network,
    inputs,
    lengths,
    targets,
    *,
    loss,
    max_epochs,
    batch_size,
    optimizer,
    generator,
    early_stopping,
    validation_fraction,
    n_iter_no_change,
    tol,
    clip_grad_norm=None,
    scheduler=None,
    verbose=0,
    history=None,
):
    """Train ``network`` in place and return its per-epoch history.

    The validation set is the most recent ``validation_fraction`` of the rows (the
    end of the arrays), never a random draw. With early stopping the best weights on it
    are restored; without it, training stops when the training loss has not improved by
    ``tol`` for ``n_iter_no_change`` epochs (as scikit-learn's MLP does).
    """
    n = len(inputs)
    n_valid = int(math.ceil(validation_fraction * n)) if early_stopping else 0
    if early_stopping and (n_valid < 1 or n - n_valid < 1):
        raise ValueError(
            f"early_stopping needs at least 1 training and 1 validation sample; with "
            f"{n} samples and validation_fraction={validation_fraction} there are "
            f"{n - n_valid} and {n_valid}. Use more data or early_stopping=False."
        )
    n_train = n - n_valid
    history = history if history is not None else {"train_loss": [], "valid_loss": []}
    best_loss, best_state, stale = math.inf, None, 0
    progress = _Progress(max_epochs) if verbose else None
    for epoch in range(max_epochs):
        network.train()
        total = 0.0
        for index in batches(n_train, batch_size, generator):
            on_device = index.to(inputs.device, non_blocking=True)
            batch_loss = loss(network(inputs[on_device], lengths[index]), targets[on_device])
            optimizer.zero_grad(set_to_none=True)
            batch_loss.backward()
            if clip_grad_norm:
                torch.nn.utils.clip_grad_norm_(network.parameters(), clip_grad_norm)
            optimizer.step()
            total += batch_loss.detach() * len(index)
        train_loss = float(total) / n_train
        history["train_loss"].append(train_loss)
        if n_valid:
            valid_loss = evaluate(network, inputs, lengths, targets, loss, n_train, batch_size)
            history["valid_loss"].append(valid_loss)
        monitored = valid_loss if n_valid else train_loss
        if not math.isfinite(monitored):
            raise FloatingPointError(
                f"The loss became {monitored} at epoch {epoch + 1}. Lower lr, set "
                "clip_grad_norm, or check the scale of X and y."
            )
        if scheduler is not None:
            scheduler.step(monitored)
        if monitored < best_loss - tol:
            best_loss, stale = monitored, 0
            if n_valid:
                best_state = copy.deepcopy(network.state_dict())
        else:
            stale += 1
        if progress:
            progress.update(epoch + 1, train_loss, valid_loss if n_valid else None)
        if stale >= n_iter_no_change:
            break
    if progress:
        progress.close()
    if best_state is not None:
        network.load_state_dict(best_state)
    network.eval()
    return history


def evaluate(network, inputs, lengths, targets, loss, start, batch_size):
    """Mean loss over ``inputs[start:]``, in eval mode."""
    network.eval()
    total = 0.0
    with torch.no_grad():
        for index in batches(len(inputs) - start, max(batch_size, 1024)):
            index = index + start
            on_device = index.to(inputs.device, non_blocking=True)
            batch_loss = loss(network(inputs[on_device], lengths[index]), targets[on_device])
            total += float(batch_loss) * len(index)
    return total / (len(inputs) - start)


def forward_all(network, inputs, lengths, batch_size=4096):
    """Network outputs for every sequence, in eval mode, as one float32 numpy array."""
    network.eval()
    with torch.inference_mode():
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
