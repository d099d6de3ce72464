"""D7: learning dispatch from the city's own history, used in suggestions, recorded on the
dispatch, with upheld objections as negative evidence."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jiesu.storage.tables import dispatch_models
from tests.api.helpers import act, create

WATER = {"category": "城乡建设/供水", "title": "停水", "location_unit_code": "990101002001",
         "content": "和平里社区从早上开始停水，没有通知，自来水公司电话打不通。"}  # fmt: skip
LIFT = {"title": "电梯故障", "content": "东华社区小区电梯坏了，物业不修，老人上不了楼。"}


@pytest.fixture
def history(client, auth, monkeypatch, tmp_path):
    monkeypatch.setenv("JIESU_MODEL_DIR", str(tmp_path / "models"))
    for i in range(12):
        t = create(client, auth, **{**WATER, "content": WATER["content"] + f"（第{i}次）"})
        act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="utility.water")
        t = create(client, auth, **{**LIFT, "content": LIFT["content"] + f"（第{i}次）"})
        act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101001")


def test_too_little_history_is_refused(client, auth, monkeypatch, tmp_path):
    monkeypatch.setenv("JIESU_MODEL_DIR", str(tmp_path))
    r = client.post("/api/dispatch/model/train", headers=auth("admin"))
    assert (r.status_code, r.json()["code"]) == (422, "dispatch_model.too_little_history")
    r = client.post("/api/dispatch/model/train", headers=auth("operator"))
    assert r.status_code == 403


def test_trained_model_suggests_with_its_version_and_score(client, auth, engine, history):
    r = client.post("/api/dispatch/model/train", headers=auth("dispatcher"))
    assert r.status_code == 200, r.text
    trained = r.json()
    assert trained["samples"] == 24 and trained["labels"] == 2
    with engine.connect() as conn:
        [row] = conn.execute(select(dispatch_models)).all()
    assert row.version == trained["version"] and row.active
    # A text the catalogue cannot place (no category entry): the model still knows it.
    t = create(client, auth, category="城乡建设", title="电梯又坏了",
               content="东华社区电梯坏了好几天，物业不管。", address="东区东华街道东华社区")  # fmt: skip
    s = client.get(f"/api/tickets/{t['number']}/suggestions", headers=auth("dispatcher")).json()
    assert s["model_version"] == trained["version"]
    top = s["candidates"][0]
    assert top["unit_code"] == "990101001"  # the duty "street", at the place of the address
    assert any(r["kind"] == "model" and trained["version"] in r["text"] for r in top["reasons"])
    act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101001")
    event = client.get(f"/api/tickets/{t['number']}/timeline", headers=auth("dispatcher")).json()[
        -1
    ]
    assert event["data"]["suggestion"]["model_version"] == trained["version"]
    assert event["data"]["suggestion"]["model_score"] > 0


def test_upheld_objections_lower_a_unit_and_are_learned_as_negative_evidence(client, auth, history):
    t = create(client, auth)
    act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101001")
    act(client, auth, "donghua", t["number"], "raise_objection", grounds="duty", reason="非本街道")
    act(client, auth, "dispatcher", t["number"], "uphold_objection", lead_unit_code="990101002",
        reason="成立")  # fmt: skip
    trained = client.post("/api/dispatch/model/train", headers=auth("admin")).json()
    assert trained["negatives"] == {"城乡建设/物业管理": {"street": 1}}
    t2 = create(client, auth)
    s = client.get(f"/api/tickets/{t2['number']}/suggestions", headers=auth("dispatcher")).json()
    [donghua] = [c for c in s["candidates"] if c["unit_code"] == "990101001"]
    assert any(r["kind"] == "objection" for r in donghua["reasons"])
    # Who handled this category here lately is a reason too.
    assert any(r["kind"] == "history" and "12件" in r["text"] for r in donghua["reasons"])


def test_jiesu_dispatch_train_learns_from_the_history(ctx, history, capsys):
    """`jiesu dispatch train` without --data: the city's own history (D7)."""
    import json

    from jiesu.cli import main
    from tests.conftest import CITY_FILE

    url = ctx.engine.url.render_as_string(hide_password=False)
    assert main(["dispatch", "train", "--city", str(CITY_FILE), "--database-url", url,
                 "--json"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["samples"] == 24 and out["labels"] == 2
    with ctx.engine.connect() as conn:
        assert conn.execute(select(dispatch_models.c.version)).scalar_one() == out["model_version"]
    assert main(["dispatch", "train", "--data", "x.csv"]) == 2  # a file needs its columns
