"""The queue page stays fast for a busy unit (H1, H3, H4).

The co-handling tasks and whistle calls each come with their tickets in one query, not
one ticket (and its five relations) at a time; and a tab's count stops just past
``queues.COUNT_CAP``, shown as "10000+", so a unit with years of history is not counted
ticket by ticket at every view."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from jiesu.console import queues
from tests.api.helpers import act, create, dispatched

from .test_handling_console import _actor


@contextmanager
def _statements(engine):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _add_work(client, auth, clock, n: int) -> None:
    """``n`` tickets co-handled by 城管 and ``n`` whistles that summon it."""
    for i in range(n):
        number = create(client, auth)["number"]
        due = (clock.now + timedelta(hours=10 + i)).isoformat()
        act(client, auth, "dispatcher", number, "dispatch", lead_unit_code="990101001",
            co_handlers=[{"unit_code": "990101.urban", "task": "查处占道", "due": due}])  # fmt: skip
        number = dispatched(client, auth, lead="990101001")["number"]
        act(client, auth, "donghua", number, "acknowledge")
        act(client, auth, "donghua", number, "raise_whistle", reason="占道，需城管到场",
            unit_codes=["990101.urban"])  # fmt: skip


def _queries(ctx, actor, tab: str) -> tuple[int, int]:
    with _statements(ctx.engine) as seen:
        page = queues.load(ctx, actor, tab, queues.Filters(), 1)
    return len(page.rows), len(seen)


def test_the_co_task_and_call_queues_take_the_same_queries_for_two_rows_or_six(
    client, auth, ctx, clock
):
    urban = _actor(ctx, "urban")
    _add_work(client, auth, clock, 2)
    few = {tab: _queries(ctx, urban, tab) for tab in ("co_tasks", "calls")}
    _add_work(client, auth, clock, 4)
    many = {tab: _queries(ctx, urban, tab) for tab in ("co_tasks", "calls")}
    assert {tab: rows for tab, (rows, _) in few.items()} == {"co_tasks": 2, "calls": 2}
    assert {tab: rows for tab, (rows, _) in many.items()} == {"co_tasks": 6, "calls": 6}
    assert {tab: q for tab, (_, q) in many.items()} == {tab: q for tab, (_, q) in few.items()}
    assert queues.load(ctx, urban, "co_tasks", queues.Filters(), 1).counts["co_tasks"] == 6


def test_counts_above_the_cap_show_as_cap_plus_and_the_pages_stop_there(client, auth, monkeypatch):
    from .helpers import login

    for _ in range(5):
        dispatched(client, auth, lead="990101001")
    monkeypatch.setattr(queues, "COUNT_CAP", 3)
    login(client, "donghua")
    page = client.get("/?tab=to_ack").text
    assert '待签收 <span class="count">3+</span>' in page
    assert "共 3+ 条 · 第 1 / 1+ 页" in page
    monkeypatch.setattr(queues, "COUNT_CAP", 5)
    page = client.get("/?tab=to_ack").text
    assert '待签收 <span class="count">5</span>' in page and "共 5 条 · 第 1 / 1 页" in page
