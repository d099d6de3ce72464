"""Storage guarantees on both databases: no drift between migrations and models,
an append-only timeline, unique ticket numbers under concurrent creation, and
optimistic concurrency (one success, one clear conflict, never a lost update)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from jiesu.actions import run
from jiesu.dispatch.actions import DispatchInput
from jiesu.domain.commands import Acknowledge, Action, Close, RaiseObjection
from jiesu.domain.errors import Conflict, IllegalTransition
from jiesu.domain.roles import Actor, Role
from jiesu.intake.receive import NewTicket, receive
from jiesu.storage import repository as repo
from jiesu.storage.migrate import head_revision, is_up_to_date
from jiesu.storage.tables import metadata
from jiesu.storage.uow import UnitOfWork
from jiesu.workflow import perform

OPERATOR = Actor(user_id=None, username="op", role=Role.OPERATOR, unit_code="hotline")
DISPATCHER = Actor(user_id=None, username="disp", role=Role.DISPATCHER, unit_code="hotline")
HANDLER = Actor(user_id=None, username="h", role=Role.UNIT_HANDLER, unit_code="990101001")
DRAFT = NewTicket(
    request_type="complaint", category="城乡建设/物业管理", content="楼道堆放杂物无人清理"
)


def test_migrations_match_the_models(engine):
    assert is_up_to_date(engine) and head_revision() is not None
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_timeline_is_append_only(ctx):
    ticket, _ = receive(ctx, OPERATOR, DRAFT)
    for stmt in ("UPDATE ticket_events SET reason = 'x'", "DELETE FROM ticket_events"):
        with pytest.raises(DBAPIError, match="append-only"), ctx.engine.begin() as conn:
            conn.execute(text(stmt))
    with UnitOfWork(ctx.engine, write=False) as uow:
        assert len(repo.timeline(uow.session, ticket.id)) == 1


def test_ticket_numbers_unique_under_concurrent_creation(ctx):
    with ThreadPoolExecutor(max_workers=8) as pool:
        tickets = list(pool.map(lambda _: receive(ctx, OPERATOR, DRAFT)[0], range(40)))
    numbers = sorted(t.number for t in tickets)
    assert len(set(numbers)) == 40
    assert numbers[0].endswith("000001") and numbers[-1].endswith("000040")


def test_numbers_restart_each_local_day(ctx, clock):
    clock.advance(hours=14, minutes=59)  # 23:59 in Beijing
    late = receive(ctx, OPERATOR, DRAFT)[0]
    clock.advance(minutes=2)  # 00:01 the next day
    early = receive(ctx, OPERATOR, DRAFT)[0]
    assert late.number == "CS20261123000001" and early.number == "CS20261124000001"


def _dispatch(ctx, number):
    return run(ctx, DISPATCHER, number, Action.DISPATCH, DispatchInput(lead_unit_code="990101001"))[
        0
    ]


def test_two_people_acting_at_once_one_wins_one_conflicts(ctx):
    """Two handlers act on the same ticket version at the same moment: exactly one
    change lands, the other gets ticket.conflict (optimistic concurrency)."""
    ticket, _ = receive(ctx, OPERATOR, DRAFT)
    version = _dispatch(ctx, ticket.number).version
    barrier = threading.Barrier(2)

    def attempt(command):
        barrier.wait()
        try:
            perform(
                ctx,
                HANDLER,
                ticket.number,
                lambda t, now, session: command,
                expected_version=version,
            )
            return "ok"
        except (Conflict, IllegalTransition) as exc:
            return exc.code

    commands = [Acknowledge(), RaiseObjection(grounds="duty", reason="不属本街道")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(attempt, commands))
    assert sorted(results) == ["ok", "ticket.conflict"]
    with UnitOfWork(ctx.engine, write=False) as uow:
        final = repo.get_ticket(uow.session, ticket.number)
        events = repo.timeline(uow.session, final.id)
    assert final.version == version + 1
    assert [e.action for e in events][-1] in ("acknowledge", "raise_objection")
    assert len(events) == 3


def test_concurrent_writes_without_expected_version_are_serialised(ctx):
    """Without a version from the client, the database still prevents a lost update:
    each change is applied to the latest state, in turn, and each leaves its event."""
    ticket, _ = receive(ctx, OPERATOR, DRAFT)
    _dispatch(ctx, ticket.number)

    def ack():
        try:
            perform(ctx, HANDLER, ticket.number, lambda t, now, session: Acknowledge())
            return "ok"
        except (Conflict, IllegalTransition) as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: ack(), range(4)))
    assert results.count("ok") == 1
    assert set(results) <= {"ok", "ticket.conflict", "ticket.illegal_transition"}
    with UnitOfWork(ctx.engine, write=False) as uow:
        events = repo.timeline(uow.session, repo.get_ticket(uow.session, ticket.number).id)
    assert [e.action for e in events].count("acknowledge") == 1


def test_failed_action_writes_nothing(ctx):
    ticket, _ = receive(ctx, OPERATOR, DRAFT)
    with pytest.raises(IllegalTransition):
        perform(ctx, OPERATOR, ticket.number, lambda t, now, session: Close())
    with UnitOfWork(ctx.engine, write=False) as uow:
        fresh = repo.get_ticket(uow.session, ticket.number)
        assert fresh.version == ticket.version and fresh.status == "received"
        assert len(repo.timeline(uow.session, fresh.id)) == 1
        outbox = uow.session.execute(text("SELECT count(*) FROM outbox")).scalar_one()
    assert outbox == 0  # the requester has no phone: nothing queued at receipt


def test_status_check_knows_exactly_the_lifecycle_statuses(ctx):
    """The database's CHECK on tickets.status matches the domain's Status (no drift)."""
    from jiesu.domain.ticket import Status

    ticket, _ = receive(ctx, OPERATOR, DRAFT)
    for status in [*Status, "bogus"]:
        conn = ctx.engine.connect()
        try:
            conn.execute(
                text("UPDATE tickets SET status = :s WHERE id = :i"),
                {"s": str(status), "i": ticket.id},
            )
            accepted = True
        except DBAPIError:
            accepted = False
        finally:
            conn.rollback()
            conn.close()
        assert accepted == (status != "bogus"), status
