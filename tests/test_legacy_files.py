"""Models saved and pickled by earlier versions load and predict as they did.

The files in tests/data/legacy were written at commit fd869ae, before the package's
modules moved into sub-packages: ``save`` files of format version 1, which name classes
by their private module path (``lstmforecast._naive:SeasonalNaiveRegressor``), and joblib
pickles, which name the private modules too. ``expected_predictions.npz`` holds what each
model predicted then (a pipeline of Windower and LSTMRegressor, a seasonal naive, an
ARIMA with its statsmodels results, and a classifier's probabilities).
"""

import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

from lstmforecast import load

LEGACY = Path(__file__).parent / "data" / "legacy"
MODELS = ["pipeline", "seasonal_naive", "arima", "classifier"]


def inputs(name):
    if name == "classifier":
        return np.load(LEGACY / "sequences.npy")
    rows = pd.read_csv(LEGACY / "rows.csv", index_col=0, parse_dates=True)
    return rows.asfreq("MS")


def predictions(model, name):
    data = inputs(name)
    return model.predict_proba(data) if name == "classifier" else model.predict(data)


@pytest.mark.parametrize("name", MODELS)
def test_files_saved_by_format_version_1_load_and_predict_as_before(name):
    expected = np.load(LEGACY / "expected_predictions.npz")[name]
    model = load(LEGACY / f"{name}.lstmf")
    np.testing.assert_allclose(predictions(model, name), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", MODELS)
def test_pickles_of_the_old_module_layout_load_and_predict_as_before(name):
    expected = np.load(LEGACY / "expected_predictions.npz")[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. sklearn's version stamp, if it moved on
        model = joblib.load(LEGACY / f"{name}.joblib")
    np.testing.assert_allclose(predictions(model, name), expected, rtol=1e-6, atol=1e-6)
