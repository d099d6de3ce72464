"""``jiesu demo``: Beijing built from the division data, a simulated month, demo logins.

Everything lives in one folder (default ``./jiesu-demo``): the city file the
operator can edit and the SQLite database. Running the demo again reuses
both; ``--fresh`` starts over.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from jiesu import accounts
from jiesu.city.config import CityConfig, UnitKind
from jiesu.context import Context
from jiesu.domain.roles import Role
from jiesu.domain.ticket import OPEN_AT_UNIT
from jiesu.storage import crypto, tables
from jiesu.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

DEMO_CITY = "北京"
DEMO_PASSWORD = "jiesu-demo-2026"
TICKETS_PER_DAY = 350
KB_ARTICLES = 400


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    unit_code: str
    unit_name: str


@dataclass(frozen=True)
class DemoLogins:
    password: str
    users: list[DemoUser]


def _busiest(ctx: Context, kind: UnitKind) -> str | None:
    """The unit of ``kind`` leading most open tickets, so its demo login has a living queue."""
    t, u = tables.tickets.c, tables.units.c
    stmt = (
        select(t.lead_unit_code)
        .join(tables.units, u.code == t.lead_unit_code)
        .where(u.kind == str(kind), t.status.in_([str(s) for s in OPEN_AT_UNIT]))
        .group_by(t.lead_unit_code)
        .order_by(func.count().desc(), t.lead_unit_code)
        .limit(1)
    )
    with UnitOfWork(ctx.engine, write=False) as uow:
        return uow.session.execute(stmt).scalar_one_or_none()


def _first(city: CityConfig, kind: UnitKind) -> str:
    return next(u.code for u in city.units if u.kind is kind)


def demo_users(ctx: Context) -> list[DemoUser]:
    """One login per hotline role, and handlers of the busiest street (and its district),
    district department and utility of the simulated history."""
    city = ctx.city
    street = _busiest(ctx, UnitKind.STREET) or _first(city, UnitKind.STREET)
    codes = [
        ("operator", Role.OPERATOR, city.city.hotline_unit),
        ("dispatcher", Role.DISPATCHER, city.city.hotline_unit),
        ("supervisor", Role.SUPERVISOR, city.city.hotline_unit),
        ("admin", Role.ADMIN, city.city.hotline_unit),
        ("street", Role.UNIT_HANDLER, street),
        ("district", Role.UNIT_HANDLER, city.unit(street).parent),
        ("department", Role.UNIT_HANDLER, _busiest(ctx, UnitKind.DISTRICT_DEPARTMENT)),
        ("utility", Role.UNIT_HANDLER, _busiest(ctx, UnitKind.UTILITY)),
    ]
    return [
        DemoUser(name, role, code, city.unit(code).name)
        for name, role, code in codes
        if code is not None
    ]


def _ticket_count(ctx: Context) -> int:
    with UnitOfWork(ctx.engine, write=False) as uow:
        return uow.session.execute(select(func.count()).select_from(tables.tickets)).scalar_one()


def _existing_users(ctx: Context) -> set[str]:
    with UnitOfWork(ctx.engine, write=False) as uow:
        return set(uow.session.execute(select(tables.users.c.username)).scalars())


def _use_demo_secret(path: Path) -> None:
    """The demo keeps its own contact-data key beside its database (a real deployment sets
    JIESU_SECRET_KEY from its secret store)."""
    own = os.environ.get("JIESU_SECRET_KEY_FILE")
    if os.environ.get("JIESU_SECRET_KEY") or own not in (None, str(path)):
        return
    if not path.exists():
        path.write_text(crypto.new_secret() + "\n", encoding="utf-8")
        path.chmod(0o600)
    os.environ["JIESU_SECRET_KEY_FILE"] = str(path)
    crypto.configure_from_environment()  # this key, even if another was installed before


def _learn_proposals(ctx: Context, folder: Path) -> None:
    """Train the intake proposals on the simulated history once; later runs load the model."""
    from jiesu.intake.classify_history import train_from_history
    from jiesu.intake.classify_store import install_model, load_latest

    os.environ.setdefault("JIESU_MODEL_DIR", str(folder))
    if load_latest(folder, ctx.city) is None:
        print("学习历史工单的分类 Learning proposals from the history …", flush=True)
        install_model(ctx, train_from_history(ctx))


def _learn_dispatch(ctx: Context, folder: Path) -> None:
    """Train the dispatch suggestions' model on the simulated history once (D7)."""
    from jiesu.dispatch.history import train_from_history
    from jiesu.storage.tables import dispatch_models

    with ctx.engine.connect() as conn:
        if conn.execute(select(dispatch_models.c.version).limit(1)).first() is not None:
            return
    print("学习历史派单 Learning dispatch from the history …", flush=True)
    record = train_from_history(ctx, trained_by="demo", folder=folder)
    print(f"派单模型 Dispatch model {record.version}: {record.samples} tickets", flush=True)


def _publish_open_data(ctx: Context) -> None:
    """The last full month's open data, published once, so that the public page has a file
    (G6); a history that does not reach into that month publishes nothing."""
    from jiesu.assessment.trends import last_full_month
    from jiesu.domain.errors import InvalidInput
    from jiesu.domain.roles import Actor
    from jiesu.governance.open_data_releases import publish, releases

    label = last_full_month(ctx)
    if any(r.month == label for r in releases(ctx)):
        return
    try:
        r = publish(ctx, Actor(None, "demo", Role.ADMIN, ctx.hotline_unit.code), label)
    except InvalidInput:  # open_data.no_requests
        return
    print(f"开放数据 Open data: {r.month} published, {r.rows} rows", flush=True)


def prepare_demo(
    data_dir: Path, *, seed: int = 12345, days: int = 30, fresh: bool = False
) -> tuple[Context, DemoLogins]:
    from jiesu.bootstrap import open_context
    from jiesu.city.builder import build_city
    from jiesu.city.writer import write_city
    from jiesu.knowledge.samples import seed_demo_articles
    from jiesu.simulate import simulate

    started = time.perf_counter()
    data_dir.mkdir(parents=True, exist_ok=True)
    city_path = data_dir / "city.yaml"
    db_path = data_dir / "jiesu.db"
    if fresh:
        for path in (
            city_path,
            db_path,
            Path(f"{db_path}-wal"),
            Path(f"{db_path}-shm"),
            data_dir / "secret.key",
        ):
            path.unlink(missing_ok=True)
        shutil.rmtree(data_dir / "models", ignore_errors=True)  # learned from the old history
    _use_demo_secret(data_dir / "secret.key")  # after --fresh removed the old one
    if not city_path.exists():
        print(f"建立演示城市 Building the demo city ({DEMO_CITY}) → {city_path}", flush=True)
        write_city(build_city(DEMO_CITY, estimate_population=True, seed=seed), city_path)
    ctx = open_context(city_path, f"sqlite:///{db_path}")
    if _ticket_count(ctx) == 0:
        print(f"生成{days}天的模拟历史 Simulating {days} days of history …", flush=True)
        stats = simulate(ctx, days=days, tickets_per_day=TICKETS_PER_DAY, seed=seed)
        print(stats, flush=True)
    _learn_proposals(ctx, data_dir / "models")
    _learn_dispatch(ctx, data_dir / "models")
    published = seed_demo_articles(ctx, seed=seed, count=KB_ARTICLES)
    if published:
        print(f"知识库 Knowledge base: {published} articles published", flush=True)
    users = demo_users(ctx)
    known = _existing_users(ctx)
    for user in users:
        if user.username not in known:
            accounts.create_user(
                ctx.engine,
                username=user.username,
                password=DEMO_PASSWORD,
                role=user.role,
                unit_code=user.unit_code,
                display_name=f"演示{user.role.label_zh}",
                now=ctx.now(),
            )
    from jiesu.governance.topic_samples import seed_demo_topics

    street = next(u.unit_code for u in users if u.username == "street")
    if seed_demo_topics(ctx, street):
        print("每月一题 Monthly topics: 2 added from the history", flush=True)
    _publish_open_data(ctx)
    print(f"演示已就绪 Demo ready in {time.perf_counter() - started:.1f} s", flush=True)
    return ctx, DemoLogins(DEMO_PASSWORD, users)
