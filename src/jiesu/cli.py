"""The ``jiesu`` command: demo, serve, city, db, users, simulate."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from pathlib import Path

from jiesu.domain.errors import JiesuError
from jiesu.domain.roles import Role


def _serve(ctx, host: str, port: int, *, with_worker: bool = False) -> None:
    import uvicorn

    from jiesu.api.app import create_app
    from jiesu.knowledge.search import warm_up

    warm_up(ctx)  # tokenise the knowledge base in the background: the first search is fast
    if with_worker:
        from jiesu.jobs.worker import start_in_background

        start_in_background(ctx)
    uvicorn.run(create_app(ctx), host=host, port=port, log_level="info")


def cmd_worker(args) -> int:
    from jiesu.bootstrap import open_context
    from jiesu.jobs.worker import run

    run(open_context(args.city, args.database_url), interval=args.interval)
    return 0


def cmd_serve(args) -> int:
    from jiesu.bootstrap import open_context

    _serve(
        open_context(args.city, args.database_url),
        args.host,
        args.port,
        with_worker=args.with_worker,
    )
    return 0


def cmd_demo(args) -> int:
    from jiesu.demo import prepare_demo

    ctx, logins = prepare_demo(
        Path(args.data_dir), seed=args.seed, days=args.days, fresh=args.fresh
    )
    print(f"\n演示登录 Demo logins (password 密码: {logins.password})")
    for user in logins.users:
        print(f"  {user.username:<14} {user.role.label_zh:<6} {user.unit_name}")
    print(
        f"\n控制台 Console: http://{args.host}:{args.port}/   API: http://{args.host}:{args.port}/docs\n"
    )
    if args.no_serve:
        return 0
    _serve(ctx, args.host, args.port, with_worker=True)  # embedded: one process does it all
    return 0


def cmd_city_init(args) -> int:
    from jiesu.city.commands import init_city

    summary = init_city(
        args.name,
        Path(args.out),
        estimate_population=args.estimate_population,
        seed=args.seed,
        force=args.force,
    )
    print(f"wrote {summary}")
    return 0


def cmd_city_check(args) -> int:
    from jiesu.bootstrap import city_file
    from jiesu.city.loader import load_city

    city = load_city(city_file(args.city))
    print(f"{city_file(args.city)}: {city.city.name}, {len(city.units)} units, ok")
    return 0


def cmd_db_upgrade(args) -> int:
    from jiesu.storage.db import make_engine
    from jiesu.storage.migrate import current_revision, upgrade

    engine = make_engine(args.database_url)
    upgrade(engine)
    print(f"database at revision {current_revision(engine)}")
    return 0


def cmd_user_add(args) -> int:
    from jiesu import accounts
    from jiesu.bootstrap import open_context

    ctx = open_context(args.city, args.database_url)
    password = args.password or getpass.getpass("password: ")
    user = accounts.create_user(
        ctx.engine,
        username=args.username,
        password=password,
        role=Role(args.role),
        unit_code=args.unit,
        display_name=args.display_name or args.username,
        now=ctx.now(),
    )
    print(f"created {user.username} ({user.role}) in {user.unit_code}")
    return 0


def cmd_channel_add(args) -> int:
    from jiesu.bootstrap import open_context
    from jiesu.intake.channels import KEY_HEADER, add_client

    ctx = open_context(args.city, args.database_url)
    client, key = add_client(
        ctx.engine, args.name, args.channel, ctx.city.city.hotline_unit, ctx.now()
    )
    print(f"created channel client {client.name} ({client.channel})")
    print(f"key (shown once, send it as {KEY_HEADER} or Open311 api_key): {key}")
    return 0


def cmd_simulate(args) -> int:
    from jiesu.bootstrap import open_context
    from jiesu.simulate import simulate

    ctx = open_context(args.city, args.database_url)
    stats = simulate(ctx, days=args.days, tickets_per_day=args.per_day, seed=args.seed)
    print(stats)
    return 0


def cmd_secret_new(args) -> int:
    from jiesu.storage.crypto import new_secret

    print(new_secret())
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jiesu", description="接诉即办 12345 platform")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp, city=True):
        if city:
            sp.add_argument(
                "--city",
                help="city configuration file (default $JIESU_CITY_FILE or jiesu-data/city.yaml)",
            )
        sp.add_argument(
            "--database-url", help="default $JIESU_DATABASE_URL or sqlite:///jiesu-data/jiesu.db"
        )

    sp = sub.add_parser("demo", help="build Beijing, simulate its history and serve the console")
    sp.add_argument("--data-dir", default="jiesu-demo")
    sp.add_argument("--seed", type=int, default=12345)
    sp.add_argument("--days", type=int, default=30)
    sp.add_argument("--fresh", action="store_true", help="start again from an empty database")
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8000)
    sp.add_argument("--no-serve", action="store_true", help="prepare only")
    sp.set_defaults(func=cmd_demo)

    sp = sub.add_parser("serve", help="serve the API and console")
    common(sp)
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8000)
    sp.add_argument(
        "--with-worker", action="store_true", help="also relay the outbox in this process"
    )
    sp.set_defaults(func=cmd_serve)

    sp = sub.add_parser("worker", help="relay the outbox (SMS, unit messages, 110 hand-over)")
    common(sp)
    sp.add_argument("--interval", type=float, default=2.0, help="seconds between idle passes")
    sp.set_defaults(func=cmd_worker)

    city = sub.add_parser("city", help="city configuration").add_subparsers(
        dest="city_cmd", required=True
    )
    sp = city.add_parser("init", help="build a city's unit tree and write its configuration")
    sp.add_argument("name", help="城市名, e.g. 北京 or 呼和浩特市")
    sp.add_argument("--out", default="jiesu-data/city.yaml")
    sp.add_argument("--estimate-population", action="store_true")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--force", action="store_true")
    sp.set_defaults(func=cmd_city_init)
    sp = city.add_parser("check", help="validate the city configuration")
    sp.add_argument("--city")
    sp.set_defaults(func=cmd_city_check)

    secret = sub.add_parser("secret", help="the contact-data key").add_subparsers(
        dest="secret_cmd", required=True
    )
    sp = secret.add_parser("new", help="print a new random JIESU_SECRET_KEY")
    sp.set_defaults(func=cmd_secret_new)

    db = sub.add_parser("db", help="database").add_subparsers(dest="db_cmd", required=True)
    sp = db.add_parser("upgrade", help="apply the migrations")
    common(sp, city=False)
    sp.set_defaults(func=cmd_db_upgrade)

    user = sub.add_parser("user", help="users").add_subparsers(dest="user_cmd", required=True)
    sp = user.add_parser("add", help="create a user")
    common(sp)
    sp.add_argument("username")
    sp.add_argument("--role", required=True, choices=[str(r) for r in Role])
    sp.add_argument("--unit", required=True, help="unit code")
    sp.add_argument("--display-name")
    sp.add_argument("--password", help="prompted when omitted")
    sp.set_defaults(func=cmd_user_add)

    channel = sub.add_parser("channel", help="internet channel clients").add_subparsers(
        dest="channel_cmd", required=True
    )
    sp = channel.add_parser("add", help="create a channel client and print its key once")
    common(sp)
    sp.add_argument("name", help="lower-case name, e.g. wechat-official")
    sp.add_argument(
        "--channel",
        required=True,
        choices=["web", "app", "wechat", "weibo", "api", "open311", "merged_hotline"],
    )
    sp.set_defaults(func=cmd_channel_add)

    from jiesu.dispatch.model_cli import add_dispatch_commands

    add_dispatch_commands(sub)  # jiesu dispatch train / evaluate (D7)

    from jiesu.dispatch.places_cli import add_places_commands

    add_places_commands(sub)  # jiesu places import / list, jiesu territory resolve (D3)
    from jiesu.governance.cli import add_governance_commands

    add_governance_commands(sub)  # jiesu governance warn / warnings (G5)

    sp = sub.add_parser("simulate", help="generate a city's history (deterministic for a seed)")
    common(sp)
    sp.add_argument("--days", type=int, default=30)
    sp.add_argument("--per-day", type=int, default=300)
    sp.add_argument("--seed", type=int, default=1)
    sp.set_defaults(func=cmd_simulate)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    quiet = logging.DEBUG if args.verbose else logging.WARNING
    for noisy in ("alembic", "bm25s", "jieba"):
        logging.getLogger(noisy).setLevel(quiet)
    try:
        return args.func(args)
    except JiesuError as exc:
        print(f"error [{exc.code}]: {exc.message_zh} / {exc.message_en}", file=sys.stderr)
        return 2
    except Exception as exc:  # configuration errors and the like: say it plainly
        from jiesu.city.commands import CityInitError
        from jiesu.city.loader import CityConfigError
        from jiesu.storage.crypto import SecretKeyMissing

        if isinstance(exc, (CityConfigError, CityInitError, FileExistsError, SecretKeyMissing)):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
