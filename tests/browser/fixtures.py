"""The real app served by uvicorn on a free local port, and Debian's chromium driven by Playwright.

A pytest plugin (registered in ``tests/conftest.py``): one definition, so every browser
test in the suite shares one Playwright session.

The server uses the test's ``ctx`` (its own database and clock), so a test
can move the clock between steps and see the deadlines move with it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("JIESU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(why: str) -> None:
    """In CI a missing browser is a failure; on a developer's machine the tests are skipped."""
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {why}")
    pytest.skip(f"{why} (install it with `apt-get install -y chromium`, or set JIESU_CHROMIUM)")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        _unavailable("the playwright package is not installed")
    if not Path(CHROMIUM).exists():
        _unavailable(f"chromium not found at {CHROMIUM}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(ctx):
    """``http://127.0.0.1:<port>`` serving ``create_app(ctx)`` until the test ends."""
    import uvicorn

    from jiesu.api.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(ctx), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the console server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def browser_context(browser, live_server):
    """A fresh browser profile (own cookies) that records every URL it requests."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    # Generous: the tests run beside another worker and servers on a two-core machine; a
    # timeout only matters when something is really wrong.
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(30_000)
    requested: list[str] = []
    context.on("request", lambda r: requested.append(r.url))
    context.requested = requested  # type: ignore[attr-defined]
    yield context
    context.close()
    foreign = [u for u in requested if not u.startswith(live_server) and not u.startswith("data:")]
    assert not foreign, f"the console fetched something not served by jiesu: {foreign}"
