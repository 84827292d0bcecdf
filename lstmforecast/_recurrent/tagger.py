"""LSTMTagger: one label per time step (sequence labelling)."""

import numpy as np
import torch
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .._preprocessing.sequences import _is_ragged
from .._torch.network import RecurrentNetwork, _left_align
from .._utils.docstrings import shared_docs
from .._utils.transaction import transactional
from .base import RecurrentEstimator

__all__ = ["LSTMTagger"]

_IGNORED = -100  # cross_entropy's ignore_index: padded steps carry no loss


def _padding(sequences):
    """(n, T) True at the padded (leading) steps of each sequence."""
    steps = np.arange(sequences.n_steps)
    return steps[None, :] < (sequences.n_steps - sequences.lengths)[:, None]


class _TaggerNetwork(RecurrentNetwork):
    """The package's recurrent network with its head applied at every step; outputs
    (B, T, n_classes) in the input's right-aligned layout."""

    def forward(self, x, lengths=None):
        n_steps = x.shape[1]
        if lengths is None:  # the training loop's "no sequence is padded"
            lengths = torch.full((x.shape[0],), n_steps, dtype=torch.int64)
        lengths = lengths.to(x.device)
        valid = torch.arange(n_steps, device=x.device)[None, :] < lengths[:, None]
        if self.embedding is not None:
            x = self.embedding(_left_align(x, lengths).masked_fill(~valid, 0))
        else:
            x = _left_align(self._standardise(x), lengths).masked_fill(~valid[:, :, None], 0.0)
        x = self.input_dropout(x)
        if self.conv is not None:
            x = self.conv(x.transpose(1, 2)).transpose(1, 2)
        # Packing: the backward direction must start at each sequence's own last step.
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self._run_rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=n_steps)
        # Back to the input's layout: step j of a sequence of length L sits at T - L + j.
        source = (torch.arange(n_steps, device=x.device)[None, :] + lengths[:, None]) % n_steps
        out = torch.gather(out, 1, source[:, :, None].expand(-1, -1, out.shape[2]))
        return self.head(out)


@shared_docs
class LSTMTagger(RecurrentEstimator):
    """Recurrent sequence labeller: a label for every time step of every sequence.

    Part-of-speech tagging of the sentences in PyTorch's LSTM tutorial, or segmenting a
    sensor recording into activities, with the scikit-learn API. X holds sequences as
    for :class:`LSTMClassifier` (numeric steps, or token ids with ``embedding_dim``;
    ragged lists or front-padded arrays); y holds one label per step: a list of label
    arrays, one per sequence and as long as it, or an array ``(n_samples, n_steps)``
    aligned with X's steps (the labels at X's padded steps are ignored). The loss is
    the cross-entropy over observed steps only. Bidirectional by default: a step's label
    may depend on what follows it.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell.
    hidden_size : int, default=64
        Units per recurrent layer (and direction).
    num_layers : int, default=1
        Stacked recurrent layers; ``dropout`` applies between them.
    bidirectional : bool, default=True
        Read sequences in both directions.
    dropout : float, default=0.0
        Dropout on the inputs (embeddings) and between stacked layers.
    recurrent_dropout : float, default=0.0
        DropConnect on the hidden-to-hidden weights.
    conv_channels : int, default=None
        If set, a causal Conv1d (+ ReLU) front end with this many channels.
    conv_kernel_size : int, default=3
        Kernel size of the Conv1d front end.
    embedding_dim : int, default=None
        If set, X holds integer token ids (0 = padding) read through an embedding.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        L2 penalty (Adam's weight decay).
    batch_size : int, default=64
        Sequences per mini-batch.
    max_epochs : int, default=100
        Maximum passes over the training data.
    early_stopping : bool, default=False
        Hold out the last ``validation_fraction`` of the sequences (never a random
        draw), stop when their loss stalls and restore the best weights.
    validation_fraction : float, default=0.1
        Share of the sequences held out when ``early_stopping`` is True.
    n_iter_no_change : int, default=10
        Epochs without an improvement larger than ``tol`` before training stops.
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

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The step labels seen in ``fit``.
    network_ : torch.nn.Module
        The trained network.
    {{loss_curve_}}
    {{n_iter_}}
    n_features_in_ : int
        Columns of a 2-D X (time steps), or features per step of a 3-D X.
    n_step_features_ : int
        Features per time step.
    {{device_}}

    Examples
    --------
    >>> from lstmforecast import LSTMTagger, TextSequencer
    >>> sentences = ["the dog ate the apple", "everybody read that book"]
    >>> tags = [["DET", "NN", "V", "DET", "NN"], ["NN", "V", "DET", "NN"]]
    >>> ids = TextSequencer().fit(sentences)
    >>> X = [row[row > 0] for row in ids.transform(sentences)]  # ragged token ids
    >>> tagger = LSTMTagger(embedding_dim=6, hidden_size=6, lr=0.1, max_epochs=50,
    ...                     random_state=0).fit(X, tags)
    >>> tagger.predict(X)[0]
    array(['DET', 'NN', 'V', 'DET', 'NN'], dtype='<U3')
    """

    pooling = "last"  # unused: every step has an output
    module = None  # the per-step head needs the built-in network
    _network_class = _TaggerNetwork

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=True,
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
        n_threads="auto",
        precision="fp32",
        verbose=0,
        callbacks=None,
    ):
        self._store_params(locals())

    # pooling and module are fixed (class attributes above), not parameters.
    _parameter_constraints = RecurrentEstimator._constraints_of(
        set(RecurrentEstimator._parameter_constraints) - {"pooling", "module"}
    )

    @transactional
    def fit(self, X, y):
        """Train on sequences X and their per-step labels y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_features) or (n_samples, n_steps), \
or list of arrays of shape (n_steps_i, n_features) or (n_steps_i,)
            Sequences, oldest step first; leading all-NaN steps (or token 0) are padding.
        y : list of array-like of shape (n_steps_i,), or array-like of shape \
(n_samples, n_steps)
            One label per observed step of each sequence.

        Returns
        -------
        self : LSTMTagger
        """
        return super().fit(X, y)

    def predict_proba(self, X):
        """Probability of each class at each step.

        Parameters
        ----------
        X : array-like or list of arrays
            As in :meth:`fit`.

        Returns
        -------
        proba : list of ndarray of shape (n_steps_i, n_classes), or ndarray of shape \
(n_samples, n_steps, n_classes)
            A list for a list X; for an array X, the steps of X with NaN at its padded
            steps. Columns in the order of ``classes_``.
        """
        logits, sequences = self._forward(X)
        proba = torch.softmax(torch.from_numpy(logits).double(), dim=2).numpy()
        if _is_ragged(X):
            return [p[len(p) - n :] for p, n in zip(proba, sequences.lengths)]
        proba[_padding(sequences)] = np.nan
        return proba

    def predict(self, X):
        """Most probable label at each step.

        Parameters
        ----------
        X : array-like or list of arrays
            As in :meth:`fit`.

        Returns
        -------
        y_pred : list of ndarray of shape (n_steps_i,), or numpy.ma.MaskedArray of \
shape (n_samples, n_steps)
            A list for a list X; for an array X, the steps of X, with its padded steps
            masked.
        """
        logits, sequences = self._forward(X)
        labels = self.classes_[logits.argmax(axis=2)]
        if _is_ragged(X):
            return [row[len(row) - n :] for row, n in zip(labels, sequences.lengths)]
        return np.ma.MaskedArray(labels, mask=_padding(sequences))

    def score(self, X, y, sample_weight=None):
        """Accuracy over every observed step of every sequence.

        Parameters
        ----------
        X : array-like or list of arrays
            As in :meth:`fit`.
        y : list of array-like or array-like of shape (n_samples, n_steps)
            True labels, as in :meth:`fit`.
        sample_weight : None
            Not supported; every step counts once.

        Returns
        -------
        score : float
        """
        if sample_weight is not None:
            raise ValueError("LSTMTagger.score weighs every step alike; sample_weight is None.")
        logits, sequences = self._forward(X)
        truth = self._transform_targets(sequences, y)
        observed = truth != _IGNORED
        return float(np.mean(logits.argmax(axis=2)[observed] == truth[observed]))

    # -- targets ---------------------------------------------------------------------
    def _step_labels(self, sequences, y):
        """(labels of the observed steps, in order; (n, T) positions they go to)."""
        n, n_steps = len(sequences), sequences.n_steps
        observed = ~_padding(sequences)
        if isinstance(y, (list, tuple)):
            if len(y) != n:
                raise ValueError(
                    f"y has {len(y)} label sequences but X has {n} sequences; give one per "
                    "sequence."
                )
            parts = [np.asarray(labels) for labels in y]
            lengths = np.array([p.size if p.ndim == 1 else -1 for p in parts])
            wrong = np.flatnonzero(lengths != sequences.lengths)
            if wrong.size:
                i = wrong[0]
                raise ValueError(
                    f"y's label sequence {i} has shape {parts[i].shape}, but sequence {i} of "
                    f"X has {sequences.lengths[i]} observed steps: give one label per step."
                )
            # As objects first: numpy would silently turn ["a", 1] into ["a", "1"].
            raw = [np.asarray(labels, dtype=object).ravel() for labels in y]
            flat = np.concatenate(raw) if raw else np.array([], dtype=object)
            flat = np.asarray(_uniform_labels(flat).tolist())
        else:
            y = np.asarray(y)
            if y.shape != (n, n_steps):
                raise ValueError(
                    f"y must hold one label per time step, shape ({n}, {n_steps}) like X's "
                    f"steps (or a list of label sequences), got shape {y.shape}."
                )
            flat = y[observed]
            if flat.dtype == object:
                flat = np.asarray(_uniform_labels(flat).tolist())
        check_classification_targets(flat)
        return flat, observed

    def _fit_targets(self, sequences, y):
        flat, observed = self._step_labels(sequences, y)
        self.classes_ = LabelEncoder().fit(flat).classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"y holds one label ({self.classes_[0]}); a tagger needs at least 2 to learn."
            )
        return self._encode(flat, observed), len(self.classes_)

    def _transform_targets(self, sequences, y):
        return self._encode(*self._step_labels(sequences, y))

    def _encode(self, flat, observed):
        unseen = ~np.isin(flat, self.classes_)
        if unseen.any():
            raise ValueError(
                f"y holds labels not in classes_ {list(self.classes_)}: "
                f"{list(np.unique(flat[unseen]))[:5]}."
            )
        targets = np.full(observed.shape, _IGNORED, dtype=np.int64)
        targets[observed] = np.searchsorted(self.classes_, flat)
        return targets

    def _loss(self, device, targets):
        def loss(logits, step_targets, reduction="mean"):
            if reduction == "mean":  # over every observed step of the batch
                return torch.nn.functional.cross_entropy(
                    logits.flatten(0, 1), step_targets.flatten(), ignore_index=_IGNORED
                )
            per_step = torch.nn.functional.cross_entropy(
                logits.transpose(1, 2), step_targets, ignore_index=_IGNORED, reduction="none"
            )  # (B, T), 0 at padded steps
            observed = (step_targets != _IGNORED).sum(dim=1).clamp_min(1)
            return per_step.sum(dim=1) / observed  # one loss per sequence

        return loss

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.single_output = False
        tags.target_tags.multi_output = True
        return tags


def _uniform_labels(labels):
    """``labels`` (an object array), refused when one is missing or when strings and
    numbers are mixed (an encoder would sort them, numpy would turn 1 into "1")."""
    missing = np.array(
        [label is None or (isinstance(label, float) and label != label) for label in labels],
        dtype=bool,
    )
    if missing.any():
        position = int(np.flatnonzero(missing)[0])
        raise ValueError(
            f"y holds a missing label ({labels[position]!r}) at observed step {position} "
            "(counting every sequence's steps in order): give every observed step a label, "
            "or drop the unlabelled steps from X and y."
        )
    text = np.array([isinstance(label, str) for label in labels], dtype=bool)
    if text.any() and not text.all():
        kinds = sorted({type(label).__name__ for label in labels})
        raise ValueError(
            f"y mixes label types {kinds}: labels must be all strings or all numbers "
            f"(e.g. {labels[np.flatnonzero(~text)[0]]!r} and "
            f"{labels[np.flatnonzero(text)[0]]!r}). Convert them to one type."
        )
    return labels
