"""LSTM forecasting and sequence classification as scikit-learn estimators."""

from ._classifier import LSTMClassifier
from ._data import make_supervised
from ._regressor import LSTMRegressor
from ._summary import summary
from ._windower import Windower

__version__ = "0.1.0"

__all__ = ["LSTMClassifier", "LSTMRegressor", "Windower", "make_supervised", "summary"]
