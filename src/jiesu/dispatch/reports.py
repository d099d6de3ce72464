"""Dispatch quality figures: objection rates per unit and per catalogue entry, and how often
the suggestions were taken (D5, D7).

*Orders* of a unit in a period are the tickets it finally led that were
dispatched in the period, plus the orders it lost by an upheld objection
raised in the period (each was an order before it was taken back). The
objection rate is objections ÷ orders; the upheld share is upheld ÷ decided.
A high upheld share for a catalogue entry means the catalogue is wrong there;
a high rejected share for a unit means it objects to what is its own.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from jiesu.context import Context
from jiesu.storage.tables import dispatch_decisions as dd
from jiesu.storage.tables import dispatch_objections as obj
from jiesu.storage.tables import tickets as t


def _blank() -> dict[str, int]:
    return {"orders": 0, "objections": 0, "upheld": 0, "rejected": 0, "pending": 0}


def objection_rates(ctx: Context, start: datetime, end: datetime) -> dict[str, Any]:
    by_unit: dict[str, dict[str, int]] = defaultdict(_blank)
    by_entry: dict[str, dict[str, int]] = defaultdict(_blank)
    with ctx.engine.connect() as conn:
        for unit, category, n in conn.execute(
            select(t.c.lead_unit_code, t.c.category, func.count())
            .where(
                t.c.lead_unit_code.is_not(None),
                t.c.dispatched_at >= start,
                t.c.dispatched_at < end,
            )
            .group_by(t.c.lead_unit_code, t.c.category)
        ):
            by_unit[unit]["orders"] += n
            by_entry[category]["orders"] += n
        for unit, category, decision, n in conn.execute(
            select(obj.c.unit_code, obj.c.category, obj.c.decision, func.count())
            .where(obj.c.raised_at >= start, obj.c.raised_at < end)
            .group_by(obj.c.unit_code, obj.c.category, obj.c.decision)
        ):
            key = decision or "pending"
            for row in (by_unit[unit], by_entry[category]):
                row["objections"] += n
                row[key] += n
                if decision == "upheld":
                    row["orders"] += n
    units = [
        {"unit_code": code, "unit_name": _name(ctx, code), **_rates(row)}
        for code, row in by_unit.items()
    ]
    entries = [{"category": cat, **_rates(row)} for cat, row in by_entry.items()]
    order = lambda r: (-r["objection_rate"], -r["objections"])  # noqa: E731
    return {
        "start": start,
        "end": end,
        "by_unit": sorted(units, key=order),
        "by_entry": sorted(entries, key=order),
    }


def _rates(row: dict[str, int]) -> dict[str, Any]:
    decided = row["upheld"] + row["rejected"]
    return {
        **row,
        "objection_rate": round(row["objections"] / row["orders"], 4) if row["orders"] else 0.0,
        "upheld_share": round(row["upheld"] / decided, 4) if decided else None,
    }


def _name(ctx: Context, code: str) -> str:
    unit = ctx.city.unit(code)
    return unit.name if unit else code


def suggestion_acceptance(ctx: Context, start: datetime, end: datetime) -> dict[str, Any]:
    """How often the first suggestion was taken, and the chosen unit's rank otherwise."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(dd.c.accepted, dd.c.rank, func.count())
            .where(dd.c.at >= start, dd.c.at < end)
            .group_by(dd.c.accepted, dd.c.rank)
        ).all()
    total = sum(n for *_, n in rows)
    accepted = sum(n for a, _, n in rows if a)
    in_top3 = sum(n for _, rank, n in rows if rank is not None and rank <= 3)
    return {
        "start": start,
        "end": end,
        "decisions": total,
        "accepted": accepted,
        "acceptance_rate": round(accepted / total, 4) if total else None,
        "top3_rate": round(in_top3 / total, 4) if total else None,
    }
