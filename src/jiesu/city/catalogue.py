"""The dispatch catalogue (派单目录): which kind of unit answers for a category (D1, D8).

Each entry names, for a category (and optionally some request types), the
kind of unit that leads, which department or fixed unit that is, and the part
the territorial levels play: whether the matter is on the community's duty
list (it may lead) or it only assists, and whether a street/township may lead
a department's matter or only assists. The city file holds the first version;
the hotline office edits it from then on (``jiesu.dispatch.catalogue``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from .units import DEPARTMENT_KINDS, Strict, Unit, UnitKind


class Responsibility(StrEnum):
    DUTY = "duty"  # on this level's duty list: it may lead
    ASSIST = "assist"  # this level only assists: a co-handler, never the lead


RESPONSIBILITY_LABELS_ZH = {Responsibility.DUTY: "职责事项", Responsibility.ASSIST: "协助事项"}


class CatalogueEntry(Strict):
    """A row of the dispatch catalogue: who leads a category, and who may help (D1, D8)."""

    category: str
    request_types: tuple[str, ...] = ()  # empty: every type
    lead_kind: UnitKind
    department: str | None = None  # for department kinds: which department
    unit: str | None = None  # a fixed unit (e.g. a utility)
    community: Responsibility | None = None  # absent: not on the community's duty list
    street: Responsibility | None = None  # for a department's matter: may a street lead?
    note: str = ""

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """What identifies an entry in the catalogue: its category and request types."""
        return (self.category, tuple(sorted(self.request_types)))

    def community_part(self) -> Responsibility | None:
        if self.lead_kind is UnitKind.COMMUNITY:
            return Responsibility.DUTY
        return self.community

    def street_part(self) -> Responsibility | None:
        if self.lead_kind in (UnitKind.STREET, UnitKind.DISTRICT):
            return Responsibility.DUTY
        return self.street


def under(category: str, prefix: str) -> bool:
    return category == prefix or category.startswith(prefix + "/")


def entry_for(
    entries: Iterable[CatalogueEntry], category: str, request_type: str | None = None
) -> CatalogueEntry | None:
    """The most specific entry for ``category``: the longest category prefix, and among
    those an entry naming the request type before one for every type."""
    best: tuple[int, int] | None = None
    found = None
    for entry in entries:
        if not under(category, entry.category):
            continue
        if entry.request_types and request_type not in entry.request_types:
            continue
        rank = (len(entry.category), 1 if entry.request_types else 0)
        if best is None or rank > best:
            best, found = rank, entry
    return found


def catalogue_problems(
    categories: Sequence, units: Sequence[Unit], entries: Sequence[CatalogueEntry]
) -> list[tuple[str, str]]:
    """Everything wrong with ``entries`` for this city, each with the entry it is about."""
    problems: list[tuple[str, str]] = []
    codes: set[str] = set()
    for i, category in enumerate(categories):
        if category.code in codes:
            problems.append((f"categories[{i}] (code={category.code})", "duplicate category code"))
        codes.add(category.code)
    departments = {u.department for u in units if u.kind in DEPARTMENT_KINDS}
    by_code = {u.code: u for u in units}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for i, entry in enumerate(entries):
        where = f"dispatch_catalogue[{i}] (category={entry.category})"
        if entry.key in seen:
            problems.append((where, "the same category and request types are listed twice"))
        seen.add(entry.key)
        if entry.category not in codes:
            problems.append((where, "category is not in categories"))
        fixed = by_code.get(entry.unit) if entry.unit is not None else None
        if entry.unit is not None and fixed is None:
            problems.append((where, f"unit {entry.unit!r} is not a unit"))
        elif fixed is not None and fixed.kind is not entry.lead_kind:
            problems.append(
                (where, f"unit {entry.unit!r} is a {fixed.kind}, not a {entry.lead_kind}")
            )
        if entry.department is not None and entry.department not in departments:
            problems.append((where, f"no unit has department {entry.department!r}"))
        if entry.lead_kind is UnitKind.UTILITY and entry.unit is None:
            problems.append((where, "a utility lead needs its `unit`"))
        if (
            entry.lead_kind in (UnitKind.CITY_DEPARTMENT, UnitKind.DISTRICT_DEPARTMENT)
            and entry.department is None
            and entry.unit is None
        ):
            problems.append((where, "a department lead needs its `department` or `unit`"))
        if entry.lead_kind in (UnitKind.HOTLINE, UnitKind.CITY_GOVERNMENT):
            problems.append((where, f"a {entry.lead_kind} does not lead tickets"))
    return problems
