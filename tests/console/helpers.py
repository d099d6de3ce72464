"""Driving the console through TestClient: log in with the form, post forms with the CSRF token."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_LOGIN_CSRF = re.compile(r'name="login_csrf" value="([^"]+)"')
_VERSION = re.compile(r'data-action="{action}".*?name="expected_version" value="(\d+)"', re.S)


def login(client, username: str, password: str = PASSWORD, next_path: str = "/"):
    page = client.get("/login")
    token = _LOGIN_CSRF.search(page.text).group(1)
    return client.post(
        "/login",
        data={"username": username, "password": password, "login_csrf": token, "next": next_path},
        follow_redirects=False,
    )


def csrf(html: str) -> str:
    return _CSRF.search(html).group(1)


def version_in_form(html: str, action: str) -> int:
    match = re.search(_VERSION.pattern.format(action=action), html, re.S)
    assert match, f"no {action} form"
    return int(match.group(1))


def act(client, number: str, action: str, **fields):
    page = client.get(f"/tickets/{number}")
    data = {"csrf_token": csrf(page.text), "expected_version": version_in_form(page.text, action)}
    data.update(fields)
    return client.post(f"/tickets/{number}/actions/{action}", data=data, follow_redirects=False)
