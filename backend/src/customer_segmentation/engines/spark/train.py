"""Draw the sweep sample, choose k, fit the final Spark ML K-Means (the model matrix is :mod:`.scale`'s).

* k: the silhouette is Euclidean in the default engine; Spark's ``ClusteringEvaluator`` offers
  only squared Euclidean and cosine. So k is chosen exactly as the default engine chooses it — the
  same :func:`select_k` (K-Means n_init restarts, Euclidean silhouette, CH, DB, inertia) — on a
  sample that Spark draws and the driver collects (all rows when they fit the default engine's
  sweep size; a deterministic hash sample otherwise). Spark's squared-Euclidean silhouette of the
  final model on *all* rows is reported beside it.
* Final model: Spark ML ``KMeans`` (k-means|| initialisation) on all rows, restarted with
  several seeds (scikit-learn's ``n_init``) and the lowest cost kept.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ...feature_schema import FeatureSchema
from ...modeling.select_k import KSelection, SweepSettings, select_k
from .read import ROW
from .scale import FEATURES, Scaled

if TYPE_CHECKING:
    from pyspark.ml.clustering import KMeansModel
    from pyspark.sql import DataFrame

PREDICTION = "prediction"
#: Spark K-Means stops when no centre moves more than this (scaled units) or after MAX_ITER passes.
TOL = 1e-4
MAX_ITER = 300


def vector_columns(frame: DataFrame, width: int) -> DataFrame:
    """The ``features`` vector as plain double columns ``f0..``, for Arrow transfer to the driver."""
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F

    arr = vector_to_array(F.col(FEATURES))
    others = [c for c in frame.columns if c != FEATURES]
    return frame.select(*others, *[arr[i].alias(f"f{i}") for i in range(width)])


def sweep_sample(scaled: Scaled, settings: SweepSettings) -> DataFrame:
    """The rows the k sweep sees: all of them up to ``sweep_rows``, else a hash sample of ~that many.

    Hashing the (unique) customer id with the seed makes the sample independent of how Spark
    partitioned the input, so the same data gives the same sample on any cluster.
    """
    from pyspark.sql import functions as F

    if scaled.rows <= settings.sweep_rows:
        return scaled.frame
    fraction = settings.sweep_rows / scaled.rows
    key = F.col(scaled.id_column).cast("string")
    bucket = F.abs(F.xxhash64(key, F.lit(settings.random_state))) % 1_000_000_007
    return scaled.frame.where(bucket < F.lit(int(fraction * 1_000_000_007)))


def collect_sample(sample: DataFrame, width: int, schema: FeatureSchema) -> tuple[pd.DataFrame, np.ndarray]:
    """The sample on the driver, in file order: clean columns (pandas) and the scaled matrix."""
    table: pd.DataFrame = vector_columns(sample, width).orderBy(ROW).toPandas()
    vector = [f"f{i}" for i in range(width)]
    x = np.ascontiguousarray(table[vector].to_numpy(dtype="float64"))
    clean = table.drop(columns=[*vector, ROW]).reset_index(drop=True)
    return tidy_pandas(clean, schema), x


def tidy_pandas(clean: pd.DataFrame, schema: FeatureSchema) -> pd.DataFrame:
    """The dtypes the default engine's cleaning produces: nullable Int64 declared ids (int64 generated
    ones), pandas strings for text columns."""
    clean = clean.copy()
    id_name = schema.id_name
    if pd.api.types.is_integer_dtype(clean[id_name]):
        clean[id_name] = clean[id_name].astype("int64" if schema.id_column is None else "Int64")
    else:
        clean[id_name] = clean[id_name].astype("string")
    for column in clean.columns:
        dtype = clean[column].dtype
        if column != id_name and (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)):
            clean[column] = clean[column].astype("string")
    return clean


def choose_k(x_sample: np.ndarray, settings: SweepSettings, total_rows: int) -> KSelection:
    """The default engine's :func:`select_k` on the driver sample; the estimator names the sample."""
    selection = select_k(x_sample, settings)
    if len(x_sample) < total_rows:
        est = selection.estimator
        selection.estimator = dataclasses.replace(
            est,
            description=(
                f"Spark drew a deterministic hash sample of {len(x_sample)} of {total_rows} rows; "
                f"on it: {est.description}"
            ),
        )
    return selection


@dataclass
class SparkFit:
    """The kept Spark K-Means model and the evidence of its restarts."""

    model: KMeansModel
    seed: int
    costs: dict[int, float]  # seed -> Spark training cost (sum of squared distances, scaled units)


def fit_spark_kmeans(scaled: Scaled, k: int, seed: int, restarts: int, target_cost: float | None = None) -> SparkFit:
    """Spark ML K-Means (k-means|| initialisation) on all rows, restarted like scikit-learn's n_init.

    One k-means|| run can stop in a poor local optimum (on the 200-row data 6 of 10 seeds merge two
    segments), and Spark ML cannot be seeded with given centres. So up to ``restarts`` seeds are
    fitted and the lowest cost kept; ``target_cost`` — the sweep's solution evaluated on all rows —
    ends the restarts as soon as a fit is at least as good (usually the first one).
    """
    from pyspark.ml.clustering import KMeans

    best: SparkFit | None = None
    for attempt in range(max(restarts, 1)):
        run_seed = seed + attempt
        estimator = KMeans(
            k=k,
            seed=run_seed,
            initMode="k-means||",
            maxIter=MAX_ITER,
            tol=TOL,
            featuresCol=FEATURES,
            predictionCol=PREDICTION,
        )
        model = estimator.fit(scaled.frame)
        cost = float(model.summary.trainingCost)
        if best is None:
            best = SparkFit(model, run_seed, {run_seed: cost})
        else:
            best.costs[run_seed] = cost
            if cost < best.costs[best.seed] * (1 - 1e-12):
                best.model, best.seed = model, run_seed
        if target_cost is not None and best.costs[best.seed] <= target_cost * (1 + 1e-9):
            break
    assert best is not None
    return best


def cost_of_centers(scaled: Scaled, centers: np.ndarray) -> float:
    """K-Means cost (sum of squared distances to the nearest centre) of ``centers`` on all rows.

    Pure Spark SQL (no Python UDF): the bar a Spark fit must reach is the sweep's solution
    evaluated on every row.
    """
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as F

    arr = vector_to_array(F.col(FEATURES))
    distances = [
        F.aggregate(
            F.zip_with(arr, F.array(*[F.lit(float(v)) for v in centre]), lambda a, b: (a - b) * (a - b)),
            F.lit(0.0),
            lambda acc, v: acc + v,
        )
        for centre in centers
    ]
    nearest = F.least(*distances) if len(distances) > 1 else distances[0]
    row = scaled.frame.agg(F.sum(nearest).alias("cost")).first()
    return float(row["cost"]) if row is not None and row["cost"] is not None else float("inf")


def spark_silhouette(predictions: DataFrame) -> float:
    """Spark's ClusteringEvaluator silhouette (squared Euclidean) on all rows, for the record."""
    from pyspark.ml.evaluation import ClusteringEvaluator

    evaluator = ClusteringEvaluator(
        featuresCol=FEATURES,
        predictionCol=PREDICTION,
        metricName="silhouette",
        distanceMeasure="squaredEuclidean",
    )
    return float(evaluator.evaluate(predictions))
