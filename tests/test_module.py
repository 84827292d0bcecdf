"""module=: your own torch.nn.Module trained, scaled, padded, pickled and summarised."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from torch import nn

from lstmforecast import LSTMClassifier, LSTMRegressor, summary

from .conftest import TINY


class LastStepGRU(nn.Module):
    """A GRU read at the last step (right-aligned input: step -1 is every sequence's
    last observation), with a two-layer head."""

    seen = []  # (x, lengths) of the latest forward call, to check the protocol

    def __init__(self, n_inputs, n_outputs, hidden=8, head_hidden=4):
        super().__init__()
        self.gru = nn.GRU(n_inputs, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, head_hidden), nn.ReLU())
        self.out = nn.Linear(head_hidden, n_outputs)

    def forward(self, x, lengths):
        LastStepGRU.seen[:] = [(x.detach().clone(), lengths.clone())]
        output, _ = self.gru(x)
        return self.out(self.head(output[:, -1]))


def shifted_series(rng, n=120, look_back=6):
    series = 500.0 + 30.0 * np.sin(np.arange(n + look_back) / 3.0) + rng.normal(size=n + look_back)
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], look_back)[:n, :, None]
    return X.astype(np.float32), series[look_back : look_back + n]


def custom(**params):
    return LSTMRegressor(**dict(TINY, module=LastStepGRU, target_anchor=None, **params))


def test_custom_module_trains_on_standardised_inputs_and_is_tunable(rng):
    X, y = shifted_series(rng)
    model = custom(module__hidden=6, max_epochs=20, lr=0.02).fit(X, y)
    assert isinstance(model.network_.module, LastStepGRU)
    assert model.network_.module.gru.hidden_size == 6
    x, lengths = LastStepGRU.seen[0]
    # Inputs arrive standardised with the training statistics (the raw level is ~500).
    assert abs(float(x.mean())) < 0.5 and 0.5 < float(x.std()) < 1.5
    assert lengths.tolist() == [X.shape[1]] * len(x)
    baseline = np.mean((y - y.mean()) ** 2)
    assert np.mean((model.predict(X) - y) ** 2) < 0.5 * baseline
    params = model.get_params()
    assert params["module__hidden"] == 6 and params["module"] is LastStepGRU
    assert clone(model).get_params()["module__hidden"] == 6
    search = GridSearchCV(
        custom(max_epochs=2), {"module__hidden": [3, 5]}, cv=TimeSeriesSplit(2)
    ).fit(X, y)
    assert search.best_params_["module__hidden"] in (3, 5)
    assert search.best_estimator_.network_.module.gru.hidden_size in (3, 5)


def test_custom_module_sees_front_padding_as_zeros():
    sequences = [np.arange(1.0, 4.0), np.arange(1.0, 7.0), np.arange(2.0, 4.0)]
    clf = LSTMClassifier(**dict(TINY, max_epochs=1), module=LastStepGRU)
    clf.fit(sequences, ["a", "b", "a"])
    clf.predict(sequences)
    x, lengths = LastStepGRU.seen[0]
    assert lengths.tolist() == [3, 6, 2] and x.shape == (3, 6, 1)
    assert torch.all(x[0, :3] == 0) and torch.all(x[2, :4] == 0)
    assert clf.predict_proba(sequences).shape == (3, 2)


def test_custom_module_pickles_and_is_summarised(rng, capsys):
    X, y = shifted_series(rng, n=60)
    model = custom(module__head_hidden=3).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    total = summary(restored)
    table = capsys.readouterr().out
    for row in ("gru", "GRU", "(batch, T, 8)", "Sequential(Linear)", "(batch, 3)"):
        assert row in table
    assert total == sum(p.numel() for p in model.network_.module.parameters())


def test_custom_module_errors_say_what_to_pass(rng):
    X, y = shifted_series(rng, n=30)
    with pytest.raises(ValueError, match="torch.nn.Module class \\(not an instance\\)"):
        LSTMRegressor(**TINY, module=LastStepGRU(1, 1)).fit(X, y)
    with pytest.raises(TypeError, match="module__<name>"):
        LSTMRegressor(**TINY, module=LastStepGRU, hiden=3).fit(X, y)
    with pytest.raises(TypeError, match="Could not construct LastStepGRU.*width"):
        custom(module__width=3).fit(X, y)
    with pytest.raises(ValueError, match='training="window" with a custom module'):
        custom(training="sequence").fit(X, y)
