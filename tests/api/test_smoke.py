from .helpers import act, create, dispatched


def test_create_and_dispatch(client, auth):
    t = create(client, auth)
    assert t["status"] == "received"
    d = dispatched(client, auth)
    assert d["status"] == "dispatched"
    a = act(client, auth, "donghua", d["number"], "acknowledge")
    assert a["status"] == "acknowledged"
