"""``--engine spark``: the pipeline's stages on Spark, ending in the default engine's artifacts.

Load → clean (Spark SQL) → scale (Spark ML) → choose k on a sample collected to the driver (the
default engine's own estimator) → Spark ML K-Means on all rows → export to a scikit-learn Pipeline
→ profiles → artifacts. Up to :data:`SMALL_MAX_ROWS` cleaned rows everything is also collected to
the driver and written by the default engine's :func:`write_artifacts` (CSV outputs, identical in
format); above it, the clustered table stays distributed and Spark writes it as Parquet, while the
figures, silhouette detail, stability and serving thresholds use the driver sample.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np
import pandas as pd

from ...config import ArtifactPaths, Settings, get_settings
from ...data.clean import CleaningOptions
from ...data.fetch import fetch_mall_customers, sha256_file
from ...features import GENDER_ENCODED, validate_features
from ...modeling.serving import ServingModel
from ...modeling.stability import bootstrap_stability
from ...modeling.train import centers_in_original_units, per_cluster_silhouette
from ...pipeline import SEGMENT, SEGMENT_NAME, RunConfig, RunResult
from ...profiling import profile_segments, profiles_from_aggregates
from ...progress import SilentProgress
from ...schema import CUSTOMER_ID, GENDER, GENDER_CATEGORIES, NUMERIC_COLUMNS
from . import export, train
from .clean import clean_spark
from .read import ROW, check_local, local_path, read_spark_table
from .session import require_pyspark, spark_session

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

PROCESSED_TABLES = ("preprocessed_data", "clustered_data")

#: Up to this many cleaned rows the whole table is collected to the driver and written by the default
#: engine's write_artifacts (CSV, as the default engine does up to the same size); above it, Parquet.
SMALL_MAX_ROWS = 100_000
#: Spark K-Means restarts on large data (each is a full distributed fit; k-means|| is steadier there).
LARGE_RESTARTS = 3


@dataclass
class SparkRunResult(RunResult):
    """A :class:`RunResult` whose card and reproduce line say that Spark trained it."""

    spark: dict[str, Any] = field(default_factory=dict)
    spark_args: list[str] = field(default_factory=list)

    @property
    def command(self) -> str:
        return " ".join([self.config.command(), "--engine spark", *self.spark_args])

    def outputs(self) -> dict[str, str]:
        """The processed tables: as the default engine's when collected, else Parquet written by Spark."""
        if self.spark.get("collected_all_rows", True):
            return super().outputs()
        return {name: f"data/processed/{name}.parquet" for name in PROCESSED_TABLES}

    def card(self) -> dict[str, Any]:
        card = super().card()
        card["engine"] = "spark"
        card["spark"] = self.spark
        return card


def _input(config: RunConfig, settings: Settings, data_uri: str | None) -> tuple[str, str]:
    """The input location as Spark reads it, and its SHA-256 when it is one local file."""
    if config.data is None and not data_uri:
        path = fetch_mall_customers(settings)
        return str(path), sha256_file(path)
    data = data_uri or str(config.data)
    local = local_path(data)
    if local is not None:
        check_local(local)  # fail before the JVM starts
    digest = sha256_file(local) if local is not None and local.is_file() else ""
    return data, digest


def run_spark(
    config: RunConfig,
    settings: Settings | None = None,
    progress: SilentProgress | None = None,
    paths: ArtifactPaths | None = None,
    *,
    master: str = "local[*]",
    conf: dict[str, str] | None = None,
    spark: SparkSession | None = None,
    data_uri: str | None = None,
) -> RunResult:
    """Train on Spark and write the same artifacts as :func:`customer_segmentation.pipeline.run`.

    ``data_uri`` is the input as typed (``config.data`` is a ``Path``, which would fold the ``//``
    of a URI such as ``s3a://bucket/customers.parquet``); ``spark`` reuses a running session.
    """
    spark_version = require_pyspark()
    settings = settings or get_settings()
    progress = progress or SilentProgress()
    paths = paths or settings.paths
    features = validate_features(config.features)
    data, digest = _input(config, settings, data_uri)
    with contextlib.ExitStack() as stack:
        with progress.stage(f"Starting Spark ({master if spark is None else spark.sparkContext.master})"):
            session = stack.enter_context(spark_session(master, conf, spark))
        result, tables = _train(session, data, digest, config, features, progress)
        result.spark.update({"version": spark_version, "master": session.sparkContext.master})
        args = [
            "--spark-master",
            str(session.sparkContext.master),
            *(f"--spark-conf {k}={v}" for k, v in sorted((conf or {}).items())),
        ]
        result.spark_args = args
        if tables is None:
            from ...artifacts import write_artifacts

            write_artifacts(result, paths, progress)
        else:
            from .write import write_large_artifacts

            write_large_artifacts(result, tables, paths, progress)
        return result


def _train(
    spark: SparkSession, data: str, digest: str, config: RunConfig, features: tuple[str, ...], progress: SilentProgress
) -> tuple[SparkRunResult, dict[str, DataFrame] | None]:
    from pyspark.sql import functions as F

    with progress.stage("Loading data (Spark)"):
        table = read_spark_table(spark, data)
    with progress.stage("Cleaning and validating (Spark)"):
        cleaned = clean_spark(table.frame, CleaningOptions(features, config.clip_outliers))
        rows = cleaned.rows
    with progress.stage("Scaling features (Spark ML StandardScaler)"):
        scaled = train.scale_features(cleaned.frame, features, rows)
        width = len(scaled.numeric) + int(scaled.gender_in_model)
    small = rows <= SMALL_MAX_ROWS
    sweep = config.sweep
    with progress.stage(f"Choosing k by silhouette (k={sweep.k_min}..{sweep.k_max}) on the driver sample"):
        sample = scaled.frame if small else train.sweep_sample(scaled, sweep).persist()
        clean_rows, x = train.collect_sample(sample, width)
        selection = train.choose_k(x, sweep, rows)
    k = selection.chosen_k
    with progress.stage(f"Fitting Spark ML K-Means with k={k} on all {rows} rows"):
        # The bar a Spark fit must reach: the sweep's solution on all rows (its own inertia when it saw them all).
        saw_all = selection.sweep_index is None and len(x) == rows
        sweep_centers = selection.fitted[k].cluster_centers_
        target = selection.score_for(k).inertia if saw_all else train.cost_of_centers(scaled, sweep_centers)
        restarts = sweep.n_init if small else min(sweep.n_init, LARGE_RESTARTS)
        fit = train.fit_spark_kmeans(scaled, k, sweep.random_state, restarts, target)
        model = fit.model
        centers = np.asarray(model.clusterCenters(), dtype="float64")
        pipeline, remap = export.build_pipeline(
            clean_rows, features, scaled, centers, random_state=sweep.random_state, n_init=sweep.n_init
        )
        mapping = F.array(*[F.lit(int(v)) for v in remap])
        predictions = model.transform(scaled.frame).withColumn(
            SEGMENT, F.element_at(mapping, F.col(train.PREDICTION) + 1)
        )
        assigned: pd.DataFrame = model.transform(sample).select(ROW, train.PREDICTION).orderBy(ROW).toPandas()
        sample_labels = assigned[train.PREDICTION].to_numpy()
        labels = remap[sample_labels.astype("int64")]
        export.set_training_labels(pipeline, labels, model.summary.trainingCost, model.summary.numIter)
        spark_silhouette = train.spark_silhouette(predictions)
    with progress.stage("Measuring silhouette per segment and bootstrap stability"):
        detail = per_cluster_silhouette(x, labels, k, sweep.random_state)
        stability = bootstrap_stability(
            x,
            pipeline.named_steps["kmeans"],
            resamples=config.bootstrap_resamples,
            n_init=selection.n_init,  # as many restarts as the sweep used (default engine rule)
            random_state=sweep.random_state,
        )
    with progress.stage("Profiling segments" + ("" if small else " (Spark)")):
        preprocessor = pipeline.named_steps["preprocess"]
        centroids = centers_in_original_units(preprocessor, pipeline.named_steps["kmeans"].cluster_centers_)
        if small:
            profiles = profile_segments(
                clean_rows, labels, centroids, silhouettes=detail.per_cluster, overall_silhouette=detail.overall
            )
        else:
            profiles = _spark_profiles(predictions, centroids, rows, detail.per_cluster, detail.overall)
        serving = ServingModel.from_pipeline(pipeline, x, labels)
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    result = SparkRunResult(
        config=config,
        source_name=table.source,
        input_sha256=digest,
        features=features,
        clean=clean_rows,
        quality=cleaned.report,
        pipeline=pipeline,
        x=x,
        labels=labels,
        selection=selection,
        silhouette_detail=detail,
        stability=stability,
        profiles=profiles,
        serving=serving,
        model_bytes=buffer.getvalue(),
    )
    result.versions["pyspark"] = spark.version
    result.spark.update(
        {
            "rows_in": cleaned.report.rows_in,
            "rows_used": rows,
            "driver_sample_rows": len(x),
            "collected_all_rows": small,
            "kmeans": {
                "init": "k-means||",
                "seed": fit.seed,
                "restart_costs": {str(s): c for s, c in fit.costs.items()},
                "target_cost": target,
                "target_met": fit.costs[fit.seed] <= target * (1 + 1e-9),
                "max_iter": train.MAX_ITER,
                "tol": train.TOL,
                "iterations": int(model.summary.numIter),
                "training_cost": float(model.summary.trainingCost),
            },
            "scaler": {
                "spark_std_sample": scaled.spark_std.tolist(),
                "exported_scale_population": scaled.scale.tolist(),
                "note": "Spark's StandardScaler divides by the sample std (n-1); its output is multiplied "
                "by sqrt(n/(n-1)) so it equals scikit-learn's population-std scaling, which is exported",
            },
            "silhouette_squared_euclidean_all_rows": spark_silhouette,
            "silhouette_note": "k is chosen by the Euclidean silhouette, as in the default engine; Spark's "
            "ClusteringEvaluator (squared Euclidean only) of the final model on all rows is given for reference",
        }
    )
    if small:
        return result, None
    return result, _processed_tables(predictions, cleaned.frame.columns, pipeline, profiles)


def _processed_tables(
    predictions: DataFrame, clean_columns: list[str], pipeline: Any, profiles: list[Any]
) -> dict[str, DataFrame]:
    """The two processed tables as Spark DataFrames, with the default engine's columns."""
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F

    names = F.array(*[F.lit(p.name) for p in profiles])
    clustered = predictions.select(
        ROW,
        *[c for c in clean_columns if c != ROW],
        SEGMENT,
        F.element_at(names, F.col(SEGMENT) + 1).alias(SEGMENT_NAME),
    )
    scaled_names = [str(c) for c in pipeline.named_steps["preprocess"].get_feature_names_out()]
    scaled_names = [GENDER_ENCODED if c == "gender_Male" else c for c in scaled_names]
    arr = vector_to_array(F.col(train.FEATURES))
    parts = [F.col(ROW), F.col(CUSTOMER_ID)]
    if GENDER in clean_columns and GENDER_ENCODED not in scaled_names:
        parts.append((F.col(GENDER) == GENDER_CATEGORIES[1]).cast("long").alias(GENDER_ENCODED))
    parts += [arr[i].alias(name) for i, name in enumerate(scaled_names)]
    return {"preprocessed_data": predictions.select(*parts), "clustered_data": clustered}


def _spark_profiles(
    predictions: DataFrame, centroids: pd.DataFrame, rows: int, silhouettes: list[float], overall: float
) -> list[Any]:
    """Exact per-segment sizes, medians, means and gender mix, aggregated by Spark on all rows."""
    from pyspark.sql import functions as F

    numeric = [c for c in NUMERIC_COLUMNS if c in predictions.columns]
    with_gender = GENDER in predictions.columns
    aggregates = [F.count(F.lit(1)).alias("size")]
    for c in numeric:
        aggregates += [F.percentile(F.col(c), F.lit(0.5)).alias(f"median_{c}"), F.avg(F.col(c)).alias(f"mean_{c}")]
    if with_gender:
        aggregates += [F.sum((F.col(GENDER) == g).cast("long")).alias(f"n_{g}") for g in GENDER_CATEGORIES]
    grouped: pd.DataFrame = predictions.groupBy(SEGMENT).agg(*aggregates).toPandas()
    stats = grouped.set_index(SEGMENT).sort_index()
    quantiles = predictions.agg(
        *[F.percentile(F.col(c), F.array(F.lit(1 / 3), F.lit(2 / 3))).alias(c) for c in numeric]
    ).first()
    assert quantiles is not None
    cuts = {c: (float(quantiles[c][0]), float(quantiles[c][1])) for c in numeric}
    return profiles_from_aggregates(stats, cuts, centroids, rows, numeric, with_gender, silhouettes, overall)


__all__ = ["SMALL_MAX_ROWS", "SparkRunResult", "run_spark"]
