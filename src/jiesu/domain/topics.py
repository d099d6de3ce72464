"""Monthly topics (每月一题, G2; BJ Art. 24): the rules, pure.

A **topic** is a long-running, hard problem that the hotline's data shows again and again
(say, property certificates, or prepaid-card refunds), taken up as a project: a lead unit
(主责单位) and co-units (配合单位), one plan and three lists (一方案三清单: the plan, the
problem list, the task list and the duty list), and the requests on it counted month by
month until they fall.

- **States** (:func:`transition`): *planned* (待启动) while the plan and lists are written;
  *active* (推进中) once launched; *closed* (已销号) once the requests have fallen and every
  task is done; *withdrawn* (已撤销) at any time before, with a reason.
- **Launch** needs the plan and each of the three lists (:func:`missing_for_launch`).
- **Progress** (:func:`judge_progress`): requests per day on the topic's matters, against
  the same rate over the baseline (the ``baseline_days`` before launch). Per day, so a
  February is not a fall and a history that starts mid-month still counts. The target is
  met when each of the last ``sustained_months`` full months after the launch month ran at
  or below ``(1 - target_drop)`` times the baseline rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import IllegalTransition, InvalidInput


class TopicState(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


TOPIC_STATE_LABELS_ZH = {
    TopicState.PLANNED: "待启动",
    TopicState.ACTIVE: "推进中",
    TopicState.CLOSED: "已销号",
    TopicState.WITHDRAWN: "已撤销",
}


class TopicAction(StrEnum):
    PROPOSE = "propose"
    EDIT_PLAN = "edit_plan"
    SET_UNITS = "set_units"
    ADD_ITEM = "add_item"
    FINISH_TASK = "finish_task"
    LAUNCH = "launch"
    CLOSE = "close"
    WITHDRAW = "withdraw"


TOPIC_ACTION_LABELS_ZH = {
    TopicAction.PROPOSE: "立题",
    TopicAction.EDIT_PLAN: "修改方案",
    TopicAction.SET_UNITS: "调整主责和配合单位",
    TopicAction.ADD_ITEM: "增加清单事项",
    TopicAction.FINISH_TASK: "完成任务",
    TopicAction.LAUNCH: "启动",
    TopicAction.CLOSE: "销号",
    TopicAction.WITHDRAW: "撤销",
}

#: State changes; every other action keeps the state and is allowed while the topic is
#: planned or active (a closed or withdrawn topic is a record, not a project).
TRANSITIONS = {
    (TopicState.PLANNED, TopicAction.LAUNCH): TopicState.ACTIVE,
    (TopicState.ACTIVE, TopicAction.CLOSE): TopicState.CLOSED,
    (TopicState.PLANNED, TopicAction.WITHDRAW): TopicState.WITHDRAWN,
    (TopicState.ACTIVE, TopicAction.WITHDRAW): TopicState.WITHDRAWN,
}
OPEN_STATES = frozenset({TopicState.PLANNED, TopicState.ACTIVE})
STATE_CHANGES = frozenset(action for _, action in TRANSITIONS)


def transition(state: TopicState, action: TopicAction) -> TopicState:
    """The state after ``action``; refused (409 ``topic.bad_state``) when not allowed."""
    if (state, action) in TRANSITIONS:
        return TRANSITIONS[(state, action)]
    if action not in STATE_CHANGES and action is not TopicAction.PROPOSE and state in OPEN_STATES:
        return state
    raise IllegalTransition(
        "topic.bad_state",
        f"题目{TOPIC_STATE_LABELS_ZH[state]}，不能{TOPIC_ACTION_LABELS_ZH[action]}",
        f"A {state.value} topic cannot be changed by {action.value}",
    )


class ItemList(StrEnum):
    """The three lists (三清单)."""

    PROBLEM = "problem"  # 问题清单: the concrete problems and places
    TASK = "task"  # 任务清单: what is to be done, by which unit, by when
    DUTY = "duty"  # 责任清单: what each unit answers for


ITEM_LIST_LABELS_ZH = {
    ItemList.PROBLEM: "问题清单",
    ItemList.TASK: "任务清单",
    ItemList.DUTY: "责任清单",
}


def missing_for_launch(plan: str, lists: set[ItemList]) -> list[str]:
    """What the topic still lacks of its plan and three lists (一方案三清单), in Chinese."""
    missing = [] if plan.strip() else ["工作方案"]
    return missing + [ITEM_LIST_LABELS_ZH[k] for k in ItemList if k not in lists]


def concerns(
    categories: list[str],
    keywords: list[str],
    places: set[str] | None,
    ticket: tuple[str, str, str, str | None],
) -> bool:
    """Is a request (category, title, text, location code) on a topic: its category is one
    of the topic's or under one, it mentions a keyword (when the topic has any) and it lies
    in the topic's territory (``places``, when it has one)? The same test as
    ``governance.topic_figures.topic_rows`` makes in SQL."""
    category, title, content, location = ticket
    if not any(category == c or category.startswith(c + "/") for c in categories):
        return False
    if keywords and not any(k in title or k in content for k in keywords):
        return False
    return places is None or location in places


@dataclass(frozen=True)
class TrackingRule:
    """How a topic's fall is judged; chosen per topic when it is proposed."""

    baseline_days: int = 90  # the baseline: this many days before launch
    target_drop: float = 0.3  # requests per day must fall by this share of the baseline
    sustained_months: int = 2  # ... in each of this many full months after the launch month
    min_baseline_days: int = 14  # a shorter baseline (a young history) judges nothing

    def __post_init__(self) -> None:
        if not 7 <= self.baseline_days <= 730:
            raise _bad_rule("baseline_days", "基线天数应在 7–730 之间")
        if not 0 < self.target_drop < 1:
            raise _bad_rule("target_drop", "下降目标应在 0 与 1 之间（不含）")
        if not 1 <= self.sustained_months <= 12:
            raise _bad_rule("sustained_months", "持续月数应在 1–12 之间")
        if not 1 <= self.min_baseline_days <= self.baseline_days:
            raise _bad_rule("min_baseline_days", "最短基线天数应在 1 与基线天数之间")


def _bad_rule(field: str, zh: str) -> InvalidInput:
    return InvalidInput("topic.bad_rule", zh, f"{field} is out of range", field=field)


@dataclass(frozen=True)
class Span:
    """Requests on the topic over a stretch of time."""

    label: str
    requests: int
    days: float

    @property
    def per_day(self) -> float | None:
        return self.requests / self.days if self.days > 0 else None


@dataclass(frozen=True)
class Progress:
    baseline_per_day: float | None  # None: too little history before launch
    target_per_day: float | None
    latest: Span | None  # the last full month after the launch month
    change: float | None  # latest against the baseline, e.g. -0.35
    months_at_target: int  # full months after launch month at or below target, counting back
    met: bool
    reason_zh: str


def judge_progress(baseline: Span | None, months: list[Span], rule: TrackingRule) -> Progress:
    """Has the topic's volume fallen? ``months``: the full months after the launch month,
    oldest first."""
    if baseline is None or baseline.days < rule.min_baseline_days or not baseline.requests:
        return Progress(None, None, months[-1] if months else None, None, 0, False,
                        f"启动前不足 {rule.min_baseline_days} 天的诉求记录，无法判断是否下降")  # fmt: skip
    base = baseline.per_day or 0.0
    target = base * (1 - rule.target_drop)
    at_target = 0
    for span in reversed(months):
        if span.per_day is None or span.per_day > target:
            break
        at_target += 1
    latest = months[-1] if months else None
    change = (latest.per_day - base) / base if latest and latest.per_day is not None else None
    met = at_target >= rule.sustained_months
    need = f"连续 {rule.sustained_months} 个整月日均不高于 {target:.2f} 件（基线的 {1 - rule.target_drop:.0%}）"
    if met:
        reason = f"已达到销号条件：{need}"
    elif latest is None:
        reason = f"启动后尚无整月；销号条件：{need}"
    else:
        reason = f"已有 {at_target} 个整月达标；销号条件：{need}"
    return Progress(base, target, latest, change, at_target, met, reason)
