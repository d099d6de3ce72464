"""A1: return visits by SMS link, on the web and by phone; retries; per requester."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from jiesu.followup.visits import link
from jiesu.storage.tables import outbox
from tests.api.helpers import act, create

ANSWERS = {"contacted": True, "solved": True, "satisfaction": "basically_satisfied",
           "comment": "修好了，就是慢了点"}  # fmt: skip


def _replied(client, auth, **overrides) -> str:
    n = create(client, auth, **overrides)["number"]
    act(client, auth, "dispatcher", n, "dispatch", lead_unit_code="990101001")
    for action, body in [("acknowledge", {}), ("contact", {}),
                         ("reply", {"outcome": "solved", "text": "电梯已修复"})]:  # fmt: skip
        act(client, auth, "donghua", n, action, **body)
    return n


def _links(engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = [r.payload for r in conn.execute(select(outbox))]
    return {p["recipient"]: p["link"] for p in rows if p.get("template") == "visit"}


def _api(url: str) -> str:
    return "/api" + url


def test_the_requester_answers_by_the_sms_link_once(client, auth, engine):
    n = _replied(client, auth)
    url = _api(_links(engine)["requester"])
    page = client.get(url).json()  # no login
    assert (page["number"], page["unit_name"], page["reply_text"], page["answered"]) == (
        n, "东华街道", "电梯已修复", False)  # fmt: skip
    r = client.post(url, json=ANSWERS)
    assert r.status_code == 200 and r.json()["answered"] is True
    got = client.get(f"/api/tickets/{n}", headers=auth("operator")).json()
    assert (got["status"], got["satisfaction"], got["visit_solved"]) == (
        "visited", "basically_satisfied", True)  # fmt: skip
    [visit] = got["visits"]
    assert (visit["channel"], visit["comment"]) == ("sms", "修好了，就是慢了点")
    event = client.get(f"/api/tickets/{n}/timeline", headers=auth("operator")).json()[-1]
    assert (event["action"], event["actor_username"]) == ("record_visit", "requester:sms")
    again = client.post(url, json={**ANSWERS, "satisfaction": "unsatisfied"})
    assert (again.status_code, again.json()["code"]) == (409, "visit.already_answered")
    assert client.get(f"/api/tickets/{n}", headers=auth("operator")).json()["satisfaction"] == (
        "basically_satisfied")  # fmt: skip


def test_forged_and_expired_links_are_refused(client, auth, engine, clock):
    n = _replied(client, auth)
    url = _links(engine)["requester"]
    parts = urlsplit(url)
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    forged = f"/api{parts.path}?exp={q['exp']}&sig={'a' * 16}"
    other = f"/api/visit/{int(parts.path.split('/')[-1]) + 1}?exp={q['exp']}&sig={q['sig']}"
    longer = f"/api{parts.path}?exp={int(q['exp']) + 86400}&sig={q['sig']}"
    for bad in (forged, other, longer):
        r = client.post(bad, json=ANSWERS)
        assert (r.status_code, r.json()["code"]) == (404, "visit.bad_link"), bad
    clock.advance(days=8)  # links are valid for 7 days
    r = client.post(_api(url), json=ANSWERS)
    assert (r.status_code, r.json()["code"]) == (410, "visit.link_expired")
    assert client.get(f"/api/tickets/{n}", headers=auth("operator")).json()["status"] == "replied"
    # The same visit behind a fresh, valid link can still be answered (e.g. by phone).
    fresh = link(int(parts.path.split("/")[-1]), clock.now + timedelta(days=1))
    assert client.post(_api(fresh), json=ANSWERS).status_code == 200


def test_unreachable_requesters_are_retried_then_recorded(client, auth, clock):
    n = _replied(client, auth)
    due = client.get("/api/visits/due", headers=auth("operator")).json()
    assert [d["number"] for d in due] == [n]
    assert client.get("/api/visits/due", headers=auth("donghua")).status_code == 403
    for attempt in range(1, 4):
        got = act(client, auth, "operator", n, "record_visit", reached=False, comment="无人接听")
        if attempt < 3:
            assert got["status"] == "replied"
            assert client.get("/api/visits/due", headers=auth("operator")).json() == []
            clock.advance(hours=5)  # the retry comes due after 4 hours
            assert len(client.get("/api/visits/due", headers=auth("operator")).json()) == 1
    assert got["status"] == "visited" and got["satisfaction"] is None
    assert got["visits"][0]["status"] == "unreachable" and got["visits"][0]["attempts"] == 3
    r = client.post(f"/api/tickets/{n}/record_visit", headers=auth("operator"),
                    json={"reached": True, "contacted": True, "solved": True})  # fmt: skip
    assert r.status_code == 422  # a reached requester answers all three questions


def test_merged_requesters_are_visited_each(client, auth, engine):
    first = create(client, auth)["number"]
    second = create(client, auth, requester_phone="13900139000", requester_name="李先生")
    act(client, auth, "operator", second["number"], "merge", into_number=first, reason="同一电梯")
    act(client, auth, "dispatcher", first, "dispatch", lead_unit_code="990101001")
    for action, body in [("acknowledge", {}), ("contact", {}),
                         ("reply", {"outcome": "solved", "text": "电梯已修复"})]:  # fmt: skip
        act(client, auth, "donghua", first, action, **body)
    links = _links(engine)
    assert set(links) == {"requester", f"requester:{second['number']}"}
    act(client, auth, "operator", first, "record_visit", contacted=True, solved=True,
        satisfaction="satisfied")  # fmt: skip
    r = client.post(_api(links[f"requester:{second['number']}"]), json={**ANSWERS,
                    "satisfaction": "unsatisfied"})  # fmt: skip
    assert r.status_code == 200
    got = client.get(f"/api/tickets/{first}", headers=auth("operator")).json()
    # The handling ticket's own evaluation is its requester's; the merged one is kept apart.
    assert got["satisfaction"] == "satisfied" and got["status"] == "visited"
    assert sorted(v["satisfaction"] for v in got["visits"]) == ["satisfied", "unsatisfied"]
    r = client.post(f"/api/tickets/{first}/record_visit", headers=auth("operator"),
                    json={**ANSWERS, "requester_number": "CS00000000000000"})  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "visit.not_merged")


def test_an_expired_deadline_makes_a_visit_due_and_the_reply_asks_again(
    client, auth, ctx, clock, engine
):
    """BJ Art. 23: the requester is asked when the deadline passes without a reply."""
    from datetime import datetime

    from jiesu.handling.watch import watch_deadlines

    n = create(client, auth)["number"]
    t = act(client, auth, "dispatcher", n, "dispatch", lead_unit_code="990101001")
    act(client, auth, "donghua", n, "acknowledge")
    act(client, auth, "donghua", n, "contact")
    clock.now = datetime.fromisoformat(t["completion_due"]) + timedelta(hours=1)
    watch_deadlines(ctx)
    watch_deadlines(ctx)  # once
    got = client.get(f"/api/tickets/{n}", headers=auth("operator")).json()
    assert [(v["round"], v["status"]) for v in got["visits"]] == [(1, "pending")]
    assert "record_visit" in got["allowed_actions"]
    url = _api(_links(engine)["requester"])
    assert (
        client.post(
            url, json={**ANSWERS, "solved": False, "satisfaction": "unsatisfied"}
        ).status_code
        == 200
    )
    got = client.get(f"/api/tickets/{n}", headers=auth("operator")).json()
    assert got["status"] == "in_progress"  # still with the unit: it has not replied
    act(client, auth, "donghua", n, "reply", outcome="solved", text="终于修好了")
    got = client.get(f"/api/tickets/{n}", headers=auth("operator")).json()
    # After the reply the requester is asked again; the last answer is the round's.
    assert [v["status"] for v in got["visits"]] == ["answered", "pending"]
