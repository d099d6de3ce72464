"""Requesters: recognised across tickets by a keyed hash of their phone number (I8, I9, S1).

The plain number is kept only encrypted; grouping and counting use the hash.
Frequent and malicious repeated contact is counted over the deployment's
windows and flagged to the operator, who records the persuasion given (BJ
Art. 9, 37). A flag never stops a new, legitimate matter from being taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from jiesu.city.config import FrequencyWindow
from jiesu.storage import crypto, tables


def recognise(session: Session, name: str, phone: str, now: datetime) -> int | None:
    """The requester with this phone number (created on first contact), or None without one."""
    if not crypto.normalise_phone(phone):
        return None
    digest = crypto.phone_hash(phone)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(tables.requesters)
        .values(phone_hash=digest, name=name, phone=phone, first_seen_at=now, last_seen_at=now)
        .on_conflict_do_nothing(index_elements=["phone_hash"])
    )
    r = tables.requesters.c
    values: dict = {"last_seen_at": now}
    if name:
        values["name"] = name
    requester_id = session.execute(select(r.id).where(r.phone_hash == digest)).scalar_one()
    session.execute(update(tables.requesters).where(r.id == requester_id).values(**values))
    return requester_id


@dataclass(frozen=True)
class WindowCount:
    days: int
    threshold: int
    count: int

    @property
    def flagged(self) -> bool:
        return self.count >= self.threshold


def frequency(
    session: Session, requester_id: int, now: datetime, windows: tuple[FrequencyWindow, ...]
) -> list[WindowCount]:
    """How many requests this requester made in each window up to ``now``."""
    t = tables.tickets.c
    out = []
    for window in windows:
        count = session.execute(
            select(func.count())
            .select_from(tables.tickets)
            .where(
                t.requester_id == requester_id, t.received_at > now - timedelta(days=window.days)
            )
        ).scalar_one()
        out.append(WindowCount(window.days, window.threshold, count))
    return out


NOTE_KINDS = {"persuasion": "劝导", "warning": "警示", "note": "备注"}


@dataclass(frozen=True)
class RequesterSummary:
    requester_id: int
    name: str
    phone: str
    first_seen_at: datetime
    last_seen_at: datetime
    windows: list[WindowCount]
    recent: list[dict]
    notes: list[dict]

    @property
    def flagged(self) -> bool:
        return any(w.flagged for w in self.windows)


def find_by_phone(session: Session, phone: str) -> int | None:
    if not crypto.normalise_phone(phone):
        return None
    r = tables.requesters.c
    return session.execute(
        select(r.id).where(r.phone_hash == crypto.phone_hash(phone))
    ).scalar_one_or_none()


def summary(
    session: Session, requester_id: int, now: datetime, windows: tuple[FrequencyWindow, ...]
) -> RequesterSummary | None:
    """What the operator sees about a caller: counts per window, recent tickets, notes."""
    r = tables.requesters.c
    row = session.execute(select(tables.requesters).where(r.id == requester_id)).first()
    if row is None:
        return None
    t = tables.tickets.c
    recent = session.execute(
        select(t.number, t.received_at, t.status, t.title, t.category)
        .where(t.requester_id == requester_id)
        .order_by(t.received_at.desc())
        .limit(10)
    ).all()
    n = tables.requester_notes.c
    notes = session.execute(
        select(n.kind, n.note, n.username, n.at, t.number)
        .outerjoin(tables.tickets, t.id == n.ticket_id)
        .where(n.requester_id == requester_id)
        .order_by(n.at.desc())
        .limit(20)
    ).all()
    return RequesterSummary(
        requester_id=row.id,
        name=row.name,
        phone=row.phone,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        windows=frequency(session, requester_id, now, windows),
        recent=[x._asdict() for x in recent],
        notes=[
            {"kind": x.kind, "note": x.note, "username": x.username, "at": x.at, "ticket": x.number}
            for x in notes
        ],
    )


def add_note(
    session: Session,
    requester_id: int,
    *,
    kind: str,
    note: str,
    ticket_id: int | None,
    user_id: int | None,
    username: str,
    now: datetime,
) -> None:
    """Record the persuasion given to a frequent caller (BJ Art. 9, 37), or a note."""
    session.execute(
        tables.requester_notes.insert().values(
            requester_id=requester_id,
            ticket_id=ticket_id,
            kind=kind,
            note=note,
            user_id=user_id,
            username=username,
            at=now,
        )
    )
