"""G2 monthly topics (每月一题) through the API against a real database: proposing, the plan
and three lists, launch with a fixed baseline, who may do what, the worker's monthly record,
and closing only once the requests have fallen and every task is done."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from jiesu.domain.topics import concerns
from jiesu.governance.topic_figures import record_due
from jiesu.jobs.adapters import configured_adapters
from jiesu.jobs.outbox import relay_once
from jiesu.storage import tables
from tests.api.helpers import create
from tests.conftest import START, TZ

BUS = "交通运输/公交线路"
TOPIC = {
    "title": "公交末班车过早",
    "summary": "东区多个社区反映末班车过早，夜归居民出行难",
    "month": "2026-12",
    "categories": [BUS],
    "lead_unit_code": "city.transport",
    "co_unit_codes": ["990101", "990101001"],
}
URL = "/api/governance/topics"


def _post(client, auth, user, path, expect=200, **body):
    r = client.post(URL + path, json=body, headers=auth(user))
    assert r.status_code == expect, r.text
    return r.json()


def _get(client, auth, topic_id, user="operator") -> dict:
    r = client.get(f"{URL}/{topic_id}", headers=auth(user))
    assert r.status_code == 200, r.text
    return r.json()


def _propose(client, auth, user="supervisor", **overrides) -> int:
    return _post(client, auth, user, "", 201, **{**TOPIC, **overrides})["id"]


def _write_plan_and_lists(client, auth, topic_id) -> int:
    """The lead unit writes the plan and one item on each list; the task's id."""
    version = _get(client, auth, topic_id)["version"]
    r = client.put(f"{URL}/{topic_id}/plan", headers=auth("transport"),
                   json={"plan": "调整12条线路末班时间，增开夜班线", "version": version})  # fmt: skip
    assert r.status_code == 200, r.text
    _post(client, auth, "transport", f"/{topic_id}/items", 201, list="problem",
          text="东华社区至地铁站末班车 21:30 结束")  # fmt: skip
    task = _post(client, auth, "transport", f"/{topic_id}/items", 201, list="task",
                 text="摸排东华街道夜间出行需求", unit_code="990101001", due_on="2027-01-15")  # fmt: skip
    _post(client, auth, "transport", f"/{topic_id}/items", 201, list="duty",
          text="区政府统筹属地街道配合调研", unit_code="990101")  # fmt: skip
    return task["id"]


def _requests(client, auth, clock, start: datetime, n: int, **overrides) -> None:
    for i in range(n):
        clock.now = start + timedelta(hours=7 * i)
        body = {"category": BUS, "title": "末班车太早", "content": "希望末班车延后到23点",
                "location_unit_code": "990101001001"}  # fmt: skip
        create(client, auth, **{**body, **overrides})


def test_a_topic_from_proposal_to_launch(client, auth, clock, engine, ctx):
    _requests(client, auth, clock, START, 30)  # 30 requests, the first 20 days before launch
    _requests(client, auth, clock, START, 4, category="城乡建设/物业管理")  # not on the topic
    clock.now = START + timedelta(days=20)
    topic_id = _propose(client, auth)
    got = _get(client, auth, topic_id)
    assert (got["state"], got["state_zh"], got["version"]) == ("planned", "待启动", 1)
    assert [u["code"] for u in got["co_units"]] == ["990101", "990101001"]
    r = client.post(f"{URL}/{topic_id}/launch", headers=auth("supervisor"))
    assert r.status_code == 422 and r.json()["code"] == "topic.incomplete_plan"
    assert r.json()["details"]["missing"] == ["工作方案", "问题清单", "任务清单", "责任清单"]

    _write_plan_and_lists(client, auth, topic_id)
    _post(client, auth, "supervisor", f"/{topic_id}/launch")
    got = _get(client, auth, topic_id, "donghua")
    assert got["state"] == "active" and got["launched_at"]
    assert got["baseline"] == {"requests": 30, "days": 20.0}  # since the first request ever
    assert got["plan"] == "调整12条线路末班时间，增开夜班线"
    assert {k: len(v) for k, v in got["lists"].items()} == {"problem": 1, "task": 1, "duty": 1}
    assert got["lists"]["task"][0]["unit_name"] == "东华街道"
    assert got["progress"]["baseline_per_day"] == 1.5 and not got["progress"]["met"]
    assert got["places"] == []  # none since launch
    month = got["months"][-1]
    assert (month["month"], month["requests"], month["phase"]) == ("2026-12", 3, "launch")
    assert month["partial"] and month["days"] == 12.38  # the current month, so far
    assert (got["months"][0]["requests"], got["months"][0]["partial"]) == (27, True)
    actions = [(e["action"], e["actor_username"], e["to_state"]) for e in got["events"]]
    assert actions[0] == ("propose", "supervisor", "planned")
    assert actions[-1] == ("launch", "supervisor", "active")
    assert [a for a, *_ in actions].count("add_item") == 3
    with engine.connect() as conn:
        o = tables.outbox.c
        sent = conn.execute(
            select(o.payload).where(o.topic == "governance.topic").order_by(o.id)
        ).scalars().all()  # fmt: skip
    assert sorted(p["unit"] for p in sent if p["template"] == "topic.launched") == [
        "990101", "990101001", "city.transport"
    ]  # fmt: skip
    relayed = relay_once(ctx, configured_adapters({}))  # each topic message has its adapter
    assert relayed.failed == 0 and relayed.sent >= 3
    listed = client.get(URL, params={"state": "active"}, headers=auth("xichang")).json()
    assert [x["id"] for x in listed] == [topic_id]
    assert listed[0]["tasks"] == {"total": 1, "done": 0, "overdue": 0}


def test_the_requests_fall_and_the_topic_is_closed(client, auth, clock, engine, ctx):
    _requests(client, auth, clock, START, 40)  # 2 a day over the 20 days before launch
    clock.now = START + timedelta(days=20)  # 2026-12-13
    topic_id = _propose(client, auth)
    task = _write_plan_and_lists(client, auth, topic_id)
    _post(client, auth, "supervisor", f"/{topic_id}/launch")
    _requests(client, auth, clock, datetime(2027, 1, 5, 9, tzinfo=TZ), 9)  # 0.29 a day
    clock.now = datetime(2027, 2, 1, 1, tzinfo=TZ)
    assert record_due(ctx) == 1 and record_due(ctx) == 0  # January, once
    r = client.post(f"{URL}/{topic_id}/close", json={"reason": "末班车已延后"},
                    headers=auth("supervisor"))  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "topic.tasks_open"
    _post(client, auth, "donghua", f"/{topic_id}/items/{task}/finish",
          outcome="已完成摸排，提交需求报告")  # fmt: skip
    r = client.post(f"{URL}/{topic_id}/close", json={"reason": "末班车已延后"},
                    headers=auth("supervisor"))  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "topic.not_fallen"  # one month only

    _requests(client, auth, clock, datetime(2027, 2, 3, 9, tzinfo=TZ), 5)
    clock.now = datetime(2027, 3, 1, 1, tzinfo=TZ)
    assert record_due(ctx) == 1
    got = _get(client, auth, topic_id)
    assert got["progress"]["met"] and got["progress"]["months_at_target"] == 2
    assert got["progress"]["latest_month"] == "2027-02"
    by_month = {m["month"]: (m["requests"], m["phase"]) for m in got["months"]}
    assert by_month["2027-01"] == (9, "after") and by_month["2027-02"] == (5, "after")
    _post(client, auth, "supervisor", f"/{topic_id}/close", reason="末班车已延后，诉求回落")
    got = _get(client, auth, topic_id)
    assert got["state"] == "closed" and got["end_reason"] == "末班车已延后，诉求回落"
    with engine.connect() as conn:
        tm = tables.topic_months.c
        assert conn.execute(select(tm.month, tm.requests).order_by(tm.month)).all() == [
            ("2027-01", 9), ("2027-02", 5)
        ]  # fmt: skip
    r = client.post(f"{URL}/{topic_id}/withdraw", json={"reason": "x"}, headers=auth("admin"))
    assert r.status_code == 409 and r.json()["code"] == "topic.bad_state"


def test_keywords_and_territory_narrow_the_topic(client, auth, clock, engine, city):
    _requests(client, auth, clock, START, 3)
    _requests(client, auth, clock, START, 2, content="公交站牌破损", title="站牌")
    _requests(client, auth, clock, START, 4, location_unit_code="990102001001")  # 西区
    clock.now = START + timedelta(days=3)
    topic_id = _propose(client, auth, keywords=["末班车"], scope_code="990101")
    got = _get(client, auth, topic_id)
    assert sum(m["requests"] for m in got["months"]) == 3
    # The ticket page's test (domain.topics.concerns) agrees with the counting query.
    places = {u.code for u in city.unit_and_below("990101")}
    with engine.connect() as conn:
        tc = tables.tickets.c
        rows = conn.execute(select(tc.category, tc.title, tc.content, tc.location_unit_code))
        assert sum(concerns([BUS], ["末班车"], places, tuple(r)) for r in rows) == 3
    assert got["places"] == [{"street_code": "990101001", "street_name": "东华街道", "requests": 3}]


@pytest.mark.parametrize(
    ("user", "scope", "expect"),
    [("operator", None, 403), ("donghua", None, 403), ("dongqu", None, 403),
     ("dongqu", "990102", 403), ("dongqu", "990101", 201), ("dongqu", "990101001", 201),
     ("admin", "990102", 201)],
)  # fmt: skip
def test_who_may_propose(client, auth, user, scope, expect):
    r = client.post(URL, json={**TOPIC, "scope_code": scope}, headers=auth(user))
    assert r.status_code == expect, r.text
    if expect == 403:
        assert r.json()["code"] == "topic.forbidden"


def test_who_may_write_and_report(client, auth, clock):
    topic_id = _propose(client, auth)
    task = _write_plan_and_lists(client, auth, topic_id)
    for user in ("donghua", "xichang", "operator"):  # a co-unit, another street, the desk
        r = client.post(f"{URL}/{topic_id}/items", json={"list": "problem", "text": "x"},
                        headers=auth(user))  # fmt: skip
        assert r.status_code == 403 and r.json()["code"] == "topic.forbidden", user
        r = client.post(f"{URL}/{topic_id}/launch", headers=auth(user))
        assert r.status_code == 403, user
    r = client.post(f"{URL}/{topic_id}/items/{task}/finish", json={"outcome": "完成"},
                    headers=auth("xichang"))  # fmt: skip
    assert r.status_code == 403 and r.json()["code"] == "topic.forbidden"
    _post(client, auth, "transport", f"/{topic_id}/items/{task}/finish", outcome="主责单位代报")
    r = client.post(f"{URL}/{topic_id}/items/{task}/finish", json={"outcome": "again"},
                    headers=auth("donghua"))  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "topic.task_done"
    r = client.put(f"{URL}/{topic_id}/units", headers=auth("transport"),
                   json={"lead_unit_code": "city.housing", "reason": "不归我们"})  # fmt: skip
    assert r.status_code == 403
    r = client.put(f"{URL}/{topic_id}/units", headers=auth("supervisor"),
                   json={"lead_unit_code": "city.transport", "co_unit_codes": ["990102"],
                         "reason": "西区也有同类问题"})  # fmt: skip
    assert r.status_code == 200, r.text
    got = _get(client, auth, topic_id)
    assert [u["code"] for u in got["co_units"]] == ["990102"]
    assert got["events"][-1]["detail"]["co"] == [["990101", "990101001"], ["990102"]]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [({"categories": ["不存在/类别"]}, "topic.unknown_category"),
     ({"categories": []}, "topic.bad_categories"),
     ({"lead_unit_code": "nowhere"}, "topic.unknown_unit"),
     ({"lead_unit_code": "990101001001"}, "topic.bad_lead"),
     ({"co_unit_codes": ["nowhere"]}, "topic.unknown_unit"),
     ({"scope_code": "990101.urban"}, "topic.bad_scope"),
     ({"month": "2026-13"}, "topic.bad_month"),
     ({"title": "  "}, "topic.bad_text"),
     ({"target_drop": 1.5}, "input.invalid")],
)  # fmt: skip
def test_bad_proposals_are_refused_and_nothing_is_written(client, auth, engine, overrides, code):
    r = client.post(URL, json={**TOPIC, **overrides}, headers=auth("supervisor"))
    assert r.status_code == 422 and r.json()["code"] == code, r.text
    assert r.json()["message_zh"] and r.json()["message_en"]
    with engine.connect() as conn:
        assert conn.execute(select(tables.topics.c.id)).all() == []
        assert conn.execute(select(tables.topic_events.c.id)).all() == []


def test_a_stale_plan_and_other_mistakes_change_nothing(client, auth):
    topic_id = _propose(client, auth)
    body = {"plan": "第一稿", "version": 1}
    assert (
        client.put(f"{URL}/{topic_id}/plan", json=body, headers=auth("transport")).status_code
        == 200
    )
    r = client.put(f"{URL}/{topic_id}/plan", json=body, headers=auth("transport"))  # version 1
    assert r.status_code == 409 and r.json()["code"] == "topic.conflict"
    r = client.post(f"{URL}/{topic_id}/items", headers=auth("transport"),
                    json={"list": "task", "text": "外单位任务", "unit_code": "990102001"})  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "topic.unit_not_in_topic"
    r = client.post(f"{URL}/{topic_id}/items/999/finish", json={"outcome": "x"},
                    headers=auth("transport"))  # fmt: skip
    assert r.status_code == 404 and r.json()["code"] == "topic.item_not_found"
    r = client.post(f"{URL}/{topic_id}/close", json={"reason": "x"}, headers=auth("admin"))
    assert r.status_code == 409 and r.json()["code"] == "topic.bad_state"  # never launched
    r = client.get(f"{URL}/424242", headers=auth("operator"))
    assert r.status_code == 404 and r.json()["code"] == "topic.not_found"
    got = _get(client, auth, topic_id)
    assert (got["plan"], got["version"], len(got["events"])) == ("第一稿", 2, 2)
    assert all(not v for v in got["lists"].values())


def test_a_planned_topic_may_be_withdrawn_with_a_reason(client, auth):
    topic_id = _propose(client, auth)
    r = client.post(f"{URL}/{topic_id}/withdraw", json={"reason": ""}, headers=auth("admin"))
    assert r.status_code == 422 and r.json()["code"] == "topic.bad_text"
    _post(client, auth, "admin", f"/{topic_id}/withdraw", reason="并入“夜间出行”题目")
    got = _get(client, auth, topic_id)
    assert got["state"] == "withdrawn" and got["events"][-1]["reason"] == "并入“夜间出行”题目"
    r = client.post(f"{URL}/{topic_id}/items", headers=auth("transport"),
                    json={"list": "problem", "text": "x"})  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "topic.bad_state"


def test_the_timeline_is_append_only(client, auth, engine):
    _propose(client, auth)
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(tables.topic_events.delete())
