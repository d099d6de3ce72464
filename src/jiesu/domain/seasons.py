"""Seasonal and periodic problems (G3; BJ Art. 25 (2), HH Art. 25): which matters will rise
next month, judged from the same time of past years — pure rules.

For a month ahead and one matter:

- **the seasonal rise** of a past year: that year's count in the month, against the mean of
  the three months before it (never taken as less than one request a month). Heating in
  November, flooding in July, exam enrolment in spring rise so every year;
- **the trend**: the last three full months against the same three months a year before,
  kept between ``min_trend`` and ``max_trend`` (a city that grew, or a problem fixed since);
- **the forecast**: last year's count in the month × the trend.

A matter is **expected to rise** when last year's rise was at least ``min_rise``, last year's
month had at least ``min_count`` requests, and the forecast is above what the last three
months brought on average. Two past years that both rose make it *periodic* (周期性).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeasonRule:
    min_count: int = 10
    min_rise: float = 1.5
    min_trend: float = 0.5
    max_trend: float = 2.0


@dataclass(frozen=True)
class Outlook:
    expected: float  # the forecast for the month
    recent: float  # the mean of the last three full months
    last_year: int  # the same month a year ago
    rise: float  # last year's rise into the month
    trend: float
    years_risen: int  # past years (of those known, up to two) that rose into the month


def rise(month: int, before: list[int]) -> float:
    return month / max(sum(before) / len(before), 1.0) if before else 0.0


def outlook(
    last_year: int,
    last_year_before: list[int],
    recent: list[int],
    recent_year_before: list[int],
    two_years_ago: tuple[int, list[int]] | None,
    rule: SeasonRule,
) -> Outlook | None:
    """The outlook of one matter, or None when it is not expected to rise seasonally."""
    r = rise(last_year, last_year_before)
    if last_year < rule.min_count or r < rule.min_rise:
        return None
    base = sum(recent_year_before)
    trend = sum(recent) / base if base >= rule.min_count else 1.0
    trend = min(max(trend, rule.min_trend), rule.max_trend)
    expected = last_year * trend
    mean = sum(recent) / len(recent) if recent else 0.0
    if expected <= mean:
        return None
    years = 1 + (two_years_ago is not None and rise(*two_years_ago) >= rule.min_rise)
    return Outlook(expected, mean, last_year, r, trend, years)
