"""A pickle-free, vectorised twin of the fitted pipeline for serving.

``pipeline.predict`` rebuilds a DataFrame and walks the ColumnTransformer for every call (~100 µs
per row). Serving only needs the learned numbers — encoder categories, scaler mean/scale and
centroids — so :class:`ServingModel` holds exactly those as arrays: one affine transform and an
argmin. It is exported to JSON inside the model card, so the API never unpickles anything, and a
test proves it labels every training row and random inputs exactly as the Pipeline does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from ..schema import GENDER, GENDER_CATEGORIES, NUMERIC_COLUMNS

OOD_FACTOR = 1.5
OOD_QUANTILE = 0.99


@dataclass(frozen=True)
class Scored:
    """Vectorised scoring result for n customers."""

    labels: np.ndarray  # (n,) segment id
    distance: np.ndarray  # (n,) distance to the assigned centroid (scaled units)
    runner_up: np.ndarray  # (n,) id of the second-nearest segment
    runner_up_distance: np.ndarray  # (n,)
    margin: np.ndarray  # (n,) (d2 - d1) / d2 in [0, 1]: 0 = on the boundary, 1 = on the centroid
    out_of_distribution: np.ndarray  # (n,) bool


@dataclass(frozen=True)
class ServingModel:
    """The learned numbers of the pipeline, and a fast exact re-implementation of its predict."""

    features: tuple[str, ...]  # input columns, in the pipeline's order
    gender_in_model: bool
    numeric_features: tuple[str, ...]
    mean: np.ndarray  # (n_numeric,)
    scale: np.ndarray  # (n_numeric,)
    centers: np.ndarray  # (k, n_model_columns) in scaled space: [gender_male?, numeric...]
    ood_threshold: np.ndarray  # (k,) distance beyond which a customer is out of distribution

    @property
    def k(self) -> int:
        return int(self.centers.shape[0])

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline, x_train: np.ndarray, labels: np.ndarray) -> ServingModel:
        """Read the fitted steps; calibrate OOD thresholds on the training rows' distances."""
        preprocess = pipeline.named_steps["preprocess"]
        kmeans = pipeline.named_steps["kmeans"]
        features = tuple(str(c) for c in preprocess.feature_names_in_)
        scaler = preprocess.named_transformers_["numeric"]
        numeric = tuple(str(c) for c in scaler.feature_names_in_)
        centers = np.asarray(kmeans.cluster_centers_, dtype="float64")
        distances = np.sqrt(((x_train[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2))
        own = distances[np.arange(len(labels)), labels]
        thresholds = np.array(
            [
                OOD_FACTOR * float(np.quantile(own[labels == c], OOD_QUANTILE)) if np.any(labels == c) else 0.0
                for c in range(len(centers))
            ]
        )
        return cls(
            features=features,
            gender_in_model=GENDER in features,
            numeric_features=numeric,
            mean=np.asarray(scaler.mean_, dtype="float64"),
            scale=np.asarray(scaler.scale_, dtype="float64"),
            centers=centers,
            ood_threshold=thresholds,
        )

    # -- transform and score -------------------------------------------------------------------
    def transform(self, numeric: np.ndarray, gender_male: np.ndarray | None = None) -> np.ndarray:
        """Scaled model matrix from raw numeric columns (in ``numeric_features`` order) and 0/1 gender."""
        scaled = (np.asarray(numeric, dtype="float64") - self.mean) / self.scale
        if not self.gender_in_model:
            return scaled
        if gender_male is None:
            raise ValueError("this model uses gender: gender_male is required")
        return np.column_stack([np.asarray(gender_male, dtype="float64"), scaled])

    def distances(self, x: np.ndarray) -> np.ndarray:
        """(n, k) Euclidean distances from scaled rows to every centroid."""
        diff = x[:, None, :] - self.centers[None, :, :]
        return np.sqrt(np.einsum("nkd,nkd->nk", diff, diff))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Segment ids of scaled rows (argmin of distance; ties go to the lower id, as in sklearn)."""
        return np.argmin(self.distances(x), axis=1)

    def score(self, x: np.ndarray) -> Scored:
        """Ids plus the evidence behind them: distances, runner-up, margin and OOD flag."""
        d = self.distances(x)
        order = np.argsort(d, axis=1, kind="stable")[:, :2]  # k >= 2 is enforced upstream
        rows = np.arange(len(x))
        best, second = order[:, 0], order[:, 1]
        d1, d2 = d[rows, best], d[rows, second]
        with np.errstate(invalid="ignore", divide="ignore"):
            margin = np.where(d2 > 0, (d2 - d1) / d2, 0.0)
        return Scored(best, d1, second, d2, margin, d1 > self.ood_threshold[best])

    def encode_gender(self, genders: np.ndarray) -> np.ndarray:
        """0/1 from canonical gender strings (``Male`` = 1), the encoder's coding."""
        return (np.asarray(genders) == GENDER_CATEGORIES[1]).astype("float64")

    # -- JSON ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "gender_in_model": self.gender_in_model,
            "gender_categories": list(GENDER_CATEGORIES),
            "numeric_features": list(self.numeric_features),
            "scaler_mean": self.mean.tolist(),
            "scaler_scale": self.scale.tolist(),
            "centers_scaled": self.centers.tolist(),
            "ood_threshold": self.ood_threshold.tolist(),
            "ood_rule": (
                f"out of distribution when the distance to the nearest centroid exceeds {OOD_FACTOR}× the "
                f"{OOD_QUANTILE:.0%} quantile of that segment's training distances"
            ),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServingModel:
        numeric = tuple(data["numeric_features"])
        unknown = [f for f in numeric if f not in NUMERIC_COLUMNS]
        if unknown:
            raise ValueError(f"serving spec names unknown feature {unknown[0]!r}")
        return cls(
            features=tuple(data["features"]),
            gender_in_model=bool(data["gender_in_model"]),
            numeric_features=numeric,
            mean=np.asarray(data["scaler_mean"], dtype="float64"),
            scale=np.asarray(data["scaler_scale"], dtype="float64"),
            centers=np.asarray(data["centers_scaled"], dtype="float64"),
            ood_threshold=np.asarray(data["ood_threshold"], dtype="float64"),
        )
