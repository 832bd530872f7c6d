"""The feature schema: which columns of a customer table are the id, the clustered features and the
describe-only columns — the single source of truth shared by the CLI (flags and TOML), the loader, the
cleaning, the preprocessor, the model card, the API and the dashboard.

A feature is ``numeric`` (standardised, optionally ``log1p``-transformed first) or ``categorical``
(one-hot encoded; a two-level one becomes one 0/1 column). ``describe`` columns are shown in the
segment profiles and never clustered. Columns are matched by canonical name: the header's snake_case
form (``MntWines`` → ``mnt_wines``, ``Annual Income (k$)`` → ``annual_income``) or the header as
written, case-insensitively; a built-in schema may add aliases (the Mall schema accepts ``Genre``).

The Mall Customers schema is the built-in default (see :data:`MALL_SCHEMA`): it is used when no schema
is given and the Mall columns are there, so every Mall run behaves exactly as before the schema
existed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import ConfigError, DataError
from .schema import (
    AGE,
    ANNUAL_INCOME,
    CUSTOMER_ID,
    GENDER,
    GENDER_CATEGORIES,
    LABELS,
    SPENDING_SCORE,
    VALID_RANGES,
    squash_header,
)

#: The generated id column of a table without one: customers are numbered 1..n in file order.
ROW_ID = "row_id"
#: Levels rarer than this share of customers are grouped into :data:`OTHER_LEVEL`.
RARE_LEVEL_SHARE = 0.01
OTHER_LEVEL = "other"
#: A categorical feature with more levels than this (after grouping rare ones) is refused.
MAX_LEVELS = 20
#: Warnings: a feature with more than this share of its values imputed ...
IMPUTED_WARN_SHARE = 0.20
#: ... or with more than this share of its values outside its declared range (wrong units or column?).
OUT_OF_RANGE_WARN_SHARE = 0.05
#: ... and segments smaller than this share of customers or this many customers.
SMALL_SEGMENT_SHARE = 0.01
SMALL_SEGMENT_SIZE = 5
#: ``auto`` transform: log1p for a non-negative column whose skewness exceeds this.
AUTO_SKEW_THRESHOLD = 1.0


class FeatureKind(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"


class Transform(StrEnum):
    NONE = "none"
    LOG1P = "log1p"
    AUTO = "auto"


class ValueRange(BaseModel):
    """Closed interval of plausible values; values outside are treated as missing (and counted)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> ValueRange:
        if not self.low <= self.high:
            raise ValueError(f"range low {self.low:g} is above high {self.high:g}")
        return self

    def describe(self) -> str:
        return f"{self.low:g}–{self.high:g}"


class FeatureSpec(BaseModel):
    """One column of the schema: a clustered feature or a describe-only column."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="Canonical (snake_case) column name.")
    kind: FeatureKind | None = Field(
        default=FeatureKind.NUMERIC, description="numeric or categorical (None: inferred, describe columns only)."
    )
    transform: Transform = Transform.NONE
    label: str | None = None
    unit: str | None = None
    valid_range: ValueRange | None = None
    #: Fixed levels in encoding order (the Mall's Female/Male); None: learnt from the data.
    levels: tuple[str, ...] | None = None
    #: Other headers (squashed) that mean this column, for built-in schemas.
    aliases: tuple[str, ...] = ()
    #: What ``auto`` decided and why (filled in when the transform is resolved).
    transform_note: str | None = None

    @property
    def display(self) -> str:
        """Label for reports and figures: the declared label, else the column name."""
        return self.label or self.name

    @property
    def is_numeric(self) -> bool:
        return self.kind is FeatureKind.NUMERIC

    @property
    def is_categorical(self) -> bool:
        return self.kind is FeatureKind.CATEGORICAL


SchemaKind = Literal["mall", "custom", "rfm"]


class FeatureSchema(BaseModel):
    """Id column, clustered features and describe columns of a customer table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: SchemaKind = "custom"
    id_column: str | None = Field(default=None, description="Canonical name of the customer id; None: row_id 1..n.")
    id_aliases: tuple[str, ...] = ()
    features: tuple[FeatureSpec, ...] = Field(min_length=1)
    describe: tuple[FeatureSpec, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> FeatureSchema:
        names = [f.name for f in (*self.features, *self.describe)]
        if self.id_column is not None:
            names.append(self.id_column)
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"column {repeated[0]!r} is declared twice")
        if not any(spec.is_numeric for spec in self.features):
            raise ValueError("declare at least one numeric feature (categorical features alone cannot be scaled)")
        for spec in self.features:
            if spec.kind is None:
                raise ValueError(f"feature {spec.name!r} needs a kind (numeric or categorical)")
            if spec.is_categorical and spec.transform is not Transform.NONE:
                raise ValueError(f"categorical feature {spec.name!r} cannot have a {spec.transform} transform")
        return self

    # -- views ------------------------------------------------------------------------------------
    @property
    def id_name(self) -> str:
        """The id column's name in every output: the declared id, or ``row_id`` when generated."""
        return self.id_column or ROW_ID

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    @property
    def numeric_features(self) -> tuple[FeatureSpec, ...]:
        return tuple(f for f in self.features if f.is_numeric)

    @property
    def categorical_features(self) -> tuple[FeatureSpec, ...]:
        return tuple(f for f in self.features if f.is_categorical)

    @property
    def columns(self) -> tuple[FeatureSpec, ...]:
        """Features and describe columns in output order (the Mall's fixed order for the Mall)."""
        specs = (*self.features, *self.describe)
        if self.kind == "mall":
            return tuple(sorted(specs, key=lambda s: MALL_ORDER.index(s.name)))
        return specs

    def spec(self, name: str) -> FeatureSpec:
        for spec in (*self.features, *self.describe):
            if spec.name == name:
                return spec
        raise KeyError(name)

    def label(self, name: str) -> str:
        try:
            return self.spec(name).display
        except KeyError:
            return name


# -- canonical names ------------------------------------------------------------------------------
_UNITS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def snake_case(header: str) -> str:
    """``MntWines`` → ``mnt_wines``, ``Annual Income (k$)`` → ``annual_income``, ``CustomerID`` →
    ``customer_id``: units in brackets dropped, camelCase split, anything else → ``_``."""
    text = _UNITS.sub(" ", str(header).strip().lstrip("\ufeff"))
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    text = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    return text or "column"


def _keys(name: str, aliases: Iterable[str] = ()) -> set[str]:
    return {squash_header(name), *(squash_header(a) for a in aliases)}


def match_columns(headers: Sequence[str], schema: FeatureSchema) -> dict[str, str]:
    """Header (as in the file) → canonical name, for every column the schema declares.

    A declared column matches a header whose squashed form equals its name's or an alias's (so
    ``mnt_wines`` matches ``MntWines``, ``Annual Income (k$)`` matches ``annual_income``). A declared
    column missing from the table, or matched by two headers, is a :class:`DataError` naming it.
    """
    squashed = {h: squash_header(snake_case(h)) for h in headers}
    squashed_raw = {h: squash_header(h) for h in headers}
    mall = schema.kind == "mall"
    declared: list[tuple[str, tuple[str, ...], str | None]] = [
        (f.name, f.aliases, "required column {!r} is missing" if mall else "unknown feature {!r}: no such column")
        for f in schema.features
    ]
    describe_missing = None if mall else "--describe column {!r} is missing"
    declared += [(d.name, d.aliases, describe_missing) for d in schema.describe]
    if schema.id_column is not None:
        declared.insert(0, (schema.id_column, schema.id_aliases, None if mall else "id column {!r} is missing"))
    found = ", ".join(map(str, headers)) or "none"
    mapping: dict[str, str] = {}
    for name, aliases, missing in declared:
        keys = _keys(name, aliases)
        hits = [h for h in headers if squashed[h] in keys or squashed_raw[h] in keys]
        if len(hits) > 1:
            raise DataError(
                f"duplicate column {name!r}: headers {hits[0]!r} and {hits[1]!r} both mean the same thing (ambiguous)"
            )
        if not hits:
            if missing is not None:
                raise DataError(f"{missing.format(name)} (columns found: {found[:400]})")
            continue
        if hits[0] in mapping:
            raise DataError(f"column {hits[0]!r} matches both {mapping[hits[0]]!r} and {name!r}")
        mapping[hits[0]] = name
    return mapping


# -- the built-in Mall schema -----------------------------------------------------------------------
MALL_ORDER: tuple[str, ...] = (GENDER, AGE, ANNUAL_INCOME, SPENDING_SCORE)


def _mall_range(name: str) -> ValueRange:
    valid = VALID_RANGES[name]
    return ValueRange(low=valid.low, high=valid.high)


#: Every column the Mall schema knows, with the header variants of public copies.
MALL_CATALOGUE: dict[str, FeatureSpec] = {
    GENDER: FeatureSpec(
        name=GENDER,
        kind=FeatureKind.CATEGORICAL,
        label=LABELS[GENDER],
        levels=GENDER_CATEGORIES,
        aliases=("genre", "sex"),
    ),
    AGE: FeatureSpec(name=AGE, label=LABELS[AGE], unit="years", valid_range=_mall_range(AGE)),
    ANNUAL_INCOME: FeatureSpec(
        name=ANNUAL_INCOME,
        label=LABELS[ANNUAL_INCOME],
        unit="k$",
        valid_range=_mall_range(ANNUAL_INCOME),
        aliases=("annualincomek", "annualincomekusd", "annualincomethousands", "income", "incomek"),
    ),
    SPENDING_SCORE: FeatureSpec(
        name=SPENDING_SCORE,
        label=LABELS[SPENDING_SCORE],
        valid_range=_mall_range(SPENDING_SCORE),
        aliases=("spendingscore1100", "score", "spending"),
    ),
}
MALL_ID_ALIASES = ("customerid", "customer", "custid", "id", "clientid")
MALL_DEFAULT_FEATURES: tuple[str, ...] = (AGE, ANNUAL_INCOME, SPENDING_SCORE)


def mall_schema(features: Sequence[str] = MALL_DEFAULT_FEATURES) -> FeatureSchema:
    """The Mall schema clustering ``features`` (Mall names); the other Mall columns are described."""
    chosen = [MALL_CATALOGUE[f] for f in MALL_ORDER if f in set(features)]
    if not any(s.is_numeric for s in chosen):
        raise ConfigError("choose at least one numeric feature (age, annual_income, spending_score)")
    return FeatureSchema(
        kind="mall",
        id_column=CUSTOMER_ID,
        id_aliases=MALL_ID_ALIASES,
        features=tuple(chosen),
        describe=tuple(MALL_CATALOGUE[c] for c in MALL_ORDER if c not in set(features)),
    )


MALL_SCHEMA = mall_schema()


def mall_name(name: str) -> str | None:
    """The Mall column a user-typed feature name means (``income`` → ``annual_income``), if any."""
    key = squash_header(name)
    for spec in MALL_CATALOGUE.values():
        if key in _keys(spec.name, spec.aliases):
            return spec.name
    return None


def looks_like_mall(headers: Sequence[str]) -> bool:
    """True when a Mall feature column is present: the Mall schema is the default for such a table."""
    numeric = [MALL_CATALOGUE[n] for n in MALL_DEFAULT_FEATURES]
    return any(squash_header(snake_case(h)) in _keys(s.name, s.aliases) for h in headers for s in numeric)


def schema_hash(schema: FeatureSchema) -> str:
    """Identifies the feature schema (names, kinds, transforms): a change starts a new lineage."""
    import hashlib

    parts = [f"{f.name}:{f.kind}:{f.transform}" for f in schema.features]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
