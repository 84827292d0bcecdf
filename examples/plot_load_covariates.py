"""
Day-ahead load with tomorrow's calendar and temperature
=======================================================

Electricity load follows the clock, the calendar and the weather, and all three are
known (or forecast) for tomorrow before tomorrow comes. A direct 24-hour LSTM can read
them per forecast hour: :func:`~lstmforecast.make_supervised` gives each row the
covariates of the next 24 hours (``future_covariates=``), and
:func:`~lstmforecast.forecast` takes tomorrow's values by date (``future=``). See
:ref:`future-covariates`.

The hourly load is simulated (:func:`lstmforecast.datasets.simulate_load`: workday and
day-off profiles, holidays, heating and cooling demand of a persistent temperature):
no open hourly load series with its temperature ships inside the installed packages.
"""

# %%
# Observed load, temperature and calendar
# ---------------------------------------
# :class:`~lstmforecast.CalendarFeatures` adds the hour, the day of week and the day
# of year as sin/cos pairs and a workday flag, all computed from the index, so they
# exist for any future date.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import Pipeline

from lstmforecast import CalendarFeatures, LSTMRegressor, Windower, forecast, make_supervised
from lstmforecast.datasets import simulate_load

data = simulate_load(n_days=84, start="2022-10-01")
calendar = CalendarFeatures(features=["hour", "day_of_week", "workday"])
frame = calendar.fit_transform(data)
observed, tomorrow = frame.iloc[:-24], frame.iloc[-24:]
covariates = [c for c in frame.columns if c != "load"]
print(covariates)

# %%
# Rows that know the next 24 hours' covariates
# --------------------------------------------
# Row t holds what is known at hour t, then ``temperature_t+1`` ..
# ``workday_t+24``: the covariates of each forecast hour. The load's future is only
# in ``y``.
X, y = make_supervised(observed, target_column="load", horizon=24, future_covariates=covariates)
print(X.shape, y.shape)
X.filter(like="temperature").iloc[:3, :4]

# %%
# A direct 24-hour LSTM that reads them per hour
# ----------------------------------------------
# The :class:`~lstmforecast.Windower` windows the observed columns and passes the
# covariate block on per row; the :class:`~lstmforecast.LSTMRegressor` adds, to each
# hour's output, a small network of its encoder state and that hour's covariates.
model = Pipeline(
    [
        ("win", Windower(look_back=48)),
        ("lstm", LSTMRegressor(season_length=None, max_epochs=40, random_state=0)),
    ]
).fit(X, y)

# %%
# Tomorrow, from a temperature forecast
# -------------------------------------
# ``future`` is indexed by tomorrow's hours (a frame whose dates do not follow the
# data is refused). The temperature forecast here is the truth plus an error.
future = tomorrow[covariates].copy()
future["temperature"] += np.random.default_rng(1).normal(0.0, 1.0, 24)
prediction = forecast(model, observed, target_column="load", future=future)
naive = observed["load"].iloc[-168:-144].to_numpy()  # the same hours a week earlier
actual = tomorrow["load"].to_numpy()
for name, values in [("LSTM with covariates", prediction["load"]), ("weekly naive", naive)]:
    print(f"{name}: MAPE {100 * np.mean(np.abs(values - actual) / actual):.1f}%")

# %%
figure, axis = plt.subplots(figsize=(9, 4), layout="constrained")
axis.plot(observed["load"].iloc[-72:], color="black", label="observed")
axis.plot(tomorrow.index, actual, color="black", linestyle=":", label="actual")
axis.plot(prediction.index, prediction["load"], marker=".", label="LSTM, future=")
axis.plot(tomorrow.index, naive, alpha=0.7, label="weekly seasonal naive")
axis.set_ylabel("load (MW)")
axis.legend(loc="upper left")
plt.show()
