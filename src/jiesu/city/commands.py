"""``jiesu city init <城市名>``: write a new city's configuration file (O1).

The CLI wires :func:`init_city` to argparse and prints its :class:`InitResult`;
this module prints nothing, so the same call serves the CLI, tests and setup
scripts. The file is written to a temporary sibling, checked by the very loader
the server uses, and only then moved into place: an operator never finds a
half-written or invalid file under the name they asked for.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .builder import build_city
from .config import UnitKind
from .divisions import UnknownCityError
from .loader import load_city
from .writer import write_city

__all__ = ["DEFAULT_FILENAME", "CityExistsError", "CityInitError", "InitResult", "init_city"]

#: The file name used when ``out`` is an existing directory.
DEFAULT_FILENAME = "city.yaml"


class CityInitError(Exception):
    """``city init`` refused; the message says why (unknown city with close matches, file exists)."""


class CityExistsError(CityInitError, FileExistsError):
    """The output file exists and ``force`` was not given."""


@dataclass(frozen=True)
class InitResult:
    """What ``jiesu city init`` wrote, for the CLI to report."""

    path: Path
    city: str
    code: str
    ticket_prefix: str
    units_by_kind: dict[str, int] = field(default_factory=dict)  # UnitKind value → count
    categories: int = 0
    catalogue_entries: int = 0
    population_estimated: bool = False

    @property
    def units(self) -> int:
        return sum(self.units_by_kind.values())

    def __fspath__(self) -> str:  # usable where the written file's path is expected
        return os.fspath(self.path)

    def __str__(self) -> str:
        return f"{self.path}: {self.city} ({self.code}), {self.units} units"

    def lines(self) -> list[str]:
        """A short human summary (the CLI may print these)."""
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.units_by_kind.items() if n)
        note = " (population: estimates)" if self.population_estimated else ""
        return [
            f"wrote {self.path}",
            f"{self.city} ({self.code}), ticket prefix {self.ticket_prefix}{note}",
            f"{self.units} units: {kinds}",
            f"{self.categories} categories, {self.catalogue_entries} dispatch catalogue entries",
        ]


def init_city(
    name: str,
    out: Path,
    *,
    estimate_population: bool = False,
    seed: int = 0,
    force: bool = False,
) -> InitResult:
    """Build the configuration of city ``name`` and write it to ``out``.

    Refuses (:class:`CityExistsError`, a :class:`FileExistsError`) to replace an
    existing file unless ``force``: an operator's edits are not to be lost to a
    re-run. An unknown city raises :class:`CityInitError` naming close matches
    (its ``__cause__`` is the :class:`~jiesu.city.divisions.UnknownCityError`).
    """
    out = Path(out)
    if out.is_dir():
        out = out / DEFAULT_FILENAME
    if out.exists() and not force:
        raise CityExistsError(f"{out} already exists; use --force to overwrite it")
    try:
        config = build_city(name, estimate_population=estimate_population, seed=seed)
    except UnknownCityError as exc:
        raise CityInitError(str(exc)) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        write_city(config, partial, estimated_population=estimate_population)
        load_city(partial)  # the server's own check, before the file takes the name asked for
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    counts = Counter(unit["kind"] for unit in config["units"])
    return InitResult(
        path=out,
        city=config["city"]["name"],
        code=config["city"]["code"],
        ticket_prefix=config["city"]["ticket_prefix"],
        units_by_kind={kind.value: counts.get(kind.value, 0) for kind in UnitKind},
        categories=len(config["categories"]),
        catalogue_entries=len(config["dispatch_catalogue"]),
        population_estimated=estimate_population,
    )
