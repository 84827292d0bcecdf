import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from lstmforecast import LSTMTagger

from .conftest import TINY

FAST = dict(TINY, max_epochs=40, lr=0.02, hidden_size=16)


def rising_next(rng, n, max_len=20):
    """Ragged sequences labelled "up" where the NEXT value is larger: only a reader of
    what follows can know."""
    X, y = [], []
    for length in rng.integers(5, max_len + 1, n):
        values = rng.normal(size=length)
        X.append(values[:, None])
        up = np.r_[values[1:] > values[:-1], False]
        y.append(np.where(up, "up", "down"))
    return X, y


def test_labels_that_depend_on_the_future_need_both_directions(rng):
    X, y = rising_next(rng, 400)
    both = LSTMTagger(**FAST).fit(X[:300], y[:300])
    forward_only = LSTMTagger(**FAST, bidirectional=False).fit(X[:300], y[:300])
    assert both.score(X[300:], y[300:]) > 0.9
    assert forward_only.score(X[300:], y[300:]) < 0.75
    predicted = both.predict(X[300:])
    assert [len(p) for p in predicted] == [len(x) for x in X[300:]]
    # score is the accuracy over every step of every sequence
    hits = np.concatenate([p == t for p, t in zip(predicted, y[300:])])
    assert both.score(X[300:], y[300:]) == pytest.approx(hits.mean())


def test_padded_arrays_give_the_ragged_answers_and_mask_the_padding(rng):
    X, y = rising_next(rng, 120, max_len=12)
    tagger = LSTMTagger(**FAST).fit(X, y)
    padded = np.full((len(X), 12, 1), np.nan)
    labels = np.full((len(X), 12), "PAD", dtype=object)  # never read: padded steps
    for i, (x, t) in enumerate(zip(X, y)):
        padded[i, 12 - len(x) :] = x
        labels[i, 12 - len(x) :] = t
    ragged_proba = tagger.predict_proba(X)
    array_proba = tagger.predict_proba(padded)
    predicted = tagger.predict(padded)
    assert isinstance(predicted, np.ma.MaskedArray) and predicted.shape == (len(X), 12)
    for i, x in enumerate(X):
        n = len(x)
        assert predicted.mask[i].sum() == 12 - n
        np.testing.assert_allclose(array_proba[i, 12 - n :], ragged_proba[i], atol=1e-6)
        assert np.isnan(array_proba[i, : 12 - n]).all()
    refit = LSTMTagger(**FAST).fit(padded, labels)
    assert list(refit.classes_) == ["down", "up"]
    np.testing.assert_allclose(refit.predict_proba(X)[0], ragged_proba[0], atol=1e-6)


def test_token_sentences_are_tagged(rng):
    words = {"the": 1, "a": 2, "dog": 3, "cat": 4, "apple": 5, "ate": 6, "saw": 7}
    tag = {"the": "DET", "a": "DET", "dog": "NN", "cat": "NN", "apple": "NN"}
    X, y = [], []
    for _ in range(200):
        sentence = [
            rng.choice(["the", "a"]),
            rng.choice(["dog", "cat"]),
            rng.choice(["ate", "saw"]),
        ]
        sentence += [rng.choice(["the", "a"]), rng.choice(["apple", "dog", "cat"])]
        X.append(np.array([words[w] for w in sentence]))
        y.append([tag.get(w, "V") for w in sentence])
    tagger = LSTMTagger(**FAST, embedding_dim=4).fit(X[:150], y[:150])
    assert tagger.score(X[150:], y[150:]) == 1.0


def test_bad_labels_get_clear_errors(rng):
    X, y = rising_next(rng, 10)
    with pytest.raises(ValueError, match="give one label per step"):
        LSTMTagger(**FAST).fit(X, [t[:-1] for t in y])
    with pytest.raises(ValueError, match="1 label sequences but X has 10"):
        LSTMTagger(**FAST).fit(X, y[:1])
    with pytest.raises(ValueError, match=r"one label per time step, shape \(10, 20\)"):
        LSTMTagger(**FAST).fit(np.zeros((10, 20, 1)), np.zeros(10))
    with pytest.raises(ValueError, match="a tagger needs at least 2"):
        LSTMTagger(**FAST).fit(X, [np.zeros(len(t)) for t in y])


def test_estimator_contract_with_per_step_labels(rng, tmp_path):
    X, y = rising_next(rng, 60)
    tagger = LSTMTagger(**FAST)
    with pytest.raises(NotFittedError):
        tagger.predict(X)
    params = tagger.get_params()
    assert tagger.fit(X, y) is tagger and tagger.get_params() == params
    first = tagger.predict_proba(X)
    again = clone(tagger).fit(X, y).predict_proba(X)  # idempotent, seeded
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    joblib.dump(tagger, tmp_path / "tagger.joblib")
    loaded = joblib.load(tmp_path / "tagger.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(X)[3], first[3])
    assert tagger.n_features_in_ == 1 and tagger.n_step_features_ == 1
