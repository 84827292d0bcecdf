import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from lstmforecast import LSTMRegressor, Windower, make_supervised

from .conftest import TINY


@pytest.fixture(scope="module")
def data():
    return make_supervised(np.sin(np.arange(150) / 6) + np.arange(150) / 100)


def roundtrip(obj, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(obj, path)
    return joblib.load(path)


def test_estimator_pipeline_and_search_roundtrip(data, tmp_path):
    X, y = data
    pipe = Pipeline([("win", Windower(look_back=8)), ("lstm", LSTMRegressor(**TINY))])
    search = GridSearchCV(pipe, {"win__look_back": [4, 8]}, cv=TimeSeriesSplit(2))
    for fitted in (clone(pipe).fit(X, y), search.fit(X, y)):
        loaded = roundtrip(fitted, tmp_path)
        np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    windows = Windower(look_back=8).fit_transform(X)
    model = LSTMRegressor(**TINY).fit(windows, y)
    loaded = roundtrip(model, tmp_path)
    np.testing.assert_array_equal(loaded.predict(windows), model.predict(windows))
    assert loaded.device_ == torch.device("cpu")


def test_clone_keeps_params_and_drops_fit(data):
    X, y = data
    model = LSTMRegressor(**dict(TINY, hidden_size=5)).fit(
        Windower(look_back=4).fit_transform(X), y
    )
    copy = clone(model)
    assert copy.get_params() == model.get_params() and not hasattr(copy, "network_")


def test_a_model_fitted_on_cuda_loads_on_a_cpu_only_machine(data, tmp_path, monkeypatch):
    """The CUDA side is simulated: the pickle must hold CPU tensors and, where no GPU
    is present, load on the CPU with a warning and predict the same."""
    X, y = data
    windows = Windower(look_back=4).fit_transform(X)
    model = LSTMRegressor(**TINY).fit(windows, y)
    expected = model.predict(windows)
    model.device_ = torch.device("cuda", 0)  # as left by a fit on a GPU machine
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="fitted on cuda:0.*loaded on the CPU"):
        loaded = roundtrip(model, tmp_path)
    assert loaded.device_ == torch.device("cpu")
    assert all(p.device.type == "cpu" for p in loaded.network_.parameters())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(loaded.predict(windows), expected)
