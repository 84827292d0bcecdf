import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from lstmforecast import LSTMRegressor, Windower, make_supervised
from lstmforecast._torch.device import supports_bf16
from lstmforecast.datasets import load_co2

from .conftest import TINY


def sine_windows(n=300, look_back=10, seed=0):
    rng = np.random.default_rng(seed)
    series = np.sin(np.arange(n + look_back) / 4) + 0.05 * rng.normal(size=n + look_back)
    windows = np.lib.stride_tricks.sliding_window_view(series, look_back + 1)
    return windows[:, :-1, None].copy(), windows[:, -1].copy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_predict_shapes_for_3d_2d_and_multi_output(dtype):
    X, y = sine_windows()
    X = X.astype(dtype)
    model = LSTMRegressor(**TINY).fit(X, y)
    assert model.predict(X).shape == (len(X),)
    assert model.n_features_in_ == 1 and model.n_step_features_ == 1
    assert model.predict(X[:, :, 0]).shape == (len(X),)  # 2-D: univariate sequences
    Y = np.column_stack([y, 2 * y, -y])
    assert LSTMRegressor(**TINY).fit(X, Y).predict(X).shape == (len(X), 3)
    frame = pd.DataFrame(X[:, :, 0], columns=[f"lag{i}" for i in range(10)])
    fitted = LSTMRegressor(**TINY).fit(frame, pd.Series(y))
    assert list(fitted.feature_names_in_) == list(frame.columns)


def test_learns_a_sine_better_than_the_mean():
    X, y = sine_windows(n=600)
    model = LSTMRegressor(hidden_size=16, max_epochs=40, lr=0.01, random_state=0, device="cpu")
    model.fit(X[:500], y[:500])
    mse = np.mean((model.predict(X[500:]) - y[500:]) ** 2)
    assert mse < 0.1 * np.var(y[500:])


def test_padding_is_never_fed_to_the_network():
    X, y = sine_windows()
    model = LSTMRegressor(**TINY).fit(X, y)
    padded = X[:4].copy()
    padded[0, :6] = np.nan  # sequence 0 really is X[0, 6:]
    padded[2, :3] = np.nan
    batch = model.predict(padded)
    alone_0 = model.predict(X[None, 0, 6:])
    alone_2 = model.predict(X[None, 2, 3:])
    np.testing.assert_allclose(batch[[0, 2]], np.r_[alone_0, alone_2], rtol=1e-5, atol=1e-6)
    # and the full-length neighbours are untouched by the padded ones
    np.testing.assert_allclose(batch[[1, 3]], model.predict(X[[1, 3]]), rtol=1e-5, atol=1e-6)


def test_windower_padding_trains_and_predicts():
    X, y = make_supervised(np.sin(np.arange(120) / 3))
    pipe = Pipeline([("win", Windower(look_back=12)), ("lstm", LSTMRegressor(**TINY))])
    assert np.isfinite(pipe.fit(X, y).predict(X)).all()


def test_reproducible_and_global_rng_untouched():
    X, y = sine_windows()
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()[1].copy()
    params = dict(TINY, dropout=0.2, recurrent_dropout=0.2)
    first = LSTMRegressor(**params).fit(X, y)
    second = LSTMRegressor(**params).fit(X, y)
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    assert first.loss_curve_ == second.loss_curve_
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)
    other = LSTMRegressor(**dict(params, random_state=1)).fit(X, y)
    assert not np.array_equal(first.predict(X), other.predict(X))


def test_seeded_fits_in_threads_of_one_process_stay_reproducible():
    from concurrent.futures import ThreadPoolExecutor

    X, y = sine_windows()
    params = dict(TINY, dropout=0.2)
    expected = LSTMRegressor(**params).fit(X, y).predict(X)
    with ThreadPoolExecutor(4) as pool:
        fits = list(pool.map(lambda _: LSTMRegressor(**params).fit(X, y), range(4)))
    for model in fits:
        np.testing.assert_array_equal(model.predict(X), expected)


def test_early_stopping_validates_on_the_latest_rows_and_restores_the_best():
    X, y = sine_windows(n=200)
    model = LSTMRegressor(
        **dict(TINY, max_epochs=15),
        early_stopping=True,
        validation_fraction=0.2,
        scale=False,
        target_anchor=None,
        loss="mse",
    ).fit(X, y)
    tail = slice(160, None)  # the most recent 20 %
    tail_mse = np.mean((model.predict(X[tail]) - y[tail]) ** 2)
    assert len(model.loss_curve_["valid_loss"]) == model.n_iter_
    assert tail_mse == pytest.approx(min(model.loss_curve_["valid_loss"]), rel=1e-4)


def test_stops_when_the_loss_stalls():
    X, y = sine_windows(n=100)
    params = dict(TINY, max_epochs=500, smoothing_anchor=False)  # train a network
    model = LSTMRegressor(**params, n_iter_no_change=2, tol=10.0).fit(X, y)
    assert model.n_iter_ == 3


def test_quiet_by_default_and_verbose_shows_progress(capsys):
    X, y = sine_windows(n=80)
    LSTMRegressor(**TINY, smoothing_anchor=False).fit(X, y)
    assert capsys.readouterr() == ("", "")
    LSTMRegressor(**TINY, verbose=1, smoothing_anchor=False).fit(X, y)
    err = capsys.readouterr().err
    assert "5/5" in err and "train_loss=" in err and "epoch" in err


def test_warm_start_and_partial_fit_continue_training():
    X, y = sine_windows(n=100)
    params = dict(TINY, max_epochs=3, smoothing_anchor=False)  # 100 rows: anchor alone
    model = LSTMRegressor(**params, warm_start=True).fit(X, y)
    network = model.network_
    model.fit(X, y)
    assert model.network_ is network and model.n_iter_ == 6
    online = LSTMRegressor(**TINY)
    for start in range(0, 100, 25):
        online.partial_fit(X[start : start + 25], y[start : start + 25])
    assert online.n_iter_ == 4 and len(online.loss_curve_["train_loss"]) == 4


def test_tuned_pipeline_beats_last_value_on_a_real_trending_series():
    X, y = make_supervised(load_co2())  # monthly Mauna Loa CO2: trend + season
    n = len(X) - 60
    pipe = Pipeline(
        [
            ("win", Windower()),
            ("lstm", LSTMRegressor(hidden_size=16, max_epochs=30, lr=3e-3, random_state=0)),
        ]
    )
    search = GridSearchCV(
        pipe,
        {"win__look_back": [12, 24]},
        cv=TimeSeriesSplit(n_splits=2),
        scoring="neg_mean_absolute_error",
    ).fit(X.iloc[:n], y.iloc[:n])
    lstm_mae = np.abs(search.predict(X.iloc[n:]) - y.iloc[n:]).mean()
    naive_mae = np.abs(X["co2"].iloc[n:] - y.iloc[n:]).mean()
    assert search.best_estimator_[-1].target_anchor_ == 0
    assert lstm_mae < 0.7 * naive_mae


def _windows_by_hand(values, look_back):
    """The tutorials' create_dataset loop, with NaN where history is missing."""
    out = np.full((len(values), look_back, 1), np.nan, dtype=np.float32)
    for t in range(len(values)):
        start = max(0, t - look_back + 1)
        out[t, look_back - (t - start + 1) :, 0] = values[start : t + 1]
    return out


def test_grid_search_over_look_back_matches_hand_built_windows():
    series = pd.Series(np.sin(np.arange(160) / 5) + np.arange(160) / 80)
    X, y = make_supervised(series)
    X_train, y_train, X_test = X.iloc[:120], y.iloc[:120], X.iloc[120:]
    pipe = Pipeline([("win", Windower()), ("lstm", LSTMRegressor(**TINY))])
    search = GridSearchCV(
        pipe,
        {"win__look_back": [3, 6]},
        cv=TimeSeriesSplit(n_splits=3),
        scoring="neg_mean_absolute_error",
    ).fit(X_train, y_train)
    look_back = search.best_params_["win__look_back"]
    by_hand = _windows_by_hand(X.iloc[:, 0].to_numpy(), look_back)
    hand_model = LSTMRegressor(**TINY).fit(
        _windows_by_hand(X_train.iloc[:, 0].to_numpy(), look_back), y_train
    )
    # the test rows continue the training index: their windows reach back into it
    np.testing.assert_allclose(
        search.predict(X_test), hand_model.predict(by_hand[120:]), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    "X, match",
    [
        (np.ones((5, 4, 1)) * [[[np.inf]], [[1]], [[1]], [[1]], [[1]]], r"inf in rows \[0\]"),
        (
            np.where(np.arange(20).reshape(5, 4, 1) == 9, np.nan, 1.0),
            r"NaN in rows \[2\] after their first observed step",
        ),
        (np.full((2, 3, 1), np.nan), r"Rows \[0, 1\] of X are entirely NaN"),
        (np.ones((5,)), "Reshape your data"),
        (np.ones((5, 2, 2, 2)), r"must have shape \(n_samples, n_steps, n_features\)"),
        ([np.ones((3, 1)), np.ones((2, 2))], "different numbers of features"),
    ],
)
def test_bad_x_is_named(X, match):
    with pytest.raises(ValueError, match=match):
        LSTMRegressor(**TINY).fit(X, np.ones(len(X)))


def test_bad_y_unfitted_and_shape_mismatch_are_named():
    X, y = sine_windows(n=50)
    with pytest.raises(ValueError, match=r"y contains NaN or inf in rows \[3\]"):
        LSTMRegressor(**TINY).fit(X, np.where(np.arange(50) == 3, np.nan, y))
    with pytest.raises(ValueError, match="n_samples = 50"):
        LSTMRegressor(**TINY).fit(X, y[:-1])
    with pytest.raises(ValueError, match="requires y"):
        LSTMRegressor(**TINY).fit(X, None)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        LSTMRegressor().predict(X)
    model = LSTMRegressor(**TINY).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features per time step.*fitted with 1"):
        model.predict(np.ones((3, 10, 2)))


@pytest.mark.parametrize(
    "param, value, match",
    [
        ("cell", "transformer", r"'cell' parameter .* must be a str among .*'gru'"),
        ("hidden_size", 0, r"'hidden_size' parameter .* must be an int in the range \[1, inf\)"),
        ("hidden_size", True, r"'hidden_size' parameter .* Got True"),
        ("dropout", 1.0, r"'dropout' parameter .* must be a float in the range \[0.0, 1.0\)"),
        ("lr", -1.0, r"'lr' parameter .* must be a float in the range \(0.0, inf\)"),
        ("validation_fraction", 0.0, "'validation_fraction' parameter"),
        ("pooling", "sum", "'pooling' parameter .* must be a str among"),
        ("callbacks", print, "'callbacks' parameter .* must be an instance of 'list'"),
        ("device", "tpu", 'device must be "auto", "cpu" or "cuda'),
        ("target_anchor", 3, "target_anchor must be"),
        ("target_anchor", "last", "'target_anchor' parameter"),
    ],
)
def test_bad_hyper_parameters_are_named(param, value, match):
    X, y = sine_windows(n=30)
    with pytest.raises(ValueError, match=match):
        LSTMRegressor(**dict(TINY, **{param: value})).fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message shown without CUDA")
def test_cuda_without_gpu_says_what_to_do():
    X, y = sine_windows(n=30)
    with pytest.raises(ValueError, match='PyTorch sees no CUDA GPU.*device="auto"'):
        LSTMRegressor(**dict(TINY, device="cuda")).fit(X, y)


def test_early_stopping_with_too_few_samples_is_explained():
    X, y = sine_windows(n=1)
    with pytest.raises(ValueError, match="early_stopping needs at least 1 training"):
        LSTMRegressor(**TINY, early_stopping=True).fit(X, y)


def test_sequence_mode_trains_on_chunks_and_predicts_from_windows():
    rng = np.random.default_rng(0)
    series = np.sin(np.arange(1200) / 6) + np.arange(1200) / 300 + 0.02 * rng.normal(size=1200)
    X, y = make_supervised(series)
    pipe = Pipeline(
        [
            ("win", Windower(look_back=16)),
            (
                "lstm",
                LSTMRegressor(
                    hidden_size=16,
                    max_epochs=150,
                    lr=0.01,
                    random_state=0,
                    device="cpu",
                    training="sequence",
                    early_stopping=True,
                    n_iter_no_change=30,
                ),
            ),
        ]
    )
    pipe.fit(X.iloc[:1000], y.iloc[:1000])
    mae = np.abs(pipe.predict(X.iloc[1000:]) - y.iloc[1000:]).mean()
    naive = np.abs(X.iloc[1000:, 0] - y.iloc[1000:]).mean()
    assert mae < 0.5 * naive
    assert pipe[-1].network_.input_transform == "diff"


def test_sequence_mode_refuses_what_it_cannot_train():
    X, y = sine_windows(n=100)
    shuffled = X[np.random.default_rng(0).permutation(100)]
    with pytest.raises(ValueError, match="consecutive rows that a Windower"):
        LSTMRegressor(**TINY, training="sequence").fit(shuffled, y)
    with pytest.raises(ValueError, match="unidirectional network"):
        LSTMRegressor(**TINY, training="sequence", bidirectional=True).fit(X, y)
    with pytest.raises(ValueError, match="more training rows"):
        LSTMRegressor(**TINY, training="sequence").fit(X[:5], y[:5])


@pytest.mark.skipif(
    not supports_bf16("cpu", "lstm"), reason="this CPU has no bf16 LSTM kernel (needs AVX-512)"
)
def test_bf16_mixed_precision_stays_close_to_fp32():
    X, y = sine_windows(n=300)
    params = dict(hidden_size=16, max_epochs=20, lr=0.01, random_state=0, device="cpu")
    full = LSTMRegressor(**params).fit(X, y).predict(X)
    half = LSTMRegressor(**params, precision="bf16").fit(X, y).predict(X)
    assert np.mean((half - y) ** 2) < 2 * np.mean((full - y) ** 2) + 0.01


def test_half_precision_the_machine_cannot_run_is_a_clear_error(monkeypatch):
    X, y = sine_windows(n=60)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match='precision="fp16" needs a CUDA device'):
            LSTMRegressor(**TINY, precision="fp16").fit(X, y)
    import lstmforecast._recurrent.base as base

    model = LSTMRegressor(**TINY).fit(X, y)
    monkeypatch.setattr(base, "supports_bf16", lambda device_type, cell: False)
    with pytest.raises(ValueError, match='precision="bf16" is not supported for cell'):
        LSTMRegressor(**TINY, precision="bf16").fit(X, y)
    model.precision = "bf16"  # as if fitted with bf16 elsewhere: predicts in fp32 here
    np.testing.assert_array_equal(model.predict(X), LSTMRegressor(**TINY).fit(X, y).predict(X))


def test_partial_fit_is_one_more_epoch_of_fit():
    X, y = sine_windows(n=64)
    params = dict(TINY, batch_size=64, n_iter_no_change=1000)  # one full batch per epoch
    fitted = LSTMRegressor(**dict(params, max_epochs=8), early_stopping=False).fit(X, y)
    online = LSTMRegressor(**params, early_stopping=True)  # no hold-out when incremental
    for _ in range(8):
        online.partial_fit(X, y)
    assert np.isnan(online.loss_curve_["valid_loss"]).all() and online.n_iter_ == 8
    # Adam's moments carry over between calls, so the two paths agree.
    np.testing.assert_allclose(online.predict(X), fitted.predict(X), rtol=1e-4, atol=1e-5)
    online.partial_fit(X[:1], y[:1])  # a single new row is a valid chunk


def test_awkward_but_valid_inputs_are_handled():
    X, y = sine_windows(n=60)
    reversed_model = LSTMRegressor(**TINY).fit(X[::-1], y[::-1])  # negative strides
    assert reversed_model.predict(X[::-1]).shape == (60,)
    model = LSTMRegressor(**TINY).fit(X, y)
    model.precision = "fp16"  # as if fitted on CUDA in fp16, then loaded on a CPU
    np.testing.assert_allclose(model.predict(X), LSTMRegressor(**TINY).fit(X, y).predict(X))
    with pytest.raises(ValueError, match="at least 1 time step and 1 feature"):
        LSTMRegressor(**TINY).fit(np.zeros((5, 0, 1)), np.zeros(5))
    with pytest.raises(ValueError, match="at least 1 time step and 1 feature"):
        LSTMRegressor(**TINY).fit(np.zeros((5, 3, 0)), np.zeros(5))


@pytest.mark.parametrize("layout", ["contiguous", "strided", "fortran", "windower"])
def test_feature_stats_are_numpys_nanmean_and_nanstd(layout):
    """The one-pass statistics give the very bits of np.nanmean / np.nanstd, which the
    network's standardisation was always fitted with (a refit must not move)."""
    from lstmforecast._recurrent.base import feature_stats

    rng = np.random.default_rng(0)
    values = (rng.normal(size=(400, 9, 3)) * 300 + 1e4).astype(np.float32)
    values[:50, :4] = np.nan  # front padding
    values = {
        "contiguous": values,
        "strided": values[::3, 1:],
        "fortran": np.asfortranarray(values),
        "windower": Windower(look_back=9).fit_transform(values[:, -1, :]),  # padded view
    }[layout]
    shift, scale = feature_stats(values)
    expected_shift = np.nanmean(values, axis=(0, 1), dtype=np.float64).astype(np.float32)
    expected_scale = np.nanstd(values, axis=(0, 1), dtype=np.float64).astype(np.float32)
    np.testing.assert_array_equal(shift, expected_shift)
    np.testing.assert_array_equal(scale, expected_scale)
