"""Learning dispatch from the city's own history (D7), and the model in force.

``jiesu dispatch train`` without ``--data`` reads every dispatched ticket:
its text (title and content) and the duty of the unit that finally led it
(:mod:`jiesu.dispatch.duty`). A re-dispatch after an upheld objection
therefore teaches the right duty, and the objection itself is kept as
negative evidence: per category, how often each duty's units objected with
success, which the suggestions use to lower that duty (and say so).
Overrides of a suggestion are training data by construction: the chosen
unit is the label.

The model file goes to ``JIESU_MODEL_DIR`` (default ``jiesu-data/models``),
its version and figures to ``dispatch_models``; the newest trained model is
active for every process, which loads it on first use (cached per version).
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, update

from jiesu.context import Context
from jiesu.domain.errors import InvalidInput
from jiesu.storage.tables import dispatch_models as dm_table
from jiesu.storage.tables import dispatch_objections as obj
from jiesu.storage.tables import tickets as t

from . import model as dm
from .duty import duty_of

MIN_SAMPLES = 20
_LOADED: dict[str, dm.DispatchModel] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ModelRecord:
    version: str
    path: str
    samples: int
    labels: int
    negatives: dict[str, dict[str, int]]  # category → duty → upheld objections
    trained_by: str


def model_dir() -> Path:
    return Path(os.environ.get("JIESU_MODEL_DIR") or Path("jiesu-data") / "models")


def history_samples(ctx: Context) -> tuple[list[str], list[str], dict[str, dict[str, int]]]:
    """Texts and duty labels of every dispatched ticket, and the upheld objections."""
    texts: list[str] = []
    labels: list[str] = []
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(t.c.title, t.c.content, t.c.lead_unit_code).where(
                t.c.lead_unit_code.is_not(None), t.c.status != "objected"
            )
        )
        for title, content, lead in rows:
            unit = ctx.city.unit(lead)
            if unit is None:
                continue
            texts.append(f"{title}\n{content}" if title else content)
            labels.append(duty_of(ctx.city, unit))
        negatives: dict[str, Counter] = {}
        for category, unit_code in conn.execute(
            select(obj.c.category, obj.c.unit_code).where(obj.c.decision == "upheld")
        ):
            unit = ctx.city.unit(unit_code)
            if unit is not None:
                negatives.setdefault(category, Counter())[duty_of(ctx.city, unit)] += 1
    return texts, labels, {c: dict(n) for c, n in negatives.items()}


def train_from_history(
    ctx: Context, *, trained_by: str, folder: Path | None = None, seed: int = 0
) -> ModelRecord:
    """Train on the history, save the model, and make it the active one."""
    texts, labels, negatives = history_samples(ctx)
    if len(texts) < MIN_SAMPLES or len(set(labels)) < 2:
        raise InvalidInput(
            "dispatch_model.too_little_history",
            f"历史派单不足（{len(texts)}件），至少需要{MIN_SAMPLES}件、两类以上承办单位",
            f"Too little dispatch history ({len(texts)} tickets); need {MIN_SAMPLES} and two duties",
        )
    model = dm.train(texts, labels, seed=seed, label_column="duty", now=ctx.now())
    path = (folder or model_dir()) / f"{model.version}.joblib"
    dm.save(model, path)
    record = ModelRecord(
        model.version, str(path.resolve()), len(texts), len(model.labels), negatives, trained_by
    )
    with ctx.engine.begin() as conn:
        conn.execute(update(dm_table).values(active=False))
        existing = conn.execute(
            select(dm_table.c.version).where(dm_table.c.version == model.version)
        ).first()
        values: dict[str, Any] = {
            "path": record.path,
            "trained_at": ctx.now(),
            "trained_by": trained_by,
            "samples": record.samples,
            "labels": record.labels,
            "negatives": negatives,
            "active": True,
        }
        if existing:
            conn.execute(
                update(dm_table).where(dm_table.c.version == model.version).values(**values)
            )
        else:
            conn.execute(dm_table.insert().values(version=model.version, **values))
    with _LOCK:
        _LOADED[model.version] = model
    return record


def active(conn: Connection) -> tuple[dm.DispatchModel, ModelRecord] | None:
    """The model in force and its record, or None when none was trained (or its file is gone:
    suggestions then come from the catalogue, territory and history alone)."""
    row = conn.execute(select(dm_table).where(dm_table.c.active.is_(True))).first()
    if row is None:
        return None
    record = ModelRecord(
        row.version, row.path, row.samples, row.labels, dict(row.negatives or {}), row.trained_by
    )
    with _LOCK:
        model = _LOADED.get(row.version)
    if model is None:
        try:
            model = dm.load(row.path)
        except InvalidInput:
            return None
        with _LOCK:
            _LOADED[row.version] = model
    return model, record
