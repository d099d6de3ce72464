"""HTML forms generated from the actions' pydantic input models, and posted forms read back.

The action registry already says what each action takes; this module turns
a model's fields into widgets (enums become selects with Chinese labels,
datetimes ``datetime-local`` inputs read in the city's zone) and a posted
form into that model. Validation stays with the model and the domain.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo

from annotated_types import MaxLen
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from jiesu.actions import ActionSpec
from jiesu.domain.commands import (
    REFERRAL_REASON_LABELS_ZH,
    Action,
    ContactMethod,
    ContactOutcome,
    ReferralReason,
)
from jiesu.domain.ticket import (
    CONTEST_KIND_LABELS_ZH,
    POSITION_LABELS_ZH,
    REPLY_OUTCOME_LABELS_ZH,
    SATISFACTION_LABELS_ZH,
    ContestKind,
    Position,
    ReplyOutcome,
    Satisfaction,
)

from .views import (
    CONTACT_METHOD_LABELS_ZH,
    CONTACT_OUTCOME_LABELS_ZH,
    FIELD_LABELS_ZH,
    OBJECTION_GROUNDS_LABELS_ZH,
)

ENUM_LABELS: dict[type, dict] = {
    ReferralReason: REFERRAL_REASON_LABELS_ZH,
    ReplyOutcome: REPLY_OUTCOME_LABELS_ZH,
    Satisfaction: SATISFACTION_LABELS_ZH,
    ContactMethod: CONTACT_METHOD_LABELS_ZH,
    ContactOutcome: CONTACT_OUTCOME_LABELS_ZH,
    Position: POSITION_LABELS_ZH,
    ContestKind: CONTEST_KIND_LABELS_ZH,
}
LITERAL_LABELS = {**OBJECTION_GROUNDS_LABELS_ZH}

#: Labels of action input fields where they differ from the ticket field of the same name.
INPUT_LABELS = {
    "reason": "说明",
    "answer": "答复内容",
    "source": "知识库条目及版本",
    "destination": "转至何处或告知的渠道",
    "lead_unit_code": "主办单位",
    "unit_code": "协办单位",
    "outcome": "结果",
    "text": "办理情况",
    "new_due": "延期至",
    "contacted": "承办单位是否联系了诉求人",
    "solved": "问题是否解决",
    "comment": "诉求人意见",
    "co_handlers": "协办单位",
    "article_id": "知识库条目编号",
    "original_number": "原工单编号（重复诉求）",
    "into_number": "并入的工单编号",
    "request_type": "诉求类型",
    "category": "事项分类",
    "tags": "七有五性标签",
    "referral_reason": "分类处置情形",
    "unit_codes": "邀请会商的单位",
    "position": "本单位意见",
}
#: What "reason" means for each action (the domain decides whether it is required).
REASON_LABELS = {
    Action.RAISE_OBJECTION: "异议理由",
    Action.UPHOLD_OBJECTION: "审核意见",
    Action.REJECT_OBJECTION: "驳回理由",
    Action.REQUEST_EXTENSION: "延期理由",
    Action.REFUSE_EXTENSION: "不同意理由",
    Action.REOPEN: "重办理由",
    Action.DISPATCH: "派单说明",
    Action.START_CONSULTATION: "会商事项",
    Action.GIVE_POSITION: "意见说明",
    Action.DECIDE_CONSULTATION: "会商结论",
    Action.CONTEST_REQUEST: "申请理由",
    Action.DECIDE_CONTEST: "认定意见",
    Action.URGE: "督办意见",
    Action.RAISE_WHISTLE: "吹哨事由",
    Action.REPORT_IN: "报到及处置情况",
    Action.CLOSE_WHISTLE: "吹哨处置结果",
    Action.ESCALATE: "提请协调的理由",
    Action.DECIDE_ESCALATION: "协调意见",
}
#: Actions whose reason the domain requires: the form marks it required too.
REASON_REQUIRED = frozenset(
    {
        Action.CONTEST_REQUEST,
        Action.DECIDE_CONTEST,
        Action.URGE,
        Action.RAISE_WHISTLE,
        Action.REPORT_IN,
        Action.CLOSE_WHISTLE,
        Action.ESCALATE,
        Action.DECIDE_ESCALATION,
    }
)
#: Field labels that depend on the action.
ACTION_FIELD_LABELS = {
    (Action.CONTACT, "outcome"): "联系结果",
    (Action.REPLY, "outcome"): "办结结果",
    (Action.UPHOLD_OBJECTION, "lead_unit_code"): "重派至主办单位",
    (Action.RELEASE_IDENTITY, "unit_code"): "披露给承办单位",
    (Action.START_CONSULTATION, "due"): "意见回复期限（缺省按会商政策）",
    (Action.DECIDE_CONSULTATION, "lead_unit_code"): "定派主办单位",
    (Action.PROGRESS_REPORT, "text"): "阶段性办理情况",
    (Action.CONTEST_REQUEST, "kind"): "申请类型",
    (Action.DECIDE_CONTEST, "accepted"): "是否认定",
    (Action.RAISE_WHISTLE, "unit_codes"): "召集的部门",
    (Action.RAISE_WHISTLE, "report_due"): "报到时限（缺省按政策）",
    (Action.ESCALATE, "authority_unit_code"): "提请协调的单位",
    (Action.DECIDE_ESCALATION, "lead_unit_code"): "确定主办单位",
    (Action.REPLY, "attachments"): "办理附件（照片、文件）",
}
UNIT_FIELDS = {"lead_unit_code", "unit_code"}
UNIT_LIST_FIELDS = {"unit_codes"}
#: Lists of attachments (SHA-256s): a file input; the route stores the files and fills these.
FILE_FIELDS = {"attachments"}
#: Actions offered folded: the exceptions, not the usual next step.
SECONDARY = frozenset(
    {
        Action.ANSWER_DIRECTLY,
        Action.REFER,
        Action.RAISE_OBJECTION,
        Action.ADD_CO_HANDLER,
        Action.REQUEST_EXTENSION,
        Action.REOPEN,
        Action.MERGE,
        Action.RECLASSIFY,
        Action.RELEASE_IDENTITY,
        Action.START_CONSULTATION,
        Action.PROGRESS_REPORT,
        Action.CONTEST_REQUEST,
        Action.RAISE_WHISTLE,
        Action.ESCALATE,
    }
)
CO_HANDLER_ROWS = 3  # blank co-handler rows offered on the dispatch form
UNIT_LIST_ROWS = 6  # unit pickers offered for a list of units (the units invited to consult)
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


@dataclass
class Widget:
    """One input of a form. ``kind``: text, textarea, select, bool, datetime, number, unit,
    units (several unit pickers, ``name.0``, ``name.1``…), co_handlers, files (a file
    input; ``value`` keeps the SHA-256s of files already stored). ``groups`` replaces the
    form's usual unit groups for this widget's pickers."""

    name: str
    label: str
    kind: str
    required: bool = False
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: str = ""
    maxlength: int | None = None
    rows: list[dict[str, str]] = field(default_factory=list)  # co_handlers only
    values: list[str] = field(default_factory=list)  # units only: one per picker
    groups: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


@dataclass
class ActionForm:
    action: str
    label: str
    widgets: list[Widget]
    version: int
    errors: list[str] = field(default_factory=list)
    secondary: bool = False

    @property
    def multipart(self) -> bool:
        return any(w.kind == "files" for w in self.widgets)


class FormError(Exception):
    """A posted form that does not fit its model; ``messages`` are in Chinese."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → ``X``."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _max_length(info: FieldInfo) -> int | None:
    return next((m.max_length for m in info.metadata if isinstance(m, MaxLen)), None)


def field_label(name: str, action: Action | None = None) -> str:
    if name == "reason" and action in REASON_LABELS:
        return REASON_LABELS[action]  # type: ignore[index]
    if (action, name) in ACTION_FIELD_LABELS:
        return ACTION_FIELD_LABELS[(action, name)]  # type: ignore[index]
    return INPUT_LABELS.get(name) or FIELD_LABELS_ZH.get(name) or name


def _widget(name: str, info: FieldInfo, action: Action | None) -> Widget:
    annotation = _unwrap(info.annotation)
    w = Widget(name=name, label=field_label(name, action), kind="text", required=info.is_required())
    w.maxlength = _max_length(info)
    if name in UNIT_FIELDS:
        w.kind = "unit"
    elif name in FILE_FIELDS:
        w.kind = "files"
    elif annotation is datetime:
        w.kind = "datetime"
    elif annotation is bool:
        w.kind, w.choices = "bool", [("true", "是"), ("false", "否")]
    elif annotation is int:
        w.kind = "number"
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        labels = ENUM_LABELS.get(annotation, {})
        w.kind, w.choices = "select", [(str(m), labels.get(m, str(m))) for m in annotation]
    elif get_origin(annotation) is Literal:
        w.kind = "select"
        w.choices = [(str(a), LITERAL_LABELS.get(str(a), str(a))) for a in get_args(annotation)]
    elif name in UNIT_LIST_FIELDS:
        w.kind = "units"
    elif get_origin(annotation) is list:
        w.kind = "co_handlers"
    elif w.maxlength is None or w.maxlength > 500:
        w.kind = "textarea"
    if w.kind in ("select", "bool") and not w.required:
        w.choices = [("", "（不填）"), *w.choices]
    default = info.get_default(call_default_factory=True)
    if not w.required and default not in (None, "", []) and w.kind not in ("co_handlers", "units"):
        w.value = str(default).lower() if isinstance(default, bool) else str(default)
    if name == "reason" and action in REASON_REQUIRED:
        w.required = True
    return w


def action_form(
    spec: ActionSpec,
    version: int,
    values: Mapping[str, str] | None = None,
    errors=(),
    *,
    choices: Mapping[str, list[tuple[str, str]]] | None = None,
    groups: Mapping[str, list] | None = None,
) -> ActionForm:
    """The form of one action; ``values`` refill it after a refused submission. ``choices``
    turn a field into a select of those (code, label) pairs (the authorities a ticket may be
    escalated to); ``groups`` give a unit field its own picker groups (whom a whistle may
    summon)."""
    widgets = []
    for name, info in spec.input_model.model_fields.items():
        if name == "expected_version":
            continue
        w = _widget(name, info, spec.action)
        if choices and name in choices:
            w.kind, w.choices = "select", list(choices[name])
        if groups and name in groups:
            w.groups = list(groups[name])
        if w.kind == "co_handlers":
            w.rows = [
                {
                    key: (values or {}).get(f"co_handlers.{i}.{key}", "")
                    for key in ("unit_code", "task", "due")
                }
                for i in range(CO_HANDLER_ROWS)
            ]
        elif w.kind == "units":
            w.values = [(values or {}).get(f"{name}.{i}", "") for i in range(UNIT_LIST_ROWS)]
        elif values is not None:
            w.value = values.get(name, "")
        widgets.append(w)
    # Put the free-text reason last: the specific fields come first.
    widgets.sort(key=lambda w: w.name == "reason")
    return ActionForm(
        str(spec.action),
        spec.action.label_zh,
        widgets,
        version,
        list(errors),
        secondary=spec.action in SECONDARY,
    )


# --- reading posted forms -----------------------------------------------------------------


def local_datetime(raw: str, tz: ZoneInfo) -> datetime | str:
    """A ``datetime-local`` value read in the city's zone; unparsable text goes on to pydantic."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def _read_field(annotation: Any, raw: str, tz: ZoneInfo) -> Any:
    return local_datetime(raw, tz) if _unwrap(annotation) is datetime else raw


def _read_model(model: type[BaseModel], form: Mapping[str, str], prefix: str, tz: ZoneInfo) -> dict:
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        raw = form.get(prefix + name)
        if raw is None or not str(raw).strip():
            continue  # absent: the model's default applies, or it reports the field missing
        data[name] = _read_field(info.annotation, str(raw).strip(), tz)
    return data


def parse_action(spec: ActionSpec, form: Mapping[str, str], tz: ZoneInfo) -> Any:
    """The action's input model from a posted form, or FormError."""
    model = spec.input_model
    data = _read_model(model, form, "", tz)
    for name in FILE_FIELDS & set(model.model_fields):
        data[name] = str(form.get(name) or "").split()  # SHA-256s of the stored files
    for name in UNIT_LIST_FIELDS & set(model.model_fields):
        picked = [str(form.get(f"{name}.{i}") or "").strip() for i in range(UNIT_LIST_ROWS)]
        data[name] = list(dict.fromkeys(code for code in picked if code))  # each unit once
    co_info = model.model_fields.get("co_handlers")
    if co_info is not None:
        (row_model,) = get_args(_unwrap(co_info.annotation))
        rows = []
        for i in range(CO_HANDLER_ROWS):
            row = _read_model(row_model, form, f"co_handlers.{i}.", tz)
            if row:
                rows.append(row)
        data["co_handlers"] = rows
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FormError(zh_errors(exc, spec.action)) from None


def zh_errors(
    exc: ValidationError, action: Action | None = None, labels: Mapping[str, str] | None = None
) -> list[str]:
    """Pydantic's errors as short Chinese sentences naming the field."""
    messages = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if p != "body"]
        name = str(loc[0]) if loc else ""
        where = (labels or {}).get(name) or (field_label(name, action) if name else "表单")
        if len(loc) >= 3 and loc[0] == "co_handlers":
            where = f"协办单位第{int(loc[1]) + 1}行的{field_label(str(loc[2]))}"
        messages.append(f"{where}：{_problem(err)}")
    return messages


def _problem(err: dict) -> str:
    kind, c = err["type"], err.get("ctx") or {}
    if kind == "missing":
        return "必须填写"
    if kind == "string_too_short":
        return "不能为空" if c.get("min_length", 1) <= 1 else f"至少{c['min_length']}个字"
    if kind == "string_too_long":
        return f"不能超过{c.get('max_length')}个字"
    if kind == "too_short":
        return "请至少选择一项" if c.get("min_length", 1) <= 1 else f"至少{c['min_length']}项"
    if kind == "too_long":
        return f"不能超过{c.get('max_length')}项"
    if kind in ("enum", "literal_error"):
        return "请从选项中选择"
    if kind.startswith("datetime") or kind.startswith("date_"):
        return "时间格式有误"
    if kind == "bool_parsing":
        return "请选择是或否"
    if kind in ("int_parsing", "int_type", "float_parsing"):
        return "须为数字"
    if kind == "string_pattern_mismatch":
        return "格式有误"
    if kind in ("greater_than_equal", "less_than_equal"):
        return "超出范围"
    if kind == "extra_forbidden":
        return "不应填写"
    return str(err.get("msg", "填写有误"))
