"""The model in use for each context, and its file (I3, A7).

Training takes seconds to minutes, proposing milliseconds: a model is trained
on request (``POST /api/intake/model/train``) and then kept in memory per
:class:`~jiesu.context.Context`, so every operator's proposals come from the
same version. When ``JIESU_MODEL_DIR`` names a folder the model is also saved
there as ``classify-<version>.joblib`` (the three newest are kept) and the
newest of the city is loaded at the next start; without it, a restart falls
back to the bootstrap rules until the next training. The file is a pickle:
it is only ever read from that folder, which belongs to the deployment.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from .classify import FORMAT, Model, bootstrap_model

if TYPE_CHECKING:
    from jiesu.city.config import CityConfig
    from jiesu.context import Context

_MODELS: dict[int, tuple[weakref.ref, Model]] = {}
_STORE_LOCK = threading.Lock()
TRAINING_LOCK = threading.Lock()  # one training at a time per process


def model_dir() -> Path | None:
    folder = os.environ.get("JIESU_MODEL_DIR")
    return Path(folder) if folder else None


def save_model(model: Model, folder: Path) -> Path:
    """Write ``classify-<version>.joblib`` atomically; keep the three newest."""
    import joblib

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"classify-{model.version}.joblib"
    tmp = path.with_suffix(".tmp")
    joblib.dump(model, tmp, compress=3)
    os.replace(tmp, path)
    for old in sorted(folder.glob("classify-*.joblib"), key=lambda p: p.stat().st_mtime)[:-3]:
        old.unlink(missing_ok=True)
    return path


def load_latest(folder: Path, city: CityConfig) -> Model | None:
    """The newest saved model of this city in ``folder``, or None."""
    import joblib

    for path in sorted(folder.glob("classify-*.joblib"), key=lambda p: -p.stat().st_mtime):
        try:
            model = joblib.load(path)
        except Exception:  # noqa: BLE001 - a damaged or foreign file is skipped, not fatal
            logging.getLogger(__name__).warning("cannot load %s", path, exc_info=True)
            continue
        if getattr(model, "format", None) == FORMAT and model.city_code == city.city.code:
            return model
    return None


def current_model(ctx: Context) -> Model:
    """The model in use for this context: installed, else saved, else the bootstrap."""
    with _STORE_LOCK:
        held = _MODELS.get(id(ctx))
        if held is not None and held[0]() is ctx:
            return held[1]
    folder = model_dir()
    model = (load_latest(folder, ctx.city) if folder else None) or bootstrap_model(ctx.city)
    install_model(ctx, model, persist=False)
    return model


def install_model(ctx: Context, model: Model, *, persist: bool = True) -> None:
    """Use ``model`` for this context from now on (and save it when a model folder is set)."""
    folder = model_dir()
    if persist and folder is not None and model.learned:
        save_model(model, folder)
    with _STORE_LOCK:
        for key in [k for k, (ref, _) in _MODELS.items() if ref() is None]:
            del _MODELS[key]
        _MODELS[id(ctx)] = (weakref.ref(ctx), model)
