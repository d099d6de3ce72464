"""How the people in a simulated history behave: one ticket's story, step by step.

:class:`Story` lives one ticket through the state machine with the habits of its
units (:mod:`.profiles`), in their working hours (:mod:`.crew`):
receive → answer directly / refer / dispatch (sometimes first to the unit next
door, which objects and is re-dispatched) → acknowledge (a groundless objection
first, now and then, which is rejected) → contact (sometimes unreachable first)
→ co-handler summoned and reporting → extension (approved or refused where the
city wants approval) → reply → return visit (solved? satisfied?) → close, or
reopen and handle once more when the requester is unsatisfied and unsolved.
It stops at the first step that would lie after the end of the history.

The unit's steps between acknowledging and replying are in :mod:`.handling`
(contact, co-handling, whistle, extension, the reply's outcome) and
:mod:`.coordination` (escalation, contest, urging).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from jiesu.context import Context
from jiesu.dispatch.deadlines import deadlines_for, supervising_unit
from jiesu.domain import commands as c
from jiesu.domain import lifecycle
from jiesu.domain.deadlines import due_after
from jiesu.domain.roles import Actor
from jiesu.domain.ticket import (
    STATUS_LABELS_ZH,
    Channel,
    ReplyOutcome,
    RequestType,
    Satisfaction,
    Status,
    TimelineEvent,
    Urgency,
)
from jiesu.followup.visits import requester_actor
from jiesu.notifications import Message, messages_for

from .coordination import CoordinationSteps
from .crew import Crew, H, M, WorkingTime, between, log_minutes
from .handling import HandlingSteps
from .planning import Plan
from .profiles import UnitBehaviour, clamp
from .texts import Texts

UNREACHABLE_SHARE = 0.04  # requesters never reached at the return visit


class Story(HandlingSteps, CoordinationSteps):
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
            at = self._work(self.last + between(self.rng, 5 * M, 60 * M), unit_code)
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
            wait = between(rng, 15 * M, 4 * H) if online else between(rng, 1.5 * M, 9 * M)
            command = c.AnswerDirectly(answer=plan.answer, source=plan.source)
            self._step(self.last + wait, lambda at: (command, self.operator))
        elif plan.outcome == "refer":
            assert plan.referral is not None
            reason, destination = plan.referral
            wait = between(rng, 10 * M, 2 * H) if online else between(rng, 1 * M, 6 * M)
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
            wait = between(rng, 1 * M, 6 * M)
        elif online or night:
            wait = between(rng, 20 * M, 5 * H)
        else:
            wait = between(rng, 4 * M, 50 * M)
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
            at = self._work(self.last + between(rng, 10 * M, 3 * H), wrong.code)
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
                self.working.desk_time(self.last + between(rng, 20 * M, 5 * H), rng), uphold
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
            at = self._work(self.last + log_minutes(rng, *b.ack_minutes), lead.code)
            if not do(at, c.RaiseObjection(grounds="duty", reason=reason)):
                return
            rejection = c.RejectObjection(reason=texts.pick(rng, "objection_rejected"))
            if not do(
                self.working.desk_time(self.last + between(rng, 30 * M, 6 * H), rng),
                rejection,
                desk,
            ):
                return
        ack = between(rng, 2 * M, 12 * M) if urgent else log_minutes(rng, *b.ack_minutes)
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
            extra = between(rng, 20 * M, 2 * H) if urgent else between(rng, 2 * H, 72 * H)
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
                self.working.desk_time(self.last + between(rng, 10 * M, 4 * H), rng), reopen
            ):
                self._handle(first_round=False)
            return
        do(self.last + between(rng, 1 * M, 45 * M), c.Close(), self.operator)

    def _visit(self, b: UnitBehaviour, outcome: str, late: bool) -> tuple[bool, str] | None:
        """The return visit (A1): answered by the SMS link, on the web or by phone; a few
        requesters are never reached, tried as the policy says, then recorded unreachable
        (no verdict: solved and satisfied). None when the history ends first."""
        rng, texts, policy = self.rng, self.texts, self.ctx.city.visit_policy
        at = self.working.desk_time(self.last + between(rng, 2 * H, 40 * H), rng)
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
            at = self.last + between(rng, 10 * M, 30 * H)
        answer = c.RecordVisit(
            contacted=contacted, solved=solved, satisfaction=satisfaction, channel=channel,
            comment=texts.visit_comment(rng, satisfaction, contacted),
        )  # fmt: skip
        if not self._step(at, lambda _: (answer, actor)):
            return None
        return solved, satisfaction

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
        p = clamp(base + b.attitude - penalty - 0.08 * self.plan.topic.hard, 0.02, 0.98)
        r = rng.random()
        if r < p:
            return solved, Satisfaction.SATISFIED
        if r < p + (1 - p) * (0.55 if solved else 0.35):
            return solved, Satisfaction.BASICALLY_SATISFIED
        return solved, Satisfaction.UNSATISFIED
