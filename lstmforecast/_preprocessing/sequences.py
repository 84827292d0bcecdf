"""Validation of sequence inputs for the recurrent estimators.

Every accepted form of X becomes one layout: a right-aligned array whose shorter
sequences are front-padded (NaN for values, 0 for tokens), plus each sequence's length.
Windows from :class:`Windower` are already in that layout, so they pass through as the
same strided view, never copied here.
"""

import warnings
import weakref
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from .._utils.validation import reject_non_numeric_columns


@dataclass
class Sequences:
    """Right-aligned sequences: ``values[i, -lengths[i]:]`` is sequence i."""

    values: np.ndarray  # (n, T, f) float32, or (n, T) int64 tokens
    lengths: np.ndarray  # (n,) int64, 1 <= lengths <= T
    future: np.ndarray | None = None  # (n, horizon, n_covariates) known-future covariates

    @property
    def n_steps(self):
        return self.values.shape[1]

    def __len__(self):
        return len(self.values)

    @cached_property
    def consecutive(self):
        """True when window t+1 is window t shifted by one row, as a Windower makes them
        (several of fit's choices ask; the check reads every window once)."""
        windows, block = self.values, 4096
        if windows.ndim < 2 or windows.strides[0] == windows.strides[1]:
            return windows.ndim >= 2  # a sliding view over one array of rows
        for start in range(0, len(windows) - 1, block):
            stop = min(start + block, len(windows) - 1)
            later, earlier = windows[start + 1 : stop + 1, :-1], windows[start:stop, 1:]
            if not np.array_equal(later, earlier, equal_nan=True):
                return False
        return True


def preview(rows, limit=10):
    """Row numbers for an error message, shortened."""
    shown = ", ".join(str(int(r)) for r in rows[:limit])
    return shown + (f", ... ({len(rows)} rows)" if len(rows) > limit else "")


def reject_nonfinite(array, name, hint):
    """Raise a ValueError naming the rows of ``array`` that hold NaN or inf."""
    finite = np.isfinite(array)
    if finite.all():
        return
    rows = np.flatnonzero(~finite.reshape(len(array), -1).all(axis=1))
    raise ValueError(f"{name} contains NaN or inf in rows [{preview(rows)}]; {hint}.")


def reject_count_matrix(array):
    """Refuse a document-term count matrix given where token-id sequences are expected.

    Token sequences hold their ids side by side (padding before or after them); a
    count matrix (dense ``CountVectorizer`` output) has one column per vocabulary word,
    so most rows have zeros between their entries, and its small counts never reach
    the number of columns. Read as ids, counts give an accuracy near chance.
    """
    array = np.asarray(array)
    numeric = np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_
    if array.ndim != 2 or array.shape[1] < 8 or not numeric:  # bool: a binary count matrix
        return
    present = array != 0
    n_present = present.sum(axis=1)
    rows = n_present > 0
    if not rows.any():
        return
    first = present.argmax(axis=1)
    last = array.shape[1] - 1 - present[:, ::-1].argmax(axis=1)
    holes = (last - first + 1 > n_present) & rows
    # Ids of a one-word vocabulary (0 and 1 only) are a binary matrix, whatever its holes.
    binary = array.max() <= 1 and n_present.max() > 1
    if binary or (holes.sum() > 0.5 * rows.sum() and array.max() < array.shape[1] / 2):
        raise ValueError(
            f"X looks like a count matrix (one column per word, e.g. dense CountVectorizer "
            f"output), not token-id sequences: {int(holes.sum())} of {int(rows.sum())} rows "
            "have zeros between their entries and no value reaches the number of columns. "
            "With embedding_dim set, each row must list a document's token ids in order "
            "(1..n_words, 0 = padding), e.g. from CountVectorizer().build_analyzer() and "
            "its vocabulary_ (+ 1); to learn from counts use embedding_dim=None or a "
            "tabular model."
        )


# How far from the training mean, in training standard deviations, an input may lie
# before predictions are flagged as extrapolation.
OUT_OF_RANGE_STDS = 10.0

# Estimator -> the training statistics it last warned about: predict must leave the
# estimator's __dict__ unchanged, and a new fit (new statistics) may warn again.
_WARNED_OUT_OF_RANGE = weakref.WeakKeyDictionary()


def warn_out_of_range(estimator, values, stats):
    """Warn once per fit when ``values`` lie far outside the training inputs.

    ``stats`` is the (mean, std) per feature of the training inputs. Only each
    feature's minimum and maximum are computed (NaN padding ignored, no copy of the
    windows), so the check costs one pass over the inputs.
    """
    if stats is None or _WARNED_OUT_OF_RANGE.get(estimator) is stats:
        return
    mean, std = stats
    # One flat reduction per feature: far faster than reducing over axes (0, 1) at once.
    features = [values[..., j] for j in range(values.shape[-1])]
    low = np.array([np.fmin.reduce(feature, axis=None) for feature in features])
    high = np.array([np.fmax.reduce(feature, axis=None) for feature in features])
    with np.errstate(invalid="ignore"):
        distance = np.fmax(np.abs(low - mean), np.abs(high - mean)) / std
    if not (np.nanmax(distance) > OUT_OF_RANGE_STDS):
        return
    feature = int(np.nanargmax(distance))
    warnings.warn(
        f"X holds values {float(distance[feature]):.0f} training standard deviations from "
        f"the training mean (feature {feature} of each step; more than "
        f"{OUT_OF_RANGE_STDS:g}): {type(estimator).__name__} extrapolates there and its "
        "predictions may be meaningless. Check the units and scaling of X against the "
        "training data. (Warned once per fit.)",
        UserWarning,
        stacklevel=4,
    )
    _WARNED_OUT_OF_RANGE[estimator] = stats


def check_sequences(estimator, X, *, reset, tokens=False):
    """Validate X and return it as :class:`Sequences`.

    Sets ``n_features_in_``, ``feature_names_in_`` and ``n_step_features_`` on the
    estimator when ``reset`` is True, and checks them otherwise. Windows that carry a
    future-covariate block (:class:`~lstmforecast._preprocessing.future.FutureWindows`) are read by
    estimators that say so (``_reads_future``); others refuse them.
    """
    from .future import check_future, split_future

    X, future = split_future(X)
    if future is not None and not getattr(estimator, "_reads_future", False):
        raise ValueError(
            f"X carries future covariates (columns '<covariate>_t+<k>'), which "
            f"{type(estimator).__name__} does not read; LSTMRegressor does. Drop those "
            "columns before the Windower."
        )
    sequences = _check_sequences(estimator, X, reset=reset, tokens=tokens)
    if getattr(estimator, "_reads_future", False):
        sequences.future = check_future(estimator, future, len(sequences), reset)
    return sequences


def _check_sequences(estimator, X, *, reset, tokens):
    if _is_ragged(X):
        return _ragged(estimator, X, reset=reset, tokens=tokens)
    frame = hasattr(X, "columns")  # pandas or polars: validate_data checks the names
    if not frame and not hasattr(X, "ndim"):
        X = np.asarray(X)
    ndim = 2 if frame else X.ndim
    if frame:
        reject_non_numeric_columns(X)
    if ndim == 2:
        dtype = None if tokens else (np.float32, np.float64)
        if reset or estimator._steps_are_columns:
            # Each column is a time step, as sklearn sees a 2-D X: its width is checked.
            array = validate_data(estimator, X, reset=reset, dtype=dtype, ensure_all_finite=False)
            estimator._steps_are_columns = True
        else:
            # Fitted on 3-D sequences: a 2-D X holds univariate sequences of any length.
            array = check_array(X, dtype=dtype, ensure_all_finite=False)
        if tokens:
            reject_count_matrix(array)
        array = array if tokens else array[:, :, None]
    elif ndim == 3 and not tokens:
        array = check_array(
            X, allow_nd=True, dtype=(np.float32, np.float64), ensure_all_finite=False, copy=False
        )
        if reset:
            estimator.n_features_in_ = array.shape[2]
            estimator._steps_are_columns = False
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
    else:
        expected = (
            "(n_samples, n_steps) token ids"
            if tokens
            else ("(n_samples, n_steps, n_features) or (n_samples, n_steps)")
        )
        raise ValueError(
            f"X must have shape {expected}, got an array with shape {np.shape(X)}. Reshape "
            "your data: Windower turns time-ordered rows into look-back windows."
        )
    return _finish(estimator, array, reset=reset, tokens=tokens)


def _is_ragged(X):
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    try:
        shapes = [np.shape(x) for x in X]
    except ValueError:
        raise ValueError(
            "X is a list whose sequences are not rectangular; give each sequence as an "
            "array of shape (n_steps, n_features) or (n_steps,)."
        ) from None
    first = shapes[0]
    return any(shape != first for shape in shapes) or (
        len(first) >= 1 and all(isinstance(x, np.ndarray) for x in X) and len(first) == 2
    )


def _ragged(estimator, X, *, reset, tokens):
    parts = [np.asarray(x) for x in X]
    for i, part in enumerate(parts):
        if np.iscomplexobj(part):
            raise ValueError(f"Sequence {i} of X is complex; only real values are supported.")
        if part.ndim not in (1, 2) or part.size == 0 or (tokens and part.ndim != 1):
            shape = "(n_steps,) of token ids" if tokens else "(n_steps, n_features) or (n_steps,)"
            raise ValueError(
                f"Sequence {i} of X has shape {part.shape}; each sequence must be a non-empty "
                f"array of shape {shape}."
            )
    n_steps = max(len(p) for p in parts)
    if tokens:
        values = np.zeros((len(parts), n_steps), dtype=np.int64)
        for i, part in enumerate(parts):  # one copy per sequence: ragged input has no array form
            values[i, n_steps - len(part) :] = _token_ids(part, f"sequence {i} of X")
    else:
        parts = [p[:, None] if p.ndim == 1 else p for p in parts]
        widths = {p.shape[1] for p in parts}
        if len(widths) > 1:
            raise ValueError(
                f"The sequences of X have different numbers of features {sorted(widths)}; "
                "every time step must have the same features."
            )
        values = np.full((len(parts), n_steps, widths.pop()), np.nan, dtype=np.float32)
        for i, part in enumerate(parts):
            try:
                values[i, n_steps - len(part) :] = part
            except (TypeError, ValueError) as error:
                raise ValueError(f"Sequence {i} of X is not numeric: {error}") from None
    if hasattr(estimator, "feature_names_in_") and reset:
        del estimator.feature_names_in_
    if reset:
        estimator.n_features_in_ = values.shape[2] if values.ndim == 3 else 1
        estimator._steps_are_columns = False
    return _finish(estimator, values, reset=reset, tokens=tokens)


def _finish(estimator, array, *, reset, tokens):
    n_step_features = 1 if tokens else array.shape[2]
    if reset:
        estimator.n_step_features_ = n_step_features
    elif n_step_features != estimator.n_step_features_:
        raise ValueError(
            f"X has {n_step_features} features per time step, but "
            f"{type(estimator).__name__} was fitted with {estimator.n_step_features_}."
        )
    if len(array) == 0:
        raise ValueError("X has no sequences (0 samples); at least 1 is required.")
    if array.shape[1] == 0 or (not tokens and array.shape[2] == 0):
        raise ValueError(
            f"X has shape {array.shape}: sequences need at least 1 time step and 1 feature."
        )
    if tokens:
        return _token_sequences(array)
    return _value_sequences(array)


def _token_ids(array, name):
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.bool_)):
        if not np.issubdtype(array.dtype, np.floating) or not np.all(np.mod(array, 1) == 0):
            raise ValueError(
                f"{name} must hold integer token ids (0 = padding) because embedding_dim is "
                f"set, got dtype {array.dtype}. Encode tokens as integers, or leave "
                "embedding_dim=None for numeric sequences."
            )
    if array.size and array.min() < 0:
        raise ValueError(f"{name} holds negative token ids; ids must be >= 0 (0 = padding).")
    return array.astype(np.int64, copy=False)


def _token_sequences(array):
    array = _token_ids(np.asarray(array), "X")
    present = array != 0
    lengths = present.sum(axis=1)
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise ValueError(f"Sequences [{preview(empty)}] of X hold only padding (token 0).")
    if not np.all(present[:, 1:] >= present[:, :-1]):
        # Padding inside or after the tokens: move every 0 to the front, keeping order.
        order = np.argsort(present, axis=1, kind="stable")
        array = np.take_along_axis(array, order, axis=1)
    return Sequences(array, lengths.astype(np.int64))


def _value_sequences(array):
    missing = np.isnan(array)
    if np.isinf(array).any():
        rows = np.flatnonzero(np.isinf(array).reshape(len(array), -1).any(axis=1))
        raise ValueError(f"X contains inf in rows [{preview(rows)}]; replace or drop them.")
    if not missing.any():
        lengths = np.full(len(array), array.shape[1], dtype=np.int64)
        return Sequences(array, lengths)
    empty_step = missing.all(axis=2)
    padding = np.logical_and.accumulate(empty_step, axis=1)  # leading all-NaN steps only
    n_pad = padding.sum(axis=1)
    empty = np.flatnonzero(n_pad == array.shape[1])
    if empty.size:
        raise ValueError(f"Rows [{preview(empty)}] of X are entirely NaN: nothing to read.")
    inner = missing.any(axis=2) & ~padding
    if inner.any():
        rows = np.flatnonzero(inner.any(axis=1))
        raise ValueError(
            f"X contains NaN in rows [{preview(rows)}] after their first observed step. "
            "Only leading all-NaN time steps are read as padding; impute the others."
        )
    return Sequences(array, (array.shape[1] - n_pad).astype(np.int64))
