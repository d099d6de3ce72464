"""The citizen's pages behind the SMS links, no login, for a phone's screen:

* ``/visit/{id}?exp=&sig=`` — the return visit (A1): what the unit replied, and the three
  questions; posting the form answers, once. The signed link is the credential (as the
  channel key is for public intake): the form posts back to the same signed URL and carries
  no session, so there is nothing for a cross-site request to borrow.
* ``/track/{number}?code=`` — live tracking (H9): the request's public steps only, and
  while the requester's return visit is pending, a link to evaluate on the web (A1).

Both are the API's use cases (:mod:`jiesu.followup.links`, :mod:`jiesu.handling.tracking`),
with its errors as pages: a forged or unknown link 404, an expired one 410, a visit already
answered 409.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from jiesu.api.deps import ContextDep
from jiesu.domain.errors import Conflict, Gone, JiesuError, NotFound
from jiesu.domain.ticket import SATISFACTION_LABELS_ZH
from jiesu.followup import links, visits
from jiesu.handling.tracking import public_timeline
from jiesu.storage.tables import tickets as t
from jiesu.storage.types import whole_number

from . import views
from .refusals import REFUSALS, Problem, refusal
from .web import PostedForm, render

router = APIRouter(include_in_schema=False)
#: Answers in the citizen's words (the form's labels).
QUESTION_LABELS = {
    "contacted": "承办单位是否与您联系",
    "solved": "问题是否已解决",
    "satisfaction": "满意程度",
    "comment": "意见或建议",
}
#: The page's heading and advice for each refusal (by code).
TITLES = {
    "visit.bad_link": "链接无效",
    "visit.already_answered": "您已评价过",
    "visit.link_expired": "链接已过期",
}
HINTS = {
    "visit.bad_link": "请核对短信中的链接是否完整。如需帮助，请拨打12345。",
    "visit.already_answered": "每次回访只能评价一次。感谢您的反馈！如问题仍未解决，欢迎拨打12345。",
    "visit.link_expired": "该回访链接已超过有效期。如需评价或反映问题，请拨打12345。",
}


def _message(request, ctx, exc: JiesuError) -> Response:
    return render(
        request,
        "public/message.html",
        heading=TITLES.get(exc.code, "暂时无法完成"),
        hint=HINTS.get(exc.code, "请稍后再试，或拨打12345。"),
        problem=Problem.of(exc),
        city=ctx.city,
        status_code=exc.status,
    )


def _link(visit_id: str, exp: str | None, sig: str | None) -> tuple[int, int, str]:
    """The visit and the link's expiry and signature, if they look like a link at all."""
    number = whole_number(visit_id)
    stamp = exp is not None and exp.isascii() and exp.isdigit() and len(exp) <= 12  # a time
    if not (number and stamp and sig and len(sig) <= 64):
        raise NotFound("visit.bad_link", "回访链接无效", "This evaluation link is not valid")
    return number, int(exp), sig


def _summary(ctx, visit_id: int) -> dict[str, Any]:
    """The requester's own request: category, title, when it was received."""
    row = visits.visit_row(ctx, visit_id)
    own = row.requester_ticket_id or row.ticket_id
    with ctx.engine.connect() as conn:
        r = conn.execute(
            select(t.c.number, t.c.title, t.c.category, t.c.received_at).where(t.c.id == own)
        ).one()
    return {
        "number": r.number,
        "title": r.title or "",
        "category": views.category_label(r.category),
        "received": views.fmt_time(r.received_at, ctx.city),
    }


def _via(request) -> str:
    """``web`` when the requester came from the tracking page, else the SMS's link."""
    return "web" if request.query_params.get("via") == "web" else "sms"


def _visit_page(request, ctx, visit_id, exp, sig, *, values=None, problem=None, status_code=200):
    view = links.show(ctx, visit_id, exp, sig)  # visit.bad_link, visit.link_expired
    if view["answered"]:
        raise Conflict(
            "visit.already_answered", "您已评价过，感谢您的反馈", "This visit was already answered"
        )
    return render(
        request,
        "public/visit.html",
        v=view,
        s=_summary(ctx, visit_id),
        action=f"/visit/{visit_id}?exp={exp}&sig={sig}"
        + ("&via=web" if _via(request) == "web" else ""),
        satisfactions=list(SATISFACTION_LABELS_ZH.items()),
        labels=QUESTION_LABELS,
        values=values or {},
        city=ctx.city,
        problem=problem,
        status_code=status_code,
    )


@router.get("/visit/{visit_id}", response_class=HTMLResponse)
def visit_form(visit_id: str, request: Request, ctx: ContextDep) -> Response:
    q = request.query_params
    try:
        vid, exp, sig = _link(visit_id, q.get("exp"), q.get("sig"))
        return _visit_page(request, ctx, vid, exp, sig)
    except (NotFound, Gone, Conflict) as exc:
        return _message(request, ctx, exc)


@router.post("/visit/{visit_id}", response_class=HTMLResponse)
def visit_answer(visit_id: str, request: Request, ctx: ContextDep, form: PostedForm) -> Response:
    q = request.query_params
    values = {k: str(form.get(k) or "").strip() for k in QUESTION_LABELS}
    try:
        vid, exp, sig = _link(visit_id, q.get("exp"), q.get("sig"))
        try:
            answers = links.Answers.model_validate(
                {k: v for k, v in values.items() if v or k == "comment"}
            )
            done = links.answer(ctx, vid, exp, sig, answers, _via(request))
        except (NotFound, Gone, Conflict):
            raise  # the link itself: a message, not the form
        except REFUSALS as exc:  # the answers, or the ticket's rules: the form again
            refused = refusal(exc, labels=QUESTION_LABELS)
            return _visit_page(request, ctx, vid, exp, sig, values=values, **refused)
    except (NotFound, Gone, Conflict) as exc:
        return _message(request, ctx, exc)
    return render(
        request,
        "public/thanks.html",
        v=done,
        answer=values,
        satisfaction=views.label(SATISFACTION_LABELS_ZH, values["satisfaction"]),
        city=ctx.city,
    )


@router.get("/track/{number}", response_class=HTMLResponse)
def track(number: str, request: Request, ctx: ContextDep) -> Response:
    code = (request.query_params.get("code") or "")[:64]
    try:
        found = public_timeline(ctx, number, code)
    except NotFound as exc:
        return render(
            request,
            "public/message.html",
            heading="未找到该诉求",
            hint="请核对短信中的链接是否完整。如需帮助，请拨打12345。",
            problem=Problem.of(exc),
            city=ctx.city,
            status_code=404,
        )
    return render(
        request,
        "public/track.html",
        tr=found,
        steps=list(reversed(found["steps"])),
        category=views.category_label(found["category"]),
        received=views.fmt_time(found["received_at"], ctx.city),
        expected=views.fmt_time(found["expected_by"], ctx.city) if found["expected_by"] else "",
        fmt=lambda at: views.fmt_time(at, ctx.city),
        evaluate=links.web_link(ctx, number),
        city=ctx.city,
    )
