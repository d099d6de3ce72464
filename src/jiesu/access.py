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


def can_see(ticket: Ticket, actor: Actor) -> bool:
    if actor.role in HOTLINE_ROLES:
        return True
    return (
        actor.unit_code in (ticket.lead_unit_code, ticket.supervising_unit_code)
        or ticket.is_co_handler(actor.unit_code)
        or actor.unit_code == ticket.escalated_to
        or actor.unit_code in ticket.escalation_authorities
        or any(i.unit_code == actor.unit_code for i in ticket.consultation)
        or any(c.unit_code == actor.unit_code for c in ticket.whistle_calls)
    )


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
