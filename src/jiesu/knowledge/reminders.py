"""Reminders before review dates: each unit hears which of its articles to check (BJ Art. 31).

The background worker calls :func:`queue_review_reminders` (say, daily).
Each unit with published articles whose next review falls within the
window gets one outbox message (topic ``kb.review_due``) listing them. An
article is reminded once per review date: the articles and dates already
listed in earlier messages are left out, and a message's idempotency key
is made from exactly the articles and dates it lists, so running the
function twice — or in two workers at once — queues nothing twice. A new
review date (after the unit edits and the new version is published) is
reminded again in its turn.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiesu.context import Context
from jiesu.storage import tables
from jiesu.storage.repository import queue_message
from jiesu.storage.uow import UnitOfWork

from .records import PublishedRow, published_versions

TOPIC = "kb.review_due"
DEFAULT_WITHIN_DAYS = 14


def _pair(article_id: int, review: str) -> str:
    return f"{article_id}@{review}"


def _already_reminded(session: Session, unit_code: str) -> set[str]:
    o = tables.outbox.c
    rows = session.execute(
        select(o.payload).where(o.topic == TOPIC, o.idempotency_key.like(f"{TOPIC}:{unit_code}:%"))
    )
    return {
        _pair(item["article_id"], item["next_review"])
        for (payload,) in rows
        for item in (payload or {}).get("articles", ())
    }


def queue_review_reminders(ctx: Context, *, within_days: int = DEFAULT_WITHIN_DAYS) -> int:
    """Queue the reminders that are due now; return how many messages were queued."""
    now = ctx.now()
    until = now + timedelta(days=within_days)
    queued = 0
    with UnitOfWork(ctx.engine) as uow:
        by_unit: dict[str, list[PublishedRow]] = defaultdict(list)
        for row in published_versions(uow.session, review_due_before=until):
            by_unit[row.unit_code].append(row)
        for unit_code, rows in sorted(by_unit.items()):
            done = _already_reminded(uow.session, unit_code)
            items = [
                {
                    "article_id": r.version.article_id,
                    "version": r.version.version,
                    "question": r.version.question,
                    "next_review": r.version.next_review.isoformat(),
                    "overdue": r.version.next_review <= now,
                }
                for r in rows
                if _pair(r.version.article_id, r.version.next_review.isoformat()) not in done
            ]
            if not items:
                continue
            pairs = ",".join(_pair(i["article_id"], i["next_review"]) for i in items)
            digest = hashlib.sha256(pairs.encode()).hexdigest()[:32]
            try:
                with uow.session.begin_nested():  # a concurrent run may have queued it first
                    queue_message(
                        uow.session,
                        topic=TOPIC,
                        ticket_id=None,
                        payload={
                            "template": "kb_review_due",
                            "unit": unit_code,
                            "within_days": within_days,
                            "articles": items,
                        },
                        key=f"{TOPIC}:{unit_code}:{digest}",
                        now=now,
                    )
                queued += 1
            except IntegrityError:
                continue
        uow.commit()
    return queued
