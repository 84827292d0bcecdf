"""scikit-learn's own estimator checks, on tiny configurations."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from lstmforecast import (
    ETSRegressor,
    LSTMAutoencoder,
    LSTMClassifier,
    LSTMRegressor,
    LSTMTagger,
    TextSequencer,
    ThetaRegressor,
    Windower,
)

TINY = dict(hidden_size=8, max_epochs=30, lr=0.02, batch_size=32, random_state=0, device="cpu")

ESTIMATORS = [
    Windower(look_back=3),
    Windower(look_back=3, flatten=True),
    LSTMRegressor(**TINY),
    LSTMClassifier(**TINY),
    TextSequencer(),
    LSTMAutoencoder(**TINY),
    LSTMTagger(**TINY),
    ETSRegressor(error="add", trend=None, seasonal=None),
    ThetaRegressor(),
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


RECURRENT_FAILURES = {
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
    return TAGGER_FAILURES if isinstance(estimator, LSTMTagger) else RECURRENT_FAILURES


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)
