"""GET /health — is a model served, which one, and if not, why."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ... import __version__
from ..dependencies import SettingsDep, StoreDep
from ..schemas import Health
from ..services.redact import public_text

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Service health and the model being served")
def get_health(request: Request, store: StoreDep, settings: SettingsDep) -> Health:
    """Always 200: ``status`` is ``ok`` with a model, ``no_model`` (with the reason) without one."""
    bundle = store.bundle
    warnings = list(bundle.warnings) if bundle else []
    if store.last_reload_error:
        warnings.append(f"last reload refused: {store.last_reload_error}")
    # Unauthenticated: the reasons keep their meaning, the server's paths stay in the log.
    roots = [settings.artifacts_root]
    warnings = [public_text(w, roots) for w in warnings]
    problem = public_text(store.problem, roots) if not bundle and store.problem else None
    return Health(
        status="ok" if bundle else "no_model",
        model_loaded=bundle is not None,
        model_version=bundle.model_version if bundle else None,
        created_at=bundle.created_at if bundle else None,
        k=bundle.k if bundle else None,
        customers_loaded=len(bundle.customers) if bundle and bundle.customers is not None else None,
        problem=problem,
        warnings=warnings,
        reload_enabled=settings.api_key is not None,
        dashboard=bool(getattr(request.app.state, "dashboard", False)),
        api_version=__version__,
    )
