"""Exception handlers: every error leaves the API as an :class:`ErrorResponse` JSON body.

Validation errors name the field (``customers[3].age``) and the problem; malformed JSON is a 400;
service errors carry their own status; anything else is a bug — logged with its traceback and
answered with a JSON 500 that reveals nothing internal.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import SegmentationError
from .schemas import ErrorResponse, FieldError
from .services.errors import ServiceError

log = logging.getLogger("customer_segmentation.api")

_LOCATIONS = {"body", "query", "path", "header", "cookie"}
_MAX_IN_DETAIL = 5


def field_path(loc: Sequence[Any]) -> str:
    """('body', 'customers', 3, 'age') → 'customers[3].age'."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS and len(parts) > 1:
        parts = parts[1:]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "body"


def _message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def _error_response(
    status: int, detail: str, errors: list[FieldError], headers: dict[str, str] | None = None
) -> JSONResponse:
    body = ErrorResponse(detail=detail, errors=errors).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers=headers)


def error_json(status: int, detail: str, allow: list[str] | None = None) -> JSONResponse:
    """The API's error body for a response built outside a route (e.g. by the dashboard mount)."""
    headers = {"Allow": ", ".join(allow)} if allow else None
    return _error_response(status, detail, [], headers)


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        first = next(e for e in errors if e.get("type") == "json_invalid")
        reason = (first.get("ctx") or {}).get("error", "JSON decode error")
        position = first.get("loc", ("body", "?"))[-1]
        return _error_response(
            400,
            f"malformed JSON: {reason} (at character {position})",
            [FieldError(field="body", message=f"malformed JSON: {reason}", type="json_invalid")],
        )
    fields = [
        FieldError(field=field_path(e.get("loc", ())), message=_message(e), type=str(e.get("type", "value_error")))
        for e in errors
    ]
    shown = "; ".join(f"{f.field}: {f.message}" for f in fields[:_MAX_IN_DETAIL])
    if len(fields) > _MAX_IN_DETAIL:
        shown += f"; … and {len(fields) - _MAX_IN_DETAIL} more"
    return _error_response(422, shown or "invalid request", fields)


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return _error_response(exc.status_code, detail, [], dict(exc.headers or {}))


async def service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    errors = [FieldError(field=exc.field, message=str(exc), type=type(exc).__name__)] if exc.field else []
    return _error_response(exc.status_code, str(exc), errors)


async def segmentation_error(request: Request, exc: Exception) -> JSONResponse:
    return _error_response(422, str(exc), [])


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_response(500, "internal server error; it has been logged", [])


def install(app: FastAPI) -> None:
    """Register every handler on ``app``."""
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(SegmentationError, segmentation_error)
    app.add_exception_handler(Exception, unexpected_error)
