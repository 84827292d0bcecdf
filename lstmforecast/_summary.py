"""A Keras-style table of a fitted estimator's layers, output shapes and parameters."""

from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

__all__ = ["summary"]


def summary(estimator, print_fn=print):
    """Print the layers of a fitted recurrent estimator, Keras ``model.summary()`` style.

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
    rnn = network.rnn
    width = rnn.hidden_size * (2 if rnn.bidirectional else 1)
    rows = []
    if network.embedding is not None:
        rows.append(
            (
                "embedding",
                "Embedding",
                f"(batch, T, {network.embedding.embedding_dim})",
                _count(network.embedding),
            )
        )
    if network.conv is not None:
        conv = network.conv[1]
        rows.append(("conv", "Conv1d", f"(batch, T, {conv.out_channels})", _count(network.conv)))
    kind = type(rnn).__name__
    if rnn.num_layers > 1:
        kind += f" x{rnn.num_layers}"
    if rnn.bidirectional:
        kind = f"Bidirectional({kind})"
    rows.append(("rnn", kind, f"(batch, T, {width})", _count(rnn)))
    if network.attention is not None:
        rows.append(("attention", "Attention", f"(batch, {width})", _count(network.attention)))
    rows.append(("head", "Linear", f"(batch, {network.head.out_features})", _count(network.head)))
    return rows


def _count(module):
    return sum(p.numel() for p in module.parameters())
