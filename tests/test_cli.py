"""End-to-end runs of the ``lstmforecast`` command in subprocesses.

All commands start at once (module fixture), so that the interpreter and torch start-up
of each process overlap instead of adding up.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def write_csvs(folder):
    n = 48
    months = pd.date_range("2018-01-01", periods=n, freq="MS")
    sales = 100 + 0.5 * np.arange(n) + 10 * np.sin(np.arange(n) * 2 * np.pi / 12)
    frame = pd.DataFrame(
        {"month": months.strftime("%Y-%m-%d"), "sales": sales.round(3), "note": "x"}
    )
    frame.iloc[::-1].to_csv(folder / "sales.csv", index=False)  # newest first: gets sorted
    frame.head(8).to_csv(folder / "short.csv", index=False)
    gaps = frame.copy()
    gaps.loc[5, "sales"] = np.nan
    gaps.to_csv(folder / "gaps.csv", index=False)


def commands(folder):
    sales, out, plot = folder / "sales.csv", folder / "out.csv", folder / "plot.png"
    base = ["forecast", str(sales), "--target", "sales", "--horizon", "3"]
    return {
        "lstm": [*base, "--time-col", "month", "--look-back", "6", "--out", str(out),
                 "--plot", str(plot)],
        "naive": [*base, "--model", "naive"],
        "help": ["--help"],
        "forecast_help": ["forecast", "--help"],
        "missing_file": ["forecast", str(folder / "nope.csv"), "--target", "sales",
                         "--horizon", "2"],
        "missing_column": [*base[:3], "revenue", *base[4:]],
        "non_numeric": [*base[:3], "note", *base[4:]],
        "too_short": ["forecast", str(folder / "short.csv"), "--target", "sales",
                      "--horizon", "3"],
        "missing_values": ["forecast", str(folder / "gaps.csv"), "--target", "sales",
                           "--horizon", "3"],
        "bad_time_col": [*base, "--time-col", "note"],
        "bad_horizon": [*base[:5], "0"],
        "no_horizon": base[:4],
    }  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    write_csvs(folder)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-m", "lstmforecast", *argv],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, argv in commands(folder).items()
    }
    results = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=300)
        results[name] = (process.returncode, stdout, stderr)
    return folder, results


def test_lstm_forecast_writes_dated_csv_and_plot(runs):
    folder, results = runs
    code, stdout, stderr = results["lstm"]
    assert code == 0, stderr
    forecast = pd.read_csv(folder / "out.csv")
    assert forecast.columns.tolist() == ["month", "sales"]
    assert forecast["month"].tolist() == ["2022-01-01", "2022-02-01", "2022-03-01"]
    assert np.isfinite(forecast["sales"]).all()
    assert (folder / "plot.png").stat().st_size > 0
    assert "Traceback" not in stderr


def test_naive_forecast_prints_numbered_steps(runs):
    _, results = runs
    code, stdout, _ = results["naive"]
    assert code == 0
    # Without --time-col the rows stay in file order: its last row is the oldest month.
    assert stdout.splitlines() == ["step,sales", "1,100.0", "2,100.0", "3,100.0"]


@pytest.mark.parametrize("name", ["help", "forecast_help"])
def test_help_explains_the_commands(runs, name):
    _, results = runs
    code, stdout, _ = results[name]
    assert code == 0
    assert "usage: lstmforecast" in stdout
    words = {
        "help": ["demo", "forecast", "ARIMA", "COMMAND --help"],
        "forecast_help": ["--target", "--horizon", "--time-col", "--model", "examples:"],
    }[name]
    assert all(word in stdout for word in words)


@pytest.mark.parametrize(
    "name, message",
    [
        ("missing_file", "file not found"),
        ("missing_column", "column 'revenue' is not in"),
        ("non_numeric", "column 'note' is not numeric"),
        ("too_short", "too short"),
        ("missing_values", "missing values"),
        ("bad_time_col", "does not hold dates"),
        ("bad_horizon", "positive integer"),
        ("no_horizon", "--horizon"),
    ],
)
def test_errors_are_one_line_without_traceback(runs, name, message):
    _, results = runs
    code, stdout, stderr = results[name]
    assert code == 2
    assert stdout == ""
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert stderr.startswith("lstmforecast") and ": error: " in stderr
    assert message in stderr
    assert "Traceback" not in stderr


def _monthly_csv(folder, name="months.csv", spelling="%Y-%m", n=40):
    months = pd.date_range("2008-09-01", periods=n, freq="MS")
    frame = pd.DataFrame({"month": months.strftime(spelling), "sales": np.arange(n) + 1.0})
    frame.to_csv(folder / name, index=False)
    return folder / name


def test_months_keep_the_file_spelling(tmp_path, capsys):
    from lstmforecast.cli import main

    csv = _monthly_csv(tmp_path)  # ends at 2011-12
    argv = ["forecast", str(csv), "--target", "sales", "--horizon", "2", "--model", "naive"]
    assert main([*argv, "--time-col", "month"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["month,sales", "2012-01,40.0", "2012-02,40.0"]


def test_output_into_a_missing_folder_fails_before_the_fit(tmp_path, capsys):
    from lstmforecast.cli import main

    csv = _monthly_csv(tmp_path)
    out = tmp_path / "no" / "such" / "forecast.csv"
    argv = ["forecast", str(csv), "--target", "sales", "--horizon", "2", "--out", str(out)]
    assert main(argv) == 2  # the default model is the LSTM: nothing was fitted
    err = capsys.readouterr().err
    assert "does not exist" in err and str(out) in err and "fitting" not in err


def test_missing_values_message_names_the_file_rows(tmp_path, capsys):
    from lstmforecast.cli import main

    months = pd.date_range("2015-01-01", periods=40, freq="MS").strftime("%Y-%m")
    frame = pd.DataFrame({"month": months, "sales": np.arange(40.0)})
    frame.loc[[3, 30], "sales"] = np.nan
    frame.iloc[::-1].to_csv(tmp_path / "gaps.csv", index=False)  # newest first: sorted
    argv = ["forecast", str(tmp_path / "gaps.csv"), "--target", "sales", "--horizon", "2"]
    assert main([*argv, "--time-col", "month", "--model", "naive"]) == 2
    # rows 3 and 30 of the frame are lines 38 and 11 of the reversed file (line 1: header)
    assert "in rows 11, 38 of the file" in capsys.readouterr().err


def test_demo_table_prints_percent_metrics_with_a_percent_sign():
    from lstmforecast.cli import summary

    table = pd.DataFrame(
        {
            "model": ["LSTM"] * 3,
            "metric": ["mae", "smape", "fit_seconds"],
            "mean": [0.5, 2.345, 1.0],
            "std": [0.1, 0.5, 0.0],
        }
    )
    cells = summary(table).loc["LSTM"]
    assert cells["smape"] == "2.35% ± 0.5%" and cells["mae"] == "0.5 ± 0.1"


def test_demo_verdict_and_figure_are_measured_not_written():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lstmforecast import NaiveRegressor, SeasonalNaiveRegressor, compare, make_supervised
    from lstmforecast.cli import demo_figure, demo_verdict
    from lstmforecast.datasets import load_co2

    series = load_co2().iloc[-120:]
    X, y = make_supervised(series, horizon=12)
    cv = [(np.arange(o - 11), np.array([o])) for o in (len(X) - 13, len(X) - 1)]
    # "LSTM" stands for the model under study: here the seasonal naive, which beats
    # the naive forecast on CO2 at both origins.
    models = {"LSTM": SeasonalNaiveRegressor(season_length=12), "naive": NaiveRegressor()}
    table, predictions = compare(
        models, X, y, cv=cv, scoring=["mase"], season_length=12, return_predictions=True
    )
    verdict = demo_verdict(table)
    assert "against naive" in verdict and "better on average" in verdict
    assert "better at 2 of 2 origins" in verdict
    figure = demo_figure([("CO2", series, table, predictions, 12)])
    paths, bars = figure.axes[:2]
    labels = {line.get_label() for line in paths.get_lines()}
    assert {label for label in labels if not label.startswith("_")} == {"actual", "LSTM", "naive"}
    # Each origin's 12-step path of the LSTM is drawn from the scored forecasts.
    lstm = predictions[predictions.model == "LSTM"]
    drawn = [line.get_ydata() for line in paths.get_lines() if len(line.get_ydata()) == 12]
    assert any(np.allclose(values, lstm[lstm.fold == 2]["y_pred"]) for values in drawn)
    assert "LSTM better at 2 of 2 origins" in bars.get_title()
    plt.close(figure)
