"""
The data contract: rows become windows, y stays aligned
=======================================================

Forecasting data in lstmforecast are **time-ordered rows**: row t of ``X`` holds what is
known at time t, and row t of ``y`` holds what to predict from it. A
:class:`~lstmforecast.Windower` turns each row into the look-back window that *ends* at
that row, so there is exactly one window per row and ``y`` never has to be shifted or
trimmed. This example draws that picture on the first months of the Mauna Loa CO2
record, which ships inside statsmodels.
"""

# %%
# Aligned rows
# ------------
# :func:`~lstmforecast.make_supervised` pairs row t (the CO2 level of month t) with the
# level of month t+1. Only the last month, which has no future, is dropped.
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch, Rectangle

from lstmforecast import Windower, make_supervised
from lstmforecast.datasets import load_co2

co2 = load_co2()
X, y = make_supervised(co2.iloc[:9])  # 9 months -> 8 aligned rows
print(X.assign(y=y.to_numpy()).round(2))

# %%
# One window per row
# ------------------
# With ``look_back=3``, window t holds rows t-2, t-1 and t. The first two rows have too
# little history: their windows are front-padded with NaN, which the recurrent
# estimators read as "no observation" (a shorter sequence), so no row is dropped and
# ``y`` keeps its length.
look_back = 3
windows = Windower(look_back=look_back).fit_transform(X)
print("X", X.shape, "-> windows", windows.shape, "; y", y.shape)
print(np.round(windows[:, :, 0], 2))


# %%
# The picture
# -----------
# Left: the rows of ``X``. Middle: the window of each row (grey cells are NaN
# padding). Right: the target of each row, the next month's level. The arrows follow
# one row: window t ends at row t and is paired with ``y[t]``.
def draw_contract(X, windows, y, highlight=4):
    n = len(X)
    months = [stamp.strftime("%Y-%m") for stamp in X.index]
    fig, ax = plt.subplots(figsize=(8.5, 0.55 * n + 1.6))
    ax.set_xlim(-0.5, 10.2)
    ax.set_ylim(n + 0.2, -1.4)
    ax.axis("off")

    def cell(x, row, text, face="white", edge="0.3", width=1.0):
        ax.add_patch(Rectangle((x, row), width, 0.9, facecolor=face, edgecolor=edge))
        ax.text(x + width / 2, row + 0.45, text, ha="center", va="center", fontsize=11)

    titles = [
        "X: rows (co2 at t)",
        f"Windower(look_back={look_back})",
        "y[t]: co2 at t+1",
    ]
    for x, title in zip([1.3, 5.2, 9.0], titles):
        ax.text(x, -0.7, title, ha="center", fontweight="bold", fontsize=12)
    for t in range(n):
        on = t == highlight
        ax.text(-0.1, t + 0.45, f"t={t}", ha="right", va="center", fontsize=11)
        source = highlight - look_back < t <= highlight  # a row of the highlighted window
        face = "#fde9c9" if on else ("#cfe3f5" if source else "white")
        cell(0.1, t, months[t], face=face, width=1.2)
        cell(1.3, t, f"{X.iloc[t, 0]:.2f}", face=face, width=1.2)
        for k in range(look_back):
            value = windows[t, k, 0]
            if np.isnan(value):
                cell(3.7 + k * 1.0, t, "NaN", face="0.85", edge="0.6")
            else:
                cell(3.7 + k * 1.0, t, f"{value:.2f}", face="#cfe3f5" if on else "white")
        cell(8.4, t, f"{y.iloc[t]:.2f}", face="#d5efcf" if on else "white", width=1.2)
        ax.add_patch(
            FancyArrowPatch(
                (6.75, t + 0.45),
                (8.35, t + 0.45),
                arrowstyle="->",
                color="#2ca02c" if on else "0.7",
                mutation_scale=10,
            )
        )
    top, bottom = highlight - look_back + 1, highlight + 0.9
    ax.plot([2.65, 2.75, 2.75, 2.65], [top, top, bottom, bottom], color="#1f77b4")
    ax.add_patch(
        FancyArrowPatch(
            (2.75, (top + bottom) / 2),
            (3.65, highlight + 0.45),
            arrowstyle="->",
            color="#1f77b4",
            mutation_scale=12,
        )
    )
    ax.text(
        5.2,
        n + 0.05,
        "window t ends at row t; nothing later than row t enters it",
        ha="center",
        va="top",
        fontsize=11,
        style="italic",
    )
    return fig


fig = draw_contract(X, windows, y)
fig.tight_layout()

# %%
# The same alignment on the whole series
# --------------------------------------
# Two years of history (``look_back=24``) are read before each forecast. The shaded
# band is the window of one row; the dot is the value that row predicts.
X_all, y_all = make_supervised(co2)
windower = Windower(look_back=24).fit(X_all)
all_windows = windower.transform(X_all)
t = 300
span = X_all.index[t - 23 : t + 1]

fig, ax = plt.subplots(figsize=(10, 3.5))
ax.plot(co2.index, co2, color="0.6", linewidth=1, label="co2")
ax.plot(span, all_windows[t, :, 0], color="#1f77b4", linewidth=2, label=f"window of row {t}")
ax.axvspan(span[0], span[-1], color="#1f77b4", alpha=0.12)
ax.scatter([co2.index[t + 1]], [y_all.iloc[t]], color="#2ca02c", zorder=3, label=f"y[{t}]")
shown = co2.iloc[t - 60 : t + 30]
ax.set_xlim(shown.index[0], shown.index[-1])
ax.set_ylim(shown.min() - 1, shown.max() + 1)
ax.set(ylabel="ppm", title="Window of one row and its target")
ax.legend(loc="upper left")
fig.tight_layout()

# %%
# Test rows that continue the training rows
# -----------------------------------------
# When the rows passed to ``transform`` continue the pandas index seen in ``fit`` (a
# test fold right after its training fold), the last training rows are used as history
# instead of NaN padding, so the first test windows are complete.
X_train, X_test = X_all.iloc[:400], X_all.iloc[400:]
fitted = Windower(look_back=24).fit(X_train)
first_test_window = fitted.transform(X_test)[0, :, 0]
print("NaN in the first test window:", int(np.isnan(first_test_window).sum()))
print(
    "...without the training history:",
    int(np.isnan(Windower(look_back=24).fit_transform(X_test)[0, :, 0]).sum()),
)
