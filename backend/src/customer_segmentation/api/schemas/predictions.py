"""Scoring results: one customer, a batch, and a CSV upload's report."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .customers import CustomerIn

DEFAULT_MAX_BATCH = 10_000

_PREDICTION_EXAMPLE: dict[str, Any] = {
    "segment": 4,
    "segment_name": "Young · high income · high spending",
    "distance": 0.27,
    "runner_up": 3,
    "runner_up_name": "Young · mid income · mid spending",
    "runner_up_distance": 1.72,
    "margin": 0.84,
    "out_of_distribution": False,
    "confidence": 0.84,
    "confidence_note": None,
    "model_version": "69541e38-2026-11-26",
    "customer_id": None,
}


class Prediction(BaseModel):
    """The segment of one customer and the evidence for it.

    Distances are Euclidean, in the model's standardised feature space (1.0 ≈ one standard
    deviation of the training data).
    """

    model_config = ConfigDict(json_schema_extra={"examples": [_PREDICTION_EXAMPLE]})

    segment: int = Field(ge=0, description="Segment id (0..k-1), the nearest centroid.")
    segment_name: str
    distance: float = Field(ge=0, description="Distance to the assigned segment's centroid.")
    runner_up: int = Field(ge=0, description="Id of the second-nearest segment.")
    runner_up_name: str
    runner_up_distance: float = Field(ge=0, description="Distance to the runner-up's centroid.")
    margin: float = Field(
        ge=0,
        le=1,
        description="Confidence: (runner_up_distance - distance) / runner_up_distance; 0 = on the "
        "boundary between two segments, 1 = on the centroid.",
    )
    out_of_distribution: bool = Field(
        description="True when the customer is farther from the nearest centroid than (almost) any "
        "training customer of that segment: the assignment is an extrapolation."
    )
    confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="The margin when the customer is like the training data; null for an out-of-distribution "
        "customer, whose margin means nothing (see confidence_note).",
    )
    confidence_note: str | None = Field(default=None, description="Why there is no confidence, when there is none.")
    model_version: str = Field(description="Version of the model that scored it (hash prefix + date).")
    customer_id: str | None = Field(default=None, description="Echo of the input's customer_id.")


class BatchIn(BaseModel):
    """Customers to score in one request (at most SEGMENTATION_MAX_BATCH_SIZE, 10,000 by default)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "customers": [
                        {"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82},
                        {"gender": "Male", "age": 52, "annual_income": 23, "spending_score": 12},
                    ]
                }
            ]
        },
    )

    # maxItems documents the default limit; the configured one (SEGMENTATION_MAX_BATCH_SIZE) is
    # enforced by the route with a 413, so the schema stays the same whatever the deployment sets.
    customers: list[CustomerIn] = Field(
        min_length=1,
        description="One or more customers (at most SEGMENTATION_MAX_BATCH_SIZE, 10,000 by default).",
        json_schema_extra={"maxItems": DEFAULT_MAX_BATCH},
    )


class BatchPrediction(BaseModel):
    """Predictions in the same order as the request's customers."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"model_version": "69541e38-2026-11-26", "count": 1, "predictions": [_PREDICTION_EXAMPLE]}]
        }
    )

    model_version: str
    count: int = Field(ge=0)
    predictions: list[Prediction]


class RowError(BaseModel):
    """Why one row of an uploaded CSV could not be scored."""

    row: int = Field(ge=1, description="Data row number: 1 is the first row after the header.")
    column: str | None = Field(description="Canonical column name, or null for a row-level problem.")
    value: str | None = Field(description="The offending text as found in the file.")
    reason: str


class CsvRowResult(BaseModel):
    """The outcome for one data row of an upload."""

    row: int = Field(ge=1)
    customer_id: str | None = None
    segment: int | None = Field(default=None, description="Null when the row could not be scored.")
    segment_name: str | None = None
    out_of_distribution: bool | None = Field(default=None, description="As in /predict; null when not scored.")
    margin: float | None = Field(default=None, description="As in /predict; null when not scored.")
    confidence: float | None = Field(
        default=None, description="As in /predict: null when not scored or out of distribution."
    )
    error: str | None = Field(default=None, description="All of the row's problems, '; '-separated.")


class CsvScoringReport(BaseModel):
    """JSON form of a CSV scoring (``format=json``): counts, per-row errors and results."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "filename": "customers.csv",
                    "model_version": "69541e38-2026-11-26",
                    "rows_total": 2,
                    "rows_scored": 1,
                    "rows_failed": 1,
                    "columns": {
                        "Gender": "gender",
                        "Age": "age",
                        "Annual Income (k$)": "annual_income",
                        "Spending Score (1-100)": "spending_score",
                    },
                    "errors": [{"row": 2, "column": "age", "value": "abc", "reason": "age 'abc' is not a number"}],
                    "results": [
                        {
                            "row": 1,
                            "customer_id": "1",
                            "segment": 0,
                            "segment_name": "Young · low income · high spending",
                            "error": None,
                        },
                        {
                            "row": 2,
                            "customer_id": "2",
                            "segment": None,
                            "segment_name": None,
                            "error": "age 'abc' is not a number",
                        },
                    ],
                }
            ]
        }
    )

    filename: str
    model_version: str
    rows_total: int = Field(ge=0)
    rows_scored: int = Field(ge=0)
    rows_failed: int = Field(ge=0)
    columns: dict[str, str] = Field(description="Header in the file → canonical column it was read as.")
    errors: list[RowError]
    results: list[CsvRowResult]
