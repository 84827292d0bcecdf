"""Old module paths, for pickles written before the modules moved into sub-packages.

A joblib or pickle file names the module of every class it holds. Until December 2026 the
private modules sat side by side (``lstmforecast._regressor``); a pickle written then
still loads, because importing such a name gives the module that now holds its code.
Files written by :func:`lstmforecast.save` name public classes and need none of this.
"""

import importlib
import importlib.abc
import importlib.util
import sys

MOVED = {
    "lstmforecast._arima": "lstmforecast._baselines.arima",
    "lstmforecast._autoencoder": "lstmforecast._recurrent.autoencoder",
    "lstmforecast._base": "lstmforecast._recurrent.base",
    "lstmforecast._classifier": "lstmforecast._recurrent.classifier",
    "lstmforecast._compare": "lstmforecast._forecasting.compare",
    "lstmforecast._conformal": "lstmforecast._forecasting.conformal",
    "lstmforecast._css": "lstmforecast._baselines.css",
    "lstmforecast._data": "lstmforecast._preprocessing.supervised",
    "lstmforecast._device": "lstmforecast._torch.device",
    "lstmforecast._ets": "lstmforecast._baselines.ets",
    "lstmforecast._export": "lstmforecast._deployment.export",
    "lstmforecast._forecast": "lstmforecast._forecasting.forecast",
    "lstmforecast._module": "lstmforecast._torch.module",
    "lstmforecast._naive": "lstmforecast._baselines.naive",
    "lstmforecast._network": "lstmforecast._torch.network",
    "lstmforecast._panel": "lstmforecast._preprocessing.panel",
    "lstmforecast._panel_split": "lstmforecast._preprocessing.panel_split",
    "lstmforecast._params": "lstmforecast._utils.params",
    "lstmforecast._per_series": "lstmforecast._forecasting.per_series",
    "lstmforecast._persistence": "lstmforecast._deployment.persistence",
    "lstmforecast._quantiles": "lstmforecast._utils.quantiles",
    "lstmforecast._quantize": "lstmforecast._deployment.quantize",
    "lstmforecast._regressor": "lstmforecast._recurrent.regressor",
    "lstmforecast._row_forecaster": "lstmforecast._baselines.row_forecaster",
    "lstmforecast._seasonality": "lstmforecast._utils.seasonality",
    "lstmforecast._sequences": "lstmforecast._preprocessing.sequences",
    "lstmforecast._summary": "lstmforecast._torch.summary",
    "lstmforecast._tagger": "lstmforecast._recurrent.tagger",
    "lstmforecast._target_transform": "lstmforecast._utils.target_transform",
    "lstmforecast._text": "lstmforecast._preprocessing.text",
    "lstmforecast._theta": "lstmforecast._baselines.theta",
    "lstmforecast._threads": "lstmforecast._utils.threads",
    "lstmforecast._time_index": "lstmforecast._utils.time_index",
    "lstmforecast._training": "lstmforecast._torch.training",
    "lstmforecast._windower": "lstmforecast._preprocessing.windower",
}


class _MovedModule(importlib.abc.Loader):
    def __init__(self, new_name):
        self.new_name = new_name

    def create_module(self, spec):
        return importlib.import_module(self.new_name)  # the same module object, not a copy

    def exec_module(self, module):
        pass


class _MovedModuleFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        new_name = MOVED.get(fullname)
        if new_name is None:
            return None
        return importlib.util.spec_from_loader(fullname, _MovedModule(new_name))


def install():
    """Let the old module names import (once per process)."""
    if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(_MovedModuleFinder())
