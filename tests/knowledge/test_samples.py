"""The generated articles: deterministic, owned by real units, and the demo's seeding."""

from __future__ import annotations

from jiesu.context import Context
from jiesu.knowledge import samples, search
from jiesu.knowledge.reminders import queue_review_reminders
from jiesu.storage.db import make_engine

from .helpers import search as api_search


def test_generation_is_deterministic_and_a_larger_count_keeps_the_first_articles(city):
    all_of_them = samples.generate(city, seed=5)
    assert samples.generate(city, seed=5) == all_of_them
    assert samples.generate(city, seed=5, count=40) == all_of_them[:40]
    assert samples.generate(city, seed=6) != all_of_them
    assert len({a.key for a in all_of_them}) == len(all_of_them) > 250


def test_generated_articles_fit_the_city(city):
    for a in samples.generate(city, seed=1):
        unit = city.unit(a.unit_code)
        assert unit is not None and unit.kind != "hotline"
        assert set(a.categories) <= city.category_codes
        assert a.question and a.answer and a.policy_basis
        assert a.question not in a.variants
        assert not {a.question, *a.variants} & set(a.asks)  # consultations never read them back
    first = samples.generate(city, seed=1, count=20)
    assert all(a.tier == 0 for a in first)  # a small set covers the matters first


def test_consultations_name_their_article(city):
    generated = samples.generate(city, seed=2)
    keys = {a.key for a in generated}
    consultations = samples.consultations(city, generated, seed=2, n=50)
    assert len(consultations) == 50 and all(c.article_key in keys for c in consultations)
    assert consultations == samples.consultations(city, generated, seed=2, n=50)


def test_demo_articles_are_published_searchable_and_seeded_once(ctx, client, auth):
    assert samples.seed_demo_articles(ctx, seed=0, count=60) == 60
    assert samples.seed_demo_articles(ctx, seed=0, count=60) == 0
    listing = client.get("/api/kb/articles", headers=auth("dispatcher")).json()
    assert listing["total"] == 60
    assert {i["state"] for i in listing["items"]} == {"published"}
    first = samples.generate(ctx.city, seed=0, count=1)[0]
    hits = api_search(client, first.question, auth=auth, limit=3)
    assert first.question in [h["question"] for h in hits]
    assert queue_review_reminders(ctx, within_days=60) > 0


def test_the_index_can_be_warmed_up_in_the_background(ctx):
    samples.seed_demo_articles(ctx, seed=1, count=30)
    fresh = Context(make_engine(ctx.engine.url), ctx.city, ctx.clock, ctx.calendar)
    try:
        search.warm_up(fresh).join(timeout=60)
        assert len(search.index_for(fresh)) == 30
    finally:
        fresh.engine.dispose()
