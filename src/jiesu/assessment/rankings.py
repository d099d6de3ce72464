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
from typing import Any, TypeVar

from jiesu.city.config import CityConfig, ObservationPolicy
from jiesu.city.units import UnitKind
from jiesu.context import Context
from jiesu.domain.assessment import (
    GovernanceCounts,
    Ranked,
    RuleSet,
    UnitCounts,
    Unreachable,
    rank,
)
from jiesu.domain.errors import InvalidInput

from .counts import unit_counts
from .governance import governance_counts

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
    points = city.governance_points.points()
    found = {
        "standard": RuleSet("standard", w.response, w.resolution, w.satisfaction, governance=points)
    }
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
            spec.governance_points.points() if spec.governance_points else points,
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

    def year_before(self, tz) -> Period:
        """The same period a year earlier, read in the city's time zone."""
        if self.label.count("-") == 1:
            year, mon = self.label.split("-")
            return month(f"{int(year) - 1}-{mon}", tz)
        start, end = (_a_year_before(d, tz) for d in (self.start, self.end))
        return Period(start, end, "year before")


def _a_year_before(moment: datetime, tz) -> datetime:
    local = moment.astimezone(tz)
    day = min(local.day, 28) if (local.month, local.day) == (2, 29) else local.day
    return local.replace(year=local.year - 1, day=day)


def base_period(period: Period, policy: ObservationPolicy, tz) -> tuple[Period, float]:
    """The base of the base-figure ratio (A4) and the factor that scales its orders to
    the period's length."""
    if policy.base_period == "previous_period":
        return period.previous(tz), 1.0
    if policy.base_period == "trailing_year":
        base = Period(_a_year_before(period.start, tz), period.start, "trailing year")
        return base, (period.end - period.start) / (base.end - base.start)
    return period.year_before(tz), 1.0


def month(label: str, tz) -> Period:
    """``YYYY-MM`` in the city's time zone: from the first's midnight to the next first's."""
    try:
        year, mon = (int(x) for x in label.split("-"))
        first = date(year, mon, 1)
        nxt = date(year + mon // 12, mon % 12 + 1, 1)  # 9999-12 has no next month
    except ValueError as exc:
        raise InvalidInput(
            "assessment.bad_period", "统计月份须为 YYYY-MM", "The month is YYYY-MM"
        ) from exc
    return Period(datetime.combine(first, time(), tz), datetime.combine(nxt, time(), tz), label)


def owner(city: CityConfig, code: str, kind: UnitKind) -> str | None:
    """The unit of ``kind`` that answers for ``code``'s orders (itself or above it)."""
    unit = city.unit(code)
    while unit is not None:
        if unit.kind is kind:
            return unit.code
        unit = city.unit(unit.parent) if unit.parent else None
    return None


C = TypeVar("C", UnitCounts, GovernanceCounts)


def group_counts(
    city: CityConfig, counts: dict[str, C], group: str, zero: type[C] = UnitCounts
) -> dict[str, C]:
    """Each unit's counts added up to the unit of ``group`` that answers for it."""
    kind = GROUPS[group]
    out: dict[str, C] = defaultdict(zero)
    for unit in city.units:  # every unit of the group appears, with zero if it had nothing
        if unit.kind is kind:
            out[unit.code] = zero()
    for code, c in counts.items():
        answering = owner(city, code, kind)
        if answering is not None:
            out[answering] = out[answering] + c
    return dict(out)


def rankings(
    ctx: Context,
    period: Period,
    group: str,
    rules_name: str,
    readings: Readings | None = None,
) -> dict[str, Any]:
    """One group's ranking for the period (see :func:`assess`)."""
    return assess(ctx, period, rules_name, (group,), readings)[group]


def checked(city: CityConfig, groups: tuple[str, ...], rules_name: str) -> RuleSet:
    """The rule set asked for, once the groups and the rule set's name are known ones."""
    for group in groups:
        if group not in GROUPS:
            raise InvalidInput(
                "assessment.bad_group",
                "排名分组须为区、街道乡镇、市级部门或公共服务企业",
                f"Unknown group {group!r}: district, street, city_department or utility",
            )
    sets = rule_sets(city)
    if rules_name not in sets:
        raise InvalidInput(
            "assessment.unknown_rules",
            f"没有名为“{rules_name}”的考评规则",
            f"No rule set named {rules_name!r}",
        )
    return sets[rules_name]


@dataclass(frozen=True)
class Readings:
    """What an assessment of a period reads from storage, whatever the rule set: the
    counts of the period, of the period before and of the base period (A4), and the
    proactive governance of the period and the period before (A2)."""

    period: Period
    previous: Period
    base: Period
    scale: float  # the base's orders × scale are the expected orders of the period
    now: dict[str, UnitCounts]
    before: dict[str, UnitCounts]
    base_counts: dict[str, UnitCounts]
    governance: dict[str, GovernanceCounts]
    governance_before: dict[str, GovernanceCounts]


def read(ctx: Context, period: Period) -> Readings:
    """The counts :func:`assess` needs for ``period``, read once (to compare rule sets)."""
    previous = period.previous(ctx.city.tz)
    before = unit_counts(ctx, previous.start, previous.end)
    base, scale = base_period(period, ctx.city.observation_policy, ctx.city.tz)
    same = (base.start, base.end) == (previous.start, previous.end)
    return Readings(
        period,
        previous,
        base,
        scale,
        unit_counts(ctx, period.start, period.end),
        before,
        before if same else unit_counts(ctx, base.start, base.end),
        governance_counts(ctx, period.start, period.end),
        governance_counts(ctx, previous.start, previous.end),
    )


def assess(
    ctx: Context,
    period: Period,
    rules_name: str,
    groups: tuple[str, ...] = tuple(GROUPS),
    readings: Readings | None = None,
) -> dict[str, dict[str, Any]]:
    """The period's assessment in each group, ranked, with the change against the period
    before: the counts are read once for all groups (and, given ``readings`` of the same
    period, not at all)."""
    rules = checked(ctx.city, groups, rules_name)
    r = readings if readings is not None and readings.period == period else read(ctx, period)
    policy = ctx.city.observation_policy
    found = {}
    for group in groups:
        now = group_counts(ctx.city, r.now, group)
        before = group_counts(ctx.city, r.before, group)
        done = group_counts(ctx.city, r.governance, group, GovernanceCounts)
        done_before = group_counts(ctx.city, r.governance_before, group, GovernanceCounts)
        base_orders = {
            code: c.orders for code, c in group_counts(ctx.city, r.base_counts, group).items()
        }
        observe = Observation(base_orders, r.scale, policy.min_base_orders)
        found[group] = {
            "period": {"start": period.start, "end": period.end, "label": period.label},
            "previous": {"start": r.previous.start, "end": r.previous.end},
            "base": {"start": r.base.start, "end": r.base.end, "kind": policy.base_period},
            "group": group,
            "group_zh": GROUP_LABELS_ZH[group],
            "rules": rule_json(rules),
            "units": [
                _row(ctx.city, x) | observe(x) for x in rank(now, rules, before, done, done_before)
            ],
        }
    return found


def rule_json(rules: RuleSet) -> dict[str, Any]:
    return vars(rules) | {
        "unreachable": str(rules.unreachable),
        "governance": vars(rules.governance),
    }


@dataclass(frozen=True)
class Observation:
    """The base-figure ratio of a ranked row (A4): its orders over the base's, scaled."""

    base_orders: dict[str, int]
    scale: float
    min_base: int

    def __call__(self, r: Ranked) -> dict[str, Any]:
        base = self.base_orders.get(r.unit_code, 0)
        expected = base * self.scale
        ratio = round(r.counts.orders / expected, 3) if base >= self.min_base else None
        return {"base_orders": base, "base_ratio": ratio}


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
        "governance": vars(r.governance) | {"points": r.rates.points},
        "rank": r.rank,
        "previous_rank": r.previous_rank,
        "change": r.change,
        "talk": r.talk,
        "notes": r.notes,
        "per_10k_residents": round(r.counts.orders * 10000 / population, 3) if population else None,
    }
