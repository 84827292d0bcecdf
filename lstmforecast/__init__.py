"""LSTM forecasting and sequence classification as scikit-learn estimators.

The public names load their module on first use, so that ``import lstmforecast`` (and
the command line's ``--help``) does not pay for torch or statsmodels until needed.
"""

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "ARIMARegressor": "._arima",
    "CalendarFeatures": "._calendar",
    "Callback": ".callbacks",
    "Checkpoint": ".callbacks",
    "ConformalForecaster": "._conformal",
    "ETSRegressor": "._ets",
    "EpochLogger": ".callbacks",
    "LSTMAutoencoder": "._autoencoder",
    "LSTMClassifier": "._classifier",
    "LSTMRegressor": "._regressor",
    "LSTMTagger": "._tagger",
    "NaiveRegressor": "._naive",
    "PanelSplit": "._panel_split",
    "PerSeriesForecaster": "._per_series",
    "ProgressBar": ".callbacks",
    "SeasonalNaiveRegressor": "._naive",
    "TextSequencer": "._text",
    "ThetaRegressor": "._theta",
    "Windower": "._windower",
    "compare": "._compare",
    "export_onnx": "._export",
    "forecast": "._forecast",
    "load": "._persistence",
    "make_supervised": "._data",
    "plot_forecast": ".plotting",
    "plot_history": ".plotting",
    "quantize": "._quantize",
    "save": "._persistence",
    "summary": "._summary",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if name in ("callbacks", "datasets", "metrics", "plotting"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'lstmforecast' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})
