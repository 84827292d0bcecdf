"""LSTMClassifier: scikit-learn classifier over a recurrent network."""

import math
import numbers

import numpy as np
import pandas as pd
import torch
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from .._torch.sequence_scaling import scale_each_sequence
from .._torch.training import check_validation_weights
from .._utils.docstrings import shared_docs
from .._utils.params import positive_int
from .._utils.transaction import transactional
from .base import RecurrentEstimator

__all__ = ["LSTMClassifier"]

# max_epochs="auto": as many epochs as this many optimiser steps (mini-batches) take,
# within these bounds (see the max_epochs parameter and docs/classification.rst).
AUTO_STEPS = 1000
AUTO_EPOCHS = (10, 1000)
# fcn_channels="auto" for values: the FCN's three blocks (Wang et al. 2017) at half its
# width (128, 256, 128), which keeps CPU fits of small sets within seconds.
AUTO_FCN_CHANNELS = (64, 128, 64)


@shared_docs
class LSTMClassifier(ClassifierMixin, RecurrentEstimator):
    """Recurrent-network classifier (LSTM, GRU or RNN) with the scikit-learn API.

    Classifies whole sequences: windows from a :class:`Windower` (e.g. "does the next
    value go up?"), fixed-length sequences such as images read row by row, ragged lists
    of ``(n_steps_i, n_features)`` arrays, or integer token sequences through an
    embedding (``embedding_dim``). Binary and multiclass, any label type.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell.
    hidden_size : int, default=64
        Units per recurrent layer (and direction).
    num_layers : int, default=1
        Stacked recurrent layers; ``dropout`` applies between them.
    bidirectional : bool, default=False
        Read sequences in both directions (:func:`~lstmforecast.export_onnx` exports
        one direction only).
    pooling : {"last", "mean", "max", "attention"}, default="max"
        How the outputs over time become one vector; padding never counts. "max" finds
        a pattern wherever it occurs in a long sequence; "last" reads only the final
        state (the regressor's default).
    dropout : float, default=0.0
        Dropout on the inputs (embeddings) and between stacked layers.
    recurrent_dropout : float, default=0.0
        DropConnect on the hidden-to-hidden weights, which keeps the fused recurrence.
    conv_channels : int, default=None
        A causal Conv1d (+ ReLU) front end with this many channels, which gives the
        recurrence local shape features; None feeds the values straight in (the
        ``fcn_channels`` branch reads shapes by default).
    conv_kernel_size : int, default=7
        Kernel size of the Conv1d front end (in time steps).
    embedding_dim : int, default=None
        If set, X holds integer token ids read through an embedding of this size. Id 0
        is padding (anywhere in a row; it is removed and the rest kept in order). The
        vocabulary is the ids seen in ``fit``; larger ids met later map to one shared
        "unknown" embedding.
    lr : float, default=3e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        L2 penalty (Adam's weight decay).
    batch_size : int, default=16
        Sequences per mini-batch. Small batches give a small training set more (and
        noisier) optimiser steps per epoch, which the classification benchmark
        rewarded (16 beat 8, 32 and 64); on a GPU, or with hundreds of thousands of
        sequences, larger batches (256 and up) train faster.
    max_epochs : int or "auto", default="auto"
        Maximum passes over the training data. "auto" sizes them to the data: as many
        epochs as 1,000 optimiser steps (mini-batches) take, ``ceil(1000 /
        ceil(n_train / batch_size))``, at least 10 and at most 1,000 (``n_train``: the
        samples left for training after the validation share). Small sets get many
        short epochs, large ones few long ones; early stopping usually ends sooner.
    early_stopping : bool, default=True
        Hold out the latest ``validation_fraction`` of the samples of each class (by
        row order, never a random draw; at least one per class with two or more
        samples, and never a class's only sample), stop when their loss stalls and
        restore the best weights. Stratified, so that data sorted by class (as UCR
        train files are) still validates and trains on every class. With one sample
        per class nothing is held out: training stops on the training loss, as
        without early stopping.
    validation_fraction : float, default=0.1
        Share of each class's samples held out when ``early_stopping`` is True.
    n_iter_no_change : int, default=100
        Epochs without an improvement larger than ``tol`` before training stops. Tiny
        training sets validate on a few samples per class, whose loss is noisy while
        batch norm's statistics settle: a shorter patience stops those fits too early.
    tol : float, default=1e-4
        Minimum loss improvement.
    clip_grad_norm : float, default=1.0
        Clip the gradient norm to this value (None: no clipping); keeps the long
        recurrences of whole-sequence classification stable.
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
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the cross-entropy loss.
    sequence_scale : {"auto", None, "zscore", "zscore+level"}, default="auto"
        "zscore" puts each sequence on its own scale before the network, in ``fit`` and
        ``predict`` alike: minus its mean, divided by its standard deviation, over its
        observed steps and per feature (a constant sequence becomes zeros). Sequences
        that differ in level or amplitude but share a shape (UCR's z-normalised sets,
        appliance currents of different power) then look alike; a class told apart by
        its level or amplitude alone is no longer separable. "zscore+level" keeps both
        views: the network reads the standardised values beside each sequence's
        z-scored copy, and its head also reads each sequence's level (mean) and the log
        of its spread, per feature. None standardises every sequence with the training
        data's mean and spread per feature only. "auto": "zscore+level" for
        values, None for token ids (``embedding_dim``) and a custom ``module``. Saved
        models and :func:`~lstmforecast.export_onnx` graphs apply it as ``predict``
        does.
    fcn_channels : "auto", tuple of int or None, default="auto"
        A fully convolutional branch beside the recurrence (the FCN of LSTM-FCN): one
        Conv1d + batch norm + ReLU block per entry, with that many channels (kernel
        sizes 7, 5, then 3), averaged over each sequence's steps; the head reads these
        features with the pooled recurrent ones. It reads the inputs, not the
        ``conv_channels`` front end. None: the recurrence alone. "auto": ``(64, 128,
        64)`` for values, None for token ids (word order is what the recurrence reads
        there, and the branch's average over time lost a held-out negation in
        tests/test_text.py) and a custom ``module``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    network_ : torch.nn.Module
        The trained network.
    {{loss_curve_}}
    {{n_iter_}}
    max_epochs_ : int
        Epochs the latest ``fit`` could run: ``max_epochs``, or the number
        ``max_epochs="auto"`` chose for the data (1 after ``partial_fit``).
    n_features_in_ : int
        Columns of a 2-D X (time steps), or features per step of a 3-D X.
    n_step_features_ : int
        Features per time step (1 for tokens).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of a 2-D DataFrame X, when all strings.
    vocabulary_size_ : int
        With ``embedding_dim``: largest token id seen in ``fit`` plus one.
    {{device_}}

    Notes
    -----
    Initialisation: orthogonal hidden-to-hidden weights, Xavier-uniform input weights,
    zero biases, token embeddings uniform in +-0.05 (as in Keras; torch's N(0, 1) start
    keeps a few phrases from generalising) and, for the LSTM, a forget-gate bias of 1
    so that the cell keeps its memory early in training. Sequences with leading all-NaN
    steps (or token 0) are packed, so padding never enters the recurrence and never
    counts in pooling.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast import LSTMClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 6, 2))
    >>> y = np.where(X[:, -1, 0] > 0, "up", "down")
    >>> clf = LSTMClassifier(hidden_size=16, max_epochs=30, lr=0.01, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        pooling="max",
        dropout=0.0,
        recurrent_dropout=0.0,
        conv_channels=None,
        conv_kernel_size=7,
        embedding_dim=None,
        lr=3e-3,
        weight_decay=0.0,
        batch_size=16,
        max_epochs="auto",
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=100,
        tol=1e-4,
        clip_grad_norm=1.0,
        lr_schedule=None,
        warm_start=False,
        random_state=None,
        device="auto",
        n_threads="auto",
        precision="fp32",
        verbose=0,
        callbacks=None,
        module=None,
        class_weight=None,
        sequence_scale="auto",
        fcn_channels="auto",
        **module_params,
    ):
        self._store_params(locals())

    _parameter_constraints = {
        **RecurrentEstimator._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "max_epochs": [*positive_int(), StrOptions({"auto"})],
        "sequence_scale": [StrOptions({"auto", "zscore", "zscore+level"}), None],
        "fcn_channels": [tuple, list, StrOptions({"auto"}), None],
    }

    def _fit(self, X, y, sample_weight, **fit_params):
        if self.sequence_scale not in (None, "auto") and self.embedding_dim is not None:
            raise ValueError(
                f"sequence_scale={self.sequence_scale!r} rescales values, but with "
                "embedding_dim X holds token ids; leave sequence_scale=None for tokens."
            )
        self._check_network_options()
        super()._fit(X, y, sample_weight, **fit_params)
        if self._sequence_scale() == "zscore":
            # Levels and amplitudes beyond the training range are what the option is
            # for: predict does not warn about them.
            self._input_stats = None
        return self

    @transactional
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on (X, y), continuing from the current network.

        Nothing is held out for validation (``early_stopping`` applies to :meth:`fit`
        only), and the optimizer's state carries over from call to call.

        Parameters
        ----------
        X : array-like or list of arrays
            As in :meth:`fit`.
        y : array-like of shape (n_samples,)
            Labels.
        classes : array-like of shape (n_classes,), default=None
            Every label that will ever be seen; required on the first call, since one
            chunk of data need not hold every class.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample in the loss.

        Returns
        -------
        self : LSTMClassifier
        """
        first = not hasattr(self, "network_")
        self._check_params()  # before the checks of the arguments below, which read them
        if self.class_weight == "balanced":
            raise ValueError(
                'class_weight="balanced" needs the class counts of all the data, which '
                "partial_fit never sees; pass a dict of weights instead."
            )
        if first:
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: one chunk of "
                    "data need not hold every class."
                )
            if len(np.unique(np.asarray(classes))) < 2:
                raise ValueError(
                    f"classes={np.asarray(classes).tolist()} holds fewer than 2 classes; pass "
                    "every label that will ever be seen, e.g. classes=np.unique(y_all)."
                )
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={list(classes)} differs from classes_={list(self.classes_)} set by "
                "the first call to partial_fit."
            )
        return self._fit(
            X,
            y,
            sample_weight,
            max_epochs=1,
            keep_network=not first,
            incremental=True,
            classes=classes,
        )

    def predict_proba(self, X):
        """Class probabilities of sequences X.

        Parameters
        ----------
        X : array-like or list of arrays
            As in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        logits, _ = self._forward(X)
        return torch.softmax(torch.from_numpy(logits).double(), dim=1).numpy()

    def predict(self, X):
        """Most probable class of each sequence in X.

        Parameters
        ----------
        X : array-like or list of arrays
            As in :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        logits, _ = self._forward(X)
        return self.classes_[logits.argmax(axis=1)]

    def _labels(self, sequences, y):
        y = column_or_1d(y, warn=True)
        if len(y) != len(sequences):
            raise ValueError(
                f"y has {len(y)} labels but X has {len(sequences)} sequences; give one label "
                "per sequence."
            )
        if pd.api.types.infer_dtype(y, skipna=False) in ("mixed", "mixed-integer"):
            kinds = sorted({type(label).__name__ for label in y[:1000]})
            raise ValueError(
                f"y mixes label types ({', '.join(kinds)}), which cannot be sorted into "
                "classes_; use one type, e.g. y.astype(str)."
            )
        check_classification_targets(y)
        return y

    def _fit_targets(self, sequences, y, classes=None):
        y = self._labels(sequences, y)
        self.classes_ = LabelEncoder().fit(y if classes is None else np.asarray(classes)).classes_
        if len(self.classes_) < 2 and classes is None:
            raise ValueError(
                f"y holds one class ({self.classes_[0]}); a classifier needs at least "
                "2 classes to learn from."
            )
        return self._encode(y), len(self.classes_)

    def _transform_targets(self, sequences, y):
        return self._encode(self._labels(sequences, y))

    def _encode(self, y):
        unseen = ~np.isin(y, self.classes_)
        if unseen.any():
            raise ValueError(
                f"y holds labels not in classes_ {list(self.classes_)}: "
                f"{list(np.unique(y[unseen]))[:5]}."
            )
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def _sample_weights(self, sequences, targets, sample_weight):
        weights = super()._sample_weights(sequences, targets, sample_weight)
        if self.class_weight is None:
            return weights
        # A class weight is a weight on each sample of the class: the weighted mean over
        # samples is then the class-weighted cross-entropy.
        per_class = compute_class_weight(
            self.class_weight, classes=self.classes_, y=self.classes_[targets]
        )
        class_weights = per_class[targets].astype(np.float32)
        return class_weights if weights is None else class_weights * weights

    def _epoch_budget(self, max_epochs, n_train):
        if max_epochs == "auto":
            low, high = AUTO_EPOCHS
            steps_per_epoch = math.ceil(n_train / self._batch_size(n_train))
            max_epochs = min(max(math.ceil(AUTO_STEPS / steps_per_epoch), low), high)
        self.max_epochs_ = max_epochs
        return max_epochs

    def _training_data(self, sequences, targets, weights, device, validate):
        """Hold out the latest samples of each class: every class is validated in its
        share, whatever the order of the rows (UCR train sets come sorted by class)."""
        data, _ = super()._training_data(sequences, targets, weights, device, False)
        if not validate:
            return data, None
        held_out = latest_of_each_class(targets, self.validation_fraction)
        if not held_out.any():  # one sample per class: nothing to spare
            return data, None
        valid_set = data.take(np.flatnonzero(held_out))
        check_validation_weights(valid_set.weights)
        return data.take(np.flatnonzero(~held_out)), valid_set

    def _loss(self, device, targets):
        return torch.nn.functional.cross_entropy

    def _check_network_options(self):
        """What fcn_channels and sequence_scale="zscore+level" need: the built-in
        network (they are layers of it) and, for the branch, positive channel counts."""
        if isinstance(self.fcn_channels, (tuple, list)) and (
            len(self.fcn_channels) == 0
            or not all(
                isinstance(c, numbers.Integral) and not isinstance(c, bool) and c > 0
                for c in self.fcn_channels
            )
        ):
            raise ValueError(
                f"fcn_channels={self.fcn_channels!r} must be a non-empty tuple of positive "
                "ints, one per convolution block, e.g. (64, 128, 64); or None for no branch."
            )
        if self.module is None:
            return
        built_in = (
            ("fcn_channels", self.fcn_channels not in (None, "auto")),
            ("sequence_scale", self.sequence_scale == "zscore+level"),
        )
        for name, used in built_in:
            if used:
                raise ValueError(
                    f"{name}={getattr(self, name)!r} is a layer of the built-in network, "
                    f"which module= replaces; pass {name}=None with a custom module (and "
                    "build what it does into the module, if wanted)."
                )

    def _values_in_built_in_network(self):
        return self.embedding_dim is None and self.module is None

    def _sequence_scale(self):
        """``sequence_scale`` with "auto" resolved (see the parameter)."""
        if self.sequence_scale == "auto":
            return "zscore+level" if self._values_in_built_in_network() else None
        return self.sequence_scale

    def _fcn_channels(self):
        """``fcn_channels`` with "auto" resolved, as a tuple or None."""
        if self.fcn_channels == "auto":
            return AUTO_FCN_CHANNELS if self._values_in_built_in_network() else None
        return None if self.fcn_channels is None else tuple(self.fcn_channels)

    def _network_options(self):
        return {
            "sequence_summary": self._sequence_scale() == "zscore+level",
            "fcn_channels": self._fcn_channels(),
        }

    def _scales_inputs(self):
        # z-scored sequences are standardised already (mean 0, spread 1); "zscore+level"
        # is computed inside the network, after the training set's standardisation.
        return self._sequence_scale() != "zscore"

    def _network_inputs(self, sequences, device):
        inputs = super()._network_inputs(sequences, device)
        if self._sequence_scale() != "zscore":
            return inputs
        # The one place that fit, validation and predict all read the values through.
        return scale_each_sequence(inputs, "zscore")

    def __setstate__(self, state):
        state.setdefault("sequence_scale", None)  # pickled before the options
        state.setdefault("fcn_channels", None)
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags


def latest_of_each_class(targets, fraction):
    """Mask of the validation samples: the latest ``ceil(fraction * n_c)`` samples of
    each class c (by row order, never a random draw), at most ``n_c - 1`` of them so
    that every class is also trained on. ``targets`` are class indices."""
    counts = np.bincount(targets)
    held = np.minimum(np.ceil(fraction * counts), counts - 1)
    order = np.argsort(targets, kind="stable")
    by_class = targets[order]
    rank_in_class = np.arange(len(targets)) - (np.cumsum(counts) - counts)[by_class]
    from_end = counts[by_class] - 1 - rank_in_class
    mask = np.empty(len(targets), dtype=bool)
    mask[order] = from_end < held[by_class]
    return mask
