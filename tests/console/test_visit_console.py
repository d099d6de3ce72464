"""Return visits in the console and on the citizen's phone (A1, H9): the operators' queue
with the script and the form (retries by policy), the SMS link's evaluation page (200, 404,
409, 410) and the live-tracking page behind the confirmation SMS."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from jiesu.handling.tracking import tracking_path
from jiesu.storage.tables import outbox
from tests.api.helpers import act, create

from .helpers import csrf
from .test_assessment_console import (  # noqa: F401 - fixtures
    alert,
    as_user,
    handled,
    office,
    office_city,
    row_of,
)

ANSWERS = {"contacted": "true", "solved": "true", "satisfaction": "basically_satisfied",
           "comment": "修好了，就是慢了点"}  # fmt: skip


def _links(engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = [r.payload for r in conn.execute(select(outbox))]
    return {p["recipient"]: p["link"] for p in rows if p.get("template") == "visit"}


def _ticket(client, auth, number: str) -> dict:
    return client.get(f"/api/tickets/{number}", headers=auth("operator")).json()


# --- the operators' queue -------------------------------------------------------------------


def test_an_operator_works_the_queue_with_the_script(client, auth, clock, office):  # noqa: F811
    n = handled(client, auth, clock)
    as_user(client, "operator")
    queue = client.get("/console/visits").text
    [visit_id] = [int(v) for v in re.findall(r'data-visit="(\d+)"', queue)]
    assert n in row_of(queue, "data-visit", str(visit_id))
    page = client.get(f"/console/visits/{visit_id}").text
    script = page.split('data-testid="script"')[1].split("</section>")[0]
    for said in ("张女士您好", "测试市12345市民服务热线", "城乡建设 / 物业管理", n, "东华街道",
                 "有没有和您联系过", "解决了吗", "满意、基本满意，还是不满意", "再见"):  # fmt: skip
        assert said in script, said
    assert "13800138000" in page  # the operator calls the requester
    # Reached, but not every question answered: the page again, in Chinese.
    token = csrf(page)
    r = client.post(f"/console/visits/{visit_id}", data={"csrf_token": token, "reached": "true",
                                                          "contacted": "true"})  # fmt: skip
    assert r.status_code == 422 and "三个问题" in alert(r.text) and "input.invalid" in r.text
    # Not reached: an attempt, tried again after four hours.
    r = client.post(f"/console/visits/{visit_id}", data={"csrf_token": token, "reached": "false"})
    assert r.status_code == 422 and "input.required" in alert(r.text)  # say what happened
    r = client.post(f"/console/visits/{visit_id}", follow_redirects=False,
                    data={"csrf_token": token, "reached": "false", "comment": "无人接听"})  # fmt: skip
    assert r.status_code == 303
    assert "第1次未联系上" in client.get("/console/visits").text  # the flash
    assert "暂无待回访" in client.get("/console/visits").text
    clock.advance(hours=5)
    as_user(client, "operator")
    assert f'data-visit="{visit_id}"' in client.get("/console/visits").text
    page = client.get(f"/console/visits/{visit_id}").text
    r = client.post(f"/console/visits/{visit_id}", follow_redirects=False,
                    data={"csrf_token": csrf(page), "reached": "true", **ANSWERS})  # fmt: skip
    assert r.status_code == 303
    t = _ticket(client, auth, n)
    assert (t["status"], t["satisfaction"], t["visit_solved"]) == (
        "visited",
        "basically_satisfied",
        True,
    )
    assert [(v["channel"], v["attempts"]) for v in t["visits"]] == [("phone", 2)]
    r = client.post(f"/console/visits/{visit_id}", data={"csrf_token": csrf(page), **ANSWERS})
    assert r.status_code == 409 and "visit.not_pending" in alert(r.text)


def test_the_queue_is_the_hotlines(client, auth, clock, office):  # noqa: F811
    n = handled(client, auth, clock)
    as_user(client, "donghua")
    r = client.get("/console/visits")
    assert r.status_code == 403 and "visit.forbidden" in alert(r.text)
    assert 'href="/console/visits"' not in client.get("/").text
    as_user(client, "supervisor")  # reads the queue; the hotline desk records
    queue = client.get("/console/visits").text
    assert n in queue
    visit_id = re.search(r'data-visit="(\d+)"', queue)[1]
    page = client.get(f"/console/visits/{visit_id}").text
    assert 'data-testid="visit-form"' not in page and "138****8000" in page


# --- the citizen's evaluation page ----------------------------------------------------------


def test_the_requester_answers_by_the_sms_link(client, auth, clock, engine, office):  # noqa: F811
    n = handled(client, auth, clock)
    url = _links(engine)["requester"]
    client.cookies.clear()  # no login
    page = client.get(url)
    assert page.status_code == 200
    assert "东华街道" in page.text and "已处理" in page.text and n in page.text
    assert 'name="viewport"' in page.text and "csrf_token" not in page.text
    assert f'action="{url.replace("&", "&amp;")}"' in page.text
    r = client.post(url, data={**ANSWERS, "satisfaction": ""})
    assert r.status_code == 422 and "满意程度" in alert(r.text)
    r = client.post(url, data=ANSWERS)
    assert r.status_code == 200 and "感谢您的评价" in r.text and "基本满意" in r.text
    t = _ticket(client, auth, n)
    assert (t["status"], t["satisfaction"]) == ("visited", "basically_satisfied")
    assert (t["visits"][0]["channel"], t["visits"][0]["comment"]) == ("sms", "修好了，就是慢了点")
    again = client.get(url)
    assert again.status_code == 409 and "您已评价过" in again.text
    r = client.post(url, data={**ANSWERS, "satisfaction": "unsatisfied"})
    assert r.status_code == 409 and "visit.already_answered" in r.text
    assert _ticket(client, auth, n)["satisfaction"] == "basically_satisfied"


def test_forged_and_expired_links_are_pages_too(client, auth, clock, engine, office):  # noqa: F811
    n = handled(client, auth, clock)
    url = _links(engine)["requester"]
    parts = urlsplit(url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for bad in (f"{parts.path}?exp={q['exp']}&sig={'a' * 16}",
                f"{parts.path}?exp={int(q['exp']) + 86400}&sig={q['sig']}",
                f"{parts.path}?sig={q['sig']}", f"{parts.path}", "/visit/x1?exp=1&sig=x"):  # fmt: skip
        r = client.get(bad)
        assert r.status_code == 404 and "链接无效" in r.text and "visit.bad_link" in r.text, bad
        assert client.post(bad, data=ANSWERS).status_code == 404
    clock.advance(days=8)  # links are valid for 7 days
    r = client.get(url)
    assert r.status_code == 410 and "链接已过期" in r.text and "visit.link_expired" in r.text
    assert client.post(url, data=ANSWERS).status_code == 410
    assert _ticket(client, auth, n)["status"] == "replied"


# --- live tracking --------------------------------------------------------------------------


def test_the_tracking_page_shows_the_public_steps_only(client, auth, clock, office):  # noqa: F811
    n = create(client, auth)["number"]
    act(client, auth, "dispatcher", n, "dispatch", lead_unit_code="990101001")
    act(client, auth, "donghua", n, "acknowledge")
    act(client, auth, "supervisor", n, "urge", reason="请尽快处理")
    client.cookies.clear()
    page = client.get(tracking_path(n))
    assert page.status_code == 200
    steps = page.text.split('data-testid="track-steps"')[1].split("</ol>")[0]
    assert (
        steps.index("东华街道已签收")
        < steps.index("已派至东华街道办理")
        < steps.index("诉求已受理")
    )
    assert (
        "督办" not in page.text and "请尽快处理" not in page.text and "dispatcher" not in page.text
    )
    assert "预计办结" in page.text and 'name="viewport"' in page.text
    r = client.get(f"/track/{n}?code=000000000000")
    assert r.status_code == 404 and "ticket.not_found" in r.text
    assert client.get(f"/track/{n}").status_code == 404


def test_the_requester_evaluates_on_the_web_from_the_tracking_page(client, auth, clock, office):  # noqa: F811
    """A1: besides the SMS's link and the phone, the tracking page offers the evaluation
    while the visit is pending, and the answer is recorded as given on the web."""
    n = create(client, auth)["number"]
    client.cookies.clear()
    assert 'data-testid="track-evaluate"' not in client.get(tracking_path(n)).text  # not yet
    n = handled(client, auth, clock)
    client.cookies.clear()
    page = client.get(tracking_path(n))
    link = re.search(r'href="(/visit/[^"]+)" data-testid="evaluate-link"', page.text)
    assert link, page.text
    url = link.group(1).replace("&amp;", "&")
    assert url.endswith("&via=web")
    form = client.get(url)
    assert form.status_code == 200 and "via=web" in form.text
    assert client.post(url, data=ANSWERS).status_code == 200
    t = _ticket(client, auth, n)
    assert (t["status"], t["visits"][0]["channel"]) == ("visited", "web")
    client.cookies.clear()
    assert 'data-testid="track-evaluate"' not in client.get(tracking_path(n)).text  # answered
