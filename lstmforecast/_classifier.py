"""LSTMClassifier: scikit-learn classifier over a recurrent network."""

import numpy as np
import pandas as pd
import torch
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._base import RecurrentEstimator

__all__ = ["LSTMClassifier"]


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
        Read sequences in both directions.
    pooling : {"last", "mean", "max", "attention"}, default="last"
        How the outputs over time become one vector; padding never counts.
    dropout : float, default=0.0
        Dropout on the inputs (embeddings) and between stacked layers.
    recurrent_dropout : float, default=0.0
        DropConnect on the hidden-to-hidden weights, which keeps the fused recurrence.
    conv_channels : int, default=None
        If set, a causal Conv1d (+ ReLU) front end with this many channels.
    conv_kernel_size : int, default=3
        Kernel size of the Conv1d front end.
    embedding_dim : int, default=None
        If set, X holds integer token ids read through an embedding of this size. Id 0
        is padding (anywhere in a row; it is removed and the rest kept in order). The
        vocabulary is the ids seen in ``fit``; larger ids met later map to one shared
        "unknown" embedding.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        L2 penalty (Adam's weight decay).
    batch_size : int, default=64
        Sequences per mini-batch.
    max_epochs : int, default=100
        Maximum passes over the training data.
    early_stopping : bool, default=False
        Hold out the last ``validation_fraction`` of the samples (never a random draw),
        stop when their loss stalls and restore the best weights.
    validation_fraction : float, default=0.1
        Share of the samples held out when ``early_stopping`` is True.
    n_iter_no_change : int, default=10
        Epochs without an improvement larger than ``tol`` before training stops.
    tol : float, default=1e-4
        Minimum loss improvement.
    clip_grad_norm : float, default=None
        Clip the gradient norm to this value.
    lr_schedule : {None, "plateau"}, default=None
        "plateau" halves the learning rate when the monitored loss stalls.
    warm_start : bool, default=False
        Continue training the fitted network on the next ``fit``.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, dropout and batch order (bit-identical fits on CPU);
        torch's global RNG is left untouched.
    device : {"auto", "cpu", "cuda"}, default="auto"
        "auto" trains on CUDA when PyTorch sees a GPU.
    precision : {"fp32", "bf16", "fp16"}, default="fp32"
        Mixed precision for training and prediction (torch.autocast); "fp16" needs
        CUDA and uses loss scaling; "bf16" runs on CPUs with a bf16 kernel for the cell
        (probed once; x86 needs AVX-512 for the LSTM, else a clear error). The recurrence stays on
        the fused cuDNN kernel in every precision.
    verbose : int, default=0
        1 shows a tqdm progress bar with the latest losses on stderr; 2 also logs one
        line per epoch through ``logging.getLogger("lstmforecast")`` (to stderr when
        logging is not configured). See :class:`~lstmforecast.callbacks.ProgressBar` and
        :class:`~lstmforecast.callbacks.EpochLogger`.
    callbacks : list of objects, default=None
        Called during training: any object with some of ``on_train_begin(estimator)``,
        ``on_batch_end(estimator, batch, logs)``, ``on_epoch_end(estimator, epoch,
        logs)`` (a truthy return stops training) and ``on_train_end(estimator)``. See
        :mod:`lstmforecast.callbacks` for the built-in ones (checkpoints, logging).
    module : torch.nn.Module class, default=None
        Your own network instead of the built-in one, constructed as
        ``module(n_inputs=..., n_outputs=..., **module__params)`` and called as
        ``forward(x, lengths)`` on standardised, front-padded sequences (the protocol
        is in the user guide, "Your own network"). Its arguments are the estimator's
        ``module__<name>`` parameters, which ``get_params``, ``set_params`` and
        ``GridSearchCV`` see. The built-in network's parameters (``cell`` to
        ``embedding_dim``'s network shape) are then unused, except ``embedding_dim``,
        which still says that X holds token ids.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the cross-entropy loss.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    network_ : torch.nn.Module
        The trained network.
    history_ : dict of lists
        One row per epoch: ``"epoch"``, ``"train_loss"``, ``"valid_loss"`` (NaN without
        early stopping), ``"lr"``, and any key a callback adds to the logs. The lists
        have equal lengths: ``pandas.DataFrame(est.history_)`` is the table.
    n_iter_ : int
        Epochs run.
    n_features_in_ : int
        Columns of a 2-D X (time steps), or features per step of a 3-D X.
    n_step_features_ : int
        Features per time step (1 for tokens).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of a 2-D DataFrame X, when all strings.
    vocabulary_size_ : int
        With ``embedding_dim``: largest token id seen in ``fit`` plus one.
    device_ : torch.device
        Where the network was trained and predicts.

    Notes
    -----
    Initialisation: orthogonal hidden-to-hidden weights, Xavier-uniform input weights,
    zero biases and, for the LSTM, a forget-gate bias of 1 so that the cell keeps its
    memory early in training. Sequences with leading all-NaN steps (or token 0) are
    packed, so padding never enters the recurrence and never counts in pooling.

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
        pooling="last",
        dropout=0.0,
        recurrent_dropout=0.0,
        conv_channels=None,
        conv_kernel_size=3,
        embedding_dim=None,
        lr=1e-3,
        weight_decay=0.0,
        batch_size=64,
        max_epochs=100,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        clip_grad_norm=None,
        lr_schedule=None,
        warm_start=False,
        random_state=None,
        device="auto",
        precision="fp32",
        verbose=0,
        callbacks=None,
        module=None,
        class_weight=None,
        **module_params,
    ):
        self._store_params(locals())

    _parameter_constraints = {
        **RecurrentEstimator._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

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

    def _loss(self, device, targets):
        return torch.nn.functional.cross_entropy

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags
