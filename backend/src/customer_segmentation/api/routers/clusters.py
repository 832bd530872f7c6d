"""GET /clusters and /clusters/{cluster_id} — the segments and the evidence for k."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from ..dependencies import BundleDep
from ..schemas import ClusterProfile, ClusterSummary
from ..services.errors import NotFound
from .responses import errors

router = APIRouter(prefix="/clusters", tags=["clusters"], responses=errors(503))


@router.get("", response_model=ClusterSummary, summary="k, the k-selection evidence and every segment")
def list_clusters(bundle: BundleDep) -> dict[str, Any]:
    """Everything a dashboard needs to explain the segmentation, straight from the model card."""
    card = bundle.card
    return {
        "model_version": bundle.model_version,
        "k": bundle.k,
        "features": card.get("features", list(bundle.serving.numeric_features)),
        "rows_used": (card.get("data") or {}).get("rows_used"),
        "k_selection": card["k_selection"],
        "silhouette": card.get("silhouette"),
        "stability": card.get("stability"),
        "segments": bundle.segments,
    }


@router.get("/{cluster_id}", response_model=ClusterProfile, summary="One segment by id", responses=errors(404, 422))
def get_cluster(
    bundle: BundleDep,
    cluster_id: Annotated[int, Path(ge=0, le=1_000, description="Segment id (0..k-1).", examples=[0])],
) -> dict[str, Any]:
    """The profile of segment ``cluster_id``; 404 when the model has no such segment."""
    if cluster_id >= bundle.k:
        raise NotFound(f"no segment {cluster_id}: this model has segments 0..{bundle.k - 1}")
    segment: dict[str, Any] = bundle.segments[cluster_id]
    return segment
