"""
Faults in a machine signal with an LSTM autoencoder
===================================================

The blog posts detect equipment faults by training an LSTM autoencoder on normal
operation and flagging what it cannot reconstruct. Here that is
``Pipeline([Windower, LSTMAutoencoder])``: the Windower turns the rows of the signal into
look-back windows, the autoencoder learns to reconstruct the normal ones, and
``score_samples`` scores **every time step** by the window that ends there.

The signal is generated (a vibration with a daily cycle and noise) so that the faults
are known: a burst, a level shift and a stretch where the cycle stops.
"""

# %%
# A signal with three faults
# --------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.pipeline import make_pipeline

from lstmforecast import LSTMAutoencoder, Windower

rng = np.random.default_rng(0)
steps = np.arange(1400)
signal = np.sin(2 * np.pi * steps / 24) + 0.3 * np.sin(2 * np.pi * steps / 6)
signal += rng.normal(0, 0.1, len(steps))
faults = {"burst": slice(1000, 1010), "level shift": slice(1150, 1190), "stall": slice(1300, 1340)}
signal[faults["burst"]] += rng.normal(0, 1.5, 10)
signal[faults["level shift"]] += 1.2
signal[faults["stall"]] = signal[1299]
rows = pd.DataFrame({"vibration": signal})
train, test = rows.iloc[:900], rows.iloc[900:]  # normal operation, then the watch

# %%
# Fit on normal operation, score every later step
# -----------------------------------------------
# The test rows continue the training index, so their first windows use the last
# training rows as history. ``contamination`` sets the threshold of ``predict``: the
# share of normal training windows allowed above it.
detector = make_pipeline(
    Windower(look_back=24),
    LSTMAutoencoder(max_epochs=25, batch_size=32, contamination=0.01, random_state=0),
)
detector.fit(train)
scores = detector.score_samples(test)
flagged = detector.predict(test) == -1
print(f"{flagged.sum()} of {len(test)} steps flagged")

# %%
# Where the faults are
# --------------------
fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(9, 5))
top.plot(test.index, test["vibration"], color="#555555", linewidth=0.8)
for name, where in faults.items():
    top.axvspan(where.start, where.stop, color="#d62728", alpha=0.15)
    top.text(where.start, 2.6, name, fontsize=9)
top.set(ylabel="vibration", ylim=(-2.5, 3.2), title="Test signal, faults shaded")
bottom.plot(test.index, -scores, color="#1f77b4")
bottom.axhline(-detector[-1].offset_, color="black", linestyle=":", label="threshold")
bottom.set(xlabel="time step", ylabel="relative reconstruction error", yscale="log")
bottom.legend(loc="upper left")
fig.tight_layout()
