"""Transactions → RFM benchmark: ``derive_customers`` (DuckDB, out of core) vs the naive pandas aggregation.

For each size it generates a synthetic order-line export (``customer_segmentation.transactions.synth``:
the Online Retail columns, "M/D/YYYY H:MM" dates, guests, cancellations, zero prices, duplicates and
bad dates; seed 12) as CSV and/or Parquet under ``bench-out/rfm`` (gitignored), then runs, each in its
own subprocess so peak RSS is that run's alone (``ru_maxrss`` of the child, or ``/usr/bin/time`` for
the CLI):

* **derive** — ``derive_customers(file)``: lines in → per-customer table + exclusion counts;
* **naive** — what a pandas user writes: ``read_csv`` + drop duplicates + filter + ``to_datetime`` +
  ``groupby`` (same definitions; CSV only). Above ``--naive-max-lines`` it is not run — it would not
  fit this machine's memory — and its RSS is extrapolated from the largest size it ran at;
* **pipeline** — the whole CLI run (``main.py --transactions FILE``: aggregation, k selection, model,
  every artifact), when the CLI has ``--transactions`` (``--pipeline auto``) or on demand (``yes``).

Both aggregations' results are compared (customers, Σ frequency, Σ monetary): "same" in the table.
Usage (``make bench-rfm``; sizes via ``BENCH_RFM_SIZES``)::

    python backend/bench/bench_rfm.py --sizes "1000000 10000000" --formats "csv parquet" --out bench-out/rfm
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_common import REPO, format_seconds, peak_rss_mb, spawn, write_marked_block
from bench_common import machine as bench_machine

DEFAULT_SIZES = (1_000_000, 10_000_000, 100_000_000)
SEED = 12
TARGETS = "10 M lines: ≤ 1.5 × the naive pandas time and ≤ ½ its peak RSS; 100 M lines: ≤ 90 s and ≤ 3 GB peak RSS"


# -- children ---------------------------------------------------------------------------------


def child_derive(path: Path) -> dict[str, Any]:
    start = time.perf_counter()
    from customer_segmentation.transactions import derive_customers

    derived = derive_customers(path)
    customers = derived.customers
    return {
        "customers": len(customers),
        "frequency_sum": int(customers["frequency"].sum()),
        "monetary_sum": float(customers["monetary"].sum()),
        "lines_in": derived.lines_in,
        "lines_valid": derived.lines_valid,
        "exclusions": derived.exclusions,
        "stages": derived.timings,
        "in_process": time.perf_counter() - start,
        "cpu_s": time.process_time(),
        "peak_rss_mb": peak_rss_mb(),
    }


def child_naive(path: Path) -> dict[str, Any]:
    """The straightforward pandas aggregation, with the same definitions as derive_customers."""
    start = time.perf_counter()
    import pandas as pd

    lines = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    lines = lines.drop_duplicates()
    lines = lines[
        lines["CustomerID"].notna()
        & ~lines["InvoiceNo"].str.match(r"C\d")
        & (lines["Quantity"] > 0)
        & (lines["UnitPrice"] > 0)
    ]
    lines["when"] = pd.to_datetime(lines["InvoiceDate"], format="%m/%d/%Y %H:%M", errors="coerce")
    lines = lines[lines["when"].notna()]
    lines["value"] = lines["Quantity"] * lines["UnitPrice"]
    as_of = lines["when"].max().normalize() + pd.Timedelta(days=1)
    per = lines.groupby("CustomerID").agg(
        last=("when", "max"), first=("when", "min"), frequency=("InvoiceNo", "nunique"), monetary=("value", "sum")
    )
    per["recency_days"] = (as_of - per["last"].dt.normalize()).dt.days
    return {
        "customers": len(per),
        "frequency_sum": int(per["frequency"].sum()),
        "monetary_sum": float(per["monetary"].sum()),
        "seconds": time.perf_counter() - start,
        "cpu_s": time.process_time(),
        "peak_rss_mb": peak_rss_mb(),
    }


# -- parent -----------------------------------------------------------------------------------


def cli_has_transactions() -> bool:
    """Whether the pipeline CLI takes ``--transactions`` yet (the lead wires it in)."""
    out = subprocess.run(
        [sys.executable, "backend/src/main.py", "--help"], capture_output=True, text=True, check=False, cwd=REPO
    )
    return "--transactions" in out.stdout


def run_pipeline(path: Path, root: Path) -> dict[str, Any]:
    """The whole CLI run on the order lines; wall time and peak RSS from /usr/bin/time."""
    shutil.rmtree(root, ignore_errors=True)
    command = [
        sys.executable,
        "backend/src/main.py",
        "--transactions",
        str(path),
        "--output-root",
        str(root),
        "--quiet",
    ]
    timer = Path("/usr/bin/time").exists()
    start = time.perf_counter()
    if timer:
        out = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True, cwd=REPO)
    else:
        out = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1][:200], "wall": wall}
    rss = float(out.stderr.strip().splitlines()[-1]) / 1024 if timer else math.nan
    return {"wall": wall, "peak_rss_mb": rss}


def dataset(out: Path, lines: int, kind: str) -> tuple[Path, float | None]:
    """The synthetic export (generated once); the seconds it took to write when generated now."""
    from customer_segmentation.transactions.synth import write_transactions

    path = out / f"lines_{lines}.{kind}"
    if path.exists():
        return path, None
    start = time.perf_counter()
    write_transactions(path, lines, seed=SEED)
    return path, time.perf_counter() - start


def measure(lines: int, kind: str, out: Path, naive_max: int, pipeline: bool) -> dict[str, Any]:
    path, generated = dataset(out, lines, kind)
    load = os.getloadavg()[0]
    ours, wall = spawn(__file__, "_derive", str(path))
    ours["wall"] = wall
    naive = None
    if kind == "csv" and lines <= naive_max:
        naive, _ = spawn(__file__, "_naive", str(path))
    whole = run_pipeline(path, out / f"run_{lines}_{kind}") if pipeline else None
    return {
        "lines": lines,
        "format": kind,
        "file_mb": path.stat().st_size / 1e6,
        "generated_s": generated,
        "load": load,
        "ours": ours,
        "naive": naive,
        "pipeline": whole,
    }


def _same(ours: dict[str, Any], naive: dict[str, Any]) -> str:
    equal = (
        ours["customers"] == naive["customers"]
        and ours["frequency_sum"] == naive["frequency_sum"]
        and math.isclose(ours["monetary_sum"], naive["monetary_sum"], rel_tol=1e-9)
    )
    return "yes" if equal else "NO"


def table(results: list[dict[str, Any]]) -> str:
    head = (
        "| lines | format | file MB | derive wall s | CPU s | scan | duplicates | dates | customers | peak RSS MB "
        "| naive pandas s | naive CPU s | naive RSS MB | time ours/naive | RSS ours/naive | same result "
        "| whole pipeline s | pipeline RSS MB | load |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    largest_naive = max((r for r in results if r["naive"]), key=lambda r: r["lines"], default=None)
    for r in results:
        o, n, p, s = r["ours"], r["naive"], r["pipeline"], r["ours"]["stages"]
        if n:
            naive_cols = [
                format_seconds(n["seconds"]),
                format_seconds(n.get("cpu_s", math.nan)),
                f"{n['peak_rss_mb']:.0f}",
                f"{o['wall'] / n['seconds']:.2f}×",
                f"{o['peak_rss_mb'] / n['peak_rss_mb']:.2f}×",
                _same(o, n),
            ]
        elif r["format"] == "csv" and largest_naive is not None:
            estimate = largest_naive["naive"]["peak_rss_mb"] * r["lines"] / largest_naive["lines"] / 1024
            naive_cols = [f"not run: needs ≈{estimate:.0f} GB", "–", "–", "–", "–", "–"]
        else:
            naive_cols = ["–"] * 6
        if p and "error" not in p:
            pipe_cols = [format_seconds(p["wall"]), f"{p['peak_rss_mb']:.0f}"]
        elif p:
            pipe_cols = [f"failed: {p['error']}", "–"]
        else:
            pipe_cols = ["–", "–"]
        cells = [
            f"{r['lines']:,}",
            r["format"],
            f"{r['file_mb']:.0f}",
            format_seconds(o["wall"]),
            format_seconds(o.get("cpu_s", math.nan)),
            format_seconds(s.get("scan", 0.0)),
            format_seconds(s.get("duplicates", 0.0)),
            format_seconds(s.get("dates", 0.0)),
            f"{o['customers']:,}",
            f"{o['peak_rss_mb']:.0f}",
            *naive_cols,
            *pipe_cols,
            f"{r['load']:.1f}" if "load" in r else "–",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdicts(results: list[dict[str, Any]]) -> str:
    """The targets, checked against the table (only the sizes that were run)."""
    out = []
    for r in results:
        o, n = r["ours"], r["naive"]
        if r["lines"] == 10_000_000 and n:
            ok = o["wall"] <= 1.5 * n["seconds"] and o["peak_rss_mb"] <= 0.5 * n["peak_rss_mb"]
            out.append(
                f"* 10 M ({r['format']}): {o['wall']:.1f} s vs {1.5 * n['seconds']:.1f} s allowed, "
                f"{o['peak_rss_mb']:.0f} MB vs {0.5 * n['peak_rss_mb']:.0f} MB allowed — {'met' if ok else 'NOT met'}"
            )
        if r["lines"] == 100_000_000:
            ok = o["wall"] <= 90 and o["peak_rss_mb"] <= 3072
            out.append(
                f"* 100 M ({r['format']}): {o['wall']:.0f} s, {o['peak_rss_mb']:.0f} MB "
                f"(target ≤ 90 s, ≤ 3 GB) — {'met' if ok else 'NOT met'}"
            )
    return "\n".join(out)


def machine() -> str:
    return (
        bench_machine(("duckdb", "pandas", "pyarrow"))
        + "; shared with other jobs — *load* is the 1-minute load average when each row started"
    )


def write_report(path: Path, about: str, text: str, when: str) -> None:
    """Replace the generated block between the bench-rfm markers (added at the end when missing)."""
    write_marked_block(
        path, "bench-rfm", f"Measured {when} by `make bench-rfm`.\n\nMachine: {about}.\n\n{text}", SECTION
    )


SECTION = """## Transactions → RFM (issue 12): `make bench-rfm`

`make bench-rfm` generates synthetic order-line exports (`customer_segmentation.transactions.synth`: the
Online Retail columns and date format, about a fifth guest lines, 2 % cancellations, zero prices, 1 %
duplicate lines, a few unparseable dates; seed 12) of `BENCH_RFM_SIZES` lines (default 1 M, 10 M,
100 M) as CSV and Parquet into `bench-out/rfm/` (gitignored) and times, each in its own subprocess
(peak RSS = that child's `ru_maxrss`):

* **derive** — `derive_customers(file)` (DuckDB, out of core): every line read, rules applied,
  exclusions counted, one row per customer; *scan* / *duplicates* / *dates* are its stages (pass 1 over
  the lines; pass 2 over the lines of orders that hold duplicates; date detection and the features);
* **naive pandas** — `read_csv` + `drop_duplicates` + filters + `to_datetime` + `groupby`, the same
  definitions (the "same result" column compares customers, Σ frequency and Σ monetary). It is not
  run above `BENCH_RFM_NAIVE_MAX` lines: its memory grows with the file (the estimate is linear from
  the largest size it ran at) and 100 M lines do not fit this machine;
* **whole pipeline** — `main.py --transactions FILE` (aggregation, k selection, model, every
  artifact) once the CLI has `--transactions` (`BENCH_RFM_PIPELINE=auto|yes|no`).

*CPU s* is the child's CPU time over all its threads. The machine is shared: when other jobs hold
the cores, wall time stretches but CPU time barely moves — with both cores free, wall ≈ CPU / 2 for
DuckDB (it uses both) and ≈ CPU for pandas (one thread).
"""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_derive":
        print(json.dumps(child_derive(Path(argv[1]))))
        return 0
    if argv and argv[0] == "_naive":
        print(json.dumps(child_naive(Path(argv[1]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=" ".join(map(str, DEFAULT_SIZES)), help="space/comma separated line counts")
    parser.add_argument("--formats", default="csv parquet", help="csv and/or parquet")
    parser.add_argument("--out", type=Path, default=REPO / "bench-out" / "rfm", help="data and runs (gitignored)")
    parser.add_argument("--naive-max-lines", type=int, default=10_000_000, help="skip naive pandas above this size")
    parser.add_argument("--pipeline", choices=("auto", "yes", "no"), default="auto", help="also time the whole CLI run")
    parser.add_argument("--json", type=Path, help="also dump the raw measurements as JSON")
    parser.add_argument("--report", type=Path, help="write the results into this markdown file (bench-rfm markers)")
    parser.add_argument(
        "--merge-json", type=Path, action="append", default=[], help="earlier --json results to report with these"
    )
    parser.add_argument("--note", default="", help="a sentence to print under the table (e.g. how rows were merged)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.replace(",", " ").split()]
    kinds = [k for k in args.formats.replace(",", " ").split() if k in ("csv", "parquet")]
    pipeline = args.pipeline == "yes" or (args.pipeline == "auto" and cli_has_transactions())
    args.out.mkdir(parents=True, exist_ok=True)
    about = machine()
    results = []
    for lines in sizes:
        for kind in kinds:
            print(f"… {lines:,} lines, {kind}", file=sys.stderr, flush=True)
            results.append(measure(lines, kind, args.out, args.naive_max_lines, pipeline))
            print(table(results[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    earlier = [r for path in args.merge_json for r in json.loads(path.read_text())]
    measured = {(r["lines"], r["format"]) for r in results}
    results = sorted(
        [r for r in earlier if (r["lines"], r["format"]) not in measured] + results,
        key=lambda r: (r["lines"], r["format"]),
    )
    text = table(results) + "\n\nTargets (" + TARGETS + "):\n\n" + (verdicts(results) or "* (no target size run)")
    if args.note:
        text += "\n\n" + args.note
    print(f"Machine: {about}\n\n{text}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if args.report:
        write_report(args.report, about, text, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
