"""The handling profiles of units in a simulated history: why units differ.

Rankings built from a simulated history are only worth looking at if units
differ for reasons one can name. Each handling unit therefore gets one of a
few **handling profiles**, drawn deterministically from the seed and the
unit's code (so adding a unit elsewhere changes no other unit's profile),
plus a small per-unit spread so two units of the same profile are not
identical. The profiles, and what they do to the three rates (A2):

``diligent`` 勤勉型
    Acknowledges within minutes, contacts early, rarely needs an extension,
    solves most matters and is polite: high response, resolution and
    satisfaction rates.
``average`` 常规型
    Acknowledges within an hour or two, contacts within the deadline almost
    always, solves a good majority: the bulk of units, rates near the city mean.
``sluggish`` 拖沓型
    Acknowledges late (often next working day), misses a fifth of contact
    deadlines and a share of completion deadlines, asks for extensions:
    low response rate, resolution and satisfaction suffer from lateness.
``perfunctory`` 敷衍型
    Fast on paper — acknowledges and replies quickly — but mostly "explains"
    instead of solving: good response rate, poor resolution and satisfaction.
``troubled`` 困难型
    Overloaded with hard matters (old estates, disputes): many extensions,
    objections raised against dispatch, many "not solvable for now" replies;
    requesters are often unsatisfied although the unit works.

:class:`~.behaviour.Story` lives tickets through the state machine with these habits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from jiesu.city.config import Unit, UnitKind


@dataclass(frozen=True)
class Profile:
    """The handling habits of one kind of unit; shares are probabilities per ticket."""

    key: str
    label_zh: str
    ack_minutes: tuple[float, float]  # delay to acknowledge, log-uniform between the two
    late_contact: float  # share of first contacts after the contact deadline
    unreachable: float  # share of first contact attempts that fail
    objection: float  # share of dispatches the unit contests without grounds (rejected)
    extension: float  # share of tickets on which the unit asks for more time
    late_reply: float  # share of replies after the completion deadline
    reply_share: tuple[float, float]  # part of the time left to the deadline used before replying
    outcomes: tuple[float, float, float]  # weights of solved, explained, not_solvable_now
    attitude: float  # added to the requester's chance of being satisfied
    rest_day_duty: float  # chance the unit acts on a rest day
    co_handling: float  # share of tickets on which the lead summons a co-handler


PROFILES: dict[str, Profile] = {
    p.key: p
    for p in (
        Profile("diligent", "勤勉型", (5, 45), 0.01, 0.04, 0.002, 0.03, 0.005,
                (0.05, 0.35), (0.90, 0.08, 0.02), 0.06, 0.6, 0.10),
        Profile("average", "常规型", (15, 150), 0.04, 0.06, 0.01, 0.06, 0.03,
                (0.15, 0.7), (0.80, 0.15, 0.05), 0.0, 0.25, 0.08),
        Profile("sluggish", "拖沓型", (120, 1200), 0.22, 0.08, 0.03, 0.14, 0.16,
                (0.5, 0.98), (0.70, 0.20, 0.10), -0.08, 0.05, 0.05),
        Profile("perfunctory", "敷衍型", (5, 40), 0.03, 0.05, 0.01, 0.02, 0.01,
                (0.02, 0.2), (0.40, 0.55, 0.05), -0.10, 0.3, 0.02),
        Profile("troubled", "困难型", (30, 480), 0.10, 0.10, 0.08, 0.30, 0.14,
                (0.4, 0.95), (0.50, 0.22, 0.28), -0.05, 0.4, 0.15),
    )
}  # fmt: skip

#: How often each profile is drawn, by kind of unit. Utilities are run like
#: service companies (mostly quick); communities and streets spread widest.
PROFILE_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "utility": (("diligent", 0.45), ("average", 0.4), ("perfunctory", 0.1), ("sluggish", 0.05)),
    "default": (
        ("diligent", 0.25),
        ("average", 0.42),
        ("sluggish", 0.14),
        ("perfunctory", 0.11),
        ("troubled", 0.08),
    ),
}


@dataclass(frozen=True)
class UnitBehaviour:
    """A unit's profile with its own spread applied: what the simulator reads."""

    unit_code: str
    profile: Profile
    around_the_clock: bool
    ack_minutes: tuple[float, float]
    late_contact: float
    unreachable: float
    objection: float
    extension: float
    late_reply: float
    reply_share: tuple[float, float]
    outcomes: tuple[float, float, float]
    attitude: float
    rest_day_duty: float
    co_handling: float


def clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


def behaviour_for(seed: int, unit: Unit) -> UnitBehaviour:
    """The unit's behaviour: a function of the seed and the unit alone (not of other units)."""
    rng = random.Random(f"jiesu-sim:{seed}:unit:{unit.code}")
    mix = PROFILE_MIX["utility" if unit.kind is UnitKind.UTILITY else "default"]
    profile = PROFILES[rng.choices([k for k, _ in mix], [w for _, w in mix])[0]]
    spread = rng.uniform(0.7, 1.3)  # how much more (or less) of the profile's faults
    solved, explained, unsolvable = profile.outcomes
    quality = rng.uniform(-0.06, 0.06)
    lo, hi = profile.ack_minutes
    return UnitBehaviour(
        unit_code=unit.code,
        profile=profile,
        around_the_clock=unit.around_the_clock,
        ack_minutes=(lo * spread, hi * spread),
        late_contact=clamp(profile.late_contact * spread),
        unreachable=clamp(profile.unreachable * spread),
        objection=clamp(profile.objection * spread),
        extension=clamp(profile.extension * spread),
        late_reply=clamp(profile.late_reply * spread),
        reply_share=profile.reply_share,
        outcomes=(max(0.05, solved + quality), explained, max(0.01, unsolvable - quality / 2)),
        attitude=profile.attitude + quality,
        rest_day_duty=profile.rest_day_duty,
        co_handling=profile.co_handling,
    )
