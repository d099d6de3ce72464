"""Engines for SQLite and PostgreSQL, configured the way jiesu needs them."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

DEFAULT_SQLITE_PATH = Path("jiesu-data") / "jiesu.db"


def database_url(explicit: str | None = None) -> str:
    """``explicit``, else ``JIESU_DATABASE_URL``, else an SQLite file under ./jiesu-data."""
    url = explicit or os.environ.get("JIESU_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str | None = None, *, echo: bool = False) -> Engine:
    url = database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and explicit transactions.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's
    ``begin`` emits ``BEGIN IMMEDIATE``: a writer takes the write lock at the
    start instead of failing to upgrade a read lock half way through. Readers
    never wait on writers in WAL mode.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def read_only(engine: Engine) -> Engine:
    """An engine view for read-only work: on SQLite it begins deferred and takes no write lock."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="DEFERRED")
    return engine


def for_large_reads(session) -> None:
    """On PostgreSQL, until the transaction ends: no JIT compilation (for its estimates of
    hundreds of thousands of rows it compiles for longer than the statements run:
    bench/governance.py, bench/topics.py), room to sort and group in memory, and plans for
    the values asked for rather than generic ones (psycopg prepares a statement run five
    times). The governance stage's large grouped reads call it first."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true), "
                "set_config('plan_cache_mode', 'force_custom_plan', true)"
            )
        )
