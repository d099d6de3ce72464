"""A unit's list of tickets holds exactly the tickets the unit may open (H1, H4, H5, S1).

``repository.list_tickets`` asks the database which tickets involve a unit (one OR, each
branch from an index); :func:`jiesu.access.can_see` asks the ticket itself. On a
simulated history — leads, supervision, co-handlers, whistles, and an escalation decided
by a district — the two must agree for every unit of the city, on both databases.
(Consultation invitations, D4, are checked in ``tests/dispatch/test_dispatch_flow.py``.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jiesu.access import can_see
from jiesu.city.config import UnitKind
from jiesu.context import Context
from jiesu.domain import commands as c
from jiesu.domain.roles import Actor, Role
from jiesu.domain.ticket import Status, Ticket
from jiesu.storage import tables
from jiesu.storage.repository import TicketFilter, count_tickets, list_tickets
from jiesu.storage.uow import UnitOfWork
from jiesu.workflow import perform
from tests.conftest import simulated


@pytest.fixture(scope="module")
def history(seeded, city, tmp_path_factory):
    folder = tmp_path_factory.mktemp("lists")
    with simulated(seeded, city, folder, days=12, tickets_per_day=80, seed=11) as ctx:
        _escalate_one(ctx)
        yield ctx


def _escalate_one(ctx: Context) -> None:
    """A street raises one of its open tickets to its district, which names a department
    to lead (H5): the district keeps seeing it afterwards, through the authorities only."""
    with UnitOfWork(ctx.engine, write=False) as uow:
        streets = {u.code: u for u in ctx.city.units if u.kind is UnitKind.STREET}
        ticket = next(
            t for t in uow.session.scalars(select(Ticket).order_by(Ticket.id))
            if t.lead_unit_code in streets and t.status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS)
        )  # fmt: skip
        number, street = ticket.number, streets[ticket.lead_unit_code]
    department = next(u for u in ctx.city.units
                      if u.parent == street.parent and u.kind is UnitKind.DISTRICT_DEPARTMENT)  # fmt: skip
    handler = Actor(None, "probe", Role.UNIT_HANDLER, street.code)
    authority = Actor(None, "probe", Role.UNIT_HANDLER, street.parent)
    perform(ctx, handler, number, lambda t, now, s: c.Escalate(
        reason="协调不动", authority_unit_code=street.parent))  # fmt: skip
    perform(ctx, authority, number, lambda t, now, s: c.DecideEscalation(
        reason="由区职能部门主办", lead_unit_code=department.code))  # fmt: skip


def test_every_units_list_is_what_it_may_open(history):
    ctx = history
    with UnitOfWork(ctx.engine, write=False) as uow:
        tickets = list(uow.session.scalars(select(Ticket)))
        for t in tickets:  # loaded before the listing queries
            list(t.co_handlers), list(t.consultation), list(t.whistle_calls)
        ways = {
            "co-handled": any(t.co_handlers for t in tickets),
            "whistled": any(t.whistle_calls for t in tickets),
            "escalated": any(t.escalation_authorities for t in tickets),
            "supervised": any(t.supervising_unit_code for t in tickets),
        }
        assert all(ways.values()), ways  # the history exercises every way of involvement
        checked = 0
        for unit in ctx.city.units:
            actor = Actor(None, "probe", Role.UNIT_HANDLER, unit.code)
            expected = {t.id for t in tickets if can_see(t, actor)}
            items, total = list_tickets(
                uow.session, TicketFilter(limit=100_000), visible_to_unit=unit.code,
                now=ctx.now(),
            )  # fmt: skip
            assert {t.id for t in items} == expected, unit.code
            assert total == len(expected)
            checked += bool(expected)
        assert checked >= 10


def test_the_escalated_index_holds_only_escalated_tickets(history):
    """The partial index's predicate (``tables.ESCALATED_SQL``) is what the list uses."""
    with history.engine.connect() as conn:
        rows = (
            conn.execute(
                select(tables.tickets.c.escalation_authorities).where(
                    tables.ever_escalated(tables.tickets)
                )
            )
            .scalars()
            .all()
        )
        total = conn.execute(select(tables.tickets.c.id)).all()
    assert rows and all(isinstance(r, list) and r for r in rows)
    assert len(rows) < len(total)


def test_a_count_up_to_a_cap_stops_just_past_it_and_lists_the_same_page(history):
    """The console's capped counts (``console.queues.COUNT_CAP``): a total above the cap
    reads as cap + 1, one at or below it is exact, the page itself does not change, and
    ``count_tickets`` (a tab's count) says the same as the list's total."""
    ctx = history
    with UnitOfWork(ctx.engine, write=False) as uow:
        seen = set()
        for unit in [None, *(u.code for u in ctx.city.units)]:
            flt = TicketFilter(limit=20)
            items, exact = list_tickets(uow.session, flt, visible_to_unit=unit, now=ctx.now())
            for cap in (0, 1, 7, exact - 1, exact, exact + 5):
                if cap < 0:
                    continue
                page, total = list_tickets(uow.session, flt, visible_to_unit=unit,
                                           now=ctx.now(), count_up_to=cap)  # fmt: skip
                assert total == min(exact, cap + 1), (unit, cap)
                assert [t.id for t in page] == [t.id for t in items]
                counted = count_tickets(uow.session, flt, visible_to_unit=unit, now=ctx.now(),
                                        up_to=cap)  # fmt: skip
                assert counted == total  # a tab's count, without its page
            seen.add(min(exact, 25) // 5)
        assert {0, 5} <= seen  # units with no tickets and with many
