"""Exponential smoothing (ETS) baseline as an sklearn regressor, on statsmodels' ETSModel."""

import itertools

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import StrOptions

from .._utils.docstrings import shared_docs
from .._utils.params import SEASON_LENGTH_HINT, positive_int
from .ets_likelihood import fit_ets_params
from .row_forecaster import ROW_FORECASTER_CONSTRAINTS, RowForecaster, normal_quantiles

__all__ = ["ETSRegressor"]

_ERRORS = ("add", "mul")
_TRENDS = (None, "add")
_SEASONALS = (None, "add", "mul")
# Models whose forecast variance statsmodels gives in closed form; the others are simulated.
_EXACT_VARIANCE = ("ANN", "AAN", "AAdN", "ANA", "AAA", "AAdA")
_SIMULATIONS = 1000
_LONGEST_AUTO_SEASON = 24
# The model search ranks the seasonal candidates by fits with these L-BFGS-B stopping
# rules (the full fits use scipy's defaults, 1e7 and 1e-5, as statsmodels does), then
# fits the best _CONFIRMED of them in full. None: every candidate is fitted in full.
# On 200-series samples (benchmarks/speed/ets_speed.py) 4 kept M3 monthly's sMAPE / MASE of
# the full search (M1 monthly's moved -1.2% / -1.6%) at 0.65x its CPU; with 3, MASE
# moved +0.2% and +1.8% on 100-series samples of M3 and M1 monthly (+1.4% on all of
# M3 monthly when every candidate was ranked).
_RANKING_FIT = dict(factr=1e10, pgtol=1e-3)
_CONFIRMED = 4
# The fallback of a series no model can be estimated on: all but the last value forgotten.
_LAST_VALUE_SMOOTHING = 0.9999


def _candidates(error, trend, damped_trend, seasonal, seasonal_allowed, positive):
    """Every (error, trend, damped, seasonal) model the "auto" parameters leave open.

    Multiplicative parts need a positive series; additive errors with multiplicative
    seasonality are left out, as in Hyndman et al. (2008), because they are unstable.
    """
    errors = _ERRORS if error == "auto" else (error,)
    trends = _TRENDS if trend == "auto" else (trend,)
    dampings = (False, True) if damped_trend == "auto" else (damped_trend,)
    seasonals = (_SEASONALS if seasonal_allowed else (None,)) if seasonal == "auto" else (seasonal,)
    for e, t, d, s in itertools.product(errors, trends, dampings, seasonals):
        if d and t is None:
            continue
        if not positive and "mul" in (e, s):
            continue
        if (error == "auto" or seasonal == "auto") and e == "add" and s == "mul":
            continue
        yield e, t, d, s


def _fit_candidate(series, key, m, stopping, model=None):
    """(AICc, model, parameters) of one candidate, or None where it cannot be fitted.

    Parameters only: a results object costs a Hessian by complex steps (15% of a fit),
    needed for the chosen model alone. ``model``: the candidate's ETSModel, when a
    ranking fit built it already (its construction costs a fifth of a monthly fit).
    """
    from statsmodels.tools.eval_measures import aicc
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    error, trend, damped, seasonal = key
    try:
        if model is None:
            model = ETSModel(
                series,
                error=error,
                trend=trend,
                damped_trend=damped,
                seasonal=seasonal,
                seasonal_periods=m if seasonal else None,
            )
        params = fit_ets_params(model, **stopping)
        score = float(aicc(model.loglike(params), model.nobs, model.k_params + 1))
    except (ValueError, IndexError, np.linalg.LinAlgError, ZeroDivisionError):
        return None  # statsmodels' start values index a second value: IndexError
    return (score, model, params) if np.isfinite(score) else None


def _short_name(error, trend, damped, seasonal):
    """R's name of a model: ETS(M,Ad,A)."""
    code = {None: "N", "add": "A", "mul": "M"}
    return f"ETS({code[error]},{code[trend]}{'d' if damped else ''},{code[seasonal]})"


@shared_docs
class ETSRegressor(RowForecaster):
    """Exponential smoothing state-space (ETS) forecaster with the sklearn regressor API.

    Built on statsmodels' ``ETSModel``: error, trend (possibly damped) and seasonal
    components, each additive or multiplicative. Parameters set to ``"auto"`` are chosen
    by the corrected Akaike criterion (AICc) over the models they allow, as in Hyndman
    et al. (2008). The seasonal candidates, whose season of initial states makes them
    slow to fit, are ranked by fits stopped early (loose L-BFGS-B rules) and only the
    best few are fitted in full; the others are all fitted in full. A series on which
    no model can be estimated (too short for the AICc, or fitted exactly) falls back to
    simple exponential smoothing, ETS(A,N,N), with a warning. The data contract is that
    of the other row forecasters: the target is
    one column of ``X``, each row t of ``predict`` is an origin and steps t+1..t+h (one
    per column of ``y``) are forecast with the parameters estimated in ``fit``.

    History: rows that continue the training rows (a pandas index one step after the last
    training label, or up to ``horizon - 1`` steps later) are smoothed on from the
    training history; other rows restart from the fitted initial states, with the
    season's phase of the training series' first row. Rows skipped after training whose
    values are unknown also restart the smoothing.

    Parameters
    ----------
    error : {"auto", "add", "mul"}, default="auto"
        Error component.
    trend : {"auto", None, "add"}, default="auto"
        Trend component.
    damped_trend : {"auto", True, False}, default="auto"
        Whether the trend is damped (only with a trend).
    seasonal : {"auto", None, "add", "mul"}, default="auto"
        Seasonal component; only with ``season_length >= 2``. "auto" considers seasonal
        models only for seasons up to 24 rows (as R's ``ets``): each estimates a season
        of initial states.
    season_length : int, default=1
        Rows per season (12 for monthly data with a yearly cycle); 1 means no season.
    {{target_column}}
    target_transform : {None, "log", "boxcox"}, default=None
        ``"log"`` models the logarithm of a positive target, ``"boxcox"`` its Box-Cox
        transform with Guerrero's lambda (``target_lambda_``, fitted on the training
        series); forecasts and quantiles are returned on the original scale (the point
        forecast is then a median).

    Attributes
    ----------
    results_ : statsmodels ETSResults
        The fitted statsmodels results.
    error_, trend_, damped_trend_, seasonal_ : str, None or bool
        The components of the model used.
    search_ : pandas.DataFrame or None
        With any "auto" parameter, every model tried and its AICc, best first: that of
        its full fit, or for a seasonal candidate ranked out, of its ranking fit (an
        upper bound: a full fit continues the same optimizer steps). None when the
        search fell back to simple exponential smoothing.
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
    ThetaRegressor, ARIMARegressor : Other statistical baselines.

    Notes
    -----
    ``predict(X, quantiles=...)`` uses statsmodels' closed-form forecast variance for the
    additive models that have one (ANN, AAN, AAdN, ANA, AAA, AAdA). The other models'
    quantiles come from 1000 statsmodels simulations from the end of the training data
    (fixed seed), as ratios to that origin's point forecast, applied to every origin.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast import ETSRegressor
    >>> series = 10 + np.sin(np.arange(48) * np.pi / 2) + 0.05 * np.arange(48)
    >>> X, y = series[:-1, None], series[1:]
    >>> model = ETSRegressor(error="add", season_length=4).fit(X, y)
    >>> model.predict(X[-2:]).shape
    (2,)
    """

    _uses_statsmodels = True

    def __init__(
        self,
        error="auto",
        trend="auto",
        damped_trend="auto",
        seasonal="auto",
        season_length=1,
        target_column=0,
        target_transform=None,
    ):
        self.error = error
        self.trend = trend
        self.damped_trend = damped_trend
        self.seasonal = seasonal
        self.season_length = season_length
        self.target_column = target_column
        self.target_transform = target_transform

    _parameter_constraints = {
        **ROW_FORECASTER_CONSTRAINTS,
        "error": [StrOptions({"auto", *_ERRORS})],
        "trend": [StrOptions({"auto", "add"}), None],
        "damped_trend": [StrOptions({"auto"}), "boolean"],
        "seasonal": [StrOptions({"auto", "add", "mul"}), None],
        "season_length": positive_int(),
    }
    _parameter_hints = {**RowForecaster._parameter_hints, "season_length": SEASON_LENGTH_HINT}

    def _check_params(self):
        if self.seasonal not in ("auto", None) and self.season_length < 2:
            raise ValueError(
                f"seasonal={self.seasonal!r} needs season_length >= 2 (rows per season, "
                "e.g. 12 for monthly data)."
            )
        if self.damped_trend is True and self.trend is None:
            raise ValueError("damped_trend=True needs a trend: set trend='add' or 'auto'.")

    def _fit_series(self, series, X):

        m = self.season_length
        # As R's ets(): a seasonal model estimates m initial seasonal states, too many for
        # an automatic choice beyond 24 (half-hourly data: use ThetaRegressor or ARIMA).
        seasonal_allowed = 2 <= m and len(series) >= 2 * m + 2
        if self.seasonal == "auto" and m > _LONGEST_AUTO_SEASON:
            seasonal_allowed = False
        candidates = list(
            _candidates(
                self.error,
                self.trend,
                self.damped_trend,
                self.seasonal,
                seasonal_allowed,
                bool(np.all(series > 0)),
            )
        )
        if not candidates:
            raise ValueError(
                "No ETS model fits these options: multiplicative components need a "
                "positive series, a seasonal one two full seasons of data."
            )

        # Seasonal candidates (each with a season of initial states, 93% of the CPU of
        # a monthly search) in two stages when there are more than _CONFIRMED: ranked
        # by a fit with loose stopping rules (the first iterates of the full fit), the
        # best _CONFIRMED fitted in full. The others are always fitted in full.
        seasonal = [key for key in candidates if key[3] is not None]
        ranking = _CONFIRMED is not None and len(seasonal) > _CONFIRMED
        fits = {}
        for key in candidates:
            stopping = _RANKING_FIT if ranking and key[3] is not None else {}
            fitted = _fit_candidate(series, key, m, stopping)
            if fitted is not None:
                fits[key] = fitted
        if ranking:
            ranked = sorted((key for key in fits if key[3] is not None), key=lambda k: fits[k][0])
            for key in ranked[:_CONFIRMED]:
                fitted = _fit_candidate(series, key, m, {}, model=fits[key][1])
                fits[key] = fitted if fitted is not None else (np.inf, None, None)
            fits = {key: value for key, value in fits.items() if np.isfinite(value[0])}
        automatic = "auto" in (self.error, self.trend, self.damped_trend, self.seasonal)
        self.search_ = None
        if not fits:
            self._fit_fallback(series, candidates)
            return
        best = min(fits, key=lambda key: fits[key][0])
        self.error_, self.trend_, self.damped_trend_, self.seasonal_ = best
        _, model, params = fits[best]
        self.results_ = model.smooth(params)
        if automatic:
            rows = [
                dict(zip(("error", "trend", "damped_trend", "seasonal"), key), aicc=value[0])
                for key, value in fits.items()
            ]
            self.search_ = pd.DataFrame(rows).sort_values("aicc", ignore_index=True)
        self._simulated_ratios = None
        if self.results_.short_name not in _EXACT_VARIANCE:
            self._simulated_ratios = self._simulate_ratios()

    def _fit_fallback(self, series, candidates):
        """Simple exponential smoothing, ETS(A,N,N), where no asked-for model could be
        estimated with a finite AICc: a series too short for any (AICc needs more values
        than parameters plus two: 5 for the smallest model) or one the models fit
        exactly (zeros throughout). Its smoothing level is estimated when the likelihood
        is finite, otherwise the forecast is the last value (level smoothing 0.9999)."""
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        asked = ", ".join(_short_name(*candidate) for candidate in candidates)
        self.error_, self.trend_, self.damped_trend_, self.seasonal_ = "add", None, False, None
        self._simulated_ratios = None
        how = "its smoothing level estimated"
        try:
            model = ETSModel(series, error="add")
            params = fit_ets_params(model)
            if not np.isfinite(model.loglike(params)):
                raise ValueError("an exact fit")
        except (ValueError, IndexError, np.linalg.LinAlgError, ZeroDivisionError):
            model = ETSModel(
                series, error="add", initialization_method="known", initial_level=series[0]
            )
            params = np.array([_LAST_VALUE_SMOOTHING])
            how = "the last value as its forecast"
        self.results_ = model.smooth(params)
        self._defer_warning(
            f"ETSRegressor: no ETS model ({asked}) could be estimated on this series of "
            f"{len(series)} values (too short for the AICc, or fitted exactly): fell back "
            f"to simple exponential smoothing, ETS(A,N,N), with {how}."
        )

    def _simulate_ratios(self):
        """Simulated paths from the end of training, relative to its point forecast."""
        results, horizon = self.results_, self.n_outputs_
        paths = results.simulate(
            horizon, anchor="end", repetitions=_SIMULATIONS, rng=np.random.default_rng(0)
        )
        paths = np.asarray(paths).reshape(horizon, _SIMULATIONS)
        point = np.asarray(results.forecast(horizon)).reshape(horizon, 1)
        return paths / point

    def _smoothed_states(self, context):
        """States after each value of ``context``, from the fitted initial states."""
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        results = self.results_
        model = ETSModel(
            context,
            error=self.error_,
            trend=self.trend_,
            damped_trend=self.damped_trend_,
            seasonal=self.seasonal_,
            seasonal_periods=self.season_length if self.seasonal_ else None,
            initialization_method="known",
            initial_level=results.initial_level,
            initial_trend=results.initial_trend if self.trend_ else None,
            initial_seasonal=results.initial_seasonal if self.seasonal_ else None,
        )
        smoothing = np.asarray(results.params)[: len(model.param_names)]
        # The raw states only: a results object would cost a Hessian (standard errors).
        _, states = model.smooth(smoothing, return_raw=True)
        return np.asarray(states)

    def _forecast(self, before, target, X, skipped, levels):
        if before is not None and np.isnan(before).any():
            before = None  # an unknown value cannot be smoothed over: restart
        context = target if before is None else np.concatenate([before, target])
        states = self._smoothed_states(context)
        origins = len(context) - len(target) + np.arange(len(target))
        steps = np.arange(1, self.n_outputs_ + 1)
        forecasts = np.repeat(states[origins, :1], len(steps), axis=1)
        if self.trend_:
            phi = self.results_.phi if self.damped_trend_ else 1.0
            forecasts = forecasts + states[origins, 1:2] * np.cumsum(phi**steps)[None, :]
        if self.seasonal_:
            m = self.season_length
            # The seasonal state of each time, the m initial ones first (times -m..-1).
            seasons = np.concatenate([self.results_.initial_seasonal, states[:, -1]])
            same_season = origins[:, None] + steps - m * np.ceil(steps / m).astype(int)
            seasonal = seasons[same_season + m]
            forecasts = forecasts * seasonal if self.seasonal_ == "mul" else forecasts + seasonal
        if levels is None:
            return forecasts
        if self._simulated_ratios is None:
            variance = self.results_.mse * self.results_._relative_forecast_variance(steps)
            std = np.broadcast_to(np.sqrt(variance), forecasts.shape)
            return normal_quantiles(forecasts, std, levels)
        ratios = np.quantile(self._simulated_ratios, levels, axis=1).T  # (horizon, n_levels)
        return forecasts[:, :, None] * ratios[None, :, :]
