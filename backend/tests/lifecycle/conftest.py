"""Synthetic runs for the lifecycle tests: customers in well-separated groups, a parent model, a retrain."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.preprocessing import StandardScaler

from customer_segmentation.config import PROJECT_ROOT
from customer_segmentation.lifecycle.matching import SegmentMatching, centroids_of, match_segments

FEATURES = ["age", "annual_income", "spending_score"]
MALL = Path(os.environ.get("MALL_DATA_MIRROR", PROJECT_ROOT.parent / "shared" / "data")) / "Mall_Customers.csv"


def customers(centers: np.ndarray, n_per: int = 80, seed: int = 0, first_id: int = 1) -> pd.DataFrame:
    """``n_per`` customers around each centre; ``group`` is the true group, ids are C0001, C0002, …"""
    x, group = make_blobs(
        n_samples=[n_per] * len(centers), centers=centers, cluster_std=2.0, random_state=seed, shuffle=True
    )
    ids = [f"C{i:04d}" for i in range(first_id, first_id + len(x))]
    return pd.DataFrame(x, columns=FEATURES, index=pd.Index(ids, name="customer_id")).assign(group=group)


CENTRES = np.array([[25, 20, 80], [45, 25, 20], [35, 60, 50], [30, 100, 85], [55, 100, 15]], dtype=float)


@dataclass
class Run:
    """One trained run: its data, scaler, K-Means and local labels."""

    frame: pd.DataFrame
    scaler: StandardScaler
    model: KMeans

    @property
    def labels(self) -> np.ndarray:
        return np.asarray(self.model.labels_)

    def members(self, ids: np.ndarray | None = None) -> pd.Series:
        values = self.labels if ids is None else np.asarray(ids)[self.labels]
        return pd.Series(values, index=self.frame.index)


def fit_run(frame: pd.DataFrame, k: int, seed: int) -> Run:
    scaler = StandardScaler().fit(frame[FEATURES])
    model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(scaler.transform(frame[FEATURES]))
    return Run(frame, scaler, model)


def match(
    parent: Run, parent_ids: list[int], new: Run, max_id_used: int, *, with_members: bool = True
) -> SegmentMatching:
    """Match ``new`` to ``parent`` in the parent's scaled space, as the pipeline is meant to."""
    shared_space = parent.scaler.transform(new.frame[FEATURES])
    return match_segments(
        parent_ids=parent_ids,
        parent_centroids=parent.model.cluster_centers_,
        new_centroids=centroids_of(shared_space, new.labels, new.model.n_clusters),
        max_id_used=max_id_used,
        parent_members=parent.members(np.asarray(parent_ids)) if with_members else None,
        new_members=new.members() if with_members else None,
    )


def group_of_segments(run: Run) -> dict[int, int]:
    """The true group that makes up each local segment (the groups are separated: one per segment)."""
    return {int(c): int(run.frame["group"][run.labels == c].mode()[0]) for c in range(run.model.n_clusters)}


def retrain_copy(frame: pd.DataFrame, drop: float = 0.05, seed: int = 1) -> pd.DataFrame:
    """The same customers with rows shuffled and ``drop`` of them removed."""
    rng = np.random.default_rng(seed)
    shuffled = frame.iloc[rng.permutation(len(frame))]
    return shuffled.iloc[: round(len(frame) * (1 - drop))]


@pytest.fixture(scope="session")
def mall_frame() -> pd.DataFrame:
    """The Mall data's numeric features indexed by customer id (read from the mirror, never committed)."""
    if not MALL.is_file():
        pytest.skip(f"Mall data not found at {MALL}")
    frame = pd.read_csv(MALL).set_index("CustomerID")
    frame.columns = ["gender", *FEATURES]
    return frame
