"""LSTM forecasting and sequence classification as scikit-learn estimators.

The public names load their module on first use, so that ``import lstmforecast`` (and
the command line's ``--help``) does not pay for torch or statsmodels until needed.
"""

import importlib

from ._deployment import legacy_modules as _legacy_modules

__version__ = "0.1.0"

_EXPORTS = {
    "ARIMARegressor": "._baselines.arima",
    "CalendarFeatures": "._preprocessing.calendar",
    "Callback": ".callbacks",
    "Checkpoint": ".callbacks",
    "ConformalForecaster": "._forecasting.conformal",
    "ETSRegressor": "._baselines.ets",
    "EpochLogger": ".callbacks",
    "LSTMAutoencoder": "._recurrent.autoencoder",
    "LSTMClassifier": "._recurrent.classifier",
    "LSTMRegressor": "._recurrent.regressor",
    "LSTMTagger": "._recurrent.tagger",
    "NaiveRegressor": "._baselines.naive",
    "PanelSplit": "._preprocessing.panel_split",
    "PerSeriesForecaster": "._forecasting.per_series",
    "ModelFileError": "._deployment.persistence",
    "ProgressBar": ".callbacks",
    "SeasonalNaiveRegressor": "._baselines.naive",
    "TextSequencer": "._preprocessing.text",
    "ThetaRegressor": "._baselines.theta",
    "Windower": "._preprocessing.windower",
    "compare": "._forecasting.compare",
    "export_onnx": "._deployment.export",
    "forecast": "._forecasting.forecast",
    "load": "._deployment.persistence",
    "make_supervised": "._preprocessing.supervised",
    "plot_forecast": ".plotting",
    "plot_history": ".plotting",
    "plot_loss_curve": ".plotting",
    "quantize": "._deployment.quantize",
    "save": "._deployment.persistence",
    "summary": "._torch.summary",
}

__all__ = sorted(_EXPORTS)

_legacy_modules.install()  # pickles that name the modules of the old flat layout load


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
