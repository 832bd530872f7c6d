"""Segments across retraining: GET /runs, GET /runs/{version}/migration, GET /customers/{id}/history and
PATCH /clusters/{id} (your team's name and action for a segment, kept while the segment is matched).

Only the list and the migration live under /runs here: ``GET /runs/{run_id}``, ``POST /runs`` and
publishing belong to the training router.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from ...store import Store, UnknownSegmentError
from ..dependencies import BundleDep, RunStoreDep, StoreDep, require_api_key, require_json
from ..schemas.clusters import ClusterProfile
from ..schemas.runs import CustomerHistory, HistoryEntryOut, MigrationReport, RunInfo, RunList, SegmentLabelIn
from ..services.errors import NotFound
from ..services.model_store import ModelStore
from ..services.run_history import customer_keys, migration_file, migration_from_store
from ..services.run_store import RunStore, id_list, labelled_segments
from .responses import errors

router = APIRouter()

VersionPath = Annotated[
    str,
    Path(min_length=1, max_length=64, description="A model version from GET /runs.", examples=["aa5be064-2026-11-29"]),
]


def _database(runs: RunStore, models: ModelStore) -> Store:
    """The store, with the served run recorded (a run killed after publishing is recorded now)."""
    bundle = models.bundle
    return runs.sync(bundle) if bundle is not None else runs.get()


@router.get(
    "/runs", response_model=RunList, tags=["runs"], summary="Training runs, newest first", responses=errors(422, 503)
)
def list_runs(
    runs: RunStoreDep,
    models: StoreDep,
    limit: Annotated[int, Query(ge=1, le=500, description="Most runs to return.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Runs to skip (newest first).")] = 0,
) -> RunList:
    """Every recorded run with its lineage, parent and scores; ``served`` marks the model the API serves."""
    database = _database(runs, models)
    with runs.errors("listing runs"):
        found = database.runs(limit=limit, offset=offset)
    served = models.bundle.model_version if models.bundle is not None else None
    items = [RunInfo(**_fields(r), served=r.model_version == served) for r in found]
    return RunList(runs=items, limit=limit, offset=offset)


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__slots__}


@router.get(
    "/runs/{version}/migration",
    response_model=MigrationReport,
    tags=["runs"],
    summary="Who moved where since the previous model, and drift",
    responses=errors(404, 422, 503),
)
def get_run_migration(runs: RunStoreDep, models: StoreDep, version: VersionPath) -> MigrationReport:
    """The migration matrix (customers by id: previous segment → new segment, plus those who left or
    arrived), share change per segment and PSI of every feature and of the segment shares (> 0.25 major
    shift, 0.10–0.25 moderate) — from the run's reports/migration.json while its artifacts are kept,
    else recomputed from the store's memberships (without feature drift)."""
    report = migration_file(runs.artifacts_root, version)
    if report is None:
        database = _database(runs, models)
        with runs.errors("reading memberships"):
            report = migration_from_store(database, version)
    return MigrationReport.model_validate(report)


@router.get(
    "/customers/{customer_id}/history",
    response_model=CustomerHistory,
    tags=["customers"],
    summary="A customer's segment in every recorded run",
    responses=errors(404, 422, 503),
)
def get_customer_history(
    runs: RunStoreDep,
    models: StoreDep,
    customer_id: Annotated[
        str, Path(min_length=1, max_length=64, description="Customer id as in the data.", examples=["1"])
    ],
) -> CustomerHistory:
    """Newest first, with each run's segment name (your team's name where set)."""
    database = _database(runs, models)
    with runs.errors("reading the customer's history"):
        for key in customer_keys(customer_id):
            entries = database.customer_history(key)
            if entries:
                return CustomerHistory(customer_id=key, runs=[HistoryEntryOut(**_fields(entry)) for entry in entries])
    raise NotFound(f"customer {customer_id!r} is in no recorded run")


@router.patch(
    "/clusters/{cluster_id}",
    response_model=ClusterProfile,
    tags=["clusters"],
    summary="Name a segment and set its action (needs X-API-Key)",
    dependencies=[Depends(require_api_key), Depends(require_json)],
    responses=errors(400, 401, 403, 404, 415, 422, 429, 503),
)
def rename_cluster(
    label: SegmentLabelIn,
    bundle: BundleDep,
    runs: RunStoreDep,
    models: StoreDep,
    cluster_id: Annotated[int, Path(ge=0, le=10_000, description="Stable segment id.", examples=[2])],
) -> dict[str, Any]:
    """Your team's name and/or action for segment ``cluster_id`` of the served model's lineage (an empty
    string clears it). It shows in /clusters and predictions at once, in the summary of the next run, and
    survives retraining while the segment is matched. Disabled (403) unless SEGMENTATION_API_KEY is set."""
    if cluster_id not in bundle.segment_ids:
        raise NotFound(f"no segment {cluster_id}: this model has segments {id_list(bundle.segment_ids)}")
    database = runs.sync(bundle)
    lineage = bundle.lineage_id
    assert lineage is not None
    with runs.errors("saving the name"):
        try:
            database.rename_segment(lineage, cluster_id, name=label.name, action=label.action)
        except UnknownSegmentError as exc:
            raise NotFound(str(exc)) from None
        labels = database.segment_labels(lineage)
    models.apply_labels(bundle.model_version, labels)
    return next(s for s in labelled_segments(bundle, labels) if s["id"] == cluster_id)
