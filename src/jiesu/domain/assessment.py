"""The three rates, the composite score and the graded ranking (A2, A3, A4) — pure rules.

Counts per unit and period come in (:class:`UnitCounts`); a :class:`RuleSet` — the
deployment's written definition of each rate — turns them into rates and a score, and
:func:`rank` orders the units of one group. Several rule sets can be applied to the same
counts, so a proposed rule change is compared with the current one on the same month.

Definitions (each rule set may change the marked parts):

- **response rate** (响应率) = orders whose requester was contacted within the contact
  deadline ÷ orders;
- **resolution rate** (解决率) = evaluations saying "solved" ÷ evaluations;
- **satisfaction rate** (满意率) = (satisfied + *credit* × basically satisfied) ÷ evaluations;
- evaluations are the answered return visits, plus the unreachable ones when the rule set
  counts them (*unreachable*: ``excluded``, or counted as unsolved and unsatisfied);
- **score** = 100 × Σ *weight* × rate, plus the unit's **proactive governance points**
  (主动治理加减分, BJ Art. 32: the assessment covers proactive governance and rewards units
  that solve hard problems): *topic_lead* for each monthly topic it led that closed with
  its fall met in the period, *topic_co* for each it co-handled, minus *late_task* for each
  topic task due in the period and not done by then, and *unanswered_warning* for each
  weekly warning whose answer was due in the period and not given by then; the bonus and
  the deduction are each capped at *cap* points; a unit with fewer orders than
  *min_volume* is shown with its counts but not ranked (three tickets are not ranked as
  if three thousand);
- ranks are shared on equal scores (1, 2, 2, 4); the *talk_bottom* lowest ranked units of
  each group are marked for a talk (约谈).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Unreachable(StrEnum):
    EXCLUDED = "excluded"  # not an evaluation at all
    AGAINST = "against"  # counts as unsolved and unsatisfied


@dataclass(frozen=True)
class GovernancePoints:
    """What proactive governance adds to or takes from a score (points, not rates)."""

    topic_lead: float = 2.0
    topic_co: float = 1.0
    late_task: float = 0.5
    unanswered_warning: float = 0.5
    cap: float = 5.0  # on the bonus, and on the deduction

    def __post_init__(self) -> None:
        if min(vars(self).values()) < 0:
            raise ValueError("governance points are given as amounts of at least 0")


@dataclass(frozen=True)
class RuleSet:
    name: str
    response_weight: float = 0.2
    resolution_weight: float = 0.4
    satisfaction_weight: float = 0.4
    basically_satisfied_credit: float = 0.8
    unreachable: Unreachable = Unreachable.EXCLUDED
    min_volume: int = 5
    talk_bottom: int = 1
    governance: GovernancePoints = GovernancePoints()

    def __post_init__(self) -> None:
        total = self.response_weight + self.resolution_weight + self.satisfaction_weight
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"rule set {self.name!r}: weights add up to {total:g}, not 1")
        if not 0 <= self.basically_satisfied_credit <= 1:
            raise ValueError(f"rule set {self.name!r}: credit must lie between 0 and 1")


@dataclass(frozen=True)
class UnitCounts:
    """What happened to one unit's orders in one period."""

    orders: int = 0  # tickets the unit led, dispatched in the period
    responded: int = 0  # contacted within the contact deadline
    answered: int = 0  # return visits answered
    solved: int = 0
    satisfied: int = 0
    basically: int = 0
    unreachable: int = 0  # return visits never answered

    def __add__(self, other: UnitCounts) -> UnitCounts:
        return UnitCounts(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))


def _values(c: UnitCounts) -> tuple[int, ...]:
    return (c.orders, c.responded, c.answered, c.solved, c.satisfied, c.basically, c.unreachable)


@dataclass(frozen=True)
class GovernanceCounts:
    """What one unit did in proactive governance in one period (G2, G5)."""

    topics_led: int = 0  # monthly topics it led that closed, their fall met, in the period
    topics_co: int = 0  # such topics it co-handled
    tasks_late: int = 0  # topic tasks of its, due in the period, not done by their day
    warnings_unanswered: int = 0  # weekly warnings to it, answer due in the period, none by then

    def __add__(self, other: GovernanceCounts) -> GovernanceCounts:
        return GovernanceCounts(
            *(a + b for a, b in zip(vars(self).values(), vars(other).values(), strict=True))
        )


def governance_points(g: GovernanceCounts, points: GovernancePoints) -> float:
    """The bonus less the deduction, each capped (0 when nothing happened)."""
    bonus = points.topic_lead * g.topics_led + points.topic_co * g.topics_co
    deduction = points.late_task * g.tasks_late + points.unanswered_warning * g.warnings_unanswered
    return round(min(bonus, points.cap) - min(deduction, points.cap), 4)


@dataclass(frozen=True)
class Rates:
    response: float | None
    resolution: float | None
    satisfaction: float | None
    score: float | None  # the rates' score plus the governance points
    points: float = 0.0  # the governance points in the score


def percent(rate: float | None) -> str:
    """A rate as people read it: 93.5%, or a dash when there is none."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _ratio(n: float, d: int) -> float | None:
    return n / d if d else None


def rates(counts: UnitCounts, rules: RuleSet, governance: GovernanceCounts | None = None) -> Rates:
    evaluations = counts.answered + (
        counts.unreachable if rules.unreachable is Unreachable.AGAINST else 0
    )
    response = _ratio(counts.responded, counts.orders)
    resolution = _ratio(counts.solved, evaluations)
    satisfaction = _ratio(
        counts.satisfied + rules.basically_satisfied_credit * counts.basically, evaluations
    )
    parts = (
        (rules.response_weight, response),
        (rules.resolution_weight, resolution),
        (rules.satisfaction_weight, satisfaction),
    )
    points = governance_points(governance, rules.governance) if governance else 0.0
    if any(rate is None for weight, rate in parts if weight > 0):
        score = None  # nothing to judge a rate on: not scored
    else:
        score = round(100 * sum(w * (r or 0.0) for w, r in parts) + points, 4)
    return Rates(response, resolution, satisfaction, score, points)


@dataclass
class Ranked:
    unit_code: str
    counts: UnitCounts
    rates: Rates
    governance: GovernanceCounts = GovernanceCounts()
    rank: int | None = None  # None: below the minimum volume, or not scored
    previous_rank: int | None = None
    talk: bool = False  # marked for a talk (约谈)
    notes: list[str] = field(default_factory=list)

    @property
    def change(self) -> int | None:
        """Places gained since the previous period (positive: better)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def rank(
    counts: dict[str, UnitCounts],
    rules: RuleSet,
    previous: dict[str, UnitCounts] | None = None,
    governance: dict[str, GovernanceCounts] | None = None,
    previous_governance: dict[str, GovernanceCounts] | None = None,
) -> list[Ranked]:
    """Rank one group's units (ties share a rank); the unranked follow, by volume.

    ``governance`` (and ``previous_governance`` for the period before) adds each unit's
    proactive governance points to its score; a unit not in it has none."""
    g = governance or {}
    none = GovernanceCounts()
    rows = [
        Ranked(code, c, rates(c, rules, g.get(code, none)), g.get(code, none))
        for code, c in counts.items()
    ]
    _assign_ranks(rows, rules)
    if previous is not None:
        before = {
            r.unit_code: r.rank for r in rank(previous, rules, governance=previous_governance)
        }
        for row in rows:
            row.previous_rank = before.get(row.unit_code)
    ranked = [r for r in rows if r.rank is not None]
    if ranked and rules.talk_bottom:
        worst = sorted({r.rank for r in ranked if r.rank is not None}, reverse=True)
        cut = worst[: rules.talk_bottom][-1]
        for r in ranked:
            if r.rank is not None and r.rank >= cut:
                r.talk = True
    return sorted(
        rows,
        key=lambda r: (r.rank is None, r.rank or 0, -r.counts.orders, r.unit_code),
    )


def _assign_ranks(rows: Iterable[Ranked], rules: RuleSet) -> None:
    eligible = []
    for row in rows:
        if row.counts.orders < rules.min_volume:
            row.notes.append(f"诉求量{row.counts.orders}件，少于{rules.min_volume}件不参与排名")
        elif row.rates.score is None:
            row.notes.append("尚无回访评价，不参与排名")
        else:
            eligible.append(row)
    eligible.sort(key=lambda r: -(r.rates.score or 0.0))
    for i, row in enumerate(eligible):
        same = i > 0 and eligible[i - 1].rates.score == row.rates.score
        row.rank = eligible[i - 1].rank if same else i + 1
