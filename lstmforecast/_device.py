"""Where to train: CUDA is looked at only when a fit asks for it, never at import."""

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
