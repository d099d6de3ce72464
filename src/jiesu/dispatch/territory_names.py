"""The names of territory resolution and how an address is cut into them (D3). Pure: no
database, no web.

Units are known by their official names, aliases, stems (东华门 for 东华门街道; at least two
characters, never an ordinary word) and stems with their level's other suffixes
(东华门地区); place names add roads, 小区, landmarks and old names, some with coordinates.
An address is cut once into the names that cover most of it. Levels are numbered 0
district, 1 street/township, 2 community/village. Scoring is in territory.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from jiesu.city.divisions import is_village, short_forms

PLACE_KINDS = ("road", "compound", "landmark", "old_name", "other")

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

Weighted = list[tuple[str, float]]  # (surface, weight)


def normalise(text: str) -> str:
    """Full-width to half-width, whitespace removed (names never contain it)."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def unit_label(name: str, level: int) -> tuple[str, str]:
    """How a reason names a unit (东城区 for 东城区人民政府) and its kind: 区, 县 or 旗; 街道,
    镇 or 乡; 社区 or 村."""
    label = _strip(name, _GOVERNMENT) if level == 0 else name
    if level == 0:
        kind_zh = label[-1] if label.endswith(("县", "旗")) else "区"
    elif level == 1:
        kind_zh = next((s for s in ("镇", "乡") if name.endswith(s)), "街道")
    else:
        kind_zh = "村" if is_village(name) else "社区"
    return label, kind_zh


def unit_names(
    name: str, label: str, aliases: Iterable[str], level: int
) -> tuple[Weighted, Weighted]:
    """A unit's own names (the official name, then its label and aliases that are not
    ordinary words) and the forms derived from them (stems, stems with the level's other
    suffixes), each with its weight; the derived forms are indexed last."""
    official = normalise(name)
    own = [(official, _weight(official, level, official=True))]
    names = list(dict.fromkeys([normalise(label), *map(normalise, aliases)]))
    own += [(a, _weight(a, level)) for a in names if a != official and not _generic(a, level)]
    derived = []
    for base in names:
        for stem in _stems(base, level):
            if not _generic(stem, level):  # 光明 no, 光明居委会 yes
                derived.append((stem, _weight(stem, level)))
            for suffix in _STREET_SUFFIXES if level == 1 else ():
                derived.append((stem + suffix, 0.9))
            if level == 2 and base.endswith("社区"):
                derived.append((stem + "居委会", 0.9))
    return own, derived


def first_two(surfaces: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The names by their first two characters, longest first: the index :func:`cut` reads."""
    buckets: dict[str, list[str]] = {}
    for surface in surfaces:
        buckets.setdefault(surface[:2], []).append(surface)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in buckets.items()}


def cut(text: str, index: dict[str, tuple[str, ...]], strongest: dict[str, float]) -> list[str]:
    """The names in ``text`` (normalised), in order: the non-overlapping matches covering
    the most characters (then the fewest names, then the strongest): 宾阳西里社区 is one
    name. ``index`` comes from :func:`first_two`; ``strongest`` is each name's best weight."""
    starts = {}
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
            option = (covered + len(s), count - 1, weight + strongest[s])
            if option > best[i]:
                best[i], pick[i] = option, s
    out, i = [], 0
    while i < n:
        s = pick[i]
        out += [s] if s else []
        i += len(s) if s else 1
    return out


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
