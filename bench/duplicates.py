"""Duplicate detection (并单候选): precision and recall on a generated set with known duplicates.

    PYTHONPATH=src python bench/duplicates.py [--background 100000] [--seed 7] [--markdown docs/benchmarks.md]

A city (Beijing by default, built from jionlp's division data) gets a month of
background tickets from the history generator (``jiesu.simulate``), written to a
fresh SQLite database (or ``--database-url``, an empty PostgreSQL database).
Then known cases are added, each an earlier ticket and a new request:

* **repeat** — the same matter (same problem phrase, same building) at the same
  community within the window, re-worded by the generator, from the same
  requester or a neighbour: a duplicate;
* **recent_closed** — a repeat of a ticket closed within the last day: a duplicate;
* **same_place** — another matter at the same community: not a duplicate;
* **same_matter** — the same problem at another community (half of them in the
  same street): not a duplicate;
* **old** / **closed_old** / **merged** — a repeat of a ticket outside the window,
  closed days ago, or merged already: not offered.

A pair (new request, ticket) is a true duplicate when the ticket may be offered
(window, status) and is about the same matter at the same community — this also
counts the background's own coincidences. Each new request asks
``find_candidates``; precision and recall are counted over pairs at the chosen
threshold, with the curve over thresholds. Two baselines from the same run:
exact title match over all tickets, and TF-IDF character-bigram cosine over all
tickets without the place and time restriction (its threshold chosen for its
best F1 on the same set, which flatters it).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import insert, select, text

from jiesu.city.builder import build_city
from jiesu.city.config import CityConfig
from jiesu.city.loader import load_city
from jiesu.city.sync import sync_units
from jiesu.context import Context
from jiesu.domain.ticket import RequestType, Status
from jiesu.intake.duplicates import THRESHOLD, DuplicateQuery, find_candidates
from jiesu.simulate.planning import Planner
from jiesu.simulate.texts import Place, Slots, Texts
from jiesu.storage import crypto, tables
from jiesu.storage.db import make_engine
from jiesu.storage.migrate import upgrade
from jiesu.storage.uow import UnitOfWork

END = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
KINDS_TRUE = ("repeat", "recent_closed")
KINDS = (*KINDS_TRUE, "same_place", "same_matter", "old", "closed_old", "merged")
SHARES = {
    "repeat": 0.45,
    "recent_closed": 0.05,
    "same_place": 0.2,
    "same_matter": 0.2,
    "old": 0.04,
    "closed_old": 0.03,
    "merged": 0.03,
}
PINNED = ("bldg", "unit_no", "room", "hn")


class PinnedTexts(Texts):
    """The generator's texts with the building (and room) of a request fixed by the caller."""

    pins: dict[str, str] = {}

    def _slots(self, rng, topic, place, **kw) -> Slots:  # type: ignore[override]
        slots = super()._slots(rng, topic, place, **kw)
        slots.update(self.pins)
        return slots


@dataclass
class Known:
    place: str
    key: str
    offered: bool  # may be offered at END: window, status, not merged


from common import machine, publish  # noqa: E402  (bench/ is on sys.path)


def _city(args) -> CityConfig:
    if args.city_file:
        return load_city(Path(args.city_file))
    return CityConfig(**build_city(args.city, estimate_population=True))


def _status(rng: random.Random, outcome: str, age: timedelta, at: datetime):
    """A plausible state for a ticket of this age: (status, closed_at)."""
    if outcome == "answer":
        return Status.ANSWERED, None
    if outcome == "refer":
        return Status.REFERRED, None
    if age < timedelta(days=3):
        return rng.choice((Status.DISPATCHED, Status.ACKNOWLEDGED, Status.IN_PROGRESS)), None
    if age < timedelta(days=10) and rng.random() < 0.6:
        return rng.choice((Status.IN_PROGRESS, Status.REPLIED, Status.VISITED)), None
    closed = at + timedelta(days=rng.uniform(2, min(10, age.days)))
    return Status.CLOSED, min(closed, END - timedelta(minutes=1))


def _offered(status, received_at, closed_at, days: int) -> bool:
    if received_at < END - timedelta(days=days) or status == Status.MERGED:
        return False
    if status in (Status.ANSWERED, Status.REFERRED, Status.CLOSED):
        return (closed_at or received_at) >= END - timedelta(days=1)
    return True


class Writer:
    """Rows for the tickets and requesters tables, inserted in batches."""

    def __init__(self, engine) -> None:
        self.engine, self.rows, self.people = engine, [], []
        self.phones: dict[str, int] = {}
        self.known: dict[int, Known] = {}
        self.next_id = 1

    def requester(self, name: str, phone: str) -> int:
        if phone not in self.phones:
            rid = self.phones[phone] = len(self.phones) + 1
            self.people.append(
                {
                    "id": rid,
                    "phone_hash": crypto.phone_hash(phone),
                    "name": name,
                    "phone": phone,
                    "first_seen_at": END,
                    "last_seen_at": END,
                }
            )
        return self.phones[phone]

    def add(self, t, status, closed_at, key: str, days: int, merged_into: int | None = None) -> int:
        tid = self.next_id
        self.next_id += 1
        self.rows.append(
            {
                "id": tid,
                "number": f"B{tid:08d}",
                "version": 1,
                "received_at": t.received_at,
                "channel": str(t.channel),
                "request_type": str(t.request_type),
                "category": t.category,
                "urgency": "normal",
                "title": t.title,
                "content": t.content,
                "requester_name": "",
                "requester_phone": "",
                "requester_id": t.requester_id,
                "tags": [],
                "identity_released_units": [],
                "address": t.address,
                "location_unit_code": t.location_unit_code,
                "attachments": [],
                "confidential": False,
                "status": str(status),
                "round": 1,
                "received_by_unit_code": "hotline",
                "extension_count": 0,
                "closed_at": closed_at,
                "merged_into_id": merged_into,
            }
        )
        self.known[tid] = Known(
            t.location_unit_code, key, _offered(status, t.received_at, closed_at, days)
        )
        if len(self.rows) >= 5000:
            self.flush()
        return tid

    def flush(self) -> None:
        with self.engine.begin() as conn:
            if self.people:
                conn.execute(insert(tables.requesters), self.people)
            if self.rows:
                conn.execute(insert(tables.tickets), self.rows)
        self.rows, self.people = [], []


@dataclass
class Case:
    kind: str
    query: DuplicateQuery
    place: str
    key: str
    original: int


def generate(args, city: CityConfig, engine):
    rng = random.Random(args.seed)
    days = city.intake_policy.duplicate_window_days
    ctx = Context(engine=engine, city=city, clock=lambda: END)
    texts = PinnedTexts(city)
    planner = Planner(ctx, texts, rng, expected=args.background)
    writer = Writer(engine)
    hotline = ctx.hotline_unit.code
    started = time.perf_counter()
    for _ in range(args.background):
        old = rng.random() < 0.1  # a tenth lies before the window
        at = END - timedelta(days=rng.uniform(days, days + 20) if old else rng.uniform(0, days))
        texts.pins = {}
        plan = planner.plan("", at)
        t = plan.ticket
        t.requester_id = writer.requester(t.requester_name, t.requester_phone)
        status, closed = _status(rng, plan.outcome, END - at, at)
        writer.add(t, status, closed, plan.key, days)
    print(f"background: {args.background:,} tickets in {time.perf_counter() - started:.0f} s")

    places = planner.places
    by_street: dict[str, list[Place]] = defaultdict(list)
    for p in places:
        by_street[city.unit(p.unit_code).parent].append(p)
    kinds = list(SHARES)
    cases = []
    for _ in range(args.cases):
        kind = rng.choices(kinds, [SHARES[k] for k in kinds])[0]
        person = planner._new_requester()
        place = person.place
        rtype = rng.choice(
            (RequestType.COMPLAINT, RequestType.COMPLAINT, RequestType.HELP, RequestType.REPORT)
        )
        topic = planner._topic(rtype, END.month, place.village, None, False)
        phrase = texts._problem(rng, topic, rtype, False)
        single = replace(topic, problems=(phrase,), fallback=())
        pins = {
            "bldg": f"{rng.randint(1, 36)}号楼",
            "unit_no": f"{rng.randint(1, 6)}单元",
            "room": f"{rng.randint(1, 24)}{rng.randint(1, 4):02d}室",
            "hn": str(rng.randint(1, 180)),
        }
        texts.pins = pins
        lead = planner.lead_for(topic, rtype, place)
        age = timedelta(days=rng.uniform(0.2, days - 1))
        status, closed, merged_into = (
            rng.choice((Status.DISPATCHED, Status.ACKNOWLEDGED, Status.IN_PROGRESS)),
            None,
            None,
        )
        if kind == "old":
            age = timedelta(days=rng.uniform(days + 1, days + 20))
        elif kind == "recent_closed":
            age = timedelta(days=rng.uniform(3, days - 1))
            status, closed = Status.CLOSED, END - timedelta(hours=rng.uniform(1, 20))
        elif kind == "closed_old":
            age = timedelta(days=rng.uniform(3, days - 1))
            closed = END - age + (age - timedelta(days=2)) * rng.random()
            status = Status.CLOSED
        elif kind == "merged":
            status, merged_into = Status.MERGED, rng.randint(1, args.background)
        at = END - age
        req = texts.request(
            rng, single, rtype, place, channel="phone", hotline=None, lead_name=lead.name, at=at
        )
        original = _ticket(planner, hotline, rtype, topic.category, place, at, req)
        original.requester_id = writer.requester(person.name, person.phone)
        oid = writer.add(original, status, closed, req.key, days, merged_into)
        # the new request
        q_place, q_topic, q_pins = place, single, pins
        if kind == "same_place":
            others = [p for p in topic.problems if p.key != phrase.key and "c" in p.types] or [
                p
                for p in planner._topic(rtype, END.month, place.village, None, False).problems
                if p.key != phrase.key
            ]
            q_topic = replace(topic, problems=(rng.choice(others),), fallback=())
            q_pins = {k: v for k, v in pins.items() if rng.random() < 0.3}
        elif kind == "same_matter":
            near = [p for p in by_street[city.unit(place.unit_code).parent] if p != place]
            q_place = rng.choice(near) if near and rng.random() < 0.5 else rng.choice(places)
            q_pins = {}
        texts.pins = q_pins
        channel = rng.choice(("phone", "phone", "phone", "app", "wechat", "web"))
        new = texts.request(
            rng, q_topic, rtype, q_place, channel=channel, hotline=None, lead_name=lead.name, at=END
        )
        same_person = kind != "same_matter" and rng.random() < (
            0.3 if kind == "same_place" else 0.5
        )
        rid = original.requester_id if same_person else None
        query = DuplicateQuery(new.title, new.content, new.address, q_place.unit_code, rid)
        cases.append(Case(kind, query, q_place.unit_code, new.key, oid))
    writer.flush()
    return cases, writer.known


def _ticket(planner, hotline, rtype, category, place, at, req):
    from jiesu.domain.ticket import Ticket

    return Ticket(
        number="",
        received_at=at,
        channel="phone",
        request_type=rtype,
        category=category,
        content=req.content,
        title=req.title,
        address=req.address,
        location_unit_code=place.unit_code,
        received_by_unit_code=hotline,
    )


def truth(cases: list[Case], known: dict[int, Known]) -> list[set[int]]:
    index: dict[tuple[str, str], set[int]] = defaultdict(set)
    for tid, k in known.items():
        if k.offered:
            index[(k.place, k.key)].add(tid)
    return [index.get((c.place, c.key), set()) for c in cases]


def curve(predicted: list[list[tuple[int, float]]], true: list[set[int]], thresholds):
    total = sum(len(t) for t in true)
    out = []
    for th in thresholds:
        tp = fp = 0
        for preds, t in zip(predicted, true, strict=True):
            for tid, score in preds:
                if score >= th:
                    tp += tid in t
                    fp += tid not in t
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / total if total else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out.append((th, p, r, f, tp, fp))
    return out


def baselines(engine, cases: list[Case]):
    """Exact title over all tickets; TF-IDF cosine over all tickets (no place, no window)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    with engine.connect() as conn:
        rows = conn.execute(
            select(tables.tickets.c.id, tables.tickets.c.title, tables.tickets.c.content)
        ).all()
    by_title: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        by_title[r.title].append(r.id)
    exact = [[(tid, 1.0) for tid in by_title.get(c.query.title, ())] for c in cases]
    started = time.perf_counter()
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True, min_df=2)
    docs = vec.fit_transform([f"{r.title}\n{r.content}" for r in rows])
    queries = vec.transform([c.query.text for c in cases])
    ids = np.asarray([r.id for r in rows])
    cosine = []
    for lo in range(0, len(cases), 100):  # a dense block of 100 × all tickets at a time
        block = (queries[lo : lo + 100] @ docs.T).toarray()
        best = np.argpartition(-block, 10, axis=1)[:, :10]
        for i, cols in enumerate(best):
            cosine.append([(int(ids[j]), float(block[i, j])) for j in cols])
    return exact, cosine, time.perf_counter() - started


def run(args) -> str:
    crypto.configure(crypto.new_secret())
    city = _city(args)
    with tempfile.TemporaryDirectory(prefix="jiesu-bench-") as folder:
        engine = make_engine(args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            return _run(args, city, engine)
        finally:
            engine.dispose()


def _run(args, city: CityConfig, engine) -> str:
    with engine.connect() as conn:
        if (
            engine.dialect.name == "postgresql"
            and conn.execute(text("SELECT to_regclass('tickets')")).scalar()
        ):
            raise SystemExit("the PostgreSQL database must be empty")
    upgrade(engine)
    sync_units(engine, city)
    cases, known = generate(args, city, engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE tickets"))
    true = truth(cases, known)
    predicted, latency = [], []
    with UnitOfWork(engine, write=False) as uow:
        for c in cases:
            started = time.perf_counter()
            found = find_candidates(uow.session, city, c.query, END, limit=10, threshold=0.0)
            latency.append((time.perf_counter() - started) * 1000)
            predicted.append([(f.ticket_id, f.score) for f in found])
    exact, cosine, base_s = baselines(engine, cases)
    in_window = sum(1 for k in known.values() if k.offered)
    return report(args, city, cases, true, predicted, latency, exact, cosine, len(known), in_window)


def report(args, city, cases, true, predicted, latency, exact, cosine, n, offered) -> str:
    ths = [round(0.05 * i, 2) for i in range(2, 19)]
    ours = curve(predicted, true, ths)
    at = curve(predicted, true, [THRESHOLD])[0]
    base_exact = curve(exact, true, [1.0])[0]
    base_cos = max(curve(cosine, true, ths), key=lambda x: x[3])
    per_kind = defaultdict(lambda: [0, 0])
    for c, preds in zip(cases, predicted, strict=True):
        shown = {tid for tid, s in preds if s >= THRESHOLD}
        per_kind[c.kind][0] += 1
        per_kind[c.kind][1] += c.original in shown
    lat = sorted(latency)
    cpu = machine()
    lines = [
        "## Duplicate detection",
        "",
        f"`PYTHONPATH=src python bench/duplicates.py --background {args.background} --cases "
        f"{args.cases} --seed {args.seed}` — {city.city.name}, {n:,} tickets written "
        f"({offered:,} of them offerable: in the {city.intake_policy.duplicate_window_days}-day "
        f"window and open or ended within a day), {len(cases):,} new requests, "
        f"{sum(len(t) for t in true):,} true duplicate pairs; {cpu}. A repeat reuses the "
        "original's problem sentence (re-worded around it) and building; a same-place near miss "
        "shares the building three times in ten. Real repeats differ more: expect lower recall.",
        "",
        "| method | threshold | precision | recall | F1 |",
        "|---|---|---|---|---|",
        f"| jiesu `find_candidates` (place + window + text) | {THRESHOLD} | {at[1]:.3f} | {at[2]:.3f} | {at[3]:.3f} |",
        f"| baseline: exact title, all tickets | — | {base_exact[1]:.3f} | {base_exact[2]:.3f} | {base_exact[3]:.3f} |",
        f"| baseline: TF-IDF bigram cosine, all tickets (best threshold) | {base_cos[0]} | {base_cos[1]:.3f} | {base_cos[2]:.3f} | {base_cos[3]:.3f} |",
        "",
        f"F1 ratio jiesu / exact title: **{at[3] / max(base_exact[3], 1e-9):.2f}×**; "
        f"jiesu / TF-IDF without place and time: **{at[3] / max(base_cos[3], 1e-9):.2f}×**.",
        "",
        "Precision/recall curve (jiesu score):",
        "",
        "| threshold | " + " | ".join(f"{x[0]:.2f}" for x in ours[::2]) + " |",
        "|---|" + "---|" * len(ours[::2]),
        "| precision | " + " | ".join(f"{x[1]:.3f}" for x in ours[::2]) + " |",
        "| recall | " + " | ".join(f"{x[2]:.3f}" for x in ours[::2]) + " |",
        "",
        "Share of cases whose earlier ticket is shown at the threshold (want 1 for the first two, 0 for the rest):",
        "",
        "| " + " | ".join(KINDS) + " |",
        "|" + "---|" * len(KINDS),
        "| "
        + " | ".join(
            f"{per_kind[k][1] / max(per_kind[k][0], 1):.3f} (n={per_kind[k][0]})" for k in KINDS
        )
        + " |",
        "",
        f"Latency of one `find_candidates` call (SQL read of the place's tickets and scoring, "
        f"{'SQLite' if not args.database_url else 'PostgreSQL'}): median {statistics.median(lat):.1f} ms, "
        f"p95 {lat[int(len(lat) * 0.95)]:.1f} ms, max {lat[-1]:.1f} ms.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--city", default="北京市")
    ap.add_argument("--city-file")
    ap.add_argument("--background", type=int, default=100_000)
    ap.add_argument("--cases", type=int, default=2_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    ap.add_argument("--markdown", help="write the section into this file (docs/benchmarks.md)")
    args = ap.parse_args(argv)
    publish(run(args), args.markdown)


if __name__ == "__main__":
    sys.exit(main())
