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
