"""Daily sums of the assessment facts (A2): per lead unit and UTC day of dispatch.

A month's assessment over Beijing's year of history sums about 900,000 facts; these rows
hold the same figures about six times fewer. Days are UTC days so that nothing here needs
the city's time zone: a period, whatever its zone, reads its whole UTC days from this
table and its two edges (the hours before its first UTC midnight and after its last) from
the facts themselves (:func:`jiesu.assessment.counts.unit_counts`).

:func:`apply` adds what changed — the new facts of some tickets less their old ones —
in the same transaction as the facts, in key order (so two transactions never wait for
each other in a circle); :func:`rebuild` sums every fact again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Connection, cast, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import Date

from .tables import assessment_daily as d
from .tables import assessment_facts as f

SUMS = ("orders", "responded", "answered", "solved", "satisfied", "basically", "unreachable")
FACT_COUNTS = SUMS[1:]


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _delta(old: Sequence, new: Sequence) -> dict[tuple[str, date], list[int]]:
    """Rows of (unit_code, dispatched_at, *counts) before and after: the change per key."""
    change: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0] * len(SUMS))
    for rows, sign in ((old, -1), (new, 1)):
        for unit, at, *counts in rows:
            sums = change[(unit, utc_day(at))]
            sums[0] += sign
            for i, n in enumerate(counts, start=1):
                sums[i] += sign * int(n)
    return {key: sums for key, sums in change.items() if any(sums)}


def apply(conn: Connection, old: Sequence, new: Sequence) -> None:
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[conn.dialect.name]
    for (unit, day), sums in sorted(_delta(old, new).items()):
        stmt = dialect.insert(d).values(
            unit_code=unit, day=day, **dict(zip(SUMS, sums, strict=True))
        )
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[d.c.unit_code, d.c.day],
                set_={name: d.c[name] + stmt.excluded[name] for name in SUMS},
            )
        )


def day_of(column, dialect_name: str):
    """The UTC day of a stored UTC timestamp, in SQL."""
    if dialect_name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)  # SQLite keeps naive UTC text


def rebuild(conn: Connection) -> None:
    day = day_of(f.c.dispatched_at, conn.dialect.name)
    conn.execute(delete(d))
    conn.execute(
        insert(d).from_select(
            ["unit_code", "day", *SUMS],
            select(
                f.c.unit_code, day, func.count(), *(func.sum(f.c[n]) for n in FACT_COUNTS)
            ).group_by(f.c.unit_code, day),
        )
    )


def summed(rows: Iterable) -> dict[tuple[str, date], tuple[int, ...]]:
    """Facts rows (ticket_id, unit_code, dispatched_at, *counts) summed as this table does
    (for checks)."""
    out = _delta((), [(unit, at, *counts) for _, unit, at, *counts in rows])
    return {key: tuple(v) for key, v in out.items()}
