"""The public monthly bulletin (G6): the month's headline figures, open to everyone.

Requests received (by type and by the five commonest categories), the city-wide response,
resolution and satisfaction rates and score under the standard rules, and the districts'
ranking. Only aggregates: no ticket, no requester, no unit below the districts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from jiesu.context import Context
from jiesu.domain.assessment import UnitCounts, rates
from jiesu.domain.ticket import REQUEST_TYPE_LABELS_ZH
from jiesu.storage.tables import tickets as t

from .counts import unit_counts
from .rankings import Period, rankings, rule_sets


def bulletin(ctx: Context, period: Period) -> dict[str, Any]:
    received = (t.c.received_at >= period.start) & (t.c.received_at < period.end)
    with ctx.engine.connect() as conn:
        total = conn.execute(select(func.count()).where(received)).scalar_one()
        by_type = conn.execute(
            select(t.c.request_type, func.count()).where(received).group_by(t.c.request_type)
        ).all()
        top = conn.execute(
            select(t.c.category, func.count())
            .where(received)
            .group_by(t.c.category)
            .order_by(func.count().desc(), t.c.category)
            .limit(5)
        ).all()
    names = {c.code: c.name for c in ctx.city.categories}
    city = sum(unit_counts(ctx, period.start, period.end).values(), UnitCounts())
    standard = rule_sets(ctx.city)["standard"]
    r = rates(city, standard)
    districts = rankings(ctx, period, "district", "standard")["units"]
    return {
        "city": ctx.city.city.name,
        "month": period.label,
        "requests": total,
        "by_type": [
            {"type": k, "label_zh": REQUEST_TYPE_LABELS_ZH.get(k, k), "count": n}
            for k, n in sorted(by_type, key=lambda kv: -kv[1])
        ],
        "top_categories": [{"category": c, "name": names.get(c, c), "count": n} for c, n in top],
        "orders": city.orders,
        "response_rate": r.response,
        "resolution_rate": r.resolution,
        "satisfaction_rate": r.satisfaction,
        "score": r.score,
        "districts": [
            {
                "name": d["unit_name"],
                "score": d["score"],
                "rank": d["rank"],
                "orders": d["counts"]["orders"],
            }  # fmt: skip
            for d in districts
        ],
    }
