"""LSTMRegressor: scikit-learn regressor over a recurrent network."""

import warnings
from numbers import Integral

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from sklearn.utils.validation import check_array

from .._preprocessing.future import check_future_model
from .._preprocessing.sequences import Sequences
from .._torch.covariate_network import pack_inputs, with_future_head
from .._torch.training import Chunks as TrainingChunks
from .._torch.training import check_validation_weights, to_tensor, validation_size
from .._utils.deprecation import DEPRECATED, renamed_parameter
from .._utils.docstrings import shared_docs
from .._utils.params import positive_int
from .._utils.quantiles import (
    check_quantiles,
    held_out_intervals,
    held_out_residuals,
    interpolate_quantiles,
    ordered_quantiles,
    pinball_loss,
    spread_factors,
    widen,
)
from .._utils.seasonality import frequency_season
from .._utils.target_transform import TRANSFORMS, check_positive
from .._utils.transaction import transactional
from .base import STATS_MAX_STEPS, RecurrentEstimator, check_targets_finite, feature_stats
from .forecast_target import WINDOW_SCALES, ForecastTarget, level_season
from .smoothing_anchor import MIN_VALIDATION_ROWS

# Sequence mode: each chunk carries a loss on this many look_backs of rows after its
# burn-in, so an epoch costs about (1 + 1 / _CHUNK_FACTOR) cell steps per row.
_CHUNK_FACTOR = 4
# training="auto" trains in sequence mode from this look_back on. Measured on half-hourly
# load (benchmarks/README.md, "Long look-backs"): at 48 and 168 window mode was more
# accurate; at 336 (a week) sequence mode was as accurate at a seventh of the CPU time.
SEQUENCE_FROM_LOOK_BACK = 256

__all__ = ["LSTMRegressor"]

# The fitted attributes that hold the ForecastTarget (see _store_target); saved files
# hold them under these names.
_TARGET_ATTRIBUTES = (
    "target_lambda_",
    "target_anchor_",
    "season_lengths_",
    "anchor_lags_",
    "anchor_units_",
    "smoothing_params_",
    "_y_shift",
    "_y_scale",
)
_LOSS_NAMES = ("mae", "mse", "huber")  # the keys of _LOSSES
# season_length: "auto", one season, a list of them (checked in _check_params), or None
_SEASON_LENGTHS = [StrOptions({"auto"}), Interval(Integral, 2, None, closed="left")]
_SEASON_LENGTHS += ["array-like", None]


@shared_docs
class LSTMRegressor(RegressorMixin, RecurrentEstimator):
    """Recurrent-network regressor (LSTM, GRU or RNN) with the scikit-learn API.

    Forecasting: put a :class:`Windower` in front of it, ``Pipeline([("win",
    Windower(look_back=24)), ("lstm", LSTMRegressor())])``, and feed time-ordered rows X
    with y[t] = what to predict from row t (see :func:`make_supervised`). A 2-D y
    (n_samples, horizon) is a direct multi-horizon forecast.

    Inputs and targets are standardised inside with statistics of the training data
    (``scale=True``). For non-stationary series the target is learned relative to an
    anchor, the last observed value of one input feature (``target_anchor``); with an
    anchor, each input sequence is also expressed relative to its last step. The
    network then learns the change from the last observation, which a trend does not
    push outside the range seen in training, so the default keeps up with trending data
    where absolute targets would lag behind.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell.
    hidden_size : int, default=32
        Units per recurrent layer (and direction). 32 suits a few hundred to a few
        thousand rows (the accuracy benchmark); raise it for long, rich series.
    num_layers : int, default=1
        Stacked recurrent layers; ``dropout`` applies between them.
    bidirectional : bool, default=False
        Read sequences in both directions.
    pooling : {"last", "mean", "max", "attention"}, default="last"
        How the outputs over time become one vector: last valid step, mean or max over
        valid steps, or additive attention over valid steps. Padding never counts.
    dropout : float, default=0.0
        Dropout on the inputs and between stacked layers.
    recurrent_dropout : float, default=0.0
        DropConnect on the hidden-to-hidden weights (one mask per batch), which keeps
        the fused cuDNN / oneDNN recurrence; Keras' per-step masks would not.
    conv_channels : int, default=None
        If set, a causal Conv1d (+ ReLU) with this many channels runs before the
        recurrence (CNN-LSTM).
    conv_kernel_size : int, default=3
        Kernel size of the Conv1d front end.
    embedding_dim : int, default=None
        If set, X holds integer token ids (0 = padding) read through an embedding of
        this size.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        L2 penalty (Adam's weight decay).
    batch_size : int or "auto", default="auto"
        Sequences per mini-batch. "auto" gives about 32 mini-batches per epoch: the
        power of two nearest to n_samples / 32, between 16 and 256. Few hundred rows
        then get batches of 16, which beat 32 and 64 on the accuracy benchmark.
    max_epochs : int, default=100
        Maximum passes over the training data.
    early_stopping : bool, default=True
        Hold out the most recent ``validation_fraction`` of the samples (the end of X,
        never a random draw), stop when its loss stalls and restore the best weights.
        On by default: on a few hundred rows a network trained to the end of
        ``max_epochs`` fits noise (see the accuracy benchmark).
    validation_fraction : float, default=0.1
        Share of the samples held out when ``early_stopping`` is True.
    n_iter_no_change : int, default=10
        Epochs without an improvement larger than ``tol`` before training stops
        (validation loss with early stopping, training loss without).
    tol : float, default=1e-4
        Minimum loss improvement.
    clip_grad_norm : float, default=None
        Clip the gradient norm to this value.
    lr_schedule : {None, "plateau"}, default=None
        "plateau" halves the learning rate when the monitored loss stalls.
    {{warm_start}}
    {{random_state}}
    {{device}}
    {{n_threads}}
    {{precision}}
    {{verbose}}
    {{callbacks}}
    {{module}}
    scale : bool, default=True
        Standardise inputs and targets with training statistics.
    target_anchor : "auto", int or None, default="auto"
        Input feature whose last observed value the target is learned relative to.
        "auto" picks, on the training data, the feature whose last value is the best
        last-value forecast of y. Each column of y then anchors on that feature's last
        value or, when a season is known (``season_length``), on its value one season
        before that column's step (a seasonal naive forecast), whichever has the smaller
        training error (``anchor_lags_``). "auto" uses no anchor when these anchors do
        not beat predicting the mean; when only the seasonal one does (a cyclic series),
        ``fit`` trains with and without it and keeps the better on the validation rows
        (see :ref:`seasonal-defaults`). None learns absolute targets.
    season_length : "auto", int, list of int or None, default="auto"
        Season lengths (in rows) the anchor may use. "auto": the season the frequency of
        y's time index implies (12 for monthly, 4 quarterly, 7 daily, 24 hourly rows;
        ``make_supervised`` keeps the index), else the seasons read from the
        autocorrelation of the anchor feature over the training rows (consecutive
        windows of a :class:`Windower` only; see :ref:`seasonal-defaults`); None uses the
        last value only. Column k of a 2-D y is taken to be step t+k+1, as
        :func:`make_supervised` builds it.
    target_transform : {None, "log", "boxcox"}, default=None
        "log" learns log(y) from log(X) and predicts exp of the result: a multiplicative
        model for series whose seasonal swing grows with their level. "boxcox" uses the
        Box-Cox power whose lambda (``target_lambda_``) Guerrero's method picks on the
        training targets, cut into blocks of one season: the one that makes each block's
        spread independent of its level (lambda 0 is the log, 1 no change). Both need
        X > 0 and y > 0; the windows are copied once to transform them.
    loss : {"mae", "mse", "huber"}, default="mae"
        Training loss on the standardised targets ("huber": quadratic within one
        standard deviation, linear beyond). The absolute error forecasts the median and
        is pulled less by outliers; it won over "mse" and "huber" on the accuracy
        benchmark (benchmarks/README.md).
    training : {"auto", "window", "sequence"}, default="auto"
        "window" trains on each window independently. "sequence" needs the consecutive
        windows of a :class:`Windower` and trains on contiguous chunks of rows
        (truncated backpropagation through time: a burn-in of ``look_back`` rows, then
        a loss at every following step), which costs about 1.25 recurrent steps per
        row and epoch instead of ``look_back``. It needs ``bidirectional=False``,
        ``pooling="last"`` and numeric inputs. "auto" uses sequence mode for windows
        of 256 steps or more where it can (a week of half-hourly rows: as accurate as
        window mode for a seventh of the CPU time in the sequence benchmark), window
        mode otherwise (``training_``).
    quantiles : list of float or None, default=None
        If set, e.g. ``(0.05, 0.1, 0.5, 0.9, 0.95)``, the network gets one output per
        target and level, trained with the pinball loss, and ``predict(X,
        quantiles=...)`` returns quantile forecasts (levels between the trained ones are
        interpolated linearly). The outputs are the lowest level plus positive increments,
        so the quantiles never cross. ``predict(X)`` returns the median. The levels must
        be sorted, in (0, 1), and span 0.5. See :class:`ConformalForecaster` for intervals
        around a point model instead.
    calibrate_quantiles : bool, default=True
        With ``quantiles`` and ``early_stopping``: after training, each level's distance
        from the median is widened (never narrowed) until the level holds on the
        held-out validation rows, the most recent ones (conformalized quantile
        regression; see ``quantile_spread_``). A head trained with the pinball loss
        learns the spread of its training errors, which are smaller than the errors on
        new data: uncalibrated 80% intervals covered 70% on the coverage benchmark.
    window_scale : {None, "std", "mean_abs", "level"}, default=None
        Scale each window by itself, for panels of series whose levels and spreads
        differ by orders of magnitude (see :ref:`panels`): every feature of a window is
        divided by its standard deviation over the window's observed steps ("std") or
        its mean absolute value ("mean_abs"), and the target by that of the anchor
        feature (of feature 0 without an anchor); the anchor is then read on the scaled
        window and predictions are multiplied back. "level" is the normalisation of
        the competition winners (see :ref:`many-series`): each window is divided by its
        level, the mean of its last season (its last value without a season), and by
        a multiplicative seasonal profile read from the window (ratio to a centred
        moving average, kept where an F-test finds that the season's phases differ;
        needs positive values and, in practice, three seasons of window), and each
        step ahead is multiplied back by the level and the profile at its phase; the
        anchor is the last value, deseasonalised; the season is ``season_length``'s (give
        it on a panel). The scale comes from the window alone, so ``predict`` needs no
        series id, and a series multiplied by c gets forecasts multiplied by c. A
        window with no spread or level falls back to its mean absolute value, then to
        1. Not with ``training="sequence"`` (``"auto"`` then trains on windows) or
        token inputs; :func:`export_onnx` puts the scaling in the graph.
    smoothing_anchor : bool, default=True
        With ``target_anchor="auto"``, a point forecast (no ``quantiles``),
        ``early_stopping`` and the consecutive windows of one series (a
        :class:`Windower`'s) without known-future covariates: when fewer than 15
        validation rows would be held out (fewer than 141 training rows at the default
        ``validation_fraction``), forecast with a statistical anchor alone and train no
        network (a warning says so): a damped-trend Holt and a Theta forecast of the
        anchor feature from each window, averaged, after a seasonal adjustment read from
        the window itself (``smoothing_params_``). On short series a network cannot be
        validated, and on M1/M3 one trained there lost to seasonal naive. See
        :ref:`seasonal-defaults`. False trains the network
        regardless.
    seasonality : "auto", int, list of int or None, default="deprecated"
        Deprecated alias of ``season_length``, its name before 0.2 (removed in 0.4).

    Attributes
    ----------
    network_ : torch.nn.Module
        The trained network (on ``device_``).
    {{loss_curve_}}
    {{n_iter_}}
    n_features_in_ : int
        Columns of a 2-D X (time steps), or features per step of a 3-D X.
    n_step_features_ : int
        Features per time step.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of a 2-D DataFrame X, when all strings.
    {{n_outputs_}}
    target_anchor_ : int or None
        The anchor feature in use.
    anchor_units_ : tuple of float or None
        ``(slope, intercept)`` that takes the anchor feature to y's units, when that
        feature is an exactly rescaled copy of the target (a scaler such as
        ``MinMaxScaler`` in front of the :class:`Windower` rescales X, not y); None
        when they share units.
    season_lengths_ : tuple of int
        The season lengths found (or given); empty without a season or an anchor.
    anchor_lags_ : ndarray of int of shape (n_outputs_,)
        Per output column, how many rows before the window's last step its anchor value
        lies: 0 is the last value, ``m - k`` the seasonal naive forecast of step k.
    smoothing_params_ : dict or None
        When the smoothing anchor forecasts alone (see ``smoothing_anchor``): its
        parameters, ``season`` (0: no seasonal adjustment), ``damped`` (alpha, beta,
        phi) and ``theta_alpha``; ``predict`` then returns the anchor and the network is
        untrained (``n_iter_`` is 0). None otherwise.
    {{device_}}
    training_ : {"window", "sequence"}
        The training mode in use (``training``, or the one "auto" chose).
    target_lambda_ : float or None
        The Box-Cox lambda in use: None without a ``target_transform``, 0 for "log".
    quantile_spread_ : ndarray of shape (n_quantiles,)
        With ``quantiles``: per level, the factor on its distance from the median
        learned by ``calibrate_quantiles`` (1 = as trained; 1.3 = 30% wider).
    interval_residuals_ : ndarray of shape (n_validation, n_outputs) or None
        Without ``quantiles``: the signed errors of the point forecasts on the rows
        early stopping held out (on the model's scale: after ``target_transform``, per
        window scale with ``window_scale``), which calibrate ``predict(X,
        quantiles=...)``; None without early stopping or after :meth:`partial_fit`.

    Notes
    -----
    Initialisation: orthogonal hidden-to-hidden weights, Xavier-uniform input weights,
    zero biases and, for the LSTM, a forget-gate bias of 1 so that the cell keeps its
    memory early in training. Sequences with leading all-NaN steps (or token 0) are
    packed, so padding never enters the recurrence and never counts in pooling.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from lstmforecast import LSTMRegressor, Windower, make_supervised
    >>> X, y = make_supervised(np.sin(np.arange(200) / 5))
    >>> model = make_pipeline(Windower(look_back=8),
    ...                       LSTMRegressor(hidden_size=16, max_epochs=5, random_state=0))
    >>> model.fit(X, y).predict(X).shape
    (199,)
    """

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=32,
        num_layers=1,
        bidirectional=False,
        pooling="last",
        dropout=0.0,
        recurrent_dropout=0.0,
        conv_channels=None,
        conv_kernel_size=3,
        embedding_dim=None,
        lr=1e-3,
        weight_decay=0.0,
        batch_size="auto",
        max_epochs=100,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        clip_grad_norm=None,
        lr_schedule=None,
        warm_start=False,
        random_state=None,
        device="auto",
        n_threads="auto",
        precision="fp32",
        verbose=0,
        callbacks=None,
        module=None,
        scale=True,
        target_anchor="auto",
        season_length="auto",
        loss="mae",
        target_transform=None,
        training="auto",
        quantiles=None,
        calibrate_quantiles=True,
        window_scale=None,
        smoothing_anchor=True,
        seasonality=DEPRECATED,
        **module_params,
    ):
        self._store_params(locals())

    _parameter_constraints = {
        **RecurrentEstimator._parameter_constraints,
        "scale": ["boolean"],
        "target_anchor": [StrOptions({"auto"}), Integral, None],  # range: known in fit
        # A list's entries are checked in _check_params.
        "season_length": _SEASON_LENGTHS,
        "seasonality": [*_SEASON_LENGTHS, Hidden(StrOptions({DEPRECATED}))],
        "loss": [StrOptions(set(_LOSS_NAMES))],
        "target_transform": [StrOptions({t for t in TRANSFORMS if t is not None}), None],
        "training": [StrOptions({"auto", "window", "sequence"})],
        "batch_size": [StrOptions({"auto"}), *positive_int()],
        "quantiles": ["array-like", None],  # levels: check_quantiles in _check_params
        "calibrate_quantiles": ["boolean"],
        "window_scale": [StrOptions(set(WINDOW_SCALES)), None],
        "smoothing_anchor": ["boolean"],
    }
    _parameter_hints = {
        "season_length": 'Give season lengths in rows (e.g. 12 for monthly data), "auto" or None.',
    }
    # season_length was seasonality before 0.2, the word of no other estimator.
    _renamed_parameters = {"seasonality": "season_length"}

    def _season_length(self, warn=False):
        """``season_length``, or the deprecated ``seasonality`` when only that was given."""
        return renamed_parameter(
            "LSTMRegressor",
            "seasonality",
            "season_length",
            self.seasonality,
            self.season_length,
            "auto",
            warn=warn,
        )

    _reads_future = True  # windows may carry known-future covariates (_future.py)

    def _check_params(self):
        super()._check_params()
        if self.window_scale is not None and (
            self.training == "sequence" or self.embedding_dim is not None
        ):
            raise ValueError(
                "window_scale divides each window by its own scale, which needs "
                'training="window" or "auto" (sequence mode shares rows between windows) and '
                "numeric inputs (no embedding_dim); use window_scale=None there."
            )
        season_length = self._season_length(warn=True)
        if season_length is not None and not isinstance(season_length, str | Integral):
            seasons = np.asarray(season_length, dtype=object).ravel()
            valid = [
                isinstance(m, Integral) and not isinstance(m, bool) and m >= 2 for m in seasons
            ]
            if not seasons.size or not all(valid):
                raise ValueError(
                    f"season_length={season_length!r}: each season length must be an integer "
                    ">= 2 (rows per season, e.g. [24, 168] for hourly data)."
                )
        if self.training == "sequence" and (
            self.bidirectional or self.pooling != "last" or self.embedding_dim is not None
        ):
            raise ValueError(
                'training="sequence" predicts at every step, which needs a unidirectional '
                'network with pooling="last" on numeric inputs; got '
                f"bidirectional={self.bidirectional}, pooling={self.pooling!r}, "
                f"embedding_dim={self.embedding_dim}."
            )
        if self.quantiles is not None:
            levels = check_quantiles(self.quantiles)
            if not levels[0] <= 0.5 <= levels[-1]:
                raise ValueError(
                    f"quantiles={self.quantiles!r} must span 0.5, whose level is the point "
                    "forecast of predict(X); add 0.5."
                )
        if self.training == "sequence" and self.module is not None:
            raise ValueError(
                'training="sequence" needs the built-in network (it reads the output at '
                'every step); use training="window" with a custom module.'
            )

    def _predicts_quantiles(self, levels):  # see _utils.quantiles.predicts_quantiles
        """A quantile head trained for ``levels``' range (predict interpolates between
        its levels, never beyond), or the residuals of the rows early stopping held out."""
        if self.quantiles is not None:
            trained = check_quantiles(self.quantiles)
            wanted = trained if levels is None else check_quantiles(levels)
            return bool(trained[0] - 1e-12 <= wanted[0] and wanted[-1] <= trained[-1] + 1e-12)
        if hasattr(self, "network_"):
            return getattr(self, "interval_residuals_", None) is not None
        return bool(self.early_stopping)

    # fit's docstring is RecurrentEstimator.fit's (inherited by help() and the API docs);
    # the anchor contest below is documented under ``target_anchor``.
    @transactional
    def fit(self, X, y, sample_weight=None):
        keep = self.warm_start and hasattr(self, "network_")
        contested = []  # filled by a fresh fit's target: is its anchor contested?
        self._fit(
            X, y, sample_weight, max_epochs=self.max_epochs, keep_network=keep, contested=contested
        )
        if any(contested) and self.early_stopping:
            self._anchor_contest(X, y, sample_weight)
        if self.quantiles is not None:
            self._calibrate_quantiles(X, y)
        else:
            self._calibrate_intervals(X, y)
        return self

    # What a training run sets that differs between the two fits of the anchor contest;
    # everything else fit sets is the same for both.
    _TRAINED_STATE = (
        "network_",
        "loss_curve_",
        "n_iter_",
        "_optimizer_state",
        "_seed",
        "_input_stats",
        *_TARGET_ATTRIBUTES,
    )

    def _anchor_contest(self, X, y, sample_weight):
        """The anchor contest: when only the seasonal anchor beats predicting the mean,
        train again without an anchor and keep the fit with the smaller error on the
        rows early stopping held out (the anchored one on a tie)."""
        anchored = {name: getattr(self, name) for name in self._TRAINED_STATE}
        error = self._validation_error(X, y, sample_weight)
        self._fit(
            X, y, sample_weight, max_epochs=self.max_epochs, keep_network=False, anchored=False
        )
        if not self._validation_error(X, y, sample_weight) < error:
            for name, value in anchored.items():
                setattr(self, name, value)

    def _held_out(self, X, y):
        """The rows early stopping held out (the most recent ones): X's and y's, 2-D."""
        y = np.asarray(y, dtype=np.float64)
        y = y.reshape(len(y), -1)
        rows = np.arange(len(y) - validation_size(len(y), self.validation_fraction), len(y))
        return _safe_indexing(X, rows), y[rows], rows

    def _validation_error(self, X, y, sample_weight):
        """Mean absolute error over the rows early stopping held out, on y's scale."""
        X_valid, y_valid, rows = self._held_out(X, y)
        errors = np.abs(self.predict(X_valid).reshape(y_valid.shape) - y_valid).mean(axis=1)
        weights = None if sample_weight is None else np.asarray(sample_weight)[rows]
        return np.average(errors, weights=weights)

    @transactional
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch on (X, y), continuing from the current network.

        The first call fits the input and target scaling on its data; later calls keep
        it. Use it for online learning on data that arrives in chunks. Nothing is held out
        for validation (``early_stopping`` applies to :meth:`fit` only), and the
        optimizer's state carries over from call to call.

        Parameters
        ----------
        X : array-like
            As in :meth:`fit`.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample in the loss.

        Returns
        -------
        self : LSTMRegressor
        """
        keep = hasattr(self, "network_")
        # No validation rows to decide an anchor contest on: the anchor stays.
        self._fit(X, y, sample_weight, max_epochs=1, keep_network=keep, incremental=True)
        self.interval_residuals_ = None  # they measured another network: no intervals
        return self

    def predict(self, X, quantiles=None):
        """Predict targets for sequences X, or their quantiles.

        Parameters
        ----------
        X : array-like
            As in :meth:`fit`.
        quantiles : list of float, default=None
            Levels in (0, 1), sorted ascending, e.g. ``[0.1, 0.9]``. With a quantile
            head (``quantiles=`` in the constructor), the head's quantiles. Without one
            (the default), split conformal intervals from the rows early stopping held
            out, the most recent ones: the point forecast plus, per horizon step, the
            conformal quantile of the absolute validation errors (``interval_residuals_``),
            symmetric around the point (on the transformed scale with a
            ``target_transform``, per window scale with ``window_scale``). They need
            ``early_stopping=True`` (the default); about ``1 / (1 - level)`` held-out
            rows for a level near 1, else a warning says they may be too narrow.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            In the shape of the y seen in ``fit`` (the median with a quantile head).
            With ``quantiles``: shape (n_samples, n_quantiles) for a 1-D y,
            (n_samples, n_outputs, n_quantiles) for a 2-D y; never crossing.
        """
        levels = None if quantiles is None else check_quantiles(quantiles)
        outputs, encoded = self._forward(X)
        target = self._forecast_target()
        if self.quantiles is not None:
            fitted = check_quantiles(self.quantiles)
            values = self._working_quantiles(target, outputs, encoded)
            wanted = np.array([0.5]) if quantiles is None else levels
            values = target.inverse(interpolate_quantiles(values, fitted, wanted))
            if quantiles is None:
                y_pred = values[..., 0]
            else:
                return values[:, 0, :] if self._y_1d else values
        else:
            y_pred = target.decode(outputs, encoded)
            if quantiles is not None:
                values = held_out_intervals(self, y_pred, target.spreads(encoded), levels)
                values = target.inverse(values)
                return values[:, 0, :] if self._y_1d else values
            y_pred = target.inverse(y_pred)
        return y_pred.ravel() if self._y_1d else y_pred

    def _calibrate_intervals(self, X, y):
        """``interval_residuals_`` from the rows early stopping held out (see predict)."""
        self.interval_residuals_ = None
        if not self.early_stopping:
            return
        X_valid, y_valid, _ = self._held_out(X, y)
        outputs, encoded = self._forward(X_valid)
        target = self._forecast_target()
        self.interval_residuals_ = held_out_residuals(
            target.transformed(y_valid), target.decode(outputs, encoded), target.spreads(encoded)
        )

    def _working_quantiles(self, target, outputs, encoded):
        """The head's quantiles (n, n_outputs, k) on y's scale (its log with
        a target_transform), widened by ``quantile_spread_``."""
        fitted = check_quantiles(self.quantiles)
        values = target.decode(ordered_quantiles(outputs, len(fitted)), encoded)
        return widen(values, fitted, self.quantile_spread_)

    def _calibrate_quantiles(self, X, y):
        """``quantile_spread_`` from the rows early stopping held out (see ``quantiles``)."""
        fitted = check_quantiles(self.quantiles)
        self.quantile_spread_ = np.ones(len(fitted))  # a warm start recalibrates afresh
        if not (self.calibrate_quantiles and self.early_stopping):
            return
        X_valid, y_valid, _ = self._held_out(X, y)
        target = self._forecast_target()
        values = self._working_quantiles(target, *self._forward(X_valid))
        self.quantile_spread_ = spread_factors(values, target.transformed(y_valid), fitted)

    # -- targets ---------------------------------------------------------------------
    def _validate_y(self, sequences, y):
        y = check_array(
            y, ensure_2d=False, dtype=np.float64, ensure_all_finite=False, input_name="y"
        )
        if y.ndim not in (1, 2) or len(y) != len(sequences):
            raise ValueError(
                f"y must have shape (n_samples,) or (n_samples, n_outputs) with n_samples = "
                f"{len(sequences)} (the number of sequences in X), got shape {y.shape}."
            )
        check_targets_finite(y)
        return y

    def _fit_targets(self, sequences, y, *, anchored=True, validating=True, contested=None):
        """Fit the forecast target (the anchor contest's anchor-free fit: ``anchored``
        False); put ``sequences`` on the network's scale. ``contested`` (a list) is told
        whether the anchor is contested (see ``ForecastTarget.fit``)."""
        # A time-indexed y (make_supervised's) says which season is plausible.
        season_hint = frequency_season(getattr(y, "index", None))
        y = self._validate_y(sequences, y)
        check_future_model(self, sequences, y)
        self.training_ = self._training_mode(sequences)
        self._y_1d = y.ndim == 1
        y = y.reshape(len(y), -1)
        self.n_outputs_ = y.shape[1]
        if self.quantiles is not None:
            self.quantile_spread_ = np.ones(len(self.quantiles))  # calibrated by fit
        tokens = self.embedding_dim is not None
        # Too few validation rows to tell whether a network forecasts well: the
        # smoothing anchor may forecast alone (see smoothing_anchor).
        n_valid = validation_size(len(y), self.validation_fraction)
        smoothing = (
            self.smoothing_anchor
            and self.quantiles is None
            and validating
            and not tokens
            and n_valid < MIN_VALIDATION_ROWS
        )
        target, encoded, targets, is_contested = ForecastTarget.fit(
            sequences,
            y,
            transform=self.target_transform,
            anchor=None if tokens or not anchored else self.target_anchor,
            season_length=self._season_length(),
            season_hint=season_hint,
            window_scale=self.window_scale,
            scale=self.scale,
            smoothing=smoothing,
        )
        self._store_target(target)
        sequences.values = encoded.values  # the network trains on the encoded windows
        if contested is not None:
            contested.append(is_contested)
        if target.smoothing is not None:
            warnings.warn(
                f"LSTMRegressor: {len(y)} training rows hold {n_valid} validation row(s) "
                f"(validation_fraction={self.validation_fraction}), fewer than the "
                f"{MIN_VALIDATION_ROWS} needed to tell whether a network forecasts well: the "
                "forecasts are the smoothing anchor's alone and the network is not trained. "
                "Pass a longer series for the network to learn, or smoothing_anchor=False to "
                "train it regardless.",
                UserWarning,
                stacklevel=6,  # the caller of fit
            )
        # A quantile head has one output per (target, level).
        width = 1 if self.quantiles is None else len(self.quantiles)
        return targets, self.n_outputs_ * width

    def _transform_targets(self, sequences, y):
        y = self._validate_y(sequences, y)
        if self.target_lambda_ is not None:
            check_positive(y, self.target_transform, "y")
        target = self._forecast_target()
        encoded = target.encode_inputs(sequences)
        y = y.reshape(len(sequences), -1)
        if y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y.shape[1]} outputs, but this model was fitted with {self.n_outputs_}."
            )
        sequences.values = encoded.values  # the network trains on the encoded windows
        return target.encode(y, encoded)

    def _store_target(self, target):
        """Keep a fitted ForecastTarget as the fitted attributes persistence writes."""
        self.target_lambda_ = target.lam
        self.target_anchor_ = target.anchor
        self.season_lengths_ = target.seasons
        self.anchor_lags_ = target.lags
        self.anchor_units_ = target.units
        self.smoothing_params_ = target.smoothing
        self._y_shift, self._y_scale = target.shift, target.scale

    def _forecast_target(self):
        """The fitted ForecastTarget, from the attributes :meth:`_store_target` sets
        (files saved before ``anchor_units_`` and ``smoothing_params_`` lack them)."""
        return ForecastTarget(
            self.n_outputs_,
            transform=self.target_transform,
            lam=self.target_lambda_,
            window_scale=self.window_scale,
            level_season=level_season(self.season_lengths_, self._season_length()),
            anchor=self.target_anchor_,
            lags=self.anchor_lags_,
            units=getattr(self, "anchor_units_", None),
            smoothing=getattr(self, "smoothing_params_", None),
            shift=self._y_shift,
            scale=self._y_scale,
            seasons=self.season_lengths_,
        )

    def _training_mode(self, sequences):
        """``training``, with "auto" resolved on the training sequences."""
        if self.training != "auto":
            return self.training
        sequence_ready = (
            sequences.n_steps >= SEQUENCE_FROM_LOOK_BACK
            and not self.bidirectional
            and self.pooling == "last"
            and self.embedding_dim is None
            and self.module is None
            and self.window_scale is None  # one scale per window: rows are not shared
            and sequences.future is None  # the block belongs to each window's own steps
        )
        return "sequence" if sequence_ready and sequences.consecutive else "window"

    def _encode_inputs(self, sequences):
        return self._forecast_target().encode_inputs(sequences)

    def _network_inputs(self, sequences, device):
        inputs = super()._network_inputs(sequences, device)
        if sequences.future is not None:
            return pack_inputs(inputs, sequences.future)
        return inputs

    def _fit(self, X, y, sample_weight, *, anchored=True, contested=None, **kwargs):
        # partial_fit holds nothing out, so the smoothing anchor never stands in for it.
        validating = self.early_stopping and not kwargs.get("incremental", False)
        super()._fit(
            X,
            y,
            sample_weight,
            anchored=anchored,
            validating=validating,
            contested=contested,
            **kwargs,
        )
        if self.window_scale is not None:
            # Levels may differ by orders of magnitude on purpose (that is what
            # window_scale is for): the out-of-range warning on raw inputs would mislead.
            self._input_stats = None
        return self

    def _epoch_budget(self, max_epochs, n_train):
        # The smoothing anchor alone (too few rows to validate a network): no training.
        return max_epochs if self.smoothing_params_ is None else 0

    def _build_network(self, sequences, n_outputs):
        network = super()._build_network(sequences, n_outputs)
        if sequences.future is not None:
            network = with_future_head(network, sequences.future)
        if self.target_anchor_ is None:
            return network
        # Level-free inputs: relative to the window's last step, or step-to-step changes
        # in sequence mode, where every step is some window's last step.
        network.input_transform = "diff" if self.training_ == "sequence" else "last"
        if self.scale:
            n, n_steps = sequences.values.shape[:2]
            sample = sequences.values[:: max(1, -(-n * n_steps // STATS_MAX_STEPS))]
            network.input_shift.zero_()
            network.input_scale.fill_(1.0)
            # torch reads a strided view as it is, but warns on read-only memory (a
            # Windower's) and refuses negative strides: those are copied.
            if not sample.flags.writeable or min(sample.strides) < 0:
                sample = sample.copy()
            with torch.no_grad():
                level_free = network._standardise(torch.from_numpy(sample))
            shift, scale = feature_stats(level_free.contiguous().numpy())
            network.input_shift.copy_(torch.from_numpy(shift))
            network.input_scale.copy_(torch.from_numpy(scale))
        return network

    def _training_data(self, sequences, targets, weights, device, validate):
        if self.training_ == "window":
            return super()._training_data(sequences, targets, weights, device, validate)
        n_steps = sequences.n_steps
        if not sequences.consecutive:
            raise ValueError(
                'training="sequence" needs the windows of consecutive rows that a Windower '
                "makes (window t+1 = window t shifted by one row); these sequences are not. "
                'Use training="window" for independent sequences.'
            )
        n_rows = len(sequences)
        valid_set = None
        if validate:
            # Only the held-out windows go to the device; training reads chunks of rows.
            n_rows -= validation_size(n_rows, self.validation_fraction)
            tail = Sequences(sequences.values[n_rows:], sequences.lengths[n_rows:])
            tail_weights = None if weights is None else weights[n_rows:]
            check_validation_weights(tail_weights)
            valid_set, _ = super()._training_data(
                tail, targets[n_rows:], tail_weights, device, validate=False
            )
        if n_rows <= n_steps:
            raise ValueError(
                f'training="sequence" needs more training rows ({n_rows}) than look_back '
                f'({n_steps}), which is the burn-in of every chunk. Use training="window".'
            )
        rows = sequences.values[:n_rows, -1, :]  # window t ends at row t
        step_targets = targets[:n_rows]
        # Chunks of burn-in + `steps` rows; a final chunk aligned on the end covers the rest.
        steps = min(_CHUNK_FACTOR * n_steps, n_rows - n_steps)
        length = n_steps + steps
        starts = np.arange(0, n_rows - length + 1, steps)
        if starts[-1] != n_rows - length:
            starts = np.append(starts, n_rows - length)
        index = starts[:, None] + np.arange(length)
        chunks = TrainingChunks(
            to_tensor(np.ascontiguousarray(rows[index]), device),
            to_tensor(step_targets[index], device),
            burn_in=n_steps,
            weights=None if weights is None else to_tensor(weights[:n_rows][index], device),
        )
        return chunks, valid_set

    def _batch_size(self, n_train):
        if self.batch_size != "auto":
            return self.batch_size
        return int(np.clip(2 ** np.round(np.log2(max(n_train, 1) / 32)), 16, 256))

    def _scales_inputs(self):
        # With an anchor, _build_network computes the level-free statistics itself.
        return self.scale and self.target_anchor_ is None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _loss(self, device, targets):
        if self.quantiles is not None:
            return pinball_loss(check_quantiles(self.quantiles))
        return _LOSSES[self.loss]


# Losses on the standardised targets (Huber's threshold is one target standard deviation).
_LOSSES = {
    "mse": torch.nn.functional.mse_loss,
    "mae": torch.nn.functional.l1_loss,
    "huber": torch.nn.functional.huber_loss,
}
