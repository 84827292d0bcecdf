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
  demo       compare a tuned LSTM with ARIMA, seasonal naive and naive forecasts on a
             real series shipped with statsmodels (no download), print the table and
             save a plot; takes about a minute
  forecast   fit a model on your CSV file and write the next --horizon values with
             their dates

Run 'lstmforecast COMMAND --help' for the options of a command.
"""

DEMO_EPILOG = """\
The series is split into rolling origins (sklearn TimeSeriesSplit): every model is
trained on the rows before a test fold and forecasts each row of that fold from the
rows up to it. The LSTM's look-back and width are first tuned (GridSearchCV, time
folds) on the rows before the first test fold only, so the tuning never sees the
evaluation period.

example:
  lstmforecast demo --plot demo.png
"""

FORECAST_EPILOG = """\
The CSV needs one numeric column to forecast (--target); with --time-col, a column of
dates gives the forecasts their dates (otherwise they are numbered after the last row).

examples:
  lstmforecast forecast sales.csv --target sales --horizon 6 --time-col month
  lstmforecast forecast sales.csv --target sales --horizon 12 --time-col month \\
      --model arima --out forecast.csv --plot forecast.png
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


def build_parser():
    """The argument parser of the ``lstmforecast`` command."""
    parser = _Parser(
        prog=PROG, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="compare a tuned LSTM with ARIMA and naive baselines on a shipped series",
        description="Compare a tuned LSTM pipeline with ARIMA, seasonal naive and naive "
        "forecasts on a real series that ships with statsmodels.",
        epilog=DEMO_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--dataset",
        choices=("co2", "sunspots"),
        default="co2",
        help="co2: Mauna Loa CO2, monthly 1958-2001 (default); sunspots: yearly 1700-2008",
    )
    demo.add_argument(
        "--horizon", type=_positive_int, default=1, help="steps ahead to forecast (default 1)"
    )
    demo.add_argument(
        "--folds", type=_positive_int, default=5, help="number of rolling origins (default 5)"
    )
    demo.add_argument(
        "--plot",
        default="lstmforecast-demo.png",
        metavar="PNG",
        help="where to save the plot (default lstmforecast-demo.png)",
    )
    demo.add_argument("--jobs", type=int, default=-1, help="parallel fits (default -1: all cores)")

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


def _demo(args):
    import matplotlib

    matplotlib.use("Agg")  # no display needed: the figure goes to a PNG
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    from sklearn.pipeline import Pipeline

    from ._arima import ARIMARegressor
    from ._compare import compare
    from ._data import make_supervised
    from ._naive import NaiveRegressor, SeasonalNaiveRegressor
    from ._regressor import LSTMRegressor
    from ._windower import Windower
    from .datasets import load_co2, load_sunspots
    from .metrics import get_scorer

    start = time.perf_counter()
    if args.dataset == "co2":
        series, season, title = load_co2(), 12, "Mauna Loa CO2 (ppm), monthly"
        arima = ARIMARegressor(order=(1, 1, 1), seasonal_order=(0, 1, 1, 12))
        look_backs = [12, 24]
    else:
        series, season, title = load_sunspots(), 11, "Sunspot numbers, yearly"
        arima = ARIMARegressor(order="auto", trend=None)
        look_backs = [11, 22]
    X, y = make_supervised(series, horizon=args.horizon)
    # The folds cover the second half of the series; the LSTM is tuned on the first.
    test_size = len(X) // (2 * args.folds)
    if test_size < 2:
        raise UserError(f"--folds {args.folds} is too many for {len(X)} rows")
    cv = TimeSeriesSplit(n_splits=args.folds, test_size=test_size, gap=args.horizon - 1)
    splits = list(cv.split(X))
    first_test = splits[0][1].min()
    _progress(
        f"[1/3] {title}: {len(series)} values, {_span(series.index)}; forecasting "
        f"{args.horizon} step(s) ahead from {args.folds} rolling origins"
    )

    lstm = Pipeline(
        [
            ("win", Windower(look_back=look_backs[0])),
            ("lstm", LSTMRegressor(hidden_size=16, max_epochs=60, random_state=0, device="cpu")),
        ]
    )
    grid = {"win__look_back": look_backs, "lstm__hidden_size": [16, 32]}
    _progress(
        f"[2/3] tuning the LSTM ({_grid_size(grid)} settings x 3 time folds) on the "
        f"{first_test} rows before the first test fold..."
    )
    tic = time.perf_counter()
    search = GridSearchCV(
        lstm,
        grid,
        scoring=get_scorer("mae"),
        cv=TimeSeriesSplit(n_splits=3, gap=args.horizon - 1),
        n_jobs=args.jobs,
        refit=False,
    )
    search.fit(X.iloc[:first_test], y.iloc[:first_test])
    best = search.best_params_
    lstm.set_params(**best)
    _progress(
        f"      best: look_back={best['win__look_back']}, "
        f"hidden_size={best['lstm__hidden_size']} ({time.perf_counter() - tic:.0f}s)"
    )

    models = {
        "LSTM": lstm,
        f"ARIMA{_arima_label(arima)}": arima,
        f"seasonal naive ({season})": SeasonalNaiveRegressor(season_length=season),
        "naive": NaiveRegressor(),
    }
    _progress(f"[3/3] comparing {len(models)} models on the same {args.folds} folds...")
    table, figure = compare(
        models,
        X,
        y,
        cv=cv,
        scoring=["mae", "rmse", "smape", "mase"],
        n_jobs=args.jobs,
        plot=True,
        season_length=1,
        verbose=True,
    )
    figure.suptitle(f"{title}: {args.horizon}-step forecasts, {args.folds} rolling origins")
    _save(figure, args.plot)

    tests = [test for _, test in splits]
    print(f"{title}, {len(series)} values ({_span(series.index)})")
    print(
        f"Rolling origins: TimeSeriesSplit(n_splits={args.folds}, test_size={test_size}, "
        f"gap={args.horizon - 1}), "
        f"test folds of {len(tests[0])} rows from {_label(X.index[tests[0].min()])} to "
        f"{_label(X.index[tests[-1].max()])}; horizon {args.horizon}"
    )
    print("Errors (mean ± std over folds; lower is better); mase scale: naive, lag 1\n")
    print(summary(table).to_string())
    print(f"\nPlot: {args.plot}   Total time: {time.perf_counter() - start:.0f}s")


def summary(table):
    """One row per model, one "mean ± std" column per metric, from :func:`compare`."""
    import pandas as pd

    cells = table.assign(
        cell=[
            f"{m:.3g} ± {s:.2g}" if not metric.endswith("seconds") else f"{m:.2f}"
            for m, s, metric in zip(table["mean"], table["std"], table["metric"])
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
    data = _read_csv(args.csv)
    frame, times = _prepare(data, args)
    model, look_back = _model(args, len(frame))
    needed = max(look_back + args.horizon + 10, 2 * args.horizon + 10)
    if len(frame) < needed:
        raise UserError(
            f"the series {args.target!r} has {len(frame)} rows, too short for --horizon "
            f"{args.horizon} with the {args.model} model: at least {needed} are needed"
        )

    from ._data import make_supervised

    X, y = make_supervised(frame, target=args.target, horizon=args.horizon)
    _progress(f"fitting {args.model} on {len(X)} rows of {os.path.basename(args.csv)}...")
    from ._compare import _torch_thread_limit

    # One series makes tiny tensors: torch's extra threads would only synchronise (and
    # spin on busy cores), one thread trains faster.
    with _torch_thread_limit(1):
        model.fit(X, y)
        # The last row's forecast: every row up to the end of the file is history.
        values = model.predict(frame).reshape(len(frame), -1)[-1]

    import pandas as pd

    future = _future_labels(times, args.horizon)
    label = args.time_col or "step"
    # Ten decimals: float noise such as 373.79999999999995 is not part of a forecast.
    output = pd.DataFrame({label: future, args.target: values.round(10)})
    if args.out:
        try:
            output.to_csv(args.out, index=False)
        except OSError as error:
            raise UserError(f"cannot write {args.out}: {error.strerror or error}") from None
        _progress(f"forecast written to {args.out}")
    else:
        print(output.to_csv(index=False), end="")
    if args.plot:
        _plot_forecast(times, frame[args.target], future, values, args)
        _progress(f"plot written to {args.plot}")


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
    import pandas as pd

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
        try:
            times = pd.to_datetime(data[args.time_col])
        except (ValueError, TypeError):
            raise UserError(f"column {args.time_col!r} does not hold dates or times") from None
        if times.isna().any():
            raise UserError(f"column {args.time_col!r} has missing dates")
        if times.duplicated().any():
            raise UserError(f"column {args.time_col!r} has duplicate times")
        order = times.argsort(kind="stable")
        data, times = data.iloc[order], pd.DatetimeIndex(times.iloc[order])
    frame = data[columns].reset_index(drop=True)
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna()
        if bad.any():
            example = frame[column][bad].iloc[0]
            raise UserError(
                f"column {column!r} is not numeric: e.g. {example!r} "
                f"(row {int(bad.to_numpy().argmax()) + 2} of the file)"
            )
        if values.isna().any():
            raise UserError(
                f"column {column!r} has {int(values.isna().sum())} missing values; fill or "
                "drop them first"
            )
        frame[column] = values.astype(float)
    if times is not None:
        frame.index = times
    return frame, times


def _model(args, n_rows):
    """The forecaster asked for, and the history it needs before its first forecast."""
    if args.model == "lstm":
        from sklearn.pipeline import Pipeline

        from ._regressor import LSTMRegressor
        from ._windower import Windower

        look_back = args.look_back or max(2, min(24, n_rows // 5))
        lstm = LSTMRegressor(
            hidden_size=32, max_epochs=60, early_stopping=True, random_state=0, device="cpu"
        )
        return Pipeline([("win", Windower(look_back=look_back)), ("lstm", lstm)]), look_back
    if args.model == "arima":
        from ._arima import ARIMARegressor

        seasonal = None
        if args.season_length and args.season_length > 1:
            seasonal = (1, 0, 1, args.season_length)
        exog = list(args.features) or None
        arima = ARIMARegressor(
            order="auto", seasonal_order=seasonal, target_column=args.target, exog_columns=exog
        )
        return arima, (args.season_length or 1) * 2
    if args.model in ("ets", "theta"):
        from ._ets import ETSRegressor
        from ._theta import ThetaRegressor

        season = args.season_length or 1
        model = (ETSRegressor if args.model == "ets" else ThetaRegressor)(
            season_length=season, target_column=args.target
        )
        return model, 2 * season + 2
    if args.model in ("snaive", "seasonal-naive"):  # seasonal-naive: the older name
        from ._naive import SeasonalNaiveRegressor

        season = args.season_length or 1
        return SeasonalNaiveRegressor(season_length=season, target_column=args.target), season
    from ._naive import NaiveRegressor

    return NaiveRegressor(target_column=args.target), 1


def _future_labels(times, horizon):
    import numpy as np
    import pandas as pd

    if times is None:
        return np.arange(horizon) + 1  # steps after the last row
    freq = pd.infer_freq(times) if len(times) >= 3 else None
    if freq is not None:
        return pd.date_range(times[-1], periods=horizon + 1, freq=freq)[1:]
    # Irregular dates: continue with the most common step.
    step = pd.Series(times[1:] - times[:-1]).mode().iloc[0]
    return pd.DatetimeIndex([times[-1] + step * k for k in range(1, horizon + 1)])


def _plot_forecast(times, history, future, values, args):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    shown = min(len(history), max(60, 5 * args.horizon))
    past = np.arange(len(history)) - len(history) + 1 if times is None else times
    figure, axes = plt.subplots(figsize=(9, 4), layout="constrained")
    axes.plot(past[-shown:], history.to_numpy()[-shown:], color="black", label="history")
    axes.plot(future, values, marker="o", markersize=3, label=f"{args.model} forecast")
    axes.set_title(f"{args.target}: next {args.horizon} step(s)")
    axes.set_xlabel(args.time_col or "step")
    axes.legend()
    _save(figure, args.plot)
