"""Save and load fitted models without pickle: tensors and numeric arrays in one
safetensors file, everything else as JSON in its header.

Loading never runs code from the file. The file names classes, and only classes on an
allow-list are rebuilt: every estimator and network defined in lstmforecast, sklearn's
Pipeline and a few stateless-by-construction preprocessing steps. An estimator's state is
its ``get_params()`` plus its instance attributes (those its pickle would keep), encoded
by value type, so a new estimator or attribute needs no code here as long as its values
are plain: numbers, strings, lists, tuples, dicts, numpy arrays and scalars, tensors,
pandas time stamps and steps, and networks that record their constructor arguments.
"""

import errno
import importlib
import json
import math
import numbers
import os
import tempfile
import warnings

import numpy as np

from .._utils.deprecation import renamed_params
from .._utils.params import validate_arguments

FORMAT = "lstmforecast.model"
# Version 2 names lstmforecast's classes by stable names ("lstmforecast.LSTMRegressor"),
# so that moving a module inside the package never breaks a saved model. Version 1 named
# the private module ("lstmforecast._naive:NaiveRegressor"); it is read by class name.
FORMAT_VERSION = 2

# The networks a file may name, and the module each lives in (the estimators are the
# public classes of ``lstmforecast``). Only these are rebuilt: a file naming anything
# else of the package is refused, even if it could be imported from it.
_NETWORKS = {
    "RecurrentNetwork": "lstmforecast._torch.network",
    "_TaggerNetwork": "lstmforecast._recurrent.tagger",
    "_AutoencoderNetwork": "lstmforecast._recurrent.autoencoder",
    "CustomNetwork": "lstmforecast._torch.module",
    "CovariateNetwork": "lstmforecast._torch.covariate_network",
}
_HEADER_KEY = "lstmforecast"

# sklearn classes a file may name. Each is rebuilt from its parameters and fitted
# attributes; none of them calls user code (FunctionTransformer: numpy ufuncs only).
_SKLEARN_CLASSES = {
    "sklearn.pipeline.Pipeline": ("sklearn.pipeline", "Pipeline"),
    "sklearn.preprocessing.StandardScaler": ("sklearn.preprocessing", "StandardScaler"),
    "sklearn.preprocessing.MinMaxScaler": ("sklearn.preprocessing", "MinMaxScaler"),
    "sklearn.preprocessing.MaxAbsScaler": ("sklearn.preprocessing", "MaxAbsScaler"),
    "sklearn.preprocessing.RobustScaler": ("sklearn.preprocessing", "RobustScaler"),
    "sklearn.preprocessing.FunctionTransformer": ("sklearn.preprocessing", "FunctionTransformer"),
}
# statsmodels results are stored as their model's data, specification and parameters
# and rebuilt by running the filter again: nothing of statsmodels' internals is stored.
_STATSMODELS_RESULTS = {
    "statsmodels.tsa.statespace.sarimax.SARIMAXResultsWrapper": (
        "statsmodels.tsa.statespace.sarimax",
        "SARIMAX",
    ),
    "statsmodels.tsa.exponential_smoothing.ets.ETSResultsWrapper": (
        "statsmodels.tsa.exponential_smoothing.ets",
        "ETSModel",
    ),
    "statsmodels.tsa.forecasting.theta.ThetaModelResults": (
        "statsmodels.tsa.forecasting.theta",
        "ThetaModel",
    ),
}
# The ETS specification a results object is rebuilt with (its model's attributes).
_ETS_SPECIFICATION = ("error", "trend", "damped_trend", "seasonal", "seasonal_periods")


class ModelFileError(ValueError):
    """A file that :func:`load` cannot read as a model: not written by :func:`save`,
    corrupt, altered by hand, from a newer format, or naming a class off the allow-list.
    The message names the file and what is wrong with it."""


@validate_arguments({"path": [str, os.PathLike]})
def save(model, path):
    """Save a fitted model to ``path`` without pickle.

    The file is a `safetensors <https://huggingface.co/docs/safetensors>`_ file: network
    weights and numeric arrays are its tensors, and the rest (classes, parameters,
    fitted attributes, version stamp) is JSON in its header. :func:`load` reads it back
    without running any code from the file.

    Parameters
    ----------
    model : estimator
        Any lstmforecast estimator (every public one: the recurrent estimators, the
        statistical baselines, :class:`Windower` and :class:`TextSequencer`, panel
        ones included, :class:`ConformalForecaster` and :class:`PerSeriesForecaster`
        around them), or a scikit-learn ``Pipeline`` of those and ``StandardScaler``,
        ``MinMaxScaler``, ``MaxAbsScaler``, ``RobustScaler`` or ``FunctionTransformer``
        with numpy ufuncs. Unfitted estimators are saved too.
    path : str or path-like
        Where to write (replaced atomically if it exists). The file's mode follows the
        umask, as for any file the process creates.

    Raises
    ------
    TypeError
        If the model holds something that cannot be stored as plain data (another
        class, a Python function, an int8-quantized network); the message names it.
    FileNotFoundError
        If the folder of ``path`` does not exist.

    See Also
    --------
    load : Read the model back.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from lstmforecast import NaiveRegressor, save, load
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> model = NaiveRegressor().fit(X[:-1], X[1:, 0])
    >>> path = os.path.join(tempfile.mkdtemp(), "naive.lstmf")
    >>> save(model, path)
    >>> load(path).predict(X[-2:])
    array([8., 9.])
    """
    from safetensors.torch import save as to_bytes

    encoder = _Encoder()
    tree = encoder.encode(model, "model")
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": _versions(),
        "model": tree,
    }
    metadata = {_HEADER_KEY: json.dumps(header, allow_nan=False)}
    _write_atomically(os.fspath(path), to_bytes(encoder.tensors, metadata=metadata))


def _write_atomically(path, data):
    """Write ``data`` to ``path`` through a temporary file in the same folder, renamed
    over it at the end: a crash never leaves half a model, and readers of the old file
    keep it. The file's mode follows the umask, as ``open`` would create it (a temporary
    file is private, 0600, which a serving user other than the writer could not read)."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            errno.ENOENT, f"Cannot save the model to {path}: the folder {folder} does not exist"
        )
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".lstmf-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _umask():
    try:
        with open("/proc/self/status") as status:  # Linux: read without changing it
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@validate_arguments({"path": [str, os.PathLike]})
def load(path):
    """Load a model written by :func:`save`.

    Nothing from the file is executed: it names classes, and only lstmforecast's
    estimators and networks and the scikit-learn classes listed in :func:`save` are
    rebuilt. Tensors load on the CPU; a model fitted on a GPU moves back to it when
    one is available (as after unpickling), else it predicts on the CPU with a warning.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save`.

    Returns
    -------
    model : estimator
        The model, predicting exactly as the saved one did.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ModelFileError
        (a ValueError) If the file is not a model saved by :func:`save`, is corrupt or
        was altered, was written by a newer format, or names a class outside the
        allow-list; the message names the file.

    See Also
    --------
    save : Write a model.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from lstmforecast import LSTMRegressor, Windower, load, make_supervised, save
    >>> X, y = make_supervised(np.sin(np.arange(120) / 4))
    >>> model = make_pipeline(Windower(look_back=6),
    ...                       LSTMRegressor(hidden_size=4, max_epochs=2, random_state=0))
    >>> path = os.path.join(tempfile.mkdtemp(), "lstm.lstmf")
    >>> save(model.fit(X, y), path)
    >>> restored = load(path)
    >>> bool(np.array_equal(restored.predict(X), model.predict(X)))
    True
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(errno.ENOENT, f"No model file at {path}", path)
    try:
        return _load(path)
    except ModelFileError as error:
        raise ModelFileError(f"Cannot load {path}: {error}") from None
    except Exception as error:
        # Whatever a corrupt or altered file breaks on (JSON, a missing key, a tensor of
        # the wrong shape), the user's fix is the same: the file is not a usable model.
        raise ModelFileError(
            f"Cannot load {path}: the file is corrupt or was altered, it is not a model as "
            f"lstmforecast.save writes it ({type(error).__name__}: {error})."
        ) from error


def _load(path):
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(path, framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            tensors = {name: handle.get_tensor(name) for name in handle.keys()}
    except SafetensorError as error:
        raise ModelFileError(
            f"it is not a model saved by lstmforecast.save (not a safetensors file: {error})."
        ) from None
    if _HEADER_KEY not in metadata:
        raise ModelFileError(
            "it is a safetensors file without an lstmforecast header: it holds "
            "tensors, not a model saved by lstmforecast.save."
        )
    header = json.loads(metadata[_HEADER_KEY])
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError("it is not a model saved by lstmforecast.save.")
    if header.get("format_version", 0) > FORMAT_VERSION:
        raise ModelFileError(
            f"it was saved in format version {header['format_version']} by lstmforecast "
            f"{header['versions'].get('lstmforecast')}; this lstmforecast reads up to "
            f"version {FORMAT_VERSION}. Upgrade lstmforecast to load it."
        )
    saved = header.get("versions", {})
    here = _versions()
    if saved.get("lstmforecast") != here["lstmforecast"]:
        warnings.warn(
            f"{path} was saved by lstmforecast {saved.get('lstmforecast')} and is loaded by "
            f"{here['lstmforecast']}: check its predictions before relying on them.",
            UserWarning,
            stacklevel=3,
        )
    return _Decoder(tensors, saved.get("scikit-learn")).decode(header["model"])


def _versions():
    import sklearn
    import torch

    import lstmforecast

    return {
        "lstmforecast": lstmforecast.__version__,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
    }


def _class_path(cls):
    return f"{cls.__module__}:{cls.__qualname__}"


def _is_lstmforecast_class(module_name):
    return module_name == "lstmforecast" or module_name.startswith("lstmforecast.")


def _lstmforecast_class(name):
    """The class a stable name (or, in a version 1 file, a module path) stands for, if it
    is on the allow-list: a public estimator of lstmforecast or one of its networks."""
    from sklearn.base import BaseEstimator

    import lstmforecast

    module_name, colon, qualname = name.partition(":")
    if not colon:  # "lstmforecast.Name"
        module_name, _, qualname = name.rpartition(".")
    if module_name != "lstmforecast" and not (colon and _is_lstmforecast_class(module_name)):
        return None
    if qualname in _NETWORKS:
        return getattr(importlib.import_module(_NETWORKS[qualname]), qualname)
    if qualname in lstmforecast.__all__:
        cls = getattr(lstmforecast, qualname)
        if isinstance(cls, type) and issubclass(cls, BaseEstimator):
            return cls
    return None


def _stable_name(cls):
    """The name a file gives to one of lstmforecast's classes, or None if it has none."""
    name = f"lstmforecast.{cls.__qualname__}"
    return name if _lstmforecast_class(name) is cls else None


class _Encoder:
    """Turns a model into a JSON tree; tensors and numeric arrays go to ``tensors``."""

    def __init__(self):
        self.tensors = {}

    def add_tensor(self, tensor):
        name = f"t{len(self.tensors)}"
        # contiguous copies on the CPU: safetensors stores plain, unshared buffers
        self.tensors[name] = tensor.detach().to("cpu").contiguous().clone()
        return name

    def encode(self, value, where):
        import torch
        from sklearn.base import BaseEstimator

        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            if math.isfinite(value):
                return value
            return {"$type": "float", "value": repr(value)}
        if isinstance(value, list):
            return [self.encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if isinstance(value, tuple):
            items = [self.encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
            return {"$type": "tuple", "items": items}
        if isinstance(value, dict):
            items = [
                [self.encode(key, f"{where} key"), self.encode(item, f"{where}[{key!r}]")]
                for key, item in value.items()
            ]
            return {"$type": "dict", "items": items}
        if isinstance(value, np.ndarray):
            return self.encode_array(value, where)
        if isinstance(value, np.generic):
            return {
                "$type": "numpy_scalar",
                "dtype": value.dtype.str,
                "value": self.encode(value.item(), where),
            }
        if isinstance(value, np.ufunc):
            if getattr(np, value.__name__, None) is not value:
                raise TypeError(f"lstmforecast.save cannot store {where}: {value!r}.")
            return {"$type": "ufunc", "name": value.__name__}
        if isinstance(value, torch.Tensor):
            return {"$type": "tensor", "key": self.add_tensor(value)}
        if isinstance(value, torch.device):
            return {"$type": "device", "value": str(value)}
        if isinstance(value, np.random.RandomState):
            return {"$type": "random_state", "state": self.encode(value.get_state(), where)}
        if isinstance(value, BaseEstimator):
            return self.encode_estimator(value, where)
        if isinstance(value, torch.nn.Module):
            return self.encode_network(value, where)
        encoded = self.encode_pandas(value, where)
        if encoded is not None:
            return encoded
        if _class_path(type(value)).replace(":", ".") in _STATSMODELS_RESULTS:
            return self.encode_statsmodels_results(value, where)
        raise TypeError(
            f"lstmforecast.save cannot store {where}, a {type(value).__module__}."
            f"{type(value).__qualname__}: only plain values (numbers, strings, lists, dicts, "
            "numpy arrays, tensors), lstmforecast estimators and networks, and the "
            "scikit-learn classes listed in lstmforecast.save's documentation can be "
            "stored without pickle."
        )

    def encode_array(self, array, where):
        if array.dtype.kind in "biuf" and array.dtype.byteorder in "=|<":
            import torch

            return {
                "$type": "ndarray",
                "dtype": array.dtype.str,
                "key": self.add_tensor(torch.from_numpy(np.ascontiguousarray(array))),
            }
        if array.dtype.kind in "OU":
            items = [self.encode(item, f"{where} item") for item in array.ravel().tolist()]
            return {
                "$type": "ndarray",
                "dtype": array.dtype.str,
                "shape": list(array.shape),
                "items": items,
            }
        raise TypeError(
            f"lstmforecast.save cannot store {where}, a numpy array of dtype {array.dtype}."
        )

    def encode_pandas(self, value, where):
        import pandas as pd

        if isinstance(value, pd.Timestamp):
            return {
                "$type": "timestamp",
                "value": value.isoformat(),
                "tz": None if value.tz is None else str(value.tz),
                "unit": value.unit,
            }
        if isinstance(value, pd.Timedelta):
            return {"$type": "timedelta", "nanoseconds": int(value.value), "unit": value.unit}
        if isinstance(value, pd.Period):
            return {"$type": "period", "value": str(value), "freq": value.freqstr}
        if isinstance(value, pd.offsets.BaseOffset):
            if pd.tseries.frequencies.to_offset(value.freqstr) != value:
                raise TypeError(f"lstmforecast.save cannot store {where}: {value!r}.")
            return {"$type": "offset", "freq": value.freqstr}
        if isinstance(value, pd.Index):
            return self.encode_index(value, where)
        if isinstance(value, pd.DataFrame):
            if not isinstance(value.index, pd.RangeIndex):
                raise TypeError(f"lstmforecast.save cannot store {where}: a DataFrame index.")
            columns = [
                [self.encode(name, where), str(column.dtype), self.encode(column.tolist(), where)]
                for name, column in value.items()
            ]
            return {"$type": "dataframe", "columns": columns}
        return None

    def encode_index(self, index, where):
        """A pandas Index (e.g. a panel's last times): int64 ticks for times, items
        otherwise."""
        import pandas as pd

        node = {"$type": "index", "name": self.encode(index.name, f"{where}.name")}
        if isinstance(index, pd.MultiIndex):
            raise TypeError(f"lstmforecast.save cannot store {where}: a MultiIndex.")
        if isinstance(index, pd.RangeIndex):
            return {**node, "kind": "range", "range": [index.start, index.stop, index.step]}
        if isinstance(index, pd.DatetimeIndex):
            ticks = index.as_unit("ns").asi8
            extra = {"tz": None if index.tz is None else str(index.tz), "unit": index.unit}
            node = {**node, "kind": "datetime", **extra, "freq": index.freqstr}
        elif isinstance(index, pd.PeriodIndex):
            ticks = index.asi8
            node = {**node, "kind": "period", "freq": index.freqstr}
        elif isinstance(index, pd.TimedeltaIndex):
            ticks = index.as_unit("ns").asi8
            node = {**node, "kind": "timedelta", "unit": index.unit}
        else:
            values = index.to_numpy()
            if values.dtype.kind not in "biufOU":
                raise TypeError(
                    f"lstmforecast.save cannot store {where}, a {type(index).__name__}."
                )
            return {**node, "kind": "plain", "values": self.encode(values, where)}
        return {**node, "values": self.encode(np.asarray(ticks, dtype=np.int64), where)}

    def encode_estimator(self, estimator, where):
        cls = type(estimator)
        name = _estimator_name(cls)
        if name is None:
            raise TypeError(
                f"lstmforecast.save cannot store {where}, a {cls.__module__}.{cls.__qualname__}:"
                " only lstmforecast estimators, Pipeline and "
                f"{', '.join(n.rsplit('.', 1)[1] for n in _SKLEARN_CLASSES if 'Pipe' not in n)}"
                " are on the allow-list of classes a file may name."
            )
        check_functions(estimator, where)
        params = estimator.get_params(deep=False)
        # What its pickle would keep (e.g. not an optimizer's transient state), read
        # from the object itself: __getstate__ may pack values for pickle only.
        kept = estimator.__getstate__().keys()
        state = {
            key: vars(estimator)[key]
            for key in kept
            if key in vars(estimator) and key not in params and key != "_sklearn_version"
        }
        return {
            "$type": "estimator",
            "class": name,
            "params": self.encode(params, f"{where} parameters"),
            "state": self.encode(state, where),
        }

    def encode_network(self, module, where):
        cls = type(module)
        if _stable_name(cls) is None:
            raise TypeError(
                f"lstmforecast.save cannot store {where}, a {cls.__module__}.{cls.__qualname__}"
                ": only lstmforecast's own networks are rebuilt from a file (any other "
                "class would have to be imported and run from it)."
            )
        quantized = [
            name
            for name, sub in module.named_modules()
            if type(sub).__module__.startswith("torch.ao.nn.quantized")
        ]
        if quantized:
            raise TypeError(
                f"lstmforecast.save does not store int8-quantized networks ({where}."
                f"{quantized[0]}): their packed weights are not plain tensors. Save the fp32 "
                "model and call lstmforecast.quantize after load; quantization is "
                "deterministic, so the predictions are the same."
            )
        init_args = getattr(module, "init_args", None)
        if not isinstance(init_args, dict):
            raise TypeError(
                f"lstmforecast.save cannot store {where}, a {cls.__qualname__} without an "
                "`init_args` dict of its constructor arguments, which rebuilding it needs."
            )
        attributes = {
            key: value
            for key, value in vars(module).items()
            if not key.startswith("_") and key not in ("training", "init_args")
        }
        return {
            "$type": "network",
            "class": _stable_name(cls),
            "init_args": self.encode(init_args, f"{where}.init_args"),
            "attributes": self.encode(attributes, where),
            "training": module.training,
            "state": {
                name: self.add_tensor(tensor) for name, tensor in module.state_dict().items()
            },
        }

    def encode_theta_results(self, results, name, where):
        endog, init, fitted = _theta_parts(results)
        return {
            "$type": "statsmodels_results",
            "class": name,
            "endog": self.encode(endog, where),
            "init": self.encode(init, where),
            "fitted": self.encode(fitted, where),
        }

    def encode_statsmodels_results(self, results, where):
        name = _class_path(type(results)).replace(":", ".")
        if name.endswith("ThetaModelResults"):
            return self.encode_theta_results(results, name, where)
        if name.endswith("ETSResultsWrapper"):
            model = results.model
            specification = {key: getattr(model, key) for key in _ETS_SPECIFICATION}
            return {
                "$type": "statsmodels_results",
                "class": name,
                "endog": self.encode(np.asarray(model.data.orig_endog, dtype=np.float64), where),
                "init": self.encode(specification, where),
                "params": self.encode(np.asarray(results.params, dtype=np.float64), where),
            }
        model = results.model
        return {
            "$type": "statsmodels_results",
            "class": _class_path(type(results)).replace(":", "."),
            "endog": self.encode(np.asarray(model.data.orig_endog, dtype=np.float64), where),
            "exog": self.encode(
                None
                if model.data.orig_exog is None
                else np.asarray(model.data.orig_exog, dtype=np.float64),
                where,
            ),
            "init": self.encode(model._get_init_kwds(), where),
            "params": self.encode(np.asarray(results.params, dtype=np.float64), where),
            "cov_type": results.cov_type,
        }


def check_functions(estimator, where):
    """A FunctionTransformer holds numpy ufuncs only: anything else would be code (a
    Python function to pickle) or a name to import. Checked by save and again by load."""
    from sklearn.preprocessing import FunctionTransformer

    if not isinstance(estimator, FunctionTransformer):
        return
    for attribute in ("func", "inverse_func"):
        function = getattr(estimator, attribute)
        if function is not None and not (
            isinstance(function, np.ufunc) and getattr(np, function.__name__, None) is function
        ):
            raise TypeError(
                f"lstmforecast.save cannot store {where}.{attribute}={function!r}: a "
                "FunctionTransformer is stored only with numpy ufuncs (np.log1p, "
                "np.expm1, ...), since a Python function would have to be pickled."
            )


def _theta_parts(results):
    """What a ThetaModelResults is rebuilt from: its model's specification and the
    fitted values (statsmodels' constructor arguments; the fit is not run again)."""
    model = results.model
    init = {
        "period": model._period,
        "deseasonalize": model._deseasonalize,
        "use_test": model._use_test,
        "method": model._method,
        "difference": model._diff,
    }
    fitted = {
        "b0": float(results._b0),
        "alpha": float(results._alpha),
        "sigma2": None if results._sigma2 is None else float(results._sigma2),
        "one_step": np.asarray(results._one_step, dtype=np.float64),
        "seasonal": np.asarray(results._seasonal, dtype=np.float64),
        "use_mle": bool(results._use_mle),
        "has_seasonality": bool(model._has_seasonality),
    }
    return np.asarray(model.endog_orig, dtype=np.float64), init, fitted


def _estimator_name(cls):
    if _is_lstmforecast_class(cls.__module__):
        return _stable_name(cls)
    for name, (module, attribute) in _SKLEARN_CLASSES.items():
        if getattr(importlib.import_module(module), attribute) is cls:
            return name
    return None


class _Decoder:
    def __init__(self, tensors, sklearn_version):
        self.tensors = tensors
        self.sklearn_version = sklearn_version

    def decode(self, node):
        if node is None or isinstance(node, bool | str | numbers.Number):
            return node
        if isinstance(node, list):
            return [self.decode(item) for item in node]
        kind = node.get("$type")
        handler = getattr(self, f"decode_{kind}", None)
        if handler is None:
            raise ModelFileError(
                f"it holds a value of unknown type {kind!r}: it was written by another "
                "version of lstmforecast, or altered."
            )
        return handler(node)

    def decode_float(self, node):
        return float(node["value"])

    def decode_tuple(self, node):
        return tuple(self.decode(item) for item in node["items"])

    def decode_dict(self, node):
        return {self.decode(key): self.decode(value) for key, value in node["items"]}

    def decode_ndarray(self, node):
        dtype = np.dtype(node["dtype"])
        if "key" in node:
            return self.tensors[node["key"]].numpy().astype(dtype, copy=False)
        items = [self.decode(item) for item in node["items"]]
        array = np.empty(len(items), dtype=dtype)
        array[:] = items
        return array.reshape(node["shape"])

    def decode_numpy_scalar(self, node):
        return np.dtype(node["dtype"]).type(self.decode(node["value"]))

    def decode_ufunc(self, node):
        function = getattr(np, node["name"], None)
        if not isinstance(function, np.ufunc):
            raise ModelFileError(f"it names {node['name']!r}, which is not a numpy ufunc.")
        return function

    def decode_tensor(self, node):
        return self.tensors[node["key"]]

    def decode_device(self, node):
        import torch

        return torch.device(node["value"])

    def decode_random_state(self, node):
        generator = np.random.RandomState()
        generator.set_state(self.decode(node["state"]))
        return generator

    def decode_timestamp(self, node):
        import pandas as pd

        stamp = pd.Timestamp(node["value"])
        if node["tz"] is not None:
            stamp = stamp.tz_convert(node["tz"])
        return stamp.as_unit(node["unit"])

    def decode_timedelta(self, node):
        import pandas as pd

        return pd.Timedelta(node["nanoseconds"], unit="ns").as_unit(node["unit"])

    def decode_period(self, node):
        import pandas as pd

        return pd.Period(node["value"], freq=node["freq"])

    def decode_offset(self, node):
        import pandas as pd

        return pd.tseries.frequencies.to_offset(node["freq"])

    def decode_index(self, node):
        import pandas as pd

        name, kind = self.decode(node["name"]), node["kind"]
        if kind == "range":
            return pd.RangeIndex(*node["range"], name=name)
        values = self.decode(node["values"])
        if kind == "plain":
            return pd.Index(values, name=name)
        ticks = np.asarray(values, dtype=np.int64)
        if kind == "datetime":
            index = pd.DatetimeIndex(ticks.view("M8[ns]"), name=name)
            if node["tz"] is not None:
                index = index.tz_localize("UTC").tz_convert(node["tz"])
            return pd.DatetimeIndex(index.as_unit(node["unit"]), freq=node["freq"])
        if kind == "period":
            return pd.PeriodIndex.from_ordinals(ticks, freq=node["freq"], name=name)
        if kind == "timedelta":
            return pd.TimedeltaIndex(ticks.view("m8[ns]"), name=name).as_unit(node["unit"])
        raise ModelFileError(f"it holds an index of unknown kind {kind!r}.")

    def decode_dataframe(self, node):
        import pandas as pd

        columns = {
            self.decode(name): pd.Series(self.decode(values), dtype=dtype)
            for name, dtype, values in node["columns"]
        }
        return pd.DataFrame(columns)

    def decode_estimator(self, node):
        cls = _allowed_estimator(node["class"])
        params = renamed_params(cls, self.decode(node["params"]))  # files before a rename
        estimator = cls(**params)
        state = {**vars(estimator), **self.decode(node["state"])}
        if cls.__module__.startswith("sklearn.") and self.sklearn_version:
            state["_sklearn_version"] = self.sklearn_version  # sklearn warns on a mismatch
        estimator.__setstate__(state)
        try:
            check_functions(estimator, "the model")
        except TypeError as error:
            message = str(error).replace("lstmforecast.save cannot store", "it holds")
            raise ModelFileError(message) from None
        return estimator

    def decode_network(self, node):
        import torch

        cls = _allowed_class(node["class"])
        if not issubclass(cls, torch.nn.Module):
            raise ModelFileError(f"it names {node['class']}, which is not a network.")
        network = cls(**self.decode(node["init_args"]))
        for key, value in self.decode(node["attributes"]).items():
            setattr(network, key, value)
        state = {name: self.tensors[key] for name, key in node["state"].items()}
        network.load_state_dict(state, strict=True)
        return network.train(node["training"])

    def decode_statsmodels_results(self, node):
        from .._baselines.row_forecaster import statsmodels_context as _statsmodels_context

        if node["class"] in _STATSMODELS_RESULTS and node["class"].endswith("ThetaModelResults"):
            return self.decode_theta_results(node)
        if node["class"] not in _STATSMODELS_RESULTS:
            raise ModelFileError(f"it names {node['class']}, which is not on the allow-list.")
        module_name, attribute = _STATSMODELS_RESULTS[node["class"]]
        with _statsmodels_context():
            model_class = getattr(importlib.import_module(module_name), attribute)
            init = self.decode(node["init"])
            if "cov_type" not in node:  # ETS: the specification and its parameters
                model = model_class(self.decode(node["endog"]), **init)
                return model.smooth(self.decode(node["params"]))
            model = model_class(self.decode(node["endog"]), exog=self.decode(node["exog"]), **init)
            return model.smooth(self.decode(node["params"]), cov_type=node["cov_type"])

    def decode_theta_results(self, node):
        from statsmodels.tsa.forecasting.theta import ThetaModel, ThetaModelResults

        from .._baselines.row_forecaster import statsmodels_context as _statsmodels_context

        fitted = self.decode(node["fitted"])
        with _statsmodels_context():
            model = ThetaModel(self.decode(node["endog"]), **self.decode(node["init"]))
            model._has_seasonality = bool(fitted.pop("has_seasonality"))
            return ThetaModelResults(model=model, **fitted)


def _allowed_estimator(name):
    """The estimator class a file names, if on the allow-list (what save names)."""
    from sklearn.base import BaseEstimator

    if not isinstance(name, str):
        raise ModelFileError(f"it names a class with {name!r}, which is not a class name.")
    if name in _SKLEARN_CLASSES:
        module_name, attribute = _SKLEARN_CLASSES[name]
        return getattr(importlib.import_module(module_name), attribute)
    cls = _allowed_class(name)
    if not issubclass(cls, BaseEstimator):
        raise ModelFileError(f"it names {name}, which is not an estimator.")
    return cls


def _allowed_class(name):
    """One of lstmforecast's classes on the allow-list (by its stable name)."""
    cls = _lstmforecast_class(name) if isinstance(name, str) else None
    if cls is None:
        raise ModelFileError(
            f"it names the class {name}, which is not on lstmforecast.load's allow-list "
            "(lstmforecast's estimators and networks, Pipeline, StandardScaler, MinMaxScaler, "
            "MaxAbsScaler, RobustScaler, FunctionTransformer); it is not loaded."
        )
    return cls
