"""Turn what Spark learned into the default engine's model: a real scikit-learn ``Pipeline``.

The pickled model (``clustering_model.pkl``), the model card's pickle-free serving spec and the API
therefore cannot tell which engine trained them. The preprocessing is the default engine's own
:func:`build_preprocessor` of the same schema — one-hot encoders, the log1p step and the scaler —
fitted on a handful of rows that hold every level Spark found (that sets every internal attribute
scikit-learn needs, and the encoders' categories are checked against Spark's levels); then its
``StandardScaler`` takes Spark's numbers: ``mean_``, ``var_``/``scale_`` converted to the population
convention (see :mod:`.scale`) and ``n_samples_seen_``. The ``KMeans`` is "fitted" on Spark's centres
themselves with those centres as the initialisation — each centre is its own cluster's mean, so every
attribute ``predict`` needs is set by scikit-learn itself — and ``cluster_centers_`` is then set to
Spark's centres bit for bit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from ...feature_schema import FeatureSchema
from ...features import build_preprocessor, fitted_log1p_flags, fitted_scaler, numeric_feature_names
from ...modeling.train import assemble_pipeline, canonical_order, centers_in_original_units
from .scale import Scaled


def kmeans_from_centers(centers: np.ndarray, random_state: int, n_init: int) -> KMeans:
    """A fitted scikit-learn KMeans whose ``cluster_centers_`` are exactly ``centers``."""
    centers = np.ascontiguousarray(centers, dtype="float64")
    model = KMeans(n_clusters=len(centers), init=centers, n_init=1, max_iter=1, random_state=random_state)
    model.fit(centers)
    # fit() centres the data for precision, which can move the last bit: take Spark's numbers as they are.
    model.cluster_centers_ = centers.copy()
    model.set_params(n_init=n_init)  # documents the restarts of the sweep that chose k
    return model


def fitting_rows(clean_rows: pd.DataFrame, schema: FeatureSchema, scaled: Scaled) -> pd.DataFrame:
    """One real row of the features, repeated so that every categorical feature shows each of Spark's
    levels: fitting the encoders on it gives exactly Spark's categories (the numeric values only have
    to be valid; the scaler's numbers are replaced)."""
    features = list(schema.feature_names)
    repeats = max([len(o.levels) for o in scaled.onehot] or [1])
    frame = clean_rows.loc[:, features].head(1)
    frame = frame.loc[frame.index.repeat(repeats)].reset_index(drop=True)
    for onehot in scaled.onehot:
        levels = onehot.levels
        frame[onehot.name] = pd.array([levels[i % len(levels)] for i in range(repeats)], dtype="string")
    return frame


def _check_same_encoding(preprocessor: ColumnTransformer, scaled: Scaled) -> None:
    encoders = {
        str(columns[0]): encoder
        for _, encoder, columns in preprocessor.transformers_
        if isinstance(encoder, OneHotEncoder)
    }
    for onehot in scaled.onehot:
        encoder = encoders[onehot.name]
        columns = [str(n).removeprefix(f"{onehot.name}_") for n in encoder.get_feature_names_out()]
        if [str(c) for c in encoder.categories_[0]] != list(onehot.levels) or columns != list(onehot.columns):
            raise RuntimeError(f"one-hot levels of {onehot.name!r} differ between Spark and scikit-learn")
    if tuple(numeric_feature_names(preprocessor)) != scaled.numeric:
        raise RuntimeError("numeric feature order differs between Spark and scikit-learn")
    if tuple(fitted_log1p_flags(preprocessor)) != scaled.log1p:
        raise RuntimeError("log1p transforms differ between Spark and scikit-learn")


def build_pipeline(
    clean_rows: pd.DataFrame,
    schema: FeatureSchema,
    scaled: Scaled,
    centers: np.ndarray,
    *,
    random_state: int,
    n_init: int,
) -> tuple[Pipeline, np.ndarray]:
    """The exported Pipeline (canonical cluster order applied) and ``new_id_of_spark_id``."""
    preprocessor = build_preprocessor(schema).fit(fitting_rows(clean_rows, schema, scaled))
    _check_same_encoding(preprocessor, scaled)
    scaler = fitted_scaler(preprocessor)
    scaler.mean_ = scaled.mean.copy()
    scaler.var_ = scaled.var
    scaler.scale_ = scaled.scale.copy()
    scaler.n_samples_seen_ = np.int64(scaled.rows)
    kmeans = kmeans_from_centers(centers, random_state, n_init)
    numeric = numeric_feature_names(preprocessor)
    order = canonical_order(centers_in_original_units(preprocessor, kmeans.cluster_centers_), numeric)
    new_id_of_old = np.empty_like(order)
    new_id_of_old[order] = np.arange(len(order))
    pipeline = assemble_pipeline(preprocessor, kmeans)  # applies the same canonical order
    return pipeline, new_id_of_old


def set_training_labels(pipeline: Pipeline, labels: np.ndarray, inertia: float, n_iter: int) -> None:
    """Record the training rows' labels (already in canonical ids) and Spark's cost on the KMeans."""
    kmeans = pipeline.named_steps["kmeans"]
    kmeans.labels_ = np.asarray(labels, dtype="int32")
    kmeans.inertia_ = float(inertia)
    kmeans.n_iter_ = int(n_iter)
