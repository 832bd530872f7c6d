"""The model card: what the model is, how it was chosen, on what data, and how to verify it.

One pydantic :class:`ModelCard` is the contract between training and serving: both engines write it
with ``model_dump_json`` and the API reads it with ``model_validate_json``, so the two cannot drift.
It carries the pickle-free serving spec (the API never unpickles anything) and the pickle's SHA-256.

Integrity: ``content_sha256`` is the SHA-256 of the card's own content (every field but the three
integrity fields), and the model version is derived from it — so changing any served number (a
centroid, a scale) either is refused (the hash no longer matches) or, re-hashed, shows as another
model version. With ``SEGMENTATION_MODEL_KEY`` set, training also signs that hash (HMAC-SHA256) and
the API refuses a card whose signature does not verify: only a holder of the key can publish.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import platform
from datetime import UTC, datetime
from importlib import metadata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import SegmentationError
from ..feature_schema import FeatureSchema
from ..profiling import SegmentProfile

CARD_SCHEMA_VERSION = 2
_LIBRARIES = ("scikit-learn", "numpy", "pandas", "scipy", "joblib")
RETRAIN_HINT = "retrain with `python backend/src/main.py`"


class CardError(SegmentationError):
    """A model card that cannot be trusted or read."""


class CategoricalSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    levels: list[str]
    drop_first: bool


class ServingSpec(BaseModel):
    """The learned numbers scoring needs (see ``modeling.serving.ServingModel``)."""

    model_config = ConfigDict(extra="forbid")

    features: list[str]
    gender_in_model: bool
    gender_categories: list[str]
    numeric_features: list[str]
    numeric_transforms: list[Literal["none", "log1p"]]
    categorical: list[CategoricalSpec] = Field(default_factory=list)
    scaler_mean: list[float]
    scaler_scale: list[float]
    centers_scaled: list[list[float]]
    ood_threshold: list[float]
    ood_rule: str
    segment_ids: list[int] | None = Field(
        default=None, description="Stable segment id of each centroid row (ascending); null means 0..k-1."
    )


class DataInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    sha256: str
    rows_in: int
    rows_used: int
    id_column: str = Field(description="The id column of every output (row_id when customers are numbered by row).")
    id_generated: bool = Field(description="True when the table had no id column: customers are numbered 1..n.")


class SilhouetteInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overall: float
    per_segment: list[float | None]
    rows: int


class SegmentInfo(SegmentProfile):
    """One segment's profile, and beside the shown ``name``/``action`` the data's and the user's."""

    generated_name: str | None = Field(
        default=None, description="The name derived from the data (``name`` is the user's name when one is set)."
    )
    generated_action: str | None = Field(
        default=None, description="The action derived from the data (``action`` is the user's when one is set)."
    )
    user_name: str | None = Field(default=None, description="The user's name for the segment when training ran.")
    user_action: str | None = Field(default=None, description="The user's action for the segment when training ran.")


class SegmentMatch(BaseModel):
    """How one segment of this run relates to the parent's segments."""

    model_config = ConfigDict(extra="forbid")

    segment_id: int = Field(description="Stable id in this run.")
    parent_id: int | None = Field(description="The parent segment it continues (matched) or is closest to (new).")
    matched: bool
    jaccard: float | None = Field(description="Overlap of members among customers in both runs (null without ids).")
    distance: float | None = Field(description="Centroid distance in the parent's scaled space (standard deviations).")


class LineageInfo(BaseModel):
    """Where this run's segment ids come from: a continued lineage (matched to its parent) or a fresh one."""

    model_config = ConfigDict(extra="forbid")

    lineage_id: str
    schema_hash: str = Field(description="Fingerprint of the feature schema; a change starts a new lineage.")
    parent_version: str | None = Field(description="The model this run replaced (null for the first run).")
    status: Literal["fresh", "continued"]
    reason: str
    method: Literal["overlap", "centroid", "fresh"]
    threshold: float | None = Field(description="Jaccard above which (overlap) / distance within which (centroid).")
    shared_customers: int
    shared_fraction: float
    matches: list[SegmentMatch] = Field(default_factory=list)
    kept_ids: list[int] = Field(default_factory=list)
    new_ids: list[int] = Field(default_factory=list)
    retired_ids: list[int] = Field(default_factory=list)
    max_id_used: int = Field(description="Highest segment id the lineage has ever used; new ids start above it.")


_CARD_EXAMPLE: dict[str, Any] = {
    "schema_version": 2,
    "model_version": "7a11fcee-2026-11-29",
    "content_sha256": "7a11fcee…",
    "created_at": "2026-11-29T14:21:20Z",
    "engine": "scikit-learn",
    "model_file": "clustering_model.pkl",
    "model_sha256": "69541e38…",
    "k": 6,
    "features": ["age", "annual_income", "spending_score"],
    "library_versions": {"scikit-learn": "1.9.1", "numpy": "2.4.6"},
}


class ModelCard(BaseModel):
    """Everything known about one trained model; the JSON written beside it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CARD_EXAMPLE]})

    schema_version: Literal[2] = 2
    model_version: str = ""
    content_sha256: str = ""
    signature: str | None = None
    created_at: str
    engine: str
    model_file: str
    model_sha256: str
    k: int
    features: list[str]
    feature_schema: FeatureSchema
    plot_axes: dict[str, Any]
    warnings: list[str] = Field(default_factory=list)
    k_selection: dict[str, Any]
    silhouette: SilhouetteInfo
    stability: dict[str, Any]
    k_certainty: dict[str, Any] | None = Field(
        default=None, description="How often each k wins over resamples, both k rules and how sure the choice is."
    )
    stability_by_k: dict[str, Any] | None = None
    segment_stability: dict[str, Any] | None = None
    segments: list[SegmentInfo]
    data: DataInfo
    data_quality: dict[str, Any]
    cluster_order: str
    random_state: int
    settings: dict[str, Any]
    outputs: dict[str, str]
    reproduce: str
    library_versions: dict[str, str]
    serving: ServingSpec
    spark: dict[str, Any] | None = None
    lineage: LineageInfo | None = Field(
        default=None, description="Stable segment ids: the parent model, the matching and new/retired ids."
    )

    # -- integrity -------------------------------------------------------------------------------
    def computed_content_sha256(self) -> str:
        """SHA-256 of every field but model_version, content_sha256 and signature (canonical JSON)."""
        content = self.model_dump(mode="json", exclude={"model_version", "content_sha256", "signature"})
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def sealed(self, key: str | None = None) -> ModelCard:
        """This card with its content hash, the model version derived from it, and (with a key) signed."""
        digest = self.computed_content_sha256()
        return self.model_copy(
            update={
                "content_sha256": digest,
                "model_version": model_version(digest, self.created_at),
                "signature": sign(digest, key) if key else None,
            }
        )

    def verify(self, key: str | None = None) -> None:
        """Raise :class:`CardError` unless the content hash (and, with a key, the signature) holds."""
        digest = self.computed_content_sha256()
        if not hmac.compare_digest(digest, self.content_sha256):
            raise CardError(f"the model card's content does not match its content_sha256 (edited?); {RETRAIN_HINT}")
        if self.model_version != model_version(digest, self.created_at):
            raise CardError(f"the model card's model_version does not derive from its content; {RETRAIN_HINT}")
        if key is not None and not (self.signature and hmac.compare_digest(self.signature, sign(digest, key))):
            raise CardError(
                "the model card is not signed with this server's SEGMENTATION_MODEL_KEY; "
                f"{RETRAIN_HINT} with the same key"
            )

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


def sign(digest: str, key: str) -> str:
    return hmac.new(key.encode("utf-8"), digest.encode("ascii"), hashlib.sha256).hexdigest()


def read_card_text(text: str | bytes) -> ModelCard:
    """Parse a card; a card of another format (or not a card) is refused with one line."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise CardError(f"the model card is unreadable: not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise CardError("the model card is not a JSON object")
    version = raw.get("schema_version")
    if version != CARD_SCHEMA_VERSION:
        raise CardError(
            f"the model card has format {version!r}; this version reads format {CARD_SCHEMA_VERSION} — {RETRAIN_HINT}"
        )
    try:
        return ModelCard.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise CardError(f"the model card is invalid at {where or 'top level'}: {first.get('msg')}") from None


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - all are hard requirements
            versions[name] = "unknown"
    return versions


def model_version(content_sha256: str, created_at: str) -> str:
    """Short, human-readable model version: first 8 hex digits of the card's content hash + the date."""
    return f"{content_sha256[:8]}-{created_at[:10]}"


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
