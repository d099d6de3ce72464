"""G6/S3 open data through the API and the command line against a real database: a month's
requests, desensitised; rare combinations made coarser or left out; confidential requests
and everything that names or finds a person never published."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from jiesu.cli import main
from jiesu.governance.open_data import HEADER
from tests.api.helpers import NEW_TICKET, create
from tests.conftest import START, TZ

from .helpers import DONGHUA, HEPINGLI, NOISE, PROPERTY
from .test_cli import _db

URL = "/api/governance/open-data/2026-11.csv"


@pytest.fixture
def november(client, auth, clock):
    """Six property complaints by phone at 东华社区, one noise complaint at 和平里社区, one
    confidential request; then December."""
    for i in range(6):
        clock.now = START + timedelta(hours=i)
        create(client, auth, requester_phone=f"1390000000{i}")
    clock.now = START + timedelta(days=1)
    create(client, auth, category=NOISE, location_unit_code=HEPINGLI, title="夜间施工",
           content="王先生家楼下夜间施工", address="和平里5号楼")  # fmt: skip
    create(client, auth, confidential=True, location_unit_code=DONGHUA, category=PROPERTY)
    clock.now = datetime(2026, 12, 2, 9, tzinfo=TZ)


def _rows(r) -> list[list[str]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def test_a_month_is_published_desensitised(client, auth, november):
    r = client.get(URL, headers=auth("supervisor"))
    header, *rows = _rows(r)
    assert header[:6] == ["月份", "区", "街道乡镇", "诉求类别", "诉求类型", "渠道"]
    assert len(rows) == 6  # the six alike; the lone noise complaint is suppressed (k = 5)
    assert {tuple(x[:6]) for x in rows} == {
        ("2026-11", "东区", "东华街道", PROPERTY, "投诉", "电话")
    }  # fmt: skip
    assert {x[6] for x in rows} == {"受理中"} and {x[9] for x in rows} == {"未回访"}
    assert r.headers["x-open-data-received"] == "8"
    assert r.headers["x-open-data-confidential"] == "1"
    assert r.headers["x-open-data-suppressed"] == "1"
    assert r.headers["x-open-data-levels"] == "6,0,0,0"
    text = r.content.decode("utf-8-sig")
    for secret in ("1390000000", NEW_TICKET["requester_name"], "电梯", "东华社区", "王先生",
                   "和平里", NEW_TICKET["address"]):  # fmt: skip
        assert secret not in text


def test_with_k_two_the_lone_request_is_still_never_alone(client, auth, november):
    rows = _rows(client.get(URL, params={"k": 2}, headers=auth("admin")))[1:]
    assert len(rows) == 6  # the noise complaint has no partner at any level


@pytest.mark.parametrize(
    ("user", "url", "status", "code"),
    [("operator", URL, 403, "open_data.forbidden"),
     ("donghua", URL, 403, "open_data.forbidden"),
     ("supervisor", "/api/governance/open-data/2026-12.csv", 422, "open_data.month_not_over"),
     ("supervisor", "/api/governance/open-data/2026-13.csv", 422, "assessment.bad_period"),
     ("supervisor", URL + "?k=1", 422, "input.invalid")],
)  # fmt: skip
def test_refusals(client, auth, november, user, url, status, code):
    r = client.get(url, headers=auth(user))
    assert r.status_code == status and r.json()["code"] == code, r.text


def test_the_command_line_writes_the_file(ctx, tmp_path, capsys):
    """Wiring only: the command line runs on the wall clock, so it asks for a month long past."""
    out = tmp_path / "open.csv"
    assert (
        main(["governance", "open-data", "--month", "2020-01", "--out", str(out), *_db(ctx)]) == 0
    )
    assert out.read_text(encoding="utf-8-sig").splitlines() == [",".join(HEADER)]
    assert capsys.readouterr().err.strip() == (
        "2020-01: 0 requests, 0 confidential left out, 0 published (by level 0/0/0/0), "
        "0 suppressed; k = 5"
    )
    assert main(["governance", "open-data", "--month", "2999-01", *_db(ctx)]) == 2
    assert "open_data.month_not_over" in capsys.readouterr().err


def test_the_analysis_page_links_the_download_for_publishers(client, auth, november):
    from tests.console.helpers import login

    login(client, "supervisor")
    page = client.get("/console/governance/analysis", params={"month": "2026-11"})
    assert 'href="/api/governance/open-data/2026-11.csv"' in page.text
    assert len(_rows(client.get("/api/governance/open-data/2026-11.csv"))) == 7  # by cookie
    client.cookies.clear()
    login(client, "operator")
    page = client.get("/console/governance/analysis", params={"month": "2026-11"})
    assert 'data-testid="open-data"' not in page.text
