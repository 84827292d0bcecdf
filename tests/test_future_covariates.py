"""Known-future covariates: the block of row t holds t+1..t+h, never the target's future."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.utils import _safe_indexing

from lstmforecast import (
    LSTMClassifier,
    LSTMRegressor,
    Windower,
    forecast,
    load,
    make_supervised,
    save,
)

from .conftest import TINY

HORIZON = 4


def hourly(n=120, seed=0):
    """Load driven by the hour and a persistent temperature, plus a workday flag."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=n, freq="h")
    temperature = np.cumsum(rng.normal(size=n)) * 0.5
    workday = (index.dayofweek < 5).astype(float)
    load = 10 + 3 * np.sin(2 * np.pi * index.hour / 24) + 0.8 * temperature + workday
    return pd.DataFrame({"load": load, "temperature": temperature, "workday": workday}, index=index)


def fitted(data, **params):
    X, y = make_supervised(
        data, target_column="load", horizon=HORIZON, future_covariates=["temperature", "workday"]
    )
    model = make_pipeline(Windower(look_back=6), LSTMRegressor(**{**TINY, **params}))
    return model.fit(X, y), X, y


def test_block_of_row_t_holds_the_covariates_at_t_plus_1_to_t_plus_h():
    data = hourly(30)
    X, y = make_supervised(
        data, target_column="load", horizon=HORIZON, future_covariates=["temperature", "workday"]
    )
    assert len(X) == len(y) == len(data) - HORIZON
    assert X.index.equals(y.index)
    for t in range(len(X)):
        for k in range(1, HORIZON + 1):
            assert X[f"temperature_t+{k}"].iloc[t] == data["temperature"].iloc[t + k]
            assert X[f"workday_t+{k}"].iloc[t] == data["workday"].iloc[t + k]
            assert y[f"load_t+{k}"].iloc[t] == data["load"].iloc[t + k]
    # The observed columns are row t's, unchanged.
    pd.testing.assert_frame_equal(X[list(data.columns)], data.iloc[: len(X)])
    # Step-major: every covariate of step 1, then of step 2 ...
    assert list(X.columns[3:7]) == [
        "temperature_t+1",
        "workday_t+1",
        "temperature_t+2",
        "workday_t+2",
    ]


def test_no_future_value_of_the_target_enters_X_or_the_windows():
    data = hourly(40)
    data["load"] = 1000.0 + np.arange(len(data))  # values no covariate takes
    X, _ = make_supervised(
        data, target_column="load", horizon=HORIZON, future_covariates=["temperature"]
    )
    windows = Windower(look_back=5).fit_transform(X)
    for t in range(len(X)):
        later = set(data["load"].iloc[t + 1 :])
        assert not later & set(X.iloc[t].to_numpy())
        assert not later & set(np.asarray(windows[t]).ravel().tolist())
        assert not later & set(windows.future[t].ravel().tolist())


def test_windower_passes_the_block_per_row_not_windowed():
    data = hourly(40)
    X, _ = make_supervised(
        data, target_column="load", horizon=HORIZON, future_covariates=["temperature"]
    )
    windower = Windower(look_back=5).fit(X)
    windows = windower.transform(X)
    assert windower.future_covariates_ == ["temperature"]
    assert windows.shape == (len(X), 5, 3)  # load, temperature, workday: not the block
    assert windows.future.shape == (len(X), HORIZON, 1)
    expected = X[[f"temperature_t+{k}" for k in range(1, HORIZON + 1)]].to_numpy()
    np.testing.assert_allclose(windows.future[:, :, 0], expected, rtol=1e-6)
    # Row selections (cross-validation, _safe_indexing) keep the block aligned.
    rows = np.array([3, 7, 8])
    for part in (windows[rows], _safe_indexing(windows, rows), windows[3:9][[0, 4, 5]]):
        np.testing.assert_array_equal(part.future, windows.future[rows])
    assert pickle.loads(pickle.dumps(windows)).future.shape == windows.future.shape
    assert not hasattr(windows[:, -1], "future") or windows[:, -1].future is None


def test_flat_windows_end_with_the_block_for_tabular_models():
    data = hourly(60)
    X, y = make_supervised(
        data, target_column="load", horizon=HORIZON, future_covariates=["temperature"]
    )
    windower = Windower(look_back=3, flatten=True).set_output(transform="pandas")
    flat = windower.fit_transform(X)
    names = [f"temperature_t+{k}" for k in range(1, HORIZON + 1)]
    assert list(flat.columns[-HORIZON:]) == names
    assert flat.shape[1] == 3 * 3 + HORIZON
    np.testing.assert_allclose(flat[names].to_numpy(), X[names].to_numpy(), rtol=1e-6)
    Ridge().fit(flat.iloc[2:], y.iloc[2:])  # the first rows are front-padded


def test_lstm_reads_each_steps_covariates_for_that_step():
    model, X, _ = fitted(hourly())
    base = model.predict(X.tail(10))
    changed = X.tail(10).copy()
    changed["temperature_t+3"] += 5.0
    moved = model.predict(changed)
    # Only step 3 reads temperature_t+3 (steps share the decoder; each reads its own).
    assert not np.allclose(moved[:, 2], base[:, 2])
    np.testing.assert_allclose(np.delete(moved, 2, axis=1), np.delete(base, 2, axis=1), rtol=1e-5)
    assert type(model[-1].network_).__name__ == "CovariateNetwork"
    assert model[-1].future_shape_ == (HORIZON, 2)


def test_predict_refuses_rows_without_the_block():
    model, X, _ = fitted(hourly())
    windows = Windower(look_back=6).fit_transform(X[["load", "temperature", "workday"]])
    with pytest.raises(ValueError, match="future covariates"):
        model[-1].predict(windows)


def test_block_horizon_must_match_y():
    X, y = make_supervised(
        hourly(), target_column="load", horizon=HORIZON, future_covariates=["workday"]
    )
    with pytest.raises(ValueError, match="covers 4 steps"):
        make_pipeline(Windower(look_back=4), LSTMRegressor(**TINY)).fit(X, y.iloc[:, :2])


def test_only_the_regressor_reads_the_block():
    X, y = make_supervised(
        hourly(), target_column="load", horizon=HORIZON, future_covariates=["workday"]
    )
    labels = (y.iloc[:, 0] > y.iloc[:, 0].median()).astype(int)
    with pytest.raises(ValueError, match="does not read"):
        make_pipeline(Windower(look_back=4), LSTMClassifier(**TINY)).fit(X, labels)


@pytest.mark.parametrize(
    ("covariates", "message"),
    [(["load"], "cannot be a future covariate"), (["wind"], "not columns"), ([], "empty")],
)
def test_make_supervised_checks_the_covariates(covariates, message):
    with pytest.raises(ValueError, match=message):
        make_supervised(hourly(), target_column="load", horizon=2, future_covariates=covariates)


def test_make_supervised_refuses_missing_covariate_values():
    data = hourly()
    data.iloc[5, 1] = np.nan
    with pytest.raises(ValueError, match="without NaN"):
        make_supervised(data, target_column="load", horizon=2, future_covariates=["temperature"])


def test_panel_block_stays_within_each_series():
    a, b = hourly(12, seed=1), hourly(12, seed=2)
    panel = pd.concat([a.assign(store="a"), b.assign(store="b")])
    X, y = make_supervised(
        panel, target_column="load", horizon=2, id_column="store", future_covariates=["temperature"]
    )
    assert len(X) == 2 * 10
    rows_b = X[X["store"] == "b"]
    np.testing.assert_array_equal(rows_b["temperature_t+2"], b["temperature"].iloc[2:])
    windows = Windower(look_back=3, id_column="store").fit_transform(X)
    np.testing.assert_allclose(windows.future[:, :, 0], X[["temperature_t+1", "temperature_t+2"]])


def test_forecast_with_future_equals_predict_on_the_origin_row():
    data = hourly()
    observed, future = data.iloc[:-HORIZON], data.iloc[-HORIZON:][["temperature", "workday"]]
    model, _, _ = fitted(observed)
    result = forecast(model, observed, target_column="load", future=future)
    assert result.index.equals(future.index)
    X_all, _ = make_supervised(
        data, target_column="load", horizon=HORIZON, future_covariates=["temperature", "workday"]
    )
    np.testing.assert_allclose(result["load"], model.predict(X_all)[-1], rtol=1e-5)
    assert len(forecast(model, observed, horizon=2, target_column="load", future=future)) == 2


def test_forecast_refuses_future_that_does_not_follow_the_data():
    data = hourly()
    observed, future = data.iloc[:-HORIZON], data.iloc[-HORIZON:][["temperature", "workday"]]
    model, _, _ = fitted(observed)
    for bad in (future.iloc[1:], future.shift(1, freq="h"), future.reset_index(drop=True)):
        with pytest.raises(ValueError, match="right after data's last row"):
            forecast(model, observed, target_column="load", future=bad)
    with pytest.raises(ValueError, match="pass future="):
        forecast(model, observed, target_column="load")
    with pytest.raises(ValueError, match="no column"):
        forecast(model, observed, target_column="load", future=future[["workday"]])
    with pytest.raises(ValueError, match="DataFrame"):
        forecast(model, observed, target_column="load", future=future.to_numpy())


def test_grid_search_over_a_covariate_pipeline():
    data = hourly()
    observed, future = data.iloc[:-HORIZON], data.iloc[-HORIZON:][["temperature", "workday"]]
    X, y = make_supervised(
        observed,
        target_column="load",
        horizon=HORIZON,
        future_covariates=["temperature", "workday"],
    )
    search = GridSearchCV(
        make_pipeline(Windower(), LSTMRegressor(**{**TINY, "max_epochs": 2})),
        {"windower__look_back": [3, 6]},
        cv=TimeSeriesSplit(n_splits=2),
        scoring="neg_mean_absolute_error",
    ).fit(X, y)
    assert forecast(search, observed, target_column="load", future=future).shape == (HORIZON, 1)


def test_save_and_load_keep_the_covariate_head(tmp_path):
    model, X, _ = fitted(hourly())
    path = tmp_path / "model.lstm"
    save(model, path)
    np.testing.assert_allclose(load(path).predict(X), model.predict(X), rtol=1e-6)


def test_onnx_export_refuses_the_covariate_head_clearly(tmp_path):
    pytest.importorskip("onnx")
    from lstmforecast import export_onnx

    model, _, _ = fitted(hourly())
    with pytest.raises(ValueError, match="known-future covariates"):
        export_onnx(model, tmp_path / "model.onnx")


def test_compare_scores_a_covariate_pipeline_on_the_same_folds():
    from lstmforecast import SeasonalNaiveRegressor, compare

    X, y = make_supervised(
        hourly(150), target_column="load", horizon=HORIZON, future_covariates=["temperature"]
    )
    lstm = make_pipeline(Windower(look_back=6), LSTMRegressor(**{**TINY, "max_epochs": 2}))
    naive = SeasonalNaiveRegressor(season_length=24)
    table = compare({"lstm": lstm, "naive": naive}, X, y, cv=TimeSeriesSplit(2, gap=3))
    mae = table[table["metric"] == "mae"].set_index("model")["mean"]
    assert set(mae.index) == {"lstm", "naive"} and np.isfinite(mae).all()


def test_auto_look_back_reads_the_observed_columns_only():
    X, _ = make_supervised(
        hourly(200), target_column="load", horizon=HORIZON, future_covariates=["temperature"]
    )
    observed = X[["load", "temperature", "workday"]]
    assert (
        Windower(look_back="auto").fit(X).look_back_
        == Windower(look_back="auto").fit(observed).look_back_
    )
