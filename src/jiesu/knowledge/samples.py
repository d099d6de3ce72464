"""Generated knowledge-base articles for the demo and the benchmark, with consultations whose
right article is known.

Every leaf category of the city gets its matters from the simulator's
phrase book (``jiesu.simulate.topics``): the questions people ask (公租房申请
条件) and the problems they report (电梯频繁故障). Each matter gets articles
on several aspects — where it is handled, what it costs, how long it takes,
who is responsible — one for the whole city (owned by the department the
dispatch catalogue names) or one per district (owned by that district's
department or government). An article's question and variants use some of
the forms of asking of its aspect (``phrasing.ASK``); a consultation uses
the others and callers' own words (``phrasing.SAY``), with synonyms swapped
in and an operator's opening, so no consultation reads back a stored question.

Everything is deterministic for a seed; each article is drawn from its own
seeded generator, so asking for more articles never changes the first ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from jiesu.city.config import CityConfig, Unit, UnitKind
from jiesu.context import Context
from jiesu.simulate.texts import Slots, Texts, fill
from jiesu.storage import tables
from jiesu.storage.uow import UnitOfWork

from . import phrasing as p
from . import search

#: Who owns the city-wide articles of a first-level area led by streets (no department named).
AREA_DEPARTMENT = {
    "城乡建设": "housing",
    "城市管理": "urban",
    "民政社区": "civil",
    "农村农业": "agriculture",
    "环境保护": "ecology",
    "公共安全": "police",
}
#: aspect → tier: small sets take the lower tiers first (the demo gets broad coverage).
TIERS = {"overview": 0, "whom": 0, "basis": 1, "online": 1, "deadline": 1, "evidence": 1}
AUDIENCES_PER_MATTER = 2


@dataclass(frozen=True)
class SampleArticle:
    key: str  # category|matter|aspect|district|audience: stable across seeds and counts
    unit_code: str
    question: str
    variants: tuple[str, ...]
    answer: str
    policy_basis: str
    categories: tuple[str, ...]
    tier: int
    asks: tuple[str, ...]  # filled forms of asking a consultation may use (never stored ones)


@dataclass(frozen=True)
class Consultation:
    text: str
    article_key: str


@dataclass(frozen=True)
class _Matter:
    category: str
    area: str
    name: str
    question: str | None  # a policy matter's own question (its overview article)
    procedure: bool


def _matters(city: CityConfig, texts: Texts) -> list[_Matter]:
    out: list[_Matter] = []
    for code, topic in texts.topics.items():
        slots = Slots(random.Random(code), cat=topic.name, cshort="小区", district="本区")
        seen: set[str] = set()
        for phrase in topic.questions:
            name = fill(phrase.key, slots)
            for ending in p.ASPECT_ENDINGS:
                if name.endswith(ending) and len(name) - len(ending) >= 2:
                    name = name[: -len(ending)]
                    break
            if name not in seen:
                seen.add(name)
                procedure = any(w in name for w in p.PROCEDURE_WORDS)
                question = fill(phrase.text, slots)
                out.append(_Matter(code, topic.area, name, question, procedure))
        for phrase in topic.problems:
            name = fill(phrase.key, slots)
            if name not in seen:
                seen.add(name)
                out.append(_Matter(code, topic.area, name, None, False))
    return out


def _aspects(m: _Matter) -> list[str]:
    if m.question is None:
        return ["whom", "deadline", "evidence", "liability", "local"]
    aspects = ["overview", "basis", "online", "change", "place", "contact", "hours"]
    if m.procedure:
        aspects += ["conditions", "materials", "process", "fees", "duration", "audience"]
    return aspects


class _Owners:
    """Which unit keeps an article: the department the dispatch catalogue names, or the
    district's own department or government for a district's article."""

    def __init__(self, city: CityConfig) -> None:
        self.city = city
        self.districts = [u for u in city.units if u.kind is UnitKind.DISTRICT]
        self.by_dept: dict[tuple[str, str | None], list[Unit]] = {}
        for u in city.units:
            if u.department:
                self.by_dept.setdefault((u.department, u.parent), []).append(u)
                self.by_dept.setdefault((u.department, None), []).append(u)
        self.government = next(
            (u for u in city.units if u.kind is UnitKind.CITY_GOVERNMENT), city.units[0]
        )

    def _entry(self, category: str):
        return next(
            (
                e
                for e in self.city.dispatch_catalogue
                if e.category == category or category.startswith(e.category + "/")
            ),
            None,
        )

    def city_wide(self, category: str, area: str) -> Unit:
        entry = self._entry(category)
        if entry is not None and entry.unit and self.city.unit(entry.unit):
            return self.city.unit(entry.unit)  # type: ignore[return-value]
        dept = (entry.department if entry else None) or AREA_DEPARTMENT.get(area)
        units = self.by_dept.get((dept, None), []) if dept else []
        ranked = sorted(units, key=lambda u: u.kind is not UnitKind.CITY_DEPARTMENT)
        return ranked[0] if ranked else self.government

    def in_district(self, category: str, district: Unit) -> Unit:
        entry = self._entry(category)
        if entry is not None and entry.unit and self.city.unit(entry.unit):
            return self.city.unit(entry.unit)  # type: ignore[return-value]
        if entry is not None and entry.lead_kind is UnitKind.DISTRICT_DEPARTMENT:
            local = self.by_dept.get((entry.department or "", district.code), [])
            if local:
                return local[0]
        return district


def district_label(unit: Unit) -> str:
    return unit.name.removesuffix("人民政府")


def generate(city: CityConfig, *, seed: int = 0, count: int | None = None) -> list[SampleArticle]:
    """Up to ``count`` articles (all of them without ``count``), broad coverage first."""
    texts = Texts(city)
    owners = _Owners(city)
    articles: list[SampleArticle] = []
    for m in _matters(city, texts):
        for aspect in _aspects(m):
            if aspect == "audience":
                rng = random.Random(f"{seed}|{m.category}|{m.name}|audience")
                for who in rng.sample(p.AUDIENCES, AUDIENCES_PER_MATTER):
                    articles.append(_article(seed, m, aspect, owners, None, who))
            elif aspect != "overview" and p.ASK[aspect][0] == "district":
                for d in owners.districts:
                    articles.append(_article(seed, m, aspect, owners, d, ""))
            else:
                articles.append(_article(seed, m, aspect, owners, None, ""))
    order = random.Random(f"order|{seed}")
    articles.sort(key=lambda a: a.key)
    order.shuffle(articles)
    articles.sort(key=lambda a: a.tier)  # stable: shuffled within each tier
    return articles if count is None else articles[:count]


def _article(
    seed: int, m: _Matter, aspect: str, owners: _Owners, district: Unit | None, who: str
) -> SampleArticle:
    label = district_label(district) if district else ""
    key = f"{m.category}|{m.name}|{aspect}|{label}|{who}"
    rng = random.Random(f"{seed}|{key}")
    owner = owners.in_district(m.category, district) if district else None
    owner = owner or owners.city_wide(m.category, m.area)
    basis = rng.choice(p.BASIS.get(m.area, p.BASIS_DEFAULT))
    slots = {"m": m.name, "district": label, "who": who, "unit": owner.name}
    if aspect == "overview":
        assert m.question is not None
        question = m.question
        variants = (f"{m.name}相关政策咨询", f"关于{m.name}的规定")
        reworded = _reword(m.question)
        said = tuple(f.format(**slots) for f in p.SAY["overview"])
        asks: tuple[str, ...] = (reworded, *said) if reworded != m.question else said
    else:
        forms = list(p.ASK[aspect][1])
        rng.shuffle(forms)
        question, *variants_ = (f.format(**slots) for f in forms[:3])
        variants = tuple(variants_)
        asks = tuple(f.format(**slots) for f in (*forms[3:], *p.SAY[aspect]))
    where = rng.choice(p.WHERE).format(unit=owner.name)
    answer = rng.choice(p.ANSWER[aspect]).format(
        **slots,
        basis=basis,
        basis_sentence=f"政策依据为{basis}。",
        where=where,
        n=rng.choice((3, 5, 7, 10, 15, 20)),
    )
    return SampleArticle(
        key=key,
        unit_code=owner.code,
        question=question,
        variants=variants,
        answer=answer,
        policy_basis=f"{basis}；{owner.name}办事指南",
        categories=(m.category,),
        tier=TIERS.get(aspect, 3 if district else 2),
        asks=asks,
    )


# --- consultations ------------------------------------------------------------------------


def _reword(text: str) -> str:
    """Every synonym swapped in: how a caller might put an article's own question."""
    for old, new in p.SYNONYMS:
        text = text.replace(old, new)
    return text


def _paraphrase(rng: random.Random, text: str) -> str:
    for old, new in p.SYNONYMS:
        if old in text and rng.random() < 0.5:
            text = text.replace(old, new)
    return text


def consultations(
    city: CityConfig, articles: list[SampleArticle], *, seed: int = 0, n: int = 1000
) -> list[Consultation]:
    """``n`` consultations, each about a known article, in callers' words."""
    book = Texts(city).book
    districts = [district_label(u) for u in _Owners(city).districts] or ["本区"]
    rng = random.Random(f"consult|{seed}")
    out = []
    for _ in range(n):
        a = rng.choice(articles)
        opening = fill(
            rng.choice(book["consult_openings"][rng.choice(("phone", "online"))]),
            Slots(rng, channel_zh="网站"),
        )
        mentioned = a.key.split("|")[3] or rng.choice(districts)
        context = (
            ""
            if opening.endswith("请问") or rng.random() < 0.5
            else fill(
                rng.choice(book["consult_context"]),
                Slots(rng, district=mentioned, street="", community="所在社区"),
            )
        )
        ask = _paraphrase(rng, rng.choice(a.asks)).rstrip("？?")
        text = f"{opening}{context}{ask}？{rng.choice(p.TAILS)}"
        out.append(Consultation(text=text, article_key=a.key))
    return out


# --- the demo -----------------------------------------------------------------------------


def seed_demo_articles(ctx: Context, *, seed: int = 0, count: int = 300) -> int:
    """Publish ``count`` generated articles (as imported by the platform, reviewed by it), so
    the demo operator can answer from the knowledge base. A knowledge base that already has
    articles is left alone; returns how many were added."""
    now = ctx.now()
    with UnitOfWork(ctx.engine) as uow:
        if uow.session.execute(select(func.count()).select_from(tables.kb_articles)).scalar():
            return 0
        generated = generate(ctx.city, seed=seed, count=count)
        if not generated:
            return 0
        ids = uow.session.scalars(
            tables.kb_articles.insert().returning(
                tables.kb_articles.c.id, sort_by_parameter_order=True
            ),
            [
                {"unit_code": a.unit_code, "published_version": 1, "created_at": now}
                | {"updated_at": now}
                for a in generated
            ],
        ).all()
        rows = []
        for article_id, a in zip(ids, generated, strict=True):
            rng = random.Random(f"{seed}|{a.key}|dates")
            lasts = rng.random() < 0.1  # a few policies end within the year
            rows.append(
                {
                    "article_id": article_id,
                    "version": 1,
                    "status": "published",
                    "question": a.question,
                    "variants": list(a.variants),
                    "answer": a.answer,
                    "policy_basis": a.policy_basis,
                    "categories": list(a.categories),
                    "valid_from": now - timedelta(days=rng.randint(30, 720)),
                    "valid_to": now + timedelta(days=rng.randint(30, 365)) if lasts else None,
                    "next_review": now + timedelta(days=rng.randint(3, 240)),
                    "author_user_id": None,
                    "author": "system",
                    "created_at": now,
                    "reviewed_by": "system",
                    "reviewed_at": now,
                    "review_note": "演示数据导入",
                }
            )
        uow.session.execute(tables.kb_versions.insert(), rows)
        uow.commit()
    search.changed(ctx)
    return len(generated)
