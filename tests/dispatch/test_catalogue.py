"""D1, D8: the dispatch catalogue as versioned data — edits with who and why, history,
validation as a whole, concurrent edits, and dispatch checked against the version in force."""

from __future__ import annotations

from sqlalchemy import func, select

from jiesu.dispatch import catalogue
from jiesu.storage.tables import catalogue_versions
from tests.api.helpers import act, create

PROPERTY = {"category": "城乡建设/物业管理", "lead_kind": "street", "community": "duty"}


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(catalogue_versions)).scalar_one()


def test_the_city_file_is_version_one(client, auth, city):
    got = client.get("/api/dispatch/catalogue", headers=auth("operator")).json()
    assert got["version"] == 1 and got["author"] == "city-config"
    assert len(got["entries"]) == len(city.dispatch_catalogue)


def test_an_edit_is_a_new_version_with_who_why_and_what(client, auth, engine):
    r = client.put(
        "/api/dispatch/catalogue/entries",
        json={"entry": PROPERTY, "reason": "社区职责清单新增物业协调", "expected_version": 1},
        headers=auth("admin"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    history = client.get("/api/dispatch/catalogue/history", headers=auth("supervisor")).json()
    assert [(h["version"], h["author"]) for h in history] == [(2, "admin"), (1, "city-config")]
    [change] = history[0]["changes"]
    assert change["change"] == "changed" and change["category"] == "城乡建设/物业管理"
    assert change["before"]["community"] == "assist" and change["after"]["community"] == "duty"
    assert history[0]["reason"] == "社区职责清单新增物业协调"
    # The old version can still be read.
    v1 = client.get("/api/dispatch/catalogue/versions/1", headers=auth("dispatcher")).json()
    [old] = [e for e in v1["entries"] if e["category"] == "城乡建设/物业管理"]
    assert old["community"] == "assist"
    # Dispatch now follows version 2: a community may lead property matters.
    t = create(client, auth)
    out = act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101001001")
    assert out["lead_unit_code"] == "990101001001"
    assert _count(engine) == 2


def test_removing_an_entry_takes_its_duty_list_with_it(client, auth):
    r = client.post(
        "/api/dispatch/catalogue/entries/remove",
        json={"category": "城乡建设/物业管理", "reason": "目录调整"},
        headers=auth("dispatcher"),
    )
    assert r.status_code == 200 and r.json()["version"] == 2
    t = create(client, auth)
    s = client.get(f"/api/tickets/{t['number']}/suggestions", headers=auth("dispatcher")).json()
    assert s["entry"] is None and s["catalogue_version"] == 2


def test_bad_edits_change_nothing(client, auth, engine):
    cases = [
        ({"entry": {**PROPERTY, "category": "不存在"}, "reason": "x"}, 422, "catalogue.invalid"),
        ({"entry": {**PROPERTY, "lead_kind": "king"}, "reason": "x"}, 422, "catalogue.bad_entry"),
        ({"entry": {**PROPERTY, "department": "nope"}, "reason": "x"}, 422, "catalogue.invalid"),
        (
            {"entry": {"category": "城乡建设/供水", "lead_kind": "utility", "unit": "990101"},
             "reason": "x"},
            422,
            "catalogue.invalid",
        ),
        ({"entry": {**PROPERTY, "community": "assist"}, "reason": "x"}, 422, "catalogue.unchanged"),
        ({"entry": PROPERTY, "reason": "x", "expected_version": 7}, 409, "catalogue.conflict"),
        ({"entry": PROPERTY, "reason": "   "}, 422, "input.required"),
    ]  # fmt: skip
    for body, status, code in cases:
        r = client.put("/api/dispatch/catalogue/entries", json=body, headers=auth("admin"))
        assert (r.status_code, r.json()["code"]) == (status, code), body
    r = client.put(
        "/api/dispatch/catalogue/entries",
        json={"entry": PROPERTY, "reason": "x"},
        headers=auth("operator"),
    )
    assert (r.status_code, r.json()["code"]) == (403, "catalogue.forbidden")
    r = client.post(
        "/api/dispatch/catalogue/entries/remove",
        json={"category": "城乡建设/无此项", "reason": "x"},
        headers=auth("admin"),
    )
    assert (r.status_code, r.json()["code"]) == (404, "catalogue.entry_not_found")
    assert _count(engine) == 0
    assert client.get("/api/dispatch/catalogue", headers=auth("admin")).json()["version"] == 1


def test_two_editors_at_once_one_wins_one_gets_a_conflict(ctx):
    from jiesu.city.catalogue import CatalogueEntry

    a = CatalogueEntry.model_validate(PROPERTY)
    b = CatalogueEntry.model_validate({**PROPERTY, "community": None, "note": "b"})
    catalogue.upsert_entry(ctx, "alice", a, "一", expected_version=1)
    try:
        catalogue.upsert_entry(ctx, "bob", b, "二", expected_version=1)
    except Exception as exc:  # noqa: BLE001 - the assertion below names it
        assert getattr(exc, "code", None) == "catalogue.conflict"
    else:
        raise AssertionError("the second edit on version 1 must conflict")
    assert catalogue.current(ctx).version == 2


def test_a_changed_city_file_is_imported_as_a_new_version(ctx):
    from jiesu.city.catalogue import CatalogueEntry

    assert catalogue.import_config(ctx) is None  # unchanged: nothing written
    noise = next(e for e in ctx.city.dispatch_catalogue if e.category == "城市管理/噪声扰民")
    catalogue.upsert_entry(ctx, "admin", noise.model_copy(update={"note": "办公室修改"}), "备注")
    entries = [
        e if e.category != "城乡建设/物业管理" else CatalogueEntry.model_validate(PROPERTY)
        for e in ctx.city.dispatch_catalogue
    ]
    ctx.city = ctx.city.model_copy(update={"dispatch_catalogue": tuple(entries)})
    new = catalogue.import_config(ctx)
    assert new is not None and new.version == 3 and new.author == "city-config"
    assert [c["category"] for c in new.changes] == ["城乡建设/物业管理", "城市管理/噪声扰民"]
    assert catalogue.import_config(ctx) is None  # imported once
