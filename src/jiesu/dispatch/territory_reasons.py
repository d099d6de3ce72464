"""The reasons of a territory match: short Chinese sentences for the dispatcher, one for each
name the address mentions and for the coordinates, saying what the name is, where it
belongs and whether it was used (D3). Pure: no database, no web. Scoring is in territory.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .territory_names import PLACE_KINDS

if TYPE_CHECKING:
    from .territory import Gazetteer, PlaceRecord, _Form, _Mention

LEVELS_ZH = ("区", "街道乡镇", "社区村")
PLACE_KIND_LABELS_ZH = dict(zip(PLACE_KINDS, ("道路", "小区", "地标", "旧称", "地名"), strict=True))


def nothing(with_coordinates: bool, radius_m: float) -> str:
    """Why an address with no known name (and no place name near its coordinates) has no
    territory."""
    text = "地址中未找到本市的区、街道乡镇、社区村或登记的地名"
    return text + (f"，坐标{radius_m:.0f}米内也没有登记的地名" if with_coordinates else "")


def explain(
    g: Gazetteer,
    mentions: list[_Mention],
    chosen: str | None,
    near: tuple[PlaceRecord, float] | None,
) -> tuple[str, ...]:
    """A reason per mention (the coordinates last), then what was decided when the
    mentions do not make it plain."""
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
