"""``python backend/src/main.py``: run the whole pipeline from the command line.

Errors a user can fix end with exit code 2 and ONE line on stderr naming the problem; no traceback,
and no artifact is touched.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .config import ArtifactPaths, get_settings
from .errors import ConfigError, SegmentationError
from .schema import DEFAULT_FEATURES, SELECTABLE_FEATURES

EXIT_USER_ERROR = 2


class Engine(StrEnum):
    """Training engines: scikit-learn in this process, or Apache Spark (optional extra)."""

    sklearn = "sklearn"
    spark = "spark"


app = typer.Typer(add_completion=False, help=__doc__, rich_markup_mode=None)


def _parse_features(text: str) -> tuple[str, ...]:
    names = tuple(name.strip().lower().replace(" ", "_") for name in text.split(",") if name.strip())
    aliases = {"income": "annual_income", "spending": "spending_score", "score": "spending_score"}
    return tuple(aliases.get(name, name) for name in names)


def print_result(result: object, console: Console) -> None:
    """The short result table: k with its scores, then each segment with its size."""
    from .pipeline import RunResult

    assert isinstance(result, RunResult)
    sel = result.selection
    scores = Table(title=f"k selection ({sel.estimator.method} silhouette)", title_justify="left")
    for column in ("k", "silhouette", "Calinski-Harabasz", "Davies-Bouldin", "inertia"):
        scores.add_column(column, justify="right")
    for s in sel.scores:
        style = "bold green" if s.k == sel.chosen_k else None
        scores.add_row(
            str(s.k),
            f"{s.silhouette:.4f}",
            f"{s.calinski_harabasz:.1f}",
            f"{s.davies_bouldin:.4f}",
            f"{s.inertia:.1f}",
            style=style,
        )
    console.print(scores)
    console.print(f"Chosen k = {sel.chosen_k}: {sel.reason}")
    console.print(f"Stability: mean ARI {result.stability.mean_ari:.3f} ({result.stability.verdict})")
    segments = Table(title="Segments", title_justify="left")
    for column in ("id", "name", "size", "share"):
        segments.add_column(column, justify="left" if column == "name" else "right")
    for p in result.profiles:
        segments.add_row(str(p.id), p.name, str(p.size), f"{p.share:.1%}")
    console.print(segments)


def _check_output_root(root: Path) -> None:
    """Fail before any work when the artifacts cannot be written (not after minutes of training)."""
    existing = next((p for p in (root, *root.parents) if p.exists()), None)
    if root.exists() and not root.is_dir():
        raise ConfigError(f"--output-root {root} is not a folder")
    if existing is None or not os.access(existing, os.W_OK):
        raise ConfigError(f"--output-root {root} is not writable")


@app.command()
def run(
    data: Annotated[
        str | None,
        typer.Option(
            help=(
                "Customer table (CSV or Parquet; with --engine spark any URI Spark reads). "
                "Default: the Mall Customers data, fetched if missing."
            )
        ),
    ] = None,
    k: Annotated[
        int | None, typer.Option("--k", help="Pin the number of segments (scores for every k are still computed).")
    ] = None,
    k_min: Annotated[int, typer.Option(help="Smallest k to evaluate.")] = 2,
    k_max: Annotated[int, typer.Option(help="Largest k to evaluate.")] = 10,
    features: Annotated[
        str, typer.Option(help=f"Comma-separated model features from: {', '.join(SELECTABLE_FEATURES)}.")
    ] = ",".join(DEFAULT_FEATURES),
    random_state: Annotated[
        int, typer.Option(min=0, max=2**32 - 1, help="Seed for K-Means, sampling and bootstrap.")
    ] = 42,
    n_init: Annotated[int, typer.Option(help="K-Means restarts per k (at least 10 recommended).")] = 10,
    clip_outliers: Annotated[
        bool, typer.Option("--clip-outliers", help="Clip IQR outliers to the fences instead of keeping them.")
    ] = False,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples for the stability estimate.")] = 20,
    output_root: Annotated[
        Path | None, typer.Option(help="Folder for data/processed, models and reports (default: backend/).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines, only the result table.")] = False,
    engine: Annotated[
        Engine, typer.Option(help="Training engine (spark: pip install -r backend/requirements-spark.txt; Java 17+).")
    ] = Engine.sklearn,
    spark_master: Annotated[
        str, typer.Option(help="Spark master URL for --engine spark (e.g. spark://host:7077, yarn).")
    ] = "local[*]",
    spark_conf: Annotated[
        list[str] | None, typer.Option(help="Spark setting KEY=VALUE for --engine spark (repeatable).")
    ] = None,
) -> None:
    """Clean the data, choose k by silhouette, fit K-Means and write model, data, figures and report."""
    from .modeling.select_k import SweepSettings  # imports scikit-learn: not needed for --help
    from .pipeline import RunConfig
    from .pipeline import run as run_pipeline
    from .progress import ConsoleProgress, SilentProgress

    if n_init < 1 or bootstrap < 1:
        raise ConfigError("--n-init and --bootstrap must be at least 1")
    config = RunConfig(
        data=Path(data) if data else None,
        features=_parse_features(features),
        sweep=SweepSettings(k_min=k_min, k_max=k_max, pinned_k=k, n_init=n_init, random_state=random_state),
        clip_outliers=clip_outliers,
        bootstrap_resamples=bootstrap,
    )
    settings = get_settings()
    paths = ArtifactPaths(output_root) if output_root else settings.paths
    _check_output_root(paths.root)
    progress = SilentProgress() if quiet else ConsoleProgress()
    if engine is Engine.spark:
        from .engines.spark import parse_conf, run_spark

        conf = parse_conf(spark_conf or [])
        result = run_spark(config, settings, progress, paths, master=spark_master, conf=conf, data_uri=data)
    else:
        result = run_pipeline(config, settings, progress, paths)
    print_result(result, Console(highlight=False))
    if not quiet:
        Console(stderr=True, highlight=False).print(f"[dim]Artifacts written under {paths.root}[/dim]")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map user errors to exit code 2 with a one-line message."""
    try:
        app(args=argv, standalone_mode=False)
    except SegmentationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        return 130
    except typer.exceptions.TyperException as exc:  # usage errors: bad option or value
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        print(f"error: {message} (see --help)", file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:
        if os.environ.get("SEGMENTATION_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (set SEGMENTATION_DEBUG=1 for details)", file=sys.stderr)
        return 1
    return 0
