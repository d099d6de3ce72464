"""Open a deployment: read the city, open the database, migrate it, load the units."""

from __future__ import annotations

import os
from pathlib import Path

from jiesu.city.loader import load_city
from jiesu.city.sync import sync_units
from jiesu.context import Context
from jiesu.storage import crypto
from jiesu.storage.db import make_engine
from jiesu.storage.mapping import map_domain
from jiesu.storage.migrate import upgrade

DEFAULT_CITY_FILE = Path("jiesu-data") / "city.yaml"


def city_file(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get("JIESU_CITY_FILE") or DEFAULT_CITY_FILE)


def open_context(
    city_path: str | Path | None = None, database_url: str | None = None, *, migrate: bool = True
) -> Context:
    crypto.keyring()  # refuse to start without the contact-data key
    city = load_city(city_file(city_path))
    engine = make_engine(database_url)
    map_domain()
    if migrate:
        upgrade(engine)
        sync_units(engine, city)
    ctx = Context(engine=engine, city=city)
    if migrate:
        from jiesu.dispatch.catalogue import import_config

        import_config(ctx)  # a changed catalogue in the city file becomes a new version
    return ctx


def add_context_options(parser) -> None:
    """``--city`` and ``--database-url``, for a command that opens the context."""
    parser.add_argument(
        "--city", help="city configuration file (default $JIESU_CITY_FILE or jiesu-data/city.yaml)"
    )
    parser.add_argument(
        "--database-url", help="default $JIESU_DATABASE_URL or sqlite:///jiesu-data/jiesu.db"
    )


def context_from_args(args) -> Context:
    return open_context(args.city, args.database_url)
