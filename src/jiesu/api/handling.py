"""Handling API: the deadline warnings for supervisors and units (D6, H1, H4).

``GET /api/handling/warnings`` lists the yellow and red warnings the deadline watch raised
(:mod:`jiesu.handling.watch`), newest first; by default only those still standing (the
deadline is not yet met). Hotline staff see every unit's; a unit sees its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from jiesu.domain.roles import HOTLINE_ROLES
from jiesu.domain.ticket import OPEN_AT_UNIT
from jiesu.handling.watch import LEVEL_LABELS_ZH, SUBJECT_LABELS_ZH
from jiesu.storage.tables import co_handler_tasks as ct
from jiesu.storage.tables import deadline_warnings as dw
from jiesu.storage.tables import tickets as t
from jiesu.storage.tables import whistle_calls as wc
from jiesu.storage.uow import UnitOfWork

from .deps import ActorDep, ContextDep

router = APIRouter(prefix="/api/handling", tags=["handling"])


class WarningOut(BaseModel):
    number: str
    title: str
    status: str
    subject: str
    subject_zh: str
    level: str
    level_zh: str
    unit_code: str
    unit_name: str
    due: datetime
    raised_at: datetime
    standing: bool  # the deadline is still not met


@router.get("/warnings", response_model=list[WarningOut], summary="预警 Deadline warnings")
def warnings(
    ctx: ContextDep,
    actor: ActorDep,
    level: Annotated[Literal["yellow", "red"] | None, Query()] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    standing: Annotated[bool, Query(description="只看仍未满足的")] = True,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[WarningOut]:
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
    out: list[WarningOut] = []
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
                WarningOut(
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
    """Subjects of co-handling tasks and report-in calls that have since been met."""
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
        met |= {
            f"call:{i}"
            for i in session.execute(
                select(wc.c.id).where(wc.c.id.in_(calls), wc.c.reported_at.is_not(None))
            ).scalars()
        }
    return met


def _standing(r, met_parts: set[str]) -> bool:
    if r.status not in {str(s) for s in OPEN_AT_UNIT}:
        return False
    if r.subject == "contact":
        return r.contacted_at is None and r.contact_due == r.due
    if r.subject == "completion":
        return r.replied_at is None and r.completion_due == r.due
    return r.subject not in met_parts
