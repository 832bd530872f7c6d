"""Which axes show the segments best: the same choice for the PNG figures, the model card and the
dashboard's charts.

The Mall keeps the seed's axes (income vs spending; age, income and spending), an RFM run shows
recency against monetary value (and frequency in 3D). Any other table is
shown on the pair (and triple) of numeric features that best separate the segments — the highest
silhouette of the segment labels on those standardised columns, measured on a fixed-seed sample —
unless the first principal components of the model matrix separate them clearly better (by
:data:`PCA_MARGIN`) or there are not enough numeric features: then the plots are of PC1, PC2 (PC3),
with the share of variance each explains.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score

from ..feature_schema import FeatureSchema
from ..schema import AGE, ANNUAL_INCOME, SPENDING_SCORE

SAMPLE_ROWS = 1_000
#: Pairs/triples are searched among the features with the largest between-segment F ratio.
SEARCH_FEATURES = 8
PCA_MARGIN = 0.10
PCA_COLUMNS = ("pc1", "pc2", "pc3")
#: The RFM schema's derived columns (``transactions_run``): recency against monetary value, as marketers draw it.
RECENCY, FREQUENCY, MONETARY = "recency_days", "frequency", "monetary"


@dataclass(frozen=True)
class PlotAxes:
    """Columns for the 2D plot (x, y) and the 3D plot (x3, y3, z3, None when impossible)."""

    x: str
    y: str
    three: tuple[str, str, str] | None
    source: str  # "features" or "pca"
    explained_variance: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "x": self.x,
            "y": self.y,
            "three": list(self.three) if self.three else None,
            "source": self.source,
            "explained_variance": self.explained_variance or None,
        }


def _sample(n: int, random_state: int) -> np.ndarray:
    if n <= SAMPLE_ROWS:
        return np.arange(n)
    return np.sort(np.random.default_rng(random_state).choice(n, SAMPLE_ROWS, replace=False))


def _separation(points: np.ndarray, labels: np.ndarray) -> float:
    if len(np.unique(labels)) < 2 or len(points) <= len(np.unique(labels)):
        return -1.0
    return float(silhouette_score(points, labels))


def _standardised(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    values = frame[columns].to_numpy(dtype="float64")
    spread = values.std(axis=0)
    spread[spread == 0] = 1.0
    return (values - values.mean(axis=0)) / spread


def _f_ratio(values: np.ndarray, labels: np.ndarray) -> float:
    groups = [values[labels == c] for c in np.unique(labels)]
    within = sum(float(((g - g.mean()) ** 2).sum()) for g in groups)
    between = sum(len(g) * float((g.mean() - values.mean()) ** 2) for g in groups)
    return between / within if within > 0 else np.inf


def pca_coordinates(x_model: np.ndarray, random_state: int) -> tuple[np.ndarray, list[float]]:
    """Up to three principal components of the model matrix, and their explained variance ratios."""
    components = min(3, x_model.shape[1], max(len(x_model) - 1, 1))
    pca = PCA(n_components=components, random_state=random_state).fit(x_model)
    return pca.transform(x_model), [float(v) for v in pca.explained_variance_ratio_]


def choose_axes(
    schema: FeatureSchema, clean: pd.DataFrame, x_model: np.ndarray, labels: np.ndarray, random_state: int
) -> PlotAxes:
    """The axes of the 2D and 3D plots for this run (see the module docstring)."""
    numeric = [s.name for s in schema.numeric_features]
    if schema.kind == "mall" and {ANNUAL_INCOME, SPENDING_SCORE} <= set(numeric):
        mall_three = (AGE, ANNUAL_INCOME, SPENDING_SCORE) if AGE in clean.columns else None
        return PlotAxes(ANNUAL_INCOME, SPENDING_SCORE, mall_three, "features")
    if schema.kind == "rfm" and {RECENCY, MONETARY} <= set(clean.columns):
        rfm_three = (RECENCY, FREQUENCY, MONETARY) if FREQUENCY in clean.columns else None
        return PlotAxes(RECENCY, MONETARY, rfm_three, "features")
    rows = _sample(len(clean), random_state)
    sample_labels = labels[rows]
    all_pcs, explained = pca_coordinates(x_model, random_state)
    pcs = all_pcs[rows]
    pca_2d = _separation(pcs[:, :2], sample_labels) if pcs.shape[1] >= 2 else -1.0
    pca_axes = PlotAxes(
        "pc1", "pc2", PCA_COLUMNS if pcs.shape[1] >= 3 else None, "pca", [round(v, 4) for v in explained]
    )
    if len(numeric) < 2:
        return pca_axes
    scaled = _standardised(clean.iloc[rows], numeric)
    ranked = sorted(range(len(numeric)), key=lambda j: -_f_ratio(scaled[:, j], sample_labels))[:SEARCH_FEATURES]
    pairs = [(_separation(scaled[:, list(p)], sample_labels), p) for p in itertools.combinations(sorted(ranked), 2)]
    best_pair_score, best_pair = max(pairs, key=lambda item: (item[0], [-j for j in item[1]]))
    if pca_2d > best_pair_score + PCA_MARGIN:
        return pca_axes
    three: tuple[str, str, str] | None = None
    if len(numeric) >= 3:
        triples = [
            (_separation(scaled[:, list(t)], sample_labels), t) for t in itertools.combinations(sorted(ranked), 3)
        ]
        _, best_triple = max(triples, key=lambda item: (item[0], [-j for j in item[1]]))
        three = (numeric[best_triple[0]], numeric[best_triple[1]], numeric[best_triple[2]])
    elif pca_axes.three is not None:
        three = None
    return PlotAxes(numeric[best_pair[0]], numeric[best_pair[1]], three, "features")


def plot_frame(clean: pd.DataFrame, axes: PlotAxes, x_model: np.ndarray, random_state: int) -> pd.DataFrame:
    """``clean`` with the PCA coordinates added when the axes are principal components."""
    if axes.source != "pca":
        return clean
    pcs, _ = pca_coordinates(x_model, random_state)
    extra = {PCA_COLUMNS[j]: pcs[:, j] for j in range(pcs.shape[1])}
    return clean.assign(**extra)
