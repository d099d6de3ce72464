"""The city configuration: its schema, and the rules that read it.

A deployment is one YAML file (see ``docs/configuration.md``). It is validated
as a whole at start: unknown keys, missing parents, duplicate codes, unknown
categories in the catalogue and weights that do not add up are refused with
the entry named.
"""

from __future__ import annotations

from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from .catalogue import CatalogueEntry, Responsibility, catalogue_problems, under
from .policies import (
    AppealPolicy,
    AssessmentRuleSpec,
    AssessmentWeights,
    AttachmentPolicy,
    ConsultationPolicy,
    DurationSpec,
    ExtensionPolicy,
    FrequencyWindow,
    GovernancePointsSpec,
    HandlingPolicy,
    IntakePolicy,
    ObjectionClock,
    ObjectionPolicy,
    ObservationPolicy,
    ReferralMode,
    ReferralPolicy,
    RehandleTrigger,
    ReportPolicy,
    VisitPolicy,
    WarningPolicy,
)
from .units import UNIT_KIND_LABELS_ZH, Strict, Unit, UnitKind

_Strict = Strict
__all__ = [  # the policies are defined in .policies
    "UNIT_KIND_LABELS_ZH",
    "AppealPolicy",
    "AssessmentRuleSpec",
    "AssessmentWeights",
    "AttachmentPolicy",
    "CatalogueEntry",
    "CityConfig",
    "ConsultationPolicy",
    "DurationSpec",
    "ExtensionPolicy",
    "FrequencyWindow",
    "GovernancePointsSpec",
    "HandlingPolicy",
    "IntakePolicy",
    "ObjectionClock",
    "ObjectionPolicy",
    "ObservationPolicy",
    "ReferralMode",
    "ReferralPolicy",
    "RehandleTrigger",
    "ReportPolicy",
    "Responsibility",
    "Unit",
    "UnitKind",
    "VisitPolicy",
    "WarningPolicy",
]


class Category(_Strict):
    code: str = Field(min_length=1)  # path such as "城乡建设/物业管理"
    name: str = Field(min_length=1)


class RuleMatch(_Strict):
    request_types: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # category code prefixes
    urgency: str | None = None
    lead_kinds: tuple[UnitKind, ...] = ()
    around_the_clock: bool | None = None


class DeadlineRule(_Strict):
    name: str
    match: RuleMatch = RuleMatch()
    contact: DurationSpec
    completion: DurationSpec

    def matches(self, request_type: str, category: str, urgency: str, lead: Unit) -> bool:
        m = self.match
        return (
            (not m.request_types or request_type in m.request_types)
            and (not m.categories or any(under(category, p) for p in m.categories))
            and (m.urgency is None or urgency == m.urgency)
            and (not m.lead_kinds or lead.kind in m.lead_kinds)
            and (m.around_the_clock is None or lead.around_the_clock == m.around_the_clock)
        )


class DeadlinePolicy(_Strict):
    """First matching rule wins; ``default`` applies when none matches (D6)."""

    rules: tuple[DeadlineRule, ...] = ()
    default: DeadlineRule

    def rule_for(self, request_type: str, category: str, urgency: str, lead: Unit) -> DeadlineRule:
        for rule in self.rules:
            if rule.matches(request_type, category, urgency, lead):
                return rule
        return self.default


class CityInfo(_Strict):
    name: str
    code: str
    timezone: str = "Asia/Shanghai"
    ticket_prefix: str = Field(min_length=1, max_length=8, pattern=r"^[A-Z0-9]+$")
    hotline_unit: str

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


#: Which kinds of unit may stand above each kind (O1).
ALLOWED_PARENTS: dict[UnitKind, frozenset[UnitKind | None]] = {
    UnitKind.CITY_GOVERNMENT: frozenset({None}),
    UnitKind.HOTLINE: frozenset({UnitKind.CITY_GOVERNMENT, None}),
    UnitKind.DISTRICT: frozenset({UnitKind.CITY_GOVERNMENT}),
    UnitKind.STREET: frozenset({UnitKind.DISTRICT}),
    UnitKind.COMMUNITY: frozenset({UnitKind.STREET}),
    UnitKind.CITY_DEPARTMENT: frozenset({UnitKind.CITY_GOVERNMENT}),
    UnitKind.DISTRICT_DEPARTMENT: frozenset({UnitKind.DISTRICT}),
    UnitKind.UTILITY: frozenset({UnitKind.CITY_GOVERNMENT, UnitKind.DISTRICT, None}),
}
#: Separates problems in one validation message; the loader shows one line each.
PROBLEM_SEPARATOR = "\n"


class CityConfig(_Strict):
    city: CityInfo
    units: tuple[Unit, ...]
    categories: tuple[Category, ...]
    dispatch_catalogue: tuple[CatalogueEntry, ...] = ()
    deadline_policy: DeadlinePolicy
    referral_policy: ReferralPolicy = ReferralPolicy()
    extension_policy: ExtensionPolicy = ExtensionPolicy()
    objection_policy: ObjectionPolicy = ObjectionPolicy()
    consultation_policy: ConsultationPolicy = ConsultationPolicy()
    handling_policy: HandlingPolicy = HandlingPolicy()
    visit_policy: VisitPolicy = VisitPolicy()
    intake_policy: IntakePolicy = IntakePolicy()
    assessment_weights: AssessmentWeights = AssessmentWeights(
        response=0.2, resolution=0.4, satisfaction=0.4
    )
    governance_points: GovernancePointsSpec = GovernancePointsSpec()  # A2, BJ Art. 32
    assessment_rules: tuple[AssessmentRuleSpec, ...] = ()  # more rule sets, to compare (A3)
    observation_policy: ObservationPolicy = ObservationPolicy()  # A4
    appeal_policy: AppealPolicy = AppealPolicy()  # A6
    warning_policy: WarningPolicy = WarningPolicy()  # G5
    report_policy: ReportPolicy = ReportPolicy()  # G4
    merged_hotlines: dict[str, str] = Field(default_factory=dict)  # number → name, e.g. 12315

    @model_validator(mode="after")
    def _consistent(self) -> CityConfig:
        problems = _unit_problems(self.units)
        problems.extend(_parent_cycles(self.units))
        hotline = next((u for u in self.units if u.code == self.city.hotline_unit), None)
        if hotline is None or hotline.kind is not UnitKind.HOTLINE:
            problems.append(
                ("city.hotline_unit", f"{self.city.hotline_unit!r} is not a hotline unit")
            )
        problems.extend(catalogue_problems(self.categories, self.units, self.dispatch_catalogue))
        if problems:
            raise ValueError(PROBLEM_SEPARATOR.join(f"{where}: {what}" for where, what in problems))
        return self

    # --- look-ups ---------------------------------------------------------------------

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.city.timezone)

    @cached_property
    def units_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    @cached_property
    def district_departments(self) -> dict[tuple[str, str], Unit]:
        """(district code, department key) → that district's department."""
        return {
            (u.parent, u.department): u
            for u in self.units
            if u.kind is UnitKind.DISTRICT_DEPARTMENT and u.parent and u.department
        }

    @cached_property
    def around_the_clock_units(self) -> frozenset[str]:
        return frozenset(u.code for u in self.units if u.around_the_clock)

    @cached_property
    def category_codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.categories)

    def needs_location(self, category: str) -> bool:
        return any(under(category, p) for p in self.intake_policy.location_required_categories)

    @cached_property
    def children(self) -> dict[str, tuple[Unit, ...]]:
        """Parent code → the units directly under it."""
        out: dict[str, list[Unit]] = {}
        for u in self.units:
            if u.parent:
                out.setdefault(u.parent, []).append(u)
        return {code: tuple(units) for code, units in out.items()}

    def unit_and_below(self, code: str) -> list[Unit]:
        """``code``'s unit (if any) and every unit under it, level by level."""
        found = [u for u in (self.unit(code),) if u is not None]
        frontier = [code]
        while frontier:
            below = [c for p in frontier for c in self.children.get(p, ())]
            found += below
            frontier = [c.code for c in below]
        return found

    def unit(self, code: str) -> Unit | None:
        return self.units_by_code.get(code)

    def district_of(self, code: str) -> Unit | None:
        """The district a unit lies in (itself if it is one), walking up the tree."""
        unit = self.unit(code)
        while unit is not None and unit.kind is not UnitKind.DISTRICT:
            unit = self.unit(unit.parent) if unit.parent else None
        return unit


def _unit_problems(units: tuple[Unit, ...]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    kinds: dict[str, UnitKind] = {}
    for i, unit in enumerate(units):
        if unit.code in kinds:
            problems.append((f"units[{i}] (code={unit.code})", "duplicate unit code"))
        kinds.setdefault(unit.code, unit.kind)
    for i, unit in enumerate(units):
        where = f"units[{i}] (code={unit.code})"
        if unit.parent is not None and unit.parent not in kinds:
            problems.append((where, f"parent {unit.parent!r} is not a unit"))
        elif kinds.get(unit.parent) not in ALLOWED_PARENTS[unit.kind]:  # type: ignore[arg-type]
            above = kinds.get(unit.parent) if unit.parent else "nothing"  # type: ignore[arg-type]
            problems.append((where, f"a {unit.kind} cannot stand under {above}"))
        if (
            unit.kind in (UnitKind.CITY_DEPARTMENT, UnitKind.DISTRICT_DEPARTMENT)
            and not unit.department
        ):
            problems.append((where, "a department needs its `department` key"))
    return problems


def _parent_cycles(units: tuple[Unit, ...]) -> list[tuple[str, str]]:
    """Units whose chain of parents loops back on itself."""
    parent = {u.code: u.parent for u in units}
    acyclic: set[str] = set()
    problems = []
    for i, unit in enumerate(units):
        path: list[str] = []
        code: str | None = unit.code
        while code is not None and code in parent and code not in acyclic:
            if code in path:
                if code == unit.code:  # report the units on the loop, not those hanging off it
                    problems.append((f"units[{i}] (code={unit.code})", "its parents form a cycle"))
                break
            path.append(code)
            code = parent[code]
        else:
            acyclic.update(path)
    return problems
