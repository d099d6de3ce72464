"""A6: a unit appeals a ticket's effect on its score; the office decides; an upheld appeal
takes the ticket out of the unit's rates; everything stays on record."""

from __future__ import annotations

import pytest

from tests.api.helpers import act, create

from .test_rankings import _handled, _rank, office_city  # noqa: F401 - the fixture


def _appeal(client, auth, user, **body):
    return client.post("/api/assessment/appeals", json=body, headers=auth(user))


@pytest.fixture
def unhappy(client, auth, clock, office_city):  # noqa: F811
    good = _handled(client, auth, clock, "990101001", "donghua", late=False,
                    visit={"solved": True, "satisfaction": "satisfied"})  # fmt: skip
    bad = _handled(client, auth, clock, "990101001", "donghua", late=False,
                   visit={"solved": False, "satisfaction": "unsatisfied"})  # fmt: skip
    return good, bad


def test_an_upheld_appeal_changes_the_score(client, auth, unhappy):
    _, bad = unhappy
    before = _rank(client, auth, month="2026-11", group="street", rules="small")["990101001"]
    assert before["score"] == pytest.approx(60.0)  # 100 × (0.2 + 0.4 × 0.5 + 0.4 × 0.5)
    r = _appeal(client, auth, "donghua", ticket_number=bad, grounds="evaluation_contradicted",
                reason="现场照片显示电梯已修复", evidence="维修记录")  # fmt: skip
    assert r.status_code == 201, r.text
    appeal = r.json()
    assert (appeal["number"], appeal["decision"]) == (bad, None)
    queue = client.get("/api/assessment/appeals", headers=auth("supervisor")).json()
    assert [a["id"] for a in queue] == [appeal["id"]]
    assert client.get("/api/assessment/appeals", headers=auth("heping")).json() == []
    for user in ("dispatcher", "operator", "donghua"):
        r = client.post(f"/api/assessment/appeals/{appeal['id']}/decide",
                        json={"upheld": True, "reason": "同意"}, headers=auth(user))  # fmt: skip
        assert (r.status_code, r.json()["code"]) == (403, "appeal.forbidden"), user
    r = client.post(f"/api/assessment/appeals/{appeal['id']}/decide",
                    json={"upheld": True, "reason": "证据充分"}, headers=auth("supervisor"))  # fmt: skip
    assert r.json()["decision"] == "upheld" and r.json()["reviewer"] == "supervisor"
    after = _rank(client, auth, month="2026-11", group="street", rules="small")["990101001"]
    assert after["counts"]["orders"] == 1 and after["score"] == pytest.approx(100.0)
    r = client.post(f"/api/assessment/appeals/{appeal['id']}/decide",
                    json={"upheld": False, "reason": "改主意"}, headers=auth("admin"))  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (409, "appeal.decided")


def test_a_rejected_appeal_is_visible_to_the_next_reviewer(client, auth, unhappy):
    _, bad = unhappy
    first = _appeal(client, auth, "donghua", ticket_number=bad, grounds="wrongly_dispatched",
                    reason="应属物业公司").json()  # fmt: skip
    again = _appeal(client, auth, "donghua", ticket_number=bad, grounds="unreasonable_request",
                    reason="再申诉")  # fmt: skip
    assert (again.status_code, again.json()["code"]) == (409, "appeal.pending")
    client.post(f"/api/assessment/appeals/{first['id']}/decide",
                json={"upheld": False, "reason": "物业管理属街道职责"}, headers=auth("supervisor"))  # fmt: skip
    same = _appeal(client, auth, "donghua", ticket_number=bad, grounds="wrongly_dispatched",
                   reason="还是不服")  # fmt: skip
    assert (same.status_code, same.json()["code"]) == (422, "appeal.repeated")
    second = _appeal(client, auth, "donghua", ticket_number=bad,
                     grounds="evaluation_contradicted", reason="有维修记录").json()  # fmt: skip
    seen = client.get(f"/api/assessment/appeals/{second['id']}", headers=auth("supervisor")).json()
    assert [(h["grounds"], h["decision"]) for h in seen["history"]] == [
        ("wrongly_dispatched", "rejected"),
        ("evaluation_contradicted", None),
    ]
    score = _rank(client, auth, month="2026-11", group="street", rules="small")["990101001"]
    assert score["counts"]["orders"] == 2  # nothing upheld: the ticket still counts


def test_appeals_outside_the_rules_are_refused(client, auth, clock, unhappy):
    good, bad = unhappy
    r = _appeal(client, auth, "heping", ticket_number=bad, grounds="wrongly_dispatched",
                reason="不是我们的")  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (404, "ticket.not_found")  # not its ticket
    open_ticket = create(client, auth)["number"]
    act(client, auth, "dispatcher", open_ticket, "dispatch", lead_unit_code="990101001")
    r = _appeal(client, auth, "donghua", ticket_number=open_ticket,
                grounds="wrongly_dispatched", reason="早")  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "appeal.too_early")
    r = _appeal(client, auth, "donghua", ticket_number=good, grounds="not_a_ground", reason="x")
    assert r.status_code == 422
    clock.advance(days=11)  # the window is ten days from the evaluation
    r = _appeal(client, auth, "donghua", ticket_number=bad, grounds="wrongly_dispatched",
                reason="晚了")  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "appeal.window_closed")
    assert client.get("/api/assessment/appeals?all=true", headers=auth("admin")).json() == []


def test_the_queue_keeps_the_longest_waiting_and_the_history_the_newest(
    client, auth, clock, unhappy, ctx, monkeypatch
):
    """A6: past the listing's limit, the office's queue of pending appeals still holds the
    ones waiting longest, and the record of all appeals the newest (it kept the oldest)."""
    from jiesu.assessment import appeals
    from jiesu.domain.roles import Actor, Role

    good, bad = unhappy
    filed = []
    for grounds in ("wrongly_dispatched", "unreasonable_request", "evaluation_contradicted"):
        r = _appeal(client, auth, "donghua", ticket_number=bad, grounds=grounds, reason="理由")
        filed.append(r.json()["id"])
        if grounds != "evaluation_contradicted":  # one pending at a time per ticket
            client.post(f"/api/assessment/appeals/{filed[-1]}/decide",
                        json={"upheld": False, "reason": "驳回"}, headers=auth("supervisor"))  # fmt: skip
    later = _appeal(client, auth, "donghua", ticket_number=good, grounds="wrongly_dispatched",
                    reason="理由").json()["id"]  # fmt: skip
    monkeypatch.setattr(appeals, "LISTED", 2)
    office = Actor(None, "supervisor", Role.SUPERVISOR, ctx.city.city.hotline_unit)
    assert [a["id"] for a in appeals.listing(ctx, office)] == [filed[2], later]
    assert [a["id"] for a in appeals.listing(ctx, office, pending_only=False)] == [filed[2], later]
    monkeypatch.setattr(appeals, "LISTED", 1)
    assert [a["id"] for a in appeals.listing(ctx, office)] == [filed[2]]  # the longest waiting
    assert [a["id"] for a in appeals.listing(ctx, office, pending_only=False)] == [later]
