"""Commands of dispatch: the deadlines a dispatch sets, dispatch itself, objections and
consultations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from .base import Action, Command


@dataclass(frozen=True)
class Deadlines:
    contact_due: datetime
    completion_due: datetime
    basis: str
    warn_share: float = 0.8  # yellow warning once this share of the time is used


@dataclass(frozen=True)
class Dispatch(Command):
    action: ClassVar[Action] = Action.DISPATCH
    lead_unit_code: str = ""
    supervising_unit_code: str | None = None
    deadlines: Deadlines | None = None
    co_handlers: tuple[tuple[str, str, datetime], ...] = field(default_factory=tuple)
    location_unit_code: str | None = None  # the place found by territory resolution (D3)
    suggestion: Mapping[str, Any] | None = None  # what was proposed: unit, score, model (D7)


@dataclass(frozen=True)
class RaiseObjection(Command):
    action: ClassVar[Action] = Action.RAISE_OBJECTION
    grounds: str = "duty"  # ObjectionGrounds: duty 职责 | jurisdiction 管辖
    evidence: str = ""
    window_closes: datetime | None = None  # from the deployment's objection policy (D5)


@dataclass(frozen=True)
class UpholdObjection(Command):
    action: ClassVar[Action] = Action.UPHOLD_OBJECTION
    lead_unit_code: str = ""
    supervising_unit_code: str | None = None
    deadlines: Deadlines | None = None
    suggestion: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class RejectObjection(Command):
    action: ClassVar[Action] = Action.REJECT_OBJECTION


@dataclass(frozen=True)
class StartConsultation(Command):
    """Invite units to give their positions before the hotline dispatches (会商, D4)."""

    action: ClassVar[Action] = Action.START_CONSULTATION
    unit_codes: tuple[str, ...] = ()
    due: datetime | None = None


@dataclass(frozen=True)
class GivePosition(Command):
    """An invited unit's position; ``reason`` carries its opinion."""

    action: ClassVar[Action] = Action.GIVE_POSITION
    position: str = ""  # Position: lead | co_handle | not_ours


@dataclass(frozen=True)
class DecideConsultation(Command):
    """The hotline's decision after a consultation: a dispatch with the record kept."""

    action: ClassVar[Action] = Action.DECIDE_CONSULTATION
    lead_unit_code: str = ""
    supervising_unit_code: str | None = None
    deadlines: Deadlines | None = None
    co_handlers: tuple[tuple[str, str, datetime], ...] = field(default_factory=tuple)
    suggestion: Mapping[str, Any] | None = None
