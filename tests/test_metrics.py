import numpy as np
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate

from lstmforecast import NaiveRegressor, SeasonalNaiveRegressor
from lstmforecast.metrics import METRICS, get_scorer, mae, make_scorers, mape, mase, rmse, smape

Y_TRUE = np.array([[2.0, 4.0], [4.0, 8.0], [8.0, 16.0]])
Y_PRED = np.array([[3.0, 4.0], [4.0, 6.0], [8.0, 12.0]])


def test_values_by_hand():
    errors = np.abs(Y_TRUE - Y_PRED)  # 1, 0, 0, 2, 0, 4
    assert mae(Y_TRUE, Y_PRED) == pytest.approx(7 / 6)
    assert rmse(Y_TRUE, Y_PRED) == pytest.approx(np.sqrt(21 / 6))
    assert mape(Y_TRUE, Y_PRED) == pytest.approx(100 * np.mean(errors / Y_TRUE))
    expected = 100 * np.mean(2 * errors / (Y_TRUE + Y_PRED))
    assert smape(Y_TRUE, Y_PRED) == pytest.approx(expected)
    # Scale from the first column of y_true: |4 - 2|, |8 - 4| -> 3.
    assert mase(Y_TRUE, Y_PRED) == pytest.approx((7 / 6) / 3)
    assert mase(Y_TRUE, Y_PRED, y_train=[0.0, 1.0, 3.0]) == pytest.approx((7 / 6) / 1.5)
    assert mase(Y_TRUE, Y_PRED, season_length=2) == pytest.approx((7 / 6) / 6)


def test_smape_of_two_zeros_is_zero_and_mape_stays_finite():
    assert smape([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert np.isfinite(mape([0.0, 1.0], [1.0, 1.0]))


def test_one_dimensional_and_column_shapes_agree():
    assert mae([1.0, 2.0], [[1.0], [3.0]]) == 0.5


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: mae([1.0, 2.0], [[1.0, 2.0], [3.0, 4.0]]), "must match"),
        (lambda: mae([], []), "empty"),
        (lambda: mase([1.0, 2.0], [1.0, 2.0], season_length=2), "more than season_length"),
        (lambda: mase([1.0, 1.0, 1.0], [1.0, 2.0, 1.0]), "undefined"),
        (lambda: get_scorer("r2"), "Unknown metric"),
    ],
)
def test_errors_say_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("name", sorted(METRICS))
def test_scorers_are_negated_errors(name):
    X = np.arange(10.0)[:, None] + 1
    y = X[:, 0] + 1
    model = DummyRegressor().fit(X, y)
    score = get_scorer(name)(model, X, y)
    assert score < 0
    assert score == pytest.approx(-METRICS[name](y, model.predict(X)))
    assert get_scorer("neg_" + name)(model, X, y) == score


def test_scorers_in_cross_validate_and_grid_search():
    series = np.tile([1.0, 4.0, 2.0, 8.0], 12) + np.arange(48) * 0.1
    X, y = series[:-1, None], series[1:]
    scores = cross_validate(NaiveRegressor(), X, y, cv=TimeSeriesSplit(3), scoring=make_scorers())
    assert {f"test_neg_{name}" for name in METRICS} <= set(scores)
    assert all((scores[f"test_neg_{name}"] < 0).all() for name in METRICS)
    search = GridSearchCV(
        SeasonalNaiveRegressor(),
        {"season_length": [1, 4]},
        scoring=get_scorer("smape"),
        cv=TimeSeriesSplit(3),
    ).fit(X, y)
    assert search.best_params_ == {"season_length": 4}  # greater (less negative) is better
