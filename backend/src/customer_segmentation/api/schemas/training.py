"""Training from an upload: the draft schema of a table, the options of a run, and a run's progress,
result and comparison with the served model."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .clusters import ClusterSummary
from .runs import MigrationReport

InputKind = Literal["customers", "transactions"]
ColumnRole = Literal["id", "feature", "describe", "left_out"]
RunState = Literal["running", "done", "failed", "published", "discarded"]

_DRAFT_EXAMPLE: dict[str, Any] = {
    "filename": "wholesale_customers.csv",
    "input_kind": "customers",
    "rows": 440,
    "columns": [
        {
            "header": "Channel",
            "name": "channel",
            "role": "feature",
            "kind": "categorical",
            "transform": None,
            "reason": "2 distinct whole numbers: a code, not a quantity",
        },
        {
            "header": "Fresh",
            "name": "fresh",
            "role": "feature",
            "kind": "numeric",
            "transform": "log1p",
            "reason": "non-negative, skewness 2.56",
        },
    ],
    "id_column": None,
    "id_candidates": [],
    "features": ["channel", "fresh"],
    "categorical": ["channel"],
    "describe": [],
    "transforms": {"fresh": "log1p"},
    "left_out": [],
    "transaction_columns": None,
    "notes": ["No id column found: customers will be numbered row_id 1..n in file order."],
}


class DraftColumn(BaseModel):
    """One column of the uploaded table and what the draft does with it, and why."""

    header: str = Field(description="The header as written in the file.")
    name: str = Field(description="Its snake_case name (what the options and the API use).")
    role: ColumnRole = Field(description="id, feature (clustered), describe (profiles only) or left_out.")
    kind: Literal["numeric", "categorical"] | None = Field(description="For a feature or described column.")
    transform: Literal["none", "log1p"] | None = Field(description="Suggested transform of a numeric feature.")
    reason: str = Field(description="Why the column got this role, in plain words.")


class LeftOutColumn(BaseModel):
    header: str
    reason: str


class SchemaDraft(BaseModel):
    """A draft feature schema for an uploaded table: review it, then send the chosen parts to ``POST
    /runs`` as its options."""

    model_config = ConfigDict(json_schema_extra={"examples": [_DRAFT_EXAMPLE]})

    filename: str
    input_kind: InputKind = Field(
        description="customers: one row per customer; transactions: order lines, aggregated per customer "
        "into recency, frequency, monetary, tenure and average order value."
    )
    rows: int = Field(ge=0, description="Rows of the table the draft describes (customers, for order lines).")
    columns: list[DraftColumn]
    id_column: str | None = Field(description="The id column the run would use (its name); null: numbered rows.")
    id_candidates: list[str] = Field(description="Every column that is unique and named like an id.")
    features: list[str] = Field(description="Suggested features (names), numeric and categorical.")
    categorical: list[str] = Field(description="The suggested features that are categorical.")
    describe: list[str] = Field(description="Columns shown in profiles but not clustered.")
    transforms: dict[str, Literal["none", "log1p"]] = Field(description="Suggested transform per numeric feature.")
    left_out: list[LeftOutColumn]
    transaction_columns: dict[str, str] | None = Field(
        description="For order lines: which header was read as customer, date, invoice, quantity, price, amount."
    )
    notes: list[str] = Field(default_factory=list)


_OPTIONS_EXAMPLE: dict[str, Any] = {
    "features": ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"],
    "categorical": [],
    "transforms": {"Fresh": "log1p"},
    "k_min": 2,
    "k_max": 8,
}


class TrainingOptions(BaseModel):
    """What to train on the uploaded table (sent as JSON in the ``options`` form field): the CLI's
    options. Column names match by header as written or by snake_case name."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_OPTIONS_EXAMPLE]})

    features: list[str] = Field(min_length=1, max_length=100, description="Columns to cluster.")
    categorical: list[str] = Field(default_factory=list, max_length=100, description="Features that are categorical.")
    transforms: dict[str, Literal["none", "log1p", "auto"]] = Field(
        default_factory=dict, description="Transform per numeric feature (none, log1p or auto)."
    )
    describe: list[str] = Field(default_factory=list, max_length=100, description="Columns profiled, not clustered.")
    id_column: str | None = Field(default=None, max_length=200, description="The id column (default: detected).")
    k_min: int = Field(default=2, ge=2, le=30)
    k_max: int = Field(default=10, ge=2, le=30)
    k: int | None = Field(default=None, ge=2, le=30, description="Pin k (every k of the range is still scored).")
    k_rule: Literal["max", "one-se"] = Field(default="max", description="How k is chosen from the sweep.")
    random_state: int = Field(default=42, ge=0, le=2**32 - 1)
    bootstrap_resamples: int = Field(default=20, ge=1, le=200, description="Resamples of the stability estimate.")
    clip_outliers: bool = False
    strict: bool = Field(default=False, description="Fail the run on any data-quality or segment warning.")
    input_kind: Literal["auto", "customers", "transactions"] = Field(
        default="auto", description="auto: order-line exports are recognised by their headers."
    )

    @model_validator(mode="after")
    def _k_range(self) -> TrainingOptions:
        if self.k_min > self.k_max:
            raise ValueError(f"k_min ({self.k_min}) is above k_max ({self.k_max})")
        return self


class RunStage(BaseModel):
    """One stage of the training pipeline (the CLI's progress lines)."""

    name: str
    state: Literal["running", "done"]
    seconds: float | None = Field(description="Duration, once done.")
    steps_done: int | None = Field(default=None, description="For a stage with steps (the k sweep): steps done.")
    steps_total: int | None = None
    detail: str | None = Field(default=None, description="The last step's detail, e.g. 'k=4 silhouette 0.41'.")


class SegmentBrief(BaseModel):
    id: int
    name: str
    size: int
    share: float


class RunComparison(BaseModel):
    """The finished run beside the model served when it was trained."""

    served_version: str | None = Field(description="Null when no model was served.")
    served_k: int | None
    served_segments: list[SegmentBrief]
    new_segments: list[SegmentBrief] = Field(description="Under their stable ids (matched to the served ones).")
    same_schema: bool = Field(description="Same feature schema: the run continues the served model's segments.")
    migration: MigrationReport | None = Field(
        description="Who moved where and how the data drifted, against the served model (what GET "
        "/runs/{version}/migration serves once published); migration.migration is null without shared customers."
    )
    note: str = Field(description="Why the segments continue the served ones, or why not.")


_STATUS_EXAMPLE: dict[str, Any] = {
    "run_id": "job-3f2a9c1e07b4",
    "kind": "job",
    "state": "running",
    "filename": "wholesale_customers.csv",
    "input_kind": "customers",
    "started_at": "2026-11-29T14:21:20Z",
    "finished_at": None,
    "progress": 0.42,
    "stages": [
        {"name": "Loading data", "state": "done", "seconds": 0.04},
        {
            "name": "Choosing k by silhouette (k=2..8, 440 rows)",
            "state": "running",
            "seconds": None,
            "steps_done": 3,
            "steps_total": 7,
            "detail": "k=4 silhouette 0.3120",
        },
    ],
    "error": None,
    "model_version": None,
    "k": None,
    "segments": [],
    "result": None,
    "k_certainty": None,
    "comparison": None,
}


class RunStatus(BaseModel):
    """A training run started from an upload (``kind: job``), or a published model version (``kind:
    version``): its progress by stage, the one-line reason it failed, or its result."""

    model_config = ConfigDict(json_schema_extra={"examples": [_STATUS_EXAMPLE]})

    run_id: str
    kind: Literal["job", "version"]
    state: RunState
    filename: str | None = None
    input_kind: InputKind | None = None
    started_at: str | None = None
    finished_at: str | None = None
    progress: float = Field(ge=0, le=1, description="Share of the pipeline's stages done.")
    stages: list[RunStage] = Field(default_factory=list)
    error: str | None = Field(default=None, description="Why the run failed (state failed), one line.")
    model_version: str | None = Field(default=None, description="The trained model's version, once done.")
    k: int | None = Field(default=None, description="Segments of the trained model, once done.")
    segments: list[SegmentBrief] = Field(default_factory=list, description="Its segments (names, sizes), once done.")
    result: ClusterSummary | None = Field(
        default=None, description="k, its evidence and the segments (as GET /clusters)."
    )
    k_certainty: dict[str, Any] | None = Field(default=None, description="How often each k wins over resamples.")
    comparison: RunComparison | None = None


class RunAccepted(BaseModel):
    """A training run was started; poll ``GET /runs/{run_id}``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "run_id": "job-3f2a9c1e07b4",
                    "state": "running",
                    "status_url": "/runs/job-3f2a9c1e07b4",
                    "input_kind": "customers",
                }
            ]
        }
    )

    run_id: str
    state: RunState
    status_url: str
    input_kind: InputKind


class PublishResult(BaseModel):
    """The run is published (the CLI's atomic swap) and served from now on."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "run_id": "job-3f2a9c1e07b4",
                    "model_version": "32f5f558-2026-11-29",
                    "previous_version": "de9932c2-2026-11-29",
                    "k": 3,
                    "warnings": [],
                }
            ]
        }
    )

    run_id: str
    model_version: str
    previous_version: str | None
    k: int
    warnings: list[str]
