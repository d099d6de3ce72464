"""Storage at the edge: tables, mapping of the domain classes, engine, unit of work, migrations.

SQLite (WAL, ``BEGIN IMMEDIATE`` for writes) is the embedded default;
PostgreSQL is selected with ``JIESU_DATABASE_URL``. Locking and claiming
differences between the two stay inside this package.
"""
