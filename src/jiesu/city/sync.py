"""Bring the units table in line with the city configuration at start."""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

from .config import CityConfig, Unit


def _row(unit: Unit) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": str(unit.kind),
        "parent_code": unit.parent,
        "department": unit.department,
        "population": unit.population,
        "around_the_clock": unit.around_the_clock,
        "aliases": list(unit.aliases),
    }


def sync_units(engine: Engine, city: CityConfig) -> int:
    """Insert new units and update changed ones; returns how many rows were written.

    Units are never deleted here: tickets and users keep referring to a unit
    that the configuration dropped. Parents come before children in the file,
    and rows are inserted in that order so the foreign key holds.
    """
    with UnitOfWork(engine) as uow:
        existing = {r.code: r._asdict() for r in uow.session.execute(select(tables.units)).all()}
        new = [_row(u) for u in _parents_first(city) if u.code not in existing]
        changed = [
            _row(u) for u in city.units if u.code in existing and existing[u.code] != _row(u)
        ]
        if new:
            uow.session.execute(tables.units.insert(), new)
        for row in changed:
            uow.session.execute(
                update(tables.units).where(tables.units.c.code == row["code"]).values(**row)
            )
        uow.commit()
    return len(new) + len(changed)


def _parents_first(city: CityConfig) -> list[Unit]:
    ordered: list[Unit] = []
    placed: set[str] = set()
    pending = list(city.units)
    while pending:
        rest = []
        for unit in pending:
            if unit.parent is None or unit.parent in placed:
                ordered.append(unit)
                placed.add(unit.code)
            else:
                rest.append(unit)
        if len(rest) == len(pending):  # a cycle; the configuration check should have caught it
            raise ValueError(f"unit parents form a cycle: {[u.code for u in rest][:5]}")
        pending = rest
    return ordered
