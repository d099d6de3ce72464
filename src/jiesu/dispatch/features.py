"""The dispatch model's text features, and one ticket's features fast.

**Dictionary words** (:func:`lexicon_words`): every word of jieba's dictionary, 2 to 4
Chinese characters long, that occurs anywhere in the text — overlapping, with no
segmentation. On the real messages this was better than jieba's segmentation (and its
word bigrams) by about 0.01 macro-F1, and it needs no segmenter at prediction time:
a text's 2–4-character substrings are looked up in the model's vocabulary.

**One ticket** (:func:`block`): sklearn's ``transform`` costs about a millisecond of
overhead per call, and looking up each of a long text's thousands of n-grams in a
vocabulary of hundreds of thousands of strings costs more. Here an n-gram is one
integer — its characters' code points side by side, shorter n-grams padded with zeros
on the left, so no two n-grams share one — a text's n-grams are counted with numpy
and found by binary search in the sorted integers of the vocabulary. The features are
exactly the vectorizers' (sublinear TF × IDF, L2-normalised per block), which
``tests/dispatch_model`` checks.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import numpy as np

HAN = (0x4E00, 0x9FD5)  # the CJK range jieba's segmenter calls Chinese
LEXICON_NGRAMS = (2, 4)
_WHITE_SPACES = re.compile(r"\s\s+")  # as sklearn's char analyzer folds them
_LOCK = threading.Lock()
_lexicon: np.ndarray | None = None


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def _pack(columns: list[np.ndarray], bits: int, width: int) -> np.ndarray:
    """Keys of n-grams whose i-th characters are ``columns[i]`` (each ≥ 1, < 2**bits)."""
    k = np.zeros(len(columns[0]), dtype=np.uint64)
    for col in columns[-width:]:
        k = (k << np.uint64(bits)) | col.astype(np.uint64)
    return k


# Characters: code point + 1 in 21 bits, up to 3 of them. Chinese: offset in HAN + 1 in
# 15 bits, up to 4 of them. 0 is the padding of shorter n-grams.
_CHAR = (21, 3)
_CJK = (15, 4)


def char_keys(text: str, lo: int, hi: int) -> np.ndarray:
    """One integer per character n-gram of ``text``, ``lo ≤ n ≤ hi ≤ 3``, in the order
    sklearn's ``analyzer="char"`` yields them (no lowercasing here)."""
    c = _codes(text) + 1
    parts = [
        _pack([c[i : len(c) - n + 1 + i] for i in range(n)], *_CHAR)
        for n in range(lo, min(hi, len(c)) + 1)
    ]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)


def _cjk_grams(text: str, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keys, starts and lengths of the all-Chinese substrings of ``text``, lo ≤ n ≤ hi ≤ 4."""
    c = _codes(text) - (HAN[0] - 1)
    c[(c < 1) | (c > HAN[1] - HAN[0] + 1)] = 0  # not Chinese
    keys, starts, lengths = [], [], []
    for n in range(lo, min(hi, len(c)) + 1):
        m = len(c) - n + 1
        cols = [c[i : i + m] for i in range(n)]
        ok = np.logical_and.reduce([col > 0 for col in cols])
        at = np.flatnonzero(ok)
        keys.append(_pack([col[at] for col in cols], *_CJK))
        starts.append(at)
        lengths.append(np.full(len(at), n))
    if not keys:
        empty = np.empty(0, dtype=np.int64)
        return empty.astype(np.uint64), empty, empty
    return np.concatenate(keys), np.concatenate(starts), np.concatenate(lengths)


def _term_keys(terms: list[str], cjk: bool) -> np.ndarray:
    """The key of each n-gram in ``terms``, as :func:`char_keys` or :func:`_cjk_grams`."""
    bits, width = _CJK if cjk else _CHAR
    keys = np.zeros(len(terms), dtype=np.uint64)
    lengths = np.fromiter(map(len, terms), np.int64, len(terms))
    for n in range(1, width + 1):
        sel = np.flatnonzero(lengths == n)
        if len(sel):
            c = _codes("".join(terms[i] for i in sel)).reshape(-1, n)
            c = c - (HAN[0] - 1) if cjk else c + 1
            keys[sel] = _pack([c[:, i] for i in range(n)], bits, width)
    return keys


def lexicon() -> np.ndarray:
    """Sorted keys of jieba's dictionary words of 2–4 Chinese characters (loaded once)."""
    global _lexicon
    if _lexicon is None:
        with _LOCK:
            if _lexicon is None:
                from jiesu.intake.classify import jieba_module

                lo, hi = LEXICON_NGRAMS
                freq = jieba_module().dt.FREQ
                by_length: dict[int, list[str]] = {n: [] for n in range(lo, hi + 1)}
                for w, f in freq.items():
                    if f and (same := by_length.get(len(w))) is not None:
                        same.append(w)
                keys = []
                for n, words in by_length.items():
                    c = _codes("".join(words)).reshape(-1, n)
                    han = ((c >= HAN[0]) & (c <= HAN[1])).all(axis=1)
                    keys.append(_pack(list((c[han] - (HAN[0] - 1)).T), *_CJK))
                _lexicon = np.unique(np.concatenate(keys))
    return _lexicon


def _member(keys: np.ndarray, sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which ``keys`` are in ``sorted_keys``, and where."""
    if not len(sorted_keys):
        return np.zeros(len(keys), dtype=bool), np.zeros(len(keys), dtype=np.int64)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[pos] == keys, pos


def lexicon_words(text: str) -> list[str]:
    """The dictionary words in ``text`` (module-level: the vectorizer is pickled)."""
    keys, starts, lengths = _cjk_grams(text, *LEXICON_NGRAMS)
    found, _ = _member(keys, lexicon())
    at, n = starts[found].tolist(), lengths[found].tolist()
    return [text[s : s + k] for s, k in zip(at, n, strict=True)]


class Block:
    """The fast reader of one fitted vectorizer: character n-grams (n ≤ 3) or
    :func:`lexicon_words`; its columns start at ``offset``."""

    def __init__(self, vectorizer: Any, offset: int) -> None:
        self.cjk = vectorizer.analyzer is lexicon_words
        if not self.cjk and (vectorizer.analyzer != "char" or vectorizer.ngram_range[1] > 3):
            raise ValueError("a Block reads character 1–3 grams or lexicon_words")
        self.lo, self.hi = LEXICON_NGRAMS if self.cjk else vectorizer.ngram_range
        self.lowercase = vectorizer.lowercase and not self.cjk
        terms = list(vectorizer.vocabulary_)
        keys = _term_keys(terms, self.cjk)
        order = np.argsort(keys)
        self.keys = keys[order]
        ids = np.fromiter((vectorizer.vocabulary_[t] for t in terms), np.int64, len(terms))
        self.ids = ids[order]
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.offset = offset

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices (offset included) and values of ``text``'s features."""
        if self.cjk:
            grams = _cjk_grams(text, self.lo, self.hi)[0]
        else:
            text = _WHITE_SPACES.sub(" ", text.lower() if self.lowercase else text)
            grams = char_keys(text, self.lo, self.hi)
        keys, counts = np.unique(grams, return_counts=True)
        found, pos = _member(keys, self.keys)
        ids = self.ids[pos[found]]
        if not len(ids):
            return ids, np.empty(0)
        w = (1.0 + np.log(counts[found].astype(np.float64))) * self.idf[ids]
        return ids + self.offset, w / np.sqrt(w @ w)


def block(vectorizer: Any, offset: int) -> Block:
    return Block(vectorizer, offset)
