"""G4 monthly work reports in the console: a supervisor issues November's report, reads it
with the recommendations first, regenerates it with a reason; a district sees its own;
a street is refused."""

from __future__ import annotations

import re
from datetime import datetime

from jiesu.governance.warnings import issue
from tests.conftest import TZ
from tests.console.helpers import csrf, login

from .helpers import W48

BASE = "/console/governance/reports"


def _as(client, username: str) -> None:
    client.cookies.clear()
    login(client, username)


def _issue(client, **fields):
    page = client.get(BASE)
    data = {"csrf_token": csrf(page.text), "month": "2026-11", "scope": "city", **fields}
    return client.post(f"{BASE}/issue", data=data, follow_redirects=False)


def test_a_supervisor_issues_reads_and_regenerates_a_report(ctx, client, clock, weeks):
    issue(ctx, W48)  # as the worker would have
    clock.now = datetime(2026, 12, 9, 8, 0, tzinfo=TZ)  # the seven days to answer are up
    _as(client, "supervisor")
    page = client.get(BASE)
    assert page.status_code == 200 and 'data-testid="issue-form"' in page.text
    assert '<a href="/console/governance/reports" aria-current="page">工作报告</a>' in page.text
    r = _issue(client)
    assert r.status_code == 303, r.text
    report_id = int(re.search(r"/reports/(\d+)$", r.headers["location"]).group(1))
    page = client.get(r.headers["location"])
    text = page.text
    assert page.status_code == 200 and "测试市 2026-11 接诉即办月度工作报告" in text
    assert text.index('data-testid="recommendations"') < text.index("二、受理概况")
    assert (
        "2 条高频预警未按期反馈整改措施" in text
        and "逾期未反馈" in text
        and "历史记录不足一年" in text
    )
    assert "本月受理诉求 <strong>39</strong> 件" in text and "上月数据不完整" in text
    assert f'href="/api/governance/reports/{report_id}.md"' in text and "@media print" in text
    assert "和平里社区" in text.split('data-testid="group-complaints"')[1]

    again = _issue(client)  # issued already: shown as it was
    assert again.headers["location"] == f"{BASE}/{report_id}"
    refused = _issue(client, regenerate="1")
    assert refused.status_code == 422 and "report.reason_required" in refused.text
    assert "重新生成须说明理由" in refused.text
    r = _issue(client, regenerate="1", reason="分类更正后重新统计")
    page = client.get(r.headers["location"])
    assert "第 2 版" in page.text and "分类更正后重新统计" in page.text
    assert 'data-testid="versions"' in page.text
    listing = client.get(BASE, params={"month": "2026-11"}).text
    assert "第 1 版（已被新版取代）" in listing and listing.count("data-report=") == 2


def test_a_district_reads_its_own_and_a_street_none(client, weeks):
    _as(client, "supervisor")
    city = int(re.search(r"/reports/(\d+)$", _issue(client).headers["location"]).group(1))
    own = int(re.search(r"/reports/(\d+)$",
                        _issue(client, scope="990101").headers["location"]).group(1))  # fmt: skip
    _as(client, "dongqu")
    page = client.get(BASE)
    assert page.status_code == 200 and 'data-testid="issue-form"' not in page.text
    assert f'data-report="{own}"' in page.text and f'data-report="{city}"' not in page.text
    assert "东区 2026-11 接诉即办月度工作报告" in client.get(f"{BASE}/{own}").text
    hidden = client.get(f"{BASE}/{city}")
    assert hidden.status_code == 404 and "report.not_found" in hidden.text
    assert client.get(f"{BASE}/abc").status_code == 404
    refused = client.post(f"{BASE}/issue", data={"csrf_token": csrf(page.text), "month": "2026-11"},
                          follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403 and "report.issue_forbidden" in refused.text
    _as(client, "donghua")
    page = client.get(BASE)
    assert page.status_code == 403 and "report.forbidden" in page.text


def test_a_month_not_understood_lists_every_report_with_the_reason(client, weeks):
    _as(client, "operator")
    page = client.get(BASE, params={"month": "2026-13"})
    assert page.status_code == 422 and "report.bad_month" in page.text
