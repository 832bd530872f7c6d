"""The query parameters that select and order customers, shared by ``GET /customers`` and the CSV
exports (``GET /customers.csv``, ``GET /clusters/{id}/customers.csv``) so that an export holds
exactly the customers the table shows.

* ``segment`` (repeatable): keep these segments;
* ``search`` + ``search_mode``: the customer id starts with (``prefix``) or contains (``contains``,
  the default) the text, ignoring case;
* ``range`` (repeatable): ``COLUMN:LOW:HIGH`` keeps customers whose numeric column lies within the
  inclusive bounds; a bound may be left empty (``age:60:`` = 60 or more). One declared parameter
  rather than ``min_<column>``/``max_<column>``: the columns depend on the served model, and the
  generated client can only send parameters the schema declares;
* ``sort`` + ``order``: any column of the served customers (``customer_id``, ``segment``, a
  feature …), missing values last, ties in file order.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from ..services.customer_filter import CustomerFilter, CustomerSort, SearchMode, SortOrder, parse_range

SegmentQuery = Annotated[
    list[int] | None,
    Query(description="Keep customers of these segments (repeat the parameter for several).", examples=[[4]]),
]
SearchQuery = Annotated[
    str | None,
    Query(
        min_length=1, max_length=64, description="Text to find in the customer id (case-insensitive).", examples=["12"]
    ),
]
SearchModeQuery = Annotated[
    SearchMode, Query(description="prefix: the id starts with the text; contains: the id contains it.")
]
RangeQuery = Annotated[
    list[str] | None,
    Query(
        alias="range",
        description="COLUMN:LOW:HIGH on a numeric column, bounds inclusive, either may be empty "
        "(age:30:40, annual_income:80:); repeat for several columns.",
        examples=[["age:30:40"]],
    ),
]


def _filter(
    segments: list[int] | None, search: str | None, mode: SearchMode, ranges: list[str] | None
) -> CustomerFilter:
    return CustomerFilter(
        segments=tuple(dict.fromkeys(segments or ())),
        search=(search.strip() or None) if search else None,
        search_mode=mode,
        ranges=tuple(parse_range(text) for text in ranges or ()),
    )


def customer_filter(
    segment: SegmentQuery = None,
    search: SearchQuery = None,
    search_mode: SearchModeQuery = "contains",
    ranges: RangeQuery = None,
) -> CustomerFilter:
    """The filter of ``GET /customers`` and ``GET /customers.csv``."""
    return _filter(segment, search, search_mode, ranges)


def segment_customer_filter(
    search: SearchQuery = None,
    search_mode: SearchModeQuery = "contains",
    ranges: RangeQuery = None,
) -> CustomerFilter:
    """The same filter without ``segment`` (the path names the segment)."""
    return _filter(None, search, search_mode, ranges)


def customer_sort(
    sort: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="Column to sort by: customer_id, segment, segment_name or any column of the customers.",
            examples=["annual_income"],
        ),
    ] = None,
    order: Annotated[SortOrder, Query(description="asc or desc (missing values last either way).")] = "asc",
) -> CustomerSort | None:
    return CustomerSort(sort, order) if sort else None


FilterDep = Annotated[CustomerFilter, Depends(customer_filter)]
SegmentFilterDep = Annotated[CustomerFilter, Depends(segment_customer_filter)]
SortDep = Annotated[CustomerSort | None, Depends(customer_sort)]
