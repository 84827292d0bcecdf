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

import importlib
import json
import math
import numbers
import os
import warnings

import numpy as np

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
}


def save(model, path):
    """Save a fitted model to ``path`` without pickle.

    The file is a `safetensors <https://huggingface.co/docs/safetensors>`_ file: network
    weights and numeric arrays are its tensors, and the rest (classes, parameters,
    fitted attributes, version stamp) is JSON in its header. :func:`load` reads it back
    without running any code from the file.

    Parameters
    ----------
    model : estimator
        A fitted :class:`LSTMRegressor`, :class:`LSTMClassifier`, :class:`Windower`,
        :class:`NaiveRegressor`, :class:`SeasonalNaiveRegressor`,
        :class:`ARIMARegressor` (any lstmforecast estimator whose attributes are plain
        values), or a scikit-learn ``Pipeline`` of those and ``StandardScaler``,
        ``MinMaxScaler``, ``MaxAbsScaler``, ``RobustScaler`` or ``FunctionTransformer``
        with numpy ufuncs. Unfitted estimators are saved too.
    path : str or path-like
        Where to write (overwritten if it exists).

    Raises
    ------
    TypeError
        If the model holds something that cannot be stored as plain data (another
        class, a Python function, an int8-quantized network); the message names it.

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
    from safetensors.torch import save_file

    encoder = _Encoder()
    tree = encoder.encode(model, "model")
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": _versions(),
        "model": tree,
    }
    metadata = {_HEADER_KEY: json.dumps(header, allow_nan=False)}
    save_file(encoder.tensors, os.fspath(path), metadata=metadata)


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
    ValueError
        If the file is not a model saved by :func:`save`, was written by a newer
        format, or names a class outside the allow-list.
    """
    from safetensors import SafetensorError, safe_open

    path = os.fspath(path)
    try:
        with safe_open(path, framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            tensors = {name: handle.get_tensor(name) for name in handle.keys()}
    except SafetensorError as error:
        raise ValueError(
            f"{path} is not a model saved by lstmforecast.save (not a safetensors file: {error})."
        ) from None
    if _HEADER_KEY not in metadata:
        raise ValueError(
            f"{path} is a safetensors file without an lstmforecast header: it holds "
            "tensors, not a model saved by lstmforecast.save."
        )
    header = json.loads(metadata[_HEADER_KEY])
    if header.get("format") != FORMAT:
        raise ValueError(f"{path} is not a model saved by lstmforecast.save.")
    if header.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"{path} was saved in format version {header['format_version']} by lstmforecast "
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
            stacklevel=2,
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
        if isinstance(value, pd.DataFrame):
            if not isinstance(value.index, pd.RangeIndex):
                raise TypeError(f"lstmforecast.save cannot store {where}: a DataFrame index.")
            columns = [
                [self.encode(name, where), str(column.dtype), self.encode(column.tolist(), where)]
                for name, column in value.items()
            ]
            return {"$type": "dataframe", "columns": columns}
        return None

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
        if name.endswith("FunctionTransformer"):
            for attribute in ("func", "inverse_func"):
                function = getattr(estimator, attribute)
                if function is not None and not isinstance(function, np.ufunc):
                    raise TypeError(
                        f"lstmforecast.save cannot store {where}.{attribute}={function!r}: a "
                        "FunctionTransformer is stored only with numpy ufuncs (np.log1p, "
                        "np.expm1, ...), since a Python function would have to be pickled."
                    )
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

    def encode_statsmodels_results(self, results, where):
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
            raise ValueError(
                f"The file holds a value of unknown type {kind!r}: it was written by another "
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
            raise ValueError(f"The file names {node['name']!r}, which is not a numpy ufunc.")
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

    def decode_dataframe(self, node):
        import pandas as pd

        columns = {
            self.decode(name): pd.Series(self.decode(values), dtype=dtype)
            for name, dtype, values in node["columns"]
        }
        return pd.DataFrame(columns)

    def decode_estimator(self, node):
        cls = _allowed_estimator(node["class"])
        params = self.decode(node["params"])
        estimator = cls(**params)
        state = {**vars(estimator), **self.decode(node["state"])}
        if cls.__module__.startswith("sklearn.") and self.sklearn_version:
            state["_sklearn_version"] = self.sklearn_version  # sklearn warns on a mismatch
        estimator.__setstate__(state)
        return estimator

    def decode_network(self, node):
        import torch

        cls = _allowed_class(node["class"])
        if not issubclass(cls, torch.nn.Module):
            raise ValueError(f"The file names {node['class']}, which is not a network.")
        network = cls(**self.decode(node["init_args"]))
        for key, value in self.decode(node["attributes"]).items():
            setattr(network, key, value)
        state = {name: self.tensors[key] for name, key in node["state"].items()}
        network.load_state_dict(state, strict=True)
        return network.train(node["training"])

    def decode_statsmodels_results(self, node):
        from .._baselines.row_forecaster import statsmodels_context as _statsmodels_context

        if node["class"] not in _STATSMODELS_RESULTS:
            raise ValueError(f"The file names {node['class']}, which is not on the allow-list.")
        module_name, attribute = _STATSMODELS_RESULTS[node["class"]]
        with _statsmodels_context():
            model_class = getattr(importlib.import_module(module_name), attribute)
            init = self.decode(node["init"])
            model = model_class(self.decode(node["endog"]), exog=self.decode(node["exog"]), **init)
            return model.smooth(self.decode(node["params"]), cov_type=node["cov_type"])


def _allowed_estimator(name):
    from sklearn.base import BaseEstimator

    if name in _SKLEARN_CLASSES:
        module_name, attribute = _SKLEARN_CLASSES[name]
        return getattr(importlib.import_module(module_name), attribute)
    cls = _allowed_class(name)
    if not issubclass(cls, BaseEstimator):
        raise ValueError(f"The file names {name}, which is not an estimator.")
    return cls


def _allowed_class(name):
    cls = _lstmforecast_class(name)
    if cls is None:
        raise ValueError(
            f"The file names the class {name}, which is not on lstmforecast.load's allow-list "
            "(lstmforecast's estimators and networks, Pipeline, StandardScaler, MinMaxScaler, "
            "MaxAbsScaler, RobustScaler, FunctionTransformer); it is not loaded."
        )
    return cls
