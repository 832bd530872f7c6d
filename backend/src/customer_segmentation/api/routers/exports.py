"""GET /customers.csv and /clusters/{cluster_id}/customers.csv — download customers for a campaign.

Both take the customers table's filters and sort (``customer_params``), so the file holds exactly
the customers the table shows; the CSV is streamed (``services.csv_export``) and formula-safe.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import StreamingResponse

from ..dependencies import BundleDep
from ..services.csv_export import csv_chunks
from ..services.customer_filter import CustomerFilter, CustomerSort
from ..services.customer_query import check_query, customer_index, select
from ..services.errors import ModelUnavailable, NotFound
from ..services.model_store import ModelBundle
from .customer_params import FilterDep, SegmentFilterDep, SortDep
from .responses import json_errors

router = APIRouter(tags=["customers"])

_EXAMPLE = (
    "customer_id,gender,age,annual_income,spending_score,segment,segment_name\n"
    "7,Female,35,18,6,1,Middle-aged · low income · low spending\n"
)


def _csv_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": "The customers as CSV (streamed), with every column of the served table and the "
            "segment; cells that a spreadsheet would run as formulas start with a single quote.",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": _EXAMPLE}},
            "headers": {
                "Content-Disposition": {"description": "attachment; filename=…", "schema": {"type": "string"}},
                "X-Rows-Total": {"description": "Customers in the file.", "schema": {"type": "integer"}},
                "X-Model-Version": {
                    "description": "Model whose segments the file holds.",
                    "schema": {"type": "string"},
                },
            },
        },
        **json_errors(*codes),
    }


def _export(
    bundle: ModelBundle, selection: CustomerFilter, sort: CustomerSort | None, filename: str
) -> StreamingResponse:
    table = bundle.customers
    if table is None:
        raise ModelUnavailable(f"customer export is unavailable: {bundle.customers_problem}")
    index = customer_index(table.frame, bundle.card.data.id_column)
    check_query(index, bundle, selection, sort)
    positions = select(index, selection, sort)
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Rows-Total": str(len(positions)),
        "X-Model-Version": bundle.model_version,
    }
    return StreamingResponse(csv_chunks(table.frame, positions), media_type="text/csv; charset=utf-8", headers=headers)


@router.get(
    "/customers.csv",
    response_class=StreamingResponse,
    summary="Download the customers matching the table's filters as CSV",
    responses=_csv_responses(422, 503),
)
def export_customers(bundle: BundleDep, selection: FilterDep, sort: SortDep) -> StreamingResponse:
    """The same filters and sort as ``GET /customers`` (segment, search, range, sort, order), every
    matching customer in one file — no paging."""
    return _export(bundle, selection, sort, f"customers-{bundle.model_version}.csv")


@router.get(
    "/clusters/{cluster_id}/customers.csv",
    response_class=StreamingResponse,
    summary="Download one segment's customers as CSV",
    responses=_csv_responses(404, 422, 503),
)
def export_segment_customers(
    bundle: BundleDep,
    cluster_id: Annotated[
        int, Path(ge=0, le=10_000, description="Stable segment id (see GET /clusters).", examples=[4])
    ],
    selection: SegmentFilterDep,
    sort: SortDep,
) -> StreamingResponse:
    """Every customer of segment ``cluster_id`` (optionally narrowed by search and ranges, and
    sorted); 404 when the model has no such segment."""
    if cluster_id not in bundle.segment_ids:
        ids = ", ".join(map(str, bundle.segment_ids))
        raise NotFound(f"no segment {cluster_id}: this model has segments {ids}")
    selection = CustomerFilter((cluster_id,), selection.search, selection.search_mode, selection.ranges)
    return _export(bundle, selection, sort, f"segment-{cluster_id}-customers-{bundle.model_version}.csv")
