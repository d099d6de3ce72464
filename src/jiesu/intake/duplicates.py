"""Candidates for merging (并单): open or recent tickets about the same matter at the same place.

The same broken lift, the same late wages, the same noisy restaurant are
reported again and again, by the same requester or by the neighbours (G1).
The operator should see the ticket already being handled and may merge the
new one into it (BJ Art. 11 (3)); the merge itself is a lifecycle action, not
done here. This module only finds and ranks candidates, with the reasons an
operator can check at a glance: same community or address, similar words,
same requester, same category.

Why this shape:

* **Place and time first.** A city has tens of thousands of tickets in a
  month; comparing texts across all of them is slow and wrong (the same
  complaint about lifts is a different matter in another community). The
  query reads only tickets of the same community and its street (and those
  of the same requester) within ``intake_policy.duplicate_window_days``,
  through the indexes on ``location_unit_code``, ``requester_id`` and
  ``received_at`` — a few hundred rows even for Beijing.
* **Status.** Open tickets are candidates; terminal ones (answered, referred,
  closed) only within a day of their end, so a repeat the day after a direct
  answer is still recognised; merged tickets never (their matter lives on in
  the ticket they were merged into).
* **Text similarity** is the cosine of character-bigram vectors weighted by
  their rarity among the candidates, after taking out the place names and the
  hotline's boilerplate ("来电人反映", "希望相关部门尽快处理"): a paraphrase
  keeps the bigrams of the matter itself ("电梯", "停运", "配件"), while the
  words every ticket at that place shares weigh little. Bigrams need no word
  segmentation, so scoring a few hundred candidates takes milliseconds.

The threshold and weights were chosen on the generated benchmark in
``bench/duplicates.py`` (see ``docs/benchmarks.md``).
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from jiesu.city.config import CityConfig, Unit, UnitKind
from jiesu.domain.ticket import TERMINAL, Status
from jiesu.storage import tables

#: Candidates at or above this score are shown (chosen on the benchmark for high precision).
THRESHOLD = 0.4
#: A terminal ticket stays a candidate this long after it ended.
RECENT_TERMINAL = timedelta(days=1)
#: At most this many tickets are read and scored for one query.
MAX_POOL = 3000
#: How surely a ticket is about the same place, by where it was recorded.
PLACE_FACTORS = {
    "same_community": 1.0,
    "same_street": 0.8,  # recorded at the street, or the new request names only the street
    "neighbour": 0.45,  # another community of the same street: only nearly the same words
    "elsewhere": 0.7,  # found only because the same requester made it
}

#: Words of the hotline's own voice, not of the matter; removed before comparing texts.
BOILERPLATE = (
    "来电人", "来电市民", "市民来电", "来电", "市民", "网友", "本人", "您好", "你好", "反映", "诉称",
    "表示", "称", "咨询", "询问", "想了解", "请问", "希望", "要求", "请求", "请", "相关部门",
    "有关部门", "相关单位", "有关单位", "承办单位", "尽快", "处理", "解决", "核实", "答复", "回复",
    "帮助", "协调", "联系", "谢谢", "感谢", "留言", "情况", "问题", "给予", "派人", "一下",
    "非常", "很大", "一直", "多次", "已经", "目前", "至今", "附近", "周边", "小区", "社区", "街道",
)  # fmt: skip
_BOILERPLATE = re.compile("|".join(sorted(map(re.escape, BOILERPLATE), key=len, reverse=True)))
_NOT_WORD = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff]+")
_BUILDING = re.compile(r"(\d+)\s*(号楼|号院|栋|幢|号)")


@dataclass(frozen=True)
class DuplicateQuery:
    """The new request, as the operator has it so far."""

    title: str
    content: str
    address: str = ""
    location_unit_code: str | None = None
    requester_id: int | None = None
    category: str | None = None
    exclude_ticket_id: int | None = None  # the ticket itself, when asking for an existing one

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.content}"


@dataclass(frozen=True)
class Reason:
    code: str  # same_community | same_street | same_address | similar_words | same_requester | same_category
    label_zh: str
    detail: str = ""


@dataclass(frozen=True)
class Candidate:
    ticket_id: int
    number: str
    title: str
    status: str
    received_at: datetime
    category: str
    location_unit_code: str | None
    score: float
    similarity: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Scope:
    """Where the new request is: its community, street and district, as far as known."""

    community: Unit | None
    street: Unit | None
    district: Unit | None
    neighbours: frozenset[str] = frozenset()  # the other communities of the street

    @property
    def unit_codes(self) -> list[str]:
        """Units whose tickets are read: the community, its street and the street's communities."""
        codes = [u.code for u in (self.community, self.street) if u is not None]
        if not codes and self.district is not None:
            codes = [self.district.code]
        return codes + sorted(self.neighbours)


# --- places ------------------------------------------------------------------------------

_INDEXES: dict[int, tuple[weakref.ref, dict]] = {}
_LOCK = threading.Lock()


def _city_index(city: CityConfig) -> dict:
    """Children by parent and community/street names by their first two characters."""
    with _LOCK:
        held = _INDEXES.get(id(city))
        if held is not None and held[0]() is city:
            return held[1]
        children: dict[str, list[str]] = {}
        names: dict[str, list[tuple[str, Unit]]] = {}
        for unit in city.units:
            if unit.kind is UnitKind.COMMUNITY and unit.parent:
                children.setdefault(unit.parent, []).append(unit.code)
            if unit.kind in (UnitKind.COMMUNITY, UnitKind.STREET):
                for name in {unit.name, *(a for a in unit.aliases if len(a) >= 3)}:
                    names.setdefault(name[:2], []).append((name, unit))
        index = {"children": children, "names": names}
        _INDEXES[id(city)] = (weakref.ref(city), index)
        return index


def _children(city: CityConfig) -> dict[str, list[str]]:
    return _city_index(city)["children"]


def units_in_address(city: CityConfig, address: str) -> list[Unit]:
    """Communities and streets named in ``address``: longest names first, communities first."""
    names = _city_index(city)["names"]
    found: dict[str, tuple[int, Unit]] = {}
    for i in range(len(address) - 1):
        for name, unit in names.get(address[i : i + 2], ()):
            if address.startswith(name, i):
                found[unit.code] = max(
                    found.get(unit.code, (0, unit)), (len(name), unit), key=lambda x: x[0]
                )
    ranked = sorted(found.values(), key=lambda x: (-x[0], x[1].kind is not UnitKind.COMMUNITY))
    return [u for _, u in ranked]


def scope_of(city: CityConfig, unit_code: str | None, address: str = "") -> Scope:
    """The place of a request from its location unit, else from the names in its address."""
    unit = city.unit(unit_code) if unit_code else None
    if unit is None or unit.kind not in (UnitKind.COMMUNITY, UnitKind.STREET):
        named = units_in_address(city, address) if address else []
        if unit is not None:  # a district or a department: keep only places inside it
            district = city.district_of(unit.code)
            named = [u for u in named if district is None or city.district_of(u.code) == district]
        streets = {u.code for u in named if u.kind is UnitKind.STREET}
        # a community whose street is named too is the surest reading of the address
        best = next(
            (u for u in named if u.kind is UnitKind.COMMUNITY and u.parent in streets),
            named[0] if named else None,
        )
        unit = best or unit
    if unit is None:
        return Scope(None, None, None)
    district = city.district_of(unit.code)
    if unit.kind is UnitKind.COMMUNITY:
        street = city.unit(unit.parent) if unit.parent else None
        others = _children(city).get(street.code, ()) if street is not None else ()
        return Scope(unit, street, district, frozenset(others) - {unit.code})
    if unit.kind is UnitKind.STREET:
        return Scope(None, unit, district, frozenset(_children(city).get(unit.code, ())))
    return Scope(None, None, district)


def _place_words(city: CityConfig, scope: Scope, codes: Iterable[str]) -> list[str]:
    words: set[str] = set()
    for code in codes:
        unit = city.unit(code)
        if unit is not None:
            words.add(unit.name)
            words.update(a for a in unit.aliases if len(a) >= 2)
    for unit in (scope.district, scope.street, scope.community):
        if unit is not None:
            words.add(unit.name)
            words.update(a for a in unit.aliases if len(a) >= 2)
    return sorted(words, key=len, reverse=True)


# --- text similarity ---------------------------------------------------------------------


def bigrams(text: str, place_words: Iterable[str] = ()) -> Counter[str]:
    """Character bigrams of the matter: place names, boilerplate and punctuation taken out."""
    for word in place_words:
        text = text.replace(word, " ")
    text = _BOILERPLATE.sub(" ", text)
    grams: Counter[str] = Counter()
    for run in _NOT_WORD.split(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def _weights(grams: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    return {g: (1 + math.log(n)) * idf[g] for g, n in grams.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(g, 0.0) for g, w in a.items())
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb)


def similarities(query: Counter[str], others: list[Counter[str]]) -> list[float]:
    """Cosine of the query with each other text, bigrams weighted by rarity among them all.

    The smoothing keeps a pool of one or two tickets from weighting everything alike
    at zero: a bigram in every text of a large pool weighs little, in a tiny pool most.
    """
    df: Counter[str] = Counter()
    for grams in (query, *others):
        df.update(grams.keys())
    n = len(others) + 1
    idf = {g: math.log((n + 8) / (d + 1)) for g, d in df.items()}
    q = _weights(query, idf)
    return [_cosine(q, _weights(o, idf)) for o in others]


# --- the search --------------------------------------------------------------------------


def _pool(session: Session, codes: list[str], query: DuplicateQuery, now: datetime, days: int):
    t = tables.tickets.c
    where_place = [t.location_unit_code.in_(codes)] if codes else []
    if query.requester_id is not None:
        where_place.append(t.requester_id == query.requester_id)
    if not where_place:
        return []
    terminal = [str(s) for s in TERMINAL]
    stmt = (
        select(
            t.id,
            t.number,
            t.title,
            t.content,
            t.status,
            t.received_at,
            t.closed_at,
            t.category,
            t.location_unit_code,
            t.address,
            t.requester_id,
        )
        .where(
            or_(*where_place),
            t.received_at >= now - timedelta(days=days),
            # not "IS NULL": SQLite would take that for a selective use of its index
            func.coalesce(t.merged_into_id, 0) == 0,
            t.status != str(Status.MERGED),
            or_(
                t.status.not_in(terminal),
                func.coalesce(t.closed_at, t.received_at) >= now - RECENT_TERMINAL,
            ),
        )
        .order_by(t.received_at.desc())
        .limit(MAX_POOL)
    )
    if query.exclude_ticket_id is not None:
        stmt = stmt.where(t.id != query.exclude_ticket_id)
    return session.execute(stmt).all()


def find_candidates(
    session: Session,
    city: CityConfig,
    query: DuplicateQuery,
    now: datetime,
    *,
    window_days: int | None = None,
    limit: int = 5,
    threshold: float = THRESHOLD,
) -> list[Candidate]:
    """The tickets the new request may repeat, best first, each scored with its reasons."""
    days = window_days or city.intake_policy.duplicate_window_days
    scope = scope_of(city, query.location_unit_code, query.address)
    codes = scope.unit_codes
    rows = _pool(session, codes, query, now, days)
    if not rows:
        return []
    words = _place_words(city, scope, {r.location_unit_code for r in rows if r.location_unit_code})
    q = bigrams(query.text, words)
    sims = similarities(q, [bigrams(f"{r.title}\n{r.content}", words) for r in rows])
    out = [
        c
        for r, s in zip(rows, sims, strict=True)
        if (c := _candidate(r, s, q, query, scope, words)).score >= threshold
    ]
    out.sort(key=lambda c: (-c.score, -c.received_at.timestamp()))
    return out[:limit]


def _buildings(address: str) -> set[str]:
    return {m.group(1) + m.group(2) for m in _BUILDING.finditer(address)}


def _candidate(row, sim: float, q: Counter[str], query: DuplicateQuery, scope: Scope, words):
    """Score = text similarity × how surely it is the same place, plus small bonuses.

    A sibling community of the same street weighs little: the same complaint next door
    is usually another matter, yet a community picked wrongly at intake is still found
    when the words are nearly the same.
    """
    reasons: list[Reason] = []
    same_requester = query.requester_id is not None and row.requester_id == query.requester_id
    code = row.location_unit_code
    building = False
    if scope.community is not None and code == scope.community.code:
        factor = PLACE_FACTORS["same_community"]
        reasons.append(Reason("same_community", "同一社区", scope.community.name))
        shared = _buildings(query.address) & _buildings(row.address or "")
        if shared:
            building = True
            reasons.append(Reason("same_address", "同一楼院", "、".join(sorted(shared))))
    elif scope.street is not None and (
        code == scope.street.code or (scope.community is None and code in scope.neighbours)
    ):
        factor = PLACE_FACTORS["same_street"]
        reasons.append(Reason("same_street", "同一街道", scope.street.name))
    elif scope.street is not None and code in scope.neighbours:
        factor = PLACE_FACTORS["neighbour"]
        reasons.append(Reason("same_street", "同一街道", scope.street.name))
    else:
        factor = PLACE_FACTORS["elsewhere"]
    if same_requester:
        reasons.append(Reason("same_requester", "同一诉求人"))
    same_category = bool(query.category) and row.category == query.category
    if same_category:
        reasons.append(Reason("same_category", "同一事项分类", row.category))
    if sim >= 0.2:
        reasons.insert(0, Reason("similar_words", "诉求内容相似", _shared_words(q, row, words)))
    score = sim * factor + 0.1 * building + 0.1 * same_requester + 0.05 * same_category
    return Candidate(
        ticket_id=row.id,
        number=row.number,
        title=row.title,
        status=row.status,
        received_at=row.received_at,
        category=row.category,
        location_unit_code=row.location_unit_code,
        score=round(min(score, 1.0), 3),
        similarity=round(sim, 3),
        reasons=tuple(reasons),
    )


def _shared_words(q: Counter[str], row, words) -> str:
    """The longest runs of shared bigrams, as the words an operator recognises."""
    other = bigrams(f"{row.title}\n{row.content}", words)
    common = [g for g in q if g in other]
    runs: list[str] = []
    for g in common:  # join overlapping bigrams ("电梯" + "梯停" → "电梯停")
        if runs and runs[-1].endswith(g[0]) and g not in runs[-1]:
            runs[-1] += g[1]
        elif not any(g in r for r in runs):
            runs.append(g)
    return "、".join(sorted(runs, key=len, reverse=True)[:5])
