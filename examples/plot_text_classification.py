"""
Sentiment of short reviews from token sequences
===============================================

The blog posts our users learn from classify movie reviews with an ``Embedding`` layer
followed by an LSTM. With lstmforecast that network is
``LSTMClassifier(embedding_dim=...)`` after a ``TextSequencer``, which turns the raw
texts into integer token ids (0 is padding); everything else is the scikit-learn API.

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

from lstmforecast import LSTMClassifier, TextSequencer

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
# From text to token ids
# ----------------------
# :class:`~lstmforecast.TextSequencer` learns the vocabulary on the training reviews
# (the most frequent word gets id 1; 0 is reserved for padding), and turns each review
# into its ids, front-padded to the longest training review. The classifier packs the
# sequences, so the padding never reaches the network.
train, test = train_test_split(reviews, test_size=0.5, random_state=0, stratify=reviews["kind"])
tokens = TextSequencer().fit(train["text"])
print(f"{len(tokens.vocabulary_)} words; reviews padded to {tokens.n_steps_} tokens")
print(train["text"].iloc[0], "->", tokens.transform(train["text"].iloc[:1])[0])

# %%
# An embedding and an LSTM with their defaults, and a bag-of-words baseline
# -------------------------------------------------------------------------
# Only the size of the word vectors is set: the classifier's defaults (a convolution
# over neighbouring words, max pooling over the sequence, early stopping on the latest
# tenth of each class) read the order of the words without tuning.
lstm = make_pipeline(TextSequencer(), LSTMClassifier(embedding_dim=16, random_state=0))
lstm.fit(train["text"], train["label"])

bag_of_words = make_pipeline(CountVectorizer(), LogisticRegression(max_iter=1000))
bag_of_words.fit(train["text"], train["label"])

scores = pd.DataFrame(
    {
        "LSTM on tokens": lstm.predict(test["text"]) == test["label"].to_numpy(),
        "bag of words": bag_of_words.predict(test["text"]) == test["label"].to_numpy(),
        "kind": test["kind"].to_numpy(),
    }
)
accuracy = scores.groupby("kind").mean().T
accuracy["all"] = scores.drop(columns="kind").mean()
print(
    f"test accuracy on {len(test)} reviews: LSTM {accuracy.loc['LSTM on tokens', 'all']:.3f}, "
    f"bag of words {accuracy.loc['bag of words', 'all']:.3f}"
)
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
# Words never seen in ``fit`` (here "soundtrack") get the out-of-vocabulary id, which
# has one shared embedding.
sentences = [
    "the soundtrack was brilliant",
    "the soundtrack was not brilliant",
    "the music was dull but the story was moving",
    "the story was moving but the music was dull",
]
proba = lstm.predict_proba(sentences)
pd.DataFrame(proba, index=sentences, columns=lstm.classes_).round(3)
