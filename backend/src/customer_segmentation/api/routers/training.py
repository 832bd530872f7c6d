"""Train a segmentation from an upload: draft its schema, train in the background, watch the stages,
compare with the served model, publish or discard.

* ``POST /schema/infer`` — the draft feature schema of an uploaded table (or order-line export);
* ``POST /runs`` (API key) — start training the upload with the chosen options: 202 and a run id;
* ``GET /runs/{run_id}`` — a job's progress by stage, its one-line failure, or its result beside
  the served model; also any published model version;
* ``POST /runs/{run_id}/publish`` (API key) — the CLI's atomic swap, then the new model is served;
* ``DELETE /runs/{run_id}`` (API key) — discard it.

The list of runs and the migration report of a published version live in ``runs.py``.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from ...store import RunDetail
from ..dependencies import DeadlineDep, RunStoreDep, SettingsDep, StoreDep, require_api_key, require_multipart
from ..schemas import ErrorResponse
from ..schemas.training import PublishResult, RunAccepted, RunStatus, SchemaDraft, TrainingOptions
from ..services.errors import InvalidInput, NotFound
from ..services.run_status import job_status, version_status
from ..services.run_store import RunStore, StoreUnavailable
from ..services.schema_draft import Requested, draft_upload, input_kind
from ..services.training_jobs import TrainingJobs
from ..services.training_options import check_options, run_config
from ..services.upload_workers import run_job
from ..services.uploads import Upload, read_table, read_upload, save_upload
from ..settings import ApiSettings
from .clusters import list_clusters
from .responses import errors

router = APIRouter(tags=["training"])
log = logging.getLogger("customer_segmentation.api")

_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorResponse,
        "description": "Conflicts with a run's state: a training is already running, the run is not done, "
        "or the new model was refused (the served one stays).",
    }
}
RunId = Annotated[
    str,
    PathParam(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="A training job's id (job-…) or a published model version.",
        examples=["job-3f2a9c1e07b4"],
    ),
]
UploadField = Annotated[
    UploadFile, File(description="A customer table (CSV, one row per customer) or an order-line export (CSV).")
]
KindQuery = Annotated[
    Requested, Query(description="auto: order-line exports are recognised by their headers and repeated customers.")
]


def get_jobs(request: Request) -> TrainingJobs:
    jobs: TrainingJobs = request.app.state.training
    return jobs


JobsDep = Annotated[TrainingJobs, Depends(get_jobs)]


@router.post(
    "/schema/infer",
    response_model=SchemaDraft,
    summary="Draft a feature schema for an uploaded table",
    dependencies=[Depends(require_multipart)],
    responses=errors(400, 408, 413, 415, 422),
)
async def infer_schema(
    settings: SettingsDep, deadline: DeadlineDep, file: UploadField, input_kind: KindQuery = "auto"
) -> SchemaDraft:
    """Every column with the role the CLI's ``--infer-schema`` gives it — id, numeric or categorical
    feature (with a suggested transform), described, or left out — and why; the id column and the
    suggested features. An order-line export is aggregated per customer first: its draft is the RFM
    schema. Upload limits are those of ``/predict/csv``; nothing is kept."""
    upload = await read_upload(file, settings)
    return await run_job(settings.upload_workers, deadline, draft_upload, upload, input_kind, settings, deadline)


def _options(text: str) -> TrainingOptions:
    try:
        return TrainingOptions.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        field = f"options.{where}" if where else "options"
        message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        raise InvalidInput(f"{field}: {message}", field=field) from None


def _start(upload: Upload, options: TrainingOptions, settings: ApiSettings, jobs: TrainingJobs) -> RunAccepted:
    with tempfile.TemporaryDirectory(prefix="runs-") as folder:
        path = save_upload(upload, Path(folder))
        frame = read_table(path, upload.filename, settings)
        kind = input_kind(frame, options.input_kind)
        check_options(options, kind, path, upload.filename)
    job = jobs.start(upload.filename, upload.data, kind, lambda staged: run_config(options, staged))
    return RunAccepted(run_id=job.run_id, state=job.state, status_url=f"/runs/{job.run_id}", input_kind=kind)


@router.post(
    "/runs",
    response_model=RunAccepted,
    status_code=202,
    summary="Start training a segmentation of an uploaded table (needs X-API-Key)",
    dependencies=[Depends(require_api_key), Depends(require_multipart)],
    responses={**errors(400, 401, 403, 413, 415, 422, 429), **_CONFLICT},
)
async def start_run(
    settings: SettingsDep,
    jobs: JobsDep,
    file: UploadField,
    options: Annotated[
        str,
        Form(
            description="The run's options as JSON (schema TrainingOptions): features, categorical, transforms, "
            "describe, id_column, k_min, k_max, k …",
            examples=['{"features": ["Fresh", "Milk", "Grocery"], "k_min": 2, "k_max": 8}'],
        ),
    ],
) -> RunAccepted:
    """Checks the options against the upload's columns (422 naming the problem), then trains in the
    background — into a staging folder, never the served one — and answers 202 at once with the run
    id to poll. One training at a time (409 while one runs)."""
    jobs.check_idle()
    chosen = _options(options)
    upload = await read_upload(file, settings)
    return await run_in_threadpool(_start, upload, chosen, settings, jobs)


@router.get(
    "/runs/{run_id}",
    response_model=RunStatus,
    summary="Progress of a training run (by stage) and its result; or a published model version",
    responses=errors(404, 422),
)
def get_run(run_id: RunId, jobs: JobsDep, store: StoreDep, runs: RunStoreDep) -> RunStatus:
    """A job: its stages (the CLI's) with durations and k-sweep steps, then ``done`` with the new
    model's k evidence, segments and comparison with the served model — or ``failed`` with the
    one-line reason. A published model version (as listed by ``GET /runs``): its k and segments."""
    job = jobs.get(run_id)
    if job is not None:
        return job_status(job)
    bundle = store.bundle
    served = list_clusters(bundle, runs) if bundle is not None and bundle.model_version == run_id else None
    return version_status(run_id, bundle, served, None if served else _stored(runs, run_id))


def _stored(runs: RunStore, version: str) -> RunDetail | None:
    """The store's record of ``version``; None when the store is unavailable (the served version
    is still known without it)."""
    try:
        database = runs.get()
        with runs.errors("reading a run"):
            return database.run(version)
    except StoreUnavailable as exc:
        log.warning("%s", exc)
        return None


def _job(jobs: TrainingJobs, run_id: str) -> Any:
    job = jobs.get(run_id)
    if job is None:
        raise NotFound(f"no training run {run_id!r} (published versions cannot be published or discarded again)")
    return job


@router.post(
    "/runs/{run_id}/publish",
    response_model=PublishResult,
    summary="Publish a finished run: it becomes the served model (needs X-API-Key)",
    dependencies=[Depends(require_api_key)],
    responses={**errors(401, 403, 404, 422, 429), **_CONFLICT},
)
def publish_run(run_id: RunId, jobs: JobsDep) -> PublishResult:
    """The staged run is published into the served artifacts folder with the CLI's atomic swap and
    the API reloads it: requests in flight finish with the old model. 409 unless the run is done,
    or when this server would refuse the new model (then nothing is published)."""
    return jobs.publish(_job(jobs, run_id))


@router.delete(
    "/runs/{run_id}",
    response_model=RunStatus,
    summary="Discard a training run (needs X-API-Key)",
    dependencies=[Depends(require_api_key)],
    responses={**errors(401, 403, 404, 422, 429), **_CONFLICT},
)
def discard_run(run_id: RunId, jobs: JobsDep) -> RunStatus:
    """Removes the staged run; a running training stops at its next stage. A published run cannot
    be discarded (409): train and publish another to replace it."""
    job = _job(jobs, run_id)
    jobs.discard(job)
    return job_status(job)
