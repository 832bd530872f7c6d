"""Turn what Spark learned into the default engine's model: a real scikit-learn ``Pipeline``.

The pickled model (``clustering_model.pkl``), the model card's pickle-free serving spec and the API
therefore cannot tell which engine trained them. The preprocessing is built by the default engine's
own :func:`build_preprocessor` and fitted on a handful of cleaned rows (that sets every internal
attribute scikit-learn needs), then its ``StandardScaler`` takes Spark's numbers: ``mean_``,
``var_``/``scale_`` converted to the population convention (see :mod:`.train`) and
``n_samples_seen_``. The ``KMeans`` is "fitted" on Spark's centres themselves with those centres as
the initialisation — each centre is its own cluster's mean, so every attribute ``predict`` needs is
set by scikit-learn itself — and ``cluster_centers_`` is then set to Spark's centres bit for bit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.pipeline import Pipeline

from ...features import build_preprocessor
from ...modeling.train import assemble_pipeline, canonical_order, centers_in_original_units
from .train import Scaled


def kmeans_from_centers(centers: np.ndarray, random_state: int, n_init: int) -> KMeans:
    """A fitted scikit-learn KMeans whose ``cluster_centers_`` are exactly ``centers``."""
    centers = np.ascontiguousarray(centers, dtype="float64")
    model = KMeans(n_clusters=len(centers), init=centers, n_init=1, max_iter=1, random_state=random_state)
    model.fit(centers)
    # fit() centres the data for precision, which can move the last bit: take Spark's numbers as they are.
    model.cluster_centers_ = centers.copy()
    model.set_params(n_init=n_init)  # documents the restarts of the sweep that chose k
    return model


def build_pipeline(
    clean_rows: pd.DataFrame,
    features: tuple[str, ...],
    scaled: Scaled,
    centers: np.ndarray,
    *,
    random_state: int,
    n_init: int,
) -> tuple[Pipeline, np.ndarray]:
    """The exported Pipeline (canonical cluster order applied) and ``new_id_of_spark_id``."""
    preprocessor = build_preprocessor(features).fit(clean_rows.loc[:, list(features)].head(64))
    scaler = preprocessor.named_transformers_["numeric"]
    if tuple(str(c) for c in scaler.feature_names_in_) != scaled.numeric:
        raise RuntimeError("feature order differs between Spark and scikit-learn")  # pragma: no cover
    scaler.mean_ = scaled.mean.copy()
    scaler.var_ = scaled.var
    scaler.scale_ = scaled.scale.copy()
    scaler.n_samples_seen_ = np.int64(scaled.rows)
    kmeans = kmeans_from_centers(centers, random_state, n_init)
    order = canonical_order(centers_in_original_units(preprocessor, kmeans.cluster_centers_))
    new_id_of_old = np.empty_like(order)
    new_id_of_old[order] = np.arange(len(order))
    pipeline = assemble_pipeline(preprocessor, kmeans)
    return pipeline, new_id_of_old


def set_training_labels(pipeline: Pipeline, labels: np.ndarray, inertia: float, n_iter: int) -> None:
    """Record the training rows' labels (already in canonical ids) and Spark's cost on the KMeans."""
    kmeans = pipeline.named_steps["kmeans"]
    kmeans.labels_ = np.asarray(labels, dtype="int32")
    kmeans.inertia_ = float(inertia)
    kmeans.n_iter_ = int(n_iter)
