"""What the assessment office's screens show (A1–A4, A6): the month picker, the ranking
with a second rule set beside it, the drill-down's rows and the trend chart drawn as
inline SVG on the server (no script, nothing downloaded).

Figures come from :mod:`jiesu.assessment` as computed there; this module only shapes them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jiesu.assessment.appeals import GROUNDS_LABELS_ZH
from jiesu.assessment.drilldown import TicketContribution
from jiesu.assessment.rankings import GROUP_LABELS_ZH, month
from jiesu.assessment.trends import MonthPoint, last_full_month, shift_month  # noqa: F401  (pages use av.shift_month)
from jiesu.city.config import CityConfig
from jiesu.domain.assessment import percent as pct  # noqa: F401  (pages use av.pct)
from jiesu.domain.errors import InvalidInput
from jiesu.domain.ticket import SATISFACTION_LABELS_ZH

from .handling_labels import VISIT_CHANNEL_LABELS_ZH
from .views import fmt_time, label, unit_name

GROUP_TABS = list(GROUP_LABELS_ZH.items())
DECISION_LABELS_ZH = {"pending": "待审核", "upheld": "申诉成立", "rejected": "申诉驳回"}
UNREACHABLE_LABELS_ZH = {"excluded": "不计入评价", "against": "计为未解决、不满意"}
BASE_LABELS_ZH = {
    "same_period_last_year": "去年同期",
    "previous_period": "上一期",
    "trailing_year": "此前十二个月月均",
}


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def points(value: float) -> str:
    """Proactive governance points as shown: +2, −0.5, or a dash for none."""
    if not value:
        return "—"
    return f"+{value:g}" if value > 0 else f"−{-value:g}"


def governance_text(g: Mapping[str, Any]) -> str:
    """What earned or cost a unit its governance points, in one line."""
    parts = [
        (g["topics_led"], "牵头每月一题达标结项"),
        (g["topics_co"], "配合每月一题达标结项"),
        (g["tasks_late"], "专题任务逾期"),
        (g["warnings_unanswered"], "预警逾期未反馈"),
    ]
    return "；".join(f"{what} {n} 项" for n, what in parts if n) or "本期无主动治理加减分事项"


def change_text(change: int | None) -> tuple[str, str]:
    """The change of rank as shown, and its CSS class: up, down, same, none."""
    if change is None:
        return "—", "none"
    if change > 0:
        return f"↑{change}", "up"
    if change < 0:
        return f"↓{-change}", "down"
    return "持平", "same"


def chosen_month(ctx, raw: str | None) -> tuple[str, str | None]:
    """The month asked for, or the last full month with the reason the question was not
    understood (shown as the page's problem)."""
    default = last_full_month(ctx)
    if not raw:
        return default, None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}", raw):
            raise InvalidInput("assessment.bad_period", "统计月份须为 YYYY-MM", "YYYY-MM")
        month(raw, ctx.city.tz)
    except InvalidInput:
        return default, f"统计月份“{raw[:16]}”有误，须为 YYYY-MM；已显示{default}"
    return raw, None


def rule_text(rules: Mapping[str, Any]) -> str:
    """A rule set in one line: weights, credit, unreachable, minimum volume, talks."""
    return (
        f"权重 响应{rules['response_weight']:g} · 解决{rules['resolution_weight']:g} · "
        f"满意{rules['satisfaction_weight']:g}；基本满意计{rules['basically_satisfied_credit']:g}；"
        f"无法联系{UNREACHABLE_LABELS_ZH.get(rules['unreachable'], rules['unreachable'])}；"
        f"诉求量少于{rules['min_volume']}件不排名；末{rules['talk_bottom']}名约谈；"
        + _governance_rule(rules["governance"])
    )


def _governance_rule(g: Mapping[str, float]) -> str:
    return (
        f"主动治理：牵头结项+{g['topic_lead']:g}、配合结项+{g['topic_co']:g}、"
        f"任务逾期−{g['late_task']:g}、预警逾期未反馈−{g['unanswered_warning']:g}"
        f"（加减各不超过{g['cap']:g}分）"
    )


def compared(main: Sequence[Mapping], other: Sequence[Mapping] | None) -> dict[str, Mapping]:
    """The second rule set's row of each unit, by unit code."""
    return {r["unit_code"]: r for r in other or ()}


# --- the drill-down -------------------------------------------------------------------------


def contribution_row(row: TicketContribution, city: CityConfig) -> dict[str, Any]:
    visits = [
        {
            "requester": v.requester_number,
            "own": v.requester_number == row.number,
            "status": v.status,
            "text": "无法联系"
            if v.status == "unreachable"
            else f"{'已解决' if v.solved else '未解决'} · {label(SATISFACTION_LABELS_ZH, v.satisfaction)}",
            "satisfaction": v.satisfaction or "",
            "solved": v.solved,
            "channel": label(VISIT_CHANNEL_LABELS_ZH, v.channel) if v.channel else "",
            "at": fmt_time(v.answered_at, city) if v.answered_at else "",
        }
        for v in row.visits
    ]
    return {
        "number": row.number,
        "title": row.title or "（无标题）",
        "category": row.category,
        "lead": unit_name(city, row.lead_unit_code),
        "dispatched": fmt_time(row.dispatched_at, city),
        "responded": row.responded,
        "contacted": fmt_time(row.contacted_at, city) if row.contacted_at else "未联系",
        "contact_due": fmt_time(row.contact_due, city),
        "excluded": row.excluded,
        "appeal": row.appeal,
        "appeal_label": DECISION_LABELS_ZH.get(row.appeal or "", ""),
        "visits": visits,
    }


def appeal_row(a: Mapping[str, Any], city: CityConfig) -> dict[str, Any]:
    decision = a.get("decision") or "pending"
    return {
        "id": a["id"],
        "number": a.get("number"),
        "unit": unit_name(city, a["unit_code"]),
        "grounds": label(GROUNDS_LABELS_ZH, a["grounds"]),
        "reason": a["reason"],
        "evidence": a.get("evidence") or "",
        "attachments": list(a.get("attachments") or []),
        "filed_at": fmt_time(a["filed_at"], city),
        "filed_by": a["filed_by"],
        "decision": decision,
        "decision_label": DECISION_LABELS_ZH[decision],
        "decided_at": fmt_time(a.get("decided_at"), city) if a.get("decided_at") else "",
        "reviewer": a.get("reviewer") or "",
        "review_reason": a.get("review_reason") or "",
    }


# --- the trend chart ------------------------------------------------------------------------

#: The four lines: key, label, colour (presentation attributes: no inline CSS needed).
SERIES = (
    ("score", "综合得分", "#143a6a"),
    ("response", "响应率", "#1a7f37"),
    ("resolution", "解决率", "#b26b00"),
    ("satisfaction", "满意率", "#c8102e"),
)
WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 40


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    colour: str
    segments: list[str]  # SVG polyline points; a month without a value breaks the line
    dots: list[dict[str, Any]]


def _value(p: MonthPoint, key: str) -> float | None:
    if key == "score":
        return p.rates.score
    rate = getattr(p.rates, key)
    return None if rate is None else rate * 100


def trend_chart(points: Sequence[MonthPoint]) -> dict[str, Any]:
    """Score (0–100) and the three rates (0–100 %) on one scale, month by month."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(1, len(points) - 1)

    def x(i: int) -> float:
        return round(LEFT + i * step, 1)

    def y(v: float) -> float:
        return round(TOP + (1 - v / 100) * inner_h, 1)

    lines = []
    for key, name, colour in SERIES:
        segments, current, dots = [], [], []
        for i, p in enumerate(points):
            v = _value(p, key)
            if v is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            current.append(f"{x(i)},{y(v)}")
            shown = f"{v:.2f}" if key == "score" else f"{v:.1f}%"
            dots.append({"x": x(i), "y": y(v), "title": f"{p.label} {name} {shown}"})
        if current:
            segments.append(" ".join(current))
        lines.append(Line(key, name, colour, segments, dots))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "grid": [{"y": y(v), "label": str(v)} for v in (0, 25, 50, 75, 100)],
        "months": [
            {"x": x(i), "label": p.label[2:], "y": HEIGHT - BOTTOM + 18}
            for i, p in enumerate(points)
        ],
        "lines": lines,
        "empty": all(not line.dots for line in lines),
    }
