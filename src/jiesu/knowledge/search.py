"""Chinese search over the published knowledge base: jieba words, ranked by BM25 (bm25s).

Operators search while they type, so a query must take a few milliseconds:
the index lives in memory, one per database (keyed by engine, so the API
and the console share it), and a query only tokenises its text and sums
precomputed BM25 weights. Two fields are ranked — the question with its
variants and the category names, and the answer — and added with the answer
weighted lower, since a caller's words match how people ask more than how
units answer.

Only published versions are indexed, and validity is checked on every
query against the context's clock: an expired or not yet valid article is
never offered, even before the index is rebuilt. The index is rebuilt
after a publish or withdrawal in this process (:func:`changed`), when
another process changed the table (looked at every few seconds), and when
an indexed article's validity ends; words of unchanged versions are kept,
so a rebuild only tokenises what is new.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import jieba
import numpy as np
from sqlalchemy import Engine

from jiesu.context import Context
from jiesu.storage.uow import UnitOfWork

from . import records

_BM25S_LOG = logging.getLogger("bm25s")
_level = _BM25S_LOG.level
import bm25s  # noqa: E402,I001  (it sets its logger to DEBUG when imported)

_BM25S_LOG.setLevel(_level)  # the application's logging setup decides (cli: WARNING)

#: How much the answer counts against the question and its variants.
ANSWER_WEIGHT = 0.35
#: Seconds between looks at the database for changes made by other processes.
CHECK_EVERY = 2.0
SNIPPET_CHARS = 90

# Call-centre filler and function words: they say nothing about the matter. Question words
# (什么, 哪里, 多少, 多久, 怎么) stay: they tell "where" from "how much" from "how long".
STOP_WORDS = frozenset(
    str.split(
        """的 地 得 了 着 过 吗 呢 吧 啊 呀 哦 嘛 么 是 在 和 与 及 或 并 就 都 也 还 又 很 把 被 给 对 从
    向 让 这 那 这个 那个 这些 那些 我 你 您 他 她 它 我们 你们 他们 她们 自己 本人 一下 一个 请问 请
    想 想要 想问 问问 问 咨询 询问 了解 来电 来电人 市民 网友 留言 反映 表示 称 说 您好 你好 谢谢 麻烦
    有关 关于 目前 现在 这种 那种 一些 一般 如果 的话 是否 以及 能够 应该 需要 有没有"""
    )
)

#: Words jieba's own dictionary splits but callers use as one (added before the first cut).
DOMAIN_WORDS = tuple(
    str.split(
        """接诉即办 来电人 公租房 廉租房 共有产权房 保障房 网约车 共享单车 公积金 住房公积金 医保 医保卡 社保卡
    居住证 不动产 不动产登记 老旧小区 加装电梯 物业费 维修资金 业主大会 业委会 供暖费 报停 垃圾分类
    厨余垃圾 群租房 违建 占道经营 欠薪 工伤认定 失业金 养老金 低保 残疾证 预付卡 学位 幼升小 小升初"""
    )
)

_WORD = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)


class Tokenizer:
    """jieba in search mode (sub-words too: 物业费 → 物业, 物业费), without stop words.

    A private ``jieba.Tokenizer`` so that words added here do not change how
    other parts of jiesu segment; loaded once, on first use, without logging
    to stderr and without downloading anything (the dictionary ships with jieba).
    """

    def __init__(self) -> None:
        self._jieba: jieba.Tokenizer | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> jieba.Tokenizer:
        tk = self._jieba
        if tk is None:
            with self._lock:
                if self._jieba is None:
                    jieba.setLogLevel(logging.WARNING)
                    fresh = jieba.Tokenizer()
                    fresh.initialize()
                    for word in DOMAIN_WORDS:
                        fresh.add_word(word, freq=20000)
                    self._jieba = fresh
                tk = self._jieba
        return tk

    def __call__(self, text: str) -> list[str]:
        out = []
        for token in self._loaded().cut_for_search(text.lower()):
            token = token.strip()
            if token and token not in STOP_WORDS and _WORD.search(token):
                out.append(token)
        return out


tokenize = Tokenizer()


@dataclass(frozen=True)
class Doc:
    """One indexed article: its published version's searchable text and validity."""

    article_id: int
    version: int
    unit_code: str
    question: str
    variants: tuple[str, ...]
    answer: str
    categories: tuple[str, ...]
    valid_from: datetime
    valid_to: datetime | None

    @property
    def key(self) -> tuple[int, int]:
        return (self.article_id, self.version)

    def fields(self) -> tuple[str, str]:
        names = " ".join(c.rsplit("/", 1)[-1] for c in self.categories)
        return " ".join((self.question, *self.variants, names)), self.answer


@dataclass(frozen=True)
class Hit:
    article_id: int
    version: int
    score: float
    question: str
    snippet: str
    unit_code: str
    categories: tuple[str, ...]

    @property
    def source(self) -> str:
        return f"KB-{self.article_id} v{self.version}"


def _bm25(corpus: list[list[str]]) -> bm25s.BM25:
    index = bm25s.BM25(k1=1.2, b=0.75)
    index.index(corpus, show_progress=False)
    return index


class SearchIndex:
    """An immutable snapshot: documents, their two BM25 fields and validity arrays.

    Queries read it without a lock; a rebuild makes a new one and swaps it in.
    """

    def __init__(self, docs: Sequence[Doc], words: Sequence[tuple[list[str], list[str]]]) -> None:
        self.docs = list(docs)
        self.valid_from = np.array([d.valid_from.timestamp() for d in docs], dtype=np.float64)
        self.valid_to = np.array(
            [d.valid_to.timestamp() if d.valid_to else np.inf for d in docs], dtype=np.float64
        )
        self._fields = [_bm25([w[i] for w in words]) for i in (0, 1)] if docs else []

    @classmethod
    def build(cls, docs: Sequence[Doc]) -> SearchIndex:
        """Tokenise and index ``docs`` (the benchmark's path; the service reuses words)."""
        return cls(docs, [tuple(tokenize(f) for f in d.fields()) for d in docs])  # type: ignore[misc]

    def __len__(self) -> int:
        return len(self.docs)

    def search(self, query: str, now: datetime, limit: int = 10) -> list[Hit]:
        return self.search_tokens(tokenize(query), now, limit)

    def search_tokens(self, words: list[str], now: datetime, limit: int) -> list[Hit]:
        if not self.docs or not words or limit <= 0:
            return []
        words = list(dict.fromkeys(words))
        t = now.timestamp()
        mask = ((self.valid_from <= t) & (t < self.valid_to)).astype(np.float32)
        scores = np.zeros(len(self.docs), dtype=np.float32)
        for field, weight in zip(self._fields, (1.0, ANSWER_WEIGHT), strict=True):
            ids = field.get_tokens_ids(words)
            if ids:
                scores += weight * field.get_scores_from_ids(ids, weight_mask=mask)
        k = min(limit, len(self.docs))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [self._hit(int(i), float(scores[i]), words) for i in top if scores[i] > 0]

    def _hit(self, i: int, score: float, words: list[str]) -> Hit:
        d = self.docs[i]
        return Hit(
            article_id=d.article_id,
            version=d.version,
            score=round(score, 4),
            question=d.question,
            snippet=snippet(d.answer, words),
            unit_code=d.unit_code,
            categories=d.categories,
        )


def snippet(text: str, words: Iterable[str], size: int = SNIPPET_CHARS) -> str:
    """The part of ``text`` around the first of the longest query words it contains."""
    positions = [text.find(w) for w in sorted(words, key=len, reverse=True) if len(w) > 1]
    found = [p for p in positions if p >= 0]
    start = max(0, min(found[:3]) - 20) if found else 0
    part = text[start : start + size]
    return ("…" if start else "") + part + ("…" if start + size < len(text) else "")


_EMPTY = SearchIndex([], [])


class KnowledgeSearch:
    """The live index of one database, shared by everyone in the process (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index = _EMPTY
        self._words: dict[tuple[int, int], tuple[list[str], list[str]]] = {}
        self._stamp: object = None
        self._checked = float("-inf")  # time.monotonic() of the last look at the database
        self._ends = float("inf")  # the earliest end of validity among indexed versions

    def search(self, ctx: Context, query: str, limit: int = 10) -> list[Hit]:
        now = ctx.now()
        if time.monotonic() - self._checked > CHECK_EVERY or now.timestamp() >= self._ends:
            # One thread looks; the others answer from the current snapshot meanwhile
            # (validity is masked per query, so it never offers what it must not).
            self.refresh(ctx, wait=self._index is _EMPTY)
        return self._index.search(query, now, limit)

    def refresh(self, ctx: Context, *, force: bool = False, wait: bool = True) -> None:
        """Rebuild if the published set changed (always reading the database when ``force``);
        without ``wait``, leave it to the thread already refreshing."""
        if not self._lock.acquire(blocking=wait):
            return
        try:
            now = ctx.now()
            with UnitOfWork(ctx.engine, write=False) as uow:
                stamp = records.change_stamp(uow.session)
                due = now.timestamp() >= self._ends
                if not force and not due and stamp == self._stamp:
                    self._checked = time.monotonic()
                    return
                rows = records.published_versions(uow.session)
            docs = [
                _doc(r)
                for r in rows
                if r.version.valid_to is None or r.version.valid_to > now  # expired: left out
            ]
            if [d.key for d in docs] != [d.key for d in self._index.docs]:
                words = {d.key: self._words.get(d.key) or _words(d) for d in docs}
                self._index = SearchIndex(docs, [words[d.key] for d in docs])
                self._words = words
            ends = [d.valid_to.timestamp() for d in docs if d.valid_to is not None]
            self._ends = min(ends, default=float("inf"))
            self._stamp = stamp
            self._checked = time.monotonic()
        finally:
            self._lock.release()

    def __len__(self) -> int:
        return len(self._index)


def _doc(row: records.PublishedRow) -> Doc:
    v = row.version
    return Doc(
        article_id=v.article_id,
        version=v.version,
        unit_code=row.unit_code,
        question=v.question,
        variants=v.variants,
        answer=v.answer,
        categories=v.categories,
        valid_from=v.valid_from,
        valid_to=v.valid_to,
    )


def _words(doc: Doc) -> tuple[list[str], list[str]]:
    question, answer = doc.fields()
    return tokenize(question), tokenize(answer)


_INDEXES: weakref.WeakKeyDictionary[Engine, KnowledgeSearch] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(ctx: Context) -> KnowledgeSearch:
    """The shared index of ``ctx``'s database (made on first use)."""
    with _INDEXES_LOCK:
        found = _INDEXES.get(ctx.engine)
        if found is None:
            found = _INDEXES[ctx.engine] = KnowledgeSearch()
        return found


def search(ctx: Context, query: str, limit: int = 10) -> list[Hit]:
    """The best currently valid published articles for ``query``, best first."""
    return index_for(ctx).search(ctx, query, limit)


def changed(ctx: Context) -> None:
    """Something was published or withdrawn in this process: rebuild now, not on a query."""
    index_for(ctx).refresh(ctx, force=True)


def warm_up(ctx: Context) -> threading.Thread:
    """Build the index in the background (at start-up), so the first operator does not wait
    for every article to be tokenised (5–8 s for 10,000 on a 2-core machine)."""
    thread = threading.Thread(
        target=lambda: index_for(ctx).refresh(ctx), name="kb-index-warm-up", daemon=True
    )
    thread.start()
    return thread
