"""Who may see which ticket, and which requester data they may see (H1, S1).

Hotline staff see every ticket. A unit handler sees the tickets its unit
leads, supervises (a district over its streets, BJ Art. 12), co-handles, was
invited to consult on (D4), was summoned to by a whistle (H4) or had escalated
to it (H5), and nothing else; to anyone else such a ticket does not exist.
"""

from __future__ import annotations

from jiesu.domain.errors import NotFound
from jiesu.domain.roles import HOTLINE_ROLES, Actor
from jiesu.domain.ticket import Ticket


def involved_units(ticket: Ticket) -> set[str]:
    """The units a ticket concerns: its lead and supervising units, co-handlers, the
    authorities it was escalated to, the units invited to consult and those whistled in."""
    units = {ticket.lead_unit_code, ticket.supervising_unit_code, ticket.escalated_to}
    units.update(ticket.escalation_authorities)
    units.update(t.unit_code for t in ticket.co_handlers)
    units.update(i.unit_code for i in ticket.consultation)
    units.update(c.unit_code for c in ticket.whistle_calls)
    units.discard(None)
    return units  # type: ignore[return-value]


def can_see(ticket: Ticket, actor: Actor) -> bool:
    return actor.role in HOTLINE_ROLES or actor.unit_code in involved_units(ticket)


def ensure_visible(ticket: Ticket, actor: Actor) -> None:
    if not can_see(ticket, actor):
        raise NotFound(
            "ticket.not_found", f"工单 {ticket.number} 不存在", f"Ticket {ticket.number} not found"
        )


def visible_unit(actor: Actor) -> str | None:
    """The unit a listing must be limited to, or None for hotline staff."""
    return None if actor.role in HOTLINE_ROLES else actor.unit_code


def may_see_requester(ticket: Ticket, actor: Actor) -> bool:
    """Confidential requests hide the requester from handling units unless the hotline
    released the identity to that unit, which the timeline records (BJ Art. 8; I9, S1)."""
    return (
        actor.role in HOTLINE_ROLES
        or not ticket.confidential
        or actor.unit_code in ticket.identity_released_units
    )


def mask_phone(phone: str) -> str:
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
