"""Open311 GeoReport v2 through HTTP: discovery, services, definitions, requests, tokens, errors."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

import pytest

from jiesu.intake.open311_mapping import service_code
from tests.api.helpers import act
from tests.channels import samples
from tests.channels.conftest import counts, stored_files

BASE = "/open311/v2"
NOISE = service_code("城市管理/噪声扰民")
POST = {
    "service_code": NOISE,
    "lat": "39.9042",
    "long": "116.4074",
    "description": "小区门口的餐馆每天凌晨两点还在搬运桶装水，噪声很大。",
    "first_name": "小明",
    "last_name": "王",
    "phone": "13700137000",
    "email": "wang@example.com",
}


@pytest.fixture
def o311_key(new_client) -> str:
    return new_client("civic-app", "open311")


def _post(client, key: str, fmt: str = "json", **overrides):
    return client.post(f"{BASE}/requests.{fmt}", data={**POST, "api_key": key, **overrides})


def _error(r, status: int, code: str, fmt: str = "json") -> None:
    assert r.status_code == status, r.text
    if fmt == "json":
        (error,) = r.json()
        assert (error["code"], error["jiesu_code"]) == (status, code)
        assert " / " in error["description"]
    else:
        root = ET.fromstring(r.content)
        assert root.tag == "errors"
        assert root.findtext("error/code") == str(status)
        assert root.findtext("error/jiesu_code") == code
        assert root.findtext("error/description")


def test_discovery(client):
    data = client.get(f"{BASE}/discovery.json").json()
    (endpoint,) = data["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    xml = ET.fromstring(client.get(f"{BASE}/discovery.xml").content)
    assert xml.tag == "discovery"
    assert [f.text for f in xml.iter("format")] == ["text/xml", "application/json"]


def test_one_service_per_catalogue_category(client, city):
    services = client.get(f"{BASE}/services.json").json()
    assert [s["service_name"] for s in services] == [
        "物业管理",
        "供暖",
        "供水",
        "噪声扰民",
        "公交线路",
    ]
    noise = services[3]
    assert noise == {
        "service_code": NOISE,
        "service_name": "噪声扰民",
        "description": "城市管理 › 噪声扰民",
        "metadata": True,
        "type": "realtime",
        "keywords": "城市管理,噪声扰民",
        "group": "城市管理",
    }
    xml = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert [s.findtext("service_code") for s in xml.findall("service")] == [
        s["service_code"] for s in services
    ]
    assert xml.find("service").findtext("metadata") == "true"
    assert client.get(f"{BASE}/services.json?jurisdiction_id={city.city.code}").status_code == 200
    _error(
        client.get(f"{BASE}/services.json?jurisdiction_id=elsewhere"), 404, "open311.jurisdiction"
    )


def test_service_definitions(client):
    definition = client.get(f"{BASE}/services/{NOISE}.json").json()
    assert definition["service_code"] == NOISE
    codes = [a["code"] for a in definition["attributes"]]
    assert codes == ["request_type", "urgency", "confidential"]
    urgency = definition["attributes"][1]
    assert urgency["datatype"] == "singlevaluelist" and urgency["required"] is False
    assert [v["key"] for v in urgency["values"]] == ["normal", "urgent"]
    xml = ET.fromstring(client.get(f"{BASE}/services/{NOISE}.xml").content)
    assert xml.tag == "service_definition"
    assert [v.text for v in xml.iter("key")][-2:] == ["false", "true"]
    _error(client.get(f"{BASE}/services/nope.json"), 404, "service.unknown")
    _error(client.get(f"{BASE}/services/nope.xml"), 404, "service.unknown", "xml")
    _error(client.get(f"{BASE}/services/{NOISE}.yaml"), 404, "open311.format")


def test_post_and_read_a_request(client, auth, o311_key):
    r = _post(client, o311_key, **{"attribute[urgency]": "urgent"})
    assert r.status_code == 201, r.text
    (created,) = r.json()
    number = created["service_request_id"]
    assert created["token"] == number and created["service_notice"]
    ticket = client.get(f"/api/tickets/{number}", headers=auth("operator")).json()
    assert (ticket["channel"], ticket["category"], ticket["urgency"]) == (
        "open311",
        "城市管理/噪声扰民",
        "urgent",
    )
    assert (ticket["request_type"], ticket["requester_name"]) == ("help", "王小明")
    assert ticket["address"] == "坐标 39.904200, 116.407400"
    # Anyone may read the status; no one learns who asked.
    (public,) = client.get(f"{BASE}/requests/{number}.json").json()
    assert public["status"] == "open" and public["description"] is None
    assert public["lat"] is None and public["service_code"] == NOISE
    assert public["agency_responsible"] == "测试市民热线服务中心"
    for text in ("王", "13700137000", "wang@example.com"):
        assert (
            text
            not in client.get(f"{BASE}/requests/{number}.json", params={"api_key": o311_key}).text
        )
    # The client that filed it sees what it wrote.
    (own,) = client.get(f"{BASE}/requests/{number}.json", params={"api_key": o311_key}).json()
    assert own["description"] == POST["description"] and own["lat"] == 39.9042
    xml = ET.fromstring(client.get(f"{BASE}/requests/{number}.xml").content)
    assert xml.tag == "service_requests" and xml.findtext("request/status") == "open"
    assert xml.findtext("request/description") is None or xml.findtext("request/description") == ""


def test_status_agency_and_expected_time_follow_the_ticket(client, auth, o311_key):
    number = _post(client, o311_key).json()[0]["service_request_id"]
    dispatched = act(client, auth, "dispatcher", number, "dispatch", lead_unit_code="990101.urban")
    (req,) = client.get(f"{BASE}/requests/{number}.json").json()
    assert req["agency_responsible"] == "东区城市管理委员会"
    expected = datetime.fromisoformat(req["expected_datetime"])
    assert expected == datetime.fromisoformat(dispatched["completion_due"])
    assert req["expected_datetime"].endswith("+08:00")  # W3C, in the city's time
    assert req["status_notes"].startswith("待签收")
    other = _post(client, o311_key).json()[0]["service_request_id"]
    act(client, auth, "operator", other, "answer_directly", answer="已告知营业时间。", source="kb")
    (closed,) = client.get(f"{BASE}/requests/{other}.json").json()
    assert closed["status"] == "closed"
    listed = client.get(f"{BASE}/requests.json", params={"status": "closed"}).json()
    assert [r["service_request_id"] for r in listed] == [other]
    listed = client.get(f"{BASE}/requests.json", params={"status": "open,closed"}).json()
    assert {r["service_request_id"] for r in listed} == {number, other}


def test_list_filters_and_tokens(client, auth, o311_key, portal):
    first = _post(client, o311_key).json()[0]["service_request_id"]
    heating = _post(client, o311_key, service_code=service_code("城乡建设/供暖"))
    second = heating.json()[0]["service_request_id"]
    web = client.post(
        "/api/public/requests",
        json={"category": "城乡建设/供暖", "content": "暖气不热，室温只有十五度。"},
        headers=portal,
    ).json()["number"]
    everything = client.get(f"{BASE}/requests.json").json()
    assert {r["service_request_id"] for r in everything} == {first, second}  # Open311 only
    only = client.get(f"{BASE}/requests.json", params={"service_code": NOISE}).json()
    assert [r["service_request_id"] for r in only] == [first]
    both = client.get(f"{BASE}/requests.json", params={"service_request_id": f"{first},{web}"})
    assert [r["service_request_id"] for r in both.json()] == [first]
    window = {"start_date": "2026-11-24T00:00:00+08:00", "end_date": "2026-11-30T00:00:00Z"}
    assert client.get(f"{BASE}/requests.json", params=window).json() == []
    too_long = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-11-30T00:00:00Z"}
    _error(client.get(f"{BASE}/requests.json", params=too_long), 400, "open311.date_range")
    _error(
        client.get(f"{BASE}/requests.xml", params={"start_date": "soon"}),
        400,
        "input.invalid",
        "xml",
    )
    _error(client.get(f"{BASE}/requests.json", params={"status": "pending"}), 400, "input.invalid")
    assert client.get(f"{BASE}/tokens/{first}.json").json() == [
        {"service_request_id": first, "token": first}
    ]
    token = ET.fromstring(client.get(f"{BASE}/tokens/{first}.xml").content)
    assert token.findtext("request/service_request_id") == first
    _error(client.get(f"{BASE}/tokens/{web}.json"), 404, "ticket.not_found")
    _error(client.get(f"{BASE}/requests/{web}.json"), 404, "ticket.not_found")


def test_confidential_requests_never_show_their_text(client, o311_key):
    number = _post(client, o311_key, **{"attribute[confidential]": "true"}).json()[0][
        "service_request_id"
    ]
    (own,) = client.get(f"{BASE}/requests/{number}.json", params={"api_key": o311_key}).json()
    assert own["description"] is None and own["address"] is None


def test_a_photo_posted_with_the_request(client, auth, o311_key, attachments_root):
    r = client.post(
        f"{BASE}/requests.xml",
        data={**POST, "api_key": o311_key},
        files={"media": ("IMG_0001.JPG", samples.jpeg(), "image/jpeg")},
    )
    assert r.status_code == 201, r.text
    number = ET.fromstring(r.content).findtext("request/service_request_id")
    ticket = client.get(f"/api/tickets/{number}", headers=auth("operator")).json()
    assert len(ticket["attachments"]) == 1 and len(stored_files(attachments_root)) == 1


def test_media_url_is_kept_not_fetched(client, auth, o311_key):
    url = "https://photos.example.org/p/123.jpg"
    number = _post(client, o311_key, media_url=url).json()[0]["service_request_id"]
    ticket = client.get(f"/api/tickets/{number}", headers=auth("operator")).json()
    assert ticket["content"].endswith(f"media_url: {url}")
    _error(_post(client, o311_key, media_url="file:///etc/passwd"), 400, "input.invalid")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_errors_in_the_open311_format(client, new_client, o311_key, nothing_stored, fmt):
    web_key = new_client("portal", "web")
    photo = {"media": ("p.png", samples.exe(), "image/png")}
    cases = [
        (client.post(f"{BASE}/requests.{fmt}", data=POST), 403, "channel.key_missing"),
        (_post(client, "jsk_wrong", fmt), 403, "channel.key_invalid"),
        (_post(client, web_key, fmt), 403, "channel.wrong_interface"),
        (_post(client, o311_key, fmt, service_code="c000"), 400, "service.unknown"),
        (_post(client, o311_key, fmt, description=" "), 400, "content.empty"),
        (_post(client, o311_key, fmt, **{"attribute[colour]": "red"}), 400, "attribute.unknown"),
        (_post(client, o311_key, fmt, **{"attribute[urgency]": "now"}), 400, "attribute.bad_value"),
        (_post(client, o311_key, fmt, lat="north"), 400, "input.invalid"),
        (_post(client, o311_key, fmt, address_id="990199"), 400, "unit.unknown"),
        (_post(client, o311_key, fmt, jurisdiction_id="x"), 404, "open311.jurisdiction"),
        (
            client.post(f"{BASE}/requests.{fmt}", data={**POST, "api_key": o311_key}, files=photo),
            415,
            "attachment.type_not_allowed",
        ),
        (
            client.post(
                f"{BASE}/requests.{fmt}",
                content=b"api_key=" + o311_key.encode() + b"&description=%E5%99%AA%FF",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            400,
            "input.encoding",
        ),
        (
            client.post(f"{BASE}/requests.{fmt}", json=POST),
            415,
            "input.content_type",
        ),
    ]
    for response, status, code in cases:
        _error(response, status, code, fmt)
    nothing_stored()


def test_unknown_paths_answer_in_the_open311_format(client):
    _error(client.get(f"{BASE}/nothing.json"), 404, "http.not_found")
    _error(client.get(f"{BASE}/nothing/else.xml"), 404, "http.not_found", "xml")


def test_posting_twice_with_an_idempotency_key(client, o311_key):
    headers = {"Idempotency-Key": "app-report-77"}
    data = {**POST, "api_key": o311_key}
    first = client.post(f"{BASE}/requests.json", data=data, headers=headers)
    again = client.post(f"{BASE}/requests.json", data=data, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert counts(client.app.state.context.engine) == (1, 0)
