"""Service health, the model card, reloads and the report figures."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Health(BaseModel):
    """Whether a model is being served, which one, and what is wrong if not."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "model_loaded": True,
                    "model_version": "69541e38-2026-11-26",
                    "created_at": "2026-11-26T21:34:37Z",
                    "k": 6,
                    "customers_loaded": 200,
                    "problem": None,
                    "warnings": [],
                    "reload_enabled": False,
                    "dashboard": True,
                    "api_version": "0.1.0",
                },
                {
                    "status": "no_model",
                    "model_loaded": False,
                    "model_version": None,
                    "created_at": None,
                    "k": None,
                    "customers_loaded": None,
                    "problem": "no model card at backend/models/model_card.json: run `python backend/src/main.py` "
                    "to train",
                    "warnings": [],
                    "reload_enabled": False,
                    "dashboard": False,
                    "api_version": "0.1.0",
                },
            ]
        }
    )

    status: Literal["ok", "no_model"]
    model_loaded: bool
    model_version: str | None
    created_at: str | None = Field(description="When the served model was trained (UTC, ISO 8601).")
    k: int | None
    customers_loaded: int | None = Field(description="Training customers available to /customers/{id}.")
    problem: str | None = Field(description="Why no model is served (and how to fix it).")
    warnings: list[str] = Field(description="Served, but worth knowing (e.g. version mismatch).")
    reload_enabled: bool = Field(description="POST /model/reload is enabled (an API key is configured).")
    dashboard: bool = Field(description="The dashboard's static export is served at /.")
    api_version: str


class ModelCard(BaseModel):
    """The model card JSON written beside the model (key fields typed; everything else passes through)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "schema_version": 1,
                    "model_version": "69541e38-2026-11-26",
                    "created_at": "2026-11-26T21:34:37Z",
                    "engine": "scikit-learn",
                    "model_file": "clustering_model.pkl",
                    "model_sha256": "69541e382f4cf7a6fd5cbd6f43d278a5be44e26c5530588e7a13aab31ee2f710",
                    "k": 6,
                    "features": ["age", "annual_income", "spending_score"],
                    "library_versions": {"scikit-learn": "1.9.1", "numpy": "2.4.6"},
                }
            ]
        },
    )

    schema_version: int | None = None
    model_version: str
    created_at: str | None = None
    engine: str | None = None
    model_file: str | None = None
    model_sha256: str
    k: int
    features: list[str]
    library_versions: dict[str, str] = Field(default_factory=dict)


class ReloadResult(BaseModel):
    """The model now served after a reload."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reloaded": True,
                    "changed": True,
                    "previous_version": "69541e38-2026-11-26",
                    "model_version": "a1b2c3d4-2026-11-27",
                    "k": 6,
                    "warnings": [],
                }
            ]
        }
    )

    reloaded: bool
    changed: bool = Field(description="The new model differs from the previous one.")
    previous_version: str | None
    model_version: str
    k: int
    warnings: list[str]


class FigureInfo(BaseModel):
    name: str = Field(description="File name, usable in /reports/figures/{name}.")
    title: str
    url: str
    available: bool = Field(description="The file exists for the served model.")


class FigureList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "figures": [
                        {
                            "name": "Customer Segmentation 2D.png",
                            "title": "Income vs spending by segment",
                            "url": "/reports/figures/Customer%20Segmentation%202D.png",
                            "available": True,
                        }
                    ]
                }
            ]
        }
    )

    figures: list[FigureInfo]
