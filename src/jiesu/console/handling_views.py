"""What the handling screens show (H1–H8): the ticket page's panels — whistle and report-in,
escalation, contest, urging, extension, return visits — and which action forms go with
which panel.

Everything is read from the ticket and its timeline as recorded; this module only shapes
it for the templates. The forms are the action registry's, as everywhere in the console.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jiesu.actions import load_stage_actions
from jiesu.city.config import CityConfig
from jiesu.domain.commands import Action
from jiesu.domain.ticket import (
    CONTEST_KIND_LABELS_ZH,
    SATISFACTION_LABELS_ZH,
    Status,
    Ticket,
    TimelineEvent,
)
from jiesu.storage import repository as repo

from . import forms, pickers
from .handling_labels import (
    CONTEST_STATUS_LABELS_ZH,
    VISIT_CHANNEL_LABELS_ZH,
    VISIT_STATUS_LABELS_ZH,
)
from .views import YES_NO, Countdown, countdown, fmt_time, label, unit_name

#: Forms shown in a handling panel rather than in the side column.
PANEL_ACTIONS = {
    Action.REPORT_IN: "whistle",
    Action.CLOSE_WHISTLE: "whistle",
    Action.DECIDE_ESCALATION: "escalation",
    Action.DECIDE_CONTEST: "contest",
    Action.GRANT_EXTENSION: "extension",
    Action.REFUSE_EXTENSION: "extension",
}


# --- forms ----------------------------------------------------------------------------------


def action_forms(
    city: CityConfig,
    ticket: Ticket,
    allowed: Collection[str],
    version: int,
    *,
    failed: str | None = None,
    values: Mapping[str, str] | None = None,
    errors: Sequence[str] = (),
) -> tuple[list[forms.ActionForm], dict[str, list[forms.ActionForm]]]:
    """The ticket's action forms: those for the side column (usual steps first), and those
    shown in the handling panels, by panel."""
    registry = load_stage_actions()
    choices = {"authority_unit_code": pickers.authority_choices(city, ticket.lead_unit_code)}
    groups = {"unit_codes": pickers.whistle_groups(city, ticket.lead_unit_code)}
    side: list[forms.ActionForm] = []
    panels: dict[str, list[forms.ActionForm]] = {}
    for action in allowed:
        spec = registry.get(Action(action))
        if spec is None:
            continue
        mine = action == failed
        f = forms.action_form(
            spec,
            version,
            values if mine else None,
            errors if mine else (),
            choices=choices if spec.action is Action.ESCALATE else None,
            groups=groups if spec.action is Action.RAISE_WHISTLE else None,
        )
        panel = PANEL_ACTIONS.get(spec.action)
        if panel:
            panels.setdefault(panel, []).append(f)
        else:
            side.append(f)
    side.sort(key=lambda f: f.secondary)
    return side, panels


# --- the whistle ----------------------------------------------------------------------------


@dataclass
class CallView:
    unit_code: str
    unit_name: str
    summoned: str
    due: Countdown
    reported: str
    late: bool
    action_taken: str
    status: str  # reported | waiting | absent


@dataclass
class WhistleRound:
    round: int
    open: bool
    raised_at: str
    raised_by: str
    reason: str
    closed_at: str
    outcome: str
    calls: list[CallView]

    @property
    def reported(self) -> int:
        return sum(1 for c in self.calls if c.status == "reported")


def _by_round(events: Sequence[TimelineEvent], action: Action) -> dict[int, TimelineEvent]:
    return {int((e.data or {}).get("round") or 0): e for e in events if e.action == action}


def whistle_rounds(
    ticket: Ticket, events: Sequence[TimelineEvent], now: datetime, city: CityConfig
) -> list[WhistleRound]:
    """Each whistle of the ticket, the open (latest) one first, with its calls."""
    raised = _by_round(events, Action.RAISE_WHISTLE)
    closed = _by_round(events, Action.CLOSE_WHISTLE)
    rounds = []
    for n in sorted({c.whistle_round for c in ticket.whistle_calls}, reverse=True):
        is_open = ticket.whistle_open and n == ticket.whistle_round
        calls = []
        for c in (c for c in ticket.whistle_calls if c.whistle_round == n):
            waiting = "waiting" if is_open else "absent"
            status = "reported" if c.reported_at is not None else waiting
            calls.append(
                CallView(
                    unit_code=c.unit_code,
                    unit_name=unit_name(city, c.unit_code),
                    summoned=fmt_time(c.summoned_at, city),
                    due=countdown(
                        "报到时限", c.report_due, c.summoned_at, c.reported_at, now, city
                    ),
                    reported=fmt_time(c.reported_at, city) if c.reported_at else "",
                    late=c.reported_at is not None and c.reported_at > c.report_due,
                    action_taken=c.action_taken or "",
                    status=status,
                )
            )
        r, e = raised.get(n), closed.get(n)
        rounds.append(
            WhistleRound(
                round=n,
                open=is_open,
                raised_at=fmt_time(r.at, city) if r else "",
                raised_by=unit_name(city, r.actor_unit_code) if r else "",
                reason=(r.reason or "") if r else "",
                closed_at=fmt_time(e.at, city) if e else "",
                outcome=(e.reason or "") if e else "",
                calls=calls,
            )
        )
    return rounds


# --- escalation, contest, urging, extension -------------------------------------------------


@dataclass
class Escalation:
    authority: str
    raised_at: str
    raised_by: str
    reason: str
    decided: bool
    decided_at: str = ""
    decided_by: str = ""
    decision: str = ""
    lead: str = ""
    co_handlers: list[str] = field(default_factory=list)


def escalations(ticket: Ticket, events: Sequence[TimelineEvent], city: CityConfig):
    """Each escalation of the ticket with the authority's decision, latest first."""
    found: list[Escalation] = []
    for e in events:
        if e.action == Action.ESCALATE:
            found.append(
                Escalation(
                    authority=unit_name(city, (e.data or {}).get("authority")),
                    raised_at=fmt_time(e.at, city),
                    raised_by=unit_name(city, e.actor_unit_code),
                    reason=e.reason or "",
                    decided=False,
                )
            )
        elif e.action == Action.DECIDE_ESCALATION and found and not found[-1].decided:
            x = found[-1]
            lead_change = (e.changes or {}).get("lead_unit_code")
            lead = lead_change[1] if lead_change else (e.data or {}).get("previous_lead_unit")
            x.decided, x.decided_at = True, fmt_time(e.at, city)
            x.decided_by, x.decision = unit_name(city, e.actor_unit_code), e.reason or ""
            x.lead = unit_name(city, lead) + (
                "（改派）" if lead_change else "（原主办单位继续办理）"
            )
            x.co_handlers = [
                f"{unit_name(city, c.unit_code)}：{c.task}"
                for c in ticket.co_handlers
                if c.assigned_at == e.at
            ]
    return list(reversed(found))


@dataclass
class Contest:
    kind: str
    reason: str
    evidence: str
    status: str
    status_label: str
    raised_at: str
    raised_by: str
    decided_at: str = ""
    decided_by: str = ""
    decision: str = ""


def contests(events: Sequence[TimelineEvent], city: CityConfig) -> list[Contest]:
    found: list[Contest] = []
    for e in events:
        data = e.data or {}
        if e.action == Action.CONTEST_REQUEST:
            found.append(
                Contest(
                    kind=label(CONTEST_KIND_LABELS_ZH, data.get("kind")),
                    reason=e.reason or "",
                    evidence=data.get("evidence") or "",
                    status="pending",
                    status_label=CONTEST_STATUS_LABELS_ZH["pending"],
                    raised_at=fmt_time(e.at, city),
                    raised_by=unit_name(city, e.actor_unit_code),
                )
            )
        elif e.action == Action.DECIDE_CONTEST and found:
            c = found[-1]
            c.status = "accepted" if data.get("accepted") else "rejected"
            c.status_label = CONTEST_STATUS_LABELS_ZH[c.status]
            c.decided_at, c.decided_by = fmt_time(e.at, city), e.actor_username
            c.decision = e.reason or ""
    return list(reversed(found))


def urgings(events: Sequence[TimelineEvent], city: CityConfig) -> list[dict[str, Any]]:
    return [
        {
            "at": fmt_time(e.at, city),
            "by": e.actor_username,
            "unit": unit_name(city, e.actor_unit_code),
            "note": e.reason or "",
            "overdue": bool((e.data or {}).get("overdue")),
        }
        for e in events
        if e.action == Action.URGE
    ]


_EXTENSION_STEPS = {Action.REQUEST_EXTENSION, Action.GRANT_EXTENSION, Action.REFUSE_EXTENSION}


def extension_steps(events: Sequence[TimelineEvent], city: CityConfig) -> list[dict[str, str]]:
    rows = []
    for e in events:
        if e.action not in _EXTENSION_STEPS:
            continue
        data, moved = e.data or {}, (e.changes or {}).get("completion_due")
        if e.action == Action.REQUEST_EXTENSION:
            what = f"申请延期至 {fmt_time(data.get('proposed_due'), city)}"
            what += "（待审批）" if data.get("approval_required") else "（告知，即时生效）"
        elif e.action == Action.GRANT_EXTENSION:
            what = f"同意，办结时限延至 {fmt_time(moved[1], city) if moved else '—'}"
        else:
            what = "不同意，办结时限不变"
        rows.append(
            {
                "at": fmt_time(e.at, city),
                "by": f"{e.actor_username} · {unit_name(city, e.actor_unit_code)}",
                "what": what,
                "reason": e.reason or "",
            }
        )
    return rows


# --- return visits --------------------------------------------------------------------------


def visit_rows(session, ticket: Ticket, city: CityConfig) -> list[dict[str, Any]]:
    """The return visits, round by round, the own requester first (read-only here)."""
    rows = []
    for v in sorted(ticket.visits, key=lambda v: (v.round, v.requester_ticket_id or 0)):
        requester = None
        if v.requester_ticket_id is not None:
            requester = repo.ticket_number_by_id(session, v.requester_ticket_id)
        answered = v.answered_at is not None
        rows.append(
            {
                "round": v.round,
                "merged_number": requester,
                "status": str(v.status),
                "status_label": label(VISIT_STATUS_LABELS_ZH, v.status),
                "attempts": v.attempts,
                "due": fmt_time(v.due_at, city),
                "next": fmt_time(v.next_attempt_at, city) if v.next_attempt_at else "",
                "channel": label(VISIT_CHANNEL_LABELS_ZH, v.channel) if v.channel else "",
                "contacted": YES_NO.get(v.contacted, "—") if answered else "",
                "solved": YES_NO.get(v.solved, "—") if answered else "",
                "satisfaction": label(SATISFACTION_LABELS_ZH, v.satisfaction) if answered else "",
                "comment": v.comment or "",
                "answered_at": fmt_time(v.answered_at, city) if answered else "",
            }
        )
    return rows


# --- the panels together --------------------------------------------------------------------


@dataclass
class HandlingPanels:
    whistle: list[WhistleRound]
    escalations: list[Escalation]
    escalated_to: str | None
    contests: list[Contest]
    urgings: list[dict[str, Any]]
    extension: dict[str, Any] | None
    visits: list[dict[str, Any]]
    forms: dict[str, list[forms.ActionForm]] = field(default_factory=dict)


def ticket_panels(
    ctx, session, ticket: Ticket, events: Sequence[TimelineEvent], now: datetime
) -> HandlingPanels:
    city = ctx.city
    policy = city.extension_policy
    steps = extension_steps(events, city)
    extension = None
    if (
        steps
        or ticket.extension_requested_due
        or Status(ticket.status)
        in (
            Status.ACKNOWLEDGED,
            Status.IN_PROGRESS,
        )
    ):
        extension = {
            "approval_required": policy.approval_required,
            "mode": "审批制：延期申请须经派单员同意后生效"
            if policy.approval_required
            else "告知制：延期申请即时生效，热线和诉求人知悉",
            "limits": f"最多延期{policy.max_extensions}次，单次不超过{policy.max_days}天",
            "count": ticket.extension_count,
            "pending": fmt_time(ticket.extension_requested_due, city)
            if ticket.extension_requested_due
            else "",
            "pending_reason": ticket.extension_reason or "",
            "steps": steps,
        }
    return HandlingPanels(
        whistle=whistle_rounds(ticket, events, now, city),
        escalations=escalations(ticket, events, city),
        escalated_to=unit_name(city, ticket.escalated_to) if ticket.escalated_to else None,
        contests=contests(events, city),
        urgings=urgings(events, city),
        extension=extension,
        visits=visit_rows(session, ticket, city),
    )
