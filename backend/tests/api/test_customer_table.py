"""GET /customers as the dashboard's customers table: server-side filters, sort and pagination,
checked against pandas on the served table — and the sampled list of the scatter plots, which now
honours the same filters."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api.services.customer_filter import CustomerFilter, CustomerSort, NumericRange
from customer_segmentation.api.services.customer_query import CustomerIndex, select, select_page
from customer_segmentation.pipeline import RunResult


@pytest.fixture(scope="module")
def served(trained_result: RunResult) -> pd.DataFrame:
    """The served table as pandas sees it (ids as text, as the API serves them)."""
    table = trained_result.clustered_table()
    return table.assign(customer_id=table["customer_id"].astype(str))


def every_page(client: TestClient, page_size: int, **params: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """All customers of a paged query, page by page; and the first page's answer."""
    first = client.get("/customers", params={**params, "page": 1, "page_size": page_size})
    assert first.status_code == 200, first.text
    body = first.json()
    rows = list(body["customers"])
    for page in range(2, body["pages"] + 1):
        rows += client.get("/customers", params={**params, "page": page, "page_size": page_size}).json()["customers"]
    return rows, body


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [r["customer_id"] for r in rows]


def pandas_order(frame: pd.DataFrame, column: str, ascending: bool) -> list[str]:
    key = frame[column]
    if column == "customer_id":
        key = pd.to_numeric(key)  # integer ids sort as numbers
    order = key.sort_values(ascending=ascending, kind="stable", na_position="last").index
    return frame.loc[order, "customer_id"].tolist()


@pytest.mark.parametrize(
    "column", ["customer_id", "age", "annual_income", "spending_score", "segment", "gender", "segment_name"]
)
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sorted_pages_are_pandas_stable_sort(client: TestClient, served: pd.DataFrame, column: str, order: str) -> None:
    rows, first = every_page(client, 37, sort=column, order=order)
    expected = pandas_order(served.reset_index(drop=True), column, order == "asc")
    assert ids(rows) == expected
    assert first["total"] == first["population"] == len(served)
    assert first["pages"] == -(-len(served) // 37) and first["page"] == 1 and first["page_size"] == 37
    assert first["sampled"] is False


def test_filters_match_pandas(client: TestClient, served: pd.DataFrame) -> None:
    frame = served.reset_index(drop=True)
    cases: list[tuple[dict[str, Any], pd.Series]] = [
        ({"segment": [4]}, frame["segment"] == 4),
        ({"segment": [1, 3]}, frame["segment"].isin([1, 3])),
        ({"range": ["age:30:40"]}, frame["age"].between(30, 40)),
        ({"range": ["annual_income:80:"]}, frame["annual_income"] >= 80),
        ({"range": ["spending_score::20.5"]}, frame["spending_score"] <= 20.5),
        (
            {"range": ["age:30:50", "spending_score:50:"]},
            frame["age"].between(30, 50) & (frame["spending_score"] >= 50),
        ),
        ({"search": "1", "search_mode": "prefix"}, frame["customer_id"].str.startswith("1")),
        ({"search": "1"}, frame["customer_id"].str.contains("1", regex=False)),
        ({"search": "99", "search_mode": "contains"}, frame["customer_id"].str.contains("99", regex=False)),
        (
            {"segment": [2], "range": ["age::45"], "search": "1"},
            (frame["segment"] == 2) & (frame["age"] <= 45) & frame["customer_id"].str.contains("1", regex=False),
        ),
    ]
    for params, mask in cases:
        rows, first = every_page(client, 25, **params)
        assert ids(rows) == frame.loc[mask, "customer_id"].tolist(), params  # file order without sort
        assert first["total"] == int(mask.sum()), params
        assert first["population"] == len(frame)


def test_filter_sort_and_pages_together(client: TestClient, served: pd.DataFrame) -> None:
    frame = served.reset_index(drop=True)
    mask = frame["segment"].isin([0, 4]) & frame["annual_income"].between(20, 90)
    rows, first = every_page(
        client, 10, segment=[0, 4], range="annual_income:20:90", sort="spending_score", order="desc"
    )
    assert ids(rows) == pandas_order(frame[mask], "spending_score", ascending=False)
    assert first["total"] == int(mask.sum()) and first["pages"] == -(-int(mask.sum()) // 10)
    assert {r["segment"] for r in rows} <= {0, 4}


def test_page_past_the_end_is_empty(client: TestClient, served: pd.DataFrame) -> None:
    body = client.get("/customers", params={"page": 99, "page_size": 50}).json()
    assert body["customers"] == [] and body["returned"] == 0 and body["total"] == len(served)


def test_default_page_is_the_first_fifty_in_file_order(client: TestClient, served: pd.DataFrame) -> None:
    body = client.get("/customers", params={"page": 1}).json()
    assert body["page_size"] == 50 and ids(body["customers"]) == served["customer_id"].head(50).tolist()


def test_sampled_list_honours_the_filters(client: TestClient, served: pd.DataFrame) -> None:
    """The issue's bug: GET /customers?segment=4 returned other segments."""
    body = client.get("/customers", params={"segment": 4}).json()
    assert {c["segment"] for c in body["customers"]} == {4}
    assert body["total"] == body["returned"] == int((served["segment"] == 4).sum())
    assert body["sampled"] is False and body["page"] is None and body["page_size"] is None
    sample = client.get("/customers", params={"segment": 4, "limit": 5}).json()
    assert sample["returned"] == 5 and sample["sampled"] is True
    assert {c["segment"] for c in sample["customers"]} == {4}
    assert sample == client.get("/customers", params={"segment": 4, "limit": 5}).json()


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"sort": "nope"}, "sort", "cannot sort by 'nope'"),
        ({"range": "nope:1:2"}, "range", "not a numeric column"),
        ({"range": "gender:1:2"}, "range", "not a numeric column"),
        ({"range": "age:40:30"}, "range", "above the high bound"),
        ({"range": "age:x:30"}, "range", "'x' is not a number"),
        ({"range": "age"}, "range", "COLUMN:LOW:HIGH"),
        ({"range": "age::"}, "range", "at least one bound"),
        ({"range": "age:nan:"}, "range", "finite"),
        ({"segment": 6}, "segment", "no segment 6"),
        ({"segment": -1}, "segment", "no segment -1"),
        ({"page": 1, "limit": 10}, "limit", "sampled list"),
        ({"page_size": 501}, "page_size", "less than or equal to 500"),
        ({"page": 0}, "page", "greater than or equal to 1"),
        ({"search_mode": "regex", "search": "1"}, "search_mode", "prefix"),
    ],
)
def test_bad_queries_are_422_naming_the_problem(
    client: TestClient, params: dict[str, Any], field: str, words: str
) -> None:
    answer = client.get("/customers", params=params)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert words in body["detail"]
    assert [e["field"] for e in body["errors"]] == [field]


# -- the index on its own: missing values, ties, text ids ----------------------------------------
@pytest.fixture
def odd_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "customer_id": ["b-10", "A-2", "a-1", "B-3", "c-7", "x-9"],
            "spend": [3.0, np.nan, 1.0, 3.0, np.nan, 2.0],
            "tier": ["gold", None, "silver", "gold", "bronze", None],
            "segment": [1, 0, 1, 0, 2, 1],
        }
    )
    return frame.set_index("customer_id", drop=False)


@pytest.fixture
def odd_table(odd_frame: pd.DataFrame) -> CustomerIndex:
    """The index refers to its table weakly: the fixture above keeps the table alive."""
    return CustomerIndex.build(odd_frame, "customer_id")


@pytest.mark.parametrize("column", ["customer_id", "spend", "tier", "segment"])
@pytest.mark.parametrize("ascending", [True, False])
def test_index_sort_matches_pandas_with_missing_values_and_ties(
    odd_table: CustomerIndex, column: str, ascending: bool
) -> None:
    frame = odd_table.frame.reset_index(drop=True)
    expected = frame[column].sort_values(ascending=ascending, kind="stable", na_position="last").index.tolist()
    got = select(odd_table, CustomerFilter(), CustomerSort(column, "asc" if ascending else "desc"))
    assert got.tolist() == expected


def test_index_filters_ignore_case_and_missing_values(odd_table: CustomerIndex) -> None:
    assert select(odd_table, CustomerFilter(search="a-", search_mode="prefix")).tolist() == [1, 2]
    assert select(odd_table, CustomerFilter(search="-1", search_mode="contains")).tolist() == [0, 2]
    assert select(odd_table, CustomerFilter(ranges=(NumericRange("spend", low=None, high=2.5),))).tolist() == [2, 5]
    assert select(odd_table, CustomerFilter(ranges=(NumericRange("spend", low=0.0),))).tolist() == [0, 2, 3, 5]
    both = CustomerFilter(segments=(1,), ranges=(NumericRange("spend", low=2.0),))
    assert select(odd_table, both, CustomerSort("spend", "desc")).tolist() == [0, 5]


def test_a_page_is_the_slice_of_the_whole_selection() -> None:
    """select_page scans a filtered sort in slices; it must give exactly select()'s slice, across
    slice boundaries and past the end."""
    rng = np.random.default_rng(5)
    rows = 150_000  # more than two scan slices
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(rows)],
            "spend": np.where(rng.random(rows) < 0.05, np.nan, rng.integers(0, 500, rows).astype(float)),
            "segment": rng.integers(0, 4, rows),
        }
    )
    index = CustomerIndex.build(frame, "customer_id")
    filters = [
        CustomerFilter(),
        CustomerFilter(segments=(2,)),
        CustomerFilter(segments=(0, 3), ranges=(NumericRange("spend", 100.0, 300.0),)),
        CustomerFilter(search="99", search_mode="contains"),
    ]
    for flt in filters:
        for sort in (None, CustomerSort("spend", "desc"), CustomerSort("customer_id", "asc")):
            whole = select(index, flt, sort)
            for start in (0, 50, 70_000, len(whole) - 10, len(whole) + 5):
                total, page = select_page(index, flt, sort, max(start, 0), 50)
                assert total == len(whole)
                assert page.tolist() == whole[max(start, 0) : max(start, 0) + 50].tolist(), (flt, sort, start)
