"""Handling through the API: whistle and report-in (H4), escalation (H5), contests of
improper requests (H8), urging, progress reports (H1), urgent orders (H6, H7)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from jiesu.storage.tables import outbox, whistle_calls
from tests.api.helpers import act, create


def _post(client, auth, user, number, action, **body):
    return client.post(f"/api/tickets/{number}/{action}", json=body, headers=auth(user))


def _at_street(client, auth) -> str:
    """A property ticket led by 东华街道, acknowledged."""
    t = create(client, auth)
    act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101001")
    act(client, auth, "donghua", t["number"], "acknowledge")
    return t["number"]


def _timeline(client, auth, number):
    return client.get(f"/api/tickets/{number}/timeline", headers=auth("dispatcher")).json()


def test_whistle_summons_departments_who_report_in_and_the_street_closes_it(
    client, auth, engine, clock
):
    number = _at_street(client, auth)
    out = act(client, auth, "donghua", number, "raise_whistle",
              unit_codes=["990101.urban", "utility.water"], reason="管线占道，需城管和自来水到场")  # fmt: skip
    assert out["whistle_open"] is True and out["whistle_round"] == 1
    # The summoned see the ticket; another street does not.
    assert client.get(f"/api/tickets/{number}", headers=auth("urban")).status_code == 200
    assert client.get(f"/api/tickets/{number}", headers=auth("heping")).status_code == 404
    act(client, auth, "urban", number, "report_in", reason="已到场，责令恢复道路")
    r = _post(client, auth, "urban", number, "report_in", reason="再报一次")
    assert (r.status_code, r.json()["code"]) == (403, "ticket.not_summoned")
    clock.advance(hours=25)  # past the default 24-hour report-in time
    act(client, auth, "water", number, "report_in", reason="已关阀抢修")
    timeline = _timeline(client, auth, number)
    reports = [e["data"] for e in timeline if e["action"] == "report_in"]
    assert [(d["unit"], d["late"]) for d in reports] == [
        ("990101.urban", False),
        ("utility.water", True),
    ]
    closed = act(client, auth, "donghua", number, "close_whistle", reason="联合处置完毕")
    assert closed["whistle_open"] is False
    assert _timeline(client, auth, number)[-1]["data"]["reported"] == [
        "990101.urban",
        "utility.water",
    ]
    with engine.connect() as conn:
        calls = conn.execute(select(whistle_calls).order_by(whistle_calls.c.id)).all()
    assert [(c.unit_code, c.reported_at is not None) for c in calls] == [
        ("990101.urban", True), ("utility.water", True)]  # fmt: skip


def test_whistle_bad_input_changes_nothing(client, auth):
    number = _at_street(client, auth)
    for body, code in [
        ({"unit_codes": ["990102.urban"]}, "whistle.not_department"),  # another district's
        ({"unit_codes": ["990101002"]}, "whistle.not_department"),  # a street is not a department
        ({"unit_codes": ["nowhere"]}, "unit.unknown"),
    ]:
        r = _post(client, auth, "donghua", number, "raise_whistle", reason="x", **body)
        assert (r.status_code, r.json()["code"]) == (422, code)
    t = create(client, auth, category="城乡建设/供水")
    act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="utility.water")
    act(client, auth, "water", t["number"], "acknowledge")
    r = _post(client, auth, "water", t["number"], "raise_whistle", unit_codes=["990101.urban"],
              reason="x")  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "whistle.not_street")
    got = client.get(f"/api/tickets/{number}", headers=auth("donghua")).json()
    assert got["whistle_round"] == 0


def test_escalation_to_the_district_which_names_the_units(client, auth):
    number = _at_street(client, auth)
    before = client.get(f"/api/tickets/{number}", headers=auth("dispatcher")).json()
    for authority, code in [("utility.water", "escalation.not_authority"),
                            ("990102", "escalation.not_authority")]:  # fmt: skip
        r = _post(client, auth, "donghua", number, "escalate", authority_unit_code=authority,
                  reason="协调不动")  # fmt: skip
        assert (r.status_code, r.json()["code"]) == (422, code)
    out = act(client, auth, "donghua", number, "escalate", authority_unit_code="990101",
              reason="涉及城管和物业，本街道协调不动")  # fmt: skip
    assert (out["status"], out["escalated_to"]) == ("escalated", "990101")
    r = _post(client, auth, "donghua", number, "decide_escalation", lead_unit_code="990101.urban",
              reason="自己定")  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (403, "ticket.not_authority")
    out = act(client, auth, "dongqu", number, "decide_escalation", lead_unit_code="990101.urban",
              reason="由区城管委主办，街道协办",
              co_handlers=[{"unit_code": "990101001", "task": "属地配合"}])  # fmt: skip
    assert (out["status"], out["lead_unit_code"], out["escalated_to"]) == (
        "dispatched", "990101.urban", None)  # fmt: skip
    # The requester's clock does not restart; the history is intact.
    assert out["completion_due"] == before["completion_due"]
    actions = [e["action"] for e in _timeline(client, auth, number)]
    assert actions[-3:] == ["acknowledge", "escalate", "decide_escalation"]
    # The authority that decided keeps seeing the ticket it coordinated.
    assert client.get(f"/api/tickets/{number}", headers=auth("dongqu")).status_code == 200
    # ... and finds it in its list (H5): the list asks the database what can_see asks.
    listed = client.get("/api/tickets", headers=auth("dongqu")).json()
    assert number in [x["number"] for x in listed["items"]]
    other = client.get("/api/tickets", headers=auth("xichang")).json()
    assert number not in [x["number"] for x in other["items"]]
    act(client, auth, "urban", number, "acknowledge")


def test_contest_of_an_improper_request_goes_to_the_hotline(client, auth):
    number = _at_street(client, auth)
    act(client, auth, "donghua", number, "contest_request", kind="improper",
        reason="要求物业免除全部欠费，无法律依据", evidence="物业合同")  # fmt: skip
    r = _post(client, auth, "donghua", number, "contest_request", kind="requester_costs",
              reason="再申请")  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "contest.pending")
    r = _post(client, auth, "donghua", number, "decide_contest", accepted=True, reason="自己认定")
    assert r.status_code == 403
    out = act(client, auth, "dispatcher", number, "decide_contest", accepted=True,
              reason="经核实属不合理诉求")  # fmt: skip
    assert (out["contest_kind"], out["contest_status"]) == ("improper", "accepted")


def test_supervisors_urge_with_a_note_and_the_unit_is_told(client, auth, engine):
    number = _at_street(client, auth)
    r = _post(client, auth, "supervisor", number, "urge", reason="  ")
    assert (r.status_code, r.json()["code"]) == (422, "input.required")
    r = _post(client, auth, "operator", number, "urge", reason="快办")
    assert r.status_code == 403
    out = act(client, auth, "supervisor", number, "urge", reason="群众反映强烈，请加快办理")
    assert out["urge_count"] == 1
    with engine.connect() as conn:
        payloads = [
            r.payload for r in conn.execute(select(outbox)) if r.payload["template"] == "urged"
        ]
    assert {p["unit"] for p in payloads} == {"990101001", "990101"}  # the street and its district


def test_late_co_handler_explains_with_a_progress_report(client, auth, clock):
    t = create(client, auth)
    due = (clock.now + timedelta(hours=2)).isoformat()
    act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101001",
        co_handlers=[{"unit_code": "990101.urban", "task": "查处违建", "due": due}])  # fmt: skip
    clock.advance(hours=3)
    out = act(
        client, auth, "urban", t["number"], "progress_report", text="需补充测绘，预计周五完成"
    )
    event = _timeline(client, auth, out["number"])[-1]
    assert event["data"] == {"unit": "990101.urban", "as": "co_handler",
                             "text": "需补充测绘，预计周五完成", "late": True}  # fmt: skip
    r = _post(client, auth, "heping", t["number"], "progress_report", text="不相干")
    assert r.status_code == 404


def test_urgent_and_round_the_clock_orders_go_out_at_once(client, auth, engine):
    t = create(client, auth, urgency="urgent")
    act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101001")
    w = create(client, auth, category="城乡建设/供水")
    act(client, auth, "dispatcher", w["number"], "dispatch", lead_unit_code="utility.water")
    n = create(client, auth)
    act(client, auth, "dispatcher", n["number"], "dispatch", lead_unit_code="990101002")
    with engine.connect() as conn:
        rows = conn.execute(select(outbox.c.topic, outbox.c.payload)).all()
    topics = {(p["ticket"], p.get("template")): topic for topic, p in rows}
    assert topics[(t["number"], "assigned_lead")] == "unit.urgent"
    assert topics[(w["number"], "assigned_lead")] == "unit.urgent"
    assert topics[(n["number"], "assigned_lead")] == "unit.message"
