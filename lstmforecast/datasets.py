"""Real time series that ship inside statsmodels, ready for forecasting.

Nothing is downloaded: statsmodels carries these files in its wheel. statsmodels is
imported inside each loader so that ``import lstmforecast`` stays light.
"""

import pandas as pd

__all__ = ["load_co2", "load_elnino", "load_sunspots"]


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
