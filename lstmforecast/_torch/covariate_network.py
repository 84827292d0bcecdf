"""The network head that reads known-future covariates per output step (see _future)."""

import numpy as np
import torch
from torch import nn

from .network import RecurrentNetwork

__all__ = ["CovariateNetwork", "pack_inputs", "with_future_head"]


def pack_inputs(inputs, future):
    """One tensor (n, look_back + horizon, width) for the network: the windows, then the
    block as ``horizon`` extra steps (zero-filled where it has fewer features)."""
    n, n_steps, n_features = inputs.shape
    horizon, n_covariates = future.shape[1:]
    width = max(n_features, n_covariates)
    packed = torch.zeros((n, n_steps + horizon, width), dtype=inputs.dtype, device=inputs.device)
    packed[:, :n_steps, :n_features] = inputs
    packed[:, n_steps:, :n_covariates] = torch.as_tensor(future, device=inputs.device)
    return packed


class CovariateNetwork(RecurrentNetwork):
    """The recurrent encoder plus a per-step decoder of the known-future covariates.

    Its input is :func:`pack_inputs`' layout: the look-back window, then ``n_future``
    steps holding the covariates of each forecast step. The encoder reads the window
    only; output step k is the linear head of the encoder state (one weight set per
    step, as without covariates) plus a small network, shared by all steps, of the
    encoder state concatenated with the standardised covariates of step k.
    """

    def __init__(self, n_inputs, n_outputs, *, n_future, n_covariates, **kwargs):
        super().__init__(n_inputs, n_outputs, **kwargs)
        self.init_args.update(n_future=n_future, n_covariates=n_covariates)
        self.n_future = n_future
        self.n_covariates = n_covariates
        self.per_step = n_outputs // n_future  # e.g. one output per quantile level
        width = self.head.in_features
        # The encoder's forward then returns the pooled state; the heads read it here.
        self.output = self.head
        self.head = nn.Identity()
        # Each step's covariates, and their change since step 1: the encoder reads the
        # window relative to its last step (with an anchor), so a level-type covariate
        # (temperature) tells its effect best as a change.
        self.register_buffer("future_shift", torch.zeros(2 * n_covariates))
        self.register_buffer("future_scale", torch.ones(2 * n_covariates))
        self.decoder = nn.Sequential(
            nn.Linear(width + 2 * n_covariates, width), nn.ReLU(), nn.Linear(width, self.per_step)
        )

    def forward(self, x, lengths=None):
        window = x[:, : -self.n_future, : self.input_shift.shape[0]]
        future = x[:, -self.n_future :, : self.n_covariates]
        state = super().forward(window, lengths)
        future = torch.cat([future, future - future[:, :1]], dim=2)
        future = (future - self.future_shift) / self.future_scale
        steps = torch.cat([state[:, None, :].expand(-1, self.n_future, -1), future], dim=2)
        return self.output(state) + self.decoder(steps).reshape(len(x), -1)


def with_future_head(network, future):
    """``network`` (a built-in RecurrentNetwork) as a :class:`CovariateNetwork` reading
    ``future`` (n, horizon, n_covariates): the same encoder weights and input scaling,
    a fresh decoder, the block standardised with the training block's statistics."""
    horizon, n_covariates = future.shape[1:]
    args = dict(network.init_args)
    n_outputs = args["n_outputs"]
    if n_outputs % horizon:
        raise ValueError(
            f"The future covariates cover {horizon} steps, but the model has {n_outputs} "
            f"outputs; give y one column per step (make_supervised(..., horizon={horizon}))."
        )
    decoded = CovariateNetwork(**args, n_future=horizon, n_covariates=n_covariates)
    state = {k: v for k, v in network.state_dict().items() if not k.startswith("head.")}
    state["output.weight"] = network.head.weight
    state["output.bias"] = network.head.bias
    missing = decoded.load_state_dict(state, strict=False).missing_keys
    assert all(k.startswith(("decoder.", "future_")) for k in missing), missing
    future = future.astype(np.float64)
    flat = np.concatenate([future, future - future[:, :1]], axis=2).reshape(-1, 2 * n_covariates)
    scale = flat.std(axis=0)
    decoded.future_shift.copy_(torch.from_numpy(flat.mean(axis=0).astype(np.float32)))
    scale = np.where(scale > 1e-12, scale, 1.0).astype(np.float32)
    decoded.future_scale.copy_(torch.from_numpy(scale))
    decoded.input_transform = network.input_transform
    return decoded
