"""The rules that protect communities and streets, enforced on every dispatch (D8).

BJ Art. 17 and HH Art. 19: nothing outside a community's duty list goes to a
community; a matter a community only assists with never makes it the lead; a
department's matter is never led by a street/township; when a city department
and a district dispute a ticket, the city department leads. A dispatch (or a
re-dispatch, or a consultation's decision, or a co-handler added later) that
breaks one is refused with the rule named. Pure functions: no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jiesu.city.catalogue import CatalogueEntry, Responsibility
from jiesu.city.units import DEPARTMENT_KINDS, DISTRICT_LEVEL_KINDS, Unit, UnitKind
from jiesu.domain.errors import InvalidInput


@dataclass(frozen=True)
class Rule:
    code: str
    article: str
    zh: str
    en: str


COMMUNITY_DUTY_LIST = Rule(
    "community_duty_list",
    "BJ Art. 17; HH Art. 19",
    "社区职责清单以外的事项不得派给社区",
    "Nothing outside a community's duty list goes to a community",
)
COMMUNITY_ASSIST_ONLY = Rule(
    "community_assist_only",
    "BJ Art. 17; HH Art. 19",
    "社区仅协助的事项不得由社区主办",
    "A matter a community only assists with never makes it the lead",
)
DEPARTMENT_MATTER = Rule(
    "department_matter",
    "BJ Art. 17; HH Art. 19",
    "属于部门职责的事项不得由街道乡镇主办",
    "A department's matter is never led by a street/township",
)
CITY_DEPARTMENT_LEADS = Rule(
    "city_department_leads",
    "BJ Art. 17",
    "市级部门与区存在争议的，由市级部门主办",
    "When a city department and a district dispute, the city department leads",
)
RULES = (COMMUNITY_DUTY_LIST, COMMUNITY_ASSIST_ONLY, DEPARTMENT_MATTER, CITY_DEPARTMENT_LEADS)


class RuleBroken(InvalidInput):
    """A dispatch the catalogue's rules forbid; ``code`` names the rule."""

    def __init__(self, rule: Rule, unit: Unit, *, lead: bool) -> None:
        super().__init__(
            f"dispatch.rule.{rule.code}",
            f"不能将“{unit.name}”作为{'主办' if lead else '协办'}单位：{rule.zh}（{rule.article}）",
            f"Cannot make {unit.code} the {'lead' if lead else 'co-handler'}: "
            f"{rule.en} ({rule.article})",
            rule=rule.code,
            article=rule.article,
            unit=unit.code,
        )
        self.rule = rule


def violations(
    entry: CatalogueEntry | None,
    lead: Unit,
    co_handlers: Sequence[Unit] = (),
    disputants: Iterable[Unit] = (),
) -> list[RuleBroken]:
    """Every rule the assignment breaks (empty when it is allowed)."""
    found: list[RuleBroken] = []
    community = entry.community_part() if entry else None
    if lead.kind is UnitKind.COMMUNITY:
        if community is None:
            found.append(RuleBroken(COMMUNITY_DUTY_LIST, lead, lead=True))
        elif community is Responsibility.ASSIST:
            found.append(RuleBroken(COMMUNITY_ASSIST_ONLY, lead, lead=True))
    if (
        lead.kind is UnitKind.STREET
        and entry is not None
        and entry.lead_kind in DEPARTMENT_KINDS
        and entry.street_part() is not Responsibility.DUTY
    ):
        found.append(RuleBroken(DEPARTMENT_MATTER, lead, lead=True))
    for unit in co_handlers:
        if unit.kind is UnitKind.COMMUNITY and community is None:
            found.append(RuleBroken(COMMUNITY_DUTY_LIST, unit, lead=False))
    kinds = {u.kind for u in disputants}
    if (
        UnitKind.CITY_DEPARTMENT in kinds
        and kinds & DISTRICT_LEVEL_KINDS
        and lead.kind in DISTRICT_LEVEL_KINDS
    ):
        found.append(RuleBroken(CITY_DEPARTMENT_LEADS, lead, lead=True))
    return found


def check(
    entry: CatalogueEntry | None,
    lead: Unit,
    co_handlers: Sequence[Unit] = (),
    disputants: Iterable[Unit] = (),
) -> None:
    """Raise the first broken rule, if any."""
    broken = violations(entry, lead, co_handlers, disputants)
    if broken:
        raise broken[0]


def check_co_handler(entry: CatalogueEntry | None, unit: Unit) -> None:
    """A co-handler added while the ticket is being handled: the community rule only."""
    community = entry.community_part() if entry else None
    if unit.kind is UnitKind.COMMUNITY and community is None:
        raise RuleBroken(COMMUNITY_DUTY_LIST, unit, lead=False)
