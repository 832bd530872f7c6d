"""``--engine spark``: the pipeline's stages on Spark, ending in the default engine's artifacts.

Schema (the default engine's :func:`pipeline.input_schema`; for a URI, from the header Spark reads) →
load → clean (Spark SQL) → one-hot, log1p and scale (Spark ML) → choose k on a sample collected to
the driver (the default engine's own estimator) → Spark ML K-Means on all rows → export to a
scikit-learn Pipeline → profiles → the typed card of :func:`card_builder.build_card` and every
artifact. Up to the default engine's CSV size (``artifact_layout.CSV_MAX_ROWS`` cleaned rows)
everything is also collected to the driver and written by the default engine's
:func:`write_artifacts` (CSV outputs, identical in format); above it, the clustered table stays
distributed and Spark writes it as Parquet, while the figures, silhouette detail, stability and
serving thresholds use the driver sample.
"""

from __future__ import annotations

import contextlib
import io
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np
import pandas as pd

from ...artifact_layout import processed_format
from ...artifacts import write_artifacts
from ...config import ArtifactPaths, Settings, get_settings
from ...data.clean import CleaningOptions
from ...data.fetch import fetch_mall_customers, sha256_file
from ...errors import ConfigError
from ...feature_schema import FeatureSchema
from ...modeling.evidence import K_RESAMPLES, apply_rule, k_evidence, segment_jaccard, stability_by_k
from ...modeling.serving import ServingModel
from ...modeling.stability import bootstrap_stability
from ...modeling.train import centers_in_original_units, per_cluster_silhouette
from ...pipeline import input_schema, run_warnings, schema_for_headers
from ...progress import SilentProgress
from ...reporting.axes import choose_axes
from ...run_result import SEGMENT, RunConfig, RunResult
from . import export, scale, train
from .clean import clean_spark
from .profiles import collected_profiles, spark_profiles
from .read import ROW, check_local, local_path, read_spark_raw, select_columns
from .result import SparkRunResult
from .session import require_pyspark, spark_session
from .write import processed_tables, write_large_artifacts

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: Spark K-Means restarts on large data (each is a full distributed fit; k-means|| is steadier there).
LARGE_RESTARTS = 3
ONE_HOT_NOTE = (
    "one 0/1 column per level in Spark SQL (SQLTransformer: CAST(col = 'level' AS DOUBLE)), levels sorted as "
    "scikit-learn's OneHotEncoder orders them; two levels → one column (the second level = 1)"
)


def _checked(schema: FeatureSchema) -> FeatureSchema:
    if not schema.numeric_features:
        raise ConfigError("--engine spark needs at least one numeric feature (it standardises them with Spark ML)")
    return schema


def _input(config: RunConfig, settings: Settings, data_uri: str | None) -> tuple[str, str, FeatureSchema | None]:
    """The input location as Spark reads it, its SHA-256 when it is one local file, and — for a local
    file — its feature schema, matched against its header before the JVM starts (None: a URI or a
    folder, whose header Spark reads)."""
    if config.data is None and not data_uri:
        path = fetch_mall_customers(settings)
        return str(path), sha256_file(path), _checked(input_schema(path, config))
    data = data_uri or str(config.data)
    local = local_path(data)
    if local is not None:
        check_local(local)  # fail before the JVM starts
        if local.is_file():
            return data, sha256_file(local), _checked(input_schema(local, config))
    return data, "", None


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
    of a URI such as ``s3a://bucket/customers.parquet``); ``spark`` reuses a running session. The
    result is a :class:`SparkRunResult` (its ``spark`` dict is the card's ``spark`` section).
    """
    spark_version = require_pyspark()
    settings = settings or get_settings()
    progress = progress or SilentProgress()
    paths = paths or settings.paths
    data, digest, schema = _input(config, settings, data_uri)
    with contextlib.ExitStack() as stack:
        with progress.stage(f"Starting Spark ({master if spark is None else spark.sparkContext.master})"):
            session = stack.enter_context(spark_session(master, conf, spark))
        result, predictions = _train(session, data, digest, schema, config, progress)
        result.spark.update({"version": spark_version, "master": session.sparkContext.master})
        result.spark_args = [
            "--spark-master",
            str(session.sparkContext.master),
            *(f"--spark-conf {k}={v}" for k, v in sorted((conf or {}).items())),
        ]
        if predictions is None:
            write_artifacts(result, paths, progress, engine="spark", spark=result.spark)
        else:
            tables = processed_tables(result, predictions, [c for c in predictions.columns if c in _CLEAN])
            write_large_artifacts(result, tables, paths, progress, key=get_settings().model_key)
        return result


#: Filled per run with the cleaned table's columns (the processed tables keep exactly those).
_CLEAN: list[str] = []


def _train(
    spark: SparkSession,
    data: str,
    digest: str,
    schema: FeatureSchema | None,
    config: RunConfig,
    progress: SilentProgress,
) -> tuple[SparkRunResult, DataFrame | None]:
    from pyspark.sql import functions as F

    with progress.stage("Loading data (Spark)"):
        raw = read_spark_raw(spark, data)
        schema = schema if schema is not None else _checked(schema_for_headers(raw.headers, config))
        table = select_columns(raw, schema)
    with progress.stage("Cleaning and validating (Spark)"):
        options = CleaningOptions(schema.feature_names, config.clip_outliers, schema=schema)
        cleaned = clean_spark(table.frame, options)
        rows = cleaned.rows
    with progress.stage("Encoding and scaling features (Spark ML)"):
        schema = scale.resolve_transforms(cleaned.frame, schema, rows)
        scaled = scale.scale_features(cleaned.frame, schema, cleaned.levels, rows)
    small = processed_format(rows) == "csv"
    sweep = config.sweep
    with progress.stage(f"Choosing k by silhouette (k={sweep.k_min}..{sweep.k_max}) on the driver sample"):
        sample = scaled.frame if small else train.sweep_sample(scaled, sweep).persist()
        clean_rows, x = train.collect_sample(sample, scaled.width, schema)
        selection = train.choose_k(x, sweep, rows)
    with progress.stage(f"Measuring how certain k is ({K_RESAMPLES} resamples)"):
        k_certainty = k_evidence(x, selection, config.k_rule)  # the default engine's evidence and rule
        if k_certainty is not None:
            selection = apply_rule(selection, k_certainty)
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
            clean_rows, schema, scaled, centers, random_state=sweep.random_state, n_init=sweep.n_init
        )
        mapping = F.array(*[F.lit(int(v)) for v in remap])
        predictions = model.transform(scaled.frame).withColumn(
            SEGMENT, F.element_at(mapping, F.col(train.PREDICTION) + 1)
        )
        assigned: pd.DataFrame = model.transform(sample).select(ROW, train.PREDICTION).orderBy(ROW).toPandas()
        labels = remap[assigned[train.PREDICTION].to_numpy().astype("int64")]
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
        by_k = stability_by_k(x, selection, config.bootstrap_resamples)
        jaccard = segment_jaccard(x, labels, selection) if k_certainty is not None else None
    with progress.stage("Profiling segments" + ("" if small else " (Spark)")):
        centroids = centers_in_original_units(
            pipeline.named_steps["preprocess"], pipeline.named_steps["kmeans"].cluster_centers_
        )
        if small:
            profiles = collected_profiles(schema, clean_rows, labels, centroids, detail.per_cluster, detail.overall)
            profiles_note = "the default engine's profiles of every row (collected to the driver)"
        else:
            profiles, profiles_note = spark_profiles(
                schema, predictions, (clean_rows, labels), centroids, rows, detail.per_cluster, detail.overall
            )
        if jaccard is not None:
            for profile in profiles:
                segment = jaccard.segment(profile.id)
                profile.jaccard, profile.jaccard_reading = segment.mean_jaccard, segment.reading
        serving = ServingModel.from_pipeline(pipeline, x, labels)
        axes = choose_axes(schema, clean_rows, x, labels, sweep.random_state)
    warnings = run_warnings(config, cleaned.report.warnings, profiles, rows)
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    result = SparkRunResult(
        config=config,
        source_name=table.source,
        input_sha256=digest,
        features=schema.feature_names,
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
        schema=schema,
        axes=axes,
        warnings=warnings,
        k_certainty=k_certainty,
        stability_by_k=by_k,
        segment_stability=jaccard,
        model_bytes=buffer.getvalue(),
    )
    result.versions["pyspark"] = spark.version
    result.spark.update(_card_section(cleaned.report.rows_in, rows, len(x), small, fit, target, scaled, schema))
    result.spark.update(
        {
            "silhouette_squared_euclidean_all_rows": spark_silhouette,
            "profiles": profiles_note,
        }
    )
    _CLEAN[:] = list(cleaned.frame.columns)
    return result, (None if small else predictions)


def _card_section(
    rows_in: int,
    rows: int,
    sample_rows: int,
    small: bool,
    fit: train.SparkFit,
    target: float,
    scaled: scale.Scaled,
    schema: FeatureSchema,
) -> dict[str, Any]:
    """The card's ``spark`` section: what Spark did, with the numbers to check it."""
    summary = fit.model.summary
    return {
        "rows_in": rows_in,
        "rows_used": rows,
        "driver_sample_rows": sample_rows,
        "collected_all_rows": small,
        "encoding": {
            "one_hot": {o.name: list(o.levels) for o in scaled.onehot},
            "one_hot_rule": ONE_HOT_NOTE,
            "log1p": [c for c, flag in zip(scaled.numeric, scaled.log1p, strict=True) if flag],
            "transform_notes": {s.name: s.transform_note for s in schema.numeric_features if s.transform_note},
        },
        "kmeans": {
            "init": "k-means||",
            "seed": fit.seed,
            "restart_costs": {str(s): c for s, c in fit.costs.items()},
            "target_cost": target,
            "target_met": fit.costs[fit.seed] <= target * (1 + 1e-9),
            "max_iter": train.MAX_ITER,
            "tol": train.TOL,
            "iterations": int(summary.numIter),
            "training_cost": float(summary.trainingCost),
        },
        "scaler": {
            "spark_std_sample": scaled.spark_std.tolist(),
            "exported_scale_population": scaled.scale.tolist(),
            "note": "Spark's StandardScaler divides by the sample std (n-1); its output is multiplied "
            "by sqrt(n/(n-1)) so it equals scikit-learn's population-std scaling, which is exported",
        },
        "silhouette_note": "k is chosen by the Euclidean silhouette, as in the default engine; Spark's "
        "ClusteringEvaluator (squared Euclidean only) of the final model on all rows is given for reference",
    }


__all__ = ["LARGE_RESTARTS", "SparkRunResult", "run_spark"]
