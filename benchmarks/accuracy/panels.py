"""Panels: one global LSTM over many series against per-series models, and fit-time scaling.

Protocol (the same for every contender):

- each panel is cut at ``ORIGINS`` rolling origins at its end, ``h`` steps apart, the
  same times for every series; at each origin a contender sees every series' values up
  to the origin only and forecasts each series' next ``h`` values;
- every contender is fitted on the same rows, ``make_supervised(train, horizon=h,
  id_column="series")`` (a direct multi-horizon y), and forecasts with
  ``forecast(model, train, id_column="series")``: the global LSTM is one
  ``Pipeline([Windower(id_column=...), LSTMRegressor(window_scale="std")])`` over all
  series; the per-series models (LSTM with the default settings, ETS, seasonal naive)
  are ``PerSeriesForecaster`` clones, one per series, fitted in parallel by joblib;
- MASE per series (scale: the in-sample seasonal naive error of that series' training
  values, season ``m``), averaged over series and origins; fit seconds are wall and CPU
  (this process and its joblib workers) summed over the origins.

Synthetic panel (seed 0): 1,000 monthly series of 96 steps, a shared yearly season whose
amplitude is specific to each series, linear trends, levels spanning four orders of
magnitude (1 to 10,000), and noise. Open-data panels: the 12 quarterly series of
statsmodels' macrodata (GDP, consumption, ..., inflation, interest rates), and sktime's
hierarchical sales toy data (4 monthly product series). Held-out series (airline, lynx,
wineind, taylor) are never loaded.
"""

import time
import warnings

import numpy as np
import pandas as pd
import psutil

from lstmforecast import (
    ETSRegressor,
    LSTMRegressor,
    PerSeriesForecaster,
    SeasonalNaiveRegressor,
    Windower,
    forecast,
    make_supervised,
)
from lstmforecast.metrics import mase

from .._common import Row, note

ORIGINS = 2
GLOBAL_EPOCHS = 15
SUBSET = 20  # series that the per-series LSTMs and ETS are fitted on in the synthetic panel
TABLES = {}  # filled by run(); __main__ writes it into benchmarks/README.md


def synthetic_panel(n_series=1000, n_steps=96, seed=0):
    """Long frame (series, value) indexed by month: shared season, own amplitude, trend,
    level and noise per series."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)
    level = 10 ** rng.uniform(0, 4, n_series)
    amplitude = rng.uniform(0.05, 0.4, n_series)
    trend = rng.normal(0, 0.004, n_series)
    noise = rng.uniform(0.01, 0.08, n_series)
    season = np.sin(2 * np.pi * t / 12) + 0.5 * np.sin(4 * np.pi * t / 12 + 1.0)
    shape = 1 + amplitude[:, None] * season + trend[:, None] * t
    values = level[:, None] * (shape + noise[:, None] * rng.standard_normal((n_series, n_steps)))
    dates = pd.date_range("2015-01-01", periods=n_steps, freq="MS")
    return pd.DataFrame(
        {"series": np.repeat([f"s{k:04d}" for k in range(n_series)], n_steps)},
        index=np.tile(dates, n_series),
    ).assign(value=values.ravel())


def macrodata_panel():
    from statsmodels.datasets import macrodata

    data = macrodata.load_pandas().data
    dates = pd.period_range("1959Q1", periods=len(data), freq="Q")
    columns = ["realgdp", "realcons", "realinv", "realgovt", "realdpi", "cpi", "m1"]
    columns += ["tbilrate", "unemp", "pop", "infl", "realint"]
    frames = [
        pd.DataFrame({"series": name, "value": data[name].to_numpy(float)}, index=dates)
        for name in columns
    ]
    return pd.concat(frames)


def sales_panel():
    from sktime.datasets import load_hierarchical_sales_toydata

    data = load_hierarchical_sales_toydata()["Sales"]
    frames = []
    for (line, group), values in data.groupby(level=[0, 1]):
        dates = values.index.get_level_values(2)
        frames.append(
            pd.DataFrame(
                {"series": f"{line}/{group}", "value": values.to_numpy(float)},
                index=pd.PeriodIndex(dates, freq="M"),
            )
        )
    return pd.concat(frames)


def look_back(m):
    """A season and a few steps: the seasonal anchor of every step of h <= m in reach."""
    return max(m + 4, 8)


def global_lstm(m, n_series):
    from sklearn.pipeline import Pipeline

    # A thousand series give ~100x the windows of one: fewer epochs and larger batches
    # than the single-series defaults (early stopping as usual); small panels keep them.
    large = dict(max_epochs=GLOBAL_EPOCHS, batch_size=256) if n_series >= 100 else {}
    lstm = LSTMRegressor(
        window_scale="std", season_length=m if m > 1 else None, random_state=0, **large
    )
    return Pipeline([("win", Windower(look_back=look_back(m), id_column="series")), ("lstm", lstm)])


def local(estimator, n_jobs=2):
    return PerSeriesForecaster(estimator, id_column="series", n_jobs=n_jobs)


def local_lstm(m):
    from sklearn.pipeline import Pipeline

    pipe = Pipeline(
        [("win", Windower(look_back=look_back(m))), ("lstm", LSTMRegressor(random_state=0))]
    )
    return local(pipe, n_jobs=1)  # one torch thread each; loky workers would share 2 cores


def contenders(m, n_series):
    # One fixed model (AICc selection over every form costs ~5x more per series):
    # additive errors, damped additive trend, additive season.
    ets = ETSRegressor(
        error="add",
        trend="add",
        damped_trend=True,
        seasonal="add" if m > 1 else None,
        season_length=m,
    )
    return {
        "global LSTM": lambda: global_lstm(m, n_series),
        "per-series LSTM": lambda: local_lstm(m),
        "per-series ETS": lambda: local(ets),
        "seasonal naive": lambda: local(SeasonalNaiveRegressor(season_length=m)),
    }


def _cpu_seconds():
    """CPU seconds of this process and its live children (joblib's loky workers)."""
    process = psutil.Process()
    total = sum(process.cpu_times()[:2])
    for child in process.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.Error:
            pass
    return total


def evaluate(make, panel, m, h, series=None):
    """Per-series MASE over the rolling origins ({series: [one per origin]}) of a model
    fitted on ``series`` (None: all), and its fit+forecast wall and CPU seconds."""
    if series is not None:
        panel = panel[panel["series"].isin(series)]
    # Rows in time order (series interleaved): early stopping then holds out the latest
    # times of every series, not the last series of a series-major frame.
    panel = panel.sort_index(kind="stable")
    times = np.sort(panel.index.unique())
    errors, wall, cpu = {}, 0.0, 0.0
    for i in range(ORIGINS, 0, -1):
        origin = times[len(times) - i * h]
        train, test = panel[panel.index < origin], panel[panel.index >= origin]
        X, y = make_supervised(train, target_column="value", horizon=h, id_column="series")
        w0, c0 = time.perf_counter(), _cpu_seconds()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = make().fit(X, y)
            predicted = forecast(model, train, id_column="series")
        wall += time.perf_counter() - w0
        cpu += _cpu_seconds() - c0
        actuals = dict(list(test.groupby("series")["value"]))
        histories = dict(list(train.groupby("series")["value"]))
        for name, rows in predicted.groupby("series", sort=False):
            actual, history = actuals[name].to_numpy()[:h], histories[name].to_numpy()
            score = mase(actual, rows["value"].to_numpy(), season_length=m, y_train=history)
            errors.setdefault(name, []).append(score)
    return errors, wall, cpu


def _accuracy(quick):
    synthetic = synthetic_panel(n_series=100 if quick else 1000)
    names = sorted(synthetic["series"].unique())
    subset = names[:: len(names) // SUBSET][:SUBSET]
    panels = {
        "synthetic": (synthetic, 12, 6, subset),
        "macrodata": (macrodata_panel(), 4, 4, None),
    }
    try:
        panels["sktime sales"] = (sales_panel(), 12, 6, None)
    except ImportError:
        note("    sktime not installed: the sales panel is skipped")
    results = {}  # (panel, model, fitted on, scored on) -> (MASE, wall, cpu)
    for panel_name, (panel, m, h, subset_ids) in panels.items():
        n_series = panel["series"].nunique()
        everything = f"all {n_series}"
        for model_name, make in contenders(m, n_series).items():
            # The per-series LSTMs and ETS cost ~1 s per series and origin: subset only.
            local_only = subset_ids is not None and model_name.startswith("per-series")
            fits = [subset_ids] if local_only else [None]
            if subset_ids is not None and model_name == "global LSTM":
                fits.append(subset_ids)  # also fitted on the subset alone: like with like
            for fit_ids in fits:
                fitted = everything if fit_ids is None else f"{len(fit_ids)}-series subset"
                note(f"    {panel_name} / {model_name} / fitted on {fitted} ...")
                errors, wall, cpu = evaluate(make, panel, m, h, fit_ids)
                scopes = {fitted: list(errors)}
                if subset_ids is not None and fit_ids is None:
                    scopes[f"{len(subset_ids)}-series subset"] = subset_ids
                for scored, ids in scopes.items():
                    score = float(np.mean([errors[name] for name in ids]))
                    results[panel_name, model_name, fitted, scored] = (score, wall, cpu)
    return panels, results


def _scaling(quick):
    """Fit seconds (one epoch) of the global LSTM on 500-step series, as the panel grows."""
    sizes = (100, 1000) if quick else (1000, 10_000)
    rows = []
    for n_series in sizes:
        panel = synthetic_panel(n_series=n_series, n_steps=500, seed=1)
        w0, c0 = time.perf_counter(), _cpu_seconds()
        X, y = make_supervised(panel, target_column="value", id_column="series")
        windows = Windower(look_back=12, id_column="series").fit_transform(X)
        prepare = time.perf_counter() - w0
        model = LSTMRegressor(
            window_scale="std",
            season_length=12,
            max_epochs=1,
            early_stopping=False,
            batch_size=256,
            random_state=0,
            device="cpu",
        ).fit(windows, y.to_numpy())
        rows.append(
            (n_series, len(windows), prepare, time.perf_counter() - w0, _cpu_seconds() - c0)
        )
        assert model.n_iter_ == 1
        del windows, X, y
    return rows


def run(quick=False):
    panels, results = _accuracy(quick)
    scaling = _scaling(quick)
    TABLES["panels"] = _markdown(panels, results, scaling, quick)
    return _verdicts(panels, results, scaling)


def _markdown(panels, results, scaling, quick):
    lines = [
        "Panels: MASE per series (mean over series and "
        f"{ORIGINS} rolling origins; lower is better), fit + forecast seconds over the origins",
        "",
        "| panel | m, h | model | fitted on | scored on | MASE | wall s | CPU s |",
        "|---|---|---|---|---|---:|---:|---:|",
    ]
    for (panel_name, model_name, fitted, scored), (score, wall, cpu) in results.items():
        _, m, h, _ = panels[panel_name]
        lines.append(
            f"| {panel_name} | {m}, {h} | {model_name} | {fitted} | {scored} | {score:.3f} | "
            f"{wall:.1f} | {cpu:.1f} |"
        )
    lines += [
        "",
        "Global LSTM fit time, one epoch (look_back 12, hidden 32, batch 256, window_scale"
        f'="std"), series of 500 steps{" (QUICK sizes)" if quick else ""}:',
        "",
        "| series | windows | make_supervised + Windower s | total wall s | CPU s |",
        "|---:|---:|---:|---:|---:|",
    ]
    for n_series, n_windows, prepare, wall, cpu in scaling:
        lines.append(f"| {n_series:,} | {n_windows:,} | {prepare:.2f} | {wall:.1f} | {cpu:.1f} |")
    return "\n".join(lines)


def _verdicts(panels, results, scaling):
    rows = []
    for panel_name, (panel, _, _, subset) in panels.items():
        everything = f"all {panel['series'].nunique()}"
        local_fit = everything if subset is None else f"{len(subset)}-series subset"
        glob = results[panel_name, "global LSTM", everything, local_fit][0]
        local_lstm_score = results[panel_name, "per-series LSTM", local_fit, local_fit][0]
        naive = results[panel_name, "seasonal naive", everything, local_fit][0]
        rows.append(
            Row(
                f"{panel_name}: MASE of the global LSTM vs per-series LSTMs, seasonal naive "
                f"(scored on {local_fit})",
                f"{glob:.3f} vs {local_lstm_score:.3f}, {naive:.3f}",
                "global beats both",
                glob < local_lstm_score and glob < naive,
            )
        )
    (small, n_small, _, wall_small, _), (large, n_large, _, wall_large, _) = scaling[:2]
    rows.append(
        Row(
            f"global LSTM one-epoch fit, {small:,} -> {large:,} series x 500 steps",
            f"{wall_small:.1f} s -> {wall_large:.1f} s "
            f"(x{wall_large / wall_small:.1f} for x{n_large / n_small:.0f} windows)",
        )
    )
    return rows
