"""What the recurrent regressor and classifier share: hyper-parameters, input handling,
the fit / partial_fit machinery, prediction and device-independent pickling."""

import contextlib
import copy
import threading
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._device import resolve_device, supports_bf16
from ._network import CELLS, POOLINGS, RecurrentNetwork
from ._params import check_choice, check_int, check_real
from ._sequences import check_sequences, preview
from ._training import PRECISIONS, forward_all, seeded_generator, split_latest, to_tensor, train
from ._training import Sequences as TrainingSequences

_GLOBAL_RNG_LOCK = threading.Lock()

# Statistics of huge inputs are estimated on at most this many time steps.
STATS_MAX_STEPS = 2_000_000


class RecurrentEstimator(BaseEstimator):
    """Base class; use :class:`LSTMRegressor` or :class:`LSTMClassifier`."""

    _requires_y = True  # False for estimators that learn from X alone (autoencoder)
    _network_class = RecurrentNetwork  # a subclass may change the head (e.g. per step)

    def _store_params(self, arguments):
        """Keep the ``__init__`` arguments as attributes, nothing else (sklearn's rule);
        each subclass spells its full signature so that get_params can read it."""
        for name, value in arguments.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)

    # -- subclass hooks -------------------------------------------------------------
    def _fit_targets(self, sequences, y):
        """Validate y, fit target transforms; return (targets array, n_outputs)."""
        raise NotImplementedError

    def _transform_targets(self, sequences, y):
        raise NotImplementedError

    def _loss(self, device, targets):
        """The training loss, a callable (outputs, targets) -> scalar tensor."""
        raise NotImplementedError

    # -- fitting --------------------------------------------------------------------
    def fit(self, X, y):
        """Train the network on sequences X and targets y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_features) or (n_samples, n_steps), \
or list of arrays of shape (n_steps_i, n_features)
            Sequences, oldest step first. Leading all-NaN steps are padding (shorter
            sequences). With ``embedding_dim`` set: integer token ids, 0 = padding.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        keep = self.warm_start and hasattr(self, "network_")
        return self._fit(X, y, max_epochs=self.max_epochs, keep_network=keep)

    def _fit(self, X, y, *, max_epochs, keep_network, incremental=False):
        """Train; ``incremental`` (partial_fit) holds nothing out for validation, as
        scikit-learn's MLP does, since each chunk is already new data."""
        self._check_params()
        if y is None and self._requires_y:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        tokens = self.embedding_dim is not None
        sequences = check_sequences(self, X, reset=not keep_network, tokens=tokens)
        if keep_network:
            targets = self._transform_targets(sequences, y)
        else:
            targets, n_outputs = self._fit_targets(sequences, y)
        device = resolve_device(self.device)
        if self.precision == "fp16" and device.type != "cuda":
            raise ValueError(
                f'precision="fp16" needs a CUDA device, but training runs on {device}. Use '
                'precision="bf16" (CPU and recent GPUs) or "fp32".'
            )
        if self.precision == "bf16" and not supports_bf16(device.type, self.cell):
            raise ValueError(
                f'precision="bf16" is not supported for cell={self.cell!r} on this {device.type}'
                " (PyTorch has no bf16 kernel for it here; on x86 CPUs oneDNN's bf16 LSTM "
                'needs AVX-512). Use precision="fp32".'
            )
        rng_devices = [device.index or 0] if device.type == "cuda" else []
        if not keep_network:
            self._seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            with _seeded_global_rng(self._seed, rng_devices):
                self.network_ = self._build_network(sequences, n_outputs)
            self.history_ = {"train_loss": [], "valid_loss": []}
            self.n_iter_ = 0
            self.__dict__.pop("_optimizer_state", None)
        # Continued training draws new batch orders and dropout masks, not the first ones.
        seed = self._seed + self.n_iter_
        drawing = self.dropout > 0 or self.recurrent_dropout > 0
        with _seeded_global_rng(seed, rng_devices) if drawing else contextlib.nullcontext():
            network = self.network_.to(device)
            train_set, valid_set = self._training_data(
                sequences, targets, device, self.early_stopping and not incremental
            )
            optimizer = torch.optim.Adam(
                network.parameters(), lr=self.lr, weight_decay=self.weight_decay
            )
            if keep_network and hasattr(self, "_optimizer_state"):
                optimizer.load_state_dict(self._optimizer_state)  # Adam's moments go on
            scheduler = None
            if self.lr_schedule == "plateau":
                scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
                    optimizer, factor=0.5, patience=max(1, self.n_iter_no_change // 2)
                )
            before = len(self.history_["train_loss"])
            train(
                network,
                train_set,
                valid_set,
                loss=self._loss(device, targets),
                max_epochs=max_epochs,
                batch_size=self.batch_size,
                optimizer=optimizer,
                generator=seeded_generator(seed),
                n_iter_no_change=self.n_iter_no_change,
                tol=self.tol,
                clip_grad_norm=self.clip_grad_norm,
                scheduler=scheduler,
                verbose=self.verbose,
                precision=self.precision,
                history=self.history_,
            )
        self.n_iter_ += len(self.history_["train_loss"]) - before
        self._optimizer_state = optimizer.state_dict()
        self.device_ = device
        return self

    def _training_data(self, sequences, targets, device, validate):
        """(train set, validation set or None) as tensors on ``device``."""
        data = TrainingSequences(
            self._network_inputs(sequences, device),
            torch.from_numpy(sequences.lengths),
            to_tensor(targets, device),
        )
        if validate:
            return split_latest(data, self.validation_fraction)
        return data, None

    def _build_network(self, sequences, n_outputs):
        tokens = self.embedding_dim is not None
        if tokens:
            # Ids 1..max seen in fit; one more row stands for ids never seen (see docs).
            self.vocabulary_size_ = int(sequences.values.max()) + 1
            if self.vocabulary_size_ > max(1_000_000, 10 * sequences.values.size):
                raise ValueError(
                    f"Token ids go up to {self.vocabulary_size_ - 1}, far more than the "
                    "tokens in X: the embedding would need a row per id. Renumber the "
                    "tokens 1..n_distinct (e.g. with sklearn's LabelEncoder, + 1)."
                )
        network = self._network_class(
            self.n_step_features_,
            n_outputs,
            cell=self.cell,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            recurrent_dropout=self.recurrent_dropout,
            pooling=self.pooling,
            conv_channels=self.conv_channels,
            conv_kernel_size=self.conv_kernel_size,
            vocab_size=self.vocabulary_size_ + 1 if tokens else None,
            embedding_dim=self.embedding_dim,
        )
        if not tokens and self._scales_inputs():
            shift, scale = feature_stats(sequences.values)
            network.input_shift.copy_(torch.from_numpy(shift))
            network.input_scale.copy_(torch.from_numpy(scale))
        return network

    def _scales_inputs(self):
        return True

    def _network_inputs(self, sequences, device):
        values = sequences.values
        if self.embedding_dim is not None:
            unknown = self.vocabulary_size_
            values = np.where(values >= unknown, unknown, values)
        return to_tensor(values, device)

    # -- prediction -----------------------------------------------------------------
    def _forward(self, X):
        """Raw network outputs for X, and the validated sequences."""
        check_is_fitted(self, "network_")
        sequences = check_sequences(self, X, reset=False, tokens=self.embedding_dim is not None)
        device = self.device_
        inputs = self._network_inputs(sequences, device)
        lengths = torch.from_numpy(sequences.lengths)
        precision = self.precision
        if (precision == "fp16" and device.type != "cuda") or (
            precision == "bf16" and not supports_bf16(device.type, self.cell)
        ):
            precision = "fp32"  # e.g. fitted in half precision on a GPU, loaded elsewhere
        return forward_all(self.network_, inputs, lengths, precision), sequences

    def summary(self, print_fn=print):
        """Print a Keras-style table of the fitted network's layers.

        See :func:`lstmforecast.summary`.
        """
        from ._summary import summary

        return summary(self, print_fn=print_fn)

    # -- parameters -----------------------------------------------------------------
    def _check_params(self):
        check_choice(self.cell, "cell", tuple(CELLS))
        check_choice(self.pooling, "pooling", POOLINGS)
        check_choice(self.lr_schedule, "lr_schedule", (None, "plateau"))
        check_choice(self.precision, "precision", tuple(PRECISIONS))
        for name in ("hidden_size", "num_layers", "batch_size", "max_epochs", "n_iter_no_change"):
            check_int(getattr(self, name), name, minimum=1)
        check_int(self.conv_kernel_size, "conv_kernel_size", minimum=1)
        if self.conv_channels is not None:
            check_int(self.conv_channels, "conv_channels", minimum=1)
        if self.embedding_dim is not None:
            check_int(self.embedding_dim, "embedding_dim", minimum=1)
        for name in ("dropout", "recurrent_dropout"):
            check_real(getattr(self, name), name, 0.0, 1.0, closed_high=False)
        check_real(
            self.validation_fraction,
            "validation_fraction",
            0.0,
            1.0,
            closed_low=False,
            closed_high=False,
        )
        check_real(self.lr, "lr", 0.0, np.inf, closed_low=False)
        check_real(self.weight_decay, "weight_decay", 0.0, np.inf)
        check_real(self.tol, "tol", 0.0, np.inf)
        if self.clip_grad_norm is not None:
            check_real(self.clip_grad_norm, "clip_grad_norm", 0.0, np.inf, closed_low=False)

    # -- pickling -------------------------------------------------------------------
    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_optimizer_state", None)  # device tensors; warm restarts begin Adam anew
        network = state.get("network_")
        if network is not None and any(p.device.type != "cpu" for p in network.parameters()):
            # Pickles hold CPU tensors, so they load on machines without the GPU.
            state["network_"] = copy.deepcopy(network).to("cpu")
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        device = state.get("device_")
        if device is None or device.type == "cpu":
            return
        usable = torch.cuda.is_available() and (device.index or 0) < torch.cuda.device_count()
        if self.device != "cpu" and usable:
            self.network_.to(device)
        else:
            warnings.warn(
                f"This {type(self).__name__} was fitted on {device}, which is not available "
                "here: it was loaded on the CPU and will predict there.",
                UserWarning,
                stacklevel=2,
            )
            self.device_ = torch.device("cpu")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Leading all-NaN steps are padding, but NaN anywhere else is an error.
        tags.input_tags.allow_nan = False
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        return tags


@contextlib.contextmanager
def _seeded_global_rng(seed, devices):
    """torch's global RNG, seeded for this fit and restored afterwards.

    Weight initialisation and dropout can only draw from it, so a fit is reproducible
    from random_state alone and leaves the caller's RNG as it was. The RNG is
    process-wide: the lock keeps fits running in threads of one process (dask's thread
    workers, joblib's threading backend) from seeding and drawing it at the same time.
    """
    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=devices):
        # Not torch.manual_seed: it reseeds every GPU, and only `devices` are restored.
        torch.random.default_generator.manual_seed(seed)
        for index in devices:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield


def feature_stats(values):
    """Per-feature mean and standard deviation over every observed (non-NaN) step."""
    n, n_steps, _ = values.shape
    if n * n_steps > STATS_MAX_STEPS:
        values = values[:: int(np.ceil(n * n_steps / STATS_MAX_STEPS))]
    shift = np.nanmean(values, axis=(0, 1), dtype=np.float64)
    scale = np.nanstd(values, axis=(0, 1), dtype=np.float64)
    scale[~(scale > 1e-12)] = 1.0  # constant features: shift only
    return shift.astype(np.float32), scale.astype(np.float32)


def check_targets_finite(y):
    bad = ~np.isfinite(y)
    if bad.any():
        rows = np.flatnonzero(bad.reshape(len(y), -1).any(axis=1))
        raise ValueError(
            f"y contains NaN or inf in rows [{preview(rows)}]; drop those rows (e.g. the "
            "final rows that have no future) or impute them."
        )
