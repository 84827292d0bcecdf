"""Theta method baseline as an sklearn regressor, on statsmodels' ThetaModel."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from .._utils.docstrings import shared_docs
from .._utils.params import SEASON_LENGTH_HINT, positive_int
from .row_forecaster import ROW_FORECASTER_CONSTRAINTS, RowForecaster, normal_quantiles

__all__ = ["ThetaRegressor"]


@shared_docs
class ThetaRegressor(RowForecaster):
    """Theta method forecaster (statsmodels ThetaModel) with the sklearn regressor API.

    The series is deseasonalised by a classical decomposition (when a seasonality test
    finds a season, or always with ``use_test=False``), then forecast by a simple
    exponential smoothing plus a ``1 - 1/theta`` share of the linear trend, as in
    Assimakopoulos and Nikolopoulos (2000), and reseasonalised. The smoothing parameter,
    the trend and the seasonal indices are estimated once in ``fit``; each row t of
    ``predict`` is an origin and steps t+1..t+h (one per column of ``y``) are forecast
    from the observations up to row t, exactly as ``ThetaModel`` with those estimates.

    History: rows that continue the training rows (a pandas index one step after the last
    training label, or up to ``horizon - 1`` steps later) are smoothed on from the start
    of the training history; other rows restart from themselves, with the season's phase
    of the training series' first row. Rows skipped after training whose values are
    unknown also restart the smoothing.

    Parameters
    ----------
    season_length : int, default=1
        Rows per season (12 for monthly data with a yearly cycle); 1 means no season.
    theta : float, default=2.0
        The theta parameter (>= 1); 2 is the classical Theta method.
    deseasonalize : bool, default=True
        Whether to remove the season before forecasting (with ``season_length >= 2``).
    use_test : bool, default=True
        Deseasonalise only when a 90% autocorrelation test finds the season.
    method : {"auto", "additive", "multiplicative"}, default="auto"
        Seasonal decomposition; "auto" is multiplicative for a positive series.
    {{target_column}}
    target_transform : {None, "log", "boxcox"}, default=None
        ``"log"`` models the logarithm of a positive target, ``"boxcox"`` its Box-Cox
        transform with Guerrero's lambda (``target_lambda_``, fitted on the training
        series); forecasts and quantiles are returned on the original scale (the point
        forecast is then a median).

    Attributes
    ----------
    results_ : statsmodels ThetaModelResults
        The fitted statsmodels results (``params`` holds b0 and alpha).
    seasonal_indices_ : ndarray of shape (season_length,) or (0,)
        The seasonal indices from the training series' first row on (empty without a
        season).
    seasonal_method_ : {"mul", "add"}
        How the season is applied.
    series_ : ndarray of shape (n_observations,)
        The target history seen in ``fit``: X's target column, plus the last row of ``y``
        when ``y`` is that column shifted ahead (``make_supervised`` output).
    {{target_index_}}
    {{n_outputs_}}
    {{index_signature_}}
    n_features_in_ : int
        Number of columns of ``X`` seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of ``X``, when ``X`` is a DataFrame with string column names.

    See Also
    --------
    ETSRegressor, ARIMARegressor : Other statistical baselines.

    Notes
    -----
    ``predict(X, quantiles=...)`` gives the normal quantiles of statsmodels'
    ``prediction_intervals``: variance ``sigma2 * (1 + (k - 1) * (1 + (alpha - 1)**2))``
    at step k, around the forecast.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast import ThetaRegressor
    >>> series = 10 + np.sin(np.arange(48) * np.pi / 2) + 0.05 * np.arange(48)
    >>> X, y = series[:-1, None], series[1:]
    >>> ThetaRegressor(season_length=4).fit(X, y).predict(X[-2:]).shape
    (2,)
    """

    _uses_statsmodels = True

    def __init__(
        self,
        season_length=1,
        theta=2.0,
        deseasonalize=True,
        use_test=True,
        method="auto",
        target_column=0,
        target_transform=None,
    ):
        self.season_length = season_length
        self.theta = theta
        self.deseasonalize = deseasonalize
        self.use_test = use_test
        self.method = method
        self.target_column = target_column
        self.target_transform = target_transform

    _parameter_constraints = {
        **ROW_FORECASTER_CONSTRAINTS,
        "season_length": positive_int(),
        "theta": [Interval(Real, 1, None, closed="left")],
        "deseasonalize": ["boolean"],
        "use_test": ["boolean"],
        "method": [StrOptions({"auto", "additive", "multiplicative"})],
    }
    _parameter_hints = {
        **RowForecaster._parameter_hints,
        "season_length": SEASON_LENGTH_HINT,
        "theta": "2 is the classical Theta method; 1 is simple exponential smoothing.",
    }

    def _fit_series(self, series, X):
        from statsmodels.tsa.forecasting.theta import ThetaModel

        m = self.season_length
        seasonal = bool(self.deseasonalize) and m >= 2 and len(series) >= 2 * m
        model = ThetaModel(
            series,
            period=m if seasonal else 1,
            deseasonalize=seasonal,
            use_test=bool(self.use_test),
            method=self.method,
        )
        self.results_ = model.fit()
        self.seasonal_indices_ = np.asarray(self.results_._seasonal, dtype=np.float64)
        self.seasonal_method_ = "mul" if model.method.startswith("mul") else "add"
        self._b0, self._alpha = (float(v) for v in np.asarray(self.results_.params))
        self._sigma2 = float(self.results_.sigma2)
        if np.ptp(series) == 0:
            # statsmodels' drift of a constant series is rounding noise divided by ~0 (5.0
            # throughout gave b0 = 1.25): a constant has no trend and no error.
            self._b0, self._sigma2 = 0.0, 0.0

    def _forecast(self, before, target, X, skipped, levels):
        from scipy.signal import lfilter

        if before is not None and np.isnan(before).any():
            before = None  # an unknown value cannot be smoothed over: restart
        context = target if before is None else np.concatenate([before, target])
        m, seasons = self.season_length, self.seasonal_indices_
        positions = np.arange(len(context))
        multiplicative = self.seasonal_method_ == "mul"
        if seasons.size:
            season = seasons[positions % m]
            context = context / season if multiplicative else context - season
        # Simple exponential smoothing from the first value: level after each value.
        alpha, b0 = self._alpha, self._b0
        levels_after, _ = lfilter(
            [alpha], [1.0, alpha - 1.0], context, zi=[(1 - alpha) * context[0]]
        )
        origins = len(context) - len(target) + np.arange(len(target))
        steps = np.arange(1, self.n_outputs_ + 1)
        n_observed = origins + 1  # observations up to each origin
        drift = np.repeat((steps - 1.0)[None, :], len(origins), axis=0)
        if alpha > 0:
            drift += (1 - (1 - alpha) ** n_observed[:, None]) / alpha
        trend_share = (self.theta - 1) / self.theta
        forecasts = levels_after[origins, None] + trend_share * b0 * drift
        if seasons.size:
            season = seasons[(origins[:, None] + steps) % m]
            forecasts = forecasts * season if multiplicative else forecasts + season
        if levels is None:
            return forecasts
        variance = (1 + (steps - 1) * (1 + (alpha - 1) ** 2)) * self._sigma2
        std = np.broadcast_to(np.sqrt(variance), forecasts.shape)
        return normal_quantiles(forecasts, std, levels)
