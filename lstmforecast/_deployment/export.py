"""ONNX export: one graph from float32 windows to what ``predict`` returns.

The graph holds everything between the recurrent estimator's input and its output:
per-feature scaling of a Pipeline's steps before its Windower, the padding (leading
all-NaN steps), a classifier's per-sequence scaling (``sequence_scale``), the network's
own input standardisation and, for a regressor, its
forecast target in torch (target transform, per-window scale, anchor, un-scaling: the
``TorchForecastTarget`` of the same ``ForecastTarget`` that ``predict`` decodes with),
so serving needs no lstmforecast and no private attribute.
"""

import logging
import os
import warnings

import numpy as np
import torch
from torch import nn

from .._recurrent.forecast_target import TorchForecastTarget
from .._torch.sequence_scaling import scale_each_sequence
from .._utils.params import positive_int, validate_arguments
from .persistence import _SKLEARN_CLASSES

_NO_LOOK_BACK = (
    "export_onnx needs the number of steps per window: pass look_back=... (the graph's "
    "time axis is fixed), or export the Pipeline with its Windower."
)

# Steps that may come before a Windower in an exported Pipeline: per-feature affine
# maps (x * a + b), which commute with windowing and leave NaN padding NaN.
_AFFINE_STEPS = tuple(
    name.rsplit(".", 1)[1] for name in _SKLEARN_CLASSES if name.endswith("Scaler")
)


class ExportedModel(nn.Module):
    """Windows (n, look_back, n_features) float32, NaN front padding -> predictions.

    ``target``: the regressor's forecast target in torch (``TorchForecastTarget``),
    which puts the windows on the network's scale and its outputs back on y's; None for
    a classifier, whose graph returns the class probabilities.
    """

    def __init__(self, network, *, affine, target, y_1d, sequence_scale=None):
        super().__init__()
        self.network = network
        self.affine = affine is not None
        slope, intercept = affine if affine is not None else (np.ones(1), np.zeros(1))
        self.register_buffer("slope", torch.as_tensor(slope, dtype=torch.float32))
        self.register_buffer("intercept", torch.as_tensor(intercept, dtype=torch.float32))
        self.target = target
        self.y_1d = y_1d
        self.classifier = target is None
        self.sequence_scale = sequence_scale  # the classifier's, applied as predict does

    def forward(self, windows):
        if self.affine:
            windows = windows * self.slope + self.intercept
        n_steps = windows.shape[1]
        observed = ~torch.isnan(windows).all(dim=2)
        # leading steps with nothing observed yet are padding
        padding = (torch.cumsum(observed.to(torch.int64), dim=1) == 0).sum(dim=1)
        if self.classifier:
            windows = scale_each_sequence(windows, self.sequence_scale)
            outputs = self.network(windows, n_steps - padding).to(torch.float64)
            return torch.softmax(outputs, dim=1)
        inputs, divisors = self.target.encode_inputs(windows)
        outputs = self.network(inputs, n_steps - padding)
        y = self.target.decode(outputs, inputs, divisors)
        return y[:, 0] if self.y_1d else y


@validate_arguments(
    {
        "path": [str, os.PathLike],
        "look_back": [*positive_int(), None],
        "opset_version": [*positive_int(), None],
    }
)
def export_onnx(model, path, *, look_back=None, opset_version=None):
    """Write a fitted recurrent model as an ONNX graph whose output equals ``predict``.

    The graph's input ``windows`` is what the recurrent estimator reads: float32 windows
    of shape (n, look_back, n_features), oldest step first, with leading all-NaN steps
    as padding (as a :class:`Windower` makes them for the first rows). Its output is
    ``predict(windows)`` for an :class:`LSTMRegressor` (float64, shaped as the ``y`` of
    ``fit``) and ``predict_proba(windows)`` for an :class:`LSTMClassifier` (columns in
    the order of ``classes_``). The batch size is dynamic.

    Parameters
    ----------
    model : LSTMRegressor, LSTMClassifier or Pipeline
        Fitted. A Pipeline ends with the recurrent estimator, right after a Windower,
        and before the Windower it may hold StandardScaler, MinMaxScaler (without
        ``clip``), MaxAbsScaler and RobustScaler steps: their per-feature scaling is
        put in the graph, so the graph reads windows of raw rows.
    path : str or path-like
        Where to write the ``.onnx`` file.
    look_back : int, default=None
        Steps per window in the graph (its time axis is fixed, the recurrence being
        unrolled by the exporter). Taken from the Pipeline's Windower; required for a
        bare estimator.
    opset_version : int, default=None
        ONNX opset; None lets torch choose.

    Returns
    -------
    path : str
        The path written.

    Raises
    ------
    ValueError
        For what the graph cannot reproduce exactly: bidirectional networks (their
        padded path packs sequences), token (embedding) inputs, int8-quantized models,
        other Pipeline steps.

    Notes
    -----
    The graph computes in float32 like ``predict`` with ``precision="fp32"`` (a model
    trained in bf16 or fp16 is exported with its float32 weights) and un-scales the
    target in float64. Rows must be valid as for ``predict``: NaN only as leading
    padding, at least one observed step.

    Examples
    --------
    The export traces the network (seconds), so the doctest run skips those lines;
    ``tests/test_export.py`` checks the same round trip.

    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from lstmforecast import LSTMRegressor, Windower, export_onnx, make_supervised
    >>> X, y = make_supervised(np.sin(np.arange(120) / 4))
    >>> model = make_pipeline(Windower(look_back="auto"),
    ...                       LSTMRegressor(hidden_size=4, max_epochs=2, random_state=0))
    >>> path = os.path.join(tempfile.mkdtemp(), "lstm.onnx")
    >>> model = model.fit(X, y)
    >>> path = export_onnx(model, path)  # doctest: +SKIP
    >>> import onnxruntime  # doctest: +SKIP
    >>> session = onnxruntime.InferenceSession(path)  # doctest: +SKIP
    >>> windows = Windower(look_back=model[0].look_back_).fit_transform(X)  # raw rows
    >>> onnx_predictions = session.run(None, {"windows": windows})[0]  # doctest: +SKIP
    >>> bool(np.allclose(onnx_predictions, model.predict(X), atol=1e-5))  # doctest: +SKIP
    True
    """
    exported, n_features, look_back = exportable(model, look_back)
    if look_back is None:
        raise ValueError(_NO_LOOK_BACK)
    example = torch.zeros(2, look_back, n_features)
    path = os.fspath(path)
    # The exporter reports its steps and torch's internals through warnings and logging:
    # quiet by default, as the rest of the package.
    onnx_logger = logging.getLogger("torch.onnx")
    level = onnx_logger.level
    onnx_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                exported,
                (example,),
                dynamo=True,
                input_names=["windows"],
                output_names=["probabilities" if exported.classifier else "predictions"],
                dynamic_shapes={"windows": {0: torch.export.Dim("batch", min=1)}},
                opset_version=opset_version,
                verbose=False,
            )
    finally:
        onnx_logger.setLevel(level)
    program.save(path)
    return path


def exportable(model, look_back=None):
    """(ExportedModel in eval mode on the CPU, n_features, look_back or None): a
    Pipeline's Windower gives the look_back, else the argument (a regressor's graph
    needs it: its anchor and window scale read fixed steps)."""
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    from .._preprocessing.windower import Windower
    from .._recurrent.base import RecurrentEstimator
    from .._recurrent.classifier import LSTMClassifier

    steps = [step for _, step in model.steps] if isinstance(model, Pipeline) else [model]
    steps = [step for step in steps if step not in (None, "passthrough")]
    estimator = steps[-1]
    if not isinstance(estimator, RecurrentEstimator):
        raise ValueError(
            "export_onnx needs an LSTMRegressor or LSTMClassifier, or a Pipeline ending in "
            f"one; got {type(estimator).__name__} as the last step."
        )
    check_is_fitted(estimator, "network_")
    before = steps[:-1]
    affine = None
    if before:
        if not isinstance(before[-1], Windower) or before[-1].flatten:
            raise ValueError(
                "export_onnx reads windows: in a Pipeline, the step before the recurrent "
                "estimator must be a Windower (flatten=False)."
            )
        check_is_fitted(before[-1], "look_back_")
        windower_look_back = before[-1].look_back_  # the fitted one: "auto" is resolved in fit
        if look_back not in (None, windower_look_back):
            raise ValueError(
                f"look_back={look_back} differs from the Pipeline's Windower(look_back="
                f"{windower_look_back}); leave it out."
            )
        look_back = windower_look_back
        affine = _affine_map(before[:-1], before[-1].n_features_in_)
    network = estimator.network_
    if getattr(estimator, "future_shape_", (0, 0))[0]:
        raise ValueError(
            "export_onnx does not export models that read known-future covariates yet (the "
            "block travels beside the windows); use save/load to deploy them."
        )
    if getattr(estimator, "smoothing_params_", None) is not None:
        raise ValueError(
            "export_onnx does not export models whose target anchor is the smoothing "
            "forecast (smoothing_params_ is set: the default on trending or short "
            "series); refit with smoothing_anchor=False to deploy as ONNX, or deploy with "
            "save/load."
        )
    if estimator.embedding_dim is not None:
        raise ValueError("export_onnx does not export token (embedding_dim) models.")
    if network.rnn.bidirectional:
        raise ValueError(
            "export_onnx does not export bidirectional networks: their backward direction "
            "must start at each sequence's own end, which needs packed sequences (data-"
            "dependent shapes) for padded windows. Use bidirectional=False to deploy as ONNX."
        )
    if any(type(m).__module__.startswith("torch.ao.nn.quantized") for m in network.modules()):
        raise ValueError(
            "export_onnx does not export int8-quantized models (torch's dynamic int8 "
            "kernels have no ONNX export); export the fp32 model and quantize it with "
            "onnxruntime.quantization.quantize_dynamic if needed."
        )
    if not isinstance(estimator, LSTMClassifier) and estimator.quantiles is not None:
        raise ValueError(
            "export_onnx exports point forecasts; this LSTMRegressor has a quantile head "
            "(quantiles=...). Refit it with quantiles=None to deploy it as ONNX."
        )
    import copy

    network = copy.deepcopy(network).to("cpu").float().eval()
    classifier = isinstance(estimator, LSTMClassifier)
    target = None
    if not classifier:
        if look_back is None:
            raise ValueError(_NO_LOOK_BACK)
        target = TorchForecastTarget(estimator._forecast_target(), look_back)
    exported = ExportedModel(
        network,
        affine=affine,
        target=target,
        y_1d=False if classifier else estimator._y_1d,
        # "zscore+level" is a layer of the network itself, exported with it.
        sequence_scale="zscore" if classifier and estimator._sequence_scale() == "zscore" else None,
    ).eval()
    return exported, estimator.n_step_features_, look_back


def _affine_map(steps, n_features):
    """(slope, intercept) per feature of the chain of scaler ``steps``, or None."""
    if not steps:
        return None
    for step in steps:
        name = type(step).__name__
        allowed = name in _AFFINE_STEPS and type(step).__module__.startswith("sklearn.")
        if not allowed or getattr(step, "clip", False):
            raise ValueError(
                f"export_onnx cannot put a {name} step in the graph; before the Windower it "
                f"accepts {', '.join(_AFFINE_STEPS)} (per-feature scaling, no clip)."
            )
    probe = np.vstack([np.zeros(n_features), np.ones(n_features)])
    with warnings.catch_warnings():
        # the probe rows have no column names; the scaling does not depend on them
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        for step in steps:
            probe = np.asarray(step.transform(probe), dtype=np.float64)
    return probe[1] - probe[0], probe[0]
