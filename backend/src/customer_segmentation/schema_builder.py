"""Turn what the user declared — CLI flags and/or a ``--schema FILE.toml`` — into a :class:`FeatureSchema`
for the table at hand, before any data is read.

Rules (flags override the file):

* nothing declared → the built-in Mall schema (its default features);
* features that are all Mall columns (``age``, ``income``, …), with no categorical, transform, id or
  schema-file declarations → the Mall schema clustering those features (Mall ranges, labels, names);
* anything else → a custom schema: each named column matched by its snake_case form or its header as
  written; ``--categorical`` marks categorical features, ``--transform COL=…`` sets numeric
  transforms, ``--describe`` adds profile-only columns, ``--id-column`` names the id (else a column
  named like an id — ``ID``, ``CustomerID`` — is used, else customers are numbered ``row_id``); a
  column named only in ``--categorical`` is clustered too.

The TOML file holds the same::

    id_column = "ID"                 # optional
    describe = ["Year_Birth"]        # optional
    [[features]]
    name = "Income"
    kind = "numeric"                 # or "categorical"
    transform = "auto"               # none | log1p | auto
    label = "Income"                 # optional
    unit = "$"                       # optional
    range = [0, 1000000]             # optional valid range
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import ConfigError
from .feature_schema import (
    MALL_DEFAULT_FEATURES,
    FeatureKind,
    FeatureSchema,
    FeatureSpec,
    Transform,
    ValueRange,
    mall_name,
    mall_schema,
    snake_case,
)
from .schema import squash_header

#: Headers taken as the customer id when none is declared (squashed).
ID_HEADERS = ("id", "customerid", "custid", "clientid", "customerno", "customernumber", "memberid")


@dataclass(frozen=True)
class SchemaRequest:
    """What the user declared; every field optional (None/empty = not declared)."""

    features: tuple[str, ...] | None = None
    categorical: tuple[str, ...] = ()
    describe: tuple[str, ...] = ()
    id_column: str | None = None
    transforms: Mapping[str, str] = field(default_factory=dict)
    schema_file: Path | None = None

    @property
    def customised(self) -> bool:
        """Anything beyond a plain feature list was declared."""
        return bool(self.categorical or self.describe or self.id_column or self.transforms or self.schema_file)


def parse_transforms(pairs: Sequence[str]) -> dict[str, str]:
    """``["income=log1p", "age=none"]`` → ``{"income": "log1p", "age": "none"}`` (ConfigError otherwise)."""
    out: dict[str, str] = {}
    allowed = ", ".join(t.value for t in Transform)
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or value.strip().lower() not in {t.value for t in Transform}:
            raise ConfigError(f"--transform {pair!r}: expected COLUMN=TRANSFORM with TRANSFORM one of {allowed}")
        out[name.strip()] = value.strip().lower()
    return out


def _canon(name: str) -> str:
    return snake_case(name)


def _file_spec(entry: Any, where: str) -> dict[str, Any]:
    if isinstance(entry, str):
        return {"name": entry}
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a table or a column name")
    spec = dict(entry)
    if "range" in spec:
        bounds = spec.pop("range")
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise ConfigError(f"{where}: range must be [low, high]")
        spec["valid_range"] = {"low": bounds[0], "high": bounds[1]}
    return spec


def read_schema_file(path: Path) -> dict[str, Any]:
    """The TOML schema as plain data (features/describe as lists of dicts); ConfigError when unreadable."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"--schema file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--schema {path} is unreadable ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"--schema {path} is not valid TOML ({exc})") from None
    unknown = sorted(set(data) - {"id_column", "features", "describe", "kind"})
    if unknown:
        raise ConfigError(f"--schema {path}: unknown key {unknown[0]!r} (expected id_column, features, describe)")
    features = data.get("features", [])
    describe = data.get("describe", [])
    if not isinstance(features, list) or not isinstance(describe, list):
        raise ConfigError(f"--schema {path}: features and describe must be lists")
    return {
        "id_column": data.get("id_column"),
        "features": [_file_spec(e, f"--schema {path}: features[{i}]") for i, e in enumerate(features)],
        "describe": [_file_spec(e, f"--schema {path}: describe[{i}]") for i, e in enumerate(describe)],
    }


def _detect_id(headers: Sequence[str], taken: set[str]) -> str | None:
    for header in headers:
        name = _canon(header)
        if squash_header(header) in ID_HEADERS and name not in taken:
            return name
    return None


def build_schema(headers: Sequence[str], request: SchemaRequest) -> FeatureSchema:
    """The schema for a table with ``headers`` (see the module docstring for the rules)."""
    if request.features is None and not request.schema_file:
        if request.customised:
            raise ConfigError("declare the features to cluster with --features (or --schema FILE.toml)")
        return mall_schema(MALL_DEFAULT_FEATURES)
    if request.features is not None and not request.customised:
        mall = [mall_name(f) for f in request.features]
        if all(m is not None for m in mall):
            return mall_schema([m for m in mall if m is not None])
    return _custom_schema(headers, request)


def _custom_schema(headers: Sequence[str], request: SchemaRequest) -> FeatureSchema:
    base = read_schema_file(request.schema_file) if request.schema_file else {"features": [], "describe": []}
    by_name: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for entry in base["features"]:
        name = _canon(str(entry.get("name", "")))
        by_name[name] = {**entry, "name": name}
        order.append(name)
    if request.features is not None:  # the flag's list replaces the file's, keeping the file's details
        order = [_canon(f) for f in request.features]
    categorical = {_canon(c) for c in request.categorical}
    # A column named only in --categorical is a (categorical) feature too.
    order += [_canon(c) for c in request.categorical if _canon(c) not in order]
    transforms = {_canon(k): v for k, v in request.transforms.items()}
    unknown_transform = sorted(set(transforms) - set(order))
    if unknown_transform:
        raise ConfigError(f"--transform {unknown_transform[0]!r} is not one of the features ({', '.join(order)})")
    specs = []
    for name in dict.fromkeys(order):  # de-duplicated, in order
        entry = dict(by_name.get(name, {"name": name}))
        if name in categorical:
            entry["kind"] = FeatureKind.CATEGORICAL.value
            entry.pop("transform", None)
        if name in transforms:
            if entry.get("kind") == FeatureKind.CATEGORICAL.value:
                raise ConfigError(f"--transform {name}: a categorical feature cannot be transformed")
            entry["transform"] = transforms[name]
        specs.append(_spec(entry))
    describe_names = [_canon(d) for d in request.describe] or [_canon(str(d.get("name", ""))) for d in base["describe"]]
    describe = [FeatureSpec(name=d, kind=None) for d in dict.fromkeys(describe_names) if d not in set(order)]
    id_column = request.id_column or base.get("id_column")
    taken = set(order) | {d.name for d in describe}
    id_name = _canon(id_column) if id_column else _detect_id(headers, taken)
    if id_name in taken:
        raise ConfigError(f"the id column {id_name!r} cannot also be a feature or describe column")
    try:
        return FeatureSchema(kind="custom", id_column=id_name, features=tuple(specs), describe=tuple(describe))
    except ValidationError as exc:
        raise ConfigError(f"invalid feature schema: {exc.errors()[0]['msg']}") from None


def _spec(entry: dict[str, Any]) -> FeatureSpec:
    try:
        return FeatureSpec.model_validate(entry)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise ConfigError(f"feature {entry.get('name')!r}: {where} {first['msg']}") from None


def with_header_labels(schema: FeatureSchema, mapping: Mapping[str, str]) -> FeatureSchema:
    """Give every unlabelled column of a custom schema its header as written as label (``Detergents_Paper``)."""
    if schema.kind == "mall":
        return schema
    header_of = {name: header for header, name in mapping.items()}

    def labelled(spec: FeatureSpec) -> FeatureSpec:
        if spec.label or spec.name not in header_of:
            return spec
        return spec.model_copy(update={"label": header_of[spec.name].strip()})

    return schema.model_copy(
        update={
            "features": tuple(labelled(s) for s in schema.features),
            "describe": tuple(labelled(s) for s in schema.describe),
        }
    )


__all__ = ["SchemaRequest", "ValueRange", "build_schema", "parse_transforms", "read_schema_file", "with_header_labels"]
