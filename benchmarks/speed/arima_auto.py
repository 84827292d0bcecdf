"""ARIMARegressor(order="auto") against statsforecast's AutoARIMA (Hyndman-Khandakar).

Rolling origins at the end of each series: the last ``n_origins`` non-overlapping test
windows of ``h`` steps; both models are refitted at each origin on the same (capped)
history and forecast ``h`` steps. Error: MASE (in-sample seasonal naive scale), averaged
over origins. Time: CPU seconds of the fits (statsmodels on one BLAS thread; the
statsforecast models are compiled by a warm-up fit first). statsforecast is only in the
``bench`` extra: without it the section says so.

Series: open data that ships inside statsmodels (never the held-out series).
``--search-method`` sets ARIMARegressor's ``search_method`` (CSS or exact likelihood for
the candidates); ``--long-season`` times one search with a season of 48 rows instead.
"""

import time

import numpy as np
import pandas as pd

from lstmforecast import ARIMARegressor, make_supervised

from .._common import Row, note

# The longest history given to either model: enough for a seasonal search, and the
# same for both.
MAX_HISTORY = 300


def _series():
    """(name, values, season length, horizon) of the comparison series."""
    import statsmodels.api as sm

    from lstmforecast.datasets import load_co2

    elnino = sm.datasets.elnino.load_pandas().data.drop(columns="YEAR").to_numpy().ravel()
    macro = sm.datasets.macrodata.load_pandas().data
    return [
        ("co2 monthly", load_co2().to_numpy(), 12, 12),
        ("elnino monthly", elnino, 12, 12),
        (
            "sunspots yearly",
            sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(),
            1,
            10,
        ),
        ("nile yearly", sm.datasets.nile.load_pandas().data["volume"].to_numpy(), 1, 10),
        ("macrodata realgdp quarterly", macro["realgdp"].to_numpy(), 4, 4),
        ("macrodata cpi quarterly", macro["cpi"].to_numpy(), 4, 4),
        ("macrodata unemp quarterly", macro["unemp"].to_numpy(), 4, 4),
    ]


def _mase(train, actual, forecast, season):
    lag = season if len(train) > 2 * season else 1
    scale = np.mean(np.abs(train[lag:] - train[:-lag]))
    return float(np.mean(np.abs(actual - forecast)) / scale)


def _ours(train, season, horizon, search_method="auto"):
    frame = pd.Series(train, name="y")
    X, y = make_supervised(frame, horizon=horizon)
    seasonal = (0, 0, 0, season) if season > 1 else None
    model = ARIMARegressor(order="auto", seasonal_order=seasonal, search_method=search_method)
    start = time.process_time()
    model.fit(X, y)
    cpu = time.process_time() - start
    # Every value is in the history (y's last row): forecast from the last one.
    forecast = model.predict(frame.to_frame())[-1]
    return forecast, cpu, f"{model.order_}{model.seasonal_order_[:3]}"


def _theirs(train, season, horizon):
    from statsforecast.models import AutoARIMA

    start = time.process_time()
    model = AutoARIMA(season_length=season).fit(train)
    cpu = time.process_time() - start
    return np.asarray(model.predict(horizon)["mean"]), cpu


def compare(n_origins=4, names=None, search_method="auto"):
    """One row per series: mean MASE of both models and their total fit CPU seconds."""
    from statsforecast.models import AutoARIMA

    warm_up = np.sin(np.arange(60.0)) + 0.1 * np.arange(60.0)
    for season in (1, 4, 12):  # numba compiles on first use: keep that out of the timings
        AutoARIMA(season_length=season).fit(warm_up)
    rows = []
    for name, values, season, horizon in _series():
        if names and name not in names:
            continue
        values = np.asarray(values, dtype=float)
        errors, cpus, orders = {"ours": [], "statsforecast": []}, {"ours": 0.0, "sf": 0.0}, []
        for i in range(n_origins, 0, -1):
            end = len(values) - i * horizon
            train = values[max(0, end - MAX_HISTORY) : end]
            actual = values[end : end + horizon]
            forecast, cpu, order = _ours(train, season, horizon, search_method)
            errors["ours"].append(_mase(train, actual, forecast, season))
            cpus["ours"] += cpu
            orders.append(order)
            forecast, cpu = _theirs(train, season, horizon)
            errors["statsforecast"].append(_mase(train, actual, forecast, season))
            cpus["sf"] += cpu
        row = {
            "series": name,
            "season": season,
            "h": horizon,
            "MASE ours": np.mean(errors["ours"]),
            "MASE statsforecast": np.mean(errors["statsforecast"]),
            "fit CPU s ours": cpus["ours"],
            "fit CPU s statsforecast": cpus["sf"],
            "orders (ours)": ", ".join(orders),
        }
        row["MASE ratio"] = row["MASE ours"] / row["MASE statsforecast"]
        row["fit CPU ratio"] = row["fit CPU s ours"] / row["fit CPU s statsforecast"]
        note(
            f"    {name}: "
            + ", ".join(f"{k}={v:.3g}" for k, v in row.items() if isinstance(v, float))
        )
        rows.append(row)
    return pd.DataFrame(rows)


def long_season(weeks=8, search_method="auto"):
    """CPU seconds of one ``order="auto"`` fit with a season of 48 rows, the model chosen
    and the number of models tried, on ``weeks`` weeks of synthetic half-hourly load (a
    daily cycle, a weekend step and noise)."""
    t = np.arange(48 * 7 * weeks)
    weekend = t // 48 % 7 >= 5
    noise = np.random.default_rng(0).normal(size=t.size)
    load = 10 + np.sin(2 * np.pi * t / 48) + 0.5 * weekend + 0.1 * noise
    X, y = make_supervised(pd.Series(load, name="load"))
    model = ARIMARegressor(order="auto", seasonal_order=(0, 0, 0, 48), search_method=search_method)
    start = time.process_time()
    model.fit(X, y)
    cpu = time.process_time() - start
    return cpu, f"{model.order_}{model.seasonal_order_}", len(model.search_)


def run(quick=False):
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        return [Row("ARIMA auto vs AutoARIMA", "skipped", "", None, "pip install '.[bench]'")]
    names = ["nile yearly", "macrodata cpi quarterly"] if quick else None
    table = compare(n_origins=1 if quick else 4, names=names)
    rows = [
        Row(
            f"{r['series']} (m={r['season']}, h={r['h']})",
            f"MASE x{r['MASE ratio']:.3f}, fit CPU x{r['fit CPU ratio']:.2f}",
            "MASE <= x1.05, CPU <= x2",
            bool(r["MASE ratio"] <= 1.05 and r["fit CPU ratio"] <= 2),
            f"MASE {r['MASE ours']:.3f} vs {r['MASE statsforecast']:.3f}; CPU "
            f"{r['fit CPU s ours']:.1f} s vs {r['fit CPU s statsforecast']:.1f} s",
        )
        for _, r in table.iterrows()
    ]
    mase = np.exp(np.mean(np.log(table["MASE ratio"])))
    cpu = table["fit CPU s ours"].sum() / table["fit CPU s statsforecast"].sum()
    rows.append(
        Row(
            "all series (geometric mean MASE ratio, total CPU ratio)",
            f"MASE x{mase:.3f}, fit CPU x{cpu:.2f}",
            "MASE <= x1.05, CPU <= x2",
            bool(mase <= 1.05 and cpu <= 2),
        )
    )
    return rows


if __name__ == "__main__":  # python -m benchmarks.speed.arima_auto [--origins N] [SERIES ...]
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.speed.arima_auto")
    parser.add_argument("series", nargs="*", help="series names (default: all)")
    parser.add_argument("--origins", type=int, default=4, help="rolling origins per series")
    parser.add_argument(
        "--search-method",
        choices=["auto", "css", "ml"],
        default="auto",
        help="ARIMARegressor's search_method (how candidates are scored)",
    )
    parser.add_argument(
        "--long-season",
        action="store_true",
        help="time one search with season 48 on 8 weeks of synthetic half-hourly load instead",
    )
    arguments = parser.parse_args()
    if arguments.long_season:
        cpu, chosen, tried = long_season(search_method=arguments.search_method)
        print(f"season 48: fit {cpu:.1f} CPU s, {tried} models tried, chose {chosen}")
    else:
        pd.set_option("display.width", 250)
        table = compare(arguments.origins, arguments.series or None, arguments.search_method)
        print(table.round(3).to_string(index=False))
