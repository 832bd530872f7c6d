"""GET /customers and /customers/{customer_id} — training customers and their segments.

The list feeds the dashboard's 2D/3D scatter plots: every customer's features and segment in one
request. Large tables are sampled with a fixed seed, so the same model always gives the same points,
and the response and the browser's chart stay small.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Path, Query

from ...schema import AGE, ANNUAL_INCOME, CUSTOMER_ID, GENDER, SPENDING_SCORE
from ..dependencies import BundleDep
from ..schemas import CustomerList, CustomerSegment
from ..services.errors import ModelUnavailable, NotFound
from ..services.model_store import SEGMENT, SEGMENT_NAME, CustomerTable, ModelBundle
from .responses import errors

router = APIRouter(prefix="/customers", tags=["customers"], responses=errors(503))

DEFAULT_LIMIT = 5_000
MAX_LIMIT = 20_000
SAMPLE_SEED = 0
_NUMBERS = (AGE, ANNUAL_INCOME, SPENDING_SCORE)


def _table(bundle: ModelBundle) -> CustomerTable:
    if bundle.customers is None:
        raise ModelUnavailable(f"customer lookup is unavailable: {bundle.customers_problem}")
    return bundle.customers


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: ids as text, numbers as finite floats or null, gender or null."""
    out: dict[str, list[Any]] = {
        CUSTOMER_ID: frame[CUSTOMER_ID].astype(str).tolist(),
        SEGMENT: frame[SEGMENT].astype("int64").tolist(),
        SEGMENT_NAME: frame[SEGMENT_NAME].astype(str).tolist(),
    }
    for column in _NUMBERS:
        if column in frame.columns:
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")
            out[column] = [float(v) if np.isfinite(v) else None for v in values]
    if GENDER in frame.columns:
        out[GENDER] = [g if isinstance(g, str) and g else None for g in frame[GENDER].tolist()]
    keys = list(out)
    return [dict(zip(keys, row, strict=True)) for row in zip(*out.values(), strict=True)]


@router.get(
    "",
    response_model=CustomerList,
    summary="Training customers and their segments (sampled when large)",
    responses=errors(422),
)
def list_customers(
    bundle: BundleDep,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Most customers to return; more are sampled (fixed seed).")
    ] = DEFAULT_LIMIT,
) -> CustomerList:
    """All training customers, or a reproducible random sample of ``limit`` of them (in file order)."""
    frame = _table(bundle).frame
    total = len(frame)
    if total > limit:
        index = np.sort(np.random.default_rng(SAMPLE_SEED).choice(total, size=limit, replace=False))
        frame = frame.iloc[index]
    records = _records(frame)
    return CustomerList.model_validate(
        {
            "model_version": bundle.model_version,
            "total": total,
            "returned": len(records),
            "sampled": len(records) < total,
            "customers": records,
        }
    )


@router.get(
    "/{customer_id}",
    response_model=CustomerSegment,
    summary="Segment of a training customer",
    responses=errors(404, 422),
)
def get_customer(
    bundle: BundleDep,
    customer_id: Annotated[
        str, Path(min_length=1, max_length=64, description="Customer id as in the data.", examples=["1"])
    ],
) -> CustomerSegment:
    """Looks the id up in ``data/processed/clustered_data.csv`` (loaded with the model)."""
    table = _table(bundle)
    row = table.find(customer_id)
    if row is None:
        raise NotFound(f"no customer {customer_id!r} in the training data ({len(table):,} customers)")
    record = _records(row.to_frame().T)[0]
    return CustomerSegment.model_validate({**record, "model_version": bundle.model_version})
