"""GET /clusters and /clusters/{cluster_id} — the segments and the evidence for k."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from ..dependencies import BundleDep, RunStoreDep
from ..schemas import ClusterProfile, ClusterSummary
from ..services.errors import NotFound
from ..services.run_store import id_list, labelled_segments
from .responses import errors

router = APIRouter(prefix="/clusters", tags=["clusters"], responses=errors(503))


@router.get("", response_model=ClusterSummary, summary="k, the k-selection evidence and every segment")
def list_clusters(bundle: BundleDep, runs: RunStoreDep) -> dict[str, Any]:
    """Everything a dashboard needs to explain the segmentation, from the model card — with your team's
    current names and actions (PATCH /clusters/{id}) merged in."""
    card = bundle.card
    return {
        "model_version": bundle.model_version,
        "lineage_id": bundle.lineage_id,
        "k": bundle.k,
        "features": card.features,
        "rows_used": card.data.rows_used,
        "k_selection": card.k_selection,
        "silhouette": card.silhouette.model_dump(),
        "stability": card.stability,
        "segments": labelled_segments(bundle, runs.labels(bundle.lineage_id)),
    }


@router.get("/{cluster_id}", response_model=ClusterProfile, summary="One segment by id", responses=errors(404, 422))
def get_cluster(
    bundle: BundleDep,
    runs: RunStoreDep,
    cluster_id: Annotated[
        int, Path(ge=0, le=10_000, description="Stable segment id (see GET /clusters).", examples=[0])
    ],
) -> dict[str, Any]:
    """The profile of segment ``cluster_id``; 404 when the model has no such segment."""
    if cluster_id not in bundle.segment_ids:
        raise NotFound(f"no segment {cluster_id}: this model has segments {id_list(bundle.segment_ids)}")
    segments = labelled_segments(bundle, runs.labels(bundle.lineage_id))
    return next(s for s in segments if s["id"] == cluster_id)
