"""CalendarFeatures: calendar columns from the time index, the same for past and future."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from lstmforecast import CalendarFeatures


def dated(n=48, freq="h", start="2024-01-05"):
    index = pd.date_range(start, periods=n, freq=freq)
    return pd.DataFrame({"load": np.arange(n, dtype=float)}, index=index)


def test_cycles_are_sin_cos_pairs_of_the_time():
    frame = dated()
    out = CalendarFeatures(features=["hour", "day_of_week"]).fit_transform(frame)
    six = out.loc["2024-01-05 06:00"]
    assert six["hour_sin"] == pytest.approx(1.0) and six["hour_cos"] == pytest.approx(0.0)
    midnight = out.loc["2024-01-06 00:00"]
    assert midnight["hour_sin"] == pytest.approx(0.0) and midnight["hour_cos"] == 1.0
    np.testing.assert_allclose(out["hour_sin"] ** 2 + out["hour_cos"] ** 2, 1.0)
    # Saturday 00:00 is 5/7 of the weekly cycle from Monday 00:00.
    assert midnight["day_of_week_sin"] == pytest.approx(np.sin(2 * np.pi * 5 / 7))
    pd.testing.assert_series_equal(out["load"], frame["load"])


def test_weekend_and_workday():
    out = CalendarFeatures(features=["weekend", "workday"]).fit_transform(dated(7, "D"))
    assert out["weekend"].tolist() == [0, 1, 1, 0, 0, 0, 0]  # Fri 5 Jan .. Thu 11 Jan 2024
    assert out["workday"].tolist() == [1, 0, 0, 1, 1, 1, 1]


def test_holidays_are_no_workdays():
    pytest.importorskip("holidays")
    frame = dated(3, "D", start="2024-12-24")
    out = CalendarFeatures(features=["workday"], country="US").fit_transform(frame)
    assert out["holiday"].tolist() == [0, 1, 0]  # Christmas Day
    assert out["workday"].tolist() == [1, 0, 1]


def test_future_dates_without_columns():
    future = pd.DataFrame(index=pd.date_range("2030-06-01", periods=24, freq="h"))
    calendar = CalendarFeatures()
    out = calendar.fit_transform(future)
    assert list(out.columns) == list(calendar.get_feature_names_out())
    assert out.index.equals(future.index) and np.isfinite(out.to_numpy()).all()


def test_estimator_contract_on_dated_frames():
    frame = dated()
    calendar = CalendarFeatures(keep_input=False)
    with pytest.raises(NotFittedError):
        calendar.transform(frame)
    assert calendar.fit(frame) is calendar
    assert calendar.n_features_in_ == 1 and list(calendar.feature_names_in_) == ["load"]
    assert clone(calendar).get_params() == calendar.get_params()
    again = pickle.loads(pickle.dumps(calendar))
    pd.testing.assert_frame_equal(again.transform(frame), calendar.transform(frame))
    with pytest.raises(ValueError, match="fitted with 1"):
        calendar.transform(frame.assign(extra=1.0))


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.zeros((3, 2)), "pandas index"),
        (pd.DataFrame({"a": [1.0, 2.0]}), "DatetimeIndex"),
    ],
)
def test_undated_input_is_refused(X, message):
    with pytest.raises(ValueError, match=message):
        CalendarFeatures().fit(X)


def test_unknown_feature_is_refused():
    with pytest.raises(ValueError, match="moon"):
        CalendarFeatures(features=["hour", "moon"]).fit(dated())
