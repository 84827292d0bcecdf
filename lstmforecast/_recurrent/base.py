"""What the recurrent regressor and classifier share: hyper-parameters, input handling,
the fit / partial_fit machinery, prediction and device-independent pickling."""

import contextlib
import copy
import threading
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from .._preprocessing.sequences import check_sequences, reject_nonfinite, warn_out_of_range
from .._torch.device import resolve_device, supports_bf16
from .._torch.module import build_custom
from .._torch.network import CELLS, POOLINGS, RecurrentNetwork, is_quantized
from .._torch.training import (
    PRECISIONS,
    PREDICT_BATCH,
    LabelledSequences,
    _EarlyStopping,
    _PlateauSchedule,
    forward_all,
    new_history,
    seeded_generator,
    sliding_windows_on,
    split_latest,
    to_tensor,
    train,
)
from .._utils.deprecation import RenamedState, renamed_attribute
from .._utils.params import HintedParams, positive_int
from .._utils.threads import torch_threads, training_threads
from .._utils.transaction import transactional
from ..callbacks import EpochLogger, ProgressBar

_GLOBAL_RNG_LOCK = threading.Lock()

# Statistics of huge inputs are estimated on at most this many time steps.
STATS_MAX_STEPS = 2_000_000


class RecurrentEstimator(HintedParams, RenamedState, BaseEstimator):
    """Base class; use :class:`LSTMRegressor` or :class:`LSTMClassifier`."""

    # ``history_`` meant three things (this, the Windower's last rows, the seasonal
    # naive's last season); the training losses are ``loss_curve_`` since 0.2.
    _renamed_attributes = {"history_": "loss_curve_"}
    history_ = renamed_attribute("history_", "loss_curve_")

    _network_class = RecurrentNetwork  # a subclass may change the head (e.g. per step)

    # Checked by fit (sklearn's validation, with its messages); what depends on the
    # data or the machine (device, target_anchor's range, bf16) is checked where known.
    _parameter_constraints = {
        "cell": [StrOptions(set(CELLS))],
        "hidden_size": positive_int(),
        "num_layers": positive_int(),
        "bidirectional": ["boolean"],
        "pooling": [StrOptions(set(POOLINGS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "recurrent_dropout": [Interval(Real, 0, 1, closed="left")],
        "conv_channels": [*positive_int(), None],
        "conv_kernel_size": positive_int(),
        "embedding_dim": [*positive_int(), None],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": positive_int(),
        "max_epochs": positive_int(),
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": positive_int(),
        "tol": [Interval(Real, 0, None, closed="left")],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "lr_schedule": [StrOptions({"plateau"}), None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "device": [str],
        "n_threads": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}), None],
        "precision": [StrOptions(set(PRECISIONS))],
        "verbose": ["verbose"],
        "callbacks": [list, tuple, None],
        "module": "no_validation",  # _module.build_custom says what a module must be
    }

    @classmethod
    def _constraints_of(cls, names):
        """The shared constraints of the parameters ``names`` (a subclass without, e.g.,
        ``pooling`` declares exactly its own, as sklearn's check_param_validation wants)."""
        return {name: cls._parameter_constraints[name] for name in names}

    def _store_params(self, arguments):
        """Keep the ``__init__`` arguments as attributes, nothing else (sklearn's rule);
        each subclass spells its full signature so that get_params can read it. The
        ``module__*`` keyword arguments (collected in ``module_params``) are parameters
        too: they go to the constructor of a custom ``module``."""
        for name, value in arguments.items():
            if name == "module_params":
                # Other names are kept too and rejected by fit: __init__ never raises.
                for key, item in value.items():
                    setattr(self, key, item)
            elif name not in ("self", "__class__"):
                setattr(self, name, value)

    def get_params(self, deep=True):
        """Get the parameters of this estimator, ``module__*`` ones included.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of nested estimators.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        params.update(self._module_params())
        return params

    def set_params(self, **params):
        """Set the parameters of this estimator, ``module__*`` ones included.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : estimator instance
        """
        known = set(self._get_param_names())
        for name in list(params):
            # module__* ones, and (as __init__ does) unknown plain names, which fit rejects.
            if name.startswith("module__") or ("__" not in name and name not in known):
                setattr(self, name, params.pop(name))
        return super().set_params(**params)

    def _module_params(self):
        return {name: value for name, value in vars(self).items() if name.startswith("module__")}

    # -- subclass hooks -------------------------------------------------------------
    def _fit_targets(self, sequences, y, **target_params):
        """Validate y, fit target transforms; return (targets array, n_outputs).
        ``target_params`` are what the subclass's fit methods pass to ``_fit``."""
        raise NotImplementedError

    def _transform_targets(self, sequences, y):
        raise NotImplementedError

    def _loss(self, device, targets):
        """The training loss, torch functional style: ``loss(outputs, targets,
        reduction="mean" | "none")`` (e.g. ``torch.nn.functional.mse_loss``); the engine
        weighs the unreduced one with the sample weights."""
        raise NotImplementedError

    def _sample_weights(self, sequences, targets, sample_weight):
        """Per-sample loss weights as a float32 array, or None for equal weights."""
        if sample_weight is None:
            return None
        weights = _check_sample_weight(
            sample_weight, sequences.lengths, dtype=np.float64, ensure_non_negative=True
        )
        if not np.isfinite(weights).all():
            raise ValueError("sample_weight contains NaN or inf; give finite weights >= 0.")
        return weights.astype(np.float32)

    # -- fitting --------------------------------------------------------------------
    @transactional
    def fit(self, X, y, sample_weight=None):
        """Train the network on sequences X and targets y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_features) or (n_samples, n_steps), \
or list of arrays of shape (n_steps_i, n_features)
            Sequences, oldest step first. Leading all-NaN steps are padding (shorter
            sequences). With ``embedding_dim`` set: integer token ids, 0 = padding.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample in the loss, the early-stopping
            validation loss included: a weight of 2 counts a sample as if it were
            there twice, 0 ignores it. In a Pipeline, pass it as
            ``<step>__sample_weight``, or with metadata routing request it with
            ``set_fit_request(sample_weight=True)``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        keep = self.warm_start and hasattr(self, "network_")
        return self._fit(X, y, sample_weight, max_epochs=self.max_epochs, keep_network=keep)

    def _fit(self, X, y, sample_weight, *, max_epochs, keep_network, incremental=False, **target):
        """Train; ``incremental`` (partial_fit) holds nothing out for validation, as
        scikit-learn's MLP does, since each chunk is already new data. ``target`` goes to
        ``_fit_targets`` (e.g. a classifier's ``classes``)."""
        self._check_params()
        if y is None and self.__sklearn_tags__().target_tags.required:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        if keep_network and is_quantized(self.network_):
            raise ValueError(
                f"This {type(self).__name__} is an int8 copy made by quantize(), which cannot "
                "be trained further (partial_fit, warm_start): train the float model, then "
                "quantize it again, or fit this one from scratch with warm_start=False."
            )
        tokens = self.embedding_dim is not None
        sequences = check_sequences(self, X, reset=not keep_network, tokens=tokens)
        if keep_network:
            targets = self._transform_targets(sequences, y)
        else:
            targets, n_outputs = self._fit_targets(sequences, y, **target)
        weights = self._sample_weights(sequences, targets, sample_weight)
        device = resolve_device(self.device)
        self._check_precision(device)
        rng_devices = [device.index or 0] if device.type == "cuda" else []
        if not keep_network:
            self._seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            # The training inputs' statistics: the out-of-range warning of predict's, and
            # the network's input standardisation (computed once for both).
            tokens = self.embedding_dim is not None
            self._input_stats = None if tokens else feature_stats(sequences.values)
            # The only draws from torch's process-wide RNG that need its lock: the
            # initial weights. Dropout draws per batch (see _dropout_scope).
            with _seeded_global_rng(self._seed, rng_devices):
                self.network_ = self._build_network(sequences, n_outputs)
            self.loss_curve_ = new_history()
            self.n_iter_ = 0
            self.__dict__.pop("_optimizer_state", None)
        # Continued training draws new batch orders and dropout masks, not the first ones.
        seed = self._seed + self.n_iter_
        network = self.network_.to(device)
        self.device_ = device  # from here on the estimator predicts, even if interrupted
        train_set, valid_set = self._training_data(
            sequences, targets, weights, device, self.early_stopping and not incremental
        )
        max_epochs = self._epoch_budget(max_epochs, len(train_set))
        optimizer = torch.optim.Adam(
            network.parameters(), lr=self.lr, weight_decay=self.weight_decay
        )
        if keep_network and hasattr(self, "_optimizer_state"):
            optimizer.load_state_dict(self._optimizer_state)  # Adam's moments go on
        before = len(self.loss_curve_["train_loss"])
        batch_size = self._batch_size(len(train_set))
        try:
            with torch_threads(self._threads(device, batch_size)):
                train(
                    network,
                    train_set,
                    valid_set,
                    estimator=self,
                    loss=self._loss(device, targets),
                    max_epochs=max_epochs,
                    batch_size=batch_size,
                    optimizer=optimizer,
                    generator=seeded_generator(seed),
                    callbacks=self._training_callbacks(optimizer, valid_set, max_epochs),
                    clip_grad_norm=self.clip_grad_norm,
                    precision=self.precision,
                    forward_scope=self._dropout_scope(seed, rng_devices),
                    history=self.loss_curve_,
                )
        finally:
            self.n_iter_ += len(self.loss_curve_["train_loss"]) - before
            self._optimizer_state = optimizer.state_dict()
        return self

    def _threads(self, device, batch_size):
        """torch's intra-op threads for work on ``batch_size`` sequences (see n_threads)."""
        return training_threads(
            self.n_threads, batch_size=batch_size, hidden_size=self.hidden_size, device=device
        )

    def _batch_size(self, n_train):  # noqa: ARG002 (a subclass may size it on the data)
        return self.batch_size

    def _epoch_budget(self, max_epochs, n_train):
        """The epochs to train for; a subclass may derive them from the data size
        (e.g. ``max_epochs="auto"``)."""
        return max_epochs

    def _check_precision(self, device):
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

    def _training_callbacks(self, optimizer, valid_set, max_epochs):
        """The engine's own callbacks, the user's, then the display ones."""
        monitor = "train_loss" if valid_set is None else "valid_loss"
        callbacks = []
        if self.lr_schedule == "plateau":
            patience = max(1, self.n_iter_no_change // 2)
            callbacks.append(_PlateauSchedule(optimizer, monitor, patience))
        # Without a validation set, stop on a stalled training loss as sklearn's MLP does;
        # with one, also put back the weights of the best validation epoch at the end.
        callbacks.append(
            _EarlyStopping(monitor, self.n_iter_no_change, self.tol, valid_set is not None)
        )
        callbacks.extend(self.callbacks or ())
        if self.verbose:
            callbacks.append(ProgressBar(total=max_epochs))
        if self.verbose >= 2:
            callbacks.append(EpochLogger())
        return callbacks

    def _draws_randomness(self):
        """Whether training draws from torch's global RNG (dropout); a custom module
        may, so it is treated as drawing."""
        return self.module is not None or self.dropout > 0 or self.recurrent_dropout > 0

    def _dropout_scope(self, seed, rng_devices):
        """Per batch, a context that seeds torch's global RNG for the forward pass (where
        dropout masks are drawn) from this fit's own stream, under the lock; backward
        and the optimizer step run outside it, so threaded fits overlap and stay
        reproducible. None when nothing is drawn."""
        if not self._draws_randomness():
            return None
        stream = seeded_generator(seed + 0x5EED)

        def scope(batch):
            batch_seed = int(torch.randint(2**62, (1,), generator=stream))
            return _seeded_global_rng(batch_seed, rng_devices)

        return scope

    def _training_data(self, sequences, targets, weights, device, validate):
        """(train set, validation set or None) as tensors on ``device``."""
        data = LabelledSequences(
            self._network_inputs(sequences, device),
            torch.from_numpy(sequences.lengths),
            to_tensor(targets, device),
            None if weights is None else to_tensor(weights, device),
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
        if self.module is not None:
            n_inputs = self.vocabulary_size_ + 1 if tokens else self.n_step_features_
            network = build_custom(self.module, n_inputs, n_outputs, tokens, self._module_params())
        else:
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
                **self._network_options(),
            )
        if not tokens and self._scales_inputs():
            shift, scale = self._input_stats  # feature_stats(sequences.values), set by _fit
            network.input_shift.copy_(torch.from_numpy(shift))
            network.input_scale.copy_(torch.from_numpy(scale))
        return network

    def _scales_inputs(self):
        return True

    def _network_options(self):
        """Keyword arguments of the built-in network that a subclass adds."""
        return {}

    def _encode_inputs(self, sequences):
        """The validated sequences on the scale the network was trained on, for
        prediction (a subclass's target encoding may transform them); as they are."""
        return sequences

    def _network_inputs(self, sequences, device):
        values = sequences.values
        if self.embedding_dim is not None:
            unknown = self.vocabulary_size_
            values = np.where(values >= unknown, unknown, values)
        elif device.type != "cpu" and len(values) > 1 and values.strides[0] == values.strides[1]:
            # A Windower's view: send the rows, not every window (a CPU tensor shares the
            # view's memory already).
            return sliding_windows_on(values, device)
        return to_tensor(values, device)

    # -- prediction -----------------------------------------------------------------
    def _forward(self, X, network=None):
        """Raw network outputs for X, and the validated sequences. ``network``: a module
        wrapping ``network_`` that gives other outputs (e.g. per-step errors)."""
        check_is_fitted(self, "network_")
        sequences = check_sequences(self, X, reset=False, tokens=self.embedding_dim is not None)
        sequences = self._encode_inputs(sequences)
        device = self.device_
        inputs = self._network_inputs(sequences, device)
        # After _encode_inputs: a target transform puts the values on the fit's scale.
        warn_out_of_range(self, sequences.values, getattr(self, "_input_stats", None))
        lengths = torch.from_numpy(sequences.lengths)
        precision = self.precision
        if (precision == "fp16" and device.type != "cuda") or (
            precision == "bf16" and not supports_bf16(device.type, self.cell)
        ):
            precision = "fp32"  # e.g. fitted in half precision on a GPU, loaded elsewhere
        with torch_threads(self._threads(device, min(len(inputs), PREDICT_BATCH))):
            network = self.network_ if network is None else network
            outputs = forward_all(network, inputs, lengths, precision, PREDICT_BATCH)
        return outputs, sequences

    def summary(self, print_fn=print):
        """Print a Keras-style table of the fitted network's layers.

        See :func:`lstmforecast.summary`.
        """
        from .._torch.summary import summary

        return summary(self, print_fn=print_fn)

    # -- parameters -----------------------------------------------------------------
    def _check_params(self):
        """sklearn's declarative validation of ``_parameter_constraints``, plus the
        keyword arguments that are no parameter (``__init__`` keeps them, fit refuses)."""
        params = set(self._get_param_names())
        unknown = [
            name
            for name in vars(self)
            if not (name in params or name.startswith(("_", "module__")) or name.endswith("_"))
        ]
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unexpected keyword argument(s) {unknown}: only "
                "its documented parameters and module__<name> ones (for the constructor of "
                "a custom module) are accepted."
            )
        self._validate_params()
        if self.module is None and self._module_params():
            raise TypeError(
                f"{type(self).__name__} got {sorted(self._module_params())} without module=: "
                "module__<name> parameters go to the constructor of a custom module. Pass "
                "module=YourModule, or drop them."
            )
        check_callbacks(self.callbacks)

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


_CALLBACK_HOOKS = ("on_train_begin", "on_batch_end", "on_epoch_end", "on_train_end")


def check_callbacks(callbacks):
    """Refuse what training would never call (a function) or could not call (a class)."""
    for callback in callbacks or ():
        if isinstance(callback, type):
            raise TypeError(
                f"callbacks holds the class {callback.__name__}; pass an instance, e.g. "
                f"callbacks=[{callback.__name__}()]."
            )
        if not any(callable(getattr(callback, hook, None)) for hook in _CALLBACK_HOOKS):
            raise TypeError(
                f"callbacks holds {callback!r}, which has none of the methods training calls "
                f"({', '.join(_CALLBACK_HOOKS)}). Wrap a function in a Callback subclass: "
                "class MyCallback(Callback): def on_epoch_end(self, estimator, epoch, logs): ..."
            )


def feature_stats(values):
    """Per-feature mean and standard deviation over every observed (non-NaN) step."""
    n, n_steps, _ = values.shape
    if n * n_steps > STATS_MAX_STEPS:
        values = values[:: int(np.ceil(n * n_steps / STATS_MAX_STEPS))]
    # numpy's nanmean and nanstd (float64 sums; the deviations squared in the input's
    # dtype) in one pass over one copy instead of two: the same sums, the same bits.
    missing = np.isnan(values)
    deviations = np.where(missing, values.dtype.type(0), values)
    count = np.sum(~missing, axis=(0, 1), dtype=np.intp, keepdims=True)
    mean = np.sum(deviations, axis=(0, 1), dtype=np.float64, keepdims=True) / count
    np.subtract(deviations, mean, out=deviations, casting="unsafe")
    deviations[missing] = 0
    np.multiply(deviations, deviations, out=deviations)
    scale = np.sqrt(np.sum(deviations, axis=(0, 1), dtype=np.float64) / count[0, 0])
    scale[~(scale > 1e-12)] = 1.0  # constant features: shift only
    return mean[0, 0].astype(np.float32), scale.astype(np.float32)


def check_targets_finite(y):
    reject_nonfinite(
        y, "y", "drop those rows (e.g. the final rows that have no future) or impute them"
    )
