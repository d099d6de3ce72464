"""The topics of simulated tickets: the phrases and habits of each leaf category of the
city, from ``phrases.yaml`` (read once by :func:`phrasebook`).

Every category of the city configuration gets a topic: its own phrases when
``phrases.yaml`` has a topic of that name (or keyword), else the phrases of its
first-level area with the category's name filled in, else a generic set. The texts
themselves are composed in :mod:`.texts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from jiesu.city.config import CityConfig
from jiesu.domain.ticket import RequestType

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@cache
def phrasebook() -> dict[str, Any]:
    """The packaged phrases (read once per process)."""
    text = resources.files(__package__).joinpath("phrases.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)


@dataclass(frozen=True)
class Phrase:
    key: str  # short noun phrase for titles, answers and replies
    text: str
    types: str = "ch"  # c complaint, h help, r report, u urgent-capable


def _phrases(entries: list[str] | None) -> tuple[Phrase, ...]:
    out = []
    for entry in entries or ():
        key, text, *flags = entry.split("|")
        out.append(Phrase(key, text, flags[0] if flags else "ch"))
    return tuple(out)


@dataclass(frozen=True)
class Topic:
    """The phrases and habits of one leaf category of the city."""

    category: str  # the category code, e.g. 城乡建设/物业管理
    name: str
    area: str
    own: bool  # False: the first-level area's generic phrases fill in
    weight: float
    hard: float
    months: frozenset[int]
    season: float
    rural: float
    urban: float
    aff: dict[str, float]
    problems: tuple[Phrase, ...]
    questions: tuple[Phrase, ...]
    suggestions: tuple[Phrase, ...]
    pools: dict[str, tuple[str, ...]] = field(repr=False)  # impacts, priors, actors, ...
    fallback: tuple[Phrase, ...] = field(default=(), repr=False)  # the area's generic problems

    def weight_for(self, request_type: str, month: int, village: bool) -> float:
        w = self.weight * self.aff.get(request_type, 1.0)
        if request_type == RequestType.REPORT and not any("r" in p.types for p in self.problems):
            w *= 0.15
        if month in self.months:
            w *= self.season
        return w * (self.rural if village else self.urban)

    @property
    def urgent_capable(self) -> bool:
        return any("u" in p.types for p in self.problems)


def city_topics(city: CityConfig, book: dict[str, Any]) -> dict[str, Topic]:
    """A topic for each leaf category of ``city``, by category code."""
    codes = [c.code for c in city.categories]
    leaves = [c for c in city.categories if not any(o.startswith(c.code + "/") for o in codes)]
    entries = book["topics"]
    out: dict[str, Topic] = {}
    for category in leaves:
        area_name = category.code.split("/")[0]
        area = book["areas"].get(area_name) or book["areas"]["_default"]
        entry = next(
            (e for e in entries if e["name"] == category.name),
            None,
        ) or next(
            (e for e in entries if any(w in category.name for w in e.get("match", ()))),
            None,
        )
        own = entry or {}

        def phrases(kind: str, own=own, area=area) -> tuple[Phrase, ...]:
            return _phrases(own.get(kind)) or _phrases(area.get(kind))

        # A topic's own pool replaces the area's (its words fit better); answers add up.
        pools = {
            name: tuple(own.get(name) or area.get(name) or ())
            for name in ("impacts", "priors", "actors", "actions", "constraints")
        }
        pools["answers"] = tuple(area.get("answers", ()))
        default = book["areas"]["_default"]
        fallback = _phrases(area.get("problems")) + _phrases(default.get("problems"))
        out[category.code] = Topic(
            category=category.code,
            name=category.name,
            area=area_name,
            own=entry is not None,
            weight=float(own.get("w", 1.0)),
            hard=float(own.get("hard", 0.4)),
            months=frozenset(own.get("months", ())),
            season=float(own.get("season", 1.0)),
            rural=float(own.get("rural", 1.0)),
            urban=float(own.get("urban", 1.0)),
            aff={str(k): float(v) for k, v in (own.get("aff") or {}).items()},
            problems=phrases("problems"),
            questions=phrases("questions"),
            suggestions=phrases("suggestions"),
            pools=pools,
            fallback=fallback,
        )
    return out
