"""
Tagging every step: words and activities
========================================

:class:`~lstmforecast.LSTMTagger` gives one label per time step. First the
part-of-speech example of PyTorch's LSTM tutorial, from raw sentences to tags; then a
generated sensor recording whose steps are labelled with the activity under way.
"""

# %%
# Part-of-speech tags
# -------------------
# ``TextSequencer`` turns the sentences into token ids; the tagger takes ragged lists
# (one array per sentence) and returns one array of tags per sentence.
import matplotlib.pyplot as plt
import numpy as np

from lstmforecast import LSTMTagger, TextSequencer

sentences = ["the dog ate the apple", "everybody read that book", "the cat read a book"]
tags = [
    ["DET", "NN", "V", "DET", "NN"],
    ["NN", "V", "DET", "NN"],
    ["DET", "NN", "V", "DET", "NN"],
]
tokens = TextSequencer().fit(sentences)
ids = [row[row > 0] for row in tokens.transform(sentences)]
tagger = LSTMTagger(embedding_dim=6, hidden_size=6, lr=0.1, max_epochs=60, random_state=0)
tagger.fit(ids, tags)
new_ids = tokens.transform(["the dog read a book"])[0]
print("the dog read a book ->", tagger.predict([new_ids[new_ids > 0]])[0])

# %%
# Activities in a sensor recording
# --------------------------------
# Each recording alternates between resting, walking and running; the accelerometer's
# oscillation frequency and strength depend on the activity. A step's activity shows in
# the steps around it, which the bidirectional tagger reads.
rng = np.random.default_rng(0)
ACTIVITIES = {"rest": (0.0, 0.05), "walk": (0.15, 0.6), "run": (0.35, 1.2)}


def recording(n_segments=4):
    values, labels = [], []
    for activity in rng.choice(list(ACTIVITIES), n_segments):
        frequency, strength = ACTIVITIES[activity]
        n = int(rng.integers(15, 40))
        phase = rng.uniform(0, 2 * np.pi)
        values.append(strength * np.sin(2 * np.pi * frequency * np.arange(n) + phase))
        labels += [activity] * n
    x = np.concatenate(values) + rng.normal(0, 0.1, len(labels))
    return x[:, None], np.array(labels)


data = [recording() for _ in range(160)]
X, y = [x for x, _ in data], [labels for _, labels in data]
activity = LSTMTagger(hidden_size=24, lr=0.01, max_epochs=30, random_state=0)
activity.fit(X[:120], y[:120])
print(f"per-step accuracy on new recordings: {activity.score(X[120:], y[120:]):.3f}")

# %%
# One new recording, true and predicted activity
# ----------------------------------------------
x, truth = X[120], y[120]
predicted = activity.predict([x])[0]
fig, ax = plt.subplots(figsize=(9, 3))
ax.plot(x[:, 0], color="#555555", linewidth=0.8)
levels = {name: i for i, name in enumerate(ACTIVITIES)}
ax.plot([levels[t] * 0.8 + 1.6 for t in truth], label="true activity", linewidth=3, alpha=0.5)
ax.plot([levels[t] * 0.8 + 1.6 for t in predicted], "--", label="predicted", color="black")
ax.set_yticks([1.6, 2.4, 3.2], list(ACTIVITIES))
ax.set(xlabel="time step", title="Accelerometer and activity")
ax.legend(loc="lower right", ncols=2)
fig.tight_layout()
