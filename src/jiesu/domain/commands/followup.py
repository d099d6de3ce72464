"""Commands of follow-up: the reply, return visits, closing and re-handling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from .base import Action, Command
from .dispatch import Deadlines


@dataclass(frozen=True)
class Reply(Command):
    action: ClassVar[Action] = Action.REPLY
    outcome: str = ""
    text: str = ""
    attachments: tuple[str, ...] = ()  # photos, documents of what was done (stored first)
    visit_due: datetime | None = None  # by when the return visits are to be made (A1)
    merged_ticket_ids: tuple[int, ...] = ()  # requesters of merged tickets are visited too


@dataclass(frozen=True)
class RecordVisit(Command):
    """One attempt at a return visit: the requester reached and answering, or not reached
    (retried by policy, then recorded as unreachable) (A1)."""

    action: ClassVar[Action] = Action.RECORD_VISIT
    contacted: bool = True  # the requester's answer: did the unit contact you?
    solved: bool = True
    satisfaction: str = ""
    comment: str = ""
    reached: bool = True  # whether the visitor reached the requester at all
    requester_ticket_id: int | None = None  # a merged request's requester; None: the own
    channel: str = "phone"  # phone | sms | web
    max_attempts: int = 3
    retry_after: timedelta = timedelta(hours=4)


@dataclass(frozen=True)
class Close(Command):
    action: ClassVar[Action] = Action.CLOSE


@dataclass(frozen=True)
class Reopen(Command):
    action: ClassVar[Action] = Action.REOPEN
    deadlines: Deadlines | None = None
