"""Duties: what the catalogue and the model name, before territory turns them into units.

A *duty* is a unit named by what it does, independent of place: a fixed unit
(a city department or utility: its code), a district department by its
department key (``district_department:urban``), or a territorial level
(``street``, ``community``, ``district``). The learned model is trained on
duties rather than on thousands of unit codes, so one history teaches every
district; territory then picks the unit (D1: 职权法定 + 属地管理).
"""

from __future__ import annotations

from jiesu.city.catalogue import CatalogueEntry
from jiesu.city.config import CityConfig
from jiesu.city.units import Unit, UnitKind

TERRITORIAL = {
    UnitKind.DISTRICT: "district",
    UnitKind.STREET: "street",
    UnitKind.COMMUNITY: "community",
}
_DISTRICT_DEPARTMENT = "district_department:"


def duty_of(city: CityConfig, unit: Unit) -> str:
    """The duty a unit stands for (the label the model learns)."""
    if unit.kind in TERRITORIAL:
        return TERRITORIAL[unit.kind]
    if unit.kind is UnitKind.DISTRICT_DEPARTMENT and unit.department:
        return _DISTRICT_DEPARTMENT + unit.department
    return unit.code


def duty_of_entry(city: CityConfig, entry: CatalogueEntry) -> str | None:
    """The duty a catalogue entry names as lead, or None if the city has no such unit."""
    if entry.unit:
        return entry.unit
    if entry.lead_kind in TERRITORIAL:
        return TERRITORIAL[entry.lead_kind]
    if entry.lead_kind is UnitKind.DISTRICT_DEPARTMENT and entry.department:
        return _DISTRICT_DEPARTMENT + entry.department
    if entry.department:
        unit = next(
            (
                u
                for u in city.units
                if u.kind is entry.lead_kind and u.department == entry.department
            ),
            None,
        )
        return unit.code if unit else None
    return None


def needs_place(duty: str) -> str | None:
    """The territorial level a duty needs to become a unit ('district' for district
    departments), or None for a fixed unit."""
    if duty in TERRITORIAL.values():
        return duty
    if duty.startswith(_DISTRICT_DEPARTMENT):
        return "district"
    return None


def unit_for(
    city: CityConfig, duty: str, *, district: str | None, street: str | None, community: str | None
) -> Unit | None:
    """The unit that carries ``duty`` at this place, or None if the place is not known well
    enough (or the city has no such unit there)."""
    if duty == "district":
        return city.unit(district) if district else None
    if duty == "street":
        return city.unit(street) if street else None
    if duty == "community":
        return city.unit(community) if community else None
    if duty.startswith(_DISTRICT_DEPARTMENT):
        if not district:
            return None
        key = duty.removeprefix(_DISTRICT_DEPARTMENT)
        return city.district_departments.get((district, key))
    return city.unit(duty)
