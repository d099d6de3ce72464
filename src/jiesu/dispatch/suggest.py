"""Ranked dispatch suggestions with their reasons (D1, D3, D7, D8).

Four sources are combined for a ticket, each leaving its reason on the units
it proposes:

- **catalogue** (weight 0.5): the entry for the ticket's category names a duty;
  territory turns it into a unit. When only the district is known, the
  district government is proposed to coordinate (BJ Art. 12, D3).
- **model** (0.35 × score): the learned model's top duties for the text, at
  the same place (:mod:`jiesu.dispatch.history`).
- **history** (0.15 × share): who handled the same category at the same place
  in the last 90 days.
- **negative evidence**: a unit's upheld-objection rate for the category over
  180 days lowers its score (× (1 − 0.8·rate)).

Units the caller excludes (those whose objection was upheld on this ticket)
and units the catalogue's rules forbid (D8) are not proposed; the rules'
refusals are listed with the rule named, so the dispatcher sees why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from jiesu.city.catalogue import CatalogueEntry, Responsibility
from jiesu.city.units import Unit, UnitKind
from jiesu.context import Context
from jiesu.domain.ticket import Ticket
from jiesu.storage.tables import dispatch_objections as obj
from jiesu.storage.tables import tickets as t

from . import catalogue, history, rules
from .duty import duty_of_entry, needs_place, unit_for
from .where import Place, place_of

W_CATALOGUE, W_MODEL, W_HISTORY = 0.5, 0.35, 0.15
HISTORY_DAYS, OBJECTION_DAYS = 90, 180


@dataclass
class Candidate:
    unit_code: str
    unit_name: str
    score: float = 0.0
    reasons: list[dict[str, str]] = field(default_factory=list)
    co_handlers: list[dict[str, str]] = field(default_factory=list)
    model_score: float | None = None

    def add(self, score: float, kind: str, text: str) -> None:
        self.score += score
        self.reasons.append({"kind": kind, "text": text})


@dataclass
class Suggestions:
    candidates: list[Candidate]
    refused: list[dict[str, str]]
    place: Place
    catalogue_version: int
    entry: CatalogueEntry | None
    model_version: str | None

    def rank_of(self, unit_code: str) -> int | None:
        return next(
            (i + 1 for i, c in enumerate(self.candidates) if c.unit_code == unit_code), None
        )

    def record(self, chosen: str) -> dict[str, Any]:
        """What a dispatch keeps of the suggestions (timeline event and training data)."""
        top = self.candidates[0] if self.candidates else None
        return {
            "suggested_unit": top.unit_code if top else None,
            "score": round(top.score, 4) if top else None,
            "accepted": bool(top and top.unit_code == chosen),
            "rank": self.rank_of(chosen),
            "model_version": self.model_version,
            "model_score": round(top.model_score, 4) if top and top.model_score else None,
            "catalogue_version": self.catalogue_version,
            "place": self.place.summary(),
        }


def suggest(
    ctx: Context, conn: Connection, ticket: Ticket, *, exclude: frozenset[str] = frozenset(), k=5
) -> Suggestions:
    place = place_of(ctx, ticket)
    version = catalogue.current(ctx, conn)
    entry = version.entry_for(ticket.category, str(ticket.request_type))
    found: dict[str, Candidate] = {}

    def candidate(unit: Unit) -> Candidate:
        return found.setdefault(unit.code, Candidate(unit.code, unit.name))

    _from_catalogue(ctx, entry, place, candidate)
    model_version = _from_model(ctx, conn, ticket, place, candidate)
    _from_history(ctx, conn, ticket, place, candidate)
    _penalise_objections(ctx, conn, ticket, found)
    disputants = [u for u in (ctx.city.unit(c) for c in disputing_units(ticket)) if u]
    refused: list[dict[str, str]] = []
    kept: list[Candidate] = []
    for cand in found.values():
        unit = ctx.city.unit(cand.unit_code)
        if unit is None or cand.unit_code in exclude:
            if unit is not None:
                refused.append(
                    {"unit": unit.code, "name": unit.name, "why": "该单位对本工单的异议已成立"}
                )
            continue
        broken = rules.violations(entry, unit, (), disputants)
        if broken:
            refused.append({"unit": unit.code, "name": unit.name, "why": broken[0].message_zh})
            continue
        kept.append(cand)
    kept.sort(key=lambda c: (-c.score, c.unit_code))
    kept = kept[:k]
    for cand in kept:
        cand.co_handlers = _co_handlers(ctx, entry, place, cand.unit_code)
    return Suggestions(kept, refused, place, version.version, entry, model_version)


def _objected(ticket: Ticket, unit: Unit) -> str:
    pending = any(o.unit_code == unit.code and o.decision is None for o in ticket.objections)
    return "该单位已对本工单提出异议（待审核）" if pending else "该单位对本工单的异议已成立"


def disputing_units(ticket: Ticket) -> list[str]:
    """Units that disputed the ticket: objected, or in consultation claimed or declined it."""
    codes = [o.unit_code for o in ticket.objections]
    codes += [i.unit_code for i in ticket.consultation if i.position in ("lead", "not_ours")]
    return list(dict.fromkeys(codes))


def _resolve(ctx: Context, duty: str, place: Place) -> Unit | None:
    return unit_for(
        ctx.city, duty, district=place.district, street=place.street, community=place.community
    )


def _from_catalogue(ctx: Context, entry: CatalogueEntry | None, place: Place, candidate) -> None:
    if entry is None:
        return
    duty = duty_of_entry(ctx.city, entry)
    if duty is None:
        return
    label = f"派单目录“{entry.category}”：{_duty_label(ctx, duty)}主办"
    unit = _resolve(ctx, duty, place)
    if unit is not None:
        level = needs_place(duty)
        sure = place.confidence if level else 1.0
        where = f"；属地：{place.describe(ctx.city)}" if level else ""
        candidate(unit).add(W_CATALOGUE * max(sure, 0.5), "catalogue", label + where)
        return
    district = ctx.city.unit(place.district) if place.district else None
    if district is not None:  # D3: the district government coordinates
        candidate(district).add(
            W_CATALOGUE * 0.8,
            "territory",
            f"{label}，但只能确定到{district.name}，按属地由区政府统筹（BJ Art. 12）",
        )


def _from_model(ctx: Context, conn: Connection, ticket: Ticket, place: Place, candidate):
    held = history.active(conn)
    if held is None:
        return None
    model, record = held
    text = f"{ticket.title}\n{ticket.content}" if ticket.title else ticket.content
    for s in model.predict(text, k=3):
        unit = _resolve(ctx, s.label, place)
        if unit is None:
            continue
        cand = candidate(unit)
        cand.model_score = max(cand.model_score or 0.0, s.score)
        cand.add(W_MODEL * s.score, "model", f"智能派单模型评分{s.score:.2f}（{record.version}）")
    return record.version


def _from_history(ctx: Context, conn: Connection, ticket: Ticket, place: Place, candidate):
    since = ctx.now() - timedelta(days=HISTORY_DAYS)
    rows = conn.execute(
        select(t.c.lead_unit_code, func.count())
        .where(
            t.c.category == ticket.category,
            t.c.received_at >= since,
            t.c.lead_unit_code.is_not(None),
            t.c.status != "objected",
            t.c.id != ticket.id if ticket.id is not None else True,
        )
        .group_by(t.c.lead_unit_code)
        .order_by(func.count().desc())
        .limit(200)
    ).all()
    counts = {code: n for code, n in rows if _same_place(ctx, code, place)}
    total = sum(counts.values())
    for code, n in sorted(counts.items(), key=lambda kv: -kv[1])[:3]:
        unit = ctx.city.unit(code)
        if unit is not None and total:
            candidate(unit).add(
                W_HISTORY * n / total,
                "history",
                f"近{HISTORY_DAYS}天同类工单{n}件由该单位主办（占{n / total:.0%}）",
            )


def _same_place(ctx: Context, code: str, place: Place) -> bool:
    """Units of no district (city departments, utilities) serve everywhere; others only
    their own district, which must be known."""
    district = ctx.city.district_of(code)
    return district is None or district.code == place.district


def _penalise_objections(ctx, conn, ticket: Ticket, found: dict[str, Candidate]) -> None:
    if not found:
        return
    since = ctx.now() - timedelta(days=OBJECTION_DAYS)
    upheld = dict(
        conn.execute(
            select(obj.c.unit_code, func.count())
            .where(
                obj.c.category == ticket.category,
                obj.c.decision == "upheld",
                obj.c.raised_at >= since,
                obj.c.unit_code.in_(list(found)),
            )
            .group_by(obj.c.unit_code)
        ).all()
    )
    if not upheld:
        return
    handled = dict(
        conn.execute(
            select(t.c.lead_unit_code, func.count())
            .where(
                t.c.category == ticket.category,
                t.c.received_at >= since,
                t.c.lead_unit_code.in_(list(upheld)),
            )
            .group_by(t.c.lead_unit_code)
        ).all()
    )
    for code, n in upheld.items():
        rate = n / (n + handled.get(code, 0))
        cand = found[code]
        cand.score *= 1 - 0.8 * rate
        cand.reasons.append(
            {
                "kind": "objection",
                "text": f"此类工单派给该单位异议成立{n}次（{rate:.0%}），降低推荐",
            }
        )


def _co_handlers(ctx, entry: CatalogueEntry | None, place: Place, lead: str) -> list[dict]:
    """Co-handlers the catalogue asks for: the community or street where the matter is
    theirs only to assist."""
    if entry is None:
        return []
    found = []
    if entry.community_part() is Responsibility.ASSIST and place.community:
        found.append((place.community, "协助核实情况、做好居民工作"))
    lead_unit = ctx.city.unit(lead)
    if (
        entry.street_part() is Responsibility.ASSIST
        and place.street
        and lead_unit is not None
        and lead_unit.kind is not UnitKind.STREET
    ):
        found.append((place.street, "属地协助"))
    out = []
    for code, task in found:
        unit = ctx.city.unit(code)
        if unit is not None and code != lead:
            out.append({"unit_code": code, "unit_name": unit.name, "task": task})
    return out


def _duty_label(ctx: Context, duty: str) -> str:
    labels = {"district": "区政府", "street": "街道乡镇", "community": "社区村"}
    if duty in labels:
        return labels[duty]
    if duty.startswith("district_department:"):
        key = duty.split(":", 1)[1]
        sample = next((u for u in ctx.city.units if u.department == key), None)
        return f"区级{sample.name.split('区', 1)[-1] if sample else key}"
    unit = ctx.city.unit(duty)
    return unit.name if unit else duty
