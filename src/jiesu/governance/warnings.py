"""The weekly warning of hotspots (七天一预警, G5; BJ Art. 24, 29; seed 001).

Once a local week (Monday to Sunday) has ended, :func:`issue` examines it: every community
and street, per category, against its own usual week (:func:`jiesu.domain.hotspots.judge`
under the city's ``warning_policy``). Each hotspot found is kept as a warning addressed to
the street it lies in — the unit that acts on its territory and can call the departments
in (吹哨报到) — and seen by that street's district government and the hotline. The street
answers with the measures it took (:func:`respond`); next week's counts show whether the
requests fell. The tickets behind a warning are listed by :mod:`.warning_tickets`.

A street's own warning is left out when one of its communities warns on the same matter:
that community names the place more precisely. The week is recorded as examined even when
nothing warns (``warning_weeks``), so the worker (:func:`issue_due`) examines each ended
week once; issuing the same week again adds only what is new, and two workers issuing at
once add nothing twice (the unique key on week, place and category).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from jiesu.city.config import CityConfig
from jiesu.city.units import Unit, UnitKind
from jiesu.context import Context
from jiesu.domain.errors import Forbidden, InvalidInput, NotFound
from jiesu.domain.hotspots import (
    MIN_BASELINE_WEEKS,
    Verdict,
    Week,
    judge,
    last_full_week,
    parse_week,
    week_label,
)
from jiesu.domain.roles import HOTLINE_ROLES, Actor
from jiesu.storage import tables
from jiesu.storage.repository import queue_message
from jiesu.storage.types import is_row_number
from jiesu.storage.uow import UnitOfWork

from .weekly import (
    PLACE_KINDS,
    count_weeks,
    first_received,
    judged_weeks,
    like_places,
    residents,
    week_start,
)

TOPIC = "governance.warning"
w = tables.hotspot_warnings.c
RESPONSE_MAX = 2000


@dataclass(frozen=True)
class Hotspot:
    place: Unit
    category: str
    verdict: Verdict
    weeks: list[Week]  # the baseline weeks, then the week judged
    street: Unit  # the unit warned
    district: Unit | None


def week_monday(week: str | None, ctx: Context) -> date:
    """The Monday of ``week`` (an ISO week label), by default the last ended week; a week
    that has not ended yet is refused (its counts would still grow)."""
    today = ctx.now().astimezone(ctx.city.tz).date()
    if not week:
        return last_full_week(today)
    try:
        monday = parse_week(week)
    except ValueError:
        raise InvalidInput(
            "warning.bad_week",
            f"“{week[:20]}”不是周次，应写作 2026-W47",
            f"{week[:20]!r} is not an ISO week such as 2026-W47",
        ) from None
    if monday > last_full_week(today):
        raise InvalidInput(
            "warning.week_not_over",
            f"{week} 尚未结束，周预警在一周结束后发布",
            f"{week} has not ended yet; a week is warned once it is over",
        )
    return monday


def _street_of(city: CityConfig, place: Unit) -> Unit:
    return city.unit(place.parent) if place.kind is UnitKind.COMMUNITY and place.parent else place


def find(ctx: Context, session, monday: date) -> tuple[list[Hotspot], int]:
    """The hotspots of the week starting ``monday``, most surprising first, and how many
    full weeks of history they were judged on."""
    city, rule = ctx.city, ctx.city.warning_policy.rule()
    start = first_received(session)
    if start is None:
        return [], 0
    mondays = [monday - timedelta(days=7 * k) for k in range(rule.baseline_weeks, 0, -1)]
    mondays = [m for m in mondays if week_start(city, m) >= start] + [monday]
    if len(mondays) - 1 < MIN_BASELINE_WEEKS:
        return [], len(mondays) - 1
    counts, totals = judged_weeks(session, city, mondays, rule.min_count)
    people = {kind: residents(city, kind) for kind in PLACE_KINDS}
    found: list[Hotspot] = []
    for (code, category), weeks in counts.weeks.items():
        place = city.units_by_code[code]
        peers = like_places(place, weeks, totals.get((place.kind, category)), people[place.kind])
        verdict = judge(weeks[-1], weeks[:-1], rule, peers)
        if verdict is not None:
            street = _street_of(city, place)
            found.append(
                Hotspot(place, category, verdict, weeks, street, city.district_of(street.code))
            )
    precise = {(h.street.code, h.category) for h in found if h.place.kind is UnitKind.COMMUNITY}
    found = [
        h
        for h in found
        if h.place.kind is UnitKind.COMMUNITY or (h.place.code, h.category) not in precise
    ]
    found.sort(key=lambda h: (h.verdict.kind != "surge", h.verdict.p_value, -h.verdict.count))
    return found, len(mondays) - 1


@dataclass(frozen=True)
class Issued:
    week: str
    new: int  # warnings added now
    total: int  # warnings of the week in all
    baseline_weeks: int


def issue(ctx: Context, week: str | None = None, *, by: str = "system") -> Issued:
    """Examine a week (by default the last ended one) and keep its warnings; each street
    warned gets one message listing its new ones."""
    monday = week_monday(week, ctx)
    label, now = week_label(monday), ctx.now()
    with UnitOfWork(ctx.engine) as uow:
        s = uow.session
        found, baseline = find(ctx, s, monday)
        have = {
            (p, c) for p, c in s.execute(select(w.place_code, w.category).where(w.week == label))
        }
        new = [h for h in found if (h.place.code, h.category) not in have]
        try:
            _keep(s, label, new, now)
            _notify(s, label, new, now)
            ww = tables.warning_weeks
            s.execute(ww.delete().where(ww.c.week == label))
            s.execute(
                ww.insert().values(
                    week=label, issued_at=now, issued_by=by, warnings=len(have) + len(new),
                    baseline_weeks=baseline,
                )
            )  # fmt: skip
            uow.commit()
        except IntegrityError:  # another worker issued the same week at the same moment
            return Issued(label, 0, len(found), baseline)
    return Issued(label, len(new), len(have) + len(new), baseline)


def _keep(session, label: str, new: list[Hotspot], now) -> None:
    for h in new:
        v = h.verdict
        session.execute(
            tables.hotspot_warnings.insert().values(
                week=label, place_code=h.place.code, category=h.category, kind=str(v.kind),
                received=v.count, requesters=v.requesters, expected=v.expected,
                p_value=v.p_value, unit_code=h.street.code,
                district_code=h.district.code if h.district else None, issued_at=now,
            )
        )  # fmt: skip


def _notify(session, label: str, new: list[Hotspot], now) -> None:
    by_street: dict[str, list[Hotspot]] = defaultdict(list)
    for h in new:
        by_street[h.street.code].append(h)
    for street, items in sorted(by_street.items()):
        keys = sorted(f"{h.place.code}|{h.category}" for h in items)
        digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
        payload = {
            "template": "hotspot.warning",
            "unit": street,
            "week": label,
            "warnings": [
                {"place": h.place.name, "category": h.category, "kind": str(h.verdict.kind),
                 "received": h.verdict.count, "expected": round(h.verdict.expected, 1)}
                for h in items
            ],
        }  # fmt: skip
        key = f"{TOPIC}:{label}:{street}:{digest}"
        queue_message(session, topic=TOPIC, ticket_id=None, payload=payload, key=key, now=now)


def issue_due(ctx: Context) -> Issued | None:
    """Issue the last ended week if it has not been examined yet (the worker's duty)."""
    label = week_label(last_full_week(ctx.now().astimezone(ctx.city.tz).date()))
    with UnitOfWork(ctx.engine, write=False) as uow:
        done = uow.session.execute(
            select(func.count()).where(tables.warning_weeks.c.week == label)
        ).scalar_one()
    return None if done else issue(ctx, label)


# --- reading and answering ------------------------------------------------------------------


def visible(query, actor: Actor):
    """Hotline staff see every warning; a district government its district's; a street
    those addressed to it; a community those about it; other units none."""
    if actor.role in HOTLINE_ROLES:
        return query
    code = actor.unit_code
    return query.where((w.unit_code == code) | (w.district_code == code) | (w.place_code == code))


def _not_found(warning_id: int) -> NotFound:
    return NotFound(
        "warning.not_found", f"预警 {warning_id} 不存在", f"Warning {warning_id} not found"
    )


def respond(ctx: Context, actor: Actor, warning_id: int, text: str) -> None:
    """The street warned records the measures it took (整改措施), once; who and when are
    kept (S2)."""
    text = (text or "").strip()
    if not text or len(text) > RESPONSE_MAX:
        raise InvalidInput(
            "warning.bad_response",
            f"请填写采取的措施（1–{RESPONSE_MAX} 字）",
            f"Say what was done (1–{RESPONSE_MAX} characters)",
        )
    if not is_row_number(warning_id):
        raise _not_found(warning_id)
    with UnitOfWork(ctx.engine) as uow:
        s = uow.session
        row = s.execute(visible(select(w.unit_code), actor).where(w.id == warning_id)).first()
        if row is None:
            raise _not_found(warning_id)
        if row.unit_code != actor.unit_code:
            raise Forbidden(
                "warning.forbidden",
                "只有被预警的街道乡镇可以反馈措施",
                "Only the street or township warned may answer",
            )
        done = s.execute(
            tables.hotspot_warnings.update()
            .where(w.id == warning_id, w.response.is_(None))
            .values(response=text, responded_at=ctx.now(), responded_by=actor.username)
        )
        if done.rowcount != 1:
            raise InvalidInput(
                "warning.already_answered",
                "该预警已反馈过措施",
                "This warning was answered already",
            )
        uow.commit()


@dataclass(frozen=True)
class WarningRow:
    id: int
    week: str
    place: Unit
    street: Unit
    category: str
    kind: str
    received: int
    requesters: int
    expected: float
    p_value: float
    response: str | None
    responded_at: object
    responded_by: str | None
    next_week: int | None  # the same place's requests on the matter the week after, once over

    @property
    def ratio(self) -> float:
        return self.received / self.expected if self.expected else 0.0


@dataclass(frozen=True)
class WeekRecord:
    week: str
    issued_at: object
    warnings: int
    baseline_weeks: int


def examined(ctx: Context, limit: int = 12, week: str | None = None) -> list[WeekRecord]:
    """The weeks examined, newest first (only ``week`` when given)."""
    ww = tables.warning_weeks.c
    query = select(ww.week, ww.issued_at, ww.warnings, ww.baseline_weeks)
    if week is not None:
        query = query.where(ww.week == week)
    with UnitOfWork(ctx.engine, write=False) as uow:
        rows = uow.session.execute(query.order_by(ww.week.desc()).limit(limit))
        return [WeekRecord(*r) for r in rows]


def week_record(ctx: Context, week: str) -> WeekRecord | None:
    found = examined(ctx, 1, week)
    return found[0] if found else None


def week_warnings(ctx: Context, actor: Actor, week: str) -> list[WarningRow]:
    """The warnings of ``week`` the actor may see, in the order they were judged
    (surges first, the most surprising first); with the next week's requests once over."""
    monday = week_monday(week, ctx)
    with UnitOfWork(ctx.engine, write=False) as uow:
        s = uow.session
        rows = s.execute(
            visible(select(tables.hotspot_warnings), actor)
            .where(w.week == week_label(monday))
            .order_by(w.kind.desc(), w.p_value, w.received.desc(), w.id)
        ).all()
        return _warning_rows(ctx, s, monday, rows)


def seen_warning(ctx: Context, session, actor: Actor, warning_id: int) -> WarningRow:
    """One warning the actor may see, with the next week's requests once over; any other
    (or none) is ``warning.not_found``, as :func:`respond` says."""
    if not is_row_number(warning_id):
        raise _not_found(warning_id)
    row = session.execute(
        visible(select(tables.hotspot_warnings), actor).where(w.id == warning_id)
    ).first()
    if row is None:
        raise _not_found(warning_id)
    return _warning_rows(ctx, session, parse_week(row.week), [row])[0]


def _warning_rows(ctx: Context, session, monday: date, rows) -> list[WarningRow]:
    """``hotspot_warnings`` rows of the week starting ``monday`` as :class:`WarningRow`."""
    city = ctx.city
    after = monday + timedelta(days=7)
    today = ctx.now().astimezone(city.tz).date()
    only = {(r.place_code, r.category) for r in rows}
    over = rows and after <= last_full_week(today)
    later = count_weeks(session, city, [after], only) if over else None
    return [
        WarningRow(
            r.id, r.week, city.units_by_code[r.place_code], city.units_by_code[r.unit_code],
            r.category, r.kind, r.received, r.requesters, r.expected, r.p_value, r.response,
            r.responded_at, r.responded_by,
            later.series(r.place_code, r.category)[0].count if later else None,
        )
        for r in rows
    ]  # fmt: skip
