"""G5 through the API against a real database: the weekly warning of hotspots (七天一预警),
who sees which warning, the street's answer, and the worker's weekly issue."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from jiesu.governance.warnings import issue_due
from jiesu.storage import tables
from tests.conftest import START, TZ

from .helpers import DONGHUA, HEPINGLI, PROPERTY, W48, calls


def _issue(client, auth, user="supervisor", **body):
    return client.post("/api/governance/warnings/issue", json=body, headers=auth(user))


def _week(client, auth, user, week=W48) -> dict:
    r = client.get("/api/governance/warnings", params={"week": week}, headers=auth(user))
    assert r.status_code == 200, r.text
    return r.json()


def test_a_surge_and_a_chronic_problem_warn_their_streets(client, auth, weeks):
    r = _issue(client, auth)
    assert r.status_code == 200, r.text
    assert r.json() == {"week": W48, "new": 2, "total": 2, "baseline_weeks": 3}
    got = _week(client, auth, "supervisor")
    assert got["examined_at"] and got["baseline_weeks"] == 3
    surge, chronic = got["warnings"]
    assert (surge["place_code"], surge["category"], surge["kind"]) == (DONGHUA, PROPERTY, "surge")
    assert (surge["received"], surge["requesters"], surge["expected"]) == (7, 5, 1.0)
    assert surge["street_code"] == "990101001" and surge["kind_zh"] == "突增"
    assert surge["p_value"] < 1e-3 and surge["ratio"] == 7.0
    assert (chronic["place_code"], chronic["kind"]) == (HEPINGLI, "persistent")
    assert chronic["street_code"] == "990101002" and chronic["kind_zh"] == "持续高发"
    # One person calling eight times is a frequent requester, not a hotspot; and the
    # streets' own counts are not warned again beside their communities'.
    assert {w["place_code"] for w in got["warnings"]} == {DONGHUA, HEPINGLI}


def test_each_unit_sees_only_its_own_warnings(client, auth, weeks):
    _issue(client, auth)
    seen = {u: [w["place_code"] for w in _week(client, auth, u)["warnings"]]
            for u in ("donghua", "heping", "dongqu", "xichang", "transport", "operator")}  # fmt: skip
    assert seen["donghua"] == [DONGHUA] and seen["heping"] == [HEPINGLI]
    assert seen["dongqu"] == [DONGHUA, HEPINGLI]  # the district government over both
    assert seen["xichang"] == [] and seen["transport"] == []
    assert seen["operator"] == [DONGHUA, HEPINGLI]


def test_the_street_answers_once_and_next_week_shows_whether_it_fell(client, auth, clock, weeks):
    _issue(client, auth)
    wid = _week(client, auth, "donghua")["warnings"][0]["id"]
    url = f"/api/governance/warnings/{wid}/respond"
    body = {"response": "约谈物业公司，电梯已修复，张贴公告"}

    def post(user, json=body):
        return client.post(url, json=json, headers=auth(user))

    assert post("heping").json()["code"] == "warning.not_found"  # not its warning: unseen
    r = post("dongqu")  # the district sees it, but the street acts
    assert (r.status_code, r.json()["code"]) == (403, "warning.forbidden")
    r = post("donghua", {"response": "   "})
    assert (r.status_code, r.json()["code"]) == (422, "warning.bad_response")
    assert post("donghua").status_code == 200
    r = post("donghua", {"response": "再次反馈"})
    assert (r.status_code, r.json()["code"]) == (422, "warning.already_answered")
    got = _week(client, auth, "supervisor")["warnings"][0]
    assert got["response"] == body["response"] and got["responded_by"] == "donghua"
    assert got["next_week"] is None  # W49 is not over yet
    calls(client, auth, clock, START.replace(hour=0) + timedelta(days=7), DONGHUA, PROPERTY,
           ["13600000001"])  # fmt: skip
    clock.now = datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
    assert _week(client, auth, "supervisor")["warnings"][0]["next_week"] == 1


def test_issuing_again_adds_nothing_and_each_street_hears_once(client, auth, ctx, weeks):
    assert _issue(client, auth, week=W48).json()["new"] == 2
    assert _issue(client, auth, week=W48).json() == {
        "week": W48, "new": 0, "total": 2, "baseline_weeks": 3}  # fmt: skip
    with ctx.engine.connect() as conn:
        o = tables.outbox.c
        sent = conn.execute(select(o.payload).where(o.topic == "governance.warning")).scalars()
        by_unit = sorted((p["unit"], [w["place"] for w in p["warnings"]]) for p in sent)
    assert by_unit == [("990101001", ["东华社区"]), ("990101002", ["和平里社区"])]


def test_the_worker_examines_each_ended_week_once(client, auth, ctx, weeks):
    done = issue_due(ctx)
    assert done is not None and (done.week, done.new) == (W48, 2)
    assert issue_due(ctx) is None
    ctx.clock.advance(days=7)  # W49 has ended: examined, though nothing warns in it
    assert (issue_due(ctx).week, issue_due(ctx)) == ("2026-W49", None)
    assert _week(client, auth, "supervisor", "2026-W49")["warnings"] == []


@pytest.mark.parametrize(
    ("user", "body", "status", "code"),
    [
        ("operator", {}, 403, "warning.issue_forbidden"),
        ("donghua", {}, 403, "warning.issue_forbidden"),
        ("supervisor", {"week": "2026-48"}, 422, "warning.bad_week"),
        ("supervisor", {"week": "2026-W49"}, 422, "warning.week_not_over"),
        ("admin", {"week": W48, "extra": 1}, 422, None),
    ],
)
def test_bad_issues_are_refused_and_change_nothing(client, auth, ctx, weeks, user, body, status,
                                                   code):  # fmt: skip
    r = _issue(client, auth, user, **body)
    assert r.status_code == status, r.text
    assert r.json()["message_zh"] and r.json()["message_en"]
    if code:
        assert r.json()["code"] == code
    with ctx.engine.connect() as conn:
        assert conn.execute(select(tables.warning_weeks)).all() == []
        assert conn.execute(select(tables.hotspot_warnings)).all() == []


def test_a_new_city_warns_nothing_before_it_knows_its_usual_week(client, auth, clock):
    calls(client, auth, clock, START.replace(hour=0), DONGHUA, PROPERTY,
           [f"13600000{i:03d}" for i in range(9)])  # fmt: skip
    clock.advance(days=7)
    assert _issue(client, auth).json() == {"week": W48, "new": 0, "total": 0, "baseline_weeks": 0}


def test_two_workers_issuing_at_once_add_each_warning_once(ctx, weeks):
    """Two workers examine the same week at the same moment (on PostgreSQL the second waits
    on the first's unique keys, then adds nothing; on SQLite writers take turns)."""
    import threading

    from jiesu.governance.warnings import issue

    start, results = threading.Barrier(2), []

    def worker():
        start.wait()
        results.append(issue(ctx, W48))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(r.new for r in results) == [0, 2]
    with ctx.engine.connect() as conn:
        assert len(conn.execute(select(tables.hotspot_warnings)).all()) == 2
        o = tables.outbox.c
        assert len(conn.execute(select(o.id).where(o.topic == "governance.warning")).all()) == 2
