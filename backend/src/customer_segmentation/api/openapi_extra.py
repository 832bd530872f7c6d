"""Schemas the OpenAPI document must hold although no route lets FastAPI parse them.

``POST /predict/batch`` reads its body itself (to count customers before parsing them, see
``services.batch_input``), so FastAPI no longer sees ``BatchIn``; the route's ``openapi_extra`` refers
to ``#/components/schemas/BatchIn`` and this module puts the schema there — the document, the docs
page and the generated TypeScript client stay exactly as when FastAPI parsed the body.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

REF_TEMPLATE = "#/components/schemas/{model}"


def register_schemas(app: FastAPI, *models: type[BaseModel]) -> None:
    """Add ``models`` (and the models they refer to) to the app's OpenAPI components."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = generate()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        for model in models:
            schema = model.model_json_schema(ref_template=REF_TEMPLATE, mode="validation")
            for name, definition in schema.pop("$defs", {}).items():
                components.setdefault(name, definition)  # FastAPI's own rendering wins
            components.setdefault(model.__name__, schema)
        document["components"]["schemas"] = dict(sorted(components.items()))
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
