"""LSTMRegressor.fit against a minimal hand-written PyTorch loop and against skorch.

All three train the same module (lstmforecast._torch.network.RecurrentNetwork with the same
hyper-parameters) on the same float32 windows and targets, for the same number of
epochs, batch size, Adam learning rate and shuffled batch order, on the CPU.
"""

import numpy as np
import torch

from lstmforecast import LSTMRegressor
from lstmforecast._torch.network import RecurrentNetwork

from .._common import Row, interleaved, median, note, paired_ratio, seconds

LR = 1e-3


def make_windows(n_windows, look_back, seed=0):
    """(X, y): contiguous float32 windows (n, look_back, 1) of a noisy sine, y = next value."""
    rng = np.random.default_rng(seed)
    steps = np.arange(n_windows + look_back)
    series = (
        np.sin(steps / 12.0) + 0.5 * np.sin(steps / 57.0) + 0.1 * rng.standard_normal(len(steps))
    )
    series = series.astype(np.float32)
    view = np.lib.stride_tricks.sliding_window_view(series[:-1], look_back)[:n_windows]
    return np.ascontiguousarray(view[:, :, None]), series[look_back : look_back + n_windows]


def build_network(hidden_size, input_transform):
    return RecurrentNetwork(1, 1, hidden_size=hidden_size, input_transform=input_transform)


def hand_loop(X, y, *, hidden_size, batch_size, epochs, input_transform, seed=0):
    """What a PyTorch user writes by hand: tensors, randperm batches, Adam, MSE."""
    torch.manual_seed(seed)
    network = build_network(hidden_size, input_transform)
    optimizer = torch.optim.Adam(network.parameters(), lr=LR)
    inputs = torch.from_numpy(X)
    targets = torch.from_numpy(y).reshape(-1, 1)
    generator = torch.Generator().manual_seed(seed)
    network.train()
    for _ in range(epochs):
        for index in torch.randperm(len(X), generator=generator).split(batch_size):
            loss = torch.nn.functional.mse_loss(
                network(inputs[index]),
                targets[index],  # full windows: no lengths needed
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return network


def wrapper(hidden_size, batch_size, epochs):
    # n_iter_no_change > max_epochs: every fit runs exactly `epochs` epochs, as the loops do.
    return LSTMRegressor(
        hidden_size=hidden_size,
        batch_size=batch_size,
        max_epochs=epochs,
        n_iter_no_change=epochs + 1,
        # The hand loop's work: every window, MSE, no held-out validation.
        early_stopping=False,
        loss="mse",
        training="window",
        random_state=0,
        device="cpu",
    )


def skorch_net(hidden_size, batch_size, epochs, input_transform):
    """skorch's NeuralNetRegressor on the same module, with skorch's defaults except what
    must match: no internal validation split (the others train on all rows), shuffling."""
    from skorch import NeuralNetRegressor

    return NeuralNetRegressor(
        RecurrentNetwork,
        module__n_inputs=1,
        module__n_outputs=1,
        module__hidden_size=hidden_size,
        module__input_transform=input_transform,
        criterion=torch.nn.MSELoss,
        optimizer=torch.optim.Adam,
        lr=LR,
        batch_size=batch_size,
        max_epochs=epochs,
        train_split=None,
        iterator_train__shuffle=True,
        device="cpu",
        verbose=0,
    )


def skorch_available():
    try:
        import skorch  # noqa: F401
    except ImportError:
        return False
    return True


def run_case(label, *, n_windows, look_back, hidden_size, batch_size, epochs, repeats, targets):
    """Rows for one data size. ``targets``: (max ratio vs hand loop, max ratio vs skorch)."""
    X, y = make_windows(n_windows, look_back)
    lengths = np.full(len(X), look_back, dtype=np.int64)
    estimator = wrapper(hidden_size, batch_size, epochs)
    # The wrapper picks its input transform from the data (target anchor): the other
    # contenders get the module it builds, so all three run the same forward pass.
    estimator.fit(X[: min(len(X), 2000)], y[: min(len(X), 2000)])
    transform = estimator.network_.input_transform
    candidates = {
        "LSTMRegressor": lambda: estimator.fit(X, y),
        "hand loop": lambda: hand_loop(
            X,
            y,
            hidden_size=hidden_size,
            batch_size=batch_size,
            epochs=epochs,
            input_transform=transform,
        ),
    }
    with_skorch = skorch_available()
    if with_skorch:
        net = skorch_net(hidden_size, batch_size, epochs, transform)
        candidates["skorch"] = lambda: net.fit({"x": X, "lengths": lengths}, y.reshape(-1, 1))
    note(f"  fit {label}: {n_windows} windows x {repeats} repeats ...")
    # The warm-up round is skipped for the large case: each run is seconds long already.
    times = interleaved(candidates, repeats, warmup=1 if n_windows <= 20_000 else 0)
    assert estimator.n_iter_ == epochs, "the wrapper must run every epoch"
    setup = (
        f"{n_windows} windows, look_back {look_back}, hidden {hidden_size}, batch {batch_size}, "
        f"{epochs} epoch(s), {repeats} repeats"
    )
    medians = {name: median(t) for name, t in times.items()}
    ratio = paired_ratio(times, "LSTMRegressor", "hand loop")
    rows = [
        Row(
            f"fit {label}: LSTMRegressor / hand loop",
            f"{ratio:.3f}x",
            f"<= {targets[0]:.2f}x",
            ratio <= targets[0],
            f"{setup}; medians {seconds(medians['LSTMRegressor'])} vs "
            f"{seconds(medians['hand loop'])}",
        )
    ]
    if with_skorch:
        ratio = paired_ratio(times, "LSTMRegressor", "skorch")
        # No wrapper can beat the hand loop, so hand loop / skorch bounds the ratio.
        floor = paired_ratio(times, "hand loop", "skorch")
        rows.append(
            Row(
                f"fit {label}: LSTMRegressor / skorch",
                f"{ratio:.3f}x",
                f"<= {targets[1]:.2f}x",
                ratio <= targets[1],
                f"skorch median {seconds(medians['skorch'])} (default DataLoader, "
                f"train_split=None); the hand loop itself is at {floor:.3f}x skorch, the "
                "floor for any wrapper of this module",
            )
        )
    else:
        rows.append(
            Row(
                f"fit {label}: LSTMRegressor / skorch",
                "n/a",
                f"<= {targets[1]:.2f}x",
                None,
                "skorch is not installed: pip install skorch (benchmarks only)",
            )
        )
    return rows


def run(quick=False):
    if quick:
        small = dict(n_windows=2000, look_back=24, hidden_size=32, batch_size=64, epochs=2)
        large = dict(n_windows=20_000, look_back=16, hidden_size=16, batch_size=256, epochs=1)
        repeats_small, repeats_large, large_label = 2, 2, "large (quick: 20k)"
    else:
        small = dict(n_windows=2000, look_back=24, hidden_size=32, batch_size=64, epochs=10)
        large = dict(n_windows=200_000, look_back=16, hidden_size=16, batch_size=256, epochs=1)
        repeats_small, repeats_large, large_label = 7, 5, "large (200k)"
    rows = run_case("small (2k)", repeats=repeats_small, targets=(1.05, 0.5), **small)
    rows += run_case(large_label, repeats=repeats_large, targets=(1.05, 1.0), **large)
    return rows
