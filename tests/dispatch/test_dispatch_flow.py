"""Dispatch through the API against a real database: suggestions, the catalogue's rules,
objections and their review, consultation (D1–D5, D7, D8)."""

from __future__ import annotations

from sqlalchemy import func, select

from jiesu.storage.tables import dispatch_decisions, ticket_events
from tests.api.helpers import act, create

BUS = {
    "category": "交通运输/公交线路",
    "title": "公交线路调整",
    "content": "希望增加东区到西区的公交线路，早高峰太挤。",
    "address": "东区东华街道",
    "location_unit_code": None,
}


def _events(engine, number_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count()).where(ticket_events.c.ticket_id == number_id)
        ).scalar_one()


def _ticket(client, auth, number: str) -> dict:
    return client.get(f"/api/tickets/{number}", headers=auth("dispatcher")).json()


def test_suggestion_from_catalogue_and_address_is_accepted_with_one_key(client, auth, engine):
    """D1, D7: the catalogue's duty at the place the address names, with the reasons;
    the dispatch records what was proposed and that it was taken."""
    t = create(client, auth, location_unit_code=None, address="东区东华街道东华社区3号楼")
    s = client.get(f"/api/tickets/{t['number']}/suggestions", headers=auth("dispatcher")).json()
    top = s["candidates"][0]
    assert top["unit_code"] == "990101001"  # 物业管理 → street; the address names 东华街道
    assert [r["kind"] for r in top["reasons"]] == ["catalogue"]
    assert "东华街道" in top["reasons"][0]["text"]
    # The community only assists with property matters: proposed as a co-handler (D8).
    assert [c["unit_code"] for c in top["co_handlers"]] == ["990101001001"]
    assert s["place"]["community"]["name"] == "东华社区" and s["place"]["reasons"]
    # A community may not lead it: listed as refused, with the rule named.
    co = [{"unit_code": c["unit_code"], "task": c["task"]} for c in top["co_handlers"]]
    out = act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101001",
              co_handlers=co)  # fmt: skip
    assert out["lead_unit_code"] == "990101001" and out["location_unit_code"] == "990101001001"
    [event] = [
        e
        for e in client.get(
            f"/api/tickets/{t['number']}/timeline", headers=auth("dispatcher")
        ).json()
        if e["action"] == "dispatch"
    ]
    assert event["data"]["suggestion"]["accepted"] is True
    assert event["data"]["suggestion"]["rank"] == 1
    assert event["data"]["suggestion"]["catalogue_version"] == 1
    with engine.connect() as conn:
        row = conn.execute(select(dispatch_decisions)).one()
    assert (row.chosen_unit_code, row.suggested_unit_code, row.accepted) == (
        "990101001",
        "990101001",
        True,
    )


def test_an_override_is_kept_as_training_data(client, auth, engine):
    t = create(client, auth)
    act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101002")
    with engine.connect() as conn:
        row = conn.execute(select(dispatch_decisions)).one()
    assert (row.chosen_unit_code, row.accepted) == ("990101002", False)
    assert "电梯" in row.text and row.username == "dispatcher"


def test_only_the_district_known_goes_to_the_district_government(client, auth):
    """D3, BJ Art. 12: no street can be fixed, the district coordinates."""
    t = create(client, auth, location_unit_code=None, address="东区")
    s = client.get(f"/api/tickets/{t['number']}/suggestions", headers=auth("dispatcher")).json()
    assert s["candidates"][0]["unit_code"] == "990101"
    assert "区政府统筹" in s["candidates"][0]["reasons"][0]["text"]


def test_a_fixed_unit_needs_no_place(client, auth):
    t = create(client, auth, category="城乡建设/供水", location_unit_code=None, address="")
    s = client.get(f"/api/tickets/{t['number']}/suggestions", headers=auth("operator")).json()
    assert s["candidates"][0]["unit_code"] == "utility.water"


def test_units_may_not_read_suggestions(client, auth):
    t = create(client, auth)
    r = client.get(f"/api/tickets/{t['number']}/suggestions", headers=auth("donghua"))
    assert r.status_code == 403 and r.json()["code"] == "dispatch.forbidden"


# --- D8: the rules, enforced ------------------------------------------------------------------


def _refused(client, auth, engine, number: str, code: str, **body) -> None:
    before = _ticket(client, auth, number)
    r = client.post(f"/api/tickets/{number}/dispatch", json=body, headers=auth("dispatcher"))
    assert r.status_code == 422, r.text
    assert r.json()["code"] == code
    assert "Art. 17" in r.json()["message_en"] and "第" not in r.json()["message_en"]
    after = _ticket(client, auth, number)
    assert (after["status"], after["version"]) == (before["status"], before["version"])


def test_a_community_gets_nothing_outside_its_duty_list(client, auth, engine):
    t = create(client, auth, **BUS)
    _refused(client, auth, engine, t["number"], "dispatch.rule.community_duty_list",
             lead_unit_code="990101001001")  # fmt: skip
    _refused(client, auth, engine, t["number"], "dispatch.rule.community_duty_list",
             lead_unit_code="city.transport",
             co_handlers=[{"unit_code": "990101001001", "task": "协助"}])  # fmt: skip


def test_a_community_never_leads_what_it_only_assists_with(client, auth, engine):
    t = create(client, auth)  # 物业管理: community assists
    _refused(client, auth, engine, t["number"], "dispatch.rule.community_assist_only",
             lead_unit_code="990101001001")  # fmt: skip
    # …but it may co-handle.
    act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101001",
        co_handlers=[{"unit_code": "990101001001", "task": "协助"}])  # fmt: skip


def test_a_street_never_leads_a_departments_matter(client, auth, engine):
    t = create(client, auth, **BUS)
    _refused(client, auth, engine, t["number"], "dispatch.rule.department_matter",
             lead_unit_code="990101001")  # fmt: skip


def test_a_co_handler_added_later_obeys_the_community_rule(client, auth):
    t = create(client, auth, **BUS)
    act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="city.transport")
    act(client, auth, "transport", t["number"], "acknowledge")
    r = client.post(
        f"/api/tickets/{t['number']}/add_co_handler",
        json={"unit_code": "990101001001", "task": "入户调查"},
        headers=auth("transport"),
    )
    assert r.status_code == 422 and r.json()["code"] == "dispatch.rule.community_duty_list"


def test_unknown_and_foreign_units_are_refused(client, auth):
    t = create(client, auth)
    for code, error in [("110101", "unit.unknown"), ("hotline", "unit.not_handling")]:
        r = client.post(
            f"/api/tickets/{t['number']}/dispatch",
            json={"lead_unit_code": code},
            headers=auth("dispatcher"),
        )
        assert (r.status_code, r.json()["code"]) == (422, error)


# --- D5: objections ---------------------------------------------------------------------------


def test_objection_review_upheld_redispatches_away_from_the_objector(client, auth):
    t = create(client, auth)
    act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101002")
    act(client, auth, "heping", t["number"], "raise_objection", grounds="jurisdiction",
        reason="东华社区属东华街道", evidence="行政区划图")  # fmt: skip
    queue = client.get("/api/dispatch/objections", headers=auth("dispatcher")).json()
    assert [q["number"] for q in queue] == [t["number"]]
    assert queue[0]["objection"]["unit_code"] == "990101002"
    s = client.get(f"/api/tickets/{t['number']}/suggestions", headers=auth("dispatcher")).json()
    assert "990101002" not in [c["unit_code"] for c in s["candidates"]]
    # Not back to the objector, and not by an operator or a supervisor.
    r = client.post(f"/api/tickets/{t['number']}/uphold_objection",
                    json={"lead_unit_code": "990101002", "reason": "成立"},
                    headers=auth("dispatcher"))  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "objection.same_unit")
    for user, status in (("operator", 403), ("supervisor", 403), ("donghua", 404)):
        r = client.post(f"/api/tickets/{t['number']}/uphold_objection",
                        json={"lead_unit_code": "990101001", "reason": "成立"},
                        headers=auth(user))  # fmt: skip
        assert r.status_code == status, user
    out = act(client, auth, "dispatcher", t["number"], "uphold_objection",
              lead_unit_code="990101001", reason="经核实属东华街道")  # fmt: skip
    assert (out["status"], out["lead_unit_code"]) == ("dispatched", "990101001")
    assert client.get("/api/dispatch/objections", headers=auth("dispatcher")).json() == []
    report = client.get("/api/dispatch/reports/objections", headers=auth("supervisor")).json()
    [heping] = [u for u in report["by_unit"] if u["unit_code"] == "990101002"]
    assert (heping["orders"], heping["objections"], heping["upheld"]) == (1, 1, 1)
    assert heping["objection_rate"] == 1.0 and heping["upheld_share"] == 1.0
    [entry] = [e for e in report["by_entry"] if e["category"] == "城乡建设/物业管理"]
    assert (entry["orders"], entry["objections"]) == (2, 1)


def test_rejected_objection_returns_and_the_same_grounds_cannot_be_raised_again(client, auth):
    t = create(client, auth)
    act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101001")
    act(client, auth, "donghua", t["number"], "raise_objection", grounds="duty", reason="非本职")
    out = act(client, auth, "dispatcher", t["number"], "reject_objection",
              reason="物业管理属街道职责")  # fmt: skip
    assert (out["status"], out["lead_unit_code"]) == ("dispatched", "990101001")
    r = client.post(f"/api/tickets/{t['number']}/raise_objection",
                    json={"grounds": "duty", "reason": "仍非本职"}, headers=auth("donghua"))  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "objection.repeated")
    assert _ticket(client, auth, t["number"])["status"] == "dispatched"
    act(client, auth, "donghua", t["number"], "raise_objection", grounds="jurisdiction",
        reason="地点在和平街道")  # fmt: skip
    report = client.get("/api/dispatch/reports/objections", headers=auth("dispatcher")).json()
    [donghua] = [u for u in report["by_unit"] if u["unit_code"] == "990101001"]
    assert (donghua["objections"], donghua["rejected"], donghua["pending"]) == (2, 1, 1)


def test_objection_after_the_window_is_refused(client, auth, clock):
    t = create(client, auth)
    act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101001")
    clock.advance(days=2)  # Monday → Wednesday: the one-working-day window has closed
    r = client.post(f"/api/tickets/{t['number']}/raise_objection",
                    json={"grounds": "duty", "reason": "非本职"}, headers=auth("donghua"))  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "objection.window_closed")


def test_when_a_city_department_and_a_district_dispute_the_city_department_leads(client, auth):
    t = create(client, auth, **BUS)
    act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101")
    act(client, auth, "dongqu", t["number"], "raise_objection", grounds="duty",
        reason="公交线路属市交通委")  # fmt: skip
    act(client, auth, "dispatcher", t["number"], "uphold_objection",
        lead_unit_code="city.transport", reason="属市级事权")  # fmt: skip
    act(client, auth, "transport", t["number"], "raise_objection", grounds="duty",
        reason="应由区里协调")  # fmt: skip
    for lead in ("990101.urban", "990101001"):
        r = client.post(f"/api/tickets/{t['number']}/uphold_objection",
                        json={"lead_unit_code": lead, "reason": "成立"},
                        headers=auth("dispatcher"))  # fmt: skip
        assert r.status_code == 422
        assert r.json()["code"] in {"dispatch.rule.city_department_leads",
                                    "dispatch.rule.department_matter"}  # fmt: skip
    r = client.post(f"/api/tickets/{t['number']}/uphold_objection",
                    json={"lead_unit_code": "990101.urban", "reason": "成立"},
                    headers=auth("dispatcher"))  # fmt: skip
    assert r.json()["code"] == "dispatch.rule.city_department_leads"
    out = act(client, auth, "dispatcher", t["number"], "reject_objection",
              reason="市区争议由市级部门主办")  # fmt: skip
    assert out["lead_unit_code"] == "city.transport"


# --- D4: consultation -------------------------------------------------------------------------


def test_consultation_collects_positions_and_the_hotline_decides(client, auth, clock):
    t = create(client, auth, category="城市管理/噪声扰民", title="夜间施工噪声",
               content="工地每晚施工到凌晨")  # fmt: skip
    out = act(client, auth, "dispatcher", t["number"], "start_consultation",
              unit_codes=["990101001", "990101.urban"], reason="噪声由街道还是城管委主办？")  # fmt: skip
    assert out["status"] == "consulting"
    mine = client.get("/api/dispatch/consultations", headers=auth("donghua")).json()
    assert [m["number"] for m in mine] == [t["number"]]
    assert client.get("/api/dispatch/consultations", headers=auth("heping")).json() == []
    # An invited unit lists the ticket among its own before anyone leads it (the list
    # shows what the unit may open); a unit not invited does not.
    for user, listed in (("urban", True), ("heping", False)):
        items = client.get("/api/tickets", headers=auth(user)).json()["items"]
        assert (t["number"] in [i["number"] for i in items]) is listed, user
    r = client.post(f"/api/tickets/{t['number']}/give_position",
                    json={"position": "lead", "reason": "我来"}, headers=auth("heping"))  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (404, "ticket.not_found")  # not invited
    act(client, auth, "donghua", t["number"], "give_position", position="co_handle",
        reason="街道执法队可配合")  # fmt: skip
    r = client.post(f"/api/tickets/{t['number']}/give_position",
                    json={"position": "lead", "reason": "改主意"}, headers=auth("donghua"))  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (403, "ticket.not_invited")  # answered once
    # One answer is missing and the time is not up: no decision yet.
    r = client.post(f"/api/tickets/{t['number']}/decide_consultation",
                    json={"lead_unit_code": "990101.urban", "reason": "会商"},
                    headers=auth("dispatcher"))  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "consultation.pending")
    clock.advance(days=2)  # the one working day to answer (to Tuesday night) is over
    out = act(client, auth, "dispatcher", t["number"], "decide_consultation",
              lead_unit_code="990101.urban", reason="城管委主办，街道协办",
              co_handlers=[{"unit_code": "990101001", "task": "现场配合执法"}])  # fmt: skip
    assert (out["status"], out["lead_unit_code"]) == ("dispatched", "990101.urban")
    timeline = client.get(f"/api/tickets/{t['number']}/timeline", headers=auth("dispatcher")).json()
    decided = timeline[-1]
    assert decided["action"] == "decide_consultation"
    assert decided["data"]["positions"] == {"990101001": "co_handle", "990101.urban": None}
    assert decided["data"]["no_answer"] == ["990101.urban"]
    assert client.get("/api/dispatch/consultations", headers=auth("dispatcher")).json() == []


def test_consultation_needs_known_units_and_a_dispatcher(client, auth):
    t = create(client, auth)
    r = client.post(f"/api/tickets/{t['number']}/start_consultation",
                    json={"unit_codes": ["nowhere"], "reason": "?"}, headers=auth("dispatcher"))  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "unit.unknown")
    r = client.post(f"/api/tickets/{t['number']}/start_consultation",
                    json={"unit_codes": ["990101001"], "reason": "?"}, headers=auth("operator"))  # fmt: skip
    assert r.status_code == 403
    assert _ticket(client, auth, t["number"])["status"] == "received"


def test_intake_assistance_proposes_the_lead_while_the_call_is_taken(client, auth):
    """D7: at intake too, before the ticket exists."""
    r = client.post(
        "/api/intake/assist",
        json={"title": "电梯故障", "content": "小区电梯坏了两周，物业不修。",
              "address": "东区和平街道和平里社区5号楼", "category": "城乡建设/物业管理"},
        headers=auth("operator"),
    )  # fmt: skip
    assert r.status_code == 200, r.text
    [first, *_] = r.json()["leads"]
    assert (first["unit_code"], first["unit_name"]) == ("990101002", "和平街道")
    assert first["co_handlers"] == ["和平里社区"] and "派单目录" in first["reasons"][0]
