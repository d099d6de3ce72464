"""What the outside may learn about a ticket: its status and where it stands, no more (I9, S1).

Internet channels let a requester follow their request (I9) but must never
show who asked (S1). The query here reads only the columns a status page or
an Open311 listing needs — the requester's name and phone are not even
selected — and names the channel client that filed each ticket, taken from
the actor of its first timeline event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from jiesu.context import Context
from jiesu.domain.commands import Action
from jiesu.domain.ticket import STATUS_LABELS_ZH, Status
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

#: English labels for the public status, beside the Chinese ones the console shows.
STATUS_LABELS_EN = {
    Status.RECEIVED: "received",
    Status.ANSWERED: "answered directly",
    Status.REFERRED: "referred elsewhere",
    Status.DISPATCHED: "sent to the responsible unit",
    Status.OBJECTED: "responsibility under review",
    Status.ACKNOWLEDGED: "accepted by the responsible unit",
    Status.IN_PROGRESS: "being handled",
    Status.REPLIED: "handled; return visit pending",
    Status.VISITED: "return visit done",
    Status.CLOSED: "closed",
    Status.MERGED: "handled together with another request",
}


@dataclass(frozen=True)
class PublicTicket:
    number: str
    status: Status
    channel: str
    category: str
    received_at: datetime
    updated_at: datetime
    lead_unit_code: str | None
    completion_due: datetime | None
    closed_at: datetime | None
    reply_outcome: str | None
    confidential: bool
    submitted_by: str
    # What the requester wrote: shown back only to the client that filed it.
    content: str
    address: str
    location_unit_code: str | None
    latitude: float | None
    longitude: float | None

    @property
    def status_label_zh(self) -> str:
        return STATUS_LABELS_ZH[self.status]

    @property
    def status_label_en(self) -> str:
        return STATUS_LABELS_EN[self.status]


def find(
    ctx: Context,
    *,
    numbers: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    channel: str | None = None,
    submitted_by: str | None = None,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    limit: int = 1000,
) -> list[PublicTicket]:
    """Tickets matching every given filter, newest first."""
    t, e = tables.tickets, tables.ticket_events
    # Correlated look-ups by ticket id (indexed), not aggregates over the whole timeline.
    submitter = (
        select(e.c.actor_username)
        .where(e.c.ticket_id == t.c.id, e.c.action == str(Action.RECEIVE))
        .limit(1)
        .scalar_subquery()
    )
    updated = select(func.max(e.c.at)).where(e.c.ticket_id == t.c.id).scalar_subquery()
    query = (
        select(
            t.c.number,
            t.c.status,
            t.c.channel,
            t.c.category,
            t.c.received_at,
            updated.label("updated_at"),
            t.c.lead_unit_code,
            t.c.completion_due,
            t.c.closed_at,
            t.c.reply_outcome,
            t.c.confidential,
            submitter.label("submitted_by"),
            t.c.content,
            t.c.address,
            t.c.location_unit_code,
            t.c.latitude,
            t.c.longitude,
        )
        .order_by(t.c.received_at.desc(), t.c.id.desc())
        .limit(limit)
    )
    if numbers is not None:
        query = query.where(t.c.number.in_(list(numbers)))
    if categories is not None:
        query = query.where(t.c.category.in_(list(categories)))
    if statuses is not None:
        query = query.where(t.c.status.in_(list(statuses)))
    if channel is not None:
        query = query.where(t.c.channel == channel)
    if submitted_by is not None:
        query = query.where(submitter == submitted_by)
    if received_from is not None:
        query = query.where(t.c.received_at >= received_from)
    if received_to is not None:
        query = query.where(t.c.received_at <= received_to)
    with UnitOfWork(ctx.engine, write=False) as uow:
        rows = uow.session.execute(query).all()
    return [PublicTicket(**{**row._asdict(), "status": Status(row.status)}) for row in rows]


def get(ctx: Context, number: str, **filters) -> PublicTicket | None:
    found = find(ctx, numbers=[number], limit=1, **filters)
    return found[0] if found else None
