"""FastAPI dependencies, exposed as ``Annotated`` aliases (``SettingsDep``, ``BundleDep`` …).

They are ``async`` because none of them blocks: FastAPI runs a sync dependency in its thread pool,
and those hand-offs cost more than scoring one customer.

Routes declare what they need by type; tests swap any of them with ``app.dependency_overrides``.
"""

from __future__ import annotations

import email.message
import secrets
import time
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from .services.errors import ModelUnavailable
from .services.limits import STARTED_KEY, Deadline
from .services.model_store import TRAIN_HINT, ModelBundle, ModelStore
from .settings import ApiSettings

API_KEY_HEADER = "X-API-Key"


async def get_settings(request: Request) -> ApiSettings:
    """The settings the app was created with."""
    settings: ApiSettings = request.app.state.settings
    return settings


async def get_store(request: Request) -> ModelStore:
    store: ModelStore = request.app.state.store
    return store


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
StoreDep = Annotated[ModelStore, Depends(get_store)]


async def get_bundle(store: StoreDep) -> ModelBundle:
    """The model served right now, taken once per request (a reload never changes it mid-request)."""
    bundle = store.bundle
    if bundle is None:
        problem = store.problem or "no model loaded"
        hint = "" if "backend/src/main.py" in problem else f"; {TRAIN_HINT}"
        raise ModelUnavailable(f"no model is being served: {problem}{hint}, then restart or POST /model/reload")
    return bundle


BundleDep = Annotated[ModelBundle, Depends(get_bundle)]


async def get_deadline(request: Request, settings: SettingsDep) -> Deadline:
    """The request's time budget, counted from its arrival (stamped by LimitsMiddleware)."""
    started = request.scope.get("state", {}).get(STARTED_KEY, time.perf_counter())
    return Deadline(started, settings.request_time_budget_s)


DeadlineDep = Annotated[Deadline, Depends(get_deadline)]


def _media_type(request: Request) -> tuple[str, str]:
    message = email.message.Message()
    message["content-type"] = request.headers.get("content-type", "")
    return message.get_content_maintype(), message.get_content_subtype()


async def require_json(request: Request) -> None:
    """415 unless the body is declared as JSON (a missing Content-Type is not guessed)."""
    main, sub = _media_type(request)
    if "content-type" not in request.headers or main != "application" or not (sub == "json" or sub.endswith("+json")):
        raise HTTPException(
            status_code=415,
            detail=f"unsupported Content-Type {request.headers.get('content-type', '(none)')!r}: "
            "send the body as JSON with 'Content-Type: application/json'",
        )


async def require_multipart(request: Request) -> None:
    """415 unless the body is a multipart form (a file upload)."""
    main, sub = _media_type(request)
    if "content-type" not in request.headers or (main, sub) != ("multipart", "form-data"):
        raise HTTPException(
            status_code=415,
            detail=f"unsupported Content-Type {request.headers.get('content-type', '(none)')!r}: upload the "
            "CSV as multipart/form-data in a field named 'file' (curl -F file=@customers.csv)",
        )


_api_key_scheme = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="Required by state-changing endpoints."
)


def require_api_key(settings: SettingsDep, key: Annotated[str | None, Security(_api_key_scheme)] = None) -> None:
    """403 when no key is configured (the endpoint is disabled), 401 when the key is missing or wrong."""
    if settings.api_key is None:
        raise HTTPException(
            status_code=403,
            detail="this endpoint is disabled: set SEGMENTATION_API_KEY on the server to enable it",
        )
    if key is None or not secrets.compare_digest(key.encode(), settings.api_key.get_secret_value().encode()):
        raise HTTPException(
            status_code=401,
            detail=f"missing or wrong API key: send it in the {API_KEY_HEADER} header",
            headers={"WWW-Authenticate": "APIKey"},
        )
