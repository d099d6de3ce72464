"""Proposals of request type, category and tags (I3, A7): the bootstrap rules, the model
learned from a simulated history, retraining with the operators' corrections."""

from __future__ import annotations

import pytest

from jiesu.context import Context
from jiesu.domain.calendar import ChineseOfficialCalendar
from jiesu.intake import classify, classify_store, feedback
from jiesu.intake.classify import bootstrap_model, propose, ticket_text
from jiesu.intake.classify_history import train_from_history
from jiesu.simulate import simulate
from jiesu.storage.uow import UnitOfWork
from tests.conftest import START, FakeClock, open_test_engine

#: (title, content, request type, category) — one clear request of each type.
CLEAR = [
    ("咨询供暖费", "请问今年的供暖费怎么交，收费标准是多少？", "consult", "城乡建设/供暖"),
    ("求助：家里停水", "家里突然停水了，请帮忙联系自来水公司处理供水问题。", "help", "城乡建设/供水"),
    ("投诉物业", "投诉小区物业管理不到位，电梯坏了一个月不修。", "complaint", "城乡建设/物业管理"),
    ("举报噪声扰民", "举报楼下烧烤店每天营业到凌晨，噪声扰民，请依法查处。", "report", "城市管理/噪声扰民"),
    ("建议增开公交线路", "建议在东华社区附近增设一条公交线路，方便居民出行。", "suggestion", "交通运输/公交线路"),
    ("表扬热力公司", "感谢热力集团的师傅冒雨上门修好了暖气，特此表扬。", "praise", None),
]  # fmt: skip


@pytest.mark.parametrize(("title", "content", "rtype", "category"), CLEAR)
def test_bootstrap_proposes_type_and_category_of_clear_requests(
    city, title, content, rtype, category
):
    p = propose(bootstrap_model(city), ticket_text(title, content))
    assert p.request_type.value == rtype
    assert p.request_type_scores[rtype] == max(p.request_type_scores.values())
    if category:
        assert p.category is not None and p.category.value == category
    assert p.model_version.startswith("rules-")
    assert p.sources == {"request_type": "rules", "category": "rules", "tags": "rules"}


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("孩子今年入园，附近幼儿园学位太少", {"childcare"}),
        ("独居老人需要社区养老助餐服务", {"elderly"}),
        ("公司拖欠工资三个月，讨薪无门", {"employment"}),
        ("在医院看病挂号太难", {"medical"}),
        ("公租房轮候好几年，租房压力很大", {"housing"}),
        ("残疾人申请低保遇到困难", {"vulnerable"}),
        ("小区井盖缺失，存在安全隐患", {"safety"}),
    ],
)
def test_bootstrap_tags_clear_requests(city, text, tags):
    proposed = {t.value for t in propose(bootstrap_model(city), text).tags}
    assert tags <= proposed


def test_bootstrap_is_deterministic_and_names_no_unknown_category(city):
    a, b = bootstrap_model(city), bootstrap_model(city)
    assert a.version == b.version
    p = propose(a, "今天天气不错")
    assert p.category is None and p.category_alternatives == ()
    assert p.request_type.value == "complaint"  # the default of a text without a clue


@pytest.fixture(scope="module")
def learned(seeded, city, tmp_path_factory) -> classify.Model:
    """A model trained on a simulated fortnight of the small city (on its own database)."""
    engine = open_test_engine(seeded, tmp_path_factory.mktemp("assist-history"))
    try:
        ctx = Context(engine, city, FakeClock(START), ChineseOfficialCalendar())
        simulate(ctx, days=4, tickets_per_day=150, seed=11)
        return train_from_history(ctx)
    finally:
        engine.dispose()


def test_the_learned_model_proposes_clear_requests(learned, city):
    assert learned.learned and learned.version.startswith("learned-")
    assert learned.sources() == {"request_type": "model", "category": "model", "tags": "rules"}
    for title, content, rtype, category in CLEAR:
        p = propose(learned, ticket_text(title, content), categories=set(city.category_codes))
        assert p.request_type.value == rtype, (title, p.request_type_scores)
        if category:
            assert p.category is not None and p.category.value == category, (title, p.category)
        assert 0 < p.request_type.score <= 1
        assert len(p.category_alternatives) <= 3
        scores = [p.category.score, *(c.score for c in p.category_alternatives)]
        assert scores == sorted(scores, reverse=True)


def test_the_learned_model_s_vectors_match_scikit_learn(learned):
    """The fast path computes what scikit-learn would; its speed is bench/classify.py's."""
    import numpy as np

    text = ticket_text("小区电梯坏了", "东华社区3号楼电梯停运两周，物业一直不修，老人上下楼困难。")
    indices, values = classify._vector(learned, text)
    expected = learned.vectorizer.transform([text])
    assert np.allclose(expected.toarray()[0][indices], values, atol=1e-6)
    assert np.isclose(expected.sum(), values.sum(), atol=1e-5)


def test_a_saved_model_is_loaded_back_for_its_city_only(learned, city, tmp_path):
    path = classify_store.save_model(learned, tmp_path)
    assert path.name == f"classify-{learned.version}.joblib"
    loaded = classify_store.load_latest(tmp_path, city)
    assert loaded is not None and loaded.version == learned.version
    text = ticket_text("咨询供暖费", "请问今年的供暖费怎么交？")
    assert propose(loaded, text) == propose(learned, text)
    other = city.model_copy(update={"city": city.city.model_copy(update={"code": "000000"})})
    assert classify_store.load_latest(tmp_path, other) is None


def test_a_model_saved_before_the_module_split_still_finds_what_it_refers_to(learned):
    """Models saved before ``classify_features`` was split out of ``classify`` (2026-11-22)
    name the tokenizer ``jiesu.intake.classify.words``; a pickle finds a function by that
    path when it loads, so the path must keep leading to the same function."""
    import pickle

    from jiesu.intake import classify_features

    old = pickle.loads(b"cjiesu.intake.classify\nwords\n.")  # protocol 0: GLOBAL module name
    assert old is classify_features.words
    tokenizers = [p[1].tokenizer for p in learned.vectorizer.transformer_list]
    assert classify_features.words in tokenizers


def _first_ticket(ctx) -> tuple[int, str, str]:
    from sqlalchemy import select

    from jiesu.storage import tables

    t = tables.tickets.c
    with UnitOfWork(ctx.engine, write=False) as uow:
        row = uow.session.execute(
            select(t.id, t.title, t.content, t.category)
            .where(t.category == "城乡建设/供暖")
            .order_by(t.id)
            .limit(1)
        ).one()
    return row.id, ticket_text(row.title, row.content), row.category


def test_retraining_learns_the_operators_correction(ctx, city):
    simulate(ctx, days=2, tickets_per_day=120, seed=5)
    first = train_from_history(ctx)
    ticket_id, text, category = _first_ticket(ctx)
    before = propose(first, text)
    assert before.category.value == category
    wrong = "城市管理/噪声扰民"  # the operator says: this one is about noise
    with UnitOfWork(ctx.engine) as uow:
        assert feedback.record_feedback(
            uow.session,
            ticket_id,
            "category",
            before.category.value,
            wrong,
            first.version,
            text,
            "operator",
            ctx.now(),
        )
        assert not feedback.record_feedback(  # a confirmation is no correction
            uow.session,
            ticket_id,
            "request_type",
            "complaint",
            "complaint",
            first.version,
            text,
            "operator",
            ctx.now(),
        )
        uow.commit()
    ctx.clock.advance(minutes=5)
    second = train_from_history(ctx)
    assert second.version != first.version
    assert second.sizes["corrected"] == 1
    after = propose(second, text)
    assert after.category.value == wrong
    assert after.sources["category"] == "feedback"

    # the correction weighs in the classifier itself too, not only for the very same text
    def score_of_wrong(model):
        p = propose(model, text + "。")
        return {c.value: c.score for c in (p.category, *p.category_alternatives)}.get(wrong, 0)

    assert score_of_wrong(second) > score_of_wrong(first)


def test_current_model_is_per_context_and_install_replaces_it(ctx, city):
    assert classify_store.current_model(ctx).version == bootstrap_model(city).version
    model = classify.train([], classify._leaf_categories(city), ctx.now())
    classify_store.install_model(ctx, model)
    assert classify_store.current_model(ctx) is model


def test_with_a_model_folder_a_new_context_starts_with_the_saved_model(
    learned, ctx, city, tmp_path, monkeypatch
):
    folder = tmp_path / "models"
    monkeypatch.setenv("JIESU_MODEL_DIR", str(folder))
    classify_store.install_model(ctx, learned)
    assert [p.name for p in folder.iterdir()] == [f"classify-{learned.version}.joblib"]
    fresh = Context(ctx.engine, city, FakeClock(START), ctx.calendar)
    assert classify_store.current_model(fresh).version == learned.version
