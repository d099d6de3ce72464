"""G4 (BJ Art. 28) against a real database: each day's changed tickets, in full, pushed to
every unit they concern — and only those, a confidential requester still hidden — in
resumable chunks; the same data pulled through the API."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from jiesu.api.schemas import ticket_json
from jiesu.governance import unit_data as ud
from jiesu.jobs.adapters import configured_adapters
from jiesu.jobs.outbox import relay_once
from jiesu.storage import tables
from tests.api.helpers import act, create, dispatched
from tests.conftest import START, TZ

URL = "/api/governance/unit-data"
SINCE = "2026-11-23T00:00:00+08:00"


@pytest.fixture
def monday(client, auth, clock):
    """On Monday 23 November: a ticket to 东华街道 (its district supervising), a confidential
    one to it too, one to 东区城市管理委员会, one answered at once; then Tuesday morning."""
    clock.now = START
    street = dispatched(client, auth)["number"]
    secret = dispatched(client, auth, confidential=True, requester_name="李秘密")["number"]
    urban = dispatched(client, auth, lead="990101.urban", category="城市管理/噪声扰民")["number"]
    answered = create(client, auth)["number"]
    act(client, auth, "operator", answered, "answer_directly", answer="已告知办理渠道")
    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=TZ)
    return {"street": street, "secret": secret, "urban": urban, "answered": answered}


def _messages(engine) -> dict[str, list[dict]]:
    o = tables.outbox.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(o.payload).where(o.topic == ud.TOPIC).order_by(o.id)
        ).scalars()  # fmt: skip
        out: dict[str, list[dict]] = {}
        for p in rows:
            out.setdefault(p["unit"], []).extend(p["tickets"])
        return out


def test_each_unit_gets_the_days_tickets_that_concern_it(ctx, engine, monday):
    assert ud.push_due(ctx, ticket_json) == 3  # 东华街道, 东区 (supervising), 城管委
    got = _messages(engine)
    numbers = {unit: sorted(t["number"] for t in items) for unit, items in got.items()}
    assert numbers == {
        "990101001": sorted([monday["street"], monday["secret"]]),
        "990101": sorted([monday["street"], monday["secret"]]),
        "990101.urban": [monday["urban"]],
    }  # the ticket answered at once concerns no unit
    secret = next(t for t in got["990101001"] if t["number"] == monday["secret"])
    assert secret["requester_name"] == "（保密）" and secret["requester_phone"] == ""  # S1
    street = next(t for t in got["990101001"] if t["number"] == monday["street"])
    assert street["status"] == "dispatched" and "visits" in street and "content" in street
    assert ud.push_due(ctx, ticket_json) == 0  # once a day
    with engine.connect() as conn:
        day = conn.execute(select(tables.unit_data_days)).one()
    assert (day.tickets, day.chunks, day.chunks_done, day.messages) == (4, 1, 1, 3)
    assert day.pushed_at is not None
    relayed = relay_once(ctx, configured_adapters({}))
    assert relayed.failed == 0 and relayed.sent >= 3


def test_a_day_is_pushed_in_chunks_and_resumes(ctx, engine, monday, monkeypatch):
    monkeypatch.setattr(ud, "CHUNK", 1)
    assert ud.push_due(ctx, ticket_json, chunks_per_call=2) == 4  # tickets 1 and 2: 2 units each
    with engine.connect() as conn:
        day = conn.execute(select(tables.unit_data_days)).one()
    assert (day.chunks, day.chunks_done, day.pushed_at) == (4, 2, None)
    assert ud.push_due(ctx, ticket_json, chunks_per_call=2) == 1  # the third; the fourth: none
    with engine.connect() as conn:
        day = conn.execute(select(tables.unit_data_days)).one()
        o = tables.outbox.c
        parts = conn.execute(select(o.payload).where(o.topic == ud.TOPIC)).scalars().all()
    assert day.chunks_done == 4 and day.pushed_at is not None
    assert sorted((p["unit"], p["part"]) for p in parts) == [
        ("990101", 1), ("990101", 2), ("990101.urban", 3), ("990101001", 1), ("990101001", 2)
    ]  # fmt: skip
    assert all(p["parts"] == 4 for p in parts)


def test_a_day_without_changes_is_done_at_once(ctx, engine, clock):
    clock.now = START
    assert ud.push_due(ctx, ticket_json) == 0
    with engine.connect() as conn:
        assert conn.execute(select(tables.unit_data_days.c.pushed_at)).scalar_one() is not None


def test_the_same_data_is_pulled_page_by_page(client, auth, monday):
    r = client.get(URL, params={"since": SINCE, "limit": 1}, headers=auth("donghua"))
    assert r.status_code == 200, r.text
    first = r.json()
    assert len(first["tickets"]) == 1 and first["next_after"]
    r = client.get(URL, params={"since": SINCE, "after": first["next_after"]},
                   headers=auth("donghua"))  # fmt: skip
    second = r.json()
    assert second["next_after"] is None
    pulled = [t["number"] for t in first["tickets"] + second["tickets"]]
    assert sorted(pulled) == sorted([monday["street"], monday["secret"]])
    everyone = client.get(URL, params={"since": SINCE}, headers=auth("supervisor")).json()
    assert len(everyone["tickets"]) == 4
    assert client.get(URL, params={"since": SINCE}, headers=auth("transport")).json()[
        "tickets"
    ] == []  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [{"since": "2026-11-23T00:00:00"},  # no time zone
     {"since": "2026-09-01T00:00:00+08:00"},  # more than 31 days
     {"since": "2026-11-25T00:00:00+08:00", "until": "2026-11-24T00:00:00+08:00"}],
)  # fmt: skip
def test_a_bad_window_is_refused(client, auth, monday, params):
    r = client.get(URL, params=params, headers=auth("donghua"))
    assert r.status_code == 422 and r.json()["code"] == "unit_data.bad_window", r.text


def test_tickets_changed_later_are_pushed_on_their_day(ctx, engine, client, auth, clock, monday):
    ud.push_due(ctx, ticket_json)
    clock.now = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
    act(client, auth, "donghua", monday["street"], "acknowledge")
    clock.now += timedelta(days=1)
    assert ud.push_due(ctx, ticket_json) == 2  # the street and its district, Tuesday's change
    tuesday = _messages(engine)["990101001"][-1]
    assert tuesday["number"] == monday["street"] and tuesday["status"] == "acknowledged"


def test_the_worker_goes_on_with_the_push_round_by_round(ctx, engine, monday, monkeypatch):
    """The hourly duties start the day's push; while chunks remain the worker pushes more
    on each round instead of waiting an hour (jobs.worker.push_unit_data)."""
    from jiesu.jobs.worker import periodic_duties, push_unit_data

    monkeypatch.setattr(ud, "CHUNK", 1)
    monkeypatch.setattr(ud, "CHUNKS_PER_CALL", 1)
    assert not ud.pending(ctx)
    assert periodic_duties(ctx) is True and ud.pending(ctx)
    rounds = 0
    while push_unit_data(ctx):
        rounds += 1
    assert rounds == 2  # four chunks: one with the duties, then three rounds, the last done
    assert not ud.pending(ctx)
    with engine.connect() as conn:
        assert conn.execute(select(tables.unit_data_days.c.chunks_done)).scalar_one() == 4
