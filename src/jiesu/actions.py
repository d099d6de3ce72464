"""The registry of lifecycle actions offered to people: input schema and command builder.

Each stage (intake, dispatch, handling, followup) declares its actions in its
own ``actions.py``; the API and the console read this registry, so an action
is defined once and offered the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from jiesu.city.config import Unit
from jiesu.context import Context
from jiesu.domain import lifecycle
from jiesu.domain.commands import Action, Command
from jiesu.domain.errors import InvalidInput
from jiesu.domain.roles import Actor
from jiesu.domain.ticket import Ticket, TimelineEvent


class ActionInput(BaseModel):
    """Fields every action accepts."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=2000, description="why (说明/理由)")
    expected_version: int | None = Field(
        default=None,
        description="the ticket version the caller saw; a mismatch is refused with ticket.conflict",
    )


#: (ctx, ticket, actor, now, input, session) → the command; the session reads other rows
#: (an original ticket, an article) inside the action's own transaction.
Builder = Callable[[Context, Ticket, Actor, datetime, ActionInput, Session], Command]


@dataclass(frozen=True)
class ActionSpec:
    action: Action
    input_model: type[ActionInput]
    build: Builder
    then: Callable[..., None] | None = None  # changes to other rows in the same transaction


REGISTRY: dict[Action, ActionSpec] = {}


def register(
    action: Action, input_model: type[ActionInput], then: Callable[..., None] | None = None
) -> Callable[[Builder], Builder]:
    def decorator(build: Builder) -> Builder:
        REGISTRY[action] = ActionSpec(action, input_model, build, then)
        return build

    return decorator


def run(
    ctx: Context, actor: Actor, number: str, action: Action, data: ActionInput
) -> tuple[Ticket, TimelineEvent]:
    """Perform a registered action with its input, as the API and the console do."""
    from jiesu.workflow import perform

    spec = load_stage_actions()[action]

    def build(ticket: Ticket, now: datetime, session: Session) -> Command:
        # The role, the party and the state first: a builder may rely on them (a ticket
        # not yet dispatched has no dispatch time to count an objection's window from).
        lifecycle.check(ticket, action, actor)
        return spec.build(ctx, ticket, actor, now, data, session)

    return perform(
        ctx, actor, number, build, expected_version=data.expected_version, then=spec.then
    )


def require_unit(ctx: Context, code: str, *, field: str) -> Unit:
    unit = ctx.city.unit(code)
    if unit is None:
        raise InvalidInput(
            "unit.unknown",
            f"单位“{code}”不是本市的承办单位",
            f"Unit {code!r} is not a unit of this city",
            field=field,
        )
    if unit.code == ctx.city.city.hotline_unit:
        raise InvalidInput(
            "unit.not_handling",
            "热线中心不能作为承办单位",
            "The hotline centre cannot handle tickets",
            field=field,
        )
    return unit


def aware(value: datetime | None, field: str) -> datetime | None:
    """Refuse naive datetimes from the outside: every time in jiesu carries its zone."""
    if value is not None and value.tzinfo is None:
        raise InvalidInput(
            "input.naive_datetime",
            "时间须带时区",
            "Datetimes must carry a time zone",
            field=field,
        )
    return value


def load_stage_actions() -> dict[Action, ActionSpec]:
    """Import every stage so that its actions are registered; return the registry."""
    from jiesu.dispatch import actions as _dispatch  # noqa: F401
    from jiesu.followup import actions as _followup  # noqa: F401
    from jiesu.handling import actions as _handling  # noqa: F401
    from jiesu.handling import coordination as _coordination  # noqa: F401
    from jiesu.intake import actions as _intake  # noqa: F401
    from jiesu.intake import classified as _classified  # noqa: F401

    return REGISTRY
