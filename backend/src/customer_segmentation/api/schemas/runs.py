"""Runs across retraining: history, migration and drift against the parent, customer histories, renames."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_RUN_EXAMPLE: dict[str, Any] = {
    "model_version": "aa5be064-2026-11-29",
    "created_at": "2026-11-29T14:48:55Z",
    "k": 6,
    "lineage_id": "20261129T144835-269521f4",
    "parent_version": "743a47b9-2026-11-29",
    "schema_hash": "269521f4d2a8e0c1",
    "data_sha256": "5b1c0f3e…",
    "engine": "scikit-learn",
    "source_name": "customers-2026-11.csv",
    "scores": {"silhouette": 0.4301, "mean_ari": 0.93, "rows_used": 190},
    "served": True,
}


class RunInfo(BaseModel):
    """One recorded training run."""

    model_config = ConfigDict(json_schema_extra={"examples": [_RUN_EXAMPLE]})

    model_version: str
    created_at: datetime
    k: int
    lineage_id: str = Field(description="Runs of one lineage share segment ids and the user's names.")
    parent_version: str | None = Field(description="The model this run replaced (null: the first recorded run).")
    schema_hash: str = Field(description="Fingerprint of the feature schema (a change starts a new lineage).")
    data_sha256: str
    engine: str
    source_name: str
    scores: dict[str, Any] = Field(description="Silhouette, stability (mean ARI) and rows used of the chosen k.")
    served: bool = Field(description="True for the model the API serves right now.")


class RunList(BaseModel):
    """Recorded runs, newest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"runs": [_RUN_EXAMPLE], "limit": 50, "offset": 0}]})

    runs: list[RunInfo]
    limit: int
    offset: int


class ShareChangeOut(BaseModel):
    segment_id: int
    old_count: int
    new_count: int
    old_share: float
    new_share: float
    change: float = Field(description="new_share - old_share.")


class MigrationMatrix(BaseModel):
    """Customers followed by id: previous segment (rows) → new segment (columns)."""

    old_segments: list[int]
    new_segments: list[int]
    counts: list[list[int]] = Field(description="Customers in both runs, rows old_segments × columns new_segments.")
    in_both: int
    stayed: int = Field(description="Customers in both runs whose segment id did not change.")
    only_old: int = Field(description="Customers only in the previous run (left).")
    only_new: int = Field(description="Customers only in this run (arrived).")
    only_old_by_segment: list[int]
    only_new_by_segment: list[int]
    share_changes: list[ShareChangeOut] = Field(default_factory=list)


class PsiOut(BaseModel):
    """Population stability index of one variable (> 0.25 major shift, 0.10–0.25 moderate)."""

    name: str
    kind: Literal["numeric", "categorical", "segment"]
    psi: float
    flag: Literal["stable", "moderate", "major shift"]
    bins: list[str]
    expected: list[float] = Field(description="The previous run's share of each bin.")
    actual: list[float] = Field(description="This run's share of each bin.")


class DriftOut(BaseModel):
    features: list[PsiOut]
    segments: PsiOut | None = Field(description="PSI of the segment shares (null across lineages).")
    parent_rows: int
    new_rows: int
    bins: int
    epsilon: float


_MIGRATION_EXAMPLE: dict[str, Any] = {
    "model_version": "aa5be064-2026-11-29",
    "parent_version": "743a47b9-2026-11-29",
    "lineage_id": "20261129T144835-269521f4",
    "status": "continued",
    "reason": "same feature schema as the previous model 743a47b9-2026-11-29: segments matched by the overlap of "
    "their members among the 190 customers in both runs",
    "kept_ids": [0, 1, 2],
    "new_ids": [],
    "retired_ids": [],
    "migration": {
        "old_segments": [0, 1, 2],
        "new_segments": [0, 1, 2],
        "counts": [[22, 0, 0], [0, 19, 1], [2, 0, 40]],
        "in_both": 84,
        "stayed": 81,
        "only_old": 6,
        "only_new": 0,
        "only_old_by_segment": [1, 2, 3],
        "only_new_by_segment": [0, 0, 0],
        "share_changes": [
            {"segment_id": 0, "old_count": 23, "new_count": 24, "old_share": 0.26, "new_share": 0.29, "change": 0.03}
        ],
    },
    "share_changes": [
        {"segment_id": 0, "old_count": 23, "new_count": 24, "old_share": 0.26, "new_share": 0.29, "change": 0.03}
    ],
    "drift": None,
    "drift_source": "artifacts",
    "notes": [],
}


class MigrationReport(BaseModel):
    """Who moved where since the parent model, and how the data drifted."""

    model_config = ConfigDict(json_schema_extra={"examples": [_MIGRATION_EXAMPLE]})

    model_version: str
    parent_version: str | None
    lineage_id: str
    status: Literal["fresh", "continued"] = Field(description="continued: segment ids carried over from the parent.")
    reason: str
    kept_ids: list[int] = Field(default_factory=list)
    new_ids: list[int] = Field(default_factory=list)
    retired_ids: list[int] = Field(default_factory=list)
    migration: MigrationMatrix | None = Field(description="Null without a parent or without customer ids.")
    share_changes: list[ShareChangeOut] = Field(default_factory=list)
    drift: DriftOut | None = Field(
        description="PSI of every feature and of the segment shares; null when the run's migration.json is no "
        "longer on disk (only the last runs' artifacts are kept) — see drift_source."
    )
    drift_source: Literal["artifacts", "store"] = Field(
        description="artifacts: the run's reports/migration.json; store: recomputed from recorded memberships "
        "(no feature drift: the store keeps segments, not the customers' features)."
    )
    notes: list[str] = Field(default_factory=list)


class HistoryEntryOut(BaseModel):
    model_version: str
    created_at: datetime
    lineage_id: str
    segment_id: int
    segment_name: str = Field(description="The user's name for the segment if set, else the generated one.")


class CustomerHistory(BaseModel):
    """A customer's segment in every recorded run that saw them, newest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "customer_id": "C0042",
                    "runs": [
                        {
                            "model_version": "aa5be064-2026-11-29",
                            "created_at": "2026-11-29T14:48:55Z",
                            "lineage_id": "20261129T144835-269521f4",
                            "segment_id": 2,
                            "segment_name": "Weekend regulars",
                        }
                    ],
                }
            ]
        }
    )

    customer_id: str
    runs: list[HistoryEntryOut]


class SegmentLabelIn(BaseModel):
    """A name and/or an action for a segment; an empty string clears it (back to the generated one)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Weekend regulars", "action": "Saturday brunch offers"}]},
    )

    name: str | None = Field(default=None, max_length=120, description="Shown instead of the generated name.")
    action: str | None = Field(default=None, max_length=1000, description="Shown instead of the suggested action.")

    @model_validator(mode="after")
    def _something(self) -> SegmentLabelIn:
        if self.name is None and self.action is None:
            raise ValueError("send a name, an action or both")
        return self
