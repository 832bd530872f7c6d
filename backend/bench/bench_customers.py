"""Customers-table benchmark: a page of ``GET /customers`` with 1 M customers served, over HTTP.

It generates a synthetic Mall-shaped table of ``--rows`` customers (``customer_segmentation.synth``),
trains it with the CLI into ``--out``/artifacts (reused while the table is unchanged), starts
``uvicorn backend.src.main:app`` on it and times, over loopback with one keep-alive client:

* **paged queries** — after ``--settle`` seconds (the server indexes the table in the background
  when it starts: ≈3 s of one core at 1 M customers): first and deep pages, segment filter, numeric
  ranges, id search (contains and prefix), sort by a number / the id / a text column (asc and
  desc), filter + sort, 500-row pages. Per kind one first request (reported apart), then
  ``--repeats`` timed ones (pages and values vary): p50/p95/max per kind, and p95 over all;
* **export** — ``GET /clusters/{id}/customers.csv`` of the largest segment, streamed: time to first
  byte, total time, rows, and the server's resident memory before and at its peak during the export
  (sampled from ``/proc/<pid>/status``), which shows the CSV is never held whole.

Usage (``make bench-customers``): ``python backend/bench/bench_customers.py [--rows 1000000]
[--repeats 40] [--settle 10] [--out bench-out/customers]``. The table is printed and kept in ``<out>/table.md``,
the raw numbers in ``<out>/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
SEED = 11
TARGET_P95_MS = 100.0
Params = dict[str, Any]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(out: Path, rows: int) -> Path:
    """The trained artifacts root for a ``rows``-customer table (generated and trained once)."""
    sys.path.insert(0, str(REPO / "backend" / "src"))
    from customer_segmentation.synth import write_table

    data = out / f"customers_{rows}.csv"
    root = out / "artifacts"
    stamp = root / f".trained-{rows}"
    if stamp.is_file():
        return root
    out.mkdir(parents=True, exist_ok=True)
    print(f"generating {rows:,} customers → {data}", flush=True)
    write_table(data, rows, seed=SEED)
    print("training (the CLI, --bootstrap 2) …", flush=True)
    command = [
        sys.executable,
        "backend/src/main.py",
        "--data",
        str(data),
        "--output-root",
        str(root),
        "-q",
        "--bootstrap",
        "2",
    ]
    subprocess.run(command, cwd=REPO, check=True)
    stamp.touch()
    return root


@contextmanager
def server(root: Path) -> Iterator[tuple[str, int]]:
    """uvicorn on ``root``: its base URL and pid; stopped afterwards."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SEGMENTATION_")},
        "SEGMENTATION_ARTIFACTS_ROOT": str(root),
        "SEGMENTATION_FRONTEND_DIR": str(root / "no-frontend"),
    }
    command = [sys.executable, "-m", "uvicorn", "backend.src.main:app", "--port", str(port), "--log-level", "warning"]
    log = open(root.parent / "uvicorn.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited early; see {log.name}")
            try:
                if httpx.get(f"{base}/health", timeout=2).json().get("model_loaded"):
                    break
            except (httpx.TransportError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the model was not served within 180 s")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def kinds(k_segments: list[int], total: int, rng: random.Random) -> dict[str, Callable[[], Params]]:
    """Each query kind as a function giving one request's parameters (pages and values vary)."""
    pages = max(total // 50, 1)

    def page() -> int:
        return rng.randint(1, pages)

    def segment() -> int:
        return rng.choice(k_segments)

    return {
        "first page (file order)": lambda: {"page": 1},
        "deep page (file order)": lambda: {"page": page()},
        "segment filter": lambda: {"segment": segment(), "page": rng.randint(1, 100)},
        "two ranges": lambda: {"range": ["annual_income:40:80", f"age::{rng.randint(25, 60)}"], "page": 1},
        "id search, contains": lambda: {"search": str(rng.randint(100, 9999)), "page": 1},
        "id search, prefix": lambda: {"search": str(rng.randint(10, 99)), "search_mode": "prefix", "page": 1},
        "sort by a number, desc": lambda: {"sort": "spending_score", "order": "desc", "page": page()},
        "sort by the id": lambda: {"sort": "customer_id", "order": rng.choice(["asc", "desc"]), "page": page()},
        "sort by a text column": lambda: {"sort": "segment_name", "page": page()},
        "segment + range + sort": lambda: {
            "segment": segment(),
            "range": "age:20:50",
            "sort": "annual_income",
            "order": "desc",
            "page": rng.randint(1, 50),
        },
        "500-row page, sorted": lambda: {"sort": "age", "page_size": 500, "page": rng.randint(1, 2000)},
    }


def timed(client: httpx.Client, path: str, params: Params) -> float:
    start = time.perf_counter()
    answer = client.get(path, params=params)
    elapsed = (time.perf_counter() - start) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"{path} {params}: {answer.status_code} {answer.text[:200]}")
    return elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def bench_pages(base: str, repeats: int) -> dict[str, Any]:
    rng = random.Random(SEED)
    with httpx.Client(base_url=base, timeout=60) as client:
        clusters = client.get("/clusters").json()
        segments = [s["id"] for s in clusters["segments"]]
        total = client.get("/customers", params={"page": 1, "page_size": 1}).json()["total"]
        results: dict[str, Any] = {}
        for name, make in kinds(segments, total, rng).items():
            first = timed(client, "/customers", make())
            times = [timed(client, "/customers", make()) for _ in range(repeats)]
            results[name] = {
                "first_ms": first,
                "p50_ms": statistics.median(times),
                "p95_ms": percentile(times, 0.95),
                "max_ms": max(times),
                "times_ms": times,
            }
    return {"customers": total, "k": len(segments), "kinds": results}


def bench_export(base: str, pid: int) -> dict[str, Any]:
    with httpx.Client(base_url=base, timeout=300) as client:
        largest = max(client.get("/clusters").json()["segments"], key=lambda s: s["size"])
        before = rss_mib(pid)
        peak = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss_mib(pid))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        first_byte = None
        size = lines = 0
        headers = {"Accept-Encoding": "identity"}
        with client.stream("GET", f"/clusters/{largest['id']}/customers.csv", headers=headers) as answer:
            answer.raise_for_status()
            for chunk in answer.iter_bytes():
                first_byte = first_byte or time.perf_counter() - start
                size += len(chunk)
                lines += chunk.count(b"\n")
        total = time.perf_counter() - start
        done.set()
        sampler.join()
    return {
        "segment": largest["id"],
        "rows": lines - 1,
        "mib": size / 2**20,
        "first_byte_ms": (first_byte or total) * 1000,
        "total_s": total,
        "rss_before_mib": before,
        "rss_peak_mib": peak[0],
    }


def table(results: dict[str, Any], export: dict[str, Any], repeats: int, settle: float) -> str:
    pages = results["kinds"]
    everything = [t for r in pages.values() for t in r["times_ms"]]
    overall = percentile(everything, 0.95)
    lines = [
        f"GET /customers with {results['customers']:,} customers served (k={results['k']}), one keep-alive "
        f"client over loopback, {settle:g} s after startup; per kind one first request, then {repeats} timed "
        "ones; page_size 50 unless said.",
        "",
        "| query | first ms | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {r['first_ms']:.1f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['max_ms']:.1f} |"
        for name, r in pages.items()
    ]
    verdict = "✓" if overall <= TARGET_P95_MS else "✗"
    lines += [
        "",
        f"p95 over all {len(everything)} timed page requests: **{overall:.1f} ms** "
        f"(target ≤ {TARGET_P95_MS:.0f} ms) {verdict}",
        "",
        f"Export of segment {export['segment']} (`GET /clusters/{export['segment']}/customers.csv`, streamed): "
        f"{export['rows']:,} rows, {export['mib']:.1f} MiB in {export['total_s']:.2f} s (first byte after "
        f"{export['first_byte_ms']:.0f} ms); server RSS {export['rss_before_mib']:.0f} MiB before, "
        f"{export['rss_peak_mib']:.0f} MiB at its peak during the export.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--out", type=Path, default=REPO / "bench-out" / "customers")
    parser.add_argument("--settle", type=float, default=10.0, help="Seconds to wait after startup (indexing).")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    root = prepare(out, args.rows)
    with server(root) as (base, pid):
        time.sleep(args.settle)
        pages = bench_pages(base, args.repeats)
        export = bench_export(base, pid)
    text = table(pages, export, args.repeats, args.settle)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    about = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {load} when done (other jobs share the machine: compare runs at similar load)"
    )
    print(text + f"\n\nMachine: {about}")
    (out / "table.md").write_text(text + f"\n\nMachine: {about}\n")
    (out / "results.json").write_text(json.dumps({"pages": pages, "export": export, "machine": about}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
