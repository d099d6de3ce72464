"""The city configuration: its schema, and the rules that read it.

A deployment is one YAML file (see ``docs/configuration.md``). It is validated
as a whole at start: unknown keys, missing parents, duplicate codes, unknown
categories in the catalogue and weights that do not add up are refused with
the entry named.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from jiesu.domain.deadlines import Duration, DurationUnit

from .catalogue import CatalogueEntry, Responsibility, catalogue_problems, under
from .units import UNIT_KIND_LABELS_ZH, Strict, Unit, UnitKind

_Strict = Strict
__all__ = [
    "UNIT_KIND_LABELS_ZH",
    "CatalogueEntry",
    "CityConfig",
    "Responsibility",
    "Unit",
    "UnitKind",
]


class Category(_Strict):
    code: str = Field(min_length=1)  # path such as "城乡建设/物业管理"
    name: str = Field(min_length=1)


class DurationSpec(_Strict):
    amount: float = Field(gt=0)
    unit: DurationUnit

    @model_validator(mode="after")
    def _whole_days(self) -> DurationSpec:
        if self.unit is not DurationUnit.CLOCK_HOURS and not float(self.amount).is_integer():
            raise ValueError(f"{self.unit} must be a whole number, not {self.amount:g}")
        return self

    def to_duration(self) -> Duration:
        return Duration(self.amount, self.unit)


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


class ReferralMode(StrEnum):
    ACCEPT_WITH_GUIDANCE = (
        "accept_with_guidance"  # Beijing: take it, tell the requester where to go
    )
    REFUSE = "refuse"  # Hohhot draft: not taken, with reason


class ReferralPolicy(_Strict):
    mode: ReferralMode = ReferralMode.ACCEPT_WITH_GUIDANCE
    emergency_lines: dict[str, str] = Field(
        default_factory=lambda: {
            "110": "公安报警",
            "119": "火警",
            "120": "医疗急救",
            "122": "交通事故",
        }
    )


class ExtensionPolicy(_Strict):
    approval_required: bool = False  # Beijing Art. 15 notifies; Hohhot Art. 18 approves
    max_extensions: int = Field(default=2, ge=0)
    max_days: int = Field(
        default=30, ge=1
    )  # furthest a single extension may reach, in calendar days


class ObjectionClock(StrEnum):
    RESTART = "restart"  # the new lead gets fresh deadlines from the re-dispatch
    CONTINUE = (
        "continue"  # the first dispatch's completion deadline stands (at least a contact window)
    )


class ObjectionPolicy(_Strict):
    """Dispatch objections (派单异议, D5): how long a unit has, and what the clock does."""

    window: DurationSpec = DurationSpec(amount=1, unit=DurationUnit.WORKING_DAYS)
    clock: ObjectionClock = ObjectionClock.RESTART


class ConsultationPolicy(_Strict):
    """Consultation (会商, D4): how long invited units have to give their positions."""

    response_window: DurationSpec = DurationSpec(amount=1, unit=DurationUnit.WORKING_DAYS)


class HandlingPolicy(_Strict):
    """The deadline watch and coordination while a ticket is handled (H4–H7)."""

    warn_share: float = Field(default=0.8, gt=0, lt=1)  # yellow once this share of time is used
    whistle_report_window: DurationSpec = DurationSpec(amount=24, unit=DurationUnit.CLOCK_HOURS)


class RehandleTrigger(StrEnum):
    UNSOLVED = "unsolved"  # the requester says it is not solved
    UNSATISFIED = "unsatisfied"  # the requester is not satisfied


class VisitPolicy(_Strict):
    """Return visits (回访, A1, BJ Art. 23) and re-handling (退回重办)."""

    due_within: DurationSpec = DurationSpec(amount=2, unit=DurationUnit.WORKING_DAYS)
    max_attempts: int = Field(default=3, ge=1, le=10)  # then recorded as unreachable
    retry_after: DurationSpec = DurationSpec(amount=4, unit=DurationUnit.CLOCK_HOURS)
    link_valid_days: int = Field(default=7, ge=1, le=60)  # the SMS evaluation link
    rehandle_on: tuple[RehandleTrigger, ...] = (RehandleTrigger.UNSATISFIED,)
    max_rounds: int = Field(default=2, ge=1, le=5)  # handling rounds, the first included


class AttachmentPolicy(_Strict):
    """What a channel may attach to a request (I1); types are judged from the content."""

    max_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    max_files: int = Field(default=9, ge=0)
    allowed_types: tuple[str, ...] = (
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "video/mp4",
        "video/quicktime",
        "audio/mpeg",
        "audio/amr",
        "audio/wav",
        "audio/mp4",
        "audio/ogg",
        "application/pdf",
    )


class FrequencyWindow(_Strict):
    """``threshold`` or more requests within ``days`` make a frequent requester (I8)."""

    days: int = Field(ge=1, le=366)
    threshold: int = Field(ge=2)


class IntakePolicy(_Strict):
    attachments: AttachmentPolicy = AttachmentPolicy()
    frequent_requester_windows: tuple[FrequencyWindow, ...] = (
        FrequencyWindow(days=1, threshold=3),
        FrequencyWindow(days=30, threshold=10),
    )
    duplicate_window_days: int = Field(default=30, ge=1, le=366)
    location_required_categories: tuple[str, ...] = ()  # category code prefixes
    risk_words: tuple[str, ...] = ()  # added to the built-in emergency and risk words


class AssessmentWeights(_Strict):
    response: float = Field(ge=0, le=1)
    resolution: float = Field(ge=0, le=1)
    satisfaction: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> AssessmentWeights:
        total = self.response + self.resolution + self.satisfaction
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"weights must add up to 1, they add up to {total:g}")
        return self


class AppealPolicy(_Strict):
    """Appeals against a ticket's effect on a unit's score (考评申诉, A6)."""

    window_days: int = Field(default=10, ge=1, le=90)  # after the evaluation (or the close)


class ObservationPolicy(_Strict):
    """Observation indicators shown beside the score, never part of it (A4).

    The base-figure ratio (基数诉求比) compares a unit's orders in the period with its
    orders in a base period, scaled to the same length: ``same_period_last_year`` (the
    default: seasons cancel out), ``previous_period``, or ``trailing_year`` (the twelve
    months before, averaged). Below ``min_base_orders`` in the base no ratio is given.
    """

    base_period: str = Field(
        default="same_period_last_year",
        pattern="^(same_period_last_year|previous_period|trailing_year)$",
    )
    min_base_orders: int = Field(default=5, ge=1)


class AssessmentRuleSpec(_Strict):
    """A written definition of the rates and the score (A2); several may coexist (A3)."""

    name: str = Field(min_length=1, max_length=64)
    weights: AssessmentWeights
    basically_satisfied_credit: float = Field(default=0.8, ge=0, le=1)
    unreachable: str = Field(default="excluded", pattern="^(excluded|against)$")
    min_volume: int = Field(default=5, ge=0)
    talk_bottom: int = Field(default=1, ge=0)


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
    assessment_rules: tuple[AssessmentRuleSpec, ...] = ()  # more rule sets, to compare (A3)
    observation_policy: ObservationPolicy = ObservationPolicy()  # A4
    appeal_policy: AppealPolicy = AppealPolicy()  # A6
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
