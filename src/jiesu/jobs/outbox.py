"""The outbox relay: deliver queued side effects after their transaction committed.

Each pass claims due messages (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so
several workers share the work; SQLite: its single writer), hands each to
its topic's adapter, and marks it sent — or counts the attempt, keeps the
error and schedules the next try with exponential back-off. A worker killed
between delivering and marking delivers that message again on the next pass
with the same idempotency key: at least once, recognisably the same.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from jiesu.context import Context
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

from .adapters import Adapter, OutgoingMessage

log = logging.getLogger("jiesu.outbox")

MAX_ATTEMPTS = 12
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at 6 hours."""
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


@dataclass(frozen=True)
class RelayResult:
    sent: int
    failed: int


def relay_once(ctx: Context, adapters: dict[str, Adapter], *, batch: int = 100) -> RelayResult:
    """One pass over the due messages; returns how many were sent and how many failed."""
    now = ctx.now()
    o = tables.outbox.c
    sent = failed = 0
    with UnitOfWork(ctx.engine) as uow:
        stmt = (
            select(o.id, o.topic, o.idempotency_key, o.ticket_id, o.payload, o.attempts)
            .where(o.sent_at.is_(None), o.available_at <= now, o.attempts < MAX_ATTEMPTS)
            .order_by(o.available_at, o.id)
            .limit(batch)
        )
        if uow.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        for row in uow.session.execute(stmt).all():
            message = OutgoingMessage(row.topic, row.idempotency_key, row.ticket_id, row.payload)
            adapter = adapters.get(row.topic)
            try:
                if adapter is None:
                    raise LookupError(f"no adapter for topic {row.topic!r}")
                adapter.send(message)
            except Exception as exc:  # an adapter's failure is recorded, never fatal
                failed += 1
                attempts = row.attempts + 1
                log.warning("outbox %s attempt %d failed: %s", row.idempotency_key, attempts, exc)
                uow.session.execute(
                    update(tables.outbox)
                    .where(o.id == row.id)
                    .values(
                        attempts=attempts,
                        last_error=f"{type(exc).__name__}: {exc}"[:2000],
                        available_at=now + backoff(attempts),
                    )
                )
                continue
            sent += 1
            uow.session.execute(
                update(tables.outbox)
                .where(o.id == row.id)
                .values(sent_at=now, attempts=row.attempts + 1, last_error=None)
            )
        uow.commit()
    return RelayResult(sent, failed)


def pending_count(ctx: Context) -> int:
    from sqlalchemy import func

    o = tables.outbox.c
    with UnitOfWork(ctx.engine, write=False) as uow:
        return uow.session.execute(
            select(func.count()).select_from(tables.outbox).where(o.sent_at.is_(None))
        ).scalar_one()


def next_due(ctx: Context) -> datetime | None:
    from sqlalchemy import func

    o = tables.outbox.c
    with UnitOfWork(ctx.engine, write=False) as uow:
        return uow.session.execute(
            select(func.min(o.available_at)).where(o.sent_at.is_(None), o.attempts < MAX_ATTEMPTS)
        ).scalar_one()
