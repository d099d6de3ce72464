"""Place names the deployment adds for territory resolution: roads, 小区, landmarks, old
names, each attached to a district, street/township or community (D1, D3).

Writes go straight to ``place_names``; :func:`gazetteer` keeps one built
:class:`~jiesu.dispatch.territory.Gazetteer` per database and city. Before answering it
reads a cheap fingerprint of the table (count, largest and summed id, latest
``added_at``), so a name added or removed by another process is seen on the next call; a
write in this process drops the cached one at once. See docs/territory.md.
"""

from __future__ import annotations

import csv
import io
import math
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from jiesu.city.config import CityConfig, UnitKind
from jiesu.context import Context
from jiesu.domain.errors import Conflict, InvalidInput, JiesuError, NotFound
from jiesu.storage import tables
from jiesu.storage.db import read_only

from .territory import Gazetteer, PlaceRecord
from .territory_names import PLACE_KINDS, normalise

P = tables.place_names.c
TERRITORIAL = frozenset({UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY})
#: CSV headers: English or Chinese.
COLUMNS = {
    "name": ("name", "名称", "地名"),
    "unit_code": ("unit_code", "unit", "单位代码", "单位编码"),
    "kind": ("kind", "类别", "类型"),
    "latitude": ("latitude", "lat", "纬度"),
    "longitude": ("longitude", "lon", "lng", "经度"),
}
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


@dataclass(frozen=True)
class ImportResult:
    rows: int
    added: int
    updated: int
    unchanged: int


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
            if _find(conn, row["name"], row["unit_code"]) is not None:
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
    codes, frontier = [code], [code]
    children: dict[str, list[str]] = {}
    for u in city.units:
        if u.parent:
            children.setdefault(u.parent, []).append(u.code)
    while frontier:
        frontier = [c for p in frontier for c in children.get(p, ())]
        codes += frontier
    return codes


def _place(row) -> PlaceName:
    return PlaceName(**row._mapping)  # the table's columns are the fields


def _get(conn: Connection, place_id: int) -> PlaceName | None:
    row = conn.execute(select(tables.place_names).where(P.id == place_id)).first()
    return _place(row) if row else None


def _find(conn: Connection, name: str, unit_code: str):
    return conn.execute(
        select(tables.place_names).where(P.name == name, P.unit_code == unit_code)
    ).first()


# --- CSV import ---------------------------------------------------------------------------


def read_csv(source: str | Path | bytes) -> list[tuple[int, dict[str, str]]]:
    """``(line number, row)`` for each data row of a place-name CSV file (UTF-8 with or
    without BOM, or GB18030; comma, tab or semicolon separated; English or Chinese headers)."""
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as exc:
        zh, en = f"无法读取文件 {source}：{exc.strerror}", f"Cannot read {source}: {exc}"
        raise InvalidInput("place.bad_file", zh, en) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise InvalidInput(
            "place.bad_file", "文件不是 UTF-8 或 GB18030 文本", "Not UTF-8 or GB18030"
        )
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",\t;", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise InvalidInput("place.empty_file", "文件是空的", "The file is empty")
    wanted = {h.strip().lower(): i for i, h in enumerate(header)}
    index = {
        key: next((wanted[n] for n in names if n in wanted), None) for key, names in COLUMNS.items()
    }
    missing = [k for k in ("name", "unit_code") if index[k] is None]
    if missing:
        raise InvalidInput(
            "place.missing_column",
            f"文件缺少列：{'、'.join(missing)}（需要 name, unit_code，可选 kind, latitude, longitude）",
            f"Missing column(s) {', '.join(missing)} "
            "(name and unit_code are required; kind, latitude, longitude optional)",
            missing=missing,
        )
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        row = {
            k: (cells[i].strip() if i is not None and i < len(cells) else "")
            for k, i in index.items()
        }
        rows.append((reader.line_num, row))
    if not rows:
        raise InvalidInput("place.empty_file", "文件中没有地名", "The file has no place names")
    return rows


def import_csv(ctx: Context, source: str | Path | bytes, *, added_by: str) -> ImportResult:
    """Add the file's place names, updating kind and coordinates of names already recorded
    for the same unit. Every bad row is reported with its line number, and then nothing is
    written (``place.bad_file`` with ``details.rows``)."""
    checked_rows, problems, seen = [], [], {}
    for line, raw in read_csv(source):
        try:
            row = checked(
                ctx.city,
                raw["name"],
                raw["unit_code"],
                raw["kind"] or "other",
                _number(raw["latitude"]),
                _number(raw["longitude"]),
            )
        except JiesuError as exc:
            problems.append(_problem(line, exc.code, exc.message_zh, exc.message_en))
            continue
        key = (row["name"], row["unit_code"])
        if key in seen:
            problems.append(
                _problem(
                    line,
                    "place.duplicate_row",
                    f"与第 {seen[key]} 行重复",
                    f"repeats line {seen[key]}",
                )
            )
            continue
        seen[key] = line
        checked_rows.append(row)
    if problems:
        shown = "；".join(f"第{p['line']}行：{p['message_zh']}" for p in problems[:5])
        more = f"等{len(problems)}处" if len(problems) > 5 else ""
        raise InvalidInput(
            "place.bad_file",
            f"文件有错误，未导入任何地名：{shown}{more}",
            f"{len(problems)} bad row(s), nothing imported: "
            + "; ".join(f"line {p['line']}: {p['message_en']}" for p in problems[:5]),
            rows=problems,
        )
    added = updated = 0
    now = ctx.now()
    with ctx.engine.begin() as conn:
        for row in checked_rows:
            old = _find(conn, row["name"], row["unit_code"])
            if old is None:
                conn.execute(
                    tables.place_names.insert().values(**row, added_by=added_by, added_at=now)
                )
                added += 1
            elif any(getattr(old, k) != row[k] for k in ("kind", "latitude", "longitude")):
                conn.execute(
                    update(tables.place_names)
                    .where(P.id == old.id)
                    .values(**row, added_by=added_by, added_at=now)
                )
                updated += 1
    changed(ctx)
    return ImportResult(len(checked_rows), added, updated, len(checked_rows) - added - updated)


def _number(text: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return math.nan  # refused by the coordinate check with the row's line number


def _problem(line: int, code: str, zh: str, en: str) -> dict:
    return {"line": line, "code": code, "message_zh": zh, "message_en": en}


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
