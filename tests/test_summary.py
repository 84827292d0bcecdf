import numpy as np
import pytest

from lstmforecast import LSTMClassifier, LSTMRegressor, summary

from .conftest import TINY


def lstm_formula(n_inputs, hidden, layers, directions):
    """PyTorch's LSTM parameter count: 4 gates x (W_ih, W_hh, b_ih, b_hh) per layer."""
    total, width = 0, n_inputs
    for _ in range(layers):
        total += directions * 4 * (hidden * width + hidden * hidden + 2 * hidden)
        width = hidden * directions
    return total


@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, False), (2, True)])
def test_counts_match_pytorch_and_the_lstm_formula(layers, bidirectional, capsys):
    model = LSTMRegressor(
        **dict(TINY, max_epochs=1), num_layers=layers, bidirectional=bidirectional
    ).fit(np.zeros((6, 4, 3)), np.zeros((6, 2)))
    total = summary(model)
    table = capsys.readouterr().out
    directions = 2 if bidirectional else 1
    rnn = lstm_formula(3, 8, layers, directions)
    head = 8 * directions * 2 + 2
    assert total == sum(p.numel() for p in model.network_.parameters()) == rnn + head
    assert f"{rnn:,}" in table and f"Total parameters: {total:,}" in table


def test_summary_lists_every_layer_of_a_token_cnn_lstm_with_attention(capsys):
    clf = LSTMClassifier(
        **dict(TINY, max_epochs=1), embedding_dim=4, conv_channels=6, pooling="attention"
    ).fit([[1, 2, 3], [4, 5]], [0, 1])
    total = clf.summary()
    table = capsys.readouterr().out
    for layer in ("Embedding", "Conv1d", "LSTM", "attention", "Linear"):
        assert layer in table
    assert "(batch, 6, T)" in table  # Conv1d's channels-first output
    assert total == sum(p.numel() for p in clf.network_.parameters())
