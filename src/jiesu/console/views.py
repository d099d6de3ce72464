"""What the console shows: Chinese labels, times in the city's zone, deadline countdowns, timelines.

Everything here reads what the domain already decided (a ticket as
``ticket_out`` lets the user see it, the timeline events as recorded); it
only turns codes into Chinese words and times into the city's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jiesu.city.config import CityConfig, UnitKind
from jiesu.domain.commands import (
    ACTION_LABELS_ZH,
    CONTACT_METHOD_LABELS_ZH,
    CONTACT_OUTCOME_LABELS_ZH,
    REFERRAL_REASON_LABELS_ZH,
)
from jiesu.domain.roles import ROLE_LABELS_ZH, Role
from jiesu.domain.ticket import (
    CHANNEL_LABELS_ZH,
    LIVELIHOOD_TAG_LABELS_ZH,
    OBJECTION_GROUNDS_LABELS_ZH,
    POSITION_LABELS_ZH,
    REPLY_OUTCOME_LABELS_ZH,
    REQUEST_TYPE_LABELS_ZH,
    SATISFACTION_LABELS_ZH,
    STATUS_LABELS_ZH,
    URGENCY_LABELS_ZH,
    TimelineEvent,
    warn_time,
)

from . import handling_labels as hl

YES_NO = {True: "是", False: "否"}

#: Chinese names of ticket fields (timeline changes) and of event data keys.
FIELD_LABELS_ZH = {
    "status": "状态",
    "received_at": "受理时间",
    "channel": "渠道",
    "hotline": "归并热线",
    "request_type": "诉求类型",
    "category": "事项分类",
    "urgency": "紧急程度",
    "title": "标题",
    "content": "诉求内容",
    "requester_name": "诉求人",
    "requester_phone": "联系电话",
    "address": "地址",
    "location_unit_code": "发生地",
    "latitude": "纬度",
    "longitude": "经度",
    "confidential": "保密",
    "round": "办理轮次",
    "received_by_unit_code": "受理单位",
    "lead_unit_code": "主办单位",
    "supervising_unit_code": "督办单位",
    "dispatched_at": "派单时间",
    "deadline_basis": "时限依据",
    "contact_due": "联系时限",
    "completion_due": "办结时限",
    "acknowledged_at": "签收时间",
    "contacted_at": "联系时间",
    "objection_from_status": "异议前状态",
    "objection_reason": "异议理由",
    "extension_requested_due": "申请延期至",
    "extension_reason": "延期理由",
    "extension_count": "已延期次数",
    "replied_at": "办结时间",
    "reply_outcome": "办结结果",
    "reply_text": "办理情况",
    "answer_text": "答复内容",
    "referral_reason": "处置情形",
    "referral_destination": "去向或告知渠道",
    "visited_at": "回访时间",
    "visit_contacted": "承办单位是否联系",
    "visit_solved": "问题是否解决",
    "satisfaction": "满意度",
    "closed_at": "结案时间",
    # event data
    "method": "联系方式",
    "outcome": "联系结果",
    "note": "联系情况",
    "grounds": "异议类别",
    "evidence": "依据",
    "objecting_unit": "提出单位",
    "unit": "协办单位",
    "task": "协办任务",
    "due": "协办时限",
    "report": "协办反馈",
    "late": "是否超时",
    "proposed_due": "申请延期至",
    "approval_required": "需审批",
    "comment": "诉求人意见",
    "source": "知识库条目",
    "previous_lead_unit": "原主办单位",
    "into": "并入工单",
    "merged": "并入本单的工单",
    "original": "原工单",
    "original_status": "原工单进展",
    "referral_accepted": "予以受理",
    "tags": "七有五性标签",
    "consultation_due": "会商期限",
    "contact_warn_at": "联系时限提醒",
    "completion_warn_at": "办结时限提醒",
    "units": "邀请会商的单位",
    "position": "会商意见",
    "positions": "各单位会商意见",
    "no_answer": "未回复的单位",
    "suggestion": "派单建议",
}

_UNIT_KEYS = {
    "location_unit_code",
    "received_by_unit_code",
    "lead_unit_code",
    "supervising_unit_code",
    "unit",
    "objecting_unit",
    "previous_lead_unit",
}
_TIME_KEYS = {
    "received_at",
    "dispatched_at",
    "contact_due",
    "completion_due",
    "acknowledged_at",
    "contacted_at",
    "extension_requested_due",
    "replied_at",
    "visited_at",
    "closed_at",
    "due",
    "proposed_due",
    "consultation_due",
    "contact_warn_at",
    "completion_warn_at",
}
_UNIT_LIST_KEYS = {"units", "no_answer"}
_VOCABULARIES: dict[str, dict] = {
    "status": STATUS_LABELS_ZH,
    "objection_from_status": STATUS_LABELS_ZH,
    "channel": CHANNEL_LABELS_ZH,
    "request_type": REQUEST_TYPE_LABELS_ZH,
    "urgency": URGENCY_LABELS_ZH,
    "reply_outcome": REPLY_OUTCOME_LABELS_ZH,
    "satisfaction": SATISFACTION_LABELS_ZH,
    "referral_reason": REFERRAL_REASON_LABELS_ZH,
    "method": CONTACT_METHOD_LABELS_ZH,
    "outcome": CONTACT_OUTCOME_LABELS_ZH,
    "grounds": OBJECTION_GROUNDS_LABELS_ZH,
    "position": POSITION_LABELS_ZH,
}
FIELD_LABELS_ZH.update(hl.FIELD_LABELS_ZH)
_UNIT_KEYS |= hl.UNIT_KEYS
_UNIT_LIST_KEYS |= hl.UNIT_LIST_KEYS
_TIME_KEYS |= hl.TIME_KEYS
_VOCABULARIES.update(hl.VOCABULARIES)


def label(vocabulary: dict, code: Any) -> str:
    """The Chinese label of ``code`` in ``vocabulary`` (StrEnum keys compare equal to strings)."""
    if code is None or code == "":
        return "—"
    return vocabulary.get(code, str(code))


def role_label(role: str) -> str:
    return label(ROLE_LABELS_ZH, Role(role)) if role in set(Role) else role


def fmt_time(value: datetime | str | None, city: CityConfig, *, seconds: bool = False) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:  # never stored so; show it as it is rather than guess
        return value.strftime("%Y-%m-%d %H:%M")
    return value.astimezone(city.tz).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def unit_name(city: CityConfig, code: str | None) -> str:
    if not code:
        return "—"
    unit = city.unit(code)
    return unit.name if unit else code


def unit_path(city: CityConfig, code: str | None) -> str:
    """``东区人民政府 › 东华街道 › 东华社区``: where a request happened, down from the district."""
    if not code:
        return "—"
    names = []
    unit = city.unit(code)
    if unit is None:
        return code
    while unit is not None and unit.kind is not UnitKind.CITY_GOVERNMENT:
        names.append(unit.name)
        unit = city.unit(unit.parent) if unit.parent else None
    return " › ".join(reversed(names))


def category_label(code: str | None) -> str:
    return code.replace("/", " / ") if code else "—"


def format_value(key: str, value: Any, city: CityConfig) -> str:
    """A field's or event datum's value, readable in Chinese."""
    if value is None or value == "":
        return "—"
    if key in _UNIT_KEYS:
        return unit_name(city, str(value))
    if key in _TIME_KEYS:
        return fmt_time(value, city)
    if key in _VOCABULARIES:
        return label(_VOCABULARIES[key], value)
    if key == "category":
        return category_label(str(value))
    if key in _UNIT_LIST_KEYS and isinstance(value, list | tuple):
        return "、".join(unit_name(city, str(c)) for c in value) or "—"
    if key == "positions" and isinstance(value, dict):
        return "；".join(
            f"{unit_name(city, code)}：{label(POSITION_LABELS_ZH, p) if p else '未回复'}"
            for code, p in value.items()
        )
    if key == "suggestion" and isinstance(value, dict):
        return suggestion_text(value, city)
    if key == "attachments" and isinstance(value, list | tuple):
        return "、".join(str(a)[:12] for a in value) or "—"
    if key == "tags" and isinstance(value, list | tuple):
        return "、".join(LIVELIHOOD_TAG_LABELS_ZH.get(t, t) for t in value) or "—"
    if isinstance(value, bool):
        return YES_NO[value]
    return str(value)


def suggestion_text(s: dict[str, Any], city: CityConfig) -> str:
    """What a dispatch event keeps of the suggestions, in a sentence."""
    if not s.get("suggested_unit"):
        return "无派单建议"
    score = s.get("score")
    text = f"首位建议{unit_name(city, s['suggested_unit'])}"
    if isinstance(score, int | float):
        text += f"（评分{score:.2f}）"
    if s.get("accepted"):
        text += "，已采纳"
    elif s.get("rank"):
        text += f"，改派建议中的第{s['rank']}位"
    else:
        text += "，改派建议以外的单位"
    if s.get("catalogue_version"):
        text += f"；派单目录第{s['catalogue_version']}版"
    return text


# --- deadlines --------------------------------------------------------------------------


def human_span(span: timedelta) -> str:
    minutes = int(abs(span).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{mins}分"
    return f"{mins}分钟" if mins else "不足1分钟"


@dataclass(frozen=True)
class Countdown:
    """A deadline as a coloured chip: ok (green), warn (yellow once the policy's
    ``handling_policy.warn_share`` of the time is used, as the deadline watch warns), late
    (red), met, met-late, none. ``warn_at`` lets the page's script turn it yellow live."""

    label: str
    due: datetime | None
    start: datetime | None
    done_at: datetime | None
    state: str
    text: str
    due_text: str
    warn_at: datetime | None = None


def countdown(
    label_zh: str,
    due: datetime | None,
    start: datetime | None,
    done_at: datetime | None,
    now: datetime,
    city: CityConfig,
) -> Countdown:
    if due is None:
        return Countdown(label_zh, None, start, done_at, "none", "未设定", "—")
    due_text = fmt_time(due, city)
    if done_at is not None:
        if done_at <= due:
            return Countdown(label_zh, due, start, done_at, "met", "按时完成", due_text)
        text = "超时" + human_span(done_at - due) + "完成"
        return Countdown(label_zh, due, start, done_at, "met-late", text, due_text)
    warn_at = warn_time(start, due, city.handling_policy.warn_share)
    left = due - now
    if left.total_seconds() < 0:
        state, text = "late", "已超期" + human_span(left)
    else:
        state = "warn" if warn_at is not None and now >= warn_at else "ok"
        text = "剩余" + human_span(left)
    return Countdown(label_zh, due, start, None, state, text, due_text, warn_at)


def ticket_countdowns(t, now: datetime, city: CityConfig) -> list[Countdown]:
    """The contact and completion deadlines of a ticket (``TicketOut``)."""
    if t.contact_due is None and t.completion_due is None:
        return []
    return [
        countdown("联系时限", t.contact_due, t.dispatched_at, t.contacted_at, now, city),
        countdown("办结时限", t.completion_due, t.dispatched_at, t.replied_at, now, city),
    ]


# --- timeline ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    at: str
    action: str
    action_label: str
    actor: str
    role: str
    unit: str
    from_status: str | None
    to_status: str
    reason: str | None
    details: list[tuple[str, str]]


# The status is shown as from → to; internal row ids are shown as ticket numbers in the data.
_QUIET_CHANGES = {"status", "merged_into_id", "original_ticket_id"} | hl.QUIET_CHANGES


def _same_time(value: Any, at: datetime) -> bool:
    try:
        return isinstance(value, str) and datetime.fromisoformat(value) == at
    except ValueError:
        return False


def timeline_rows(events: list[TimelineEvent], city: CityConfig) -> list[TimelineRow]:
    rows = []
    for e in events:
        details: list[tuple[str, str]] = []
        for key, value in (e.data or {}).items():
            if value is None or value == "" or key in hl.QUIET_KEYS:
                continue
            name = hl.ACTION_DATA_LABELS_ZH.get((e.action, key)) or FIELD_LABELS_ZH.get(key, key)
            details.append((name, format_value(key, value, city)))
        for key, (old, new) in (e.changes or {}).items():
            if key in _QUIET_CHANGES or (
                key in _TIME_KEYS and old is None and _same_time(new, e.at)
            ):
                continue  # the status is shown as from → to; "done at" is the event's own time
            old_text, new_text = format_value(key, old, city), format_value(key, new, city)
            text = new_text if old in (None, "") else f"{old_text} → {new_text}"
            details.append((FIELD_LABELS_ZH.get(key, key), text))
        rows.append(
            TimelineRow(
                at=fmt_time(e.at, city, seconds=True),
                action=e.action,
                action_label=ACTION_LABELS_ZH.get(e.action, e.action),
                actor=e.actor_username,
                role=role_label(e.actor_role),
                unit=unit_name(city, e.actor_unit_code),
                from_status=label(STATUS_LABELS_ZH, e.from_status) if e.from_status else None,
                to_status=label(STATUS_LABELS_ZH, e.to_status),
                reason=e.reason,
                details=details,
            )
        )
    return rows


def query_string(params, **overrides) -> str:
    """``?a=1&b=2`` from the current query with some keys replaced (None drops a key)."""
    from urllib.parse import urlencode

    merged = {k: v for k, v in params.items() if v not in (None, "")}
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + urlencode(merged) if merged else "?"
