"""Channel clients: a random key shown once, only its hash kept, and no way to log in as one."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from jiesu import accounts
from jiesu.cli import main
from jiesu.domain.errors import Forbidden, InvalidInput, Unauthenticated
from jiesu.intake import channels
from jiesu.storage import tables
from tests.conftest import CITY_FILE


def test_only_the_keys_hash_is_stored(ctx):
    client, key = channels.add_client(ctx.engine, "wechat-official", "wechat", "hotline", ctx.now())
    assert key.startswith("jsk_") and len(key) > 40
    with ctx.engine.connect() as conn:
        row = conn.execute(select(tables.channel_clients)).one()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(tuple(row))
    found = channels.authenticate(ctx.engine, key)
    assert (found.name, found.channel, found.user_id) == (
        "wechat-official",
        "wechat",
        client.user_id,
    )
    actor = found.actor(ctx)
    assert (actor.username, actor.role, actor.unit_code) == (
        "channel:wechat-official",
        "operator",
        "hotline",
    )


def test_nobody_can_log_in_as_a_channel_client(ctx):
    channels.add_client(ctx.engine, "portal", "web", "hotline", ctx.now())
    for password in ("", "!channel-client", "anything-at-all"):
        with pytest.raises(Unauthenticated):
            accounts.login(ctx.engine, "channel:portal", password, ctx.now())


@pytest.mark.parametrize(
    ("name", "channel", "code"),
    [
        ("Portal", "web", "channel.bad_name"),
        ("a" * 57, "web", "channel.bad_name"),
        ("hotline-desk", "phone", "channel.not_internet"),
        ("x", "carrier-pigeon", "channel.not_internet"),
    ],
)
def test_refused_clients(ctx, name, channel, code):
    with pytest.raises(InvalidInput) as caught:
        channels.add_client(ctx.engine, name, channel, "hotline", ctx.now())
    assert caught.value.code == code


def test_a_name_is_taken_once(ctx):
    channels.add_client(ctx.engine, "portal", "web", "hotline", ctx.now())
    with pytest.raises(InvalidInput) as caught:
        channels.add_client(ctx.engine, "portal", "app", "hotline", ctx.now())
    assert caught.value.code == "channel.name_taken"


def test_switching_off(ctx):
    _, key = channels.add_client(ctx.engine, "weibo", "weibo", "hotline", ctx.now())
    channels.set_active(ctx.engine, "weibo", False)
    with pytest.raises(Forbidden):
        channels.authenticate(ctx.engine, key)
    with pytest.raises(Exception, match="channel.not_found"):
        channels.set_active(ctx.engine, "nobody", False)


def test_cli_channel_add_prints_the_key_once(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    db = f"sqlite:///{tmp_path / 'j.db'}"
    args = ["channel", "add", "civic-app", "--channel", "open311"]
    assert main([*args, "--city", str(CITY_FILE), "--database-url", db]) == 0
    out = capsys.readouterr().out
    assert "created channel client civic-app (open311)" in out
    key = out.split("api_key): ")[1].strip()
    from jiesu.storage.db import make_engine

    engine = make_engine(db)
    assert channels.authenticate(engine, key).name == "civic-app"
    engine.dispose()
    assert main([*args, "--city", str(CITY_FILE), "--database-url", db]) == 2
    assert "channel.name_taken" in capsys.readouterr().err
