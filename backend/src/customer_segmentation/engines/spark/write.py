"""Artifacts of a large Spark run: the clustered table as Parquet written by Spark, the rest as usual.

The figures, reports, model and card are rendered by the default engine's own functions, and the
whole run is published at once by :func:`publish.publish` (its own run folder, one atomic symlink
swap), under the default engine's lock. The processed tables never visit the driver as a whole:
Spark writes each as Parquet parts into a staging folder under the output root, then the parts are
streamed, batch by batch, into the single file the default engine writes at that size
(``data/processed/{preprocessed,clustered}_data.parquet``; bounded memory) inside the new run.
On a cluster the output root must therefore be a folder that the driver and the executors share.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.parquet as pq
from sklearn.pipeline import Pipeline

from ...artifact_layout import PROCESSED_TABLES
from ...artifacts import render_figures, run_lock, writing_errors
from ...card_builder import build_card
from ...config import ArtifactPaths
from ...features import GENDER_ENCODED
from ...progress import SilentProgress
from ...publish import publish
from ...reporting.summary import build_summary
from ...run_result import SEGMENT, SEGMENT_NAME
from ...schema import GENDER, GENDER_CATEGORIES
from .read import ROW
from .result import SparkRunResult
from .scale import FEATURES

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

BATCH_ROWS = 1_000_000


def merge_parquet_parts(folder: Path, target: Path) -> int:
    """Stream Spark's part files (in part order) into one Parquet file; returns rows.

    ``target`` is a file inside a run being staged by ``publish``: it becomes visible atomically.
    """
    parts = sorted(folder.glob("part-*.parquet"))
    rows = 0
    writer: pq.ParquetWriter | None = None
    try:
        for part in parts:
            handle = pq.ParquetFile(part)
            if writer is None:
                writer = pq.ParquetWriter(target, handle.schema_arrow)
            for batch in handle.iter_batches(batch_size=BATCH_ROWS):
                writer.write_batch(batch)
                rows += batch.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows


def _spark_parquet(table: DataFrame, scratch: Path) -> Callable[[Path], None]:
    """A writer for ``publish``: Spark writes parts under ``scratch``, merged into the staged file."""

    def write(target: Path) -> None:
        staging = scratch / f".spark-{uuid.uuid4().hex}"
        try:
            table.orderBy(ROW).drop(ROW).write.mode("overwrite").parquet(staging.resolve().as_uri())
            merge_parquet_parts(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    return write


def processed_tables(result: SparkRunResult, predictions: DataFrame, clean_columns: list[str]) -> dict[str, DataFrame]:
    """The two processed tables as Spark DataFrames, with the default engine's columns
    (:func:`RunResult.preprocessed_table` and :func:`RunResult.clustered_table`)."""
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F

    id_name = result.schema.id_name
    names = F.array(*[F.lit(p.name) for p in result.profiles])
    clustered = predictions.select(
        ROW,
        *[c for c in clean_columns if c != ROW],
        SEGMENT,
        F.element_at(names, F.col(SEGMENT) + 1).alias(SEGMENT_NAME),
    )
    pipeline: Pipeline = result.pipeline
    scaled_names = [str(c) for c in pipeline.named_steps["preprocess"].get_feature_names_out()]
    scaled_names = [GENDER_ENCODED if c == "gender_Male" else c for c in scaled_names]
    arr = vector_to_array(F.col(FEATURES))
    parts = [F.col(ROW), F.col(id_name)]
    if result.schema.kind == "mall" and GENDER in clean_columns and GENDER_ENCODED not in scaled_names:
        parts.append((F.col(GENDER) == GENDER_CATEGORIES[1]).cast("long").alias(GENDER_ENCODED))
    parts += [arr[i].alias(name) for i, name in enumerate(scaled_names)]
    return {"preprocessed_data": predictions.select(*parts), "clustered_data": clustered}


def write_large_artifacts(
    result: SparkRunResult,
    tables: dict[str, DataFrame],
    paths: ArtifactPaths,
    progress: SilentProgress | None = None,
    *,
    key: str | None = None,
) -> None:
    """Write every artifact of a large run; the processed tables (by name) go through Spark. The card
    is the one :func:`build_card` builds (signed with ``key``), naming the Parquet tables."""
    progress = progress or SilentProgress()
    with progress.stage("Rendering figures and report"):
        rendered: list[tuple[Path, bytes]] = [(paths.figures_dir / n, png) for n, png in render_figures(result).items()]
        rendered.append((paths.data_quality, (json.dumps(result.quality.to_dict(), indent=2) + "\n").encode()))
        card = build_card(result, engine="spark", key=key, spark=result.spark)  # sets result.model_version
        if any(card.outputs.get(name) != f"data/processed/{name}.parquet" for name in PROCESSED_TABLES):
            raise RuntimeError("the card must name the Parquet tables Spark writes")  # pragma: no cover
        rendered.append((paths.summary, build_summary(result).encode("utf-8")))
        rendered.append((paths.model, result.model_bytes))
        rendered.append((paths.model_card, card.to_json().encode("utf-8")))
    files: dict[str, bytes | Callable[[Path], None]] = {
        str((paths.processed_dir / f"{name}.parquet").relative_to(paths.root)): _spark_parquet(table, paths.root)
        for name, table in tables.items()
    }
    files.update({str(path.relative_to(paths.root)): data for path, data in rendered})
    with (
        progress.stage("Writing the clustered table (Spark → Parquet) and artifacts"),
        writing_errors(paths),
        run_lock(paths),
    ):
        publish(paths.root, files)
        for name in tables:
            # A plain CSV left by an older small run describes another model: don't leave it beside this one.
            stale = paths.processed_dir / f"{name}.csv"
            if not stale.is_symlink():
                stale.unlink(missing_ok=True)
