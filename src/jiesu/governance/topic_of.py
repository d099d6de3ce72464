"""The active monthly topics a request is on (G2), for its ticket's page: a handler who sees
that a request belongs to a topic knows its lead unit and plan apply."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiesu.city.config import CityConfig
from jiesu.domain.topics import TopicState, concerns
from jiesu.storage import tables


@dataclass(frozen=True)
class TopicRef:
    id: int
    title: str
    lead_unit_code: str


def topics_about(s: Session, city: CityConfig, ticket) -> list[TopicRef]:
    """The active topics ``ticket`` is on, by id."""
    tp = tables.topics.c
    rows = s.execute(
        select(tp.id, tp.title, tp.lead_unit_code, tp.categories, tp.keywords, tp.scope_code)
        .where(tp.state == TopicState.ACTIVE)
        .order_by(tp.id)
    )
    request = (ticket.category, ticket.title or "", ticket.content or "", ticket.location_unit_code)
    found = []
    for r in rows:
        places = {u.code for u in city.unit_and_below(r.scope_code)} if r.scope_code else None
        if concerns(r.categories, r.keywords or [], places, request):
            found.append(TopicRef(r.id, r.title, r.lead_unit_code))
    return found
