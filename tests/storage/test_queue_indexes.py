"""The hotline's queues are read from their partial indexes (migration 0010; H1, H3, H6).

Hotline staff list every ticket of the city, so without an index each of their queues
reads every ticket (seconds a view at Beijing scale, ``bench/unit_lists.py``). Each
queue's query repeats its index's predicate in the same words; the planners, told not to
scan the table where they have a choice, must then read the index. And the overdue
filter splits the tickets in two: each is either overdue or not, none is lost to a NULL.
"""

from __future__ import annotations

import importlib.util
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from jiesu.domain.ticket import OPEN_AT_UNIT, Ticket
from jiesu.storage import repository as repo
from jiesu.storage import tables
from jiesu.storage.migrate import MIGRATIONS
from jiesu.storage.repository import TicketFilter
from jiesu.storage.uow import UnitOfWork
from tests.conftest import simulated

QUEUES = {  # index → the condition its queue lists by (console.queues)
    "ix_tickets_extension_pending": tables.queue_condition(tables.EXTENSION_PENDING_SQL),
    "ix_tickets_contest_pending": tables.queue_condition(tables.CONTEST_PENDING_SQL),
    "ix_tickets_replied_late": tables.queue_condition(tables.REPLIED_LATE_SQL),
}


def _plan(conn, stmt) -> str:
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    sql = str(compiled)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = conn.exec_driver_sql("EXPLAIN " + sql, compiled.params)
    else:
        params = tuple(compiled.params[k] for k in compiled.positiontup)
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)
    return "\n".join(str(r[-1]) for r in rows)


@pytest.mark.parametrize("index", list(QUEUES))
def test_each_hotline_queue_reads_its_index(engine, index):
    cond = QUEUES[index]
    with engine.begin() as conn:
        assert index in _plan(conn, _count(cond))


def _count(cond):
    return select(func.count()).select_from(tables.tickets).where(cond)


def test_the_overdue_queue_reads_its_two_indexes(engine, clock):
    """Each branch of the overdue OR from an index on both databases, and PostgreSQL ORs
    the two partial indexes' bitmaps. (SQLite, without statistics, may read the open
    tickets through the status index instead, and weighs its MULTI-INDEX OR against a
    scan of a small table itself.)"""
    overdue = repo._overdue(clock.now)
    open_late, replied_late = overdue.clauses
    with engine.begin() as conn:
        plan = _plan(conn, _count(open_late))
        assert "ix_tickets_open_due" in plan or (
            engine.dialect.name == "sqlite" and "SEARCH tickets USING INDEX" in plan
        ), plan
        assert "ix_tickets_replied_late" in _plan(conn, _count(replied_late))
        if engine.dialect.name == "postgresql":
            plan = _plan(conn, _count(overdue))
            assert "ix_tickets_open_due" in plan and "ix_tickets_replied_late" in plan, plan


def test_the_migration_froze_the_predicates_the_queries_use():
    path = MIGRATIONS / "versions" / "0010_queue_indexes.py"
    spec = importlib.util.spec_from_file_location("m0010", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert {name: where for name, (_, where) in module._INDEXES.items()} == {
        "ix_tickets_open_due": tables.OPEN_AT_UNIT_SQL,
        "ix_tickets_replied_late": tables.REPLIED_LATE_SQL,
        "ix_tickets_extension_pending": tables.EXTENSION_PENDING_SQL,
        "ix_tickets_contest_pending": tables.CONTEST_PENDING_SQL,
    }
    # a change of the open states needs a new migration of the index
    assert tables.OPEN_AT_UNIT_SQL.count("'") == 2 * len(OPEN_AT_UNIT)
    assert all(f"'{s}'" in tables.OPEN_AT_UNIT_SQL for s in OPEN_AT_UNIT)


@pytest.fixture(scope="module")
def history(seeded, city, tmp_path_factory):
    folder = tmp_path_factory.mktemp("overdue")
    with simulated(seeded, city, folder, days=12, tickets_per_day=60, seed=5) as ctx:
        yield ctx


def test_overdue_and_not_overdue_split_the_tickets(history):
    ctx = history
    now = ctx.now() + timedelta(days=3)  # some open tickets have run out of time by then
    with UnitOfWork(ctx.engine, write=False) as uow:
        s = uow.session
        everyone = set(s.scalars(select(Ticket.id)))
        late = {t.id for t in repo.list_tickets(s, TicketFilter(overdue=True, limit=10**6),
                                                visible_to_unit=None, now=now)[0]}  # fmt: skip
        on_time = {t.id for t in repo.list_tickets(s, TicketFilter(overdue=False, limit=10**6),
                                                   visible_to_unit=None, now=now)[0]}  # fmt: skip
        tickets = {t.id: t for t in s.scalars(select(Ticket))}
    assert late and on_time and not late & on_time and late | on_time == everyone

    def overdue(t) -> bool:
        if t.completion_due is None:
            return False
        if t.status in OPEN_AT_UNIT:
            return t.completion_due < now
        return t.replied_at is not None and t.replied_at > t.completion_due

    assert late == {i for i, t in tickets.items() if overdue(t)}
    assert any(t.status in OPEN_AT_UNIT for i, t in tickets.items() if i in on_time)
