"""Exception handlers: every error leaves the API as an :class:`ErrorResponse` JSON body.

Validation errors name the field (``customers[3].age``) and the problem; malformed JSON is a 400,
and so is a body that is not UTF-8 or holds an integer too long to convert (saying so, for "body");
service errors carry their own status; anything else is a bug — logged with its traceback and
answered with a JSON 500 that reveals nothing internal. Messages about the server's artifacts never
show its absolute paths (``services.redact``): those stay in the log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import SegmentationError
from .schemas import ErrorResponse, FieldError
from .services.batch_input import BODY_PARSE_ERROR
from .services.errors import ServiceError
from .services.limits import MAX_REPORTED_ERRORS
from .services.redact import public_text

log = logging.getLogger("customer_segmentation.api")

_LOCATIONS = {"body", "query", "path", "header", "cookie"}
_MAX_IN_DETAIL = 5
_DIGITS = re.compile(r"value has (\d+) digits")


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
    # Capped: 10,000 invalid customers must not become a 67 MB answer built on the event loop.
    fields = [
        FieldError(field=field_path(e.get("loc", ())), message=_message(e), type=str(e.get("type", "value_error")))
        for e in errors[:MAX_REPORTED_ERRORS]
    ]
    shown = "; ".join(f"{f.field}: {f.message}" for f in fields[:_MAX_IN_DETAIL])
    if len(errors) > _MAX_IN_DETAIL:
        shown += f"; … and {len(errors) - _MAX_IN_DETAIL:,} more"
    if len(errors) > MAX_REPORTED_ERRORS:
        rest = len(errors) - MAX_REPORTED_ERRORS
        fields.append(
            FieldError(
                field="body",
                message=f"{rest:,} more errors not listed (the first {MAX_REPORTED_ERRORS} are)",
                type="errors_truncated",
            )
        )
    return _error_response(422, shown or "invalid request", fields)


def body_problem(cause: BaseException | None) -> FieldError:
    """Why a body could not be decoded at all, for the field "body"."""
    if isinstance(cause, UnicodeDecodeError):
        byte = cause.object[cause.start : cause.start + 1].hex()
        message = f"the body is not UTF-8 text (byte 0x{byte} at position {cause.start}): send JSON encoded as UTF-8"
        return FieldError(field="body", message=message, type="body_not_utf8")
    digits = _DIGITS.search(str(cause)) if isinstance(cause, ValueError) else None
    if digits is not None or "integer string conversion" in str(cause):
        count = f" ({int(digits[1]):,} digits)" if digits else ""
        message = f"the body holds an integer too long to read{count}: numbers must be of ordinary size"
        return FieldError(field="body", message=message, type="int_too_long")
    return FieldError(field="body", message="the body could not be decoded as JSON", type="body_invalid")


def _roots(request: Request) -> list[Path]:
    settings = getattr(request.app.state, "settings", None)
    root = getattr(settings, "artifacts_root", None)
    return [root] if isinstance(root, Path) else []


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 400 and detail == BODY_PARSE_ERROR:
        problem = body_problem(exc.__cause__)
        return _error_response(400, problem.message, [problem])
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        allowed = allowed_methods(request)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    return _error_response(exc.status_code, public_text(detail, _roots(request)), [], headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method the OpenAPI schema documents for this path: Starlette's 405 names only the first
    matching route's, so a path served by two routes (GET and PATCH /clusters/{id}) would hide one."""
    from starlette.routing import compile_path

    path = request.url.path
    return sorted(
        {
            method.upper()
            for template, operations in request.app.openapi().get("paths", {}).items()
            if compile_path(template)[0].fullmatch(path)
            for method in operations
        }
    )


async def service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    message = public_text(str(exc), _roots(request))
    errors = [FieldError(field=exc.field, message=message, type=type(exc).__name__)] if exc.field else []
    return _error_response(exc.status_code, message, errors)


async def segmentation_error(request: Request, exc: Exception) -> JSONResponse:
    return _error_response(422, public_text(str(exc), _roots(request)), [])


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
