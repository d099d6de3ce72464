"""Place names against the real database: adding, listing, removing, CSV import, the shared
gazetteer's freshness, the API and the CLI (D1, D3)."""

from __future__ import annotations

import argparse
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, insert

from jiesu.api import places as places_api
from jiesu.dispatch import places
from jiesu.dispatch.places_cli import add_places_commands
from jiesu.dispatch.places_import import import_csv
from jiesu.domain.errors import Conflict, InvalidInput, NotFound
from jiesu.storage import tables
from tests.conftest import CITY_FILE, START

EAST, DONGHUA, NANCHI = "990101", "990101001", "990101001002"


@pytest.fixture
def api(ctx):
    """The app, with this router included if ``create_app`` does not include it yet."""
    from jiesu.api.app import create_app

    app = create_app(ctx)
    if not any(getattr(r, "path", None) == "/api/territory/resolve" for r in app.routes):
        app.include_router(places_api.router)
    with TestClient(app) as c:
        yield c


def _add(ctx, name="金台小区", unit=NANCHI, kind="compound", **kw):
    return places.add_place(ctx, name=name, unit_code=unit, kind=kind, added_by="t", **kw)


# --- storage ------------------------------------------------------------------------------


def test_add_list_and_delete(ctx):
    p = _add(ctx, latitude=39.9, longitude=116.4)
    assert (p.name, p.unit_code, p.kind, p.latitude, p.added_by) == (
        "金台小区",
        NANCHI,
        "compound",
        39.9,
        "t",
    )
    assert p.added_at == START
    _add(ctx, "东华路", DONGHUA, "road")
    _add(ctx, "府右街北口", "990102001001", "landmark")
    assert [x.name for x in places.list_places(ctx).items] == ["东华路", "府右街北口", "金台小区"]
    below = places.list_places(ctx, unit_code=EAST)  # the district and the units below it
    assert {x.name for x in below.items} == {"东华路", "金台小区"} and below.total == 2
    assert [x.name for x in places.list_places(ctx, name="小区").items] == ["金台小区"]
    page = places.list_places(ctx, limit=1, offset=1)
    assert ([x.name for x in page.items], page.total) == (["府右街北口"], 3)
    assert places.delete_place(ctx, p.id).name == "金台小区"
    assert places.list_places(ctx).total == 2
    with pytest.raises(NotFound) as err:
        places.delete_place(ctx, p.id)
    assert err.value.code == "place.not_found"


def test_the_same_name_twice_for_a_unit_is_refused(ctx):
    _add(ctx)
    with pytest.raises(Conflict) as err:
        _add(ctx, kind="landmark")
    assert err.value.code == "place.exists"
    _add(ctx, unit=DONGHUA)  # the same name for another unit is fine


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"unit": "nowhere"}, "unit.unknown"),
        ({"unit": "hotline"}, "place.not_territorial"),
        ({"unit": "990101.urban"}, "place.not_territorial"),
        ({"unit": "utility.water"}, "place.not_territorial"),
        ({"kind": "river"}, "place.bad_kind"),
        ({"name": "桥"}, "place.bad_name"),
        ({"name": "  "}, "place.bad_name"),
        ({"latitude": 39.9}, "place.bad_coordinates"),
        ({"latitude": 95.0, "longitude": 116.0}, "place.bad_coordinates"),
    ],
)
def test_bad_places_are_refused(ctx, kw, code):
    with pytest.raises(InvalidInput) as err:
        _add(ctx, **kw)
    assert err.value.code == code
    assert err.value.message_zh and err.value.message_en
    assert places.list_places(ctx).total == 0


# --- CSV import ---------------------------------------------------------------------------

GOOD = """name,unit_code,kind,latitude,longitude
金台小区,990101001002,compound,39.9087,116.4605
东华路,990101001,road,,
崇文区,990101,old_name,,
"""


def test_import_a_good_file_and_again(ctx, tmp_path):
    f = tmp_path / "places.csv"
    f.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())  # UTF-8 with BOM
    r = import_csv(ctx, f, added_by="importer")
    assert (r.rows, r.added, r.updated, r.unchanged) == (3, 3, 0, 0)
    again = import_csv(ctx, GOOD.replace("road", "other").encode(), added_by="importer")
    assert (again.added, again.updated, again.unchanged) == (0, 1, 2)
    road = places.list_places(ctx, name="东华路").items[0]
    assert (road.kind, road.added_by) == ("other", "importer")


def test_import_gb18030_tabs_and_chinese_headers(ctx):
    text = "名称\t单位代码\t类别\n国贸桥\t990101001\tlandmark\n长安街\t990102\t\n"
    r = import_csv(ctx, text.encode("gb18030"), added_by="t")
    assert r.added == 2
    assert {(p.name, p.kind) for p in places.list_places(ctx).items} == {
        ("国贸桥", "landmark"),
        ("长安街", "other"),
    }


def test_bad_rows_are_reported_by_line_and_nothing_is_written(ctx):
    text = GOOD + "\n".join(
        [
            "某地,nowhere,road,,",  # line 5
            "热线,hotline,other,,",  # line 6
            "金台小区,990101001002,landmark,,",  # line 7: repeats line 2
            "坐标错,990101,other,abc,116",  # line 8
            "一,990101,other,,",  # line 9
        ]
    )
    with pytest.raises(InvalidInput) as err:
        import_csv(ctx, text.encode(), added_by="t")
    e = err.value
    assert e.code == "place.bad_file"
    assert [(r["line"], r["code"]) for r in e.details["rows"]] == [
        (5, "unit.unknown"),
        (6, "place.not_territorial"),
        (7, "place.duplicate_row"),
        (8, "place.bad_coordinates"),
        (9, "place.bad_name"),
    ]
    assert "第5行" in e.message_zh and "line 5" in e.message_en
    assert places.list_places(ctx).total == 0


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "place.empty_file"),
        (b"name,unit_code\n", "place.empty_file"),
        (b"name,kind\n\xe6\xa1\xa5,road\n", "place.missing_column"),
    ],
)
def test_files_that_cannot_be_imported(ctx, data, code):
    with pytest.raises(InvalidInput) as err:
        import_csv(ctx, data, added_by="t")
    assert err.value.code == code


def test_a_missing_file(ctx, tmp_path):
    with pytest.raises(InvalidInput) as err:
        import_csv(ctx, tmp_path / "none.csv", added_by="t")
    assert err.value.code == "place.bad_file"


# --- the shared gazetteer -----------------------------------------------------------------


def test_the_gazetteer_is_shared_and_rebuilt_after_a_change(ctx):
    g = places.gazetteer(ctx)
    assert places.gazetteer(ctx) is g  # unchanged: the same one
    assert g.resolve("金台小区").level is None
    _add(ctx)
    g2 = places.gazetteer(ctx)
    assert g2 is not g and g2.resolve("金台小区").community == NANCHI


def test_changes_by_another_process_are_seen(ctx):
    g = places.gazetteer(ctx)
    row = {"name": "国贸桥", "unit_code": DONGHUA, "kind": "landmark", "added_by": "x"}
    with ctx.engine.begin() as conn:  # written behind this process's back
        conn.execute(insert(tables.place_names).values(**row, added_at=START))
    assert places.gazetteer(ctx).resolve("国贸桥").street == DONGHUA
    assert places.gazetteer(ctx, max_age=60) is places.gazetteer(ctx)
    with ctx.engine.begin() as conn:
        conn.execute(delete(tables.place_names))
    fresh = places.gazetteer(ctx)
    assert fresh is not g and fresh.resolve("国贸桥").level is None


# --- API ----------------------------------------------------------------------------------


def test_api_roles(api, auth):
    body = {"name": "金台小区", "unit_code": NANCHI, "kind": "compound"}
    for user in ("operator", "supervisor", "donghua"):
        r = api.post("/api/places", json=body, headers=auth(user))
        assert (r.status_code, r.json()["code"]) == (403, "place.forbidden"), user
    r = api.post("/api/places", json=body, headers=auth("dispatcher"))
    assert r.status_code == 201, r.text
    place = r.json()
    assert (place["unit_name"], place["added_by"]) == ("南池社区", "dispatcher")
    r = api.get("/api/places", params={"unit": DONGHUA}, headers=auth("operator"))
    assert r.status_code == 200 and r.json()["total"] == 1
    assert r.json()["items"][0]["name"] == "金台小区"
    r = api.get("/api/places", headers=auth("donghua"))
    assert (r.status_code, r.json()["code"]) == (403, "place.forbidden")
    r = api.delete(f"/api/places/{place['id']}", headers=auth("operator"))
    assert r.status_code == 403
    assert api.delete(f"/api/places/{place['id']}", headers=auth("admin")).status_code == 200
    r = api.delete(f"/api/places/{place['id']}", headers=auth("admin"))
    assert (r.status_code, r.json()["code"]) == (404, "place.not_found")
    assert api.get("/api/places").status_code == 401


def test_api_errors(api, auth):
    r = api.post(
        "/api/places", json={"name": "某地", "unit_code": "hotline"}, headers=auth("admin")
    )
    assert (r.status_code, r.json()["code"]) == (422, "place.not_territorial")
    assert r.json()["message_zh"] and r.json()["message_en"]
    body = {"name": "金台小区", "unit_code": NANCHI}
    assert api.post("/api/places", json=body, headers=auth("admin")).status_code == 201
    r = api.post("/api/places", json=body, headers=auth("admin"))
    assert (r.status_code, r.json()["code"]) == (409, "place.exists")
    r = api.post("/api/places", json={**body, "extra": 1}, headers=auth("admin"))
    assert (r.status_code, r.json()["code"]) == (422, "input.invalid")


def test_api_resolve_sees_a_new_place_at_once(api, auth):
    ask = {"address": "东区金台小区5号楼"}
    r = api.post("/api/territory/resolve", json=ask, headers=auth("operator"))
    assert r.status_code == 200 and r.json()["level"] == "district"
    body = {"name": "金台小区", "unit_code": NANCHI, "kind": "compound"}
    api.post("/api/places", json=body, headers=auth("dispatcher"))
    m = api.post("/api/territory/resolve", json=ask, headers=auth("operator")).json()
    assert m["level"] == "community" and m["confidence"] > 0.8
    assert m["community"] == {
        "code": NANCHI,
        "name": "南池社区",
        "kind": "community",
        "parent_name": "东华街道",
    }
    assert m["street"]["name"] == "东华街道" and m["district"]["name"] == "东区人民政府"
    assert "地址含“金台小区”（小区，属南池社区）" in m["reasons"]


def test_api_resolve_candidates_and_roles(api, auth):
    r = api.post(
        "/api/territory/resolve",
        json={"address": "东华街道和平里社区"},
        headers=auth("dispatcher"),
    )
    m = r.json()
    assert (m["level"], m["street"], m["community"]) == ("district", None, None)
    assert {c["name"] for c in m["candidates"]} == {"东华街道", "和平里社区"}
    r = api.post("/api/territory/resolve", json={"address": "x"}, headers=auth("donghua"))
    assert r.status_code == 403
    r = api.post(
        "/api/territory/resolve", json={"address": "x", "latitude": 91}, headers=auth("admin")
    )
    assert (r.status_code, r.json()["code"]) == (422, "input.invalid")


# --- CLI ----------------------------------------------------------------------------------


def _cli(ctx, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="jiesu")
    add_places_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    args.city, args.database_url = str(CITY_FILE), ctx.engine.url.render_as_string(False)
    return args.func(args)


def test_cli_import_list_and_resolve(ctx, tmp_path, capsys):
    f = tmp_path / "p.csv"
    f.write_text(GOOD, encoding="utf-8")
    assert _cli(ctx, "places", "import", str(f), "--by", "wang") == 0
    assert "3 place names, 3 added" in capsys.readouterr().out
    assert _cli(ctx, "places", "list", "--unit", DONGHUA) == 0
    out = capsys.readouterr().out
    assert "金台小区\tcompound\t990101001002 南池社区 39.908700,116.460500" in out
    assert "2 place names (1–2 shown)" in out
    assert _cli(ctx, "territory", "resolve", "金台小区3号楼") == 0
    out = capsys.readouterr().out
    assert out.startswith("属地 东区人民政府 › 东华街道 › 南池社区（到社区村，把握 0.")
    assert _cli(ctx, "territory", "resolve", "崇文区", "--json") == 0
    m = json.loads(capsys.readouterr().out)
    assert (m["level"], m["district"]["code"]) == ("district", EAST)
    assert _cli(ctx, "places", "list", "--json") == 0
    assert json.loads(capsys.readouterr().out)["total"] == 3
