"""G2: a ticket read through the API names the active monthly topics its request is on, as
the console's ticket page does; a planned or closed topic, or a request off it, names none."""

from __future__ import annotations

from datetime import timedelta

from tests.api.helpers import create
from tests.conftest import START
from tests.governance.test_topics import BUS, _post, _propose, _write_plan_and_lists


def _topics(client, auth, number: str, user: str = "operator"):
    r = client.get(f"/api/tickets/{number}", headers=auth(user))
    assert r.status_code == 200, r.text
    return r.json()["topics"]


def test_a_ticket_names_the_active_topics_it_is_on(client, auth, clock):
    on = create(client, auth, category=BUS, title="末班车太早", content="末班车太早")["number"]
    off = create(client, auth)["number"]  # a property complaint
    clock.now = START + timedelta(days=3)
    topic_id = _propose(client, auth)
    assert _topics(client, auth, on) == []  # planned: not yet
    _write_plan_and_lists(client, auth, topic_id)
    _post(client, auth, "supervisor", f"/{topic_id}/launch")
    expected = [{"id": topic_id, "title": "公交末班车过早", "lead_unit_code": "city.transport"}]
    assert _topics(client, auth, on) == expected
    assert _topics(client, auth, off) == []
    _post(client, auth, "supervisor", f"/{topic_id}/withdraw", reason="并入其他专题")
    assert _topics(client, auth, on) == []
    listed = client.get("/api/tickets", headers=auth("operator")).json()["items"]
    assert all(t["topics"] is None for t in listed)  # a single ticket's link, not the list's
