"""sample_weight in fit / partial_fit, in the early-stopping loss and through Pipeline."""

import numpy as np
import pytest
import sklearn
from sklearn.pipeline import make_pipeline

from lstmforecast import LSTMClassifier, LSTMRegressor, Windower

from .conftest import TINY

# One batch per epoch and no data-dependent scaling: a weighted fit and a fit on the
# duplicated rows then minimise the same loss from the same start.
FULL_BATCH = dict(TINY, batch_size=512, scale=False, target_anchor=None, early_stopping=False)


@pytest.fixture
def data(rng):
    X = rng.normal(size=(60, 5, 2)).astype(np.float32)
    y = X[:, -1, 0] + 0.5 * X[:, -2, 1]
    return X, y


def test_weight_two_is_a_duplicated_row(data):
    X, y = data
    weights = np.ones(len(X))
    weights[::3] = 2.0
    repeat = np.repeat(np.arange(len(X)), weights.astype(int))
    weighted = LSTMRegressor(**FULL_BATCH).fit(X, y, sample_weight=weights)
    duplicated = LSTMRegressor(**FULL_BATCH).fit(X[repeat], y[repeat])
    plain = LSTMRegressor(**FULL_BATCH).fit(X, y)
    np.testing.assert_allclose(
        weighted.loss_curve_["train_loss"], duplicated.loss_curve_["train_loss"], rtol=1e-4
    )
    np.testing.assert_allclose(weighted.predict(X), duplicated.predict(X), rtol=1e-3, atol=1e-4)
    assert not np.allclose(weighted.predict(X), plain.predict(X), rtol=1e-3, atol=1e-4)


def test_zero_weights_ignore_rows_in_fit_and_partial_fit(data):
    X, y = data
    noise = np.random.default_rng(1).normal(size=(20, 5, 2)).astype(np.float32)
    X_more, y_more = np.concatenate([noise, X]), np.concatenate([np.full(20, 50.0), y])
    weights = np.r_[np.zeros(20), np.ones(len(X))]
    ignored = LSTMRegressor(**FULL_BATCH).fit(X_more, y_more, sample_weight=weights)
    without = LSTMRegressor(**FULL_BATCH).fit(X, y)
    np.testing.assert_allclose(ignored.predict(X), without.predict(X), rtol=1e-4, atol=1e-5)
    online = LSTMRegressor(**FULL_BATCH)
    for _ in range(3):
        online.partial_fit(X_more, y_more, sample_weight=weights)
    reference = LSTMRegressor(**dict(FULL_BATCH, max_epochs=3)).fit(X, y)
    np.testing.assert_allclose(online.predict(X), reference.predict(X), rtol=1e-4, atol=1e-5)


def test_early_stopping_validates_with_the_weights(data):
    X, y = data
    weights = np.linspace(0.0, 3.0, len(X))
    model = LSTMRegressor(
        **dict(FULL_BATCH, early_stopping=True, loss="mse"),
        validation_fraction=0.25,
        n_iter_no_change=50,
    ).fit(X, y, sample_weight=weights)
    tail = slice(45, None)  # the most recent quarter is held out
    errors = (model.predict(X[tail]) - y[tail]) ** 2
    weighted = np.sum(weights[tail] * errors) / weights[tail].sum()
    assert min(model.loss_curve_["valid_loss"]) == pytest.approx(weighted, rel=1e-4)
    assert not np.mean(errors) == pytest.approx(weighted, rel=1e-2)
    weights[tail] = 0.0
    with pytest.raises(ValueError, match="sample_weight is 0 for all the 15 most recent"):
        LSTMRegressor(**dict(FULL_BATCH, early_stopping=True), validation_fraction=0.25).fit(
            X, y, sample_weight=weights
        )


def test_class_weight_is_a_weight_on_each_sample_of_the_class(rng):
    X = rng.normal(size=(48, 4, 1))
    y = (X[:, -1, 0] > 0.5).astype(int)
    by_class = LSTMClassifier(**FULL_BATCH_CLF, class_weight={0: 1.0, 1: 3.0}).fit(X, y)
    by_sample = LSTMClassifier(**FULL_BATCH_CLF).fit(X, y, sample_weight=np.where(y, 3.0, 1.0))
    np.testing.assert_allclose(by_class.predict_proba(X), by_sample.predict_proba(X), rtol=1e-5)
    both = LSTMClassifier(**FULL_BATCH_CLF, class_weight={0: 1.0, 1: 3.0}).fit(
        X, y, sample_weight=np.where(y, 1.0, 3.0)
    )
    equal = LSTMClassifier(**FULL_BATCH_CLF).fit(X, y)
    np.testing.assert_allclose(both.predict_proba(X), equal.predict_proba(X), rtol=1e-4)


FULL_BATCH_CLF = dict(TINY, batch_size=512)


def test_bad_weights_are_rejected(data):
    X, y = data
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        LSTMRegressor(**TINY).fit(X, y, sample_weight=-np.ones(len(X)))
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(3,\), expected \(60,\)"):
        LSTMRegressor(**TINY).fit(X, y, sample_weight=np.ones(3))


def test_pipeline_routes_weights_with_metadata_routing(rng):
    rows = np.cumsum(rng.normal(size=(80, 1)), axis=0)
    y = rows[:, 0] + rng.normal(size=80)
    weights = rng.uniform(0.0, 2.0, size=80)
    direct = LSTMRegressor(**TINY).fit(
        Windower(look_back=4).fit_transform(rows), y, sample_weight=weights
    )
    with sklearn.config_context(enable_metadata_routing=True):
        routed = make_pipeline(
            Windower(look_back=4), LSTMRegressor(**TINY).set_fit_request(sample_weight=True)
        ).fit(rows, y, sample_weight=weights)
    by_name = make_pipeline(Windower(look_back=4), LSTMRegressor(**TINY)).fit(
        rows, y, lstmregressor__sample_weight=weights
    )
    np.testing.assert_array_equal(routed.predict(rows), direct.predict(direct_windows(rows)))
    np.testing.assert_array_equal(by_name.predict(rows), routed.predict(rows))


def direct_windows(rows):
    return Windower(look_back=4).fit_transform(rows)
