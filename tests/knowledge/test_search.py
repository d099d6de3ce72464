"""Search quality on a small known set, the tokeniser, speed, freshness across processes and threads."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

import pytest

from jiesu.context import Context
from jiesu.domain.roles import Actor, Role
from jiesu.knowledge import articles, samples, search
from jiesu.knowledge.inputs import ApproveInput, NewArticle
from jiesu.knowledge.search import Doc, SearchIndex, tokenize
from jiesu.storage.db import make_engine

from .helpers import publish
from .helpers import search as api_search

KNOWN = [
    ("公租房申请条件", "申请公租房需要满足哪些条件？", "城乡建设/物业管理",
     "申请公共租赁住房须在本市有稳定工作，家庭人均收入和住房面积符合规定标准。"),
    ("暖气不热", "供暖期间暖气不热应该找哪个单位？", "城乡建设/供暖",
     "室温低于18摄氏度的，可拨打热力集团24小时服务电话报修，热力集团须上门测温处理。"),
    ("过期药品", "过期药品属于哪一类垃圾，应该怎么投放？", "城市管理",
     "过期药品属于有害垃圾，应投放到有害垃圾收集容器，不得混入其他垃圾。"),
    ("老年人乘车", "老年人乘坐公交车有什么优惠，怎么办理？", "交通运输/公交线路",
     "年满65周岁的老年人凭老年卡免费乘坐公交车，老年卡可在社区服务站申请。"),
    ("施工噪声", "夜间施工噪音扰民怎么投诉？", "城市管理/噪声扰民",
     "夜间22时至次日6时禁止产生噪声的施工作业，取得夜间施工许可的除外；可向城管执法部门举报。"),
    ("停水", "家里突然停水了，怎么查询停水通知？", "城乡建设/供水",
     "计划停水会提前在小区张贴通知，并在自来水集团网站公布；突发停水可拨打自来水集团服务热线。"),
    ("维修资金", "楼顶漏水能否使用专项维修资金？", "城乡建设/物业管理",
     "屋面防水属于共用部位，可申请使用专项维修资金，需经相关业主表决同意后由物业提出申请。"),
]  # fmt: skip

PARAPHRASES = {
    "来电人咨询：想申请公共租赁住房，需要什么资格？": "公租房申请条件",
    "您好，家里的暖气一点都不热，该找谁？": "暖气不热",
    "吃剩的过期药扔到哪种垃圾桶？": "过期药品",
    "我爸70多岁了，坐公交车能不能免费？": "老年人乘车",
    "旁边工地晚上一直施工，太吵了睡不着，去哪里举报？": "施工噪声",
    "我们小区今天没水了，是不是有停水通知？": "停水",
    "楼顶漏雨，能不能动用维修基金来修？": "维修资金",
}


@pytest.fixture
def known(client, auth) -> dict[str, int]:
    ids = {}
    for key, question, category, answer in KNOWN:
        a = publish(
            client, auth, "admin", unit_code="990101001", question=question, answer=answer,
            categories=[category], variants=[], policy_basis="",
        )  # fmt: skip
        ids[key] = a["id"]
    return ids


def test_paraphrased_consultations_find_their_article_first(client, auth, known):
    for query, key in PARAPHRASES.items():
        hits = api_search(client, query, auth=auth, limit=3)
        assert hits and hits[0]["article_id"] == known[key], (query, hits)
        assert hits[0]["snippet"] and hits[0]["unit_name"] == "东华街道"


def test_search_answers_in_a_few_milliseconds(client, auth, known):
    api_search(client, "暖气不热", auth=auth)  # the first query builds the index
    took = [
        client.get("/api/kb/search", params={"q": q}, headers=auth("operator")).json()["took_ms"]
        for q in PARAPHRASES
    ]
    assert max(took) < 50  # typically well under 1 ms; the benchmark measures it properly


def test_nonsense_and_empty_queries_find_nothing(client, auth, known):
    assert api_search(client, "", auth=auth) == []
    assert api_search(client, "的了吗呢", auth=auth) == []
    assert api_search(client, "xyzzy", auth=auth) == []


def test_the_tokeniser_keeps_words_and_sub_words_and_drops_filler():
    words = tokenize("来电人咨询：小区物业费涨价需要经过业主大会同意吗？")
    assert {"物业费", "物业", "涨价", "业主大会", "业主", "同意"} <= set(words)
    assert not {"来电人", "咨询", "吗", "？", "需要"} & set(words)
    assert "哪里" in tokenize("在哪里办理")  # question words tell the aspect: kept


def test_generated_consultations_find_their_article_in_the_top_three(city):
    generated = samples.generate(city, seed=3)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    docs = [
        Doc(i, 1, a.unit_code, a.question, a.variants, a.answer, a.categories, now, None)
        for i, a in enumerate(generated)
    ]
    index = SearchIndex.build(docs)
    ids = {a.key: i for i, a in enumerate(generated)}
    queries = samples.consultations(city, generated, seed=3, n=300)
    found = 0
    for c in queries:
        assert c.text not in {generated[ids[c.article_key]].question}
        top = [h.article_id for h in index.search(c.text, now, 3)]
        found += ids[c.article_key] in top
    # A regression guard: the small city's matters are few and alike (two districts, aspects
    # such as "who is responsible" and "who handles it" close in words); the benchmark
    # measures the 10,000-article Beijing set against its target (top-3 >= 0.9).
    assert found / len(queries) >= 0.8


def _actors():
    return (
        Actor(None, "donghua", Role.UNIT_HANDLER, "990101001"),
        Actor(None, "dispatcher", Role.DISPATCHER, "hotline"),
    )


def _publish(ctx: Context, question: str) -> int:
    author, reviewer = _actors()
    data = NewArticle(
        question=question, answer="按规定办理。", categories=["城乡建设/物业管理"], submit=True
    )
    a = articles.create(ctx, author, data)
    articles.approve(ctx, reviewer, a.id, ApproveInput(version=1))
    return a.id


def test_a_publication_in_another_process_reaches_the_index(ctx, engine, monkeypatch):
    assert search.search(ctx, "电梯加装补贴") == []
    other = Context(make_engine(engine.url), ctx.city, ctx.clock, ctx.calendar)
    try:
        article_id = _publish(other, "老楼加装电梯有补贴吗？")  # a different engine: not told
    finally:
        other.engine.dispose()
    monkeypatch.setattr(search, "CHECK_EVERY", 0.0)
    assert [h.article_id for h in search.search(ctx, "电梯加装补贴")] == [article_id]


def test_searching_while_articles_are_published_is_safe(ctx):
    _publish(ctx, "物业费怎么交？")
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                for hit in search.search(ctx, "物业费", 5):
                    assert hit.question
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for i in range(5):
            _publish(ctx, f"物业费第{i}个问题？")
            time.sleep(0.01)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert len(search.search(ctx, "物业费", 10)) == 6


def test_importing_the_search_keeps_the_applications_bm25s_log_level():
    """bm25s sets its logger to DEBUG when imported; the demo printed its index building."""
    import subprocess
    import sys

    code = (
        "import logging; logging.getLogger('bm25s').setLevel(logging.WARNING); "
        "import jiesu.knowledge.search; print(logging.getLogger('bm25s').level)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split()[-1] == str(logging.WARNING)
