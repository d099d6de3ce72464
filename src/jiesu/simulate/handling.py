"""A unit's handling steps in a simulated history (H1–H4): what a :class:`~.behaviour.Story`
does between acknowledging a ticket and replying, and which outcome it replies with.

- The unit contacts the requester, in time or late as its profile says, sometimes
  failing to reach them first (H2).
- The lead summons a co-handler now and then (H1); a street blows the whistle
  instead, calling a district or city department or a utility to report in (H4).
- The unit asks for more time, and the hotline grants or refuses it where the city
  wants approval (H3).
- The reply's outcome (solved, explained, not solvable for now) follows the type of
  request, the unit's profile, how hard the matter is and whether it is handled again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from jiesu.city.config import Unit, UnitKind
from jiesu.domain import commands as c
from jiesu.domain.commands import ContactMethod, ContactOutcome
from jiesu.domain.deadlines import due_after
from jiesu.domain.roles import Actor
from jiesu.domain.ticket import ReplyOutcome, RequestType

from .crew import H, M, between
from .profiles import UnitBehaviour

_CONTACT_METHODS = (
    (ContactMethod.PHONE, 0.74),
    (ContactMethod.VISIT, 0.18),
    (ContactMethod.SMS, 0.04),
    (ContactMethod.ONLINE, 0.04),
)

#: Whom a street's whistle may summon (H4): departments and utilities, not other streets.
_SUMMONABLE = frozenset({UnitKind.DISTRICT_DEPARTMENT, UnitKind.CITY_DEPARTMENT, UnitKind.UTILITY})

_OUTCOMES = (ReplyOutcome.SOLVED, ReplyOutcome.EXPLAINED, ReplyOutcome.NOT_SOLVABLE_NOW)


class HandlingSteps:
    """Mixed into ``Story``: uses its ticket, plan, clock, texts and crew."""

    def _contact(self, b: UnitBehaviour, me: Actor, urgent: bool) -> bool:
        rng, t = self.rng, self.ticket
        assert t.contact_due is not None
        if rng.random() < b.late_contact:
            extra = between(rng, 10 * M, 90 * M) if urgent else between(rng, 30 * M, 26 * H)
            at = self._work(t.contact_due + extra, b.unit_code)
        else:
            room = max(t.contact_due - self.last, 20 * M) * (0.5 if urgent else 0.85)
            at = self._in_time(self.last + between(rng, 3 * M, room), t.contact_due, b.unit_code)
        if rng.random() < b.unreachable:
            note = rng.choice(self.texts.book["contact_notes"]["unreachable"])
            miss = c.Contact(
                method=ContactMethod.PHONE, outcome=ContactOutcome.UNREACHABLE, note=note
            )
            if not self._step(at, lambda _: (miss, me)):
                return False
            at = self._work(self.last + between(rng, 1 * H, 8 * H), b.unit_code)
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
                self._work(self.last + between(rng, 20 * M, 8 * H), b.unit_code), add
            ):
                return False
        for task in [x for x in t.co_handlers if x.is_open]:
            cb = self.crew.behaviour(task.unit_code)
            if rng.random() < cb.late_reply:
                target = task.due + between(rng, 1 * H, 30 * H)
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

        if not self._step(self._work(self.last + between(rng, 20 * M, 8 * H), b.unit_code), blow):
            return False
        call = t.whistle_calls[-1]
        cb = self.crew.behaviour(co.code)
        if rng.random() < cb.late_reply:
            target = call.report_due + between(rng, 1 * H, 30 * H)
        else:
            target = self.last + (call.report_due - self.last) * rng.uniform(0.05, 0.7)
        report = c.ReportIn(reason=self.texts.pick(rng, "co_reports"))
        at = self._work(target, co.code)
        if not self._step(at, lambda _: (report, self.crew.handler(co.code))):
            return False
        close = c.CloseWhistle(reason="联合处置完毕")
        return self._step(self._work(self.last + between(rng, 30 * M, 6 * H), b.unit_code),
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
        at = self.working.desk_time(self.last + between(rng, 30 * M, 8 * H), rng)
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
