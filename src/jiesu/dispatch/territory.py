"""Territory resolution: the district, street/township and community of an address, how
sure, and why (D1 属地管理, D3; BJ Art. 12). Pure: no database, no web.

Units are known by their official names, aliases, stems (东华门 for 东华门街道; at least two
characters, never an ordinary word) and stems with their level's other suffixes
(东华门地区); place names add roads, 小区, landmarks and old names, some with coordinates.
An address is cut once into the names that cover most of it; every candidate unit is
scored by the names that support or contradict it, the scores become probabilities, and
the answer descends from the district while the next level is more likely than not.
docs/territory.md explains the weights and the confidence.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from jiesu.city.config import Unit, UnitKind
from jiesu.city.divisions import is_village, short_forms

LEVELS = ("district", "street", "community")
LEVELS_ZH = ("区", "街道乡镇", "社区村")
PLACE_KINDS = ("road", "compound", "landmark", "old_name", "other")
PLACE_KIND_LABELS_ZH = dict(zip(PLACE_KINDS, ("道路", "小区", "地标", "旧称", "地名"), strict=True))
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
_GOVERNMENT = ("人民政府", "管理委员会", "政府")
_DISTRICT_SUFFIXES = ("区", "县", "旗", "市")
_STREET_SUFFIXES = ("街道", "地区", "乡", "镇")
_SUFFIXES = ("区", "县", "旗", "街道", "地区", "乡", "镇", "苏木", "社区", "村", "嘎查")
_SUFFIXES += ("居委会", "村委会", "委员会", "办事处")
#: Two-character stems that read as ordinary words in an address (东里, 三环, 大街, 幸福):
#: not indexed for streets and communities (their suffixed forms are).
_GENERIC_HEAD = frozenset("一二三四五六七八九十东西南北中上下前后内外大小新老旧第")
_GENERIC_TAIL = frozenset("区村街路里园院楼巷道条环号栋层庄店屯营")
_GENERIC_WORDS = frozenset(
    str.split(
        """中心 花园 家园 公园 小区 社区 市场 广场 车站 机场 学院 大学 医院 铁路 交通 软件 化工
    工业 科技 空间 世纪 阳光 幸福 光明 胜利 团结 解放 民主 先进 前进 向阳 跃进 振兴 复兴
    繁荣 友谊 和平 建设 红星 红旗 东风 曙光 黎明 新华 河北 河南 湖南 湖北 山东 山西 江西
    广东 苏州 天津 西安 东南 西南 东北 西北"""
    )
)


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


def normalise(text: str) -> str:
    """Full-width to half-width, whitespace removed (names never contain it)."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


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
        buckets: dict[str, list[str]] = {}
        for surface in g._forms:
            buckets.setdefault(surface[:2], []).append(surface)
        g._index = {k: tuple(sorted(v, key=len, reverse=True)) for k, v in buckets.items()}
        g._strongest = {s: max(f.weight for f in fs.values()) for s, fs in g._forms.items()}
        return g

    def _node(self, unit: Unit, by_code: dict[str, Unit]) -> None:
        level = _LEVEL_OF[unit.kind]
        lineage, below, parent = [unit.code], level, by_code.get(unit.parent or "")
        while parent is not None and _LEVEL_OF.get(parent.kind, 99) < below:
            lineage.append(parent.code)
            below, parent = _LEVEL_OF[parent.kind], by_code.get(parent.parent or "")
        name = unit.name.strip()
        label = _strip(name, _GOVERNMENT) if level == 0 else name
        if level == 0:
            kind_zh = label[-1] if label.endswith(("县", "旗")) else "区"
        elif level == 1:
            kind_zh = next((s for s in ("镇", "乡") if name.endswith(s)), "街道")
        else:
            kind_zh = "村" if is_village(name) else "社区"
        self.nodes[unit.code] = _Node(unit.code, name, level, tuple(lineage), label, kind_zh)

    def _unit_names(self, unit: Unit) -> list[tuple[str, str, float]]:
        """Index the official name and aliases; return the derived forms, added last."""
        node = self.nodes[unit.code]
        official = normalise(node.name)
        self._add(official, unit.code, _Form(_weight(official, node.level, official=True)))
        names = list(dict.fromkeys([normalise(node.label), *map(normalise, unit.aliases)]))
        for a in names:
            if a != official and not _generic(a, node.level):
                self._add(a, unit.code, _Form(_weight(a, node.level)))
        variants = []
        for base in names:
            for stem in _stems(base, node.level):
                if not _generic(stem, node.level):  # 光明 no, 光明居委会 yes
                    variants.append((stem, unit.code, _weight(stem, node.level)))
                for suffix in _STREET_SUFFIXES if node.level == 1 else ():
                    variants.append((stem + suffix, unit.code, 0.9))
                if node.level == 2 and base.endswith("社区"):
                    variants.append((stem + "居委会", unit.code, 0.9))
        return variants

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
        """The names in ``address``, in order: the non-overlapping matches covering the most
        characters (then the fewest names, then the strongest): 宾阳西里社区 is one name."""
        text, index, starts = normalise(address), self._index, {}
        n = len(text)
        for i in range(n - 1):
            bucket = index.get(text[i : i + 2])
            if bucket is not None:
                found = [s for s in bucket if text.startswith(s, i)]
                if found:
                    starts[i] = found
        if not starts:
            return []
        best: list[tuple[int, int, float]] = [(0, 0, 0.0)] * (n + 1)  # from i on
        pick: list[str | None] = [None] * (n + 1)
        for i in range(n - 1, -1, -1):
            best[i] = best[i + 1]
            for s in starts.get(i, ()):
                covered, count, weight = best[i + len(s)]
                option = (covered + len(s), count - 1, weight + self._strongest[s])
                if option > best[i]:
                    best[i], pick[i] = option, s
        out, i = [], 0
        while i < n:
            s = pick[i]
            out += [s] if s else []
            i += len(s) if s else 1
        return out

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
            return TerritoryMatch(reasons=(_nothing(latitude is not None),))
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
            reasons=_explain(self, mentions, chosen, near),
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


def _weight(surface: str, level: int, *, official: bool = False) -> float:
    """Official name 1.0, another suffixed form 0.9, a stem 0.7; two characters say less
    (0.6 official, 0.5 otherwise) except a district's stem (海淀 0.7; generic 东区 0.4)."""
    if len(surface) <= 2:
        if official:
            return 0.6
        if level == 0:
            return 0.4 if _generic(surface, 1) else 0.7
        return 0.5
    return 1.0 if official else 0.9 if surface.endswith(_SUFFIXES) else 0.7


def _strip(name: str, suffixes: tuple[str, ...]) -> str:
    for s in suffixes:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


def _generic(surface: str, level: int) -> bool:
    if level == 0 or len(surface) != 2:
        return len(surface) < 2
    return surface in _GENERIC_WORDS or (
        surface[0] in _GENERIC_HEAD and surface[1] in _GENERIC_TAIL
    )


def _stems(name: str, level: int) -> tuple[str, ...]:
    if level == 0:
        stem = _strip(name, _DISTRICT_SUFFIXES)
        return (stem,) if stem != name and len(stem) >= 2 else ()
    return short_forms(name, level="street" if level == 1 else "community")


def _cell(latitude: float, longitude: float) -> tuple[int, int]:
    return math.floor(latitude / _CELL), math.floor(longitude / _CELL)


# --- reasons: short Chinese sentences for the dispatcher -----------------------------------


def _nothing(with_coordinates: bool) -> str:
    text = "地址中未找到本市的区、街道乡镇、社区村或登记的地名"
    return text + (f"，坐标{RADIUS_M:.0f}米内也没有登记的地名" if with_coordinates else "")


def _what(g: Gazetteer, code: str, form: _Form) -> str:
    """（社区，属和平街道） for a unit's own name, （地标，属建外街道） for a place name."""
    node = g.nodes[code]
    if form.place is not None:
        return f"（{PLACE_KIND_LABELS_ZH.get(form.place, '地名')}，属{node.label}）"
    parent = g.nodes[node.lineage[1]].label if len(node.lineage) > 1 else None
    return f"（{node.kind_zh}，属{parent}）" if parent else f"（{node.kind_zh}）"


def _owners(g: Gazetteer, codes: Iterable[str]) -> str:
    labels = []
    for c in codes:
        node = g.nodes[c]
        parent = g.nodes[node.lineage[1]].label if len(node.lineage) > 1 else ""
        labels.append(parent + node.label)
    return "、".join(labels[:3]) + ("等" if len(labels) > 3 else "")


def _explain(
    g: Gazetteer,
    mentions: list[_Mention],
    chosen: str | None,
    near: tuple[PlaceRecord, float] | None,
) -> tuple[str, ...]:
    nodes, reasons, undecided = g.nodes, [], False
    lineage = nodes[chosen].lineage if chosen else ()
    for m in mentions:
        if m.surface:
            said = f"地址含“{m.surface}”"
        else:
            point, dist = near  # type: ignore[misc]
            said = f"坐标距“{point.name}”{dist:.0f}米"
        inside = [c for c in m.units if c in lineage]
        below = [c for c in m.units if chosen and chosen in nodes[c].lineage and c != chosen]
        if inside:
            c = max(inside, key=lambda c: nodes[c].level)
            elsewhere = [u for u in m.units if u not in lineage and u not in below]
            same = f"，同名{len(m.units)}处，按地址中其他地名确定" if elsewhere else ""
            reasons.append(said + _what(g, c, m.units[c]) + same)
        elif len(m.units) > 1:
            undecided = True
            owners = _owners(g, m.units)
            reasons.append(f"{said}，有{len(m.units)}处同名（{owners}），不能确定是哪一处")
        elif below:
            undecided = True
            reasons.append(said + _what(g, below[0], m.units[below[0]]) + "，与其他地名不一致")
        else:
            c = next(iter(m.units))
            unused = "，与所定属地不符，未采用" if chosen else ""
            reasons.append(said + _what(g, c, m.units[c]) + unused)
    if chosen is None:
        reasons.append("未能确定属地" if undecided else "各地名不一致，未能确定属地")
    elif undecided or nodes[chosen].level < 2:
        node = nodes[chosen]
        reasons.append(f"属地确定到{LEVELS_ZH[node.level]}：{node.label}")
    return tuple(reasons)
