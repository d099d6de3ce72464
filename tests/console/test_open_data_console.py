"""G6 open data in the console: a supervisor publishes a month, publishes it again only with
a note, withdraws it with a reason (CSRF on every form, refusals shown in the page with
their code); other roles are refused; the public page lists what is published, with the
data dictionary and what is never published, without logging in, and the bulletin links it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from jiesu.storage import tables
from tests.api.helpers import create
from tests.conftest import START, TZ
from tests.console.helpers import csrf, login

BASE = "/console/governance/open-data"


@pytest.fixture
def november(client, auth, clock) -> None:
    """Six alike property complaints in November; then 2 December."""
    for i in range(6):
        clock.now = START + timedelta(hours=i)
        create(client, auth, requester_phone=f"1390000000{i}")
    clock.now = datetime(2026, 12, 2, 9, tzinfo=TZ)


def _as(client, username: str) -> str:
    """Log in; the office page's CSRF token (or any page's, for other roles)."""
    client.cookies.clear()
    login(client, username)
    return csrf(client.get("/").text)


def _post(client, path: str, token: str, **fields):
    return client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False)


def _releases(ctx) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(tables.open_data_releases)).scalar()


def test_a_supervisor_publishes_republishes_with_a_note_and_withdraws(ctx, client, november):
    token = _as(client, "supervisor")
    page = client.get(BASE)
    assert page.status_code == 200 and 'data-testid="publish-form"' in page.text
    assert '<a href="/console/governance/open-data" aria-current="page">开放数据</a>' in page.text
    assert 'value="2026-11"' in page.text and "尚未发布开放数据" in page.text

    r = _post(client, f"{BASE}/publish", token, month="2026-11", k="5", note="")
    assert r.status_code == 303 and r.headers["location"] == BASE, r.text
    page = client.get(BASE)
    assert "已发布 2026-11 开放数据（第 1 版，6 行）" in page.text  # the flash
    assert page.text.count("data-release=") == 1 and 'data-status="published"' in page.text
    assert 'href="/api/public/open-data/2026-11.csv"' in page.text

    refused = _post(client, f"{BASE}/publish", token, month="2026-11", k="5", note="")
    assert refused.status_code == 422 and "open_data.note_required" in refused.text
    assert "再次发布须说明理由" in refused.text and 'data-testid="publish-form"' in refused.text
    r = _post(client, f"{BASE}/publish", token, month="2026-11", k="6", note="更正分类后重新发布")
    assert r.status_code == 303
    page = client.get(BASE).text
    assert "更正分类后重新发布" in page and 'data-status="superseded"' in page
    second = int(re.search(r'data-release="(\d+)"[^>]*data-status="published"', page).group(1))

    url = f"{BASE}/releases/{second}/withdraw"
    refused = _post(client, url, token, reason="  ")
    assert refused.status_code == 422 and "input.required" in refused.text
    assert _post(client, url, "forged", reason="x").status_code == 403  # CSRF
    r = _post(client, url, token, reason="发现可识别个人的行")
    assert r.status_code == 303
    page = client.get(BASE).text
    assert "已撤回 2026-11 开放数据第 2 版" in page and 'data-status="withdrawn"' in page
    assert "发现可识别个人的行" in page and 'data-testid="withdraw-' not in page
    again = _post(client, url, token, reason="再撤一次")
    assert again.status_code == 409 and "open_data.withdrawn" in again.text
    for bad in ("abc", "99999", "99999999999"):
        missing = _post(client, f"{BASE}/releases/{bad}/withdraw", token, reason="x")
        assert missing.status_code == 404 and "open_data.not_found" in missing.text
    assert _releases(ctx) == 2


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [({"month": "2026-12", "k": "5"}, 422, "open_data.month_not_over"),
     ({"month": "2026-1", "k": "5"}, 422, "open_data.bad_month"),
     ({"month": "2026-10", "k": "5"}, 422, "open_data.no_requests"),
     ({"month": "2026-11", "k": "1"}, 422, "open_data.bad_k"),
     ({"month": "2026-11", "k": "x"}, 422, "open_data.bad_k"),
     ({"month": "2026-11", "k": "5", "note": "长" * 501}, 422, "input.invalid")],
)  # fmt: skip
def test_a_refused_publication_is_shown_in_the_page(ctx, client, november, fields, status, code):
    token = _as(client, "admin")
    r = _post(client, f"{BASE}/publish", token, **fields)
    assert r.status_code == status and code in r.text and "错误代码" in r.text
    assert 'data-testid="publish-form"' in r.text and _releases(ctx) == 0


@pytest.mark.parametrize("user", ["operator", "donghua"])
def test_other_roles_are_refused(ctx, client, november, user):
    token = _as(client, user)
    page = client.get(BASE)
    assert page.status_code == 403 and "open_data.forbidden" in page.text
    refused = _post(client, f"{BASE}/publish", token, month="2026-11", k="5")
    assert refused.status_code == 403 and "open_data.forbidden" in refused.text
    assert _post(client, f"{BASE}/releases/1/withdraw", token, reason="x").status_code == 403
    assert 'href="/console/governance/open-data"' not in client.get("/").text
    assert (
        'href="/console/governance/open-data"' not in client.get("/console/governance/reports").text
    )
    assert _releases(ctx) == 0


def test_every_governance_page_links_open_data_for_the_office(client, november):
    _as(client, "supervisor")
    for page in ("warnings", "analysis", "seasonal", "topics", "reports"):
        text = client.get(f"/console/governance/{page}").text
        assert '<a href="/console/governance/open-data" >开放数据</a>' in text, page


def test_the_public_page_needs_no_login_and_the_bulletin_links_it(client, november):
    page = client.get("/open-data")
    assert page.status_code == 200 and "暂无已发布的开放数据" in page.text
    assert "办结用时（天）" in page.text and "姓名、电话、地址" in page.text
    assert "k-匿名" in page.text
    token = _as(client, "supervisor")
    _post(client, f"{BASE}/publish", token, month="2026-11", k="5")
    client.cookies.clear()
    page = client.get("/open-data")
    assert 'href="/api/public/open-data/2026-11.csv"' in page.text and "6 行" in page.text
    sha = client.get("/api/public/open-data").json()["releases"][0]["sha256"]
    assert sha in page.text
    assert 'href="/open-data"' in client.get("/bulletin/2026-11").text
