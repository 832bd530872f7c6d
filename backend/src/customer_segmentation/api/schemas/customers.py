"""A customer as sent for scoring, and a training customer with its segment."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    field_validator,
)

from ...schema import AGE, ANNUAL_INCOME, SPENDING_SCORE, VALID_RANGES, gender_spellings, normalise_gender

_AGE = VALID_RANGES[AGE]
_INCOME = VALID_RANGES[ANNUAL_INCOME]
_SPENDING = VALID_RANGES[SPENDING_SCORE]
ACCEPTED_GENDERS = ", ".join(sorted(gender_spellings()))


# Strict: a numeric string must stay a (length-checked) string, never be coerced to an int.
# JSON Schema counts 10.0 as an integer, so an integral float is accepted as one.
def _integral(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


CustomerId = (
    Annotated[StrictStr, StringConstraints(min_length=1, max_length=64)]
    | Annotated[StrictInt, BeforeValidator(_integral)]
)

# The accepted spellings as a JSON-Schema pattern (ECMA and Python compatible), so the documented
# schema says exactly what passes: case-insensitive, surrounded by any whitespace str.strip() removes.
_SPACE = r"[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*"


def _caseless(word: str) -> str:
    return "".join(f"[{c.upper()}{c}]" for c in word)


_WORDS = "|".join(_caseless(w) for w in sorted(gender_spellings(), key=len, reverse=True))
GENDER_PATTERN = f"^{_SPACE}({_WORDS}){_SPACE}$"


class CustomerIn(BaseModel):
    """One customer to score. Snake_case names, or the original CSV headers as aliases:
    ``Gender``/``Genre``, ``Age``, ``Annual Income (k$)``, ``Spending Score (1-100)``.

    Numbers must be JSON numbers (not strings) and finite; gender accepts the pipeline's spellings
    (case and surrounding spaces ignored, ``M``/``F`` fine).
    """

    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,
        json_schema_extra={
            "examples": [
                {"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82},
                {"gender": " m ", "age": 52, "annual_income": 23.5, "spending_score": 12, "customer_id": "C-17"},
            ]
        },
    )

    gender: Annotated[str, StringConstraints(max_length=32)] = Field(
        validation_alias=AliasChoices("gender", "Gender", "Genre"),
        description=f"Female or Male; accepted spellings (any case, spaces ignored): {ACCEPTED_GENDERS}.",
        examples=["Female"],
        json_schema_extra={"pattern": GENDER_PATTERN},
    )
    age: float = Field(
        strict=True,
        ge=_AGE.low,
        le=_AGE.high,
        validation_alias=AliasChoices("age", "Age"),
        description="Age in years.",
        examples=[31],
    )
    annual_income: float = Field(
        strict=True,
        ge=_INCOME.low,
        le=_INCOME.high,
        validation_alias=AliasChoices("annual_income", "Annual Income (k$)"),
        description="Annual income in thousands of dollars (k$).",
        examples=[87],
    )
    spending_score: float = Field(
        strict=True,
        ge=_SPENDING.low,
        le=_SPENDING.high,
        validation_alias=AliasChoices("spending_score", "Spending Score (1-100)"),
        description="Mall spending score, 1 (lowest) to 100 (highest).",
        examples=[82],
    )
    customer_id: CustomerId | None = Field(
        default=None,
        validation_alias=AliasChoices("customer_id", "CustomerID"),
        description="Optional: echoed back with the prediction so batch results can be joined.",
    )

    @field_validator("gender")
    @classmethod
    def _normalise_gender(cls, value: str) -> str:
        """Same rule as the pipeline's cleaning (schema.normalise_gender), so train and serve agree."""
        canonical = normalise_gender(value)
        if canonical is None:
            raise ValueError(f"unknown gender {value!r}; use one of: {ACCEPTED_GENDERS}")
        return canonical


_POINT_EXAMPLE: dict[str, Any] = {
    "customer_id": "1",
    "gender": "Male",
    "age": 19,
    "annual_income": 15,
    "spending_score": 39,
    "segment": 0,
    "segment_name": "Young · low income · high spending",
}


class CustomerPoint(BaseModel):
    """One training customer (as cleaned) and its segment: a point of the dashboard's scatter plots."""

    model_config = ConfigDict(json_schema_extra={"examples": [_POINT_EXAMPLE]})

    customer_id: str
    gender: str | None = Field(default=None, description="Female/Male, as cleaned for training.")
    age: float | None = None
    annual_income: float | None = None
    spending_score: float | None = None
    segment: int = Field(ge=0, description="Segment id (0..k-1).")
    segment_name: str | None = None


class CustomerSegment(BaseModel):
    """One training customer's segment, with the version of the model that assigned it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_POINT_EXAMPLE, "model_version": "69541e38-2026-11-26"}]}
    )

    customer_id: str
    gender: str | None = Field(default=None, description="Female/Male, as cleaned for training.")
    age: float | None = None
    annual_income: float | None = None
    spending_score: float | None = None
    segment: int = Field(ge=0, description="Segment id (0..k-1).")
    segment_name: str
    model_version: str


class CustomerList(BaseModel):
    """Training customers: all of them, or a fixed-seed random sample (kept in file order) when there
    are more than ``limit``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "model_version": "69541e38-2026-11-26",
                    "total": 200,
                    "returned": 1,
                    "sampled": True,
                    "customers": [_POINT_EXAMPLE],
                }
            ]
        }
    )

    model_version: str
    total: int = Field(ge=0, description="Customers in the training data.")
    returned: int = Field(ge=0, description="Customers in this response.")
    sampled: bool = Field(description="True when `customers` is a random sample of the training data.")
    customers: list[CustomerPoint]
