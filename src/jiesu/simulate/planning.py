"""Plans each request of a simulated history: who asks what, where, how, and what then.

:class:`Planner` draws a request's requester (new, returning, or a frequent caller
about their own matter), channel, type, category and place from the mixes of
:mod:`.traffic`, writes its texts (:mod:`.texts`), and decides what the hotline does
with it: answer at once from the knowledge base (I4), refer (I5), or dispatch to the
lead unit by the dispatch catalogue (D1, territory as the fallback, D3), now and then
first to the unit next door (D5), with a unit the lead may summon (H1, H4). The
:class:`Plan` is what :class:`~.behaviour.Story` then lives through the state machine.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate

from jiesu.city.config import Unit, UnitKind
from jiesu.context import Context
from jiesu.domain.commands import ReferralReason
from jiesu.domain.ticket import Channel, RequestType, Ticket, Urgency

from .clusters import Clusters
from .texts import Place, Texts
from .topics import Topic
from .traffic import CHANNEL_MIX, INTAKE, MISDISPATCH_SHARE, REFERRALS, TYPE_MIX, URGENT_SHARE

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


@dataclass
class Plan:
    """A request as taken, and what the hotline will do with it (made by :class:`Planner`)."""

    ticket: Ticket  # recorded, not yet through the lifecycle
    topic: Topic
    key: str  # what it is about, for answers and replies
    outcome: str  # answer | refer | dispatch
    lead: Unit | None = None
    wrong_lead: Unit | None = None  # dispatched here first; it objects and is upheld (D5)
    co_handler: Unit | None = None  # whom the lead summons, if it does (H1, H4)
    co_at_dispatch: bool = False  # the dispatcher names the co-handler at once
    referral: tuple[str, str] | None = None  # (reason, destination)
    original: Ticket | None = None  # a repeated request's first ticket (already stored)
    answer: str = ""
    source: str | None = None


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
        self.clusters: Clusters | None = None  # outbreaks and chronic problems (G5)
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

    def place(self, rng: random.Random) -> Place:
        """A place, drawn by population."""
        i = bisect_right(self._place_weights, rng.random() * self._place_weights[-1])
        return self.places[min(i, len(self.places) - 1)]

    def _new_requester(self) -> Requester:
        name, phone = self.texts.requester(self.rng)
        return Requester(name, phone, self.place(self.rng))

    def complaint_topic(self, rng: random.Random, month: int, village: bool) -> Topic:
        return self._topic(RequestType.COMPLAINT, month, village, None, False, rng)

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
        self,
        rtype: str,
        month: int,
        village: bool,
        hotline: str | None,
        urgent: bool,
        rng: random.Random | None = None,
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
        i = bisect_right(weights, (rng or self.rng).random() * weights[-1])
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
        local = at.astimezone(self.ctx.city.tz)
        cluster = self.clusters.pick(local.date()) if self.clusters else None
        person, frequent = self._requester()
        place = person.place
        channel = _pick(rng, self.channels)
        hotline = rng.choice(self.hotlines) if channel == Channel.MERGED_HOTLINE else None
        rtype = _pick(rng, TYPE_MIX)
        if cluster is not None:  # a neighbour complaining (the same draws, so nothing shifts)
            rtype = RequestType.COMPLAINT
        outcome = _pick(rng, INTAKE[rtype])
        urgent = (
            outcome == "dispatch"
            and rtype in (RequestType.HELP, RequestType.COMPLAINT, RequestType.REPORT)
            and rng.random() < URGENT_SHARE
        )
        if frequent and person.topic is not None and rng.random() < 0.7:
            topic = person.topic
        else:
            topic = self._topic(
                rtype, local.month, place.village, hotline[1] if hotline else None, urgent
            )
        if cluster is not None and self.clusters is not None:
            name, phone = self.texts.requester(self.clusters.rng)
            person, place, topic = (
                Requester(name, phone, cluster.place),
                cluster.place,
                cluster.topic,
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
