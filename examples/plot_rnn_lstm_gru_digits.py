"""
SimpleRNN, LSTM and GRU on handwritten digits read row by row
=============================================================

A classic exercise from the blog posts our users learn from: read each image of a digit
as a *sequence* of pixel rows and let a recurrent network classify it, then compare
the plain RNN cell with the LSTM and the GRU. Here the images are scikit-learn's
8 x 8 digits (1,797 images that ship inside scikit-learn), so each image is a sequence
of 8 steps with 8 features, and switching cells is one hyper-parameter,
``cell="rnn" | "lstm" | "gru"``.
"""

# %%
# Images as sequences
# -------------------
# ``load_digits().images`` has shape (n_images, 8, 8): already the
# (n_samples, n_steps, n_features) layout that :class:`~lstmforecast.LSTMClassifier`
# reads. The first half of the images trains, the second half tests, without shuffling.
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from lstmforecast import LSTMClassifier, summary

digits = load_digits()
X, y = digits.images.astype(np.float32), digits.target
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, shuffle=False)
print("train", X_train.shape, "test", X_test.shape)

# %%
# One configuration, three cells
# ------------------------------
# Every model reads the rows in both directions, pools the outputs over the 8 steps
# with attention, and is regularised with dropout on the inputs, DropConnect on the
# recurrent weights and weight decay. Only ``cell`` changes. The default convolutional
# branch and per-sequence summary are switched off, so that the comparison is the
# cells' alone.
base = LSTMClassifier(
    hidden_size=64,
    bidirectional=True,
    pooling="attention",
    dropout=0.3,
    recurrent_dropout=0.2,
    weight_decay=1e-4,
    lr=0.005,
    batch_size=32,
    max_epochs=60,
    fcn_channels=None,
    sequence_scale=None,
    random_state=0,
    device="cpu",
)

rows, models = [], {}
for cell in ["rnn", "lstm", "gru"]:
    model = clone(base).set_params(cell=cell)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    models[cell] = model
    rows.append(
        {
            "cell": cell,
            "test accuracy": model.score(X_test, y_test),
            "parameters": summary(model, print_fn=lambda table: None),
            "fit seconds": seconds,
        }
    )
results = pd.DataFrame(rows).set_index("cell")
results.round(3)

# %%
# The network behind each row of the table, Keras ``model.summary()`` style:
n_parameters = summary(models["lstm"])

# %%
# Accuracy, size and cost
# -----------------------
# The gated cells (LSTM, GRU) carry four and three times the recurrent weights of the
# plain RNN; the plot shows what that buys on this small problem.
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
colors = ["#8c8c8c", "#1f77b4", "#ff7f0e"]
for ax, column in zip(axes, results.columns):
    bars = ax.bar(results.index, results[column], color=colors)
    ax.set_title(column)
    fmt = {"test accuracy": "%.3f", "parameters": "%.0f", "fit seconds": "%.1f"}[column]
    ax.bar_label(bars, fmt=fmt, fontsize=9)
    ax.margins(y=0.15)
axes[0].set_ylim(min(0.8, results["test accuracy"].min() - 0.05), 1.0)
fig.suptitle("8 x 8 digits read as 8 rows of 8 pixels")
fig.tight_layout()

# %%
# Training curves
# ---------------
# ``loss_curve_`` holds the training loss of every epoch. Early stopping holds out the
# latest tenth of each class's training images and puts back the weights of the epoch
# with the best validation loss; it would end a fit after ``n_iter_no_change`` (100)
# epochs without improvement, more than these fits' ``max_epochs=60``.
fig, ax = plt.subplots(figsize=(7, 3.5))
for (cell, model), color in zip(models.items(), colors):
    ax.plot(model.loss_curve_["train_loss"], label=cell, color=color)
ax.set(xlabel="epoch", ylabel="cross-entropy (train)", yscale="log")
ax.legend()
fig.tight_layout()
