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


# -- interval metrics -------------------------------------------------------------------


def test_pinball_loss_by_hand_and_its_minimiser():
    from lstmforecast.metrics import pinball_loss

    # q=0.9, forecast 8 below actual 10: 0.9 * 2; forecast 12 above: 0.1 * 2.
    assert pinball_loss([10.0], [[8.0]], [0.9]) == pytest.approx(1.8)
    assert pinball_loss([10.0], [[12.0]], [0.9]) == pytest.approx(0.2)
    sample = np.random.default_rng(0).normal(size=2000)
    grid = np.linspace(-3, 3, 601)
    losses = [pinball_loss(sample, np.full((2000, 1), g), [0.9]) for g in grid]
    assert grid[int(np.argmin(losses))] == pytest.approx(np.quantile(sample, 0.9), abs=0.02)
    with pytest.raises(ValueError, match="one column per quantile"):
        pinball_loss([1.0, 2.0], [[1.0], [2.0]], [0.1, 0.9])


def test_winkler_score_and_coverage():
    from lstmforecast.metrics import interval_coverage, winkler_score

    y = np.array([[5.0, 1.0], [12.0, 5.0]])  # a 2-step horizon
    lower, upper = np.full_like(y, 4.0), np.full_like(y, 6.0)
    # widths 2 each; misses by 3 and 6 cost 2 / 0.2 = 10 per unit.
    assert winkler_score(y, lower, upper, coverage=0.8) == pytest.approx((2 + 32 + 2 + 62) / 4)
    assert interval_coverage(y, lower, upper) == 0.5
    with pytest.raises(ValueError, match="swapped"):
        interval_coverage(y, upper, lower)
    with pytest.raises(ValueError, match="coverage"):
        winkler_score(y, lower, upper, coverage=90)


@pytest.mark.filterwarnings("ignore:The 3 calibration residuals are too few")
def test_interval_scorers_in_a_search():
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

    from lstmforecast import ConformalForecaster, NaiveRegressor
    from lstmforecast.metrics import get_interval_scorer

    series = np.cumsum(np.random.default_rng(0).normal(size=600))
    X, y = series[:-1, None], series[1:]
    search = GridSearchCV(
        ConformalForecaster(NaiveRegressor()),
        {"calibration_size": [3, 100]},  # 3 residuals make a far too narrow 90% interval
        scoring=get_interval_scorer("coverage", coverage=0.9),
        cv=TimeSeriesSplit(3),
    ).fit(X, y)
    assert search.best_params_ == {"calibration_size": 100}
    assert -0.1 < search.best_score_ <= 0  # 149 test rows per fold
    with pytest.raises(ValueError, match="Unknown interval metric"):
        get_interval_scorer("crps")
