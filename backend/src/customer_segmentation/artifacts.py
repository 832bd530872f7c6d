"""Write (and read back) every artifact of a run, published all at once.

Everything is rendered in memory first, so a failing run writes nothing. Then the whole run is
published by :func:`publish.publish`: written to its own folder and switched in by one atomic
symlink swap, so readers see the previous run or the new one, never a mix — even when the
pipeline is killed mid-way. The card names the model's SHA-256, and ``load_pipeline`` refuses a
model the card does not vouch for. A lock keeps two runs from interleaving.

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

from .config import ArtifactPaths
from .data.fetch import sha256_bytes
from .errors import SegmentationError
from .modeling import card as model_card
from .progress import SilentProgress
from .publish import publish
from .reporting import figures
from .reporting.summary import build_summary

if TYPE_CHECKING:
    from .pipeline import RunResult

CSV_FLOAT_FORMAT = "%.10g"
CSV_MAX_ROWS = 100_000
PROCESSED_TABLES = ("preprocessed_data", "clustered_data")


class ArtifactError(SegmentationError):
    """An artifact is missing, unreadable or does not match its model card."""


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
    """CSV with a fixed float format and LF endings: the same frame always gives the same bytes."""
    return frame.to_csv(index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n").encode("utf-8")


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet (zstd) with repeated text columns dictionary-encoded; no pandas index."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def processed_format(rows: int) -> str:
    """``"csv"`` up to CSV_MAX_ROWS rows, else ``"parquet"`` (see the module docstring)."""
    return "csv" if rows <= CSV_MAX_ROWS else "parquet"


def processed_files(paths: ArtifactPaths, rows: int) -> dict[str, Path]:
    """The processed tables a run of ``rows`` cleaned rows writes, by table name."""
    suffix = processed_format(rows)
    return {name: paths.processed_dir / f"{name}.{suffix}" for name in PROCESSED_TABLES}


def render_processed(result: RunResult, paths: ArtifactPaths) -> list[tuple[Path, bytes]]:
    """The preprocessed and clustered tables, encoded in the format the rule picks."""
    files = processed_files(paths, len(result.clean))
    if processed_format(len(result.clean)) == "csv":
        encode = csv_bytes
        clustered = result.clustered_table()
    else:
        encode = parquet_bytes
        clustered = result.clustered_table(categorical_names=True)
    return [
        (files["preprocessed_data"], encode(result.preprocessed_table())),
        (files["clustered_data"], encode(clustered)),
    ]


def _remove_other_format(paths: ArtifactPaths, rows: int) -> None:
    current = set(processed_files(paths, rows).values())
    for name in PROCESSED_TABLES:
        for suffix in ("csv", "parquet"):
            stale = paths.processed_dir / f"{name}.{suffix}"
            if stale not in current and not stale.is_symlink():  # a plain file from an older layout
                stale.unlink(missing_ok=True)


def render_figures(result: RunResult) -> dict[str, bytes]:
    """All report figures as PNG bytes, keyed by file name."""
    rs = result.selection.random_state
    detail = result.silhouette_detail
    return {
        figures.FIGURE_2D: figures.scatter_2d(result.clean, result.labels, result.profiles, rs),
        figures.FIGURE_3D: figures.scatter_3d(result.clean, result.labels, result.profiles, rs),
        figures.FIGURE_SILHOUETTE_BY_K: figures.silhouette_by_k(result.selection),
        figures.FIGURE_SILHOUETTE_SAMPLES: figures.silhouette_samples_plot(
            detail.values, detail.labels, result.profiles, detail.overall
        ),
        figures.FIGURE_ELBOW: figures.elbow(result.selection),
    }


def write_artifacts(result: RunResult, paths: ArtifactPaths, progress: SilentProgress | None = None) -> None:
    """Render everything in memory first, then publish the run atomically."""
    progress = progress or SilentProgress()
    with progress.stage(f"Encoding processed data ({processed_format(len(result.clean))})"):
        rendered: list[tuple[Path, bytes]] = render_processed(result, paths)
    with progress.stage("Rendering figures and report"):
        rendered += [(paths.figures_dir / name, png) for name, png in render_figures(result).items()]
        rendered.append((paths.data_quality, (json.dumps(result.quality.to_dict(), indent=2) + "\n").encode()))
        rendered.append((paths.summary, build_summary(result).encode("utf-8")))
        rendered.append((paths.model, result.model_bytes))
        rendered.append((paths.model_card, model_card.dumps(result.card()).encode("utf-8")))
    with progress.stage("Writing artifacts"), run_lock(paths):
        publish(paths.root, {str(path.relative_to(paths.root)): data for path, data in rendered})
        _remove_other_format(paths, len(result.clean))


def read_card(paths: ArtifactPaths) -> dict[str, Any]:
    """The model card, or ArtifactError when it is missing or not valid JSON."""
    try:
        card: dict[str, Any] = json.loads(paths.model_card.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"no model card at {paths.model_card}: run `python backend/src/main.py` to train") from None
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"model card {paths.model_card} is unreadable ({exc})") from None
    return card


def load_pipeline(paths: ArtifactPaths) -> Pipeline:
    """Unpickle the model only after its bytes match the SHA-256 recorded in the card.

    Unpickling runs code, so a file that the card does not vouch for is never loaded.
    """
    card = read_card(paths)
    # Read the model from the folder the card really lives in: both come from the same published run.
    model_path = paths.model_card.resolve().parent / paths.model.name
    try:
        data = model_path.read_bytes()
    except FileNotFoundError:
        raise ArtifactError(f"no model at {paths.model}: run `python backend/src/main.py` to train") from None
    if sha256_bytes(data) != card.get("model_sha256"):
        raise ArtifactError(f"{paths.model} does not match the SHA-256 in {paths.model_card}; refusing to load it")
    pipeline: Pipeline = joblib.load(io.BytesIO(data))
    return pipeline
