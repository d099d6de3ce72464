"""A city hotline's traffic in numbers, for the simulated history: when requests come,
what they are, how they come and what the hotline does with them at intake.

:func:`~.generator.simulate` draws each day's arrivals from the hourly and weekday
profiles; :class:`~.planning.Planner` draws each request from the mixes (types as
in Beijing, I3; channels, I1).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import time
from itertools import accumulate

from jiesu.domain.ticket import Channel, RequestType

# --- when requesters call -------------------------------------------------------------------

#: Relative call volume per hour of the day (0–23) on a city hotline: peaks 9–11 and 14–16.
HOURLY = (
    0.6, 0.4, 0.3, 0.25, 0.25, 0.4, 1.0, 2.5, 5.5, 8.5, 9.0, 7.5,
    5.0, 5.5, 7.8, 8.0, 7.0, 5.5, 4.0, 3.5, 3.2, 2.7, 1.8, 1.1,
)  # fmt: skip
#: Relative volume per weekday (Monday first); the mean is 1.
WEEKDAY = (1.12, 1.05, 1.02, 1.0, 0.98, 0.9, 0.93)
_CUMULATIVE = (0.0, *accumulate(HOURLY))


def _cum(t: time | None) -> float:
    if t is None:
        return _CUMULATIVE[-1]
    hours = t.hour + t.minute / 60 + t.second / 3600
    h = int(hours)
    return _CUMULATIVE[h] + (hours - h) * HOURLY[h]


def day_share(start: time, end: time | None) -> float:
    """Share of a day's calls between two times of day (``end`` None: midnight)."""
    return (_cum(end) - _cum(start)) / _CUMULATIVE[-1]


def arrival_seconds(rng: random.Random, start: time, end: time | None) -> float:
    """A second of the day drawn from the hourly profile, between ``start`` and ``end``."""
    u = rng.uniform(_cum(start), _cum(end))
    h = min(bisect_right(_CUMULATIVE, u) - 1, 23)
    return (h + (u - _CUMULATIVE[h]) / HOURLY[h]) * 3600


# --- what is asked, by whom, where, and what the hotline does with it -------------------------

#: Beijing's mix of request types: about 58 % consultations (I3).
TYPE_MIX = (
    (RequestType.CONSULT, 0.58),
    (RequestType.HELP, 0.16),
    (RequestType.COMPLAINT, 0.18),
    (RequestType.REPORT, 0.04),
    (RequestType.SUGGESTION, 0.03),
    (RequestType.PRAISE, 0.01),
)
#: About nine in ten requests come by phone (I1).
CHANNEL_MIX = (
    (Channel.PHONE, 0.90),
    (Channel.APP, 0.03),
    (Channel.WECHAT, 0.025),
    (Channel.WEB, 0.02),
    (Channel.WEIBO, 0.005),
    (Channel.MERGED_HOTLINE, 0.02),
)
#: What the hotline does at intake, by type: answer from the knowledge base (I4), refer (I5),
#: or dispatch. Consultations are mostly answered at once.
INTAKE = {
    RequestType.CONSULT: (("answer", 0.82), ("refer", 0.05), ("dispatch", 0.13)),
    RequestType.HELP: (("answer", 0.10), ("refer", 0.05), ("dispatch", 0.85)),
    RequestType.COMPLAINT: (("answer", 0.05), ("refer", 0.04), ("dispatch", 0.91)),
    RequestType.REPORT: (("refer", 0.04), ("dispatch", 0.96)),
    RequestType.SUGGESTION: (("answer", 0.3), ("dispatch", 0.7)),
    RequestType.PRAISE: (("dispatch", 1.0),),
}
#: Why a request of each type is referred (BJ Art. 11); a repeat needs an earlier ticket.
REFERRALS = {
    RequestType.CONSULT: (("out_of_scope", 0.4), ("secret_or_privacy", 0.2), ("legal_channel", 0.2),
                          ("handover", 0.1), ("repeated", 0.1)),
    RequestType.HELP: (("emergency", 0.45), ("out_of_scope", 0.2), ("illegal", 0.1), ("handover", 0.1),
                       ("repeated", 0.15)),
    RequestType.COMPLAINT: (("emergency", 0.25), ("legal_channel", 0.3), ("repeated", 0.3),
                            ("handover", 0.1), ("illegal", 0.05)),
    RequestType.REPORT: (("emergency", 0.5), ("legal_channel", 0.3), ("repeated", 0.2)),
}  # fmt: skip
#: Share of dispatched help/complaint/report tickets that are urgent: ~2 % of all (H7).
URGENT_SHARE = 0.06
#: Share of dispatches first sent to a neighbouring unit, which objects (D5).
MISDISPATCH_SHARE = 0.03
