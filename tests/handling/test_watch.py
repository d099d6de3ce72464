"""The deadline watch (D6, H1, H4): yellow once the policy's share of the time is used, red
once overdue, each once per deadline, sent through the outbox; and the outbox survives a
worker killed mid-send."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from sqlalchemy import select

from jiesu.handling.watch import watch_deadlines
from jiesu.jobs.adapters import OutgoingMessage
from jiesu.jobs.outbox import relay_once
from jiesu.storage.tables import deadline_warnings, outbox
from tests.api.helpers import act, create


def _warnings(engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(deadline_warnings).order_by(deadline_warnings.c.id)).all()
    return [(r.subject, r.level, r.unit_code) for r in rows]


def _dispatched(client, auth, **body) -> dict:
    t = create(client, auth)
    return act(client, auth, "dispatcher", t["number"], "dispatch", lead_unit_code="990101001",
               **body)  # fmt: skip


def _at(share: float, start: str, due: str) -> datetime:
    a, b = datetime.fromisoformat(start), datetime.fromisoformat(due)
    return a + (b - a) * share


def test_yellow_then_red_for_contact_and_completion(client, auth, ctx, clock, engine):
    t = _dispatched(client, auth)
    assert watch_deadlines(ctx).yellow == 0
    clock.now = _at(0.81, t["dispatched_at"], t["contact_due"])
    assert watch_deadlines(ctx).yellow == 1
    assert watch_deadlines(ctx).yellow == 0  # once
    assert _warnings(engine) == [("contact", "yellow", "990101001")]
    clock.now = datetime.fromisoformat(t["contact_due"]) + timedelta(minutes=1)
    result = watch_deadlines(ctx)
    assert (result.yellow, result.red) == (0, 1)
    with engine.connect() as conn:
        red = [r.payload["recipient"] for r in conn.execute(select(outbox))
               if r.payload.get("template") == "warning.red"]  # fmt: skip
    # The street, its district government supervising it (BJ Art. 12), and the hotline.
    assert red == ["990101001", "990101", "hotline"]
    # Contacting stops the contact warnings; the completion deadline is still watched.
    act(client, auth, "donghua", t["number"], "acknowledge")
    act(client, auth, "donghua", t["number"], "contact", method="phone", outcome="reached")
    clock.now = _at(0.85, t["dispatched_at"], t["completion_due"])
    assert watch_deadlines(ctx).yellow == 1
    assert _warnings(engine)[-1] == ("completion", "yellow", "990101001")


def test_an_extension_is_a_new_deadline_and_warns_again(client, auth, ctx, clock, engine):
    t = _dispatched(client, auth)
    act(client, auth, "donghua", t["number"], "acknowledge")
    act(client, auth, "donghua", t["number"], "contact", method="phone", outcome="reached")
    clock.now = _at(0.9, t["dispatched_at"], t["completion_due"])
    watch_deadlines(ctx)
    later = (datetime.fromisoformat(t["completion_due"]) + timedelta(days=10)).isoformat()
    act(client, auth, "donghua", t["number"], "request_extension", proposed_due=later,
        reason="需协调产权单位")  # fmt: skip
    act(client, auth, "dispatcher", t["number"], "grant_extension", reason="同意")
    got = client.get(f"/api/tickets/{t['number']}", headers=auth("dispatcher")).json()
    clock.now = _at(0.95, t["dispatched_at"], got["completion_due"])
    assert watch_deadlines(ctx).yellow == 1
    assert [w for w in _warnings(engine) if w[0] == "completion"] == [
        ("completion", "yellow", "990101001"), ("completion", "yellow", "990101001")]  # fmt: skip


def test_co_handler_tasks_and_report_in_calls_are_watched(client, auth, ctx, clock, engine):
    due = (clock.now + timedelta(hours=10)).isoformat()
    t = _dispatched(
        client, auth, co_handlers=[{"unit_code": "990101.urban", "task": "查处", "due": due}]
    )
    act(client, auth, "donghua", t["number"], "acknowledge")
    act(client, auth, "donghua", t["number"], "raise_whistle", unit_codes=["utility.water"],
        reason="管线", report_due=(clock.now + timedelta(hours=2)).isoformat())  # fmt: skip
    clock.advance(hours=3)
    watch_deadlines(ctx)
    got = {(s.split(":")[0], level, unit) for s, level, unit in _warnings(engine)}
    assert ("call", "red", "utility.water") in got
    assert ("task", "red", "990101.urban") not in got
    clock.advance(hours=8)
    watch_deadlines(ctx)
    got = {(s.split(":")[0], level, unit) for s, level, unit in _warnings(engine)}
    assert ("task", "red", "990101.urban") in got


def test_the_worker_runs_the_watch(client, auth, ctx, clock, engine):
    from jiesu.jobs import worker

    t = _dispatched(client, auth)
    clock.now = datetime.fromisoformat(t["completion_due"]) + timedelta(hours=1)
    worker.watch(ctx)
    assert ("completion", "red", "990101001") in _warnings(engine)


class Killed(BaseException):
    """What a worker sees when it is killed (not an Exception: nothing catches it)."""


class Gateway:
    """An SMS gateway that honours idempotency keys; ``die_after`` kills the worker after
    that many deliveries, before the relay can mark them sent."""

    def __init__(self, die_after: int | None = None) -> None:
        self.delivered: dict[str, OutgoingMessage] = {}
        self.calls = 0
        self.die_after = die_after

    def send(self, message: OutgoingMessage) -> None:
        self.calls += 1
        self.delivered.setdefault(message.key, message)
        if self.die_after is not None and len(self.delivered) >= self.die_after:
            self.die_after = None
            raise Killed


def test_a_worker_killed_mid_send_loses_nothing_and_the_gateway_sees_each_message_once(
    client, auth, ctx
):
    for _ in range(3):
        create(client, auth)  # each queues a "received" SMS to the requester
    gateway = Gateway(die_after=2)
    adapters = {"sms.requester": gateway}
    with contextlib.suppress(Killed):  # the worker dies mid-batch
        relay_once(ctx, adapters)
    # PostgreSQL marks the claimed batch in one transaction: the kill undoes all of it.
    # SQLite marks each message after its delivery: the first stays marked.
    batch = ctx.engine.dialect.name == "postgresql"
    with ctx.engine.connect() as conn:
        unmarked = conn.execute(select(outbox.c.sent_at)).scalars().all().count(None)
    assert unmarked == (3 if batch else 2)
    result = relay_once(ctx, adapters)  # the restarted worker
    assert result.sent == unmarked
    # Every message reached the gateway; those delivered but not marked were offered twice.
    assert len(gateway.delivered) == 3 and gateway.calls == (5 if batch else 4)
    with ctx.engine.connect() as conn:
        assert None not in conn.execute(select(outbox.c.sent_at)).scalars().all()


def test_supervisors_see_standing_warnings_and_units_their_own(client, auth, ctx, clock):
    t = _dispatched(client, auth)
    other = create(client, auth)
    act(client, auth, "dispatcher", other["number"], "dispatch", lead_unit_code="990101002")
    clock.now = datetime.fromisoformat(t["contact_due"]) + timedelta(minutes=5)
    watch_deadlines(ctx)
    red = client.get("/api/handling/warnings?level=red", headers=auth("supervisor")).json()
    assert {(w["number"], w["subject_zh"], w["level_zh"]) for w in red} == {
        (t["number"], "联系时限", "红灯超时"), (other["number"], "联系时限", "红灯超时")}  # fmt: skip
    mine = client.get("/api/handling/warnings", headers=auth("donghua")).json()
    assert {w["number"] for w in mine} == {t["number"]}
    # Met deadlines stop standing.
    act(client, auth, "donghua", t["number"], "acknowledge")
    act(client, auth, "donghua", t["number"], "contact", method="phone", outcome="reached")
    mine = client.get("/api/handling/warnings", headers=auth("donghua")).json()
    assert mine == []
    all_of_them = client.get("/api/handling/warnings?standing=false", headers=auth("donghua"))
    assert [w["standing"] for w in all_of_them.json()] == [False]


def test_a_reply_carries_its_attachments(client, auth, engine):
    from tests.channels import samples

    up = client.post(
        "/api/attachments",
        files={"files": ("after.jpg", samples.jpeg(), "image/jpeg")},
        headers=auth("donghua"),
    )
    assert up.status_code == 201, up.text
    sha = up.json()["attachments"][0]["sha256"]
    t = _dispatched(client, auth)
    act(client, auth, "donghua", t["number"], "acknowledge")
    act(client, auth, "donghua", t["number"], "contact", method="phone", outcome="reached")
    r = client.post(f"/api/tickets/{t['number']}/reply", headers=auth("donghua"),
                    json={"outcome": "solved", "text": "已修复", "attachments": ["0" * 64]})  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (422, "attachment.unknown")
    out = act(client, auth, "donghua", t["number"], "reply", outcome="solved", text="已修复",
              attachments=[sha])  # fmt: skip
    assert sha in out["attachments"]
    assert client.get(f"/api/attachments/{sha}", headers=auth("dispatcher")).status_code == 200
