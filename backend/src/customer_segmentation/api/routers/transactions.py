"""POST /predict/transactions — segment the customers of an uploaded order-line export."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response

from ...transactions import TransactionOptions
from ..dependencies import BundleDep, DeadlineDep, SettingsDep, require_multipart
from ..schemas.transactions import TransactionScoringReport
from ..services.transaction_scoring import answer_transactions, parse_as_of, require_rfm_model
from ..services.upload_workers import run_job
from ..services.uploads import read_upload
from .responses import errors

router = APIRouter(prefix="/predict", tags=["predict"], responses=errors(503))


@router.post(
    "/transactions",
    response_model=TransactionScoringReport,
    summary="Segment the customers of an order-line export (RFM models)",
    dependencies=[Depends(require_multipart)],
    responses=errors(400, 408, 413, 415, 422),
)
async def predict_transactions(
    bundle: BundleDep,
    settings: SettingsDep,
    deadline: DeadlineDep,
    file: Annotated[
        UploadFile,
        File(
            description="Order lines (CSV): invoice, date, customer id, quantity and unit price (or amount); "
            "common headers (InvoiceNo, InvoiceDate, CustomerID, Quantity, UnitPrice) are recognised."
        ),
    ],
    as_of: Annotated[
        str | None, Query(description="Date recency is measured to (YYYY-MM-DD); default: the day after the last.")
    ] = None,
    date_format: Annotated[
        str | None, Query(max_length=40, description="How dates are written when ambiguous (%d/%m/%Y, dmy, mdy).")
    ] = None,
    returns: Annotated[Literal["ignore", "net"], Query(description="Ignore returns or net them out.")] = "ignore",
) -> Response:
    """Every customer's recency, frequency, monetary value, tenure and average order value — derived
    with the CLI's definitions (excluded lines counted by reason) — and their segment, with the same
    out-of-distribution flag, margin and confidence as /predict."""
    require_rfm_model(bundle.scoring)
    options = TransactionOptions(as_of=parse_as_of(as_of), date_format=date_format, returns=returns)
    upload = await read_upload(file, settings)
    report = await run_job(
        settings.upload_workers,
        deadline,
        answer_transactions,
        upload.data,
        upload.filename,
        bundle.scoring,
        deadline,
        options,
    )
    return Response(report, media_type="application/json")
