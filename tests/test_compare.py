import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from lstmforecast import (
    ARIMARegressor,
    ConformalForecaster,
    NaiveRegressor,
    SeasonalNaiveRegressor,
    make_supervised,
)
from lstmforecast._forecasting.compare import compare
from lstmforecast._utils.threads import torch_threads
from lstmforecast.datasets import load_sunspots

from .conftest import TINY


class RecordsRows(RegressorMixin, BaseEstimator):
    """Predicts zeros and reports the rows it was fitted on through its predictions."""

    def fit(self, X, y):
        self.last_row_ = int(np.asarray(X)[-1, 0])
        return self

    def predict(self, X):
        return np.full(len(X), float(self.last_row_))


@pytest.fixture(scope="module")
def sunspots():
    return make_supervised(load_sunspots(), horizon=2)


def test_tidy_table_on_a_shipped_dataset(sunspots):
    X, y = sunspots
    table = compare(
        {"arima": ARIMARegressor(order=(2, 0, 0), trend="c"), "naive": NaiveRegressor()},
        X,
        y,
        cv=3,
    )
    metrics = ["mae", "rmse", "smape", "mase", "fit_seconds", "predict_seconds"]
    assert list(table.columns) == ["model", "metric", "mean", "std", "fold_1", "fold_2", "fold_3"]
    assert table["model"].tolist() == ["arima"] * 6 + ["naive"] * 6
    assert table["metric"].tolist() == metrics * 2
    folds = table[["fold_1", "fold_2", "fold_3"]].to_numpy()
    assert_allclose(table["mean"], folds.mean(axis=1))
    assert (table["mean"] >= 0).all()  # errors are reported positive
    mae = table[table.metric == "mae"].set_index("model")["mean"]
    assert mae["arima"] < mae["naive"]


def fitted_last_row(estimator, X, y):
    return float(estimator.predict(X)[0])


def test_default_folds_are_time_series_split_with_gap(sunspots):
    X, y = sunspots  # horizon 2: one row of gap
    rows = pd.DataFrame({"row": np.arange(len(X))}, index=X.index)
    table = compare(
        {"a": RecordsRows(), "b": RecordsRows()}, rows, y, cv=4, scoring={"end": fitted_last_row}
    )
    expected = [train.max() for train, _ in TimeSeriesSplit(4, gap=1).split(rows)]
    ends = table.loc[table.metric == "end", ["fold_1", "fold_2", "fold_3", "fold_4"]]
    # Every model is fitted on the same folds, those of TimeSeriesSplit(gap=horizon - 1).
    assert_allclose(ends.to_numpy(), [expected, expected])


def test_leaking_folds_are_rejected(sunspots):
    X, y = sunspots
    with pytest.raises(ValueError, match="gap=1"):
        compare([NaiveRegressor()], X, y, cv=TimeSeriesSplit(3))
    with pytest.raises(ValueError, match="before the test rows"):
        compare([NaiveRegressor()], X, y.iloc[:, 0], cv=KFold(3))


def test_rows_must_align(sunspots):
    X, y = sunspots
    with pytest.raises(ValueError, match="aligned row by row"):
        compare([NaiveRegressor()], X.iloc[:-1], y)


def test_scoring_forms_and_duplicate_names(sunspots):
    X, y = sunspots
    table = compare(
        [NaiveRegressor(), NaiveRegressor()],
        X,
        y,
        cv=2,
        scoring=["neg_mae", "neg_mean_squared_error", "r2"],
    )
    assert table["model"].unique().tolist() == ["NaiveRegressor", "NaiveRegressor-2"]
    by_metric = table.groupby("metric", sort=False)["mean"].first()
    assert list(by_metric.index[:3]) == ["mae", "mean_squared_error", "r2"]
    assert by_metric["mean_squared_error"] > 0


def test_parallel_matches_sequential_and_plot(sunspots, tmp_path):
    X, y = sunspots
    models = {"seasonal": SeasonalNaiveRegressor(season_length=11), "naive": NaiveRegressor()}
    sequential = compare(models, X, y, cv=3)
    path = tmp_path / "compare.png"
    parallel, figure = compare(models, X, y, cv=3, n_jobs=2, plot=str(path))
    metrics = ~sequential.metric.str.endswith("seconds")
    pd.testing.assert_frame_equal(sequential[metrics], parallel[metrics])
    assert path.stat().st_size > 0
    top, errors, bars = figure.axes
    assert top.get_ylabel() == "sunspots" and "forecast - actual" in errors.get_ylabel()
    # The models' lines are drawn over the actual values, the first model on top.
    lines = {line.get_label(): line for line in top.get_lines()}
    assert (
        lines["seasonal"].get_zorder() > lines["naive"].get_zorder() > lines["actual"].get_zorder()
    )
    # Legends sit outside the axes, so they never hide a bar.
    for axes in figure.axes:
        assert axes.get_legend().get_bbox_to_anchor().x0 >= axes.get_window_extent().x1 - 1
    import matplotlib.pyplot as plt

    plt.close(figure)


def test_torch_threads_are_limited_then_restored():
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    with torch_threads(before + 1):
        assert torch.get_num_threads() == before + 1
    assert torch.get_num_threads() == before


class ReportsTorchThreads(RegressorMixin, BaseEstimator):
    """Predicts the number of torch threads it was fitted with."""

    def fit(self, X, y):
        import torch

        self.threads_ = torch.get_num_threads()
        return self

    def predict(self, X):
        return np.full(len(X), float(self.threads_))


def test_thread_workers_share_the_cores_for_torch(sunspots):
    # Process workers get their share from joblib (loky's inner_max_num_threads); thread
    # workers share torch's process-wide setting, which compare limits and restores.
    import os

    from joblib import parallel_config

    torch = pytest.importorskip("torch")
    X, y = sunspots
    before = torch.get_num_threads()
    with parallel_config(backend="threading"):
        _, predictions = compare(
            [ReportsTorchThreads()], X, y.iloc[:, 0], cv=2, n_jobs=2, return_predictions=True
        )
    assert (predictions["y_pred"] == max(1, (os.cpu_count() or 1) // 2)).all()
    assert torch.get_num_threads() == before


def test_out_of_fold_predictions_with_timestamps_and_intervals():
    series = pd.Series(
        np.cumsum(np.random.default_rng(0).normal(size=400)),
        index=pd.date_range("1990-01-01", periods=400, freq="MS"),
        name="level",
    )
    X, y = make_supervised(series, horizon=2)
    models = {
        "conformal": ConformalForecaster(NaiveRegressor(), calibration_size=80),
        "ridge": Ridge(),
    }
    with pytest.warns(UserWarning, match="ridge gives no quantiles"):
        table, predictions = compare(
            models, X, y, cv=3, coverage=0.8, return_predictions=True, scoring="mae"
        )
    assert table["metric"].unique().tolist() == [
        "mae",
        "coverage",
        "winkler",
        "pinball",
        "fit_seconds",
        "predict_seconds",
    ]
    by_model = table[table.metric == "coverage"].set_index("model")["mean"]
    assert 0.65 < by_model["conformal"] < 0.95 and np.isnan(by_model["ridge"])

    conformal = predictions[predictions.model == "conformal"]
    splits = list(TimeSeriesSplit(3, gap=1).split(X))
    assert len(conformal) == 2 * sum(len(test) for _, test in splits)
    first = conformal.iloc[0]
    origin = X.index[splits[0][1][0]]
    assert (first.fold, first.origin, first.step) == (1, origin, 1)
    assert first.time == origin + pd.DateOffset(months=1)
    # The actual value is the one that make_supervised put in y for that origin and step.
    second = conformal.iloc[1]
    assert second.y_true == y.loc[origin].iloc[1] == series[origin + pd.DateOffset(months=2)]
    assert (conformal.lower < conformal.y_pred).all() and (conformal.y_pred < conformal.upper).all()
    # Its coverage column is the share of actual values inside those intervals.
    inside = (conformal.y_true >= conformal.lower) & (conformal.y_true <= conformal.upper)
    per_fold = inside.groupby(conformal.fold).mean().to_numpy()
    coverage = table[(table.model == "conformal") & (table.metric == "coverage")]
    assert_allclose(coverage[["fold_1", "fold_2", "fold_3"]].to_numpy().ravel(), per_fold)


def test_lstm_pipeline_in_parallel(sunspots):
    pytest.importorskip("torch")
    from lstmforecast import LSTMRegressor, Windower

    X, y = sunspots
    lstm = Pipeline(
        [
            ("win", Windower(look_back=8)),
            ("lstm", LSTMRegressor(hidden_size=4, max_epochs=2, random_state=0, device="cpu")),
        ]
    )
    table = compare({"lstm": lstm, "naive": NaiveRegressor()}, X, y, cv=2, n_jobs=2)
    assert np.isfinite(table["mean"]).all()


def test_lstm_scores_in_compare_are_those_of_its_forecast_from_the_same_origin():
    # One test row after a 7-row gap (horizon 8), longer than the look-back: the LSTM
    # must see the gap rows as history, as forecast() does, not padding.
    pytest.importorskip("torch")
    from lstmforecast import LSTMRegressor, Windower, forecast
    from lstmforecast.metrics import mae, mase

    series = load_sunspots()
    X, y = make_supervised(series, horizon=8)
    train, origin = np.arange(200), 207
    lstm = Pipeline([("win", Windower(look_back=4)), ("lstm", LSTMRegressor(**TINY))])
    table, predictions = compare(
        {"lstm": lstm},
        X,
        y,
        cv=[(train, [origin])],
        scoring=["mae", "mase"],
        return_predictions=True,
    )
    fitted = clone(lstm).fit(X.iloc[train], y.iloc[train])  # same settings, same seed
    expected = forecast(fitted, series.iloc[: origin + 1])
    assert_allclose(predictions["y_pred"], expected.iloc[:, 0], rtol=1e-6)
    actual = y.iloc[origin].to_numpy()
    scores = table.set_index("metric")["fold_1"]
    assert scores["mae"] == pytest.approx(mae(actual, expected.iloc[:, 0]))
    # MASE is scaled by the fold's training rows, so a one-row fold has a scale.
    assert scores["mase"] == pytest.approx(mase(actual, expected.iloc[:, 0], y_train=y.iloc[train]))


def test_every_model_forecasts_the_test_fold_from_all_rows_before_it():
    # A model whose forecast from each row is how many rows predict was given before
    # it: a test fold after a gap is forecast with the training and gap rows before it.
    class CountsHistory(RegressorMixin, BaseEstimator):
        def fit(self, X, y):
            return self

        def predict(self, X):
            seen_before = np.asarray(X)[:, 0] - np.asarray(X)[0, 0]
            return np.column_stack([seen_before, seen_before])

    rows = pd.DataFrame({"row": np.arange(60.0)})
    y = pd.DataFrame({"a": np.arange(60.0), "b": np.arange(60.0)})
    train, test = np.arange(10, 40), np.arange(41, 45)
    _, predictions = compare(
        [CountsHistory()], rows, y, cv=[(train, test)], scoring="mae", return_predictions=True
    )
    # From row 41, rows 10..40 came before: the first training row is the first seen.
    first_step = predictions[predictions.step == 1]
    assert first_step["y_pred"].tolist() == (test - train.min()).astype(float).tolist()


def test_scaled_errors_use_the_training_rows_and_one_row_folds_work(sunspots):
    from lstmforecast.metrics import mase, rmsse

    X, y = sunspots
    train, test = np.arange(150), np.arange(151, 152)
    table, predictions = compare(
        [NaiveRegressor()],
        X,
        y,
        cv=[(train, test)],
        scoring=["mase", "rmsse"],
        season_length=11,
        return_predictions=True,
    )
    scores = table.set_index("metric")["fold_1"]
    actual, y_pred = y.iloc[test].to_numpy(), predictions["y_pred"].to_numpy().reshape(1, -1)
    for name, metric in {"mase": mase, "rmsse": rmsse}.items():
        expected = metric(actual, y_pred, season_length=11, y_train=y.iloc[train])
        assert scores[name] == pytest.approx(expected)


def test_lstm_on_numpy_rows_is_compared_without_a_padding_warning(sunspots):
    # Rows without an index: the Windower cannot place them, but compare gives it every
    # row from the first training row on, so no scored window is padded.
    import warnings

    from lstmforecast import LSTMRegressor, Windower

    X, y = sunspots
    # smoothing_anchor=False: a short fold would otherwise warn that no network is trained
    network = LSTMRegressor(**TINY, smoothing_anchor=False)
    lstm = Pipeline([("win", Windower(look_back=6)), ("lstm", network)])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        table = compare({"lstm": lstm}, X.to_numpy(), y.to_numpy(), cv=2, scoring="mae")
    assert np.isfinite(table["mean"]).all()
