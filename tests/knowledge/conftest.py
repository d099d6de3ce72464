"""The knowledge base's tables start empty in every test.

SQLite tests get a fresh copy of the seeded database anyway; on PostgreSQL
the shared test database keeps rows between tests unless they are removed,
and the shared fixtures empty only the ticket tables.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

KB_TABLES = ("kb_versions", "kb_articles")


def _empty(engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(KB_TABLES)} RESTART IDENTITY CASCADE"))


@pytest.fixture(autouse=True)
def empty_knowledge_base(engine):
    _empty(engine)
    yield
    _empty(engine)
