"""Panels: many series in one long frame, told apart by a series-id column or index level.

A panel row is one (series, time) observation. The series id comes from ``id_column``: the
name of a column of the frame, or of a level of its MultiIndex (then the other level is
the time). With a column, the frame's index is the time (repeated across series); a
RangeIndex there carries no time, and each row's time is its position in its series.
"""

from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd

from .._utils.time_index import inferred_freq

# The ``id_column`` parameter (of estimators and functions alike) and what to pass.
ID_COLUMN_CONSTRAINT = [str, Integral, None]
ID_COLUMN_HINT = (
    "id_column names the series-id column (or MultiIndex level) of a long pandas frame; "
    "None for one series."
)


@dataclass
class Panel:
    """Where each row of a long frame belongs."""

    codes: np.ndarray  # (n,) int64: series number of each row, in order of first appearance
    ids: pd.Index  # (n_series,) the series ids, in that order
    ranks: np.ndarray  # (n,) int64: position of each row within its series
    sizes: np.ndarray  # (n_series,) rows per series
    times: pd.Index  # (n,) time label of each row
    values: pd.DataFrame  # the frame without the id column (the numeric features)
    level: bool  # True when the id is a MultiIndex level, False for a column
    timed: bool  # False when the times are only positions (a RangeIndex long frame)

    @property
    def n_series(self):
        return len(self.ids)

    def order(self):
        """Row positions sorted by (series, time): each series' rows, oldest first."""
        return np.lexsort((self.ranks, self.codes))

    def last_rows(self):
        """Position of each series' last row."""
        order = self.order()
        ends = np.cumsum(self.sizes) - 1
        return order[ends]


def split_panel(X, id_column, name="X"):
    """Read the series id, the time and the features of a long pandas frame.

    Raises a ValueError naming the fix when ``X`` is not a pandas frame, ``id_column`` is
    neither a column nor an index level, or a series' times are not strictly increasing.
    """
    if isinstance(X, pd.Series):
        X = X.to_frame()
    if not isinstance(X, pd.DataFrame):
        raise ValueError(
            f"id_column={id_column!r} needs {name} as a pandas DataFrame holding a series-id "
            f"column (or a MultiIndex level) named {id_column!r}; got {type(X).__name__}. Build it "
            "with make_supervised(data, target_column=..., id_column=...)."
        )
    index = X.index
    if id_column in X.columns:
        ids = X[id_column]
        values = X.drop(columns=[id_column])
        level = False
        times = None if isinstance(index, pd.RangeIndex) else index  # None: positions
    elif isinstance(index, pd.MultiIndex) and id_column in index.names:
        if index.nlevels != 2:
            raise ValueError(
                f"{name}'s MultiIndex has {index.nlevels} levels; a panel index has two: "
                f"the series id ({id_column!r}) and the time."
            )
        position = index.names.index(id_column)
        ids = index.get_level_values(position)
        times = index.get_level_values(1 - position)
        values = X
        level = True
    else:
        raise ValueError(
            f"id_column={id_column!r} is neither a column of {name} {list(X.columns)[:10]} nor a "
            f"level of its index {list(index.names)}: name the column (or level) that holds "
            "the series ids."
        )
    if pd.isna(ids).any():
        raise ValueError(f"The series-id column {id_column!r} of {name} holds missing ids.")
    codes, uniques = pd.factorize(np.asarray(ids), sort=False)
    codes = codes.astype(np.int64)
    sizes = np.bincount(codes, minlength=len(uniques)).astype(np.int64)
    ranks = pd.Series(codes).groupby(codes).cumcount().to_numpy().astype(np.int64)
    timed = times is not None
    if not timed:
        times = pd.Index(ranks)
    panel = Panel(codes, pd.Index(uniques), ranks, sizes, pd.Index(times), values, level, timed)
    _check_series_order(panel, name)
    return panel


def _check_series_order(panel, name):
    """Within each series, times strictly increase (rows are read oldest first)."""
    times = panel.times
    ordered = isinstance(times, pd.DatetimeIndex | pd.PeriodIndex | pd.TimedeltaIndex) or (
        pd.api.types.is_numeric_dtype(times.dtype) and not pd.api.types.is_bool_dtype(times.dtype)
    )
    if not ordered or len(times) < 2:
        return
    order = panel.order()
    sorted_times = times[order]
    same_series = panel.codes[order][1:] == panel.codes[order][:-1]
    if isinstance(sorted_times, pd.PeriodIndex):
        stamps = sorted_times.asi8
    else:
        stamps = np.asarray(sorted_times)
    bad = same_series & ~(stamps[1:] > stamps[:-1])
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        series = panel.ids[panel.codes[order][at]]
        raise ValueError(
            f"In {name}, series {series!r} is not in time order: {sorted_times[at + 1]!r} comes "
            f"after {sorted_times[at]!r} (or repeats it). Sort the rows of each series by time "
            "first, e.g. X.sort_values([id, time]); each series is read oldest first."
        )


def panel_step(panel):
    """The time step of a panel: the frequency of the longest series' dates, or the gap
    between its last two times. None when it cannot be told."""
    if not panel.timed:
        return None
    _check_one_step(panel)
    longest = np.flatnonzero(panel.codes == int(np.argmax(panel.sizes)))
    times = panel.times[longest]
    if len(times) < 2:
        return None
    if isinstance(times, pd.PeriodIndex):
        return 1
    if isinstance(times, pd.DatetimeIndex) and len(times) >= 3:
        freq = inferred_freq(pd.DatetimeIndex(times))
        if freq is not None:
            return freq
    try:
        return times[-1] - times[-2]
    except (TypeError, ValueError):
        return None


def _check_one_step(panel):
    """Refuse a panel whose series are spaced differently (daily next to monthly): one
    step, the longest series', dates every series' forecasts and continuations.

    Each series' smallest gap between consecutive times stands for its step (gaps from
    missing rows are larger); steps within a factor 1.5 of each other agree, so that
    months of 28 to 31 days do.
    """
    times = panel.times
    if isinstance(times, pd.DatetimeIndex | pd.TimedeltaIndex):
        values = times.asi8.astype(np.float64)
    elif pd.api.types.is_numeric_dtype(times.dtype) and not pd.api.types.is_bool_dtype(times.dtype):
        values = np.asarray(times, dtype=np.float64)
    else:
        return  # periods share their frequency by construction; other labels have none
    order = panel.order()
    codes, values = panel.codes[order], values[order]
    same = codes[1:] == codes[:-1]
    if not same.any():
        return
    gaps = pd.Series(np.diff(values)[same]).groupby(codes[1:][same]).min()
    reference = gaps.get(int(np.argmax(panel.sizes)), gaps.iloc[0])
    ratio = gaps.to_numpy() / reference
    odd = np.flatnonzero((ratio > 1.5) | (ratio < 1 / 1.5))
    if odd.size:
        other = int(gaps.index[odd[0]])
        longest = int(gaps.index[int(np.argmin(np.abs(ratio - 1)))])

        def spacing(code):
            step = gaps[code]
            return (
                pd.Timedelta(int(step))
                if isinstance(times, pd.DatetimeIndex | pd.TimedeltaIndex)
                else step
            )

        raise ValueError(
            f"The panel's series have different time steps: series {panel.ids[other]!r} is "
            f"spaced {spacing(other)} apart, series {panel.ids[longest]!r} "
            f"{spacing(longest)}. Future dates and the continuation of each series' "
            "history follow one step: model series of different frequencies apart (one "
            "panel per frequency), or resample them to one frequency."
        )


def steps_after(last_times, step, first_times, max_skipped):
    """Per series: how many steps were skipped between its last fitted time and its first
    new time (0: the new rows continue it), or -1 when they do not follow within
    ``max_skipped`` steps."""
    skipped = np.full(len(last_times), -1, dtype=np.int64)
    if step is None or len(last_times) == 0:
        return skipped
    candidate = pd.Index(last_times)
    first_times = pd.Index(first_times)
    for k in range(max_skipped + 1):
        try:
            candidate = candidate + step
        except (TypeError, ValueError):
            return skipped
        hit = (skipped < 0) & np.asarray(candidate == first_times)
        skipped[hit] = k
        if (skipped >= 0).all():
            break
    return skipped


def model_id_column(model):
    """The series-id column a fitted model was built for (a Windower's or a
    PerSeriesForecaster's ``id_column``, inside Pipelines and wrappers), or None."""
    seen = set()
    pending = [model]
    while pending:
        current = pending.pop(0)
        if current is None or isinstance(current, str) or id(current) in seen:
            continue
        seen.add(id(current))
        state = vars(current) if hasattr(current, "get_params") else {}
        id_column = state.get("id_column")
        if id_column is None and state.get("groups") != "deprecated":
            id_column = state.get("groups")  # the deprecated name of id_column
        if isinstance(id_column, str | int | np.integer) and not isinstance(id_column, bool):
            return id_column
        pending.extend(step for _, step in getattr(current, "steps", []))
        for attribute in ("best_estimator_", "estimator_", "estimator"):
            pending.append(getattr(current, attribute, None))
    return None
