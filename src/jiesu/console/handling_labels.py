"""Chinese words for what handling adds to a ticket and its timeline (H1–H8): the fields
of the whistle, escalation, contests and urging, and the data their events record.

``views`` merges these into its tables, so the timeline reads them like every other step.
"""

from __future__ import annotations

from jiesu.domain.ticket import CONTEST_KIND_LABELS_ZH, STATUS_LABELS_ZH

CONTEST_STATUS_LABELS_ZH = {"pending": "待认定", "accepted": "已认定", "rejected": "不予认定"}
REPORTER_LABELS_ZH = {"lead": "主办单位", "co_handler": "协办单位"}
VISIT_STATUS_LABELS_ZH = {"pending": "待回访", "answered": "已回访", "unreachable": "无法联系"}
VISIT_CHANNEL_LABELS_ZH = {"phone": "电话", "sms": "短信", "web": "网页"}

FIELD_LABELS_ZH = {
    # ticket fields
    "urge_count": "督办次数",
    "whistle_round": "吹哨轮次",
    "whistle_open": "吹哨进行中",
    "escalated_to": "提请协调至",
    "escalated_from_status": "协调前状态",
    "contest_kind": "申请类型",
    "contest_reason": "申请理由",
    "contest_status": "认定状态",
    "warn_share": "预警比例",
    # event data
    "as": "反馈身份",
    "text": "阶段性办理情况",
    "kind": "申请类型",
    "accepted": "是否认定",
    "urge": "督办次序",
    "overdue": "是否已超期",
    "round": "轮次",
    "report_due": "报到时限",
    "reported": "已报到的部门",
    "absent": "未报到的部门",
    "authority": "协调单位",
    "attachments": "附件",
    "visits_due": "回访时间",
    "attempt": "回访次数",
}
#: Labels of event data that depend on the action.
ACTION_DATA_LABELS_ZH = {
    ("raise_whistle", "units"): "召集的部门",
    ("raise_whistle", "round"): "吹哨轮次",
    ("report_in", "round"): "吹哨轮次",
    ("close_whistle", "round"): "吹哨轮次",
    ("report_in", "unit"): "报到部门",
    ("report_in", "late"): "是否逾期报到",
    ("progress_report", "unit"): "反馈单位",
    ("record_visit", "round"): "办理轮次",
}
UNIT_KEYS = {"authority", "escalated_to"}
UNIT_LIST_KEYS = {"reported", "absent"}
TIME_KEYS = {"report_due", "visits_due"}
#: Row ids, not for people: left out of the timeline.
QUIET_KEYS = {"visit", "requester_ticket"}
#: Ticket fields whose change the step itself says (吹哨 opens a whistle, the round is in
#: its data): left out of the timeline's changes.
QUIET_CHANGES = {"whistle_round", "whistle_open"}
VOCABULARIES: dict[str, dict] = {
    "escalated_from_status": STATUS_LABELS_ZH,
    "contest_kind": CONTEST_KIND_LABELS_ZH,
    "kind": CONTEST_KIND_LABELS_ZH,
    "contest_status": CONTEST_STATUS_LABELS_ZH,
    "as": REPORTER_LABELS_ZH,
}
