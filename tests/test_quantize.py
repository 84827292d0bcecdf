"""lstmforecast.quantize: an int8 copy that predicts through the usual API."""

import io

import numpy as np
import pytest
import torch
from sklearn.pipeline import make_pipeline

from lstmforecast import LSTMClassifier, LSTMRegressor, Windower, export_onnx, quantize, save

from .conftest import TINY


@pytest.fixture(scope="module")
def fitted():
    t = np.arange(300)
    rows = (np.sin(t / 6) + t / 100)[:, None]
    X, y = rows[:-1], rows[1:, 0]
    model = make_pipeline(Windower(look_back=8), LSTMRegressor(**dict(TINY, hidden_size=32)))
    return model.fit(X, y), X, y


def weight_bytes(network):
    buffer = io.BytesIO()
    torch.save(network.state_dict(), buffer)
    return buffer.tell()


def test_quantized_copy_is_smaller_close_and_leaves_the_original_alone(fitted):
    model, X, y = fitted
    expected = model.predict(X)
    small = quantize(model)
    network = small[-1].network_
    assert isinstance(network.rnn, torch.ao.nn.quantized.dynamic.LSTM)
    assert isinstance(network.head, torch.ao.nn.quantized.dynamic.Linear)
    # 4x fewer bytes per weight; at hidden_size=32 the file overhead leaves > 2x
    assert weight_bytes(network) * 2 < weight_bytes(model[-1].network_)
    # the original keeps its float network and predictions
    assert isinstance(model[-1].network_.rnn, torch.nn.LSTM)
    np.testing.assert_array_equal(model.predict(X), expected)
    quantized = small.predict(X)
    assert quantized.shape == expected.shape
    error = np.abs(quantized - expected).mean()
    assert 0 < error < 0.02 * np.abs(y - y.mean()).mean()
    assert small.score(X, y) > 0.95 * model.score(X, y)


def test_quantized_classifier_and_what_is_refused(fitted, rng, tmp_path):
    X = rng.normal(size=(80, 5, 2))
    labels = X[:, -1, 0] > 0
    clf = LSTMClassifier(**dict(TINY, cell="gru", pooling="attention")).fit(X, labels)
    small = quantize(clf)
    assert isinstance(small.network_.rnn, torch.ao.nn.quantized.dynamic.GRU)
    np.testing.assert_allclose(small.predict_proba(X), clf.predict_proba(X), atol=0.05)
    rnn = LSTMClassifier(**dict(TINY, cell="rnn", max_epochs=1)).fit(X, labels)
    with pytest.raises(ValueError, match='no dynamic int8 kernel for cell="rnn"'):
        quantize(rnn)
    with pytest.raises(ValueError, match="quantized already"):
        quantize(small)
    with pytest.raises(TypeError, match="does not store int8-quantized networks"):
        save(small, tmp_path / "small.lstmf")
    with pytest.raises(ValueError, match="does not export int8-quantized"):
        export_onnx(small, tmp_path / "small.onnx", look_back=5)
