"""A Keras-style table of a fitted estimator's layers, output shapes and parameters."""

import itertools

import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .._utils.params import validate_arguments

__all__ = ["summary"]


@validate_arguments({"print_fn": [callable]})
def summary(estimator, print_fn=print):
    """Print the layers of a fitted recurrent estimator, Keras ``model.summary()`` style.

    The layers are the network's named children that hold weights (those of your own
    module with ``module=``), with the output shape of each on a batch of sequences of
    T steps.

    Parameters
    ----------
    estimator : LSTMRegressor, LSTMClassifier or Pipeline ending in one
        A fitted estimator.
    print_fn : callable, default=print
        Called once with the whole table.

    Returns
    -------
    total : int
        Number of parameters, ``sum(p.numel() for p in estimator.network_.parameters())``.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast import LSTMRegressor, summary
    >>> model = LSTMRegressor(hidden_size=4, max_epochs=1, random_state=0)
    >>> total = summary(model.fit(np.zeros((8, 5, 2)), np.zeros(8)))
    Layer       Type        Output shape        Params
    --------------------------------------------------
    rnn         LSTM        (batch, T, 4)          128
    head        Linear      (batch, 1)               5
    --------------------------------------------------
    Total parameters: 133
    """
    if hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    if not hasattr(estimator, "network_") and hasattr(estimator, "fit"):
        try:
            check_is_fitted(estimator)
        except NotFittedError:
            pass
        else:
            raise TypeError(
                f"summary() lists the layers of a recurrent network, and "
                f"{type(estimator).__name__} has none; it applies to LSTMRegressor, "
                "LSTMClassifier or a Pipeline ending in one."
            )
    check_is_fitted(estimator, "network_")
    rows = _rows(estimator.network_)
    header = ("Layer", "Type", "Output shape", "Params")
    table = [header] + [(name, kind, shape, f"{count:,}") for name, kind, shape, count in rows]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    widths = [max(w, least) for w, least in zip(widths, (10, 10, 16, 8))]
    line = "-" * (sum(widths) + 3 * 2)

    def format_row(row):
        return "  ".join(
            [
                row[0].ljust(widths[0]),
                row[1].ljust(widths[1]),
                row[2].ljust(widths[2]),
                row[3].rjust(widths[3]),
            ]
        ).rstrip()

    total = sum(p.numel() for p in estimator.network_.parameters())
    lines = [format_row(header), line, *map(format_row, table[1:]), line]
    lines.append(f"Total parameters: {total:,}")
    print_fn("\n".join(lines))
    return total


def _rows(network):
    """(name, kind, output shape, parameters) of each layer with weights: the named
    children of the network (of the user's module for ``module=``), in order."""
    from .module import CustomNetwork

    model = network.module if isinstance(network, CustomNetwork) else network
    layers = [(name, child) for name, child in model.named_children() if _count(child)]
    shapes = _output_shapes(network, [child for _, child in layers])
    return [
        (name, _kind(child), shape, _count(child)) for (name, child), shape in zip(layers, shapes)
    ]


def _kind(module):
    if isinstance(module, nn.RNNBase):
        kind = type(module).__name__
        if module.num_layers > 1:
            kind += f" x{module.num_layers}"
        return f"Bidirectional({kind})" if module.bidirectional else kind
    if isinstance(module, nn.Sequential):
        # The parts with weights (padding and activations left out), repeats counted.
        kinds = [_kind(part) for part in module if _count(part)]
        groups = [(kind, len(list(run))) for kind, run in itertools.groupby(kinds)]
        shown = [kind if n == 1 else f"{kind} x{n}" for kind, n in groups]
        return f"Sequential({', '.join(shown)})"
    return type(module).__name__


# Two dummy batches of (sequences, steps): a dimension that follows them is shown by name.
_PROBES = ((2, 8), (3, 11))


def _output_shapes(network, modules):
    """Each module's output shape, "(batch, T, 4)" style, from two dummy forward passes
    (the first tensor of a tuple output, e.g. an RNN's sequence output)."""
    seen = {id(module): [] for module in modules}

    def record(module, inputs, output):
        while isinstance(output, (tuple, list)):
            output = output[0]
        seen[id(module)].append(tuple(getattr(output, "shape", ())))

    hooks = [module.register_forward_hook(record) for module in modules]
    buffer = next(network.buffers(), None)
    device = buffer.device if buffer is not None else next(network.parameters()).device
    tokens = getattr(network, "embedding", None) is not None or getattr(network, "tokens", False)
    was_training = network.training
    network.eval()
    try:
        with torch.no_grad():
            for batch, steps in _PROBES:
                if tokens:
                    x = torch.ones((batch, steps), dtype=torch.int64, device=device)
                else:
                    x = torch.zeros((batch, steps, network.input_shift.numel()), device=device)
                network(x, torch.full((batch,), steps, dtype=torch.int64))
    except Exception:  # a module that cannot run on dummy input: shapes stay unknown
        pass
    finally:
        for hook in hooks:
            hook.remove()
        network.train(was_training)
    return [_shape_text(seen[id(module)]) for module in modules]


def _shape_text(shapes):
    if len(shapes) != len(_PROBES) or len({len(shape) for shape in shapes}) != 1:
        return "?"
    names = {tuple(probe[i] for probe in _PROBES): name for i, name in enumerate(("batch", "T"))}
    dims = [
        names.get(sizes, str(sizes[0]) if len(set(sizes)) == 1 else "?") for sizes in zip(*shapes)
    ]
    return f"({', '.join(dims)})"


def _count(module):
    return sum(p.numel() for p in module.parameters())
