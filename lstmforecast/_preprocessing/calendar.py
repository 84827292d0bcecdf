"""Calendar features from a time index: known for any future date by construction."""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._utils.params import HintedParams

__all__ = ["CalendarFeatures"]

# name -> (periods per cycle, value read from the DatetimeIndex)
_CYCLES = {
    "hour": (24.0, lambda index: index.hour + index.minute / 60 + index.second / 3600),
    "day_of_week": (7.0, lambda index: index.dayofweek + index.hour / 24 + index.minute / 1440),
    "day_of_year": (365.25, lambda index: index.dayofyear - 1 + index.hour / 24),
}
_FLAGS = ("weekend", "workday")
FEATURES = (*_CYCLES, *_FLAGS)


class CalendarFeatures(TransformerMixin, HintedParams, BaseEstimator):
    """Add calendar columns computed from the rows' time index.

    Cyclic quantities become sin/cos pairs (``"hour_sin"``, ``"hour_cos"``, ...), so
    23:00 lies next to 00:00 and December next to January; flags are 0/1 columns. Every
    value comes from the timestamp alone, so it is known for any future date: use the
    columns as known-future covariates (``make_supervised(...,
    future_covariates=[...])``, see :ref:`future-covariates`), and build the future
    frame for :func:`forecast` with ``transform`` on an empty frame indexed by the
    forecast dates.

    Parameters
    ----------
    features : list of str, default=("hour", "day_of_week", "day_of_year", "workday")
        Which columns to add: "hour" (time of day, sin/cos), "day_of_week" (sin/cos,
        the time of day included so the cycle is smooth), "day_of_year" (sin/cos),
        "weekend" (1 on Saturday and Sunday) and "workday" (1 on Monday to Friday that
        are no public holiday).
    country : str, default=None
        ISO country code of the public holidays (e.g. "US", "GB", "DE") from the
        ``holidays`` package (``pip install lstmforecast[calendar]``). Adds a
        ``"holiday"`` column and makes holidays no workdays. None: no holidays.
    subdivision : str, default=None
        State or province of ``country`` for regional holidays (e.g. "CA", "BY").
    keep_input : bool, default=True
        Keep X's own columns before the calendar columns.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of X seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X seen in ``fit``, when they are all strings.

    Examples
    --------
    >>> import pandas as pd
    >>> from lstmforecast import CalendarFeatures
    >>> index = pd.date_range("2024-01-05 23:00", periods=3, freq="h")
    >>> calendar = CalendarFeatures(features=["hour", "weekend"])
    >>> calendar.fit_transform(pd.DataFrame(index=index)).round(3)
                         hour_sin  hour_cos  weekend
    2024-01-05 23:00:00    -0.259     0.966      0.0
    2024-01-06 00:00:00     0.000     1.000      1.0
    2024-01-06 01:00:00     0.259     0.966      1.0
    """

    def __init__(
        self,
        features=("hour", "day_of_week", "day_of_year", "workday"),
        country=None,
        subdivision=None,
        keep_input=True,
    ):
        self.features = features
        self.country = country
        self.subdivision = subdivision
        self.keep_input = keep_input

    _parameter_constraints = {
        "features": [str, list, tuple],  # the names: _check_features
        "country": [str, None],
        "subdivision": [str, None],
        "keep_input": ["boolean"],
    }

    def fit(self, X, y=None):
        """Check the features and remember X's columns.

        Parameters
        ----------
        X : pandas.DataFrame or pandas.Series with a DatetimeIndex or PeriodIndex
            Time-indexed rows (they may have no columns).
        y : ignored

        Returns
        -------
        self : CalendarFeatures
        """
        self._validate_params()
        features = self._check_features()
        frame = _as_frame(X)
        _time_index(frame)
        self.n_features_in_ = frame.shape[1]
        columns = np.asarray(frame.columns, dtype=object)
        if len(columns) and all(isinstance(c, str) for c in columns):
            self.feature_names_in_ = columns
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self._calendar = _holiday_calendar(self.country, self.subdivision)
        self._features = features
        return self

    def transform(self, X):
        """Return X (when ``keep_input``) with the calendar columns appended.

        Parameters
        ----------
        X : pandas.DataFrame or pandas.Series with a DatetimeIndex or PeriodIndex
            Any dates, past or future.

        Returns
        -------
        X_out : pandas.DataFrame
            X's index; X's columns (when ``keep_input``) then
            :meth:`get_feature_names_out`'s calendar columns, float64.
        """
        check_is_fitted(self, "_features")
        frame = _as_frame(X)
        if frame.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {frame.shape[1]} columns, but CalendarFeatures was fitted with "
                f"{self.n_features_in_}."
            )
        index = _time_index(frame)
        columns = {}
        for name in self._features:
            if name in _CYCLES:
                period, read = _CYCLES[name]
                angle = 2 * np.pi * np.asarray(read(index), dtype=np.float64) / period
                columns[f"{name}_sin"] = np.sin(angle)
                columns[f"{name}_cos"] = np.cos(angle)
        weekend = np.asarray(index.dayofweek >= 5)
        holiday = None
        if self._calendar is not None:
            days = (index.tz_localize(None) if index.tz is not None else index).normalize()
            holiday = np.asarray(days.isin(self._calendar(days.year.unique())))
        if "weekend" in self._features:
            columns["weekend"] = weekend.astype(np.float64)
        if "workday" in self._features:
            off = weekend if holiday is None else weekend | holiday
            columns["workday"] = (~off).astype(np.float64)
        if holiday is not None:
            columns["holiday"] = holiday.astype(np.float64)
        calendar = pd.DataFrame(columns, index=frame.index)
        if not self.keep_input:
            return calendar
        clash = [c for c in calendar.columns if c in frame.columns]
        if clash:
            raise ValueError(
                f"X already has column(s) {clash}; rename them, or use keep_input=False."
            )
        return pd.concat([frame, calendar], axis=1)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : array-like of str, default=None
            X's column names; ``feature_names_in_`` when None.

        Returns
        -------
        names : ndarray of str
        """
        check_is_fitted(self, "_features")
        names = []
        for name in self._features:
            if name in _CYCLES:
                names += [f"{name}_sin", f"{name}_cos"]
        names += [flag for flag in _FLAGS if flag in self._features]
        if self._calendar is not None:
            names.append("holiday")
        if self.keep_input:
            from sklearn.utils.validation import _check_feature_names_in

            given = (
                []
                if not self.n_features_in_
                else list(_check_feature_names_in(self, input_features))
            )
            names = given + names
        return np.asarray(names, dtype=object)

    def _check_features(self):
        features = [self.features] if isinstance(self.features, str) else list(self.features)
        unknown = [f for f in features if f not in FEATURES]
        if unknown or not features:
            raise ValueError(
                f"features={self.features!r}: choose one or more of {list(FEATURES)}"
                + (f"; {unknown} are unknown." if unknown else ".")
            )
        return features

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # X's own columns are passed on untouched
        # The dates are read from a pandas index: a plain 2-D array has none, so
        # scikit-learn's array-based checks do not apply (tests/test_calendar.py checks
        # the estimator contract on dated frames).
        tags.input_tags.two_d_array = False
        return tags


def _as_frame(X):
    if isinstance(X, pd.Series):
        return X.to_frame()
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.DatetimeIndex | pd.PeriodIndex):
        return pd.DataFrame(index=X)
    raise ValueError(
        f"CalendarFeatures reads the dates from a pandas index; got {type(X).__name__}. "
        "Pass a DataFrame or Series with a DatetimeIndex (e.g. data.set_index('time')), "
        "or the DatetimeIndex itself."
    )


def _time_index(frame):
    index = frame.index
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp()
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(
            f"CalendarFeatures needs a DatetimeIndex or PeriodIndex, got a "
            f"{type(index).__name__}. Set the timestamps as the index first "
            "(data.set_index('time'), or pd.to_datetime on it)."
        )
    return index


def _holiday_calendar(country, subdivision):
    if country is None:
        if subdivision is not None:
            raise ValueError("subdivision needs a country, e.g. country='US'.")
        return None
    try:
        import holidays
    except ImportError:
        raise ImportError(
            "CalendarFeatures(country=...) reads public holidays from the holidays package: "
            "pip install holidays (or lstmforecast[calendar])."
        ) from None
    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as error:
        raise ValueError(f"No holidays known for country={country!r}: {error}") from None

    def days(years):
        """The holiday dates of ``years`` as a DatetimeIndex."""
        found = holidays.country_holidays(country, subdiv=subdivision, years=list(years))
        return pd.DatetimeIndex(sorted(found))

    return days
