"""The model matrix in Spark ML: one-hot categorical features, log1p and standardised numeric ones —
column for column what :func:`customer_segmentation.features.build_preprocessor` makes.

* Categorical features: one 0/1 column per level, levels sorted (scikit-learn's ``OneHotEncoder``
  order; declared levels as declared); a two-level feature is one column, the second level = 1
  (``drop="if_binary"``, the Mall's gender ``drop="first"``: Male = 1). Written as Spark SQL in a
  ``SQLTransformer`` stage (``CAST(col = 'level' AS DOUBLE)``): no Python UDF.
* Numeric features: ``LOG1P`` where the schema says (``auto`` is decided first, by the default
  engine's rule on Spark's minimum and skewness), then Spark ML ``StandardScaler(withMean, withStd)``.
  Spark divides by the *sample* standard deviation (n-1); scikit-learn — the default engine, and the
  exported model — by the *population* one (n). An ``ElementwiseProduct`` by sqrt(n/(n-1)) turns
  Spark's output into exactly scikit-learn's, so the centroids Spark learns live in the space of the
  exported scaler (it matters: one-hot columns are not rescaled, so a uniform factor on the numeric
  columns would shift their weight against them).
* The ``features`` vector is [one-hot columns…, scaled numeric…]: the ColumnTransformer's order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...feature_schema import FeatureSchema, Transform
from ...features import transforms_from_stats

if TYPE_CHECKING:
    from pyspark.ml import PipelineModel
    from pyspark.sql import DataFrame

FEATURES = "features"


@dataclass(frozen=True)
class OneHot:
    """One categorical feature's 0/1 columns."""

    name: str
    levels: tuple[str, ...]

    @property
    def drop_first(self) -> bool:
        """Two levels → one column (scikit-learn's ``drop="if_binary"`` / the Mall's ``drop="first"``)."""
        return len(self.levels) == 2

    @property
    def columns(self) -> tuple[str, ...]:
        """The levels that get a column, in order."""
        return self.levels[1:] if self.drop_first else self.levels


@dataclass
class Scaled:
    """The cleaned rows with their model vector, and what the stages learned."""

    frame: DataFrame  # cached: _row, clean columns, features
    model: PipelineModel  # the fitted Spark ML stages: turn clean rows into ``features``
    id_column: str
    onehot: tuple[OneHot, ...]
    numeric: tuple[str, ...]
    log1p: tuple[bool, ...]
    mean: np.ndarray
    spark_std: np.ndarray  # sample std (n-1), as Spark computes it
    scale: np.ndarray  # population std (n), scikit-learn's scale_ (1.0 where the std is 0)
    rows: int

    @property
    def width(self) -> int:
        """Columns of the model matrix."""
        return sum(len(o.columns) for o in self.onehot) + len(self.numeric)

    @property
    def var(self) -> np.ndarray:
        """scikit-learn's ``var_``: the population variance (0 for constant columns)."""
        return (self.spark_std * math.sqrt((self.rows - 1) / self.rows)) ** 2


def resolve_transforms(clean: DataFrame, schema: FeatureSchema, rows: int) -> FeatureSchema:
    """Decide ``auto`` (and check ``log1p``) by the default engine's rule, on Spark's minimum and
    unbiased skewness (pandas' ``skew``: Spark's population skewness × sqrt(n(n-1))/(n-2))."""
    from pyspark.sql import functions as F

    names = [s.name for s in schema.numeric_features if s.transform is not Transform.NONE]
    if not names:
        return schema
    row = clean.agg(
        *[F.min(F.col(c)).alias(f"min_{c}") for c in names], *[F.skewness(F.col(c)).alias(f"skew_{c}") for c in names]
    ).first()
    assert row is not None
    factor = math.sqrt(rows * (rows - 1)) / (rows - 2) if rows > 2 else 0.0
    stats = {}
    for c in names:
        skew = row[f"skew_{c}"]
        stats[c] = (float(row[f"min_{c}"]), float(skew) * factor if skew is not None and rows > 2 else 0.0)
    return transforms_from_stats(schema, stats)


def one_hot_features(schema: FeatureSchema, levels: dict[str, tuple[str, ...]]) -> tuple[OneHot, ...]:
    """Each categorical feature with its levels in encoding order (from the cleaning)."""
    return tuple(OneHot(s.name, levels[s.name]) for s in schema.categorical_features)


def _identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _sql_statement(onehot: tuple[OneHot, ...], numeric: tuple[str, ...], log1p: tuple[bool, ...]) -> str:
    """``SELECT *, <0/1 columns>, <log1p columns> FROM __THIS__`` (Spark SQL, no UDF)."""
    parts = ["*"]
    for i, feature in enumerate(onehot):
        for j, level in enumerate(feature.columns):
            parts.append(f"CAST({_identifier(feature.name)} = {_string(level)} AS DOUBLE) AS `_oh_{i}_{j}`")
    parts += [
        f"LOG1P(CAST({_identifier(c)} AS DOUBLE)) AS `_log_{k}`"
        for k, (c, flag) in enumerate(zip(numeric, log1p, strict=True))
        if flag
    ]
    return f"SELECT {', '.join(parts)} FROM __THIS__"


def scale_features(clean: DataFrame, schema: FeatureSchema, levels: dict[str, tuple[str, ...]], rows: int) -> Scaled:
    """Fit the Spark ML stages on all rows; the ``features`` vector is [one-hot…, scaled numeric…].

    ``schema``'s transforms must be resolved (:func:`resolve_transforms`); ``levels`` are the
    categorical features' levels from the cleaning.
    """
    from pyspark.ml import Pipeline as SparkPipeline
    from pyspark.ml.feature import ElementwiseProduct, SQLTransformer, StandardScaler, VectorAssembler
    from pyspark.ml.linalg import Vectors

    onehot = one_hot_features(schema, levels)
    numeric = tuple(s.name for s in schema.numeric_features)
    log1p = tuple(s.transform is Transform.LOG1P for s in schema.numeric_features)
    factor = math.sqrt(rows / (rows - 1)) if rows > 1 else 1.0
    encoded = [f"_oh_{i}_{j}" for i, o in enumerate(onehot) for j in range(len(o.columns))]
    stages: list[Any] = []
    if encoded or any(log1p):
        stages.append(SQLTransformer(statement=_sql_statement(onehot, numeric, log1p)))
    numeric_inputs = [f"_log_{k}" if flag else c for k, (c, flag) in enumerate(zip(numeric, log1p, strict=True))]
    stages += [
        VectorAssembler(inputCols=numeric_inputs, outputCol="_numeric"),
        StandardScaler(inputCol="_numeric", outputCol="_sample_scaled", withMean=True, withStd=True),
        ElementwiseProduct(
            scalingVec=Vectors.dense([factor] * len(numeric)), inputCol="_sample_scaled", outputCol="_scaled"
        ),
        VectorAssembler(inputCols=[*encoded, "_scaled"], outputCol=FEATURES),
    ]
    model = SparkPipeline(stages=stages).fit(clean)
    scaler: Any = next(s for s in model.stages if hasattr(s, "std"))
    mean = np.asarray(scaler.mean.toArray(), dtype="float64")
    std = np.asarray(scaler.std.toArray(), dtype="float64")
    population = std * math.sqrt((rows - 1) / rows) if rows > 1 else std
    scale = np.where(population > 0, population, 1.0)
    scaled = model.transform(clean).select(*clean.columns, FEATURES).persist()
    return Scaled(scaled, model, schema.id_name, onehot, numeric, log1p, mean, std, scale, rows)
