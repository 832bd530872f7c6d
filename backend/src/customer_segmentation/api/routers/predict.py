"""POST /predict, /predict/batch and /predict/csv — score new customers.

All three go through the same vectorised scorer; they differ only in how customers arrive.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Body, Depends, File, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ..dependencies import BundleDep, DeadlineDep, SettingsDep, require_json, require_multipart
from ..schemas import BatchIn, BatchPrediction, CsvRowResult, CsvScoringReport, CustomerIn, Prediction, RowError
from ..services import csv_scoring
from ..services.errors import PayloadTooLarge
from ..services.scoring import predictions
from .responses import errors

router = APIRouter(prefix="/predict", tags=["predict"], responses=errors(503))

_COUNT_HEADERS = {
    "X-Rows-Total": {"description": "Data rows in the upload.", "schema": {"type": "integer"}},
    "X-Rows-Scored": {"description": "Rows that got a segment.", "schema": {"type": "integer"}},
    "X-Rows-Failed": {"description": "Rows with an error instead.", "schema": {"type": "integer"}},
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
    return predictions(bundle, [customer])[0]


@router.post(
    "/batch",
    response_model=BatchPrediction,
    summary="Segments of many customers, in order",
    dependencies=[Depends(require_json)],
    responses=errors(400, 408, 413, 415, 422),
)
def predict_batch(bundle: BundleDep, settings: SettingsDep, deadline: DeadlineDep, batch: BatchIn) -> BatchPrediction:
    """Up to ``SEGMENTATION_MAX_BATCH_SIZE`` customers (10,000 by default) scored in one vectorised
    pass; ``predictions[i]`` belongs to ``customers[i]``."""
    if len(batch.customers) > settings.max_batch_size:
        raise PayloadTooLarge(
            f"batch of {len(batch.customers):,} customers exceeds the limit of {settings.max_batch_size:,} "
            "(setting SEGMENTATION_MAX_BATCH_SIZE); split it",
            field="customers",
        )
    deadline.check("validating the batch")
    result = predictions(bundle, batch.customers)
    return BatchPrediction.model_construct(model_version=bundle.model_version, count=len(result), predictions=result)


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
    data = await file.read(settings.max_upload_bytes + 1)
    name = file.filename or "upload.csv"
    result = await run_in_threadpool(csv_scoring.score_upload, data, name, bundle, settings, deadline)
    headers = {
        "X-Rows-Total": str(result.rows_total),
        "X-Rows-Scored": str(result.rows_scored),
        "X-Rows-Failed": str(result.rows_failed),
        "X-Model-Version": result.model_version,
    }
    if format == "json":
        return Response(_report(result).model_dump_json().encode(), media_type="application/json", headers=headers)
    body = await run_in_threadpool(result.csv_bytes)
    headers["Content-Disposition"] = f'attachment; filename="{result.output_name()}"'
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


def _report(result: csv_scoring.CsvScoring) -> CsvScoringReport:
    ids = csv_scoring.customer_ids(result)
    table = result.table
    segments = table[csv_scoring.SEGMENT].tolist()
    names = table[csv_scoring.SEGMENT_NAME].tolist()
    messages = table[csv_scoring.ERROR].tolist()
    return CsvScoringReport(
        filename=result.filename,
        model_version=result.model_version,
        rows_total=result.rows_total,
        rows_scored=result.rows_scored,
        rows_failed=result.rows_failed,
        columns=result.columns,
        errors=[RowError(row=e.row, column=e.column, value=e.value, reason=e.reason) for e in result.errors],
        results=[
            CsvRowResult.model_construct(
                row=i + 1,
                customer_id=ids[i],
                segment=None if _na(segments[i]) else int(segments[i]),
                segment_name=None if _na(names[i]) else names[i],
                error=None if _na(messages[i]) else messages[i],
            )
            for i in range(result.rows_total)
        ],
    )


def _na(value: object) -> bool:
    return value is None or bool(pd.isna(value))
