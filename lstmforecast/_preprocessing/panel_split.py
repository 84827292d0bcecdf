"""Rolling-origin cross-validation that cuts every series of a panel at the same times."""

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval

from .._utils.deprecation import DEPRECATED, renamed_value
from .._utils.params import check_parameters, positive_int
from .panel import ID_COLUMN_CONSTRAINT, ID_COLUMN_HINT, split_panel

__all__ = ["PanelSplit"]


class PanelSplit:
    """Rolling-origin folds over time for a panel: every series is cut at the same times.

    :class:`~sklearn.model_selection.TimeSeriesSplit` counts rows, so on a long frame of
    many series it would put one series' future in training and another's past in test.
    ``PanelSplit`` counts distinct times instead: fold k tests on the ``test_size`` times
    after its origin, for every series at once, and trains on all rows at least ``gap``
    times earlier. No training row is ever later than a test row. It works as ``cv=`` in
    ``GridSearchCV``, ``cross_validate`` and :func:`compare`.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds (origins).
    test_size : int, default=None
        Times in each test fold. None: ``n_times // (n_splits + 1)``.
    gap : int, default=0
        Times left out between the training and the test times of each fold; use
        ``horizon - 1`` with a multi-step y, so that no training target reaches into
        the test times.
    max_train_size : int, default=None
        Keep at most this many of the latest times in each training fold.
    id_column : str, default=None
        The series-id column (or MultiIndex level) of X, as in
        :func:`make_supervised`. With a MultiIndex it tells the time level; with a column
        and a RangeIndex (no time labels), each row's time is its position in its series.
        None: X's index is the time of each row.
    groups : str, default="deprecated"
        Deprecated alias of ``id_column``, its name before 0.2 (removed in 0.4): in
        scikit-learn, ``groups`` is an array of labels, not a column name.

    Examples
    --------
    >>> import pandas as pd
    >>> from lstmforecast import PanelSplit
    >>> dates = pd.date_range("2024-01-01", periods=4, freq="D")
    >>> X = pd.DataFrame({"id": ["a"] * 4 + ["b"] * 4, "v": range(8)},
    ...                  index=dates.append(dates))
    >>> for train, test in PanelSplit(n_splits=2, test_size=1, id_column="id").split(X):
    ...     print(train, test)
    [0 1 4 5] [2 6]
    [0 1 2 4 5 6] [3 7]
    """

    def __init__(
        self,
        n_splits=5,
        *,
        test_size=None,
        gap=0,
        max_train_size=None,
        id_column=None,
        groups=DEPRECATED,
    ):
        self.n_splits = n_splits
        self.test_size = test_size
        self.gap = gap
        self.max_train_size = max_train_size
        self.id_column = id_column
        self.groups = groups

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of folds.

        Parameters
        ----------
        X, y, groups : ignored

        Returns
        -------
        n_splits : int
        """
        return self.n_splits

    def split(self, X, y=None, groups=None):
        """Row positions of the training and test rows of each fold.

        Parameters
        ----------
        X : pandas.DataFrame
            The long frame (rows of all series), e.g. from :func:`make_supervised`.
        y : ignored
        groups : ignored
            The series are read from X (the ``id_column`` parameter).

        Yields
        ------
        train : ndarray of int
            Positions of the rows whose time is before the fold's cut (minus ``gap``).
        test : ndarray of int
            Positions of the rows whose time is among the fold's test times.
        """
        self._check_params()
        times = self._times(X)
        grid, position = np.unique(times, return_inverse=True)  # each row's time step
        position = position.ravel()
        n_times = len(grid)
        test_size = self.test_size or n_times // (self.n_splits + 1)
        first_test = n_times - self.n_splits * test_size
        if test_size < 1 or first_test - self.gap < 1:
            raise ValueError(
                f"The panel has {n_times} distinct times, too few for n_splits="
                f"{self.n_splits}, test_size={self.test_size} and gap={self.gap}: each fold "
                "needs at least one training time. Use fewer or smaller folds."
            )
        for origin in range(first_test, n_times, test_size):
            train_end = origin - self.gap
            train_start = 0 if self.max_train_size is None else train_end - self.max_train_size
            train = np.flatnonzero((position < train_end) & (position >= train_start))
            test = np.flatnonzero((position >= origin) & (position < origin + test_size))
            yield train, test

    # sklearn's splitters are no estimators (no get_params): the same constraints,
    # checked on the constructor's arguments when split() runs.
    _parameter_constraints = {
        "n_splits": positive_int(),
        "test_size": [*positive_int(), None],
        "gap": [Interval(Integral, 0, None, closed="left")],
        "max_train_size": [*positive_int(), None],
        "id_column": ID_COLUMN_CONSTRAINT,
        "groups": ID_COLUMN_CONSTRAINT,
    }

    def _check_params(self):
        params = {name: getattr(self, name) for name in self._parameter_constraints}
        check_parameters(
            self._parameter_constraints, params, "PanelSplit", {"id_column": ID_COLUMN_HINT}
        )
        renamed_value(self, "groups", "id_column", None, warn=True)

    def _times(self, X):
        id_column = renamed_value(self, "groups", "id_column", None)
        if id_column is not None:
            panel = split_panel(X, id_column)
            times = panel.times
        else:
            index = getattr(X, "index", None)
            if not isinstance(index, pd.Index):
                raise ValueError(
                    "PanelSplit reads each row's time from X's pandas index; X has none. "
                    "Pass a pandas frame indexed by time, or id_column= with a MultiIndex."
                )
            times = index
        if isinstance(times, pd.PeriodIndex):
            return times.asi8
        return np.asarray(times)

    def __repr__(self):
        return (
            f"PanelSplit(n_splits={self.n_splits}, test_size={self.test_size}, gap={self.gap}, "
            f"max_train_size={self.max_train_size}, id_column={self.id_column!r})"
        )
