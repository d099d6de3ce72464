"""Incremental assessment counts (A2, issue 6): the facts kept in step with every ticket
change equal a full recomputation, and summing them equals the plain aggregate over
tickets and return visits, for any period, on both databases.

Every test that uses the ``engine`` fixture also checks, when it ends, that the stored
facts equal a recomputation (``tests/conftest.py``), so every scenario of the suite
(re-handling rounds, merged requesters, escalations, appeals…) is covered as well.
"""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text

from jiesu.assessment.counts import plain_unit_counts, unit_counts
from jiesu.domain.assessment import UnitCounts
from jiesu.storage import tables
from jiesu.storage.facts import rebuild
from tests.conftest import START, TZ, facts_out_of_step, simulated

f = tables.assessment_facts


@pytest.fixture(scope="module")
def history(seeded, city, tmp_path_factory):
    """Ten days of simulated history: dispatches, re-dispatches, visits, re-handling."""
    folder = tmp_path_factory.mktemp("facts")
    with simulated(seeded, city, folder, days=10, tickets_per_day=60, seed=5) as ctx:
        yield ctx


def _totals(engine) -> dict[str, int]:
    names = ("responded", "answered", "solved", "satisfied", "basically", "unreachable")
    with engine.connect() as conn:
        row = conn.execute(select(func.count(), *(func.sum(f.c[n]) for n in names))).one()
    return dict(zip(("orders", *names), row, strict=True))


def test_the_simulated_history_leaves_the_facts_in_step(history):
    assert facts_out_of_step(history.engine) == []
    totals = _totals(history.engine)
    # The history exercises every column, so the comparison above means something.
    assert totals["orders"] > 200
    assert 0 < totals["responded"] < totals["orders"]
    assert 0 < totals["solved"] < totals["answered"]
    assert totals["satisfied"] > 0 and totals["basically"] > 0
    assert totals["unreachable"] > 0


def _periods():
    day = START.astimezone(TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    yield START - timedelta(days=30), START + timedelta(days=1)  # everything
    for n in range(1, 11, 3):  # days in the city's zone (the history ends at START)
        yield day - timedelta(days=n), day - timedelta(days=n - 1)
    yield datetime(2026, 11, 1, tzinfo=TZ), datetime(2026, 12, 1, tzinfo=TZ)
    yield day - timedelta(days=3, hours=-8), day - timedelta(days=3, hours=-17)  # no midnight


@pytest.mark.parametrize("period", list(_periods()), ids=lambda p: f"{p[0]:%m%dT%H}-{p[1]:%m%dT%H}")
def test_summed_facts_equal_the_plain_aggregate(history, period):
    start, end = period
    summed = unit_counts(history, start, end)
    assert len(summed) > 5  # units with tickets in the period
    assert summed == plain_unit_counts(history, start, end)


def test_an_upheld_appeal_leaves_both_sums_alike(history):
    with history.engine.begin() as conn:
        ticket_id, unit = conn.execute(
            select(f.c.ticket_id, f.c.unit_code).order_by(f.c.ticket_id).limit(1)
        ).one()
        conn.execute(
            tables.appeals.insert().values(
                ticket_id=ticket_id,
                unit_code=unit,
                grounds="unreasonable_request",
                reason="x",
                evidence="",
                attachments=[],
                filed_at=START,
                filed_by="t",
                decision="upheld",
            )  # fmt: skip
        )
    start, end = START - timedelta(days=30), START + timedelta(days=1)
    try:
        after = unit_counts(history, start, end)
        assert after == plain_unit_counts(history, start, end)
        with history.engine.connect() as conn:
            orders = conn.execute(
                select(func.count()).select_from(f).where(f.c.unit_code == unit)
            ).scalar_one()
        assert after.get(unit, UnitCounts()).orders == orders - 1
    finally:
        with history.engine.begin() as conn:
            conn.execute(delete(tables.appeals))


def test_a_rebuild_and_the_migration_backfill_give_the_same_rows(history):
    engine = history.engine
    with engine.connect() as conn:
        before = sorted(tuple(r) for r in conn.execute(select(f)))
    with engine.begin() as conn:
        assert rebuild(conn) == len(before)
    with engine.connect() as conn:
        assert sorted(tuple(r) for r in conn.execute(select(f))) == before
    assert facts_out_of_step(engine) == []  # the daily sums too
    migration = importlib.import_module("jiesu.storage.migrations.versions.0008_assessment_facts")
    with engine.begin() as conn:
        conn.execute(delete(tables.assessment_daily))
        conn.execute(delete(f))
        conn.execute(text(migration._BACKFILL))
        day = migration._UTC_DAY.get(conn.dialect.name, "date(dispatched_at)")
        conn.execute(text(migration._DAILY.format(day=day)))
    with engine.connect() as conn:
        assert sorted(tuple(r) for r in conn.execute(select(f))) == before
    assert facts_out_of_step(engine) == []
