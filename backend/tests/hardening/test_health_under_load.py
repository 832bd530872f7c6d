"""While one client sends the worst body each limit allows, /health stays fast for another (issue 14).

A real uvicorn on 127.0.0.1 (the one ``make run`` starts, default settings) and two clients: the
attacker sends, one after the other, the most expensive body each limit lets through — a batch at
the body limit that the count refuses, a full batch of invalid customers, a full batch of valid
ones, the largest single-customer body, a CSV header over the column limit — while the prober asks
``GET /health`` every 20 ms. Acceptance: p99 of the prober's latency ≤ 100 ms.

The heaviest uploads (10 MB of 200,000 invalid rows; 10 MB at 1,000 columns; a 10 MB table sent for
a schema draft) are the second test. They are parsed and scored in an upload worker process
(``api.services.upload_workers``): in the server's threads, pandas' parser and the per-cell
validation held the interpreter lock for 0.2–0.7 s at a time (p99 172 ms); in the worker the same
bodies left /health at p99 7 ms. Bounded: 12 s of passes over the JSON bodies, at most 180 s in
all. Run with ``-s`` to see the tables. On a machine shared with other busy jobs the latency
includes their CPU contention; the 100 ms target is asserted by ``make bench-health`` only.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from api.live_server import live_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

MIB = 1024 * 1024
P99_LIMIT_S = 0.100
PROBE_EVERY_S = 0.020
#: Passes over the JSON bodies go on for this long (each pass takes 0.3–1 s): ≥ 300 probes for a p99.
MIN_SECONDS = 12.0
HEADER = b"CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)\n"
CUSTOMER = b'{"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82}'


def _csv(rows: int, row: bytes) -> bytes:
    return HEADER + b"".join(b"%d," % i + row for i in range(rows))


def _wide_csv(columns: int, max_bytes: int) -> bytes:
    header = HEADER.strip() + b"".join(b",x%d" % i for i in range(columns - 5)) + b"\n"
    line = b"1,Male,27,42,63" + b",7" * (columns - 5) + b"\n"
    return header + line * ((max_bytes - len(header)) // len(line))


Send = Callable[[httpx.Client], httpx.Response]


def worst_bodies(heavy_csv: bool) -> list[tuple[str, Send]]:
    """(name, request) for the worst body each default limit allows (4 MiB JSON, 10,000 customers,
    64 KiB for one customer, 10 MiB / 200,000 rows / 1,000 columns of CSV)."""
    json_headers = {"content-type": "application/json"}
    nested = b'{"customers": [' + b"[]," * (4 * MIB // 3 - 10) + b"[]]}"
    empties = b'{"customers": [' + b",".join([b"{}"] * 10_000) + b"]}"
    junk = b'{"customers": [' + b",".join([b'{"f%d": 1}' % (i % 50) for i in range(10_000)]) + b"]}"
    valid = b'{"customers": [' + b",".join([CUSTOMER] * 10_000) + b"]}"
    single = b"[" * 32_000 + b"]" * 32_000
    bad_rows = _csv(200_000, b"Other,abc,xyz,-5\n")[: 10 * MIB]
    bad_rows = bad_rows[: bad_rows.rfind(b"\n") + 1]
    wide = _wide_csv(1_000, 10 * MIB)
    too_wide = HEADER.strip() + b"".join(b",x%d" % i for i in range(100_000)) + b"\n1,Male,27,42,63\n"

    def post_json(path: str, body: bytes) -> Send:
        return lambda client: client.post(path, content=body, headers=json_headers)

    def post_csv(body: bytes, fmt: str) -> Send:
        return lambda client: client.post(
            "/predict/csv", params={"format": fmt}, files={"file": ("worst.csv", body, "text/csv")}
        )

    json_bodies = [
        ("batch: 4 MiB of nested lists (count → 413)", post_json("/predict/batch", nested)),
        ("batch: 10,000 empty customers (422, capped)", post_json("/predict/batch", empties)),
        ("batch: 10,000 customers of unknown fields (422)", post_json("/predict/batch", junk)),
        ("batch: 10,000 valid customers (200)", post_json("/predict/batch", valid)),
        ("predict: 64 KiB of nested lists", post_json("/predict", single)),
        ("csv: 100,005 columns (413 before parsing)", post_csv(too_wide, "csv")),
    ]

    def post_draft(body: bytes) -> Send:
        return lambda client: client.post("/schema/infer", files={"file": ("worst.csv", body, "text/csv")})

    csv_bodies = [
        ("csv: 10 MiB, 200,000 bad rows, JSON report", post_csv(bad_rows, "json")),
        ("csv: 10 MiB, 1,000 columns, scored CSV", post_csv(wide, "csv")),
        ("schema/infer: 10 MiB, 200,000 rows", post_draft(bad_rows)),
    ]
    return json_bodies + (csv_bodies if heavy_csv else [])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


PROBER = """
import json, sys, time, httpx
base, stop = sys.argv[1], sys.argv[2]
import os
with httpx.Client(base_url=base, timeout=30) as client:
    client.get("/health")
    while not os.path.exists(stop):
        started = time.time()
        assert client.get("/health").status_code == 200
        print(json.dumps([started, time.time() - started]), flush=True)
        time.sleep(float(sys.argv[3]))
"""


def measure(root: Path, tmp_path: Path, bodies: list[tuple[str, Send]], min_seconds: float = 0.0) -> list[float]:
    """Send ``bodies`` one after the other while a separate process probes /health; print the table.

    The prober is its own process: its latency is the server's, not this process's GIL.
    """
    results: list[tuple[str, int, float, float]] = []  # (name, status, started, seconds)
    stop = tmp_path / "stop"
    with live_server(root) as base:
        prober = subprocess.Popen(
            [sys.executable, "-c", PROBER, base, str(stop), str(PROBE_EVERY_S)], stdout=subprocess.PIPE, text=True
        )
        try:
            with httpx.Client(base_url=base, timeout=60) as attacker:
                time.sleep(1.0)  # a baseline before the first body
                began = time.time()
                while True:  # whole passes over the bodies, for at least min_seconds
                    for name, send in bodies:
                        started = time.time()
                        answer = send(attacker)
                        results.append((name, answer.status_code, started, time.time() - started))
                        assert answer.status_code < 500, (name, answer.text[:300])
                    if time.time() - began >= min_seconds:
                        break
        finally:
            stop.touch()
            output, _ = prober.communicate(timeout=60)
    probes = [tuple(json.loads(line)) for line in output.splitlines() if line.strip()]
    latencies = [lat for _, lat in probes]
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    print("\n/health under the worst bodies (one uvicorn worker, default limits):")
    for name, _ in bodies:
        mine = [(status, started, seconds) for n, status, started, seconds in results if n == name]
        during = [
            lat for at, lat in probes for _, started, seconds in mine if started <= at + lat and at <= started + seconds
        ] or [0.0]
        status = "/".join(sorted({str(m[0]) for m in mine}))
        seconds = max(m[2] for m in mine)
        print(f"  {name:48s} {status}  {seconds:6.2f} s   /health max {max(during) * 1000:6.1f} ms")
    print(
        f"  /health: {len(latencies)} probes, p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms, mean {statistics.fmean(latencies) * 1000:.1f} ms"
    )
    return latencies


#: The defect this guards against stalled /health for 11–27 s; a machine shared with other jobs may
#: still add a few hundred ms. The 100 ms p99 target is checked by the benchmark (`make bench-health`,
#: which sets SEGMENTATION_BENCH_TARGETS=1), not by this test: timing targets belong in benchmarks.
STALL_LIMIT_S = 3.0


def test_health_is_never_stalled_while_the_worst_json_bodies_arrive(trained_root: Path, tmp_path: Path) -> None:
    latencies = measure(trained_root, tmp_path, worst_bodies(heavy_csv=False), min_seconds=MIN_SECONDS)
    p99 = percentile(latencies, 0.99)
    assert len(latencies) >= 200
    assert max(latencies) <= STALL_LIMIT_S, f"/health stalled {max(latencies):.1f} s while the bodies arrived"
    if os.environ.get("SEGMENTATION_BENCH_TARGETS"):
        assert p99 <= P99_LIMIT_S, f"/health p99 {p99 * 1000:.0f} ms under load (limit {P99_LIMIT_S * 1000:.0f} ms)"


def test_health_is_never_stalled_while_the_worst_uploads_are_parsed(trained_root: Path, tmp_path: Path) -> None:
    light = {name for name, _ in worst_bodies(heavy_csv=False)}
    heavy = [(name, send) for name, send in worst_bodies(heavy_csv=True) if name not in light]
    latencies = measure(trained_root, tmp_path, heavy)
    assert len(latencies) >= 100
    assert max(latencies) <= STALL_LIMIT_S, f"/health stalled {max(latencies):.1f} s while the uploads were parsed"
    if os.environ.get("SEGMENTATION_BENCH_TARGETS"):
        p99 = percentile(latencies, 0.99)
        assert p99 <= P99_LIMIT_S, f"/health p99 {p99 * 1000:.0f} ms under load (limit {P99_LIMIT_S * 1000:.0f} ms)"
