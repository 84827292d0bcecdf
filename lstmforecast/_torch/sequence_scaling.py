"""Each sequence on its own scale: its level (and spread) removed before the network.

The recurrent estimators standardise their inputs with one mean and standard deviation
per feature, learnt from the whole training set. When the sequences differ mostly in
level or amplitude (appliance currents from 0.1 to 300 A, a windowed series that trends
beyond its training range), a per-sequence normalisation lets the network read shapes
instead. Sequences are right-aligned, front-padded with NaN: the statistics are over
each sequence's observed steps, per feature, and the padding stays NaN.
"""

import torch

__all__ = ["SEQUENCE_SCALINGS", "scale_each_sequence", "summarise_each_sequence"]

# The log-spread channel's floor: flat sequences read log(SPREAD_FLOOR), not -inf.
SPREAD_FLOOR = 1e-3

SEQUENCE_SCALINGS = ("mean", "last", "zscore")


def scale_each_sequence(x, how):
    """Sequences x, each expressed relative to itself, per feature.

    Parameters
    ----------
    x : Tensor of shape (B, T, f)
        Right-aligned sequences, NaN in the leading padding steps.
    how : {None, "mean", "last", "zscore"}
        None: x as it is. "mean": minus the mean of the observed steps. "last": minus
        the last step (always observed). "zscore": minus the mean, divided by the
        standard deviation of the observed steps; a constant (flat) sequence becomes
        zeros.

    Returns
    -------
    Tensor of shape (B, T, f)
    """
    if how is None:
        return x
    if how == "last":
        return x - x[:, -1:]  # right-aligned: the last step is always observed
    if how == "mean":
        return x - torch.nanmean(x, dim=1, keepdim=True)
    if how != "zscore":
        raise ValueError(f"how={how!r} is none of None, {', '.join(SEQUENCE_SCALINGS)}.")
    # Relative to the last step first: the statistics then carry no rounding of the
    # level (a constant sequence at 1e6 has exactly zero spread, not float32 noise).
    relative = x - x[:, -1:]
    centred = relative - torch.nanmean(relative, dim=1, keepdim=True)
    spread = torch.nanmean(centred * centred, dim=1, keepdim=True).sqrt()
    flat = spread <= torch.finfo(x.dtype).tiny
    # centred * 0 rather than 0: the padding stays NaN.
    return torch.where(flat, centred * 0, centred / torch.where(flat, 1, spread))


def summarise_each_sequence(x):
    """Each sequence beside its z-scored copy, and its level and log-spread apart.

    z-scoring makes sequences that share a shape look alike whatever their level and
    amplitude (appliance currents of 1 A and of 300 A); the values themselves keep what
    z-scoring removes (the sign of the last value, the power a class draws), and the
    summary states each sequence's level and spread outright. ``x`` should be on a
    common scale already (the training set's standardisation).

    Parameters
    ----------
    x : Tensor of shape (B, T, f)
        Right-aligned sequences, NaN in the leading padding steps.

    Returns
    -------
    steps : Tensor of shape (B, T, 2 f)
        ``x``, then ``scale_each_sequence(x, "zscore")`` (padding kept in both).
    summary : Tensor of shape (B, 2 f)
        Each sequence's mean, then the log of its standard deviation (floored at
        ``SPREAD_FLOOR``), over its observed steps.
    """
    level = torch.nanmean(x, dim=1)
    spread = torch.nanmean((x - level[:, None]) ** 2, dim=1).sqrt()
    summary = torch.cat([level, torch.log(spread + SPREAD_FLOOR)], dim=1)
    return torch.cat([x, scale_each_sequence(x, "zscore")], dim=2), summary
