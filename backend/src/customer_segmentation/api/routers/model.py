"""GET /model (the model card) and POST /model/reload (swap in a newly trained model)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.exceptions import HTTPException

from ...artifacts import ArtifactError
from ..dependencies import BundleDep, StoreDep, require_api_key
from ..schemas import ModelCard, ModelSchema, ReloadResult
from ..services.model_schema import model_schema
from ..services.redact import public_command
from .responses import errors

router = APIRouter(prefix="/model", tags=["model"])


@router.get("", response_model=ModelCard, summary="The model card of the served model", responses=errors(503))
def get_model_card(bundle: BundleDep) -> ModelCard:
    """k, features, scores per k, stability, profiles, data and model hashes, library versions and
    the pickle-free serving spec — the card the API serves from. The reproduce line names the data
    file relative to the project (or by its name), never by the trainer's absolute path."""
    card = bundle.card
    return card.model_copy(update={"reproduce": public_command(card.reproduce)})


@router.get(
    "/schema",
    response_model=ModelSchema,
    summary="The served model's features (for forms and charts)",
    responses=errors(503),
)
def get_model_schema(bundle: BundleDep) -> ModelSchema:
    """Every feature with its kind, label, unit, transform, declared range, the values seen in
    training and (categorical) the levels — exactly what ``/predict`` accepts — plus the columns the
    model only describes and the axes the report's plots use."""
    return model_schema(bundle)


@router.post(
    "/reload",
    response_model=ReloadResult,
    summary="Load the newly trained model without a restart (needs X-API-Key)",
    dependencies=[Depends(require_api_key)],
    responses=errors(401, 403, 409, 429),
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
