"""The scenario the governance tests share (G1, G5): places, matters, and requests placed in
chosen weeks through the API."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.api.helpers import create

DONGHUA = "990101001001"  # 东华社区, 东华街道
NANCHI = "990101001002"  # 南池社区, 东华街道
HEPINGLI = "990101002001"  # 和平里社区, 和平街道
PROPERTY, HEATING, NOISE = "城乡建设/物业管理", "城乡建设/供暖", "城市管理/噪声扰民"
W48 = "2026-W48"  # the tests' START is its Monday, 2026-11-23


def calls(client, auth, clock, monday: datetime, place: str, category: str,
           phones: list[str]) -> None:  # fmt: skip
    """One request per phone, received through the week starting ``monday``."""
    for i, phone in enumerate(phones):
        clock.now = monday + timedelta(hours=10 + 5 * i)
        create(client, auth, location_unit_code=place, category=category,
               requester_phone=phone, address="")  # fmt: skip
