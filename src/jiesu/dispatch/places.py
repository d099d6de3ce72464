"""Place names the deployment adds for territory resolution: roads, 小区, landmarks, old
names, each attached to a district, street/township or community (D1, D3). They are
added one by one here, or from a CSV file by places_import.py.

Writes go straight to ``place_names``; :func:`gazetteer` keeps one built
:class:`~jiesu.dispatch.territory.Gazetteer` per database and city. Before answering it
reads a cheap fingerprint of the table (count, largest and summed id, latest
``added_at``), so a name added or removed by another process is seen on the next call; a
write in this process drops the cached one at once. See docs/territory.md.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, select
from sqlalchemy.exc import IntegrityError

from jiesu.city.config import CityConfig, UnitKind
from jiesu.context import Context
from jiesu.domain.errors import Conflict, InvalidInput, NotFound
from jiesu.storage import tables
from jiesu.storage.db import read_only

from .territory import Gazetteer, PlaceRecord
from .territory_names import PLACE_KINDS, normalise

P = tables.place_names.c
TERRITORIAL = frozenset({UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY})
MAX_LIMIT = 500


@dataclass(frozen=True)
class PlaceName:
    id: int
    name: str
    unit_code: str
    kind: str
    latitude: float | None
    longitude: float | None
    added_by: str
    added_at: datetime

    def record(self) -> PlaceRecord:
        return PlaceRecord(self.name, self.unit_code, self.kind, self.latitude, self.longitude)


@dataclass(frozen=True)
class PlacePage:
    items: list[PlaceName]
    total: int
    limit: int
    offset: int


# --- checking -----------------------------------------------------------------------------


def checked(
    city: CityConfig,
    name: str,
    unit_code: str,
    kind: str = "other",
    latitude: float | None = None,
    longitude: float | None = None,
) -> dict:
    """The row to store, or :class:`InvalidInput` saying what is wrong with it."""
    name = (name or "").strip()
    if len(normalise(name)) < 2 or len(name) > 128:
        raise InvalidInput(
            "place.bad_name",
            "地名须为2至128个字",
            "A place name needs 2 to 128 characters",
        )
    kind = (kind or "other").strip()
    if kind not in PLACE_KINDS:
        raise InvalidInput(
            "place.bad_kind",
            f"地名类别须为 {'、'.join(PLACE_KINDS)} 之一，不能是“{kind}”",
            f"kind must be one of {', '.join(PLACE_KINDS)}, not {kind!r}",
        )
    unit = city.unit((unit_code or "").strip())
    if unit is None:
        raise InvalidInput("unit.unknown", f"单位 {unit_code} 不存在", f"Unknown unit {unit_code}")
    if unit.kind not in TERRITORIAL or unit.code == city.city.hotline_unit:
        raise InvalidInput(
            "place.not_territorial",
            f"地名只能属于区、街道乡镇或社区村，{unit.name} 不是",
            f"A place belongs to a district, street or community; {unit.code} is a {unit.kind}",
        )
    if (latitude is None) != (longitude is None) or not _coordinates_ok(latitude, longitude):
        raise InvalidInput(
            "place.bad_coordinates",
            "经纬度须同时填写，纬度在 -90 至 90 之间，经度在 -180 至 180 之间",
            "Give both latitude (-90..90) and longitude (-180..180), or neither",
        )
    return {
        "name": name,
        "unit_code": unit.code,
        "kind": kind,
        "latitude": latitude,
        "longitude": longitude,
    }


def _coordinates_ok(lat: float | None, lon: float | None) -> bool:
    if lat is None or lon is None:
        return True
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


# --- writing ------------------------------------------------------------------------------


def add_place(
    ctx: Context,
    *,
    name: str,
    unit_code: str,
    kind: str = "other",
    latitude: float | None = None,
    longitude: float | None = None,
    added_by: str,
) -> PlaceName:
    row = checked(ctx.city, name, unit_code, kind, latitude, longitude)
    try:
        with ctx.engine.begin() as conn:
            if recorded(conn, row["name"], row["unit_code"]) is not None:
                raise _exists(row)
            place_id = conn.execute(
                tables.place_names.insert()
                .values(**row, added_by=added_by, added_at=ctx.now())
                .returning(P.id)
            ).scalar_one()
            place = _get(conn, place_id)
    except IntegrityError as exc:  # added meanwhile by someone else
        raise _exists(row) from exc
    changed(ctx)
    assert place is not None
    return place


def delete_place(ctx: Context, place_id: int) -> PlaceName:
    with ctx.engine.begin() as conn:
        place = _get(conn, place_id)
        if place is None:
            raise NotFound(
                "place.not_found", f"地名 {place_id} 不存在", f"No place name {place_id}"
            )
        conn.execute(delete(tables.place_names).where(P.id == place_id))
    changed(ctx)
    return place


def _exists(row: dict) -> Conflict:
    return Conflict(
        "place.exists",
        f"“{row['name']}”已登记在 {row['unit_code']} 下",
        f"{row['name']!r} is already recorded for {row['unit_code']}",
    )


# --- reading ------------------------------------------------------------------------------


def list_places(
    ctx: Context,
    *,
    unit_code: str | None = None,
    name: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> PlacePage:
    """Place names, by name; ``unit_code`` takes the unit and the units below it, ``name``
    matches any part of the name."""
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    where = []
    if unit_code:
        where.append(P.unit_code.in_(_unit_and_below(ctx.city, unit_code)))
    if name and name.strip():
        where.append(P.name.contains(name.strip(), autoescape=True))
    with read_only(ctx.engine).connect() as conn:
        total = conn.execute(select(func.count()).select_from(tables.place_names).where(*where))
        rows = conn.execute(
            select(tables.place_names)
            .where(*where)
            .order_by(P.name, P.id)
            .limit(limit)
            .offset(offset)
        ).all()
        return PlacePage([_place(r) for r in rows], total.scalar_one(), limit, offset)


def _unit_and_below(city: CityConfig, code: str) -> list[str]:
    return [code] + [u.code for u in city.unit_and_below(code) if u.code != code]


def _place(row) -> PlaceName:
    return PlaceName(**row._mapping)  # the table's columns are the fields


def _get(conn: Connection, place_id: int) -> PlaceName | None:
    row = conn.execute(select(tables.place_names).where(P.id == place_id)).first()
    return _place(row) if row else None


def recorded(conn: Connection, name: str, unit_code: str):
    """The stored row of ``name`` for ``unit_code``, if there is one."""
    return conn.execute(
        select(tables.place_names).where(P.name == name, P.unit_code == unit_code)
    ).first()


# --- the shared gazetteer -----------------------------------------------------------------


@dataclass
class _Cached:
    city: CityConfig
    stamp: tuple
    gazetteer: Gazetteer
    checked: float


_CACHE: weakref.WeakKeyDictionary[Engine, _Cached] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _stamp(conn: Connection) -> tuple:
    """Changes whenever a place name is added, removed or updated (updates set added_at)."""
    row = conn.execute(
        select(func.count(), func.max(P.id), func.sum(P.id), func.max(P.added_at))
    ).one()
    return tuple(row)


def gazetteer(ctx: Context, *, max_age: float = 0.0) -> Gazetteer:
    """The gazetteer of ``ctx``'s city and place names, rebuilt when they change.

    The table's fingerprint is read on each call (one small query) unless it was read
    less than ``max_age`` seconds ago: bulk callers may pass a few seconds.
    """
    entry = _CACHE.get(ctx.engine)
    fresh = entry is not None and entry.city is ctx.city
    if fresh and max_age > 0 and time.monotonic() - entry.checked < max_age:  # type: ignore[union-attr]
        return entry.gazetteer  # type: ignore[union-attr]
    with read_only(ctx.engine).connect() as conn:
        stamp = _stamp(conn)
        if fresh and entry.stamp == stamp:  # type: ignore[union-attr]
            entry.checked = time.monotonic()  # type: ignore[union-attr]
            return entry.gazetteer  # type: ignore[union-attr]
        with _LOCK:
            entry = _CACHE.get(ctx.engine)
            if entry is not None and entry.city is ctx.city and entry.stamp == stamp:
                return entry.gazetteer
            rows = conn.execute(
                select(P.name, P.unit_code, P.kind, P.latitude, P.longitude).order_by(P.id)
            ).all()
            built = Gazetteer.build(ctx.city.units, (PlaceRecord(*r) for r in rows))
            _CACHE[ctx.engine] = _Cached(ctx.city, stamp, built, time.monotonic())
            return built


def changed(ctx: Context) -> None:
    """Place names changed in this process: the next :func:`gazetteer` call rebuilds."""
    with _LOCK:
        _CACHE.pop(ctx.engine, None)
