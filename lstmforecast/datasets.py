"""Real time series that ship inside statsmodels, ready for forecasting, and a documented
simulation of electricity load.

Nothing is downloaded: statsmodels carries these files in its wheel. statsmodels is
imported inside each loader so that ``import lstmforecast`` stays light.
"""

import numpy as np
import pandas as pd

__all__ = ["load_co2", "load_elnino", "load_sunspots", "simulate_load"]


def load_co2(freq="MS"):
    """Mauna Loa atmospheric CO2 (ppm), March 1958 to December 2001.

    The weekly statsmodels record is averaged to ``freq`` periods and the few missing
    periods are filled by time interpolation, so the series is regular and complete.

    Parameters
    ----------
    freq : str, default="MS"
        Pandas offset alias of the resampled series ("MS" monthly, "W-SAT" the raw
        weekly grid).

    Returns
    -------
    series : pandas.Series
        Named ``"co2"``, indexed by a regular DatetimeIndex.

    Examples
    --------
    >>> from lstmforecast.datasets import load_co2
    >>> co2 = load_co2()
    >>> co2.shape, co2.index.freqstr
    ((526,), 'MS')
    """
    from statsmodels.datasets import co2

    weekly = co2.load_pandas().data["co2"]
    series = weekly.resample(freq).mean().interpolate("time")
    return series.rename("co2")


def load_sunspots():
    """Yearly mean sunspot numbers, 1700 to 2008 (309 values).

    Returns
    -------
    series : pandas.Series
        Named ``"sunspots"``, indexed by a yearly DatetimeIndex.

    Examples
    --------
    >>> from lstmforecast.datasets import load_sunspots
    >>> load_sunspots().head(2).tolist()
    [5.0, 11.0]
    """
    from statsmodels.datasets import sunspots

    data = sunspots.load_pandas().data
    index = pd.date_range(str(int(data["YEAR"].iloc[0])), periods=len(data), freq="YS")
    return pd.Series(data["SUNACTIVITY"].to_numpy(), index=index, name="sunspots")


def load_elnino():
    """Monthly sea surface temperature (degrees C) of the El Nino region, 1950 to 2010.

    Irregular warm and cold episodes lasting months ride on a yearly cycle: a series
    whose swings a fixed seasonal pattern does not describe.

    Returns
    -------
    series : pandas.Series
        Named ``"sea_temperature"``, indexed by a monthly DatetimeIndex.

    Examples
    --------
    >>> from lstmforecast.datasets import load_elnino
    >>> elnino = load_elnino()
    >>> elnino.shape, str(elnino.index[0].date()), elnino.index.freqstr
    ((732,), '1950-01-01', 'MS')
    """
    from statsmodels.datasets import elnino

    data = elnino.load_pandas().data
    values = data.drop(columns="YEAR").to_numpy().ravel()  # year by year, month by month
    start = f"{int(data['YEAR'].iloc[0])}-01-01"
    index = pd.date_range(start, periods=len(values), freq="MS")
    return pd.Series(values, index=index, name="sea_temperature")


# Fixed-date public holidays of the simulated region (month, day): no holiday package
# needed, and the same calendar on every machine.
SIMULATED_HOLIDAYS = ((1, 1), (5, 1), (8, 15), (12, 24), (12, 25), (12, 26), (12, 31))


def simulate_load(n_days=365, start="2022-01-01", seed=0):
    """Hourly electricity load driven by the calendar and the temperature (a simulation).

    No open hourly load series with its temperature ships inside the packages this
    project uses, so this one is simulated, with the structure real load has:

    - temperature: an annual cycle (mean 11 C, +-9 C, coldest in mid-January), a
      daily weather anomaly that persists (AR(1) across days, coefficient 0.8, 2.5 C
      innovations, interpolated over the hours), and a daily cycle (+-4 C, warmest at
      15:00) plus 0.3 C of hourly noise;
    - load (MW): a daily profile that differs between workdays (morning and evening
      peaks) and days off (weekends and the fixed-date holidays in
      ``SIMULATED_HOLIDAYS``, lower and later), times a slow trend, plus heating
      demand below 15 C (25 MW per degree) and cooling demand above 22 C (40 MW per
      degree), and multiplicative noise that persists over hours (AR(1), coefficient
      0.9, 1% innovations).

    Parameters
    ----------
    n_days : int, default=365
        Length in days (24 rows each).
    start : str, default="2022-01-01"
        First day.
    seed : int, default=0
        Seed of the weather and the noise.

    Returns
    -------
    data : pandas.DataFrame
        Columns ``"load"`` (MW), ``"temperature"`` (C) and ``"holiday"`` (1.0 on the
        simulated holidays), indexed hourly.

    Examples
    --------
    >>> from lstmforecast.datasets import simulate_load
    >>> data = simulate_load(n_days=14)
    >>> data.shape, data.index.freqstr
    ((336, 3), 'h')
    """
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    index = pd.date_range(start, periods=24 * n_days, freq="h")
    hour = index.hour.to_numpy() + 0.0
    day_of_year = index.dayofyear.to_numpy()
    days = np.arange(len(index)) / 24.0

    anomaly = lfilter([1.0], [1.0, -0.8], rng.normal(0.0, 2.5, n_days + 1))  # AR(1) by day
    weather = np.interp(days, np.arange(n_days + 1), anomaly)
    temperature = (
        11.0
        - 9.0 * np.cos(2 * np.pi * (day_of_year - 15) / 365.25)
        + weather
        + 4.0 * np.cos(2 * np.pi * (hour - 15) / 24)
        + rng.normal(0.0, 0.3, len(index))
    )

    holiday = np.zeros(len(index), dtype=bool)
    for month, day in SIMULATED_HOLIDAYS:
        holiday |= (index.month == month) & (index.day == day)
    day_off = holiday | (index.dayofweek.to_numpy() >= 5)
    workday_profile = (
        0.75
        + 0.25 * np.exp(-0.5 * ((hour - 9) / 2.5) ** 2)
        + 0.3 * np.exp(-0.5 * ((hour - 19) / 2.0) ** 2)
        - 0.2 * np.exp(-0.5 * ((hour - 3.5) / 2.0) ** 2)
    )
    day_off_profile = 0.7 + 0.18 * np.exp(-0.5 * ((hour - 12) / 3.5) ** 2)
    day_off_profile += 0.22 * np.exp(-0.5 * ((hour - 19.5) / 2.0) ** 2)
    day_off_profile -= 0.15 * np.exp(-0.5 * ((hour - 5) / 2.0) ** 2)
    profile = np.where(day_off, day_off_profile, workday_profile)
    trend = 1.0 + 0.03 * days / 365.25
    weather_demand = 25.0 * np.maximum(15.0 - temperature, 0.0)
    weather_demand += 40.0 * np.maximum(temperature - 22.0, 0.0)

    noise = lfilter([1.0], [1.0, -0.9], rng.normal(0.0, 0.01, len(index)))  # AR(1) by hour
    load = (1000.0 * profile * trend + weather_demand) * (1.0 + noise)
    return pd.DataFrame(
        {"load": load, "temperature": temperature, "holiday": holiday.astype(float)},
        index=index,
    )
