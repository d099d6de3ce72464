"""G5 on a simulated history: what the warning finds, and reading only the pairs that may
warn (``weekly.judged_weeks``) gives the same counts as reading every pair."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from jiesu.domain.hotspots import last_full_week
from jiesu.governance import warnings as gw
from jiesu.governance.weekly import count_weeks, judged_weeks
from tests.conftest import simulated


@pytest.fixture(scope="module")
def history(seeded, city, tmp_path_factory):
    """Five weeks of a small city, with the generator's outbreaks and chronic problems."""
    folder = tmp_path_factory.mktemp("governance")
    with simulated(seeded, city, folder, days=36, tickets_per_day=80, seed=7) as ctx:
        yield ctx


def _weeks(ctx):
    last = last_full_week(ctx.now().astimezone(ctx.city.tz).date())
    return [last - timedelta(days=7 * k) for k in range(4, -1, -1)]


def test_one_statement_reads_what_counting_every_pair_would(history):
    """``judged_weeks`` returns the pairs that may warn, with the same weeks as counting
    every pair (``count_weeks``), and each level's totals as their sums."""
    city, rule = history.city, history.city.warning_policy
    mondays = _weeks(history)
    with Session(history.engine) as s:
        full = count_weeks(s, city, mondays)
        some, totals = judged_weeks(s, city, mondays, rule.min_count)
    busy = {key for key, weeks in full.weeks.items() if weeks[-1].count >= rule.min_count}
    assert busy and set(some.weeks) == busy
    for (place, category), weeks in some.weeks.items():
        assert [w.count for w in weeks] == [w.count for w in full.weeks[(place, category)]]
        if city.units_by_code[place].kind == "community":
            assert weeks == full.weeks[(place, category)]
    for (kind, category), sums in totals.items():
        places = [k for k in full.weeks if k[1] == category and city.unit(k[0]).kind == kind]
        want = [sum(full.weeks[k][i].count for k in places) for i in range(len(mondays))]
        assert sums == want, (kind, category)


def test_a_simulated_history_warns_a_few_surges_and_no_flood(history):
    """The small city's five weeks: heating complaints rise as the heating season starts
    (November) and the generator's outbreaks come and go. Places that are busy every week
    are busy like places of their size, which is not a persistent problem."""
    found = []
    with Session(history.engine) as s:
        for monday in _weeks(history):
            week, _ = gw.find(history, s, monday)
            assert len(week) <= 3, [(h.place.name, h.category, h.verdict) for h in week]
            found += week
    assert [h for h in found if h.verdict.kind == "surge"]
    for h in found:  # each a community's or a street's, warned to its street
        assert h.street.kind == "street" and h.verdict.count >= 5 and h.verdict.requesters >= 3
