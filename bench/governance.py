"""Proactive governance at Beijing scale (G5, G1): examining a week, its page, and a month's
analysis, on PostgreSQL.

    python bench/governance.py [--database-url postgresql://postgres@127.0.0.1:5432/jiesu_bench]
                               [--runs 3] [--markdown docs/benchmarks.md]

It uses the database of ``bench/unit_lists.py`` (11 million tickets of
``bench/assessment.py``, about 210,000 a week; built if missing) and adds, once, what the
warning reads, for the tickets of the last ten weeks (about 2.1 million): a community drawn
uniformly from Beijing's, and a category from the city's leaf categories, skewed so that a
few are common (the square of a uniform draw picks the category's rank); then, in the last
full week, 100 outbreaks: about ten tickets each moved to one community and category.

Measured, median of ``--runs``:

- examining the last full week (``governance.warnings.find``: one grouped query over that
  week and the eight before, about 1.9 million tickets, then the rules for every community
  and street), against reading the same tickets' rows and nothing else
  (``count(*)`` over the same range): what grouping and judging add to the reading;
- the week's page as a street and as the hotline see it (``week_warnings``, which also
  counts the following week for each warning), for the week before the last, which has a
  following week;
- the month's comprehensive analysis (``governance.analysis.analyse``: hot matters, hot
  areas, frequent requesters) for the last full month, as the hotline and as a district
  see it, against reading the two months' rows (``count(*)``).
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import unit_lists as lists  # noqa: E402
from common import machine, median_timed, publish  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from jiesu.assessment.rankings import month  # noqa: E402
from jiesu.assessment.trends import last_full_month  # noqa: E402
from jiesu.context import Context  # noqa: E402
from jiesu.domain.hotspots import last_full_week, week_label  # noqa: E402
from jiesu.domain.roles import Actor, Role  # noqa: E402
from jiesu.governance import analysis as ga  # noqa: E402
from jiesu.governance import warnings as gw  # noqa: E402
from jiesu.governance.weekly import week_start  # noqa: E402

HEADING = "## Governance at Beijing scale"
#: What the figures say, from the runs of 2026-11-22.
NOTES = """\
Examining a week is the worker's weekly duty, not a page: the previous version read 1.4 million
groups into Python in three queries (20.4 s on the same database); one statement that groups
in the database and returns only the pairs that may warn, with JIT off, takes the time above,
most of it PostgreSQL sorting 3.8 million rows (every ticket once for its community, once for
its street) to count different requesters. Of the surges, about 100 are the planted
outbreaks and the rest chance: at `max_p` 0.001, some half a million community and street
pairs tested a week give a few dozen by chance (135 of the 188 have 8 or more requests).
The persistent ones are 168 streets and 5 communities: this benchmark spreads tickets over
communities evenly, whatever their population, so streets of many small communities have
more requests per resident than the rest, every week. The warning page reads stored rows
(the hotline's 271 warnings include counting the next week for each). The month's analysis
for the whole city reads two months of tickets on every view (matters 1.5 s, areas 3 s of
it): too slow for a page at this scale, and not yet precomputed or cached."""
OUTBREAKS = 100


def _prepare(city, since, week, until) -> list[str]:
    leaves = [c.code for c in city.categories if "/" in c.code]
    cats = "(ARRAY[" + ", ".join(f"'{c}'" for c in leaves) + "])"
    pick = f"{cats}[1 + floor(power(random(), 2) * {len(leaves)})::int]"
    return [
        """CREATE TABLE bench_places AS
           SELECT row_number() OVER (ORDER BY code) AS i, code FROM units
           WHERE kind = 'community'""",
        f"""UPDATE tickets AS t SET location_unit_code = p.code, category = s.cat
            FROM (SELECT id, 1 + floor(random() * (SELECT count(*) FROM bench_places))::int
                         AS pi, {pick} AS cat
                  FROM tickets WHERE received_at >= '{since.isoformat()}') AS s
            JOIN bench_places AS p ON p.i = s.pi
            WHERE t.id = s.id""",
        f"""CREATE TABLE bench_outbreaks AS
            SELECT row_number() OVER () - 1 AS k, code, {pick} AS cat
            FROM (SELECT code FROM bench_places ORDER BY random() LIMIT {OUTBREAKS}) AS x""",
        f"""UPDATE tickets AS t SET location_unit_code = o.code, category = o.cat
            FROM bench_outbreaks AS o
            WHERE t.received_at >= '{week.isoformat()}' AND t.received_at < '{until.isoformat()}'
              AND t.id % 20000 = o.k""",
        "CREATE TABLE bench_governance_ready (done_at timestamptz)",
        "INSERT INTO bench_governance_ready VALUES (now())",
    ]


def main() -> None:
    args = lists.arguments(__doc__)
    engine, city, now, n_tickets, _ = lists.open_database(args)
    ctx = Context(engine=engine, city=city, clock=lambda: now + timedelta(hours=1))
    monday = last_full_week(ctx.now().astimezone(city.tz).date())
    first = monday - timedelta(days=7 * city.warning_policy.baseline_weeks)
    start, end = week_start(city, first), week_start(city, monday + timedelta(days=7))
    prepared_s = lists.add_once(
        engine, "bench_governance_ready",
        _prepare(city, start - timedelta(days=7), week_start(city, monday), end), "tickets, units",
    )  # fmt: skip

    def examine():
        with Session(engine) as s:
            return gw.find(ctx, s, monday)

    def read_only():
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM tickets WHERE received_at >= :a AND received_at < :b"),
                {"a": start, "b": end},
            ).scalar()

    examine(), read_only()  # untimed: the pages come into the cache
    found_s, (found, baseline) = median_timed(examine, args.runs)
    read_s, read_n = median_timed(read_only, args.runs)
    kinds = {k: sum(1 for h in found if h.verdict.kind == k) for k in ("surge", "persistent")}

    before = week_label(monday - timedelta(days=7))
    gw.issue(ctx, before)
    hotline = Actor(None, "bench", Role.SUPERVISOR, city.city.hotline_unit)
    with engine.connect() as conn:
        street = conn.execute(
            text("SELECT unit_code FROM hotspot_warnings WHERE week = :w "
                 "GROUP BY unit_code ORDER BY count(*) DESC, unit_code LIMIT 1"), {"w": before}
        ).scalar()  # fmt: skip
    pages = []
    for who, actor in (("hotline", hotline), (f"street `{street}`", Actor(
            None, "bench", Role.UNIT_HANDLER, street or city.city.hotline_unit))):  # fmt: skip
        gw.week_warnings(ctx, actor, before)
        secs, rows = median_timed(lambda a=actor: gw.week_warnings(ctx, a, before), args.runs)
        pages.append(f"| the page of {before}, as the {who} sees it ({len(rows)} warnings, "
                     f"with the next week's counts) | {secs * 1000:,.0f} ms | | |")  # fmt: skip

    period = month(last_full_month(ctx), city.tz)
    before = period.previous(city.tz)

    def both_months():
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM tickets WHERE received_at >= :a AND received_at < :b"),
                {"a": before.start, "b": period.end},
            ).scalar()

    district = city.district_of(street).code if street else city.city.hotline_unit
    both_months()
    months_s, months_n = median_timed(both_months, args.runs)
    for who, actor in (("hotline", hotline),
                       (f"district `{district}`", Actor(None, "bench", Role.UNIT_HANDLER, district))):  # fmt: skip
        ga.analyse(ctx, actor, period)
        secs, a = median_timed(lambda a=actor: ga.analyse(ctx, a, period), args.runs)
        frequent = "" if a.frequent is None else f", {len(a.frequent)} frequent requesters"
        pages.append(f"| the analysis of {period.label} against {before.label}, as the {who} "
                     f"sees it ({len(a.matters)} matters, {len(a.areas)} areas{frequent}) "
                     f"| {secs * 1000:,.0f} ms | {months_s * 1000:,.0f} ms ({months_n:,} "
                     f"tickets) | {secs / months_s:.1f}× |")  # fmt: skip

    lines = [
        HEADING,
        "",
        f"`python bench/governance.py --runs {args.runs}` on PostgreSQL, {n_tickets:,} "
        f"tickets ({machine()}); the additions took {prepared_s:.0f} s"
        + (" this run." if prepared_s else " on an earlier run."),
        "",
        "| what | time | baseline: reading the same tickets' rows | ratio |",
        "|---|---|---|---|",
        f"| examining {week_label(monday)} against its {baseline} weeks before "
        f"({read_n:,} tickets; {kinds['surge']} surges, {kinds['persistent']} persistent) "
        f"| {found_s * 1000:,.0f} ms | {read_s * 1000:,.0f} ms | {found_s / read_s:.1f}× |",
        *pages,
        "",
        f"The {OUTBREAKS} planted outbreaks are about ten tickets each where a community sees "
        "about one ticket of a category in a week; the others are what chance makes of "
        "2.1 million tickets spread over the communities and categories.",
        "",
        NOTES,
    ]
    publish(lines, args.markdown)


if __name__ == "__main__":
    main()
