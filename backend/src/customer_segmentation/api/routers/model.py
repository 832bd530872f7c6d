"""GET /model (the model card) and POST /model/reload (swap in a newly trained model)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.exceptions import HTTPException

from ...artifacts import ArtifactError
from ..dependencies import BundleDep, StoreDep, require_api_key
from ..schemas import ModelCard, ReloadResult
from .responses import errors

router = APIRouter(prefix="/model", tags=["model"])


@router.get("", response_model=ModelCard, summary="The model card of the served model", responses=errors(503))
def get_model_card(bundle: BundleDep) -> dict[str, Any]:
    """k, features, scores per k, stability, profiles, data and model hashes, library versions and
    the pickle-free serving spec — the card the API serves from."""
    return bundle.card


@router.post(
    "/reload",
    response_model=ReloadResult,
    summary="Load the newly trained model without a restart (needs X-API-Key)",
    dependencies=[Depends(require_api_key)],
    responses=errors(401, 403, 409),
)
def reload_model(store: StoreDep) -> ReloadResult:
    """Reads and verifies the artifacts again and swaps the served model in one step: requests in
    flight finish with the model they started with. A refused model (hash mismatch, missing card …)
    leaves the current one served and answers 409. Disabled (403) unless SEGMENTATION_API_KEY is set."""
    try:
        outcome = store.reload()
    except ArtifactError as exc:
        current = store.bundle.model_version if store.bundle else None
        still = f"; still serving {current}" if current else "; no model is served"
        raise HTTPException(status_code=409, detail=f"new model refused: {exc}{still}") from None
    bundle = outcome.bundle
    return ReloadResult(
        reloaded=True,
        changed=outcome.previous_version != bundle.model_version,
        previous_version=outcome.previous_version,
        model_version=bundle.model_version,
        k=bundle.k,
        warnings=list(bundle.warnings),
    )
