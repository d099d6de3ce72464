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
from sqlalchemy import func, select, text

from jiesu.domain.ticket import OPEN_AT_UNIT, Ticket
from jiesu.storage import repository as repo
from jiesu.storage import tables
from jiesu.storage.migrate import MIGRATIONS
from jiesu.storage.repository import TicketFilter
from jiesu.storage.uow import UnitOfWork
from tests.conftest import simulated

QUEUES = {  # index → the condition its queue lists by (console.queues)
    "ix_tickets_extension_pending": tables.EXTENSION_PENDING_SQL,
    "ix_tickets_contest_pending": tables.CONTEST_PENDING_SQL,
    "ix_tickets_replied_late": tables.REPLIED_LATE_SQL,
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
    cond = tables.queue_condition(QUEUES[index], engine.dialect.name)
    with engine.begin() as conn:
        assert index in _plan(conn, _count(cond))


def _count(cond):
    return select(func.count()).select_from(tables.tickets).where(cond)


def test_the_overdue_queue_reads_its_two_indexes(engine, clock):
    """Each branch of the overdue OR from an index on both databases, and PostgreSQL ORs
    the two partial indexes' bitmaps. (SQLite, without statistics, may read the open
    tickets through the status index instead, and weighs its MULTI-INDEX OR against a
    scan of a small table itself.)"""
    overdue = repo._overdue(clock.now, engine.dialect.name)
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


def test_postgresql_estimates_the_late_replies_from_their_statistics(history):
    """Column against column the planner would guess a third of all tickets; the form the
    queries use, with migration 0010's statistics, is estimated close to the truth."""
    engine = history.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner statistics; SQLite keeps none of this kind")
    late = tables.REPLIED_LATE_SQL["postgresql"]
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE tickets")
        rows = conn.exec_driver_sql("SELECT count(*) FROM tickets").scalar()
        actual = conn.exec_driver_sql(f"SELECT count(*) FROM tickets WHERE {late}").scalar()

        def estimate(where: str) -> float:
            plan = conn.exec_driver_sql(
                f"EXPLAIN (FORMAT JSON) SELECT id FROM tickets WHERE {where}"
            )
            return plan.scalar()[0]["Plan"]["Plan Rows"]

        guessed = estimate("replied_at > completion_due")
        estimated = estimate(late)
    assert rows > 300 and actual < rows / 10  # a history with few late replies
    assert guessed > rows / 4  # the default guess
    assert estimated <= max(2 * actual, 5), (estimated, actual)


def test_a_list_is_planned_for_the_values_asked_for(engine, clock):
    """psycopg prepares a statement run five times; PostgreSQL must not then reuse a generic
    plan made for any unit, time and limit, and a scan that stops at a capped count must not
    start where another left off (``bench/queues.py``): the list sets both for its
    transaction, as it sets ``work_mem`` and ``jit``."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan cache; SQLite plans every statement it prepares")
    with UnitOfWork(engine, write=False) as uow:
        repo.list_tickets(uow.session, TicketFilter(overdue=True), visible_to_unit=None,
                          now=clock.now, count_up_to=10)  # fmt: skip
        settings = uow.session.execute(
            text(
                "SELECT current_setting('plan_cache_mode'), current_setting('jit'), "
                "current_setting('synchronize_seqscans')"
            )
        ).one()
    assert tuple(settings) == ("force_custom_plan", "off", "off")
    with engine.connect() as conn:  # for this transaction only
        assert conn.execute(text("SHOW plan_cache_mode")).scalar() == "auto"
