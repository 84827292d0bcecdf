"""``lstmforecast forecast`` on top of forecast(): intervals and numeric time columns."""

import numpy as np
import pandas as pd
import pytest

from lstmforecast.cli import main


@pytest.fixture
def yearly(tmp_path):
    n = 60
    values = 50 + np.cumsum(np.random.default_rng(0).normal(size=n))
    path = tmp_path / "yearly.csv"
    pd.DataFrame({"year": np.arange(1950, 1950 + n), "level": values}).to_csv(path, index=False)
    return path


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    return pd.read_csv(pd.io.common.StringIO(out))


@pytest.mark.parametrize("as_float", [False, True])
def test_year_columns_stay_years(capsys, tmp_path, yearly, as_float):
    path = yearly
    if as_float:  # e.g. statsmodels' sunspots YEAR column: 1700.0, 1701.0, ...
        frame = pd.read_csv(yearly).astype({"year": float})
        path = tmp_path / "float_years.csv"
        frame.to_csv(path, index=False)
    argv = ["forecast", str(path), "--target", "level", "--horizon", "2", "--time-col", "year"]
    result = run(capsys, [*argv, "--model", "naive"])
    # Not 1970-01-01 00:00:00.000002010: the years after the last one.
    assert result["year"].tolist() == [2010, 2011]


def test_coverage_writes_an_interval_around_the_forecast(capsys, yearly):
    argv = ["forecast", str(yearly), "--target", "level", "--horizon", "3", "--time-col", "year"]
    result = run(capsys, [*argv, "--model", "naive", "--coverage", "0.8"])
    assert result.columns.tolist() == ["year", "level", "lower", "upper"]
    assert (result["lower"] < result["level"]).all() and (result["level"] < result["upper"]).all()
    width = result["upper"] - result["lower"]
    assert width.is_monotonic_increasing  # a random walk's uncertainty grows with the step


def test_lstm_coverage_uses_a_quantile_head(capsys, yearly):
    argv = ["forecast", str(yearly), "--target", "level", "--horizon", "2", "--time-col", "year"]
    result = run(capsys, [*argv, "--look-back", "4", "--coverage", "0.9"])
    assert result.columns.tolist() == ["year", "level", "lower", "upper"]
    assert (result["lower"] < result["upper"]).all()


def test_coverage_must_be_a_probability(capsys, yearly):
    with pytest.raises(SystemExit):
        main(["forecast", str(yearly), "--target", "level", "--horizon", "2", "--coverage", "90"])
    assert "expected a probability" in capsys.readouterr().err


def _dated_csv(tmp_path, spelled, name="dates.csv"):
    path = tmp_path / name
    values = 10 + np.sin(np.arange(len(spelled)) / 2)
    pd.DataFrame({"month": spelled, "sales": values}).to_csv(path, index=False)
    return path


def test_day_month_year_dates_are_read_as_such(capsys, tmp_path):
    months = pd.date_range("2015-01-01", periods=48, freq="MS")
    path = _dated_csv(tmp_path, months.strftime("%d/%m/%Y"))
    argv = ["forecast", str(path), "--target", "sales", "--horizon", "2", "--time-col", "month"]
    # Read month-first, 01/02/2015 would be January 2nd, and the dates irregular.
    assert run(capsys, [*argv, "--model", "naive"])["month"].tolist() == [
        "01/01/2019",
        "01/02/2019",
    ]
    explicit = run(capsys, [*argv, "--model", "naive", "--date-format", "%d/%m/%Y"])
    assert explicit["month"].tolist() == ["01/01/2019", "01/02/2019"]


@pytest.mark.parametrize(
    "spelled, extra, message",
    [
        # Both readings are regular (monthly, or daily in January): the user must say.
        (
            pd.date_range("2020-01-01", periods=12, freq="MS").strftime("%d/%m/%Y"),
            [],
            "more than one way.*--date-format",
        ),
        (
            pd.date_range("2020-01-01", periods=30, freq="MS").strftime("%Y-%m-%d"),
            ["--date-format", "%d/%m/%Y"],
            "does not match --date-format '%d/%m/%Y': e.g. '2020-01-01' \\(row 2",
        ),
        (
            pd.date_range("2020-01-01", periods=30, freq="MS").delete(10).strftime("%Y-%m-%d"),
            [],
            "not evenly spaced \\(e.g. 2020-10-01 then 2020-12-01\\)",
        ),
    ],
)
def test_date_problems_stop_before_the_fit_with_advice(capsys, tmp_path, spelled, extra, message):
    path = _dated_csv(tmp_path, spelled)
    argv = ["forecast", str(path), "--target", "sales", "--horizon", "1", "--time-col", "month"]
    assert main([*argv, "--model", "naive", *extra]) == 2
    err = capsys.readouterr().err
    assert "fitting" not in err  # nothing was fitted
    assert len(err.strip().splitlines()) == 1
    assert pytest.importorskip("re").search(message, err), err
