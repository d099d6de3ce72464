"""What the dispatch screens show (D1–D8): suggestions with their labelled reasons and one-key
accept forms, consultations, objections, and the reports' period (the catalogue's words are
in ``catalogue_views``).

Everything is read from the dispatch stage (``suggestions_for``, the ticket's objections and
invites); this module only shapes it for the templates.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from jiesu.api.dispatch import suggestions_for
from jiesu.city.catalogue import CatalogueEntry
from jiesu.city.config import UNIT_KIND_LABELS_ZH, CityConfig
from jiesu.context import Context
from jiesu.domain.commands import Action
from jiesu.domain.roles import HOTLINE_ROLES, Actor
from jiesu.domain.ticket import (
    OBJECTION_GROUNDS_LABELS_ZH,
    POSITION_LABELS_ZH,
    Status,
    Ticket,
    TimelineEvent,
)
from jiesu.storage.uow import UnitOfWork

from . import catalogue_views as cv
from .forms import CO_HANDLER_ROWS
from .views import Countdown, countdown, fmt_time, label, unit_name

log = logging.getLogger(__name__)

REASON_KIND_LABELS_ZH = {
    "catalogue": "目录",
    "territory": "属地",
    "model": "模型",
    "history": "历史",
    "objection": "异议",
}
PLACE_LEVEL_LABELS_ZH = {"community": "社区村", "street": "街道乡镇", "district": "区"}
DECISION_LABELS_ZH = {"upheld": "异议成立", "rejected": "异议驳回"}
#: The action a one-key 采纳 performs, by the ticket's state.
ACCEPT_ACTIONS = {
    Status.RECEIVED: Action.DISPATCH,
    Status.OBJECTED: Action.UPHOLD_OBJECTION,
    Status.CONSULTING: Action.DECIDE_CONSULTATION,
}


# --- suggestions ----------------------------------------------------------------------------


@dataclass
class Accept:
    """A one-key form: the action and the hidden fields it posts."""

    action: str
    fields: list[tuple[str, str]]


@dataclass
class CandidateView:
    rank: int
    unit_code: str
    unit_name: str
    kind_label: str
    score: float
    reasons: list[tuple[str, str, str]]  # (kind, label, text)
    co_handlers: list[dict[str, str]]
    accept: Accept | None = None


@dataclass
class SuggestionPanel:
    candidates: list[CandidateView] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)
    place: dict[str, Any] = field(default_factory=dict)
    catalogue_version: int | None = None
    entry_text: str | None = None
    model_version: str | None = None
    action_label: str | None = None  # what 采纳 does here, when the user may do it
    error: str | None = None


def _accept(action: Action, rank: int, code: str, name: str, co: list[dict]) -> Accept:
    if action is Action.UPHOLD_OBJECTION:
        reason = f"异议成立，采纳派单建议第{rank}位，重派至{name}"
        return Accept(str(action), [("lead_unit_code", code), ("reason", reason)])
    prefix = "会商定派，" if action is Action.DECIDE_CONSULTATION else ""
    fields = [("lead_unit_code", code), ("reason", f"{prefix}采纳派单建议第{rank}位：{name}")]
    for i, c in enumerate(co[:CO_HANDLER_ROWS]):
        fields += [
            (f"co_handlers.{i}.unit_code", c["unit_code"]),
            (f"co_handlers.{i}.task", c["task"]),
        ]
    return Accept(str(action), fields)


def suggestion_panel(
    ctx: Context, uow: UnitOfWork, ticket: Ticket, allowed: Collection[str], *, k: int = 5
) -> SuggestionPanel:
    """The 派单建议 panel; a failure of the suggestions leaves the rest of the page working."""
    action = ACCEPT_ACTIONS.get(Status(ticket.status))
    may_accept = action is not None and str(action) in allowed
    try:
        found = suggestions_for(ctx, uow, ticket)
    except Exception:  # the page must open even if the model or the gazetteer fails
        log.exception("dispatch suggestions failed for %s", ticket.number)
        return SuggestionPanel(error="派单建议暂时无法生成，请手工派单。")
    city = ctx.city
    candidates = []
    for rank, c in enumerate(found["candidates"][:k], start=1):
        unit = city.unit(c["unit_code"])
        candidates.append(
            CandidateView(
                rank=rank,
                unit_code=c["unit_code"],
                unit_name=c["unit_name"],
                kind_label=UNIT_KIND_LABELS_ZH.get(unit.kind, "") if unit else "",
                score=c["score"],
                reasons=[
                    (r["kind"], REASON_KIND_LABELS_ZH.get(r["kind"], r["kind"]), r["text"])
                    for r in c["reasons"]
                ],
                co_handlers=list(c["co_handlers"]),
                accept=_accept(action, rank, c["unit_code"], c["unit_name"], c["co_handlers"])
                if may_accept and action is not None
                else None,
            )
        )
    place = found["place"]
    names = [place[lv]["name"] for lv in ("district", "street", "community") if place.get(lv)]
    entry = found["entry"]
    return SuggestionPanel(
        candidates=candidates,
        refused=list(found["refused"]),
        place={
            "path": " › ".join(names) or "未能确定",
            "level": PLACE_LEVEL_LABELS_ZH.get(place.get("level") or "", "未能确定"),
            "confidence": place.get("confidence") or 0.0,
            "reasons": list(place.get("reasons") or []),
        },
        catalogue_version=found["catalogue_version"],
        entry_text=cv.entry_summary(city, CatalogueEntry.model_validate(entry)) if entry else None,
        model_version=found["model_version"],
        action_label=action.label_zh if may_accept and action is not None else None,
    )


# --- consultation and objections on a ticket ------------------------------------------------


@dataclass
class InviteView:
    unit_code: str
    unit_name: str
    position: str | None
    position_label: str
    opinion: str | None
    invited_at: str
    responded_at: str
    late: bool


@dataclass
class ConsultationView:
    question: str | None
    started: str
    open: bool
    due: Countdown | None
    due_text: str
    invites: list[InviteView]
    answered: int


def consultation_view(
    ticket: Ticket, events: Sequence[TimelineEvent], now: datetime, city: CityConfig
) -> ConsultationView | None:
    if not ticket.consultation:
        return None
    start = next((e for e in reversed(events) if e.action == Action.START_CONSULTATION), None)
    invites = [
        InviteView(
            unit_code=i.unit_code,
            unit_name=unit_name(city, i.unit_code),
            position=i.position,
            position_label=label(POSITION_LABELS_ZH, i.position) if i.position else "待回复",
            opinion=i.opinion,
            invited_at=fmt_time(i.invited_at, city),
            responded_at=fmt_time(i.responded_at, city),
            late=i.responded_at is not None and i.responded_at > i.due,
        )
        for i in ticket.consultation
    ]
    is_open = ticket.status == Status.CONSULTING
    due_at = ticket.consultation_due or max(i.due for i in ticket.consultation)
    invited_at = min(i.invited_at for i in ticket.consultation)
    done = None if is_open else due_at
    return ConsultationView(
        question=start.reason if start else None,
        started=fmt_time(start.at if start else invited_at, city),
        open=is_open,
        due=countdown("会商期限", due_at, invited_at, done, now, city) if is_open else None,
        due_text=fmt_time(due_at, city),
        invites=invites,
        answered=sum(1 for i in ticket.consultation if i.responded_at is not None),
    )


def objection_views(ticket: Ticket, city: CityConfig) -> list[dict[str, str]]:
    return [
        {
            "unit": unit_name(city, o.unit_code),
            "grounds": label(OBJECTION_GROUNDS_LABELS_ZH, o.grounds),
            "reason": o.reason,
            "evidence": o.evidence or "",
            "raised_at": fmt_time(o.raised_at, city),
            "decision": DECISION_LABELS_ZH.get(o.decision or "", "待审核"),
            "decided": o.decision or "",
            "reviewer": o.reviewer_username or "",
            "review_reason": o.review_reason or "",
            "decided_at": fmt_time(o.decided_at, city) if o.decided_at else "",
        }
        for o in ticket.objections
    ]


@dataclass
class TicketPanels:
    suggestions: SuggestionPanel | None
    consultation: ConsultationView | None
    objections: list[dict[str, str]]


def ticket_panels(
    ctx: Context,
    uow: UnitOfWork,
    ticket: Ticket,
    actor: Actor,
    allowed: Collection[str],
    events: Sequence[TimelineEvent],
) -> TicketPanels:
    """The ticket page's dispatch panels: suggestions for hotline staff while the ticket
    awaits its unit (received, objected, consulting), the consultation, the objections."""
    suggesting = actor.role in HOTLINE_ROLES and Status(ticket.status) in ACCEPT_ACTIONS
    return TicketPanels(
        suggestions=suggestion_panel(ctx, uow, ticket, allowed) if suggesting else None,
        consultation=consultation_view(ticket, events, ctx.now(), ctx.city),
        objections=objection_views(ticket, ctx.city),
    )


# --- the reports' period --------------------------------------------------------------------


@dataclass
class Period:
    start: datetime
    end: datetime
    start_date: str  # for the date inputs
    end_date: str
    error: str | None = None


def report_period(ctx: Context, start_raw: str | None, end_raw: str | None) -> Period:
    """Whole days in the city's zone, both ends included; by default the last 30 days."""
    tz = ctx.city.tz
    now = ctx.now()
    today = now.astimezone(tz).date()
    if not start_raw and not end_raw:
        end = now + timedelta(seconds=1)  # up to and including now
        start = end - timedelta(days=30)
        return Period(start, end, start.astimezone(tz).date().isoformat(), today.isoformat())
    try:
        end_day = date.fromisoformat(end_raw) if end_raw else today
        start_day = date.fromisoformat(start_raw) if start_raw else end_day - timedelta(days=29)
    except ValueError:
        return _default_with(ctx, "日期格式有误，请按 年-月-日 填写")
    if start_day > end_day:
        return _default_with(ctx, "统计区间的开始日期不能晚于结束日期")
    start = datetime.combine(start_day, time(0), tz)
    end = datetime.combine(end_day + timedelta(days=1), time(0), tz)
    return Period(start, end, start_day.isoformat(), end_day.isoformat())


def _default_with(ctx: Context, error: str) -> Period:
    period = report_period(ctx, None, None)
    period.error = error
    return period


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
