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


def _demo(args):
    import matplotlib

    matplotlib.use("Agg")  # no display needed: the figure goes to a PNG
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    from sklearn.pipeline import Pipeline

    from ._baselines.arima import ARIMARegressor
    from ._baselines.naive import NaiveRegressor, SeasonalNaiveRegressor
    from ._forecasting.compare import compare
    from ._preprocessing.supervised import make_supervised
    from ._preprocessing.windower import Windower
    from ._recurrent.regressor import LSTMRegressor
    from .datasets import load_co2, load_sunspots
    from .metrics import get_scorer

    start = time.perf_counter()
    if args.dataset == "co2":
        series, season, title = load_co2(), 12, "Mauna Loa CO2 (ppm), monthly"
        arima = ARIMARegressor(order=(1, 1, 1), seasonal_order=(0, 1, 1, 12))
    else:
        series, season, title = load_sunspots(), 11, "Sunspot numbers, yearly"
        arima = ARIMARegressor(order="auto", trend=None)
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

    # The defaults read the look-back and the season from the training rows; the search
    # tunes the width and the loss (2 x 2 settings, early stopping keeps each fit short).
    lstm = Pipeline(
        [
            ("win", Windower(look_back="auto")),
            ("lstm", LSTMRegressor(random_state=0, device="cpu")),
        ]
    )
    grid = {"lstm__hidden_size": [16, 32], "lstm__loss": ["mse", "mae"]}
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
        f"      best: hidden_size={best['lstm__hidden_size']}, loss={best['lstm__loss']} "
        f"({time.perf_counter() - tic:.0f}s)"
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
    X, y = make_supervised(frame, target=args.target, horizon=args.horizon)
    _progress(f"fitting {args.model} on {len(X)} rows of {os.path.basename(args.csv)}...")
    # One series makes tiny tensors: torch's extra threads would only synchronise (and
    # spin on busy cores), one thread trains faster.
    with torch_threads(1):
        model.fit(X, y)
        # A direct model of --horizon steps, forecasting from the last row of the file.
        result = forecast(model, frame, target=args.target, coverage=args.coverage)

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
    import inspect

    from ._utils.quantiles import coverage_quantiles

    if args.model == "lstm":
        lower, upper = coverage_quantiles(args.coverage)
        return model.set_params(lstm__quantiles=(lower, 0.5, upper))
    if "quantiles" in inspect.signature(model.predict).parameters:
        return model
    from ._forecasting.conformal import ConformalForecaster

    return ConformalForecaster(model, calibration_size=0.25)


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
        else:
            try:
                times = pd.to_datetime(column)
            except (ValueError, TypeError):
                raise UserError(f"column {args.time_col!r} does not hold dates or times") from None
        if times.isna().any():
            raise UserError(f"column {args.time_col!r} has missing dates")
        if times.duplicated().any():
            raise UserError(f"column {args.time_col!r} has duplicate times")
        args.time_format = _time_format(data[args.time_col], pd.DatetimeIndex(times))
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
