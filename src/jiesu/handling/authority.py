"""Who may be summoned by a whistle, and to whom a ticket may be escalated (H4, H5).

BJ Art. 16: a street/township summons the departments concerned (街乡吹哨、部门报到).
BJ Art. 20, HH Art. 19: a unit that cannot coordinate a ticket raises it to the
district or city government, or to the industry authority (分级协调).
"""

from __future__ import annotations

from jiesu.city.config import CityConfig
from jiesu.city.units import DEPARTMENT_KINDS, Unit, UnitKind
from jiesu.domain.errors import InvalidInput


def check_whistle(city: CityConfig, lead: Unit | None, summoned: list[Unit]) -> None:
    if lead is None or lead.kind is not UnitKind.STREET:
        raise InvalidInput(
            "whistle.not_street",
            "只有作为主办单位的街道乡镇可以吹哨",
            "Only a street/township leading the ticket may blow the whistle",
        )
    district = city.district_of(lead.code)
    for unit in summoned:
        own = (
            unit.kind is UnitKind.DISTRICT_DEPARTMENT and district and unit.parent == district.code
        )
        if not (own or unit.kind in (UnitKind.CITY_DEPARTMENT, UnitKind.UTILITY)):
            raise InvalidInput(
                "whistle.not_department",
                f"“{unit.name}”不是可召集的部门（本区部门、市级部门或公共服务企业）",
                f"{unit.code} is not a department the street may summon",
                unit=unit.code,
            )


def authorities_for(city: CityConfig, lead: Unit) -> list[Unit]:
    """The district government above the unit, the city government, and the industry
    authority (the city department of the same department), nearest first."""
    found: list[Unit] = []
    district = city.district_of(lead.code)
    if district is not None and district.code != lead.code:
        found.append(district)
    if lead.kind in DEPARTMENT_KINDS and lead.department:
        found += [
            u
            for u in city.units
            if u.kind is UnitKind.CITY_DEPARTMENT
            and u.department == lead.department
            and u.code != lead.code
        ]
    found += [u for u in city.units if u.kind is UnitKind.CITY_GOVERNMENT]
    return list({u.code: u for u in found}.values())


def check_authority(city: CityConfig, lead: Unit | None, authority: Unit) -> None:
    if lead is None or authority.code not in {u.code for u in authorities_for(city, lead)}:
        raise InvalidInput(
            "escalation.not_authority",
            f"“{authority.name}”不是本单位可提请协调的上级政府或行业主管部门",
            f"{authority.code} is not a government above the unit or its industry authority",
            unit=authority.code,
        )
