"""Appeals against proactive governance charges in the console (A2, A6): the charged unit
appeals from its assessment page (each late task or warning answered late is listed there
with a reason box); the office decides on the appeals page. Every step is
:mod:`jiesu.assessment.governance_appeals`, the functions behind the API; a refusal is
shown with its Chinese message and code.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from jiesu.api.deps import ContextDep
from jiesu.assessment import governance_appeals as gap
from jiesu.assessment.governance import KIND_LABELS_ZH, TASK, Charge, charges
from jiesu.assessment.rankings import GROUPS, Period, owner
from jiesu.city.config import CityConfig
from jiesu.domain.errors import InvalidInput
from jiesu.storage.types import is_row_number, whole_number

from .refusals import REFUSALS, Problem, refusal
from .views import fmt_time, unit_name
from .web import PostedForm, PostSession, redirect, render

router = APIRouter(include_in_schema=False)
BASE = "/console/assessment/governance-appeals"
DECISIONS_ZH = {
    None: "",
    "pending": "申诉待审核",
    "upheld": "申诉成立，不扣分",
    "rejected": "申诉驳回",
}


def charge_rows(ctx, period: Period, group: str | None, code: str, viewer_unit: str) -> list[dict]:
    """The charges of ``period`` that ``code`` answers for in ``group`` (None: a unit not
    ranked on its own, its own charges), as shown on its page; ``may_appeal`` for the
    charged unit's own users."""
    window_from = ctx.now() - timedelta(days=ctx.city.appeal_policy.window_days)
    return [
        _charge_row(ctx.city, c, viewer_unit, c.deadline >= window_from)
        for c in charges(ctx, period.start, period.end)
        if (owner(ctx.city, c.unit_code, GROUPS[group]) if group else c.unit_code) == code
    ]


def _deadline(city: CityConfig, c: Charge) -> str:
    """A task is due by the end of its due day: that day, not the midnight after it, which
    read as the day itself; a warning's answer is due at a time."""
    if c.kind == TASK:
        return f"{(c.deadline - timedelta(microseconds=1)).astimezone(city.tz):%Y-%m-%d} 当日"
    return fmt_time(c.deadline, city)


def _charge_row(city: CityConfig, c: Charge, viewer_unit: str, open_: bool) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "item_id": c.item_id,
        "kind_zh": KIND_LABELS_ZH[c.kind],
        "what": c.what,
        "topic_id": c.topic_id,
        "unit": unit_name(city, c.unit_code),
        "deadline": _deadline(city, c),
        "appeal": c.appeal,
        "appeal_zh": DECISIONS_ZH[c.appeal],
        "may_appeal": open_ and c.appeal is None and c.unit_code == viewer_unit,
    }


def appeal_rows(ctx, actor, everything: bool) -> list[dict[str, Any]]:
    return [
        a
        | {
            "unit": unit_name(ctx.city, a["unit_code"]),
            "filed": fmt_time(a["filed_at"], ctx.city),
            "decided": fmt_time(a["decided_at"], ctx.city) if a["decided_at"] else "",
            "decision_zh": DECISIONS_ZH[a["decision"] or "pending"],
        }
        for a in reversed(gap.listing(ctx, actor, pending_only=not everything))
    ]


def _refused(request, session, exc) -> Response:
    found = refusal(exc)
    problem: Problem = found["problem"]
    return render(request, "error.html", session=session, problem=problem,
                  status_code=found["status_code"])  # fmt: skip


@router.post(BASE)
def file(request: Request, ctx: ContextDep, session: PostSession, form: PostedForm) -> Response:
    values = {k: str(v).strip() for k, v in form.items() if k != "csrf_token"}
    back = values.get("back", "")
    back = back if back.startswith("/console/assessment/") else "/console/assessment/mine"
    try:
        item = values.get("item_id", "")
        if not is_row_number(whole_number(item) or 0):
            raise InvalidInput("input.invalid", "申诉事项有误", "No such charge")
        gap.file(ctx, session.user.actor, values.get("kind", ""), int(item),
                 values.get("reason", ""))  # fmt: skip
    except REFUSALS as exc:
        return _refused(request, session, exc)
    return redirect(back, flash="已就该项扣分提出申诉，等待考评办审核")


@router.post(BASE + "/{appeal_id}/decide")
def decide(appeal_id: int, request: Request, ctx: ContextDep, session: PostSession,
           form: PostedForm) -> Response:  # fmt: skip
    upheld = form.get("upheld")
    try:
        if upheld not in ("true", "false"):
            raise InvalidInput("input.required", "审核结论：请选择申诉成立或驳回", "Decide")
        gap.decide(ctx, session.user.actor, appeal_id, upheld == "true",
                   str(form.get("reason", "")))  # fmt: skip
    except REFUSALS as exc:
        return _refused(request, session, exc)
    outcome = "申诉成立，该项不再扣分" if upheld == "true" else "申诉驳回"
    return redirect("/console/assessment/appeals", flash=f"扣分申诉 #{appeal_id}：{outcome}")
