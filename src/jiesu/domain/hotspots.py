"""Hotspots and the weekly warning (G1, G5): when is a place's week of requests on one matter
above normal? Pure rules — the counting is :mod:`jiesu.governance`'s.

A hotspot (热点) is a category × place × week whose requests stand out from that place's
usual weeks on that matter. Shunyi's "seven-day warning" (七天一预警, seed 001) warns the
high-frequency events and places every week, so the street can act on them (点穴式督办)
before more people call. Two kinds:

* **surge** (突增): this week is far above the place's usual week. The usual week is the
  mean of the ``baseline_weeks`` before it (never taken as less than ``floor``: a place
  that never called is not infinitely surprising). The week warns when its requests are at
  least ``min_count``, from at least ``min_requesters`` different requesters, at least
  ``min_ratio`` times the usual week, and a week that high would happen by chance less than
  ``max_p`` of the time if requests arrived at the usual rate (the upper tail of a Poisson
  distribution). The chance is the warning's score: small places are not drowned by big
  ones, as they would be by raw counts.
* **persistent** (持续高发): not a surge, but in each of the last ``persistent_weeks``
  weeks, this one included, the place stood out by the same thresholds from what places
  like it had: the city's requests on the matter per resident that week, times the place's
  residents. A chronic problem, a candidate for a monthly topic (每月一题, G2). Against its
  own past a chronic problem is never surprising, and by a count alone every large street
  would be "persistent" about its common matters.

One person calling ten times is a frequent requester (高频诉求人), not a hotspot: hence the
distinct requesters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

#: Fewer full weeks of history than this and nothing warns: the usual week is not yet known
#: (a new deployment would otherwise warn everything its first week).
MIN_BASELINE_WEEKS = 2


class WarningKind(StrEnum):
    SURGE = "surge"  # 突增
    PERSISTENT = "persistent"  # 持续高发


WARNING_KIND_LABELS_ZH = {WarningKind.SURGE: "突增", WarningKind.PERSISTENT: "持续高发"}


@dataclass(frozen=True)
class WarningRule:
    """The thresholds of the weekly warning; a city may set its own (``warning_policy``)."""

    baseline_weeks: int = 8  # at least MIN_BASELINE_WEEKS
    min_count: int = 5
    min_requesters: int = 3
    min_ratio: float = 2.0
    max_p: float = 0.001
    floor: float = 0.5
    persistent_weeks: int = 4  # at least 2


@dataclass(frozen=True)
class Week:
    """One place's requests on one matter in one week: how many, from how many requesters."""

    count: int
    requesters: int


@dataclass(frozen=True)
class Verdict:
    kind: WarningKind
    count: int
    requesters: int
    expected: float  # the usual week: the place's own (surge), or places like it (persistent)
    ratio: float  # count / expected
    p_value: float  # the chance of a week this high at the usual rate


def poisson_tail(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam), accurate in the far tail (where warnings live)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    if k <= lam:  # the tail is at least about a half: the complement is accurate enough
        term = total = math.exp(-lam)
        for i in range(1, k):
            term *= lam / i
            total += term
        return max(0.0, 1.0 - total)
    # Sum the tail itself: its terms shrink at least geometrically once i > lam.
    term = math.exp(-lam + k * math.log(lam) - math.lgamma(k + 1))
    total, i = term, k
    while term > total * 1e-17:
        i += 1
        term *= lam / i
        total += term
    return min(1.0, total)


def _stands_out(week: Week, expected: float, rule: WarningRule) -> tuple[float, float] | None:
    """(expected, p) when ``week`` is high above ``expected`` by the rule, else None."""
    if week.count < rule.min_count or week.requesters < rule.min_requesters:
        return None
    expected = max(rule.floor, expected)
    p = poisson_tail(week.count, expected)
    return (expected, p) if week.count >= rule.min_ratio * expected and p <= rule.max_p else None


def judge(
    this: Week,
    before: Sequence[Week],
    rule: WarningRule = WarningRule(),
    peers: Sequence[float] = (),
) -> Verdict | None:
    """Whether ``this`` week warns, given the weeks ``before`` it (oldest first; only the
    last ``rule.baseline_weeks`` count; fewer when the history is shorter, but at least
    :data:`MIN_BASELINE_WEEKS`) and, for a persistent problem, what places like this one
    had week by week (``peers``: the city's rate times this place's population, oldest
    first, ending with this week)."""
    baseline = list(before)[-rule.baseline_weeks :]
    if len(baseline) < MIN_BASELINE_WEEKS:
        return None
    if this.count < rule.min_count or this.requesters < rule.min_requesters:
        return None
    expected = max(rule.floor, sum(w.count for w in baseline) / len(baseline))
    p = poisson_tail(this.count, expected)
    if this.count >= rule.min_ratio * expected and p <= rule.max_p:
        return Verdict(
            WarningKind.SURGE, this.count, this.requesters, expected, this.count / expected, p
        )
    weeks = [*list(before)[-(rule.persistent_weeks - 1) :], this]
    usual = list(peers)[-rule.persistent_weeks :]
    if len(weeks) < rule.persistent_weeks or len(usual) < rule.persistent_weeks:
        return None
    judged = [_stands_out(w, e, rule) for w, e in zip(weeks, usual, strict=True)]
    if any(j is None for j in judged):
        return None
    expected, p = judged[-1]  # type: ignore[misc]
    return Verdict(
        WarningKind.PERSISTENT, this.count, this.requesters, expected, this.count / expected, p
    )


# --- weeks ---------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    """``2026-W47``: the ISO week a Monday starts."""
    year, week, _ = monday.isocalendar()
    return f"{year:04d}-W{week:02d}"


def parse_week(label: str) -> date:
    """The Monday of an ISO week label (``2026-W47``); ValueError when it is not one."""
    try:
        year, week = label.split("-W")
        if len(year) != 4 or len(week) != 2:
            raise ValueError
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ValueError(f"not an ISO week such as 2026-W47: {label!r}") from None


def last_full_week(today: date) -> date:
    """The Monday of the last week that has ended by ``today`` (the week before this one)."""
    return monday_of(today) - timedelta(days=7)
