"""The preprocessing half of the persisted model: encode gender, standardise the numeric features.

It is the first step of the one sklearn ``Pipeline`` that is saved, so training and serving apply the
very same transform.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .errors import ConfigError
from .schema import CUSTOMER_ID, GENDER, GENDER_CATEGORIES, NUMERIC_COLUMNS, SELECTABLE_FEATURES

GENDER_ENCODED = "gender_male"


def validate_features(features: Sequence[str]) -> tuple[str, ...]:
    """Canonical, de-duplicated feature list in schema order; unknown names are a ConfigError."""
    unknown = [f for f in features if f not in SELECTABLE_FEATURES]
    if unknown:
        raise ConfigError(f"unknown feature {unknown[0]!r}; choose from {', '.join(SELECTABLE_FEATURES)}")
    chosen = tuple(f for f in SELECTABLE_FEATURES if f in set(features))
    if not any(f in NUMERIC_COLUMNS for f in chosen):
        raise ConfigError("choose at least one numeric feature (age, annual_income, spending_score)")
    return chosen


def build_preprocessor(features: Sequence[str]) -> ColumnTransformer:
    """Gender → one 0/1 column (Male = 1); numeric features → zero mean, unit variance."""
    numeric = [f for f in features if f in NUMERIC_COLUMNS]
    transformers: list[tuple[str, object, list[str]]] = []
    if GENDER in features:
        encoder = OneHotEncoder(
            categories=[list(GENDER_CATEGORIES)], drop="first", sparse_output=False, dtype="float64"
        )
        transformers.append(("gender", encoder, [GENDER]))
    transformers.append(("numeric", StandardScaler(), numeric))
    return ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)


def encoded_gender(frame: pd.DataFrame) -> pd.Series:
    """Gender as 0 (Female) / 1 (Male), the same coding the pipeline's encoder uses."""
    return (frame[GENDER] == GENDER_CATEGORIES[1]).astype("int64").rename(GENDER_ENCODED)


def preprocessed_table(frame: pd.DataFrame, preprocessor: ColumnTransformer) -> pd.DataFrame:
    """customer_id, encoded gender and the scaled model features, as written to preprocessed_data.csv."""
    scaled = pd.DataFrame(
        preprocessor.transform(frame),
        columns=[str(c) for c in preprocessor.get_feature_names_out()],
        index=frame.index,
    )
    parts = [frame[[CUSTOMER_ID]]]
    if GENDER in frame.columns and "gender_Male" not in scaled.columns:
        parts.append(encoded_gender(frame).to_frame())
    scaled = scaled.rename(columns={"gender_Male": GENDER_ENCODED})
    return pd.concat([*parts, scaled], axis=1)
