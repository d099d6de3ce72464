"""The outbox relay: side effects leave after commit, through pluggable adapters, with
retries and back-off kept in columns; the emergency hand-over reaches its adapter (I5, I6)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from jiesu.jobs.adapters import LoggingAdapter, OutgoingMessage, configured_adapters
from jiesu.jobs.outbox import backoff, pending_count, relay_once
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork
from tests.api.helpers import act, create


class EmergencyLine:
    """A stand-in for the 110 system: records what it was handed."""

    def __init__(self) -> None:
        self.received: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> None:
        self.received.append(message)


class Flaky:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.delivered: list[str] = []

    def send(self, message: OutgoingMessage) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("gateway down")
        self.delivered.append(message.key)


def rows(ctx):
    with UnitOfWork(ctx.engine, write=False) as uow:
        return uow.session.execute(select(tables.outbox).order_by(tables.outbox.c.id)).all()


def test_emergency_is_handed_over_in_one_step(client, auth, ctx):
    t = create(client, auth, content="楼下有人持刀打架，情况紧急")
    act(
        client,
        auth,
        "operator",
        t["number"],
        "refer",
        referral_reason="emergency",
        destination="110",
    )
    line = EmergencyLine()
    adapters = {**configured_adapters({}), "handover.emergency": line}
    result = relay_once(ctx, adapters)
    assert result.failed == 0 and result.sent == len(rows(ctx))
    assert len(line.received) == 1
    handed = line.received[0]
    assert handed.payload["recipient"] == "110" and "持刀" in handed.payload["content"]
    assert pending_count(ctx) == 0
    assert relay_once(ctx, adapters).sent == 0  # nothing is sent twice


class DeskWhileSending:
    """An adapter during whose send the desk writes: on SQLite the relay must not hold the
    write lock then (each message is marked in its own short transaction)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.sent = 0

    def send(self, message: OutgoingMessage) -> None:
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout=200")  # fail fast if locked
            conn.execute(tables.outbox.update().where(tables.outbox.c.id == -1).values(attempts=0))
            conn.commit()
        self.sent += 1


def test_a_slow_adapter_does_not_block_the_desk(client, auth, ctx):
    for _ in range(2):
        create(client, auth)
    adapter = DeskWhileSending(ctx.engine)
    topics = {r.topic for r in rows(ctx)}
    result = relay_once(ctx, dict.fromkeys(topics, adapter))
    assert result.failed == 0 and result.sent == adapter.sent == len(rows(ctx)) >= 2
    assert pending_count(ctx) == 0


def test_failures_back_off_and_are_kept_until_delivered(client, auth, ctx, clock):
    create(client, auth)  # queues the "received" SMS
    flaky = Flaky(failures=2)
    adapters = {"sms.requester": flaky}
    assert relay_once(ctx, adapters).failed == 1
    row = rows(ctx)[0]
    assert row.attempts == 1 and "gateway down" in row.last_error and row.sent_at is None
    assert relay_once(ctx, adapters).failed == 0  # not due yet
    clock.advance(seconds=31)
    assert relay_once(ctx, adapters).failed == 1
    assert rows(ctx)[0].attempts == 2
    clock.advance(seconds=61)
    assert relay_once(ctx, adapters).sent == 1
    assert flaky.delivered == [row.idempotency_key]
    assert rows(ctx)[0].sent_at is not None and rows(ctx)[0].last_error is None


def test_backoff_grows_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3)] == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
    ]
    assert backoff(30) == timedelta(hours=6)


def test_a_topic_without_adapter_is_kept_not_lost(client, auth, ctx):
    create(client, auth)
    assert relay_once(ctx, {}).failed == 1
    assert "no adapter" in rows(ctx)[0].last_error and pending_count(ctx) == 1


def test_adapters_are_configured_from_the_environment():
    adapters = configured_adapters(
        {"JIESU_ADAPTERS": "handover.emergency=tests.jobs.test_outbox:EmergencyLine"}
    )
    assert isinstance(adapters["handover.emergency"], EmergencyLine)
    assert isinstance(adapters["sms.requester"], LoggingAdapter)


def test_the_worker_runs_its_duties_and_relays_until_stopped(client, auth, ctx):
    import threading

    from jiesu.jobs import worker

    create(client, auth)
    stop = threading.Event()
    adapter = LoggingAdapter()
    thread = threading.Thread(
        target=worker.run,
        args=(ctx,),
        kwargs={"interval": 0.05, "stop": stop, "adapters": {"sms.requester": adapter}},
    )
    thread.start()
    for _ in range(100):
        if pending_count(ctx) == 0:
            break
        stop.wait(0.05)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive() and pending_count(ctx) == 0 and len(adapter.delivered) == 1


def test_the_logging_adapter_names_a_message_never_its_personal_contents(caplog):
    """S1: the default adapter's log line has the topic, key, template and unit only."""
    import logging

    caplog.set_level(logging.INFO, logger="jiesu.outbox")
    payload = {"template": "unit.data", "unit": "990101001",
               "tickets": [{"requester_name": "张女士", "requester_phone": "13800138000"}]}  # fmt: skip
    LoggingAdapter().send(OutgoingMessage("governance.unit_data", "k1", None, payload))
    line = caplog.text
    assert "governance.unit_data k1 template=unit.data unit=990101001" in line
    assert "13800138000" not in line and "张女士" not in line
