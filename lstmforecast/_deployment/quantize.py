"""Int8 dynamic quantization of a fitted recurrent model, for CPU serving."""

import copy
import warnings

import torch
from sklearn.utils._param_validation import HasMethods
from torch import nn

from .._torch.network import is_quantized
from .._utils.params import validate_arguments

# torch's dynamic int8 kernels: LSTM and GRU recurrences and linear layers (nn.RNN has none).
_QUANTIZABLE_CELLS = ("lstm", "gru")


@validate_arguments(
    {"model": [HasMethods(["predict"])]},
    {"model": "Pass a fitted LSTMRegressor, LSTMClassifier or a Pipeline ending in one."},
)
def quantize(model):
    """Return a copy of a fitted recurrent model with int8 dynamic quantization.

    The weights of the recurrent layers (LSTM, GRU) and of the linear layers (head,
    attention) are stored in int8 and activations are quantized on the fly
    (``torch.ao.quantization.quantize_dynamic``), which makes the weights about 4x
    smaller at a small cost in accuracy. It speeds CPU prediction up only for wide
    layers (hundreds of units): on narrow ones, quantizing the activations at every step
    costs more than the int8 products save. Convolutions stay in float32 (torch has no
    dynamic int8 kernel for them): the default classifier's convolutional branch
    (``fcn_channels``, most of its weights) keeps its size. The copy predicts
    through the usual API (``predict``, ``predict_proba``, ``score``) on the CPU; the
    original is left as it was.

    Parameters
    ----------
    model : LSTMRegressor, LSTMClassifier or Pipeline
        Fitted; a Pipeline is copied with its last step quantized. A model fitted on a
        GPU or in bf16/fp16 is quantized from its float32 weights on the CPU.

    Returns
    -------
    quantized : estimator
        The quantized copy: it predicts on the CPU in fp32 + int8 (its ``precision``
        is set to "fp32"). Refit it to train again. :func:`save` and
        :func:`export_onnx` refuse it: save or export the float model instead, and
        quantize after loading (quantization is deterministic).

    Raises
    ------
    ValueError
        If the model is not a fitted LSTMRegressor / LSTMClassifier (or a Pipeline
        ending in one), uses ``cell="rnn"``, which torch has no int8 kernel for, or is
        already quantized.

    Examples
    --------
    >>> import numpy as np
    >>> from lstmforecast import LSTMRegressor, quantize
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(200, 8, 1)), rng.normal(size=200)
    >>> model = LSTMRegressor(hidden_size=32, max_epochs=2, random_state=0).fit(X, y)
    >>> small = quantize(model)
    >>> small.predict(X).shape
    (200,)
    """
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    from .._recurrent.base import RecurrentEstimator

    if isinstance(model, Pipeline):
        quantized = copy.copy(model)  # shallow: the other fitted steps are shared, unchanged
        name, last = model.steps[-1]
        quantized.steps = [*model.steps[:-1], (name, quantize(last))]
        return quantized
    if not isinstance(model, RecurrentEstimator):
        raise ValueError(
            "quantize needs a fitted LSTMRegressor or LSTMClassifier, or a Pipeline ending "
            f"in one; got {type(model).__name__}."
        )
    check_is_fitted(model, "network_")
    if model.cell not in _QUANTIZABLE_CELLS:
        raise ValueError(
            f'quantize supports cell="lstm" and "gru"; torch has no dynamic int8 kernel for '
            f'cell="{model.cell}". Use the float model, or refit with cell="gru".'
        )
    if is_quantized(model.network_):
        raise ValueError("This model is quantized already.")
    network = copy.deepcopy(model.network_).to("cpu").float().eval()
    with warnings.catch_warnings():
        # torch.ao.quantization announces its move to torchao; the API used is stable.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.filterwarnings("ignore", message=".*quantized tensor creation functions")
        network = torch.ao.quantization.quantize_dynamic(
            network, {nn.LSTM, nn.GRU, nn.Linear}, dtype=torch.qint8
        )
    # Everything but the network and Adam's moments (of float weights: meaningless here).
    state = {k: v for k, v in vars(model).items() if k not in ("network_", "_optimizer_state")}
    result = type(model).__new__(type(model))
    result.__dict__.update(copy.deepcopy(state))
    result.network_ = network
    result.device_ = torch.device("cpu")
    result.precision = "fp32"
    return result
