"""Write (and read back) every artifact of a run, published all at once.

Everything is rendered in memory first, so a failing run writes nothing. Then the whole run is
published by :func:`publish.publish`: written to its own folder and switched in by one atomic
symlink swap, so readers see the previous run or the new one, never a mix — even when the
pipeline is killed mid-way. The card names the model's SHA-256, and ``load_pipeline_trusted`` (for
trusted callers only) refuses a model the card does not vouch for. A lock keeps two runs from
interleaving.

Processed data format rule: up to ``CSV_MAX_ROWS`` cleaned rows (the canonical 200-row data and any
table of that order) the processed tables are CSV (``preprocessed_data.csv``, ``clustered_data.csv``,
byte-identical between runs); above it they are Parquet (``*.parquet``, segment names dictionary-
encoded), because writing 10 M rows of CSV takes minutes and Parquet takes a second. The model card's
``outputs`` names the files of the run, and the other format's files left by an earlier run are
removed after the card is written, so a folder never holds a stale table beside a new model.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.pipeline import Pipeline

from . import csv_safety
from .artifact_layout import PROCESSED_TABLES, processed_files, processed_format
from .card_builder import build_card
from .config import ArtifactPaths, Settings, get_settings
from .data.fetch import sha256_bytes
from .errors import SegmentationError
from .modeling.card import CardError, ModelCard, read_card_text
from .progress import SilentProgress
from .publish import publish
from .reporting import figures
from .reporting.summary import build_summary

if TYPE_CHECKING:
    from .run_result import RunResult

CSV_FLOAT_FORMAT = "%.10g"


class ArtifactError(SegmentationError):
    """An artifact is missing, unreadable or does not match its model card."""


def describe_os_error(exc: OSError) -> str:
    """``'<path>: <cause>'`` for an error of the file system (``/srv/out/.runs: Read-only file system``)."""
    cause = exc.strerror or str(exc) or type(exc).__name__
    return f"{exc.filename}: {cause}" if exc.filename is not None else cause


@contextlib.contextmanager
def writing_errors(paths: ArtifactPaths) -> Iterator[None]:
    """Turn a file-system failure while publishing (read-only folder, full disk …) into one
    :class:`ArtifactError` naming the path and the cause; ``publish`` has already removed the
    half-written run, so the previous one stays published."""
    try:
        yield
    except OSError as exc:
        raise ArtifactError(
            f"cannot write the artifacts under {paths.root}: {describe_os_error(exc)}; the previous run is "
            "still published"
        ) from None


@contextlib.contextmanager
def run_lock(paths: ArtifactPaths) -> Iterator[None]:
    """Exclusive lock on the artifact folder; a second concurrent run fails fast with a clear error."""
    paths.models_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ArtifactError(f"another pipeline run is writing to {paths.root}; try again when it ends") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def csv_bytes(frame: Any) -> bytes:
    """CSV with a fixed float format and LF endings: the same frame always gives the same bytes.
    Cells a spreadsheet would run as formulas are neutralised (see :mod:`csv_safety`)."""
    return csv_safety.csv_bytes(frame, float_format=CSV_FLOAT_FORMAT)


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet (zstd) with repeated text columns dictionary-encoded; no pandas index."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def render_processed(result: RunResult, paths: ArtifactPaths) -> list[tuple[Path, bytes]]:
    """The preprocessed and clustered tables, encoded in the format the rule picks."""
    files = processed_files(paths, len(result.clean))
    if processed_format(len(result.clean)) == "csv":
        encode = csv_bytes
        clustered = result.clustered_table()
    else:
        encode = parquet_bytes
        clustered = result.clustered_table(categorical_names=True)
    extra = processed_files(paths, len(result.clean), tuple(result.extra_tables))
    return [
        (files["preprocessed_data"], encode(result.preprocessed_table())),
        (files["clustered_data"], encode(clustered)),
        *((extra[name], encode(table)) for name, table in result.extra_tables.items()),
    ]


def _remove_other_format(paths: ArtifactPaths, rows: int) -> None:
    current = set(processed_files(paths, rows).values())
    for name in PROCESSED_TABLES:
        for suffix in ("csv", "parquet"):
            stale = paths.processed_dir / f"{name}.{suffix}"
            if stale not in current and not stale.is_symlink():  # a plain file from an older layout
                stale.unlink(missing_ok=True)


def heatmap_columns(result: RunResult) -> list[tuple[str, str, str | None]]:
    """The profile heatmap's columns: every numeric feature, then each categorical feature's levels."""
    schema = result.schema
    columns: list[tuple[str, str, str | None]] = [(s.name, s.display, None) for s in schema.numeric_features]
    for spec in schema.categorical_features:
        for level in sorted(result.clean[spec.name].astype(str).unique()):
            columns.append((spec.name, f"{spec.display}: {level}", level))
    return columns


def render_figures(result: RunResult) -> dict[str, bytes]:
    """All report figures as PNG bytes, keyed by file name (no 3D figure when there is no third axis)."""
    from .reporting.axes import plot_frame

    rs = result.selection.random_state
    detail = result.silhouette_detail
    axes = result.axes
    frame = plot_frame(result.clean, axes, result.x, rs)
    labels = {s.name: s.display for s in result.schema.columns}
    rendered = {
        figures.FIGURE_2D: figures.scatter_2d(frame, result.labels, result.profiles, rs, axes, labels),
    }
    if axes.three is not None:
        rendered[figures.FIGURE_3D] = figures.scatter_3d(frame, result.labels, result.profiles, rs, axes, labels)
    if any(p.revenue_share is not None for p in result.profiles):
        rendered[figures.FIGURE_REVENUE] = figures.revenue_share(result.profiles)
    rendered.update(
        {
            figures.FIGURE_SILHOUETTE_BY_K: figures.silhouette_by_k(result.selection),
            figures.FIGURE_SILHOUETTE_SAMPLES: figures.silhouette_samples_plot(
                detail.values, detail.labels, result.profiles, detail.overall
            ),
            figures.FIGURE_ELBOW: figures.elbow(result.selection),
            figures.FIGURE_HEATMAP: figures.profile_heatmap(
                result.clean,
                result.labels,
                result.profiles,
                heatmap_columns(result),
                frozenset(s.name for s in result.schema.numeric_features if s.transform.value == "log1p"),
            ),
        }
    )
    return rendered


def write_artifacts(
    result: RunResult,
    paths: ArtifactPaths,
    progress: SilentProgress | None = None,
    *,
    engine: str = "scikit-learn",
    spark: dict[str, Any] | None = None,
    settings: Settings | None = None,
    lineage_root: Path | None = None,
    record: bool = True,
) -> None:
    """Link the run to the published one (stable segment ids), render everything in memory, publish the
    run atomically, then record it in the store (``engine`` and ``spark`` go to the card: see
    :func:`card_builder.build_card`; ``settings`` name the store, see :func:`lifecycle.stage.store_url`).

    All of it holds the run lock, so the parent cannot change between matching and publishing.
    A run staged in a private folder to be published elsewhere later links to the run published
    under ``lineage_root`` (and that root's store) instead, and passes ``record=False``: the store
    records it from its artifacts once it is published there (``lifecycle.recording.reconcile``).
    """
    from .lifecycle import stage

    progress = progress or SilentProgress()
    settings = settings or get_settings()
    key = get_settings().model_key
    with contextlib.ExitStack() as held:
        with writing_errors(paths):
            held.enter_context(run_lock(paths))
        with progress.stage("Matching segments to the previous model"):
            parent_root = lineage_root or paths.root
            store = stage.open_store(stage.store_url(settings, parent_root))
            held.callback(store.close)
            stage.link_to_published(result, parent_root, store, key)
        with progress.stage(f"Encoding processed data ({processed_format(len(result.clean))})"):
            rendered: list[tuple[Path, bytes]] = render_processed(result, paths)
        with progress.stage("Rendering figures and report"):
            rendered += [(paths.figures_dir / name, png) for name, png in render_figures(result).items()]
            rendered.append((paths.data_quality, (json.dumps(result.quality.to_dict(), indent=2) + "\n").encode()))
            card = build_card(result, engine=engine, key=key, spark=spark)
            rendered += lineage_files(result, paths, card.model_version)
            rendered.append((paths.summary, build_summary(result).encode("utf-8")))
            rendered.append((paths.model, result.model_bytes))
            rendered.append((paths.model_card, card.to_json().encode("utf-8")))
        with progress.stage("Writing artifacts"), writing_errors(paths):
            publish(paths.root, {str(path.relative_to(paths.root)): data for path, data in rendered})
            _remove_other_format(paths, len(result.clean))
        if record:
            with progress.stage("Recording the run in the store"):
                stage.record_result(store, result, card)


def lineage_files(result: RunResult, paths: ArtifactPaths, model_version: str) -> list[tuple[Path, bytes]]:
    """``reports/migration.json`` and, when customers can be followed, the migration heatmap."""
    from .lifecycle.report import migration_payload
    from .reporting.migration_figure import migration_heatmap

    continuity = result.lineage
    if continuity is None:
        return []
    payload = json.dumps(migration_payload(continuity, model_version), indent=2, allow_nan=False) + "\n"
    files = [(paths.migration, payload.encode("utf-8"))]
    if continuity.migration is not None:
        png = migration_heatmap(continuity.migration, same_lineage=continuity.continued)
        files.append((paths.figures_dir / figures.FIGURE_MIGRATION, png))
    return files


def read_card(paths: ArtifactPaths) -> ModelCard:
    """The typed model card, or ArtifactError when it is missing, unreadable or of another format."""
    try:
        text = paths.model_card.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArtifactError(f"no model card at {paths.model_card}: run `python backend/src/main.py` to train") from None
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"model card {paths.model_card} is unreadable ({exc})") from None
    try:
        return read_card_text(text)
    except CardError as exc:
        raise ArtifactError(str(exc)) from None


def load_pipeline_trusted(paths: ArtifactPaths) -> Pipeline:
    """Unpickle the model, for TRUSTED callers only (tests, benchmarks, your own scripts).

    The bytes must match the SHA-256 recorded in the card; but whoever can write the artifacts folder
    can rewrite both, and unpickling runs code. So call this only on a folder you trust as much as
    your own code. The API and the notebooks never call it: they serve from the card's pickle-free
    spec (a test greps them for this name).
    """
    card = read_card(paths)
    # Read the model from the folder the card really lives in: both come from the same published run.
    model_path = paths.model_card.resolve().parent / paths.model.name
    try:
        data = model_path.read_bytes()
    except FileNotFoundError:
        raise ArtifactError(f"no model at {paths.model}: run `python backend/src/main.py` to train") from None
    if sha256_bytes(data) != card.model_sha256:
        raise ArtifactError(f"{paths.model} does not match the SHA-256 in {paths.model_card}; refusing to load it")
    pipeline: Pipeline = joblib.load(io.BytesIO(data))
    return pipeline
