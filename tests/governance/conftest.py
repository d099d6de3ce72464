"""The governance tests' scenario: a few weeks of requests (tests/governance/helpers.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.conftest import START, TZ

from .helpers import DONGHUA, HEATING, HEPINGLI, NANCHI, NOISE, PROPERTY, calls


@pytest.fixture
def weeks(client, auth, clock):
    """Three usual weeks (W45–W47, after a first request in W44), then W48: a surge of
    property complaints at 东华社区 from five neighbours; heating complaints at 和平里社区
    from three or more people every week; one person calling eight times about noise."""
    w48 = START.replace(hour=0)
    calls(client, auth, clock, w48 - timedelta(days=28), NANCHI, PROPERTY, ["13900000000"])
    for k in (3, 2, 1):
        monday = w48 - timedelta(days=7 * k)
        calls(client, auth, clock, monday, DONGHUA, PROPERTY, [f"1380000000{k}"])
        calls(client, auth, clock, monday, HEPINGLI, HEATING,
               [f"1370000{k}{i:03d}" for i in range(5)])  # fmt: skip
    calls(client, auth, clock, w48, DONGHUA, PROPERTY,
           [f"13600000{i:03d}" for i in (1, 2, 3, 4, 5, 1, 2)])  # fmt: skip
    calls(client, auth, clock, w48, HEPINGLI, HEATING, [f"1350000{i:04d}" for i in range(6)])
    calls(client, auth, clock, w48, NANCHI, NOISE, ["13400000000"] * 8)
    clock.now = datetime(2026, 12, 1, 8, 0, tzinfo=TZ)  # Tuesday of W49: W48 has ended
