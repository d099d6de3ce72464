"""What every benchmark shares: a description of the machine, and writing its section of
docs/benchmarks.md without touching the other benchmarks' sections."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path


def machine() -> str:
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs (nproc), {model}, Python {platform.python_version()}, "
        f"load average {load} (a shared machine: timings vary with it)"
    )


def write_section(path: Path, section: str) -> None:
    """Replace this benchmark's ``## `` section of ``path`` (or append it), keeping the rest."""
    heading = section.splitlines()[0]
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    lines = old.splitlines()
    if heading in lines:
        start = lines.index(heading)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines[start:end] = section.rstrip("\n").splitlines() + [""]
    else:
        lines += ["", *section.rstrip("\n").splitlines()]
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")


def publish(section: str | list[str], markdown: str | None) -> None:
    """Print the section (or its lines) and, given ``--markdown FILE``, write it there."""
    if isinstance(section, list):
        section = "\n".join(section) + "\n"
    print(section)
    if markdown:
        write_section(Path(markdown), section)


def timed(fn: Callable[[], object], runs: int) -> tuple[list[float], object]:
    """The seconds of each of ``runs`` calls of ``fn``, and the last call's result."""
    seconds, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - t0)
    return seconds, result


def median_timed(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    """The median seconds of ``runs`` calls of ``fn``, and the last call's result."""
    seconds, result = timed(fn, runs)
    return statistics.median(seconds), result
