"""Panels: many series in one long frame, one global model."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from lstmforecast import (
    LSTMRegressor,
    NaiveRegressor,
    PanelSplit,
    PerSeriesForecaster,
    SeasonalNaiveRegressor,
    Windower,
    compare,
    forecast,
    make_supervised,
)

from .conftest import TINY


def _panel(n_series=3, n_steps=30, interleave=False, seed=0):
    """Series k holds values in [1000 k, 1000 k + 999]: a window mixing two series shows."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2020-01-01", periods=n_steps, freq="MS")
    frames = [
        pd.DataFrame(
            {"store": f"s{k}", "sales": 1000.0 * k + rng.uniform(0, 999, n_steps)}, index=dates
        )
        for k in range(n_series)
    ]
    panel = pd.concat(frames)
    if interleave:  # sorted by time, the series interleaved row by row
        panel = panel.reset_index().sort_values(["index", "store"]).set_index("index")
    return panel


def _seasonal_panel(levels, n_steps=48, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)
    dates = pd.date_range("2020-01-01", periods=n_steps, freq="MS")
    frames = []
    for k, level in enumerate(levels):
        values = level * (3 + np.sin(2 * np.pi * t / 12 + k) + rng.normal(0, 0.05, n_steps))
        frames.append(pd.DataFrame({"store": f"s{k}", "sales": values}, index=dates))
    return pd.concat(frames)


@pytest.mark.parametrize("interleave", [False, True])
def test_windows_never_cross_series(interleave):
    data = _panel(interleave=interleave)
    X, y = make_supervised(data, target_column="sales", id_column="store")
    windower = Windower(look_back=5, id_column="store")
    windows = windower.fit_transform(X)
    assert windows.shape == (len(X), 5, 1)  # the id column is not a feature
    series = X["store"].str[1:].astype(int).to_numpy()
    low = 1000.0 * series[:, None]
    values = windows[:, :, 0]
    observed = ~np.isnan(values)
    assert np.all(values[observed] >= np.broadcast_to(low, values.shape)[observed])
    assert np.all(values[observed] < np.broadcast_to(low + 1000, values.shape)[observed])
    # Each window ends at its own row, and each series' first windows are padded.
    np.testing.assert_array_equal(values[:, -1], X["sales"].to_numpy(dtype=np.float32))
    rank = X.groupby("store").cumcount().to_numpy()
    np.testing.assert_array_equal(observed.sum(axis=1), np.minimum(rank + 1, 5))


def test_y_aligned_within_each_series():
    data = _panel(interleave=True)
    X, y = make_supervised(data, target_column="sales", horizon=3, id_column="store")
    # The last 3 rows of each series are dropped, no other; rows keep order and index.
    assert len(X) == len(data) - 3 * 3
    assert X.groupby("store").size().eq(27).all()
    for store, rows in data.groupby("store"):
        values = rows["sales"].to_numpy()
        mine = X["store"] == store
        expected = np.lib.stride_tricks.sliding_window_view(values[1:], 3)
        np.testing.assert_array_equal(y[mine].to_numpy(), expected)
        assert X[mine].index.equals(rows.index[:-3])


def test_multiindex_panel_and_bad_input():
    data = _panel().set_index("store", append=True).swaplevel()
    X, y = make_supervised(data, id_column="store")
    windows = Windower(look_back=4, id_column="store").fit_transform(X)
    assert windows.shape == (len(X), 4, 1)
    with pytest.raises(ValueError, match="neither a column"):
        make_supervised(_panel(), target_column="sales", id_column="shop")
    shuffled = _panel().iloc[::-1]
    with pytest.raises(ValueError, match="not in time order"):
        Windower(look_back=3, id_column="store").fit(shuffled)


def test_transform_continues_each_series_from_its_own_tail():
    data = _panel()
    train, test = data[data.index < "2021-07-01"], data[data.index >= "2021-07-01"]
    windower = Windower(look_back=4, id_column="store").fit(train)
    windows = windower.transform(test)
    for store in ["s0", "s1", "s2"]:
        first = np.flatnonzero(test["store"].to_numpy() == store)[0]
        tail = train.loc[train["store"] == store, "sales"].to_numpy()[-3:]
        np.testing.assert_allclose(windows[first, :3, 0], tail.astype(np.float32))
    # A series never seen in fit starts from padding.
    new = test[test["store"] == "s0"].assign(store="new")
    assert np.isnan(windower.transform(new)[0, :3]).all()


def test_panel_split_cuts_every_series_at_the_same_times():
    X, y = make_supervised(
        _panel(interleave=True), target_column="sales", horizon=2, id_column="store"
    )
    times = X.index
    splitter = PanelSplit(n_splits=3, test_size=4, gap=1, id_column="store")
    folds = list(splitter.split(X))
    assert len(folds) == splitter.get_n_splits() == 3
    for train, test in folds:
        assert times[train].max() < times[test].min()
        # gap=1: one month between the last training time and the first test time
        assert times[test].min() == times[train].max() + 2 * pd.offsets.MonthBegin()
        for store in ["s0", "s1", "s2"]:  # every series has the same train and test times
            mine = X["store"].to_numpy() == store
            assert set(times[train]) == set(times[np.intersect1d(train, np.flatnonzero(mine))])
            assert set(times[test]) == set(times[np.intersect1d(test, np.flatnonzero(mine))])


def test_window_scale_makes_forecasts_scale_with_their_series():
    predictions = {}
    for factor in (1.0, 1000.0):
        data = _seasonal_panel([1.0, 5.0])
        data.loc[data["store"] == "s1", "sales"] *= factor
        X, y = make_supervised(data, target_column="sales", id_column="store")
        model = Pipeline(
            [
                ("win", Windower(look_back=6, id_column="store")),
                ("lstm", LSTMRegressor(**{**TINY, "max_epochs": 2}, window_scale="std")),
            ]
        ).fit(X, y)
        predicted = model.predict(X)
        second = X["store"].to_numpy() == "s1"
        predictions[factor] = (predicted[~second], predicted[second] / factor)
    np.testing.assert_allclose(predictions[1000.0][0], predictions[1.0][0], rtol=1e-4)
    np.testing.assert_allclose(predictions[1000.0][1], predictions[1.0][1], rtol=1e-4)


def test_grid_search_over_look_back_on_a_panel():
    X, y = make_supervised(
        _seasonal_panel([1.0, 10.0, 100.0]), target_column="sales", id_column="store"
    )
    pipe = Pipeline(
        [
            ("win", Windower(id_column="store")),
            ("lstm", LSTMRegressor(**{**TINY, "max_epochs": 2}, window_scale="std")),
        ]
    )
    search = GridSearchCV(
        pipe, {"win__look_back": [3, 12]}, cv=PanelSplit(n_splits=2, id_column="store")
    ).fit(X, y)
    assert search.best_params_["win__look_back"] in (3, 12)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_forecast_each_series_at_its_future_dates():
    data = _seasonal_panel([1.0, 100.0], n_steps=36)
    data = data[~((data["store"] == "s1") & (data.index > "2022-10-01"))]  # s1 ends earlier
    X, y = make_supervised(data, target_column="sales", horizon=2, id_column="store")
    model = PerSeriesForecaster(SeasonalNaiveRegressor(season_length=12), id_column="store")
    result = forecast(model.fit(X, y), data, id_column="store")
    assert list(result["store"]) == ["s0", "s0", "s1", "s1"]
    expected = pd.to_datetime(["2023-01-01", "2023-02-01", "2022-11-01", "2022-12-01"])
    assert result.index.equals(pd.DatetimeIndex(expected))
    for store in ("s0", "s1"):  # seasonal naive: the value 12 months before each date
        mine = result[result["store"] == store]
        past = data[data["store"] == store]["sales"]
        before = past.loc[mine.index - pd.DateOffset(months=12)].to_numpy()
        np.testing.assert_allclose(mine["sales"].to_numpy(), before)


def test_forecast_with_intervals_on_a_multiindex_panel():
    data = _seasonal_panel([1.0, 100.0], n_steps=30).set_index("store", append=True)
    data = data.swaplevel()
    X, y = make_supervised(data, target_column="sales", horizon=2, id_column="store")
    model = Pipeline(
        [
            ("win", Windower(look_back=6, id_column="store")),
            ("lstm", LSTMRegressor(**TINY, quantiles=(0.1, 0.5, 0.9), window_scale="std")),
        ]
    ).fit(X, y)
    result = forecast(model, data, id_column="store", coverage=0.8)
    assert result.index.names == ["store", None]
    assert result.index.get_level_values(1)[:2].equals(
        pd.DatetimeIndex(["2022-07-01", "2022-08-01"])
    )
    assert (result["lower"] <= result["sales"]).all() and (result["sales"] <= result["upper"]).all()


def test_compare_reports_per_series_and_pooled_metrics():
    data = _seasonal_panel([1.0, 100.0], n_steps=48)
    X, y = make_supervised(data, target_column="sales", id_column="store")
    models = {
        "naive": PerSeriesForecaster(NaiveRegressor(), id_column="store"),
        "seasonal": PerSeriesForecaster(
            SeasonalNaiveRegressor(season_length=12), id_column="store"
        ),
    }
    table = compare(
        models, X, y, cv=PanelSplit(3, test_size=6, id_column="store"), id_column="store"
    )
    mae = table[table["metric"] == "mae"].set_index(["model", "series"])["mean"]
    for model in models:  # pooled is the mean over the series
        assert mae[model, "pooled"] == pytest.approx((mae[model, "s0"] + mae[model, "s1"]) / 2)
    assert mae["seasonal", "s1"] < mae["naive", "s1"]
    # Per-series errors are in each series' units: the level-100 series errs 100x more.
    assert mae["naive", "s1"] > 20 * mae["naive", "s0"]
    with pytest.raises(ValueError, match="at least horizon"):
        compare(models, X, y, cv=[(np.arange(len(X)), np.arange(len(X)))], id_column="store")


def test_per_series_models_refuse_unknown_series_and_window_scale_its_misuse():
    data = _seasonal_panel([1.0, 100.0], n_steps=24)
    X, y = make_supervised(data, target_column="sales", id_column="store")
    model = PerSeriesForecaster(NaiveRegressor(), id_column="store").fit(X, y)
    with pytest.raises(ValueError, match="never seen in fit"):
        model.predict(X[X["store"] == "s1"].assign(store="s9"))
    windows = Windower(look_back=4, id_column="store").fit_transform(X)
    with pytest.raises(ValueError, match="window_scale divides each window"):
        LSTMRegressor(**TINY, window_scale="std", training="sequence").fit(windows, y)
    with pytest.raises(ValueError, match="window_scale"):
        LSTMRegressor(**TINY, window_scale="median").fit(windows, y)


def test_window_scale_keeps_automatic_training_on_windows(rng):
    series = pd.Series(np.sin(np.arange(600) / 9) * 50 + 100 + rng.normal(0, 1, 600))
    X, y = make_supervised(series)
    windows = Windower(look_back=256).fit_transform(X)
    model = LSTMRegressor(**{**TINY, "max_epochs": 1}, window_scale="std").fit(windows, y)
    assert model.training_ == "window"  # sequence mode would share rows across scales


def test_forecast_reads_the_id_column_from_the_panel_model():
    data = _seasonal_panel([1.0, 100.0], n_steps=30)
    X, y = make_supervised(data, target_column="sales", horizon=2, id_column="store")
    pipe = Pipeline(
        [
            ("win", Windower(look_back=6, id_column="store")),
            ("lstm", LSTMRegressor(**TINY, window_scale="std")),
        ]
    ).fit(X, y)
    # No id_column= and no target_column=: the Windower names the id, and sales is what is left.
    result = forecast(pipe, data, coverage=0.8)
    pd.testing.assert_frame_equal(result, forecast(pipe, data, id_column="store", coverage=0.8))
    assert list(result["store"]) == ["s0", "s0", "s1", "s1"]
    per_series = PerSeriesForecaster(NaiveRegressor(), id_column="store").fit(X, y)
    naive = forecast(per_series, data)
    assert naive["sales"].tolist() == pytest.approx(
        [data[data.store == s]["sales"].iloc[-1] for s in ("s0", "s0", "s1", "s1")]
    )
