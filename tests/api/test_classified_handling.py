"""Classified handling at intake (I5, I6, I7), merging (并单), reclassification (I3, A7) and
the release of a confidential requester's identity (S1), through the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jiesu.city.config import CityConfig
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

from .helpers import act, create, dispatched


def outbox(ctx, topic=None):
    with UnitOfWork(ctx.engine, write=False) as uow:
        rows = uow.session.execute(select(tables.outbox).order_by(tables.outbox.c.id)).all()
    return [r for r in rows if topic is None or r.topic == topic]


@pytest.mark.parametrize(
    "reason, destination, words",
    [
        ("emergency", "119", "紧急事项"),
        ("legal_channel", "行政复议", "法定途径"),
        ("secret_or_privacy", "", "个人隐私"),
        ("out_of_scope", "律师事务所", "市场或社会渠道"),
        ("illegal", "《物业管理条例》", "不予支持"),
        ("handover", "天津12345热线", "已转交"),
    ],
)
def test_each_case_has_its_reason_and_message(client, auth, ctx, reason, destination, words):
    t = create(client, auth)
    body = {"referral_reason": reason, "destination": destination or "—"}
    r = act(client, auth, "operator", t["number"], "refer", **body)
    assert r["status"] == "referred" and r["referral_reason"] == reason
    assert r["referral_accepted"] is True  # the test city takes everything with guidance
    sms = [m for m in outbox(ctx, "sms.requester") if m.payload["action"] == "refer"]
    assert len(sms) == 1 and words in sms[0].payload["text"]
    assert sms[0].payload["template"] == f"refer.{reason}"
    handover = outbox(ctx, "handover.emergency")
    assert len(handover) == (1 if reason == "emergency" else 0)
    if handover:
        assert handover[0].payload["recipient"] == "119"


def test_repeated_request_points_at_the_original_and_is_counted(client, auth, ctx):
    first = dispatched(client, auth)
    for _ in range(2):
        again = create(client, auth)
        r = act(
            client,
            auth,
            "operator",
            again["number"],
            "refer",
            referral_reason="repeated",
            destination="告知原工单进展",
            original_number=first["number"],
        )
        assert r["status"] == "referred"
    seen = client.get(f"/api/tickets/{first['number']}", headers=auth("operator")).json()
    assert seen["repeat_count"] == 2
    again_seen = client.get(f"/api/tickets/{again['number']}", headers=auth("operator")).json()
    assert again_seen["original"] == first["number"]
    texts = [
        m.payload["text"] for m in outbox(ctx, "sms.requester") if m.payload["action"] == "refer"
    ]
    assert all(first["number"] in t and "待签收" in t for t in texts)
    # A repeat without its original is refused, nothing changes.
    lone = create(client, auth)
    r = client.post(
        f"/api/tickets/{lone['number']}/refer",
        json={"referral_reason": "repeated", "destination": "x"},
        headers=auth("operator"),
    )
    assert r.status_code == 422 and r.json()["code"] == "referral.no_original"
    r = client.post(
        f"/api/tickets/{lone['number']}/refer",
        json={"referral_reason": "repeated", "destination": "x", "original_number": "CS000"},
        headers=auth("operator"),
    )
    assert r.status_code == 422 and r.json()["code"] == "ticket.unknown_reference"


def test_a_refusing_city_refuses_but_still_passes_emergencies_on(ctx, client, auth, city):
    refusing = CityConfig.model_validate(
        {**city.model_dump(mode="json"), "referral_policy": {"mode": "refuse"}}
    )
    ctx.city = refusing
    t = create(client, auth)
    r = act(
        client,
        auth,
        "operator",
        t["number"],
        "refer",
        referral_reason="out_of_scope",
        destination="市场渠道",
    )
    assert r["referral_accepted"] is False
    assert (
        outbox(ctx, "sms.requester")[-1]
        .payload["text"]
        .startswith("根据本市热线管理规定，该诉求不予受理。")
    )
    e = create(client, auth)
    assert (
        act(
            client,
            auth,
            "operator",
            e["number"],
            "refer",
            referral_reason="emergency",
            destination="110",
        )["referral_accepted"]
        is True
    )


def test_merge_joins_the_handling_ticket_and_informs_both_requesters(client, auth, ctx):
    lead = dispatched(client, auth)
    second = create(client, auth, requester_name="李先生", requester_phone="13900139000")
    m = act(
        client,
        auth,
        "operator",
        second["number"],
        "merge",
        into_number=lead["number"],
        reason="同一部电梯",
    )
    assert m["status"] == "merged" and m["merged_into"] is None or m["status"] == "merged"
    seen = client.get(f"/api/tickets/{second['number']}", headers=auth("operator")).json()
    assert seen["merged_into"] == lead["number"]
    master = client.get(f"/api/tickets/{lead['number']}", headers=auth("operator")).json()
    assert master["merged"] == [second["number"]]
    events = client.get(f"/api/tickets/{lead['number']}/timeline", headers=auth("operator")).json()
    assert events[-1]["action"] == "absorb" and events[-1]["data"] == {"merged": second["number"]}
    # Everything the first requester is told, the merged requester is told too.
    for action, body in [
        ("acknowledge", {}),
        ("contact", {}),
        ("reply", {"outcome": "solved", "text": "电梯已修复"}),
    ]:
        act(client, auth, "donghua", lead["number"], action, **body)
    sms = outbox(ctx, "sms.requester")
    replied = [m for m in sms if m.payload["template"] == "replied"]
    assert sorted(m.payload["recipient"] for m in replied) == [
        "requester",
        f"requester:{second['number']}",
    ]
    # Each requester gets a return visit of their own, with their own link (A1).
    links = [m.payload for m in sms if m.payload["template"] == "visit"]
    assert sorted(p["recipient"] for p in links) == ["requester", f"requester:{second['number']}"]
    assert len({p["link"] for p in links}) == 2


def test_merge_refusals(client, auth):
    a = create(client, auth)
    done = create(client, auth)
    act(client, auth, "operator", done["number"], "answer_directly", answer="已答复")
    for into, status, code in [
        (a["number"], 422, "merge.bad_target"),
        ("CS404", 422, "ticket.unknown_reference"),
        (done["number"], 409, "ticket.illegal_transition"),
    ]:
        r = client.post(
            f"/api/tickets/{a['number']}/merge",
            json={"into_number": into},
            headers=auth("operator"),
        )
        assert r.status_code == status and r.json()["code"] == code, r.text
    again = client.get(f"/api/tickets/{a['number']}", headers=auth("operator")).json()
    assert again["status"] == "received" and again["version"] == a["version"]
    target = client.get(f"/api/tickets/{done['number']}/timeline", headers=auth("operator")).json()
    assert [e["action"] for e in target] == ["receive", "answer_directly"]


def test_reclassify_corrects_type_category_and_tags(client, auth):
    t = create(client, auth, tags=["housing"])
    r = act(
        client,
        auth,
        "operator",
        t["number"],
        "reclassify",
        request_type="help",
        category="城乡建设/供水",
        tags=["housing", "safety"],
    )
    assert (r["request_type"], r["category"], r["tags"]) == (
        "help",
        "城乡建设/供水",
        ["housing", "safety"],
    )
    for body, code in [
        ({"category": "没有/这个"}, "category.unknown"),
        ({"tags": ["nonsense"]}, "input.invalid"),
        ({"request_type": "help"}, "classify.unchanged"),
    ]:
        resp = client.post(
            f"/api/tickets/{t['number']}/reclassify", json=body, headers=auth("operator")
        )
        assert resp.status_code == 422 and resp.json()["code"] == code


def test_identity_released_to_one_unit_only_and_on_record(client, auth):
    t = dispatched(client, auth, confidential=True)
    n = t["number"]
    assert client.get(f"/api/tickets/{n}", headers=auth("donghua")).json()["requester_phone"] == ""
    r = client.post(
        f"/api/tickets/{n}/release_identity",
        json={"unit_code": "990101001"},
        headers=auth("operator"),
    )
    assert r.status_code == 403  # only dispatchers and admins release identities
    act(
        client,
        auth,
        "dispatcher",
        n,
        "release_identity",
        unit_code="990101001",
        reason="需上门核实电梯故障",
    )
    assert (
        client.get(f"/api/tickets/{n}", headers=auth("donghua")).json()["requester_phone"]
        == "13800138000"
    )
    # The supervising district still sees no identity.
    assert (
        client.get(f"/api/tickets/{n}", headers=auth("dongqu")).json()["requester_name"]
        == "（保密）"
    )
    last = client.get(f"/api/tickets/{n}/timeline", headers=auth("operator")).json()[-1]
    assert last["action"] == "release_identity" and last["actor_username"] == "dispatcher"
    assert last["reason"] == "需上门核实电梯故障" and last["data"] == {"unit": "990101001"}
    r = client.post(
        f"/api/tickets/{n}/release_identity",
        json={"unit_code": "990102001", "reason": "x"},
        headers=auth("dispatcher"),
    )
    assert r.status_code == 422 and r.json()["code"] == "identity.unit_not_involved"


def test_corrections_are_kept_as_training_data(client, auth, ctx):
    proposal = {
        "request_type": "consult",
        "category": "城乡建设/物业管理",
        "tags": ["housing"],
        "model_version": "m-1",
    }
    t = create(client, auth, request_type="complaint", tags=["housing"], proposal=proposal)
    act(client, auth, "operator", t["number"], "reclassify", category="城乡建设/供水")
    with UnitOfWork(ctx.engine, write=False) as uow:
        rows = uow.session.execute(
            select(tables.classification_feedback).order_by(tables.classification_feedback.c.id)
        ).all()
    assert [(r.field, r.proposed, r.chosen, r.model_version) for r in rows] == [
        ("request_type", "consult", "complaint", "m-1"),  # corrected at intake
        ("category", "城乡建设/物业管理", "城乡建设/供水", "reclassify"),  # corrected later
    ]
    assert "电梯" in rows[0].text and rows[0].username == "operator"
