"""The deadline warnings as people read them: which yellow and red warnings still stand (D6).

The deadline watch (:mod:`jiesu.handling.watch`) writes each warning once; this module
lists them, newest first, for ``GET /api/handling/warnings`` and the console's warning
page alike. Hotline staff see every unit's warnings; a unit sees its own. A warning
*stands* while its deadline is still the ticket's and is not met: the contact not made,
the reply not given, the co-handling task not reported, the summoned department not
reported in while its whistle is still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from jiesu.context import Context
from jiesu.domain.roles import HOTLINE_ROLES, Actor
from jiesu.domain.ticket import OPEN_AT_UNIT
from jiesu.storage.tables import co_handler_tasks as ct
from jiesu.storage.tables import deadline_warnings as dw
from jiesu.storage.tables import tickets as t
from jiesu.storage.tables import whistle_calls as wc
from jiesu.storage.uow import UnitOfWork

from .watch import LEVEL_LABELS_ZH, SUBJECT_LABELS_ZH

_OPEN = {str(s) for s in OPEN_AT_UNIT}


@dataclass(frozen=True)
class DeadlineWarning:
    number: str
    title: str
    status: str
    subject: str  # contact | completion | task:<id> | call:<id>
    subject_zh: str
    level: str  # yellow | red
    level_zh: str
    unit_code: str
    unit_name: str
    due: datetime
    raised_at: datetime
    standing: bool  # the deadline is still not met


def list_warnings(
    ctx: Context,
    actor: Actor,
    *,
    level: str | None = None,
    unit: str | None = None,
    standing: bool = True,
    limit: int = 200,
) -> list[DeadlineWarning]:
    """The warnings ``actor`` may see, newest first; by default only those still standing."""
    if actor.role not in HOTLINE_ROLES:
        unit = actor.unit_code  # a unit sees its own warnings only
    query = (
        select(
            dw,
            t.c.number,
            t.c.title,
            t.c.status,
            t.c.contacted_at,
            t.c.replied_at,
            t.c.contact_due,
            t.c.completion_due,
        )
        .join(t, t.c.id == dw.c.ticket_id)
        .order_by(dw.c.raised_at.desc(), dw.c.id.desc())
        .limit(limit * 5 if standing else limit)
    )
    if level:
        query = query.where(dw.c.level == level)
    if unit:
        query = query.where(dw.c.unit_code == unit)
    out: list[DeadlineWarning] = []
    with UnitOfWork(ctx.engine, write=False) as uow:
        rows = uow.session.execute(query).all()
        met_parts = _met_parts(uow.session, [r.subject for r in rows])
        for r in rows:
            is_standing = _standing(r, met_parts)
            if standing and not is_standing:
                continue
            kind = r.subject.split(":")[0]
            owner = ctx.city.unit(r.unit_code)
            out.append(
                DeadlineWarning(
                    number=r.number,
                    title=r.title,
                    status=r.status,
                    subject=r.subject,
                    subject_zh=SUBJECT_LABELS_ZH.get(kind, kind),
                    level=r.level,
                    level_zh=LEVEL_LABELS_ZH[r.level],
                    unit_code=r.unit_code,
                    unit_name=owner.name if owner else r.unit_code,
                    due=r.due,
                    raised_at=r.raised_at,
                    standing=is_standing,
                )
            )
            if len(out) >= limit:
                break
    return out


def _met_parts(session, subjects: list[str]) -> set[str]:
    """Subjects of co-handling tasks and report-in calls that no longer stand: the task was
    reported; the department reported in, or the street closed that whistle."""
    tasks = [int(s.split(":")[1]) for s in subjects if s.startswith("task:")]
    calls = [int(s.split(":")[1]) for s in subjects if s.startswith("call:")]
    met = set()
    if tasks:
        met |= {
            f"task:{i}"
            for i in session.execute(
                select(ct.c.id).where(ct.c.id.in_(tasks), ct.c.reported_at.is_not(None))
            ).scalars()
        }
    if calls:
        closed = or_(
            wc.c.reported_at.is_not(None),
            t.c.whistle_open.is_(False),
            wc.c.whistle_round != t.c.whistle_round,
        )
        met |= {
            f"call:{i}"
            for i in session.execute(
                select(wc.c.id).join(t, t.c.id == wc.c.ticket_id).where(wc.c.id.in_(calls), closed)
            ).scalars()
        }
    return met


def _standing(r, met_parts: set[str]) -> bool:
    if r.status not in _OPEN:
        return False
    if r.subject == "contact":
        return r.contacted_at is None and r.contact_due == r.due
    if r.subject == "completion":
        return r.replied_at is None and r.completion_due == r.due
    return r.subject not in met_parts
