"""The whole run: input → clean → scale → choose k → fit → profile → artifacts.

:func:`train` is pure (DataFrame in, :class:`RunResult` out); :func:`run` adds the edges — finding the
input and writing every artifact. Nothing is written until everything has been computed, so a bad
input leaves every existing artifact exactly as it was.
"""

from __future__ import annotations

import copy
import io
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from .config import ArtifactPaths, Settings, get_settings
from .data.clean import CleaningOptions, QualityReport, clean_customers
from .data.fetch import fetch_mall_customers, sha256_bytes, sha256_file
from .data.load import LoadedTable, read_table
from .features import build_preprocessor, validate_features
from .modeling import card as model_card
from .modeling.select_k import KSelection, SweepSettings, k_candidates, select_k
from .modeling.serving import ServingModel
from .modeling.stability import Stability, bootstrap_stability
from .modeling.train import (
    SilhouetteDetail,
    assemble_pipeline,
    centers_in_original_units,
    fit_final_kmeans,
    per_cluster_silhouette,
)
from .profiling import SegmentProfile, profile_segments
from .progress import SilentProgress
from .schema import CUSTOMER_ID, DEFAULT_FEATURES

SEGMENT = "segment"
SEGMENT_NAME = "segment_name"
SERVING_CALIBRATION_ROWS = 200_000
PICKLED_LABELS_MAX_ROWS = 100_000


@dataclass(frozen=True)
class RunConfig:
    """Every setting of a run; recorded in the model card so the run can be reproduced."""

    data: Path | None = None
    features: tuple[str, ...] = DEFAULT_FEATURES
    sweep: SweepSettings = field(default_factory=SweepSettings)
    clip_outliers: bool = False
    bootstrap_resamples: int = 20

    def command(self) -> str:
        """The CLI invocation that reproduces this run."""
        args = ["python", "backend/src/main.py"]
        if self.data is not None:
            args += ["--data", str(self.data)]
        args += ["--features", ",".join(self.features)]
        if self.sweep.pinned_k is not None:
            args += ["--k", str(self.sweep.pinned_k)]
        args += ["--k-min", str(self.sweep.k_min), "--k-max", str(self.sweep.k_max)]
        args += ["--random-state", str(self.sweep.random_state)]
        if self.sweep.n_init != SweepSettings.n_init:
            args += ["--n-init", str(self.sweep.n_init)]
        if self.bootstrap_resamples != RunConfig.bootstrap_resamples:
            args += ["--bootstrap", str(self.bootstrap_resamples)]
        if self.clip_outliers:
            args.append("--clip-outliers")
        return shlex.join(args)


@dataclass
class RunResult:
    """Everything a run computed, in memory."""

    config: RunConfig
    source_name: str
    input_sha256: str
    features: tuple[str, ...]
    clean: pd.DataFrame
    quality: QualityReport
    pipeline: Pipeline
    x: np.ndarray
    labels: np.ndarray
    selection: KSelection
    silhouette_detail: SilhouetteDetail
    stability: Stability
    profiles: list[SegmentProfile]
    serving: ServingModel
    versions: dict[str, str] = field(default_factory=model_card.library_versions)
    model_bytes: bytes = b""
    created_at: str = field(default_factory=model_card.utc_now)
    loaded: LoadedTable | None = None

    @property
    def model_sha256(self) -> str:
        return sha256_bytes(self.model_bytes)

    @property
    def model_version(self) -> str:
        return model_card.model_version(self.model_sha256, self.created_at)

    @property
    def command(self) -> str:
        return self.config.command()

    # -- tables --------------------------------------------------------------------------------
    def clustered_table(self, *, categorical_names: bool = False) -> pd.DataFrame:
        """The cleaned customers with their segment id and name appended.

        ``categorical_names`` stores the names as a categorical (codes + k strings): what a
        10 M-row table needs, instead of 10 M string references.
        """
        names = [p.name for p in self.profiles]
        segment_names: Any = (
            pd.Categorical.from_codes(self.labels, categories=names)
            if categorical_names
            else np.array(names, dtype=object)[self.labels]
        )
        return self.clean.assign(**{SEGMENT: self.labels, SEGMENT_NAME: segment_names})

    def preprocessed_table(self) -> pd.DataFrame:
        from .features import preprocessed_table

        return preprocessed_table(self.clean, self.pipeline.named_steps["preprocess"])

    def outputs(self) -> dict[str, str]:
        """Where this run's processed tables are, relative to the artifact root (format by size)."""
        from .artifacts import processed_files
        from .config import ArtifactPaths

        files = processed_files(ArtifactPaths(Path(".")), len(self.clean))
        return {name: path.as_posix() for name, path in files.items()}

    def card(self) -> dict[str, Any]:
        """The model card as a JSON-ready dict."""
        sel = self.selection
        return {
            "schema_version": model_card.CARD_SCHEMA_VERSION,
            "model_version": self.model_version,
            "created_at": self.created_at,
            "engine": "scikit-learn",
            "model_file": "clustering_model.pkl",
            "model_sha256": self.model_sha256,
            "k": sel.chosen_k,
            "features": list(self.features),
            "k_selection": sel.to_dict(),
            "silhouette": {
                "overall": self.silhouette_detail.overall,
                "per_segment": self.silhouette_detail.per_cluster,
                "rows": self.silhouette_detail.rows,
            },
            "stability": {**self.stability.to_dict(), "verdict": self.stability.verdict},
            "segments": [p.to_dict() for p in self.profiles],
            "data": {
                "source": self.source_name,
                "sha256": self.input_sha256,
                "rows_in": self.quality.rows_in,
                "rows_used": self.quality.rows_out,
            },
            "data_quality": self.quality.to_dict(),
            "cluster_order": "segment ids sorted by centroid annual_income, then spending_score, then age",
            "random_state": sel.random_state,
            "settings": {
                "clip_outliers": self.config.clip_outliers,
                "bootstrap_resamples": self.config.bootstrap_resamples,
                "sweep": self.config.sweep.__dict__,
            },
            "outputs": self.outputs(),
            "reproduce": self.command,
            "library_versions": self.versions,
            "serving": self.serving.to_dict(),
        }


def train(
    frame: pd.DataFrame,
    config: RunConfig,
    progress: SilentProgress | None = None,
    *,
    source_name: str = "<frame>",
    input_sha256: str = "",
) -> RunResult:
    """Clean ``frame`` (canonical column names) and fit everything; touches no file."""
    progress = progress or SilentProgress()
    features = validate_features(config.features)
    with progress.stage("Cleaning and validating"):
        clean, quality = clean_customers(frame, CleaningOptions(features, config.clip_outliers))
    with progress.stage("Scaling features"):
        preprocessor = build_preprocessor(features)
        x = np.ascontiguousarray(preprocessor.fit_transform(clean[list(features)]), dtype="float64")
    sweep = config.sweep
    with (
        progress.stage(f"Choosing k by silhouette (k={sweep.k_min}..{sweep.k_max}, {len(x)} rows)"),
        progress.steps(len(k_candidates(sweep, len(x))), "k sweep") as advance,
    ):
        selection = select_k(x, sweep, on_k=lambda s: advance(f"k={s.k} silhouette {s.silhouette:.4f}"))
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
    with progress.stage("Profiling segments"):
        centroids = centers_in_original_units(preprocessor, pipeline.named_steps["kmeans"].cluster_centers_)
        profiles = profile_segments(
            clean, labels, centroids, silhouettes=detail.per_cluster, overall_silhouette=detail.overall
        )
        calibration = _calibration_rows(len(x), config.sweep.random_state)
        serving = ServingModel.from_pipeline(pipeline, x[calibration], labels[calibration])
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


def load_input(config: RunConfig, settings: Settings) -> tuple[LoadedTable, str]:
    """Read the configured input (fetching the canonical data if none is given) and hash it.

    The fast (pyarrow, typed) reader is used; it falls back to the text reader by itself wherever
    the two could disagree, so the cleaning counts are those of the text reader either way.
    """
    path = config.data if config.data is not None else fetch_mall_customers(settings)
    loaded = read_table(path, engine="fast")
    return loaded, sha256_file(path)


def run(
    config: RunConfig,
    settings: Settings | None = None,
    progress: SilentProgress | None = None,
    paths: ArtifactPaths | None = None,
) -> RunResult:
    """The full pipeline with its edges: read input, train, write every artifact."""
    from .artifacts import write_artifacts

    settings = settings or get_settings()
    progress = progress or SilentProgress()
    paths = paths or settings.paths
    with progress.stage("Loading data"):
        loaded, digest = load_input(config, settings)
    result = train(loaded.frame, config, progress, source_name=Path(loaded.source).name, input_sha256=digest)
    result.loaded = loaded
    write_artifacts(result, paths, progress)
    return result


__all__ = ["CUSTOMER_ID", "SEGMENT", "SEGMENT_NAME", "RunConfig", "RunResult", "run", "train"]
