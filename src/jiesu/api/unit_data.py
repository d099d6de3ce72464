"""The full data of a unit's tickets (G4; BJ Art. 28), pulled: ``GET /api/governance/unit-data``
gives the tickets that changed in a window (up to 31 days) and concern the caller's unit
(hotline staff: all), each as ``GET /api/tickets/{number}`` answers that caller, page by
page. The same data is pushed each day through the outbox (``governance.unit_data``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from jiesu.governance import unit_data as ud
from jiesu.storage.types import MAX_INT

from .deps import ActorDep, ContextDep
from .schemas import TicketOut, ticket_out

router = APIRouter(prefix="/api/governance", tags=["governance"])


class UnitDataOut(BaseModel):
    since: datetime
    until: datetime
    tickets: list[TicketOut]
    next_after: int | None


@router.get("/unit-data", summary="全量数据 The tickets that changed, in full")
def unit_data(
    ctx: ContextDep,
    actor: ActorDep,
    since: datetime,
    until: datetime | None = None,
    after: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=ud.PAGE_MAX)] = ud.PAGE_MAX,
) -> UnitDataOut:
    page = ud.feed(ctx, actor, since, until, after, limit)
    now = ctx.now()
    return UnitDataOut(since=page.since, until=page.until, next_after=page.next_after,
                       tickets=[ticket_out(x, actor, now) for x in page.tickets])  # fmt: skip
