"""Generate a city's ticket history: ``simulate(ctx, days=30, tickets_per_day=300, seed=1)``.

The history ends at the context's clock and starts ``days`` before. Requests
arrive through each day with a hotline's hourly profile; each is planned
(requester, channel, type, category, place, intake outcome) and then lived
through the one state machine — ``lifecycle.receive`` and ``lifecycle.apply``
with hotline and unit actors — until its next step would lie after "now".
So old tickets are closed (some reopened and handled again), recent ones
wait in every open state: dispatched, acknowledged, in progress, objected,
extension pending, replied awaiting the return visit.

Persistence is per simulated day in one unit of work: the day's tickets are
numbered with ``next_ticket_number`` and added, their timeline events added
in one flush, and their outbox messages (as :func:`jiesu.notifications.messages_for`
decides, computed when each event happens) inserted in bulk and marked sent —
history is past. This is the same data ``jiesu.workflow.record`` writes, but
without a flush per event, which would make a month of Beijing take minutes.

Everything random comes from ``random.Random`` seeded with ``seed`` (unit
profiles from the seed and the unit's code), never from the wall clock, so the
same seed, city and end time give the same tickets, texts and events.
"""

from __future__ import annotations

import random
import re
import time as _time
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from itertools import accumulate

from jiesu.city.config import Unit, UnitKind
from jiesu.context import Context
from jiesu.domain.commands import ReferralReason
from jiesu.domain.ticket import (
    CHANNEL_LABELS_ZH,
    REQUEST_TYPE_LABELS_ZH,
    STATUS_LABELS_ZH,
    Channel,
    RequestType,
    Ticket,
    Urgency,
)
from jiesu.intake.requesters import recognise
from jiesu.storage import repository as repo
from jiesu.storage import tables
from jiesu.storage.mapping import map_domain
from jiesu.storage.uow import UnitOfWork

from .behaviour import Crew, Plan, Story, WorkingTime
from .texts import Place, Texts, Topic


@dataclass
class SimulationStats:
    """What a simulation wrote, and how long it took."""

    seed: int
    days: int
    start: datetime | None = None
    end: datetime | None = None
    tickets: int = 0
    events: int = 0
    messages: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_type: Counter = field(default_factory=Counter)
    by_channel: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def tickets_per_second(self) -> float:
        return self.tickets / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        def share(counter: Counter, labels: dict) -> str:
            total = sum(counter.values()) or 1
            return " · ".join(
                f"{labels.get(k, k)} {k} {n:,} ({n / total:.1%})" for k, n in counter.most_common()
            )

        span = ""
        if self.start and self.end:
            span = f"  {self.start:%Y-%m-%d %H:%M} → {self.end:%Y-%m-%d %H:%M} ({self.days} days)\n"
        return (
            f"模拟历史 simulated history, seed {self.seed}: {self.tickets:,} tickets, "
            f"{self.events:,} events, {self.messages:,} messages in {self.seconds:.1f} s "
            f"({self.tickets_per_second:,.0f} tickets/s)\n{span}"
            f"  状态 status:  {share(self.by_status, STATUS_LABELS_ZH)}\n"
            f"  类型 type:    {share(self.by_type, REQUEST_TYPE_LABELS_ZH)}\n"
            f"  渠道 channel: {share(self.by_channel, CHANNEL_LABELS_ZH)}"
        )


def simulate(
    ctx: Context, *, days: int = 30, tickets_per_day: int = 300, seed: int = 1
) -> SimulationStats:
    """Write ``days`` of history ending now, about ``tickets_per_day`` requests a day."""
    started = _time.perf_counter()
    map_domain()
    end = ctx.now().astimezone(ctx.city.tz).replace(microsecond=0)
    stats = SimulationStats(seed=seed, days=days, start=end - timedelta(days=max(days, 0)), end=end)
    if days <= 0 or tickets_per_day <= 0:
        return stats
    rng = random.Random(seed)
    sending = random.Random(f"{seed}:outbox")  # its own stream: storage never shifts the history
    texts = Texts(ctx.city)
    working = WorkingTime(ctx.city.tz, ctx.calendar.is_workday)
    planner = Planner(ctx, texts, rng, expected=days * tickets_per_day)
    crew = Crew(ctx.hotline_unit.code, seed, ctx.city.units_by_code)
    prefix = ctx.city.city.ticket_prefix
    assert stats.start is not None
    for day, lo, hi in _days(stats.start, end):
        volume = (
            tickets_per_day * WEEKDAY[day.weekday()] * rng.uniform(0.92, 1.08) * day_share(lo, hi)
        )
        seconds = sorted(arrival_seconds(rng, lo, hi) for _ in range(round(volume)))
        midnight = datetime.combine(day, time(0), ctx.city.tz)
        arrivals: list[datetime] = []
        for second in seconds:
            at = midnight + timedelta(seconds=int(second))
            if at < end and (not arrivals or at > arrivals[-1]):
                arrivals.append(at)  # one arrival per second, all before now
        with UnitOfWork(ctx.engine) as uow:
            stories = []
            numbers = repo.ticket_numbers(uow.session, prefix, day, len(arrivals))
            for number, at in zip(numbers, arrivals, strict=True):
                # Each ticket's handling draws from its own stream, so what happens after
                # intake never shifts the intake of the tickets that follow.
                story = Story(ctx, crew, working, texts, random.Random(rng.getrandbits(64)), end)
                story.live(planner.plan(number, at))
                stories.append(story)
            _persist(uow, stories, end, sending)
            uow.commit()
        for story in stories:
            t = story.ticket
            stats.tickets += 1
            stats.events += len(story.events)
            stats.messages += sum(len(m) for _, m in story.events)
            stats.by_status[str(t.status)] += 1
            stats.by_type[str(t.request_type)] += 1
            stats.by_channel[str(t.channel)] += 1
    stats.seconds = _time.perf_counter() - started
    return stats


def _days(start: datetime, end: datetime):
    """(date, from, to) for each local day of the window; ``to`` None means midnight."""
    day = start.date()
    while day <= end.date():
        lo = start.time() if day == start.date() else time(0)
        hi = end.time() if day == end.date() else None
        if hi is None or hi > lo:
            yield day, lo, hi
        day += timedelta(days=1)


def _persist(uow: UnitOfWork, stories: list[Story], end: datetime, rng: random.Random) -> None:
    """Tickets, then their events (one flush each), then the outbox rows in one insert."""
    if not stories:
        return
    session = uow.session
    for story in stories:  # requesters are recognised across tickets, as at a real intake
        t = story.ticket
        t.requester_id = recognise(session, t.requester_name, t.requester_phone, t.received_at)
    session.add_all([s.ticket for s in stories])
    uow.flush()
    events = []
    for story in stories:
        for event, _ in story.events:
            event.ticket_id = story.ticket.id
            events.append(event)
    session.add_all(events)
    uow.flush()
    rows = []
    for story in stories:
        ticket: Ticket = story.ticket
        for event, messages in story.events:
            for msg in messages:
                rows.append(
                    {
                        "topic": msg.topic,
                        "ticket_id": ticket.id,
                        "payload": msg.payload,
                        "idempotency_key": f"{ticket.number}:{event.id}:{msg.topic}:{msg.recipient}",
                        "created_at": event.at,
                        "available_at": event.at,
                        "attempts": 1,
                        "sent_at": min(event.at + timedelta(seconds=rng.randint(1, 90)), end),
                    }
                )
    if rows:
        session.execute(tables.outbox.insert(), rows)


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
#: For a street's whistle (H4): which district department fits which first-level area.
WHISTLE = {"城乡建设": "housing", "城市管理": "enforcement", "环境保护": "ecology", "交通运输": "transport",
           "市场监管": "market", "民政社区": "civil", "公共安全": "emergency", "农村农业": "agriculture",
           "水电气热": "water_affairs", "卫生计生": "health", "教育文体": "education",
           "劳动和社会保障": "hrss"}  # fmt: skip

_VILLAGE = re.compile(r"(村|村委会|村民委员会)$")


def _pick(rng: random.Random, pairs):
    return rng.choices([k for k, _ in pairs], [w for _, w in pairs])[0]


@dataclass
class Requester:
    name: str
    phone: str
    place: Place
    topic: Topic | None = None  # a frequent caller's own matter
    last: tuple[str, str, Topic, datetime] | None = None  # number, key, topic, when


class Planner:
    """Plans each request: requester, channel, type, category, place, lead unit, intake outcome."""

    def __init__(self, ctx: Context, texts: Texts, rng: random.Random, *, expected: int) -> None:
        self.ctx, self.texts, self.rng = ctx, texts, rng
        city = ctx.city
        self.hotline = ctx.hotline_unit.code
        self.units = city.units_by_code
        self._index(city.units)
        self.catalogue: dict[str, list] = {}
        for entry in city.dispatch_catalogue:
            self.catalogue.setdefault(entry.category, []).append(entry)
        self.hotlines = list(city.merged_hotlines.items())
        self.channels = [
            (ch, w) for ch, w in CHANNEL_MIX if ch != Channel.MERGED_HOTLINE or self.hotlines
        ]
        self._tables: dict[tuple, tuple[list[Topic], list[float]]] = {}
        self.requesters: list[Requester] = []
        self.frequent = [self._new_requester() for _ in range(max(3, expected // 350))]
        month = ctx.now().astimezone(city.tz).month
        for person in self.frequent:  # each keeps calling about one matter of theirs
            person.topic = self._topic(
                RequestType.COMPLAINT, month, person.place.village, None, False
            )

    # --- the city ----------------------------------------------------------------------------

    def _index(self, units: tuple[Unit, ...]) -> None:
        by_kind: dict[UnitKind, list[Unit]] = {}
        for unit in units:
            by_kind.setdefault(unit.kind, []).append(unit)
        self.city_government = (by_kind.get(UnitKind.CITY_GOVERNMENT) or [None])[0]
        self.city_depts = {
            u.department: u for u in by_kind.get(UnitKind.CITY_DEPARTMENT, []) if u.department
        }
        self.utilities = by_kind.get(UnitKind.UTILITY, [])
        self.district_depts: dict[tuple[str, str], Unit] = {}
        self.depts_of: dict[str, list[Unit]] = {}
        for u in by_kind.get(UnitKind.DISTRICT_DEPARTMENT, []):
            if u.parent:
                self.depts_of.setdefault(u.parent, []).append(u)
                if u.department:
                    self.district_depts[(u.parent, u.department)] = u
        self.streets_of: dict[str, list[Unit]] = {}
        for u in by_kind.get(UnitKind.STREET, []):
            self.streets_of.setdefault(u.parent or "", []).append(u)
        self.communities_of: dict[str, list[Unit]] = {}
        for u in by_kind.get(UnitKind.COMMUNITY, []):
            self.communities_of.setdefault(u.parent or "", []).append(u)
        self.places: list[Place] = []
        sites = (
            by_kind.get(UnitKind.COMMUNITY)
            or by_kind.get(UnitKind.STREET)
            or by_kind.get(UnitKind.DISTRICT, [])
        )
        for site in sites:
            district = self.ctx.city.district_of(site.code)
            street = self.units.get(site.parent or "") if site.kind is UnitKind.COMMUNITY else site
            village = bool(_VILLAGE.search(site.name))
            self.places.append(
                Place(
                    unit_code=site.code,
                    district=_district_label(district) if district else "",
                    street=street.name if street and street is not district else "",
                    community=site.name if site.kind is UnitKind.COMMUNITY else "",
                    short=_short(site),
                    village=village,
                    population=site.population or (1000 if village else 3000),
                )
            )
        if not self.places:
            raise ValueError(
                "the city has no districts, streets or communities to place requests in"
            )
        self._place_weights = list(accumulate(p.population for p in self.places))

    def lead_for(self, topic: Topic, request_type: str, place: Place) -> Unit:
        """The lead unit by the dispatch catalogue (D1), with territory as the fallback (D3)."""
        site = self.units[place.unit_code]
        street = self.units.get(site.parent or "") if site.kind is UnitKind.COMMUNITY else site
        district = self.ctx.city.district_of(site.code)
        entries = self.catalogue.get(topic.category, [])
        entry = next(
            (e for e in entries if not e.request_types or request_type in e.request_types), None
        )
        territory = street if street is not None and street.kind is UnitKind.STREET else district
        fallback = territory or district or self.city_government
        assert fallback is not None
        if entry is None:
            return fallback
        kind = entry.lead_kind
        if entry.unit and entry.unit in self.units:
            return self.units[entry.unit]
        if kind is UnitKind.COMMUNITY and site.kind is UnitKind.COMMUNITY:
            return site
        if kind is UnitKind.DISTRICT_DEPARTMENT and district is not None:
            return self.district_depts.get((district.code, entry.department or ""), district)
        if kind is UnitKind.CITY_DEPARTMENT:
            return self.city_depts.get(entry.department or "") or fallback
        if kind is UnitKind.UTILITY:
            return next((u for u in self.utilities if u.department == entry.department), fallback)
        if kind is UnitKind.DISTRICT and district is not None:
            return district
        if kind is UnitKind.CITY_GOVERNMENT and self.city_government is not None:
            return self.city_government
        return fallback

    def _neighbour(self, lead: Unit) -> Unit | None:
        """A unit of the same kind next door: where a mis-dispatch lands (jurisdiction)."""
        if lead.kind is UnitKind.STREET:
            pool = self.streets_of.get(lead.parent or "", [])
        elif lead.kind is UnitKind.COMMUNITY:
            pool = self.communities_of.get(lead.parent or "", [])
        elif lead.kind is UnitKind.DISTRICT_DEPARTMENT:
            pool = [u for (_, key), u in self.district_depts.items() if key == lead.department]
        else:
            return None
        others = [u for u in pool if u.code != lead.code]
        return self.rng.choice(others) if others else None

    def _co_handler(self, lead: Unit, topic: Topic, place: Place) -> Unit | None:
        """Whom the lead would summon: a street its district's department (H4), others the street."""
        site = self.units[place.unit_code]
        street = self.units.get(site.parent or "") if site.kind is UnitKind.COMMUNITY else None
        district = self.ctx.city.district_of(site.code)
        if lead.kind is UnitKind.STREET and district is not None:
            depts = self.depts_of.get(district.code, [])
            fit = self.district_depts.get((district.code, WHISTLE.get(topic.area, "")))
            return fit or (self.rng.choice(depts) if depts else None)
        if lead.kind is UnitKind.CITY_DEPARTMENT and district is not None:
            return self.district_depts.get((district.code, lead.department or "")) or street
        return street if street is not None and street.code != lead.code else None

    # --- requesters, channels, categories ------------------------------------------------------

    def _new_requester(self) -> Requester:
        name, phone = self.texts.requester(self.rng)
        i = bisect_right(self._place_weights, self.rng.random() * self._place_weights[-1])
        return Requester(name, phone, self.places[min(i, len(self.places) - 1)])

    def _requester(self) -> tuple[Requester, bool]:
        r = self.rng.random()
        if r < 0.035:
            return self.rng.choice(self.frequent), True
        if r < 0.1 and self.requesters:
            return self.rng.choice(self.requesters), False
        person = self._new_requester()
        self.requesters.append(person)
        return person, False

    def _topic(
        self, rtype: str, month: int, village: bool, hotline: str | None, urgent: bool
    ) -> Topic:
        key = (rtype, month, village, hotline, urgent)
        table = self._tables.get(key)
        if table is None:
            topics = list(self.texts.topics.values())
            if hotline:
                names = set(self.texts.hotline_topics(hotline))
                topics = [t for t in topics if names & set(t.category.split("/"))] or topics
            if urgent:
                topics = [t for t in topics if t.urgent_capable] or topics
            weights = list(accumulate(t.weight_for(rtype, month, village) for t in topics))
            table = self._tables[key] = (topics, weights)
        topics, weights = table
        i = bisect_right(weights, self.rng.random() * weights[-1])
        return topics[min(i, len(topics) - 1)]

    def _near(self, words: tuple[str, ...]) -> Topic | None:
        for word in words:
            for topic in self.texts.topics.values():
                if word in topic.category:
                    return topic
        return None

    # --- the plan ------------------------------------------------------------------------------

    def plan(self, number: str, at: datetime) -> Plan:
        rng = self.rng
        person, frequent = self._requester()
        place = person.place
        channel = _pick(rng, self.channels)
        hotline = rng.choice(self.hotlines) if channel == Channel.MERGED_HOTLINE else None
        rtype = _pick(rng, TYPE_MIX)
        outcome = _pick(rng, INTAKE[rtype])
        urgent = (
            outcome == "dispatch"
            and rtype in (RequestType.HELP, RequestType.COMPLAINT, RequestType.REPORT)
            and rng.random() < URGENT_SHARE
        )
        local = at.astimezone(self.ctx.city.tz)
        if frequent and person.topic is not None and rng.random() < 0.7:
            topic = person.topic
        else:
            topic = self._topic(
                rtype, local.month, place.village, hotline[1] if hotline else None, urgent
            )
        urgent = urgent and topic.urgent_capable
        ticket = Ticket(
            number=number,
            received_at=at,
            channel=channel,
            hotline=hotline[0] if hotline else None,
            request_type=rtype,
            category=topic.category,
            urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
            content="",
            requester_name=person.name,
            requester_phone=person.phone,
            location_unit_code=place.unit_code,
            confidential=rng.random() < 0.04,
            received_by_unit_code=self.hotline,
        )
        if outcome == "refer":
            plan = self._referral(ticket, person, place, topic, rtype, local)
        else:
            plan = self._taken(ticket, person, place, topic, rtype, outcome, hotline, local, urgent)
        person.last = (number, plan.key, plan.topic, local, ticket)
        return plan

    def _taken(self, ticket, person, place, topic, rtype, outcome, hotline, local, urgent) -> Plan:
        rng, texts = self.rng, self.texts
        lead = self.lead_for(topic, rtype, place)
        request = texts.request(rng, topic, rtype, place, channel=ticket.channel, hotline=hotline,
                                lead_name=lead.name, at=local, urgent=urgent,
                                confidential=ticket.confidential)  # fmt: skip
        ticket.title, ticket.content, ticket.address = (
            request.title,
            request.content,
            request.address,
        )
        plan = Plan(ticket=ticket, topic=topic, key=request.key, outcome=outcome, lead=lead)
        if outcome == "answer":
            if rtype == RequestType.CONSULT:
                plan.answer = texts.answer(rng, topic, request.key, lead.name)
            else:
                pool = (
                    "suggestion_answers"
                    if rtype == RequestType.SUGGESTION
                    else "direct_explanations"
                )
                actor = rng.choice(topic.pools.get("actors") or texts.book["actors_default"])
                plan.answer = texts.phrase(rng, pool, k=request.key, lead=lead.name, actor=actor)
            plan.source = f"kb/{topic.category}/{request.key}@v{rng.randint(1, 6)}"
            return plan
        if rng.random() < MISDISPATCH_SHARE and not urgent:
            plan.wrong_lead = self._neighbour(lead)
        plan.co_handler = self._co_handler(lead, topic, place)
        plan.co_at_dispatch = topic.hard >= 0.5 and rng.random() < 0.04
        return plan

    def _referral(self, ticket, person, place, topic, rtype, local) -> Plan:
        rng = self.rng
        reason = _pick(rng, REFERRALS[rtype])
        extra: dict[str, str] = {}
        original = None
        if reason == ReferralReason.REPEATED:
            # A repeat points at the stored original: one from an earlier (persisted) day.
            if person.last is None or person.last[4].id is None:
                reason = REFERRALS[rtype][0][0]
            else:
                number, key, topic, when, original = person.last
                extra = {"prev": number, "prev_k": key, "prev_date": f"{when.month}月{when.day}日"}
        hotline = (
            (ticket.hotline, self.ctx.city.merged_hotlines[ticket.hotline])
            if ticket.hotline
            else None
        )
        key, content, destination, near = self.texts.referral(
            rng, reason, place, channel=ticket.channel, hotline=hotline, at=local, **extra
        )
        topic = self._near(near) or topic  # filed where the matter belongs
        ticket.category, ticket.title, ticket.content = topic.category, key, content
        ticket.address = f"{place.district}{place.street}{place.community}"
        return Plan(
            ticket=ticket,
            topic=topic,
            key=key,
            outcome="refer",
            referral=(reason, destination),
            original=original,
        )


def _district_label(district: Unit) -> str:
    """The name people say: 朝阳区, not 朝阳区人民政府."""
    for alias in district.aliases:
        if alias != district.name and alias.endswith(("区", "县", "旗", "市")):
            return alias
    return re.sub(r"(人民政府|管理委员会|政府)$", "", district.name)


def _short(site: Unit) -> str:
    short = min((a for a in site.aliases if a and a in site.name), key=len, default="")
    return (
        short
        or re.sub(r"(社区居委会|社区|居委会|村委会|村民委员会|村|街道|地区|镇|乡)$", "", site.name)
        or site.name
    )
