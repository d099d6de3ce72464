"""G2: the topic figures' and the candidates' queries, written for the indexes of migration
0014 (a category as a range of codes, one SELECT per category or per month), count what the
plain definition counts, on both databases: a request is on a topic as
``domain.topics.concerns`` says, codes that merely begin like a topic's category included."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select, update

from jiesu.domain.topics import concerns
from jiesu.governance import topic_candidates as tc
from jiesu.governance import topic_figures as tf
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork
from tests.api.helpers import create
from tests.conftest import START, TZ

t = tables.tickets.c
BUS = "交通运输/公交线路"
#: Codes on either side of a topic's category ``T`` (or BUS) byte by byte: the category, its
#: children, and codes that only begin with it (``-`` and ``.`` sort before ``/``, ``0``
#: right after it), or differ in case.
CODES = ["T", "T/a", "T/a/b", "T-a", "T.a", "T0", "Ta", "T ", "t/a", "S/T", "U",
         BUS, BUS + "/夜班", BUS + "A", BUS + "-x", "交通运输"]  # fmt: skip
OUTCOMES = [(None, None), ("satisfied", True), ("basically_satisfied", False),
            ("unsatisfied", False), ("unsatisfied", None)]  # fmt: skip
PLACES = ["990101001001", "990101002001", "990102001001"]


def _tickets(client, auth, engine, n: int) -> list[tuple]:
    """``n`` requests, each given a code of CODES, a day over four months, a place and an
    outcome; their (category, title, content, place, received_at, satisfaction, solved)."""
    for i in range(n):
        create(client, auth, title="末班车太早" if i % 2 else "站牌破损",
               location_unit_code=PLACES[i % len(PLACES)])  # fmt: skip
    with engine.begin() as conn:
        ids = conn.execute(select(t.id).order_by(t.id)).scalars().all()
        for i, tid in enumerate(ids):
            satisfaction, solved = OUTCOMES[i % len(OUTCOMES)]
            conn.execute(update(tables.tickets).where(t.id == tid).values(
                category=CODES[i % len(CODES)], received_at=START - timedelta(days=7 * i + 1),
                satisfaction=satisfaction, visit_solved=solved))  # fmt: skip
        return conn.execute(
            select(t.category, t.title, t.content, t.location_unit_code, t.received_at,
                   t.satisfaction, t.visit_solved)
        ).all()  # fmt: skip


def _topic(categories, keywords=(), scope=None, launched=None):
    return SimpleNamespace(id=1, categories=list(categories), keywords=list(keywords),
                           scope_code=scope, baseline_days=200, launched_at=launched)  # fmt: skip


#: (categories, keywords, scope) of the topics counted
TOPICS = [
    (["T"], [], None), (["T/a"], [], None), (["T", "T/a"], [], None), (["T0"], [], None),
    (["t"], [], None), ([BUS], [], None), (["交通运输"], [], None), ([BUS, "T"], ["末班车"], None),
    (["T", BUS, "U"], [], "990101"), (["交通运输", BUS], ["站牌"], "990101001"),
]  # fmt: skip


def test_the_figures_count_what_concerns_says(client, auth, engine, city):
    rows = _tickets(client, auth, engine, 2 * len(CODES) + 3)
    now = START
    for categories, keywords, scope in TOPICS:
        places = {u.code for u in city.unit_and_below(scope)} if scope else None
        on = [r for r in rows if concerns(categories, keywords, places, tuple(r[:4]))]
        topic = _topic(categories, keywords, scope, launched=now - timedelta(days=60))
        with UnitOfWork(engine, write=False) as uow:
            months = tf.series(uow.session, city, topic, now)
            since, streets = tf.places(uow.session, city, topic, now)
            base = tf.baseline(uow.session, city, topic, now)
        assert base.requests == sum(1 for r in on if r[4] >= now - timedelta(days=200))
        on = [r for r in on if r[4] >= topic.launched_at - timedelta(days=200)]  # the series'
        assert on, categories
        by_month = Counter(r[4].astimezone(TZ).strftime("%Y-%m") for r in on)
        assert {m.label: m.counts.requests for m in months if m.counts.requests} == by_month
        assert sum(m.counts.evaluated for m in months) == sum(1 for r in on if r[5])
        assert sum(m.counts.solved for m in months) == sum(1 for r in on if r[5] and r[6])
        assert sum(m.counts.satisfied for m in months) == sum(r[5] == "satisfied" for r in on)
        after = Counter(city.unit(r[3]).parent for r in on if r[4] >= since)
        assert {p.street.code: p.requests for p in streets} == after, categories


def test_the_candidates_count_each_category_in_each_month(client, auth, engine, ctx, clock):
    """Six months of a hard category (one request in six solved), a solved one, and one
    with a month missing: the first alone is a candidate, with its counts."""
    plan = [("T", m, k) for m in range(6) for k in range(6)]
    plan += [("U", m, k) for m in range(6) for k in range(5)]
    plan += [("T-a", m, k) for m in range(1, 6) for k in range(7)]
    for _ in plan:
        create(client, auth)
    clock.now = START + timedelta(days=45)  # 2027-01-07: the months 2026-07 to 2026-12
    with engine.begin() as conn:
        ids = conn.execute(select(t.id).order_by(t.id)).scalars().all()
        for tid, (code, m, k) in zip(ids, plan, strict=True):
            solved = code != "T" or k == 0
            conn.execute(update(tables.tickets).where(t.id == tid).values(
                category=code, received_at=datetime(2026, 7 + m, 1 + k, tzinfo=TZ),
                visit_solved=solved, satisfaction="satisfied" if solved else "unsatisfied"))  # fmt: skip
    found = tc.candidates(ctx)
    assert found.months == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    assert [c.category for c in found.items] == ["T"]
    (hard,) = found.items
    assert hard.per_month == [6] * 6
    assert (hard.requests, hard.evaluated, hard.solved, hard.unsolved) == (36, 36, 6, 30)
    assert found.resolution == round((6 + 30 + 35) / (36 + 30 + 35), 4)
