"""Recognise rows that continue the rows seen in ``fit`` (e.g. a test fold right after its
training fold), from the pandas index alone."""

import pandas as pd


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
