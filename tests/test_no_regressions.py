"""The fast paths give the results of the straightforward ones."""

import numpy as np
import pytest

from lstmforecast import LSTMClassifier, LSTMRegressor, Windower

from .conftest import TINY


@pytest.fixture(scope="module")
def windows():
    rng = np.random.default_rng(0)
    rows = np.cumsum(rng.normal(size=(600, 2)), axis=0)
    return Windower(look_back=12).fit_transform(rows), rows[:, 0] + rng.normal(size=600)


def test_strided_windows_train_and_predict_like_a_materialised_copy(windows):
    view, y = windows
    assert not view.flags.c_contiguous  # the Windower's zero-copy view
    copy = np.ascontiguousarray(view)
    from_view = LSTMRegressor(**TINY).fit(view, y)
    from_copy = LSTMRegressor(**TINY).fit(copy, y)
    np.testing.assert_array_equal(from_view.predict(view), from_copy.predict(copy))


def test_chunked_prediction_matches_one_window_at_a_time(windows):
    view, y = windows
    model = LSTMRegressor(**TINY).fit(view, y)
    many = np.concatenate([view] * 8)  # 4800 windows: more than one prediction chunk
    batch = model.predict(many)
    one_by_one = np.array([model.predict(view[i : i + 1])[0] for i in range(0, 600, 37)])
    np.testing.assert_allclose(batch[:600:37], one_by_one, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(batch[600:1200], batch[:600], rtol=1e-5, atol=1e-6)


def test_packed_padding_path_matches_unpadded_sequences():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 9, 3)).astype(np.float32)
    y = np.arange(40) % 2
    for options in (dict(pooling="mean"), dict(pooling="max", bidirectional=True)):
        clf = LSTMClassifier(**TINY, **options).fit(X, y)
        padded = np.concatenate([np.full((40, 4, 3), np.nan, np.float32), X], axis=1)
        np.testing.assert_allclose(
            clf.predict_proba(padded), clf.predict_proba(X), rtol=1e-5, atol=1e-6
        )


def test_windows_gathered_from_the_rows_equal_the_windows(windows):
    import torch

    from lstmforecast._torch.training import sliding_windows_on

    view, _ = windows
    on_device = sliding_windows_on(view, torch.device("cpu"))
    np.testing.assert_array_equal(on_device.numpy(), view)  # NaN front padding included
    # Only the rows are stored: 600 windows of 12 steps share 611 rows of 2 features.
    assert on_device.untyped_storage().nbytes() == (600 + 12 - 1) * 2 * 4
    index = torch.tensor([5, 0, 599])
    np.testing.assert_array_equal(on_device[index].numpy(), view[[5, 0, 599]])
