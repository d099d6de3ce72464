"""G5: the city's ``warning_policy`` is checked with the city file."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from jiesu.city.config import WarningPolicy


def test_a_warning_policy_that_could_never_warn_is_refused():
    """Thresholds under which nothing could ever warn are refused at start, not found out
    in production."""
    for bad in ({"baseline_weeks": 1}, {"baseline_weeks": 3, "persistent_weeks": 5},
                {"max_p": 0}, {"min_ratio": 0.5}):  # fmt: skip
        with pytest.raises(ValidationError):
            WarningPolicy(**bad)
    assert WarningPolicy(baseline_weeks=3, persistent_weeks=4).rule().persistent_weeks == 4


def test_a_report_policy_under_which_everything_or_nothing_would_count_is_refused():
    """G4: a rise that is no rise, a drop of nothing, no recommendation at all."""
    from jiesu.city.config import ReportPolicy

    for bad in ({"rise_ratio": 1.0}, {"rate_drop": 0}, {"stall_months": 0}, {"max_items": 0},
                {"stall_fall": 1}):  # fmt: skip
        with pytest.raises(ValidationError):
            ReportPolicy(**bad)
    assert ReportPolicy(rise_ratio=2).thresholds().rise_ratio == 2
