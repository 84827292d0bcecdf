import re

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline

from lstmforecast import LSTMClassifier, TextSequencer

from .conftest import TINY


def reference_ids(texts, vocabulary, oov, width, truncating):
    """The straightforward per-token loop that TextSequencer vectorises."""
    rows = []
    for text in texts:
        ids = [vocabulary.get(w, oov) for w in re.findall(r"(?u)\b\w[\w']*\b", text.lower())]
        ids = ids or [oov]
        ids = ids[-width:] if truncating == "pre" else ids[:width]
        rows.append([0] * (width - len(ids)) + ids)
    return np.array(rows)


def test_ids_follow_frequency_then_alphabet_and_unknown_words_share_one_id():
    tok = TextSequencer().fit(["b a c a", "c a b", "d"])
    assert tok.vocabulary_ == {"a": 1, "b": 2, "c": 3, "d": 4}
    assert tok.oov_id_ == 5 and tok.n_steps_ == 4
    np.testing.assert_array_equal(tok.transform(["A, zebra! d"]), [[0, 1, 5, 4]])
    rare = TextSequencer(min_frequency=2).fit(["b a c a", "c a b", "d"])
    assert rare.vocabulary_ == {"a": 1, "b": 2, "c": 3}
    assert TextSequencer(max_tokens=1).fit(["b a c a", "c a b"]).vocabulary_ == {"a": 1}


@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_padding_and_truncation_match_a_plain_loop(truncating, rng):
    words = np.array(["good", "bad", "not", "very", "film", "plot", "it's", "ok"])
    texts = [" ".join(rng.choice(words, rng.integers(0, 12))) for _ in range(300)]
    texts += ["", "?!", "Unseen WORDS here"]
    tok = TextSequencer(max_length=6, truncating=truncating, max_tokens=5).fit(texts[:200])
    expected = reference_ids(texts, tok.vocabulary_, tok.oov_id_, 6, truncating)
    np.testing.assert_array_equal(tok.transform(texts), expected)
    assert "it's" in tok.vocabulary_ or tok.vocabulary_.keys() <= set(words)


def test_output_width_is_fixed_in_fit_so_a_classifier_sees_the_same_columns():
    tok = TextSequencer().fit(["one two three", "four"])
    assert tok.transform(["a much longer text than any seen in fit"]).shape == (1, 3)
    assert tok.transform(pd.Series(["two"], index=[7])).shape == (1, 3)
    assert list(tok.get_feature_names_out()) == [f"textsequencer{i}" for i in range(3)]


def test_text_pipeline_learns_word_order_and_tunes_the_vocabulary(rng):
    # The label is whether "not" comes right before "good": a bag of words cannot tell.
    fillers = np.array(["the", "film", "was", "plot", "really", "is"])
    texts, labels = [], []
    for _ in range(400):
        negated = bool(rng.integers(2))
        words = list(rng.choice(fillers, 3)) + (["not", "good"] if negated else ["good", "not"])
        texts.append(" ".join(words))
        labels.append("negative" if negated else "positive")
    model = make_pipeline(
        TextSequencer(),
        LSTMClassifier(**dict(TINY, max_epochs=30, lr=0.02), embedding_dim=8),
    )
    model.fit(texts[:300], labels[:300])
    assert model.score(texts[300:], labels[300:]) >= 0.9


PHRASES = {
    "good": "pos", "great": "pos", "fine": "pos", "bad": "neg", "awful": "neg", "poor": "neg",
    "not good": "neg", "not great": "neg", "not bad": "pos", "not awful": "pos",
}  # fmt: skip


def test_default_text_pipeline_fits_ten_phrases_and_negates_a_word_never_seen_negated():
    # The blog posts' workflow on a toy: ten phrases, each repeated 20 times, where "not"
    # flips the sentiment. "fine" and "poor" are never seen negated: the network has to
    # carry "not" over to them. With torch's N(0, 1) embedding start this was a coin
    # toss across seeds (0.44-0.75 of the two held-out phrases right over 8 seeds); with
    # the small uniform start every one of 20 seeds got both right with P >= 0.97.
    texts, labels = list(PHRASES) * 20, list(PHRASES.values()) * 20
    model = make_pipeline(TextSequencer(), LSTMClassifier(embedding_dim=8, random_state=0))
    model.fit(texts, labels)
    assert model.score(texts, labels) == 1.0
    proba = model.predict_proba(["not fine", "not poor"])
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], ["neg", "pos"])
    assert proba.max(axis=1).min() > 0.8


def test_grid_search_tunes_the_vocabulary_size(rng):
    # Two filler words outnumber the one word that decides the label: a vocabulary of 2
    # tokens cannot see it.
    adjectives = rng.choice(["great", "awful"], 200)
    texts = [f"the film the film {adjective}" for adjective in adjectives]
    model = make_pipeline(
        TextSequencer(), LSTMClassifier(**dict(TINY, max_epochs=20, lr=0.02), embedding_dim=4)
    )
    search = GridSearchCV(model, {"textsequencer__max_tokens": [2, None]}, cv=KFold(2))
    search.fit(texts, adjectives)
    scores = search.cv_results_["mean_test_score"]
    assert scores[0] < 0.7 < 0.95 <= scores[1]
    assert search.best_estimator_[0].vocabulary_.keys() == {"the", "film", "great", "awful"}


@pytest.mark.parametrize(
    "X, message",
    [
        ("just one text", "got a single string"),
        (["fine", None, np.nan], r"rows \[1, 2\] hold"),
        ([1, 2], "hold numbers"),
        (pd.DataFrame({"a": ["x"], "b": ["y"]}), "2 columns"),
        ([], "0 samples"),
        ([["a", "b"], ["c", "d"]], "1-D collection of texts"),
    ],
)
def test_bad_texts_get_clear_errors(X, message):
    with pytest.raises(ValueError, match=message):
        TextSequencer().fit(X)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"max_tokens": 0}, "'max_tokens' parameter of TextSequencer must be an int"),
        ({"truncating": "middle"}, "'truncating' parameter of TextSequencer must be a str among"),
        ({"token_pattern": "("}, "token_pattern '\\(' is invalid"),
    ],
)
def test_bad_parameters_get_clear_errors(params, message):
    with pytest.raises(ValueError, match=message):
        TextSequencer(**params).fit(["a b"])
