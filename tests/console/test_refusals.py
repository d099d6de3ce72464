"""A refused posted form comes back as the page that posted it (``console.refusals``): the
Chinese messages, the code, the 4xx status and the user's input kept. The paths here are the
ones no other console test refuses: the appeal forms' own checks, an unknown visit, a
catalogue removal and a whistle report on the board (their messages name what was refused),
the knowledge base's editor, review and answer forms, and a domain refusal on the citizen's
evaluation page."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel, Field, ValidationError

from jiesu.console import uploads
from jiesu.console.forms import FormError
from jiesu.console.refusals import Problem, refusal
from jiesu.domain.errors import Conflict, InvalidInput
from jiesu.followup import links
from tests.knowledge.helpers import create as create_article
from tests.knowledge.helpers import publish

from .helpers import act, csrf, login
from .test_assessment_console import (  # noqa: F401 - fixtures
    BAD,
    alert,
    as_user,
    handled,
    office,
    office_city,
)
from .test_handling_console import _at_street
from .test_visit_console import ANSWERS, _links

APPEALS = "/console/assessment/appeals"
REASON = "现场照片显示电梯已修复"


# --- the shared conversion ------------------------------------------------------------------


class _Model(BaseModel):
    note: str = Field(min_length=1)


def test_each_kind_of_refusal_becomes_the_pages_keywords():
    conflict = Conflict("ticket.version_conflict", "工单已被他人修改", "Changed")
    assert refusal(conflict) == {
        "problem": Problem(["工单已被他人修改"], "ticket.version_conflict"),
        "status_code": 409,
    }
    form = FormError(["办理情况：必须填写"])
    refused = refusal(form, about="工单 A1")
    assert refused == {
        "problem": Problem(["工单 A1：办理情况：必须填写"], "input.invalid"),
        "status_code": 422,
    }
    refusal(form)["problem"].messages.append("另一条")  # the page's list, not the error's
    assert form.messages == ["办理情况：必须填写"]
    with pytest.raises(ValidationError) as caught:
        _Model.model_validate({"note": ""})
    refused = refusal(caught.value, labels={"note": "审核意见"})
    assert refused["problem"] == Problem(["审核意见：不能为空"], "input.invalid")
    assert refused["status_code"] == 422
    with pytest.raises(TypeError):
        refusal(ValueError("not a refusal"))


def test_files_taken_back_are_named_only_when_there_were_some(ctx):
    refused = refusal(InvalidInput("x.bad", "填写有误", "Bad"))
    assert uploads.forget_refused(ctx, [], {}, refused)["problem"].messages == ["填写有误"]


# --- appeals --------------------------------------------------------------------------------


@pytest.mark.usefixtures("office")
def test_an_appeal_without_grounds_comes_back_filled_in(client, auth, clock):
    bad = handled(client, auth, clock, visit=BAD)
    as_user(client, "donghua")
    form = client.get(f"{APPEALS}/new", params={"ticket": bad}).text
    data = {"csrf_token": csrf(form), "ticket_number": bad, "grounds": "", "reason": REASON}
    r = client.post(f"{APPEALS}/new", data=data)
    assert r.status_code == 422 and "申诉理由类别：请从选项中选择" in alert(r.text)
    assert "input.invalid" in alert(r.text) and f">{REASON}</textarea>" in r.text
    # A ticket that does not exist: the error page, not a form to fill again.
    r = client.post(f"{APPEALS}/new", data={**data, "grounds": "evaluation_contradicted",
                                             "ticket_number": "NOPE-1"})  # fmt: skip
    assert r.status_code == 404 and "ticket.not_found" in alert(r.text)
    assert 'name="grounds"' not in r.text


@pytest.mark.usefixtures("office")
def test_a_decision_without_a_conclusion_comes_back_filled_in(client, auth, clock):
    bad = handled(client, auth, clock, visit=BAD)
    as_user(client, "donghua")
    form = client.get(f"{APPEALS}/new", params={"ticket": bad}).text
    r = client.post(f"{APPEALS}/new", follow_redirects=False, data={"csrf_token": csrf(form),
                    "ticket_number": bad, "grounds": "evaluation_contradicted",
                    "reason": REASON})  # fmt: skip
    assert r.status_code == 303, alert(r.text)
    appeal = r.headers["location"]
    as_user(client, "supervisor")
    page = client.get(appeal).text
    r = client.post(f"{appeal}/decide", data={"csrf_token": csrf(page), "reason": "证据不足"})
    assert r.status_code == 422 and "审核结论：请选择申诉成立或驳回" in alert(r.text)
    assert "input.invalid" in alert(r.text) and ">证据不足</textarea>" in r.text
    assert "待审核" in client.get(APPEALS).text  # nothing was decided


# --- the operators' return visits -----------------------------------------------------------


@pytest.mark.usefixtures("office")
def test_an_answer_for_an_unknown_visit_is_an_error_page(client, auth, clock):
    handled(client, auth, clock)
    as_user(client, "operator")
    page = client.get("/console/visits").text
    r = client.post("/console/visits/999999", data={"csrf_token": csrf(page), **ANSWERS})
    assert r.status_code == 404 and "visit.not_found" in alert(r.text)
    assert 'data-testid="visit-form"' not in r.text


# --- board pages: the message names what was refused ----------------------------------------


def test_a_refused_removal_names_the_catalogue_entry(client, auth):
    login(client, "dispatcher")
    page = client.get("/console/dispatch/catalogue").text
    r = client.post("/console/dispatch/catalogue/remove",
                    data={"csrf_token": csrf(page), "category": "城乡建设/供暖", "types": ""})  # fmt: skip
    assert r.status_code == 422
    assert re.search(r"删除“城乡建设\s*/\s*供暖”未成功：请填写修改派单目录的理由", alert(r.text))
    assert 'data-testid="catalogue"' in r.text


def test_a_refused_report_in_on_the_board_names_the_ticket(client, auth):
    number = _at_street(client, auth)
    login(client, "donghua")
    r = act(client, number, "raise_whistle", reason="管线占道，需城管到场",
            **{"unit_codes.0": "990101.urban"})  # fmt: skip
    assert r.status_code == 303, alert(r.text)
    client.cookies.clear()
    login(client, "urban")
    board = client.get("/console/handling/whistles").text
    r = client.post(f"/console/handling/whistles/{number}/report_in",
                    data={"csrf_token": csrf(board)})  # fmt: skip
    assert r.status_code == 422 and f"工单 {number}：请填写报到及处置情况" in alert(r.text)
    assert 'data-testid="whistle-board"' in r.text


# --- the knowledge base ---------------------------------------------------------------------


def test_an_edit_that_does_not_fit_comes_back_filled_in(client, auth):
    a = publish(client, auth)
    login(client, "donghua")
    form = client.get(f"/kb/articles/{a['id']}/edit").text
    r = client.post(f"/kb/articles/{a['id']}/edit", data={"csrf_token": csrf(form),
                    "base_version": "1", "question": "修改后的问题", "answer": "",
                    "categories": "城乡建设/物业管理"})  # fmt: skip
    assert r.status_code == 422 and "答复口径：不能为空" in alert(r.text)
    assert "input.invalid" in alert(r.text) and 'value="修改后的问题"' in r.text
    assert "修订中" not in client.get(f"/kb/articles/{a['id']}").text  # nothing written


def test_a_rejection_without_a_note_is_refused(client, auth):
    a = create_article(client, auth, "donghua", submit=True)
    login(client, "dispatcher")
    page = client.get(f"/kb/articles/{a['id']}").text
    r = client.post(f"/kb/articles/{a['id']}/reject",
                    data={"csrf_token": csrf(page), "version": str(a["latest_version"])})  # fmt: skip
    assert r.status_code == 422 and "审核意见：必须填写" in alert(r.text)
    assert 'data-action="reject"' in r.text  # still pending: the form is there again


def test_an_answer_too_long_is_refused_on_the_article(client, auth):
    a = publish(client, auth)
    login(client, "operator")
    page = client.get(f"/kb/articles/{a['id']}").text
    r = client.post(f"/kb/articles/{a['id']}/answer",
                    data={"csrf_token": csrf(page), "ticket": "X", "answer": "长" * 5001})  # fmt: skip
    assert r.status_code == 422 and "答复口径：不能超过5000个字" in alert(r.text)


# --- the citizen's evaluation page ----------------------------------------------------------


@pytest.mark.usefixtures("office")
def test_a_domain_refusal_shows_the_evaluation_form_again(client, auth, clock, engine, monkeypatch):
    handled(client, auth, clock)
    url = _links(engine)["requester"]
    client.cookies.clear()

    def refuse(*args, **kwargs):
        raise InvalidInput("visit.refused", "暂时不能评价该诉求", "Refused")

    monkeypatch.setattr(links, "answer", refuse)
    r = client.post(url, data=ANSWERS)
    assert r.status_code == 422 and "暂时不能评价该诉求" in alert(r.text)
    assert "visit.refused" in alert(r.text) and f">{ANSWERS['comment']}</textarea>" in r.text


def test_a_csrf_token_of_any_text_is_a_wrong_token(client):
    """A form's token is compared as bytes: non-ASCII text is refused like any wrong token,
    at the login form and on a logged-in page (S2: a forged form changes nothing)."""
    client.get("/login")
    r = client.post("/login", data={"username": "operator", "password": "x", "login_csrf": "é"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 403 and "登录页面已过期" in r.text
    login(client, "operator")
    r = client.post("/console/governance/warnings/issue", data={"csrf_token": "令牌"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 403


# --- numbers in a page's address or form ----------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "٣", "9" * 30])
def test_a_page_number_that_is_no_number_shows_the_first_page(client, office, raw):  # noqa: F811
    """ "²" passed str.isdigit() and then broke int(); a number of 30 digits reached the
    database as an offset: both were 500s. Now they are the first page (or no such row)."""
    as_user(client, "supervisor")
    for url in ("/console/assessment/units/990101001?group=street&page=",
                "/kb?tab=all&page=", "/console/dispatch/objections?page="):  # fmt: skip
        assert client.get(url + raw).status_code == 200, url
    assert client.get(f"/visit/{raw}?exp=1&sig=x").status_code == 404
    assert client.get(f"/visit/1?exp={raw}&sig=x").status_code == 404


def test_a_report_month_in_other_digits_is_refused(client, auth):
    r = client.get(
        "/api/governance/reports", params={"month": "²²²²-²²"}, headers=auth("supervisor")
    )
    assert r.status_code == 422 and r.json()["code"] == "report.bad_month"
