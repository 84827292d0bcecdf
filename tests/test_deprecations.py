"""Renamed public names (one word per concept) keep working for two releases with a
FutureWarning that names the new one, and models saved or pickled under the old names
load with the new ones (tests/data/legacy holds files written before the renames)."""

import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest

from lstmforecast import LSTMClassifier, LSTMRegressor, load, make_supervised

from .conftest import TINY

LEGACY = Path(__file__).parent / "data" / "legacy"


def _quiet_load(name, how):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. sklearn's version stamp of the pickles
        if how == "joblib":
            return joblib.load(LEGACY / f"{name}.joblib")
        return load(LEGACY / f"{name}.lstmf")


@pytest.fixture(scope="module")
def sine_windows():
    X = np.sin(np.arange(60.0) / 3)[:, None]
    windows = np.lib.stride_tricks.sliding_window_view(X[:, 0], 6)[:, :, None]
    return windows[:-1].astype(np.float32), X[6:, 0]


def test_loss_curve_is_the_training_losses_and_history_warns(sine_windows):
    X, y = sine_windows
    model = LSTMRegressor(**TINY, smoothing_anchor=False).fit(X, y)
    assert set(model.loss_curve_) >= {"epoch", "train_loss", "valid_loss", "lr"}
    assert "history_" not in vars(model)
    with pytest.warns(FutureWarning, match="history_ was renamed loss_curve_"):
        old = model.history_
    assert old is model.loss_curve_
    assert not hasattr(LSTMRegressor(), "history_")  # unfitted: neither name


@pytest.mark.parametrize("how", ["lstmf", "joblib"])
@pytest.mark.parametrize("name", ["pipeline", "classifier"])
def test_models_saved_with_history_load_with_loss_curve(name, how):
    model = _quiet_load(name, how)
    network = model[-1] if name == "pipeline" else model
    assert isinstance(network, LSTMRegressor | LSTMClassifier)
    assert "history_" not in vars(network)
    assert len(network.loss_curve_["train_loss"]) == network.n_iter_


def test_windower_last_rows_and_seasonal_naive_last_season_replace_history():
    from lstmforecast import SeasonalNaiveRegressor, Windower

    X, y = make_supervised(np.arange(20.0))
    windower = Windower(look_back=4).fit(X)
    np.testing.assert_array_equal(windower.last_rows_[:, 0], [16.0, 17.0, 18.0])
    with pytest.warns(FutureWarning, match="Windower.history_ was renamed last_rows_"):
        assert windower.history_ is windower.last_rows_
    naive = SeasonalNaiveRegressor(season_length=3).fit(X, y)
    np.testing.assert_array_equal(naive.last_season_, [17.0, 18.0, 19.0])
    with pytest.warns(FutureWarning, match="history_ was renamed last_season_"):
        assert naive.history_ is naive.last_season_


@pytest.mark.parametrize("how", ["lstmf", "joblib"])
def test_saved_windower_and_seasonal_naive_load_under_the_new_names(how):
    windower = _quiet_load("pipeline", how)[0]
    naive = _quiet_load("seasonal_naive", how)
    assert "history_" not in vars(windower) and "history_" not in vars(naive)
    assert windower.last_rows_.shape == (windower.look_back_ - 1, windower.n_features_in_)
    assert len(naive.last_season_) == naive.season_length


def test_baselines_count_their_outputs_as_n_outputs_and_horizon_warns():
    from lstmforecast import ETSRegressor, NaiveRegressor

    X, y = make_supervised(np.arange(1.0, 41.0), horizon=3)
    for model in (NaiveRegressor(), ETSRegressor(seasonal=None, trend=None)):
        model.fit(X, y)
        assert model.n_outputs_ == 3 and model.predict(X[-1:]).shape == (1, 3)
        with pytest.warns(FutureWarning, match="horizon_ was renamed n_outputs_"):
            assert model.horizon_ == 3


@pytest.mark.parametrize("name", ["arima", "seasonal_naive"])
@pytest.mark.parametrize("how", ["lstmf", "joblib"])
def test_baselines_saved_with_horizon_load_with_n_outputs(name, how):
    # test_legacy_files checks that they predict as before
    model = _quiet_load(name, how)
    assert (
        "horizon_" not in vars(model)
        and model.n_outputs_ == {"arima": 1, "seasonal_naive": 3}[name]
    )


def test_series_ids_are_series_ids_and_series_warns():
    import pandas as pd

    from lstmforecast import NaiveRegressor, PerSeriesForecaster, Windower

    data = pd.DataFrame({"id": ["a"] * 6 + ["b"] * 6, "v": np.arange(12.0)})
    X, y = make_supervised(data, target_column="v", id_column="id")
    windower = Windower(look_back=2, id_column="id").fit(X)
    local = PerSeriesForecaster(NaiveRegressor(), id_column="id").fit(X, y)
    for model in (windower, local):
        assert model.series_ids_.tolist() == ["a", "b"]
        with pytest.warns(FutureWarning, match="series_ was renamed series_ids_"):
            assert model.series_ is model.series_ids_
        # a pickle of the old name loads under the new one
        state = {("series_" if k == "series_ids_" else k): v for k, v in vars(model).items()}
        restored = type(model).__new__(type(model))
        restored.__setstate__(state)
        assert restored.series_ids_.tolist() == ["a", "b"] and "series_" not in vars(restored)
    history = NaiveRegressor().fit(X[["v"]], y).series_  # the baselines keep their word
    np.testing.assert_array_equal(history, X["v"].to_numpy())


def test_season_length_replaces_the_regressors_seasonality(sine_windows):
    X, y = sine_windows
    params = dict(TINY, smoothing_anchor=False, max_epochs=2)
    new = LSTMRegressor(**params, season_length=6).fit(X, y)
    with pytest.warns(FutureWarning, match="seasonality was renamed season_length"):
        old = LSTMRegressor(**params, seasonality=6).fit(X, y)
    assert new.season_lengths_ == old.season_lengths_ == (6,)
    np.testing.assert_array_equal(new.predict(X), old.predict(X))
    with pytest.raises(TypeError, match="both season_length=6 and .* seasonality=12"):
        LSTMRegressor(**params, season_length=6, seasonality=12).fit(X, y)


@pytest.mark.parametrize("how", ["lstmf", "joblib"])
def test_a_regressor_saved_with_seasonality_loads_with_season_length(how):
    lstm = _quiet_load("pipeline", how)[-1]
    assert lstm.seasonality == "deprecated"
    assert lstm.get_params()["season_length"] == "auto"


def test_target_column_is_the_functions_word_as_the_baselines():
    import pandas as pd

    from lstmforecast import NaiveRegressor, forecast

    data = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) ** 2})
    X, y = make_supervised(data, target_column="b")
    with pytest.warns(FutureWarning, match="make_supervised's parameter target was renamed"):
        X_old, y_old = make_supervised(data, target="b")
    pd.testing.assert_series_equal(y, y_old)
    X_positional, _ = make_supervised(data, "b")  # the second argument, as before
    pd.testing.assert_frame_equal(X, X_positional)
    model = NaiveRegressor(target_column="b").fit(X, y)
    with pytest.warns(FutureWarning, match="forecast's parameter target was renamed"):
        old = forecast(model, data, horizon=1, target="b")
    pd.testing.assert_frame_equal(forecast(model, data, horizon=1, target_column="b"), old)
    with pytest.raises(TypeError, match="both target_column='b' and"):
        make_supervised(data, target_column="b", target="a")


def test_id_column_replaces_groups_which_sklearn_uses_for_label_arrays():
    import pandas as pd

    from lstmforecast import NaiveRegressor, PanelSplit, PerSeriesForecaster, Windower, compare
    from lstmforecast import forecast as forecast_

    times = pd.date_range("2000-01", periods=12, freq="MS")
    data = pd.DataFrame({"id": ["a"] * 12 + ["b"] * 12, "v": np.arange(24.0)}, index=[*times] * 2)
    X, y = make_supervised(data, target_column="v", id_column="id")
    with pytest.warns(FutureWarning, match="make_supervised's parameter groups was renamed"):
        X_old, y_old = make_supervised(data, target_column="v", groups="id")
    pd.testing.assert_frame_equal(X, X_old)
    new = Windower(look_back=2, id_column="id").fit(X)
    with pytest.warns(FutureWarning, match="Windower's parameter groups was renamed id_column"):
        old = Windower(look_back=2, groups="id").fit(X)
    np.testing.assert_array_equal(new.transform(X), old.transform(X))
    with pytest.warns(FutureWarning, match="PanelSplit's parameter groups"):
        old_folds = list(PanelSplit(n_splits=2, groups="id").split(X))
    new_folds = list(PanelSplit(n_splits=2, id_column="id").split(X))
    assert all(
        (a == b).all()
        for fold, old_fold in zip(new_folds, old_folds)
        for a, b in zip(fold, old_fold)
    )
    local = PerSeriesForecaster(NaiveRegressor(), id_column="id").fit(X, y)
    with pytest.warns(FutureWarning, match="PerSeriesForecaster's parameter groups"):
        local_old = PerSeriesForecaster(NaiveRegressor(), groups="id").fit(X, y)
    np.testing.assert_array_equal(local.predict(X), local_old.predict(X))
    # a model built with the old name still names its panel to forecast()
    pd.testing.assert_frame_equal(
        forecast_(local_old, data, horizon=1), forecast_(local, data, horizon=1)
    )
    with pytest.warns(FutureWarning, match="compare's parameter groups"):
        compare({"naive": local}, X, y, cv=2, groups="id")
    # sklearn's groups argument of split() is still accepted and ignored
    assert (
        len(list(PanelSplit(n_splits=2, id_column="id").split(X, y, groups=np.zeros(len(X))))) == 2
    )


def test_plot_loss_curve_replaces_plot_history(sine_windows):
    pytest.importorskip("matplotlib")
    from lstmforecast import plot_history, plot_loss_curve

    X, y = sine_windows
    model = LSTMRegressor(**TINY, smoothing_anchor=False).fit(X, y)
    labels = [line.get_label() for line in plot_loss_curve(model).axes[0].get_lines()]
    with pytest.warns(FutureWarning, match="plot_history was renamed plot_loss_curve"):
        old = plot_history(model)
    assert [line.get_label() for line in old.axes[0].get_lines()] == labels
