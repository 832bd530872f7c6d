"""Turn the raw body of ``POST /predict/batch`` into a validated batch — counting before validating.

The route reads the body itself (FastAPI would parse and validate it on the event loop, before any
limit could be checked) and runs this in a worker thread:

1. :func:`json_body.parse_items` counts the customers and sizes each one from the bytes, refusing a
   batch over ``SEGMENTATION_MAX_BATCH_SIZE`` (413) before a single object is built, then parses in
   slices that let the GIL go;
2. the batch model validates the parsed body (the per-customer, per-feature rules live with the
   schema and the scoring service, not here);
3. the request's deadline is checked between the steps.

Errors come out as the API's usual ones: a body that is not UTF-8 or holds an over-long integer is
FastAPI's "error parsing the body" 400 (rendered by the handlers, naming "body"), malformed JSON the
usual ``json_invalid`` 400, shape and size problems 413/422 naming the field.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

from . import json_body
from .errors import InvalidInput, PayloadTooLarge
from .limits import MAX_CUSTOMER_BYTES, Deadline

#: FastAPI's own message for a body it cannot decode; the handlers say why (its cause is chained).
BODY_PARSE_ERROR = "There was an error parsing the body"
BATCH_SETTING = "SEGMENTATION_MAX_BATCH_SIZE"

Model = TypeVar("Model", bound=BaseModel)


def parse_body(body: bytes, *, item_name: str, max_items: int, deadline: Deadline) -> Any:
    """The parsed JSON body, its item count checked first; API errors for everything else."""
    try:
        parsed = json_body.parse_items(
            body,
            item_name=item_name,
            max_items=max_items,
            max_item_bytes=MAX_CUSTOMER_BYTES,
            setting=BATCH_SETTING,
            between_chunks=lambda: deadline.check("parsing the batch"),
        )
    except json_body.BadJson as exc:
        position = exc.position
        reason = str(exc).removeprefix("malformed JSON: ")
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body", position), "msg": "JSON decode error", "ctx": {"error": reason}}]
        ) from None
    except json_body.TooManyItems as exc:
        raise PayloadTooLarge(str(exc), field=exc.field) from None
    except json_body.BodyError as exc:
        raise InvalidInput(str(exc), field=exc.field) from None
    except ValueError as exc:  # not UTF-8, or an integer longer than Python converts (4,300 digits)
        raise HTTPException(status_code=400, detail=BODY_PARSE_ERROR) from exc
    deadline.check("parsing the batch")
    return parsed


def validate(model: type[Model], parsed: Any, deadline: Deadline) -> Model:
    """``parsed`` validated as ``model``; errors as FastAPI reports a body's (``body.customers[3]…``)."""
    try:
        value = model.model_validate(parsed)
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None
    deadline.check("validating the batch")
    return value


def read_batch(body: bytes, model: type[Model], *, item_name: str, max_items: int, deadline: Deadline) -> Model:
    """Steps 1–3 of the module docstring: count, parse, validate."""
    return validate(model, parse_body(body, item_name=item_name, max_items=max_items, deadline=deadline), deadline)
