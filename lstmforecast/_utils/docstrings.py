"""The parameter and attribute entries that several estimators share, written once.

A class docstring names a shared entry by a line ``{{name}}`` (indented like the other
entries); ``shared_docs`` replaces it at import with the entry below, so that ``help``,
the API reference and the estimators themselves read the same words, which copies
could not keep (``verbose``, ``history_`` and ``device`` had drifted apart in four
estimators). tests/test_docstrings.py checks that the shared entries read identically
wherever they appear.
"""

import re

__all__ = ["SHARED_ENTRIES", "shared_docs"]

SHARED_ENTRIES = {
    # -- the recurrent estimators' training parameters
    "warm_start": """\
warm_start : bool, default=False
    Continue training the fitted network on the next ``fit``.""",
    "random_state": """\
random_state : int, RandomState instance or None, default=None
    Seeds initialisation, dropout and batch order: two fits with the same integer
    are bit-identical on CPU. torch's global RNG is left untouched.""",
    "device": """\
device : {"auto", "cpu", "cuda"}, default="auto"
    Where to train and predict: "auto" uses CUDA when PyTorch sees a GPU, else the
    CPU; a torch device string such as "cuda:1" picks one GPU.""",
    "n_threads": """\
n_threads : "auto", int or None, default="auto"
    torch's intra-op threads during fit and predict, restored afterwards. "auto" uses
    one thread on the CPU unless a batch is large enough to gain from more (batch
    size x hidden size squared of at least 2**24; no default configuration reaches
    it): a small recurrent model gains nothing from more, and on a busy machine
    torch's spinning workers make it many times slower. None leaves torch's setting
    as it is.""",
    "precision": """\
precision : {"fp32", "bf16", "fp16"}, default="fp32"
    Mixed precision for training and prediction (torch.autocast); "fp16" needs
    CUDA and uses loss scaling; "bf16" runs on CPUs with a bf16 kernel for the cell
    (probed once; x86 needs AVX-512 for the LSTM, else a clear error). The
    recurrence stays on the fused cuDNN kernel in every precision.""",
    "verbose": """\
verbose : int, default=0
    0 is quiet. 1 shows a tqdm progress bar with the latest losses on stderr; 2 also
    logs one line per epoch through ``logging.getLogger("lstmforecast")`` (to stderr
    when logging is not configured). See :class:`~lstmforecast.callbacks.ProgressBar`
    and :class:`~lstmforecast.callbacks.EpochLogger`.""",
    "callbacks": """\
callbacks : list of objects, default=None
    Called during training: any object with some of ``on_train_begin(estimator)``,
    ``on_batch_end(estimator, batch, logs)``, ``on_epoch_end(estimator, epoch,
    logs)`` (a truthy return stops training) and ``on_train_end(estimator)``. See
    :mod:`lstmforecast.callbacks` for the built-in ones (checkpoints, logging).""",
    # -- the recurrent estimators' fitted attributes
    "loss_curve_": """\
loss_curve_ : dict of lists
    One row per epoch: ``"epoch"``, ``"train_loss"``, ``"valid_loss"`` (NaN without
    early stopping), ``"lr"``, and any key a callback adds to the logs. The lists
    have equal lengths: ``pandas.DataFrame(est.loss_curve_)`` is the table. Named
    ``history_`` before 0.2 (that name warns until 0.4).""",
    "n_iter_": """\
n_iter_ : int
    Epochs run.""",
    "device_": """\
device_ : torch.device
    Where the network was trained and predicts.""",
    # -- a custom network (LSTMRegressor, LSTMClassifier)
    "module": """\
module : torch.nn.Module class, default=None
    Your own network instead of the built-in one, constructed as
    ``module(n_inputs=..., n_outputs=..., **module__params)`` and called as
    ``forward(x, lengths)`` on standardised, front-padded sequences (the protocol
    is in the user guide, "Your own network"). Its arguments are the estimator's
    ``module__<name>`` parameters, which ``get_params``, ``set_params`` and
    ``GridSearchCV`` see. The built-in network's parameters (``cell`` to
    ``embedding_dim``'s network shape) are then unused, except ``embedding_dim``,
    which still says that X holds token ids.""",
    # -- every forecaster's number of y columns
    "n_outputs_": """\
n_outputs_ : int
    Number of columns of ``y`` seen in ``fit``: the forecast steps of a
    ``make_supervised(..., horizon=h)`` target.""",
    # -- the row forecasters' (statistical baselines')
    "target_column": """\
target_column : int or str, default=0
    Column of ``X`` that holds the target series: a position, or a name when ``X`` is
    a pandas DataFrame.""",
    "target_index_": """\
target_index_ : int
    Position of the target column in ``X``.""",
    "index_signature_": """\
index_signature_ : tuple or None
    Last index label and step of a pandas ``X`` seen in ``fit`` (None otherwise).""",
}

_PLACEHOLDER = re.compile(r"^( *)\{\{(\w+)\}\}$", flags=re.MULTILINE)


def shared_docs(cls):
    """Class decorator: each ``{{name}}`` line of the docstring becomes the shared entry
    ``name``, indented as the line was. An unknown name is a KeyError at import."""
    if cls.__doc__:

        def entry(match):
            indent, name = match.groups()
            return "\n".join(indent + line for line in SHARED_ENTRIES[name].splitlines())

        cls.__doc__ = _PLACEHOLDER.sub(entry, cls.__doc__)
    return cls
