"""Inputs that were once accepted silently with a wrong result: each now gives the right
result, or an error that says what to fix."""

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from torch import nn

from lstmforecast import (
    EpochLogger,
    LSTMClassifier,
    LSTMRegressor,
    LSTMTagger,
    NaiveRegressor,
    ThetaRegressor,
    Windower,
    compare,
    export_onnx,
    forecast,
    make_supervised,
    quantize,
)
from lstmforecast.cli import main

from .conftest import TINY


@pytest.mark.parametrize("level", [5.0, 0.001, -3.0])
@pytest.mark.parametrize("season_length", [1, 4])
def test_theta_forecasts_a_constant_series_as_the_constant(level, season_length):
    series = np.full(40, level)
    model = ThetaRegressor(season_length=season_length, use_test=False)
    model.fit(series[:-1, None], np.c_[series[1:], series[1:]])
    np.testing.assert_allclose(model.predict(series[:, None]), level, rtol=1e-12)
    bounds = model.predict(series[-2:, None], quantiles=[0.1, 0.9])
    np.testing.assert_allclose(bounds, level, rtol=1e-12)


def test_cli_refuses_to_write_the_forecast_over_its_input(tmp_path, capsys):
    data = pd.DataFrame(
        {"month": pd.date_range("2000-01", periods=40, freq="MS").strftime("%Y-%m"), "v": 1.0}
    )
    path = tmp_path / "a.csv"
    data.to_csv(path, index=False)
    original = path.read_bytes()
    for out in (str(path), str(tmp_path / "." / "a.csv")):
        args = ["forecast", str(path), "--target", "v", "--horizon", "2", "--model", "naive"]
        code = main([*args, "--time-col", "month", "--out", out])
        assert code == 2
        assert "is the input file" in capsys.readouterr().err
    assert path.read_bytes() == original


def test_cli_names_why_dates_cannot_be_read(tmp_path, capsys):
    months = list(pd.date_range("2000-01", periods=40, freq="MS").strftime("%Y-%m-%d"))
    months[3] = "March 4 2000"
    path = tmp_path / "mixed.csv"
    pd.DataFrame({"date": months, "v": np.arange(40.0)}).to_csv(path, index=False)
    code = main(["forecast", str(path), "--target", "v", "--horizon", "2", "--time-col", "date"])
    assert code == 2
    error = capsys.readouterr().err
    assert "March 4 2000" in error and "one format" in error


def _with_driver(n=48):
    index = pd.date_range("2000-01", periods=n, freq="MS")
    driver = np.sin(np.arange(n) / 2.0)
    return pd.DataFrame({"sales": 10 + 3 * driver, "driver": driver}, index=index)


class _DriverModel(NaiveRegressor):
    """Forecasts 10 + 3 * the driver of the row: the forecast shows which driver row
    it was given."""

    def predict(self, X, quantiles=None):
        return 10 + 3 * np.asarray(X)[:, 1]


def test_forecast_reads_future_by_its_dates():
    data = _with_driver()
    X, y = make_supervised(data, target_column="sales")
    model = _DriverModel().fit(X, y)
    dates = pd.date_range(data.index[-1], periods=4, freq="MS")[1:]
    future = pd.DataFrame({"driver": [1.0, 2.0, 3.0]}, index=dates)
    shuffled = future.iloc[[2, 0, 1]]
    result = forecast(model, data, target_column="sales", horizon=3, future=shuffled)
    np.testing.assert_allclose(result["sales"].to_numpy()[1:], [13.0, 16.0])
    positional = future.reset_index(drop=True)
    by_position = forecast(model, data, target_column="sales", horizon=3, future=positional)
    np.testing.assert_allclose(by_position["sales"].to_numpy(), result["sales"].to_numpy())


def test_forecast_refuses_future_rows_dated_elsewhere():
    data = _with_driver()
    X, y = make_supervised(data, target_column="sales")
    model = _DriverModel().fit(X, y)
    later = pd.date_range(data.index[-1], periods=10, freq="MS")[6:]  # six months later
    future = pd.DataFrame({"driver": [1.0, 2.0, 3.0, 4.0]}, index=later)
    with pytest.raises(ValueError, match="steps after the data"):
        forecast(model, data, target_column="sales", horizon=3, future=future)


def test_forecast_refuses_a_classifier():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4, 1))
    classifier = LSTMClassifier(**TINY).fit(X, X[:, -1, 0] > 0)
    with pytest.raises(ValueError, match="classifier"):
        forecast(classifier, pd.Series(rng.normal(size=20)), horizon=2)


class _TwiceTheRows(nn.Module):
    def __init__(self, n_inputs, n_outputs):
        super().__init__()
        self.out = nn.Linear(n_inputs, n_outputs)

    def forward(self, x, lengths):
        return self.out(x[:, -1]).reshape(-1, 1).repeat(2, 1)


class _ExtraClass(_TwiceTheRows):
    def __init__(self, n_inputs, n_outputs):
        super().__init__(n_inputs, n_outputs + 1)

    def forward(self, x, lengths):
        return self.out(x[:, -1])


class _Tuple(_TwiceTheRows):
    def forward(self, x, lengths):
        return self.out(x[:, -1]), None


@pytest.mark.parametrize(
    "estimator, module, error, match",
    [
        (LSTMRegressor, _TwiceTheRows, ValueError, r"shape \(\d+, 1\)"),
        (LSTMClassifier, _ExtraClass, ValueError, r"shape \(\d+, 2\)"),
        (LSTMRegressor, _Tuple, TypeError, "returned a tuple"),
    ],
)
def test_custom_module_outputs_of_the_wrong_shape_are_refused(estimator, module, error, match):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4, 1)).astype(np.float32)
    y = X[:, -1, 0] if estimator is LSTMRegressor else X[:, -1, 0] > 0
    with pytest.raises(error, match=match):
        estimator(**TINY, module=module).fit(X, y)


@pytest.mark.parametrize(
    "callback, match",
    [(EpochLogger, r"the class EpochLogger; pass an instance"), (print, "none of the methods")],
)
def test_callbacks_that_training_could_not_call_are_refused(callback, match):
    X = np.random.default_rng(0).normal(size=(20, 4, 1))
    with pytest.raises(TypeError, match=match):
        LSTMRegressor(**TINY, callbacks=[callback]).fit(X, X[:, -1, 0])


def test_module_parameters_without_a_module_are_refused():
    X = np.random.default_rng(0).normal(size=(20, 4, 1))
    with pytest.raises(TypeError, match=r"\['module__k'\] without module="):
        LSTMRegressor(**TINY, module__k=3).fit(X, X[:, -1, 0])


def test_a_quantized_model_refuses_to_train_on():
    X = np.random.default_rng(0).normal(size=(20, 4, 1)).astype(np.float32)
    small = quantize(LSTMRegressor(**TINY).fit(X, X[:, -1, 0]))
    with pytest.raises(ValueError, match="quantize"):
        small.partial_fit(X, X[:, -1, 0])
    small.fit(X, X[:, -1, 0])  # a fit from scratch trains a new float network
    assert small.predict(X).shape == (20,)


def test_binary_count_matrices_are_refused_as_token_ids():
    documents = ["the film was great", "the plot was thin", "a great film", "bad acting"] * 5
    counts = CountVectorizer(binary=True).fit_transform(documents).toarray()
    for matrix in (counts, counts.astype(bool)):
        with pytest.raises(ValueError, match="count matrix"):
            LSTMClassifier(**TINY, embedding_dim=4).fit(matrix, np.arange(20) % 2)


@pytest.mark.parametrize(
    "labels, match",
    [
        ([["a", None], ["b", "a", "a"]], "missing label"),
        ([["a", 1], ["b", "a", "a"]], "mixes label types"),
        ([[1, 2], ["b", "a", "a"]], "mixes label types"),
        ([["a", float("nan")], ["b", "a", "a"]], "missing label"),
    ],
)
def test_tagger_labels_missing_or_of_mixed_types_are_refused(labels, match):
    tokens = [np.array([1, 2]), np.array([2, 1, 3])]
    with pytest.raises(ValueError, match=match):
        LSTMTagger(**TINY, embedding_dim=3).fit(tokens, labels)


def _panel(steps):
    parts = [
        pd.DataFrame(
            {"id": name, "v": np.arange(n, dtype=float)},
            index=pd.date_range("2000-01-01", periods=n, freq=freq),
        )
        for name, (n, freq) in steps.items()
    ]
    return make_supervised(pd.concat(parts), target_column="v", id_column="id")


def test_a_panel_of_different_frequencies_is_refused():
    X, _ = _panel({"daily": (40, "D"), "monthly": (20, "MS")})
    with pytest.raises(ValueError, match="different time steps.*'monthly'"):
        Windower(look_back=3, id_column="id").fit(X)


def test_a_panel_of_months_with_gaps_is_one_frequency():
    X, _ = _panel({"a": (40, "MS"), "b": (20, "MS")})
    X = X.drop(X.index[[3, 4]])  # two missing months
    Windower(look_back=3, id_column="id").fit(X)


def test_compare_refuses_a_series_named_like_the_pooled_rows():
    frame = pd.DataFrame({"id": np.repeat(["pooled", "b"], 30), "v": np.arange(60.0)})
    X, y = make_supervised(frame, target_column="v", id_column="id")
    with pytest.raises(ValueError, match='named "pooled"'):
        compare({"naive": NaiveRegressor()}, X, y, id_column="id", cv=2)


def _co2_like(n=200):
    t = np.arange(n)
    return pd.DataFrame(
        {"level": 300 + 0.1 * t + 3 * np.sin(2 * np.pi * t / 12)},
        index=pd.date_range("2000-01", periods=n, freq="MS"),
    )


@pytest.mark.parametrize("scaler", [MinMaxScaler, StandardScaler])
def test_a_scaler_in_front_of_the_windower_keeps_the_anchor(scaler):
    """The recipe of the blog posts: a scaler rescales X, not y; the anchor is read in
    y's units, so the pipeline forecasts as one without the scaler."""
    X, y = make_supervised(_co2_like())
    train, test = slice(0, 170), slice(170, None)

    def fitted(steps):
        lstm = LSTMRegressor(**{**TINY, "max_epochs": 20})
        pipe = Pipeline([*steps, ("win", Windower(look_back=12)), ("lstm", lstm)])
        pipe.set_output(transform="pandas")
        return pipe.fit(X.iloc[train], y.iloc[train])

    plain, scaled = fitted([]), fitted([("scale", scaler())])
    assert plain[-1].anchor_units_ is None
    assert scaled[-1].target_anchor_ == 0 and scaled[-1].anchor_units_ is not None
    actual = y.iloc[test].to_numpy()
    error_plain = np.abs(plain.predict(X.iloc[test]) - actual).mean()
    error_scaled = np.abs(scaled.predict(X.iloc[test]) - actual).mean()
    # Without the units, the anchor was dropped and the error was over 10x larger.
    assert error_scaled < 2 * error_plain


def test_the_anchor_units_are_exported(tmp_path):
    pytest.importorskip("onnxruntime")
    import onnxruntime

    X, y = make_supervised(_co2_like(80))
    pipe = Pipeline(
        [
            ("scale", MinMaxScaler()),
            ("win", Windower(look_back=6)),
            ("lstm", LSTMRegressor(**TINY, smoothing_anchor=False)),
        ]
    ).set_output(transform="pandas")
    pipe.fit(X, y)
    assert pipe[-1].anchor_units_ is not None
    path = tmp_path / "m.onnx"
    export_onnx(pipe, path)
    windows = Windower(look_back=6).fit_transform(X.to_numpy())
    session = onnxruntime.InferenceSession(str(path))
    exported = session.run(None, {session.get_inputs()[0].name: windows})[0]
    np.testing.assert_allclose(exported, pipe.predict(X), rtol=1e-4)
