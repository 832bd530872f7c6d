"""The preprocessing half of the persisted model: encode the categorical features, transform and
standardise the numeric ones — built in one place from the feature schema.

It is the first step of the one sklearn ``Pipeline`` that is saved, so training and serving apply the
very same transform.

How much a categorical feature weighs against a numeric one. K-Means compares customers by squared
Euclidean distance. A standardised numeric feature adds on average 2 to the squared distance between
two random customers (``E[(z_i - z_j)^2] = 2·Var(z) = 2``). A categorical feature one-hot encoded in
0/1 columns adds 2 when two customers differ in it and 0 otherwise, so on average
``2·(1 - Σ p_l²)`` for level shares ``p_l`` — at most 2 (many equal levels) and ``2·(1 - 1/L)`` for
``L`` equal levels. A two-level feature is ONE 0/1 column (``drop="if_binary"``), adding 1 when two
customers differ: ``2·p·(1 - p)`` on average, at most 0.5 — a quarter of a numeric feature. So a
categorical feature never outweighs a numeric one; a many-level one comes close.
``tests/test_features.py`` checks these numbers on data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from .errors import ConfigError, DataError
from .feature_schema import AUTO_SKEW_THRESHOLD, FeatureSchema, Transform, mall_schema
from .schema import CUSTOMER_ID, GENDER, GENDER_CATEGORIES, NUMERIC_COLUMNS, SELECTABLE_FEATURES

GENDER_ENCODED = "gender_male"
NUMERIC_STEP = "numeric"


def validate_features(features: Sequence[str]) -> tuple[str, ...]:
    """Canonical, de-duplicated Mall feature list in schema order; unknown names are a ConfigError."""
    unknown = [f for f in features if f not in SELECTABLE_FEATURES]
    if unknown:
        raise ConfigError(f"unknown feature {unknown[0]!r}; choose from {', '.join(SELECTABLE_FEATURES)}")
    chosen = tuple(f for f in SELECTABLE_FEATURES if f in set(features))
    if not any(f in NUMERIC_COLUMNS for f in chosen):
        raise ConfigError("choose at least one numeric feature (age, annual_income, spending_score)")
    return chosen


def as_schema(features: Sequence[str] | FeatureSchema) -> FeatureSchema:
    """A schema, or the Mall schema of a list of Mall feature names."""
    return features if isinstance(features, FeatureSchema) else mall_schema(validate_features(features))


def log1p_columns(x: np.ndarray, columns: Sequence[bool]) -> np.ndarray:
    """``log1p`` on the flagged columns of ``x``, the others unchanged (module-level: picklable)."""
    out = np.array(x, dtype="float64", copy=True)
    mask = np.asarray(columns, dtype=bool)
    out[:, mask] = np.log1p(out[:, mask])
    return out


def expm1_columns(x: np.ndarray, columns: Sequence[bool]) -> np.ndarray:
    """The inverse of :func:`log1p_columns`."""
    out = np.array(x, dtype="float64", copy=True)
    mask = np.asarray(columns, dtype=bool)
    out[:, mask] = np.expm1(out[:, mask])
    return out


def resolve_transforms(schema: FeatureSchema, clean: pd.DataFrame) -> FeatureSchema:
    """Decide every ``auto`` transform on the cleaned data and check ``log1p`` is applicable.

    ``auto`` becomes ``log1p`` for a non-negative column whose skewness exceeds AUTO_SKEW_THRESHOLD,
    else ``none``; the decision and its numbers are recorded in the spec's ``transform_note``.
    """
    stats = {}
    for spec in schema.features:
        if spec.is_numeric and spec.transform is not Transform.NONE:
            values = clean[spec.name].astype("float64")
            skew = float(values.skew()) if len(values) > 2 else 0.0
            stats[spec.name] = (float(values.min()), skew)
    return transforms_from_stats(schema, stats)


def transforms_from_stats(schema: FeatureSchema, stats: dict[str, tuple[float, float]]) -> FeatureSchema:
    """:func:`resolve_transforms` from each transformed feature's (minimum, unbiased skewness), however
    they were computed (pandas here, Spark SQL in the Spark engine)."""
    specs = []
    for spec in schema.features:
        if not spec.is_numeric or spec.transform is Transform.NONE:
            specs.append(spec)
            continue
        minimum, skew = stats[spec.name]
        if spec.transform is Transform.LOG1P:
            if minimum <= -1:
                raise DataError(f"log1p on {spec.name!r} needs values above -1; its minimum is {minimum:g}")
            specs.append(spec)
            continue
        skew = 0.0 if not np.isfinite(skew) else skew
        chosen = Transform.LOG1P if minimum >= 0 and skew > AUTO_SKEW_THRESHOLD else Transform.NONE
        note = f"auto: skewness {skew:.2f}, minimum {minimum:g} → {chosen}"
        specs.append(spec.model_copy(update={"transform": chosen, "transform_note": note}))
    return schema.model_copy(update={"features": tuple(specs)})


def numeric_transforms(schema: FeatureSchema) -> list[bool]:
    """Per numeric feature, in order: is it log1p-transformed before scaling?"""
    return [spec.transform is Transform.LOG1P for spec in schema.numeric_features]


def build_preprocessor(features: Sequence[str] | FeatureSchema) -> ColumnTransformer:
    """Categorical features → one-hot 0/1 columns (two levels → one column: Male = 1 for the Mall's
    gender); numeric features → log1p where declared, then zero mean, unit variance."""
    schema = as_schema(features)
    transformers: list[tuple[str, object, list[str]]] = []
    for spec in schema.categorical_features:
        categories: object = [list(spec.levels)] if spec.levels is not None else "auto"
        drop = "first" if spec.levels is not None and len(spec.levels) == 2 else "if_binary"
        encoder = OneHotEncoder(categories=categories, drop=drop, sparse_output=False, dtype="float64")
        transformers.append((spec.name, encoder, [spec.name]))
    numeric = [spec.name for spec in schema.numeric_features]
    flags = numeric_transforms(schema)
    scaler: object = StandardScaler()
    if any(flags):
        transform = FunctionTransformer(
            log1p_columns, kw_args={"columns": flags}, feature_names_out="one-to-one", validate=False
        )
        scaler = Pipeline([("log1p", transform), ("scale", StandardScaler())])
    transformers.append((NUMERIC_STEP, scaler, numeric))
    return ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)


def fitted_scaler(preprocessor: ColumnTransformer) -> StandardScaler:
    """The fitted StandardScaler of the numeric features (inside the log1p pipeline when there is one)."""
    step = preprocessor.named_transformers_[NUMERIC_STEP]
    scaler: StandardScaler = step.named_steps["scale"] if isinstance(step, Pipeline) else step
    return scaler


def numeric_feature_names(preprocessor: ColumnTransformer) -> list[str]:
    """The numeric input columns, in the scaler's order."""
    for name, _, columns in preprocessor.transformers_:
        if name == NUMERIC_STEP:
            return [str(c) for c in columns]
    return []


def fitted_log1p_flags(preprocessor: ColumnTransformer) -> list[bool]:
    step = preprocessor.named_transformers_[NUMERIC_STEP]
    if isinstance(step, Pipeline):
        return [bool(f) for f in step.named_steps["log1p"].kw_args["columns"]]
    return [False] * len(fitted_scaler(preprocessor).mean_)


def encoded_gender(frame: pd.DataFrame) -> pd.Series:
    """Gender as 0 (Female) / 1 (Male), the same coding the pipeline's encoder uses."""
    return (frame[GENDER] == GENDER_CATEGORIES[1]).astype("int64").rename(GENDER_ENCODED)


def preprocessed_table(
    frame: pd.DataFrame, preprocessor: ColumnTransformer, id_column: str = CUSTOMER_ID, mall: bool = True
) -> pd.DataFrame:
    """The id, (Mall) encoded gender and the scaled model features, as written to preprocessed_data.csv."""
    scaled = pd.DataFrame(
        preprocessor.transform(frame),
        columns=[str(c) for c in preprocessor.get_feature_names_out()],
        index=frame.index,
    )
    parts = [frame[[id_column]]]
    if mall and GENDER in frame.columns and "gender_Male" not in scaled.columns:
        parts.append(encoded_gender(frame).to_frame())
    scaled = scaled.rename(columns={"gender_Male": GENDER_ENCODED})
    return pd.concat([*parts, scaled], axis=1)
