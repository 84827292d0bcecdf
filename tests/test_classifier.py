import warnings

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, KFold, train_test_split
from sklearn.pipeline import Pipeline

from lstmforecast import LSTMClassifier, Windower, make_supervised

from .conftest import TINY

# Documented configuration for sklearn's digits read as 8 steps (rows) x 8 features.
DIGITS_CONFIG = dict(
    hidden_size=64,
    bidirectional=True,
    pooling="attention",
    dropout=0.3,
    recurrent_dropout=0.2,
    weight_decay=1e-4,
    lr=0.005,
    batch_size=32,
    max_epochs=60,
    # Eight steps need no convolutional front end or branch, nor a per-sequence summary
    # (pixel rows are on one scale): 0.96-0.97 over three seeds without them, 0.947-0.957
    # with the classifier's default branch and summary. Every epoch of the 60 counts.
    conv_channels=None,
    fcn_channels=None,
    sequence_scale=None,
    early_stopping=False,
    clip_grad_norm=None,
    random_state=0,
    device="cpu",
)


def ragged_last_sign(n=400, seed=0):
    """Sequences of 3..20 steps whose class is the sign of their last value."""
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(rng.integers(3, 21), 2)).astype(np.float32) for _ in range(n)]
    y = np.array(["pos" if x[-1, 0] > 0 else "neg" for x in X])
    return X, y


def test_digits_rows_as_time_steps_reach_95_percent():
    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.images / 16.0, digits.target, test_size=0.5, shuffle=False
    )  # the split of scikit-learn's digits example, where SVC(gamma=0.001) scores 0.969
    clf = LSTMClassifier(**DIGITS_CONFIG).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.95
    assert list(clf.classes_) == list(range(10))


def test_variable_length_classes_depend_on_the_true_end():
    X, y = ragged_last_sign()
    clf = LSTMClassifier(
        hidden_size=16, pooling="last", max_epochs=40, lr=0.01, random_state=0, device="cpu"
    )
    clf.fit(X[:300], y[:300])
    # Reading padding as values, or the last padded position as the end, is at chance
    # here; the default network scores 0.94-0.95 over four seeds.
    assert clf.score(X[300:], y[300:]) >= 0.8
    assert set(clf.classes_) == {"neg", "pos"}
    proba = clf.predict_proba(X[300:])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X[300:]))


OPTIONS = [
    dict(cell=cell, pooling=pooling)
    for cell in ("lstm", "gru", "rnn")
    for pooling in ("last", "mean", "max", "attention")
] + [
    dict(bidirectional=True, pooling="last"),
    dict(bidirectional=True, pooling="attention", num_layers=2, dropout=0.2),
    dict(conv_channels=4, conv_kernel_size=3, pooling="max"),
    dict(recurrent_dropout=0.3, num_layers=2),
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(f"{v}" for v in o.values()))
def test_every_architecture_is_padding_invariant(options):
    X, y = ragged_last_sign(n=60)
    clf = LSTMClassifier(**dict(TINY, max_epochs=2), **options).fit(X, y)
    short = np.asarray(X[0][-3:])
    alone = clf.predict_proba([short, short])[0]
    longer = [np.asarray(x) for x in X[1:6]]  # up to 20 steps: short gets 17 padding steps
    in_batch = clf.predict_proba([short, *longer])[0]
    np.testing.assert_allclose(alone, in_batch, rtol=1e-5, atol=1e-6)
    assert clf.predict_proba(X).shape == (60, 2)


def sentiment(n=600, seed=0):
    """Token ids: 1-10 positive words, 11-20 negative, 21-60 neutral."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for _ in range(n):
        tokens = rng.integers(21, 61, size=rng.integers(4, 15))
        label = rng.integers(2)
        marked = rng.choice(len(tokens), size=2, replace=False)
        tokens[marked] = rng.integers(1, 11, 2) if label else rng.integers(11, 21, 2)
        X.append(tokens.tolist())
        y.append(label)
    return X, np.array(y)


def test_token_sequences_learn_a_small_sentiment_task():
    X, y = sentiment()
    clf = LSTMClassifier(
        embedding_dim=8,
        hidden_size=16,
        pooling="max",
        max_epochs=30,
        lr=0.01,
        random_state=0,
        device="cpu",
    ).fit(X[:500], y[:500])
    assert clf.score(X[500:], y[500:]) >= 0.9
    assert clf.vocabulary_size_ == 61
    # The same data as a Keras-style pre-padded 2-D array gives the same predictions.
    padded = np.zeros((100, 14), dtype=np.int64)
    for i, tokens in enumerate(X[500:]):
        padded[i, 14 - len(tokens) :] = tokens
    np.testing.assert_array_equal(clf.predict(padded), clf.predict(X[500:]))
    # Post-padding too: 0 is padding wherever it stands.
    post = np.zeros_like(padded)
    for i, tokens in enumerate(X[500:]):
        post[i, : len(tokens)] = tokens
    np.testing.assert_array_equal(clf.predict(post), clf.predict(X[500:]))
    # Ids never seen in fit map to the shared unknown embedding instead of failing.
    assert clf.predict([[5, 999, 1000]]).shape == (1,)


def test_token_errors_are_named():
    with pytest.raises(ValueError, match="integer token ids"):
        LSTMClassifier(**TINY, embedding_dim=4).fit(np.full((4, 3), 0.5), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="negative token ids"):
        LSTMClassifier(**TINY, embedding_dim=4).fit(np.array([[1, -2]] * 4), [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"Sequences \[1\] of X hold only padding"):
        LSTMClassifier(**TINY, embedding_dim=4).fit(np.array([[1, 2], [0, 0]]), [0, 1])


def test_classifies_after_a_windower_whether_the_next_value_goes_up():
    rng = np.random.default_rng(0)
    series = np.sin(np.arange(500) / 4) + 0.05 * rng.normal(size=500)
    X, y_next = make_supervised(series)
    up = (y_next.to_numpy() > X.iloc[:, 0].to_numpy()).astype(int)
    pipe = Pipeline(
        [
            ("win", Windower(look_back=8)),
            ("clf", LSTMClassifier(hidden_size=16, max_epochs=20, lr=0.01, random_state=0)),
        ]
    )
    pipe.fit(X.iloc[:400], up[:400])
    # 0.87-0.92 over four seeds, as with the earlier defaults; chance is 0.5.
    assert pipe.score(X.iloc[400:], up[400:]) >= 0.8


def test_grid_search_over_architecture_and_joblib_roundtrip(tmp_path):
    X, y = ragged_last_sign(n=80)
    X = np.stack([np.pad(x[-3:], ((0, 0), (0, 0))) for x in X])  # fixed length 3
    search = GridSearchCV(
        LSTMClassifier(**dict(TINY, max_epochs=2)),
        {"cell": ["lstm", "gru"], "pooling": ["last", "attention"], "bidirectional": [False, True]},
        cv=KFold(2),
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    joblib.dump(search, tmp_path / "search.joblib")
    loaded = joblib.load(tmp_path / "search.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(X), search.predict_proba(X))


def test_class_weight_shifts_predictions_to_the_rare_class():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4, 1))
    y = np.where(X[:, -1, 0] > 1.0, "rare", "common")
    # One direction and 10 epochs: an unweighted model that has not yet found the rare
    # class (a bidirectional one reads the last step at once and needs no weights).
    params = dict(TINY, max_epochs=10, lr=0.01, bidirectional=False)
    plain = LSTMClassifier(**params).fit(X, y)
    weighted = LSTMClassifier(**params, class_weight="balanced").fit(X, y)
    assert (weighted.predict(X) == "rare").sum() > (plain.predict(X) == "rare").sum()


def test_partial_fit_needs_classes_first():
    X, y = ragged_last_sign(n=40)
    clf = LSTMClassifier(**TINY)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:20], y[:20], classes=["neg", "pos"])
    clf.partial_fit(X[20:], y[20:])
    assert clf.n_iter_ == 2 and list(clf.classes_) == ["neg", "pos"]
    with pytest.raises(ValueError, match="labels not in classes_"):
        clf.partial_fit(X[:2], ["neg", "maybe"])


def test_single_class_and_label_count_mismatch_are_named():
    X = np.zeros((4, 3, 1))
    with pytest.raises(ValueError, match="one class"):
        LSTMClassifier(**TINY).fit(X, [1, 1, 1, 1])
    with pytest.raises(ValueError, match="y has 3 labels but X has 4 sequences"):
        LSTMClassifier(**TINY).fit(X, [0, 1, 0])


def test_partial_fit_guards_class_weights_and_classes():
    X, y = ragged_last_sign(n=20)
    with pytest.raises(ValueError, match='class_weight="balanced" needs the class counts'):
        LSTMClassifier(**TINY, class_weight="balanced").partial_fit(X, y, classes=["neg", "pos"])
    clf = LSTMClassifier(**TINY).partial_fit(X, y, classes=["neg", "pos"])
    with pytest.raises(ValueError, match="differs from classes_"):
        clf.partial_fit(X, y, classes=["neg", "pos", "zero"])


def test_sparse_huge_token_ids_ask_for_renumbering():
    with pytest.raises(ValueError, match="Renumber the tokens"):
        LSTMClassifier(**TINY, embedding_dim=4).fit([[1, 5_000_000_000], [2, 3]], [0, 1])


def waves(n, n_steps=24, seed=0):
    """Noisy sine (class "sine") or square (class "square") waves of random phase."""
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    t = np.linspace(0, 4 * np.pi, n_steps)[None, :] + phase
    labels = rng.integers(2, size=n)
    X = np.where(labels[:, None] == 1, np.sign(np.sin(t)), np.sin(t))
    X = X + 0.3 * rng.normal(size=X.shape)
    return X.astype(np.float32), np.where(labels == 1, "square", "sine")


def test_the_default_learns_a_small_ucr_style_problem():
    X, y = waves(100, n_steps=16)
    order = np.argsort(y[:60], kind="stable")  # UCR train files come sorted by class
    clf = LSTMClassifier(random_state=0, device="cpu").fit(X[order], y[order])
    assert clf.score(X[60:], y[60:]) >= 0.9
    # 54 sequences train (6 validate): ceil(1000 steps / 4 batches) epochs at most, each
    # one validated on every class.
    assert 1 < clf.n_iter_ <= clf.max_epochs_ == 250
    assert np.isfinite(clf.loss_curve_["valid_loss"]).all()


def test_early_stopping_validates_on_every_class_of_class_sorted_data():
    # A rare class sorted last: holding out the final rows would take all of it away
    # from training, and the classifier would never predict it.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 4, 1)).astype(np.float32)
    y = np.select([X[:, -1, 0] > 1.2, X[:, -1, 0] > 0], ["rare", "up"], "down")
    order = np.argsort(y == "rare", kind="stable")
    X, y = X[order], y[order]
    assert (y[-10:] == "rare").all()
    params = dict(TINY, max_epochs=100, lr=0.03, early_stopping=True, validation_fraction=0.1)
    clf = LSTMClassifier(**params).fit(X, y)
    assert (clf.predict(X) == "rare").sum() >= 5
    assert np.isfinite(clf.loss_curve_["valid_loss"]).all()
    # One sample per class leaves nothing to validate on: training goes on without.
    tiny = LSTMClassifier(**dict(params, max_epochs=2)).fit(X[-2:], ["a", "b"])
    assert tiny.n_iter_ == 2 and np.isnan(tiny.loss_curve_["valid_loss"]).all()


def test_each_channel_is_standardised_on_the_training_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 6, 2)).astype(np.float32)
    y = np.where(X[:, -1, 0] + X[:, -1, 1] > 0, "up", "down")
    scaled = X * np.array([1.0, 1e4], dtype=np.float32)  # channel 1 in other units
    params = dict(TINY, max_epochs=3, early_stopping=False)
    plain = LSTMClassifier(**params).fit(X[:80], y[:80])
    rescaled = LSTMClassifier(**params).fit(scaled[:80], y[:80])
    np.testing.assert_allclose(
        rescaled.predict_proba(scaled[80:]), plain.predict_proba(X[80:]), atol=1e-4
    )
    # The statistics are the training sequences', whatever is predicted later.
    np.testing.assert_allclose(
        rescaled.network_.input_scale.numpy(), scaled[:80].std(axis=(0, 1)), rtol=1e-4
    )


class StopAtOnce:
    def on_epoch_end(self, estimator, epoch, logs):
        return True


@pytest.mark.parametrize(
    "n_samples, batch_size, epochs",
    [(200, 20, 100), (400, 20, 50), (40, 40, 1000), (12000, 100, 10)],
    ids=["10-batches", "20-batches", "capped-at-1000", "floor-of-10"],
)
def test_auto_epochs_make_a_budget_of_optimiser_steps(n_samples, batch_size, epochs, capsys):
    X = np.zeros((n_samples, 2, 1), dtype=np.float32)
    y = np.arange(n_samples) % 2
    clf = LSTMClassifier(
        **dict(TINY, batch_size=batch_size, max_epochs="auto", early_stopping=False),
        verbose=1,
        callbacks=[StopAtOnce()],
    ).fit(X, y)
    # ceil(1000 steps / batches per epoch) epochs, between 10 and 1000; the progress
    # bar counts to them.
    assert clf.max_epochs_ == epochs
    assert f"1/{epochs}" in capsys.readouterr().err
    assert clf.n_iter_ == 1


ZSCORE = dict(TINY, sequence_scale="zscore", early_stopping=False)


def test_zscore_classifies_shapes_whatever_their_level_and_amplitude():
    X, y = waves(160, n_steps=16)
    rng = np.random.default_rng(1)
    # Each sequence in its own units: levels of +-1000, amplitudes from 0.01 to 100.
    amplitude = 10.0 ** rng.uniform(-2, 2, size=(160, 1))
    level = rng.uniform(-1000, 1000, size=(160, 1))
    scaled = (X * amplitude + level).astype(np.float32)
    clf = LSTMClassifier(**dict(ZSCORE, max_epochs=80, lr=0.01)).fit(scaled[:100], y[:100])
    # 0.85-0.97 over five seeds; the shared standardisation (sequence_scale=None) is at
    # chance, 0.47-0.50.
    assert clf.score(scaled[100:], y[100:]) >= 0.75
    # Test sequences in units never seen in training: the same predictions, and no
    # out-of-range warning, since such units are what the option is for.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        moved = clf.predict(scaled[100:] * 1000.0 - 5000.0)
    np.testing.assert_array_equal(moved, clf.predict(scaled[100:]))


def test_zscore_predicts_the_same_for_a_sequence_times_1000_and_shifted(rng):
    X = rng.normal(size=(60, 10, 2)).astype(np.float32)
    X[::3, :4] = np.nan  # padded (shorter) sequences: their statistics skip the padding
    y = np.where(np.nan_to_num(X[:, -1, 0]) > 0, "up", "down")
    clf = LSTMClassifier(**ZSCORE).fit(X, y)
    moved = X * np.float32(1000.0) + np.float32(-250.0)
    np.testing.assert_allclose(clf.predict_proba(moved), clf.predict_proba(X), atol=1e-4)
    # The network reads standardised values: no second standardisation on top.
    np.testing.assert_array_equal(clf.network_.input_shift.numpy(), 0.0)
    np.testing.assert_array_equal(clf.network_.input_scale.numpy(), 1.0)


def test_zscore_reads_constant_sequences_as_zeros_without_nan(rng):
    X = rng.normal(size=(40, 8, 1)).astype(np.float32)
    X[:10] = np.linspace(-3, 1e6, 10, dtype=np.float32)[:, None, None]  # flat, any level
    X[5, :3] = np.nan  # a padded flat one
    y = np.arange(40) % 2
    clf = LSTMClassifier(**ZSCORE).fit(X, y)
    assert np.isfinite(clf.loss_curve_["train_loss"]).all()
    proba = clf.predict_proba(X[:10])
    assert np.isfinite(proba).all()
    zeros = np.zeros((10, 8, 1), dtype=np.float32)
    zeros[5, :3] = np.nan  # the same padding: a shorter sequence reads differently
    np.testing.assert_allclose(proba, clf.predict_proba(zeros), atol=1e-6)


def test_zscore_survives_save_load_and_onnx_export(tmp_path, rng):
    from lstmforecast import load, save

    X = rng.normal(size=(50, 6, 1)).astype(np.float32)
    X[::4, :2] = np.nan
    y = np.where(np.nan_to_num(X).sum(axis=(1, 2)) > 0, "pos", "neg")
    clf = LSTMClassifier(**dict(ZSCORE, max_epochs=2)).fit(X, y)
    moved = X * np.float32(300.0) + np.float32(40.0)
    expected = clf.predict_proba(moved)
    save(clf, tmp_path / "clf.lstm")
    loaded = load(tmp_path / "clf.lstm")
    assert loaded.sequence_scale == "zscore"
    np.testing.assert_array_equal(loaded.predict_proba(moved), expected)
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    from lstmforecast import export_onnx

    session = ort.InferenceSession(export_onnx(clf, tmp_path / "clf.onnx", look_back=6))
    got = session.run(None, {"windows": moved})[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_sequence_scale_errors_are_named(rng):
    X = rng.normal(size=(20, 5, 1)).astype(np.float32)
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match="sequence_scale.*'zscore'"):
        LSTMClassifier(**dict(ZSCORE, sequence_scale="minmax")).fit(X, y)
    tokens = rng.integers(1, 9, size=(20, 5))
    with pytest.raises(ValueError, match="token ids; leave sequence_scale=None"):
        LSTMClassifier(**dict(ZSCORE, embedding_dim=4)).fit(tokens, y)


def test_each_sequence_is_scaled_over_its_observed_steps_only():
    import torch

    from lstmforecast._torch.sequence_scaling import scale_each_sequence

    x = torch.tensor([[[np.nan], [np.nan], [1.0], [3.0]], [[2.0], [4.0], [6.0], [8.0]]])
    z = scale_each_sequence(x, "zscore")
    assert torch.isnan(z[0, :2]).all()  # the padding stays padding
    np.testing.assert_allclose(z[0, 2:, 0], [-1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(z[1].mean(), 0.0, atol=1e-6)
    np.testing.assert_allclose(z[1].pow(2).mean(), 1.0, atol=1e-6)
    np.testing.assert_allclose(scale_each_sequence(x, "mean")[0, 2:, 0], [-1.0, 1.0])
    np.testing.assert_allclose(scale_each_sequence(x, "last")[1, :, 0], [-6.0, -4.0, -2.0, 0.0])
    assert scale_each_sequence(x, None) is x
