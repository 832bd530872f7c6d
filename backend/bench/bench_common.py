"""What the benchmark scripts share: running a measurement in its own child process (so peak RSS is
that child's alone), describing the machine, formatting seconds, and rewriting the generated block
of ``backend/reports/benchmarks.md`` between a benchmark's markers."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def spawn(script: str, *args: str) -> tuple[dict[str, Any], float]:
    """Run ``script *args`` in a fresh interpreter from the repository root; its last stdout line is
    the JSON measurement. Returns it and the wall time; a failing child ends the benchmark."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, check=False, cwd=REPO)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"benchmark child {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1]), wall


def format_seconds(value: float) -> str:
    """Seconds for a table cell: two decimals below 100 s, whole seconds above."""
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def machine(packages: tuple[str, ...]) -> str:
    """CPU model, cores, memory, Python and the versions of ``packages``."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    mem_kb = int(
        next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    )
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in packages)
    return (
        f"{cpu}; {os.cpu_count()} cores; {mem_kb / 2**20:.0f} GiB RAM; Python {platform.python_version()}; {versions}"
    )


def write_marked_block(path: Path, marker: str, block: str, section: str = "") -> None:
    """Replace what lies between ``<!-- marker:begin -->`` and ``<!-- marker:end -->`` in ``path``
    with ``block``, keeping the prose around it; when the markers are missing, append ``section``
    and the markers."""
    begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if begin not in current:
        current = current.rstrip("\n") + "\n\n" + section + f"\n{begin}\n{end}\n"
    head, rest = current.split(begin, 1)
    tail = rest.split(end, 1)[1] if end in rest else ""
    path.write_text(head + f"{begin}\n{block}\n{end}" + tail, encoding="utf-8")
