"""Unit pickers: which units a form offers before any search (7,000+ communities are searched, not listed)."""

from __future__ import annotations

from jiesu.city.config import UNIT_KIND_LABELS_ZH, CityConfig, UnitKind


def unit_groups(
    city: CityConfig, location_code: str | None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Units offered in a picker before any search, grouped by kind.

    Communities are many (7,000+ in Beijing), so only those on the request's
    location are listed; every other unit is found by the picker's search.
    """
    chain = []
    unit = city.unit(location_code) if location_code else None
    while unit is not None and unit.kind in (
        UnitKind.COMMUNITY,
        UnitKind.STREET,
        UnitKind.DISTRICT,
    ):
        chain.append(unit)
        unit = city.unit(unit.parent) if unit.parent else None
    district = next((u for u in chain if u.kind is UnitKind.DISTRICT), None)
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if chain:
        groups.append(("诉求发生地", [(u.code, u.name) for u in chain]))
    shown = {u.code for u in chain}
    kinds = [
        (UnitKind.STREET, district),
        (UnitKind.DISTRICT_DEPARTMENT, district),
        (UnitKind.DISTRICT, None),
        (UnitKind.CITY_DEPARTMENT, None),
        (UnitKind.UTILITY, None),
    ]
    for kind, parent in kinds:
        units = [
            (u.code, u.name)
            for u in city.units
            if u.kind is kind
            and u.code not in shown
            and (parent is None or u.parent == parent.code)
        ]
        if units:
            title = UNIT_KIND_LABELS_ZH[kind]
            if parent is not None:
                title = f"{parent.name} · {title}"
            groups.append((title, units))
    return groups


def children(city: CityConfig, parent: str | None, kind: UnitKind) -> list[tuple[str, str]]:
    if not parent:
        return []
    return [(u.code, u.name) for u in city.units if u.parent == parent and u.kind is kind]


def in_groups(groups: list[tuple[str, list[tuple[str, str]]]], code: str) -> bool:
    return any(code == c for _, units in groups for c, _ in units)


def whistle_groups(
    city: CityConfig, lead_code: str | None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Whom a street's whistle may summon (H4): its district's departments, the city
    departments and the utilities (``handling.authority.check_whistle`` decides)."""
    district = city.district_of(lead_code) if lead_code else None
    kinds = [
        (UnitKind.DISTRICT_DEPARTMENT, district),
        (UnitKind.CITY_DEPARTMENT, None),
        (UnitKind.UTILITY, None),
    ]
    groups = []
    for kind, parent in kinds:
        if kind is UnitKind.DISTRICT_DEPARTMENT and parent is None:
            continue
        units = [
            (u.code, u.name)
            for u in city.units
            if u.kind is kind and (parent is None or u.parent == parent.code)
        ]
        if units:
            title = UNIT_KIND_LABELS_ZH[kind]
            groups.append((f"{parent.name} · {title}" if parent else title, units))
    return groups


def authority_choices(city: CityConfig, lead_code: str | None) -> list[tuple[str, str]]:
    """The authorities a lead may escalate to (H5), nearest first, with their kind."""
    from jiesu.handling.authority import authorities_for

    lead = city.unit(lead_code) if lead_code else None
    if lead is None:
        return []
    return [
        (u.code, f"{u.name}（{UNIT_KIND_LABELS_ZH.get(u.kind, '')}）")
        for u in authorities_for(city, lead)
    ]
