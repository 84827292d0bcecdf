"""ONNX export: one graph from float32 windows to what ``predict`` returns.

The graph holds everything between the recurrent estimator's input and its output:
per-feature scaling of a Pipeline's steps before its Windower, the padding (leading
all-NaN steps), the network's own input standardisation, the target anchor and the
target un-scaling, so serving needs no lstmforecast and no private attribute.
"""

import logging
import os
import warnings

import numpy as np
import torch
from torch import nn

from .._utils.params import positive_int, validate_arguments
from .._utils.target_transform import forward as transform_forward
from .._utils.target_transform import inverse as transform_inverse
from .persistence import _SKLEARN_CLASSES

# Steps that may come before a Windower in an exported Pipeline: per-feature affine
# maps (x * a + b), which commute with windowing and leave NaN padding NaN.
_AFFINE_STEPS = tuple(
    name.rsplit(".", 1)[1] for name in _SKLEARN_CLASSES if name.endswith("Scaler")
)


class ExportedModel(nn.Module):
    """Windows (n, look_back, n_features) float32, NaN front padding -> predictions."""

    def __init__(
        self,
        network,
        *,
        affine,
        y_shift,
        y_scale,
        anchor,
        y_1d,
        classifier,
        lags,
        lam,
        anchor_units=None,
    ):
        super().__init__()
        self.network = network
        self.affine = affine is not None
        slope, intercept = affine if affine is not None else (np.ones(1), np.zeros(1))
        self.register_buffer("slope", torch.as_tensor(slope, dtype=torch.float32))
        self.register_buffer("intercept", torch.as_tensor(intercept, dtype=torch.float32))
        self.register_buffer("y_shift", torch.as_tensor(y_shift, dtype=torch.float64))
        self.register_buffer("y_scale", torch.as_tensor(y_scale, dtype=torch.float64))
        self.anchor = anchor
        self.anchor_units = anchor_units  # (slope, intercept) to y's units, or None
        # Per output, how many steps before the window's end its anchor value lies.
        self.register_buffer("lags", torch.as_tensor(lags, dtype=torch.int64))
        self.lam = lam  # target transform (Box-Cox lambda, 0 = log, None = none)
        self.y_1d = y_1d
        self.classifier = classifier

    def forward(self, windows):
        if self.affine:
            windows = windows * self.slope + self.intercept
        n_steps = windows.shape[1]
        if self.lam is not None:
            # float64: ONNX has no expm1 / log1p, and exp(x) - 1 loses float32 digits.
            windows = transform_forward(windows.to(torch.float64), self.lam).to(torch.float32)
        observed = ~torch.isnan(windows).all(dim=2)
        # leading steps with nothing observed yet are padding
        padding = (torch.cumsum(observed.to(torch.int64), dim=1) == 0).sum(dim=1)
        outputs = self.network(windows, n_steps - padding).to(torch.float64)
        if self.classifier:
            return torch.softmax(outputs, dim=1)
        y = outputs * self.y_scale + self.y_shift
        if self.anchor is not None:
            series = windows[:, :, self.anchor].to(torch.float64)
            if self.anchor_units is not None:
                series = series * self.anchor_units[0] + self.anchor_units[1]
            lagged = series[:, n_steps - 1 - self.lags]
            last = series[:, -1:]
            y = y + torch.where(torch.isnan(lagged), last, lagged)  # padding: the last value
        y = transform_inverse(y, self.lam)
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
    exported, n_features, windower_look_back = exportable(model)
    if windower_look_back is not None:
        if look_back not in (None, windower_look_back):
            raise ValueError(
                f"look_back={look_back} differs from the Pipeline's Windower(look_back="
                f"{windower_look_back}); leave it out."
            )
        look_back = windower_look_back
    if look_back is None:
        raise ValueError(
            "export_onnx needs the number of steps per window: pass look_back=... (the "
            "graph's time axis is fixed), or export the Pipeline with its Windower."
        )
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


def exportable(model):
    """(ExportedModel in eval mode on the CPU, n_features, look_back or None)."""
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
    look_back = None
    affine = None
    if before:
        if not isinstance(before[-1], Windower) or before[-1].flatten:
            raise ValueError(
                "export_onnx reads windows: in a Pipeline, the step before the recurrent "
                "estimator must be a Windower (flatten=False)."
            )
        check_is_fitted(before[-1], "look_back_")
        look_back = before[-1].look_back_  # the fitted one: "auto" is resolved in fit
        affine = _affine_map(before[:-1], before[-1].n_features_in_)
    network = estimator.network_
    if getattr(estimator, "window_scale", None) is not None:
        raise ValueError(
            "export_onnx does not export window_scale models (the per-window scaling runs "
            "outside the network); refit with window_scale=None to deploy as ONNX."
        )
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
    exported = ExportedModel(
        network,
        affine=affine,
        y_shift=np.zeros(1) if classifier else estimator._y_shift,
        y_scale=np.ones(1) if classifier else estimator._y_scale,
        anchor=None if classifier else estimator.target_anchor_,
        y_1d=False if classifier else estimator._y_1d,
        classifier=classifier,
        lags=np.zeros(1) if classifier else estimator.anchor_lags_,
        lam=None if classifier else estimator.target_lambda_,
        anchor_units=None if classifier else getattr(estimator, "anchor_units_", None),
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
