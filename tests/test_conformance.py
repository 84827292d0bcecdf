"""Inputs that used to give silently wrong answers (issue 12): column names, time order,
text columns, count matrices."""

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline

from lstmforecast import (
    ARIMARegressor,
    LSTMClassifier,
    LSTMRegressor,
    NaiveRegressor,
    SeasonalNaiveRegressor,
    Windower,
    make_supervised,
)

from .conftest import TINY

ONE_EPOCH = {**TINY, "max_epochs": 1}

ESTIMATORS = {
    "windower": lambda: Windower(look_back=3),
    "lstm-regressor": lambda: LSTMRegressor(**ONE_EPOCH),
    "lstm-classifier": lambda: LSTMClassifier(**ONE_EPOCH),
    "pipeline": lambda: make_pipeline(Windower(look_back=3), LSTMRegressor(**ONE_EPOCH)),
    "naive": lambda: NaiveRegressor(),
    "seasonal-naive": lambda: SeasonalNaiveRegressor(season_length=2),
    "arima": lambda: ARIMARegressor(order=(1, 0, 0)),
}


def _frame(library, rng):
    values = rng.normal(size=(40, 2)) + [0.0, 10.0]
    if library == "polars":
        pl = pytest.importorskip("polars")
        return pl.DataFrame(values, schema=["sales", "price"])
    return pd.DataFrame(values, columns=["sales", "price"])


def _reordered_and_renamed(X):
    if isinstance(X, pd.DataFrame):
        return X[["price", "sales"]], X.rename(columns={"price": "cost"})
    return X.select(["price", "sales"]), X.rename({"price": "cost"})


@pytest.mark.parametrize("library", ["pandas", "polars"])
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_reordered_or_renamed_columns_are_rejected(name, library, rng):
    X = _frame(library, rng)
    y = rng.normal(size=len(X))
    if name == "lstm-classifier":
        y = y > 0
    estimator = ESTIMATORS[name]().fit(X, y)
    use = estimator.transform if name == "windower" else estimator.predict
    final = estimator[-1] if name == "pipeline" else estimator
    first = estimator[0] if name == "pipeline" else estimator
    assert list(first.feature_names_in_) == ["sales", "price"]
    assert final.n_features_in_ in (2, 3)  # columns, or time steps after a Windower
    use(X)
    for changed in _reordered_and_renamed(X):
        with pytest.raises(ValueError, match="feature names should match"):
            use(changed)


def _dated(rng, n=30):
    index = pd.date_range("2020-01", periods=n, freq="MS")
    return pd.DataFrame({"sales": rng.normal(size=n).cumsum(), "price": rng.normal(size=n)}, index)


TIME_READERS = {
    "make_supervised": lambda X: make_supervised(X, target_column="sales"),
    "windower": lambda X: Windower(look_back=3).fit(X),
    "naive": lambda X: NaiveRegressor().fit(X, X["sales"]),
    "seasonal-naive": lambda X: SeasonalNaiveRegressor(season_length=2).fit(X, X["sales"]),
    "arima": lambda X: ARIMARegressor(order=(1, 0, 0)).fit(X, X["sales"]),
}


@pytest.mark.parametrize("reader", list(TIME_READERS))
def test_shuffled_or_duplicated_time_index_is_an_error(reader, rng):
    X = _dated(rng)
    shuffled = X.iloc[rng.permutation(len(X))]
    with pytest.raises(ValueError, match=r"not in time order.*sort_index"):
        TIME_READERS[reader](shuffled)
    duplicated = pd.concat([X.iloc[:20], X.iloc[15:]])
    with pytest.raises(ValueError, match="duplicated times"):
        TIME_READERS[reader](duplicated)


def test_predicting_on_shuffled_rows_is_an_error(rng):
    X = _dated(rng)
    fitted = [Windower(look_back=3).fit(X), NaiveRegressor().fit(X, X["sales"])]
    for estimator in fitted:
        use = getattr(estimator, "predict", None) or estimator.transform
        with pytest.raises(ValueError, match="not in time order"):
            use(X.iloc[::-1])


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_text_and_categorical_columns_are_named_with_an_encoder_hint(library, rng):
    X = _dated(rng).reset_index(drop=True)
    X["month"] = pd.Series(["January", "February", "March"] * 10)
    X["kind"] = pd.Categorical(["a", "b"] * 15)
    if library == "polars":
        pl = pytest.importorskip("polars")
        # Column by column: polars' from_pandas needs pyarrow for text columns.
        columns = {name: X[name].astype(str).tolist() for name in ("month", "kind")}
        numbers = {name: X[name].to_numpy() for name in X.columns if name not in columns}
        X = pl.DataFrame({**numbers, **columns}).with_columns(pl.col("kind").cast(pl.Categorical))
    for fit in (
        lambda Z: Windower(look_back=3).fit(Z),
        lambda Z: LSTMRegressor(**ONE_EPOCH).fit(Z, np.zeros(30)),
        lambda Z: NaiveRegressor().fit(Z, np.zeros(30)),
    ):
        with pytest.raises(ValueError, match=r"Column 'month' of X .*'January'.*OneHotEncoder"):
            fit(X)
        with pytest.raises(ValueError, match=r"Column 'kind' of X .*OrdinalEncoder"):
            fit(X.drop("month") if library == "polars" else X.drop(columns="month"))


def test_text_target_in_make_supervised_is_named():
    data = pd.DataFrame({"sales": ["1", "2", "x"]})
    with pytest.raises(ValueError, match="Column 'sales' of data"):
        make_supervised(data)


def test_count_matrix_given_for_token_ids_is_refused():
    from sklearn.feature_extraction.text import CountVectorizer

    words = "good bad fine awful great poor nice ugly calm loud warm cold".split()
    rng = np.random.default_rng(0)
    documents = [" ".join(rng.choice(words, size=5)) for _ in range(40)]
    counts = CountVectorizer().fit_transform(documents).toarray()
    labels = np.arange(40) % 2
    classifier = LSTMClassifier(embedding_dim=4, **ONE_EPOCH)
    with pytest.raises(ValueError, match=r"count matrix.*build_analyzer"):
        classifier.fit(counts, labels)
    # the same documents as token ids (pre- or post-padded) are accepted
    vectorizer = CountVectorizer().fit(documents)
    analyze = vectorizer.build_analyzer()
    ids = np.array([[vectorizer.vocabulary_[w] + 1 for w in analyze(d)] for d in documents])
    classifier.fit(np.hstack([np.zeros((40, 3), dtype=int), ids]), labels)
    classifier.fit(np.hstack([ids, np.zeros((40, 3), dtype=int)]), labels)


def test_partial_fit_with_a_single_class_is_refused():
    with pytest.raises(ValueError, match="fewer than 2 classes"):
        LSTMClassifier(**ONE_EPOCH).partial_fit(np.zeros((3, 4)), [1, 1, 1], classes=[1])


def test_labels_mixing_str_and_int_get_a_clear_error():
    y = np.array(["up", 1, "down", 0] * 3, dtype=object)
    with pytest.raises(ValueError, match=r"mixes label types \(int, str\).*astype\(str\)"):
        LSTMClassifier(**ONE_EPOCH).fit(np.zeros((12, 4)), y)


@pytest.mark.parametrize(
    "y_true, y_pred, match",
    [
        ([1.0, np.nan, 3.0], [1.0, 2.0, 3.0], r"y_true contains NaN or inf in rows \[1\]"),
        ([1.0, 2.0, 3.0], [1.0, 2.0, np.inf], r"y_pred contains NaN or inf in rows \[2\]"),
        (np.zeros((3, 4)), np.zeros((3, 2, 2)), "must match"),
        (np.zeros((3, 2)), np.zeros((3, 2, 1)), "must match"),
    ],
)
def test_metrics_refuse_missing_values_and_mismatched_shapes(y_true, y_pred, match):
    from lstmforecast.metrics import METRICS

    for metric in METRICS.values():
        with pytest.raises(ValueError, match=match):
            metric(y_true, y_pred)


def test_metrics_still_pair_a_1d_target_with_a_column_of_predictions():
    from lstmforecast.metrics import mae

    assert mae([1.0, 2.0], [[1.0], [4.0]]) == 1.0


def test_summary_of_a_fitted_model_without_a_network_says_so(rng):
    from lstmforecast import summary

    naive = NaiveRegressor().fit(rng.normal(size=(10, 1)), rng.normal(size=10))
    with pytest.raises(TypeError, match="NaiveRegressor has none"):
        summary(naive)
    with pytest.raises(ValueError, match="not fitted"):
        summary(LSTMRegressor())


def test_compare_names_the_model_that_failed(rng):
    from lstmforecast import compare

    class Broken(NaiveRegressor):
        def predict(self, X):
            raise ValueError("cannot forecast")

    X = rng.normal(size=(30, 1))
    with pytest.raises(ValueError, match=r"model 'broken' failed: .*cannot forecast"):
        compare({"naive": NaiveRegressor(), "broken": Broken()}, X, X[:, 0], cv=2)


@pytest.mark.parametrize("Estimator", [LSTMRegressor, LSTMClassifier])
def test_inputs_far_outside_the_training_range_warn_once_per_fit(Estimator, rng):
    import warnings

    X = rng.normal(size=(40, 5, 2))
    y = X[:, -1, 0] > 0 if Estimator is LSTMClassifier else X[:, -1, 0]
    model = Estimator(**ONE_EPOCH).fit(X, y)
    far = X.copy()
    far[0, 2, 1] = 50.0  # one value, 50 training standard deviations out, in feature 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X * 2)  # unusual but within 10 standard deviations
    with pytest.warns(UserWarning, match=r"50 training standard deviations.*feature 1") as record:
        model.predict(far)
        model.predict(far)
    assert len(record) == 1
    with pytest.warns(UserWarning, match="extrapolates"):
        model.fit(X, y).predict(far)  # a new fit warns again
