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
    "look_back, match", [(0, "look_back must be an integer >= 1"), (2.5, "look_back")]
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
    X, y = make_supervised(frame, target="sales", horizon=3)
    assert len(X) == 7 and X.index.equals(frame.index[:7])
    np.testing.assert_array_equal(y.to_numpy(), np.arange(7)[:, None] + [1, 2, 3])
    assert list(y.columns) == ["sales_t+1", "sales_t+2", "sales_t+3"]
    X1, y1 = make_supervised(frame["sales"])
    assert y1.name == "sales" and (y1.to_numpy() == np.arange(1.0, 10.0)).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(target="nope"), "not a column"),
        (dict(horizon=0), "horizon must be a positive integer"),
        (dict(target="a", horizon=20), "too few for horizon=20"),
        (dict(), "pass target="),
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
