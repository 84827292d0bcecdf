"""
Sentiment of short reviews from token sequences
===============================================

The blog posts our users learn from classify movie reviews with an ``Embedding`` layer
followed by an LSTM. With lstmforecast that network is
``LSTMClassifier(embedding_dim=...)``: X holds integer token ids (0 is padding), the
sequences may have any length, and everything else is the scikit-learn API.

No text corpus ships inside scikit-learn or statsmodels without a download, so this
example **generates** its reviews from small word lists. The generator is built so that
word order matters: "not" flips the sentiment of the adjective after it, and in
"A but B" the clause after "but" decides. A bag-of-words model, which sees only which
words occur, cannot get those right; a recurrent network reads the order.
"""

# %%
# Generated reviews
# -----------------
# Three kinds of sentence: *plain* ("the plot was really clever", 60 % of the
# reviews), *negated* ("the plot was not clever") and *contrast* ("the cast was great
# but the script was dull", whose label is that of its second clause).
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from lstmforecast import LSTMClassifier

pd.set_option("display.max_colwidth", 100)  # show whole reviews in the tables
rng = np.random.default_rng(0)
SUBJECTS = [
    "the film",
    "this movie",
    "the plot",
    "the acting",
    "the ending",
    "the cast",
    "the script",
    "the music",
    "the story",
    "the dialogue",
]
VERBS = ["was", "is", "felt", "seemed"]
ADVERBS = ["", "", "very", "really", "quite", "truly", "rather"]
GOOD = [
    "good",
    "great",
    "wonderful",
    "moving",
    "funny",
    "brilliant",
    "charming",
    "clever",
]
BAD = ["bad", "boring", "dull", "awful", "weak", "clumsy", "tedious", "poor"]
OPENERS = ["", "", "", "honestly", "overall", "i think", "to be fair"]


def clause(positive, negated=False):
    adjective = rng.choice(GOOD if positive != negated else BAD)
    words = [rng.choice(SUBJECTS), rng.choice(VERBS)]
    words += ["not"] if negated else [rng.choice(ADVERBS)]
    return " ".join(w for w in [*words, adjective] if w)


def review():
    kind = rng.choice(["plain", "negated", "contrast"], p=[0.6, 0.2, 0.2])
    label = bool(rng.integers(2))
    if kind == "plain":
        text = clause(label)
    elif kind == "negated":
        text = clause(label, negated=True)
    else:
        text = f"{clause(not label)} but {clause(label)}"
    opener = rng.choice(OPENERS)
    text = f"{opener} {text}".strip()
    return text, "positive" if label else "negative", kind


reviews = pd.DataFrame([review() for _ in range(3000)], columns=["text", "label", "kind"])
reviews.head(8)

# %%
# Token ids, variable length
# --------------------------
# Each word gets an id from 1 up (0 is reserved for padding). The reviews have different
# lengths, so X is a plain list of 1-D id arrays: the classifier pads and packs them
# itself, and the padding never reaches the network.
vocabulary = {
    word: i
    for i, word in enumerate(sorted({w for t in reviews["text"] for w in t.split()}), start=1)
}


def encode(texts):
    return [np.array([vocabulary.get(w, len(vocabulary) + 1) for w in t.split()]) for t in texts]


train, test = train_test_split(reviews, test_size=0.5, random_state=0, stratify=reviews["kind"])
X_train, X_test = encode(train["text"]), encode(test["text"])
lengths = [len(x) for x in X_train]
print(f"{len(vocabulary)} words; reviews of {min(lengths)} to {max(lengths)} tokens")
print(train["text"].iloc[0], "->", X_train[0])

# %%
# An embedding, a bidirectional LSTM, and a bag-of-words baseline
# ---------------------------------------------------------------
clf = LSTMClassifier(
    embedding_dim=16,
    hidden_size=32,
    bidirectional=True,
    pooling="max",
    lr=0.01,
    batch_size=64,
    max_epochs=25,
    random_state=0,
)
clf.fit(X_train, train["label"])

bag_of_words = make_pipeline(CountVectorizer(), LogisticRegression(max_iter=1000))
bag_of_words.fit(train["text"], train["label"])

scores = pd.DataFrame(
    {
        "LSTM on tokens": clf.predict(X_test) == test["label"].to_numpy(),
        "bag of words": bag_of_words.predict(test["text"]) == test["label"].to_numpy(),
        "kind": test["kind"].to_numpy(),
    }
)
accuracy = scores.groupby("kind").mean().T
accuracy["all"] = scores.drop(columns="kind").mean()
accuracy.round(3)

# %%
# Where word order matters
# ------------------------
# Both models get the plain sentences right. The bag of words learns that "clever" is
# good, so it gets "not clever" wrong, and it is at chance on the contrast sentences,
# whose two orders hold the same words; the recurrent network reads the order.
fig, ax = plt.subplots(figsize=(8, 3.8))
kinds = ["plain", "negated", "contrast", "all"]
width = 0.38
for offset, (name, color) in zip(
    [-width / 2, width / 2],
    [("LSTM on tokens", "#1f77b4"), ("bag of words", "#8c8c8c")],
):
    bars = ax.bar(np.arange(4) + offset, accuracy.loc[name, kinds], width, label=name, color=color)
    ax.bar_label(bars, fmt="%.2f", fontsize=9)
ax.axhline(0.5, color="black", linewidth=0.8, linestyle=":")
ax.set_xticks(np.arange(4), kinds)
ax.set(
    ylabel="test accuracy",
    ylim=(0, 1.25),
    title="Generated reviews by kind of sentence",
)
ax.legend(loc="upper center", ncols=2)
fig.tight_layout()

# %%
# New sentences
# -------------
# ``predict_proba`` gives the probability of each class, in the order of ``classes_``.
# Words never seen in ``fit`` (here "soundtrack") get an id larger than any seen, which
# the classifier maps to one shared "unknown" embedding.
sentences = [
    "the soundtrack was brilliant",
    "the soundtrack was not brilliant",
    "the music was dull but the story was moving",
    "the story was moving but the music was dull",
]
proba = clf.predict_proba(encode(sentences))
pd.DataFrame(proba, index=sentences, columns=clf.classes_).round(3)
