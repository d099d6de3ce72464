"""G2 monthly topics in the console: proposing from a candidate, the lead unit's plan and
lists, launch, a task reported done by its unit, refusals shown on the page."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.api.helpers import create
from tests.conftest import START
from tests.console.helpers import csrf, login

BASE = "/console/governance/topics"
BUS = "交通运输/公交线路"


def _as(client, username: str) -> None:
    client.cookies.clear()
    login(client, username)


def send(client, path: str, data: dict):
    return client.post(path, data=data, follow_redirects=False)


def _post(client, path, **data):
    page = client.get(BASE)
    return client.post(path, data={"csrf_token": csrf(page.text), **data}, follow_redirects=False)


def _propose(client) -> int:
    _as(client, "supervisor")
    r = _post(client, BASE, title="公交末班车过早", month="2026-12", categories=[BUS],
              lead_unit_code="city.transport", co_unit_codes=["990101001"],
              baseline_days="90", target_drop_percent="30", sustained_months="2")  # fmt: skip
    assert r.status_code == 303, r.text
    return int(re.search(r"/topics/(\d+)$", r.headers["location"]).group(1))


def test_a_topic_is_proposed_planned_and_launched_in_the_console(client, auth, clock):
    numbers = []
    for i in range(3):
        clock.now = START + timedelta(hours=i)
        numbers.append(
            create(client, auth, category=BUS, title="末班车太早", content="末班车太早")["number"]
        )
    other = create(client, auth)["number"]  # a property complaint: on no topic
    clock.now = START + timedelta(days=20)
    topic_id = _propose(client)
    page = client.get(f"{BASE}/{topic_id}")
    assert page.status_code == 200 and "公交末班车过早" in page.text and "待启动" in page.text
    assert 'data-testid="launch"' in page.text  # the organiser's button
    r = send(client, f"{BASE}/{topic_id}/launch", {"csrf_token": csrf(page.text)})
    assert r.status_code == 422 and "topic.incomplete_plan" in r.text and "工作方案" in r.text

    _as(client, "transport")  # the lead unit writes the plan and the three lists
    page = client.get(f"{BASE}/{topic_id}")
    assert 'data-testid="edit-plan"' in page.text and 'data-testid="launch"' not in page.text
    token = csrf(page.text)
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    r = send(client, f"{BASE}/{topic_id}/plan", {"csrf_token": token, "plan": "调整线路",
                                                      "version": version})  # fmt: skip
    assert r.status_code == 303
    for kind, unit in (("problem", ""), ("task", "990101001"), ("duty", "city.transport")):
        r = send(client, f"{BASE}/{topic_id}/items", {
            "csrf_token": token, "list": kind, "text": f"{kind} 事项", "unit_code": unit,
            "due_on": "2027-01-10" if kind == "task" else ""})  # fmt: skip
        assert r.status_code == 303, r.text

    _as(client, "supervisor")
    page = client.get(f"{BASE}/{topic_id}")
    r = send(client, f"{BASE}/{topic_id}/launch", {"csrf_token": csrf(page.text)})
    assert r.status_code == 303
    page = client.get(f"{BASE}/{topic_id}")
    assert "推进中" in page.text and "启动前日均" in page.text
    ticket = client.get(f"/tickets/{numbers[0]}")  # a request on the topic says so
    assert 'data-testid="topics"' in ticket.text and "公交末班车过早" in ticket.text
    assert 'data-testid="topics"' not in client.get(f"/tickets/{other}").text
    task = re.search(r'data-testid="finish-(\d+)"', page.text)
    assert task is None  # the hotline's supervisor reports no task

    _as(client, "donghua")  # the co-unit reports its task done
    page = client.get(f"{BASE}/{topic_id}")
    item = re.search(r'data-testid="finish-(\d+)"', page.text).group(1)
    r = send(client, f"{BASE}/{topic_id}/items/{item}/finish",
                    {"csrf_token": csrf(page.text), "outcome": "已摸排"})  # fmt: skip
    assert r.status_code == 303
    page = client.get(f"{BASE}/{topic_id}")
    assert "已摸排" in page.text and 'data-testid="add-problem"' not in page.text
    listed = client.get(BASE)
    assert f'data-topic="{topic_id}"' in listed.text and "1/1" in listed.text
    assert 'data-testid="propose"' not in listed.text  # a street proposes nothing


def test_refusals_come_back_as_the_page(client):
    login(client, "supervisor")
    r = _post(client, BASE, title="x", month="2026-12", categories=["不存在"],
              lead_unit_code="city.transport")  # fmt: skip
    assert r.status_code == 422 and "topic.unknown_category" in r.text
    assert 'value="x"' in r.text  # what was typed is kept
    r = _post(client, BASE, title="x", month="2026-12", categories=[BUS],
              lead_unit_code="city.transport", target_drop_percent="abc")  # fmt: skip
    assert r.status_code == 422 and "input.invalid" in r.text
    assert client.get(f"{BASE}/99999").status_code == 404
    assert client.get(f"{BASE}/abc").status_code == 404


def test_a_candidate_prefills_the_form(client):
    login(client, "supervisor")
    page = client.get(BASE, params={"category": BUS})
    assert page.status_code == 200
    assert f'<option value="{BUS}" selected>' in page.text
    assert 'data-testid="candidates"' in page.text
