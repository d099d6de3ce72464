"""G5: the tickets behind a weekly warning, through the API and the console — as many as
the warning counted, to those who may see the warning, never the requester (S1)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from jiesu.domain.roles import Actor, Role
from jiesu.governance import warning_tickets as gt
from jiesu.storage import tables
from tests.api.helpers import NEW_TICKET, act, create
from tests.conftest import START, TZ
from tests.console.helpers import login

from .helpers import DONGHUA, HEPINGLI, NANCHI, NOISE, PROPERTY, W48, calls

DONGHUA_STREET = "990101001"
W48_MONDAY = START.replace(hour=0)
FIELDS = {"id", "number", "received_at", "title", "confidential", "status", "status_zh",
          "lead_unit_code", "lead_unit_name", "may_open"}  # fmt: skip


def _issue(client, auth) -> list[dict]:
    r = client.post("/api/governance/warnings/issue", json={"week": W48}, headers=auth("admin"))
    assert r.status_code == 200, r.text
    r = client.get("/api/governance/warnings", params={"week": W48}, headers=auth("supervisor"))
    return r.json()["warnings"]


def _tickets(client, auth, user, wid, status=200) -> dict:
    r = client.get(f"/api/governance/warnings/{wid}/tickets", headers=auth(user))
    assert r.status_code == status, r.text
    return r.json()


def _surge(warnings) -> dict:
    return next(w for w in warnings if w["place_code"] == DONGHUA)


def _ticket(client, auth, number) -> dict:
    return client.get(f"/api/tickets/{number}", headers=auth("supervisor")).json()


def test_a_warnings_tickets_are_the_ones_it_counted(client, auth, weeks):
    for warning in _issue(client, auth):
        got = _tickets(client, auth, "supervisor", warning["id"])
        assert got["warning"]["id"] == warning["id"]
        assert got["total"] == len(got["tickets"]) == warning["received"]
        assert got["capped"] is False and got["limit"] == gt.CAP
        times = [x["received_at"] for x in got["tickets"]]
        assert times == sorted(times)
        for x in got["tickets"]:
            t = _ticket(client, auth, x["number"])
            assert (t["location_unit_code"], t["category"]) == (
                warning["place_code"], warning["category"])  # fmt: skip
            received = datetime.fromisoformat(t["received_at"])
            assert W48_MONDAY <= received < W48_MONDAY + timedelta(days=7)
            assert x["may_open"] is True and x["title"] == NEW_TICKET["title"]


def test_a_streets_warning_lists_the_street_and_its_communities(client, auth, clock):
    """No community stands out, their street does: its tickets are its own and its
    communities', in the local week to its last minute, of the one matter."""
    for k in (3, 2, 1):
        calls(client, auth, clock, W48_MONDAY - timedelta(days=7 * k), NANCHI, PROPERTY,
              [f"1380000000{k}"])  # fmt: skip
    calls(client, auth, clock, W48_MONDAY, DONGHUA, PROPERTY, ["13600000001", "13600000002"])
    calls(client, auth, clock, W48_MONDAY, NANCHI, PROPERTY, ["13600000003", "13600000004"])
    calls(client, auth, clock, W48_MONDAY, DONGHUA_STREET, PROPERTY, ["13600000005"])
    calls(client, auth, clock, W48_MONDAY, HEPINGLI, PROPERTY, ["13600000006"])  # another street
    calls(client, auth, clock, W48_MONDAY, DONGHUA, NOISE, ["13600000007"])  # another matter
    clock.now = W48_MONDAY + timedelta(days=7) - timedelta(minutes=1)  # Sunday 23:59
    last = create(client, auth, location_unit_code=NANCHI, category=PROPERTY,
                  requester_phone="13600000008", address="")  # fmt: skip
    clock.now = W48_MONDAY + timedelta(days=7)  # Monday 00:00: the next week's
    create(client, auth, location_unit_code=DONGHUA, category=PROPERTY,
           requester_phone="13600000009", address="")  # fmt: skip
    clock.now = datetime(2026, 12, 1, 8, 0, tzinfo=TZ)
    (warning,) = _issue(client, auth)
    assert (warning["place_code"], warning["kind"], warning["received"]) == (
        DONGHUA_STREET, "surge", 6)  # fmt: skip
    got = _tickets(client, auth, "donghua", warning["id"])
    assert got["total"] == len(got["tickets"]) == 6
    places = [_ticket(client, auth, x["number"])["location_unit_code"] for x in got["tickets"]]
    assert sorted(places) == sorted([DONGHUA] * 2 + [NANCHI] * 3 + [DONGHUA_STREET])
    assert got["tickets"][-1]["number"] == last["number"]


@pytest.mark.parametrize(
    ("user", "status"),
    [("supervisor", 200), ("operator", 200), ("donghua", 200), ("dongqu", 200),
     ("heping", 404), ("xichang", 404), ("transport", 404), ("water", 404), ("urban", 404)],
)  # fmt: skip
def test_only_who_sees_the_warning_lists_its_tickets(client, auth, weeks, user, status):
    wid = _surge(_issue(client, auth))["id"]
    got = _tickets(client, auth, user, wid, status)
    if status == 404:
        assert got["code"] == "warning.not_found"
        assert got["message_zh"] == f"预警 {wid} 不存在" and got["message_en"]
    else:
        assert got["total"] == 7


@pytest.mark.parametrize(("wid", "status"), [(0, 422), (2**31, 422), ("x", 422), (99999, 404)])
def test_a_warning_that_is_not_there(client, auth, weeks, wid, status):
    _issue(client, auth)
    got = _tickets(client, auth, "supervisor", wid, status)
    assert got["code"] == ("warning.not_found" if status == 404 else "input.invalid")


def test_each_ticket_says_whether_the_caller_may_open_it(client, auth, weeks):
    wid = _surge(_issue(client, auth))["id"]
    first = _tickets(client, auth, "supervisor", wid)["tickets"][0]
    act(client, auth, "dispatcher", first["number"], "dispatch", lead_unit_code=DONGHUA_STREET)
    for user in ("donghua", "dongqu"):  # the lead, and the district over it
        got = _tickets(client, auth, user, wid)["tickets"]
        assert [x["may_open"] for x in got] == [True] + [False] * 6, user
        assert got[0]["lead_unit_name"] == "东华街道" and got[0]["status"] == "dispatched"
        assert got[0]["status_zh"] and got[1]["lead_unit_code"] is None
        for x in got:  # the rule every ticket page follows
            r = client.get(f"/api/tickets/{x['number']}", headers=auth(user))
            assert r.status_code == (200 if x["may_open"] else 404)


def test_a_confidential_tickets_title_shows_only_to_who_may_open_it(client, auth, clock, weeks):
    clock.now = W48_MONDAY + timedelta(days=5)
    kept = create(client, auth, location_unit_code=DONGHUA, category=PROPERTY, address="",
                  requester_phone="13300000001", confidential=True, title="保密的标题")  # fmt: skip
    led = create(client, auth, location_unit_code=DONGHUA, category=PROPERTY, address="",
                 requester_phone="13300000002", confidential=True, title="东华街道办理的保密诉求")  # fmt: skip
    clock.now = datetime(2026, 12, 1, 8, 0, tzinfo=TZ)
    act(client, auth, "dispatcher", led["number"], "dispatch", lead_unit_code=DONGHUA_STREET)
    warning = _surge(_issue(client, auth))
    assert warning["received"] == 9
    for user in ("supervisor", "donghua", "dongqu"):
        got = {x["number"]: x for x in _tickets(client, auth, user, warning["id"])["tickets"]}
        assert got[kept["number"]]["confidential"] and got[led["number"]]["confidential"]
        assert got[led["number"]]["title"] == "东华街道办理的保密诉求"
        hidden = user != "supervisor"
        assert got[kept["number"]]["title"] == ("（保密）" if hidden else "保密的标题"), user
        assert got[kept["number"]]["may_open"] is not hidden
        assert not any(x["confidential"] for n, x in got.items() if n not in (kept["number"],
                                                                               led["number"]))  # fmt: skip


def test_the_requester_is_never_shown(client, auth, weeks):
    wid = _surge(_issue(client, auth))["id"]
    for user in ("supervisor", "donghua"):
        r = client.get(f"/api/governance/warnings/{wid}/tickets", headers=auth(user))
        assert all(set(x) == FIELDS for x in r.json()["tickets"])
        for secret in (NEW_TICKET["requester_name"], "1360000", NEW_TICKET["content"][:8]):
            assert secret not in r.text


def test_the_list_is_capped_and_says_so(ctx, client, auth, weeks):
    wid = _surge(_issue(client, auth))["id"]
    actor = Actor(None, "supervisor", Role.SUPERVISOR, "hotline")
    whole = gt.behind(ctx, actor, wid)
    some = gt.behind(ctx, actor, wid, limit=3)
    assert (whole.total, whole.capped, len(whole.tickets)) == (7, False, 7)
    assert (some.total, some.capped, some.limit) == (7, True, 3)
    assert some.tickets == whole.tickets[:3]


def test_the_console_lists_a_warnings_tickets(client, auth, weeks):
    wid = _surge(_issue(client, auth))["id"]
    numbers = [x["number"] for x in _tickets(client, auth, "supervisor", wid)["tickets"]]
    act(client, auth, "dispatcher", numbers[0], "dispatch", lead_unit_code=DONGHUA_STREET)
    login(client, "donghua")
    page = client.get(f"/console/governance/warnings?week={W48}")
    assert f'href="/console/governance/warnings/{wid}"' in page.text
    page = client.get(f"/console/governance/warnings/{wid}")
    assert page.status_code == 200, page.text
    assert "东华社区 · " in page.text and "共 7 件。" in page.text
    assert all(n in page.text for n in numbers)
    assert f'href="/tickets/{numbers[0]}"' in page.text  # led by the street: it may open it
    assert not any(f'href="/tickets/{n}"' in page.text for n in numbers[1:])
    assert page.text.count("无权查看") == 6
    assert NEW_TICKET["requester_name"] not in page.text and "1360000" not in page.text
    client.cookies.clear()
    login(client, "heping")
    page = client.get(f"/console/governance/warnings/{wid}")
    assert page.status_code == 404 and "warning.not_found" in page.text
    for bad in ("issue", "0", "9" * 5000, "１"):
        page = client.get(f"/console/governance/warnings/{bad}")
        assert page.status_code == 404 and "warning.not_found" in page.text, bad


def test_a_ticket_corrected_since_is_no_longer_listed_and_the_page_says_so(client, auth, ctx,
                                                                           weeks):  # fmt: skip
    wid = _surge(_issue(client, auth))["id"]
    number = _tickets(client, auth, "supervisor", wid)["tickets"][0]["number"]
    with ctx.engine.begin() as conn:  # its category corrected after the week was examined
        t = tables.tickets
        conn.execute(t.update().where(t.c.number == number).values(category=NOISE))
    got = _tickets(client, auth, "supervisor", wid)
    assert (got["warning"]["received"], got["total"]) == (7, 6)
    login(client, "supervisor")
    page = client.get(f"/console/governance/warnings/{wid}")
    assert "研判时为 7 件，现按同样条件查得 6 件" in page.text and number not in page.text
