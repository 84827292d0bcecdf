"""Real time series that ship inside statsmodels, ready for forecasting.

Nothing is downloaded: statsmodels carries these files in its wheel. statsmodels is
imported inside each loader so that ``import lstmforecast`` stays light.
"""

import pandas as pd

__all__ = ["load_co2", "load_sunspots"]


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
