"""Shared fixtures: a real database (SQLite by default, PostgreSQL when
``JIESU_TEST_DATABASE_URL`` is set), built by the real migrations, a small
test city, users of every role, a controllable clock and an API client.

The database is migrated and seeded once per run; each test then starts from
that state (SQLite: a fresh copy of the file; PostgreSQL: ticket tables
truncated), so tests are independent and fast.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from jiesu import accounts
from jiesu.city.loader import load_city
from jiesu.city.sync import sync_units
from jiesu.context import Context
from jiesu.domain.calendar import ChineseOfficialCalendar
from jiesu.domain.roles import Role
from jiesu.storage import crypto, tables
from jiesu.storage.daily import summed
from jiesu.storage.db import make_engine
from jiesu.storage.facts import fact_rows
from jiesu.storage.mapping import map_domain
from jiesu.storage.migrate import upgrade

# Property tests check what holds, never how fast (benchmarks do that): hypothesis's default
# 200 ms deadline per example failed a pure domain test when CI's other worker and a
# benchmark shared the two cores.
settings.register_profile("jiesu", deadline=None)
settings.load_profile("jiesu")

#: A fixed secret for contact-data encryption in tests (never used outside them).
TEST_SECRET = "dGVzdC1zZWNyZXQtMzItYnl0ZXMtbG9uZy1lbm91Z2g9"
crypto.configure(TEST_SECRET)

#: Parsed city files are kept in the run's own folder, never in the developer's ~/.cache
#: (jiesu.city.cache); subprocesses the tests start inherit it.
os.environ["JIESU_CACHE_DIR"] = tempfile.mkdtemp(prefix="jiesu-test-cache-")
atexit.register(shutil.rmtree, os.environ["JIESU_CACHE_DIR"], True)

#: Chromium through Playwright and a live server, shared by every browser test.
pytest_plugins = ["tests.browser.fixtures"]

FIXTURES = Path(__file__).parent / "fixtures"
CITY_FILE = FIXTURES / "city-small.yaml"
TZ = ZoneInfo("Asia/Shanghai")
#: A Monday morning, so working-day deadlines are easy to check by hand.
START = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
PASSWORD = "correct-horse-1"

#: username → (role, unit code)
USERS = {
    "operator": (Role.OPERATOR, "hotline"),
    "dispatcher": (Role.DISPATCHER, "hotline"),
    "supervisor": (Role.SUPERVISOR, "hotline"),
    "admin": (Role.ADMIN, "hotline"),
    "donghua": (Role.UNIT_HANDLER, "990101001"),  # 东华街道
    "heping": (Role.UNIT_HANDLER, "990101002"),  # 和平街道
    "dongqu": (Role.UNIT_HANDLER, "990101"),  # 东区人民政府 (supervises its streets)
    "urban": (Role.UNIT_HANDLER, "990101.urban"),  # 东区城市管理委员会
    "water": (Role.UNIT_HANDLER, "utility.water"),
    "xichang": (Role.UNIT_HANDLER, "990102001"),  # 西长安街道
    "transport": (Role.UNIT_HANDLER, "city.transport"),  # 测试市交通委员会
}

TICKET_TABLES = (
    "open_data_releases",
    "work_reports",
    "unit_data_days",
    "topic_events",
    "topic_items",
    "topic_months",
    "topic_units",
    "topics",
    "hotspot_warnings",
    "governance_appeals",
    "warning_weeks",
    "assessment_daily",
    "assessment_facts",
    "appeals",
    "return_visits",
    "whistle_calls",
    "deadline_warnings",
    "dispatch_objections",
    "consultation_invites",
    "dispatch_decisions",
    "dispatch_models",
    "catalogue_versions",
    "place_names",
    "requester_notes",
    "classification_feedback",
    "kb_versions",
    "kb_articles",
    "attachments",
    "ticket_events",
    "co_handler_tasks",
    "outbox",
    "idempotency_keys",
    "tickets",
    "requesters",
    "ticket_counters",
)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@dataclass
class Seeded:
    url: str
    template: Path | None  # SQLite template file, copied for each test
    tokens: dict[str, str]


def _seed(engine, city) -> dict[str, str]:
    upgrade(engine)
    sync_units(engine, city)
    tokens = {}
    for username, (role, unit) in USERS.items():
        accounts.create_user(
            engine,
            username=username,
            password=PASSWORD,
            role=role,
            unit_code=unit,
            display_name=username,
            now=START,
        )
        tokens[username] = accounts.login(engine, username, PASSWORD, START).token
    return tokens


@pytest.fixture(scope="session")
def city():
    return load_city(CITY_FILE)


def worker_suffix() -> str:
    """``_gw0``, ``_gw1``… under pytest-xdist (one database per worker), else empty."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"_{worker}" if worker else ""


def postgres_url(name: str | None = None) -> str | None:
    """The PostgreSQL database this worker tests against (created if missing), or None
    when ``JIESU_TEST_DATABASE_URL`` is not set. ``name`` asks for another database."""
    base = os.environ.get("JIESU_TEST_DATABASE_URL")
    if not base:
        return None
    url = make_url(base)
    wanted = (name or url.database or "test") + worker_suffix()
    admin = create_engine(url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": wanted}
            )
            if found.first() is None:
                conn.execute(text(f'CREATE DATABASE "{wanted}"'))
    finally:
        admin.dispose()
    return url.set(database=wanted).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def seeded(tmp_path_factory, city) -> Seeded:
    map_domain()
    lifetime = accounts.SESSION_LIFETIME
    accounts.SESSION_LIFETIME = timedelta(days=3650)  # tests move the clock by days
    try:
        pg_url = postgres_url()
        if pg_url:
            engine = make_engine(pg_url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            tokens = _seed(engine, city)
            engine.dispose()
            return Seeded(pg_url, None, tokens)
        template = tmp_path_factory.mktemp("db") / "template.db"
        engine = make_engine(f"sqlite:///{template}")
        tokens = _seed(engine, city)
        engine.dispose()  # closing the last connection checkpoints the WAL into the file
        assert not Path(f"{template}-wal").exists()
        return Seeded(f"sqlite:///{template}", template, tokens)
    finally:
        accounts.SESSION_LIFETIME = lifetime


def open_test_engine(seeded: Seeded, folder: Path):
    """An engine on the seeded state: a copy of the SQLite template in ``folder``, or the
    PostgreSQL test database with its ticket tables emptied."""
    if seeded.template is not None:
        db = folder / "test.db"
        shutil.copy(seeded.template, db)
        return make_engine(f"sqlite:///{db}")
    engine = make_engine(seeded.url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TICKET_TABLES)} RESTART IDENTITY CASCADE"))
    return engine


@contextmanager
def simulated(seeded: Seeded, city, folder: Path, **history) -> Iterator[Context]:
    """A context on a fresh test database holding a simulated ``history`` (the arguments
    of :func:`jiesu.simulate.simulate`), from the tests' Monday morning."""
    from jiesu.simulate import simulate

    engine = open_test_engine(seeded, folder)
    try:
        ctx = Context(engine=engine, city=city, clock=FakeClock(START),
                      calendar=ChineseOfficialCalendar())  # fmt: skip
        simulate(ctx, **history)
        yield ctx
    finally:
        engine.dispose()


def facts_out_of_step(engine) -> list:
    """Stored assessment facts that differ from a full recomputation, and daily sums that
    differ from the facts' (A2): none, ever."""
    with engine.connect() as conn:
        stored = {tuple(r) for r in conn.execute(select(tables.assessment_facts))}
        recomputed = {tuple(r) for r in conn.execute(fact_rows())}
        days = {
            (unit, day): tuple(sums)
            for unit, day, *sums in conn.execute(select(tables.assessment_daily))
            if any(sums)
        }
    return sorted(stored ^ recomputed) + sorted(set(days.items()) ^ set(summed(stored).items()))


@pytest.fixture
def engine(seeded, tmp_path):
    engine = open_test_engine(seeded, tmp_path)
    try:
        yield engine
        # Whatever the test did, the facts a month's assessment sums follow the tickets.
        assert not facts_out_of_step(engine), "assessment facts out of step with the tickets"
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def _own_data_folders(tmp_path, monkeypatch):
    """Attachments and model files of a test go to its own folder, never ./jiesu-data."""
    monkeypatch.setenv("JIESU_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    monkeypatch.setenv("JIESU_MODEL_DIR", str(tmp_path / "models"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def ctx(engine, city, clock) -> Context:
    return Context(engine=engine, city=city, clock=clock, calendar=ChineseOfficialCalendar())


@pytest.fixture
def app(ctx):
    from jiesu.api.app import create_app

    return create_app(ctx)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture
def auth(seeded):
    """``auth("operator")`` → headers that log the request in as that demo user."""

    def headers(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {seeded.tokens[username]}"}

    return headers
