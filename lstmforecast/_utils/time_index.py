"""Recognise rows that continue the rows seen in ``fit`` (e.g. a test fold right after its
training fold), from the pandas index alone."""

import pandas as pd

from .validation import reject_non_numeric_columns


def index_signature(X):
    """What ``continues`` needs to remember of a fitted X: its last label and its step.

    Returns None for non-pandas input or an index too short to have a step.
    """
    index = getattr(X, "index", None)
    if not isinstance(index, pd.Index) or len(index) < 2:
        return None
    step = getattr(index, "freq", None)
    if step is None:
        try:
            step = index[-1] - index[-2]
        except (TypeError, ValueError):  # labels without arithmetic (strings, tuples)
            return None
    return index[-1], step


def continues(signature, X):
    """True when the pandas X starts exactly one step after the remembered rows."""
    index = getattr(X, "index", None)
    if signature is None or not isinstance(index, pd.Index) or len(index) == 0:
        return False
    last, step = signature
    try:
        return bool(index[0] == last + step)
    except (TypeError, ValueError):
        return False


def check_time_order(X, name="X"):
    """Raise a ValueError when the pandas index of ``X`` is not strictly increasing.

    Rows are read in their order as time: a shuffled or duplicated time index would mix
    times silently. Indexes without a time order (strings, a polars frame, arrays) are
    not checked; a RangeIndex is increasing by construction.
    """
    index = getattr(X, "index", None)
    if not isinstance(index, pd.Index) or isinstance(index, pd.RangeIndex) or len(index) < 2:
        return
    ordered = isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex, pd.TimedeltaIndex)) or (
        pd.api.types.is_numeric_dtype(index.dtype) and not pd.api.types.is_bool_dtype(index.dtype)
    )
    if not ordered:
        return
    duplicated = index.duplicated()
    if duplicated.any():
        raise ValueError(
            f"The index of {name} has duplicated times, e.g. {index[duplicated][0]!r}: each "
            "row must be one time step. Aggregate the duplicates (e.g. "
            f"{name}.groupby(level=0).mean()) or drop them first."
        )
    if not index.is_monotonic_increasing:
        position = int((index[1:] < index[:-1]).argmax()) + 1
        raise ValueError(
            f"The index of {name} is not in time order: {index[position]!r} (row {position}) "
            f"comes after {index[position - 1]!r}. Sort the rows first ({name}.sort_index()); "
            "rows are read oldest first."
        )


def check_time_rows(X, name="X"):
    """The checks every reader of time-ordered rows makes before converting them: the
    rows are in time order, and no column holds text."""
    check_time_order(X, name)
    reject_non_numeric_columns(X, name)


def rows_skipped(signature, X, max_skipped):
    """Rows missing between the rows seen in ``fit`` and the pandas ``X``.

    0 when ``X`` continues the fitted rows, k when it starts k steps later (as after
    ``TimeSeriesSplit(gap=k)``), None when it does not follow them within ``max_skipped``
    steps (or has no pandas index): then nothing is known of the rows before ``X``.
    """
    if signature is None:
        return None
    last, step = signature
    for skipped in range(max_skipped + 1):
        try:
            shifted = (last + step * skipped, step) if skipped else signature
        except (TypeError, ValueError):
            return None
        if continues(shifted, X):
            return skipped
    return None


def inferred_freq(index):
    """pandas' inferred frequency of a DatetimeIndex, as an offset (or None)."""
    try:
        with pd.option_context("future.infer_freq_returns_offset", True):
            freq = pd.infer_freq(index)
    except (KeyError, pd.errors.OptionError):  # pandas without that option returns a str
        freq = pd.infer_freq(index)
    return None if freq is None else pd.tseries.frequencies.to_offset(freq)
