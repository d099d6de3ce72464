"""Fixtures for the internet channels: an attachments folder per test, channel clients,
and a check that a refused request left nothing behind.

On PostgreSQL the shared fixtures empty only the ticket tables between tests, so the
rows these tests add elsewhere (channel clients, their users, attachments) are removed
here before and after each test, with the requesters they recognised.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import func, select, text

from jiesu.api.app import create_app
from jiesu.intake import channels
from jiesu.storage import tables
from tests.conftest import TICKET_TABLES


def _wipe(engine) -> None:
    with engine.begin() as conn:
        wiped = ", ".join([*TICKET_TABLES, "requesters"])
        conn.execute(text(f"TRUNCATE {wiped} RESTART IDENTITY CASCADE"))
        conn.execute(tables.channel_clients.delete())
        conn.execute(tables.attachments.delete())
        conn.execute(tables.users.delete().where(tables.users.c.username.like("channel:%")))


@pytest.fixture(autouse=True)
def attachments_root(tmp_path, monkeypatch, engine) -> Path:
    root = tmp_path / "attachments"
    monkeypatch.setenv("JIESU_ATTACHMENTS_DIR", str(root))
    postgres = engine.dialect.name == "postgresql"
    if postgres:
        _wipe(engine)
    yield root
    if postgres:
        _wipe(engine)


@pytest.fixture
def new_client(ctx) -> Callable[..., str]:
    """``new_client("portal", "web")`` → the key of a new active channel client."""

    def make(name: str = "portal", channel: str = "web") -> str:
        _, key = channels.add_client(ctx.engine, name, channel, "hotline", ctx.now())
        return key

    return make


@pytest.fixture
def portal(new_client) -> dict[str, str]:
    """Headers of the city's web portal."""
    return {"X-Channel-Key": new_client("portal", "web")}


def counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        tickets = conn.execute(select(func.count()).select_from(tables.tickets)).scalar_one()
        files = conn.execute(select(func.count()).select_from(tables.attachments)).scalar_one()
    return tickets, files


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def nothing_stored(engine, attachments_root) -> Callable[[], None]:
    """Assert: no ticket, no attachment row, no file on disk (temporary ones included)."""

    def check() -> None:
        assert counts(engine) == (0, 0)
        assert stored_files(attachments_root) == []

    return check


@pytest.fixture
def server(ctx):
    """jiesu served by uvicorn on a free port of 127.0.0.1, in a thread of this test.

    The port is bound here and handed over, so no other process can take it meanwhile.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(ctx), log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    sock.close()
