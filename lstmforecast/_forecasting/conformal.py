"""Conformal prediction intervals around any point forecaster, calibrated on the most
recent rows of the training data."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval, RealNotInt, StrOptions
from sklearn.utils.validation import _num_samples, check_array, check_is_fitted

from .._utils.params import HintedParams
from .._utils.quantiles import check_quantiles, conformal_quantiles, weighted_residual_quantiles
from .._utils.transaction import transactional

__all__ = ["ConformalForecaster"]

_MIN_CALIBRATION_ROWS = 2


class ConformalForecaster(RegressorMixin, HintedParams, BaseEstimator):
    """Prediction intervals for any point forecaster, from its held-out residuals.

    ``fit`` trains a clone of ``estimator`` on all but the most recent rows, forecasts
    the held-out recent rows (the calibration rows, never shuffled), and keeps the
    signed residuals ``y - y_pred``, one column per horizon step. ``predict(X,
    quantiles=[...])`` adds the residuals' quantiles to the point forecast, step by step,
    so a 6-step forecast gets wider intervals at step 6 than at step 1 when its errors
    are larger there.

    - ``method="split"``: split conformal prediction. Every calibration residual counts
      the same, with the finite-sample correction (the ``ceil((n + 1) q) / n`` empirical
      quantile), which gives at least the nominal coverage when future errors are
      exchangeable with the calibration errors.
    - ``method="adaptive"``: for drifting series, recent residuals weigh more (weights
      halve every ``half_life`` rows back), with the correction of non-exchangeable
      conformal prediction (Barber et al., 2023): a weight of 1 placed at infinity.

    Parameters
    ----------
    estimator : estimator object
        A regressor or Pipeline taking time-ordered rows (e.g. a Windower + LSTMRegressor
        pipeline, ARIMARegressor, NaiveRegressor). Its ``predict(X)`` is used.
    calibration_size : float or int, default=0.25
        Most recent rows held out for calibration: a share of the rows (float in (0,
        1)) or a number of rows (int). With a 2-D y of ``horizon`` columns, the
        ``horizon - 1`` rows before them are left out as well, so that no training
        target overlaps a calibration target.
    method : {"split", "adaptive"}, default="split"
        Equal weights, or weights that favour recent residuals.
    half_life : float, default=50
        Only for ``method="adaptive"``: rows back after which a residual's weight halves.
    refit : bool, default=True
        After calibration, refit the estimator on all rows (calibration rows included)
        and use that model for forecasts. Forecasts then use the latest data; the
        residuals still come from the model that did not see the calibration rows, so
        intervals may be slightly conservative. False keeps the calibration model,
        which is what the coverage guarantee of split conformal prediction is about.
    quantiles : list of float or None, default=None
        For an estimator that predicts quantiles itself (e.g. an LSTMRegressor with a
        quantile head): calibrate its own quantiles at these levels instead of adding
        error quantiles to its point forecast (conformalized quantile regression, one
        level at a time). The q-quantile becomes the model's q-quantile plus the
        conformal q-quantile of ``y`` minus it on the calibration rows, which corrects
        quantiles learned too narrow on the training rows while keeping their width
        varying from row to row. ``predict`` then accepts these levels only. Give it a
        head fitted with ``calibrate_quantiles=False``: the conformal step is the
        calibration, and a head that calibrates itself again after the refit would
        receive a correction measured on another model.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted model that makes the point forecasts.
    residuals_ : ndarray of shape (n_calibration, horizon), or (n_calibration, horizon, \
n_quantiles) with ``quantiles``
        Signed calibration residuals (``y`` minus the point forecast, or minus each
        quantile), oldest first, one column per horizon step.
    weights_ : ndarray of shape (n_calibration,)
        The weight of each calibration residual (all 1 for ``method="split"``).
    n_features_in_ : int
        Number of columns of X seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X, when given as a DataFrame with string column names.

    Notes
    -----
    The coverage statement is marginal (over forecasts from many origins), not for each
    forecast, and it rests on the future errors resembling the calibration errors; the
    adaptive method trades some of that guarantee for faster reaction to drift. Use
    :func:`lstmforecast.metrics.interval_coverage` on later data to check it.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast import ConformalForecaster, NaiveRegressor, make_supervised
    >>> series = np.cumsum(np.random.default_rng(0).normal(size=300))
    >>> X, y = make_supervised(series)
    >>> model = ConformalForecaster(NaiveRegressor(), calibration_size=100).fit(X, y)
    >>> model.predict(X.tail(2), quantiles=[0.1, 0.9]).shape
    (2, 2)
    """

    def __init__(
        self,
        estimator,
        *,
        calibration_size=0.25,
        method="split",
        half_life=50,
        refit=True,
        quantiles=None,
    ):
        self.estimator = estimator
        self.calibration_size = calibration_size
        self.method = method
        self.half_life = half_life
        self.refit = refit
        self.quantiles = quantiles

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "calibration_size": [
            Interval(RealNotInt, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "method": [StrOptions({"split", "adaptive"})],
        "half_life": [Interval(Real, 0, None, closed="neither")],
        "refit": ["boolean"],
        "quantiles": ["array-like", None],  # the levels: check_quantiles
    }

    @transactional
    def fit(self, X, y):
        """Fit the estimator on the older rows, calibrate on the recent ones, refit.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features) or pandas.DataFrame
            Time-ordered rows, oldest first.
        y : array-like of shape (n_timesteps,) or (n_timesteps, horizon)
            What is predicted from each row, e.g. from :func:`make_supervised`.

        Returns
        -------
        self : ConformalForecaster
        """
        self._validate_params()
        if scipy.sparse.issparse(X):
            raise TypeError(
                "ConformalForecaster needs dense, time-ordered rows; sparse input is not "
                "supported (convert it with X.toarray())."
            )
        if y is None:
            raise ValueError(
                "ConformalForecaster requires y to be passed, but the target y is None."
            )
        y_array = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        # pandas rows keep their index (the estimator may use it); the rest become arrays.
        X = (
            X
            if hasattr(X, "iloc")
            else check_array(X, dtype=None, ensure_all_finite=False, ensure_2d=False, allow_nd=True)
        )
        y = y if hasattr(y, "iloc") else y_array
        n_rows = _num_samples(X)
        if y_array.ndim not in (1, 2) or len(y_array) != n_rows:
            raise ValueError(
                f"X has {n_rows} rows but y has shape {y_array.shape}: y must have one row "
                "(or one row of horizon steps) per row of X (see make_supervised)."
            )
        horizon = 1 if y_array.ndim == 1 else y_array.shape[1]
        n_calibration = self._n_calibration(n_rows)
        n_train = n_rows - n_calibration - (horizon - 1)
        if n_train < _MIN_CALIBRATION_ROWS:
            raise ValueError(
                f"ConformalForecaster needs rows to train on before the {n_calibration} "
                f"calibration rows (and the {horizon - 1} gap rows of a {horizon}-step y); "
                f"got n_samples = {n_rows}. Pass more rows or a smaller calibration_size."
            )
        train = np.arange(n_train)
        calibration_model = clone(self.estimator).fit(
            _safe_indexing(X, train), _safe_indexing(y, train)
        )
        # Forecast from every row, so that the calibration rows have their full history
        # (a Windower or a filter sees the rows before them), then keep the recent ones.
        recent = y_array.reshape(n_rows, horizon)[n_rows - n_calibration :]
        if self.quantiles is None:
            y_pred = np.asarray(calibration_model.predict(X), dtype=np.float64)
            self.residuals_ = recent - y_pred.reshape(n_rows, horizon)[n_rows - n_calibration :]
        else:
            levels = check_quantiles(self.quantiles)
            y_pred = calibration_model.predict(X, quantiles=levels.tolist())
            y_pred = np.asarray(y_pred, dtype=np.float64).reshape(n_rows, horizon, len(levels))
            self.residuals_ = recent[:, :, None] - y_pred[n_rows - n_calibration :]
        ages = np.arange(n_calibration)[::-1]
        self.weights_ = (
            np.ones(n_calibration) if self.method == "split" else 0.5 ** (ages / self.half_life)
        )
        self.estimator_ = clone(self.estimator).fit(X, y) if self.refit else calibration_model
        self._y_1d = y_array.ndim == 1
        self.n_features_in_ = np.shape(X)[1] if np.ndim(X) == 2 else 1
        columns = getattr(X, "columns", None)
        if columns is not None and all(isinstance(c, str) for c in columns):
            self.feature_names_in_ = np.asarray(columns, dtype=object)
        return self

    def predict(self, X, quantiles=None):
        """Point forecasts, or forecast quantiles from the calibration residuals.

        Parameters
        ----------
        X : array-like
            Rows to forecast from, as in ``fit``.
        quantiles : list of float, default=None
            Levels in (0, 1), sorted ascending.

        Returns
        -------
        y_pred : ndarray
            The estimator's point forecasts, of shape (n_samples,) or (n_samples,
            horizon); with ``quantiles``, shape (n_samples, n_quantiles) or (n_samples,
            horizon, n_quantiles).
        """
        check_is_fitted(self, "residuals_")
        if quantiles is None:
            return np.asarray(self.estimator_.predict(X), dtype=np.float64)
        levels = check_quantiles(quantiles)
        if self.quantiles is None:
            y_pred = np.asarray(self.estimator_.predict(X), dtype=np.float64)
            points = y_pred.reshape(len(y_pred), -1)
            values = conformal_quantiles(points, self.residuals_, levels, weights=self.weights_)
        else:
            values = self._calibrated_quantiles(X, levels)
        return values[:, 0, :] if self._y_1d else values

    def _calibrated_quantiles(self, X, levels):
        """The estimator's own quantiles at ``levels``, each shifted by the conformal
        quantile of its calibration residuals; sorted, so that they never cross."""
        fitted = check_quantiles(self.quantiles)
        positions = [int(np.argmin(np.abs(fitted - level))) for level in levels]
        unknown = [level for level, j in zip(levels, positions) if abs(fitted[j] - level) > 1e-9]
        if unknown:
            raise ValueError(
                f"quantiles {unknown} were not calibrated: this ConformalForecaster "
                f"calibrates the levels {fitted.tolist()} (its quantiles= parameter)."
            )
        values = self.estimator_.predict(X, quantiles=levels.tolist())
        n_rows = len(values)
        values = np.asarray(values, dtype=np.float64).reshape(n_rows, -1, len(levels))
        for k, (level, j) in enumerate(zip(levels, positions)):
            offset = weighted_residual_quantiles(self.residuals_[:, :, j], self.weights_, [level])
            values[:, :, k] += offset[None, :, 0]
        return np.sort(values, axis=-1)

    def _n_calibration(self, n_rows):
        size = self.calibration_size
        # a row count or a share of the rows (validated by _parameter_constraints)
        n_calibration = int(size) if isinstance(size, Integral) else int(np.floor(size * n_rows))
        if n_calibration < _MIN_CALIBRATION_ROWS:
            raise ValueError(
                f"calibration_size={size!r} leaves {n_calibration} calibration rows of "
                f"n_samples = {n_rows}; at least {_MIN_CALIBRATION_ROWS} are needed (a few "
                "dozen for useful intervals)."
            )
        return n_calibration

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
