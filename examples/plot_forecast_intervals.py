"""
Forecast a year ahead with an interval, from the default LSTM
=============================================================

The El Nino sea temperature ships inside statsmodels. We fit the default
``Windower(look_back="auto") -> LSTMRegressor()`` pipeline as a direct 12-month model,
hide the last year, and ask :func:`~lstmforecast.forecast` for the next 12 months with an
80% interval. The default LSTM has no quantile head: its intervals come from its errors
on the most recent rows that early stopping held out (split conformal, one width per
step ahead). :func:`~lstmforecast.plot_forecast` draws the forecast against the year that
was hidden, and :func:`~lstmforecast.plot_loss_curve` the training run.
"""

# %%
from sklearn.pipeline import Pipeline

from lstmforecast import LSTMRegressor, Windower, forecast, make_supervised
from lstmforecast.datasets import load_elnino
from lstmforecast.plotting import plot_forecast, plot_loss_curve

series = load_elnino().iloc[-240:]
history, hidden = series.iloc[:-12], series.iloc[-12:]
X, y = make_supervised(history, horizon=12)  # y: the next 12 months of each row
pipe = Pipeline([("win", Windower(look_back="auto")), ("lstm", LSTMRegressor(random_state=0))])
pipe.fit(X, y)

# %%
# ``forecast`` reads every observed row, so the last window holds its full history;
# ``coverage=0.8`` adds the ``lower`` and ``upper`` columns.
result = forecast(pipe, history, coverage=0.8)
inside = ((hidden >= result["lower"]) & (hidden <= result["upper"])).mean()
print(result.round(2).head(4))
print(f"{inside:.0%} of the hidden year lies inside the 80% interval")
print(
    f"interval width at step 1: {result['upper'].iloc[0] - result['lower'].iloc[0]:.2f} C, "
    f"at step 12: {result['upper'].iloc[-1] - result['lower'].iloc[-1]:.2f} C"
)

# %%
# The interval's level is in the legend; the crosses are the months that were hidden.
figure = plot_forecast(result, history, actual=hidden, n_history=60)

# %%
# Early stopping kept the weights of the best validation epoch (dotted line): the same
# held-out rows calibrate the interval.
figure = plot_loss_curve(pipe)
