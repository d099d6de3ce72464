"""Writing and publishing articles through the API in tests."""

from __future__ import annotations

from datetime import datetime

ARTICLE = {
    "question": "小区物业费的收费标准由谁制定，物业涨价需要经过哪些程序？",
    "variants": ["物业费涨价合法吗", "物业公司能随便上调物业费吗"],
    "answer": "住宅物业服务收费实行政府指导价和市场调节价。物业服务企业调整收费标准，"
    "应当经业主大会同意并在小区显著位置公示；未经同意擅自涨价的，可向街道反映。",
    "policy_basis": "《物业管理条例》第四十条",
    "categories": ["城乡建设/物业管理"],
}


def body(**overrides) -> dict:
    data = {**ARTICLE, **overrides}
    for key in ("valid_from", "valid_to", "next_review"):
        if isinstance(data.get(key), datetime):
            data[key] = data[key].isoformat()
    return data


def create(client, auth, user: str = "donghua", expect: int = 201, **overrides) -> dict:
    r = client.post("/api/kb/articles", json=body(**overrides), headers=auth(user))
    assert r.status_code == expect, r.text
    return r.json()


def step(client, auth, user: str, article_id: int, action: str, expect: int = 200, **data):
    r = client.post(f"/api/kb/articles/{article_id}/{action}", json=data, headers=auth(user))
    assert r.status_code == expect, r.text
    return r.json()


def publish(client, auth, user: str = "donghua", reviewer: str = "dispatcher", **overrides):
    """Create an article as ``user``, submit it and have ``reviewer`` approve it."""
    a = create(client, auth, user, submit=True, **overrides)
    return step(client, auth, reviewer, a["id"], "approve", version=a["latest_version"])


def search(client, q: str, user: str | None = "operator", auth=None, limit: int = 10) -> list:
    if user is None:
        r = client.get("/api/public/kb/search", params={"q": q, "limit": limit})
    else:
        r = client.get("/api/kb/search", params={"q": q, "limit": limit}, headers=auth(user))
    assert r.status_code == 200, r.text
    return r.json()["hits"]
