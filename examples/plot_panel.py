"""
One LSTM for many series
========================

Four quarterly US series from statsmodels' macrodata (real GDP, consumption,
investment and disposable income) differ in level by a factor of ten. They go into one
long frame with a series-id column, and one LSTM learns from the windows of all four at
once (a *global* model): the :class:`~lstmforecast.Windower` keeps every window inside
its series, ``window_scale="std"`` puts the series on a common scale, and
:func:`~lstmforecast.forecast` returns the next year of each series with an 80%
interval. See :ref:`panels`.
"""

# %%
# The panel: one row per (series, quarter)
# ----------------------------------------
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.pipeline import Pipeline
from statsmodels.datasets import macrodata

from lstmforecast import LSTMRegressor, Windower, forecast, make_supervised

data = macrodata.load_pandas().data
quarters = pd.period_range("1959Q1", periods=len(data), freq="Q")
names = ["realgdp", "realcons", "realinv", "realdpi"]
panel = pd.concat(
    [
        pd.DataFrame({"series": name, "value": data[name].to_numpy()}, index=quarters)
        for name in names
    ]
).sort_index(kind="stable")  # time order: early stopping holds out the latest quarters
panel.head()

# %%
# One model for the four series
# -----------------------------
# ``make_supervised`` builds the 4-quarter targets within each series; the quantile head
# gives the intervals.
X, y = make_supervised(panel, target_column="value", horizon=4, id_column="series")
model = Pipeline(
    [
        ("win", Windower(look_back=8, id_column="series")),
        (
            "lstm",
            LSTMRegressor(
                window_scale="std",
                quantiles=(0.1, 0.5, 0.9),
                hidden_size=16,
                max_epochs=30,
                random_state=0,
            ),
        ),
    ]
).fit(X, y)
future = forecast(model, panel, id_column="series", coverage=0.8)
future.round(1)

# %%
# The last ten years of each series and its forecast
# --------------------------------------------------
figure, axes = plt.subplots(2, 2, figsize=(10, 6), layout="constrained")
for axis, name in zip(axes.ravel(), names):
    past = panel[panel["series"] == name]["value"].iloc[-40:]
    ahead = future[future["series"] == name]
    axis.plot(past.index.to_timestamp(), past, color="black", label="observed")
    when = ahead.index.to_timestamp()
    axis.plot(when, ahead["value"], marker="o", label="forecast")
    axis.fill_between(when, ahead["lower"], ahead["upper"], alpha=0.3, label="80% interval")
    axis.set_title(name)
axes[0, 0].legend(loc="upper left")
plt.show()
