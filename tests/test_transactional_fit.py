"""A fit or partial_fit that fails leaves a fitted estimator exactly as it was.

A serving job retrains on new data, catches the error and keeps serving the old model:
that model must predict what it predicted before, bit for bit.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from lstmforecast import (
    ARIMARegressor,
    ConformalForecaster,
    ETSRegressor,
    LSTMAutoencoder,
    LSTMClassifier,
    LSTMRegressor,
    LSTMTagger,
    NaiveRegressor,
    PerSeriesForecaster,
    SeasonalNaiveRegressor,
    TextSequencer,
    ThetaRegressor,
    Windower,
)
from tests.conftest import TINY

SERIES = 10 + np.sin(np.arange(60) * np.pi / 6) + 0.05 * np.arange(60)
ROWS, TARGETS = SERIES[:-1, None], SERIES[1:]
WINDOWS = Windower(look_back=6).fit_transform(ROWS)[5:]  # full windows only
WINDOW_TARGETS = TARGETS[5:]


def _with(array, position, value):
    array = np.array(array, dtype=np.float64, copy=True)
    array.flat[position] = value
    return array


def _wider(X):
    return np.concatenate([X, X], axis=-1)


# Refits that must fail, for a forecaster of rows (X: (n, 1) rows, y: next values).
ROW_FAILURES = {
    "nan in y": lambda: (ROWS, _with(TARGETS, 10, np.nan)),
    "zero under a log target": lambda: (_with(ROWS, 10, 0.0), _with(TARGETS, 9, 0.0)),
    "wider X with nan in y": lambda: (_wider(ROWS), _with(TARGETS, 3, np.nan)),
    "too short": lambda: (ROWS[:1], TARGETS[:0]),
    "y of another length": lambda: (ROWS, TARGETS[:-5]),
}
WINDOW_FAILURES = {
    "nan in y": lambda: (WINDOWS, _with(WINDOW_TARGETS, 10, np.nan)),
    "zero under a log target": lambda: (WINDOWS, _with(WINDOW_TARGETS, 3, 0.0)),
    "wider X with nan in y": lambda: (_wider(WINDOWS), _with(WINDOW_TARGETS, 3, np.nan)),
    "inf in X": lambda: (_with(WINDOWS, 40, np.inf), WINDOW_TARGETS),
    "y of another length": lambda: (WINDOWS, WINDOW_TARGETS[:-5]),
}

_rng = np.random.default_rng(0)
SEQUENCES = _rng.normal(size=(40, 5, 2))
LABELS = np.where(SEQUENCES[:, -1, 0] > 0, "up", "down")
CLASSIFIER_FAILURES = {
    "nan inside X": lambda: (_with(SEQUENCES, 23, np.nan), LABELS),
    "wider X with y of another length": lambda: (_wider(SEQUENCES), LABELS[:-3]),
    "inf in X": lambda: (_with(SEQUENCES, 40, np.inf), LABELS),
    "no y": lambda: (SEQUENCES, None),
}
AUTOENCODER_FAILURES = {
    "nan inside X": lambda: (_with(SEQUENCES, 23, np.nan), None),
    "inf in X": lambda: (_with(SEQUENCES, 40, np.inf), None),
    "empty X": lambda: (SEQUENCES[:0], None),
}
TOKENS = [np.array([1, 2, 3, 1]), np.array([2, 3]), np.array([3, 1, 2])] * 4
TAGS = [["a", "b", "c", "a"], ["b", "c"], ["c", "a", "b"]] * 4
TAGGER_FAILURES = {
    "labels of another length": lambda: (TOKENS, [t[:-1] for t in TAGS]),
    "negative token ids": lambda: ([t - 5 for t in TOKENS], TAGS),
    "fewer label sequences": lambda: (TOKENS, TAGS[:-1]),
}
TEXTS = ["the film was great", "the plot was thin", "a great film"]
TEXT_FAILURES = {
    "numbers, not texts": lambda: ([1.5, 2.5], None),
    "one string, not a list": lambda: ("the film", None),
}
DATED = pd.DataFrame({"v": SERIES}, index=pd.date_range("2000-01", periods=60, freq="MS"))
WINDOWER_FAILURES = {
    "inf in X": lambda: (_with(ROWS, 7, np.inf), None),
    "text column": lambda: (pd.DataFrame({"v": ["a"] * 10}), None),
    "rows out of time order": lambda: (DATED.iloc[::-1], None),
}
PANEL = pd.DataFrame(
    {"id": np.repeat(["a", "b"], 30), "v": np.r_[SERIES[:30], 2 * SERIES[:30]]},
)
PANEL_X, PANEL_y = PANEL.iloc[np.r_[0:29, 30:59]], np.r_[PANEL.v.values[1:30], PANEL.v.values[31:]]
PANEL_FAILURES = {
    "nan in one series' y": lambda: (PANEL_X, _with(PANEL_y, 40, np.nan)),
    "y of another length": lambda: (PANEL_X, PANEL_y[:-3]),
    "no id column": lambda: (PANEL_X.drop(columns="id"), PANEL_y),
}


def _predict(model, X):
    return model.predict(X)


def _transform(model, X):
    return model.transform(X)


def _scores(model, X):
    return model.decision_function(X)


def _probabilities(model, X):
    return model.predict_proba(X)


def _tags(model, X):
    return np.concatenate([np.asarray(t, dtype=object) for t in model.predict(X)])


# name: (make the estimator, its fit data, what to compare, failing refits)
CASES = {
    "NaiveRegressor": (
        lambda: NaiveRegressor(target_transform="log"),
        (ROWS, TARGETS),
        _predict,
        ROW_FAILURES,
    ),
    "SeasonalNaiveRegressor": (
        lambda: SeasonalNaiveRegressor(season_length=12, target_transform="log"),
        (ROWS, TARGETS),
        _predict,
        ROW_FAILURES,
    ),
    "ETSRegressor": (
        lambda: ETSRegressor(error="add", trend=None, seasonal=None, target_transform="log"),
        (ROWS, TARGETS),
        lambda m, X: m.predict(X, quantiles=[0.1, 0.9]),
        ROW_FAILURES,
    ),
    "ThetaRegressor": (
        lambda: ThetaRegressor(target_transform="log"),
        (ROWS, TARGETS),
        _predict,
        ROW_FAILURES,
    ),
    "ARIMARegressor": (
        lambda: ARIMARegressor(order=(1, 0, 0), target_transform="log"),
        (ROWS, TARGETS),
        _predict,
        ROW_FAILURES,
    ),
    "LSTMRegressor": (
        lambda: LSTMRegressor(**TINY, target_transform="log"),
        (WINDOWS, WINDOW_TARGETS),
        _predict,
        WINDOW_FAILURES,
    ),
    "LSTMClassifier": (
        lambda: LSTMClassifier(**TINY),
        (SEQUENCES, LABELS),
        _probabilities,
        CLASSIFIER_FAILURES,
    ),
    "LSTMAutoencoder": (
        lambda: LSTMAutoencoder(**TINY),
        (SEQUENCES, None),
        _scores,
        AUTOENCODER_FAILURES,
    ),
    "LSTMTagger": (
        lambda: LSTMTagger(**TINY, embedding_dim=4),
        (TOKENS, TAGS),
        _tags,
        TAGGER_FAILURES,
    ),
    "TextSequencer": (TextSequencer, (TEXTS, None), _transform, TEXT_FAILURES),
    "Windower": (lambda: Windower(look_back=3), (DATED, None), _transform, WINDOWER_FAILURES),
    "ConformalForecaster": (
        lambda: ConformalForecaster(ThetaRegressor(target_transform="log")),
        (ROWS, TARGETS),
        lambda m, X: m.predict(X, quantiles=[0.1, 0.9]),
        ROW_FAILURES,
    ),
    "ConformalForecaster(Ridge)": (
        lambda: ConformalForecaster(Ridge()),
        (ROWS, TARGETS),
        lambda m, X: m.predict(X, quantiles=[0.1, 0.9]),
        {k: ROW_FAILURES[k] for k in ("nan in y", "too short", "y of another length")},
    ),
    "PerSeriesForecaster": (
        lambda: PerSeriesForecaster(ThetaRegressor(), id_column="id"),
        (PANEL_X, PANEL_y),
        _predict,
        PANEL_FAILURES,
    ),
}

FAILURES = [
    pytest.param(name, failure, id=f"{name}-{failure}")
    for name, (_, _, _, failures) in CASES.items()
    for failure in failures
]


def _fitted(name):
    make, (X, y), output, _ = CASES[name]
    model = make()
    model.fit(X) if y is None else model.fit(X, y)
    return model, X, output


def _fingerprint(model, X, output):
    return (
        output(model, X),
        getattr(model, "n_features_in_", None),
        sorted(vars(model)),
    )


def _assert_same(before, after):
    np.testing.assert_array_equal(after[0], before[0], strict=True)
    assert after[1] == before[1]
    assert after[2] == before[2], "a failed fit added or removed attributes"


@pytest.mark.parametrize("name, failure", FAILURES)
def test_failed_refit_leaves_the_model_as_it_was(name, failure):
    model, X, output = _fitted(name)
    before = _fingerprint(model, X, output)
    bad_X, bad_y = CASES[name][3][failure]()
    with pytest.raises((ValueError, TypeError)):
        model.fit(bad_X) if bad_y is None else model.fit(bad_X, bad_y)
    _assert_same(before, _fingerprint(model, X, output))


PARTIAL = {
    "LSTMRegressor": (WINDOW_FAILURES, {}),
    "LSTMClassifier": (CLASSIFIER_FAILURES, {"classes": ["down", "up"]}),
}


@pytest.mark.parametrize(
    "name, failure",
    [(name, failure) for name, (failures, _) in PARTIAL.items() for failure in failures],
)
def test_failed_partial_fit_leaves_the_model_as_it_was(name, failure):
    model, X, output = _fitted(name)
    model.partial_fit(*CASES[name][1], **PARTIAL[name][1])  # an optimizer state to keep
    before = _fingerprint(model, X, output)
    history = {key: list(values) for key, values in model.loss_curve_.items()}
    bad_X, bad_y = PARTIAL[name][0][failure]()
    with pytest.raises((ValueError, TypeError)):
        model.partial_fit(bad_X, bad_y, **PARTIAL[name][1])
    _assert_same(before, _fingerprint(model, X, output))
    assert model.loss_curve_ == history


def test_a_failure_during_warm_training_restores_the_weights():
    """A callback that raises mid-training: the network trained in place goes back."""

    class Failing:
        def on_epoch_end(self, estimator, epoch, logs):
            if epoch >= 1:
                raise RuntimeError("the disk is full")

    model = LSTMRegressor(**TINY, warm_start=True, smoothing_anchor=False).fit(
        WINDOWS, WINDOW_TARGETS
    )
    before = _fingerprint(model, WINDOWS, _predict)
    n_iter = model.n_iter_
    model.set_params(callbacks=[Failing()])
    with pytest.raises(RuntimeError, match="disk is full"):
        model.fit(WINDOWS, WINDOW_TARGETS)
    _assert_same(before, _fingerprint(model, WINDOWS, _predict))
    assert model.n_iter_ == n_iter


def test_a_failed_first_fit_leaves_no_fitted_state():
    model = LSTMRegressor(**TINY)
    with pytest.raises(ValueError):
        model.fit(WINDOWS, _with(WINDOW_TARGETS, 0, np.nan))
    assert not [name for name in vars(model) if name.endswith("_") or name.startswith("_")]
