"""GET /customers and /customers/{customer_id} — training customers and their segments.

The list serves two views with the same filters (see ``customer_params``): the dashboard's
customers table, filtered, sorted and paged on the server (``services.customer_query`` keeps it
fast at 1 M customers), and its 2D/3D scatter plots, which take every matching customer or, for
large tables, a fixed-seed sample — the same model always gives the same points, and the response
and the browser's chart stay small.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Path, Query

from ...reporting.axes import PCA_COLUMNS
from ...schema import CUSTOMER_ID
from ..dependencies import BundleDep
from ..schemas import CustomerList, CustomerSegment
from ..services.customer_query import check_query, customer_index, select, select_page
from ..services.errors import InvalidInput, ModelUnavailable, NotFound
from ..services.model_store import SEGMENT, SEGMENT_NAME, CustomerTable, ModelBundle
from .customer_params import FilterDep, SortDep
from .responses import errors

router = APIRouter(prefix="/customers", tags=["customers"], responses=errors(503))

DEFAULT_LIMIT = 5_000
MAX_LIMIT = 20_000
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
SAMPLE_SEED = 0


def _table(bundle: ModelBundle) -> CustomerTable:
    if bundle.customers is None:
        raise ModelUnavailable(f"customer lookup is unavailable: {bundle.customers_problem}")
    return bundle.customers


def _records(frame: pd.DataFrame, bundle: ModelBundle) -> list[dict[str, Any]]:
    """JSON-ready rows: the id as text (as ``customer_id`` and under the id column's own name),
    segment, every schema column (numbers as finite floats or null, text or null), PCA coordinates."""
    id_column = bundle.card.data.id_column
    ids = frame[id_column].astype(str).tolist()
    out: dict[str, list[Any]] = {CUSTOMER_ID: ids}
    if id_column != CUSTOMER_ID:
        out[id_column] = ids
    out[SEGMENT] = frame[SEGMENT].astype("int64").tolist()
    # The served names (your team's where set, see PATCH /clusters/{id}), not the file's at load time.
    out[SEGMENT_NAME] = bundle.segment_names[frame[SEGMENT].to_numpy(dtype="int64")].astype(str).tolist()
    dtypes = bundle.customers.frame.dtypes if bundle.customers is not None else frame.dtypes
    numeric = [
        s.name for s in bundle.schema.columns if s.name in dtypes and pd.api.types.is_numeric_dtype(dtypes[s.name])
    ]
    for column in [*numeric, *PCA_COLUMNS]:
        if column in frame.columns:
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")
            out[column] = [float(v) if np.isfinite(v) else None for v in values]
    for spec in bundle.schema.columns:
        if spec.name in frame.columns and spec.name not in out:
            out[spec.name] = [g if isinstance(g, str) and g else None for g in frame[spec.name].astype(object).tolist()]
    keys = list(out)
    return [dict(zip(keys, row, strict=True)) for row in zip(*out.values(), strict=True)]


@router.get(
    "",
    response_model=CustomerList,
    summary="Training customers and their segments: filtered, sorted and paged, or sampled",
    responses=errors(422),
)
def list_customers(
    bundle: BundleDep,
    selection: FilterDep,
    sort: SortDep,
    page: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="Page number (1-based): the paged table.", examples=[1])
    ] = None,
    page_size: Annotated[
        int | None,
        Query(ge=1, le=MAX_PAGE_SIZE, description=f"Customers per page (default {DEFAULT_PAGE_SIZE}).", examples=[50]),
    ] = None,
    limit: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_LIMIT,
            description=f"Sampled list only (default {DEFAULT_LIMIT:,}): most customers to return; more are "
            "sampled with a fixed seed.",
        ),
    ] = None,
) -> CustomerList:
    """Two ways to read the customers, with the same filters (segment, id search, ranges):

    * **paged** — when ``page``, ``page_size`` or ``sort`` is given: the customers matching the
      filters in sort order (file order without ``sort``), one page at a time; ``total`` counts
      every match. A page past the end is empty.
    * **sampled** (the scatter plots) — otherwise: every match, or a reproducible random sample of
      ``limit`` of them, in file order.
    """
    table = _table(bundle)
    index = customer_index(table.frame, bundle.card.data.id_column)
    check_query(index, bundle, selection, sort)
    paged = page is not None or page_size is not None or sort is not None
    if paged and limit is not None:
        raise InvalidInput("limit is for the sampled list: with page, page_size or sort use page_size", field="limit")
    if paged:
        size = page_size or DEFAULT_PAGE_SIZE
        total, shown = select_page(index, selection, sort, ((page or 1) - 1) * size, size)
    else:
        size = limit or DEFAULT_LIMIT
        shown = select(index, selection)
        total = len(shown)
        if total > size:
            shown = shown[np.sort(np.random.default_rng(SAMPLE_SEED).choice(total, size=size, replace=False))]
    records = _records(table.frame.iloc[shown], bundle)
    return CustomerList.model_validate(
        {
            "model_version": bundle.model_version,
            "population": len(table),
            "total": total,
            "returned": len(records),
            "sampled": not paged and len(records) < total,
            "page": (page or 1) if paged else None,
            "page_size": size if paged else None,
            "pages": -(-total // size) if paged else None,
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
    record = _records(row.to_frame().T, bundle)[0]
    return CustomerSegment.model_validate({**record, "model_version": bundle.model_version})
