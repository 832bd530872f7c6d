"""Fit the final model: the preprocessing and the chosen K-Means as ONE sklearn ``Pipeline``.

Cluster ids are renumbered in a documented, meaningful order — by centroid annual income, then
spending score, then age (ascending; features not in the model are skipped) — so that they do not
shuffle between runs or library versions: segment 0 is always the lowest-income one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.metrics import silhouette_samples
from sklearn.pipeline import Pipeline

from ..features import expm1_columns, fitted_log1p_flags, fitted_scaler, numeric_feature_names
from ..schema import AGE, ANNUAL_INCOME, SPENDING_SCORE
from .select_k import KSelection, small_compute

ORDER_KEYS: tuple[str, ...] = (ANNUAL_INCOME, SPENDING_SCORE, AGE)
PER_CLUSTER_SILHOUETTE_MAX_ROWS = 10_000


def centers_in_original_units(preprocessor: ColumnTransformer, centers: np.ndarray) -> pd.DataFrame:
    """Undo the scaling (and log1p) of the numeric features of each centroid (one-hot columns stay
    0..1 shares)."""
    names = [str(n) for n in preprocessor.get_feature_names_out()]
    frame = pd.DataFrame(centers, columns=names)
    scaler = fitted_scaler(preprocessor)
    numeric = numeric_feature_names(preprocessor)
    unscaled = frame[numeric].to_numpy() * scaler.scale_ + scaler.mean_
    frame[numeric] = expm1_columns(unscaled, fitted_log1p_flags(preprocessor))
    return frame


def order_keys(centers_original: pd.DataFrame, numeric: list[str] | None = None) -> list[str]:
    """The Mall's ORDER_KEYS when present, else the numeric features in schema order."""
    mall = [k for k in ORDER_KEYS if k in centers_original]
    return mall if mall else list(numeric or [])


def canonical_order(centers_original: pd.DataFrame, numeric: list[str] | None = None) -> np.ndarray:
    """Old cluster ids sorted by the order keys of their centroids (np.lexsort: last key first)."""
    keys = [centers_original[k].to_numpy() for k in reversed(order_keys(centers_original, numeric))]
    keys.insert(0, np.arange(len(centers_original)))  # final tie-break: the original id
    return np.lexsort(keys)


def renumber_clusters(model: KMeans, order: np.ndarray) -> KMeans:
    """Permute a fitted K-Means so that new id ``i`` is old id ``order[i]``."""
    new_id_of_old = np.empty_like(order)
    new_id_of_old[order] = np.arange(len(order))
    model.cluster_centers_ = model.cluster_centers_[order]
    model.labels_ = new_id_of_old[model.labels_]
    return model


def fit_final_kmeans(x: np.ndarray, selection: KSelection) -> KMeans:
    """The chosen k's model: reused from the sweep when it saw every row, else refit on all rows.

    The full-data refit starts from the sweep's centroids (n_init=1): a plain single-init fit can
    merge two true clusters, a seeded one converges in a few Lloyd steps.
    """
    k = selection.chosen_k
    sweep_model = selection.fitted[k]
    if selection.sweep_index is None:
        return sweep_model
    model = KMeans(n_clusters=k, init=sweep_model.cluster_centers_, n_init=1, random_state=selection.random_state)
    return model.fit(x)


def assemble_pipeline(preprocessor: ColumnTransformer, model: KMeans) -> Pipeline:
    """Join the fitted steps; canonical cluster order is applied before joining."""
    numeric = numeric_feature_names(preprocessor)
    order = canonical_order(centers_in_original_units(preprocessor, model.cluster_centers_), numeric)
    renumber_clusters(model, order)
    return Pipeline([("preprocess", preprocessor), ("kmeans", model)])


@dataclass
class SilhouetteDetail:
    """Per-sample silhouettes of the chosen k and their per-segment means."""

    overall: float
    per_cluster: list[float]
    rows: int
    values: np.ndarray = field(repr=False)
    labels: np.ndarray = field(repr=False)


def per_cluster_silhouette(x: np.ndarray, labels: np.ndarray, k: int, random_state: int) -> SilhouetteDetail:
    """Overall and per-cluster mean silhouette for the chosen k (on a fixed sample when large)."""
    if len(x) > PER_CLUSTER_SILHOUETTE_MAX_ROWS:
        rng = np.random.default_rng(random_state)
        index = np.sort(rng.choice(len(x), PER_CLUSTER_SILHOUETTE_MAX_ROWS, replace=False))
        x, labels = x[index], labels[index]
    with small_compute():
        values = silhouette_samples(x, labels)
    per_cluster = [float(values[labels == c].mean()) if np.any(labels == c) else float("nan") for c in range(k)]
    return SilhouetteDetail(float(values.mean()), per_cluster, len(x), values, labels)


def feature_names(pipeline: Pipeline) -> Sequence[str]:
    """The input columns the pipeline expects, in order."""
    return [str(c) for c in pipeline.named_steps["preprocess"].feature_names_in_]
