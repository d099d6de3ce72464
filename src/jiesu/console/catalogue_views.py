"""The dispatch catalogue in the console's words (D1, D8): entries with Chinese labels for
kinds and parts, the edit form's values, and each version's changes described field by field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jiesu.city.catalogue import RESPONSIBILITY_LABELS_ZH, CatalogueEntry
from jiesu.city.config import UNIT_KIND_LABELS_ZH, CityConfig, UnitKind
from jiesu.dispatch import catalogue
from jiesu.domain.ticket import REQUEST_TYPE_LABELS_ZH

from .forms import FormError
from .views import category_label, label, unit_name

ENTRY_FIELD_LABELS_ZH = {
    "category": "事项分类",
    "request_types": "诉求类型",
    "lead_kind": "主办单位类型",
    "department": "主管部门",
    "unit": "指定单位",
    "community": "社区",
    "street": "街道乡镇",
    "note": "备注",
}
CHANGE_LABELS_ZH = {"added": "新增", "removed": "删除", "changed": "修改"}
#: Kinds that may lead in a catalogue entry (the hotline and the city government never do).
LEAD_KINDS = [k for k in UnitKind if k not in (UnitKind.HOTLINE, UnitKind.CITY_GOVERNMENT)]

_DEPARTMENTS: dict[int, tuple[CityConfig, dict[str, str]]] = {}


def _department_names(city: CityConfig) -> dict[str, str]:
    """Each department key's name without its city or district (交通委员会), read once per city."""
    held = _DEPARTMENTS.get(id(city))
    if held is not None and held[0] is city:
        return held[1]
    names: dict[str, str] = {}
    for unit in sorted(
        (u for u in city.units if u.department),
        key=lambda u: u.kind is not UnitKind.CITY_DEPARTMENT,
    ):
        if unit.department in names:
            continue
        parent = city.unit(unit.parent) if unit.parent else None
        stem = (parent.name if parent else "").removesuffix("人民政府")
        if unit.kind is UnitKind.CITY_DEPARTMENT:
            stem = city.city.name
        cut = stem and unit.name.startswith(stem) and len(unit.name) > len(stem)
        names[unit.department] = unit.name[len(stem) :] if cut else unit.name  # type: ignore[index]
    _DEPARTMENTS[id(city)] = (city, names)
    return names


def department_label(city: CityConfig, key: str | None) -> str:
    """``transport`` → 交通委员会."""
    if not key:
        return "—"
    return _department_names(city).get(key, key)


def department_choices(city: CityConfig) -> list[tuple[str, str]]:
    return sorted((k, f"{name}（{k}）") for k, name in _department_names(city).items())


def lead_text(city: CityConfig, entry: CatalogueEntry) -> str:
    text = UNIT_KIND_LABELS_ZH.get(entry.lead_kind, str(entry.lead_kind))
    if entry.unit:
        return f"{text} · {unit_name(city, entry.unit)}"
    if entry.department:
        return f"{text} · {department_label(city, entry.department)}"
    return text


def types_text(types: Sequence[str]) -> str:
    return "、".join(label(REQUEST_TYPE_LABELS_ZH, t) for t in types) if types else "全部类型"


def part_text(part: str | None, *, community: bool) -> str:
    if part is None:
        return "不在职责清单" if community else "—"
    return label(RESPONSIBILITY_LABELS_ZH, part)


def entry_key(entry: CatalogueEntry) -> str:
    """An entry's key as one query value: ``城乡建设/物业管理|complaint,report``."""
    category, types = entry.key
    return f"{category}|{','.join(types)}"


def entry_row(city: CityConfig, entry: CatalogueEntry) -> dict[str, str]:
    return {
        "key": entry_key(entry),
        "category": entry.category,
        "category_label": category_label(entry.category),
        "types": ",".join(entry.key[1]),
        "types_label": types_text(entry.request_types),
        "lead": lead_text(city, entry),
        "community": part_text(entry.community_part(), community=True),
        "street": part_text(entry.street_part(), community=False),
        "note": entry.note,
    }


def entry_summary(city: CityConfig, entry: CatalogueEntry) -> str:
    row = entry_row(city, entry)
    parts = [f"{row['category_label']}（{row['types_label']}）：{row['lead']}主办"]
    parts.append(f"社区：{row['community']}")
    if row["street"] != "—":
        parts.append(f"街道乡镇：{row['street']}")
    if entry.note:
        parts.append(f"备注：{entry.note}")
    return "；".join(parts)


def entry_values(entry: CatalogueEntry | None) -> dict[str, Any]:
    """The edit form's values for an entry (blank for a new one)."""
    if entry is None:
        return {"request_types": []}
    return {
        "original": entry_key(entry),
        "category": entry.category,
        "request_types": list(entry.request_types),
        "lead_kind": str(entry.lead_kind),
        "department": entry.department or "",
        "unit": entry.unit or "",
        "community": str(entry.community or ""),
        "street": str(entry.street or ""),
        "note": entry.note,
    }


ENTRY_FORM_FIELDS = (
    "original",
    "category",
    "lead_kind",
    "department",
    "unit",
    "community",
    "street",
    "note",
    "reason",
    "expected_version",
)


def parse_entry_form(values: dict[str, Any]) -> tuple[CatalogueEntry, str | None]:
    """The entry posted by the catalogue form, and the key of the entry it edits (if any)."""
    missing = [
        f"{ENTRY_FIELD_LABELS_ZH[name]}：必须填写"
        for name in ("category", "lead_kind")
        if not values.get(name)
    ]
    if not values.get("reason"):
        missing.append("修改理由：必须填写")
    if missing:
        raise FormError(missing)
    data: dict[str, Any] = {
        "category": values["category"],
        "request_types": values.get("request_types") or [],
        "lead_kind": values["lead_kind"],
        "note": values.get("note") or "",
    }
    for name in ("department", "unit", "community", "street"):
        if values.get(name):
            data[name] = values[name]
    return catalogue.parse_entry(data), values.get("original") or None


def _field_value(city: CityConfig, name: str, value: Any) -> str:
    if value in (None, "", []):
        return part_text(None, community=True) if name == "community" else "—"
    if name == "request_types":
        return types_text(value)
    if name == "lead_kind":
        return label(UNIT_KIND_LABELS_ZH, UnitKind(value)) if value in set(UnitKind) else value
    if name == "department":
        return department_label(city, value)
    if name == "unit":
        return unit_name(city, value)
    if name in ("community", "street"):
        return label(RESPONSIBILITY_LABELS_ZH, value)
    if name == "category":
        return category_label(value)
    return str(value)


def describe_change(city: CityConfig, change: dict[str, Any]) -> dict[str, Any]:
    """One change of a catalogue version, in words: what it was, and each field before → after."""
    before, after = change.get("before") or {}, change.get("after") or {}
    details = []
    if change["change"] == "changed":
        for name, text in ENTRY_FIELD_LABELS_ZH.items():
            if before.get(name) != after.get(name):
                old, new = (
                    _field_value(city, name, before.get(name)),
                    _field_value(city, name, after.get(name)),
                )
                details.append(f"{text}：{old} → {new}")
    else:
        shown = after or before
        try:
            details.append(entry_summary(city, CatalogueEntry.model_validate(shown)))
        except ValueError:  # an entry of an older city file: show it as it was stored
            details.append(str(shown))
    return {
        "change": CHANGE_LABELS_ZH.get(change["change"], change["change"]),
        "kind": change["change"],
        "category": category_label(change["category"]),
        "types": types_text(change.get("request_types") or []),
        "details": details,
    }
