"""A pickle-free, vectorised twin of the fitted pipeline for serving.

``pipeline.predict`` rebuilds a DataFrame and walks the ColumnTransformer for every call (~100 µs
per row). Serving only needs the learned numbers — encoder categories, scaler mean/scale and
centroids — so :class:`ServingModel` holds exactly those as arrays: one affine transform and an
argmin. It is exported to JSON inside the model card, so the API never unpickles anything, and a
test proves it labels every training row and random inputs exactly as the Pipeline does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from ..feature_schema import OTHER_LEVEL
from ..features import NUMERIC_STEP, fitted_log1p_flags, fitted_scaler, numeric_feature_names
from ..schema import GENDER, GENDER_CATEGORIES

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
class CategoricalEncoding:
    """One categorical feature's one-hot coding: its levels, and whether a two-level feature is one
    0/1 column (the second level = 1, as the pipeline's ``drop`` makes it)."""

    name: str
    levels: tuple[str, ...]
    drop_first: bool

    @property
    def width(self) -> int:
        return len(self.levels) - 1 if self.drop_first else len(self.levels)

    @property
    def has_other(self) -> bool:
        return OTHER_LEVEL in self.levels

    def encode(self, index: np.ndarray) -> np.ndarray:
        """(n, width) 0/1 columns from level indices (into ``levels``)."""
        index = np.asarray(index, dtype="int64")
        onehot = (index[:, None] == np.arange(len(self.levels))[None, :]).astype("float64")
        return onehot[:, 1:] if self.drop_first else onehot

    def indices(self, values: pd.Series | np.ndarray) -> np.ndarray:
        """Level index of each value (compared as text, as training wrote the levels); an unseen or
        missing value gets ``other`` when the encoding has it, else -1 (no one-hot column set).

        Each distinct value is looked up once (``pd.factorize``): a million rows of a handful of
        levels take milliseconds, not a Python call per row."""
        codes, uniques = pd.factorize(values)  # a Series keeps its own (Arrow) hashing: no object copy
        unseen = self.levels.index(OTHER_LEVEL) if self.has_other else -1
        found = pd.Index(self.levels).get_indexer(pd.Index([str(v) for v in uniques], dtype=object))
        lookup = np.append(np.where(found < 0, unseen, found), unseen)  # code -1 (missing) → last entry
        return lookup[codes].astype("int64")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "levels": list(self.levels), "drop_first": self.drop_first}


@dataclass(frozen=True)
class ServingModel:
    """The learned numbers of the pipeline, and a fast exact re-implementation of its predict."""

    features: tuple[str, ...]  # input columns, in the pipeline's order
    gender_in_model: bool
    numeric_features: tuple[str, ...]
    mean: np.ndarray  # (n_numeric,)
    scale: np.ndarray  # (n_numeric,)
    centers: np.ndarray  # (k, n_model_columns) in scaled space: [one-hot columns..., numeric...]
    ood_threshold: np.ndarray  # (k,) distance beyond which a customer is out of distribution
    categorical: tuple[CategoricalEncoding, ...] = ()
    log1p: tuple[bool, ...] = ()  # per numeric feature: log1p before scaling
    #: Stable segment id of each centroid row (ascending); empty means 0..k-1. Ids persist across
    #: retraining (see ``lifecycle``), so after a segment is retired they may have gaps (0, 1, 2, 4).
    segment_ids: tuple[int, ...] = ()

    @property
    def k(self) -> int:
        return int(self.centers.shape[0])

    @cached_property
    def ids(self) -> np.ndarray:
        """(k,) stable segment id of each centroid row."""
        return np.asarray(self.segment_ids or range(self.k), dtype="int64")

    @cached_property
    def _log1p_mask(self) -> np.ndarray | None:
        """Boolean mask of the numeric features that get log1p, or None when none do."""
        return np.asarray(self.log1p, dtype=bool) if any(self.log1p) else None

    @cached_property
    def center_norms(self) -> np.ndarray:
        """(k,) squared norms of the centroids: the constant part of K-Means' assignment proxy."""
        return np.asarray((self.centers * self.centers).sum(axis=1))

    @property
    def width(self) -> int:
        """Columns of the model matrix: one-hot columns, then the numeric features."""
        return sum(c.width for c in self.categorical) + len(self.numeric_features)

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline, x_train: np.ndarray, labels: np.ndarray) -> ServingModel:
        """Read the fitted steps; calibrate OOD thresholds on the training rows' distances."""
        preprocess = pipeline.named_steps["preprocess"]
        kmeans = pipeline.named_steps["kmeans"]
        features = tuple(str(c) for c in preprocess.feature_names_in_)
        scaler = fitted_scaler(preprocess)
        numeric = tuple(numeric_feature_names(preprocess))
        categorical = []
        for name, encoder, columns in preprocess.transformers_:
            if name in (NUMERIC_STEP, "remainder") or not isinstance(encoder, OneHotEncoder):
                continue
            drop = encoder.drop_idx_
            categorical.append(
                CategoricalEncoding(
                    name=str(columns[0]),
                    levels=tuple(str(v) for v in encoder.categories_[0]),
                    drop_first=drop is not None and drop[0] is not None and int(drop[0]) == 0,
                )
            )
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
            categorical=tuple(categorical),
            log1p=tuple(fitted_log1p_flags(preprocess)),
        )

    # -- transform and score -------------------------------------------------------------------
    def scale_numeric(self, numeric: np.ndarray) -> np.ndarray:
        """log1p (where the model has it) and standardisation of raw numeric columns ``(n, d)`` or of
        one customer's values ``(d,)``."""
        values = np.asarray(numeric, dtype="float64")
        mask = self._log1p_mask
        if mask is not None:
            values = values.copy()
            values[..., mask] = np.log1p(values[..., mask])
        return (values - self.mean) / self.scale

    def transform_row(self, numeric: np.ndarray, level_index: Sequence[int] = ()) -> np.ndarray:
        """One customer's model row, exactly as :meth:`transform_columns` would make it.

        Scoring one customer is the API's hottest path (budget: 30 µs for validation, scoring and
        the answer), so the one-hot block is a few scalar writes instead of (n, levels) masks."""
        scaled = self.scale_numeric(numeric)
        if not self.categorical:
            return scaled
        if len(level_index) != len(self.categorical):
            raise ValueError(f"this model has {len(self.categorical)} categorical features")
        out = np.zeros(self.width, dtype="float64")
        column = 0
        for encoding, index in zip(self.categorical, level_index, strict=True):
            target = int(index) - (1 if encoding.drop_first else 0)
            if target >= 0:  # the dropped first level of a two-level feature has no column
                out[column + target] = 1.0
            column += encoding.width
        out[column:] = scaled
        return out

    def transform_columns(self, numeric: np.ndarray, level_index: Sequence[np.ndarray] = ()) -> np.ndarray:
        """Model matrix from raw numeric columns (``numeric_features`` order) and, per categorical
        feature (``categorical`` order), each row's index into that feature's levels.

        The one-hot block is written in place (no per-feature arrays to stack): scoring one customer
        is a few microseconds, which is what the API's budget is spent on."""
        scaled = self.scale_numeric(numeric)
        if not self.categorical:
            return scaled
        if len(level_index) != len(self.categorical):
            raise ValueError(f"this model has {len(self.categorical)} categorical features")
        n = len(scaled)
        out = np.zeros((n, self.width), dtype="float64")
        rows = np.arange(n)
        column = 0
        for encoding, index in zip(self.categorical, level_index, strict=True):
            target = np.asarray(index, dtype="int64") - (1 if encoding.drop_first else 0)
            hit = target >= 0  # the dropped first level of a two-level feature has no column
            out[rows[hit], column + target[hit]] = 1.0
            column += encoding.width
        out[:, column:] = scaled
        return out

    def transform(self, numeric: np.ndarray, gender_male: np.ndarray | None = None) -> np.ndarray:
        """Scaled model matrix from raw numeric columns (in ``numeric_features`` order) and 0/1 gender
        (the Mall models' form of :meth:`transform_columns`)."""
        if not self.gender_in_model:
            return self.transform_columns(numeric, ())
        if gender_male is None:
            raise ValueError("this model uses gender: gender_male is required")
        return self.transform_columns(numeric, [np.asarray(gender_male, dtype="int64")])

    def distances(self, x: np.ndarray) -> np.ndarray:
        """(n, k) Euclidean distances from scaled rows to every centroid."""
        diff = x[:, None, :] - self.centers[None, :, :]
        return np.sqrt(np.einsum("nkd,nkd->nk", diff, diff))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Stable segment ids of scaled rows: ``ids[pipeline.predict]`` (argmin of distance; ties go to
        the lower centroid row, as in sklearn)."""
        return self.ids[np.argmin(self.distances(x), axis=1)]

    def score(self, x: np.ndarray) -> Scored:
        """Stable ids plus the evidence behind them: distances, runner-up, margin and OOD flag."""
        d = self.distances(x)
        order = np.argsort(d, axis=1, kind="stable")[:, :2]  # k >= 2 is enforced upstream
        rows = np.arange(len(x))
        best, second = order[:, 0], order[:, 1]
        d1, d2 = d[rows, best], d[rows, second]
        with np.errstate(invalid="ignore", divide="ignore"):
            margin = np.where(d2 > 0, (d2 - d1) / d2, 0.0)
        ids = self.ids
        return Scored(ids[best], d1, ids[second], d2, margin, d1 > self.ood_threshold[best])

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
            "numeric_transforms": ["log1p" if flag else "none" for flag in self.log1p],
            "categorical": [c.to_dict() for c in self.categorical],
            "scaler_mean": self.mean.tolist(),
            "scaler_scale": self.scale.tolist(),
            "centers_scaled": self.centers.tolist(),
            "ood_threshold": self.ood_threshold.tolist(),
            "segment_ids": self.ids.tolist(),
            "ood_rule": (
                f"out of distribution when the distance to the nearest centroid exceeds {OOD_FACTOR}× the "
                f"{OOD_QUANTILE:.0%} quantile of that segment's training distances"
            ),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServingModel:
        numeric = tuple(str(f) for f in data["numeric_features"])
        features = tuple(str(f) for f in data["features"])
        unknown = [f for f in numeric if f not in features]
        if unknown:
            raise ValueError(f"serving spec names unknown feature {unknown[0]!r}")
        transforms = data.get("numeric_transforms") or ["none"] * len(numeric)
        if len(transforms) != len(numeric) or any(t not in ("none", "log1p") for t in transforms):
            raise ValueError("serving spec's numeric_transforms do not match its numeric features")
        categorical = tuple(
            CategoricalEncoding(str(c["name"]), tuple(str(v) for v in c["levels"]), bool(c["drop_first"]))
            for c in data.get("categorical") or []
        )
        return cls(
            features=features,
            gender_in_model=any(c.name == GENDER for c in categorical),
            numeric_features=numeric,
            mean=np.asarray(data["scaler_mean"], dtype="float64"),
            scale=np.asarray(data["scaler_scale"], dtype="float64"),
            centers=np.asarray(data["centers_scaled"], dtype="float64"),
            ood_threshold=np.asarray(data["ood_threshold"], dtype="float64"),
            categorical=categorical,
            log1p=tuple(t == "log1p" for t in transforms),
            segment_ids=tuple(int(i) for i in data.get("segment_ids") or ()),
        )
