"""lstmforecast.save / load: a pickle-free file that round-trips every supported model."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, RobustScaler, StandardScaler

from lstmforecast import (
    ARIMARegressor,
    LSTMClassifier,
    LSTMRegressor,
    NaiveRegressor,
    SeasonalNaiveRegressor,
    Windower,
    load,
    save,
)

from .conftest import TINY


@pytest.fixture(scope="module")
def monthly():
    """A trending seasonal monthly series as a DataFrame with a DatetimeIndex."""
    t = np.arange(90)
    values = 10 + 0.05 * t + np.sin(2 * np.pi * t / 12) + np.cos(t / 7) / 3
    series = pd.Series(values, index=pd.date_range("2001-01-01", periods=90, freq="MS"))
    return series.to_frame("level")[:-1], values[1:]


def roundtrip(model, tmp_path, name="model.lstmf"):
    path = tmp_path / name
    save(model, path)
    return load(path)


def forecasters():
    lstm = dict(TINY, max_epochs=2)
    return {
        "lstm pipeline": make_pipeline(
            StandardScaler(),
            RobustScaler(),
            MinMaxScaler(),
            FunctionTransformer(np.log1p, inverse_func=np.expm1),
            Windower(look_back=6),
            LSTMRegressor(**lstm),
        ),
        "lstm multi-horizon gru": make_pipeline(
            Windower(look_back=5), LSTMRegressor(**dict(lstm, cell="gru", pooling="mean"))
        ),
        "naive": NaiveRegressor(),
        "seasonal naive": SeasonalNaiveRegressor(season_length=12),
        "arima": ARIMARegressor(order=(1, 1, 0), seasonal_order=(0, 1, 1, 12)),
    }


@pytest.mark.parametrize("name", list(forecasters()))
def test_forecasters_predict_identically_after_a_roundtrip(name, monthly, tmp_path):
    X, y = monthly
    model = forecasters()[name]
    if name.startswith("lstm multi"):
        y = np.column_stack([y, np.roll(y, -1)])[:-1]
        X = X[:-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ARIMA convergence on this short series
        model.fit(X[:70], y[:70])
    loaded = roundtrip(model, tmp_path)
    assert type(loaded) is type(model)
    assert repr(loaded) == repr(model)
    # the test rows continue the training index (history used), and unrelated rows
    for rows in (X[70:], X[:30].reset_index(drop=True)):
        np.testing.assert_array_equal(loaded.predict(rows), model.predict(rows))


def test_classifier_windower_and_unfitted_estimators_roundtrip(monthly, tmp_path, rng):
    X = rng.normal(size=(60, 7, 2))
    X[:5, :3] = np.nan  # shorter sequences
    labels = np.where(np.nan_to_num(X[:, -1, 0]) > 0, "up", "down")
    clf = LSTMClassifier(**dict(TINY, embedding_dim=None, class_weight={"up": 2.0, "down": 1.0}))
    clf.fit(X, labels)
    loaded = roundtrip(clf, tmp_path)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    assert loaded.get_params() == clf.get_params()

    rows, _ = monthly
    windower = Windower(look_back=5).fit(rows[:40])
    loaded = roundtrip(windower, tmp_path)
    # a DatetimeIndex that continues the fitted one still picks up the remembered rows
    np.testing.assert_array_equal(loaded.transform(rows[40:]), windower.transform(rows[40:]))
    assert not np.isnan(loaded.transform(rows[40:])).any()

    unfitted = roundtrip(LSTMRegressor(hidden_size=3, target_anchor=None), tmp_path)
    assert unfitted.get_params() == LSTMRegressor(hidden_size=3, target_anchor=None).get_params()
    assert not hasattr(unfitted, "network_")


def test_the_file_is_safetensors_with_a_json_header_and_no_pickle(monthly, tmp_path):
    from safetensors import safe_open

    X, y = monthly
    model = make_pipeline(Windower(look_back=4), LSTMRegressor(**TINY)).fit(X, y)
    path = tmp_path / "model.lstmf"
    save(model, path)
    with safe_open(path, framework="pt") as handle:
        header = json.loads(handle.metadata()["lstmforecast"])
        weights = sum(handle.get_tensor(k).numel() for k in handle.keys())
    assert header["format_version"] == 2
    assert set(header["versions"]) == {"lstmforecast", "torch", "numpy", "scikit-learn"}
    assert weights >= sum(p.numel() for p in model[-1].network_.parameters())
    assert b"\x80\x04" not in path.read_bytes()[:200]  # no pickle protocol header
    # a file from a newer format is refused, not misread
    header["format_version"] = 99
    from safetensors.torch import save_file

    with safe_open(path, framework="pt") as handle:
        tensors = {k: handle.get_tensor(k) for k in handle.keys()}
    save_file(tensors, tmp_path / "newer", metadata={"lstmforecast": json.dumps(header)})
    with pytest.raises(ValueError, match="format version 99.*Upgrade lstmforecast"):
        load(tmp_path / "newer")


def test_classes_off_the_allow_list_are_refused_both_ways(monthly, tmp_path):
    from sklearn.linear_model import Ridge

    X, y = monthly
    with pytest.raises(TypeError, match="Ridge.*allow-list"):
        save(make_pipeline(Windower(look_back=3, flatten=True), Ridge()), tmp_path / "r")
    with pytest.raises(TypeError, match="FunctionTransformer is stored only with numpy ufuncs"):
        save(FunctionTransformer(lambda v: v + 1).fit(X), tmp_path / "f")
    # a file that names another class (written by hand here) is not loaded
    save(NaiveRegressor().fit(X, y), tmp_path / "naive")
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(tmp_path / "naive", framework="pt") as handle:
        header = handle.metadata()["lstmforecast"]
    assert '"lstmforecast.NaiveRegressor"' in header  # a stable name, not a module path
    # Reachable from an lstmforecast module is not enough: the allow-list is explicit.
    for name in ["os:system", "lstmforecast._base:BaseEstimator", "lstmforecast.load"]:
        forged = header.replace("lstmforecast.NaiveRegressor", name)
        save_file({}, tmp_path / "forged", metadata={"lstmforecast": forged})
        with pytest.raises(ValueError, match=f"{name}, which is not on lstmforecast.load's allow"):
            load(tmp_path / "forged")
    (tmp_path / "text").write_text("not a model")
    with pytest.raises(ValueError, match="not a model saved by lstmforecast.save"):
        load(tmp_path / "text")


def test_a_model_fitted_on_cuda_loads_on_a_cpu_only_machine(monthly, tmp_path, monkeypatch):
    """The GPU side is simulated as in test_persistence: the file holds CPU tensors and,
    without a GPU, the model predicts on the CPU with a warning."""
    X, y = monthly
    windows = Windower(look_back=4).fit_transform(X)
    model = LSTMRegressor(**TINY).fit(windows, y)
    expected = model.predict(windows)
    model.device_ = torch.device("cuda", 0)  # as left by a fit on a GPU machine
    save(model, tmp_path / "gpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="fitted on cuda:0.*loaded on the CPU"):
        loaded = load(tmp_path / "gpu")
    assert loaded.device_ == torch.device("cpu")
    np.testing.assert_array_equal(loaded.predict(windows), expected)
