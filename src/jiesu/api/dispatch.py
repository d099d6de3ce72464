"""Dispatch API: the versioned catalogue, suggestions, the objection review queue,
consultations, dispatch quality figures and training from history (D1–D8).

The lifecycle actions themselves (``dispatch``, ``uphold_objection``,
``start_consultation``…) are served by ``/api/tickets/{number}/{action}``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from jiesu.dispatch import catalogue, history, reports
from jiesu.dispatch.catalogue import CatalogueVersion
from jiesu.dispatch.suggest import suggest
from jiesu.domain.errors import InvalidInput
from jiesu.domain.roles import HOTLINE_ROLES, Actor, Role
from jiesu.domain.ticket import Status, Ticket
from jiesu.storage import repository as repo
from jiesu.storage.tables import consultation_invites as ci
from jiesu.storage.tables import tickets as t
from jiesu.storage.types import InstantOrNone, RowNumber
from jiesu.storage.uow import UnitOfWork

from .deps import ContextDep, get_actor, role_guard

router = APIRouter(prefix="/api", tags=["dispatch"])
EDITORS = frozenset({Role.DISPATCHER, Role.ADMIN})


_hotline = role_guard(
    HOTLINE_ROLES,
    "dispatch.forbidden",
    "只有热线工作人员可以查看",
    "Only hotline staff may see this",
)


_editor = role_guard(
    EDITORS,
    "catalogue.forbidden",
    "只有派单员和管理员可以修改派单目录或训练模型",
    "Only dispatchers and administrators may change the catalogue or train the model",
)


HotlineActor = Annotated[Actor, Depends(_hotline)]
EditorActor = Annotated[Actor, Depends(_editor)]
AnyActor = Annotated[Actor, Depends(get_actor)]


# --- the catalogue ------------------------------------------------------------------------


class CatalogueOut(BaseModel):
    version: int
    author: str
    reason: str
    created_at: datetime
    changes: list[dict[str, Any]]
    entries: list[dict[str, Any]] | None = None


def _catalogue_out(v: CatalogueVersion, *, entries: bool = True) -> CatalogueOut:
    return CatalogueOut(
        version=v.version,
        author=v.author,
        reason=v.reason,
        created_at=v.created_at,
        changes=list(v.changes),
        entries=[e.model_dump(mode="json") for e in v.entries] if entries else None,
    )


class EntryChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry: dict[str, Any] = Field(description="派单目录条目 (category, lead_kind, …)")
    reason: str = Field(min_length=1, max_length=2000, description="修改理由")
    expected_version: int | None = None


class EntryRemoval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(min_length=1)
    request_types: list[str] = Field(default_factory=list)
    reason: str = Field(min_length=1, max_length=2000)
    expected_version: int | None = None


@router.get("/dispatch/catalogue", response_model=CatalogueOut, summary="派单目录 Catalogue")
def read_catalogue(ctx: ContextDep, actor: AnyActor) -> CatalogueOut:
    return _catalogue_out(catalogue.current(ctx))


@router.get(
    "/dispatch/catalogue/history",
    response_model=list[CatalogueOut],
    summary="派单目录修改记录 Catalogue history",
)
def catalogue_history(ctx: ContextDep, actor: HotlineActor) -> list[CatalogueOut]:
    return [_catalogue_out(v, entries=False) for v in catalogue.history(ctx)]


@router.get("/dispatch/catalogue/versions/{number}", response_model=CatalogueOut)
def catalogue_version(ctx: ContextDep, actor: HotlineActor, number: RowNumber) -> CatalogueOut:
    if number == 1 and catalogue.current(ctx).version == 1:
        return _catalogue_out(catalogue.current(ctx))
    return _catalogue_out(catalogue.read_version(ctx, number))


@router.put("/dispatch/catalogue/entries", response_model=CatalogueOut, summary="修改目录条目")
def put_entry(ctx: ContextDep, actor: EditorActor, data: EntryChange) -> CatalogueOut:
    entry = catalogue.parse_entry(data.entry)
    version = catalogue.upsert_entry(
        ctx, actor, entry, data.reason, expected_version=data.expected_version
    )
    return _catalogue_out(version)


@router.post(
    "/dispatch/catalogue/entries/remove", response_model=CatalogueOut, summary="删除目录条目"
)
def remove_entry(ctx: ContextDep, actor: EditorActor, data: EntryRemoval) -> CatalogueOut:
    version = catalogue.remove_entry(
        ctx,
        actor,
        data.category,
        data.request_types,
        data.reason,
        expected_version=data.expected_version,
    )
    return _catalogue_out(version)


# --- suggestions --------------------------------------------------------------------------


def objectors(ticket: Ticket) -> frozenset[str]:
    """Units a re-dispatch must not go to: those whose objection is open or was upheld."""
    return frozenset(o.unit_code for o in ticket.objections if o.decision in (None, "upheld"))


def suggestions_for(ctx, uow: UnitOfWork, ticket: Ticket) -> dict[str, Any]:
    found = suggest(ctx, uow.session.connection(), ticket, exclude=objectors(ticket))
    place = found.place

    def named(code: str | None) -> dict[str, str] | None:
        unit = ctx.city.unit(code) if code else None
        return {"code": unit.code, "name": unit.name} if unit else None

    return {
        "candidates": [vars(c) for c in found.candidates],
        "refused": found.refused,
        "place": {
            **place.summary(),
            "district": named(place.district),
            "street": named(place.street),
            "community": named(place.community),
            "reasons": list(place.reasons),
        },
        "catalogue_version": found.catalogue_version,
        "entry": found.entry.model_dump(mode="json") if found.entry else None,
        "model_version": found.model_version,
    }


@router.get("/tickets/{number}/suggestions", summary="派单建议 Dispatch suggestions")
def ticket_suggestions(number: str, ctx: ContextDep, actor: HotlineActor) -> dict[str, Any]:
    with UnitOfWork(ctx.engine, write=False) as uow:
        ticket = repo.get_ticket(uow.session, number)
        return suggestions_for(ctx, uow, ticket)


# --- queues -------------------------------------------------------------------------------


def _ticket_brief(ctx, ticket: Ticket) -> dict[str, Any]:
    lead = ctx.city.unit(ticket.lead_unit_code) if ticket.lead_unit_code else None
    return {
        "number": ticket.number,
        "title": ticket.title,
        "category": ticket.category,
        "status": str(ticket.status),
        "lead_unit_code": ticket.lead_unit_code,
        "lead_unit_name": lead.name if lead else None,
        "version": ticket.version,
    }


@router.get("/dispatch/objections", summary="派单异议审核队列 Objection review queue")
def objection_queue(ctx: ContextDep, actor: HotlineActor) -> list[dict[str, Any]]:
    with UnitOfWork(ctx.engine, write=False) as uow:
        numbers = uow.session.execute(
            select(t.c.number).where(t.c.status == Status.OBJECTED).order_by(t.c.id)
        ).scalars()
        out = []
        for number in list(numbers)[:500]:
            ticket = repo.get_ticket(uow.session, number)
            objection = ticket.open_objection()
            if objection is None:
                continue
            out.append(
                {
                    **_ticket_brief(ctx, ticket),
                    "objection": {
                        "unit_code": objection.unit_code,
                        "grounds": objection.grounds,
                        "reason": objection.reason,
                        "evidence": objection.evidence,
                        "raised_at": objection.raised_at,
                        "earlier": len(ticket.objections) - 1,
                    },
                }
            )
        return out


@router.get("/dispatch/consultations", summary="会商 Consultations")
def consultations(ctx: ContextDep, actor: AnyActor) -> list[dict[str, Any]]:
    """Hotline staff see every open consultation; a unit sees those it is invited to."""
    with UnitOfWork(ctx.engine, write=False) as uow:
        query = select(t.c.number).where(t.c.status == Status.CONSULTING).order_by(t.c.id)
        if actor.role not in HOTLINE_ROLES:
            invited = select(ci.c.ticket_id).where(ci.c.unit_code == actor.unit_code)
            query = query.where(t.c.id.in_(invited))
        out = []
        for number in list(uow.session.execute(query).scalars())[:500]:
            ticket = repo.get_ticket(uow.session, number)
            out.append(
                {
                    **_ticket_brief(ctx, ticket),
                    "due": ticket.consultation_due,
                    "invites": [
                        {
                            "unit_code": i.unit_code,
                            "unit_name": _unit_name(ctx, i.unit_code),
                            "position": i.position,
                            "opinion": i.opinion,
                            "responded_at": i.responded_at,
                        }
                        for i in ticket.consultation
                    ],
                }
            )
        return out


def _unit_name(ctx, code: str) -> str:
    unit = ctx.city.unit(code)
    return unit.name if unit else code


# --- figures and training -----------------------------------------------------------------


def _period(ctx, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    end = end or ctx.now() + timedelta(seconds=1)  # up to and including now
    start = start or end - timedelta(days=30)
    if start.tzinfo is None or end.tzinfo is None or start >= end:
        raise InvalidInput(
            "report.bad_period",
            "统计区间须带时区，且开始早于结束",
            "The period needs time zones and a start before its end",
        )
    return start, end


@router.get("/dispatch/reports/objections", summary="派单异议率 Objection rates")
def objection_report(
    ctx: ContextDep,
    actor: HotlineActor,
    start: Annotated[InstantOrNone, Query()] = None,
    end: Annotated[InstantOrNone, Query()] = None,
) -> dict[str, Any]:
    return reports.objection_rates(ctx, *_period(ctx, start, end))


@router.get("/dispatch/reports/suggestions", summary="派单建议采纳率 Suggestion acceptance")
def suggestion_report(
    ctx: ContextDep,
    actor: HotlineActor,
    start: Annotated[InstantOrNone, Query()] = None,
    end: Annotated[InstantOrNone, Query()] = None,
) -> dict[str, Any]:
    return reports.suggestion_acceptance(ctx, *_period(ctx, start, end))


@router.post("/dispatch/model/train", summary="用历史工单训练派单模型 Train from history")
def train(ctx: ContextDep, actor: EditorActor) -> dict[str, Any]:
    record = history.train_from_history(ctx, trained_by=actor.username)
    return {
        "version": record.version,
        "samples": record.samples,
        "labels": record.labels,
        "negatives": record.negatives,
    }
