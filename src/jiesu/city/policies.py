"""The city's policies: how each stage of the flow is configured (referral, extensions,
objections, consultation, handling, return visits, intake, assessment, appeals, observation
indicators, the weekly warning). Part of the city configuration (:mod:`.config`, which
re-exports them); each is documented in ``docs/configuration.md``."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from jiesu.domain.assessment import GovernancePoints
from jiesu.domain.deadlines import Duration, DurationUnit
from jiesu.domain.hotspots import WarningRule
from jiesu.domain.recommendations import Thresholds

from .units import Strict

_Strict = Strict


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


class WarningPolicy(_Strict):
    """The weekly warning of hotspots (G5; :mod:`jiesu.domain.hotspots` explains each)."""

    baseline_weeks: int = Field(default=8, ge=2, le=52)  # MIN_BASELINE_WEEKS
    min_count: int = Field(default=5, ge=1)
    min_requesters: int = Field(default=3, ge=1)
    min_ratio: float = Field(default=2.0, ge=1)
    max_p: float = Field(default=0.001, gt=0, le=0.5)
    floor: float = Field(default=0.5, gt=0)
    persistent_weeks: int = Field(default=4, ge=2, le=26)
    # days a warned unit has to answer with its measures; later or never counts against
    # it in the assessment (A2, ``GovernancePointsSpec.unanswered_warning``)
    answer_days: int = Field(default=7, ge=1, le=60)

    @model_validator(mode="after")
    def _weeks_read(self) -> WarningPolicy:
        if self.persistent_weeks > self.baseline_weeks + 1:
            raise ValueError(
                "persistent_weeks looks back further than baseline_weeks + 1 weeks, which are "
                "all the weeks read"
            )
        return self

    def rule(self) -> WarningRule:
        return WarningRule(**self.model_dump(exclude={"answer_days"}))


class GovernancePointsSpec(_Strict):
    """Proactive governance in the score (主动治理加减分, A2; BJ Art. 32): points for each
    monthly topic led (or co-handled) that closed with its fall met, less points for each
    topic task done late and each weekly warning answered late; each side capped."""

    topic_lead: float = Field(default=2.0, ge=0, le=100)
    topic_co: float = Field(default=1.0, ge=0, le=100)
    late_task: float = Field(default=0.5, ge=0, le=100)
    unanswered_warning: float = Field(default=0.5, ge=0, le=100)
    cap: float = Field(default=5.0, ge=0, le=100)

    def points(self) -> GovernancePoints:
        return GovernancePoints(**self.model_dump())


_REPORT = Thresholds()  # the defaults, kept with the rules


class ReportPolicy(_Strict):
    """When the monthly work report recommends something (G4; the rules, what each
    threshold means and its default are in :mod:`jiesu.domain.recommendations`)."""

    rise_ratio: float = Field(default=_REPORT.rise_ratio, gt=1, le=100)
    rise_min: int = Field(default=_REPORT.rise_min, ge=1)
    seasonal_min: float = Field(default=_REPORT.seasonal_min, ge=0)
    rate_drop: float = Field(default=_REPORT.rate_drop, gt=0, lt=1)
    stall_months: int = Field(default=_REPORT.stall_months, ge=1, le=60)
    stall_fall: float = Field(default=_REPORT.stall_fall, ge=0, lt=1)
    per_kind: int = Field(default=_REPORT.per_kind, ge=1, le=50)
    max_items: int = Field(default=_REPORT.max_items, ge=1, le=50)

    def thresholds(self) -> Thresholds:
        return Thresholds(**self.model_dump())


class AssessmentRuleSpec(_Strict):
    """A written definition of the rates and the score (A2); several may coexist (A3)."""

    name: str = Field(min_length=1, max_length=64)
    weights: AssessmentWeights
    basically_satisfied_credit: float = Field(default=0.8, ge=0, le=1)
    unreachable: str = Field(default="excluded", pattern="^(excluded|against)$")
    min_volume: int = Field(default=5, ge=0)
    talk_bottom: int = Field(default=1, ge=0)
    governance_points: GovernancePointsSpec | None = None  # None: the city's
