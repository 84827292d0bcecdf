"""One model per series of a panel, behind one estimator (local models, fitted in parallel)."""

from contextlib import contextmanager
from numbers import Integral

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted

from .._preprocessing.panel import ID_COLUMN_CONSTRAINT, ID_COLUMN_HINT, split_panel
from .._utils.deprecation import DEPRECATED, RenamedState, renamed_attribute, renamed_value
from .._utils.params import HintedParams
from .._utils.quantiles import predicts_quantiles
from .._utils.time_index import inferred_freq
from .._utils.transaction import transactional

__all__ = ["PerSeriesForecaster"]


class PerSeriesForecaster(RegressorMixin, HintedParams, RenamedState, BaseEstimator):
    """Fit a clone of a forecaster on each series of a panel; predict each series with its own.

    The local counterpart of a global model: ``PerSeriesForecaster(ARIMARegressor(),
    id_column="store")`` takes the same long frame as ``Pipeline([("win", Windower(id_column=
    "store")), ("lstm", LSTMRegressor())])``, so both go through :func:`compare`
    (``id_column="store"``) or ``GridSearchCV`` on the same folds. Each clone sees its series'
    rows only, without the id column and indexed by time, so it carries its history into
    a test fold as on a single series. The series are fitted in parallel by joblib.

    Parameters
    ----------
    estimator : estimator object
        The forecaster cloned for each series (a baseline, a Pipeline, ...).
    id_column : str, default=None
        The series-id column or MultiIndex level of X (see :func:`make_supervised`).
        None: X is one series, and one clone is fitted on it.
    groups : str, default="deprecated"
        Deprecated alias of ``id_column``, its name before 0.2 (removed in 0.4): in
        scikit-learn, ``groups`` is an array of labels, not a column name.
    n_jobs : int, default=None
        Series fitted (and predicted) in parallel by joblib; -1 uses every core.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted clones, one per series.
    series_ids_ : ndarray of shape (n_series,)
        The series ids, in the order of ``estimators_`` (``[None]`` without id_column).
    n_features_in_ : int
        Columns of X the clones see (without the id column).

    Examples
    --------
    >>> import pandas as pd
    >>> from lstmforecast import NaiveRegressor, PerSeriesForecaster, make_supervised
    >>> data = pd.DataFrame({"id": ["a"] * 3 + ["b"] * 3, "v": [1.0, 2, 3, 10, 20, 30]})
    >>> X, y = make_supervised(data, target_column="v", id_column="id")
    >>> PerSeriesForecaster(NaiveRegressor(), id_column="id").fit(X, y).predict(X)
    array([ 1.,  2., 10., 20.])
    """

    def __init__(self, estimator, *, id_column=None, n_jobs=None, groups=DEPRECATED):
        self.estimator = estimator
        self.id_column = id_column
        self.n_jobs = n_jobs
        self.groups = groups

    # The ids were ``series_`` before 0.2, the baselines' word for their target history.
    _renamed_attributes = {"series_": "series_ids_"}
    _renamed_parameters = {"groups": "id_column"}
    series_ = renamed_attribute("series_", "series_ids_")

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "id_column": ID_COLUMN_CONSTRAINT,
        "n_jobs": [Integral, None],
        "groups": ID_COLUMN_CONSTRAINT,
    }
    _parameter_hints = {"id_column": ID_COLUMN_HINT}

    @transactional
    def fit(self, X, y):
        """Fit one clone of ``estimator`` on each series' rows.

        Parameters
        ----------
        X : pandas.DataFrame, or array-like without ``id_column``
            The long frame of all series.
        y : array-like of shape (n_rows,) or (n_rows, horizon)
            Aligned with X row by row (e.g. from :func:`make_supervised`).

        Returns
        -------
        self : PerSeriesForecaster
        """
        self._validate_params()
        id_column = self._id_column(warn=True)
        if id_column is None:
            self.estimators_ = [clone(self.estimator).fit(X, y)]
            self.series_ids_ = np.array([None], dtype=object)
        else:
            parts = _series_rows(X, id_column)
            if len(y) != len(X):
                raise ValueError(
                    f"X has {len(X)} rows but y has {len(y)}; they must be aligned row by row."
                )
            self.estimators_ = Parallel(n_jobs=self.n_jobs)(
                delayed(_fit_one)(clone(self.estimator), part, _take(y, rows), series)
                for series, (part, rows) in parts.items()
            )
            self.series_ids_ = np.asarray(list(parts), dtype=object)
        self.n_features_in_ = self.estimators_[0].n_features_in_
        return self

    def _id_column(self, warn=False):
        """``id_column``, or the deprecated ``groups`` when only that was given."""
        return renamed_value(self, "groups", "id_column", None, warn)

    def _predicts_quantiles(self, levels):  # see _utils.quantiles.predicts_quantiles
        return predicts_quantiles(self.estimator, levels)

    def predict(self, X, **predict_params):
        """Predict each series' rows with its own model.

        Parameters
        ----------
        X : pandas.DataFrame, or array-like without ``id_column``
            Rows of series seen in ``fit``, any order.
        **predict_params : dict
            Passed to each model's ``predict``, e.g. ``quantiles=[0.1, 0.9]``.

        Returns
        -------
        y_pred : ndarray
            One row per row of X, as each model's ``predict`` shapes it.
        """
        check_is_fitted(self, "estimators_")
        id_column = self._id_column()
        if id_column is None:
            return self.estimators_[0].predict(X, **predict_params)
        parts = _series_rows(X, id_column)
        number = pd.Index(self.series_ids_).get_indexer(list(parts))
        if (number < 0).any():
            unknown = [series for series, k in zip(parts, number) if k < 0]
            raise ValueError(
                f"X holds series never seen in fit: {unknown[:5]}; a per-series model can "
                "only forecast the series it was fitted on (a global model can do others)."
            )
        predictions = Parallel(n_jobs=self.n_jobs)(
            delayed(_predict_one)(self.estimators_[k], part, predict_params, series)
            for k, (series, (part, _)) in zip(number, parts.items())
        )
        first = np.asarray(predictions[0])
        result = np.empty((len(X), *first.shape[1:]), dtype=np.float64)
        for (_, rows), values in zip(parts.values(), predictions):
            result[rows] = values
        return result

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.target_tags.multi_output = inner.target_tags.multi_output
        tags.regressor_tags.poor_score = True  # as the baselines it usually wraps
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        return tags


def _series_rows(X, id_column):
    """{series id: (its rows without the id column, indexed by time; their positions)}."""
    panel = split_panel(X, id_column)
    order = panel.order()
    starts = np.cumsum(panel.sizes)[:-1]
    values = panel.values
    if panel.level:  # index the rows by their time alone, as a single series is
        values = values.set_axis(panel.times)
    return {
        series: (_with_frequency(values.iloc[rows]), rows)
        for series, rows in zip(panel.ids, np.split(order, starts))
    }


def _with_frequency(frame):
    """The series' rows with the frequency of their dates set, when pandas can infer it:
    a long frame's repeated dates have none, and without it a month is 28 to 31 days,
    so a model could not tell that a test fold continues its training rows."""
    index = frame.index
    if isinstance(index, pd.DatetimeIndex) and index.freq is None and len(index) >= 3:
        freq = inferred_freq(index)
        if freq is not None:
            return frame.set_axis(pd.DatetimeIndex(index, freq=freq))
    return frame


def _take(y, rows):
    return y.iloc[rows] if hasattr(y, "iloc") else np.asarray(y)[rows]


def _fit_one(estimator, X, y, series=None):
    with _naming(series):
        return estimator.fit(X, y)


def _predict_one(estimator, X, predict_params, series=None):
    with _naming(series):
        return np.asarray(estimator.predict(X, **predict_params), dtype=np.float64)


@contextmanager
def _naming(series):
    """An error of one series' model says which series it is, with its own type."""
    try:
        yield
    except Exception as error:
        message = f"Series {series!r}: {error}"
        try:
            renamed = type(error)(message)
        except Exception:  # an exception type with other arguments: a note instead
            error.add_note(f"Raised by the model of series {series!r}.")
            raise error from None
        raise renamed from error
