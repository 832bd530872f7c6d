"""OpenAPI descriptions of the error answers, shared by the routers.

Declaring 422 explicitly also replaces FastAPI's default ``HTTPValidationError`` schema with ours,
so the schema matches what the handlers actually send.
"""

from __future__ import annotations

from typing import Any

from ..schemas import ErrorResponse

_DESCRIPTIONS = {
    400: "Malformed request (e.g. invalid JSON).",
    401: "Missing or wrong API key.",
    403: "Endpoint disabled: no API key is configured on the server.",
    404: "Not found.",
    408: "The request exceeded its time budget.",
    409: "The new model was refused; the previous one is still served.",
    413: "Body, upload, batch or row count over its limit.",
    415: "Wrong Content-Type.",
    422: "A field is missing, has the wrong type or is out of range.",
    429: "Too many wrong API keys from this client; retry after the Retry-After header's seconds.",
    503: "No model is being served; the message says how to train one.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these status codes, all with the ErrorResponse body."""
    return {code: {"model": ErrorResponse, "description": _DESCRIPTIONS[code]} for code in codes}


def json_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """As :func:`errors`, for routes whose success is not JSON (text, files).

    FastAPI documents a ``model`` under the route's own media type (``text/plain`` …), but errors
    are always JSON, so the content is spelled out. The ErrorResponse component exists because the
    JSON routes declare it as a model.
    """
    ref = {"$ref": f"#/components/schemas/{ErrorResponse.__name__}"}
    return {
        code: {"description": _DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}} for code in codes
    }
