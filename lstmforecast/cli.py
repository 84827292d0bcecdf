"""The ``lstmforecast`` command: a demo comparison, and forecasts from a CSV file.

Errors a user can fix (a missing file or column, a non-numeric or too short series)
end with one line on stderr and exit status 2, never a traceback.
"""

import argparse
import os
import sys
import time
import warnings

__all__ = ["main"]

PROG = "lstmforecast"
MODELS = ("lstm", "arima", "ets", "theta", "snaive", "seasonal-naive", "naive")

DESCRIPTION = """\
LSTM forecasting as scikit-learn estimators, compared with ARIMA and naive baselines.

commands:
  demo       compare the default LSTM with ARIMA, seasonal naive and naive forecasts on
             two real series shipped with statsmodels (no download), one where it wins
             and one where it does not; print the tables and save a plot (under a
             minute)
  forecast   fit a model on your CSV file and write the next --horizon values with
             their dates

Run 'lstmforecast COMMAND --help' for the options of a command.
"""

DEMO_EPILOG = """\
Each series is cut at --folds origins at its end, --horizon steps apart. At each origin
every model is fitted on the values before it only and forecasts the next --horizon
values at once (a direct multi-horizon LSTM, lstmforecast.compare with one-row test
folds); errors are MASE (scale: the seasonal naive error of the training values) and
sMAPE. The LSTM is the default pipeline, Windower(look_back="auto") + LSTMRegressor(),
untuned: what a first fit gives.

The two default series show where an LSTM helps and where it does not:
  elnino  sea temperature with irregular, months-long warm and cold episodes on top of
          the year: a fixed seasonal model cannot follow them, the LSTM reads them
          from the recent window
  co2     a steady trend and an unchanging yearly shape: a two-parameter seasonal
          ARIMA describes it almost exactly, and the LSTM's flexibility only adds
          variance
The verdicts printed are measured on this run, not written in advance.

example:
  lstmforecast demo --plot demo.png
  lstmforecast demo --dataset sunspots --horizon 11
"""

FORECAST_EPILOG = """\
The CSV needs one numeric column to forecast (--target); with --time-col, a column of
dates (or of numbers such as years) gives the forecasts their times (otherwise they are
numbered after the last row). --coverage adds a prediction interval: the LSTM learns
its quantiles, the other models get conformal intervals from their errors on the most
recent quarter of the rows.

examples:
  lstmforecast forecast sales.csv --target sales --horizon 6 --time-col month
  lstmforecast forecast sales.csv --target sales --horizon 12 --time-col month \\
      --model arima --coverage 0.9 --out forecast.csv --plot forecast.png
"""


class UserError(Exception):
    """A problem with the user's input, reported as one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line that points to --help."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _probability(text):
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a probability such as 0.8, got {text!r}")
    return value


def build_parser():
    """The argument parser of the ``lstmforecast`` command."""
    parser = _Parser(
        prog=PROG, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="compare the default LSTM with ARIMA and naive baselines on shipped series",
        description="Compare the default LSTM pipeline with ARIMA, seasonal naive and "
        "naive forecasts on real series that ship with statsmodels: one where the LSTM "
        "is good (El Nino) and one where a seasonal ARIMA is better (CO2).",
        epilog=DEMO_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--dataset",
        nargs="+",
        choices=sorted(DEMO_SERIES),
        default=["elnino", "co2"],
        help="series to compare on, each the last 240 values: elnino (El Nino sea "
        "temperature, monthly), co2 (Mauna Loa CO2, monthly), sunspots (yearly); default: "
        "elnino co2",
    )
    demo.add_argument(
        "--horizon",
        type=_positive_int,
        default=None,
        help="steps ahead to forecast from each origin (default: one season, 12 months "
        "or 11 years)",
    )
    demo.add_argument(
        "--folds", type=_positive_int, default=3, help="number of rolling origins (default 3)"
    )
    demo.add_argument(
        "--plot",
        default="lstmforecast-demo.png",
        metavar="PNG",
        help="where to save the plot (default lstmforecast-demo.png)",
    )
    demo.add_argument(
        "--jobs", type=int, default=1, help="origins fitted in parallel (default 1; -1: all cores)"
    )

    forecast = commands.add_parser(
        "forecast",
        help="fit on your CSV file and write the future forecast",
        description="Fit a forecaster on a CSV file and write the next --horizon values.",
        epilog=FORECAST_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    forecast.add_argument("csv", help="input CSV file, one row per time step, oldest first")
    forecast.add_argument("--target", required=True, help="name of the column to forecast")
    forecast.add_argument(
        "--horizon", type=_positive_int, required=True, help="number of future steps to forecast"
    )
    forecast.add_argument(
        "--time-col", metavar="COL", help="column of dates or times (sorted before fitting)"
    )
    forecast.add_argument(
        "--date-format",
        metavar="FMT",
        help="how --time-col spells its dates, as for strftime, e.g. '%%d/%%m/%%Y' for "
        "31/12/2020 (default: read from the column; ambiguous dates such as 01/02/2020 "
        "need it)",
    )
    forecast.add_argument(
        "--features",
        nargs="+",
        default=[],
        metavar="COL",
        help="other numeric columns to use as inputs (lstm and arima)",
    )
    forecast.add_argument(
        "--model", choices=MODELS, default="lstm", help="forecaster to fit (default lstm)"
    )
    forecast.add_argument(
        "--season-length",
        type=_positive_int,
        metavar="N",
        help="rows per season, e.g. 12 for monthly data (snaive, and a seasonal arima, ets "
        "or theta)",
    )
    forecast.add_argument(
        "--look-back",
        type=_positive_int,
        metavar="N",
        help="rows the LSTM reads before each forecast (default: min(24, rows / 5))",
    )
    forecast.add_argument(
        "--coverage",
        type=_probability,
        metavar="P",
        help="also write a central prediction interval of probability P (e.g. 0.8) as "
        "lower and upper columns",
    )
    forecast.add_argument(
        "--out", metavar="CSV", help="write the forecast there (default: print it)"
    )
    forecast.add_argument("--plot", metavar="PNG", help="also save a plot of history and forecast")
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with warnings.catch_warnings():
            # Library warnings (convergence of one fold, ...) would drown the output.
            warnings.simplefilter("ignore")
            if args.command == "demo":
                _demo(args)
            else:
                _forecast(args)
    except (UserError, ValueError) as error:
        print(f"{PROG}: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # never a traceback for the user
        print(f"{PROG}: unexpected {type(error).__name__}: {_one_line(error)}", file=sys.stderr)
        return 1
    return 0


def _one_line(error):
    return " ".join(str(error).split())


def _progress(message):
    print(message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- demo


def _demo_series(name):
    """(series, season, ARIMA, title) of a demo series: its last 240 values."""
    from ._baselines.arima import ARIMARegressor
    from .datasets import load_co2, load_elnino, load_sunspots

    if name == "elnino":
        series, season, title = load_elnino(), 12, "El Nino sea temperature (C), monthly"
        arima = ARIMARegressor(order=(1, 0, 1), seasonal_order=(0, 1, 1, 12))
    elif name == "co2":
        series, season, title = load_co2(), 12, "Mauna Loa CO2 (ppm), monthly"
        arima = ARIMARegressor(order=(1, 1, 1), seasonal_order=(0, 1, 1, 12))
    else:
        series, season, title = load_sunspots(), 11, "Sunspot numbers, yearly"
        arima = ARIMARegressor(order=(2, 0, 1), trend="c")
    return series.iloc[-240:], season, arima, title


DEMO_SERIES = {"elnino": "El Nino", "co2": "CO2", "sunspots": "sunspots"}


def _demo(args):
    import matplotlib

    matplotlib.use("Agg")  # no display needed: the figure goes to a PNG
    import numpy as np
    from sklearn.pipeline import Pipeline

    from ._baselines.naive import NaiveRegressor, SeasonalNaiveRegressor
    from ._forecasting.compare import compare
    from ._preprocessing.supervised import make_supervised
    from ._preprocessing.windower import Windower
    from ._recurrent.regressor import LSTMRegressor
    from ._utils.threads import torch_threads

    start = time.perf_counter()
    _check_folder(args.plot)
    runs = []
    for number, name in enumerate(dict.fromkeys(args.dataset), start=1):
        series, season, arima, title = _demo_series(name)
        horizon = args.horizon or season
        X, y = make_supervised(series, horizon=horizon)
        # One test row per origin: the origins are the last rows of X, horizon apart.
        origins = [len(X) - 1 - k * horizon for k in range(args.folds - 1, -1, -1)]
        if origins[0] - horizon + 1 < 3 * season:
            raise UserError(
                f"--folds {args.folds} x --horizon {horizon} leaves too few training values "
                f"in {name}'s {len(series)}"
            )
        cv = [(np.arange(origin - horizon + 1), np.array([origin])) for origin in origins]
        models = {
            "LSTM": Pipeline(
                [
                    ("win", Windower(look_back="auto")),
                    ("lstm", LSTMRegressor(random_state=0, device="cpu")),
                ]
            ),
            f"ARIMA{_arima_label(arima)}": arima,
            f"seasonal naive ({season})": SeasonalNaiveRegressor(season_length=season),
            "naive": NaiveRegressor(),
        }
        _progress(
            f"[{number}/{len(args.dataset)}] {title}: {len(series)} values, "
            f"{_span(series.index)}; {len(models)} models, {args.folds} origins, "
            f"{horizon} steps ahead..."
        )
        # Small recurrent models: one torch thread each is fastest on a busy machine.
        with torch_threads(1 if args.jobs == 1 else None):
            table, predictions = compare(
                models,
                X,
                y,
                cv=cv,
                scoring=["mase", "smape"],
                season_length=season,
                n_jobs=args.jobs,
                return_predictions=True,
            )
        runs.append((title, series, table, predictions, horizon))

    figure = demo_figure(runs)
    _save(figure, args.plot)
    for title, series, table, _, horizon in runs:
        print(
            f"{title}, last {len(series)} values ({_span(series.index)}); forecasts of "
            f"{horizon} steps from {args.folds} origins, {horizon} steps apart"
        )
        print(
            "Errors (mean ± std over origins; lower is better; mase < 1 beats the "
            "seasonal naive forecast in-sample)\n"
        )
        print(summary(table).to_string())
        print(f"\n{demo_verdict(table)}\n")
    print(f"Plot: {args.plot}   Total time: {time.perf_counter() - start:.0f}s")


def demo_verdict(table, metric="mase"):
    """One measured sentence: how the LSTM did against the best other model."""
    rows = table[table["metric"] == metric].set_index("model")
    folds = [c for c in rows.columns if c.startswith("fold_")]
    lstm = rows.loc["LSTM"]
    others = rows.drop(index="LSTM")
    rival = others["mean"].idxmin()
    wins = int((lstm[folds] < rows.loc[rival, folds]).sum())
    better = lstm["mean"] < others.loc[rival, "mean"]
    return (
        f"LSTM {metric} {lstm['mean']:.3g} against {rival} {others.loc[rival, 'mean']:.3g}, "
        f"the best of the others: the LSTM is {'better' if better else 'worse'} on average "
        f"and better at {wins} of {len(folds)} origins."
    )


def demo_figure(runs):
    """One row per series: the forecasts of the LSTM and of the best other model from
    every origin over the actual values, and each model's error per origin."""
    import numpy as np
    import pandas as pd

    from .plotting import _pyplot, _times

    plt = _pyplot()
    figure, axes = plt.subplots(
        len(runs),
        2,
        figsize=(12, 3.6 * len(runs)),
        layout="constrained",
        width_ratios=[2.2, 1],
        squeeze=False,
    )
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for (title, series, table, predictions, horizon), (paths, bars) in zip(runs, axes):
        rows = table[table["metric"] == "mase"].set_index("model")
        names = list(rows.index)
        rival = rows.drop(index="LSTM")["mean"].idxmin()
        n_origins = predictions["fold"].nunique()
        shown = series.iloc[-(n_origins + 2) * horizon :]
        paths.plot(
            _times(shown.index), shown.to_numpy(), color="black", linewidth=1.4, label="actual"
        )
        for name, style in (("LSTM", "-"), (rival, "--")):
            color = colors[names.index(name) % len(colors)]
            for fold, rows_of_fold in predictions[predictions["model"] == name].groupby("fold"):
                paths.plot(
                    _times(pd.Index(rows_of_fold["time"])),
                    rows_of_fold["y_pred"].to_numpy(),
                    color=color,
                    linestyle=style,
                    linewidth=2,
                    label=name if fold == 1 else None,
                )
        for origin in predictions["origin"].unique():
            paths.axvline(_times(pd.Index([origin]))[0], color="0.75", linestyle=":", zorder=0)
        paths.set_title(f"{title}: forecasts from {n_origins} origins (dotted)", fontsize=10)
        paths.legend(loc="upper left", fontsize="small")

        folds = [c for c in rows.columns if c.startswith("fold_")]
        width = 0.8 / len(names)
        positions = np.arange(1, len(folds) + 1)
        for number, name in enumerate(names):
            bars.bar(
                positions + (number - (len(names) - 1) / 2) * width,
                rows.loc[name, folds].to_numpy(dtype=float),
                width=width,
                color=colors[number % len(colors)],
                label=name,
            )
        bars.set_xticks(positions)
        bars.set_xlabel("origin (time order)")
        bars.set_ylabel("MASE (lower is better)")
        wins = int((rows.loc["LSTM", folds] < rows.loc[rival, folds]).sum())
        bars.set_title(
            f"MASE: LSTM {rows.loc['LSTM', 'mean']:.2f}, {rival} {rows.loc[rival, 'mean']:.2f}"
            f"\nLSTM better at {wins} of {len(folds)} origins",
            fontsize=10,
        )
        bars.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1))
    return figure


def summary(table):
    """One row per model, one "mean ± std" column per metric, from :func:`compare`."""
    import pandas as pd

    def cell(mean, std, metric):
        if metric.endswith("seconds"):
            return f"{mean:.2f}"
        if metric in ("mape", "smape"):  # the metrics are in percent: say so
            return f"{mean:.3g}% ± {std:.2g}%"
        return f"{mean:.3g} ± {std:.2g}"

    cells = table.assign(
        cell=[
            cell(m, s, metric) for m, s, metric in zip(table["mean"], table["std"], table["metric"])
        ]
    )
    wide = cells.pivot(index="model", columns="metric", values="cell")
    wide = wide.loc[pd.unique(table["model"]), pd.unique(table["metric"])]
    wide = wide.rename(columns={"fit_seconds": "fit s", "predict_seconds": "predict s"})
    wide.index.name = None
    wide.columns.name = None
    return wide


def _arima_label(arima):
    seasonal = "" if arima.seasonal_order is None else str(arima.seasonal_order)
    order = "(auto)" if arima.order == "auto" else str(arima.order)
    return f"{order}{seasonal}".replace(" ", "")


def _grid_size(grid):
    size = 1
    for values in grid.values():
        size *= len(values)
    return size


def _label(stamp):
    if not hasattr(stamp, "strftime"):
        return str(stamp)
    return stamp.strftime("%Y" if (stamp.month, stamp.day) == (1, 1) else "%Y-%m")


def _span(index):
    return f"{_label(index[0])} to {_label(index[-1])}"


def _save(figure, path):
    import matplotlib.pyplot as plt

    try:
        figure.savefig(path, dpi=110, bbox_inches="tight")
    except OSError as error:
        raise UserError(f"cannot write the plot to {path}: {error.strerror or error}") from None
    finally:
        plt.close(figure)


# ------------------------------------------------------------------------- forecast


def _forecast(args):
    for path in (args.out, args.plot):
        _check_folder(path)  # before the fit, not after it
        if path and _same_file(path, args.csv):
            raise UserError(
                f"{path} is the input file: writing there would replace the data with the "
                "forecast; give --out (or --plot) another file name"
            )
    data = _read_csv(args.csv)
    frame, times = _prepare(data, args)
    model, look_back = _model(args, len(frame))
    needed = max(look_back + args.horizon + 10, 2 * args.horizon + 10)
    if args.coverage is not None:
        needed = max(needed, _MIN_CALIBRATION_ROWS * 4 + args.horizon)
    if len(frame) < needed:
        raise UserError(
            f"the series {args.target!r} has {len(frame)} rows, too short for --horizon "
            f"{args.horizon} with the {args.model} model: at least {needed} are needed"
        )

    from ._forecasting.forecast import forecast
    from ._preprocessing.supervised import make_supervised
    from ._utils.threads import torch_threads

    model = _with_intervals(model, args)
    X, y = make_supervised(frame, target_column=args.target, horizon=args.horizon)
    _progress(f"fitting {args.model} on {len(X)} rows of {os.path.basename(args.csv)}...")
    # One series makes tiny tensors: torch's extra threads would only synchronise (and
    # spin on busy cores), one thread trains faster.
    with torch_threads(1):
        model.fit(X, y)
        # A direct model of --horizon steps, forecasting from the last row of the file.
        result = forecast(model, frame, target_column=args.target, coverage=args.coverage)

    label = args.time_col or "step"
    if times is None:
        result.index = range(1, args.horizon + 1)  # steps after the last row
    # Ten decimals: float noise such as 373.79999999999995 is not part of a forecast.
    output = result.round(10)
    if times is not None and getattr(args, "time_format", None):
        output.index = output.index.strftime(args.time_format)  # as the file spells times
    output = output.rename_axis(label).reset_index()
    if args.out:
        try:
            output.to_csv(args.out, index=False)
        except OSError as error:
            raise UserError(f"cannot write {args.out}: {error.strerror or error}") from None
        _progress(f"forecast written to {args.out}")
    else:
        print(output.to_csv(index=False), end="")
    if args.plot:
        _plot_forecast(frame, result, args)
        _progress(f"plot written to {args.plot}")


_MIN_CALIBRATION_ROWS = 10


def _with_intervals(model, args):
    """The model, able to give the --coverage interval: the LSTM through a quantile head,
    a model whose predict takes quantiles= as is, any other through conformal intervals."""
    if args.coverage is None:
        return model
    from ._utils.quantiles import coverage_quantiles, predicts_quantiles

    if args.model == "lstm":
        lower, upper = coverage_quantiles(args.coverage)
        return model.set_params(lstm__quantiles=(lower, 0.5, upper))
    if predicts_quantiles(model):
        return model
    from ._forecasting.conformal import ConformalForecaster

    return ConformalForecaster(model, calibration_size=0.25)


def _same_file(path, other):
    if os.path.exists(path) and os.path.exists(other):
        return os.path.samefile(path, other)
    return os.path.abspath(path) == os.path.abspath(other)


def _check_folder(path):
    folder = os.path.dirname(os.path.abspath(path)) if path else None
    if folder and not os.path.isdir(folder):
        raise UserError(f"cannot write {path}: the folder {folder} does not exist")


def _time_format(texts, times):
    """The strftime format that writes ``times`` exactly as the file spelled them, so
    that a month ``2010-12`` is followed by ``2011-01``; None when none does."""
    if texts.dtype.kind in "iuf" or not len(texts):
        return None
    spelled = texts.astype(str).str.strip().to_numpy()
    for candidate in _TIME_FORMATS:
        if (times.strftime(candidate).to_numpy() == spelled).all():
            return candidate
    return None


_TIME_FORMATS = (
    "%Y-%m",
    "%Y-%m-%d",
    "%Y/%m",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%Y",
)


def _read(texts, date_format):
    import pandas as pd

    return pd.to_datetime(texts, format=date_format, errors="coerce")


def _parse_dates(column, name, date_format):
    """The dates of a --time-col (a Series of datetimes) and the format they were read
    with, checked before any fit: evenly spaced (the forecast's dates continue them) and
    read one way only, never a silent month/day swap."""
    import pandas as pd

    texts = column.astype(str).str.strip()
    if date_format:
        parsed = pd.to_datetime(texts, format=date_format, errors="coerce")
        if parsed.isna().any():
            example, row = texts[parsed.isna()].iloc[0], int(parsed.isna().to_numpy().argmax())
            raise UserError(
                f"column {name!r} does not match --date-format {date_format!r}: e.g. "
                f"{example!r} (row {row + 2} of the file)"
            )
        _check_regular(parsed, name, [date_format])
        return parsed, date_format
    readings = {}  # every listed format that reads the whole column
    for candidate in _TIME_FORMATS:
        parsed = pd.to_datetime(texts, format=candidate, errors="coerce")
        if parsed.notna().all():
            readings[candidate] = parsed
    if not readings:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandas' "could not infer format"
                parsed = pd.to_datetime(texts)
        except (ValueError, TypeError):
            # the rows the most common listed format cannot read show the user the odd one
            best = max(_TIME_FORMATS, key=lambda f: _read(texts, f).notna().sum())
            odd = texts[_read(texts, best).isna()]
            raise UserError(
                f"column {name!r} does not hold dates or times that can be read as one "
                f"series (e.g. {odd.iloc[0]!r}): write every time in one format, with one "
                "time zone or none, and give the format with --date-format, e.g. "
                "--date-format '%d/%m/%Y' for 31/12/2020"
            ) from None
        _check_regular(parsed, name, [])
        return parsed, None
    regular = {f: p for f, p in readings.items() if _regular_dates(p)}
    distinct = {}  # readings that give different dates
    for candidate, parsed in (regular or readings).items():
        if not any(parsed.equals(other) for other in distinct.values()):
            distinct[candidate] = parsed
    if len(distinct) > 1:
        first = texts.iloc[0]
        ways = "; ".join(
            f"{c} ({first} = {p.iloc[0]:%Y-%m-%d})" for c, p in list(distinct.items())[:3]
        )
        raise UserError(
            f"the dates of column {name!r} can be read in more than one way: {ways}. Say "
            f"which with --date-format, e.g. --date-format '{next(iter(distinct))}'"
        )
    chosen, parsed = next(iter(distinct.items()))
    _check_regular(parsed, name, list(readings))
    return parsed, chosen


def _regular_dates(parsed):
    """Whether the sorted dates have a frequency (pandas can tell the next one)."""
    import pandas as pd

    from ._utils.time_index import inferred_freq

    index = pd.DatetimeIndex(parsed.sort_values())
    return len(index) >= 3 and index.is_unique and inferred_freq(index) is not None


def _check_regular(parsed, name, formats):
    """A UserError, before fitting, when the dates have no regular step."""
    import numpy as np
    import pandas as pd

    if _regular_dates(parsed) or parsed.duplicated().any():  # duplicates: their own error
        return
    index = pd.DatetimeIndex(parsed.sort_values())
    if len(index) < 3:
        raise UserError(f"column {name!r} has fewer than 3 dates: their step is unknown")
    monthly = (index.day == index.day[0]).all() or index.is_month_end.all()
    # Months differ in days: count calendar months between monthly dates.
    positions = index.year * 12 + index.month if monthly else index.asi8
    steps = pd.Series(np.diff(np.asarray(positions)))
    odd = int((steps != steps.mode().iloc[0]).to_numpy().argmax())
    advice = "fill in the missing time steps (one row per step) or resample the data"
    if any(f.startswith(("%d", "%m")) for f in formats) or not formats:
        advice = (
            "if they are day/month/year (or month/day/year) dates, say so with "
            "--date-format '%d/%m/%Y' (or '%m/%d/%Y'); otherwise " + advice
        )
    raise UserError(
        f"the dates of column {name!r} are not evenly spaced (e.g. {index[odd]:%Y-%m-%d} "
        f"then {index[odd + 1]:%Y-%m-%d}), so the dates after them are unknown: {advice}"
    )


def _read_csv(path):
    import pandas as pd

    if not os.path.exists(path):
        raise UserError(f"file not found: {path}")
    try:
        data = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise UserError(f"cannot read {path} as CSV: {_one_line(e)}") from None
    return data


def _prepare(data, args):
    """Numeric columns in time order, and the time labels (None without --time-col)."""
    import numpy as np
    import pandas as pd

    from ._preprocessing.sequences import preview

    columns = [args.target, *args.features]
    wanted = columns + ([args.time_col] if args.time_col else [])
    missing = [c for c in wanted if c not in data.columns]
    if missing:
        raise UserError(
            f"column {missing[0]!r} is not in {args.csv}; its columns are: "
            f"{', '.join(map(str, data.columns))}"
        )
    if args.target in args.features or (args.time_col and args.time_col in columns):
        raise UserError("--target, --features and --time-col must name different columns")
    times = None
    if args.time_col:
        column = data[args.time_col]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            # Years (or other numbered times), not nanoseconds since 1970.
            times = column.astype(float)
            if times.notna().all() and (times == times.round()).all():
                times = times.astype("int64")
            args.time_format = None
        else:
            if column.isna().any():
                raise UserError(f"column {args.time_col!r} has missing dates")
            times, args.time_format = _parse_dates(column, args.time_col, args.date_format)
            if args.time_format is None:  # spelled some other way: write them as read
                args.time_format = _time_format(column, pd.DatetimeIndex(times))
        if times.isna().any():
            raise UserError(f"column {args.time_col!r} has missing dates")
        if times.duplicated().any():
            raise UserError(f"column {args.time_col!r} has duplicate times")
        order = times.argsort(kind="stable")
        data, times = data.iloc[order], pd.Index(times.iloc[order], name=args.time_col)
    # Line numbers in the file (line 1 is the header), whatever the sorting did.
    lines = data.index.to_numpy() + 2
    frame = data[columns].reset_index(drop=True)
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna()
        if bad.any():
            example = frame[column][bad].iloc[0]
            raise UserError(
                f"column {column!r} is not numeric: e.g. {example!r} "
                f"(row {int(lines[bad.to_numpy()].min())} of the file)"
            )
        if values.isna().any():
            missing = np.sort(lines[values.isna().to_numpy()])
            raise UserError(
                f"column {column!r} has {len(missing)} missing values, in rows "
                f"{preview(missing)} of the file; fill or drop them first"
            )
        frame[column] = values.astype(float)
    if times is not None:
        frame.index = times
    return frame, times


def _model(args, n_rows):
    """The forecaster asked for, and the history it needs before its first forecast."""
    if args.model == "lstm":
        from sklearn.pipeline import Pipeline

        from ._preprocessing.windower import Windower
        from ._recurrent.regressor import LSTMRegressor

        look_back = args.look_back or max(2, min(24, n_rows // 5))
        lstm = LSTMRegressor(
            hidden_size=32, max_epochs=60, early_stopping=True, random_state=0, device="cpu"
        )
        return Pipeline([("win", Windower(look_back=look_back)), ("lstm", lstm)]), look_back
    if args.model == "arima":
        from ._baselines.arima import ARIMARegressor

        seasonal = None
        if args.season_length and args.season_length > 1:
            seasonal = (1, 0, 1, args.season_length)
        exog = list(args.features) or None
        arima = ARIMARegressor(
            order="auto", seasonal_order=seasonal, target_column=args.target, exog_columns=exog
        )
        return arima, (args.season_length or 1) * 2
    if args.model in ("ets", "theta"):
        from ._baselines.ets import ETSRegressor
        from ._baselines.theta import ThetaRegressor

        season = args.season_length or 1
        model = (ETSRegressor if args.model == "ets" else ThetaRegressor)(
            season_length=season, target_column=args.target
        )
        return model, 2 * season + 2
    if args.model in ("snaive", "seasonal-naive"):  # seasonal-naive: the older name
        from ._baselines.naive import SeasonalNaiveRegressor

        season = args.season_length or 1
        return SeasonalNaiveRegressor(season_length=season, target_column=args.target), season
    from ._baselines.naive import NaiveRegressor

    return NaiveRegressor(target_column=args.target), 1


def _plot_forecast(frame, result, args):
    import matplotlib

    matplotlib.use("Agg")
    from .plotting import plot_forecast

    figure = plot_forecast(result, frame[args.target])
    figure.axes[0].set_xlabel(args.time_col or "step")
    _save(figure, args.plot)
