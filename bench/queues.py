"""The console's queue pages at Beijing scale (H1, H3, H6): each view of the work queue
(``console.queues.load``: every tab's count and one tab's page of 20), for the unit
handlers and for the hotline's staff, on PostgreSQL.

    python bench/queues.py [--database-url postgresql://postgres@127.0.0.1:5432/jiesu_bench]
                           [--runs 5] [--markdown docs/benchmarks.md]

It uses the database of ``bench/unit_lists.py`` (11 million tickets of ``bench/assessment.py``
with supervision, co-handlers, whistles, consultations, escalations and a fortnight of open
tickets; built if missing) and adds, once, what the hotline's queues look for, all in the
open fortnight except the late replies, which the assessment does not read: one closed
ticket in 33 was replied after its deadline; one open ticket in 50 had a three-day deadline
(most have run out); one in 2,000 asks for an extension; one in 3,000 is contested as
improper.

Measured, median of ``--runs`` views each, after one untimed view:

- a unit handler's first tab and 全部工单, for the units of ``bench/unit_lists.py``: the
  shipped page, whose counts stop at ``queues.COUNT_CAP``, against the same page with exact
  counts (``list_tickets`` without ``count_up_to``);
- the operator's, dispatcher's and supervisor's first tab and 全部工单: the shipped page
  against the same page without the hotline's queue indexes (the database downgraded to
  migration 0009 for the baseline, then upgraded again).
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import unit_lists as lists  # noqa: E402
from common import machine, median_timed, publish  # noqa: E402

from jiesu.console import queues  # noqa: E402
from jiesu.context import Context  # noqa: E402
from jiesu.domain.roles import Actor, Role  # noqa: E402
from jiesu.storage import repository  # noqa: E402
from jiesu.storage.migrate import downgrade, upgrade  # noqa: E402

HEADING = "## The queue pages at Beijing scale"
BEFORE_INDEXES = "0009"
_OPEN = "status IN ('dispatched', 'acknowledged', 'in_progress')"
#: What the hotline's queues look for, added once (``bench_queues_ready`` marks it).
_PREPARE = [
    """UPDATE tickets SET replied_at = completion_due + interval '1 day',
         closed_at = completion_due + interval '3 days'
       WHERE status = 'closed' AND id % 33 = 5""",
    f"""UPDATE tickets SET completion_due = dispatched_at + interval '3 days',
         completion_warn_at = dispatched_at + interval '2 days'
       WHERE {_OPEN} AND id % 50 = 9""",
    f"""UPDATE tickets SET extension_requested_due = completion_due + interval '10 days',
         extension_reason = '需协调第三方施工单位'
       WHERE {_OPEN} AND id % 2000 = 13""",
    f"""UPDATE tickets SET contest_kind = 'improper', contest_status = 'pending',
         contest_reason = '诉求超出合理范围'
       WHERE {_OPEN} AND id % 3000 = 17""",
    "CREATE TABLE bench_queues_ready (done_at timestamptz)",
    "INSERT INTO bench_queues_ready VALUES (now())",
]
#: What the figures say, from the runs of 2026-11-22.
NOTES = """\
The dispatcher's view counted three queues by reading every ticket (pending extensions,
pending contests, overdue): 4-7 s before migration 0010, tens of milliseconds with it.
The supervisor's overdue view is read the same way with or without the indexes here: with
late replies in 3 % of all tickets and overdue ones among the newest, the planner walks the
tickets newest first and finds 20 overdue within 91,000, and the count stops at the 10,001st
within 23,000. The indexes are for a city with few late replies, where that walk would read
all 11 million tickets: only the statistics of migration 0010 tell the planner how few
there are (`tests/storage/test_queue_indexes.py`). That view measured 63 ms to 1.4 s in one
process until `list_tickets` set two more things for its transaction: custom plans (after
five runs psycopg prepares a statement, and PostgreSQL's generic plan for it counted with a
bitmap of all 320,000 late replies) and no synchronised scans (the capped count's scan began
where the last one stopped, in the open fortnight, and read 3.4 million tickets for its
10,001). A unit handler's views gain most where a count is large: the busiest utility's
174,478 finished tickets were counted at every view. Each tab's count also read a page of
one ticket it did not show, until the counts were made by `count_tickets` (a community's
view: 160 ms, 36 statements, then 46 ms, 18), and the tab shown was counted twice, for
its badge and its pager."""
HOTLINE = (("operator", Role.OPERATOR), ("dispatcher", Role.DISPATCHER),
           ("supervisor", Role.SUPERVISOR))  # fmt: skip


def prepare(engine) -> float:
    """Add what the hotline's queues look for, once; the seconds it took (0 if there)."""
    return lists.add_once(engine, "bench_queues_ready", _PREPARE, "tickets")


def _exact(session, flt, actor, now):
    return repository.list_tickets(
        session, flt, visible_to_unit=queues.visible_unit(actor), now=now
    )


def views(ctx: Context, actor: Actor, runs: int) -> dict[str, tuple[float, queues.Queue]]:
    """The first tab's view and 全部工单's: (median seconds, the page), each after one
    untimed view: only the first reads its pages from disk, and users repeat views."""
    first = lambda: queues.load(ctx, actor, None, queues.Filters(), 1)  # noqa: E731
    whole = lambda: queues.load(ctx, actor, "all", queues.Filters(), 1)  # noqa: E731
    first(), whole()
    return {"first tab": median_timed(first, runs), "全部工单": median_timed(whole, runs)}


def _row(who: str, view: str, shipped, baseline) -> str:
    (new_s, page), (old_s, _) = shipped, baseline
    counts = ", ".join(f"{t.label} {page.badges[t.key]}" for t in page.tabs if t.key in page.badges)
    return (f"| {who} | {view} ({page.tab.label}; {counts or 'no counts'}; total "
            f"{page.total_label}) | {new_s * 1000:,.0f} ms | {old_s * 1000:,.0f} ms "
            f"| {old_s / new_s:.1f}× |")  # fmt: skip


def main() -> None:
    args = lists.arguments(__doc__)
    engine, city, now, n_tickets, _ = lists.open_database(args)
    prepared_s = prepare(engine)  # changes no dispatch time: ``now`` stands
    ctx = Context(engine=engine, city=city, clock=lambda: now)

    rows = []
    capped = queues._listed
    for what, code in lists.subjects(engine):
        handler = Actor(None, "bench", Role.UNIT_HANDLER, code)
        shipped = views(ctx, handler, args.runs)
        queues._listed = _exact
        try:
            exact = views(ctx, handler, args.runs)
        finally:
            queues._listed = capped
        for view in shipped:
            rows.append(_row(f"{what} `{code}`", view, shipped[view], exact[view]))
            print(rows[-1], flush=True)

    staff = {name: Actor(None, "bench", role, city.city.hotline_unit) for name, role in HOTLINE}
    shipped = {name: views(ctx, actor, args.runs) for name, actor in staff.items()}
    t0 = time.perf_counter()
    downgrade(engine, BEFORE_INDEXES)
    try:
        before = {name: views(ctx, actor, args.runs) for name, actor in staff.items()}
    finally:
        upgrade(engine)
    redo_s = time.perf_counter() - t0
    hotline_rows = []
    for name in staff:
        for view in shipped[name]:
            hotline_rows.append(_row(name, view, shipped[name][view], before[name][view]))
            print(hotline_rows[-1], flush=True)

    when = datetime.now(UTC).strftime("%Y-%m-%d")
    prep = (f"The additions took {prepared_s:.0f} s in this run." if prepared_s
            else "The additions were made by an earlier run.")  # fmt: skip
    section = [
        HEADING, "",
        f"`python bench/queues.py --markdown docs/benchmarks.md` ({when}; PostgreSQL 15 on "
        f"{machine()}). {n_tickets:,} tickets: the database of `bench/unit_lists.py` with "
        "late replies, overdue tickets, extension requests and contests added (see the "
        f"script). {prep} One view of the work queue (`console.queues.load`: every tab's "
        f"count and the tab's first page of {queues.PAGE_SIZE}), median of {args.runs} runs "
        "after one untimed view.",
        "",
        f"A unit handler's views: counts that stop at {queues.COUNT_CAP:,} (shown as "
        f"`{queues.COUNT_CAP}+`), against the same view with exact counts.", "",
        "| unit | view | capped counts | exact counts | ratio |",
        "|---|---|---|---|---|",
        *rows, "",
        "The hotline's views (every ticket of the city): with the queue indexes of migration "
        "0010, against the same view on the database downgraded to 0009 (dropping them and "
        f"building them again took {redo_s:.0f} s of this run, baseline views included).", "",
        "| role | view | with the queue indexes | without (0009) | ratio |",
        "|---|---|---|---|---|",
        *hotline_rows, "",
        NOTES, "",
    ]  # fmt: skip
    publish(section, args.markdown)


if __name__ == "__main__":
    main()
