"""Where a ticket's matter lies, for dispatch: the unit chosen at intake, else territory
resolution of its address and coordinates (D1 属地管理, D3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jiesu.city.config import CityConfig
from jiesu.city.units import UnitKind
from jiesu.context import Context
from jiesu.domain.ticket import Ticket


@dataclass(frozen=True)
class Place:
    district: str | None = None
    street: str | None = None
    community: str | None = None
    level: str | None = None  # the most specific level known
    confidence: float = 0.0
    reasons: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        return {
            "district": self.district,
            "street": self.street,
            "community": self.community,
            "level": self.level,
            "confidence": round(self.confidence, 3),
        }

    def describe(self, city: CityConfig) -> str:
        names = [
            u.name
            for u in (city.unit(c) for c in (self.district, self.street, self.community))
            if u
        ]
        return " ".join(names) or "未能确定"


def place_of_unit(city: CityConfig, code: str) -> Place | None:
    """The place a territorial unit stands for, with its ancestors."""
    unit = city.unit(code)
    levels: dict[str, str] = {}
    while unit is not None:
        if unit.kind is UnitKind.COMMUNITY:
            levels.setdefault("community", unit.code)
        elif unit.kind is UnitKind.STREET:
            levels.setdefault("street", unit.code)
        elif unit.kind is UnitKind.DISTRICT:
            levels.setdefault("district", unit.code)
        unit = city.unit(unit.parent) if unit.parent else None
    if not levels:
        return None
    level = next(lv for lv in ("community", "street", "district") if lv in levels)
    return Place(
        district=levels.get("district"),
        street=levels.get("street"),
        community=levels.get("community"),
        level=level,
        confidence=1.0,
        reasons=(f"受理时已选定属地：{city.unit(code).name}",),  # type: ignore[union-attr]
    )


def place_of(ctx: Context, ticket: Ticket) -> Place:
    if ticket.location_unit_code:
        chosen = place_of_unit(ctx.city, ticket.location_unit_code)
        if chosen is not None:
            return chosen
    if not ticket.address and ticket.latitude is None:
        return Place(reasons=("工单没有地址",))
    from .places import gazetteer

    match = gazetteer(ctx).resolve(ticket.address or "", ticket.latitude, ticket.longitude)
    return Place(
        district=match.district,
        street=match.street,
        community=match.community,
        level=match.level,
        confidence=match.confidence,
        reasons=tuple(match.reasons),
    )
