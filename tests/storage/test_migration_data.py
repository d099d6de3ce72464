"""Migrations carry existing data forward and back, on both databases (S1).

0002 encrypts contact data written in clear before it and links each ticket to its
requester by the keyed phone hash; its downgrade decrypts again.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from jiesu.storage import crypto, tables
from jiesu.storage.db import make_engine
from jiesu.storage.migrate import downgrade, upgrade
from tests.conftest import postgres_url

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def empty_engine(tmp_path):
    url = postgres_url("jiesu_migration_test")
    if not url:
        engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
        yield engine
        engine.dispose()
        return
    engine = make_engine(url)
    with engine.begin() as conn:  # an empty database for each test
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    yield engine
    engine.dispose()


def _insert_clear_tickets(engine):
    with engine.begin() as conn:
        conn.execute(
            tables.units.insert().values(
                code="hotline", name="热线", kind="hotline", around_the_clock=False, aliases=[]
            )
        )
        for i, (name, phone) in enumerate(
            [("张女士", "13800138000"), ("张女士", "+86 138-0013-8000"), ("", "")]
        ):
            conn.execute(
                text(
                    "INSERT INTO tickets (number, version, received_at, channel, request_type, category,"
                    " urgency, title, content, requester_name, requester_phone, address, attachments,"
                    " confidential, status, round, received_by_unit_code, extension_count)"
                    " VALUES (:n, 1, :at, 'phone', 'complaint', '城乡建设', 'normal', '', '内容', :name,"
                    " :phone, '', '[]', false, 'received', 1, 'hotline', 0)"
                ),
                {
                    "n": f"T{i}",
                    "at": NOW.replace(tzinfo=None) if engine.dialect.name == "sqlite" else NOW,
                    "name": name,
                    "phone": phone,
                },
            )


def test_0002_encrypts_contacts_and_links_requesters_and_back(empty_engine):
    upgrade(empty_engine, "0001")
    _insert_clear_tickets(empty_engine)
    upgrade(empty_engine, "0002")
    with empty_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT number, requester_name, requester_phone, requester_id FROM tickets ORDER BY number"
            )
        ).all()
        requesters = conn.execute(select(tables.requesters)).all()
    assert (
        rows[0].requester_phone.startswith("v1:") and "13800138000" not in rows[0].requester_phone
    )
    assert crypto.decrypt(rows[1].requester_phone) == "+86 138-0013-8000"
    # The same person, written two ways, is one requester.
    assert rows[0].requester_id == rows[1].requester_id is not None
    assert rows[2].requester_id is None and rows[2].requester_phone == ""
    assert len(requesters) == 1 and requesters[0].phone_hash == crypto.phone_hash("13800138000")
    downgrade(empty_engine, "0001")
    with empty_engine.connect() as conn:
        phones = (
            conn.execute(text("SELECT requester_phone FROM tickets ORDER BY number"))
            .scalars()
            .all()
        )
    assert phones == ["13800138000", "+86 138-0013-8000", ""]
