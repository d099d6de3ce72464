"""The tickets behind a weekly warning (G5): which requests a street was warned about.

A warning says "东华社区, 城乡建设/物业管理: 7 requests from 5 people this week"; the
street acts on it better knowing which requests they were. They are read as the warning
counted them (``governance/weekly.py``): received in the warning's local week (Monday to
Monday in the city's time zone), of the warning's category, located at its place — a
community itself, a street itself and its communities (:func:`weekly.located_at`) —
whatever became of them. Unless a ticket's category or place was corrected since, they
are as many as the warning's ``received``.

Only who may see the warning may list them (:func:`warnings.seen_warning`; anyone else is
told ``warning.not_found``). Each ticket says whether the caller may open it, by the rule
every ticket page follows (:func:`jiesu.access.can_see`); the list shows its number,
received time, title, status and lead unit, never the requester's name or phone (S1), and
a confidential ticket's title only to those who may open it. At most :data:`CAP` are
listed, the earliest first; ``total`` says how many there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import defer

from jiesu.access import can_see
from jiesu.context import Context
from jiesu.domain.hotspots import parse_week
from jiesu.domain.roles import Actor
from jiesu.domain.ticket import Ticket
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

from .warnings import WarningRow, seen_warning
from .weekly import located_at, week_start

#: The most tickets listed for one warning (a warning is usually a few dozen).
CAP = 200
#: What a confidential ticket's title reads to whoever may not open it (S1).
CONFIDENTIAL_TITLE = "（保密）"
t = tables.tickets.c


@dataclass(frozen=True)
class WarningTicket:
    id: int
    number: str
    received_at: datetime
    title: str  # CONFIDENTIAL_TITLE for a confidential ticket the caller may not open
    confidential: bool
    status: str
    lead_unit_code: str | None
    lead_unit_name: str | None
    may_open: bool  # the caller may open the ticket (access.can_see)


@dataclass(frozen=True)
class WarningTickets:
    warning: WarningRow
    tickets: list[WarningTicket]  # by received time, at most ``limit``
    total: int  # all the tickets behind the warning
    limit: int

    @property
    def capped(self) -> bool:
        return self.total > len(self.tickets)


def behind(ctx: Context, actor: Actor, warning_id: int, *, limit: int = CAP) -> WarningTickets:
    """The tickets behind warning ``warning_id``, as ``actor`` may see them."""
    city = ctx.city
    with UnitOfWork(ctx.engine, write=False) as uow:
        s = uow.session
        warning = seen_warning(ctx, s, actor, warning_id)
        monday = parse_week(warning.week)
        where = (
            t.received_at >= week_start(city, monday),
            t.received_at < week_start(city, monday + timedelta(days=7)),
            t.category == warning.category,
            t.location_unit_code.in_(located_at(city, warning.place.code)),
        )
        total = s.execute(select(func.count()).select_from(tables.tickets).where(*where))
        total = total.scalar_one()
        found = s.scalars(
            select(Ticket)
            .where(*where)
            .order_by(t.received_at, t.id)
            .limit(limit)
            # never read: the requester (S1) and the request's words are not listed
            .options(defer(Ticket.requester_name), defer(Ticket.requester_phone),
                     defer(Ticket.content))
        ).all()  # fmt: skip
        tickets = [_line(city, ticket, actor) for ticket in found]
    return WarningTickets(warning, tickets, total, limit)


def _line(city, ticket: Ticket, actor: Actor) -> WarningTicket:
    may_open = can_see(ticket, actor)
    lead = city.unit(ticket.lead_unit_code) if ticket.lead_unit_code else None
    return WarningTicket(
        id=ticket.id,
        number=ticket.number,
        received_at=ticket.received_at,
        title=CONFIDENTIAL_TITLE if ticket.confidential and not may_open else ticket.title,
        confidential=ticket.confidential,
        status=str(ticket.status),
        lead_unit_code=ticket.lead_unit_code,
        lead_unit_name=lead.name if lead else ticket.lead_unit_code,
        may_open=may_open,
    )
