"""Setting a city up (O1): reading its divisions, writing and loading its configuration file.

    PYTHONPATH=src python bench/city.py [--repeat 5] [--markdown docs/benchmarks.md]

``jiesu city init`` reads the deploying city's four-level tree from the division
data jionlp ships, builds the unit tree and writes the city file; every start of
jiesu loads that file. Each figure is the median of ``--repeat`` runs in this process,
next to its baseline from the same run:

- divisions of one city (``city.divisions.load_city_divisions``: the data file is
  streamed and reading stops at the end of the city's block) against jionlp's own
  ``china_location_loader()``, which reads the whole country (its ``import jionlp``,
  timed once, comes on top);
- the city file of Beijing with estimated populations (about 7,500 units):
  ``city.builder.render_city`` (one unit per line) against ``yaml.safe_dump`` of the
  same configuration, and ``city.loader.load_city`` (libyaml's C loader, duplicate
  keys refused, then validation) against PyYAML's pure-Python ``SafeLoader`` with the
  same validation, with the cache off (the first start after an edit of the file);
- the same ``load_city`` at every later start, when the parsed tree comes from the cache
  (``city.cache``: JSON keyed by the file's SHA-256, validated again), against the first.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

from jiesu.city import cache
from jiesu.city.builder import build_city, render_city, write_city
from jiesu.city.config import CityConfig
from jiesu.city.divisions import load_city_divisions
from jiesu.city.loader import load_city

sys.path.insert(0, str(Path(__file__).parent))
from common import machine, median_timed, publish  # noqa: E402

#: Cities near the start, the middle and the end of jionlp's file.
CITIES = ("北京", "杭州", "呼和浩特", "乌鲁木齐")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--markdown", help="write the section into this file (docs/benchmarks.md)")
    args = ap.parse_args(argv)
    n = args.repeat

    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
        import jionlp
    imported = time.perf_counter() - started
    whole = median_timed(jionlp.china_location_loader, max(1, n // 2))[0]
    rows = []
    for name in CITIES:
        city = load_city_divisions(name)
        ours = median_timed(lambda name=name: load_city_divisions(name), n)[0]
        rows.append(
            f"| divisions of {city.name} ({len(city.districts)} districts, "
            f"{city.street_count:,} streets/townships, {city.community_count:,} communities/"
            f"villages) | {ms(ours)} | jionlp `china_location_loader()` {ms(whole)} "
            f"(+ `import jionlp` {ms(imported)} once) | {ours / whole:.3f} |"
        )

    config = build_city("北京", estimate_population=True, seed=7)
    units = len(config["units"])
    render = median_timed(lambda: render_city(config, estimated_population=True), n)[0]
    dump = median_timed(lambda: yaml.safe_dump(config, allow_unicode=True, sort_keys=False), n)[0]
    rows.append(
        f"| write Beijing's city file ({units:,} units) | {ms(render)} "
        f"| `yaml.safe_dump` {ms(dump)} | {render / dump:.3f} |"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "city.yaml"
        write_city(config, path, estimated_population=True)
        size = path.stat().st_size
        os.environ[cache.CACHE_ENV] = "off"
        load = median_timed(lambda: load_city(path), n)[0]
        os.environ[cache.CACHE_ENV] = str(Path(tmp) / "cache")
        load_city(path)  # the first start keeps the tree
        again = median_timed(lambda: load_city(path), n)[0]

        def pure_python():
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
            return CityConfig.model_validate(raw)

        plain = median_timed(pure_python, n)[0]
    rows.append(
        f"| load Beijing's city file ({size / 1e6:.1f} MB) | {ms(load)} "
        f"| pure-Python `SafeLoader` + the same validation {ms(plain)} | {load / plain:.3f} |"
    )
    rows.append(
        f"| load it again at a later start (tree from the cache, validated) | {ms(again)} "
        f"| the first load above {ms(load)} | {again / load:.3f} |"
    )

    lines = [
        "## City setup",
        "",
        f"`PYTHONPATH=src python bench/city.py --repeat {n}` on {machine()}.",
        "",
        "Median of the runs, in one process. Divisions are read from the data file jionlp "
        f"ships ({Path(jionlp.__file__).parent.name} {getattr(jionlp, '__version__', '')}).",
        "",
        "| step | jiesu | baseline (same run) | ratio |",
        "|---|---|---|---|",
        *rows,
    ]
    publish(lines, args.markdown)


if __name__ == "__main__":
    sys.exit(main())
