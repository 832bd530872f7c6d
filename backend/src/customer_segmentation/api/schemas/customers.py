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
)

from ...schema import AGE, ANNUAL_INCOME, SPENDING_SCORE, VALID_RANGES, gender_spellings
from ..services.customer_ids import MAX_ID_CHARS, MAX_INT_ID, id_problem

_AGE = VALID_RANGES[AGE]
_INCOME = VALID_RANGES[ANNUAL_INCOME]
_SPENDING = VALID_RANGES[SPENDING_SCORE]
ACCEPTED_GENDERS = ", ".join(sorted(gender_spellings()))


# Strict: a numeric string must stay a (length-checked) string, never be coerced to an int.
# JSON Schema counts 10.0 as an integer, so an integral float is accepted as one.
def _checked_id(value: object) -> object:
    """The one rule for ids (services/customer_ids.id_problem): text of 1..64 characters or an integer
    of at most 18 digits — a 4,000-digit integer or 1e308 is refused with one message, never echoed
    back. JSON Schema counts 10.0 as an integer, so an integral float is accepted as one."""
    if not isinstance(value, str | int | float) or value is None:
        raise ValueError("customer_id must be a string or an integer")
    problem = id_problem(value)
    if problem is not None:
        raise ValueError(problem[0])
    return int(value) if isinstance(value, float) else value


CustomerId = Annotated[
    Annotated[StrictStr, StringConstraints(min_length=1, max_length=MAX_ID_CHARS)]
    | Annotated[StrictInt, Field(ge=-MAX_INT_ID, le=MAX_INT_ID)],
    BeforeValidator(_checked_id),
]

# The accepted spellings as a JSON-Schema pattern (ECMA and Python compatible), so the documented
# schema says exactly what passes: case-insensitive, surrounded by any whitespace str.strip() removes.
_SPACE = r"[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*"


def _caseless(word: str) -> str:
    return "".join(f"[{c.upper()}{c}]" for c in word)


_WORDS = "|".join(_caseless(w) for w in sorted(gender_spellings(), key=len, reverse=True))
GENDER_PATTERN = f"^{_SPACE}({_WORDS}){_SPACE}$"


FeatureValue = float | int | str


class CustomerIn(BaseModel):
    """One customer to score: exactly the served model's features (see ``GET /model/schema``), by
    their snake_case names or the headers of the training file (``Annual Income (k$)``), plus an
    optional ``customer_id`` echoed back.

    Numbers must be finite JSON numbers within the feature's declared range; categorical values are
    matched ignoring case and surrounding spaces (the Mall's gender also accepts ``M``/``F``). Fields
    the model only describes (the Mall's gender when it is not a feature) are accepted and ignored;
    unknown fields are refused.
    """

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "additionalProperties": {"anyOf": [{"type": "number"}, {"type": "string"}]},
            "examples": [
                {"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82},
                {"gender": " m ", "age": 52, "annual_income": 23.5, "spending_score": 12, "customer_id": "C-17"},
                {"fresh": 12669, "milk": 9656, "grocery": 7561, "frozen": 214, "channel": "2", "region": "3"},
            ],
        },
    )

    customer_id: CustomerId | None = Field(
        default=None,
        validation_alias=AliasChoices("customer_id", "CustomerID"),
        description="Optional: echoed back with the prediction so batch results can be joined.",
    )

    def features(self) -> dict[str, Any]:
        """The feature fields as sent (validated against the served schema by the scoring service)."""
        return dict(self.model_extra or {})


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
    """One training customer (as cleaned) and its segment: a point of the dashboard's scatter plots.

    Besides the Mall fields below, every column of the served model's schema appears by its name
    (and ``pc1``..``pc3`` when the plots are of principal components)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [_POINT_EXAMPLE],
            "additionalProperties": {"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]},
        },
    )

    customer_id: str
    gender: str | None = Field(default=None, description="Female/Male, as cleaned for training.")
    age: float | None = None
    annual_income: float | None = None
    spending_score: float | None = None
    segment: int = Field(ge=0, description="Segment id (0..k-1).")
    segment_name: str | None = None


class CustomerSegment(BaseModel):
    """One training customer's segment, with the version of the model that assigned it (and, as for
    :class:`CustomerPoint`, every schema column by name)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [{**_POINT_EXAMPLE, "model_version": "69541e38-2026-11-26"}],
            "additionalProperties": {"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]},
        },
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
    """Training customers matching the filters: one page of them in sort order (paged), or all of
    them — a fixed-seed random sample, kept in file order, when there are more than ``limit``
    (sampled)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "model_version": "69541e38-2026-11-26",
                    "population": 200,
                    "total": 39,
                    "returned": 1,
                    "sampled": False,
                    "page": 1,
                    "page_size": 1,
                    "pages": 39,
                    "customers": [_POINT_EXAMPLE],
                }
            ]
        }
    )

    model_version: str
    population: int = Field(ge=0, description="Customers in the training data.")
    total: int = Field(ge=0, description="Customers matching the filters (all of them without filters).")
    returned: int = Field(ge=0, description="Customers in this response.")
    sampled: bool = Field(description="True when `customers` is a random sample of the matching customers.")
    page: int | None = Field(default=None, ge=1, description="This page's number (paged list; null when sampled).")
    page_size: int | None = Field(default=None, ge=1, description="Customers per page (paged list; null when sampled).")
    pages: int | None = Field(
        default=None, ge=0, description="Pages of matching customers (paged list; null when sampled)."
    )
    customers: list[CustomerPoint]
