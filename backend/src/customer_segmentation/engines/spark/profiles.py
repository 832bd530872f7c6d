"""Segment profiles of a Spark run.

* Collected runs (every cleaned row on the driver): the default engine's own profiles — the Mall's
  :func:`profile_segments`, any other schema's :func:`schema_profiles`.
* Large runs, Mall schema: exact per-segment sizes, medians, means and gender mix aggregated by Spark
  on all rows (:func:`profiles_from_aggregates`, the very function the default engine uses); each
  name term is checked against the members in the driver sample (all rows when it holds them all).
* Large runs, other schemas: names, medians and level shares from the driver sample (the rows the k
  sweep saw), sizes and shares exact from Spark; the card's ``spark.profiles`` says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ...feature_schema import FeatureSchema
from ...profiling import SegmentProfile, profile_segments, profiles_from_aggregates
from ...run_result import SEGMENT
from ...schema import GENDER, GENDER_CATEGORIES, NUMERIC_COLUMNS
from ...schema_profiles import _describe as describe_profile  # the default engine's wording
from ...schema_profiles import schema_profiles

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def collected_profiles(
    schema: FeatureSchema,
    clean: pd.DataFrame,
    labels: np.ndarray,
    centroids: pd.DataFrame,
    silhouettes: list[float],
    overall: float,
) -> list[SegmentProfile]:
    """The default engine's profiles of rows on the driver."""
    if schema.kind == "mall":
        return profile_segments(clean, labels, centroids, silhouettes=silhouettes, overall_silhouette=overall)
    return schema_profiles(clean, labels, centroids, schema, silhouettes=silhouettes, overall_silhouette=overall)


def spark_profiles(
    schema: FeatureSchema,
    predictions: DataFrame,
    sample: tuple[pd.DataFrame, np.ndarray],
    centroids: pd.DataFrame,
    rows: int,
    silhouettes: list[float],
    overall: float,
) -> tuple[list[SegmentProfile], str]:
    """Profiles of a large run (``predictions``: every row with its ``segment``), and how they were made."""
    clean, labels = sample
    checked = "all rows" if len(clean) == rows else f"the driver sample of {len(clean)} rows"
    if schema.kind == "mall":
        profiles = _mall_aggregates(predictions, centroids, rows, silhouettes, overall, sample)
        return profiles, f"aggregated by Spark on all rows; name terms checked on {checked}"
    profiles = schema_profiles(clean, labels, centroids, schema, silhouettes=silhouettes, overall_silhouette=overall)
    sizes = {int(r[SEGMENT]): int(r["count"]) for r in predictions.groupBy(SEGMENT).count().collect()}
    for profile in profiles:
        profile.size = sizes.get(profile.id, 0)
        profile.share = profile.size / rows if rows else 0.0
        profile.description = describe_profile(profile, schema)
    note = f"sizes and shares aggregated by Spark on all rows; names, medians, means and level shares from {checked}"
    return profiles, note


def _mall_aggregates(
    predictions: DataFrame,
    centroids: pd.DataFrame,
    rows: int,
    silhouettes: list[float],
    overall: float,
    members: tuple[pd.DataFrame, np.ndarray],
) -> list[SegmentProfile]:
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
    quantiles: Any = predictions.agg(
        *[F.percentile(F.col(c), F.array(F.lit(1 / 3), F.lit(2 / 3))).alias(c) for c in numeric]
    ).first()
    assert quantiles is not None
    cuts = {c: (float(quantiles[c][0]), float(quantiles[c][1])) for c in numeric}
    return profiles_from_aggregates(stats, cuts, centroids, rows, numeric, with_gender, silhouettes, overall, members)
