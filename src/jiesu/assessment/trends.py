"""Trends (A2, A3): a unit's — or a whole group's — score and three rates month by month.

Each month is counted by :func:`jiesu.assessment.counts.unit_counts` and gathered into the
group by :func:`jiesu.assessment.rankings.group_counts`, exactly as the monthly ranking
does, and judged by the same rule set with the month's proactive governance points; a
unit's rank is its rank in its group that month. A whole group is its units' counts added
together (the group's overall rates, without points).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jiesu.context import Context
from jiesu.domain.assessment import GovernanceCounts, Rates, UnitCounts, rank, rates
from jiesu.domain.errors import InvalidInput
from jiesu.storage.types import EARLIEST_YEAR

from .counts import unit_counts
from .governance import governance_counts
from .rankings import Period, checked, group_counts, month

MONTHS = 12


@dataclass(frozen=True)
class MonthPoint:
    label: str  # YYYY-MM
    counts: UnitCounts
    rates: Rates
    rank: int | None  # the unit's rank that month; None for a whole group or when unranked
    ranked: int  # how many units of the group were ranked that month


def last_full_month(ctx: Context, now: datetime | None = None) -> str:
    """The month before the current one, in the city's time zone."""
    local = (now or ctx.now()).astimezone(ctx.city.tz).date()
    year, mon = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return f"{year:04d}-{mon:02d}"


def month_label(label: str, code: str) -> str:
    """``label`` if it is a month written YYYY-MM in ASCII digits from
    :data:`~jiesu.storage.types.EARLIEST_YEAR`, else ``code`` (input refused)."""
    parts = (label or "").split("-")
    ok = label.isascii() and len(label) == 7 and len(parts) == 2 and all(map(str.isdigit, parts))
    if not ok or not 1 <= int(parts[1]) <= 12 or int(parts[0]) < EARLIEST_YEAR:
        raise InvalidInput(code, f"“{(label or '')[:20]}”不是月份，应写作 2026-10",
                           f"{(label or '')[:20]!r} is not a month such as 2026-10")  # fmt: skip
    return label


def shift_month(label: str, delta: int) -> str:
    """The month ``delta`` months after ``label`` (before it when negative), as YYYY-MM."""
    year, mon = (int(x) for x in label.split("-"))
    index = year * 12 + (mon - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(a: str, b: str) -> int:
    """How many months ``b`` (YYYY-MM) comes after ``a``."""
    (ya, ma), (yb, mb) = ((int(x) for x in s.split("-")) for s in (a, b))
    return (yb * 12 + mb) - (ya * 12 + ma)


def months_back(label: str, n: int) -> list[str]:
    """The ``n`` months up to and including ``label``, oldest first."""
    year, mon = (int(x) for x in label.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{mon:02d}")
        year, mon = (year, mon - 1) if mon > 1 else (year - 1, 12)
    return list(reversed(out))


def series(
    ctx: Context,
    group: str,
    unit_code: str | None,
    rules_name: str,
    last: str,
    n: int = MONTHS,
) -> list[MonthPoint]:
    """Month by month up to ``last`` (``YYYY-MM``): the unit's figures, or with
    ``unit_code=None`` the whole group's."""
    rules = checked(ctx.city, (group,), rules_name)
    month(last, ctx.city.tz)  # assessment.bad_period for a malformed month
    points = []
    for label in months_back(last, n):
        period: Period = month(label, ctx.city.tz)
        grouped = group_counts(ctx.city, unit_counts(ctx, period.start, period.end), group)
        done = governance_counts(ctx, period.start, period.end)
        ranked = rank(
            grouped, rules, governance=group_counts(ctx.city, done, group, GovernanceCounts)
        )
        placed = sum(1 for r in ranked if r.rank is not None)
        if unit_code is None:
            total = sum(grouped.values(), UnitCounts())
            points.append(MonthPoint(label, total, rates(total, rules), None, placed))
            continue
        row = next((r for r in ranked if r.unit_code == unit_code), None)
        if row is None:
            points.append(MonthPoint(label, UnitCounts(), rates(UnitCounts(), rules), None, placed))
        else:
            points.append(MonthPoint(label, row.counts, row.rates, row.rank, placed))
    return points
