"""Graded and classified ranking (分级分类排名, A3, A4): districts, streets/townships, city
departments and utilities, each ranked in its own group, for a month or any period, with
the change of rank against the period before and the lowest marked for a talk.

A district answers for everything in its territory (its government, its departments, its
streets and communities); a street for itself and its communities; city departments and
utilities for their own orders. Requests per 10,000 residents are shown where the unit's
population is known (an observation indicator, not part of the score).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from jiesu.city.config import CityConfig
from jiesu.city.units import UnitKind
from jiesu.context import Context
from jiesu.domain.assessment import Ranked, RuleSet, UnitCounts, Unreachable, rank
from jiesu.domain.errors import InvalidInput

from .counts import unit_counts

GROUPS = {
    "district": UnitKind.DISTRICT,
    "street": UnitKind.STREET,
    "city_department": UnitKind.CITY_DEPARTMENT,
    "utility": UnitKind.UTILITY,
}
GROUP_LABELS_ZH = {
    "district": "区",
    "street": "街道乡镇",
    "city_department": "市级部门",
    "utility": "公共服务企业",
}


def rule_sets(city: CityConfig) -> dict[str, RuleSet]:
    """The standard rule set (``assessment_weights``) and every one in ``assessment_rules``."""
    w = city.assessment_weights
    found = {"standard": RuleSet("standard", w.response, w.resolution, w.satisfaction)}
    for spec in city.assessment_rules:
        found[spec.name] = RuleSet(
            spec.name,
            spec.weights.response,
            spec.weights.resolution,
            spec.weights.satisfaction,
            spec.basically_satisfied_credit,
            Unreachable(spec.unreachable),
            spec.min_volume,
            spec.talk_bottom,
        )
    return found


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    label: str

    def previous(self, tz) -> Period:
        if self.label.count("-") == 1:  # a month: the month before
            first = self.start.astimezone(tz).date().replace(day=1)
            before = (first - timedelta(days=1)).replace(day=1)
            return month(before.strftime("%Y-%m"), tz)
        length = self.end - self.start
        return Period(self.start - length, self.start, "previous")


def month(label: str, tz) -> Period:
    """``YYYY-MM`` in the city's time zone: from the first's midnight to the next first's."""
    try:
        year, mon = (int(x) for x in label.split("-"))
        first = date(year, mon, 1)
    except ValueError as exc:
        raise InvalidInput(
            "assessment.bad_period", "统计月份须为 YYYY-MM", "The month is YYYY-MM"
        ) from exc
    nxt = date(year + mon // 12, mon % 12 + 1, 1)
    return Period(datetime.combine(first, time(), tz), datetime.combine(nxt, time(), tz), label)


def _owner(city: CityConfig, code: str, kind: UnitKind) -> str | None:
    """The unit of ``kind`` that answers for ``code``'s orders (itself or above it)."""
    unit = city.unit(code)
    while unit is not None:
        if unit.kind is kind:
            return unit.code
        unit = city.unit(unit.parent) if unit.parent else None
    return None


def group_counts(
    city: CityConfig, counts: dict[str, UnitCounts], group: str
) -> dict[str, UnitCounts]:
    kind = GROUPS[group]
    out: dict[str, UnitCounts] = defaultdict(UnitCounts)
    for unit in city.units:  # every unit of the group appears, with zero if it had nothing
        if unit.kind is kind:
            out[unit.code] = UnitCounts()
    for code, c in counts.items():
        owner = _owner(city, code, kind)
        if owner is not None:
            out[owner] = out[owner] + c
    return dict(out)


def rankings(ctx: Context, period: Period, group: str, rules_name: str) -> dict[str, Any]:
    if group not in GROUPS:
        raise InvalidInput(
            "assessment.bad_group",
            "排名分组须为区、街道乡镇、市级部门或公共服务企业",
            f"Unknown group {group!r}: district, street, city_department or utility",
        )
    sets = rule_sets(ctx.city)
    if rules_name not in sets:
        raise InvalidInput(
            "assessment.unknown_rules",
            f"没有名为“{rules_name}”的考评规则",
            f"No rule set named {rules_name!r}",
        )
    rules = sets[rules_name]
    now = group_counts(ctx.city, unit_counts(ctx, period.start, period.end), group)
    before_period = period.previous(ctx.city.tz)
    before = group_counts(ctx.city, unit_counts(ctx, before_period.start, before_period.end), group)
    rows = rank(now, rules, previous=before)
    return {
        "period": {"start": period.start, "end": period.end, "label": period.label},
        "previous": {"start": before_period.start, "end": before_period.end},
        "group": group,
        "group_zh": GROUP_LABELS_ZH[group],
        "rules": vars(rules) | {"unreachable": str(rules.unreachable)},
        "units": [_row(ctx.city, r) for r in rows],
    }


def _row(city: CityConfig, r: Ranked) -> dict[str, Any]:
    unit = city.unit(r.unit_code)
    population = unit.population if unit else None
    return {
        "unit_code": r.unit_code,
        "unit_name": unit.name if unit else r.unit_code,
        "counts": vars(r.counts),
        "response_rate": r.rates.response,
        "resolution_rate": r.rates.resolution,
        "satisfaction_rate": r.rates.satisfaction,
        "score": r.rates.score,
        "rank": r.rank,
        "previous_rank": r.previous_rank,
        "change": r.change,
        "talk": r.talk,
        "notes": r.notes,
        "per_10k_residents": round(r.counts.orders * 10000 / population, 3) if population else None,
    }
