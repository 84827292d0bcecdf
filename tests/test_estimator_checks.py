"""scikit-learn's own estimator checks, on tiny configurations."""

import inspect

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.utils import gen_batches
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import (
    check_methods_subset_invariance,
    check_param_validation,
    parametrize_with_checks,
)

import lstmforecast
from lstmforecast import (
    ARIMARegressor,
    CalendarFeatures,
    ConformalForecaster,
    ETSRegressor,
    LSTMAutoencoder,
    LSTMClassifier,
    LSTMRegressor,
    LSTMTagger,
    NaiveRegressor,
    PanelSplit,
    PerSeriesForecaster,
    SeasonalNaiveRegressor,
    TextSequencer,
    ThetaRegressor,
    Windower,
)

TINY = dict(hidden_size=8, max_epochs=30, lr=0.02, batch_size=32, random_state=0, device="cpu")

ESTIMATORS = [
    Windower(look_back=3),
    Windower(look_back=3, flatten=True),
    # sklearn's fit-quality check needs a training R^2 above 0.5. The TINY network only
    # just reached it (0.45-0.58 over seeds), so an Intel CPU's rounding failed it where an
    # AMD one passed; 16 units and 60 epochs reach 0.79-0.91 over six seeds. The fit uses
    # every row: the default early stopping would hold out the last tenth of its
    # unordered rows and stop on their noise.
    LSTMRegressor(**dict(TINY, hidden_size=16, max_epochs=60), early_stopping=False),
    LSTMClassifier(**TINY),
    TextSequencer(),
    LSTMAutoencoder(**TINY),
    LSTMTagger(**TINY),
    ETSRegressor(error="add", trend=None, seasonal=None),
    ThetaRegressor(),
    ConformalForecaster(Ridge()),
    # id_column=None: one series, one clone (a panel needs a long frame, which the checks'
    # arrays are not; tests/test_panels.py covers panels).
    PerSeriesForecaster(ThetaRegressor()),
    # Declares no array input (its dates come from a pandas index), so sklearn skips it;
    # tests/test_calendar.py runs the contract on dated frames.
    CalendarFeatures(),
]

ORDER = (
    "window t is made of rows t-look_back+1..t, so reordering or subsetting the rows "
    "changes the windows: that is what a windower is for"
)
SERIES = "a 1-D X is read as one univariate series, which users pass on purpose"
WINDOWER_FAILURES = {
    "check_methods_sample_order_invariance": ORDER,
    "check_methods_subset_invariance": ORDER,
    "check_fit1d": SERIES,
    "check_fit2d_predict1d": SERIES,
}


MINI_BATCHES = (
    "mini-batch training: a row of weight 2 and the two copies of a duplicated row fall in "
    "different batches (and zero-weighted rows shift the batches), so the fits agree only "
    "approximately; test_sample_weight.py checks that they do"
)

FLOAT32_BATCHES = (
    "the network computes in float32 and the CPU's matrix and convolution kernels group "
    "rows differently for different batch sizes and positions, so a row predicted inside "
    "a smaller or reordered batch can differ by a few float32 units in the last place "
    "(1.8e-7 with default parameters; 2e-10 absolute on a probability of 1e-4 with the "
    "classifier's convolutional branch); the check asks for rtol=1e-7, below float32 "
    "resolution. test_subset_predictions_agree_to_float32_precision holds the property "
    "users rely on"
)

RECURRENT_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": MINI_BATCHES,
    # Whether the rounding happens to agree depends on the CPU's kernels (it passed on one
    # AMD CPU for some configurations and not others), so no recurrent estimator asserts it.
    "check_methods_subset_invariance": FLOAT32_BATCHES,
    "check_estimators_nan_inf": (
        "a 2-D X holds univariate sequences, so a NaN in its first column is a leading "
        "all-NaN step: padding by the documented contract (a shorter sequence). NaN "
        "after the first observed step and inf anywhere raise ValueError (tested in "
        "test_regressor.py)"
    ),
}


PER_STEP = (
    "LSTMTagger's y holds one label per time step, shape (n_samples, n_steps) or a list of "
    "label sequences; these checks fit it with one label per sample, which it refuses. "
    "The same properties are tested with per-step labels in test_tagger.py"
)
TAGGER_FAILURES = {
    **RECURRENT_FAILURES,
    **dict.fromkeys(
        [
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_estimators_pickle",
            "check_estimators_pickle(readonly_memmap=True)",
            "check_f_contiguous_array_estimator",
            "check_fit2d_1sample",
            "check_fit2d_predict1d",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in",
            "check_n_features_in_after_fitting",
            "check_pipeline_consistency",
            "check_positive_only_tag_during_fit",
            "check_readonly_memmap_input",
        ],
        PER_STEP,
    ),
}

SMOOTHING = (
    "each forecast smooths the rows before it (time order): a subset or a reordering of "
    "the rows changes the history behind every origin"
)
SMOOTHING_FAILURES = {
    "check_methods_subset_invariance": SMOOTHING,
    "check_methods_sample_order_invariance": SMOOTHING,
}


def expected_failures(estimator):
    if isinstance(estimator, Windower):
        return WINDOWER_FAILURES
    if isinstance(estimator, ETSRegressor | ThetaRegressor):
        return SMOOTHING_FAILURES
    if isinstance(estimator, PerSeriesForecaster):
        return expected_failures(estimator.estimator)
    if isinstance(estimator, ConformalForecaster):
        return {}
    if isinstance(estimator, LSTMTagger):
        return TAGGER_FAILURES
    if isinstance(estimator, LSTMClassifier):
        # Its convolutional branch groups a reordered batch's rows differently too.
        return {**RECURRENT_FAILURES, "check_methods_sample_order_invariance": FLOAT32_BATCHES}
    return WINDOWER_FAILURES if isinstance(estimator, Windower) else RECURRENT_FAILURES


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.xfail(reason=FLOAT32_BATCHES, strict=False)
def test_default_regressor_subset_invariance():
    check_methods_subset_invariance("LSTMRegressor", LSTMRegressor(random_state=0, device="cpu"))


def test_subset_predictions_agree_to_float32_precision(rng):
    X, y = rng.normal(size=(40, 6, 2)), rng.normal(size=40)
    model = LSTMRegressor(random_state=0, device="cpu", max_epochs=20).fit(X, y)
    whole = model.predict(X)
    parts = np.concatenate([model.predict(X[batch]) for batch in gen_batches(len(X), 3)])
    np.testing.assert_allclose(parts, whole, rtol=1e-5, atol=1e-6)


def test_classifier_subsets_and_reordered_rows_agree_to_float32_precision(rng):
    X, y = rng.normal(size=(40, 12, 2)), np.arange(40) % 3
    model = LSTMClassifier(random_state=0, device="cpu", max_epochs=20).fit(X, y)
    whole = model.predict_proba(X)
    parts = np.vstack([model.predict_proba(X[batch]) for batch in gen_batches(len(X), 3)])
    np.testing.assert_allclose(parts, whole, rtol=1e-5, atol=1e-6)
    order = rng.permutation(len(X))
    np.testing.assert_allclose(model.predict_proba(X[order]), whole[order], rtol=1e-5, atol=1e-6)


# Every public estimator, for the checks that need no fitting to pass.
EVERY_ESTIMATOR = [
    *ESTIMATORS,
    NaiveRegressor(),
    SeasonalNaiveRegressor(),
    ARIMARegressor(),
]


def test_every_public_estimator_is_in_the_lists():
    classes = {type(estimator) for estimator in EVERY_ESTIMATOR}
    public = {
        getattr(lstmforecast, name)
        for name in lstmforecast.__all__
        if isinstance(getattr(lstmforecast, name), type)
        and hasattr(getattr(lstmforecast, name), "get_params")
    }
    assert public <= classes, sorted(c.__name__ for c in public - classes)


@pytest.mark.parametrize("estimator", EVERY_ESTIMATOR, ids=lambda e: type(e).__name__)
def test_every_parameter_is_validated_by_sklearn(estimator):
    """sklearn's own check: a constraint for every parameter, and a bad type or value
    of any of them raises InvalidParameterError naming it, from every fit method."""
    check_param_validation(type(estimator).__name__, estimator)


def test_counts_refuse_bools_and_hints_say_what_to_pass():
    X = np.arange(30.0)[:, None]
    with pytest.raises(InvalidParameterError, match="'season_length'.*not a bool"):
        SeasonalNaiveRegressor(season_length=True).fit(X, X[:, 0])
    with pytest.raises(InvalidParameterError, match="12 for monthly data"):
        ThetaRegressor(season_length=0).fit(X, X[:, 0])
    with pytest.raises(InvalidParameterError, match="'n_splits' parameter of PanelSplit"):
        next(PanelSplit(n_splits=0).split(X))


PUBLIC_FUNCTIONS = ["compare", "export_onnx", "forecast", "load", "make_supervised", "quantize"]
PUBLIC_FUNCTIONS += ["plot_forecast", "plot_loss_curve", "save", "summary"]


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS)
def test_public_functions_declare_their_constraints(name):
    constraints = getattr(lstmforecast, name)._skl_parameter_constraints
    assert constraints
    parameters = inspect.signature(getattr(lstmforecast, name)).parameters
    assert set(constraints) <= set(parameters)


def test_function_errors_name_the_function_and_keep_the_models_own():
    with pytest.raises(InvalidParameterError, match="'horizon' parameter of make_supervised"):
        lstmforecast.make_supervised(np.arange(10.0), horizon=0)
    with pytest.raises(InvalidParameterError, match="'horizon'.*not a bool"):
        lstmforecast.make_supervised(np.arange(10.0), horizon=True)
    X, y = lstmforecast.make_supervised(np.arange(40.0))
    # a bad parameter of a compared model is reported as the model's, not compare's
    with pytest.raises(InvalidParameterError, match="parameter of SeasonalNaiveRegressor"):
        lstmforecast.compare({"bad": SeasonalNaiveRegressor(season_length=0)}, X, y, cv=2)
