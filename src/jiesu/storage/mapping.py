"""Map the domain dataclasses onto the tables (imperative mapping keeps the domain pure)."""

from __future__ import annotations

from sqlalchemy.orm import registry, relationship

from jiesu.domain.ticket import (
    CoHandlerTask,
    ConsultationInvite,
    Objection,
    ReturnVisit,
    Ticket,
    TimelineEvent,
    WhistleCall,
)

from . import facts, tables

mapper_registry = registry(metadata=tables.metadata)
_mapped = False


def map_domain() -> None:
    """Idempotent: map the ticket and its parts once per process."""
    global _mapped
    if _mapped:
        return
    mapper_registry.map_imperatively(CoHandlerTask, tables.co_handler_tasks)
    mapper_registry.map_imperatively(TimelineEvent, tables.ticket_events)
    mapper_registry.map_imperatively(Objection, tables.dispatch_objections)
    mapper_registry.map_imperatively(ConsultationInvite, tables.consultation_invites)
    mapper_registry.map_imperatively(WhistleCall, tables.whistle_calls)
    mapper_registry.map_imperatively(ReturnVisit, tables.return_visits)
    mapper_registry.map_imperatively(
        Ticket,
        tables.tickets,
        properties={
            "co_handlers": relationship(
                CoHandlerTask,
                order_by=tables.co_handler_tasks.c.id,
                lazy="selectin",
                cascade="all, delete-orphan",
            ),
            "objections": relationship(
                Objection,
                order_by=tables.dispatch_objections.c.id,
                lazy="selectin",
                cascade="all, delete-orphan",
            ),
            "consultation": relationship(
                ConsultationInvite,
                order_by=tables.consultation_invites.c.id,
                lazy="selectin",
                cascade="all, delete-orphan",
            ),
            "whistle_calls": relationship(
                WhistleCall,
                order_by=tables.whistle_calls.c.id,
                lazy="selectin",
                cascade="all, delete-orphan",
            ),
            "visits": relationship(
                ReturnVisit,
                order_by=tables.return_visits.c.id,
                lazy="selectin",
                cascade="all, delete-orphan",
                foreign_keys=[tables.return_visits.c.ticket_id],
            ),
        },
        version_id_col=tables.tickets.c.version,
    )
    facts.keep_in_step()  # the assessment facts follow every ticket change
    _mapped = True
