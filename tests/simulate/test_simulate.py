"""The history simulator: deterministic, Beijing-like mixes, varied texts, consistent
timelines written through the one state machine, and units that really differ.

One history of a few thousand tickets is simulated once for the module on its own
database (a copy of the seeded SQLite template, or the PostgreSQL test database) and
read back into memory; the statistical tests look at that snapshot.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from jiesu.city.config import CityConfig, UnitKind
from jiesu.city.sync import sync_units
from jiesu.context import Context
from jiesu.domain.calendar import ChineseOfficialCalendar
from jiesu.domain.commands import ReferralReason
from jiesu.domain.ticket import Channel, RequestType, Status, Ticket, TimelineEvent
from jiesu.simulate import SimulationStats, simulate
from jiesu.simulate.profiles import PROFILES, behaviour_for
from jiesu.simulate.texts import Place, Texts, slot_names
from jiesu.simulate.topics import phrasebook
from jiesu.storage import tables
from jiesu.storage.db import make_engine
from jiesu.storage.migrate import upgrade
from jiesu.storage.uow import UnitOfWork
from tests.conftest import START, FakeClock, open_test_engine

SEED = 20261123


@dataclass
class History:
    stats: SimulationStats
    tickets: list[Ticket]
    events: dict[int, list[TimelineEvent]]  # by ticket id, in order
    outbox: list[dict]
    end: object


def _read(engine) -> tuple[list[Ticket], dict[int, list[TimelineEvent]], list[dict]]:
    with UnitOfWork(engine, write=False) as uow:
        tickets = list(uow.session.scalars(select(Ticket).order_by(tables.tickets.c.id)))
        for t in tickets:
            list(t.co_handlers)  # loaded before the session closes
        events: dict[int, list[TimelineEvent]] = defaultdict(list)
        stmt = select(TimelineEvent).order_by(tables.ticket_events.c.ticket_id, tables.ticket_events.c.at,
                                              tables.ticket_events.c.id)  # fmt: skip
        for e in uow.session.scalars(stmt):
            events[e.ticket_id].append(e)
        outbox = [dict(r._mapping) for r in uow.session.execute(select(tables.outbox))]
    return tickets, events, outbox


def _fresh_sqlite(path, city):
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    sync_units(engine, city)
    return engine


@pytest.fixture(scope="module")
def history(seeded, city, tmp_path_factory) -> History:
    engine = open_test_engine(seeded, tmp_path_factory.mktemp("sim"))
    try:
        ctx = Context(
            engine=engine, city=city, clock=FakeClock(START), calendar=ChineseOfficialCalendar()
        )
        stats = simulate(ctx, days=14, tickets_per_day=240, seed=SEED)
        tickets, events, outbox = _read(engine)
    finally:
        engine.dispose()
    return History(stats, tickets, events, outbox, START)


# --- determinism --------------------------------------------------------------------------


def _fingerprint(engine):
    tickets, events, outbox = _read(engine)
    return (
        [
            (t.number, t.received_at, t.channel, t.request_type, t.category, t.title, t.content,
             t.address, t.requester_name, t.requester_phone, t.status, t.lead_unit_code,
             t.satisfaction, [(c.unit_code, c.due) for c in t.co_handlers])
            for t in tickets
        ],
        [
            [(e.action, e.at, e.actor_username, e.from_status, e.to_status, e.reason, e.data)
             for e in events[t.id]]
            for t in tickets
        ],
        sorted((o["idempotency_key"].split(":")[0], o["topic"], o["created_at"]) for o in outbox),
    )  # fmt: skip


def test_same_seed_same_city_same_end_give_the_same_history(ctx, city, tmp_path):
    first = simulate(ctx, days=3, tickets_per_day=120, seed=7)
    other = _fresh_sqlite(tmp_path / "other.db", city)
    try:
        twin = Context(engine=other, city=city, clock=FakeClock(START), calendar=ctx.calendar)
        second = simulate(twin, days=3, tickets_per_day=120, seed=7)
        assert (first.tickets, first.events, first.messages) == (
            second.tickets,
            second.events,
            second.messages,
        )
        assert _fingerprint(ctx.engine) == _fingerprint(other)
    finally:
        other.dispose()


def test_another_seed_gives_another_history(city, tmp_path):
    engines = [_fresh_sqlite(tmp_path / f"{seed}.db", city) for seed in (1, 2)]
    try:
        for seed, engine in zip((1, 2), engines, strict=True):
            simulate(
                Context(engine=engine, city=city, clock=FakeClock(START)),
                days=1,
                tickets_per_day=60,
                seed=seed,
            )
        contents = [{t[6] for t in _fingerprint(e)[0]} for e in engines]
        # Short consultations may coincide by chance; the histories do not.
        assert len(contents[0] & contents[1]) <= 0.05 * min(map(len, contents))
    finally:
        for engine in engines:
            engine.dispose()


def test_unit_profiles_depend_on_seed_and_unit_only(city):
    units = city.units
    forward = {u.code: behaviour_for(3, u) for u in units}
    backward = {u.code: behaviour_for(3, u) for u in reversed(units)}
    assert forward == backward
    assert {b.profile.key for b in forward.values()} <= set(PROFILES)


# --- the mixes ----------------------------------------------------------------------------


def test_type_mix_is_close_to_beijing(history):
    types = Counter(t.request_type for t in history.tickets)
    n = len(history.tickets)
    assert n > 3000
    assert abs(types[RequestType.CONSULT] / n - 0.58) < 0.03
    assert set(types) == set(RequestType)
    assert types[RequestType.COMPLAINT] > types[RequestType.REPORT] > types[RequestType.PRAISE]


def test_channel_mix_is_mostly_phone(history):
    channels = Counter(t.channel for t in history.tickets)
    assert abs(channels[Channel.PHONE] / len(history.tickets) - 0.90) < 0.025
    assert {Channel.WEB, Channel.APP, Channel.WECHAT, Channel.WEIBO, Channel.MERGED_HOTLINE} <= set(
        channels
    )


def test_merged_hotline_tickets_name_a_merged_hotline(history, city):
    for t in history.tickets:
        if t.channel == Channel.MERGED_HOTLINE:
            assert t.hotline in city.merged_hotlines
        else:
            assert t.hotline is None


def test_intake_outcomes(history):
    consults = [t for t in history.tickets if t.request_type == RequestType.CONSULT]
    answered = [t for t in consults if t.status == Status.ANSWERED]
    assert 0.75 < len(answered) / len(consults) < 0.9
    assert all(t.answer_text for t in answered)
    referred = [t for t in history.tickets if t.status == Status.REFERRED]
    assert {t.referral_reason for t in referred} == {str(r) for r in ReferralReason}
    emergencies = {
        t.referral_destination for t in referred if t.referral_reason == ReferralReason.EMERGENCY
    }
    assert emergencies <= {"110", "119", "120", "122"} and len(emergencies) >= 3
    urgent = sum(t.urgency == "urgent" for t in history.tickets) / len(history.tickets)
    assert 0.005 < urgent < 0.04


# --- texts and places ---------------------------------------------------------------------


def test_texts_are_varied_and_realistic(history):
    sample = history.tickets[:1000]
    assert len({t.content for t in sample}) >= 0.8 * len(sample)
    assert len({t.title for t in sample}) >= 0.15 * len(sample)  # short keys, five categories here
    for t in sample:
        assert t.title and 2 <= len(t.content) <= 1000 and "{" not in t.content + t.title
        assert all("\u4e00" <= ch <= "\u9fff" for ch in t.requester_name[:1])
        assert t.requester_name.endswith(("先生", "女士"))
        assert t.requester_phone.isdigit() and len(t.requester_phone) == 11


def test_requests_are_placed_in_the_citys_communities(history, city):
    for t in history.tickets:
        community = city.unit(t.location_unit_code)
        assert community is not None and community.kind is UnitKind.COMMUNITY
        street = city.unit(community.parent)
        assert t.address.startswith(city.district_of(community.code).name.removesuffix("人民政府"))
        assert street.name in t.address and community.name in t.address


def test_some_requesters_call_repeatedly(history):
    calls = Counter(t.requester_phone for t in history.tickets)
    assert max(calls.values()) >= 5
    assert sum(1 for n in calls.values() if n > 1) > 50


def test_every_category_gets_a_topic_and_unknown_ones_fall_back(city):
    raw = city.model_dump(mode="json")
    raw["categories"] += [
        {"code": "奇怪分类", "name": "奇怪分类"},
        {"code": "城乡建设/某新事项", "name": "某新事项"},
    ]
    texts = Texts(CityConfig.model_validate(raw))
    assert texts.topics["城乡建设/物业管理"].own and not texts.topics["城乡建设/某新事项"].own
    rng = random.Random(1)
    place = Place("990101001001", "东区", "东华街道", "东华社区", "东华", False, 6000)
    for code in ("奇怪分类", "城乡建设/某新事项"):
        topic = texts.topics[code]
        contents = {
            texts.request(rng, topic, rtype, place, channel="phone", hotline=None, lead_name="东华街道",
                          at=START).content
            for rtype in ("complaint", "help", "report", "consult", "suggestion") for _ in range(20)
        }  # fmt: skip
        assert len(contents) > 50
        assert all("{" not in c for c in contents)


def test_phrase_book_uses_only_known_slots():
    known = {
        "place", "district", "street", "community", "cshort", "bldg", "unit_no", "room", "n", "n2", "hn",
        "temp", "days", "weeks", "months", "years", "money", "times", "hour", "shop", "date", "bus", "cat",
        "lead", "city", "channel_zh", "hotline", "hotline_name", "relative", "lane", "actor", "k", "deed",
        "thanks", "prev", "prev_k", "prev_date", "other", "new", "unit", "action", "constraint", "path",
    }  # fmt: skip

    def walk(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    unknown = {slot for s in walk(phrasebook()) for slot in slot_names(s)} - known
    assert not unknown


# --- timelines ----------------------------------------------------------------------------


def test_every_event_chain_is_consistent(history):
    for t in history.tickets:
        chain = history.events[t.id]
        assert chain[0].action == "receive" and chain[0].from_status is None
        assert chain[0].at == t.received_at
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_status == before.to_status, (t.number, before.action, after.action)
            assert after.at > before.at, (t.number, before.action, after.action)
        assert chain[-1].to_status == t.status
        assert chain[-1].at < history.end
        assert all(e.actor_user_id is None for e in chain)
        # Simulated staff, or the requester answering the return visit by the SMS link.
        assert all(e.actor_username.startswith(("sim-", "requester:")) for e in chain)


def test_numbers_follow_arrival_per_day(history, city):
    by_day = defaultdict(list)
    for t in history.tickets:
        by_day[t.number[: len(city.city.ticket_prefix) + 8]].append(t)
    for day, tickets in by_day.items():
        numbers = [t.number for t in sorted(tickets, key=lambda t: t.received_at)]
        assert numbers == sorted(numbers)
        local = tickets[0].received_at.astimezone(city.tz)
        assert day.endswith(local.strftime("%Y%m%d"))
        assert numbers[0].endswith("000001")


def test_handling_goes_through_every_kind_of_step(history):
    actions = Counter(e.action for chain in history.events.values() for e in chain)
    for action in ("dispatch", "acknowledge", "contact", "reply", "record_visit", "close", "reopen",
                   "raise_objection", "uphold_objection", "reject_objection", "request_extension",
                   "grant_extension", "add_co_handler", "co_handler_report", "escalate",
                   "decide_escalation", "contest_request", "decide_contest", "urge"):  # fmt: skip
        assert actions[action] > 0, action
    assert actions["decide_escalation"] <= actions["escalate"] < 0.05 * actions["dispatch"]
    assert actions["reopen"] < 0.1 * actions["close"]


def test_return_visits_come_by_every_channel_and_some_requesters_are_unreachable(history):
    """A1: phone, SMS link and web answers; a few never reached after the policy's tries."""
    visits = [v for t in history.tickets for v in t.visits]
    final = [v for v in visits if v.status != "pending"]
    channels = Counter(v.channel for v in final if v.status == "answered")
    assert channels["phone"] > channels["sms"] > channels["web"] > 0
    unreachable = [v for v in final if v.status == "unreachable"]
    assert 0.01 < len(unreachable) / len(final) < 0.1
    assert all(v.attempts == 3 and v.satisfaction is None for v in unreachable)


def test_open_tickets_wait_in_every_open_state(history):
    statuses = Counter(t.status for t in history.tickets)
    for status in (Status.DISPATCHED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REPLIED):
        assert statuses[status] > 0, status
    assert statuses[Status.CLOSED] > statuses[Status.IN_PROGRESS]
    # A ticket of the first days is done, unless its unit got more time or it was reopened.
    old = [t for t in history.tickets if t.received_at < history.end - timedelta(days=12)]
    plain = [t for t in old if t.extension_count == 0 and t.round == 1]
    assert len(plain) > 300
    assert all(t.status in (Status.CLOSED, Status.ANSWERED, Status.REFERRED) for t in plain)


def test_leads_follow_the_dispatch_catalogue(history, city):
    for t in history.tickets:
        if t.lead_unit_code is None or t.status in (Status.OBJECTED, Status.DISPATCHED):
            continue  # a mis-dispatch sits with the unit next door until it objects
        community = city.unit(t.location_unit_code)
        if t.category == "城乡建设/物业管理":
            assert t.lead_unit_code == community.parent
            assert t.supervising_unit_code == city.unit(community.parent).parent
        elif t.category == "城乡建设/供暖":
            assert t.lead_unit_code == "utility.heating"
        elif t.category == "交通运输/公交线路":
            assert t.lead_unit_code == "city.transport"


def test_outbox_holds_the_messages_marked_sent(history):
    assert len(history.outbox) == history.stats.messages
    assert all(o["sent_at"] is not None and o["sent_at"] >= o["created_at"] for o in history.outbox)
    assert len({o["idempotency_key"] for o in history.outbox}) == len(history.outbox)
    assert {o["topic"] for o in history.outbox} >= {
        "sms.requester",
        "unit.message",
        "handover.emergency",
    }


# --- units differ -------------------------------------------------------------------------


def test_units_differ_for_real_reasons(history, city):
    visited = defaultdict(list)
    for t in history.tickets:
        if t.satisfaction is not None:
            visited[t.lead_unit_code].append(t)
    rates = {
        unit: sum(t.satisfaction == "satisfied" for t in ts) / len(ts)
        for unit, ts in visited.items()
        if len(ts) >= 40
    }
    assert len(rates) >= 5
    assert max(rates.values()) - min(rates.values()) > 0.1
    late = {
        unit: sum(t.contacted_at > t.contact_due for t in ts) / len(ts)
        for unit, ts in visited.items()
        if len(ts) >= 40
    }
    assert max(late.values()) - min(late.values()) > 0.05
    profiles = {behaviour_for(SEED, city.unit(u)).profile.key for u in rates}
    assert len(profiles) >= 2


def test_stats_read_well(history):
    stats = history.stats
    assert stats.tickets == len(history.tickets)
    assert stats.events == sum(len(c) for c in history.events.values())
    assert sum(stats.by_status.values()) == sum(stats.by_type.values()) == stats.tickets
    assert stats.seconds > 0
    shown = str(stats)
    assert (
        f"{stats.tickets:,} tickets" in shown and "咨询 consult" in shown and "电话 phone" in shown
    )


def test_nothing_to_do_for_no_days(ctx):
    stats = simulate(ctx, days=0, tickets_per_day=300, seed=1)
    assert stats.tickets == 0
