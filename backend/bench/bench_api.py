"""API benchmark: the serving fast path vs the naive path, in-process and over HTTP, in one run.

In-process (µs per call, median of repeats):

* **single prediction** — fast: validate a ``CustomerIn`` and score it with the card's
  ``ServingModel`` (what ``POST /predict`` runs); naive: a one-row DataFrame + ``pipeline.predict``;
* **1 M-row batch** — fast: one affine transform, one matrix product and an argmin on arrays (with
  distances, margin and OOD flag, as the API returns them); naive: a DataFrame +
  ``pipeline.predict``. The labels of both are checked equal.

HTTP (loopback, one uvicorn worker, ``wrk`` when installed, else an async httpx client):
requests/s and p50/p99 latency for ``POST /predict`` at 1 and 32 concurrent clients, for the real
API (``uvicorn backend.src.main:app``) and for a naive endpoint (same validation, then DataFrame +
``pipeline.predict``; defined here only — the product API never unpickles).

Usage (``make bench-api``): ``python backend/bench/bench_api.py [--seconds 5] [--out bench-out/api]``.
It trains the canonical data into the output folder first (``MALL_DATA_MIRROR`` or the fetcher).
"""

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
CUSTOMER = {"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82}
ROWS = 1_000_000
SEED = 3


# -- naive HTTP endpoint (bench only) --------------------------------------------------------------
def naive_app_factory() -> Any:
    """A FastAPI app whose /predict does what the API avoids: DataFrame + pipeline.predict per request."""
    from fastapi import FastAPI

    from customer_segmentation.api.schemas import CustomerIn
    from customer_segmentation.artifacts import load_pipeline_trusted
    from customer_segmentation.config import ArtifactPaths

    pipeline = load_pipeline_trusted(ArtifactPaths(Path(os.environ["BENCH_ARTIFACTS_ROOT"])))
    columns = list(pipeline.named_steps["preprocess"].feature_names_in_)
    app = FastAPI()

    @app.post("/predict")
    def predict(customer: CustomerIn) -> dict[str, int]:
        row = customer.model_dump()
        frame = pd.DataFrame([{c: row.get(c) for c in columns}])
        return {"segment": int(pipeline.predict(frame)[0])}

    return app


# -- helpers ---------------------------------------------------------------------------------------
def per_call_us(func: Callable[[], object], number: int, repeats: int = 5) -> float:
    """Median over ``repeats`` of the mean time per call, in µs."""
    func()  # warm up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            func()
        samples.append((time.perf_counter() - start) / number * 1e6)
    return statistics.median(samples)


def once_s(func: Callable[[], object], repeats: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def uvicorn(target: str, env: dict[str, str], factory: bool = False) -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    if factory:
        command.append("--factory")
    process = subprocess.Popen(
        command, cwd=REPO, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.post(f"{base}/predict", json=CUSTOMER, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{target} did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(text)
    return float(match[1]) * _UNITS[match[2]]


def http_wrk(url: str, clients: int, seconds: float, workdir: Path) -> dict[str, float]:
    script = workdir / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = '{json.dumps(CUSTOMER)}'\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    threads = min(clients, 2)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds:g}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out)[1])  # type: ignore[index]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out)[1])  # type: ignore[index]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "errors": float(errors[1]) if errors else 0.0}


def http_httpx(url: str, clients: int, seconds: float) -> dict[str, float]:
    import httpx

    async def run() -> tuple[list[float], int]:
        latencies: list[float] = []
        errors = 0
        stop = time.perf_counter() + seconds
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=clients)) as client:

            async def worker() -> None:
                nonlocal errors
                while time.perf_counter() < stop:
                    start = time.perf_counter()
                    answer = await client.post(url, json=CUSTOMER)
                    latencies.append((time.perf_counter() - start) * 1e3)
                    errors += answer.status_code != 200

            await asyncio.gather(*(worker() for _ in range(clients)))
        return latencies, errors

    latencies, errors = asyncio.run(run())
    q = np.percentile(latencies, [50, 99])
    return {"rps": len(latencies) / seconds, "p50_ms": float(q[0]), "p99_ms": float(q[1]), "errors": float(errors)}


# -- the benchmark ---------------------------------------------------------------------------------
def train(root: Path) -> None:
    from customer_segmentation.config import ArtifactPaths, Settings
    from customer_segmentation.pipeline import RunConfig, run

    settings = Settings(artifacts_root=root)
    run(RunConfig(), settings, paths=ArtifactPaths(root))


WIDE_NUMERIC = ("spend_a", "spend_b", "spend_c", "spend_d", "visits", "basket")
WIDE_CUSTOMER = {
    "spend_a": 12.5, "spend_b": 30.1, "spend_c": 80.0, "spend_d": 5.5, "visits": 14.0, "basket": 22.0,
    "region": "north", "channel": "web",
}  # fmt: skip


def train_wide(root: Path) -> None:
    """A model of 6 numeric and 2 categorical features (issue 11's scoring target: ≤ 30 µs per prediction)."""
    from customer_segmentation.config import ArtifactPaths, Settings
    from customer_segmentation.pipeline import RunConfig, run
    from customer_segmentation.synth_tables import write_wide_table

    root.mkdir(parents=True, exist_ok=True)
    data = write_wide_table(root / "wide.csv", 5_000, seed=SEED)
    config = RunConfig(data=data, features=(*WIDE_NUMERIC, "region", "channel"), categorical=("region", "channel"))
    run(config, Settings(artifacts_root=root), paths=ArtifactPaths(root))


def wide_single_us(root: Path) -> float:
    from customer_segmentation.api.schemas import CustomerIn
    from customer_segmentation.api.services.model_store import load_bundle
    from customer_segmentation.api.services.scoring import predictions
    from customer_segmentation.api.settings import ApiSettings

    bundle = load_bundle(ApiSettings(artifacts_root=root))
    return per_call_us(lambda: predictions(bundle.scoring, [CustomerIn.model_validate(WIDE_CUSTOMER)]), 5_000)


def random_frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "gender": rng.choice(["Female", "Male"], n),
            "age": rng.uniform(18, 70, n),
            "annual_income": rng.uniform(15, 140, n),
            "spending_score": rng.uniform(1, 100, n),
        }
    )


def in_process(root: Path) -> dict[str, float]:
    from customer_segmentation.api.schemas import CustomerIn
    from customer_segmentation.api.services.model_store import load_bundle
    from customer_segmentation.api.services.scoring import predictions, score_columns, score_scaled
    from customer_segmentation.api.settings import ApiSettings
    from customer_segmentation.artifacts import load_pipeline_trusted

    bundle = load_bundle(ApiSettings(artifacts_root=root))
    pipeline = load_pipeline_trusted(bundle.paths)
    serving = bundle.serving
    scoring = bundle.scoring
    columns = list(pipeline.named_steps["preprocess"].feature_names_in_)
    row = {"customer_id": 1, **CUSTOMER}

    results = {
        "single_fast_us": per_call_us(lambda: predictions(scoring, [CustomerIn.model_validate(CUSTOMER)]), 5_000),
        # what /predict runs after validation: the one-customer path (no categorical feature in this model)
        "single_fast_score_only_us": per_call_us(
            lambda: score_columns(scoring, np.array([[31.0, 87.0, 82.0]]), []), 20_000
        ),
        "single_naive_us": per_call_us(lambda: pipeline.predict(pd.DataFrame([{c: row[c] for c in columns}])), 300),
    }
    frame = random_frame(ROWS)
    numeric = np.ascontiguousarray(frame[list(serving.numeric_features)].to_numpy(dtype="float64"))
    male = (frame["gender"] == "Male").to_numpy(dtype="float64")

    def fast_scored() -> Any:  # what /predict/batch and /predict/csv run
        return score_scaled(serving, serving.transform(numeric, male if serving.gender_in_model else None))

    def twin_scored() -> Any:  # ServingModel.score: the broadcast (n, k, d) reference twin
        return serving.score(serving.transform(numeric, male if serving.gender_in_model else None))

    def naive_labels() -> np.ndarray:
        table = pd.DataFrame({c: frame[c].to_numpy() for c in columns})
        return pipeline.predict(table)

    results["batch_fast_s"], fast = once_s(fast_scored)
    results["batch_twin_s"], _ = once_s(twin_scored)
    results["batch_naive_s"], naive = once_s(naive_labels)
    if not np.array_equal(fast.labels, np.asarray(naive)):  # type: ignore[attr-defined]
        raise AssertionError("fast and naive labels differ on the 1M-row batch")
    return results


def over_http(root: Path, seconds: float, workdir: Path) -> dict[str, dict[str, float]]:
    use_wrk = shutil.which("wrk") is not None
    results: dict[str, dict[str, float]] = {}
    servers = {
        "api": (
            "backend.src.main:app",
            False,
            {"SEGMENTATION_ARTIFACTS_ROOT": str(root), "SEGMENTATION_FRONTEND_DIR": str(workdir / "none")},
        ),
        "naive": ("backend.bench.bench_api:naive_app_factory", True, {"BENCH_ARTIFACTS_ROOT": str(root)}),
    }
    for name, (target, factory, env) in servers.items():
        with uvicorn(target, env, factory) as base:
            for clients in (1, 32):
                url = f"{base}/predict"
                stats = http_wrk(url, clients, seconds, workdir) if use_wrk else http_httpx(url, clients, seconds)
                results[f"{name}_c{clients}"] = stats
    results["tool"] = {"wrk": float(use_wrk)}
    return results


def table(local: dict[str, float], http: dict[str, dict[str, float]]) -> str:
    tool = "wrk" if http["tool"]["wrk"] else "httpx (async)"
    lines = [
        "| Measure | Fast path (API) | Naive (DataFrame + pipeline.predict) | Speed-up |",
        "|---|---:|---:|---:|",
        f"| single prediction, in-process | {local['single_fast_us']:.1f} µs "
        f"(scoring alone {local['single_fast_score_only_us']:.1f} µs) | {local['single_naive_us']:.0f} µs | "
        f"{local['single_naive_us'] / local['single_fast_us']:.0f}× |",
        f"| single prediction, 6 numeric + 2 categorical features, in-process | {local['single_wide_us']:.1f} µs "
        "| – | – |",
        f"| 1 M-row batch, in-process | {local['batch_fast_s'] * 1e3:.0f} ms (labels + distances, margin, OOD; "
        f"broadcast twin ServingModel.score {local['batch_twin_s'] * 1e3:.0f} ms) | "
        f"{local['batch_naive_s'] * 1e3:.0f} ms | {local['batch_naive_s'] / local['batch_fast_s']:.1f}× |",
    ]
    for clients in (1, 32):
        api, naive = http[f"api_c{clients}"], http[f"naive_c{clients}"]
        lines.append(
            f"| HTTP POST /predict, {clients} client{'s' if clients > 1 else ''} ({tool}) | "
            f"{api['rps']:,.0f} req/s, p50 {api['p50_ms']:.2f} ms, p99 {api['p99_ms']:.2f} ms | "
            f"{naive['rps']:,.0f} req/s, p50 {naive['p50_ms']:.2f} ms, p99 {naive['p99_ms']:.2f} ms | "
            f"{api['rps'] / naive['rps']:.1f}× |"
        )
    errors = sum(v.get("errors", 0) for k, v in http.items() if k != "tool")
    lines.append("")
    targets = "single ≤ 200 µs (≤ 30 µs with 6 numeric + 2 categorical), 1 M rows ≤ 1 s"
    lines.append(f"Non-2xx HTTP responses: {errors:.0f}. Targets: {targets}.")
    return "\n".join(lines)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each HTTP run")
    parser.add_argument("--out", type=Path, default=None, help="folder for the trained model and results")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-api-"))
    out.mkdir(parents=True, exist_ok=True)
    root = out / "artifacts"
    print(f"training the canonical data into {root} …", file=sys.stderr)
    train(root)
    print("in-process timings …", file=sys.stderr)
    local = in_process(root)
    print("6 numeric + 2 categorical model …", file=sys.stderr)
    train_wide(out / "wide")
    local["single_wide_us"] = wide_single_us(out / "wide")
    print("HTTP timings (uvicorn on loopback) …", file=sys.stderr)
    http = over_http(root, args.seconds, out)
    text = f"API benchmark — {machine()}\n\n{table(local, http)}\n"
    print(text)
    (out / "results.json").write_text(json.dumps({"in_process": local, "http": http}, indent=2) + "\n")
    (out / "table.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
