"""How the people in a simulated history behave: units, the hotline and requesters.

Rankings built from a simulated history are only worth looking at if units
differ for reasons one can name. Each handling unit therefore gets one of a
few **handling profiles**, drawn deterministically from the seed and the
unit's code (so adding a unit elsewhere changes no other unit's profile),
plus a small per-unit spread so two units of the same profile are not
identical. The profiles, and what they do to the three rates (A2):

``diligent`` 勤勉型
    Acknowledges within minutes, contacts early, rarely needs an extension,
    solves most matters and is polite: high response, resolution and
    satisfaction rates.
``average`` 常规型
    Acknowledges within an hour or two, contacts within the deadline almost
    always, solves a good majority: the bulk of units, rates near the city mean.
``sluggish`` 拖沓型
    Acknowledges late (often next working day), misses a fifth of contact
    deadlines and a share of completion deadlines, asks for extensions:
    low response rate, resolution and satisfaction suffer from lateness.
``perfunctory`` 敷衍型
    Fast on paper — acknowledges and replies quickly — but mostly "explains"
    instead of solving: good response rate, poor resolution and satisfaction.
``troubled`` 困难型
    Overloaded with hard matters (old estates, disputes): many extensions,
    objections raised against dispatch, many "not solvable for now" replies;
    requesters are often unsatisfied although the unit works.

Utilities (7×24, H6) and urgent tickets (H7) act around the clock; every
other unit works 08:30–18:00 on working days, and on rest days only as often
as its ``rest_day_duty`` says. A step a unit means to take in time is not
pushed past its deadline by working hours. The hotline itself works around
the clock (intake and dispatch) and makes return visits, objection reviews
and extension decisions between 09:00 and 20:30.

:class:`Story` lives one ticket through the state machine with these habits:
receive → answer directly / refer / dispatch (sometimes first to the unit next
door, which objects and is re-dispatched) → acknowledge (a groundless objection
first, now and then, which is rejected) → contact (sometimes unreachable first)
→ co-handler summoned and reporting → extension (approved or refused where the
city wants approval) → reply → return visit (solved? satisfied?) → close, or
reopen and handle once more when the requester is unsatisfied and unsolved.
It stops at the first step that would lie after the end of the history.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from jiesu.city.config import Unit, UnitKind
from jiesu.context import Context
from jiesu.dispatch.deadlines import deadlines_for, supervising_unit
from jiesu.domain import commands as c
from jiesu.domain import lifecycle
from jiesu.domain.commands import ContactMethod, ContactOutcome
from jiesu.domain.deadlines import due_after
from jiesu.domain.roles import Actor, Role
from jiesu.domain.ticket import (
    STATUS_LABELS_ZH,
    Channel,
    ReplyOutcome,
    RequestType,
    Satisfaction,
    Status,
    Ticket,
    TimelineEvent,
    Urgency,
)
from jiesu.followup.visits import requester_actor
from jiesu.notifications import Message, messages_for

from .coordination import CoordinationSteps
from .texts import Texts, Topic


@dataclass(frozen=True)
class Profile:
    """The handling habits of one kind of unit; shares are probabilities per ticket."""

    key: str
    label_zh: str
    ack_minutes: tuple[float, float]  # delay to acknowledge, log-uniform between the two
    late_contact: float  # share of first contacts after the contact deadline
    unreachable: float  # share of first contact attempts that fail
    objection: float  # share of dispatches the unit contests without grounds (rejected)
    extension: float  # share of tickets on which the unit asks for more time
    late_reply: float  # share of replies after the completion deadline
    reply_share: tuple[float, float]  # part of the time left to the deadline used before replying
    outcomes: tuple[float, float, float]  # weights of solved, explained, not_solvable_now
    attitude: float  # added to the requester's chance of being satisfied
    rest_day_duty: float  # chance the unit acts on a rest day
    co_handling: float  # share of tickets on which the lead summons a co-handler


PROFILES: dict[str, Profile] = {
    p.key: p
    for p in (
        Profile("diligent", "勤勉型", (5, 45), 0.01, 0.04, 0.002, 0.03, 0.005,
                (0.05, 0.35), (0.90, 0.08, 0.02), 0.06, 0.6, 0.10),
        Profile("average", "常规型", (15, 150), 0.04, 0.06, 0.01, 0.06, 0.03,
                (0.15, 0.7), (0.80, 0.15, 0.05), 0.0, 0.25, 0.08),
        Profile("sluggish", "拖沓型", (120, 1200), 0.22, 0.08, 0.03, 0.14, 0.16,
                (0.5, 0.98), (0.70, 0.20, 0.10), -0.08, 0.05, 0.05),
        Profile("perfunctory", "敷衍型", (5, 40), 0.03, 0.05, 0.01, 0.02, 0.01,
                (0.02, 0.2), (0.40, 0.55, 0.05), -0.10, 0.3, 0.02),
        Profile("troubled", "困难型", (30, 480), 0.10, 0.10, 0.08, 0.30, 0.14,
                (0.4, 0.95), (0.50, 0.22, 0.28), -0.05, 0.4, 0.15),
    )
}  # fmt: skip

#: How often each profile is drawn, by kind of unit. Utilities are run like
#: service companies (mostly quick); communities and streets spread widest.
PROFILE_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "utility": (("diligent", 0.45), ("average", 0.4), ("perfunctory", 0.1), ("sluggish", 0.05)),
    "default": (
        ("diligent", 0.25),
        ("average", 0.42),
        ("sluggish", 0.14),
        ("perfunctory", 0.11),
        ("troubled", 0.08),
    ),
}


@dataclass(frozen=True)
class UnitBehaviour:
    """A unit's profile with its own spread applied: what the simulator reads."""

    unit_code: str
    profile: Profile
    around_the_clock: bool
    ack_minutes: tuple[float, float]
    late_contact: float
    unreachable: float
    objection: float
    extension: float
    late_reply: float
    reply_share: tuple[float, float]
    outcomes: tuple[float, float, float]
    attitude: float
    rest_day_duty: float
    co_handling: float


#: Whom a street's whistle may summon (H4): departments and utilities, not other streets.
_SUMMONABLE = frozenset({UnitKind.DISTRICT_DEPARTMENT, UnitKind.CITY_DEPARTMENT, UnitKind.UTILITY})


def _clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


def behaviour_for(seed: int, unit: Unit) -> UnitBehaviour:
    """The unit's behaviour: a function of the seed and the unit alone (not of other units)."""
    rng = random.Random(f"jiesu-sim:{seed}:unit:{unit.code}")
    mix = PROFILE_MIX["utility" if unit.kind is UnitKind.UTILITY else "default"]
    profile = PROFILES[rng.choices([k for k, _ in mix], [w for _, w in mix])[0]]
    spread = rng.uniform(0.7, 1.3)  # how much more (or less) of the profile's faults
    solved, explained, unsolvable = profile.outcomes
    quality = rng.uniform(-0.06, 0.06)
    lo, hi = profile.ack_minutes
    return UnitBehaviour(
        unit_code=unit.code,
        profile=profile,
        around_the_clock=unit.around_the_clock,
        ack_minutes=(lo * spread, hi * spread),
        late_contact=_clamp(profile.late_contact * spread),
        unreachable=_clamp(profile.unreachable * spread),
        objection=_clamp(profile.objection * spread),
        extension=_clamp(profile.extension * spread),
        late_reply=_clamp(profile.late_reply * spread),
        reply_share=profile.reply_share,
        outcomes=(max(0.05, solved + quality), explained, max(0.01, unsolvable - quality / 2)),
        attitude=profile.attitude + quality,
        rest_day_duty=profile.rest_day_duty,
        co_handling=profile.co_handling,
    )


# --- working hours --------------------------------------------------------------------------

UNIT_DAY = (time(8, 30), time(18, 0))
DESK_DAY = (time(9, 0), time(20, 30))
UNREACHABLE_SHARE = 0.04  # requesters never reached at the return visit


class WorkingTime:
    """Moves a moment into someone's working hours, given the city's working-day calendar."""

    def __init__(self, tz: ZoneInfo, is_workday: Callable[[date], bool]) -> None:
        self.tz = tz
        self._is_workday = is_workday
        self._cache: dict[date, bool] = {}

    def is_workday(self, day: date) -> bool:
        found = self._cache.get(day)
        if found is None:
            found = self._cache[day] = bool(self._is_workday(day))
        return found

    def unit_time(
        self, at: datetime, who: UnitBehaviour, rng: random.Random, *, urgent: bool = False
    ) -> datetime:
        """``at`` if the unit works then, else when it next starts work (plus a little)."""
        if urgent or who.around_the_clock:
            return at
        return self._within(
            at, UNIT_DAY, rng, lambda d: self.is_workday(d) or rng.random() < who.rest_day_duty
        )

    def desk_time(self, at: datetime, rng: random.Random) -> datetime:
        """The hotline's day shift, every day: return visits (A1), objection reviews, extensions."""
        return self._within(at, DESK_DAY, rng, lambda d: True)

    def _within(
        self,
        at: datetime,
        hours: tuple[time, time],
        rng: random.Random,
        works_on: Callable[[date], bool],
    ) -> datetime:
        local = at.astimezone(self.tz)
        for _ in range(20):  # at most a long holiday away
            day = local.date()
            start = datetime.combine(day, hours[0], self.tz)
            end = datetime.combine(day, hours[1], self.tz)
            if local < end and works_on(day):
                if local >= start:
                    return local
                return start + timedelta(minutes=rng.uniform(0, 75))
            local = datetime.combine(day + timedelta(days=1), time(0), self.tz)
        return local


# --- the people acting ------------------------------------------------------------------------


class Crew:
    """Who acts in the history: hotline operators and dispatchers, and one handler per unit.

    Actors carry no user id (``user_id=None``): simulated staff have no login.
    """

    def __init__(self, hotline_unit: str, seed: int, units: dict[str, Unit]) -> None:
        self.hotline = hotline_unit
        self._seed = seed
        self._units = units
        self.operators = [
            Actor(None, f"sim-operator-{i:02d}", Role.OPERATOR, hotline_unit) for i in range(1, 25)
        ]
        self.dispatchers = [
            Actor(None, f"sim-dispatcher-{i:02d}", Role.DISPATCHER, hotline_unit)
            for i in range(1, 9)
        ]
        self.supervisors = [
            Actor(None, f"sim-supervisor-{i:02d}", Role.SUPERVISOR, hotline_unit)
            for i in range(1, 4)
        ]
        self._handlers: dict[str, Actor] = {}
        self._behaviours: dict[str, UnitBehaviour] = {}

    def operator(self, rng: random.Random) -> Actor:
        return rng.choice(self.operators)

    def dispatcher(self, rng: random.Random) -> Actor:
        return rng.choice(self.dispatchers)

    def supervisor(self, rng: random.Random) -> Actor:
        return rng.choice(self.supervisors)

    def handler(self, unit_code: str) -> Actor:
        actor = self._handlers.get(unit_code)
        if actor is None:
            actor = Actor(None, f"sim-handler-{unit_code}"[:64], Role.UNIT_HANDLER, unit_code)
            self._handlers[unit_code] = actor
        return actor

    def behaviour(self, unit_code: str) -> UnitBehaviour:
        found = self._behaviours.get(unit_code)
        if found is None:
            found = self._behaviours[unit_code] = behaviour_for(self._seed, self._units[unit_code])
        return found


@dataclass
class Plan:
    """A request as taken, and what the hotline will do with it (made by the generator)."""

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


def _minutes(rng: random.Random, lo: float, hi: float) -> timedelta:
    """Log-uniform: most waits are short, a few are long."""
    return timedelta(
        minutes=math.exp(rng.uniform(math.log(max(lo, 0.5)), math.log(max(hi, lo + 1))))
    )


def _between(rng: random.Random, lo: timedelta, hi: timedelta) -> timedelta:
    return timedelta(seconds=rng.uniform(lo.total_seconds(), max(hi, lo).total_seconds()))


H, M = timedelta(hours=1), timedelta(minutes=1)
_CONTACT_METHODS = (
    (ContactMethod.PHONE, 0.74),
    (ContactMethod.VISIT, 0.18),
    (ContactMethod.SMS, 0.04),
    (ContactMethod.ONLINE, 0.04),
)


class Story(CoordinationSteps):
    """One ticket lived through the state machine until its next step would lie after ``end``."""

    def __init__(
        self,
        ctx: Context,
        crew: Crew,
        working: WorkingTime,
        texts: Texts,
        rng: random.Random,
        end: datetime,
    ) -> None:
        self.ctx, self.crew, self.working, self.texts, self.rng, self.end = (
            ctx, crew, working, texts, rng, end
        )  # fmt: skip
        self.events: list[tuple[TimelineEvent, list[Message]]] = []
        self.done = False

    # --- the mechanics ---------------------------------------------------------------------

    def _record(self, event: TimelineEvent) -> None:
        self.events.append((event, messages_for(self.ticket, event, self.crew.hotline)))

    def _step(self, when: datetime, make: Callable[[datetime], tuple[c.Command, Actor]]) -> bool:
        """Apply ``make(at)`` at ``when`` (at least a minute after the last event), unless
        that lies after the end of the history; then the ticket stays where it is."""
        if self.done:
            return False
        when = when.replace(microsecond=0)
        if when < self.last + M:
            when = self.last + M + timedelta(seconds=self.rng.randint(0, 240))
        if when >= self.end:
            self.done = True
            return False
        command, actor = make(when)
        self._record(lifecycle.apply(self.ticket, command, actor, when))
        self.last = when
        return True

    def _work(self, at: datetime, unit_code: str) -> datetime:
        urgent = self.ticket.urgency == Urgency.URGENT
        return self.working.unit_time(at, self.crew.behaviour(unit_code), self.rng, urgent=urgent)

    def _in_time(self, target: datetime, due: datetime, unit_code: str) -> datetime:
        """A step the unit means to take before ``due``: if working hours would push it past
        the deadline, the unit does it soon after its last step instead."""
        at = self._work(target, unit_code)
        if at > due:
            at = self._work(self.last + _between(self.rng, 5 * M, 60 * M), unit_code)
        return at

    # --- intake ----------------------------------------------------------------------------

    def live(self, plan: Plan) -> None:
        rng, t = self.rng, plan.ticket
        self.ticket, self.plan = t, plan
        self.operator = self.crew.operator(rng)
        self._record(lifecycle.receive(t, self.operator))
        self.last = t.received_at
        online = t.channel not in (Channel.PHONE, Channel.MERGED_HOTLINE)
        if plan.outcome == "answer":
            wait = _between(rng, 15 * M, 4 * H) if online else _between(rng, 1.5 * M, 9 * M)
            command = c.AnswerDirectly(answer=plan.answer, source=plan.source)
            self._step(self.last + wait, lambda at: (command, self.operator))
        elif plan.outcome == "refer":
            assert plan.referral is not None
            reason, destination = plan.referral
            wait = _between(rng, 10 * M, 2 * H) if online else _between(rng, 1 * M, 6 * M)
            original = plan.original
            command = c.Refer(
                referral_reason=reason,
                destination=destination,
                reason=c.REFERRAL_REASON_LABELS_ZH[c.ReferralReason(reason)],
                original_ticket_id=original.id if original else None,
                original_number=original.number if original else "",
                original_progress=STATUS_LABELS_ZH[Status(original.status)] if original else "",
            )
            self._step(self.last + wait, lambda at: (command, self.operator))
        else:
            self._dispatch(plan, online)

    def _dispatch(self, plan: Plan, online: bool) -> None:
        rng, t, ctx = self.rng, self.ticket, self.ctx
        assert plan.lead is not None
        first = plan.wrong_lead or plan.lead
        night = t.received_at.astimezone(ctx.city.tz).hour < 7
        if t.urgency == Urgency.URGENT:
            wait = _between(rng, 1 * M, 6 * M)
        elif online or night:
            wait = _between(rng, 20 * M, 5 * H)
        else:
            wait = _between(rng, 4 * M, 50 * M)
        dispatcher = self.crew.dispatcher(rng)

        def dispatch(at: datetime):
            deadlines = deadlines_for(ctx, t, first, at)
            co = ()
            if plan.co_at_dispatch and plan.co_handler and plan.wrong_lead is None:
                task = self.texts.phrase(rng, "co_tasks", k=plan.key)
                co = ((plan.co_handler.code, task, deadlines.completion_due),)
            return c.Dispatch(lead_unit_code=first.code, supervising_unit_code=supervising_unit(ctx, first),
                              deadlines=deadlines, co_handlers=co), dispatcher  # fmt: skip

        if not self._step(self.last + wait, dispatch):
            return
        if plan.wrong_lead is not None:  # a mis-dispatch: the unit objects, the desk re-dispatches
            wrong, lead = plan.wrong_lead, plan.lead
            reason = self.texts.objection(rng, "jurisdiction", lead.name)
            objection = c.RaiseObjection(grounds="jurisdiction", reason=reason, evidence="现场核实")
            at = self._work(self.last + _between(rng, 10 * M, 3 * H), wrong.code)
            if not self._step(at, lambda _: (objection, self.crew.handler(wrong.code))):
                return

            def uphold(at: datetime):
                return c.UpholdObjection(
                    lead_unit_code=lead.code,
                    supervising_unit_code=supervising_unit(ctx, lead),
                    deadlines=deadlines_for(ctx, t, lead, at),
                    reason=self.texts.phrase(rng, "objection_upheld", new=lead.name),
                ), dispatcher

            if not self._step(
                self.working.desk_time(self.last + _between(rng, 20 * M, 5 * H), rng), uphold
            ):
                return
        self._handle(first_round=True)

    # --- handling (H1–H3) and follow-up (A1) -----------------------------------------------

    def _handle(self, *, first_round: bool) -> None:
        rng, t, plan, texts = self.rng, self.ticket, self.plan, self.texts
        lead = plan.lead
        assert lead is not None
        b = self.crew.behaviour(lead.code)
        me = self.crew.handler(lead.code)
        urgent = t.urgency == Urgency.URGENT
        desk = self.crew.dispatcher(rng)

        def do(at: datetime, command: c.Command, actor: Actor = me) -> bool:
            return self._step(at, lambda _: (command, actor))

        if first_round and not urgent and rng.random() < b.objection:  # groundless: rejected
            reason = texts.objection(rng, "duty", "相关职能部门")
            at = self._work(self.last + _minutes(rng, *b.ack_minutes), lead.code)
            if not do(at, c.RaiseObjection(grounds="duty", reason=reason)):
                return
            rejection = c.RejectObjection(reason=texts.pick(rng, "objection_rejected"))
            if not do(
                self.working.desk_time(self.last + _between(rng, 30 * M, 6 * H), rng),
                rejection,
                desk,
            ):
                return
        ack = _between(rng, 2 * M, 12 * M) if urgent else _minutes(rng, *b.ack_minutes)
        if not do(self._work(self.last + ack, lead.code), c.Acknowledge()):
            return
        if not self._contact(b, me, urgent):
            return
        if not self._co_handling(b, me):
            return
        if not urgent and not self._coordination(b, me):
            return
        if not urgent and not self._extension(b, me, desk):
            return
        assert t.completion_due is not None
        window = max(t.completion_due - self.last, 30 * M)
        if rng.random() < b.late_reply:
            extra = _between(rng, 20 * M, 2 * H) if urgent else _between(rng, 2 * H, 72 * H)
            at = self._work(t.completion_due + extra, lead.code)
        else:
            at = self._in_time(
                self.last + window * rng.uniform(*b.reply_share), t.completion_due, lead.code
            )
        outcome = self._outcome(b, first_round)

        def reply(at: datetime):
            if t.request_type == RequestType.PRAISE:
                text = texts.phrase(rng, "praise_replies", unit=lead.name)
            else:
                text = texts.reply(
                    rng, plan.topic, outcome, plan.key, lead.name, at.astimezone(self.ctx.city.tz)
                )
            return c.Reply(outcome=outcome, text=text), me

        if not self._urged_before(at) or not self._step(at, reply):
            return
        late = (t.contacted_at or t.replied_at) > t.contact_due or t.replied_at > t.completion_due
        verdict = self._visit(b, outcome, late)
        if verdict is None:
            return
        solved, satisfaction = verdict
        if (
            first_round
            and not solved
            and satisfaction == Satisfaction.UNSATISFIED
            and rng.random() < 0.35
        ):
            reason = texts.pick(rng, "reopen_reasons")

            def reopen(at: datetime):
                return c.Reopen(deadlines=deadlines_for(self.ctx, t, lead, at), reason=reason), desk

            if self._step(
                self.working.desk_time(self.last + _between(rng, 10 * M, 4 * H), rng), reopen
            ):
                self._handle(first_round=False)
            return
        do(self.last + _between(rng, 1 * M, 45 * M), c.Close(), self.operator)

    def _visit(self, b: UnitBehaviour, outcome: str, late: bool) -> tuple[bool, str] | None:
        """The return visit (A1): answered by the SMS link, on the web or by phone; a few
        requesters are never reached, tried as the policy says, then recorded unreachable
        (no verdict: solved and satisfied). None when the history ends first."""
        rng, texts, policy = self.rng, self.texts, self.ctx.city.visit_policy
        at = self.working.desk_time(self.last + _between(rng, 2 * H, 40 * H), rng)
        if rng.random() < UNREACHABLE_SHARE:
            retry = due_after(at, policy.retry_after.to_duration(), self.ctx.calendar,
                              self.ctx.city.tz) - at  # fmt: skip
            for _ in range(policy.max_attempts):
                attempt = c.RecordVisit(
                    reached=False, comment=texts.pick(rng, "visit_unreached"),
                    max_attempts=policy.max_attempts, retry_after=retry,
                )  # fmt: skip
                if not self._step(at, lambda _, cmd=attempt: (cmd, self.operator)):
                    return None
                at = self.working.desk_time(self.last + retry, rng)
            return False, ""  # no verdict, so nothing to re-handle
        contacted = rng.random() >= 0.03  # the requester's word: did the unit contact me?
        solved, satisfaction = self._evaluate(b, outcome, late, contacted)
        channel = rng.choices(("phone", "sms", "web"), (0.6, 0.35, 0.05))[0]
        actor = self.operator if channel == "phone" else requester_actor(self.ctx, channel)
        if channel != "phone":  # the link is answered when the requester gets round to it
            at = self.last + _between(rng, 10 * M, 30 * H)
        answer = c.RecordVisit(
            contacted=contacted, solved=solved, satisfaction=satisfaction, channel=channel,
            comment=texts.visit_comment(rng, satisfaction, contacted),
        )  # fmt: skip
        if not self._step(at, lambda _: (answer, actor)):
            return None
        return solved, satisfaction

    def _contact(self, b: UnitBehaviour, me: Actor, urgent: bool) -> bool:
        rng, t = self.rng, self.ticket
        assert t.contact_due is not None
        if rng.random() < b.late_contact:
            extra = _between(rng, 10 * M, 90 * M) if urgent else _between(rng, 30 * M, 26 * H)
            at = self._work(t.contact_due + extra, b.unit_code)
        else:
            room = max(t.contact_due - self.last, 20 * M) * (0.5 if urgent else 0.85)
            at = self._in_time(self.last + _between(rng, 3 * M, room), t.contact_due, b.unit_code)
        if rng.random() < b.unreachable:
            note = rng.choice(self.texts.book["contact_notes"]["unreachable"])
            miss = c.Contact(
                method=ContactMethod.PHONE, outcome=ContactOutcome.UNREACHABLE, note=note
            )
            if not self._step(at, lambda _: (miss, me)):
                return False
            at = self._work(self.last + _between(rng, 1 * H, 8 * H), b.unit_code)
        methods = [m for m, _ in _CONTACT_METHODS]
        method = rng.choices(methods, [w for _, w in _CONTACT_METHODS])[0]
        note = rng.choice(self.texts.book["contact_notes"]["reached"])
        reached = c.Contact(method=method, outcome=ContactOutcome.REACHED, note=note)
        return self._step(at, lambda _: (reached, me))

    def _co_handling(self, b: UnitBehaviour, me: Actor) -> bool:
        rng, t, plan = self.rng, self.ticket, self.plan
        assert t.completion_due is not None and plan.lead is not None
        co = plan.co_handler
        summons = (
            1.5 if plan.lead.kind is UnitKind.STREET else 0.6
        )  # a street blows the whistle (H4)
        if (
            co is not None
            and not t.co_handlers
            and co.code != t.lead_unit_code
            and t.completion_due - self.last > 6 * H
            and rng.random() < b.co_handling * summons
        ):
            task = self.texts.phrase(rng, "co_tasks", k=plan.key)
            if plan.lead.kind is UnitKind.STREET and co.kind in _SUMMONABLE:
                return self._whistle(b, me, co, task)

            def add(at: datetime):
                due = max(min(t.completion_due, at + timedelta(days=3)), at + 4 * H)
                return c.AddCoHandler(
                    unit_code=co.code, task=task, due=due, reason="请协同处置"
                ), me

            if not self._step(
                self._work(self.last + _between(rng, 20 * M, 8 * H), b.unit_code), add
            ):
                return False
        for task in [x for x in t.co_handlers if x.is_open]:
            cb = self.crew.behaviour(task.unit_code)
            if rng.random() < cb.late_reply:
                target = task.due + _between(rng, 1 * H, 30 * H)
            else:
                target = self.last + max(task.due - self.last, 30 * M) * rng.uniform(0.1, 0.8)
            report = c.CoHandlerReport(report=self.texts.pick(rng, "co_reports"))
            at = self._work(target, task.unit_code)
            if not self._step(at, lambda _, r=report, u=task.unit_code: (r, self.crew.handler(u))):
                return False
        return True

    def _whistle(self, b: UnitBehaviour, me: Actor, co: Unit, task: str) -> bool:
        """A street blows the whistle; the department reports in, on time or late (H4)."""
        rng, t = self.rng, self.ticket
        window = self.ctx.city.handling_policy.whistle_report_window.to_duration()

        def blow(at: datetime):
            due = due_after(at, window, self.ctx.calendar, self.ctx.city.tz)
            return c.RaiseWhistle(unit_codes=(co.code,), report_due=due, reason=task), me

        if not self._step(self._work(self.last + _between(rng, 20 * M, 8 * H), b.unit_code), blow):
            return False
        call = t.whistle_calls[-1]
        cb = self.crew.behaviour(co.code)
        if rng.random() < cb.late_reply:
            target = call.report_due + _between(rng, 1 * H, 30 * H)
        else:
            target = self.last + (call.report_due - self.last) * rng.uniform(0.05, 0.7)
        report = c.ReportIn(reason=self.texts.pick(rng, "co_reports"))
        at = self._work(target, co.code)
        if not self._step(at, lambda _: (report, self.crew.handler(co.code))):
            return False
        close = c.CloseWhistle(reason="联合处置完毕")
        return self._step(self._work(self.last + _between(rng, 30 * M, 6 * H), b.unit_code),
                          lambda _: (close, me))  # fmt: skip

    def _extension(self, b: UnitBehaviour, me: Actor, desk: Actor) -> bool:
        rng, t = self.rng, self.ticket
        policy = self.ctx.city.extension_policy
        assert t.completion_due is not None
        if t.extension_count >= policy.max_extensions or rng.random() >= b.extension:
            return True
        at = self._work(
            self.last + (t.completion_due - self.last) * rng.uniform(0.3, 0.8), b.unit_code
        )
        if at >= t.completion_due:
            return True  # too late to ask: the unit just replies late
        extra = timedelta(days=rng.choice((3, 5, 7, 10, 15)))
        reason = self.texts.pick(rng, "extension_reasons")

        def request(now: datetime):
            due = min(t.completion_due + extra, now + timedelta(days=policy.max_days))
            due = max(due, t.completion_due + H)
            return c.RequestExtension(proposed_due=due, approval_required=policy.approval_required,
                                      max_extensions=policy.max_extensions, reason=reason), me  # fmt: skip

        if not self._step(at, request):
            return False
        if not policy.approval_required:
            return True
        if rng.random() < 0.88:
            decision: c.Command = c.GrantExtension(reason=self.texts.pick(rng, "extension_grants"))
        else:
            decision = c.RefuseExtension(reason=self.texts.pick(rng, "extension_refusals"))
        at = self.working.desk_time(self.last + _between(rng, 30 * M, 8 * H), rng)
        return self._step(at, lambda _: (decision, desk))

    # --- outcomes ----------------------------------------------------------------------------

    def _outcome(self, b: UnitBehaviour, first_round: bool) -> str:
        rtype, hard = self.ticket.request_type, self.plan.topic.hard
        if rtype == RequestType.PRAISE:
            return ReplyOutcome.EXPLAINED
        if rtype == RequestType.CONSULT:
            weights = [0.35, 0.6, 0.05]
        elif rtype == RequestType.SUGGESTION:
            weights = [0.15, 0.7, 0.15]
        else:
            solved, explained, unsolvable = b.outcomes
            again = 1 if first_round else 1.6  # a re-handled matter gets real attention
            weights = [
                solved * (1.3 - 0.6 * hard) * again,
                explained,
                unsolvable * (0.5 + 1.5 * hard),
            ]
        return self.rng.choices(_OUTCOMES, weights)[0]

    def _evaluate(
        self, b: UnitBehaviour, outcome: str, late: bool, contacted: bool
    ) -> tuple[bool, str]:
        """The requester's verdict at the return visit (A1): solved? satisfied?"""
        rng, rtype = self.rng, self.ticket.request_type
        if rtype == RequestType.PRAISE:
            return True, Satisfaction.SATISFIED
        advice = rtype in (RequestType.CONSULT, RequestType.SUGGESTION)
        p_solved = {ReplyOutcome.SOLVED: 0.95, ReplyOutcome.EXPLAINED: 0.5 if advice else 0.25}
        solved = rng.random() < p_solved.get(ReplyOutcome(outcome), 0.05)
        if solved:
            base = 0.9
        elif outcome == ReplyOutcome.EXPLAINED:
            base = 0.75 if advice else 0.4
        else:
            base = 0.2
        penalty = (0.15 if late else 0.0) + (0.0 if contacted else 0.35)
        p = _clamp(base + b.attitude - penalty - 0.08 * self.plan.topic.hard, 0.02, 0.98)
        r = rng.random()
        if r < p:
            return solved, Satisfaction.SATISFIED
        if r < p + (1 - p) * (0.55 if solved else 0.35):
            return solved, Satisfaction.BASICALLY_SATISFIED
        return solved, Satisfaction.UNSATISFIED


_OUTCOMES = (ReplyOutcome.SOLVED, ReplyOutcome.EXPLAINED, ReplyOutcome.NOT_SOLVABLE_NOW)
