"""Build a city's configuration from its division tree and the standard set (O1, D1, D6, H6).

A new deployment should not start from an empty file: ``jiesu city init``
takes the city's districts, streets/townships and communities/villages from
jionlp's division data (:mod:`.divisions`), adds the departments, utilities,
taxonomy, catalogue and policies of ``standard.yaml``, and writes one file the
operator then edits. The result is a plain dict shaped exactly like the file,
so :class:`~jiesu.city.config.CityConfig` validates it and the writer
(:mod:`.writer`) needs no knowledge of the schema beyond key order.

Unit codes are stable and readable: the city government has the city's
admin code, districts theirs, streets are the district code plus a 3-digit
sequence (by name), communities the street code plus a 3-digit sequence;
departments are ``city.<key>`` and ``<district code>.<key>``, utilities
``utility.<key>``, the hotline ``hotline``.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from typing import Any

import yaml

from .config import UnitKind
from .divisions import (
    CityDivisions,
    District,
    is_village,
    load_city_divisions,
    pinyin_initials,
    short_forms,
)
from .writer import render_city, write_city

__all__ = ["build_city", "render_city", "standard_set", "ticket_prefix", "write_city"]

HOTLINE_CODE = "hotline"
TIMEZONE = "Asia/Shanghai"

#: Estimated residents of one community or village when ``estimate_population`` is set:
#: a plausible spread for a demo, never a statistic.
COMMUNITY_POPULATION = (2_000, 12_000)
VILLAGE_POPULATION = (500, 3_000)

CITY, CITY_DEPT, UTILITY = UnitKind.CITY_GOVERNMENT, UnitKind.CITY_DEPARTMENT, UnitKind.UTILITY
DISTRICT, DISTRICT_DEPT = UnitKind.DISTRICT, UnitKind.DISTRICT_DEPARTMENT
STREET, COMMUNITY = UnitKind.STREET, UnitKind.COMMUNITY

#: District-level names that are not a government: a development zone has a management committee.
_ZONE_SUFFIXES = ("开发区", "园区", "产业园", "示范区", "产业基地", "基地", "机场")


@cache
def _standard() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("standard.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)  # its consistency is a test (tests/city/test_builder.py)


def standard_set() -> dict[str, Any]:
    """A copy of the packaged standard set (departments, utilities, taxonomy, policies)."""
    return copy.deepcopy(_standard())


def build_city(name: str, *, estimate_population: bool = False, seed: int = 0) -> dict[str, Any]:
    """The configuration of the city called ``name``, as a dict ``CityConfig`` accepts.

    Population is ``None`` throughout unless ``estimate_population``: jionlp ships
    no figures and the operator fills them in. With it, each community or village
    gets a deterministic estimate drawn from ``seed`` and its code (so editing one
    part of the tree does not change the rest), and every level above is the sum
    of its children, as "requests per 10k residents" (A4) needs.
    """
    divisions = load_city_divisions(name)
    std = standard_set()
    city, short = divisions.name, divisions.short_name
    rng_seed = seed if estimate_population else None

    def fill(template: str, **extra: str) -> str:
        return template.format(city=city, short=short, **extra)

    district_blocks = [
        _district_units(d, code, divisions.code, std, fill, rng_seed)
        for d, code in _district_codes(divisions)
    ]
    gov_population = sum(pop for _units, pop in district_blocks) if estimate_population else None
    gov, hotline, top = std["city_government"], std["hotline"], divisions.code
    gov_name, hotline_name = fill(gov["name"]), fill(hotline["name"])
    units = [
        _unit(top, gov_name, CITY, None, map(fill, gov["aliases"]), population=gov_population),
        _unit(HOTLINE_CODE, hotline_name, UnitKind.HOTLINE, top, map(fill, hotline["aliases"])),
    ]
    for dept in std["city_departments"]:
        key, abbr = dept["department"], dept.get("abbr")
        aliases = [f"市{abbr}", f"{city}{abbr}"] if abbr else []
        name = city + dept["name"]
        units.append(_unit(f"city.{key}", name, CITY_DEPT, top, aliases, department=key))
    for utility in std["utilities"]:
        key, name, aliases = utility["key"], fill(utility["name"]), map(fill, utility["aliases"])
        code = f"utility.{key}"
        units.append(
            _unit(code, name, UTILITY, top, aliases, department=key, around_the_clock=True)
        )
    for block, _population in district_blocks:
        units.extend(block)

    categories, catalogue = _taxonomy(std["categories"])
    return {
        "city": {
            "name": city,
            "code": divisions.code,
            "timezone": TIMEZONE,
            "ticket_prefix": ticket_prefix(short, divisions.code),
            "hotline_unit": HOTLINE_CODE,
        },
        "merged_hotlines": {str(k): v for k, v in std["merged_hotlines"].items()},
        "units": units,
        "categories": categories,
        "dispatch_catalogue": catalogue,
        "deadline_policy": std["deadline_policy"],
        "referral_policy": std["referral_policy"],
        "extension_policy": std["extension_policy"],
        "assessment_weights": std["assessment_weights"],
        "assessment_rules": [],
        **_default_policies(),
    }


#: Policies written into a new city file with their defaults, for the operator to see.
DEFAULT_POLICIES = (
    "objection_policy", "consultation_policy", "handling_policy", "visit_policy",
    "intake_policy", "observation_policy", "appeal_policy",
)  # fmt: skip


def _default_policies() -> dict[str, Any]:
    from .config import CityConfig  # the schema knows the defaults

    fields = CityConfig.model_fields
    return {name: fields[name].default.model_dump(mode="json") for name in DEFAULT_POLICIES}


def ticket_prefix(short_name: str, city_code: str) -> str:
    """Ticket numbers start with the city's pinyin initials (北京 → BJ), else its admin code."""
    return pinyin_initials(short_name) or city_code[:8]


# --- the tree ------------------------------------------------------------------------


def _district_codes(divisions: CityDivisions) -> list[tuple[District, str]]:
    """Districts by admin code; a code that repeats another (东莞's 市直辖行政区划 carries the
    city's own code) gets two more digits, which no 6-digit admin code can collide with."""
    taken = {divisions.code}
    result = []
    for district in sorted(divisions.districts, key=lambda d: (d.code, d.name)):
        code, n = district.code or divisions.code, 0
        while code in taken:
            code, n = f"{district.code or divisions.code}{n:02d}", n + 1
        taken.add(code)
        result.append((district, code))
    return result


def _district_units(
    district: District,
    code: str,
    city_code: str,
    std: dict[str, Any],
    fill: Callable[[str], str],
    seed: int | None,
) -> tuple[list[dict[str, Any]], int]:
    """The district, its departments, streets and communities, and its (estimated) population."""
    # 东莞's single "district" is 市直辖行政区划: name it after the city (东莞市直辖行政区划).
    direct = district.name.endswith("直辖行政区划")
    label = fill("{city}") + district.name.removeprefix("市") if direct else district.name
    short = [a for a in district.alias.split("/") if a and a != district.name and "直辖" not in a]
    city_depts = {d["department"]: d for d in std["city_departments"]}
    known = seed is not None
    units: list[dict[str, Any]] = []
    for dept in std["district_departments"]:
        key = dept["department"]
        abbr = city_depts[key].get("abbr")
        aliases = [f"{s}{abbr}" for s in [label, *short]] if abbr else []
        name = label + dept.get("name", city_depts[key]["name"])
        units.append(_unit(f"{code}.{key}", name, DISTRICT_DEPT, code, aliases, department=key))
    total = 0
    for i, street in enumerate(sorted(district.streets, key=lambda s: s.name), start=1):
        street_code, children, street_total = f"{code}{i:03d}", [], 0
        for j, community in enumerate(sorted(street.communities), start=1):
            community_code = f"{street_code}{j:03d}"
            population = _estimate(community, community_code, seed)
            street_total += population or 0
            aliases = short_forms(community, level="community")
            children.append(
                _unit(
                    community_code,
                    community,
                    COMMUNITY,
                    street_code,
                    aliases,
                    population=population,
                )
            )
        total += street_total
        aliases = short_forms(street.name, level="street")
        population = street_total if known else None
        units.append(_unit(street_code, street.name, STREET, code, aliases, population=population))
        units.extend(children)
    suffix = "管理委员会" if label.endswith(_ZONE_SUFFIXES) else "人民政府"
    name, population = (label if direct else label + suffix), (total if known else None)
    head = _unit(code, name, DISTRICT, city_code, [label, *short], population=population)
    return [head, *units], total


def _estimate(name: str, code: str, seed: int | None) -> int | None:
    if seed is None:
        return None
    low, high = VILLAGE_POPULATION if is_village(name) else COMMUNITY_POPULATION
    # Seeded per unit from its code: stable across runs, platforms and edits elsewhere.
    return random.Random(f"{seed}:{code}").randrange(low, high + 1, 10)


def _unit(
    code: str,
    name: str,
    kind: UnitKind,
    parent: str | None,
    aliases: Iterable[str] = (),
    **fields: Any,
) -> dict[str, Any]:
    """A unit dict in the file's key order. ``fields`` come in order (department,
    population, around_the_clock); territorial units pass ``population`` even when
    it is None, so the operator sees where to fill it in."""
    unit: dict[str, Any] = {"code": code, "name": name, "kind": kind.value}
    if parent is not None:
        unit["parent"] = parent
    unit.update(fields)
    names = [a for a in dict.fromkeys(aliases) if a and a != name]
    if names:
        unit["aliases"] = names
    return unit


# --- taxonomy and catalogue ----------------------------------------------------------------


def _taxonomy(tree: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Categories (both levels) and one catalogue row per second-level category."""
    categories: list[dict[str, Any]] = []
    catalogue: list[dict[str, Any]] = []
    for top in tree:
        categories.append({"code": top["name"], "name": top["name"]})
        for child in top["children"]:
            code = f"{top['name']}/{child['name']}"
            categories.append({"code": code, "name": child["name"]})
            entry: dict[str, Any] = {"category": code, "lead_kind": child["lead"]}
            for key in ("department", "unit", "community", "street", "note"):
                if child.get(key):
                    entry[key] = child[key]
            catalogue.append(entry)
    return categories, catalogue
