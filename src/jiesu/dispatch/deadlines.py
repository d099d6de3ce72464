"""Deadlines written on a dispatched ticket, from the deployment's policy (D6, BJ Art. 13)."""

from __future__ import annotations

from datetime import datetime

from jiesu.city.config import Unit
from jiesu.context import Context
from jiesu.domain.commands import Deadlines
from jiesu.domain.deadlines import due_after
from jiesu.domain.ticket import Ticket


def deadlines_for(ctx: Context, ticket: Ticket, lead: Unit, start: datetime) -> Deadlines:
    rule = ctx.city.deadline_policy.rule_for(
        str(ticket.request_type), ticket.category, str(ticket.urgency), lead
    )
    contact = due_after(start, rule.contact.to_duration(), ctx.calendar, ctx.city.tz)
    completion = due_after(start, rule.completion.to_duration(), ctx.calendar, ctx.city.tz)
    return Deadlines(
        contact_due=contact,
        completion_due=max(contact, completion),
        basis=rule.name,
        warn_share=ctx.city.handling_policy.warn_share,
    )


def supervising_unit(ctx: Context, lead: Unit) -> str | None:
    """A street's ticket also goes to its district government to supervise (BJ Art. 12, D2)."""
    if lead.kind == "street" and lead.parent:
        return lead.parent
    return None
