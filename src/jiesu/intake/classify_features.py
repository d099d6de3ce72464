"""What the intake classifier reads of a text (I3, A7): jieba's words and the TF-IDF vectors.

One TF-IDF vector per text from two parts: jieba words (1–2 grams, numbers folded)
and character 1–3 grams. The dispatch model uses the same jieba
(:func:`jieba_module`, :func:`words`).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

MAX_FEATURES = 40_000  # per vectorizer: bounds the model to a few tens of MB

_NUMBER = re.compile(r"\d+(\.\d+)?")
_JIEBA_LOCK = threading.Lock()
_jieba: Any = None


def jieba_module() -> Any:
    """jieba, its dictionary loaded once per process (about a second) and quiet."""
    global _jieba
    if _jieba is None:
        with _JIEBA_LOCK:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def words(text: str) -> list[str]:
    """jieba's words of ``text``, numbers folded to "0" (a building number is not a topic)."""
    return [w for w in jieba_module().lcut(_NUMBER.sub("0", text)) if w.strip()]


def ticket_text(title: str, content: str) -> str:
    return f"{title}\n{content}".strip()


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    common = {"min_df": 2, "sublinear_tf": True, "max_features": MAX_FEATURES}
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    tokenizer=words,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=(1, 2),
                    **common,
                ),
            ),
            ("chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), **common)),
        ]
    )
