"""The dispatch catalogue as versioned data: current version, history, edits (D1, D8).

The city file's ``dispatch_catalogue`` is version 1. The hotline office edits
the catalogue from the console or the API; every edit writes a whole new
version with its author, reason and the entries it added, removed or changed,
so the catalogue in force at any past dispatch can be read back. A later change
of the city file itself is imported as a new version by ``city-config`` at the
next start (:func:`import_config`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from jiesu.city.catalogue import CatalogueEntry, catalogue_problems, entry_for
from jiesu.context import Context
from jiesu.domain.errors import Conflict, InvalidInput, NotFound
from jiesu.domain.roles import Actor
from jiesu.storage.tables import catalogue_versions as cv

CONFIG_AUTHOR = "city-config"
FIRST_REASON = "城市配置文件中的派单目录"


@dataclass(frozen=True)
class CatalogueVersion:
    version: int
    entries: tuple[CatalogueEntry, ...]
    author: str
    reason: str
    changes: tuple[dict[str, Any], ...]
    created_at: datetime

    def entry_for(self, category: str, request_type: str | None = None) -> CatalogueEntry | None:
        return entry_for(self.entries, category, request_type)


_PARSED: dict[tuple[str, int, str, str], CatalogueVersion] = {}


def _row_to_version(engine: Engine, row) -> CatalogueVersion:
    # Keyed by content: a database emptied and written again (tests) never reads a stale entry.
    key = (str(engine.url), row.version, json.dumps(row.entries, sort_keys=True), row.author)
    held = _PARSED.get(key)
    if held is None:
        if len(_PARSED) > 64:  # a few versions are read again and again; keep it small
            _PARSED.clear()
        held = CatalogueVersion(
            version=row.version,
            entries=tuple(CatalogueEntry.model_validate(e) for e in row.entries),
            author=row.author,
            reason=row.reason,
            changes=tuple(row.changes or ()),
            created_at=row.created_at,
        )
        _PARSED[key] = held
    return held


def _latest_number(conn: Connection) -> int | None:
    return conn.execute(select(func.max(cv.c.version))).scalar()


def current(ctx: Context, conn: Connection | None = None) -> CatalogueVersion:
    """The catalogue in force (version 1, from the city file, is written on first use)."""
    if conn is None:
        with ctx.engine.connect() as own:
            return current(ctx, own)
    number = _latest_number(conn)
    if number is None:  # nothing edited yet: the city file's catalogue, written at the first edit
        return _from_config(ctx)
    return read_version(ctx, number, conn)


def _from_config(ctx: Context) -> CatalogueVersion:
    return CatalogueVersion(
        version=1,
        entries=tuple(ctx.city.dispatch_catalogue),
        author=CONFIG_AUTHOR,
        reason=FIRST_REASON,
        changes=(),
        created_at=ctx.now(),
    )


def read_version(ctx: Context, number: int, conn: Connection | None = None) -> CatalogueVersion:
    if conn is None:
        with ctx.engine.connect() as own:
            return read_version(ctx, number, own)
    row = conn.execute(select(cv).where(cv.c.version == number)).one_or_none()
    if row is None:
        raise NotFound(
            "catalogue.version_not_found",
            f"派单目录没有第{number}版",
            f"The dispatch catalogue has no version {number}",
        )
    return _row_to_version(ctx.engine, row)


def history(ctx: Context, *, limit: int = 100) -> list[CatalogueVersion]:
    """Versions newest first: who changed the catalogue, when, why and what."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(cv).order_by(cv.c.version.desc()).limit(limit)).all()
    return [_row_to_version(ctx.engine, r) for r in rows] or [_from_config(ctx)]


def _insert(conn, number, entries, author, reason, changes, now: datetime) -> None:
    conn.execute(
        insert(cv).values(
            version=number,
            entries=[e.model_dump(mode="json", exclude_defaults=True) for e in entries],
            author=author,
            reason=reason,
            changes=list(changes),
            created_at=now,
        )
    )


def diff(before: Sequence[CatalogueEntry], after: Sequence[CatalogueEntry]) -> list[dict[str, Any]]:
    """Entries added, removed and changed, each named by category and request types."""
    old = {e.key: e for e in before}
    new = {e.key: e for e in after}
    changes: list[dict[str, Any]] = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        change = "added" if a is None else "removed" if b is None else "changed"
        changes.append(
            {
                "change": change,
                "category": key[0],
                "request_types": list(key[1]),
                "before": a.model_dump(mode="json", exclude_defaults=True) if a else None,
                "after": b.model_dump(mode="json", exclude_defaults=True) if b else None,
            }
        )
    return changes


def replace_entries(
    ctx: Context,
    actor: Actor | str,
    entries: Sequence[CatalogueEntry],
    reason: str,
    *,
    expected_version: int | None = None,
) -> CatalogueVersion:
    """Write ``entries`` as the next version (validated as a whole; nothing written if bad)."""
    if not reason or not reason.strip():
        raise InvalidInput(
            "input.required", "请填写修改派单目录的理由", "A reason for the change is required"
        )
    problems = catalogue_problems(ctx.city.categories, ctx.city.units, entries)
    if problems:
        raise InvalidInput(
            "catalogue.invalid",
            "派单目录有误：" + "；".join(f"{w}: {p}" for w, p in problems),
            "The catalogue is invalid: " + "; ".join(f"{w}: {p}" for w, p in problems),
            problems=[{"where": w, "problem": p} for w, p in problems],
        )
    base = current(ctx)
    if expected_version is not None and expected_version != base.version:
        raise _conflict(base.version)
    changes = diff(base.entries, entries)
    if not changes:
        raise InvalidInput("catalogue.unchanged", "派单目录没有变化", "Nothing to change")
    author = actor if isinstance(actor, str) else actor.username
    try:
        with ctx.engine.begin() as conn:
            if _latest_number(conn) is None:  # keep the city file's catalogue as version 1
                _insert(conn, 1, base.entries, CONFIG_AUTHOR, FIRST_REASON, (), ctx.now())
            _insert(conn, base.version + 1, entries, author, reason.strip(), changes, ctx.now())
    except IntegrityError as exc:
        raise _conflict(base.version) from exc
    return current(ctx)


def _conflict(version: int) -> Conflict:
    return Conflict(
        "catalogue.conflict",
        f"派单目录已被他人修改（现为第{version}版），请刷新后重试",
        f"Someone else changed the catalogue first (now version {version}); reload and retry",
        version=version,
    )


def upsert_entry(
    ctx: Context, actor: Actor, entry: CatalogueEntry, reason: str, *, expected_version=None
) -> CatalogueVersion:
    """Add ``entry``, or replace the entry with the same category and request types."""
    entries = [e for e in current(ctx).entries if e.key != entry.key] + [entry]
    return replace_entries(ctx, actor, entries, reason, expected_version=expected_version)


def remove_entry(
    ctx: Context,
    actor: Actor,
    category: str,
    request_types: Iterable[str],
    reason: str,
    *,
    expected_version=None,
) -> CatalogueVersion:
    key = (category, tuple(sorted(request_types)))
    entries = current(ctx).entries
    if not any(e.key == key for e in entries):
        raise NotFound(
            "catalogue.entry_not_found",
            f"派单目录中没有“{category}”这一条",
            f"The catalogue has no entry for {category!r} with those request types",
        )
    kept = [e for e in entries if e.key != key]
    return replace_entries(ctx, actor, kept, reason, expected_version=expected_version)


def parse_entry(data: dict[str, Any]) -> CatalogueEntry:
    """An entry from API or console input, with the validation error as a 422."""
    try:
        return CatalogueEntry.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            "catalogue.bad_entry",
            "派单目录条目格式有误",
            f"Malformed catalogue entry: {exc.errors(include_url=False)}",
        ) from exc


def import_config(ctx: Context) -> CatalogueVersion | None:
    """At start: if the city file's catalogue changed since it was last imported, write it as
    a new version by ``city-config``. Returns the new version, or None when nothing changed."""
    latest = current(ctx)
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(cv).where(cv.c.author == CONFIG_AUTHOR).order_by(cv.c.version.desc()).limit(1)
        ).one_or_none()
    imported = _row_to_version(ctx.engine, row).entries if row is not None else ()
    if not diff(imported, ctx.city.dispatch_catalogue):
        return None
    if not diff(latest.entries, ctx.city.dispatch_catalogue):
        return None  # the office already made the same edit
    return replace_entries(ctx, CONFIG_AUTHOR, ctx.city.dispatch_catalogue, "城市配置文件已更新")
