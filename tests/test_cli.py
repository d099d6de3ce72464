"""The `jiesu` command as an operator uses it: init a city, check it, migrate, add a user."""

from __future__ import annotations

import os

import pytest

from jiesu.cli import main
from jiesu.storage import crypto
from jiesu.storage.migrate import head_revision


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JIESU_DATABASE_URL", raising=False)
    monkeypatch.delenv("JIESU_CITY_FILE", raising=False)
    return tmp_path


def test_city_init_check_db_and_user(workdir, capsys):
    assert main(["city", "init", "嘉峪关", "--out", "city.yaml"]) == 0
    assert "嘉峪关" in capsys.readouterr().out
    # Refuses to overwrite without --force.
    assert main(["city", "init", "嘉峪关", "--out", "city.yaml"]) == 2
    assert "city.yaml" in capsys.readouterr().err
    assert main(["city", "check", "--city", "city.yaml"]) == 0
    db = f"sqlite:///{workdir / 'j.db'}"
    assert main(["db", "upgrade", "--database-url", db]) == 0
    assert f"revision {head_revision()}" in capsys.readouterr().out
    args = [
        "user",
        "add",
        "wang",
        "--role",
        "dispatcher",
        "--unit",
        "hotline",
        "--password",
        "s3cret-pass",
    ]
    assert main([*args, "--city", "city.yaml", "--database-url", db]) == 0
    assert "created wang (dispatcher) in hotline" in capsys.readouterr().out
    # A unit that does not exist is refused with its code.
    bad = [
        "user",
        "add",
        "li",
        "--role",
        "unit_handler",
        "--unit",
        "nowhere",
        "--password",
        "s3cret-pass",
    ]
    assert main([*bad, "--city", "city.yaml", "--database-url", db]) == 2
    assert "unit.unknown" in capsys.readouterr().err


def test_unknown_city_and_broken_file_are_reported(workdir, capsys):
    assert main(["city", "init", "不存在市", "--out", "x.yaml"]) == 2
    assert "不存在市" in capsys.readouterr().err
    (workdir / "broken.yaml").write_text("city: [1, 2\n", encoding="utf-8")
    assert main(["city", "check", "--city", "broken.yaml"]) == 2
    err = capsys.readouterr().err
    assert "broken.yaml" in err and "not valid YAML" in err
    assert not os.path.exists("x.yaml")


def test_refuses_to_start_without_the_contact_data_key(workdir, capsys, monkeypatch):
    assert main(["city", "init", "嘉峪关", "--out", "city.yaml"]) == 0
    monkeypatch.setattr(crypto, "_keyring", None)
    monkeypatch.delenv("JIESU_SECRET_KEY", raising=False)
    monkeypatch.delenv("JIESU_SECRET_KEY_FILE", raising=False)
    args = [
        "user",
        "add",
        "wang",
        "--role",
        "operator",
        "--unit",
        "hotline",
        "--password",
        "s3cret-pass",
    ]
    assert main([*args, "--city", "city.yaml"]) == 2
    assert "JIESU_SECRET_KEY" in capsys.readouterr().err
    assert main(["secret", "new"]) == 0
    secret = capsys.readouterr().out.strip()
    monkeypatch.setenv("JIESU_SECRET_KEY", secret)
    assert main([*args, "--city", "city.yaml"]) == 0
