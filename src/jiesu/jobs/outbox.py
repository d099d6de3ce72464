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
    """One pass over the due messages; returns how many were sent and how many failed.

    PostgreSQL: the batch is claimed ``FOR UPDATE SKIP LOCKED`` and marked in that one
    transaction (row locks block no other writer). SQLite has a single writer, so the
    batch is read first and each message is marked in its own short transaction after
    its adapter returned: a slow adapter never holds the write lock the desk needs.
    """
    now = ctx.now()
    o = tables.outbox.c
    stmt = (
        select(o.id, o.topic, o.idempotency_key, o.ticket_id, o.payload, o.attempts)
        .where(o.sent_at.is_(None), o.available_at <= now, o.attempts < MAX_ATTEMPTS)
        .order_by(o.available_at, o.id)
        .limit(batch)
    )
    outcomes: list[bool] = []
    if ctx.engine.dialect.name == "postgresql":
        with UnitOfWork(ctx.engine) as uow:
            for row in uow.session.execute(stmt.with_for_update(skip_locked=True)).all():
                outcomes.append(_deliver(uow, row, adapters, now))
            uow.commit()
    else:
        with UnitOfWork(ctx.engine, write=False) as uow:
            due = uow.session.execute(stmt).all()
        for row in due:
            with UnitOfWork(ctx.engine) as uow:
                outcomes.append(_deliver(uow, row, adapters, now, commit=True))
    return RelayResult(outcomes.count(True), outcomes.count(False))


def _deliver(uow: UnitOfWork, row, adapters, now: datetime, *, commit: bool = False) -> bool:
    """Hand one message to its adapter and record the outcome (committed here with
    ``commit``, else by the caller with its batch)."""
    o = tables.outbox.c
    message = OutgoingMessage(row.topic, row.idempotency_key, row.ticket_id, row.payload)
    adapter = adapters.get(row.topic)
    try:
        if adapter is None:
            raise LookupError(f"no adapter for topic {row.topic!r}")
        adapter.send(message)
    except Exception as exc:  # an adapter's failure is recorded, never fatal
        attempts = row.attempts + 1
        log.warning("outbox %s attempt %d failed: %s", row.idempotency_key, attempts, exc)
        values = {
            "attempts": attempts,
            "last_error": f"{type(exc).__name__}: {exc}"[:2000],
            "available_at": now + backoff(attempts),
        }
        ok = False
    else:
        values = {"sent_at": now, "attempts": row.attempts + 1, "last_error": None}
        ok = True
    # ``sent_at IS NULL``: another pass that sent it meanwhile is not overwritten.
    uow.session.execute(
        update(tables.outbox).where(o.id == row.id, o.sent_at.is_(None)).values(**values)
    )
    if commit:
        uow.commit()
    return ok


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
