"""A month's figures as the work report's recommendations read them (G4): plain values,
gathered by ``jiesu.governance.report_figures`` from the report's content, judged by the pure
rules of :mod:`jiesu.domain.recommendations`. No web or database here."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class MatterFigure:
    category: str
    count: int
    previous: int | None  # None: the month before is not (fully) in the history
    days: float  # days of the month
    previous_days: float


@dataclass(frozen=True)
class SeasonFigure:
    category: str
    expected: float
    recent: float  # the last three months' mean
    last_year: int
    periodic: bool


@dataclass(frozen=True)
class CandidateFigure:
    category: str
    requests: int
    unsolved: int
    resolution: float | None
    city_resolution: float | None
    persistent_warnings: int
    open_topics: int


@dataclass(frozen=True)
class StreetWarnings:
    """One street's weekly warnings of the month."""

    street: str
    warnings: int
    unanswered: int  # not answered within warning_policy.answer_days (none, or late)
    not_fallen: int  # answered, and the week after had no fewer requests


@dataclass(frozen=True)
class TopicFigure:
    id: int
    title: str
    lead: str
    months_recorded: int
    change: float | None  # the latest recorded month against the baseline, per day
    met: bool
    tasks_overdue: int


@dataclass(frozen=True)
class TalkFigure:
    unit_code: str
    unit: str
    group: str  # in Chinese: 街道乡镇, 区 …
    rank: int | None
    score: float | None
    talk_before: bool  # marked for a talk the month before too


@dataclass(frozen=True)
class RateFigure:
    name: str  # response | resolution | satisfaction
    now: float | None
    previous: float | None


@dataclass(frozen=True)
class Figures:
    matters: list[MatterFigure] = field(default_factory=list)
    seasonal: list[SeasonFigure] = field(default_factory=list)
    candidates: list[CandidateFigure] = field(default_factory=list)
    warnings: list[StreetWarnings] = field(default_factory=list)
    topics: list[TopicFigure] = field(default_factory=list)
    talks: list[TalkFigure] = field(default_factory=list)
    rates: list[RateFigure] = field(default_factory=list)
    local_categories: frozenset[str] | None = None  # a district's hot matters; None: the city
