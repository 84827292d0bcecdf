"""Your own network in a recurrent estimator: ``LSTMRegressor(module=MyNet, module__k=v)``.

The protocol a custom module follows:

- **Constructor**: ``MyNet(n_inputs=..., n_outputs=..., **module_params)``, where
  ``n_inputs`` is the number of features per time step (for token ids, with
  ``embedding_dim`` set: the number of embedding rows, largest id seen in ``fit`` + 2)
  and ``n_outputs`` the number of targets (regressor) or classes (classifier, which
  reads the outputs as logits). ``module_params`` are the estimator's ``module__*``
  parameters without the prefix. It is called under the fit's seeded RNG, so its
  initial weights follow ``random_state``.
- **forward(x, lengths)**: ``x`` is a float tensor of shape (batch, T, n_inputs),
  standardised with the training statistics (and made level-free with the
  regressor's ``target_anchor``), right-aligned: a sequence of length L fills the
  last L steps and the padding steps in front hold 0. For token ids ``x`` is the
  (batch, T) int64 ids with 0 in front. ``lengths`` (int64, on the CPU) holds each
  sequence's length. It returns a tensor of shape (batch, n_outputs).

The estimator wraps the module in :class:`CustomNetwork`, which owns the input
statistics, so scaling, padding, devices, pickling, ``summary`` and the training loop
treat it as they treat the built-in network.
"""

import inspect

import torch
from torch import nn

from .network import RecurrentNetwork


class CustomNetwork(nn.Module):
    """A user's module behind the built-in network's input handling."""

    def __init__(self, module, n_inputs, tokens):
        super().__init__()
        self.tokens = tokens
        self.input_transform = "none"
        self.register_buffer("input_shift", torch.zeros(n_inputs))
        self.register_buffer("input_scale", torch.ones(n_inputs))
        self.module = module

    # The built-in network's standardisation (input statistics, level removal), shared.
    _standardise = RecurrentNetwork._standardise

    def forward(self, x, lengths=None):
        if lengths is None:  # the training loop's "no sequence is padded"
            lengths = torch.full((x.shape[0],), x.shape[1], dtype=torch.int64, device=x.device)
        if not self.tokens:
            x = self._standardise(x)
            if bool((lengths < x.shape[1]).any()):
                padding = (
                    torch.arange(x.shape[1], device=x.device)
                    < (x.shape[1] - lengths.to(x.device))[:, None]
                )
                x = x.masked_fill(padding[:, :, None], 0.0)
        return self.module(x, lengths)


def build_custom(module, n_inputs, n_outputs, tokens, module_params):
    """Instantiate ``module`` following the protocol above, wrapped in CustomNetwork."""
    if not (inspect.isclass(module) and issubclass(module, nn.Module)):
        kind = "an instance" if isinstance(module, nn.Module) else repr(module)
        raise ValueError(
            "module must be a torch.nn.Module class (not an instance), constructed as "
            f"module(n_inputs=..., n_outputs=..., **module__params); got {kind}. Pass "
            "the class and its arguments as module__<name>=value."
        )
    params = {name.removeprefix("module__"): value for name, value in module_params.items()}
    try:
        instance = module(n_inputs=n_inputs, n_outputs=n_outputs, **params)
    except TypeError as error:
        raise TypeError(
            f"Could not construct {module.__name__}(n_inputs={n_inputs}, "
            f"n_outputs={n_outputs}, **{params}): {error}. A custom module's constructor "
            "takes n_inputs and n_outputs, plus the estimator's module__* parameters."
        ) from error
    if not any(True for _ in instance.parameters()):
        raise ValueError(f"{module.__name__} has no parameters to train.")
    return CustomNetwork(instance, n_inputs, tokens)
