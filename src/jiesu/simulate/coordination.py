"""Coordination in a simulated history (H5, H8, 督办): what a :class:`~.behaviour.Story`
does now and then between contacting the requester and replying.

- A street that cannot coordinate a matter raises it to its district government, which
  keeps the street as lead (分级协调, H5, BJ Art. 20).
- A unit contests an improper request, or costs the law puts on the requester; the
  dispatch desk accepts some and rejects the rest (H8, HH Art. 21).
- When a reply is going to be late, a hotline supervisor urges the unit once the
  deadline has passed (督办).

Troubled units (those that object often) do the first two more often.
"""

from __future__ import annotations

from datetime import datetime

from jiesu.city.units import UnitKind
from jiesu.domain import commands as c
from jiesu.domain.roles import Actor
from jiesu.domain.ticket import ContestKind, RequestType

from .crew import H, M, between
from .profiles import UnitBehaviour

ESCALATION = 0.5  # × the unit's objection rate: a street's chance to escalate a ticket
CONTEST = 0.3  # × the unit's objection rate: a unit's chance to contest a request
URGE = 0.6  # the chance that an overdue ticket is urged before its late reply
_CONTESTABLE = (RequestType.COMPLAINT, RequestType.HELP, RequestType.REPORT)


class CoordinationSteps:
    """Mixed into ``Story``: uses its ticket, plan, clock, texts and crew."""

    def _coordination(self, b: UnitBehaviour, me: Actor) -> bool:
        """Escalation and contest, each now and then; False once the history ends."""
        rng, t, lead, texts = self.rng, self.ticket, self.plan.lead, self.texts
        if lead.kind is UnitKind.STREET and lead.parent and rng.random() < ESCALATION * b.objection:
            raise_it = c.Escalate(authority_unit_code=lead.parent,
                                  reason=texts.pick(rng, "escalation_reasons"))  # fmt: skip
            if not self._step(self._work(self.last + between(rng, H, 20 * H), lead.code),
                              lambda _: (raise_it, me)):  # fmt: skip
                return False
            decision = c.DecideEscalation(lead_unit_code=lead.code,
                                          reason=texts.pick(rng, "escalation_decisions"))  # fmt: skip
            authority = self.crew.handler(lead.parent)
            if not self._step(self._work(self.last + between(rng, 2 * H, 30 * H), lead.parent),
                              lambda _: (decision, authority)):  # fmt: skip
                return False
        if t.request_type in _CONTESTABLE and rng.random() < CONTEST * b.objection:
            kind = rng.choice(list(ContestKind))
            contest = c.ContestRequest(kind=kind, reason=texts.pick(rng, f"contest_{kind}"),
                                       evidence=texts.pick(rng, "contest_evidence"))  # fmt: skip
            if not self._step(self._work(self.last + between(rng, H, 24 * H), lead.code),
                              lambda _: (contest, me)):  # fmt: skip
                return False
            accepted = rng.random() < 0.4
            verdict = c.DecideContest(
                accepted=accepted,
                reason=texts.pick(rng, "contest_accepted" if accepted else "contest_rejected"),
            )
            desk = self.crew.dispatcher(rng)
            at = self.working.desk_time(self.last + between(rng, H, 20 * H), rng)
            if not self._step(at, lambda _: (verdict, desk)):
                return False
        return True

    def _urged_before(self, reply_at: datetime) -> bool:
        """A supervisor urges an overdue ticket before its late reply; False once the
        history ends."""
        rng, t = self.rng, self.ticket
        if t.completion_due is None or reply_at <= t.completion_due or rng.random() >= URGE:
            return True
        at = self.working.desk_time(t.completion_due + between(rng, 10 * M, 4 * H), rng)
        if at >= reply_at - M:
            return True  # the reply comes first
        urge = c.Urge(reason=self.texts.pick(rng, "urge_notes"))
        return self._step(at, lambda _: (urge, self.crew.supervisor(rng)))
