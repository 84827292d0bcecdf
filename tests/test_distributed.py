"""Hyper-parameter search on a dask.distributed cluster through joblib's dask backend.

dask is an optional extra (``pip install "dask[distributed]"``); without it these tests
are skipped. The cluster runs in this process (``processes=False``) so that it starts in
about a second (worker processes would each import torch, ~10 s on a busy 2-core
machine); the fitted models are pickled and unpickled here instead.
"""

import pickle

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

import joblib  # noqa: E402
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from lstmforecast import LSTMRegressor, Windower, make_supervised  # noqa: E402

GRID = {"win__look_back": [4, 8], "lstm__hidden_size": [4, 8]}


def on_dask_worker(estimator, X, y):
    """A "score" that is 1 when computed inside a dask worker (where the candidate was
    just fitted), else 0."""
    try:
        distributed.get_worker()
    except ValueError:
        return 0.0
    return 1.0


SCORING = {"r2": "r2", "on_worker": on_dask_worker}


def _data():
    rng = np.random.default_rng(0)
    steps = np.arange(301)
    series = pd.Series(np.sin(steps / 6.0) + 0.05 * rng.standard_normal(len(steps)), name="y")
    return make_supervised(series)


def _pipeline():
    return Pipeline(
        [
            ("win", Windower()),
            ("lstm", LSTMRegressor(max_epochs=2, batch_size=32, random_state=0, device="cpu")),
        ]
    )


@pytest.fixture(scope="module")
def client():
    # Two worker threads: joblib sends work to dask only when the cluster has more than
    # one core (with one it runs everything in the calling thread). No dashboard: the
    # test must need neither a free port for it nor bokeh.
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        yield dask_client


def test_grid_search_runs_on_dask_and_best_estimator_round_trips(client):
    X, y = _data()
    search = GridSearchCV(_pipeline(), GRID, cv=TimeSeriesSplit(2), scoring=SCORING, refit="r2")
    with joblib.parallel_backend("dask"):
        search.fit(X, y)
    # Every candidate was fitted and scored on the cluster, not in local processes.
    for split in range(2):
        assert (search.cv_results_[f"split{split}_test_on_worker"] == 1).all()

    assert np.isfinite(search.cv_results_["mean_test_r2"]).all()

    best = search.best_estimator_
    expected = best.predict(X)
    assert expected.shape == (len(X),) and np.isfinite(expected).all()
    restored = pickle.loads(pickle.dumps(best))
    np.testing.assert_array_equal(restored.predict(X), expected)
    restored_search = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored_search.predict(X), expected)


def test_models_fitted_on_dask_workers_come_back_usable(client):
    X, y = _data()
    with joblib.parallel_backend("dask"):
        result = cross_validate(
            _pipeline(), X, y, cv=TimeSeriesSplit(2), scoring=SCORING, return_estimator=True
        )
    assert (result["test_on_worker"] == 1).all()
    for model in result["estimator"]:
        restored = pickle.loads(pickle.dumps(model))
        np.testing.assert_array_equal(restored.predict(X), model.predict(X))
        assert np.isfinite(restored.predict(X)).all()


def test_thread_workers_reproduce_seeded_fits(client):
    X, y = _data()
    local = GridSearchCV(_pipeline(), GRID, cv=TimeSeriesSplit(2), refit=False).fit(X, y)
    with joblib.parallel_backend("dask"):
        threaded = GridSearchCV(_pipeline(), GRID, cv=TimeSeriesSplit(2), refit=False).fit(X, y)
    np.testing.assert_allclose(
        threaded.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"], rtol=1e-4
    )
