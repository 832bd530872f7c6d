"""Benchmark: the Spark engine (``local[2]``) beside the default engine, CSV in → all artifacts out.

Each run is its own subprocess (a fresh interpreter and, for Spark, a fresh JVM, so the JVM start is
counted). The data is the scale benchmark's synthetic table (``customer_segmentation.synth``, seed 7,
0.1 % dirt), reused from ``bench-out/scale`` when it exists. Usage (``make bench-spark``)::

    python -m customer_segmentation.engines.spark.bench --rows 1000000,10000000 --out bench-out/spark
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ...config import PROJECT_ROOT

SEED = 7
DIRT = 0.001
GROUPS = {  # column → stage-name prefixes (both engines' stage names)
    "start": ("Starting Spark",),
    "load": ("Loading data",),
    "clean+scale": ("Cleaning", "Scaling"),
    "choose k": ("Choosing k",),
    "fit": ("Fitting",),
    "stability": ("Measuring",),
    "profile": ("Profiling",),
    "outputs": ("Serialising", "Encoding", "Rendering", "Writing"),
}


def dataset(out: Path, rows: int) -> Path:
    """The synthetic table of ``rows`` customers (shared with the scale benchmark when present)."""
    shared = PROJECT_ROOT / "bench-out" / "scale" / f"customers_{rows}.csv"
    if shared.exists():
        return shared
    path = out / f"customers_{rows}.csv"
    if not path.exists():
        from ...synth import write_table

        write_table(path, rows, seed=SEED, dirt=DIRT)
    return path


def child(engine: str, csv: str, root: str, master: str, driver_memory: str) -> dict[str, Any]:
    """One run in this process; returns stage timings, k and the model's figures."""
    from ...config import ArtifactPaths, Settings
    from ...pipeline import RunConfig, run
    from ...progress import SilentProgress

    progress = SilentProgress()
    paths = ArtifactPaths(Path(root))
    settings = Settings(artifacts_root=Path(root))
    config = RunConfig(data=Path(csv))
    if engine == "spark":
        from . import run_spark

        conf = {"spark.driver.memory": driver_memory}
        result = run_spark(config, settings, progress, paths, master=master, conf=conf)
    else:
        result = run(config, settings, progress, paths)
    sel = result.selection
    spark = getattr(result, "spark", {})  # a SparkRunResult's card section
    return {
        "rows": result.quality.rows_out,
        "k": sel.chosen_k,
        "silhouette": sel.score_for(sel.chosen_k).silhouette,
        "check_silhouette": result.silhouette_detail.overall,
        "sizes": [p.size for p in result.profiles],
        "stages": progress.timings,
        "spark": spark,
    }


def spawn(engine: str, csv: Path, root: Path, master: str, driver_memory: str) -> dict[str, Any]:
    start = time.perf_counter()
    args = [
        sys.executable,
        "-m",
        "customer_segmentation.engines.spark.bench",
        "_child",
        engine,
        str(csv),
        str(root),
        master,
        driver_memory,
    ]
    out = subprocess.run(args, capture_output=True, text=True, check=False, cwd=PROJECT_ROOT)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"{engine} run failed on {csv}:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = wall
    result["groups"] = {
        column: sum(t for name, t in result["stages"].items() if name.startswith(prefixes))
        for column, prefixes in GROUPS.items()
    }
    return result


def table(rows_results: list[tuple[int, str, dict[str, Any]]]) -> str:
    head = ["rows", "engine", "wall s", *GROUPS, "k", "silhouette", "ARI note"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for rows, engine, r in rows_results:
        spark = r.get("spark") or {}
        note = ""
        if spark:
            km = spark.get("kmeans", {})
            note = f"{len(km.get('restart_costs', {}))} fit(s), target met: {km.get('target_met')}"
        cells = [
            f"{rows:,}",
            engine,
            f"{r['wall']:.1f}",
            *(f"{r['groups'][g]:.1f}" for g in GROUPS),
            str(r["k"]),
            f"{r['silhouette']:.4f}",
            note,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_child":
        print(json.dumps(child(*argv[1:6])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1000000,10000000", help="comma-separated table sizes")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench-out" / "spark")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="6g", help="spark.driver.memory (local mode: the whole JVM)")
    parser.add_argument("--engines", default="sklearn,spark")
    parser.add_argument("--json", type=Path, help="also dump the raw measurements as JSON")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results: list[tuple[int, str, dict[str, Any]]] = []
    for rows in (int(r.replace("_", "")) for r in args.rows.split(",") if r.strip()):
        csv = dataset(args.out, rows)
        for engine in args.engines.split(","):
            print(f"… {engine} on {rows:,} rows", file=sys.stderr, flush=True)
            result = spawn(engine, csv, args.out / f"artifacts_{engine}_{rows}", args.master, args.driver_memory)
            results.append((rows, engine, result))
            print(table(results[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(f"Spark engine ({args.master}) vs default engine; wall = subprocess wall time incl. imports/JVM start")
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps([{"rows": n, "engine": e, **r} for n, e, r in results], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
