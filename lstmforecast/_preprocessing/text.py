"""Raw text to token-id sequences, the input an embedding layer reads."""

import numbers
import re
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._utils.params import HintedParams
from .._utils.transaction import transactional
from .sequences import preview

__all__ = ["TextSequencer"]


class TextSequencer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, HintedParams, BaseEstimator):
    """Turn raw strings into front-padded sequences of token ids.

    The transformer that Keras users know as ``Tokenizer`` + ``pad_sequences``, as one
    scikit-learn step: ``Pipeline([("tok", TextSequencer()), ("lstm",
    LSTMClassifier(embedding_dim=32))])`` fits on a list of texts, and ``tok__max_tokens``
    is an ordinary hyper-parameter for ``GridSearchCV``.

    Each text is lowercased (optionally), split into tokens by ``token_pattern``, and
    every token becomes its id in the vocabulary learned in ``fit``: the most frequent
    token is 1, the next 2, and so on (ties in alphabetical order). Tokens outside the
    vocabulary become the out-of-vocabulary id ``len(vocabulary_) + 1``. Sequences are
    front-padded with 0 to ``n_steps_`` columns, the layout the recurrent estimators read
    as padding; longer sequences are truncated.

    Parameters
    ----------
    max_tokens : int, default=None
        Keep only this many of the most frequent tokens in the vocabulary; None keeps
        every token seen at least ``min_frequency`` times.
    min_frequency : int, default=1
        Tokens seen fewer times in the training texts are out of vocabulary.
    lowercase : bool, default=True
        Lowercase the texts before splitting them.
    token_pattern : str, default=r"(?u)\\b\\w[\\w']*\\b"
        Regular expression whose matches are the tokens (words, keeping apostrophes
        such as "don't" in one token).
    max_length : int, default=None
        Width of the output: sequences are truncated or padded to this many tokens.
        None uses the longest training sequence.
    truncating : {"pre", "post"}, default="pre"
        Which end of a too-long sequence to cut: "pre" drops its first tokens and keeps
        the last ``n_steps_`` (Keras' ``pad_sequences`` default), "post" keeps the first.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Token to id, ids 1 to ``len(vocabulary_)``.
    oov_id_ : int
        The id of every token outside the vocabulary, ``len(vocabulary_) + 1``.
    n_steps_ : int
        Width of the output (tokens per sequence).
    n_features_in_ : int
        Always 1: one text per sample.

    Notes
    -----
    A text with no token (empty, or only punctuation) becomes a single out-of-vocabulary
    token, so that every sample stays a valid sequence for the recurrent estimators.

    Examples
    --------
    >>> from lstmforecast import TextSequencer
    >>> tok = TextSequencer().fit(["the film was great", "the plot was thin"])
    >>> tok.transform(["the film was thin", "a great unseen film"])
    array([[1, 3, 2, 6],
           [7, 4, 7, 3]])
    """

    def __init__(
        self,
        *,
        max_tokens=None,
        min_frequency=1,
        lowercase=True,
        token_pattern=r"(?u)\b\w[\w']*\b",
        max_length=None,
        truncating="pre",
    ):
        self.max_tokens = max_tokens
        self.min_frequency = min_frequency
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.max_length = max_length
        self.truncating = truncating

    @transactional
    def fit(self, X, y=None):
        """Learn the vocabulary and the output width from the texts X.

        Parameters
        ----------
        X : array-like of str of shape (n_samples,)
            Texts: a list, a 1-D array, a pandas Series or a one-column DataFrame.
        y : None
            Ignored.

        Returns
        -------
        self : TextSequencer
        """
        self._check_params()
        tokens, lengths = self._tokenize(X)
        words, counts = np.unique(tokens, return_counts=True)
        # Most frequent first; np.unique sorted the words, and a stable sort keeps that
        # alphabetical order among equally frequent ones.
        order = np.argsort(-counts, kind="stable")
        order = order[counts[order] >= self.min_frequency]
        if self.max_tokens is not None:
            order = order[: self.max_tokens]
        kept = words[order]
        self.vocabulary_ = {str(word): i + 1 for i, word in enumerate(kept)}
        self.oov_id_ = len(kept) + 1
        # Sorted copies make the look-up in transform one vectorised searchsorted.
        by_word = np.argsort(kept)
        self._sorted_words = kept[by_word]
        self._sorted_ids = (by_word + 1).astype(np.int64)
        self.n_steps_ = self.max_length or int(max(lengths.max(), 1))
        self._n_features_out = self.n_steps_
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        """Token ids of each text, front-padded with 0 to ``n_steps_`` columns.

        Parameters
        ----------
        X : array-like of str of shape (n_samples,)
            Texts.

        Returns
        -------
        ids : ndarray of shape (n_samples, n_steps), int64
            Token ids, 0 = padding, ``oov_id_`` = out of vocabulary.
        """
        check_is_fitted(self, "vocabulary_")
        tokens, lengths = self._tokenize(X)
        ids = np.full(len(tokens), self.oov_id_, dtype=np.int64)
        if len(self._sorted_words) and len(tokens):
            at = np.searchsorted(self._sorted_words, tokens).clip(max=len(self._sorted_words) - 1)
            known = self._sorted_words[at] == tokens
            ids[known] = self._sorted_ids[at[known]]
        empty = lengths == 0
        if empty.any():
            # One OOV token stands for "no word", so the sequence is not all padding.
            lengths = lengths.copy()
            ids = np.insert(ids, np.cumsum(lengths)[empty], self.oov_id_)
            lengths[empty] = 1
        return self._pad(ids, lengths)

    def _pad(self, ids, lengths):
        """Right-align each text's ids in an (n, n_steps_) array, without a loop."""
        width = self.n_steps_
        kept = np.minimum(lengths, width)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        # Index of each kept token in `ids`: "pre" keeps a sequence's last tokens.
        skip = lengths - kept if self.truncating == "pre" else np.zeros_like(lengths)
        row = np.repeat(np.arange(len(lengths)), kept)
        rank = np.arange(kept.sum()) - np.repeat(np.cumsum(kept) - kept, kept)
        out = np.zeros((len(lengths), width), dtype=np.int64)
        out[row, width - np.repeat(kept, kept) + rank] = ids[np.repeat(starts + skip, kept) + rank]
        return out

    def _tokenize(self, X):
        """All tokens of all texts in one array, and the number of tokens per text."""
        texts = _texts(X)
        pattern = re.compile(self.token_pattern)
        if self.lowercase:
            texts = [text.lower() for text in texts]
        split = [pattern.findall(text) for text in texts]
        lengths = np.fromiter((len(words) for words in split), dtype=np.int64, count=len(split))
        tokens = np.array([word for words in split for word in words], dtype=str)
        return tokens, lengths

    _parameter_constraints = {
        "max_tokens": [Interval(Integral, 1, None, closed="left"), None],
        "min_frequency": [Interval(Integral, 1, None, closed="left")],
        "lowercase": ["boolean"],
        "token_pattern": [str],
        "max_length": [Interval(Integral, 1, None, closed="left"), None],
        "truncating": [StrOptions({"pre", "post"})],
    }

    def _check_params(self):
        self._validate_params()
        try:
            re.compile(self.token_pattern)
        except re.error as error:
            raise ValueError(f"token_pattern {self.token_pattern!r} is invalid: {error}.") from None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


def _texts(X):
    """X as a list of str, with a clear error for anything else."""
    if isinstance(X, str):
        raise ValueError(
            "X must be a collection of texts (one per sample), got a single string. Wrap it "
            "in a list: [text]."
        )
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise ValueError(
                f"X is a DataFrame with {X.shape[1]} columns; pass the one text column "
                "(e.g. df['text'])."
            )
        X = X.iloc[:, 0]
    values = list(X.to_numpy() if isinstance(X, pd.Series) else np.asarray(X, dtype=object))
    if np.ndim(values) != 1:
        raise ValueError(
            f"X must be a 1-D collection of texts, got shape {np.shape(values)}. Pass one "
            "string per sample."
        )
    if not values:
        raise ValueError("X has no texts (0 samples); at least 1 is required.")
    bad = [i for i, text in enumerate(values) if not isinstance(text, str)]
    if bad:
        example = values[bad[0]]
        kind = "numbers" if isinstance(example, numbers.Number) else type(example).__name__
        raise ValueError(
            f"X must hold strings, but rows [{preview(np.asarray(bad))}] hold {kind} "
            f"(e.g. {example!r}). Fill missing texts (e.g. with '') and convert the rest "
            "with str."
        )
    return values
