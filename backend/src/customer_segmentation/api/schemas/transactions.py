"""The answer of POST /predict/transactions: derived customer features and segments."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_CUSTOMER: dict[str, Any] = {
    "customer_id": "12352",
    "recency_days": 36,
    "frequency": 7,
    "monetary": 2506.04,
    "tenure_days": 296,
    "avg_order_value": 358.01,
    "segment": 1,
    "segment_name": "Loyal",
    "out_of_distribution": False,
    "margin": 0.41,
    "confidence": 0.41,
}


class TransactionCustomer(BaseModel):
    """One customer derived from the order lines, and their segment."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CUSTOMER]})

    customer_id: str
    recency_days: int = Field(ge=0, description="Days from the last valid purchase to the as-of date.")
    frequency: int = Field(ge=0, description="Distinct invoices among valid lines.")
    monetary: float = Field(description="Sum of quantity × price over valid lines (net of returns if asked).")
    tenure_days: int = Field(ge=0, description="Days from the first valid purchase to the as-of date.")
    avg_order_value: float
    segment: int = Field(ge=0)
    segment_name: str
    out_of_distribution: bool
    margin: float = Field(ge=0, le=1)
    confidence: float | None = Field(description="The margin, or null for an out-of-distribution customer.")


class TransactionScoringReport(BaseModel):
    """Counts of the order lines, the exclusions by reason, and every customer scored."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "filename": "orders.csv",
                    "model_version": "7a11fcee-2026-11-29",
                    "lines_in": 120,
                    "lines_valid": 101,
                    "exclusions": {"guest": 9, "cancelled": 6, "non_positive_price": 4},
                    "as_of": "2011-12-10",
                    "date_format": "%m/%d/%Y %H:%M",
                    "customers": [_CUSTOMER],
                }
            ]
        }
    )

    filename: str
    model_version: str
    lines_in: int = Field(ge=0)
    lines_valid: int = Field(ge=0)
    exclusions: dict[str, int] = Field(description="Order lines left out, by reason.")
    as_of: str
    date_format: str
    customers: list[TransactionCustomer]
