"""POST /predict/transactions — segment the customers of an uploaded order-line export."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.concurrency import run_in_threadpool

from ...transactions import TransactionOptions
from ..dependencies import BundleDep, DeadlineDep, SettingsDep, require_multipart
from ..schemas.transactions import TransactionCustomer, TransactionScoringReport
from ..services.transaction_scoring import parse_as_of, require_rfm_model, score_transactions
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
) -> TransactionScoringReport:
    """Every customer's recency, frequency, monetary value, tenure and average order value — derived
    with the CLI's definitions (excluded lines counted by reason) — and their segment, with the same
    out-of-distribution flag, margin and confidence as /predict."""
    require_rfm_model(bundle)
    options = TransactionOptions(as_of=parse_as_of(as_of), date_format=date_format, returns=returns)
    upload = await read_upload(file, settings)
    name = upload.filename
    result = await run_in_threadpool(score_transactions, upload.data, name, bundle, deadline, options)
    derived = result.derived
    rows = result.table.replace({np.nan: None}).to_dict("records")
    return TransactionScoringReport(
        filename=name,
        model_version=bundle.model_version,
        lines_in=derived.lines_in,
        lines_valid=derived.lines_valid,
        exclusions=derived.exclusions,
        as_of=derived.as_of.isoformat(),
        date_format=derived.date_format,
        customers=[TransactionCustomer.model_validate({**r, "customer_id": str(r["customer_id"])}) for r in rows],
    )
