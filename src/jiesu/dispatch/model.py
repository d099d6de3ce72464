"""The learned part of dispatch suggestions (智能派单, D7): text → ranked labels with scores.

A labelled history (a category, or the unit chosen, per ticket) trains a linear
model; ``predict`` ranks every label for a new ticket's text and gives each a
score, and every suggestion carries the model's version string so the ticket
can record which model proposed what.

**The model.** Three TF-IDF vectors per text with sublinear term frequency,
all of its first ``MAX_CHARS`` characters — the words of jieba's dictionary
(2–4 characters) found anywhere in the text, without segmentation
(:func:`.features.lexicon_words`); the text's character 1–3 grams, which catch
place names and slang; and the character 1–3 grams of its title (first line),
learnt from titles and full messages alike — concatenated, and one linear SVM
(one-vs-rest, balanced class weights). Scores are a softmax of the SVM
margins: they rank, and a higher one is a surer suggestion, but they are not
calibrated probabilities. Chosen by ``bench/dispatch_model.py`` on the real
messages of ``shared/data`` (figures, and the many alternatives tried, in
``docs/benchmarks.md``): against a plain word TF-IDF + linear SVM, character
n-grams gave +0.03, dictionary words instead of jieba's segmented words and
bigrams with the whole text +0.006, the title vector +0.008 on full messages;
other n-gram ranges, C, NB-SVM scaling, other linear learners, ensembles,
latent dimensions and a small MLP did not beat it beyond noise. Training on
titles and full messages together helps both. One ticket is scored by
:mod:`.features` (integer n-gram keys, no segmenter), not sklearn.

**Files.** ``save``/``load`` use joblib; a file carries ``FORMAT`` and a
version string (``dispatch-<format>-<digest of data and parameters>``).
Only load model files you made: joblib files can run code when loaded.

**Bad training files** raise :class:`~jiesu.domain.errors.InvalidInput` with a
code ``dispatch_model.*``; nothing is written.
"""

from __future__ import annotations

import csv
import hashlib
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jiesu.domain.errors import InvalidInput

from . import csvtext

FORMAT = 2  # 1: jieba-segmented words and characters of 400 characters, no title vector
MIN_ROWS = 10  # labelled rows needed to train at all
MIN_PER_LABEL = 1
DEFAULT_C = 0.5
CHAR_NGRAMS = (1, 3)
MAX_CHARS = 1000  # of a text's start (title first) read: bounds the latency of long texts

_SPACE = re.compile(r"\s+")


def _err(code: str, zh: str, en: str, **details: Any) -> InvalidInput:
    return InvalidInput(f"dispatch_model.{code}", zh, en, **details)


def clean(text: str) -> str:
    """Whitespace (line breaks, tabs of pasted details) folded to one space."""
    return _SPACE.sub(" ", text or "").strip()


def title(text: str) -> str:
    """The first non-empty line of ``text``: the title, when it is title + details."""
    return clean(next((line for line in (text or "").splitlines() if line.strip()), ""))


def word_ngrams(text: str) -> list[str]:
    """jieba words and word bigrams: the analyzer of format 1 files, kept so that they
    load and are refused as of another format."""
    from jiesu.intake.classify import words

    ws = words(text)
    return ws + [f"{a} {b}" for a, b in zip(ws, ws[1:], strict=False)]


@dataclass(frozen=True)
class Suggestion:
    label: str
    score: float
    model_version: str


@dataclass
class DispatchModel:
    version: str
    labels: list[str]
    word_vectorizer: Any  # dictionary words (features.lexicon_words) of the text
    char_vectorizer: Any  # character n-grams of the text
    title_vectorizer: Any  # character n-grams of its title (first line)
    classifier: Any
    trained_at: datetime
    rows: int
    params: dict[str, Any] = field(default_factory=dict)
    text_columns: list[str] = field(default_factory=list)
    label_column: str = ""
    format: int = FORMAT

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def _vectorizers(self) -> list[Any]:
        return [self.word_vectorizer, self.char_vectorizer, self.title_vectorizer]

    def _features(self, texts: Sequence[str]):
        from scipy.sparse import hstack

        docs = _docs(texts)
        return hstack([v.transform(d) for v, d in zip(self._vectorizers(), docs, strict=True)])

    def _fast(self) -> tuple[Any, ...]:
        """What one text's margins need, taken out of the vectorizers and the classifier
        (built at the first prediction, not saved)."""
        fast = self.__dict__.get("_fast_parts")
        if fast is None:
            import numpy as np

            from .features import block

            blocks, offset = [], 0
            for v in self._vectorizers():
                blocks.append(block(v, offset))
                offset += len(v.vocabulary_)
            coef = np.asarray(self.classifier.coef_, dtype=np.float64)
            fast = (
                blocks,
                np.ascontiguousarray(coef.T),  # one row per feature: a ticket reads few rows
                np.asarray(self.classifier.intercept_, dtype=np.float64),
            )
            self.__dict__["_fast_parts"] = fast
        return fast

    def margins_one(self, text: str):
        """The SVM margins of one text, as ``decision_function`` computes them, without
        sklearn's per-call overhead (see :mod:`.features`)."""
        blocks, coef_t, intercept = self._fast()
        margins = intercept.copy()
        for b, doc in zip(blocks, _docs([text]), strict=True):
            idx, val = b.features(doc[0])
            if len(idx):
                margins += val @ coef_t[idx]
        return margins

    def scores(self, texts: Sequence[str]):
        """Softmax of the margins, one row per text, columns in ``self.labels`` order."""
        import numpy as np

        if len(texts) == 1:
            margins = self.margins_one(texts[0])[None, :]
        else:
            margins = self.classifier.decision_function(self._features(texts))
        if margins.ndim == 1:  # two labels: one margin, for the second
            margins = np.column_stack([-margins, margins])
        e = np.exp(margins - margins.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, text: str, k: int = 3) -> list[Suggestion]:
        """The ``k`` best labels for ``text``, best first."""
        return self.predict_many([text], k)[0]

    def predict_many(self, texts: Sequence[str], k: int = 3) -> list[list[Suggestion]]:
        if not texts:
            return []
        out = []
        for row in self.scores(texts):
            order = sorted(range(len(row)), key=lambda j: (-row[j], self.labels[j]))[:k]
            out.append([Suggestion(self.labels[j], float(row[j]), self.version) for j in order])
        return out


def _docs(texts: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """What each vectorizer reads of ``texts``: the text twice, its title."""
    cleaned = [clean(t)[:MAX_CHARS] for t in texts]
    return cleaned, cleaned, [title(t)[:MAX_CHARS] for t in texts]


def _check(texts: Sequence[str], labels: Sequence[str]) -> None:
    if len(texts) != len(labels):
        raise _err(
            "length_mismatch",
            "文本与标签数量不一致",
            f"{len(texts)} texts but {len(labels)} labels",
        )
    empty = [i for i, lab in enumerate(labels) if not (lab or "").strip()]
    if empty:
        raise _err(
            "empty_label",
            f"第 {empty[0] + 1} 条数据没有标签",
            f"row {empty[0] + 1} has an empty label ({len(empty)} such rows)",
            rows=[i + 1 for i in empty[:20]],
        )
    if len(texts) < MIN_ROWS:
        raise _err(
            "too_few_rows",
            f"训练数据太少：{len(texts)} 条，至少需要 {MIN_ROWS} 条",
            f"too few rows to train: {len(texts)}, at least {MIN_ROWS} needed",
            rows=len(texts),
        )
    if len(set(labels)) < 2:
        raise _err(
            "too_few_labels",
            "训练数据至少需要两个不同的标签",
            "training needs at least two different labels",
        )
    if not any(clean(t) for t in texts):
        raise _err("empty_text", "训练数据的文本全部为空", "every text is empty")


def version_of(texts: Sequence[str], labels: Sequence[str], params: dict[str, Any]) -> str:
    h = hashlib.sha256(repr(sorted(params.items())).encode())
    for t, lab in zip(texts, labels, strict=True):
        h.update(clean(t).encode())
        h.update(b"\x1f")
        h.update(lab.encode())
        h.update(b"\x1e")
    return f"dispatch-{FORMAT}-{h.hexdigest()[:12]}"


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    seed: int = 0,
    c: float = DEFAULT_C,
    text_columns: Sequence[str] = (),
    label_column: str = "",
    now: datetime | None = None,
) -> DispatchModel:
    """Fit the model on ``texts`` with ``labels``; deterministic for a seed."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from .features import LEXICON_NGRAMS, lexicon_words

    labels = [(lab or "").strip() for lab in labels]
    _check(texts, labels)
    vectorizers = [
        TfidfVectorizer(analyzer=lexicon_words, sublinear_tf=True),
        TfidfVectorizer(analyzer="char", ngram_range=CHAR_NGRAMS, sublinear_tf=True),
        TfidfVectorizer(analyzer="char", ngram_range=CHAR_NGRAMS, sublinear_tf=True),
    ]
    docs = _docs(texts)
    x = hstack([v.fit_transform(d) for v, d in zip(vectorizers, docs, strict=True)]).tocsr()
    clf = LinearSVC(C=c, class_weight="balanced", random_state=seed)
    clf.fit(x, labels)
    params = {
        "c": c,
        "seed": seed,
        "char_ngrams": CHAR_NGRAMS,
        "lexicon_ngrams": LEXICON_NGRAMS,
        "title_char_ngrams": CHAR_NGRAMS,
        "classifier": "LinearSVC(balanced)",
        "max_chars": MAX_CHARS,
    }
    return DispatchModel(
        version=version_of([f"{t}\n{d}" for d, _, t in zip(*docs, strict=True)], labels, params),
        labels=[str(lab) for lab in clf.classes_],
        word_vectorizer=vectorizers[0],
        char_vectorizer=vectorizers[1],
        title_vectorizer=vectorizers[2],
        classifier=clf,
        trained_at=now or datetime.now(UTC),
        rows=len(labels),
        params=params,
        text_columns=list(text_columns),
        label_column=label_column,
    )


def save(model: DispatchModel, path: str | Path) -> Path:
    import joblib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path, compress=3)
    return path


def load(path: str | Path) -> DispatchModel:
    import joblib

    path = Path(path)
    if not path.is_file():
        raise _err("not_found", f"找不到模型文件 {path}", f"no model file {path}", path=str(path))
    try:
        model = joblib.load(path)
    except Exception as exc:  # not a joblib file, truncated, …
        raise _err(
            "bad_file", f"无法读取模型文件 {path}", f"cannot read model file {path}: {exc}"
        ) from exc
    if not isinstance(model, DispatchModel) or getattr(model, "format", None) != FORMAT:
        raise _err(
            "bad_format",
            f"{path} 不是本版本的派单模型",
            f"{path} is not a dispatch model of format {FORMAT}",
        )
    return model


def read_csv(
    path: str | Path, text_columns: Sequence[str], label_column: str | None
) -> tuple[list[str], list[str]]:
    """Texts (the text columns joined by a line break) and labels of a CSV file.

    UTF-8 (with or without BOM) or GB18030; comma, tab or semicolon delimited (sniffed
    from the header line); quoted fields may hold line breaks. With ``label_column``
    None, labels are empty strings.
    """
    path = Path(path)
    if not text_columns:
        raise _err("no_text_column", "至少需要一个文本列", "at least one text column is needed")
    if not path.is_file():
        raise _err("not_found", f"找不到文件 {path}", f"no file {path}", path=str(path))
    raw = path.read_bytes()
    content = csvtext.decoded(raw)
    if content is None:  # pragma: no cover - gb18030 decodes nearly anything
        raise _err("encoding", "无法识别文件编码", "cannot decode the file (UTF-8 or GB18030)")
    header = content.split("\n", 1)[0]
    delimiter = csvtext.delimiter(header)
    rows = list(csv.reader(content.splitlines(keepends=True), delimiter=delimiter))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise _err("empty_file", f"{path} 是空文件", f"{path} is empty")
    head = [h.strip() for h in rows[0]]
    wanted = [*text_columns, *([label_column] if label_column else [])]
    missing = [c for c in wanted if c not in head]
    if missing:
        raise _err(
            "missing_column",
            f"文件缺少列：{'、'.join(missing)}",
            f"missing column(s): {', '.join(missing)} (the file has: {', '.join(head)})",
            missing=missing,
            columns=head,
        )
    idx = [head.index(c) for c in text_columns]
    lab = head.index(label_column) if label_column else None

    def cell(r: list[str], i: int) -> str:
        return r[i] if i < len(r) else ""

    texts = ["\n".join(clean(cell(r, i)) for i in idx).strip() for r in rows[1:]]
    labels = [cell(r, lab).strip() if lab is not None else "" for r in rows[1:]]
    return texts, labels


def evaluate(model: DispatchModel, texts: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, top-3 accuracy and latency of one ticket at a time."""
    from sklearn.metrics import f1_score

    if not texts:
        raise _err("too_few_rows", "没有可评估的数据", "no rows to evaluate", rows=0)
    labels = [(lab or "").strip() for lab in labels]
    if any(not lab for lab in labels):
        i = next(i for i, lab in enumerate(labels) if not lab)
        raise _err("empty_label", f"第 {i + 1} 条数据没有标签", f"row {i + 1} has an empty label")
    top: list[list[Suggestion]] = []
    ms: list[float] = []
    model.predict(texts[0])  # warm up (jieba's dictionary)
    for t in texts:
        started = time.perf_counter()
        top.append(model.predict(t, 3))
        ms.append((time.perf_counter() - started) * 1000)
    best = [s[0].label for s in top]
    ms.sort()
    unknown = Counter(lab for lab in labels if lab not in model.labels)
    return {
        "model_version": model.version,
        "rows": len(labels),
        "accuracy": sum(p == t for p, t in zip(best, labels, strict=True)) / len(labels),
        "macro_f1": float(f1_score(labels, best, average="macro", zero_division=0)),
        "top3_accuracy": sum(t in {s.label for s in s3} for s3, t in zip(top, labels, strict=True))
        / len(labels),
        "ms_per_ticket_median": ms[len(ms) // 2],
        "ms_per_ticket_mean": sum(ms) / len(ms),
        "ms_per_ticket_p95": ms[min(len(ms) - 1, int(len(ms) * 0.95))],
        "unknown_labels": dict(unknown),
    }
