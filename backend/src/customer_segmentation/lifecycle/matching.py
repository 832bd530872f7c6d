"""Give a retrained model's segments the stable ids of its parent's segments — where they are the same.

What "the same segment" means, in order of preference:

1. **The same customers** (``method="overlap"``). When at least ``MIN_SHARED_FRACTION`` of the new
   run's customers were also in the parent run, segments are compared by the Jaccard overlap of
   their members among those shared customers. This is what a campaign keyed to a segment cares
   about, and it is immune to what moves centroids without changing who belongs together (a
   refitted scaler, incomes rising across the board). A pair matches when its Jaccard exceeds
   ``MIN_JACCARD`` = 0.5, Hennig's ``clusterboot`` dissolution bound: above it more than half of
   each segment's shared customers are in the other, so no segment can match two.
2. **The same place** (``method="centroid"``), when customers are mostly new or have no ids:
   Euclidean distance between centroids in the *parent's* scaled space (the parent preprocessor's
   output — numeric features in the parent's standard deviations; compute the new centroids with
   ``centroids_of`` on the new rows transformed by the parent's preprocessor). A pair matches
   within ``MAX_CENTROID_DISTANCE`` = 0.5 standard deviations: on the Mall data (k=6) refits on 95 %
   of the customers moved matched centroids by at most 0.21 over 30 trials, while distinct
   segments' centroids are at least 1.67 apart; half a standard deviation is also Cohen's "medium"
   effect, a shift a marketer would notice.

The assignment is Hungarian (``scipy.optimize.linear_sum_assignment``) on a gated cost: pairs
beyond the threshold cost more than any set of admissible pairs, so the assignment first matches as
many segments as possible, then the best ones. Matched segments keep the parent's stable id; every
unmatched new segment gets a fresh id above the lineage's highest id ever used (in the order of
their centroids, so the result does not depend on the new run's label order); unmatched parent
segments are retired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

MIN_SHARED_FRACTION = 0.5
MIN_JACCARD = 0.5
MAX_CENTROID_DISTANCE = 0.5
_OUT_OF_BOUNDS = 1e6  # gated cost: larger than any sum of admissible costs

MatchMethod = Literal["overlap", "centroid", "fresh"]


@dataclass(frozen=True)
class SegmentPair:
    """A new segment and its parent partner — or, when it is NEW, its closest parent segment.

    ``jaccard``: overlap of members among shared customers (None without customer ids);
    ``distance``: centroid distance in the parent's scaled space; ``matched``: within the threshold
    of the method in use, and assigned.
    """

    new_index: int
    stable_id: int
    parent_id: int | None
    jaccard: float | None
    distance: float | None
    matched: bool


@dataclass(frozen=True)
class SegmentMatching:
    """The new run's segments mapped to stable ids, and the evidence for each decision."""

    method: MatchMethod
    threshold: float | None  # MIN_JACCARD (overlap), MAX_CENTROID_DISTANCE (centroid), None (fresh)
    stable_ids: tuple[int, ...]  # stable id of new local segment i
    pairs: tuple[SegmentPair, ...]  # one per new segment, in local order
    new_ids: tuple[int, ...]
    retired_ids: tuple[int, ...]
    shared_customers: int
    shared_fraction: float  # shared customers / the new run's customers
    max_id_used: int  # highest id ever used in the lineage, this run included

    @property
    def id_map(self) -> dict[int, int]:
        return dict(enumerate(self.stable_ids))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("stable_ids", "new_ids", "retired_ids"):
            data[key] = list(data[key])
        data["pairs"] = [asdict(p) for p in self.pairs]
        return data


def centroids_of(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Mean row of each local segment 0..k-1.

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_features)
        Rows in the shared space (the new data through the parent's preprocessor).
    labels : ndarray of shape (n_rows,)
        Local segment of each row, in 0..k-1; every segment must have a member.

    Returns
    -------
    ndarray of shape (k, n_features)
    """
    x, labels = np.asarray(x, dtype=float), np.asarray(labels)
    counts = np.bincount(labels, minlength=k)
    if len(counts) > k or (counts == 0).any():
        raise ValueError(f"labels must cover exactly the segments 0..{k - 1}")
    sums = np.zeros((k, x.shape[1]))
    np.add.at(sums, labels, x)
    return sums / counts[:, None]


def fresh_lineage(k: int, max_id_used: int = -1) -> SegmentMatching:
    """A run without a comparable parent (first run, or the feature schema changed): all ids new."""
    ids = tuple(range(max_id_used + 1, max_id_used + 1 + k))
    pairs = tuple(SegmentPair(i, s, None, None, None, False) for i, s in enumerate(ids))
    return SegmentMatching("fresh", None, ids, pairs, ids, (), 0, 0.0, max([max_id_used, *ids]))


def _overlap(
    parent_ids: Sequence[int], parent_members: pd.Series, new_members: pd.Series, k_new: int
) -> tuple[np.ndarray, int]:
    """Jaccard (k_parent, k_new) of memberships restricted to customers in both runs; shared count."""
    for name, members in (("parent", parent_members), ("new", new_members)):
        if members.index.has_duplicates:
            raise ValueError(f"{name} members: customer ids must be unique")
    shared = parent_members.index.intersection(new_members.index)
    old = pd.Index(np.asarray(parent_ids, dtype=np.int64)).get_indexer(
        parent_members.loc[shared].to_numpy(dtype=np.int64)
    )  # row of each shared customer's parent segment (-1: not a parent segment)
    new = new_members.loc[shared].to_numpy(dtype=np.int64)
    if (old < 0).any():
        raise ValueError("parent members hold a segment id that is not among parent_ids")
    if ((new < 0) | (new >= k_new)).any():
        raise ValueError(f"new members must hold local segments 0..{k_new - 1}")
    both = np.zeros((len(parent_ids), k_new), dtype=np.int64)
    np.add.at(both, (old, new), 1)
    union = both.sum(axis=1)[:, None] + both.sum(axis=0)[None, :] - both
    return np.divide(both, union, out=np.zeros(both.shape), where=union > 0), len(shared)


def _fresh_order(centroids: np.ndarray, indices: list[int]) -> list[int]:
    """Unmatched new segments ordered by centroid coordinates (first feature first)."""
    if not indices:
        return []
    rows = centroids[indices]
    return [indices[i] for i in np.lexsort(rows.T[::-1])]


def match_segments(
    *,
    parent_ids: Sequence[int],
    parent_centroids: np.ndarray,
    new_centroids: np.ndarray,
    max_id_used: int,
    parent_members: pd.Series | None = None,
    new_members: pd.Series | None = None,
) -> SegmentMatching:
    """Map the new run's local segments to the lineage's stable ids.

    Parameters
    ----------
    parent_ids : sequence of int, length k_parent
        Stable id of each row of ``parent_centroids``.
    parent_centroids : ndarray of shape (k_parent, n_features)
        The parent's centroids in its scaled space.
    new_centroids : ndarray of shape (k_new, n_features)
        The new segments' centroids in the same space; row i is local segment i.
    max_id_used : int
        Highest stable id ever used in the lineage (retired ones included); fresh ids start above it.
    parent_members, new_members : Series, optional
        Indexed by customer id (the same dtype in both); values: the parent's stable id / the new
        local segment. Without them (or with too few shared customers) segments are matched by
        centroid; the Jaccard is still recorded in ``pairs`` when they are given.

    Returns
    -------
    SegmentMatching
    """
    parent_centroids, new_centroids = np.asarray(parent_centroids, float), np.asarray(new_centroids, float)
    k_parent, k_new = len(parent_centroids), len(new_centroids)
    if k_parent == 0:
        return fresh_lineage(k_new, max_id_used)
    if len(parent_ids) != k_parent or len(set(parent_ids)) != k_parent:
        raise ValueError("parent_ids must be unique, one per parent centroid")
    if parent_centroids.shape[1] != new_centroids.shape[1]:
        raise ValueError("parent and new centroids must live in the same space (same number of columns)")
    distance = cdist(parent_centroids, new_centroids)
    jaccard, shared = None, 0
    if parent_members is not None and new_members is not None and len(new_members):
        jaccard, shared = _overlap(parent_ids, parent_members, new_members, k_new)
    fraction = shared / len(new_members) if new_members is not None and len(new_members) else 0.0
    by_overlap = jaccard is not None and fraction >= MIN_SHARED_FRACTION
    if by_overlap:
        assert jaccard is not None
        admissible, cost, threshold = jaccard > MIN_JACCARD, 1.0 - jaccard, MIN_JACCARD
        closest = jaccard.argmax(axis=0)
    else:
        admissible, cost, threshold = distance <= MAX_CENTROID_DISTANCE, distance, MAX_CENTROID_DISTANCE
        closest = distance.argmin(axis=0)
    rows, cols = linear_sum_assignment(np.where(admissible, cost, _OUT_OF_BOUNDS))
    partner = {int(c): int(r) for r, c in zip(rows, cols, strict=True) if admissible[r, c]}

    stable = {c: int(parent_ids[r]) for c, r in partner.items()}
    fresh = _fresh_order(new_centroids, [c for c in range(k_new) if c not in partner])
    for offset, c in enumerate(fresh, start=1):
        stable[c] = max_id_used + offset
    pairs = []
    for c in range(k_new):
        r = partner.get(c, int(closest[c]))
        pairs.append(
            SegmentPair(
                new_index=c,
                stable_id=stable[c],
                parent_id=int(parent_ids[r]),
                jaccard=None if jaccard is None else float(jaccard[r, c]),
                distance=float(distance[r, c]),
                matched=c in partner,
            )
        )
    matched_parents = {partner[c] for c in partner}
    return SegmentMatching(
        method="overlap" if by_overlap else "centroid",
        threshold=threshold,
        stable_ids=tuple(stable[c] for c in range(k_new)),
        pairs=tuple(pairs),
        new_ids=tuple(stable[c] for c in fresh),
        retired_ids=tuple(sorted(int(parent_ids[r]) for r in range(k_parent) if r not in matched_parents)),
        shared_customers=shared,
        shared_fraction=fraction,
        max_id_used=max([max_id_used, *stable.values()]),
    )
