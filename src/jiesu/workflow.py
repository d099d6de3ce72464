"""The one write path for tickets.

``perform`` loads the ticket, checks who may see it and whether the caller
saw its latest version, lets the state machine apply the command, appends
the timeline event and queues the side effects — all in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from jiesu.access import ensure_visible
from jiesu.context import Context
from jiesu.domain import lifecycle
from jiesu.domain.commands import Command
from jiesu.domain.errors import Conflict
from jiesu.domain.roles import Actor
from jiesu.domain.ticket import Ticket, TimelineEvent
from jiesu.notifications import messages_for
from jiesu.storage import repository as repo
from jiesu.storage.uow import UnitOfWork

CommandFactory = Callable[[Ticket, datetime, Session], Command]
#: What must happen to other rows in the same transaction (e.g. the other side of a merge).
FollowUp = Callable[[Context, UnitOfWork, Ticket, TimelineEvent, Actor, datetime], None]


def perform(
    ctx: Context,
    actor: Actor,
    number: str,
    make_command: CommandFactory,
    *,
    expected_version: int | None = None,
    then: FollowUp | None = None,
) -> tuple[Ticket, TimelineEvent]:
    with UnitOfWork(ctx.engine) as uow:
        ticket = repo.get_ticket(uow.session, number)
        ensure_visible(ticket, actor)
        if expected_version is not None and ticket.version != expected_version:
            raise Conflict(
                "ticket.conflict",
                "工单已被他人修改，请刷新后重试",
                "The ticket was changed by someone else; reload and try again",
                expected_version=expected_version,
                current_version=ticket.version,
            )
        now = ctx.now()
        event = lifecycle.apply(ticket, make_command(ticket, now, uow.session), actor, now)
        uow.flush()  # raises Conflict if another transaction changed the ticket meanwhile
        record(uow, ctx, ticket, event)
        if then is not None:
            then(ctx, uow, ticket, event, actor, now)
        uow.commit()
        return ticket, event


def record(uow: UnitOfWork, ctx: Context, ticket: Ticket, event: TimelineEvent) -> None:
    """Append ``event`` and queue its messages, inside the caller's transaction.

    What the requester is told goes to every requester whose ticket was merged
    into this one as well (并单: one handling, everyone informed).
    """
    repo.append_event(uow.session, ticket, event)
    merged: list[str] | None = None
    for msg in messages_for(ticket, event, ctx.hotline_unit.code, ctx.city.around_the_clock_units):
        recipients = [msg.recipient]
        if msg.topic == "sms.requester":
            if merged is None:
                merged = repo.merged_ticket_numbers(uow.session, ticket.id)
            recipients += [f"requester:{number}" for number in merged]
        for recipient in recipients:
            repo.queue_message(
                uow.session,
                topic=msg.topic,
                ticket_id=ticket.id,
                payload={**msg.payload, "recipient": recipient},
                key=f"{ticket.number}:{event.id}:{msg.topic}:{recipient}",
                now=event.at,
            )
