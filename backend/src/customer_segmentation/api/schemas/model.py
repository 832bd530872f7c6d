"""Service health, the model card, reloads and the report figures."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ...modeling.card import ModelCard

__all__ = ["ModelCard"]


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


class ValueSpan(BaseModel):
    low: float
    high: float


class SeenValues(BaseModel):
    """A numeric feature's values in the training data."""

    min: float
    max: float
    median: float


class FeatureInfo(BaseModel):
    """One feature of the served model, for building forms, help texts and charts."""

    name: str = Field(description="Canonical (snake_case) name: the field to send to /predict.")
    kind: Literal["numeric", "categorical"]
    label: str
    unit: str | None = None
    transform: Literal["none", "log1p"] = "none"
    valid_range: ValueSpan | None = None
    seen: SeenValues | None = Field(default=None, description="Numeric only: training min, max and median.")
    levels: list[str] | None = Field(default=None, description="Categorical only: the levels the model knows.")
    other_level: bool = Field(default=False, description="Unseen levels are scored as 'other'.")


class PlotAxesInfo(BaseModel):
    x: str
    y: str
    z: str | None = None
    three: list[str] | None = Field(default=None, description="The 3D plot's axes (x, y, z), null when none.")
    source: Literal["features", "pca"]
    explained_variance: list[float] | None = None


class ModelSchema(BaseModel):
    """The served model's feature schema: what /predict accepts and how the dashboard shows it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schema_kind": "mall",
                    "id_column": "customer_id",
                    "id_generated": False,
                    "features": [
                        {
                            "name": "age",
                            "kind": "numeric",
                            "label": "Age",
                            "unit": "years",
                            "transform": "none",
                            "valid_range": {"low": 0, "high": 120},
                            "seen": {"min": 18, "max": 70, "median": 36},
                            "levels": None,
                            "other_level": False,
                        }
                    ],
                    "describe": ["gender"],
                    "axes": {
                        "x": "annual_income",
                        "y": "spending_score",
                        "z": "age",
                        "three": ["age", "annual_income", "spending_score"],
                        "source": "features",
                        "explained_variance": None,
                    },
                }
            ]
        }
    )

    schema_kind: Literal["mall", "custom", "rfm"]
    id_column: str
    id_generated: bool
    features: list[FeatureInfo]
    describe: list[str]
    axes: PlotAxesInfo


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
