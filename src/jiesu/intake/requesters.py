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
            .where(t.requester_id == requester_id, t.received_at > now - timedelta(days=window.days))
        ).scalar_one()
        out.append(WindowCount(window.days, window.threshold, count))
    return out
