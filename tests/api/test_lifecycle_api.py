"""The whole lifecycle through the HTTP API (I2, D2, D5, D6, H1–H3, A1)."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import TZ

from .helpers import act, create, dispatched


def timeline(client, auth, number, user="operator"):
    r = client.get(f"/api/tickets/{number}/timeline", headers=auth(user))
    assert r.status_code == 200, r.text
    return r.json()


def test_full_lifecycle_records_every_step(client, auth, clock):
    t = create(client, auth)
    assert t["number"].startswith("CS20261123")
    assert t["status"] == "received" and t["received_at"]
    n = t["number"]
    d = act(
        client, auth, "dispatcher", n, "dispatch", lead_unit_code="990101001", reason="属地街道"
    )
    assert d["lead_unit_code"] == "990101001"
    # BJ Art. 12 / D2: a street's ticket also goes to its district government to supervise.
    assert d["supervising_unit_code"] == "990101"
    # D6: dispatched Monday 09:00 → contact by end of Tuesday, completion by end of the
    # 5th working day (Monday 30 Nov 2026), both in the city's zone.
    assert datetime.fromisoformat(d["contact_due"]).astimezone(TZ) == datetime(
        2026, 11, 24, 23, 59, 59, tzinfo=TZ
    )
    assert datetime.fromisoformat(d["completion_due"]).astimezone(TZ) == datetime(
        2026, 11, 30, 23, 59, 59, tzinfo=TZ
    )
    assert d["deadline_basis"] == "standard"
    clock.advance(minutes=30)
    act(client, auth, "donghua", n, "acknowledge")
    clock.advance(hours=2)
    c = act(
        client,
        auth,
        "donghua",
        n,
        "contact",
        method="phone",
        outcome="reached",
        note="约定明日上门",
    )
    assert c["status"] == "in_progress" and c["contacted_at"]
    clock.advance(days=1)
    r = act(
        client,
        auth,
        "donghua",
        n,
        "reply",
        outcome="solved",
        text="已督促物业更换电梯主板，恢复运行",
    )
    assert r["status"] == "replied" and r["reply_outcome"] == "solved"
    clock.advance(days=1)
    v = act(
        client,
        auth,
        "operator",
        n,
        "record_visit",
        contacted=True,
        solved=True,
        satisfaction="satisfied",
    )
    assert v["status"] == "visited"
    done = act(client, auth, "operator", n, "close")
    assert done["status"] == "closed" and done["closed_at"]

    events = timeline(client, auth, n)
    assert [e["action"] for e in events] == [
        "receive",
        "dispatch",
        "acknowledge",
        "contact",
        "reply",
        "record_visit",
        "close",
    ]
    for before, after in zip(events, events[1:], strict=False):
        assert after["from_status"] == before["to_status"]
    dispatch = events[1]
    assert dispatch["actor_username"] == "dispatcher" and dispatch["actor_unit_code"] == "hotline"
    assert dispatch["reason"] == "属地街道"
    assert dispatch["changes"]["status"] == ["received", "dispatched"]
    assert dispatch["changes"]["lead_unit_code"] == [None, "990101001"]
    assert events[3]["data"] == {"method": "phone", "outcome": "reached", "note": "约定明日上门"}


def test_answered_directly_and_referred_are_final(client, auth):
    a = create(client, auth, request_type="consult")
    a = act(
        client,
        auth,
        "operator",
        a["number"],
        "answer_directly",
        answer="可在政务服务网办理",
        source="KB-12 v3",
    )
    assert a["status"] == "answered" and a["allowed_actions"] == []
    b = create(client, auth)
    b = act(
        client,
        auth,
        "operator",
        b["number"],
        "refer",
        referral_reason="emergency",
        destination="110",
    )
    assert b["status"] == "referred" and b["referral_destination"] == "110"
    act(client, auth, "dispatcher", b["number"], "dispatch", expect=409, lead_unit_code="990101001")


def test_objection_upheld_redispatches_and_rejected_returns(client, auth):
    t = dispatched(client, auth, lead="990101.urban")
    n = t["number"]
    o = act(
        client, auth, "urban", n, "raise_objection", grounds="jurisdiction", reason="属于西区管辖"
    )
    assert o["status"] == "objected"
    up = act(
        client,
        auth,
        "dispatcher",
        n,
        "uphold_objection",
        lead_unit_code="990102.urban",
        reason="核实属西区",
    )
    assert up["status"] == "dispatched" and up["lead_unit_code"] == "990102.urban"
    # The objecting unit no longer sees the ticket.
    assert client.get(f"/api/tickets/{n}", headers=auth("urban")).status_code == 404

    t2 = dispatched(client, auth, lead="990101001")
    act(client, auth, "donghua", t2["number"], "acknowledge")
    act(
        client,
        auth,
        "donghua",
        t2["number"],
        "raise_objection",
        grounds="duty",
        reason="不属街道职责",
    )
    back = act(
        client, auth, "dispatcher", t2["number"], "reject_objection", reason="属于属地管理事项"
    )
    assert back["status"] == "acknowledged"


def test_extension_needs_approval_and_keeps_history(client, auth, clock):
    t = dispatched(client, auth)
    n = t["number"]
    act(client, auth, "donghua", n, "acknowledge")
    old_due = datetime.fromisoformat(t["completion_due"])
    proposed = datetime(2026, 12, 10, 18, 0, tzinfo=TZ)
    req = act(
        client,
        auth,
        "donghua",
        n,
        "request_extension",
        proposed_due=proposed.isoformat(),
        reason="需协调产权单位",
    )
    assert (
        datetime.fromisoformat(req["completion_due"]) == old_due
    )  # approval required in this city
    g = act(client, auth, "dispatcher", n, "grant_extension", reason="同意")
    assert datetime.fromisoformat(g["completion_due"]) == proposed and g["extension_count"] == 1
    events = timeline(client, auth, n)
    grant = events[-1]
    assert grant["action"] == "grant_extension"
    assert [datetime.fromisoformat(x) for x in grant["changes"]["completion_due"]] == [
        old_due,
        proposed,
    ]
    # Beyond the policy's 30 days: refused with its own code, nothing changed.
    far = datetime(2027, 3, 1, tzinfo=TZ).isoformat()
    r = client.post(
        f"/api/tickets/{n}/request_extension",
        json={"proposed_due": far, "reason": "x"},
        headers=auth("donghua"),
    )
    assert r.status_code == 422 and r.json()["code"] == "extension.beyond_policy"
    assert len(timeline(client, auth, n)) == len(events)


def test_co_handler_reports_to_lead(client, auth):
    t = dispatched(client, auth)
    n = t["number"]
    act(client, auth, "donghua", n, "acknowledge")
    a = act(
        client, auth, "donghua", n, "add_co_handler", unit_code="990101.urban", task="查处违规占道"
    )
    assert a["co_handlers"][0]["unit_code"] == "990101.urban"
    assert a["co_handlers"][0]["due"] == a["completion_due"]  # defaults to the lead's deadline
    # A unit without a task cannot report (H1).
    r = client.post(
        f"/api/tickets/{n}/co_handler_report", json={"report": "x"}, headers=auth("water")
    )
    assert r.status_code == 404  # not even visible to it
    rep = act(client, auth, "urban", n, "co_handler_report", report="已清理占道摊位")
    assert rep["co_handlers"][0]["reported_at"]
    act(client, auth, "urban", n, "co_handler_report", expect=403, report="again")


def test_reopen_starts_a_new_round(client, auth, clock):
    t = dispatched(client, auth)
    n = t["number"]
    for action, body in [
        ("acknowledge", {}),
        ("contact", {}),
        ("reply", {"outcome": "explained", "text": "已解释"}),
    ]:
        act(client, auth, "donghua", n, action, **body)
    act(
        client,
        auth,
        "operator",
        n,
        "record_visit",
        contacted=True,
        solved=False,
        satisfaction="basically_satisfied",  # the policy sends back only the unsatisfied
    )
    clock.advance(days=2)
    r = act(client, auth, "operator", n, "reopen", reason="诉求人反映未解决")
    assert r["status"] == "dispatched" and r["round"] == 2
    assert r["satisfaction"] is None and r["reply_outcome"] is None
    assert datetime.fromisoformat(r["completion_due"]) > datetime.fromisoformat(t["completion_due"])


def test_an_unsatisfied_requester_sends_the_ticket_back_by_policy(client, auth):
    """A1: 退回重办 by visit_policy.rehandle_on, up to max_rounds; each round keeps its visit."""
    n = dispatched(client, auth)["number"]

    def handle_and_visit(satisfaction: str) -> dict:
        for action, body in [
            ("acknowledge", {}),
            ("contact", {}),
            ("reply", {"outcome": "solved", "text": "已处理"}),
        ]:
            act(client, auth, "donghua", n, action, **body)
        return act(client, auth, "operator", n, "record_visit", contacted=True, solved=False,
                   satisfaction=satisfaction)  # fmt: skip

    r = handle_and_visit("unsatisfied")
    assert (r["status"], r["round"]) == ("dispatched", 2)
    timeline = client.get(f"/api/tickets/{n}/timeline", headers=auth("operator")).json()
    assert [(e["action"], e["actor_username"]) for e in timeline[-2:]] == [
        ("record_visit", "operator"),
        ("reopen", "system"),
    ]
    r = handle_and_visit("unsatisfied")  # the second round is the last (max_rounds 2)
    assert (r["status"], r["round"]) == ("visited", 2)
    assert [(v["round"], v["satisfaction"]) for v in r["visits"]] == [
        (1, "unsatisfied"),
        (2, "unsatisfied"),
    ]


def test_utility_and_urgent_run_on_clock_hours(client, auth):
    w = dispatched(client, auth, lead="utility.water", category="城乡建设/供水")
    assert w["deadline_basis"] == "utility_7x24"
    assert datetime.fromisoformat(w["completion_due"]).astimezone(TZ) == datetime(
        2026, 11, 24, 9, 0, tzinfo=TZ
    )
    u = dispatched(client, auth, urgency="urgent")
    assert u["deadline_basis"] == "urgent"
    assert datetime.fromisoformat(u["completion_due"]).astimezone(TZ) == datetime(
        2026, 11, 23, 11, 0, tzinfo=TZ
    )
