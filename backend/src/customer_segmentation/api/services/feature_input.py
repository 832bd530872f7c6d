"""Validate customers sent for scoring against the served model's feature schema.

Exactly the served model's features are accepted — by canonical name or any header the schema
matches (``Annual Income (k$)`` for the Mall's ``annual_income``); columns the schema only describes
(the Mall's gender when it is not clustered) are optional and ignored. Problems come back per field:
a missing feature, an unknown field, a number that is not a finite JSON number or is outside the
declared range, and a categorical value that is not one of the model's levels. An unseen level is
scored as ``other`` when the model has an ``other`` level (rare levels were grouped into it in
training, so an unseen one is rare by definition); otherwise it is refused, naming the known levels.

The same rules serve JSON records (:func:`validate_records`) and CSV columns
(:func:`validate_columns`), so ``/predict`` and ``/predict/csv`` agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ...feature_schema import OTHER_LEVEL, FeatureSchema, ValueRange, snake_case
from ...modeling.serving import CategoricalEncoding, ServingModel
from ...schema import GENDER, MISSING_MARKERS, gender_spellings, squash_header

ID_FIELD = "customer_id"
MAX_CACHED_KEYS = 10_000


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field of one customer (``index`` into the request's customers)."""

    index: int
    field: str
    message: str
    type: str


class CellError(NamedTuple):
    """One bad cell of an uploaded CSV (a tuple: a file of 200,000 bad rows makes 600,000 of them)."""

    row: int  # 1-based data row
    column: str | None
    value: str | None
    reason: str


@dataclass(frozen=True)
class LevelCoder:
    """A categorical feature's accepted spellings → index into the model's levels."""

    name: str
    encoding: CategoricalEncoding
    spellings: Mapping[str, int]

    def index(self, value: object) -> int | None:
        """The level index of ``value`` (None when unknown and the model has no ``other``)."""
        key = str(value).strip().lower()
        found = self.spellings.get(key)
        if found is None and self.encoding.has_other:
            return self.encoding.levels.index(OTHER_LEVEL)
        return found

    def unknown_message(self, value: object) -> str:
        known = ", ".join(self.encoding.levels)
        if self.name == GENDER:
            return f"unknown gender {str(value)!r}; use one of: {', '.join(sorted(gender_spellings()))}"
        return f"unknown level {str(value)!r} of {self.name}; known levels: {known}"


@dataclass(frozen=True)
class InputSpec:
    """What one served model accepts, precomputed once per loaded model."""

    numeric: tuple[str, ...]
    ranges: tuple[ValueRange | None, ...]
    coders: tuple[LevelCoder, ...]
    field_of: Mapping[str, str]  # squashed accepted key → canonical field (features, describe, id)
    features: frozenset[str]
    #: Keys as sent → canonical field (or None): scoring one customer must not run regexes per field.
    _seen_keys: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, schema: FeatureSchema, serving: ServingModel) -> InputSpec:
        ranges = tuple(_range(schema, name) for name in serving.numeric_features)
        coders = tuple(_coder(c, schema) for c in serving.categorical)
        field_of: dict[str, str] = {squash_header(ID_FIELD): ID_FIELD, squash_header(schema.id_name): ID_FIELD}
        for alias in schema.id_aliases:
            field_of.setdefault(squash_header(alias), ID_FIELD)
        for spec in (*schema.features, *schema.describe):
            for key in (spec.name, *spec.aliases, *([spec.label] if spec.label else [])):
                field_of.setdefault(squash_header(key), spec.name)
        features = frozenset(serving.numeric_features) | {c.name for c in serving.categorical}
        return cls(serving.numeric_features, ranges, coders, field_of, features)

    def canonical(self, key: str) -> str | None:
        try:
            return self._seen_keys[key]
        except KeyError:
            name = self.field_of.get(squash_header(snake_case(key))) or self.field_of.get(squash_header(key))
            if len(self._seen_keys) < MAX_CACHED_KEYS:  # bounded: clients choose the keys
                self._seen_keys[key] = name
            return name

    @cached_property
    def position(self) -> dict[str, int]:
        """Numeric feature → its column in the numeric block."""
        return {name: j for j, name in enumerate(self.numeric)}

    @cached_property
    def coder_of(self) -> dict[str, int]:
        """Categorical feature → its coder's index."""
        return {c.name: j for j, c in enumerate(self.coders)}

    @cached_property
    def field_order(self) -> list[str]:
        """The features in the order missing ones are reported: categorical first, then numeric."""
        return [*self.coder_of, *self.position]

    @property
    def feature_list(self) -> str:
        return ", ".join([*(c.name for c in self.coders), *self.numeric])


def _range(schema: FeatureSchema, name: str) -> ValueRange | None:
    try:
        return schema.spec(name).valid_range
    except KeyError:
        return None


def _coder(encoding: CategoricalEncoding, schema: FeatureSchema) -> LevelCoder:
    spellings = {level.strip().lower(): i for i, level in enumerate(encoding.levels)}
    if schema.kind == "mall" and encoding.name == GENDER:
        for spelling, level in gender_spellings().items():
            spellings[spelling] = encoding.levels.index(level)
    return LevelCoder(encoding.name, encoding, spellings)


def _number_problem(value: object, valid: ValueRange | None) -> tuple[str, str] | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "Input should be a valid number", "float_type"
    if isinstance(value, float) and not math.isfinite(value):
        return "Input should be a finite number", "finite_number"
    if valid is not None:
        if value < valid.low:
            return f"Input should be greater than or equal to {valid.low:g}", "greater_than_equal"
        if value > valid.high:
            return f"Input should be less than or equal to {valid.high:g}", "less_than_equal"
    return None


def validate_records(
    spec: InputSpec, records: Sequence[Mapping[str, Any]]
) -> tuple[np.ndarray, list[np.ndarray], list[FieldProblem]]:
    """(n, n_numeric) numbers, per categorical feature the level indices, and every problem found."""
    n = len(records)
    numeric = np.zeros((n, len(spec.numeric)), dtype="float64")
    levels = [np.zeros(n, dtype="int64") for _ in spec.coders]
    position, coder_of = spec.position, spec.coder_of
    problems: list[FieldProblem] = []
    for i, record in enumerate(records):
        seen: set[str] = set()
        for key, value in record.items():
            name = spec.canonical(key)
            if name is None:
                message = f"Extra inputs are not permitted: this model's features are {spec.feature_list}"
                problems.append(FieldProblem(i, key, message, "extra_forbidden"))
                continue
            if name == ID_FIELD or name not in spec.features:
                continue  # the id, or a column the model only describes: accepted, not used
            if name in seen:
                message = f"Extra inputs are not permitted: {key!r} repeats the feature {name!r}"
                problems.append(FieldProblem(i, key, message, "extra_forbidden"))
                continue
            seen.add(name)
            if name in position:
                problem = _number_problem(value, spec.ranges[position[name]])
                if problem is not None:
                    problems.append(FieldProblem(i, key, *problem))
                else:
                    numeric[i, position[name]] = float(value)
            else:
                coder = spec.coders[coder_of[name]]
                found = coder.index(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
                if found is None:
                    problems.append(FieldProblem(i, key, coder.unknown_message(value), "enum"))
                else:
                    levels[coder_of[name]][i] = found
        if len(seen) != len(spec.features):
            for name in sorted(spec.features - seen, key=spec.field_order.index):
                problems.append(FieldProblem(i, name, "Field required", "missing"))
    return numeric, levels, problems


def validate_columns(
    spec: InputSpec, frame: pd.DataFrame
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, list[CellError]]:
    """The CSV form: text columns named by canonical feature → numbers, level indices, a bad-row
    mask and a :class:`CellError` per bad cell (rows 1-based)."""
    n = len(frame)
    numeric = np.zeros((n, len(spec.numeric)), dtype="float64")
    bad = np.zeros(n, dtype=bool)
    cells: list[CellError] = []
    for j, name in enumerate(spec.numeric):
        text = frame[name].astype("string").fillna("").str.strip()
        missing = text.str.lower().isin(MISSING_MARKERS).to_numpy()
        values = pd.to_numeric(text.where(~pd.Series(missing, index=text.index)), errors="coerce").to_numpy("float64")
        reasons = np.full(n, None, dtype=object)
        reasons[missing] = f"{name} is missing"
        not_number = np.isnan(values) & ~missing
        reasons[not_number] = [f"{name} {v!r} is not a number" for v in text[not_number]]
        not_finite = np.isinf(values)
        reasons[not_finite] = [f"{name} {v!r} is not a finite number" for v in text[not_finite]]
        valid = spec.ranges[j]
        if valid is not None:
            with np.errstate(invalid="ignore"):
                outside = np.isfinite(values) & ((values < valid.low) | (values > valid.high))
            limits = f"{valid.low:,.10g}–{valid.high:,.10g}"
            reasons[outside] = [f"{name} {v!r} is outside the valid range {limits}" for v in text[outside]]
        numeric[:, j] = np.where(pd.isna(reasons), values, np.nan)
        bad |= _collect(reasons, text, name, cells)
    levels = []
    for coder in spec.coders:
        text = frame[coder.name].astype("string").fillna("").str.strip()
        missing = text.str.lower().isin(MISSING_MARKERS).to_numpy()
        index = np.array([coder.index(v) if not m else None for v, m in zip(text.tolist(), missing, strict=True)])
        reasons = np.full(n, None, dtype=object)
        reasons[missing] = f"{coder.name} is missing"
        unknown = np.array([i is None for i in index]) & ~missing
        if coder.name == GENDER:
            reasons[unknown] = [
                f"{GENDER} {v!r} is not a recognised spelling (use Female/Male or F/M)" for v in text[unknown]
            ]
        else:
            reasons[unknown] = [coder.unknown_message(v) for v in text[unknown]]
        levels.append(np.array([0 if i is None else i for i in index], dtype="int64"))
        bad |= _collect(reasons, text, coder.name, cells)
    return numeric, levels, bad, cells


def _collect(reasons: np.ndarray, text: pd.Series, column: str, cells: list[CellError]) -> np.ndarray:
    """Append a :class:`CellError` for every flagged cell; return the flagged-row mask.

    Whole arrays, not ``text.iloc`` per cell: a file of 200,000 bad rows has 600,000 bad cells."""
    flagged = np.asarray(~pd.isna(reasons), dtype=bool)
    positions = np.flatnonzero(flagged)
    if len(positions):
        values = text.to_numpy(dtype=object)[positions]
        rows = zip(
            (positions + 1).tolist(), repeat(column), map(str, values), map(str, reasons[positions]), strict=False
        )
        cells.extend(map(CellError._make, rows))
    return flagged
