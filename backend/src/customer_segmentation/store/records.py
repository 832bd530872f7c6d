"""What goes into the store and what comes out: plain frozen dataclasses, never ORM objects.

Callers (the pipeline's publish step, the API) get values that stay valid after the session that
read them has closed, and that cannot write back to the database by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A run to record. ``lineage_id`` comes from :func:`~.lineage.lineage_for`."""

    model_version: str
    created_at: datetime  # timezone-aware
    data_sha256: str
    k: int
    schema_hash: str
    lineage_id: str
    parent_version: str | None
    scores: dict[str, Any]
    engine: str
    source_name: str


@dataclass(frozen=True, slots=True)
class SegmentRecord:
    """One segment of a run to record, under its stable id."""

    segment_id: int
    generated_name: str
    size: int
    share: float
    centroid: dict[str, float]
    generated_action: str = ""


@dataclass(frozen=True, slots=True)
class RunSummary:
    """A recorded run, without its segments (what a history listing shows)."""

    model_version: str
    created_at: datetime
    data_sha256: str
    k: int
    schema_hash: str
    lineage_id: str
    parent_version: str | None
    scores: dict[str, Any]
    engine: str
    source_name: str


@dataclass(frozen=True, slots=True)
class SegmentLabel:
    """A user's name and action for a segment of a lineage."""

    lineage_id: str
    segment_id: int
    user_name: str | None
    user_action: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StoredSegment:
    """A segment of a recorded run with the lineage's current user label merged in."""

    segment_id: int
    generated_name: str
    generated_action: str
    size: int
    share: float
    centroid: dict[str, float]
    user_name: str | None = None
    user_action: str | None = None

    @property
    def name(self) -> str:
        """What to show: the user's name when there is one, else the generated one."""
        return self.user_name or self.generated_name

    @property
    def action(self) -> str:
        return self.user_action or self.generated_action


@dataclass(frozen=True, slots=True)
class RunDetail:
    """A recorded run with its segments and the segment ids it retired."""

    run: RunSummary
    segments: tuple[StoredSegment, ...]
    retired_segment_ids: tuple[int, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class RetiredSegmentInfo:
    """A segment id of a lineage that a run no longer found."""

    lineage_id: str
    segment_id: int
    retired_in_version: str


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """A customer's segment in one run."""

    model_version: str
    created_at: datetime
    lineage_id: str
    segment_id: int
    segment_name: str  # the user's name if set, else the generated one
