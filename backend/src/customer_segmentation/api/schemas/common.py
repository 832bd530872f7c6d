"""The one error body every 4xx/5xx uses, so clients parse errors one way."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FieldError(BaseModel):
    """One problem with one field of the request."""

    field: str = Field(description="Dotted path of the field, e.g. 'age' or 'customers[3].gender'.")
    message: str = Field(description="What is wrong with it, in plain words.")
    type: str = Field(description="Machine-readable kind, e.g. 'missing', 'less_than_equal'.")


class ErrorResponse(BaseModel):
    """Every error answer: a one-line ``detail`` plus, for validation errors, one entry per field."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": "age: Input should be less than or equal to 120",
                    "errors": [
                        {
                            "field": "age",
                            "message": "Input should be less than or equal to 120",
                            "type": "less_than_equal",
                        }
                    ],
                }
            ]
        }
    )

    detail: str = Field(description="One-line explanation meant for a person.")
    errors: list[FieldError] = Field(default_factory=list, description="Per-field problems, if any.")
