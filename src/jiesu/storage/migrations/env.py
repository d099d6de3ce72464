"""Alembic environment: batch mode so SQLite can alter tables; the engine comes from jiesu."""

from __future__ import annotations

from alembic import context

from jiesu.storage.db import make_engine
from jiesu.storage.tables import metadata

config = context.config


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or make_engine()
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=True,
            compare_type=True,
        )
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `jiesu db upgrade`")
run_migrations_online()
