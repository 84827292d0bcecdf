"""LSTMAutoencoder: anomaly detection from the reconstruction error of sequences."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import OutlierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .._torch.network import CELLS, RecurrentNetwork, _left_align
from .._torch.sequence_scaling import scale_each_sequence
from .._utils.docstrings import shared_docs
from .._utils.transaction import transactional
from .base import STATS_MAX_STEPS, RecurrentEstimator, feature_stats

__all__ = ["LSTMAutoencoder"]


@shared_docs
class LSTMAutoencoder(OutlierMixin, RecurrentEstimator):
    """Recurrent autoencoder that flags sequences it cannot reconstruct.

    An encoder (LSTM, GRU or RNN) reads each sequence into a vector of ``latent_size``
    numbers; a decoder of the same cell unrolls that vector back into the sequence, each
    step reading the code and its relative position in the sequence. Fit
    on normal data only, the network learns to reconstruct what is normal, and the
    reconstruction error of a new sequence is its anomaly score. This is the equipment-
    fault detector of the blog posts, as a scikit-learn outlier detector: ``fit(X)``
    without y, ``score_samples``, ``decision_function`` and ``predict`` (+1 normal, -1
    anomaly), with the threshold set by ``contamination``.

    The score is local and relative: each step's reconstruction error is divided by the
    mean error of the training sequences at that step (some parts of a normal shape are
    always reconstructed worse than others), and a sequence scores by its worst stretch
    of ``error_window`` steps. A spike or a short fault is not averaged away over a long
    sequence, and a step that is hard to reconstruct in every normal sequence does not
    dominate.

    After a :class:`Windower`, ``Pipeline([("win", Windower(look_back=48)), ("ae",
    LSTMAutoencoder())])`` scores every time step of a series by the window that ends
    there. Sequences may have different lengths (ragged lists, or leading all-NaN steps
    as padding): padding is never reconstructed and never counts in the error.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell of the encoder and the decoder.
    hidden_size : int, default=32
        Units per recurrent layer.
    latent_size : int, default=4
        Size of the code each sequence is squeezed into; smaller codes force the
        network to keep only the regular structure of the data.
    num_layers : int, default=1
        Stacked recurrent layers in the encoder and in the decoder.
    dropout : float, default=0.0
        Dropout on the encoder's inputs and between stacked layers.
    lr : float, default=5e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        L2 penalty (Adam's weight decay).
    batch_size : int, default=16
        Sequences per mini-batch.
    max_epochs : int, default=200
        Maximum passes over the training data.
    early_stopping : bool, default=False
        Hold out the last ``validation_fraction`` of the sequences (never a random draw),
        stop when their reconstruction error stalls and restore the best weights.
    validation_fraction : float, default=0.1
        Share of the sequences held out when ``early_stopping`` is True.
    n_iter_no_change : int, default=30
        Epochs without an improvement larger than ``tol`` before training stops; an
        autoencoder often plateaus for a while before it finds the structure.
    tol : float, default=1e-4
        Minimum loss improvement.
    clip_grad_norm : float, default=1.0
        Clip the gradient norm to this value (None: no clipping).
    contamination : float, default=0.1
        Expected share of anomalies in the training data, in (0, 0.5]: the threshold of
        ``predict`` is this quantile of the training sequences' scores.
    error_window : int or None, default=8
        Steps over which the relative reconstruction error is averaged before a
        sequence's worst stretch is taken (the whole sequence when it is shorter).
        None averages over the whole sequence: a sequence then scores by its mean
        relative error, which suits faults that span it.
    sequence_level : {None, "mean", "last"}, default=None
        Subtract each sequence's own level before encoding, per feature: its mean over
        the observed steps ("mean") or its last observed step ("last"). The network
        then reconstructs shapes, not levels: after a :class:`Windower` on a series
        that drifts or trends beyond the training range, later windows are not all
        anomalous, and with "last" a sudden jump at a window's newest step moves every
        other step of it. A sequence abnormal by its level alone is then no longer
        flagged; None keeps the levels (standardised by the training data's mean and
        spread per feature).
    {{warm_start}}
    {{random_state}}
    {{device}}
    {{n_threads}}
    {{precision}}
    {{verbose}}
    {{callbacks}}

    Attributes
    ----------
    network_ : torch.nn.Module
        The trained encoder-decoder.
    offset_ : float
        Threshold on ``score_samples``: ``decision_function = score_samples - offset_``.
    step_error_scale_ : ndarray of shape (n_steps,)
        Mean squared reconstruction error of the training sequences at each step
        (counted from each sequence's first observed step), which ``score_samples``
        divides the errors by; steps beyond the longest training sequence use the mean.
    {{loss_curve_}}
    {{n_iter_}}
    n_features_in_ : int
        Columns of a 2-D X (time steps), or features per step of a 3-D X.
    n_step_features_ : int
        Features per time step.
    {{device_}}

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast import LSTMAutoencoder
    >>> rng = np.random.default_rng(0)
    >>> waves = np.sin(np.linspace(0, 6, 30) + rng.uniform(0, 6, (100, 1)))
    >>> detector = LSTMAutoencoder(max_epochs=20, contamination=0.01, random_state=0)
    >>> detector.fit(waves).predict(rng.normal(size=(3, 30)))
    array([-1, -1, -1])
    """

    # The shared machinery reads these; an autoencoder has no tokens and its own network.
    embedding_dim = None
    recurrent_dropout = 0.0
    module = None

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=32,
        latent_size=4,
        num_layers=1,
        dropout=0.0,
        lr=5e-3,
        weight_decay=0.0,
        batch_size=16,
        max_epochs=200,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=30,
        tol=1e-4,
        clip_grad_norm=1.0,
        lr_schedule=None,
        contamination=0.1,
        error_window=8,
        sequence_level=None,
        warm_start=False,
        random_state=None,
        device="auto",
        n_threads="auto",
        precision="fp32",
        verbose=0,
        callbacks=None,
    ):
        self._store_params(locals())

    _parameter_constraints = {
        **RecurrentEstimator._constraints_of(
            set(RecurrentEstimator._parameter_constraints)
            - {"bidirectional", "pooling", "recurrent_dropout", "conv_channels"}
            - {"conv_kernel_size", "embedding_dim", "module"}
        ),
        "latent_size": [Interval(Integral, 1, None, closed="left")],
        "contamination": [Interval(Real, 0, 0.5, closed="right")],
        "error_window": [Interval(Integral, 1, None, closed="left"), None],
        "sequence_level": [StrOptions({"mean", "last"}), None],
    }

    @transactional
    def fit(self, X, y=None):
        """Learn to reconstruct the (normal) sequences X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_features) or (n_samples, n_steps), \
or list of arrays of shape (n_steps_i, n_features)
            Sequences, oldest step first; leading all-NaN steps are padding.
        y : None
            Ignored.

        Returns
        -------
        self : LSTMAutoencoder
        """
        keep = self.warm_start and hasattr(self, "network_")
        self._fit(X, None, None, max_epochs=self.max_epochs, keep_network=keep)
        if self.sequence_level is not None:
            # Levels beyond the training range are what this option is for: no warning.
            self._input_stats = None
        errors, observed = self._step_errors(X)
        counts = observed.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(observed, errors, 0.0).sum(axis=0) / counts
        overall = errors[observed].mean()
        # A floor keeps a step that the network reconstructs almost exactly in training
        # from turning a tiny error into a huge relative one.
        floor = max(1e-3 * overall, np.finfo(np.float32).tiny)
        self.step_error_scale_ = np.maximum(np.where(counts > 0, scale, overall), floor)
        self.offset_ = float(np.percentile(self.score_samples(X), 100 * self.contamination))
        return self

    def _step_errors(self, X):
        """Squared reconstruction error of each step (mean over features), left-aligned,
        and the mask of the observed steps; both of shape (n_samples, n_steps)."""
        check_is_fitted(self, "network_")
        errors, sequences = self._forward(X, _PerStepErrors(self.network_))
        observed = np.arange(sequences.n_steps)[None, :] < sequences.lengths[:, None]
        return errors.astype(np.float64), observed

    def score_samples(self, X):
        """Normality of each sequence: minus its worst relative reconstruction error.

        Each observed step's squared error (mean over features, in units of the training
        data's standard deviation per feature) is divided by ``step_error_scale_``,
        averaged over every stretch of ``error_window`` steps, and the largest of those
        means is the sequence's error (with ``error_window=None``: the mean over all its
        steps). Lower is more abnormal.

        Parameters
        ----------
        X : array-like
            As in :meth:`fit`.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "step_error_scale_")
        errors, observed = self._step_errors(X)
        reference = self.step_error_scale_
        if errors.shape[1] > len(reference):
            extra = np.full(errors.shape[1] - len(reference), reference.mean())
            reference = np.r_[reference, extra]
        relative = np.where(observed, errors / reference[: errors.shape[1]], 0.0)
        lengths = observed.sum(axis=1)
        return -worst_window_mean(relative, lengths, self.error_window)

    def decision_function(self, X):
        """``score_samples(X) - offset_``: negative for anomalies, positive for inliers.

        Parameters
        ----------
        X : array-like
            As in :meth:`fit`.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "offset_")
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """+1 for sequences as well reconstructed as the normal ones, -1 for anomalies.

        Parameters
        ----------
        X : array-like
            As in :meth:`fit`.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return np.where(self.decision_function(X) < 0, -1, 1)

    # -- hooks of the shared machinery ----------------------------------------------
    def _fit_targets(self, sequences, y):
        # The target is the input itself, which the network standardises on its side.
        return np.zeros(len(sequences), dtype=np.float32), 1

    def _transform_targets(self, sequences, y):
        return np.zeros(len(sequences), dtype=np.float32)

    def _loss(self, device, targets):
        return _mean_error

    def _build_network(self, sequences, n_outputs):
        network = _AutoencoderNetwork(
            self.n_step_features_,
            cell=self.cell,
            hidden_size=self.hidden_size,
            latent_size=self.latent_size,
            num_layers=self.num_layers,
            dropout=self.dropout,
            sequence_level=self.sequence_level,
        )
        values = sequences.values
        if self.sequence_level is not None:  # the standardisation sees level-free values
            n, n_steps = values.shape[:2]
            sample = values[:: max(1, -(-n * n_steps // STATS_MAX_STEPS))]
            with torch.no_grad():
                values = network.remove_level(torch.from_numpy(np.ascontiguousarray(sample)))
            values = values.numpy()
        shift, scale = feature_stats(values)
        network.encoder.input_shift.copy_(torch.from_numpy(shift))
        network.encoder.input_scale.copy_(torch.from_numpy(scale))
        return network

    def __setstate__(self, state):
        if "offset_" in state and "step_error_scale_" not in state:
            # Pickled before the relative, windowed score: keep the score its offset_
            # was set on, the mean squared error over the whole sequence.
            state.setdefault("error_window", None)
            state["step_error_scale_"] = np.ones(1)
        state.setdefault("error_window", 8)
        state.setdefault("sequence_level", None)
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags


def worst_window_mean(values, lengths, window):
    """Largest mean of ``window`` consecutive values of each left-aligned row, over its
    first ``lengths[i]`` values (their mean when the row is shorter than the window or
    ``window`` is None). Padding in ``values`` must be 0."""
    totals = values.sum(axis=1)
    whole = totals / lengths
    if window is None:
        return whole
    cumulative = np.concatenate([np.zeros((len(values), 1)), np.cumsum(values, axis=1)], axis=1)
    if window >= values.shape[1]:
        return whole
    stretch = (cumulative[:, window:] - cumulative[:, :-window]) / window
    # Stretch j covers steps j..j+window-1: it counts only if it ends inside the row.
    inside = np.arange(stretch.shape[1])[None, :] + window <= lengths[:, None]
    worst = np.where(inside, stretch, -np.inf).max(axis=1)
    return np.where(lengths < window, whole, worst)


def _mean_error(errors, targets, reduction="mean"):
    """The network already returns each sequence's error: the loss only averages it."""
    return errors.mean() if reduction == "mean" else errors


class _AutoencoderNetwork(nn.Module):
    """Encoder (the package's recurrent network, its head giving the code) and a decoder
    that unrolls the code over the sequence's steps. ``forward`` returns each sequence's
    mean squared reconstruction error over its observed steps, so the shared training
    loop and prediction code treat it like any other network output."""

    def __init__(
        self, n_inputs, *, cell, hidden_size, latent_size, num_layers, dropout, sequence_level=None
    ):
        arguments = {k: v for k, v in locals().items() if k not in ("self", "__class__")}
        super().__init__()
        self.init_args = arguments  # what lstmforecast.load rebuilds the network from
        self.encoder = RecurrentNetwork(
            n_inputs,
            latent_size,
            cell=cell,
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
        )
        self.decoder = CELLS[cell](
            latent_size + 1,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.reconstruction = nn.Linear(hidden_size, n_inputs)
        self.sequence_level = sequence_level

    def remove_level(self, x):
        """Front-padded (NaN) sequences minus their own mean or last step, per feature."""
        return scale_each_sequence(x, self.sequence_level)

    def forward(self, x, lengths=None):
        squared, lengths = self.step_errors(x, lengths)
        return squared.sum(dim=1) / lengths

    def step_errors(self, x, lengths=None):
        """Squared reconstruction error of each left-aligned step, averaged over the
        features (0 past each sequence's end), and the lengths, on x's device."""
        n_steps = x.shape[1]
        if lengths is None:  # the training loop's "no sequence is padded"
            lengths = torch.full((x.shape[0],), n_steps, dtype=torch.int64)
        x = self.remove_level(x)
        code = self.encoder(x, lengths)
        lengths = lengths.to(x.device)
        # The target: standardised steps, left-aligned like the decoder's output.
        target = _left_align(self.encoder._standardise(x), lengths)
        observed = torch.arange(n_steps, device=x.device)[None, :] < lengths[:, None]
        target = target.masked_fill(~observed[:, :, None], 0.0)
        # Each decoder step reads the code and how far into its sequence it is (0 to 1):
        # from the code alone, long sequences often left training stuck at their mean.
        steps = torch.arange(n_steps, device=x.device)[None, :]
        position = (steps / (lengths[:, None] - 1).clamp(min=1)).clamp(max=1.0)
        code = code[:, None, :].expand(-1, n_steps, -1)
        unrolled, _ = self.decoder(torch.cat([code, position[:, :, None].to(code.dtype)], dim=2))
        # Steps past a sequence's end are decoded too (a fixed-size batch) but not scored:
        # the decoder is unidirectional, so they never influence the observed steps.
        squared = (self.reconstruction(unrolled) - target) ** 2 * observed[:, :, None]
        return squared.mean(dim=2), lengths


class _PerStepErrors(nn.Module):
    """The autoencoder's per-step errors as a network output, for batched scoring."""

    def __init__(self, network):
        super().__init__()
        self.network = network

    def forward(self, x, lengths=None):
        return self.network.step_errors(x, lengths)[0]
