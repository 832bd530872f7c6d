"""FastAPI dependencies, exposed as ``Annotated`` aliases (``SettingsDep``, ``BundleDep`` …).

They are ``async`` because none of them blocks: FastAPI runs a sync dependency in its thread pool,
and those hand-offs cost more than scoring one customer.

Routes declare what they need by type; tests swap any of them with ``app.dependency_overrides``.
"""

from __future__ import annotations

import email.message
import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from .services.errors import ModelUnavailable
from .services.key_attempts import FailedKeyAttempts
from .services.limits import Deadline
from .services.model_store import TRAIN_HINT, ModelBundle, ModelStore
from .services.run_store import RunStore
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


async def get_run_store(request: Request) -> RunStore:
    """The store of runs, segment labels and memberships (opened on first use)."""
    runs: RunStore = request.app.state.run_store
    return runs


RunStoreDep = Annotated[RunStore, Depends(get_run_store)]


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
    """The request's processing budget, counted from when its body had arrived (stamped by
    LimitsMiddleware): the upload's own time is bounded separately (SEGMENTATION_BODY_READ_TIMEOUT_S).
    A route that reads its body itself makes its deadline afterwards with ``Deadline.for_request``."""
    return Deadline.for_request(request.scope, settings.request_time_budget_s)


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


def key_attempts(request: Request) -> FailedKeyAttempts:
    """The app's failed-key counter (created with the app, from its settings)."""
    attempts: FailedKeyAttempts = request.app.state.key_attempts
    return attempts


def require_api_key(
    request: Request, settings: SettingsDep, key: Annotated[str | None, Security(_api_key_scheme)] = None
) -> None:
    """403 when no key is configured (the endpoint is disabled), 401 when the key is missing or wrong,
    429 (with Retry-After) once a client has sent too many wrong keys (see services.key_attempts)."""
    if settings.api_key is None:
        raise HTTPException(
            status_code=403,
            detail="this endpoint is disabled: set SEGMENTATION_API_KEY on the server to enable it",
        )
    attempts = key_attempts(request)
    client = request.client.host if request.client else "unknown"
    wait = attempts.retry_after(client)
    if wait is not None:
        raise HTTPException(
            status_code=429,
            detail=f"too many wrong API keys from this client: try again in {wait} s "
            "(settings SEGMENTATION_API_KEY_MAX_FAILURES, SEGMENTATION_API_KEY_FAILURE_WINDOW_S)",
            headers={"Retry-After": str(wait)},
        )
    if key is None or not secrets.compare_digest(key.encode(), settings.api_key.get_secret_value().encode()):
        attempts.record_failure(client)
        raise HTTPException(
            status_code=401,
            detail=f"missing or wrong API key: send it in the {API_KEY_HEADER} header",
            headers={"WWW-Authenticate": "APIKey"},
        )
