"""One ticket's TF-IDF features, fast: what :meth:`DispatchModel.margins_one` reads.

sklearn's ``transform`` costs about a millisecond of overhead per call, and looking up
each of a long text's ~1,000 character n-grams in a vocabulary of ~500,000 strings
costs as much again. Here a character n-gram (n ≤ 3) is one integer — its code points
side by side, 21 bits each, shorter n-grams padded with a value above every code
point, so no two n-grams share one — the text's n-grams are counted with numpy and
found by binary search in the sorted integers of the vocabulary. Words (jieba) keep a
dictionary look-up. The features are exactly the vectorizers' (sublinear TF × IDF,
L2-normalised per block), which ``tests/dispatch_model`` checks.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np

_BITS = 21
_PAD = (1 << _BITS) - 1  # above every code point (≤ 0x10FFFF)
_MAX_N = 3  # 3 × 21 bits fit in 64
_WHITE_SPACES = re.compile(r"\s\s+")  # as sklearn's char analyzer folds them


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _pack(columns: list[np.ndarray]) -> np.ndarray:
    """The keys of n-grams whose i-th code points are ``columns[i]``."""
    k = np.zeros(len(columns[0]), dtype=np.uint64)
    for _ in range(_MAX_N - len(columns)):
        k = (k << np.uint64(_BITS)) | np.uint64(_PAD)
    for col in columns:
        k = (k << np.uint64(_BITS)) | col
    return k


def char_keys(text: str, lo: int, hi: int) -> np.ndarray:
    """One integer per character n-gram of ``text``, ``lo ≤ n ≤ hi ≤ 3``, in the order
    sklearn's ``analyzer="char"`` yields them (no lowercasing here)."""
    c = _codes(text)
    parts = [
        _pack([c[i : len(c) - n + 1 + i] for i in range(n)]) for n in range(lo, min(hi, len(c)) + 1)
    ]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)


def term_keys(terms: list[str]) -> np.ndarray:
    """The key of each n-gram in ``terms`` (1 to 3 characters each)."""
    keys = np.zeros(len(terms), dtype=np.uint64)
    lengths = np.fromiter(map(len, terms), np.int64, len(terms))
    for n in range(1, _MAX_N + 1):
        sel = np.flatnonzero(lengths == n)
        if len(sel):
            c = _codes("".join(terms[i] for i in sel)).reshape(-1, n)
            keys[sel] = _pack([c[:, i] for i in range(n)])
    return keys


def _l2_tfidf(ids: np.ndarray, counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    w = (1.0 + np.log(counts.astype(np.float64))) * idf[ids]
    return w / np.sqrt(w @ w)


class WordBlock:
    """A fitted vectorizer with any analyzer: the analyzer's terms looked up one by one."""

    def __init__(self, vectorizer: Any, offset: int, max_chars: int) -> None:
        self.analyze = vectorizer.build_analyzer()
        self.get = vectorizer.vocabulary_.get
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.offset, self.max_chars = offset, max_chars

    def features(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices (offset included) and values of ``doc``'s features."""
        counts = Counter(self.analyze(doc[: self.max_chars]))
        n = len(counts)
        ids = np.fromiter((self.get(t, -1) for t in counts), np.int64, n)
        tf = np.fromiter(counts.values(), np.float64, n)
        found = ids >= 0
        if not found.any():
            return ids[:0], tf[:0]
        ids = ids[found]
        return ids + self.offset, _l2_tfidf(ids, tf[found], self.idf)


class CharBlock:
    """A fitted ``TfidfVectorizer(analyzer="char", ngram_range=(lo, hi))``, hi ≤ 3."""

    def __init__(self, vectorizer: Any, offset: int, max_chars: int) -> None:
        self.lo, self.hi = vectorizer.ngram_range
        if self.hi > _MAX_N or vectorizer.analyzer != "char":
            raise ValueError("CharBlock needs analyzer='char' and n-grams of at most 3")
        self.lowercase = vectorizer.lowercase
        terms = list(vectorizer.vocabulary_)
        keys = term_keys(terms)
        order = np.argsort(keys)
        self.keys = keys[order]
        ids = np.fromiter((vectorizer.vocabulary_[t] for t in terms), np.int64, len(terms))
        self.ids = ids[order]
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.offset, self.max_chars = offset, max_chars

    def features(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        text = doc[: self.max_chars]
        text = _WHITE_SPACES.sub(" ", text.lower() if self.lowercase else text)
        keys, counts = np.unique(char_keys(text, self.lo, self.hi), return_counts=True)
        if not len(keys) or not len(self.keys):
            return keys[:0].astype(np.int64), counts[:0].astype(np.float64)
        pos = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found = self.keys[pos] == keys
        ids = self.ids[pos[found]]
        if not len(ids):
            return ids, counts[:0].astype(np.float64)
        return ids + self.offset, _l2_tfidf(ids, counts[found], self.idf)


def block(vectorizer: Any, offset: int, max_chars: int) -> WordBlock | CharBlock:
    """The fast reader of one fitted vectorizer whose columns start at ``offset``."""
    if vectorizer.analyzer == "char" and vectorizer.ngram_range[1] <= _MAX_N:
        return CharBlock(vectorizer, offset, max_chars)
    return WordBlock(vectorizer, offset, max_chars)
