"""H9: the requester follows their request with the link of the confirmation SMS — every
public step in order, nothing internal, nothing about other people."""

from __future__ import annotations

from sqlalchemy import select

from jiesu.handling.tracking import tracking_code
from jiesu.storage.tables import outbox
from tests.api.helpers import act, create


def test_the_confirmation_sms_links_to_a_public_timeline(client, auth, engine):
    t = create(client, auth, confidential=True)
    number = t["number"]
    act(client, auth, "dispatcher", number, "dispatch", lead_unit_code="990101002")
    act(client, auth, "heping", number, "raise_objection", grounds="jurisdiction",
        reason="内部理由：地址属东华街道", evidence="内部证据")  # fmt: skip
    act(client, auth, "dispatcher", number, "uphold_objection", lead_unit_code="990101001",
        reason="内部审核意见")  # fmt: skip
    act(client, auth, "donghua", number, "acknowledge")
    act(client, auth, "donghua", number, "contact", method="phone", outcome="reached",
        note="内部备注：诉求人情绪激动")  # fmt: skip
    act(client, auth, "supervisor", number, "urge", reason="内部督办")
    act(client, auth, "donghua", number, "reply", outcome="solved", text="电梯已修复并通过检验。")
    with engine.connect() as conn:
        [sms] = [r.payload for r in conn.execute(select(outbox))
                 if r.payload.get("template") == "received"]  # fmt: skip
    assert sms["track"] == f"/track/{number}?code={tracking_code(number)}"
    r = client.get(sms["track"].replace("/track/", "/api/track/"))  # no login
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["status"] == "replied"
    assert [s["label_zh"] for s in got["steps"]] == [
        "诉求已受理",
        "已派至和平街道办理",
        "已派至东华街道办理",
        "东华街道已签收",
        "东华街道已与您联系",
        "已办结（已解决）",
    ]
    assert got["steps"][-1]["detail"] == "电梯已修复并通过检验。"
    body = r.text
    for secret in ("内部", "张女士", "13800138000", "dispatcher", "heping", "donghua"):
        assert secret not in body


def test_a_wrong_or_missing_code_reveals_nothing(client, auth):
    t = create(client, auth)
    for url in (f"/api/track/{t['number']}?code=abc", f"/api/track/{t['number']}?code=",
                f"/api/track/CS00000000000000?code={tracking_code('CS00000000000000')}"):  # fmt: skip
        r = client.get(url)
        assert (r.status_code, r.json()["code"]) == (404, "ticket.not_found"), url
    assert client.get(f"/api/track/{t['number']}").status_code == 422


def test_a_merged_request_follows_the_ticket_that_handles_it(client, auth):
    first = create(client, auth)
    second = create(client, auth, requester_phone="13900139000", requester_name="李先生")
    act(client, auth, "operator", second["number"], "merge", into_number=first["number"],
        reason="同一部电梯")  # fmt: skip
    act(client, auth, "dispatcher", first["number"], "dispatch", lead_unit_code="990101001")
    code = tracking_code(second["number"])
    got = client.get(f"/api/track/{second['number']}?code={code}").json()
    labels = [s["label_zh"] for s in got["steps"]]
    assert labels[:2] == ["诉求已受理", "与反映同一问题的诉求合并办理"]
    assert labels[-1] == "已派至东华街道办理" and got["status"] == "dispatched"
    assert "张女士" not in str(got)
