"""Reading order of the example gallery (a module, so that Sphinx can pickle it)."""

import os

EXAMPLE_ORDER = [
    "plot_quickstart.py",
    "plot_forecast_intervals.py",
    "plot_data_contract.py",
    "plot_lstm_vs_arima.py",
    "plot_load_covariates.py",
    "plot_panel.py",
    "plot_many_series.py",
    "plot_rnn_lstm_gru_digits.py",
    "plot_text_classification.py",
    "plot_custom_module.py",
    "plot_autoencoder_anomalies.py",
    "plot_sequence_tagging.py",
]


def example_rank(filename):
    """Sort key: listed examples first, in order; the others after them, by name."""
    name = os.path.basename(filename)
    rank = EXAMPLE_ORDER.index(name) if name in EXAMPLE_ORDER else len(EXAMPLE_ORDER)
    return rank, name
