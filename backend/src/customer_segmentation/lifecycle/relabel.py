"""Give a trained run its stable segment ids: reorder its clusters by id and renumber everything.

Training numbers segments 0..k-1 by centroid (income, spending, age). Once matched to the parent,
segment ``i`` has stable id ``stable_ids[i]``. The clusters are then permuted so that centroid rows
are in ascending id order — so when every segment matched, ids stay 0..k-1 and the pickled model's
``predict`` *is* the stable id — and every per-segment number is renumbered with them: the K-Means
centroids, the rows' labels (now stable ids), the profiles, the per-segment silhouettes and Jaccards,
and the serving model (with its position → id map). The pickled model is serialised again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..modeling.train import renumber_clusters

if TYPE_CHECKING:
    from ..run_result import RunResult


def apply_stable_ids(result: RunResult, stable_ids: Sequence[int]) -> None:
    """Renumber ``result`` in place so segment ``i`` (of training's 0..k-1) becomes ``stable_ids[i]``.

    Parameters
    ----------
    result : RunResult
        Fresh from training: ``labels`` and profile ids are 0..k-1.
    stable_ids : sequence of int, length k
        Unique non-negative ids.
    """
    from ..pipeline import _model_bytes

    ids = np.asarray(stable_ids, dtype="int64")
    k = len(result.profiles)
    if len(ids) != k or len(set(ids.tolist())) != k or (ids < 0).any():
        raise ValueError(f"stable ids must be {k} unique non-negative integers, not {ids.tolist()}")
    order = np.argsort(ids, kind="stable")  # new row p is training's segment order[p]
    sorted_ids = ids[order]
    to_stable = ids  # training segment i -> its stable id

    renumber_clusters(result.pipeline.named_steps["kmeans"], order)
    result.labels = to_stable[np.asarray(result.labels, dtype="int64")]
    profiles = [result.profiles[i] for i in order]
    for profile, stable in zip(profiles, sorted_ids.tolist(), strict=True):
        profile.id = stable
    result.profiles = profiles

    detail = result.silhouette_detail
    result.silhouette_detail = dataclasses.replace(
        detail,
        per_cluster=[detail.per_cluster[i] for i in order],
        labels=to_stable[np.asarray(detail.labels, dtype="int64")],
    )
    if result.segment_stability is not None:
        jaccard = result.segment_stability
        renamed = [dataclasses.replace(s, segment=int(to_stable[s.segment])) for s in jaccard.segments]
        result.segment_stability = dataclasses.replace(
            jaccard, segments=tuple(sorted(renamed, key=lambda s: s.segment))
        )
    serving = result.serving
    result.serving = dataclasses.replace(
        serving,
        centers=serving.centers[order],
        ood_threshold=serving.ood_threshold[order],
        segment_ids=tuple(sorted_ids.tolist()),
    )
    if not np.array_equal(order, np.arange(k)):
        result.model_bytes = _model_bytes(result.pipeline)
