"""The whole run: input → clean → scale → choose k → fit → profile → artifacts.

:func:`train` is pure (DataFrame in, :class:`RunResult` out); :func:`run` adds the edges — finding the
input, matching the feature schema to its header and writing every artifact. Nothing is written until
everything has been computed, and a declared column the table lacks is refused before any data is
read, so a bad input leaves every existing artifact exactly as it was.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from .config import ArtifactPaths, Settings, get_settings
from .data.clean import CleaningOptions, clean_customers
from .data.fetch import fetch_mall_customers, sha256_file
from .data.load import LoadedTable, read_header, read_table
from .errors import ConfigError, DataError
from .feature_schema import SMALL_SEGMENT_SHARE, SMALL_SEGMENT_SIZE, FeatureSchema, looks_like_mall, match_columns
from .features import build_preprocessor, resolve_transforms
from .modeling.evidence import K_RESAMPLES, apply_rule, k_evidence, segment_jaccard, stability_by_k
from .modeling.select_k import k_candidates, select_k
from .modeling.serving import ServingModel
from .modeling.stability import bootstrap_stability
from .modeling.train import (
    assemble_pipeline,
    centers_in_original_units,
    fit_final_kmeans,
    per_cluster_silhouette,
)
from .profiling import SegmentProfile, profile_segments
from .progress import SilentProgress
from .reporting.axes import choose_axes
from .run_result import SEGMENT, SEGMENT_NAME, RunConfig, RunResult
from .schema import CUSTOMER_ID
from .schema_builder import build_schema, with_header_labels
from .schema_profiles import schema_profiles

SERVING_CALIBRATION_ROWS = 200_000
PICKLED_LABELS_MAX_ROWS = 100_000


def _profiles(
    schema: FeatureSchema, clean: pd.DataFrame, labels: np.ndarray, centroids: pd.DataFrame, detail: object
) -> list[SegmentProfile]:
    silhouettes = getattr(detail, "per_cluster", None)
    overall = getattr(detail, "overall", None)
    if schema.kind == "mall":
        return profile_segments(clean, labels, centroids, silhouettes=silhouettes, overall_silhouette=overall)
    return schema_profiles(clean, labels, centroids, schema, silhouettes=silhouettes, overall_silhouette=overall)


def segment_warnings(profiles: list[SegmentProfile], total: int) -> list[str]:
    """A segment under SMALL_SEGMENT_SHARE of customers or SMALL_SEGMENT_SIZE customers is fragile."""
    return [
        f"segment {p.id} ({p.name}) has only {p.size} customers ({p.share:.1%}): too small to act on reliably"
        for p in profiles
        if p.size < SMALL_SEGMENT_SIZE or (total and p.size / total < SMALL_SEGMENT_SHARE)
    ]


def train(
    frame: pd.DataFrame,
    config: RunConfig,
    progress: SilentProgress | None = None,
    *,
    source_name: str = "<frame>",
    input_sha256: str = "",
    schema: FeatureSchema | None = None,
) -> RunResult:
    """Clean ``frame`` (canonical column names) and fit everything; touches no file.

    ``schema`` defaults to the one ``config`` declares for the frame's columns (the Mall schema when
    nothing is declared).
    """
    progress = progress or SilentProgress()
    if schema is None:
        schema = build_schema([str(c) for c in frame.columns], config.schema_request())
    with progress.stage("Cleaning and validating"):
        options = CleaningOptions(schema.feature_names, config.clip_outliers, schema=schema)
        clean, quality = clean_customers(frame, options)
    with progress.stage("Scaling features"):
        schema = resolve_transforms(schema, clean)
        features = schema.feature_names
        preprocessor = build_preprocessor(schema)
        x = np.ascontiguousarray(preprocessor.fit_transform(clean[list(features)]), dtype="float64")
    sweep = config.sweep
    with (
        progress.stage(f"Choosing k by silhouette (k={sweep.k_min}..{sweep.k_max}, {len(x)} rows)"),
        progress.steps(len(k_candidates(sweep, len(x))), "k sweep") as advance,
    ):
        selection = select_k(x, sweep, on_k=lambda s: advance(f"k={s.k} silhouette {s.silhouette:.4f}"))
    with progress.stage(f"Measuring how certain k is ({K_RESAMPLES} resamples)"):
        k_certainty = k_evidence(x, selection, config.k_rule)
        if k_certainty is not None:
            selection = apply_rule(selection, k_certainty)
    with progress.stage(f"Fitting K-Means with k={selection.chosen_k}"):
        pipeline = assemble_pipeline(preprocessor, fit_final_kmeans(x, selection))
        labels = np.asarray(pipeline.named_steps["kmeans"].labels_, dtype="int64")
    with progress.stage("Measuring silhouette per segment and bootstrap stability"):
        detail = per_cluster_silhouette(x, labels, selection.chosen_k, config.sweep.random_state)
        stability = bootstrap_stability(
            x,
            pipeline.named_steps["kmeans"],
            resamples=config.bootstrap_resamples,
            n_init=selection.n_init,  # as many restarts as the sweep used
            random_state=config.sweep.random_state,
        )
        by_k = stability_by_k(x, selection, config.bootstrap_resamples)
        jaccard = segment_jaccard(x, labels, selection) if k_certainty is not None else None
    with progress.stage("Profiling segments"):
        centroids = centers_in_original_units(preprocessor, pipeline.named_steps["kmeans"].cluster_centers_)
        profiles = _profiles(schema, clean, labels, centroids, detail)
        if jaccard is not None:
            for profile in profiles:
                segment = jaccard.segment(profile.id)
                profile.jaccard, profile.jaccard_reading = segment.mean_jaccard, segment.reading
        calibration = _calibration_rows(len(x), config.sweep.random_state)
        serving = ServingModel.from_pipeline(pipeline, x[calibration], labels[calibration])
        axes = choose_axes(schema, clean, x, labels, config.sweep.random_state)
    warnings = run_warnings(config, quality.warnings, profiles, len(clean))
    with progress.stage("Serialising the model"):
        model_bytes = _model_bytes(pipeline)
    return RunResult(
        config=config,
        source_name=source_name,
        input_sha256=input_sha256,
        features=features,
        clean=clean,
        quality=quality,
        pipeline=pipeline,
        x=x,
        labels=labels,
        selection=selection,
        silhouette_detail=detail,
        stability=stability,
        profiles=profiles,
        serving=serving,
        schema=schema,
        axes=axes,
        warnings=warnings,
        k_certainty=k_certainty,
        stability_by_k=by_k,
        segment_stability=jaccard,
        model_bytes=model_bytes,
    )


def _calibration_rows(n_rows: int, random_state: int) -> np.ndarray | slice:
    """Rows that calibrate the serving model's OOD thresholds: all of them up to
    SERVING_CALIBRATION_ROWS, else a fixed-seed sample (an (n, k) distance matrix of 10 M rows
    would need gigabytes, and a quantile of 200 k distances is already precise)."""
    if n_rows <= SERVING_CALIBRATION_ROWS:
        return slice(None)
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_rows, SERVING_CALIBRATION_ROWS, replace=False))


def _model_bytes(pipeline: Pipeline) -> bytes:
    """The pickled pipeline. Above PICKLED_LABELS_MAX_ROWS the K-Means' ``labels_`` (one int per
    training row, unused by ``predict``) is left out of the file, so a 10 M-row model stays a few
    kilobytes instead of tens of megabytes; the labels are in the clustered output anyway."""
    kmeans = pipeline.named_steps["kmeans"]
    if len(getattr(kmeans, "labels_", ())) > PICKLED_LABELS_MAX_ROWS:
        slim = copy.copy(kmeans)
        del slim.labels_
        pipeline = Pipeline([("preprocess", pipeline.named_steps["preprocess"]), ("kmeans", slim)])
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    return buffer.getvalue()


def run_warnings(config: RunConfig, quality: list[str], profiles: list[SegmentProfile], total: int) -> list[str]:
    """The run's warnings (cleaning, then segments); ``--strict`` turns them into a DataError."""
    warnings = [*quality, *segment_warnings(profiles, total)]
    if config.strict and warnings:
        more = f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else ""
        raise DataError(f"--strict: {warnings[0]}{more}")
    return warnings


def input_schema(path: Path, config: RunConfig) -> FeatureSchema:
    """The feature schema for the table at ``path``, matched against its header before any data is
    read: a declared column the table lacks is a one-line DataError here."""
    return schema_for_headers(read_header(path), config)


def schema_for_headers(headers: list[str], config: RunConfig) -> FeatureSchema:
    """The feature schema ``config`` declares for a table with ``headers`` (as written), matched
    against them (also how the Spark engine resolves the schema of a URI from Spark's header)."""
    schema = build_schema(headers, config.schema_request())
    try:
        mapping = match_columns(headers, schema)
    except DataError as exc:
        if schema.kind == "mall" and config.features is not None and not looks_like_mall(headers):
            raise DataError(
                f"{exc}; to segment another table name its columns: --features a,b,c [--categorical x] "
                "(or write a draft schema with --infer-schema draft.toml)"
            ) from None
        raise
    return with_header_labels(schema, mapping)


def load_input(config: RunConfig, settings: Settings) -> tuple[LoadedTable, str, FeatureSchema]:
    """Read the configured input (fetching the canonical data if none is given), its schema and hash.

    The fast (pyarrow, typed) reader is used; it falls back to the text reader by itself wherever
    the two could disagree, so the cleaning counts are those of the text reader either way.
    """
    if config.data is not None and str(config.data).strip() in ("", "."):
        raise ConfigError("--data is empty: give the path of a CSV or Parquet file")
    path = config.data if config.data is not None else fetch_mall_customers(settings)
    schema = input_schema(path, config)
    loaded = read_table(path, engine="fast", schema=schema)
    return loaded, sha256_file(path), schema


def run(
    config: RunConfig,
    settings: Settings | None = None,
    progress: SilentProgress | None = None,
    paths: ArtifactPaths | None = None,
    *,
    lineage_root: Path | None = None,
    record: bool = True,
) -> RunResult:
    """The full pipeline with its edges: read input, train, write every artifact (a run staged to be
    published elsewhere passes that folder as ``lineage_root`` and ``record=False``: see
    :func:`artifacts.write_artifacts`)."""
    from .artifacts import write_artifacts

    settings = settings or get_settings()
    progress = progress or SilentProgress()
    paths = paths or settings.paths
    with progress.stage("Loading data"):
        loaded, digest, schema = load_input(config, settings)
    result = train(
        loaded.frame, config, progress, source_name=Path(loaded.source).name, input_sha256=digest, schema=schema
    )
    result.loaded = loaded
    write_artifacts(result, paths, progress, settings=settings, lineage_root=lineage_root, record=record)
    return result


__all__ = ["CUSTOMER_ID", "SEGMENT", "SEGMENT_NAME", "RunConfig", "RunResult", "run", "train"]
