"""``python backend/src/main.py``: run the whole pipeline from the command line.

Errors a user can fix end with exit code 2 and ONE line on stderr naming the problem; no traceback,
and no artifact is touched.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

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


def _parse_list(text: str | None) -> tuple[str, ...]:
    """``"a, b ,c"`` → ``("a", "b", "c")``; names are matched to the table's columns later."""
    return tuple(name.strip() for name in (text or "").split(",") if name.strip())


def _transaction_options(
    customer_col: str | None,
    date_col: str | None,
    invoice_col: str | None,
    amount_col: str | None,
    quantity_col: str | None,
    price_col: str | None,
    as_of: str | None,
    date_format: str | None,
    returns: str,
) -> tuple[tuple[str, ...], Any]:
    """The transactions options (and their CLI form, for the reproduce line); bad values → ConfigError."""
    from datetime import date

    from .transactions import TransactionOptions

    if returns not in ("ignore", "net"):
        raise ConfigError(f"--returns {returns!r}: choose ignore or net")
    if amount_col and (quantity_col or price_col):
        raise ConfigError("give either --amount-col or --quantity-col with --price-col, not both")
    try:
        as_of_date = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise ConfigError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
    named = {
        "--customer-col": customer_col,
        "--date-col": date_col,
        "--invoice-col": invoice_col,
        "--amount-col": amount_col,
        "--quantity-col": quantity_col,
        "--price-col": price_col,
        "--as-of": as_of,
        "--date-format": date_format,
    }
    args = [part for flag, value in named.items() if value for part in (flag, value)]
    if returns != "ignore":
        args += ["--returns", returns]
    options = TransactionOptions(
        customer_col=customer_col,
        date_col=date_col,
        invoice_col=invoice_col,
        amount_col=amount_col,
        quantity_col=quantity_col,
        price_col=price_col,
        date_format=date_format,
        as_of=as_of_date,
        returns="net" if returns == "net" else "ignore",
    )
    return tuple(args), options


def _k_rule(text: str) -> Literal["max", "one-se"]:
    rule = text.strip().lower()
    if rule == "max":
        return "max"
    if rule in ("one-se", "onese", "1se"):
        return "one-se"
    raise ConfigError(f"--k-rule {text!r}: choose max or one-se")


def _write_draft_schema(data: str | None, target: Path, quiet: bool) -> None:
    """``--infer-schema``: read the table, write a draft schema, train nothing."""
    from .schema_inference import infer_schema_text

    if not data:
        raise ConfigError("--infer-schema needs --data: the table to draft a schema for")
    text = infer_schema_text(Path(data))
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {target}: {exc.strerror or exc}") from None
    if not quiet:
        Console(stderr=True, highlight=False).print(
            f"Draft schema written to {target}: review it, then run with --schema {target}"
        )


def print_result(result: object, console: Console) -> None:
    """The short result table: k with its scores, then each segment with its size."""
    from .pipeline import RunResult

    assert isinstance(result, RunResult)
    sel = result.selection
    scores = Table(title=f"k selection ({sel.estimator.method} silhouette)", title_justify="left")
    from .reporting.summary import ari_by_k, k_wins

    wins, ari = k_wins(result), ari_by_k(result)
    for column in ("k", "silhouette", "Calinski-Harabasz", "Davies-Bouldin", "inertia", "wins", "mean ARI"):
        scores.add_column(column, justify="right")
    for s in sel.scores:
        style = "bold green" if s.k == sel.chosen_k else None
        scores.add_row(
            str(s.k),
            f"{s.silhouette:.4f}",
            f"{s.calinski_harabasz:.1f}",
            f"{s.davies_bouldin:.4f}",
            f"{s.inertia:.1f}",
            wins.get(s.k, ""),
            ari.get(s.k, ""),
            style=style,
        )
    console.print(scores)
    console.print(f"Chosen k = {sel.chosen_k}: {sel.reason}")
    if result.k_certainty is not None:
        console.print(f"How certain: {result.k_certainty.choice.statement}")
    if result.schema.id_column is None:
        console.print("Customers have no id column: they are numbered row_id 1..n in file order.")
    for warning in result.warnings:
        console.print(f"[yellow]Warning:[/yellow] {warning}")
    from .card_builder import stability_verdict

    console.print(f"Stability: {stability_verdict(result)}")
    if result.lineage is not None:  # stable ids: continued from the published model, or a fresh lineage
        from .lifecycle.report import cli_lines

        for line in cli_lines(result.lineage):
            console.print(line)
    segments = Table(title="Segments", title_justify="left")
    revenue = any(p.revenue_share is not None for p in result.profiles)
    for column in ("id", "name", "size", "share", *(("revenue",) if revenue else ())):
        segments.add_column(column, justify="left" if column == "name" else "right")
    for p in result.profiles:
        cells = [str(p.id), p.name, str(p.size), f"{p.share:.1%}"]
        if revenue:
            cells.append(f"{p.revenue_share or 0.0:.1%}")
        segments.add_row(*cells)
    console.print(segments)


def _check_output_root(root: Path) -> None:
    """Fail before any work when the artifacts cannot be written (not after minutes of training):
    read-only folders or lock file, a root that cannot be created, too little free space."""
    from .preflight import check_output_root

    check_output_root(ArtifactPaths(root))


def _os_error_line(exc: OSError) -> str:
    """One line for a file-system failure the checks could not foresee: the path and the cause."""
    where = f"{exc.filename}: " if exc.filename is not None else ""
    return f"error: {where}{exc.strerror or exc} (a file-system problem: free space or fix permissions, then rerun)"


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
        str | None,
        typer.Option(
            help="Comma-separated columns to cluster (any columns of the table). Default: the Mall schema's "
            f"{', '.join(DEFAULT_FEATURES)} (also: {', '.join(SELECTABLE_FEATURES)} of the Mall data)."
        ),
    ] = None,
    categorical: Annotated[
        str | None, typer.Option(help="Which of the features are categorical (comma-separated; one-hot encoded).")
    ] = None,
    describe: Annotated[
        str | None, typer.Option(help="Columns shown in the segment profiles but never clustered (comma-separated).")
    ] = None,
    id_column: Annotated[
        str | None, typer.Option(help="The customer id column (default: a column named like ID; else row numbers).")
    ] = None,
    transform: Annotated[
        list[str] | None,
        typer.Option(help="COLUMN=none|log1p|auto for a numeric feature (repeatable; auto = log1p when skewed)."),
    ] = None,
    schema: Annotated[
        Path | None, typer.Option("--schema", help="Feature schema file (TOML); the flags above override it.")
    ] = None,
    infer_schema: Annotated[
        Path | None,
        typer.Option(help="Write a draft schema (TOML) for the --data table to this file and exit without training."),
    ] = None,
    k_rule: Annotated[
        str,
        typer.Option(
            help="How k is chosen from the silhouettes: max (highest mean) or one-se (smallest k within one "
            "standard error of the best, over resamples)."
        ),
    ] = "max",
    transactions: Annotated[
        str | None,
        typer.Option(
            help="An order-line export (CSV or Parquet, file or folder): segment its customers by recency, "
            "frequency and monetary value (RFM) instead of a customer table."
        ),
    ] = None,
    customer_col: Annotated[str | None, typer.Option(help="Transactions: the customer id column.")] = None,
    date_col: Annotated[str | None, typer.Option(help="Transactions: the order date column.")] = None,
    invoice_col: Annotated[str | None, typer.Option(help="Transactions: the invoice (order) number column.")] = None,
    amount_col: Annotated[str | None, typer.Option(help="Transactions: the line amount column.")] = None,
    quantity_col: Annotated[str | None, typer.Option(help="Transactions: the quantity column.")] = None,
    price_col: Annotated[str | None, typer.Option(help="Transactions: the unit price column.")] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            help="Transactions: the date recency is measured to (YYYY-MM-DD; default: the day after the last)."
        ),
    ] = None,
    date_format: Annotated[
        str | None, typer.Option(help="Transactions: how dates are written when ambiguous (e.g. %d/%m/%Y, dmy, mdy).")
    ] = None,
    returns: Annotated[
        str, typer.Option(help="Transactions: ignore returns (cancellations), or net them out of monetary value.")
    ] = "ignore",
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat data and segment warnings as errors (exit 2, nothing written).")
    ] = False,
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
    if infer_schema is not None:
        _write_draft_schema(data, infer_schema, quiet)
        return
    from .schema_builder import parse_transforms

    config = RunConfig(
        data=Path(data) if data else None,
        features=_parse_list(features) if features is not None else None,
        sweep=SweepSettings(k_min=k_min, k_max=k_max, pinned_k=k, n_init=n_init, random_state=random_state),
        clip_outliers=clip_outliers,
        bootstrap_resamples=bootstrap,
        categorical=_parse_list(categorical),
        describe=_parse_list(describe),
        id_column=id_column.strip() if id_column else None,
        transforms=tuple(parse_transforms(transform or []).items()),
        schema_file=schema,
        strict=strict,
        k_rule=_k_rule(k_rule),
    )
    settings = get_settings()
    paths = ArtifactPaths(output_root) if output_root else settings.paths
    _check_output_root(paths.root)
    progress = SilentProgress() if quiet else ConsoleProgress()
    if transactions is not None:
        if data is not None:
            raise ConfigError("give either --data (a customer table) or --transactions (order lines), not both")
        tx_args, tx_options = _transaction_options(
            customer_col, date_col, invoice_col, amount_col, quantity_col, price_col, as_of, date_format, returns
        )
        config = dataclasses.replace(config, data=Path(transactions), transactions=True, transaction_args=tx_args)
    if engine is Engine.spark and transactions is not None:
        from .engines.spark import parse_conf
        from .transactions_run import run_transactions_spark

        conf = parse_conf(spark_conf or [])
        result = run_transactions_spark(
            config, tx_options, settings, progress, paths, master=spark_master, conf=conf, data_uri=transactions
        )
    elif engine is Engine.spark:
        from .engines.spark import parse_conf, run_spark

        conf = parse_conf(spark_conf or [])
        result = run_spark(config, settings, progress, paths, master=spark_master, conf=conf, data_uri=data)
    elif transactions is not None:
        from .transactions_run import run_transactions

        result = run_transactions(config, tx_options, settings, progress, paths)
    else:
        result = run_pipeline(config, settings, progress, paths)
    print_result(result, Console(highlight=False))
    if not quiet:
        Console(stderr=True, highlight=False).print(f"[dim]Artifacts written under {paths.root}[/dim]")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map user errors to exit code 2 with a one-line message."""
    from .preflight import reject_empty_paths

    try:
        reject_empty_paths(sys.argv[1:] if argv is None else argv)
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
    except OSError as exc:  # disk full or read-only after the up-front checks passed
        if os.environ.get("SEGMENTATION_DEBUG"):
            raise
        print(_os_error_line(exc), file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:
        if os.environ.get("SEGMENTATION_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (set SEGMENTATION_DEBUG=1 for details)", file=sys.stderr)
        return 1
    return 0
