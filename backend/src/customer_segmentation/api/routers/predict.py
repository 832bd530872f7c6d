"""POST /predict, /predict/batch and /predict/csv — score new customers.

All three go through the same vectorised scorer; they differ only in how customers arrive.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ..dependencies import BundleDep, DeadlineDep, SettingsDep, require_json, require_multipart
from ..schemas import BatchIn, BatchPrediction, CsvScoringReport, CustomerIn, Prediction
from ..services.batch_input import read_batch
from ..services.csv_answer import answer_csv_upload
from ..services.limits import Deadline
from ..services.model_store import ModelBundle
from ..services.scoring import predictions
from ..services.upload_workers import run_job
from ..services.uploads import read_upload
from .responses import errors

router = APIRouter(prefix="/predict", tags=["predict"], responses=errors(503))
BATCH_SCHEMA = {"$ref": f"#/components/schemas/{BatchIn.__name__}"}

_COUNT_HEADERS = {
    "X-Rows-Total": {"description": "Data rows in the upload.", "schema": {"type": "integer"}},
    "X-Rows-Scored": {"description": "Rows that got a segment.", "schema": {"type": "integer"}},
    "X-Rows-Failed": {"description": "Rows with an error instead.", "schema": {"type": "integer"}},
    "X-Errors-Total": {
        "description": "Cell problems found; the JSON report's `errors` lists the first 100.",
        "schema": {"type": "integer"},
    },
    "X-Model-Version": {"description": "Model that scored the file.", "schema": {"type": "string"}},
}
_CSV_EXAMPLE = (
    "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100),segment,segment_name,error\n"
    "1,Male,19,15,46,0,Young · low income · high spending,\n"
    "2,Male,abc,15,81,,,age 'abc' is not a number\n"
)


@router.post(
    "",
    response_model=Prediction,
    summary="Segment of one customer",
    dependencies=[Depends(require_json)],
    responses=errors(400, 413, 415, 422),
)
async def predict(
    bundle: BundleDep,
    customer: Annotated[
        CustomerIn,
        Body(
            openapi_examples={
                "snake_case": {
                    "summary": "Canonical field names",
                    "value": {"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82},
                },
                "csv_headers": {
                    "summary": "Original CSV column names",
                    "value": {"Genre": "male", "Age": 52, "Annual Income (k$)": 23, "Spending Score (1-100)": 12},
                },
            }
        ),
    ],
) -> Prediction:
    """Nearest segment, distances to it and to the runner-up, a margin (confidence) and an
    out-of-distribution flag. Computed with arrays, no DataFrame (µs, not ms)."""
    return predictions(bundle.scoring, [customer])[0]


@router.post(
    "/batch",
    response_model=BatchPrediction,
    summary="Segments of many customers, in order",
    dependencies=[Depends(require_json)],
    responses=errors(400, 408, 413, 415, 422),
    # The body is read by the route (below), so its schema is declared here for the docs and the client.
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": BATCH_SCHEMA}}}},
)
async def predict_batch(request: Request, bundle: BundleDep, settings: SettingsDep) -> Response:
    """Up to ``SEGMENTATION_MAX_BATCH_SIZE`` customers (10,000 by default) scored in one vectorised
    pass; ``predictions[i]`` belongs to ``customers[i]``. The customers are counted before they are
    parsed or validated (413 over the limit), and at most 100 errors are listed in a 422."""
    # Route mechanics only — raw body, count, worker thread, deadline; the rules for each customer's
    # fields live in the schemas and the scoring service.
    body = await request.body()
    deadline = Deadline.for_request(request.scope, settings.request_time_budget_s)
    batch = await run_in_threadpool(
        read_batch, body, BatchIn, item_name="customers", max_items=settings.max_batch_size, deadline=deadline
    )
    return await run_in_threadpool(_batch_response, bundle, batch, deadline)


def _batch_response(bundle: ModelBundle, batch: BatchIn, deadline: Deadline) -> Response:
    """Score and serialise in the worker thread: 10,000 predictions are not built on the event loop."""
    result = predictions(bundle.scoring, batch.customers, ("customers",))
    deadline.check("scoring the batch")
    answer = BatchPrediction.model_construct(model_version=bundle.model_version, count=len(result), predictions=result)
    return Response(answer.model_dump_json().encode(), media_type="application/json")


@router.post(
    "/csv",
    response_model=CsvScoringReport,
    summary="Score a CSV upload; download it with segment columns appended",
    dependencies=[Depends(require_multipart)],
    responses={
        200: {
            "description": "By default (format=csv) the uploaded file with `segment`, `segment_name` and "
            "`error` appended (rows that could not be scored keep an empty segment and say why in "
            "`error`); with format=json a report with the same information.",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": _CSV_EXAMPLE}},
            "headers": _COUNT_HEADERS,
        },
        **errors(400, 408, 413, 415, 422),
    },
)
async def predict_csv(
    bundle: BundleDep,
    settings: SettingsDep,
    deadline: DeadlineDep,
    file: Annotated[
        UploadFile,
        File(
            description="CSV with gender, age, annual income and spending score columns "
            "(the Kaggle headers or snake_case)."
        ),
    ],
    format: Annotated[
        Literal["csv", "json"], Query(description="csv: the scored file as a download; json: a report.")
    ] = "csv",
) -> Any:
    """Whole-file problems (empty, binary, no header, a required column missing) are a 422; row
    problems (missing, non-numeric, out-of-range, unknown gender) are reported per row while the
    good rows are scored. Row numbers count data rows: row 1 is the first row after the header."""
    upload = await read_upload(file, settings)  # size, emptiness, rows and columns counted on the bytes
    answer = await run_job(
        settings.upload_workers,
        deadline,
        answer_csv_upload,
        upload.data,
        upload.filename,
        bundle.scoring,
        settings.max_upload_rows,
        deadline,
        format,
    )
    return Response(answer.body, media_type=answer.media_type, headers=answer.headers)
