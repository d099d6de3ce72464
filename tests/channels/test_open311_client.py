"""An existing Open311 client library, ``georeport`` (PyPI), against jiesu served by uvicorn.

``georeport`` reads services, service definitions and requests, in JSON and XML; it has
no call for discovery or for posting, so those go through ``requests``, the HTTP library
georeport itself uses. The other Open311 clients on PyPI, ``open311`` 1.1 and ``three``
0.8.0, are Python 2 only (see docs/channels.md).
"""

from __future__ import annotations

import pytest
import requests

from jiesu.intake.open311_mapping import service_code

georeport = pytest.importorskip("georeport")


@pytest.fixture
def open311(server) -> str:
    return f"{server}/open311/v2"


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_files_and_follows_a_request(open311, new_client, output_format):
    key = new_client("civic-app", "open311")
    client = georeport.GeoReport(open311, api_key=key, output_format=output_format)

    discovery = requests.get(f"{open311}/discovery.json", timeout=60).json()
    assert discovery["endpoints"][0]["url"] == open311

    services = client.get_service_list()
    by_name = {s["service_name"]: s for s in services}
    noise = by_name["噪声扰民"]
    assert noise["service_code"] == service_code("城市管理/噪声扰民")
    assert noise["group"] == "城市管理"

    definition = client.get_service_definition(noise["service_code"])
    attributes = definition["attributes"]
    if output_format == "xml":  # xmltodict: one element per list entry
        attributes = attributes["attribute"]
    assert [a["code"] for a in attributes] == ["request_type", "urgency", "confidential"]

    posted = requests.post(
        f"{open311}/requests.{output_format}",
        data={
            "api_key": key,
            "service_code": noise["service_code"],
            "address_string": "东区和平街道和平里社区3号楼",
            "description": "楼下商铺的空调外机夜里噪声很大。",
            "first_name": "Lin",
            "last_name": "Wei",
        },
        timeout=60,
    )
    assert posted.status_code == 201, posted.text
    number = (
        posted.json()[0]["service_request_id"]
        if output_format == "json"
        else posted.text.split("<service_request_id>")[1].split("<")[0]
    )

    request = client.get_service_request(number)
    assert request["service_request_id"] == number
    assert request["status"] == "open"
    assert request["service_code"] == noise["service_code"]

    listed = client.get_service_requests(service_code=noise["service_code"], status="open")
    if output_format == "xml":
        listed = listed if isinstance(listed, list) else [listed]
    assert [r["service_request_id"] for r in listed] == [number]
    if output_format == "json":  # georeport cannot read an empty XML list (it indexes None)
        assert client.get_service_requests(status="closed") == []


def test_georeport_sees_errors_as_http_errors(open311):
    client = georeport.GeoReport(open311)
    with pytest.raises(requests.HTTPError) as caught:
        client.get_service_definition("nope")
    assert caught.value.response.status_code == 404
    assert caught.value.response.json()[0]["jiesu_code"] == "service.unknown"
