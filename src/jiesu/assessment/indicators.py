"""Indicators beside the score: the double assessment of whistles (A5) and the "七有五性"
dimensions (A7), for a period.

**Whistles (吹哨报到, A5, BJ Art. 16, 33).** Streets are judged on the whistles they raise
and close; departments on how they answer: summoned, reported in on time, late, or not at
all (by the whistle's close). Both sides' rates come from the same calls.

**七有五性 (A7, BJ Art. 2).** For each livelihood dimension a ticket was tagged with: the
tickets, and the resolution and satisfaction of their answered return visits (the own
requester's last answer of the current round), so the city sees where people's needs go
unmet.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select

from jiesu.context import Context
from jiesu.domain.ticket import LIVELIHOOD_TAG_LABELS_ZH
from jiesu.storage.tables import return_visits as rv
from jiesu.storage.tables import tickets as t
from jiesu.storage.tables import whistle_calls as wc

from .counts import latest_final


def _name(ctx: Context, code: str) -> str:
    unit = ctx.city.unit(code)
    return unit.name if unit else code


def whistles(ctx: Context, start: datetime, end: datetime) -> dict[str, Any]:
    streets: dict[str, dict[str, Any]] = defaultdict(lambda: {"whistles": set(), "closed": set()})
    departments: dict[str, dict[str, int]] = defaultdict(
        lambda: {"summoned": 0, "on_time": 0, "late": 0, "absent": 0, "waiting": 0}
    )
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(
                wc.c.unit_code,
                wc.c.whistle_round,
                wc.c.report_due,
                wc.c.reported_at,
                t.c.id,
                t.c.lead_unit_code,
                t.c.whistle_round.label("current_round"),
                t.c.whistle_open,
            )
            .join(t, t.c.id == wc.c.ticket_id)
            .where(wc.c.summoned_at >= start, wc.c.summoned_at < end)
        ).all()
    for r in rows:
        whistle = (r.id, r.whistle_round)
        street = streets[r.lead_unit_code]
        street["whistles"].add(whistle)
        closed = r.whistle_round < r.current_round or not r.whistle_open
        if closed:
            street["closed"].add(whistle)
        d = departments[r.unit_code]
        d["summoned"] += 1
        if r.reported_at is None:
            d["absent" if closed else "waiting"] += 1
        elif r.reported_at <= r.report_due:
            d["on_time"] += 1
        else:
            d["late"] += 1
    return {
        "streets": sorted(
            (
                {
                    "unit_code": code,
                    "unit_name": _name(ctx, code),
                    "whistles": len(s["whistles"]),
                    "closed": len(s["closed"]),
                }
                for code, s in streets.items()
            ),
            key=lambda x: (-x["whistles"], x["unit_code"]),
        ),
        "departments": sorted(
            (
                {
                    "unit_code": code,
                    "unit_name": _name(ctx, code),
                    **d,
                    "on_time_rate": round(d["on_time"] / d["summoned"], 4),
                }
                for code, d in departments.items()
            ),
            key=lambda x: (x["on_time_rate"], x["unit_code"]),
        ),
    }


def livelihood(
    ctx: Context, start: datetime, end: datetime, credit: float = 0.8
) -> list[dict[str, Any]]:
    per: dict[str, dict[str, float]] = {
        tag: {"tickets": 0, "answered": 0, "solved": 0, "satisfied": 0, "basically": 0}
        for tag in LIVELIHOOD_TAG_LABELS_ZH
    }
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(t.c.tags, rv.c.status, rv.c.solved, rv.c.satisfaction)
            .select_from(t)
            .outerjoin(
                rv,
                and_(
                    rv.c.ticket_id == t.c.id,
                    rv.c.round == t.c.round,
                    rv.c.requester_ticket_id.is_(None),
                    latest_final(),
                ),
            )
            .where(t.c.received_at >= start, t.c.received_at < end)
        )
        for tags, status, solved, satisfaction in rows:
            for tag in tags or ():
                if tag not in per:
                    continue
                p = per[tag]
                p["tickets"] += 1
                if status == "answered":
                    p["answered"] += 1
                    p["solved"] += bool(solved)
                    p["satisfied"] += satisfaction == "satisfied"
                    p["basically"] += satisfaction == "basically_satisfied"
    out = []
    for tag, p in per.items():
        answered = p["answered"]
        out.append(
            {
                "tag": tag,
                "label_zh": LIVELIHOOD_TAG_LABELS_ZH[tag],
                "tickets": int(p["tickets"]),
                "answered": int(answered),
                "resolution_rate": round(p["solved"] / answered, 4) if answered else None,
                "satisfaction_rate": round((p["satisfied"] + credit * p["basically"]) / answered, 4)
                if answered
                else None,
            }
        )
    return out
