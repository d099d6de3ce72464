"""Ticket endpoints: intake, reading, listing and filtering, every lifecycle action, the timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, Response

from jiesu.access import ensure_visible, visible_unit
from jiesu.actions import ActionSpec, load_stage_actions
from jiesu.actions import run as run_action
from jiesu.domain.errors import InvalidInput
from jiesu.domain.ticket import RequestType, Status
from jiesu.governance.topic_of import topics_about
from jiesu.intake.receive import NewTicket, receive
from jiesu.storage import repository as repo
from jiesu.storage.repository import TicketFilter
from jiesu.storage.types import MAX_INT, InstantOrNone
from jiesu.storage.uow import UnitOfWork

from .deps import ActorDep, ContextDep
from .schemas import (
    EventOut,
    TicketOut,
    TicketPage,
    TopicRefOut,
    event_out,
    ticket_out,
    with_links,
)

router = APIRouter(prefix="/api/tickets", tags=["tickets"])


@router.post("", status_code=201, response_model=TicketOut, summary="登记诉求 Record a request")
def create_ticket(
    data: NewTicket,
    ctx: ContextDep,
    actor: ActorDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> TicketOut:
    ticket, created = receive(ctx, actor, data, idempotency_key)
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/api/tickets/{ticket.number}"
    return ticket_out(ticket, actor, ctx.now())


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput(
            "input.naive_datetime", "时间须带时区", "Datetimes must carry a time zone", field=name
        )
    return value


@router.get("", response_model=TicketPage, summary="查询工单 List and filter tickets")
def list_tickets(
    ctx: ContextDep,
    actor: ActorDep,
    status: Annotated[list[Status] | None, Query()] = None,
    unit: str | None = None,
    category: str | None = None,
    request_type: RequestType | None = None,
    received_from: InstantOrNone = None,
    received_to: InstantOrNone = None,
    overdue: bool | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> TicketPage:
    flt = TicketFilter(
        status=tuple(str(s) for s in status or ()),
        unit_code=unit,
        category=category,
        request_type=str(request_type) if request_type else None,
        received_from=_aware(received_from, "received_from"),
        received_to=_aware(received_to, "received_to"),
        overdue=overdue,
        text=q,
        limit=limit,
        offset=offset,
    )
    now = ctx.now()
    with UnitOfWork(ctx.engine, write=False) as uow:
        items, total = repo.list_tickets(
            uow.session, flt, visible_to_unit=visible_unit(actor), now=now
        )
        out = [ticket_out(t, actor, now) for t in items]
    return TicketPage(total=total, limit=limit, offset=offset, items=out)


@router.get("/{number}", response_model=TicketOut, summary="工单详情 Read a ticket")
def get_ticket(number: str, ctx: ContextDep, actor: ActorDep) -> TicketOut:
    with UnitOfWork(ctx.engine, write=False) as uow:
        ticket = repo.get_ticket(uow.session, number)
        ensure_visible(ticket, actor)
        out = with_links(uow.session, ticket, ticket_out(ticket, actor, ctx.now()))
        topics = topics_about(uow.session, ctx.city, ticket)
        return out.model_copy(update={"topics": [TopicRefOut(**vars(t)) for t in topics]})


@router.get("/{number}/timeline", response_model=list[EventOut], summary="办理过程 Timeline")
def get_timeline(number: str, ctx: ContextDep, actor: ActorDep) -> list[EventOut]:
    with UnitOfWork(ctx.engine, write=False) as uow:
        ticket = repo.get_ticket(uow.session, number)
        ensure_visible(ticket, actor)
        return [event_out(e) for e in repo.timeline(uow.session, ticket.id)]


def _action_route(spec: ActionSpec):
    model = spec.input_model

    def endpoint(
        number: str,
        ctx: ContextDep,
        actor: ActorDep,
        data: Annotated[model, Body()],  # type: ignore[valid-type]
    ) -> TicketOut:
        ticket, _ = run_action(ctx, actor, number, spec.action, data)
        return ticket_out(ticket, actor, ctx.now())

    # The body type is chosen per action at run time, so give FastAPI the real object
    # rather than the string that postponed annotations would leave.
    endpoint.__annotations__["data"] = Annotated[model, Body()]
    endpoint.__name__ = f"action_{spec.action}"
    router.add_api_route(
        f"/{{number}}/{spec.action}",
        endpoint,
        methods=["POST"],
        response_model=TicketOut,
        summary=f"{spec.action.label_zh} {spec.action.replace('_', ' ').capitalize()}",
    )


for _spec in load_stage_actions().values():
    _action_route(_spec)
