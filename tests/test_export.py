"""ONNX export and torch.export: graphs that equal predict, padded windows included."""

import numpy as np
import pytest
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from lstmforecast import LSTMClassifier, LSTMRegressor, Windower, export_onnx

from .conftest import TINY


@pytest.fixture(scope="module")
def trending():
    t = np.arange(160)
    rows = np.column_stack([20 + 0.1 * t + np.sin(t / 4), np.cos(t / 9)])
    return rows[:-1], rows[1:, 0]


# torch.export notes that nn.LSTM re-assigns its weight list while tracing: harmless here.
@pytest.mark.filterwarnings("ignore:The tensor attributes")
def test_the_network_exports_with_torch_export_and_keeps_padding_exact(trending):
    X, y = trending
    windows = Windower(look_back=7).fit_transform(X)  # the first 6 rows are padded
    model = LSTMRegressor(**dict(TINY, pooling="attention", conv_channels=3)).fit(windows, y)
    network = model.network_.eval()
    inputs = torch.from_numpy(np.ascontiguousarray(windows[:20]))
    lengths = torch.from_numpy(np.minimum(np.arange(1, 21), 7))
    batch = torch.export.Dim("batch", min=1)
    program = torch.export.export(
        network, (inputs[10:], lengths[10:]), dynamic_shapes=({0: batch}, {0: batch})
    )
    with torch.no_grad():  # the graph traced on full windows runs padded ones exactly
        np.testing.assert_allclose(
            program.module()(inputs, lengths), network(inputs, lengths), rtol=1e-6, atol=1e-6
        )


def test_onnx_graph_equals_predict_on_full_and_padded_windows(trending, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    X, y = trending
    pipe = make_pipeline(
        StandardScaler(),
        MinMaxScaler(),
        Windower(look_back=6),
        LSTMRegressor(**dict(TINY, target_anchor=0)),
    ).fit(X[:120], y[:120])
    assert pipe[-1].target_anchor_ == 0  # the anchor must be in the graph
    path = export_onnx(pipe, tmp_path / "model.onnx")
    session = ort.InferenceSession(path)
    raw_windows = Windower(look_back=6).fit_transform(X)  # raw rows: scaling is in the graph
    expected = pipe.predict(X)
    got = session.run(None, {"windows": np.ascontiguousarray(raw_windows)})[0]
    assert got.shape == expected.shape
    assert np.isnan(raw_windows[:5]).any()  # padded rows are part of the comparison
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())


def test_onnx_classifier_gives_predict_proba_and_refusals_are_clear(tmp_path, rng):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    X = rng.normal(size=(80, 5, 2)).astype(np.float32)
    X[::4, :2] = np.nan
    labels = np.where(np.nan_to_num(X).sum(axis=(1, 2)) > 0, "pos", "neg")
    clf = LSTMClassifier(**dict(TINY, pooling="mean", cell="gru")).fit(X, labels)
    with pytest.raises(ValueError, match="pass look_back"):
        export_onnx(clf, tmp_path / "clf.onnx")
    session = ort.InferenceSession(export_onnx(clf, tmp_path / "clf.onnx", look_back=5))
    np.testing.assert_allclose(
        session.run(None, {"windows": X})[0], clf.predict_proba(X), rtol=1e-5, atol=1e-6
    )
    bidirectional = LSTMClassifier(**dict(TINY, bidirectional=True, max_epochs=1)).fit(X, labels)
    with pytest.raises(ValueError, match="does not export bidirectional"):
        export_onnx(bidirectional, tmp_path / "bi.onnx", look_back=5)


@pytest.mark.parametrize("transform", [None, "log", "boxcox"])
def test_onnx_graph_keeps_seasonal_anchors_and_target_transforms(transform, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    t = np.arange(200)
    series = np.exp(0.005 * t) * (10 + 3 * np.sin(2 * np.pi * t / 12))
    from lstmforecast import make_supervised

    X, y = make_supervised(series, horizon=6)
    lag = dict(TINY, smoothing_anchor=False)  # the last-value and seasonal anchors
    pipe = make_pipeline(
        Windower(look_back=12), LSTMRegressor(**lag, target_transform=transform)
    ).fit(X, y)
    assert pipe[-1].anchor_lags_.any()  # seasonal anchors must be in the graph
    path = export_onnx(pipe, tmp_path / "model.onnx")
    windows = Windower(look_back=12).fit_transform(X)
    got = ort.InferenceSession(path).run(None, {"windows": np.ascontiguousarray(windows)})[0]
    expected = pipe.predict(X)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


def test_quantile_heads_are_refused_clearly(trending, tmp_path):
    X, y = trending
    model = LSTMRegressor(**TINY, quantiles=(0.1, 0.5, 0.9)).fit(
        Windower(look_back=5).fit_transform(X), y
    )
    with pytest.raises(ValueError, match="quantile head"):
        export_onnx(model, tmp_path / "q.onnx")


def test_a_fitted_auto_look_back_pipeline_exports_with_its_chosen_window(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    t = np.arange(240)
    series = (10 + np.sin(2 * np.pi * t / 12) + 0.01 * t)[:, None]
    pipe = make_pipeline(Windower(look_back="auto"), LSTMRegressor(**TINY))
    pipe.fit(series[:-1], series[1:, 0])
    look_back = pipe[0].look_back_
    assert look_back >= 12  # "auto" found the season
    path = export_onnx(pipe, tmp_path / "auto.onnx", look_back=look_back)  # or left out
    session = ort.InferenceSession(path)
    assert session.get_inputs()[0].shape[1] == look_back
    windows = np.ascontiguousarray(Windower(look_back=look_back).fit_transform(series))
    got = session.run(None, {"windows": windows})[0]
    expected = pipe.predict(series)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())
    with pytest.raises(ValueError, match="differs"):
        export_onnx(pipe, tmp_path / "other.onnx", look_back=look_back + 1)


def test_smoothing_anchor_models_are_refused_clearly(tmp_path):
    from lstmforecast import make_supervised

    t = np.arange(60, dtype=float)
    X, y = make_supervised(10 + 0.5 * t + np.sin(t), horizon=3)
    with pytest.warns(UserWarning, match="anchor's alone"):
        pipe = make_pipeline(Windower(look_back=8), LSTMRegressor(**TINY)).fit(X, y)
    assert pipe[-1].smoothing_params_ is not None
    with pytest.raises(ValueError, match="smoothing_anchor=False"):
        export_onnx(pipe, tmp_path / "model.onnx")


@pytest.mark.parametrize(
    "window_scale, transform, horizon",
    [("std", None, 1), ("mean_abs", None, 3), ("level", None, 6), ("level", "log", 3)],
)
def test_window_scale_models_export_and_equal_predict(window_scale, transform, horizon, tmp_path):
    """The per-window scale (and "level"'s seasonal profile with its F-test) is in the
    graph: series at very different levels, padded windows included."""
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    from lstmforecast import make_supervised

    t = np.arange(150)
    rng = np.random.default_rng(1)
    series = np.exp(0.01 * t) * (10 + 3 * np.sin(2 * np.pi * t / 12)) + rng.normal(0, 0.2, 150)
    X, y = make_supervised(series, horizon=horizon)
    pipe = make_pipeline(
        Windower(look_back=30),
        LSTMRegressor(
            **TINY,
            window_scale=window_scale,
            season_length=12,
            target_transform=transform,
            smoothing_anchor=False,
        ),
    ).fit(X, y)
    path = export_onnx(pipe, tmp_path / "model.onnx")
    windows = np.ascontiguousarray(Windower(look_back=30).fit_transform(X))
    windows = np.concatenate([windows, 1000 * windows[-10:]])  # another level
    assert np.isnan(windows[:29]).any()  # padded windows: a shorter profile and F-test
    got = ort.InferenceSession(path).run(None, {"windows": windows})[0]
    expected = pipe[-1].predict(windows)
    assert got.shape == expected.shape
    level = np.abs(expected).reshape(len(expected), -1).max(axis=1)  # per window
    got, expected = got.reshape(len(got), -1), expected.reshape(len(expected), -1)
    np.testing.assert_allclose(
        got / level[:, None], expected / level[:, None], rtol=1e-4, atol=1e-5
    )
