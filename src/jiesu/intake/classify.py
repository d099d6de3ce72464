"""Proposals of request type, category and "七有五性" tags at intake (I3, A7, D7).

The operator types or hears a request and must choose a type (咨询 … 表扬), one
of the city's categories and the livelihood tags; a good proposal saves that
time and makes the choices consistent. The operator always decides, and a
correction is kept (:mod:`.feedback`) and learned from at the next training.

**The learned model** is one TF-IDF vector per text — jieba words (1–2 grams,
numbers folded) and character 1–3 grams, which catch what segmentation misses
in addresses and slang — and one linear classifier per field, trained by SGD on
the logistic loss, so each proposal carries a probability. Tags are one binary
classifier per tag (one-vs-rest). It is trained from the city's own tickets
(``train_from_history``): text = title + content, labels = type, category,
tags; the latest correction of a ticket overrides its labels and weighs
``FEEDBACK_WEIGHT`` times, and a text that was corrected is answered with the
correction next time. SGD instead of an exact solver or a calibrated SVM: when
this was chosen, a sigmoid-calibrated linear SVM was 0.015 macro-F1 better on the
real messages of ``shared/data`` (0.877 against 0.863) and equal on generated
history, but took three to seven times as long to train, and exact logistic
regression was slower and no better. Figures: ``docs/benchmarks.md``.

**The bootstrap** answers before there is history, and for any field with too
little of it: keyword rules for the request type, the category names of the
city's taxonomy, and keywords per tag. Deterministic, so a new deployment
behaves the same every time.

The text features (jieba's words, the TF-IDF vectoriser) are
:mod:`.classify_features`; the training data read from the city's history is
:mod:`.classify_history`; which model answers for a context, and its file, is
:mod:`.classify_store`.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .classify_features import _vectorizer, jieba_module, ticket_text, words
from .classify_rules import REQUEST_TYPE_ORDER, category_scores, request_type_scores, tag_scores

if TYPE_CHECKING:
    from jiesu.city.config import CityConfig

# jieba_module, words and ticket_text live in classify_features and stay importable from here,
# where other modules and the model files saved before they moved look for them.
__all__ = [
    "Choice",
    "FEEDBACK_WEIGHT",
    "FORMAT",
    "LinearHead",
    "MAX_ROWS",
    "MIN_ROWS",
    "MIN_TAG_POSITIVES",
    "Model",
    "Proposal",
    "TAG_THRESHOLD",
    "TrainingRow",
    "bootstrap_model",
    "jieba_module",
    "propose",
    "ticket_text",
    "train",
    "words",
]

FORMAT = 1  # of the saved model; a file of another format is ignored
MIN_ROWS = 30  # labelled rows a field needs before it is learned
MIN_TAG_POSITIVES = 5  # examples a tag needs (and as many without it) to get its classifier
FEEDBACK_WEIGHT = 5.0
MAX_ROWS = 50_000  # most recent tickets read for training
TAG_THRESHOLD = 0.5


def _digest(text: str) -> str:
    return hashlib.sha256(re.sub(r"\s+", "", text).encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Choice:
    value: str
    score: float


@dataclass(frozen=True)
class Proposal:
    request_type: Choice
    category: Choice | None
    category_alternatives: tuple[Choice, ...]  # the next best, up to three
    tags: tuple[Choice, ...]  # proposed tags (score ≥ TAG_THRESHOLD)
    request_type_scores: dict[str, float]
    tag_scores: dict[str, float]  # every tag with a score worth showing
    model_version: str
    sources: dict[str, str]  # per field: model | rules | feedback


@dataclass
class Model:
    """What ``propose`` needs: the classifiers (or None where rules answer) and the city's names."""

    version: str
    categories: dict[str, str]  # code → name, of the leaf categories
    trained_at: datetime | None = None
    sizes: dict[str, int] = field(default_factory=dict)
    vectorizer: Any = None
    request_type: LinearHead | None = None
    category: LinearHead | None = None
    tags: LinearHead | None = None  # one binary classifier per tag with enough examples
    remembered: dict[str, dict[str, Any]] = field(default_factory=dict)  # text digest → labels
    format: int = FORMAT
    city_code: str = ""

    @property
    def learned(self) -> bool:
        return self.vectorizer is not None

    def sources(self) -> dict[str, str]:
        return {
            "request_type": "model" if self.request_type is not None else "rules",
            "category": "model" if self.category is not None else "rules",
            "tags": "model" if self.tags is not None else "rules",
        }

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


def _leaf_categories(city: CityConfig) -> dict[str, str]:
    codes = [c.code for c in city.categories]
    return {
        c.code: c.name
        for c in city.categories
        if not any(o.startswith(c.code + "/") for o in codes)
    }


def bootstrap_model(city: CityConfig) -> Model:
    """Rules only: keyword rules for type and tags, the taxonomy's names for the category."""
    return _rules_model(_leaf_categories(city), city.city.code)


def _rules_model(categories: dict[str, str], city_code: str) -> Model:
    digest = hashlib.sha256("|".join(sorted(categories)).encode()).hexdigest()[:8]
    return Model(version=f"rules-{digest}", categories=categories, city_code=city_code)


# --- training ------------------------------------------------------------------------------


@dataclass
class TrainingRow:
    """One text with what is known of it; None: unknown (not "none")."""

    text: str
    request_type: str | None = None
    category: str | None = None
    tags: list[str] | None = None
    weights: dict[str, float] = field(default_factory=dict)  # per field, default 1


@dataclass
class LinearHead:
    """The weights of fitted linear classifiers, applied without scikit-learn's per-call checks.

    A proposal must take milliseconds; through ``FeatureUnion.transform`` and one
    ``predict_proba`` per tag it took fifteen. ``weights`` is features × classes, so a
    text's few non-zero features pick their rows directly.
    """

    classes: tuple[str, ...]
    weights: Any  # float32, (features, classes)
    intercept: Any  # float32, (classes,)
    exclusive: bool = True  # one class per text (normalised as one-vs-rest), else independent

    def probabilities(self, vector: tuple[Any, Any]) -> dict[str, float]:
        import numpy as np

        indices, values = vector
        z = values @ self.weights[indices] + self.intercept
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        if self.exclusive:
            p = p / p.sum()
        return dict(zip(self.classes, map(float, p), strict=True))


def _fit(X, y: list[str], weights: list[float]):
    from sklearn.linear_model import SGDClassifier

    clf = SGDClassifier(
        loss="log_loss",
        alpha=1e-5,
        max_iter=10,
        tol=None,
        random_state=0,
        n_jobs=min(2, os.cpu_count() or 1),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a fixed number of epochs is the point, not a warning
        clf.fit(X, y, sample_weight=weights)
    return clf


def _head(classes, coef, intercept, exclusive: bool) -> LinearHead:
    import numpy as np

    weights = np.ascontiguousarray(np.asarray(coef, dtype=np.float32).T)
    return LinearHead(tuple(classes), weights, np.asarray(intercept, dtype=np.float32), exclusive)


def _vector(model: Model, text: str) -> tuple[Any, Any]:
    """The text's TF-IDF vector as (indices, values), computed as the fitted vectorizers do
    (sublinear tf × idf, each part normalised) but without their per-call overhead."""
    import numpy as np

    parts = model.__dict__.get("_parts")
    if parts is None:
        parts, offset = [], 0
        for _, vec in model.vectorizer.transformer_list:
            parts.append((vec.build_analyzer(), vec.vocabulary_, vec.idf_, offset))
            offset += len(vec.vocabulary_)
        model.__dict__["_parts"] = parts
    indices: list[int] = []
    values: list[float] = []
    for analyze, vocabulary, idf, offset in parts:
        counts: dict[int, int] = {}
        for term in analyze(text):
            j = vocabulary.get(term)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        v = [(1.0 + math.log(n)) * idf[j] for j, n in counts.items()]
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        indices.extend(j + offset for j in counts)
        values.extend(x / norm for x in v)
    return np.asarray(indices, dtype=np.int64), np.asarray(values, dtype=np.float32)


def train(
    rows: list[TrainingRow], categories: dict[str, str], now: datetime, *, city_code: str = ""
) -> Model:
    """A model from labelled texts; fields with too few labels keep to the rules.

    ``categories`` (code → name) are those the rules may propose; the learned
    classifier proposes the categories it saw.
    """
    model = _rules_model(categories, city_code)
    texts = [r.text for r in rows]
    sizes = {"rows": len(rows), "corrected": sum(1 for r in rows if r.weights)}
    digest = hashlib.sha256()
    for r in rows:
        digest.update(f"{r.text}|{r.request_type}|{r.category}|{r.tags}|{r.weights}".encode())
        for name, weight in r.weights.items():
            if weight > 1:
                model.remembered.setdefault(_digest(r.text), {})[name] = getattr(r, name)
    model.trained_at = now
    model.version = (
        f"rules-{now:%Y%m%d%H%M%S}-{digest.hexdigest()[:8]}"  # until something is learned
    )
    if len(rows) < MIN_ROWS:
        model.sizes = sizes
        return model
    vectorizer = _vectorizer()
    X = vectorizer.fit_transform(texts)
    for part in vectorizer.transformer_list:
        part[1].stop_words_ = None  # only for introspection, and large when pickled
    model.vectorizer = vectorizer
    model.version = "learned" + model.version.removeprefix("rules")
    sizes["features"] = X.shape[1]
    for name in ("request_type", "category"):
        idx = [i for i, r in enumerate(rows) if getattr(r, name)]
        labels = [getattr(rows[i], name) for i in idx]
        sizes[name] = len(idx)
        if len(idx) >= MIN_ROWS and len(set(labels)) >= 2:
            clf = _fit(X[idx], labels, [rows[i].weights.get(name, 1.0) for i in idx])
            setattr(model, name, _head(map(str, clf.classes_), clf.coef_, clf.intercept_, True))
    tagged = [i for i, r in enumerate(rows) if r.tags is not None]
    sizes["tags"] = len(tagged)
    learned_tags, coefs, intercepts = [], [], []
    for tag in sorted({t for i in tagged for t in rows[i].tags or ()}):
        y = ["1" if tag in (rows[i].tags or ()) else "0" for i in tagged]
        if len(tagged) >= MIN_ROWS and min(y.count("1"), y.count("0")) >= MIN_TAG_POSITIVES:
            clf = _fit(X[tagged], y, [rows[i].weights.get("tags", 1.0) for i in tagged])
            learned_tags.append(tag)
            coefs.append(clf.coef_[0])  # binary: the row of class "1"
            intercepts.append(clf.intercept_[0])
    if learned_tags:
        model.tags = _head(learned_tags, coefs, intercepts, exclusive=False)
    model.sizes = sizes
    return model


# --- proposing -----------------------------------------------------------------------------


def _top(scores: dict[str, float], n: int) -> list[Choice]:
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [Choice(k, round(float(v), 3)) for k, v in ranked]


def propose(model: Model, text: str, *, categories: set[str] | None = None) -> Proposal:
    """Type, category (with alternatives) and tags for ``text``; ``categories`` limits the
    category to those the city has now."""
    sources = model.sources()
    X = _vector(model, text) if model.learned else None
    if model.request_type is not None:
        types = model.request_type.probabilities(X)
    else:
        types = request_type_scores(text)
    if model.category is not None:
        cats = model.category.probabilities(X)
    else:
        cats = category_scores(text, model.categories)
    if categories is not None:
        cats = {c: s for c, s in cats.items() if c in categories}
    tags = tag_scores(text)
    if model.tags is not None:
        tags.update(model.tags.probabilities(X))  # learned tags replace their rules
    remembered = model.remembered.get(_digest(text), {})
    if remembered.get("request_type"):
        types = {remembered["request_type"]: 1.0}
    if remembered.get("category") and (categories is None or remembered["category"] in categories):
        cats = {**cats, remembered["category"]: 1.0}
    if remembered.get("tags") is not None:
        tags = {t: 1.0 for t in remembered["tags"]}
    for name in remembered:
        sources[name] = "feedback"
    ranked_types = _top(types, len(types)) or [Choice(REQUEST_TYPE_ORDER[-1], 0.0)]
    ranked_cats = _top(cats, 4)
    category = ranked_cats[0] if ranked_cats and ranked_cats[0].score > 0 else None
    return Proposal(
        request_type=ranked_types[0],
        category=category,
        category_alternatives=tuple(c for c in ranked_cats[1:] if c.score > 0) if category else (),
        tags=tuple(c for c in _top(tags, len(tags)) if c.score >= TAG_THRESHOLD),
        request_type_scores={c.value: c.score for c in ranked_types},
        tag_scores={c.value: c.score for c in _top(tags, len(tags)) if c.score >= 0.1},
        model_version=model.version,
        sources=sources,
    )
