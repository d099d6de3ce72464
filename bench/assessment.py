"""Assessment at Beijing scale (A2–A4, issue 6): a month's assessment of every unit over a
year of history, on PostgreSQL, from the incrementally kept facts against a plain
aggregate over the same tickets and return visits.

    python bench/assessment.py [--database-url postgresql://postgres@127.0.0.1:5432/jiesu_bench]
                               [--tickets 11000000] [--rebuild] [--markdown docs/benchmarks.md]

The first run builds the database (kept for the next runs; ``--rebuild`` builds it again):
Beijing's unit tree as ``jiesu city init 北京市`` makes it (7,762 units), then a year of
tickets written in bulk with SQL (not through the state machine: 11 million tickets
through the application would take days here). Each ticket is led by a unit drawn with
Beijing-like weights (streets most), dispatched at a time that grows with its id, given a
contact deadline a day later and contacted within 0–30 hours; 5 % went to a second
round (the first round's visit is kept); 3 % have an earlier final visit in the round that
a later one replaces; 4 % of requesters were unreachable. Then the facts and their daily
sums are computed by ``jiesu.storage.facts.rebuild`` (the full recomputation), and the
tables are vacuumed and analysed. The plain aggregate gets an index on ``tickets.dispatched_at`` so that it is
not a straw man (the shipped schema does not need one).

Measured, for the last full month of the history:

- ``unit_counts`` (whole UTC days from the daily sums, the edges from the facts) against
  ``plain_unit_counts`` (tickets ⋈ final visits); their results must be equal;
- the whole month's assessment, ``assess`` (counts of the month, the month before and the
  base of the base-figure ratio — here the dearest, the trailing twelve months — every
  unit's rates and score, four groups ranked), both ways;
- what keeping the facts costs a ticket change: ``refresh`` of one ticket's row.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from common import machine, timed, write_section  # noqa: E402  (bench/ is on sys.path)
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from jiesu.assessment import counts, rankings  # noqa: E402
from jiesu.assessment.rankings import assess, month  # noqa: E402
from jiesu.city.builder import build_city  # noqa: E402
from jiesu.city.config import CityConfig, ObservationPolicy, UnitKind  # noqa: E402
from jiesu.city.sync import sync_units  # noqa: E402
from jiesu.context import Context  # noqa: E402
from jiesu.storage import tables  # noqa: E402
from jiesu.storage.db import make_engine  # noqa: E402
from jiesu.storage.facts import rebuild, refresh  # noqa: E402
from jiesu.storage.migrate import upgrade  # noqa: E402

HEADING = "## Assessment at Beijing scale"
#: What the figures above replaced, measured on the same database (2026-11-21).
NOTES = """\
How it got here, same database and month: summing the facts alone took 0.60 s a month
(0.45 s with a covering index, an index-only scan), and the whole assessment of the month
and the month before about 2.1 s; the daily sums brought a month to 0.19 s. Building the database
took 616 s for the tickets, 183 s for the visits and 660 s for the first full recomputation
of the facts (each requester's final visit found by probing for a later one). Finding it
with a window instead took 1,134 s with PostgreSQL's default `work_mem` (the sort spilled
to disk) and 238 s with `SET LOCAL work_mem = '512MB'`, which `rebuild` now sets. The
machine was shared with other work throughout (load average 3-6)."""
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/jiesu_bench"
FIRST = datetime(2025, 11, 1, tzinfo=UTC) - timedelta(hours=8)  # 2025-11-01 in Beijing
DAYS = 365
CHUNK = 500_000
#: Share of orders led by each kind of unit (streets carry most of Beijing's orders).
LEAD_WEIGHTS = {
    UnitKind.STREET: 0.45,
    UnitKind.COMMUNITY: 0.20,
    UnitKind.DISTRICT_DEPARTMENT: 0.17,
    UnitKind.CITY_DEPARTMENT: 0.10,
    UnitKind.UTILITY: 0.06,
    UnitKind.DISTRICT: 0.02,
}

_TICKETS = """
INSERT INTO tickets (number, version, received_at, channel, request_type, category, urgency,
    title, content, requester_name, requester_phone, tags, identity_released_units, address,
    attachments, confidential, status, round, received_by_unit_code, lead_unit_code,
    dispatched_at, contact_due, completion_due, warn_share, contacted_at, extension_count,
    urge_count, whistle_round, whistle_open, escalation_authorities, replied_at, closed_at)
SELECT 'BJ' || lpad(s.g::text, 10, '0'), 1, s.d - interval '20 minutes', 'phone',
    'complaint', '城乡建设/物业管理', 'normal', '', '', '', '', '[]'::json, '[]'::json, '',
    '[]'::json, false, 'closed', CASE WHEN random() < 0.05 THEN 2 ELSE 1 END, 'hotline',
    l.code, s.d, s.d + interval '1 day', s.d + interval '15 days', 0.8,
    s.d + random() * interval '30 hours', 0, 0, 0, false, '[]'::json,
    s.d + interval '5 days', s.d + interval '7 days'
FROM (
    SELECT g, CAST(:first AS timestamptz) + (g - 1) * CAST(:step AS interval)
              + random() * interval '10 minutes' AS d,
           1 + floor(random() * :pool)::int AS li
    FROM generate_series(CAST(:lo AS int), CAST(:hi AS int)) AS g
) AS s JOIN bench_leads AS l ON l.i = s.li
"""

# Earlier final visits that a later one replaces (made due when the deadline expired,
# answered, then asked again after the reply), then every round's final visit.
_VISITS = """
INSERT INTO return_visits (ticket_id, round, due_at, created_at, status, attempts, channel,
    contacted, solved, satisfaction, answered_at)
SELECT v.id, v.round, v.replied_at, v.replied_at,
    CASE WHEN v.x < 0.04 THEN 'unreachable' ELSE 'answered' END,
    CASE WHEN v.x < 0.04 THEN 3 ELSE 1 END,
    CASE WHEN v.x < 0.04 THEN NULL WHEN v.y < 0.35 THEN 'sms' ELSE 'phone' END,
    CASE WHEN v.x < 0.04 THEN NULL ELSE v.y < 0.97 END,
    CASE WHEN v.x < 0.04 THEN NULL ELSE v.y < 0.68 END,
    CASE WHEN v.x < 0.04 THEN NULL
         WHEN v.y < 0.68 THEN (CASE WHEN v.x < 0.85 THEN 'satisfied'
                                    ELSE 'basically_satisfied' END)
         WHEN v.x < 0.45 THEN 'basically_satisfied' ELSE 'unsatisfied' END,
    CASE WHEN v.x < 0.04 THEN NULL ELSE v.replied_at + interval '1 day' END
FROM (
    SELECT t.id, r.round, t.replied_at, random() AS x, random() AS y
    FROM tickets AS t CROSS JOIN LATERAL (
        SELECT generate_series(1, t.round) AS round
    ) AS r
    WHERE t.id BETWEEN :lo AND :hi AND (:earlier = 0 OR (t.id % 33 = 0 AND r.round = t.round))
) AS v
"""


def _lead_pool(city: CityConfig, size: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    by_kind = {k: [u.code for u in city.units if u.kind is k] for k in LEAD_WEIGHTS}
    kinds = rng.choices(list(LEAD_WEIGHTS), weights=list(LEAD_WEIGHTS.values()), k=size)
    return [rng.choice(by_kind[k]) for k in kinds]


def _ensure_database(url: str, rebuild_data: bool) -> bool:
    """Create the benchmark database if needed; True when it must be filled."""
    u = make_url(url)
    admin = create_engine(u.set(drivername="postgresql+psycopg", database="postgres"),
                          isolation_level="AUTOCOMMIT")  # fmt: skip
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database}
        ).first()
        if exists and rebuild_data:
            conn.execute(text(f'DROP DATABASE "{u.database}"'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()
    return exists is None


def build(engine, city: CityConfig, n_tickets: int, seed: int) -> dict[str, float]:
    built: dict[str, float] = {}
    upgrade(engine)
    sync_units(engine, city)
    pool = _lead_pool(city, 100_000, seed)
    step = timedelta(days=DAYS) / n_tickets
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("SELECT setseed(:s)"), {"s": (seed % 1000) / 1000})
        conn.execute(text("CREATE TABLE bench_leads (i int PRIMARY KEY, code varchar(64))"))
        conn.execute(
            text("INSERT INTO bench_leads VALUES (:i, :code)"),
            [{"i": i, "code": code} for i, code in enumerate(pool, start=1)],
        )
    for lo in range(1, n_tickets + 1, CHUNK):
        hi = min(lo + CHUNK - 1, n_tickets)
        with engine.begin() as conn:
            conn.execute(text(_TICKETS), {"first": FIRST, "step": step, "pool": len(pool),
                                          "lo": lo, "hi": hi})  # fmt: skip
        print(f"  tickets {hi:,} ({time.perf_counter() - t0:.0f} s)", flush=True)
    built["tickets_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for earlier in (1, 0):
        for lo in range(1, n_tickets + 1, CHUNK):
            with engine.begin() as conn:
                conn.execute(text(_VISITS), {"lo": lo, "hi": lo + CHUNK - 1, "earlier": earlier})
        print(f"  visits ({'earlier' if earlier else 'final'}) "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)  # fmt: skip
    built["visits_s"] = time.perf_counter() - t0
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_leads"))
        conn.execute(text(
            "CREATE INDEX IF NOT EXISTS bench_tickets_dispatched_at ON tickets (dispatched_at)"
        ))  # fmt: skip
    t0 = time.perf_counter()
    with engine.begin() as conn:
        built["facts"] = rebuild(conn)
    built["rebuild_s"] = time.perf_counter() - t0
    print(f"  facts rebuilt: {built['facts']:,} in {built['rebuild_s']:.0f} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(
            text("VACUUM ANALYZE tickets, return_visits, assessment_facts, assessment_daily")
        )
    return built


def _sizes(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(getattr(tables, name))).scalar()
            for name in (
                "tickets",
                "return_visits",
                "assessment_facts",
                "assessment_daily",
                "units",
            )
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", default=DEFAULT_URL)
    ap.add_argument("--tickets", type=int, default=11_000_000)
    ap.add_argument("--rebuild", action="store_true", help="build the database again")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--markdown", help="write the section into this file (docs/benchmarks.md)")
    args = ap.parse_args()

    city = CityConfig.model_validate(build_city("北京市", estimate_population=True, seed=1))
    # The dearest base of the base-figure ratio: the twelve months before the month (the
    # default, the same month a year before, would find the history not yet begun).
    city = city.model_copy(
        update={"observation_policy": ObservationPolicy(base_period="trailing_year")}
    )
    fill = _ensure_database(args.database_url, args.rebuild)
    engine = make_engine(args.database_url)
    built = build(engine, city, args.tickets, args.seed) if fill else {}
    ctx = Context(engine=engine, city=city)
    sizes = _sizes(engine)
    period = month("2026-10", city.tz)
    print(f"rows: {sizes}; month {period.label}", flush=True)

    facts_s, summed = timed(lambda: counts.unit_counts(ctx, period.start, period.end),
                             args.runs)  # fmt: skip
    plain_s, plain = timed(lambda: counts.plain_unit_counts(ctx, period.start, period.end), 3)
    assert summed == plain, "the facts disagree with the plain aggregate"
    orders = sum(c.orders for c in summed.values())
    assess_s, result = timed(lambda: assess(ctx, period, "standard"), args.runs)
    ranked = sum(len(g["units"]) for g in result.values())
    original = rankings.unit_counts
    rankings.unit_counts = counts.plain_unit_counts  # the same assessment, without facts
    try:
        assess_plain_s, _ = timed(lambda: assess(ctx, period, "standard"), 2)
    finally:
        rankings.unit_counts = original
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text(
            "SELECT ticket_id FROM assessment_facts TABLESAMPLE SYSTEM (0.01) LIMIT 200"
        ))]  # fmt: skip

    def one_change():
        with engine.begin() as conn:
            for i in ids:
                refresh(conn, [i])

    refresh_s, _ = timed(one_change, 1)
    med = statistics.median
    lines = [
        f"daily sums unit_counts: median {med(facts_s):.3f} s, first {facts_s[0]:.3f} s "
        f"({len(summed):,} units, {orders:,} orders in {period.label})",
        f"plain      unit_counts: median {med(plain_s):.3f} s  → ratio {med(plain_s) / med(facts_s):.1f}×",
        f"assessment (facts):     median {med(assess_s):.3f} s ({ranked} ranked rows in 4 groups;"
        " the month, the month before and the trailing year as base)",
        f"assessment (plain):     median {med(assess_plain_s):.3f} s → ratio "
        f"{med(assess_plain_s) / med(assess_s):.1f}×",
        f"one ticket's facts and daily sums refreshed: "
        f"{refresh_s[0] / max(len(ids), 1) * 1000:.2f} ms "
        f"(mean of {len(ids)})",
    ]  # fmt: skip
    print("\n".join(lines))
    if args.markdown:
        section = _section(sizes, built, period.label, lines)
        write_section(Path(args.markdown), section)


def _section(sizes, built, label, lines) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    build_note = (
        f"Built in this run: tickets {built['tickets_s']:.0f} s, visits {built['visits_s']:.0f} s, "
        f"full recomputation of the facts {built['rebuild_s']:.0f} s."
        if built else "Database built by an earlier run of the same script."
    )  # fmt: skip
    return "\n".join([
        HEADING, "",
        f"`python bench/assessment.py --markdown docs/benchmarks.md` ({when}; PostgreSQL 15 on "
        f"this machine: {machine()}).", "",
        f"Rows: {sizes['tickets']:,} tickets over a year, {sizes['return_visits']:,} return "
        f"visits, {sizes['assessment_facts']:,} facts, {sizes['assessment_daily']:,} daily "
        f"sums, {sizes['units']:,} units (Beijing). "
        f"{build_note} Month assessed: {label}.", "",
        "```", *lines, "```", "",
        *NOTES.splitlines(), "",
    ])  # fmt: skip


if __name__ == "__main__":
    main()
