"""Where to train: CUDA is looked at only when a fit asks for it, never at import."""

import functools

import torch

DEVICES = ("auto", "cpu", "cuda")


def resolve_device(device):
    """Return the torch.device for ``device`` in {"auto", "cpu", "cuda", "cuda:N"}."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(device, str) or not (device == "cpu" or device.startswith("cuda")):
        raise ValueError(f'device must be "auto", "cpu" or "cuda[:N]", got {device!r}.')
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f'device="{device}" was asked for, but PyTorch sees no CUDA GPU here. Use '
            'device="auto" (CUDA when available, else CPU) or device="cpu".'
        )
    return torch.device(device)


@functools.cache
def supports_bf16(device_type, cell):
    """Whether this machine runs ``cell`` ("lstm", "gru", "rnn") under bf16 autocast on
    ``device_type``, forward and backward. Probed once per process: oneDNN's bf16 LSTM
    needs AVX-512 (BF16/VNNI) on x86, so many AMD EPYC and older Intel CPUs lack it."""
    from .network import CELLS

    device = torch.device(device_type)
    module = CELLS[cell](2, 2, batch_first=True).to(device)
    try:
        with torch.autocast(device.type, dtype=torch.bfloat16):
            out, _ = module(torch.zeros(1, 2, 2, device=device))
        out.float().sum().backward()
    except RuntimeError:
        return False
    return True
