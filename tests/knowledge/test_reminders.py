"""Reminders before review dates: one outbox message per unit, each article and date once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from jiesu.knowledge.reminders import TOPIC, queue_review_reminders
from jiesu.storage import tables
from tests.conftest import START

from .helpers import body, publish, step


def _messages(engine) -> list[dict]:
    o = tables.outbox.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(o.payload, o.idempotency_key, o.ticket_id).where(o.topic == TOPIC).order_by(o.id)
        )
        return [{"key": r.idempotency_key, "ticket": r.ticket_id, **r.payload} for r in rows]


def test_articles_due_within_the_window_are_reminded_once_per_unit(client, auth, ctx, engine):
    a = publish(client, auth, "donghua", next_review=START + timedelta(days=3))
    b = publish(client, auth, "donghua", next_review=START + timedelta(days=10))
    publish(client, auth, "donghua", next_review=START + timedelta(days=40))  # not yet
    c = publish(client, auth, "heping", next_review=START + timedelta(days=14))
    assert queue_review_reminders(ctx) == 2
    messages = {m["unit"]: m for m in _messages(engine)}
    assert set(messages) == {"990101001", "990101002"}
    assert [i["article_id"] for i in messages["990101001"]["articles"]] == [a["id"], b["id"]]
    assert [i["article_id"] for i in messages["990101002"]["articles"]] == [c["id"]]
    assert messages["990101001"]["ticket"] is None and messages["990101001"]["within_days"] == 14
    # Running again queues nothing.
    assert queue_review_reminders(ctx) == 0
    assert len(_messages(engine)) == 2


def test_a_newly_due_article_is_reminded_without_repeating_the_others(
    client, auth, ctx, engine, clock
):
    a = publish(client, auth, next_review=START + timedelta(days=5))
    b = publish(client, auth, next_review=START + timedelta(days=20))
    assert queue_review_reminders(ctx) == 1
    clock.advance(days=7)  # b now falls within 14 days; a is overdue and already reminded
    assert queue_review_reminders(ctx) == 1
    first, second = _messages(engine)
    assert [i["article_id"] for i in first["articles"]] == [a["id"]]
    assert [i["article_id"] for i in second["articles"]] == [b["id"]]
    assert first["key"] != second["key"]


def test_a_new_review_date_is_reminded_in_its_turn(client, auth, ctx, engine, clock):
    a = publish(client, auth, next_review=START + timedelta(days=5))
    assert queue_review_reminders(ctx) == 1
    # The unit reviews: a new version with a later review date, approved.
    new = body(next_review=(START + timedelta(days=60)).isoformat(), submit=True)
    r = client.post(f"/api/kb/articles/{a['id']}/versions", json=new, headers=auth("donghua"))
    step(client, auth, "dispatcher", a["id"], "approve", version=r.json()["latest_version"])
    assert queue_review_reminders(ctx) == 0
    clock.advance(days=50)
    assert queue_review_reminders(ctx) == 1
    reminded = _messages(engine)[-1]["articles"][0]
    assert reminded["version"] == 2
    assert datetime.fromisoformat(reminded["next_review"]) == START + timedelta(days=60)


def test_withdrawn_and_unpublished_articles_are_not_reminded(client, auth, ctx):
    a = publish(client, auth, next_review=START + timedelta(days=2))
    step(client, auth, "donghua", a["id"], "withdraw", reason="不再适用")
    client.post(
        "/api/kb/articles",
        json=body(next_review=(START + timedelta(days=2)).isoformat()),
        headers=auth("donghua"),
    )
    assert queue_review_reminders(ctx) == 0
