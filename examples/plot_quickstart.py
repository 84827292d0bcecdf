"""
Quickstart: forecast Mauna Loa CO2 with an LSTM pipeline
=========================================================

Monthly CO2 concentrations ship inside statsmodels. We turn the series into aligned
rows with :func:`~lstmforecast.make_supervised`, tune the training loss of the default
``Windower(look_back="auto") -> LSTMRegressor()`` pipeline with plain ``GridSearchCV`` on
time-ordered folds, and compare the forecast of the last five years with the last-value
forecast.
"""

# %%
import time

import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from lstmforecast import LSTMRegressor, Windower, make_supervised
from lstmforecast.datasets import load_co2

series = load_co2()
X, y = make_supervised(series)  # row t: co2 at t; y[t]: co2 at t+1
n_test = 60
X_train, y_train = X.iloc[:-n_test], y.iloc[:-n_test]
X_test, y_test = X.iloc[-n_test:], y.iloc[-n_test:]

# %%
# The defaults read the look-back (one season) from the training rows and stop
# training early on the most recent rows; tune any parameter like any other
# hyper-parameter. ``TimeSeriesSplit`` keeps every validation fold after its training rows.
pipe = Pipeline([("win", Windower(look_back="auto")), ("lstm", LSTMRegressor(random_state=0))])
start = time.perf_counter()
search = GridSearchCV(
    pipe,
    {"lstm__loss": ["mse", "mae"]},
    cv=TimeSeriesSplit(n_splits=3),
    scoring="neg_mean_absolute_error",
).fit(X_train, y_train)
seconds = time.perf_counter() - start

# %%
# The test rows continue the training index, so their first windows reach back into
# the training data instead of being padded.
forecasts = {
    "LSTM pipeline": search.predict(X_test),
    "last value": X_test["co2"].to_numpy(),
}
table = pd.DataFrame(
    {
        name: {
            "MAE": np.abs(pred - y_test).mean(),
            "RMSE": np.sqrt(((pred - y_test) ** 2).mean()),
        }
        for name, pred in forecasts.items()
    }
).T
best = search.best_estimator_
print(
    f"look_back {best['win'].look_back_}, season {best['lstm'].season_lengths_}, best loss "
    f"{search.best_params_['lstm__loss']} (search took {seconds:.1f} s)"
)
print(table.round(3).to_string())

# %%
import matplotlib.pyplot as plt  # noqa: E402

fig, ax = plt.subplots(figsize=(9, 4))
ax.plot(y_test.index, y_test, color="black", label="actual")
for name, pred in forecasts.items():
    ax.plot(y_test.index, pred, label=name)
ax.set(title="One-month-ahead CO2 forecast, last 5 years", ylabel="ppm")
ax.legend()
fig.tight_layout()
if __name__ == "__main__":
    fig.savefig("quickstart.png", dpi=100)
    print("plot written to quickstart.png")
