"""Property tests (hypothesis) of the lifecycle and the deadline rules (D6, H1, H3, S2).

Random sequences of (action, actor, parameters), on a clock that only moves
forward, go through ``lifecycle.apply``. Whatever happens, the ticket stays
consistent; a refused action leaves it exactly as it was; and the completion
deadline moves only by an extension or a (re)dispatch. A merged ticket points at
another; tags are always "七有五性" dimensions (A7); a requester's identity is released
only on a confidential ticket, and only to a unit involved at the time (S1).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiesu.domain import commands as c
from jiesu.domain import lifecycle
from jiesu.domain.calendar import ChineseOfficialCalendar
from jiesu.domain.commands import Action, ContactMethod, ContactOutcome, ReferralReason
from jiesu.domain.deadlines import Duration, DurationUnit, due_after
from jiesu.domain.errors import Forbidden, IllegalTransition, InvalidInput
from jiesu.domain.roles import Actor
from jiesu.domain.ticket import (
    LIVELIHOOD_TAG_LABELS_ZH,
    OPEN_AT_UNIT,
    TERMINAL,
    ReplyOutcome,
    RequestType,
    Satisfaction,
    Status,
    Ticket,
    TimelineEvent,
    warn_time,
)

from .factories import (
    ADMIN,
    CO_UNIT,
    DISPATCHER,
    HOTLINE_UNIT,
    LEAD_UNIT,
    MERGE_TARGET_ID,
    MERGE_TARGET_NUMBER,
    OPERATOR,
    OTHER_UNIT,
    SPARE_UNIT,
    SUPERVISOR,
    TZ,
    make_ticket,
    snapshot,
    unit_handler,
)

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,  # write nothing outside tests/domain
    suppress_health_check=[HealthCheck.too_slow],
)

CALENDAR = ChineseOfficialCalendar()
UNITS = [LEAD_UNIT, OTHER_UNIT, CO_UNIT, SPARE_UNIT]
ACTORS = [OPERATOR, DISPATCHER, ADMIN, SUPERVISOR, *(unit_handler(u) for u in UNITS)]
START = datetime(2025, 9, 20, 8, 0, tzinfo=TZ)
#: The walked ticket's own id, so that merging it into itself can be tried.
TICKET_ID = 500
TAGS = sorted(LIVELIHOOD_TAG_LABELS_ZH)

WD = DurationUnit.WORKING_DAYS
CD = DurationUnit.CALENDAR_DAYS
HOURS = DurationUnit.CLOCK_HOURS

#: One deadline policy per ticket: (contact, completion). Each is computed with the same
#: monotonic ``due_after``, so a later dispatch never gets an earlier base deadline.
POLICIES = {
    "jinan-5-working-days": (Duration(24, HOURS), Duration(5, WD)),  # D6
    "calendar-15-days": (Duration(1, CD), Duration(15, CD)),
    "urgent-2-hours": (Duration(0.5, HOURS), Duration(2, HOURS)),  # H7
    "utility-24-hours": (Duration(1, HOURS), Duration(24, HOURS)),  # H6
}

#: How often the guided walk picks an action the menu offers (default 3): enough intake
#: answers, merges and objections to exercise them, without ending most walks at intake.
WEIGHTS = {
    Action.DISPATCH: 12,
    Action.ANSWER_DIRECTLY: 1,
    Action.REFER: 1,
    Action.RAISE_OBJECTION: 1,
    Action.ADD_CO_HANDLER: 1,
    Action.REFUSE_EXTENSION: 1,
    Action.CONTACT: 4,
    Action.REPLY: 4,
    Action.REQUEST_EXTENSION: 4,
    Action.GRANT_EXTENSION: 6,
    Action.MERGE: 1,
    Action.RECLASSIFY: 2,
}

REDISPATCH = {Action.DISPATCH, Action.UPHOLD_OBJECTION, Action.REOPEN, Action.DECIDE_CONSULTATION}
EXTENSION = {Action.REQUEST_EXTENSION, Action.GRANT_EXTENSION}


def policy_deadlines(policy: str, now: datetime) -> c.Deadlines:
    contact, completion = POLICIES[policy]
    return c.Deadlines(
        contact_due=due_after(now, contact, CALENDAR, TZ),
        completion_due=due_after(now, completion, CALENDAR, TZ),
        basis=policy,
    )


# --- command strategies: mostly valid, sometimes not ---------------------------------------------

#: Mostly valid text (listed first, so that shrinking goes valid), sometimes empty or blank.
TEXT = st.sampled_from(["理由充分", "依规办理", "情况属实", "", "   "])


def _deadlines(draw, policy: str, now: datetime) -> c.Deadlines | None:
    kind = draw(st.sampled_from(["policy"] * 5 + ["none", "past", "inverted"]))
    good = policy_deadlines(policy, now)
    if kind == "policy":
        return good
    if kind == "none":
        return None
    if kind == "past":
        return c.Deadlines(now - timedelta(minutes=1), good.completion_due, "bad")
    return c.Deadlines(good.contact_due, good.contact_due - timedelta(minutes=1), "bad")


def _later(draw, base: datetime | None, now: datetime) -> datetime:
    """Around ``base``: mostly later, sometimes the same or earlier."""
    return (base or now) + timedelta(hours=draw(st.integers(-48, 400)))


def involved_units(t: Ticket) -> set[str]:
    """The units the identity may be released to now: the lead and every co-handler."""
    return {t.lead_unit_code, *(task.unit_code for task in t.co_handlers)} - {None}


def draw_command(draw, action: Action, ticket: Ticket, now: datetime, policy: str) -> c.Command:
    if action is Action.ANSWER_DIRECTLY:
        return c.AnswerDirectly(answer=draw(TEXT), source=draw(st.sampled_from([None, "kb:1@2"])))
    if action is Action.REFER:
        reason = draw(st.sampled_from([*ReferralReason, "whim"]))
        return c.Refer(
            referral_reason=reason,
            destination=draw(TEXT),
            accepted=draw(st.booleans()),
            original_ticket_id=draw(st.sampled_from([7, None])),
            reason=draw(TEXT),
        )
    if action is Action.DISPATCH:
        # Co-handlers may be duplicates, the lead, or due in the past: every check runs
        # before anything changes, so a refused dispatch leaves the ticket as it was.
        co_units = draw(st.lists(st.sampled_from(UNITS), max_size=2))
        due = now + timedelta(hours=draw(st.integers(-5, 200)))
        return c.Dispatch(
            lead_unit_code=draw(st.sampled_from([LEAD_UNIT, *UNITS, ""])),
            supervising_unit_code=draw(st.sampled_from([None, "district-dongcheng"])),
            deadlines=_deadlines(draw, policy, now),
            co_handlers=tuple((u, "配合办理", due) for u in co_units),
            reason=draw(st.sampled_from([None, "属地"])),
        )
    if action is Action.ACKNOWLEDGE:
        return c.Acknowledge()
    if action is Action.RAISE_OBJECTION:
        return c.RaiseObjection(
            grounds=draw(st.sampled_from(["duty", "jurisdiction", "workload"])),
            evidence="清单",
            reason=draw(TEXT),
        )
    if action is Action.UPHOLD_OBJECTION:
        return c.UpholdObjection(
            lead_unit_code=draw(st.sampled_from(UNITS)),
            deadlines=_deadlines(draw, policy, now),
            reason=draw(TEXT),
        )
    if action is Action.REJECT_OBJECTION:
        return c.RejectObjection(reason=draw(TEXT))
    if action is Action.CONTACT:
        return c.Contact(
            method=draw(st.sampled_from([*ContactMethod, "fax"])),
            outcome=draw(st.sampled_from([*ContactOutcome, "maybe"])),
        )
    if action is Action.ADD_CO_HANDLER:
        return c.AddCoHandler(
            unit_code=draw(st.sampled_from([*UNITS, ""])),
            task=draw(st.sampled_from(["核查", ""])),
            due=draw(st.sampled_from([None, now + timedelta(hours=draw(st.integers(-5, 200)))])),
        )
    if action is Action.CO_HANDLER_REPORT:
        return c.CoHandlerReport(report=draw(TEXT))
    if action is Action.REQUEST_EXTENSION:
        return c.RequestExtension(
            proposed_due=draw(
                st.sampled_from([_later(draw, ticket.completion_due, now)] * 3 + [None])
            ),
            approval_required=draw(st.booleans()),
            max_extensions=draw(st.integers(0, 3)),
            reason=draw(TEXT),
        )
    if action is Action.GRANT_EXTENSION:
        new_due = draw(st.sampled_from([None, _later(draw, ticket.completion_due, now)]))
        return c.GrantExtension(new_due=new_due, reason=draw(st.sampled_from([None, "同意"])))
    if action is Action.REFUSE_EXTENSION:
        return c.RefuseExtension(reason=draw(TEXT))
    if action is Action.REPLY:
        return c.Reply(outcome=draw(st.sampled_from([*ReplyOutcome, "done"])), text=draw(TEXT))
    if action is Action.RECORD_VISIT:
        return c.RecordVisit(
            contacted=draw(st.booleans()),
            solved=draw(st.booleans()),
            satisfaction=draw(st.sampled_from([*Satisfaction, ""])),
            reached=draw(st.sampled_from([True, True, False])),
            comment=draw(st.sampled_from(["", "无人接听"])),
            max_attempts=draw(st.integers(1, 3)),
        )
    if action is Action.CLOSE:
        return c.Close()
    if action is Action.REOPEN:
        return c.Reopen(deadlines=_deadlines(draw, policy, now), reason=draw(TEXT))
    if action is Action.MERGE:
        return c.Merge(
            into_ticket_id=draw(st.sampled_from([MERGE_TARGET_ID] * 2 + [None, ticket.id])),
            into_number=MERGE_TARGET_NUMBER,
            reason=draw(TEXT),
        )
    if action is Action.ABSORB:
        return c.Absorb(merged_number=draw(st.sampled_from(["20250920000001", "", " "])))
    if action is Action.RELEASE_IDENTITY:
        # Mostly a unit of the ticket; sometimes another, the hotline itself, nobody, or a repeat.
        involved = sorted(involved_units(ticket))
        others = [*UNITS, HOTLINE_UNIT, "", *ticket.identity_released_units]
        unit = draw(st.sampled_from(involved * 3 + others))
        return c.ReleaseIdentity(unit_code=unit, reason=draw(TEXT))
    if action is Action.RECLASSIFY:
        tags = draw(
            st.one_of(
                st.lists(st.sampled_from(TAGS), max_size=3).map(tuple),
                st.just(tuple(ticket.tags)),
                st.sampled_from([None, ("happiness",), ("safety", "幼有所育")]),
            )
        )
        return c.Reclassify(
            request_type=draw(st.sampled_from([None, *RequestType, "gripe", ""])),
            category=draw(st.sampled_from([None, ticket.category, "城乡建设/市容环境/垃圾清运"])),
            tags=tags,
            reason=draw(st.sampled_from([None, "按目录修正"])),
        )
    if action is Action.START_CONSULTATION:
        units = draw(st.lists(st.sampled_from([*UNITS, LEAD_UNIT]), max_size=3))
        return c.StartConsultation(
            unit_codes=tuple(units),
            due=now + timedelta(hours=draw(st.integers(-2, 48))),
            reason=draw(TEXT),
        )
    if action is Action.GIVE_POSITION:
        return c.GivePosition(
            position=draw(st.sampled_from(["lead", "co_handle", "not_ours", "maybe"])),
            reason=draw(TEXT),
        )
    if action is Action.DECIDE_CONSULTATION:
        co_units = draw(st.lists(st.sampled_from(UNITS), max_size=2))
        return c.DecideConsultation(
            lead_unit_code=draw(st.sampled_from([LEAD_UNIT, *UNITS, ""])),
            deadlines=_deadlines(draw, policy, now),
            co_handlers=tuple((u, "配合办理", now + timedelta(days=2)) for u in co_units),
            reason=draw(TEXT),
        )
    if action is Action.PROGRESS_REPORT:
        return c.ProgressReport(text=draw(TEXT))
    if action is Action.CONTEST_REQUEST:
        return c.ContestRequest(
            kind=draw(st.sampled_from(["improper", "requester_costs", "whim"])), reason=draw(TEXT)
        )
    if action is Action.DECIDE_CONTEST:
        return c.DecideContest(accepted=draw(st.booleans()), reason=draw(TEXT))
    if action is Action.URGE:
        return c.Urge(reason=draw(TEXT))
    if action is Action.RAISE_WHISTLE:
        return c.RaiseWhistle(
            unit_codes=tuple(draw(st.lists(st.sampled_from(UNITS), max_size=3))),
            report_due=now + timedelta(hours=draw(st.integers(-2, 48))),
            reason=draw(TEXT),
        )
    if action is Action.REPORT_IN:
        return c.ReportIn(reason=draw(TEXT))
    if action is Action.CLOSE_WHISTLE:
        return c.CloseWhistle(reason=draw(TEXT))
    if action is Action.ESCALATE:
        return c.Escalate(
            authority_unit_code=draw(st.sampled_from([SPARE_UNIT, OTHER_UNIT, ""])),
            reason=draw(TEXT),
        )
    if action is Action.DECIDE_ESCALATION:
        co_units = draw(st.lists(st.sampled_from(UNITS), max_size=2))
        return c.DecideEscalation(
            lead_unit_code=draw(st.sampled_from([LEAD_UNIT, *UNITS, ""])),
            co_handlers=tuple((u, "配合办理", now + timedelta(days=2)) for u in co_units),
            reason=draw(TEXT),
        )
    raise AssertionError(action)


# --- the invariants --------------------------------------------------------------------------


def assert_consistent(t: Ticket, events: list[TimelineEvent]) -> None:
    status = Status(t.status)  # always a valid Status
    # Terminal states, and only they, are closed.
    assert (status in TERMINAL) == (t.closed_at is not None), status
    if status in OPEN_AT_UNIT:  # D6: every order at a unit carries its deadlines
        assert t.lead_unit_code
        assert t.dispatched_at is not None
        assert t.contact_due is not None and t.completion_due is not None
    if status in (
        Status.RECEIVED,
        Status.CONSULTING,
        Status.ANSWERED,
        Status.REFERRED,
        Status.MERGED,
    ):
        assert t.lead_unit_code is None and t.dispatched_at is None and t.completion_due is None
        assert t.co_handlers == []
    if status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS):
        assert t.acknowledged_at is not None
    if status in (Status.IN_PROGRESS, Status.REPLIED, Status.VISITED, Status.CLOSED):
        assert t.contacted_at is not None  # H2: no reply without contact
    if status in (Status.REPLIED, Status.VISITED, Status.CLOSED):
        assert t.replied_at is not None and t.reply_outcome in set(ReplyOutcome)
    if status in (Status.VISITED, Status.CLOSED):
        # A1: the own requester's visit is final: answered with an evaluation, or unreachable.
        own = [v for v in t.visits if v.is_primary and v.round == t.round]
        assert t.visited_at is not None and own and own[-1].is_final
        if own[-1].status == "answered":
            assert t.satisfaction in set(Satisfaction)
        else:
            assert t.satisfaction is None
    # 并单: a merged ticket, and only a merged one, points at another ticket.
    assert (status is Status.MERGED) == (t.merged_into_id is not None)
    if status is Status.MERGED:
        assert t.merged_into_id != t.id
    if status is Status.REFERRED:  # I5: recorded with the deployment's decision
        assert t.referral_accepted is not None
        if t.referral_reason == ReferralReason.REPEATED:
            assert t.original_ticket_id is not None
    # A7: tags are known "七有五性" dimensions, each once.
    assert set(t.tags) <= set(LIVELIHOOD_TAG_LABELS_ZH)
    assert len(t.tags) == len(set(t.tags))
    assert t.request_type in set(RequestType)
    # S1: identities are released only on confidential tickets, once per unit.
    assert t.confidential or not t.identity_released_units
    assert len(t.identity_released_units) == len(set(t.identity_released_units))
    assert (status is Status.OBJECTED) == (t.objection_from_status is not None)
    if status is Status.OBJECTED:
        assert t.objection_from_status in (Status.DISPATCHED, Status.ACKNOWLEDGED)
        assert t.objection_reason
    # D5: at most one objection under review, exactly when the ticket is objected; every
    # decided one has its reviewer; no unit objects twice on the same grounds.
    assert (status is Status.OBJECTED) == (t.open_objection() is not None)
    assert sum(o.decision is None for o in t.objections) <= 1
    assert all(o.decision is None or o.reviewer_username for o in t.objections)
    grounds = [(o.unit_code, o.grounds) for o in t.objections]
    assert len(grounds) == len(set(grounds))
    # D4: positions are collected only while consulting; each invited unit answers once.
    assert (status is Status.CONSULTING) == (t.consultation_due is not None)
    invited = [i.unit_code for i in t.consultation]
    assert len(invited) == len(set(invited))
    assert all((i.position is None) == (i.responded_at is None) for i in t.consultation)
    # H5: escalated exactly while an authority is named.
    assert (status is Status.ESCALATED) == (t.escalated_to is not None)
    assert (status is Status.ESCALATED) == (t.escalated_from_status is not None)
    # H4: the open whistle has its calls; each unit is summoned once per whistle.
    rounds = [(call.whistle_round, call.unit_code) for call in t.whistle_calls]
    assert len(rounds) == len(set(rounds))
    assert all(1 <= r <= t.whistle_round for r, _ in rounds)
    if t.whistle_open:
        assert any(r == t.whistle_round for r, _ in rounds)
    # H8: a contest is pending, accepted or rejected, with its kind and reason.
    assert t.contest_status in (None, "pending", "accepted", "rejected")
    assert (t.contest_status is None) == (t.contest_kind is None)
    assert t.urge_count == sum(e.action == Action.URGE for e in events)
    # A1: visits belong to a round; at most one pending per requester and round; a pending
    # visit has not exhausted its attempts.
    assert all(1 <= v.round <= t.round for v in t.visits)
    pending = [(v.round, v.requester_ticket_id) for v in t.visits if v.status == "pending"]
    assert len(pending) == len(set(pending))
    # Deadline watch: the yellow-warning time moves with the completion deadline.
    if t.dispatched_at is not None and t.completion_due is not None:
        assert t.completion_warn_at == warn_time(t.dispatched_at, t.completion_due, t.warn_share)
    if t.contact_due is not None and t.completion_due is not None:
        assert t.contact_due <= t.completion_due
    if t.extension_requested_due is not None:  # a pending extension (HH Art. 18)
        assert status in (
            Status.ACKNOWLEDGED,
            Status.IN_PROGRESS,
            Status.OBJECTED,
            Status.ESCALATED,
        )
        assert t.completion_due is not None and t.extension_requested_due > t.completion_due
        assert t.extension_reason
    assert t.extension_count >= 0
    assert t.round == 1 + sum(e.action == Action.REOPEN for e in events)
    # H1: at most one open task per unit; every task reported after it was assigned.
    open_units = [task.unit_code for task in t.co_handlers if task.is_open]
    assert len(open_units) == len(set(open_units))
    for task in t.co_handlers:
        assert task.due > task.assigned_at
        assert task.reported_at is None or task.reported_at >= task.assigned_at
    # S2/H9: the timeline is one unbroken chain ending in the current state.
    assert events[0].action == Action.RECEIVE and events[0].from_status is None
    for prev, nxt in zip(events, events[1:], strict=False):
        assert nxt.from_status == prev.to_status
        assert nxt.at >= prev.at
    assert events[-1].to_status == str(status)


@dataclasses.dataclass
class DeadlineLedger:
    """What we know about completion_due from the events so far."""

    base: datetime | None = None  # the last (re)dispatch's deadline, before any extension
    extensions: int = 0  # increases of completion_due by an extension


def check_deadline_change(
    ledger: DeadlineLedger,
    event: TimelineEvent,
    before: Ticket,
    after: Ticket,
    policy: str,
    now: datetime,
) -> None:
    """completion_due moves only by an extension (up) or a (re)dispatch (recomputed from now).

    It never moves earlier, with one deliberate exception: a re-dispatch (uphold_objection,
    reopen) after an extension restarts the clock with the policy's fresh deadline, which may
    lie before the extended one (hypothesis finds this at once: extend by weeks, then reopen).
    What always holds is that each (re)dispatch's base deadline is no earlier than the
    previous one's, and without an extension in between the deadline never moves earlier.
    """
    old, new = before.completion_due, after.completion_due
    action = Action(event.action)
    if action in REDISPATCH:
        # A (re)dispatch restarts the clock: the deadline is computed from now with the same
        # policy, so it is never earlier than the previous dispatch's (monotonic due_after).
        assert new == policy_deadlines(policy, now).completion_due
        assert ledger.base is None or new >= ledger.base
        if ledger.base is not None and old == ledger.base:
            assert new >= old  # without an extension in between, it never moves earlier
        ledger.base = new
    elif action in EXTENSION and new != old:
        assert old is not None and new is not None and new > old
        if action is Action.REQUEST_EXTENSION:
            assert event.data["approval_required"] is False  # BJ Art. 15: notification only
        ledger.extensions += 1
    else:
        assert new == old, action
    assert ledger.extensions == after.extension_count


@SETTINGS
@given(
    data=st.data(),
    policy=st.sampled_from(sorted(POLICIES)),
    confidential=st.booleans(),
    tags=st.lists(st.sampled_from(TAGS), max_size=2, unique=True),
)
def test_random_action_sequences_keep_the_ticket_consistent(data, policy, confidential, tags):
    draw = data.draw
    now = START
    ticket = make_ticket(received_at=now, id=TICKET_ID, confidential=confidential, tags=tags)
    events = [lifecycle.receive(ticket, OPERATOR)]
    ledger = DeadlineLedger()
    ever_involved: set[str] = set()  # every unit that was lead or co-handler at some point
    assert_consistent(ticket, events)

    for _ in range(draw(st.integers(1, 30), label="steps")):
        now += timedelta(minutes=draw(st.integers(1, 3 * 24 * 60)))
        guided = draw(st.integers(0, 3), label="guided") > 0
        menu = {x: lifecycle.allowed_actions(ticket, x) for x in ACTORS} if guided else {}
        offered = [a for a in lifecycle.TRANSITIONS if any(a in m for m in menu.values())]
        if offered:
            # Guided (3 in 4): an action the menu offers, by someone it is offered to.
            weighted = [a for a in offered for _ in range(WEIGHTS.get(a, 3))]
            action = draw(st.sampled_from(weighted))
            actor = draw(st.sampled_from([x for x in ACTORS if action in menu[x]]))
        else:
            # Anything, by anyone: mostly refused, which must change nothing.
            action = draw(st.sampled_from(list(lifecycle.TRANSITIONS)))
            actor = draw(st.sampled_from(ACTORS))
        command = draw_command(draw, action, ticket, now, policy)
        allowed = action in lifecycle.allowed_actions(ticket, actor)
        before = snapshot(ticket)

        try:
            event = lifecycle.apply(ticket, command, actor, now)
        except (Forbidden, IllegalTransition) as error:
            # Refused by check(): nothing changed, and the menu did not offer it.
            assert ticket == before, error.code
            assert not allowed, error.code
        except InvalidInput as error:
            # Refused by a handler: handlers validate before they mutate.
            assert ticket == before, error.code
        else:
            # What succeeds was on the menu, except what only follows another action.
            assert allowed or action in lifecycle.CONSEQUENTIAL, action
            assert not (allowed and action in lifecycle.CONSEQUENTIAL), action
            assert event.at == now and event.action == str(action)
            assert event.from_status == str(before.status)
            assert event.to_status == str(ticket.status)
            assert (event.actor_username, event.actor_unit_code) == (
                actor.username,
                actor.unit_code,
            )
            check_deadline_change(ledger, event, before, ticket, policy, now)
            if action is Action.RELEASE_IDENTITY:
                # S1: one unit more, involved at the time, on a confidential ticket.
                unit = event.data["unit"]
                assert before.confidential
                assert unit in involved_units(before)
                assert ticket.identity_released_units == [*before.identity_released_units, unit]
            else:
                assert ticket.identity_released_units == before.identity_released_units, action
            events.append(event)
        ever_involved |= involved_units(ticket)
        assert set(ticket.identity_released_units) <= ever_involved
        assert_consistent(ticket, events)


@SETTINGS
@given(data=st.data())
def test_the_happy_path_always_reaches_closed(data):
    """Following the menu with valid input, a dispatched ticket can always be closed (H2, A1)."""
    draw = data.draw
    now = START + timedelta(minutes=draw(st.integers(0, 60 * 24 * 200)))
    ticket = make_ticket(received_at=now)
    lifecycle.receive(ticket, OPERATOR)
    policy = draw(st.sampled_from(sorted(POLICIES)))
    dispatch = c.Dispatch(lead_unit_code=LEAD_UNIT, deadlines=policy_deadlines(policy, now))
    lifecycle.apply(ticket, dispatch, DISPATCHER, now)
    lead = unit_handler(LEAD_UNIT)
    steps: list[tuple[c.Command, Actor]] = [
        (c.Acknowledge(), lead),
        (c.Contact(), lead),
        (c.Reply(outcome=ReplyOutcome.SOLVED, text="已办结"), lead),
        (c.RecordVisit(satisfaction=Satisfaction.SATISFIED), OPERATOR),
        (c.Close(), OPERATOR),
    ]
    for command, actor in steps:
        now += timedelta(minutes=draw(st.integers(1, 60 * 24 * 20)))
        assert command.action in lifecycle.allowed_actions(ticket, actor)
        lifecycle.apply(ticket, command, actor, now)
    assert ticket.status == Status.CLOSED and ticket.closed_at == now


# --- deadline rules (D6) ----------------------------------------------------------------------

STARTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 10, 31), timezones=st.just(TZ)
)


@SETTINGS
@given(start=STARTS, n=st.integers(1, 30))
def test_working_day_deadline_is_the_nth_working_day_after_the_start_day(start, n):
    due = due_after(start, Duration(n, WD), CALENDAR, TZ)
    assert due > start
    assert due.tzinfo == TZ and (due.hour, due.minute, due.second) == (23, 59, 59)
    assert CALENDAR.is_workday(due.date())
    days = (due.date() - start.date()).days
    counted = [start.date() + timedelta(days=i) for i in range(1, days + 1)]
    assert sum(CALENDAR.is_workday(d) for d in counted) == n


@SETTINGS
@given(
    a=STARTS,
    gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)),
    duration=st.sampled_from(
        [Duration(n, WD) for n in (1, 5, 15)]
        + [Duration(n, CD) for n in (1, 7, 30)]
        + [Duration(h, HOURS) for h in (0.5, 2, 24, 72)]
    ),
)
def test_due_after_is_monotonic_in_the_start(a, gap, duration):
    """A later start never gives an earlier deadline: re-dispatch never shortens the base (D5, D6)."""
    b = a + gap
    due_a = due_after(a, duration, CALENDAR, TZ)
    due_b = due_after(b, duration, CALENDAR, TZ)
    assert due_a > a and due_b > b
    assert due_a <= due_b


@SETTINGS
@given(start=STARTS, n=st.integers(1, 20), m=st.integers(1, 20))
def test_more_working_days_never_end_earlier(start, n, m):
    lo, hi = sorted((n, m))
    assert due_after(start, Duration(lo, WD), CALENDAR, TZ) <= due_after(
        start, Duration(hi, WD), CALENDAR, TZ
    )


@SETTINGS
@given(start=STARTS, hours=st.floats(min_value=0.01, max_value=24 * 30))
def test_clock_hours_are_exact(start, hours):
    """H6/H7: clock hours run through nights and holidays, to the second."""
    due = due_after(start, Duration(hours, HOURS), CALENDAR, TZ)
    assert due - start == timedelta(hours=hours)


def test_policy_contact_due_never_after_completion_due():
    """The policies used above satisfy the lifecycle's own rule contact_due <= completion_due."""
    for day in range(0, 400, 7):
        now = START + timedelta(days=day, hours=day % 24)
        for policy in POLICIES:
            dl = policy_deadlines(policy, now)
            assert now < dl.contact_due <= dl.completion_due, (policy, now)
