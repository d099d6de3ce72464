"""Territory resolution: the district, street/township and community of an address, how
sure, and why (D1 属地管理, D3; BJ Art. 12). Pure: no database, no web.

Every candidate unit is scored by the names in the address that support or contradict
it, the scores become probabilities, and the answer descends from the district while the
next level is more likely than not. The names themselves, and how an address is cut into
them, are in territory_names.py; the reasons given, in territory_reasons.py.
docs/territory.md explains the weights and the confidence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from jiesu.city.config import Unit, UnitKind

from .territory_names import cut, first_two, normalise, unit_label, unit_names
from .territory_reasons import explain, nothing

LEVELS = ("district", "street", "community")
#: How much a place name says about its unit: a road crosses boundaries, a 小区 does not.
PLACE_WEIGHTS = {"road": 0.5, "compound": 0.85, "landmark": 0.75, "old_name": 0.8, "other": 0.6}

BETA = 2.5  # softmax sharpness
NONE_SCORE = 0.3  # score of "none of these": one weak name alone stays short of certainty
CONFLICT = 0.6  # how much a mention outside a hypothesis's branch counts against it
THRESHOLD = 0.5  # a level is returned when its best unit is more likely than not
RADIUS_M = 500.0  # coordinates: the nearest place name within this distance
EARTH_M = 6_371_000.0
_CELL = 0.01  # degrees per cell of the coordinate grid

_LEVEL_OF = {UnitKind.DISTRICT: 0, UnitKind.STREET: 1, UnitKind.COMMUNITY: 2}


@dataclass(frozen=True)
class PlaceRecord:
    """A place name added by the deployment, attached to a district, street or community."""

    name: str
    unit_code: str
    kind: str = "other"
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class TerritoryMatch:
    """Where an address lies: the unit codes of each level known, how sure, and why."""

    district: str | None = None
    street: str | None = None
    community: str | None = None
    level: str | None = None  # "community" | "street" | "district" | None: most specific known
    confidence: float = 0.0  # probability that the unit at ``level`` is right (0 without one)
    reasons: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()  # other units considered (shared names, conflicts)

    def unit_for(self, kind: str | UnitKind) -> str | None:
        """The code found at ``kind`` (district, street or community), if any."""
        found = {"district": self.district, "street": self.street, "community": self.community}
        return found.get(str(kind))

    @property
    def code(self) -> str | None:
        """The most specific unit found."""
        return self.unit_for(self.level) if self.level else None


@dataclass(frozen=True, slots=True)
class _Node:
    code: str
    name: str
    level: int  # 0 district, 1 street, 2 community
    lineage: tuple[str, ...]  # itself, then its territorial ancestors up to the district
    label: str  # how a reason names it: 东城区, 东华门街道, 东厂社区
    kind_zh: str  # 区, 街道, 镇, 乡, 社区, 村


@dataclass(frozen=True, slots=True)
class _Form:
    weight: float
    place: str | None = None  # the place kind for a place name; None for a unit's own name


@dataclass(frozen=True, slots=True)
class _Mention:
    surface: str  # "" for the coordinates
    units: dict[str, _Form]  # candidate unit → how it is named

    @property
    def strength(self) -> float:
        """What the name says against a unit outside every candidate's branch."""
        best = max(f.weight for f in self.units.values())
        return max(0.0, best - math.log(len(self.units)) / BETA)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(min(1.0, math.sqrt(a)))


class Gazetteer:
    """Every name of the city's territorial units and places, ready to resolve addresses."""

    def __init__(self) -> None:
        self.nodes: dict[str, _Node] = {}
        self.places = 0  # place names indexed
        self._forms: dict[str, dict[str, _Form]] = {}  # surface → unit → form
        self._index: dict[str, tuple[str, ...]] = {}  # first two characters → surfaces
        self._strongest: dict[str, float] = {}
        self._grid: dict[tuple[int, int], list[PlaceRecord]] = {}

    @classmethod
    def build(cls, units: Iterable[Unit], places: Iterable[PlaceRecord] = ()) -> Gazetteer:
        g, units = cls(), list(units)
        by_code = {u.code: u for u in units}
        for u in units:
            if u.kind in _LEVEL_OF:
                g._node(u, by_code)
        variants = [v for u in units if u.code in g.nodes for v in g._unit_names(u)]
        primary = {s: set(forms) for s, forms in g._forms.items()}
        for surface, code, weight in variants:  # never shadow another unit's own name
            if surface not in primary or code in primary[surface]:
                g._add(surface, code, _Form(weight))
        for p in places:
            g._add_place(p)
        g._index = first_two(g._forms)
        g._strongest = {s: max(f.weight for f in fs.values()) for s, fs in g._forms.items()}
        return g

    def _node(self, unit: Unit, by_code: dict[str, Unit]) -> None:
        level = _LEVEL_OF[unit.kind]
        lineage, below, parent = [unit.code], level, by_code.get(unit.parent or "")
        while parent is not None and _LEVEL_OF.get(parent.kind, 99) < below:
            lineage.append(parent.code)
            below, parent = _LEVEL_OF[parent.kind], by_code.get(parent.parent or "")
        name = unit.name.strip()
        label, kind_zh = unit_label(name, level)
        self.nodes[unit.code] = _Node(unit.code, name, level, tuple(lineage), label, kind_zh)

    def _unit_names(self, unit: Unit) -> list[tuple[str, str, float]]:
        """Index the official name and aliases; return the derived forms, added last."""
        node = self.nodes[unit.code]
        own, derived = unit_names(node.name, node.label, unit.aliases, node.level)
        for surface, weight in own:
            self._add(surface, unit.code, _Form(weight))
        return [(surface, unit.code, weight) for surface, weight in derived]

    def _add(self, surface: str, code: str, form: _Form) -> None:
        if len(surface) >= 2:
            forms = self._forms.setdefault(surface, {})
            if code not in forms or form.weight > forms[code].weight:
                forms[code] = form

    def _add_place(self, p: PlaceRecord) -> None:
        if p.unit_code not in self.nodes:
            return  # a place of a unit the configuration no longer has
        self.places += 1
        kind = p.kind if p.kind in PLACE_WEIGHTS else "other"
        self._add(normalise(p.name), p.unit_code, _Form(PLACE_WEIGHTS[kind], kind))
        if p.latitude is not None and p.longitude is not None:
            point = PlaceRecord(p.name, p.unit_code, kind, p.latitude, p.longitude)
            self._grid.setdefault(_cell(p.latitude, p.longitude), []).append(point)

    # --- reading ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._forms)

    def name(self, code: str) -> str | None:
        node = self.nodes.get(code)
        return node.name if node else None

    def kind(self, code: str) -> str | None:
        node = self.nodes.get(code)
        return LEVELS[node.level] if node else None

    def scan(self, address: str) -> list[str]:
        """The names in ``address``, in order (see :func:`.territory_names.cut`)."""
        return cut(normalise(address), self._index, self._strongest)

    def nearest(
        self, latitude: float, longitude: float, radius_m: float = RADIUS_M
    ) -> tuple[PlaceRecord, float] | None:
        """The nearest place name with coordinates within ``radius_m``, and its distance."""
        cos = max(0.2, math.cos(math.radians(latitude)))
        reach = max(1, math.ceil(radius_m / (_CELL * 111_000 * cos)))
        ci, cj = _cell(latitude, longitude)
        best: tuple[PlaceRecord, float] | None = None
        for i in range(ci - reach, ci + reach + 1):
            for j in range(cj - reach, cj + reach + 1):
                for p in self._grid.get((i, j), ()):
                    d = haversine_m(latitude, longitude, p.latitude, p.longitude)  # type: ignore[arg-type]
                    if d <= radius_m and (best is None or d < best[1]):
                        best = (p, d)
        return best

    def resolve(
        self, address: str, latitude: float | None = None, longitude: float | None = None
    ) -> TerritoryMatch:
        """Where ``address`` (and the coordinates, when given) lies; see the module doc."""
        mentions = [_Mention(s, self._forms[s]) for s in dict.fromkeys(self.scan(address))]
        near = None
        if latitude is not None and longitude is not None and self._grid:
            near = self.nearest(latitude, longitude)
        if near is not None:
            point, dist = near
            form = _Form(0.9 - 0.5 * dist / RADIUS_M, point.kind)
            mentions.append(_Mention("", {point.unit_code: form}))
        if not mentions:
            return TerritoryMatch(reasons=(nothing(latitude is not None, RADIUS_M),))
        probs = self._probabilities(mentions)
        chosen, confidence = self._descend(probs)
        lineage = self.nodes[chosen].lineage if chosen else ()
        ranked = sorted(probs.items(), key=lambda x: -x[1])
        levels = {LEVELS[self.nodes[c].level]: c for c in lineage}
        return TerritoryMatch(
            district=levels.get("district"),
            street=levels.get("street"),
            community=levels.get("community"),
            level=LEVELS[self.nodes[chosen].level] if chosen else None,
            confidence=round(min(max(confidence, 0.0), 1.0), 3),
            reasons=explain(self, mentions, chosen, near),
            candidates=tuple(c for c, p in ranked if c not in lineage and p >= 0.01)[:10],
        )

    def _probabilities(self, mentions: list[_Mention]) -> dict[str, float]:
        nodes, scores = self.nodes, {}
        for h in dict.fromkeys(c for m in mentions for c in m.units):
            lineage, support, score = nodes[h].lineage, [], 0.0
            for m in mentions:
                w = max((f.weight for c, f in m.units.items() if c in lineage), default=None)
                if w is not None:
                    support.append((m, w))
                elif not any(h in nodes[c].lineage for c in m.units):  # outside h's branch
                    score -= CONFLICT * m.strength
            for m, w in support:
                # A name shared by k units says less, unless h's other names pick one out.
                others = [o.units for o, _ in support if o is not m]
                k = sum(
                    1
                    for c in m.units
                    if all(any(o in nodes[c].lineage for o in other) for other in others)
                )
                score += w - math.log(max(k, 1)) / BETA
            scores[h] = score
        top = max(scores.values())
        exps = {h: math.exp(BETA * (s - top)) for h, s in scores.items()}
        total = sum(exps.values()) + math.exp(BETA * (NONE_SCORE - top))
        return {h: e / total for h, e in exps.items()}

    def _descend(self, probs: dict[str, float]) -> tuple[str | None, float]:
        """From the district down, the best unit of each level while it is likely enough."""
        chosen, confidence = None, 0.0
        for level in range(3):
            marginal: dict[str, float] = {}
            for h, p in probs.items():
                lineage = self.nodes[h].lineage
                if chosen is None or chosen in lineage:
                    for c in lineage:
                        if self.nodes[c].level == level:
                            marginal[c] = marginal.get(c, 0.0) + p
            best = max(marginal, key=lambda c: (marginal[c], c), default=None)
            if best is None or marginal[best] < THRESHOLD:
                break
            chosen, confidence = best, marginal[best]
        return chosen, confidence


def _cell(latitude: float, longitude: float) -> tuple[int, int]:
    return math.floor(latitude / _CELL), math.floor(longitude / _CELL)
