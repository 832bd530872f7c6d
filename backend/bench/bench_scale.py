"""Scale benchmark: the whole pipeline vs the naive K-Means sweep, at several table sizes.

For each size it generates a synthetic customer table (real schema, realistic mixture, 0.1 % dirt;
``customer_segmentation.synth``), then runs, each in its own subprocess so that peak RSS is that
run's alone (``ru_maxrss`` of the child):

* **pipeline** — ``pipeline.run``: CSV in → cleaned → k chosen → fitted → every artifact written,
  with the wall time of every stage (``SilentProgress.timings``);
* **naive** — the same cleaned, scaled rows; for every k: ``KMeans(n_init=10)`` on ALL rows and
  ``silhouette_score(sample_size=10_000)``; the best silhouette's k and that k's inertia.

It prints one table and, with ``--report``, rewrites ``backend/reports/benchmarks.md`` with the
machine described. Usage (``make bench-scale``; sizes via ``BENCH_SIZES``)::

    python backend/bench/bench_scale.py --sizes "200 100000 1000000 10000000" --out bench-out/scale
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_common import REPO, format_seconds, peak_rss_mb, spawn, write_marked_block
from bench_common import machine as bench_machine

DEFAULT_SIZES = (200, 100_000, 1_000_000, 10_000_000)
SEED = 7
DIRT = 0.001
K_RANGE = range(2, 11)

STAGE_GROUPS = {  # table column → stage-name prefixes
    "load": ("Loading data",),
    "clean": ("Cleaning", "Scaling"),
    "choose k": ("Choosing k",),
    "fit": ("Fitting",),
    "stability": ("Measuring",),
    "profile": ("Profiling",),
    "outputs": ("Serialising", "Encoding", "Rendering", "Writing"),
    "lineage + store": ("Matching", "Recording"),
}


# -- children ---------------------------------------------------------------------------------


def child_pipeline(csv: Path, root: Path, wide: bool = False) -> dict[str, Any]:
    """One full pipeline run; returns timings, k, scores and peak RSS. ``wide``: the 8 numeric +
    2 categorical table (synth_tables.write_wide_table), declared through the feature schema."""
    start = time.perf_counter()
    from customer_segmentation.config import ArtifactPaths, Settings
    from customer_segmentation.pipeline import RunConfig, run
    from customer_segmentation.progress import SilentProgress
    from customer_segmentation.synth_tables import WIDE_CATEGORICAL, WIDE_NUMERIC

    imported = time.perf_counter() - start
    progress = SilentProgress()
    config = (
        RunConfig(data=csv, features=(*WIDE_NUMERIC, *WIDE_CATEGORICAL), categorical=WIDE_CATEGORICAL)
        if wide
        else RunConfig(data=csv)
    )
    result = run(config, Settings(artifacts_root=root), progress, ArtifactPaths(root))
    kmeans = result.pipeline.named_steps["kmeans"]
    return {
        "rows": result.quality.rows_out,
        "k": result.selection.chosen_k,
        "estimator": result.selection.estimator.method,
        "silhouette": result.selection.score_for(result.selection.chosen_k).silhouette,
        "silhouette_std": result.selection.score_for(result.selection.chosen_k).silhouette_std,
        "check_silhouette": result.silhouette_detail.overall,
        "inertia": float(kmeans.inertia_),
        "imports": imported,
        "stages": progress.timings,
        "in_process": time.perf_counter() - start,
        "peak_rss_mb": peak_rss_mb(),
    }


def child_naive(csv: Path, threads: int) -> dict[str, Any]:
    """The naive sweep on the same cleaned, scaled rows: full-data KMeans(n_init=10) per k.

    ``threads`` > 0 caps its BLAS/OpenMP threads (0: scikit-learn's default, all cores).
    """
    import contextlib

    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    from customer_segmentation.data.clean import CleaningOptions, clean_customers
    from customer_segmentation.data.load import read_table
    from customer_segmentation.features import build_preprocessor
    from customer_segmentation.schema import DEFAULT_FEATURES

    clean, _ = clean_customers(read_table(csv, engine="fast").frame, CleaningOptions(DEFAULT_FEATURES))
    x = np.ascontiguousarray(build_preprocessor(DEFAULT_FEATURES).fit_transform(clean[list(DEFAULT_FEATURES)]))
    del clean
    start = time.perf_counter()
    scores: dict[int, tuple[float, float]] = {}
    limit = threadpool_limits(threads) if threads > 0 else contextlib.nullcontext()
    with limit:
        for k in K_RANGE:
            if k >= len(x):
                break
            model = KMeans(n_clusters=k, n_init=10, random_state=42).fit(x)
            size = min(10_000, len(x))
            silhouette = silhouette_score(x, model.labels_, sample_size=size, random_state=42)
            scores[k] = (float(silhouette), float(model.inertia_))
    seconds = time.perf_counter() - start
    best = max(scores, key=lambda k: (scores[k][0], -k))
    return {
        "k": best,
        "silhouette": scores[best][0],
        "inertia": scores[best][1],
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


# -- parent -----------------------------------------------------------------------------------


def _dataset(out: Path, rows: int, wide: bool = False) -> Path:
    from customer_segmentation.synth import write_table
    from customer_segmentation.synth_tables import write_wide_table

    path = out / (f"wide_{rows}.csv" if wide else f"customers_{rows}.csv")
    if not path.exists():
        if wide:
            write_wide_table(path, rows, seed=SEED)
        else:
            write_table(path, rows, seed=SEED, dirt=DIRT)
    return path


def _group(stages: dict[str, float]) -> dict[str, float]:
    return {
        column: sum(t for name, t in stages.items() if name.startswith(prefixes))
        for column, prefixes in STAGE_GROUPS.items()
    }


def measure(rows: int, out: Path, naive_max_rows: int, naive_threads: int, wide: bool = False) -> dict[str, Any]:
    csv = _dataset(out, rows, wide)
    name = f"wide_{rows}" if wide else str(rows)
    root = out / f"artifacts_{name}"
    shutil.rmtree(root, ignore_errors=True)  # the first training of this folder: nothing to match
    args = ("_pipeline", str(csv), str(root), "wide" if wide else "mall")
    ours, wall = spawn(__file__, *args)
    ours["wall"] = wall
    ours["groups"] = _group(ours["stages"])
    # The same data trained again: matched to the first run's segments, migration, drift (issue 13).
    retrain, retrain_wall = spawn(__file__, *args)
    ours["retrain_wall"] = retrain_wall
    ours["retrain_groups"] = _group(retrain["stages"])
    naive = None
    if rows <= naive_max_rows and not wide:
        naive, _ = spawn(__file__, "_naive", str(csv), str(naive_threads))
    return {"size": rows, "wide": wide, "csv_mb": csv.stat().st_size / 1e6, "ours": ours, "naive": naive}


def table(results: list[dict[str, Any]]) -> str:
    """Markdown table: one row per size."""
    head = (
        "| rows | CSV MB | total wall s | load | clean+scale | choose k | fit | stability | profile "
        "| outputs | lineage + store | retrain wall s (lineage + store) | peak RSS MB | k (estimator) "
        "| naive sweep s | naive RSS MB | naive k "
        "| speed-up (k+fit) | inertia ours/naive |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        o, n, g = r["ours"], r["naive"], r["ours"]["groups"]
        select_fit = g["choose k"] + g["fit"]
        naive_cols = (
            [
                format_seconds(n["seconds"]),
                f"{n['peak_rss_mb']:.0f}",
                str(n["k"]),
                f"{n['seconds'] / select_fit:.0f}×",
                f"{o['inertia'] / n['inertia']:.4f}",
            ]
            if n
            else ["–", "–", "–", "–", "–"]
        )
        lines.append(
            "| "
            + " | ".join(
                [
                    f"{r['size']:,}" + (" (8 numeric + 2 categorical)" if r.get("wide") else ""),
                    f"{r['csv_mb']:.1f}",
                    format_seconds(o["wall"]),
                    format_seconds(g["load"]),
                    format_seconds(g["clean"]),
                    format_seconds(g["choose k"]),
                    format_seconds(g["fit"]),
                    format_seconds(g["stability"]),
                    format_seconds(g["profile"]),
                    format_seconds(g["outputs"]),
                    format_seconds(g["lineage + store"]),
                    f"{format_seconds(o['retrain_wall'])} ({format_seconds(o['retrain_groups']['lineage + store'])})",
                    f"{o['peak_rss_mb']:.0f}",
                    f"{o['k']} ({o['estimator']})",
                    *naive_cols,
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def machine() -> str:
    """One paragraph describing where the numbers were taken."""
    coretype = os.environ.get("OPENBLAS_CORETYPE", "unset")
    return (
        f"{bench_machine(('numpy', 'pandas', 'pyarrow', 'scikit-learn'))}; {platform.platform()}; "
        f"OPENBLAS_CORETYPE={coretype}; load average at start {os.getloadavg()[0]:.1f} (the machine is shared "
        "with other jobs)"
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_pipeline":
        print(json.dumps(child_pipeline(Path(argv[1]), Path(argv[2]), len(argv) > 3 and argv[3] == "wide")))
        return 0
    if argv and argv[0] == "_naive":
        print(json.dumps(child_naive(Path(argv[1]), int(argv[2]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=" ".join(map(str, DEFAULT_SIZES)), help="space/comma separated row counts")
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench-out" / "scale", help="data and artifacts (gitignored)"
    )
    parser.add_argument("--naive-max-rows", type=int, default=10_000_000, help="skip the naive sweep above this size")
    parser.add_argument(
        "--report", type=Path, help="write the markdown results here (e.g. backend/reports/benchmarks.md)"
    )
    parser.add_argument(
        "--naive-threads", type=int, default=0, help="cap the naive sweep's threads (0: library default)"
    )
    parser.add_argument("--json", type=Path, help="also dump the raw measurements as JSON")
    parser.add_argument(
        "--wide-sizes", default="1000000", help="row counts of the 8 numeric + 2 categorical table ('' for none)"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.replace(",", " ").split()]
    args.out.mkdir(parents=True, exist_ok=True)
    about = machine() + (
        f"; naive sweep capped at {args.naive_threads} thread(s)"
        if args.naive_threads
        else "; naive sweep on default threads"
    )
    results = []
    wide_sizes = [int(s) for s in args.wide_sizes.replace(",", " ").split()]
    for rows, wide in [*((r, False) for r in sizes), *((r, True) for r in wide_sizes)]:
        print(f"… {rows:,} rows{' (wide)' if wide else ''}", file=sys.stderr, flush=True)
        results.append(measure(rows, args.out, args.naive_max_rows, args.naive_threads, wide))
        print(table(results[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    text = table(results)
    print(f"Machine: {about}\n\n{text}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if args.report:
        write_report(args.report, about, text, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    return 0


def write_report(path: Path, about: str, text: str, when: str) -> None:
    """Replace the generated block of the benchmarks page (between the markers), keep the prose."""
    write_marked_block(path, "bench-scale", f"Measured {when} by `make bench-scale`.\n\nMachine: {about}.\n\n{text}")


if __name__ == "__main__":
    raise SystemExit(main())
