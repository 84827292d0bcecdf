"""CPU vs GPU training throughput of LSTMRegressor at batch 256 and 1024 (CUDA only)."""

import time

import torch

from lstmforecast import LSTMRegressor

from .._common import Row, median, note
from .fit import make_windows


def _windows_per_second(X, y, device, batch_size, epochs, precision="fp32"):
    model = LSTMRegressor(
        hidden_size=64,
        batch_size=batch_size,
        max_epochs=epochs,
        n_iter_no_change=epochs + 1,
        random_state=0,
        device=device,
        precision=precision,
    )
    start = time.perf_counter()
    model.fit(X, y)
    if device == "cuda":
        torch.cuda.synchronize()
    return len(X) * epochs / (time.perf_counter() - start)


def run(quick=False):
    if not torch.cuda.is_available():
        return [Row("GPU throughput", "skipped", "", None, "PyTorch sees no CUDA device here")]
    n_windows, epochs, repeats = (20_000, 1, 1) if quick else (100_000, 2, 3)
    X, y = make_windows(n_windows, 48)
    rows = []
    for batch_size in (256, 1024):
        note(f"  batch {batch_size}: cpu and cuda, {repeats} repeats ...")
        speeds = {}
        for device, precision in (("cpu", "fp32"), ("cuda", "fp32"), ("cuda", "bf16")):
            runs = [
                _windows_per_second(X, y, device, batch_size, epochs, precision)
                for _ in range(repeats)
            ]
            speeds[device, precision] = median(runs)
        cpu = speeds["cpu", "fp32"]
        for (device, precision), speed in speeds.items():
            if device == "cuda":
                rows.append(
                    Row(
                        f"fit throughput, batch {batch_size}: {device} {precision} / cpu",
                        f"{speed / cpu:.1f}x",
                        "",
                        None,
                        f"{speed:,.0f} vs {cpu:,.0f} windows/s; {n_windows} windows, "
                        f"look_back 48, hidden 64, {epochs} epochs, {torch.cuda.get_device_name()}",
                    )
                )
    return rows
