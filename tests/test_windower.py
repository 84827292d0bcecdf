import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import TimeSeriesSplit

from lstmforecast import Windower, make_supervised


def test_window_t_ends_at_row_t(rng):
    X = rng.normal(size=(50, 3))
    windows = Windower(look_back=5).fit_transform(X)
    assert windows.shape == (50, 5, 3) and windows.dtype == np.float32
    for t in range(4, 50):
        np.testing.assert_array_equal(windows[t], X[t - 4 : t + 1].astype(np.float32))
    np.testing.assert_array_equal(windows[:, -1], X.astype(np.float32))


def test_rows_without_history_are_front_padded_and_nothing_is_dropped():
    windows = Windower(look_back=4).fit_transform(np.arange(6.0)[:, None])
    assert len(windows) == 6
    assert np.isnan(windows[0, :3]).all() and windows[0, 3, 0] == 0
    assert np.isnan(windows[2, :1]).all() and np.isfinite(windows[2, 1:]).all()


def test_windows_are_a_strided_view_not_a_copy():
    X = np.arange(1000.0).reshape(-1, 2)
    windows = Windower(look_back=64).fit_transform(X)
    base = windows.base
    while getattr(base, "base", None) is not None:
        base = base.base
    assert base.nbytes < 2 * X.nbytes  # one padded float32 copy, not 64 of them
    assert not windows.flags.writeable


def test_flatten_matches_3d_and_names_columns():
    X = pd.DataFrame({"a": np.arange(6.0), "b": -np.arange(6.0)})
    win = Windower(look_back=2, flatten=True).fit(X)
    flat = win.transform(X)
    np.testing.assert_array_equal(flat, Windower(look_back=2).fit_transform(X).reshape(6, -1))
    assert list(win.get_feature_names_out()) == ["a_lag1", "b_lag1", "a_lag0", "b_lag0"]
    with pytest.raises(ValueError, match="flatten=True"):
        Windower().fit(X).get_feature_names_out()


def test_continuing_pandas_index_uses_training_tail_as_history():
    series = pd.Series(np.arange(20.0), index=pd.date_range("2020", periods=20, freq="D"))
    win = Windower(look_back=3).fit(series[:10])
    following = win.transform(series[10:])
    np.testing.assert_array_equal(following[0, :, 0], [8.0, 9.0, 10.0])
    # the same rows out of sequence get padding, never foreign history
    assert np.isnan(win.transform(series[12:])[0, :2]).all()
    # fit_transform on the training rows pads, as transform of those rows does
    assert np.isnan(win.fit_transform(series[:10])[0, :2]).all()


def test_test_folds_of_timeseriessplit_continue_the_training_fold():
    X = pd.DataFrame({"x": np.arange(40.0)})
    for train, test in TimeSeriesSplit(n_splits=3).split(X):
        win = Windower(look_back=4).fit(X.iloc[train])
        windows = win.transform(X.iloc[test])
        assert np.isfinite(windows).all()
        np.testing.assert_array_equal(windows[:, -1, 0], X["x"].to_numpy()[test])
        # no window holds a value later than its own row
        assert (windows[:, :, 0].max(axis=1) == X["x"].to_numpy()[test]).all()


def test_series_and_1d_input_are_one_feature():
    assert Windower(look_back=2).fit_transform(pd.Series([1.0, 2.0, 3.0])).shape == (3, 2, 1)
    assert Windower(look_back=2).fit_transform(np.array([1.0, 2.0, 3.0])).shape == (3, 2, 1)


@pytest.mark.parametrize(
    "look_back, match",
    [
        (0, r"'look_back' parameter of Windower must be an int in the range \[1, inf\)"),
        (2.5, "look_back"),
    ],
)
def test_bad_look_back(look_back, match):
    with pytest.raises(ValueError, match=match):
        Windower(look_back=look_back).fit(np.zeros((5, 1)))


def test_missing_values_are_named():
    X = np.ones((8, 2))
    X[5, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN or inf in rows \[5\].*impute"):
        Windower(look_back=2).fit(X)


def test_feature_count_is_checked_and_unfitted_raises():
    with pytest.raises(ValueError, match="not fitted"):
        Windower().transform(np.zeros((3, 1)))
    with pytest.raises(ValueError, match="expecting 2 features"):
        Windower(look_back=2).fit(np.zeros((5, 2))).transform(np.zeros((5, 3)))


def test_make_supervised_aligns_and_drops_only_the_last_rows():
    frame = pd.DataFrame({"sales": np.arange(10.0), "price": np.arange(10.0) * 2})
    X, y = make_supervised(frame, target_column="sales", horizon=3)
    assert len(X) == 7 and X.index.equals(frame.index[:7])
    np.testing.assert_array_equal(y.to_numpy(), np.arange(7)[:, None] + [1, 2, 3])
    assert list(y.columns) == ["sales_t+1", "sales_t+2", "sales_t+3"]
    X1, y1 = make_supervised(frame["sales"])
    assert y1.name == "sales" and (y1.to_numpy() == np.arange(1.0, 10.0)).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(target_column="nope"), "not a column"),
        (dict(horizon=0), "'horizon' parameter of make_supervised must be an int"),
        (dict(target_column="a", horizon=20), "too few for horizon=20"),
        (dict(), "pass target_column="),
    ],
)
def test_make_supervised_errors(kwargs, match):
    frame = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0)})
    with pytest.raises(ValueError, match=match):
        make_supervised(frame, **kwargs)


def test_indexes_without_arithmetic_and_plain_lists_are_fine():
    frame = pd.DataFrame({"x": np.arange(6.0)}, index=[f"d{i}" for i in range(6)])
    win = Windower(look_back=2).fit(frame.iloc[:4])
    assert np.isnan(win.transform(frame.iloc[4:])[0, 0, 0])  # no continuation claimed
    assert Windower(look_back=2).fit_transform([1.0, 2.0, 3.0]).shape == (3, 2, 1)


def test_set_output_names_flattened_lags_and_keeps_the_index():
    index = pd.date_range("2020", periods=6, freq="D")
    X = pd.DataFrame({"x": np.arange(6.0), "z": -np.arange(6.0)}, index=index)
    win = Windower(look_back=2, flatten=True).set_output(transform="pandas")
    frame = win.fit_transform(X)
    assert isinstance(frame, pd.DataFrame) and frame.index.equals(index)
    assert list(frame.columns) == ["x_lag1", "z_lag1", "x_lag0", "z_lag0"]
    np.testing.assert_array_equal(
        frame.to_numpy(), Windower(look_back=2, flatten=True).fit_transform(X)
    )
    # 3-D windows have no data-frame form: they stay an array, as documented
    windows = Windower(look_back=2).set_output(transform="pandas").fit_transform(X)
    assert isinstance(windows, np.ndarray) and windows.shape == (6, 2, 2)


def _seasonal_frame(n=160):
    index = pd.date_range("2000-01", periods=n, freq="MS")
    noise = np.random.default_rng(0).normal(scale=0.3, size=n)
    series = pd.Series(50 + 10 * np.sin(np.arange(n) * 2 * np.pi / 12) + noise, index=index)
    return make_supervised(series.rename("y"))


def test_scaler_in_front_keeps_the_history_with_set_output():
    # The blog posts' recipe: without set_output the scaler drops the index, so every
    # test window starts short of history (silently, before this warning existed).
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler

    from lstmforecast import LSTMRegressor
    from lstmforecast.metrics import mae

    X, y = _seasonal_frame()
    train, test = slice(None, -24), slice(-24, None)
    params = dict(hidden_size=8, max_epochs=40, lr=0.02, batch_size=32, random_state=0)
    params["smoothing_anchor"] = False  # a short series: train the network regardless

    def fitted(*front, output="default"):
        pipe = make_pipeline(*front, Windower(look_back=12), LSTMRegressor(**params, device="cpu"))
        return pipe.set_output(transform=output).fit(X[train], y[train])

    plain = mae(y[test], fitted().predict(X[test]))
    scaled = fitted(MinMaxScaler(), output="pandas")
    assert isinstance(scaled[:-1].transform(X[test]), np.ndarray)
    assert np.isfinite(scaled[:-1].transform(X[test])).all()  # the training tail is history
    with_index = mae(y[test], scaled.predict(X[test]))
    without_index = fitted(MinMaxScaler())
    with pytest.warns(UserWarning, match=r"set_output\(transform=\"pandas\"\)"):
        lost = mae(y[test], without_index.predict(X[test]))
    assert with_index < 1.25 * plain
    assert lost > 1.5 * with_index


def test_padding_that_history_could_avoid_warns_once_per_fit():
    import warnings

    X = np.arange(20.0)[:, None]
    win = Windower(look_back=4).fit(X[:10])
    with pytest.warns(UserWarning, match="no time index") as record:
        win.transform(X[10:])
        win.transform(X[10:])
    assert len(record) == 1
    series = pd.Series(np.arange(20.0), index=pd.date_range("2020", periods=20, freq="D"))
    win = Windower(look_back=4).fit(series[:10])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        win.transform(series[10:])  # continues: history placed
        win.transform(series[:10])  # the index says these rows have no earlier history here


def test_a_lone_origin_row_without_history_warns():
    series = pd.Series(np.arange(20.0), index=pd.date_range("2020", periods=20, freq="D"))
    win = Windower(look_back=4).fit(series)
    with pytest.warns(UserWarning, match="fewer than look_back=4"):
        window = win.transform(series.tail(1))
    assert np.isnan(window[0, :3]).all()


def test_gapped_test_fold_is_bridged_without_reading_the_future():
    # TimeSeriesSplit(gap=2): two rows between the folds were never seen by the Windower.
    X = pd.DataFrame({"x": np.arange(40.0) ** 1.5}, index=pd.date_range("2020", periods=40))
    for train, test in TimeSeriesSplit(n_splits=3, gap=2).split(X):
        win = Windower(look_back=6).fit(X.iloc[train])
        windows = win.transform(X.iloc[test])[:, :, 0]
        assert np.isfinite(windows).all()
        values = X["x"].to_numpy()
        np.testing.assert_allclose(windows[0, :3], values[train[-3:]], rtol=1e-6)
        # the two unseen rows lie between the last training row and the first test row
        np.testing.assert_allclose(
            windows[0, 3:5],
            values[train[-1]] + (values[test[0]] - values[train[-1]]) * np.array([1 / 3, 2 / 3]),
            rtol=1e-6,
        )
        # whatever the later rows hold, the first windows do not change
        changed = X.iloc[test].copy()
        changed.iloc[1:] = -1.0
        np.testing.assert_array_equal(win.transform(changed)[0], win.transform(X.iloc[test])[0])
    # a gap too wide for any training row to enter a window is left as padding
    win = Windower(look_back=3).fit(X.iloc[:10])
    assert np.isnan(win.transform(X.iloc[12:20])[0, :2]).all()
