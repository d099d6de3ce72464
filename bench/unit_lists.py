"""A unit's list of its tickets at Beijing scale (H1, S1): the first page and the total of
``repository.list_tickets`` for one unit, on PostgreSQL, against the former form of the
same query.

    python bench/unit_lists.py [--database-url postgresql://postgres@127.0.0.1:5432/jiesu_bench]
                               [--runs 5] [--markdown docs/benchmarks.md]

It uses the database of ``bench/assessment.py`` (a year of Beijing: 11 million tickets
over 7,762 units; built by that script's code if missing) and adds, once, what a unit's
list looks at besides the lead, none of which the assessment counts: street tickets are
supervised by their district government (BJ Art. 12); one ticket in 20 has a co-handler
(a district department or a utility), one in 200 a whistle call, one in 500 a
consultation invitation; two street tickets in a thousand were escalated to their district
government (H5); the last 14 days' tickets are still open.

Measured, for a busy street, its district government, a busy district department, a
utility and a community, each with no filter and with the open statuses: the shipped
``_involving`` (one OR whose every branch an index answers: the side tables' ticket ids
read once as an array the primary key looks up, escalated tickets through their partial
index) against the former one (the same OR with an EXISTS per side table, which no index
serves), swapped in for the same call. Both must return the same page and total.
The console's whole queue page, which makes several such calls, is measured by
``bench/queues.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import assessment as year  # noqa: E402  (bench/ is on sys.path: the database and its build)
from common import machine, median_timed, publish  # noqa: E402
from sqlalchemy import and_, exists, or_, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from jiesu.city.builder import build_city  # noqa: E402
from jiesu.city.config import CityConfig  # noqa: E402
from jiesu.domain.ticket import OPEN_AT_UNIT  # noqa: E402
from jiesu.storage import repository, tables  # noqa: E402
from jiesu.storage.db import make_engine  # noqa: E402
from jiesu.storage.mapping import map_domain  # noqa: E402
from jiesu.storage.migrate import upgrade  # noqa: E402

HEADING = "## A unit's list of tickets at Beijing scale"
#: How the shipped form was found, on the same database (2026-11-21).
NOTES = """\
How it got here: one set of ids per way of involvement, unioned and joined back, took
0.1-10 s (a district's 320,000 ids looked up one by one; with the open filter slower than
the former form, which reads the open tickets by status). The partial index of escalated
tickets was ignored until PostgreSQL had statistics on its predicate: it guessed 99.5 % of
all tickets and scanned them (+2-3 s a list; migration 0009 creates the statistics). The
OR with every branch from an index then took 26 s for the utility: its bitmap of 180,000
tickets went lossy in the default 4 MB `work_mem`, and every ticket on those pages was
checked against the co-handler array; with 64 MB, 0.8 s. JIT compilation, on by default,
took 0.7 s of a district's 0.9 s. `list_tickets` sets both for its transaction. What is
left is the total of the largest lists (the utility's 181,230 tickets): about 0.9 s;
the console's views count only up to 10,000 (`bench/queues.py`)."""

#: What a unit's list looks at besides the lead, added once (``bench_lists_ready`` marks it).
_PREPARE = [
    """CREATE TABLE bench_helpers AS
       SELECT row_number() OVER (ORDER BY code) AS i, code FROM units
       WHERE kind IN ('district_department', 'utility')""",
    """UPDATE tickets AS t SET supervising_unit_code = u.parent_code
       FROM units AS u WHERE u.code = t.lead_unit_code AND u.kind = 'street'""",
    """INSERT INTO co_handler_tasks (ticket_id, unit_code, task, due, assigned_at)
       SELECT t.id, h.code, '配合处置', t.completion_due, t.dispatched_at
       FROM tickets AS t JOIN bench_helpers AS h
         ON h.i = 1 + (t.id::bigint * 7919) % (SELECT count(*) FROM bench_helpers)
       WHERE t.id % 20 = 0""",
    """INSERT INTO whistle_calls (ticket_id, unit_code, whistle_round, summoned_at, report_due)
       SELECT t.id, h.code, 1, t.dispatched_at, t.dispatched_at + interval '2 hours'
       FROM tickets AS t JOIN bench_helpers AS h
         ON h.i = 1 + (t.id::bigint * 104729) % (SELECT count(*) FROM bench_helpers)
       WHERE t.id % 200 = 7""",
    """INSERT INTO consultation_invites (ticket_id, unit_code, invited_at, due)
       SELECT t.id, h.code, t.received_at, t.received_at + interval '1 day'
       FROM tickets AS t JOIN bench_helpers AS h
         ON h.i = 1 + (t.id::bigint * 15485863) % (SELECT count(*) FROM bench_helpers)
       WHERE t.id % 500 = 3""",
    """UPDATE tickets SET escalation_authorities = json_build_array(supervising_unit_code)
       WHERE supervising_unit_code IS NOT NULL AND id % 500 = 11""",
    """UPDATE tickets SET
         status = CASE id % 3 WHEN 0 THEN 'dispatched' WHEN 1 THEN 'acknowledged'
                  ELSE 'in_progress' END,
         replied_at = NULL, closed_at = NULL
       WHERE dispatched_at > (SELECT max(dispatched_at) FROM tickets) - interval '14 days'""",
    "DROP TABLE bench_helpers",
    "CREATE TABLE bench_lists_ready (done_at timestamptz)",
    "INSERT INTO bench_lists_ready VALUES (now())",
]


def former_involving(unit_code: str, dialect: str):
    """The condition ``_involving`` was before this benchmark: an OR over the ticket row."""
    t = tables.tickets.c
    co, ci, wc = (tables.co_handler_tasks.c, tables.consultation_invites.c,
                  tables.whistle_calls.c)  # fmt: skip
    return or_(
        t.lead_unit_code == unit_code,
        t.supervising_unit_code == unit_code,
        t.escalated_to == unit_code,
        repository._json_list_has(t.escalation_authorities, unit_code, dialect),
        exists().where(and_(wc.ticket_id == t.id, wc.unit_code == unit_code)),
        exists().where(and_(co.ticket_id == t.id, co.unit_code == unit_code)),
        exists().where(and_(ci.ticket_id == t.id, ci.unit_code == unit_code)),
    )


def prepare(engine) -> float:
    """Add what the lists look at, once; the seconds it took (0 when already there)."""
    return add_once(engine, "bench_lists_ready", _PREPARE,
                    "tickets, co_handler_tasks, whistle_calls, consultation_invites")  # fmt: skip


def add_once(engine, marker: str, statements: list[str], vacuum: str) -> float:
    """Run ``statements`` (the last of which create the table ``marker``) in one
    transaction unless ``marker`` exists, then vacuum and analyse the tables ``vacuum``
    names; the seconds it took, 0 when there was nothing to do."""
    with engine.connect() as conn:
        if conn.execute(text("SELECT to_regclass(:m)"), {"m": marker}).scalar():
            return 0.0
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL work_mem = '256MB'"))
        for sql in statements:
            conn.execute(text(sql))
            print(f"  {sql.split()[0].lower()} … ({time.perf_counter() - t0:.0f} s)", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM ANALYZE {vacuum}"))
    return time.perf_counter() - t0


def subjects(engine) -> list[tuple[str, str]]:
    """(what, unit code): a busy street, its district, a busy district department, a
    utility and a community."""
    q = """SELECT t.lead_unit_code FROM tickets AS t JOIN units AS u ON u.code = t.lead_unit_code
           WHERE u.kind = :kind GROUP BY t.lead_unit_code
           ORDER BY count(*) DESC, t.lead_unit_code LIMIT 1"""
    with engine.connect() as conn:
        busiest = {k: conn.execute(text(q), {"kind": k}).scalar()
                   for k in ("street", "district_department", "utility", "community")}  # fmt: skip
        district = conn.execute(
            text("SELECT parent_code FROM units WHERE code = :c"), {"c": busiest["street"]}
        ).scalar()
    return [
        ("busiest street", busiest["street"]),
        ("its district government (supervises)", district),
        ("busiest district department (co-handles)", busiest["district_department"]),
        ("busiest utility", busiest["utility"]),
        ("busiest community", busiest["community"]),
    ]


def arguments(doc: str) -> argparse.Namespace:
    """The options this benchmark and ``bench/queues.py`` share."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--database-url", default=year.DEFAULT_URL)
    ap.add_argument("--tickets", type=int, default=11_000_000, help="if the database is built")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--markdown", help="write the section into this file (docs/benchmarks.md)")
    return ap.parse_args()


def open_database(args: argparse.Namespace):
    """The benchmark database, built if missing, at the shipped schema, with this
    benchmark's additions: (engine, city, now, tickets, seconds the additions took)."""
    fill = year._ensure_database(args.database_url, False)
    engine = make_engine(args.database_url)
    city = CityConfig.model_validate(build_city("北京市", estimate_population=True, seed=1))
    if fill:
        year.build(engine, city, args.tickets, 1)
    upgrade(engine)  # the shipped schema, with the partial index of escalated tickets
    prepared_s = prepare(engine)
    map_domain()
    with engine.connect() as conn:
        now = conn.execute(text("SELECT max(dispatched_at) FROM tickets")).scalar()
        n_tickets = conn.execute(text("SELECT count(*) FROM tickets")).scalar()
    return engine, city, now, n_tickets, prepared_s


def main() -> None:
    args = arguments(__doc__)
    engine, _, now, n_tickets, prepared_s = open_database(args)
    open_statuses = tuple(str(s) for s in OPEN_AT_UNIT)
    shipped = repository._involving
    rows = []
    for what, code in subjects(engine):
        for label, flt in (("all", repository.TicketFilter()),
                           ("open", repository.TicketFilter(status=open_statuses))):  # fmt: skip

            def listing(flt=flt, code=code):
                with Session(engine) as session:
                    items, total = repository.list_tickets(
                        session, flt, visible_to_unit=code, now=now
                    )
                    return [t.id for t in items], total

            new_s, new = median_timed(listing, args.runs)
            repository._involving = former_involving
            try:
                old_s, old = median_timed(listing, max(2, args.runs // 2))
            finally:
                repository._involving = shipped
            assert new == old, f"the two forms disagree for {code} ({label})"
            rows.append(
                f"| {what} `{code}` | {label} | {new[1]:,} | {new_s * 1000:.0f} ms "
                f"| {old_s * 1000:.0f} ms | {old_s / new_s:.0f}× |"
            )
            print(rows[-1], flush=True)
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    prep = (f"The additions took {prepared_s:.0f} s in this run." if prepared_s
            else "The additions were made by an earlier run.")  # fmt: skip
    section = "\n".join([
        HEADING, "",
        f"`python bench/unit_lists.py --markdown docs/benchmarks.md` ({when}; PostgreSQL 15 on "
        f"{machine()}). {n_tickets:,} tickets: the database of the assessment benchmark with "
        "supervision, co-handlers, whistles, consultations, escalations and a fortnight of "
        f"open tickets added (see the script). {prep} One call of `list_tickets` as a unit "
        "handler's list makes it: the first page of 50, newest first, and the total; median "
        f"of {args.runs} runs (the former form: of {max(2, args.runs // 2)}).", "",
        "| unit | list | total | shipped (each branch from an index) "
        "| former (EXISTS per side table) | ratio |",
        "|---|---|---|---|---|---|",
        *rows, "",
        "The console's whole queue page: [the queue pages](#the-queue-pages-at-beijing-scale).",
        "", NOTES, "",
    ])  # fmt: skip
    publish(section, args.markdown)


if __name__ == "__main__":
    main()
