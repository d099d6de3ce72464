"""G6 open data, published (BJ Art. 34, seed 004; S1–S3): the office publishes an ended
month and the public downloads exactly that file — the same bytes and sha256 every time,
whatever happens to the month's tickets later; a further version needs a note and
supersedes the first; a withdrawal takes the month down (never back to the version it
replaced); only supervisors and admins publish (S2: who, when, why); the portal's outbox
message carries the metadata, never the rows."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from jiesu.cli import main
from jiesu.domain.errors import Forbidden, NotFound
from jiesu.domain.roles import Actor, Role
from jiesu.governance import open_data_releases as odr
from jiesu.governance.open_data import HEADER
from jiesu.jobs.adapters import TOPICS
from jiesu.storage import tables
from tests.api.helpers import NEW_TICKET, act, create
from tests.conftest import START, TZ

from .helpers import DONGHUA, HEPINGLI, NOISE, PROPERTY
from .test_cli import _db

OFFICE = "/api/governance/open-data"
PUBLIC = "/api/public/open-data"
NOV = "2026-11"


@pytest.fixture
def november(client, auth, clock) -> list[dict]:
    """Six property complaints by phone at 东华社区, one noise complaint at 和平里社区 (alone:
    suppressed), one confidential request; then 2 December. The six are returned."""
    six = []
    for i in range(6):
        clock.now = START + timedelta(hours=i)
        six.append(create(client, auth, requester_phone=f"1390000000{i}"))
    clock.now = START + timedelta(days=1)
    create(client, auth, category=NOISE, location_unit_code=HEPINGLI, title="夜间施工",
           content="王先生家楼下夜间施工", address="和平里5号楼", requester_name="王建国")  # fmt: skip
    create(client, auth, confidential=True, location_unit_code=DONGHUA, category=PROPERTY)
    clock.now = datetime(2026, 12, 2, 9, tzinfo=TZ)
    return six


def _publish(client, auth, user="supervisor", month=NOV, expect=201, **body) -> dict:
    r = client.post(f"{OFFICE}/{month}/publish", json=body, headers=auth(user))
    assert r.status_code == expect, r.text
    return r.json()


def _error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and body["message_zh"] and body["message_en"]


def _download(client, month=NOV):
    r = client.get(f"{PUBLIC}/{month}.csv")  # no login
    assert r.status_code == 200, r.text
    return r


def _stored(ctx) -> tuple[int, list[dict]]:
    """Releases stored, and the portal's messages."""
    o = tables.outbox.c
    with ctx.engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(tables.open_data_releases)).scalar()
        sent = conn.execute(
            select(o.payload).where(o.topic == odr.TOPIC).order_by(o.id)
        ).scalars()  # fmt: skip
        return n, list(sent)


def test_the_published_file_is_what_the_public_downloads_and_it_never_changes(
    ctx, client, auth, november
):
    preview = client.get(f"{OFFICE}/{NOV}.csv", headers=auth("supervisor")).content
    r = _publish(client, auth)
    assert (r["month"], r["version"], r["k"], r["status"], r["status_zh"]) == (
        NOV, 1, 5, "published", "已发布")  # fmt: skip
    assert (r["received"], r["confidential"], r["suppressed"], r["rows"]) == (8, 1, 1, 6)
    assert r["by_level"] == [6, 0, 0, 0] and r["published_by"] == "supervisor"
    assert r["url"] == f"{PUBLIC}/{NOV}.csv" and r["note"] == "" and r["withdrawn_at"] is None

    listing = client.get(PUBLIC).json()  # no login
    (public,) = listing["releases"]
    assert public == {k: r[k] for k in ("month", "version", "k", "rows", "published_at",
                                        "sha256", "size", "url", "received", "confidential",
                                        "suppressed", "by_level")}  # fmt: skip
    assert [c["name"] for c in listing["dictionary"]] == list(HEADER)
    assert all(c["meaning_zh"] and c["meaning_en"] for c in listing["dictionary"])
    assert "电话" in listing["never_published_zh"] and "保密" in listing["never_published_zh"]

    got = _download(client)
    body = got.content
    assert body == preview  # what the office previewed is what was published
    assert hashlib.sha256(body).hexdigest() == r["sha256"] and len(body) == r["size"]
    assert got.headers["etag"] == f'"{r["sha256"]}-gzip"'  # the encoded form's own tag
    assert got.headers["content-type"].startswith("text/csv")
    assert got.headers["content-disposition"] == (
        f'attachment; filename="jiesu-open-data-{NOV}-v1.csv"'
    )
    assert (got.headers["x-open-data-received"], got.headers["x-open-data-confidential"],
            got.headers["x-open-data-suppressed"], got.headers["x-open-data-levels"]) == (
        "8", "1", "1", "6,0,0,0")  # fmt: skip
    same = client.get(f"{PUBLIC}/{NOV}.csv", headers={"If-None-Match": got.headers["etag"]})
    assert same.status_code == 304 and same.content == b""
    assert (same.headers["etag"], same.headers["vary"]) == (got.headers["etag"], "Accept-Encoding")
    for tags in ("*", f'"x", W/{got.headers["etag"]}'):
        assert client.get(f"{PUBLIC}/{NOV}.csv", headers={"If-None-Match": tags}).status_code == 304
    other = client.get(f"{PUBLIC}/{NOV}.csv", headers={"If-None-Match": '"x"'})
    assert other.status_code == 200 and other.content == body
    head = client.head(f"{PUBLIC}/{NOV}.csv", headers={"Accept-Encoding": "identity"})
    assert (
        head.status_code == 200
        and head.content == b""
        and head.headers["content-length"] == str(len(body))
    )
    # Sent as stored (gzip) to a client that accepts it, decompressed to one that does not.
    assert got.headers["content-encoding"] == "gzip"
    assert int(got.headers["content-length"]) < len(body)
    for accepts in ("identity", "gzip;q=0", "br"):
        plain = client.get(f"{PUBLIC}/{NOV}.csv", headers={"Accept-Encoding": accepts})
        assert "content-encoding" not in plain.headers and plain.content == body
        assert plain.headers["etag"] == f'"{r["sha256"]}"'
        assert plain.headers["content-length"] == str(len(body))
    # Sent in pieces, never decompressed whole: the pieces make the file.
    release, gz = odr.stored(ctx, NOV)
    pieces = list(odr.unpacked(gz, size=64))
    assert len(pieces) > 1 and b"".join(pieces) == body

    # November's tickets change afterwards: one is dispatched, one more is recorded late.
    act(client, auth, "dispatcher", november[0]["number"], "dispatch", lead_unit_code="990101001")
    create(client, auth)
    now = client.get(f"{OFFICE}/{NOV}.csv", headers=auth("supervisor")).content
    assert now != preview and "派单办理".encode() in now  # the month as it is now...
    assert _download(client).content == body  # ...but the published file stays as published
    assert b"".join(odr.unpacked(odr.stored(ctx, NOV)[1])) == body


def test_no_personal_data_is_in_the_file_or_in_the_portals_message(ctx, client, auth, november):
    """S1, S3: nothing that names or finds a person; the message holds no row at all."""
    r = _publish(client, auth)
    text = _download(client).content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert tuple(header) == HEADER and len(rows) == 6
    numbers = [t["number"] for t in november]
    for secret in ("1390000000", NEW_TICKET["requester_name"], NEW_TICKET["address"],
                   NEW_TICKET["title"], "电梯", "东华社区", "和平里", "王先生", "王建国",
                   "09:00", *numbers):  # fmt: skip
        assert secret not in text
    assert "噪声" not in text  # the lone noise complaint is suppressed, and nothing confidential

    assert odr.TOPIC in TOPICS
    _, (message,) = _stored(ctx)
    assert message == {"template": "open_data.published", "event": "published",
                       "release": r["id"], "month": NOV, "version": 1, "k": 5,
                       "sha256": r["sha256"], "size": r["size"], "rows": 6,
                       "url": f"{PUBLIC}/{NOV}.csv", "month_public": True,
                       "current_version": 1}  # fmt: skip
    assert "东华" not in json.dumps(message, ensure_ascii=False)


def test_a_second_version_needs_a_note_and_supersedes_the_first(ctx, client, auth, november):
    first = _publish(client, auth)
    _error(client.post(f"{OFFICE}/{NOV}/publish", json={"note": "  "}, headers=auth("admin")),
           422, "open_data.note_required")  # fmt: skip
    assert _stored(ctx)[0] == 1
    # A smaller k would publish rows the first version held back: compared, they single
    # someone out.
    _error(client.post(f"{OFFICE}/{NOV}/publish", json={"k": 4, "note": "放宽"},
                       headers=auth("admin")), 422, "open_data.k_lowered")  # fmt: skip
    second = _publish(client, auth, "admin", k=6, note="补录一件后重新发布")
    assert (second["version"], second["k"], second["note"]) == (2, 6, "补录一件后重新发布")
    (public,) = client.get(PUBLIC).json()["releases"]
    assert (public["version"], public["sha256"]) == (2, second["sha256"])
    got = _download(client)
    assert got.headers["etag"] == f'"{second["sha256"]}-gzip"'
    assert got.headers["x-open-data-version"] == "2"
    office = client.get(f"{OFFICE}/releases", headers=auth("supervisor")).json()
    assert [(x["version"], x["status"]) for x in office] == [(2, "published"), (1, "superseded")]
    assert office[1]["sha256"] == first["sha256"]
    assert [m["version"] for m in _stored(ctx)[1]] == [1, 2]


def test_a_withdrawal_takes_the_month_down_until_it_is_published_again(ctx, client, auth, november):
    """A withdrawn month is not public at all: the version it had superseded stays
    superseded (it was replaced for a reason); publishing again (with a note) restores it."""
    _publish(client, auth)
    second = _publish(client, auth, note="更正分类")
    url = f"{OFFICE}/releases/{second['id']}/withdraw"
    _error(client.post(url, json={"reason": " "}, headers=auth("supervisor")), 422,
           "input.required")  # fmt: skip
    _error(client.post(url, json={}, headers=auth("supervisor")), 422, "input.invalid")
    r = client.post(url, json={"reason": "发现个别行可识别个人"}, headers=auth("admin"))
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["status"], done["status_zh"], done["withdrawn_by"]) == ("withdrawn", "已撤回",
                                                                         "admin")  # fmt: skip
    assert done["withdraw_reason"] == "发现个别行可识别个人" and done["withdrawn_at"]
    assert client.get(PUBLIC).json()["releases"] == []
    _error(client.get(f"{PUBLIC}/{NOV}.csv"), 404, "open_data.not_found")
    with pytest.raises(NotFound):
        odr.stored(ctx, NOV)
    _error(client.post(url, json={"reason": "再撤一次"}, headers=auth("admin")), 409,
           "open_data.withdrawn")  # fmt: skip
    office = client.get(f"{OFFICE}/releases", headers=auth("admin")).json()
    assert [(x["version"], x["status"]) for x in office] == [(2, "withdrawn"), (1, "superseded")]

    _error(client.post(f"{OFFICE}/{NOV}/publish", json={}, headers=auth("admin")), 422,
           "open_data.note_required")  # fmt: skip
    third = _publish(client, auth, note="更正后重新发布")
    assert third["version"] == 3 and _download(client).headers["x-open-data-version"] == "3"
    assert [m["event"] for m in _stored(ctx)[1]] == ["published", "published", "withdrawn",
                                                      "published"]  # fmt: skip
    # The portal's adapter is told whether the month is still up: withdrawing a superseded
    # version leaves the current one public.
    assert [(m["month_public"], m["current_version"]) for m in _stored(ctx)[1]] == [
        (True, 1), (True, 2), (False, None), (True, 3)]  # fmt: skip
    first_id = office[1]["id"]
    r = client.post(f"{OFFICE}/releases/{first_id}/withdraw", json={"reason": "旧版本有误"},
                    headers=auth("admin"))  # fmt: skip
    assert r.status_code == 200 and _stored(ctx)[1][-1]["month_public"] is True
    assert _download(client).headers["x-open-data-version"] == "3"


@pytest.mark.parametrize("user", ["operator", "dispatcher", "donghua", "dongqu"])
def test_only_supervisors_and_admins_publish(ctx, client, auth, november, user):
    release = _publish(client, auth)
    _error(client.post(f"{OFFICE}/{NOV}/publish", json={"note": "x"}, headers=auth(user)), 403,
           "open_data.forbidden")  # fmt: skip
    _error(client.get(f"{OFFICE}/releases", headers=auth(user)), 403, "open_data.forbidden")
    _error(client.post(f"{OFFICE}/releases/{release['id']}/withdraw", json={"reason": "x"},
                       headers=auth(user)), 403, "open_data.forbidden")  # fmt: skip
    assert client.post(f"{OFFICE}/{NOV}/publish", json={}).status_code == 401  # no login
    role, unit = {"operator": (Role.OPERATOR, "hotline"), "dispatcher": (Role.DISPATCHER, "hotline"),
                  "donghua": (Role.UNIT_HANDLER, "990101001"),
                  "dongqu": (Role.UNIT_HANDLER, "990101")}[user]  # fmt: skip
    with pytest.raises(Forbidden):
        odr.publish(ctx, Actor(None, user, role, unit), NOV, 5, "x")
    with pytest.raises(Forbidden):
        odr.withdraw(ctx, Actor(None, user, role, unit), release["id"], "x")
    assert _stored(ctx)[0] == 1 and client.get(PUBLIC).status_code == 200
    assert _download(client).headers["x-open-data-version"] == "1"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [("post", f"{OFFICE}/2026-1/publish", {}, 422, "open_data.bad_month"),
     ("post", f"{OFFICE}/2026-13/publish", {}, 422, "open_data.bad_month"),
     ("post", f"{OFFICE}/abcd-ef/publish", {}, 422, "open_data.bad_month"),
     ("post", f"{OFFICE}/1899-12/publish", {}, 422, "open_data.bad_month"),
     ("post", f"{OFFICE}/2026-12/publish", {}, 422, "open_data.month_not_over"),
     ("post", f"{OFFICE}/2999-01/publish", {}, 422, "open_data.month_not_over"),
     ("post", f"{OFFICE}/2026-10/publish", {}, 422, "open_data.no_requests"),
     ("post", f"{OFFICE}/{NOV}/publish", {"k": 1}, 422, "input.invalid"),
     ("post", f"{OFFICE}/{NOV}/publish", {"k": 101}, 422, "input.invalid"),
     ("post", f"{OFFICE}/{NOV}/publish", {"k": 5, "extra": 1}, 422, "input.invalid"),
     ("post", f"{OFFICE}/{NOV}/publish", {"note": "长" * 501}, 422, "input.invalid"),
     ("post", f"{OFFICE}/releases/{2**31}/withdraw", {"reason": "x"}, 422, "input.invalid"),
     ("post", f"{OFFICE}/releases/{2**63}/withdraw", {"reason": "x"}, 422, "input.invalid"),
     ("post", f"{OFFICE}/releases/0/withdraw", {"reason": "x"}, 422, "input.invalid"),
     ("post", f"{OFFICE}/releases/99999/withdraw", {"reason": "x"}, 404, "open_data.not_found"),
     ("get", f"{PUBLIC}/{NOV}.csv", None, 404, "open_data.not_found"),
     ("get", f"{PUBLIC}/2026-10.csv", None, 404, "open_data.not_found"),
     ("get", f"{PUBLIC}/2026-13.csv", None, 422, "open_data.bad_month"),
     ("get", f"{PUBLIC}/２０２６-１１.csv", None, 422, "open_data.bad_month"),
     ("get", f"{PUBLIC}/abc.csv", None, 422, "open_data.bad_month")],
)  # fmt: skip
def test_bad_input_is_refused_with_its_code_and_nothing_written(
    ctx, client, auth, november, method, path, body, status, code
):
    kwargs = {"json": body} if body is not None else {}
    _error(getattr(client, method)(path, headers=auth("supervisor"), **kwargs), status, code)
    assert _stored(ctx) == (0, [])


def test_the_domain_refuses_ids_no_row_can_have(ctx, november):
    admin = Actor(None, "admin", Role.ADMIN, "hotline")
    for bad in (0, -1, 2**31, 2**63):
        with pytest.raises(NotFound):
            odr.withdraw(ctx, admin, bad, "理由")


def test_two_publishing_the_same_month_at_once_one_wins_one_conflicts(ctx, november, monkeypatch):
    """The unique (month, version): the later one is 409 ``open_data.concurrent`` and writes
    nothing — no second row, no second message."""
    from jiesu.domain.errors import Conflict

    admin = Actor(None, "admin", Role.ADMIN, "hotline")
    original, raced = odr.open_data, []

    def racing(ctx_, label, k):
        data = original(ctx_, label, k)
        if not raced:  # while this one computes, someone else publishes the month
            raced.append(None)
            raced[0] = odr.publish(ctx, Actor(None, "other", Role.SUPERVISOR, "hotline"), label)
        return data

    monkeypatch.setattr(odr, "open_data", racing)
    with pytest.raises(Conflict) as refused:
        odr.publish(ctx, admin, NOV)
    assert refused.value.code == "open_data.concurrent"
    n, sent = _stored(ctx)
    assert n == 1 and [m["release"] for m in sent] == [raced[0].id]
    assert [r.published_by for r in odr.current(ctx)] == ["other"]


def test_the_command_line_publishes_and_prints_the_release(ctx, client, auth, clock, capsys,
                                                            tmp_path):  # fmt: skip
    """Wiring: the command line runs on the wall clock, so it publishes a month long past."""
    for i in range(5):
        clock.now = datetime(2025, 3, 10 + i, 9, tzinfo=TZ)
        create(client, auth, requester_phone=f"1380000000{i}")
    args = ["governance", "open-data", "--month", "2025-03", *_db(ctx)]
    out = tmp_path / "published.csv"
    assert main([*args, "--publish", "--out", str(out)]) == 0
    (release,) = odr.releases(ctx)
    assert capsys.readouterr().out.strip() == (
        f"2025-03: version 1 published, 5 rows (0 suppressed, 0 confidential left out), k = 5, "
        f"sha256 {release.sha256}, {PUBLIC}/2025-03.csv"
    )
    assert hashlib.sha256(out.read_bytes()).hexdigest() == release.sha256
    assert release.published_by == "cli"
    assert main([*args, "--publish"]) == 2
    assert "open_data.note_required" in capsys.readouterr().err
    assert main([*args, "--publish", "--note", "重新发布", "--k", "5"]) == 0
    assert "version 2 published" in capsys.readouterr().out
    assert main([*args, "--note", "x"]) == 2  # a note without --publish
    assert main(["governance", "open-data", "--month", "2020-01", "--publish", *_db(ctx)]) == 2
    assert "open_data.no_requests" in capsys.readouterr().err
